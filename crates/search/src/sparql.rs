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
//! first), `?hit kn:nearby "lat lon km"` (within a radius, nearest first) and
//! `?hit kn:nearest "lat lon k"` (the `k` nearest).

use crate::SearchIndex;
use crate::geo::{Point, parse_wkt};
use crate::index::MAX_CANDIDATES;
use oxrdf::{Literal, NamedNode, Term};
use spargebra::Query;
use spargebra::algebra::GraphPattern;
use spargebra::term::{GroundTerm, NamedNodePattern, TermPattern, TriplePattern};
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

/// Replaces each search pattern (`?hit kn:textSearch "words"`, `kn:nearby "lat lon km"`,
/// `kn:nearest "lat lon k"`) in the basic graph patterns of `query` by `VALUES ?hit { … }` from
/// the index: at most [`MAX_CANDIDATES`] hits, best or nearest first. A query without them is
/// returned as it was.
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

/// The search a predicate stands for (`textSearch`, `nearby`, `nearest`), if any.
fn search_kind(predicate: &NamedNodePattern) -> Option<&str> {
    let NamedNodePattern::NamedNode(p) = predicate else {
        return None;
    };
    p.as_str()
        .strip_prefix(KN)
        .filter(|l| ["textSearch", "nearby", "nearest"].contains(l))
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
    let mut tables = Vec::new();
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
        let iris = hits(&kind, arg.value(), index)?;
        tables.push(GraphPattern::Values {
            variables: vec![v.clone()],
            bindings: iris
                .into_iter()
                .map(|i| vec![Some(GroundTerm::NamedNode(NamedNode::new_unchecked(i)))])
                .collect(),
        });
    }
    let Some(mut hits) = tables.pop() else {
        return Ok(GraphPattern::Bgp { patterns: rest });
    };
    for table in tables.into_iter().rev() {
        hits = GraphPattern::Join {
            left: Box::new(table),
            right: Box::new(hits),
        };
    }
    if rest.is_empty() {
        return Ok(hits);
    }
    Ok(GraphPattern::Join {
        left: Box::new(hits),
        right: Box::new(GraphPattern::Bgp { patterns: rest }),
    })
}

/// The IRIs a search pattern stands for, best or nearest first: from the index's columns and
/// the R-tree, without loading documents.
fn hits(kind: &str, arg: &str, index: &SearchIndex) -> Result<Vec<String>, RewriteError> {
    if kind == "textSearch" {
        let ranked = index
            .ranked(arg, MAX_CANDIDATES)
            .map_err(|e| RewriteError(e.to_string()))?;
        return Ok(ranked.into_iter().map(|(iri, _)| iri).collect());
    }
    let n: Vec<f64> = arg
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    let [lat, lon, x] = n[..] else {
        return Err(RewriteError(format!(
            "kn:{kind} takes \"lat lon {}\", not {arg:?}",
            if kind == "nearby" { "km" } else { "k" }
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
    let places = index.places();
    let mut found = if kind == "nearby" {
        places.within(centre, x * 1000.0)
    } else {
        places.nearest(centre, (x as usize).min(MAX_CANDIDATES))
    };
    found.truncate(MAX_CANDIDATES);
    Ok(found.into_iter().map(|f| f.iri).collect())
}
