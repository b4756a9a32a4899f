//! Property paths: read from the shapes graph, followed in the data graph, written into the
//! report ([SHACL §2.3.1](https://www.w3.org/TR/shacl/#property-paths)).

use crate::graph::{AccessError, DataGraph, Lookups as _};
use crate::shapes::{ShapesError, list};
use crate::vocab::sh;
use oxrdf::{BlankNode, Graph, NamedNode, Term, TermRef, Triple, vocab::rdf};
use std::collections::HashSet;
use std::fmt;

/// A SHACL property path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Path {
    /// A predicate IRI.
    Predicate(NamedNode),
    /// `sh:inversePath`.
    Inverse(Box<Path>),
    /// An RDF list of paths, followed one after the other.
    Sequence(Vec<Path>),
    /// `sh:alternativePath`: the union of its paths.
    Alternative(Vec<Path>),
    /// `sh:zeroOrMorePath`.
    ZeroOrMore(Box<Path>),
    /// `sh:oneOrMorePath`.
    OneOrMore(Box<Path>),
    /// `sh:zeroOrOnePath`.
    ZeroOrOne(Box<Path>),
}

impl Path {
    /// Reads the path that `node` describes in the shapes graph.
    pub(crate) fn from_graph(
        graph: &Graph,
        node: TermRef<'_>,
        shape: &str,
    ) -> Result<Self, ShapesError> {
        Self::read(graph, node, shape, 0)
    }

    fn read(
        graph: &Graph,
        node: TermRef<'_>,
        shape: &str,
        depth: usize,
    ) -> Result<Self, ShapesError> {
        let bad = |message: String| ShapesError::new(shape, message);
        if depth > 64 {
            return Err(bad("sh:path nests more than 64 levels deep".into()));
        }
        let subject = match node {
            TermRef::NamedNode(n) => return Ok(Self::Predicate(n.into_owned())),
            TermRef::BlankNode(b) => b,
            other => return Err(bad(format!("sh:path {other} is not a path"))),
        };
        let one = |p| graph.object_for_subject_predicate(subject, p);
        let inner = |t: TermRef<'_>| Self::read(graph, t, shape, depth + 1).map(Box::new);
        if one(rdf::FIRST).is_some() {
            let items = list(graph, node).map_err(bad)?;
            let paths = items
                .iter()
                .map(|t| Self::read(graph, t.as_ref(), shape, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            if paths.len() < 2 {
                return Err(bad("a sequence path needs at least two members".into()));
            }
            return Ok(Self::Sequence(paths));
        }
        if let Some(t) = one(sh::ALTERNATIVE_PATH) {
            let items = list(graph, t).map_err(bad)?;
            let paths = items
                .iter()
                .map(|t| Self::read(graph, t.as_ref(), shape, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            if paths.len() < 2 {
                return Err(bad("sh:alternativePath needs at least two members".into()));
            }
            return Ok(Self::Alternative(paths));
        }
        if let Some(t) = one(sh::INVERSE_PATH) {
            return Ok(Self::Inverse(inner(t)?));
        }
        if let Some(t) = one(sh::ZERO_OR_MORE_PATH) {
            return Ok(Self::ZeroOrMore(inner(t)?));
        }
        if let Some(t) = one(sh::ONE_OR_MORE_PATH) {
            return Ok(Self::OneOrMore(inner(t)?));
        }
        if let Some(t) = one(sh::ZERO_OR_ONE_PATH) {
            return Ok(Self::ZeroOrOne(inner(t)?));
        }
        Err(bad(format!("sh:path {node} is not a path")))
    }

    /// The predicate, if the path is one.
    pub fn predicate(&self) -> Option<&NamedNode> {
        match self {
            Self::Predicate(p) => Some(p),
            _ => None,
        }
    }

    /// The nodes reached from `node` along the path, each once, in the order first reached.
    pub(crate) fn values(
        &self,
        graph: &dyn DataGraph,
        node: &Term,
    ) -> Result<Vec<Term>, AccessError> {
        let mut out = Nodes::default();
        self.follow(graph, std::slice::from_ref(node), true, &mut out)?;
        Ok(out.list)
    }

    /// Adds to `out` the nodes reached from `from` forwards, or backwards when `!forward`.
    fn follow(
        &self,
        graph: &dyn DataGraph,
        from: &[Term],
        forward: bool,
        out: &mut Nodes,
    ) -> Result<(), AccessError> {
        match self {
            Self::Predicate(p) => {
                for node in from {
                    let next = if forward {
                        graph.objects(node, p.as_ref())?
                    } else {
                        graph.subjects(p.as_ref(), node)?
                    };
                    next.into_iter().for_each(|t| out.push(t));
                }
            }
            Self::Inverse(inner) => inner.follow(graph, from, !forward, out)?,
            Self::Sequence(steps) => {
                let mut current = from.to_vec();
                let ordered: Vec<&Self> = if forward {
                    steps.iter().collect()
                } else {
                    steps.iter().rev().collect()
                };
                for step in ordered {
                    let mut next = Nodes::default();
                    step.follow(graph, &current, forward, &mut next)?;
                    current = next.list;
                }
                current.into_iter().for_each(|t| out.push(t));
            }
            Self::Alternative(paths) => {
                for path in paths {
                    path.follow(graph, from, forward, out)?;
                }
            }
            Self::ZeroOrOne(inner) => {
                from.iter().cloned().for_each(|t| out.push(t));
                inner.follow(graph, from, forward, out)?;
            }
            Self::ZeroOrMore(inner) | Self::OneOrMore(inner) => {
                let mut seen = Nodes::default();
                if matches!(self, Self::ZeroOrMore(_)) {
                    from.iter().cloned().for_each(|t| seen.push(t));
                }
                // Breadth first: each node is expanded once, so cycles end.
                let mut frontier = Nodes::default();
                inner.follow(graph, from, forward, &mut frontier)?;
                let mut expanded = HashSet::new();
                while !frontier.list.is_empty() {
                    let todo: Vec<Term> = frontier
                        .list
                        .into_iter()
                        .filter(|t| expanded.insert(t.clone()))
                        .collect();
                    todo.iter().cloned().for_each(|t| seen.push(t));
                    frontier = Nodes::default();
                    inner.follow(graph, &todo, forward, &mut frontier)?;
                }
                seen.list.into_iter().for_each(|t| out.push(t));
            }
        }
        Ok(())
    }

    /// Writes the path as RDF (predicates as themselves, the rest as blank nodes and lists)
    /// and returns the term that stands for it.
    pub fn write(&self, out: &mut Vec<Triple>) -> Term {
        let node = |out: &mut Vec<Triple>, p: oxrdf::NamedNodeRef<'_>, inner: &Self| {
            let b = BlankNode::default();
            let o = inner.write(out);
            out.push(Triple::new(b.clone(), p, o));
            Term::from(b)
        };
        match self {
            Self::Predicate(p) => p.clone().into(),
            Self::Inverse(i) => node(out, sh::INVERSE_PATH, i),
            Self::ZeroOrMore(i) => node(out, sh::ZERO_OR_MORE_PATH, i),
            Self::OneOrMore(i) => node(out, sh::ONE_OR_MORE_PATH, i),
            Self::ZeroOrOne(i) => node(out, sh::ZERO_OR_ONE_PATH, i),
            Self::Sequence(steps) => write_list(steps, out),
            Self::Alternative(paths) => {
                let b = BlankNode::default();
                let l = write_list(paths, out);
                out.push(Triple::new(b.clone(), sh::ALTERNATIVE_PATH, l));
                b.into()
            }
        }
    }
}

fn write_list(items: &[Path], out: &mut Vec<Triple>) -> Term {
    let mut rest: Term = rdf::NIL.into_owned().into();
    for item in items.iter().rev() {
        let cell = BlankNode::default();
        let value = item.write(out);
        out.push(Triple::new(cell.clone(), rdf::FIRST, value));
        out.push(Triple::new(cell.clone(), rdf::REST, rest));
        rest = cell.into();
    }
    rest
}

impl fmt::Display for Path {
    /// SPARQL's property path syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, items: &[Self], sep: &str| {
            write!(f, "(")?;
            for (i, p) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, "{sep}")?;
                }
                write!(f, "{p}")?;
            }
            write!(f, ")")
        };
        match self {
            Self::Predicate(p) => write!(f, "{p}"),
            Self::Inverse(i) => write!(f, "^{i}"),
            Self::ZeroOrMore(i) => write!(f, "{i}*"),
            Self::OneOrMore(i) => write!(f, "{i}+"),
            Self::ZeroOrOne(i) => write!(f, "{i}?"),
            Self::Sequence(s) => join(f, s, "/"),
            Self::Alternative(a) => join(f, a, "|"),
        }
    }
}

/// An ordered set of nodes.
#[derive(Default)]
pub(crate) struct Nodes {
    pub(crate) list: Vec<Term>,
    seen: HashSet<Term>,
}

impl Nodes {
    pub(crate) fn push(&mut self, term: Term) {
        if self.seen.insert(term.clone()) {
            self.list.push(term);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(name: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("http://example.org/{name}"))
    }

    fn p(name: &str) -> Path {
        Path::Predicate(ex(name))
    }

    /// a -p-> b -q-> c -q-> d -q-> b (a cycle), and e -p-> b.
    fn graph() -> Graph {
        let mut g = Graph::new();
        for (s, pr, o) in [
            ("a", "p", "b"),
            ("b", "q", "c"),
            ("c", "q", "d"),
            ("d", "q", "b"),
            ("e", "p", "b"),
        ] {
            g.insert(oxrdf::TripleRef::new(&ex(s), &ex(pr), &ex(o)));
        }
        g
    }

    fn values(path: &Path, from: &str) -> Vec<String> {
        let mut v: Vec<String> = path
            .values(&graph(), &ex(from).into())
            .expect("in memory")
            .iter()
            .map(|t| {
                t.to_string()
                    .trim_start_matches("<http://example.org/")
                    .trim_end_matches('>')
                    .to_owned()
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn closures_end_on_cycles_and_differ_only_in_the_start_node() {
        let plus = Path::OneOrMore(Box::new(p("q")));
        let star = Path::ZeroOrMore(Box::new(p("q")));
        assert_eq!(values(&plus, "b"), ["b", "c", "d"]);
        assert_eq!(values(&star, "c"), ["b", "c", "d"]);
        assert_eq!(values(&plus, "a"), Vec::<String>::new());
        assert_eq!(values(&star, "a"), ["a"]);
        assert_eq!(values(&Path::ZeroOrOne(Box::new(p("q"))), "b"), ["b", "c"]);
    }

    #[test]
    fn inverse_paths_walk_sequences_backwards() {
        let forward = Path::Sequence(vec![p("p"), Path::OneOrMore(Box::new(p("q")))]);
        assert_eq!(values(&forward, "a"), ["b", "c", "d"]);
        let inverse = Path::Inverse(Box::new(forward));
        assert_eq!(values(&inverse, "c"), ["a", "e"]);
        let alternative = Path::Alternative(vec![p("p"), Path::Inverse(Box::new(p("q")))]);
        assert_eq!(values(&alternative, "b"), ["d"]);
        assert_eq!(values(&alternative, "a"), ["b"]);
        assert_eq!(
            Path::Inverse(Box::new(Path::Sequence(vec![p("p"), p("q")]))).to_string(),
            "^(<http://example.org/p>/<http://example.org/q>)"
        );
    }
}
