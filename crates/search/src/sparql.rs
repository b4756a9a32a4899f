//! The index in SPARQL: `kn:` extension functions and search patterns (docs/search.md, "SPARQL").
//!
//! Functions, usable in `FILTER`, `BIND` and `ORDER BY`:
//! - `kn:textMatch(?s, "words")`: whether `?s` is among the hits of a text search for "words";
//! - `kn:textScore(?s, "words")`: its score there (`xsd:double`), unbound if it is not a hit;
//! - `kn:distance(?a, ?b)`: metres between two places, each an IRI with a point in the index
//!   or a WKT literal (`geo:wktLiteral` or a plain string);
//! - `kn:withinRadius(?a, ?b, metres)`: whether they are at most that far apart.
//!
//! Search patterns, which [`rewrite`] replaces by `VALUES` from the index before the query is
//! evaluated, so the store is not scanned: `?hit kn:textSearch "words"` (the best hits, best
//! first), `?hit kn:nearby "lat lon km"` (within a radius, nearest first),
//! `?hit kn:nearest "lat lon k"` (the `k` nearest), `?e kn:startsBetween "from to"` (a
//! `schema:startDate` in `[from, to)`, earliest first) and `?e kn:locatedNear "lat lon km"` (a
//! `schema:location` within a radius, nearest first). Several on one variable in one group are
//! intersected in the index: "in June, near Erfurt" is one `VALUES` of the events that are both.

use crate::SearchIndex;
use crate::calendar::millis;
use crate::geo::{Point, parse_wkt};
use crate::index::MAX_CANDIDATES;
use oxrdf::{Literal, NamedNode, Term};
use rustc_hash::FxHashSet;
use spargebra::Query;
use spargebra::algebra::GraphPattern;
use spargebra::term::{GroundTerm, NamedNodePattern, TermPattern, TriplePattern, Variable};
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

/// The namespace of the functions and patterns (the ontology's).
pub const KN: &str = "https://w3id.org/kulturnetz/ontology/kulturnetz#";

pub use kulturnetz_store::Function;

/// The index the functions read, set once it is open (the store, whose evaluator calls the
/// functions, is opened first).
pub type Slot = Arc<OnceLock<Arc<SearchIndex>>>;

/// The extension functions over the index in `index`, by name. Before it is set they are
/// errors (unbound).
pub fn functions(index: &Slot) -> Vec<(NamedNode, Function)> {
    let name = |local: &str| NamedNode::new_unchecked(format!("{KN}{local}"));
    let i = Arc::clone(index);
    let text_match: Function = Arc::new(move |args| {
        let [s, Term::Literal(q)] = args else {
            return None;
        };
        let Term::NamedNode(s) = s else {
            return Some(Literal::from(false).into());
        };
        let scores = i.get()?.scores(q.value()).ok()?;
        Some(Literal::from(scores.contains_key(s.as_str())).into())
    });
    let i = Arc::clone(index);
    let text_score: Function = Arc::new(move |args| {
        let [Term::NamedNode(s), Term::Literal(q)] = args else {
            return None;
        };
        let scores = i.get()?.scores(q.value()).ok()?;
        scores
            .get(s.as_str())
            .map(|v| Literal::from(f64::from(*v)).into())
    });
    let i = Arc::clone(index);
    let distance: Function = Arc::new(move |args| {
        let [a, b] = args else { return None };
        let i = i.get()?;
        let d = place(i, a)?.distance_m(place(i, b)?);
        Some(Literal::from(d).into())
    });
    let i = Arc::clone(index);
    let within: Function = Arc::new(move |args| {
        let [a, b, Term::Literal(m)] = args else {
            return None;
        };
        let metres = number(m)?;
        let i = i.get()?;
        let d = place(i, a)?.distance_m(place(i, b)?);
        Some(Literal::from(d <= metres).into())
    });
    vec![
        (name("textMatch"), text_match),
        (name("textScore"), text_score),
        (name("distance"), distance),
        (name("withinRadius"), within),
    ]
}

fn number(l: &Literal) -> Option<f64> {
    l.value()
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
}

/// The point of a term: an IRI's from the index, a WKT literal's own.
fn place(index: &SearchIndex, term: &Term) -> Option<Point> {
    match term {
        Term::NamedNode(n) => index.point(n.as_str()).ok().flatten(),
        Term::Literal(l) => parse_wkt(l.value()),
        _ => None,
    }
}

/// A search pattern that cannot be answered as written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RewriteError(String);

/// Replaces the search patterns (`?hit kn:textSearch "words"`, `kn:nearby "lat lon km"`,
/// `kn:nearest "lat lon k"`, `kn:startsBetween "from to"`, `kn:locatedNear "lat lon km"`) in the
/// basic graph patterns of `query` by `VALUES ?hit { … }` from the index: one table per
/// variable, the hits of all its patterns (in the order of its first), at most
/// [`MAX_CANDIDATES`]. A query without them is returned as it was.
pub fn rewrite(query: Query, index: &SearchIndex) -> Result<Query, RewriteError> {
    Ok(match query {
        Query::Select {
            dataset,
            pattern,
            base_iri,
        } => Query::Select {
            dataset,
            pattern: pattern_rewrite(pattern, index)?,
            base_iri,
        },
        Query::Construct {
            template,
            dataset,
            pattern,
            base_iri,
        } => Query::Construct {
            template,
            dataset,
            pattern: pattern_rewrite(pattern, index)?,
            base_iri,
        },
        Query::Describe {
            dataset,
            pattern,
            base_iri,
        } => Query::Describe {
            dataset,
            pattern: pattern_rewrite(pattern, index)?,
            base_iri,
        },
        Query::Ask {
            dataset,
            pattern,
            base_iri,
        } => Query::Ask {
            dataset,
            pattern: pattern_rewrite(pattern, index)?,
            base_iri,
        },
    })
}

/// Whether `query` has a search pattern (a cheap look before [`rewrite`]).
pub fn has_search_pattern(query: &Query) -> bool {
    use kulturnetz_sparql::visit::{Node, walk_query};
    use std::ops::ControlFlow;
    walk_query(query, |node, _| match node {
        Node::Pattern(GraphPattern::Bgp { patterns })
            if patterns.iter().any(|t| search_kind(&t.predicate).is_some()) =>
        {
            ControlFlow::Break(())
        }
        _ => ControlFlow::Continue(()),
    })
    .is_break()
}

/// The local names of the search patterns' predicates.
const SEARCHES: [&str; 5] = [
    "textSearch",
    "nearby",
    "nearest",
    "startsBetween",
    "locatedNear",
];

/// The search a predicate stands for (one of [`SEARCHES`]), if any.
fn search_kind(predicate: &NamedNodePattern) -> Option<&str> {
    let NamedNodePattern::NamedNode(p) = predicate else {
        return None;
    };
    p.as_str().strip_prefix(KN).filter(|l| SEARCHES.contains(l))
}

fn sub(p: GraphPattern, index: &SearchIndex) -> Result<Box<GraphPattern>, RewriteError> {
    Ok(Box::new(pattern_rewrite(p, index)?))
}

fn pattern_rewrite(p: GraphPattern, index: &SearchIndex) -> Result<GraphPattern, RewriteError> {
    use GraphPattern as G;
    Ok(match p {
        G::Bgp { patterns } => bgp(patterns, index)?,
        G::Join { left, right } => G::Join {
            left: sub(*left, index)?,
            right: sub(*right, index)?,
        },
        G::LeftJoin {
            left,
            right,
            expression,
        } => G::LeftJoin {
            left: sub(*left, index)?,
            right: sub(*right, index)?,
            expression,
        },
        G::Lateral { left, right } => G::Lateral {
            left: sub(*left, index)?,
            right: sub(*right, index)?,
        },
        G::Filter { expr, inner } => G::Filter {
            expr,
            inner: sub(*inner, index)?,
        },
        G::Union { left, right } => G::Union {
            left: sub(*left, index)?,
            right: sub(*right, index)?,
        },
        G::Graph { name, inner } => G::Graph {
            name,
            inner: sub(*inner, index)?,
        },
        G::Extend {
            inner,
            variable,
            expression,
        } => G::Extend {
            inner: sub(*inner, index)?,
            variable,
            expression,
        },
        G::Minus { left, right } => G::Minus {
            left: sub(*left, index)?,
            right: sub(*right, index)?,
        },
        G::OrderBy { inner, expression } => G::OrderBy {
            inner: sub(*inner, index)?,
            expression,
        },
        G::Project { inner, variables } => G::Project {
            inner: sub(*inner, index)?,
            variables,
        },
        G::Distinct { inner } => G::Distinct {
            inner: sub(*inner, index)?,
        },
        G::Reduced { inner } => G::Reduced {
            inner: sub(*inner, index)?,
        },
        G::Slice {
            inner,
            start,
            length,
        } => G::Slice {
            inner: sub(*inner, index)?,
            start,
            length,
        },
        G::Group {
            inner,
            variables,
            aggregates,
        } => G::Group {
            inner: sub(*inner, index)?,
            variables,
            aggregates,
        },
        G::Service {
            name,
            inner,
            silent,
        } => G::Service {
            name,
            inner,
            silent,
        },
        other => other,
    })
}

fn bgp(patterns: Vec<TriplePattern>, index: &SearchIndex) -> Result<GraphPattern, RewriteError> {
    let mut rest = Vec::new();
    // The in-memory indexes as they are now; hits borrow their IRIs until the VALUES are made.
    let now = Snapshot {
        index,
        memory: index.memory(),
    };
    // Each variable with search patterns, in the order first written, and its hits so far.
    let mut bound: Vec<(Variable, Vec<Cow<'_, str>>)> = Vec::new();
    for t in patterns {
        let Some(kind) = search_kind(&t.predicate).map(str::to_owned) else {
            rest.push(t);
            continue;
        };
        let TermPattern::Variable(v) = &t.subject else {
            return Err(RewriteError(format!(
                "kn:{kind} needs a variable as its subject, as in ?hit kn:{kind} \"…\""
            )));
        };
        let TermPattern::Literal(arg) = &t.object else {
            return Err(RewriteError(format!(
                "kn:{kind} needs a literal as its object, as in ?hit kn:{kind} \"…\""
            )));
        };
        let found = now.hits(&kind, arg.value())?;
        match bound.iter_mut().find(|(w, _)| w == v) {
            Some((_, hits)) => {
                let keep: FxHashSet<&str> = found.iter().map(AsRef::as_ref).collect();
                hits.retain(|h| keep.contains(h.as_ref()));
            }
            None => bound.push((v.clone(), found)),
        }
    }
    let mut tables = bound.into_iter().map(|(v, mut iris)| {
        iris.truncate(MAX_CANDIDATES);
        GraphPattern::Values {
            variables: vec![v],
            bindings: iris
                .into_iter()
                .map(|i| {
                    vec![Some(GroundTerm::NamedNode(NamedNode::new_unchecked(
                        i.into_owned(),
                    )))]
                })
                .collect(),
        }
    });
    let Some(first) = tables.next() else {
        return Ok(GraphPattern::Bgp { patterns: rest });
    };
    let hits = tables.fold(first, |left, table| GraphPattern::Join {
        left: Box::new(left),
        right: Box::new(table),
    });
    if rest.is_empty() {
        return Ok(hits);
    }
    Ok(GraphPattern::Join {
        left: Box::new(hits),
        right: Box::new(GraphPattern::Bgp { patterns: rest }),
    })
}

/// The search index and its in-memory parts at one moment.
struct Snapshot<'i> {
    index: &'i SearchIndex,
    memory: crate::index::Memory,
}

impl Snapshot<'_> {
    /// The IRIs a search pattern stands for, best, nearest or earliest first: from the index's
    /// columns, the R-tree and the calendar, without loading documents.
    fn hits(&self, kind: &str, arg: &str) -> Result<Vec<Cow<'_, str>>, RewriteError> {
        if kind == "textSearch" {
            let ranked = self
                .index
                .ranked(arg, MAX_CANDIDATES)
                .map_err(|e| RewriteError(e.to_string()))?;
            return Ok(ranked.into_iter().map(|(iri, _)| iri.into()).collect());
        }
        if kind == "startsBetween" {
            let parsed: Vec<Option<i64>> = arg.split_whitespace().map(millis).collect();
            let (from, to) = match parsed[..] {
                [Some(from)] => (Some(from), None),
                [Some(from), Some(to)] => (Some(from), Some(to)),
                _ => {
                    return Err(RewriteError(format!(
                        "kn:startsBetween takes \"from to\" or \"from\" (each an xsd:date or \
                         xsd:dateTime), not {arg:?}"
                    )));
                }
            };
            let starting = self.memory.calendar.starting(from, to);
            return Ok(starting.into_iter().map(|(iri, _)| iri.into()).collect());
        }
        let n: Vec<f64> = arg
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let [lat, lon, x] = n[..] else {
            return Err(RewriteError(format!(
                "kn:{kind} takes \"lat lon {}\", not {arg:?}",
                if kind == "nearest" { "k" } else { "km" }
            )));
        };
        let centre = Point::new(lat, lon).ok_or_else(|| {
            RewriteError(format!(
                "kn:{kind}: {lat} {lon} is not a point on the earth"
            ))
        })?;
        if !(x.is_finite() && x >= 0.0) {
            return Err(RewriteError(format!(
                "kn:{kind}: {x} must be a number, 0 or more"
            )));
        }
        if kind == "nearest" {
            let nearest = self
                .memory
                .places
                .nearest(centre, (x as usize).min(MAX_CANDIDATES));
            return Ok(nearest.into_iter().map(|f| f.iri.into()).collect());
        }
        let around = self.memory.places.around(centre, x * 1000.0);
        let places = around.into_iter().map(|(_, iri, _)| iri);
        Ok(if kind == "locatedNear" {
            let located = self.memory.calendar.located_at(places);
            located.into_iter().map(Cow::Borrowed).collect()
        } else {
            places.map(Cow::Borrowed).collect()
        })
    }
}
