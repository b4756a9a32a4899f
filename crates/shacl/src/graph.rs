//! Access to the data graph: the one thing validation asks of it is the triples that match a
//! pattern ([SHACL §1.5](https://www.w3.org/TR/shacl/#data-graph)).

use oxrdf::dataset::GraphView;
use oxrdf::{
    Dataset, Graph, NamedNodeRef, NamedOrBlankNodeRef, QuadRef, Term, TermRef, Triple, TripleRef,
};
use std::collections::HashSet;
use std::fmt;

/// A data graph the validator can read: an in-memory [`Graph`], one graph of a [`Dataset`]
/// ([`GraphView`]), the union of a [`Dataset`]'s graphs, or anything that can answer a triple
/// pattern, such as a staged graph in a store. Triples from any iterator become a [`Graph`]
/// with `collect`.
///
/// Validation asks only patterns with a bound subject, a bound object or a bound predicate, so
/// an implementation over a store can answer each with one indexed lookup. The terms it binds
/// come from earlier answers, blank nodes included: an implementation must find a blank node
/// it returned when it is asked for it again (which a SPARQL query cannot do by its label).
pub trait DataGraph {
    /// The triples that match the pattern; `None` matches any term.
    fn triples_matching(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
    ) -> Result<Vec<Triple>, AccessError>;
}

impl<G: DataGraph + ?Sized> DataGraph for &G {
    fn triples_matching(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
    ) -> Result<Vec<Triple>, AccessError> {
        (**self).triples_matching(subject, predicate, object)
    }
}

/// One implementation for the in-memory graph types, which share their lookup methods.
macro_rules! in_memory {
    ($(#[$doc:meta])* $t:ty) => {
        $(#[$doc])*
        impl DataGraph for $t {
            fn triples_matching(
                &self,
                subject: Option<NamedOrBlankNodeRef<'_>>,
                predicate: Option<NamedNodeRef<'_>>,
                object: Option<TermRef<'_>>,
            ) -> Result<Vec<Triple>, AccessError> {
                let keep = |t: &TripleRef<'_>| {
                    subject.is_none_or(|s| t.subject == s)
                        && predicate.is_none_or(|p| t.predicate == p)
                        && object.is_none_or(|o| t.object == o)
                };
                let triples: Vec<Triple> = match (subject, predicate, object) {
                    (Some(s), _, _) => self.triples_for_subject(s).filter(keep).map(Into::into).collect(),
                    (None, _, Some(o)) => self.triples_for_object(o).filter(keep).map(Into::into).collect(),
                    (None, Some(p), None) => self.triples_for_predicate(p).map(Into::into).collect(),
                    (None, None, None) => self.iter().map(Into::into).collect(),
                };
                Ok(triples)
            }
        }
    };
}

in_memory!(Graph);
in_memory!(
    /// One graph of a [`Dataset`] (`dataset.graph(name)`).
    GraphView<'_>
);

/// The union of every graph of the dataset, the default graph and the named ones: a triple in
/// several graphs is one triple.
impl DataGraph for Dataset {
    fn triples_matching(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
    ) -> Result<Vec<Triple>, AccessError> {
        let keep = |q: &QuadRef<'_>| {
            subject.is_none_or(|s| q.subject == s)
                && predicate.is_none_or(|p| q.predicate == p)
                && object.is_none_or(|o| q.object == o)
        };
        let quads: Box<dyn Iterator<Item = QuadRef<'_>>> = match (subject, predicate, object) {
            (Some(s), _, _) => Box::new(self.quads_for_subject(s)),
            (None, _, Some(o)) => Box::new(self.quads_for_object(o)),
            (None, Some(p), None) => Box::new(self.quads_for_predicate(p)),
            (None, None, None) => Box::new(self.iter()),
        };
        let mut seen = HashSet::new();
        Ok(quads
            .filter(keep)
            .map(|q| TripleRef::new(q.subject, q.predicate, q.object))
            .filter(|t| seen.insert(*t))
            .map(TripleRef::into_owned)
            .collect())
    }
}

/// The data graph could not be read (a store or a remote endpoint failed).
#[derive(Debug)]
pub struct AccessError(Box<dyn std::error::Error + Send + Sync>);

impl AccessError {
    /// Wraps the error of the graph's own storage.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(error.into())
    }
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read the data graph: {}", self.0)
    }
}

impl std::error::Error for AccessError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// The lookups validation needs, on top of [`DataGraph::triples_matching`].
pub(crate) trait Lookups: DataGraph {
    /// The objects of `subject predicate ?o`; none for a literal subject.
    fn objects(
        &self,
        subject: &Term,
        predicate: NamedNodeRef<'_>,
    ) -> Result<Vec<Term>, AccessError> {
        let Some(s) = as_subject(subject) else {
            return Ok(Vec::new());
        };
        Ok(self
            .triples_matching(Some(s), Some(predicate), None)?
            .into_iter()
            .map(|t| t.object)
            .collect())
    }

    /// The subjects of `?s predicate object`.
    fn subjects(
        &self,
        predicate: NamedNodeRef<'_>,
        object: &Term,
    ) -> Result<Vec<Term>, AccessError> {
        Ok(self
            .triples_matching(None, Some(predicate), Some(object.as_ref()))?
            .into_iter()
            .map(|t| t.subject.into())
            .collect())
    }
}

impl<G: DataGraph + ?Sized> Lookups for G {}

/// The term as a subject, if it can be one.
pub(crate) fn as_subject(term: &Term) -> Option<NamedOrBlankNodeRef<'_>> {
    match term {
        Term::NamedNode(n) => Some(n.as_ref().into()),
        Term::BlankNode(b) => Some(b.as_ref().into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::{Shapes, validate};
    use oxrdf::{Dataset, GraphNameRef, NamedNodeRef, QuadRef};

    #[test]
    fn a_dataset_is_validated_as_the_union_of_its_graphs_or_graph_by_graph() {
        let ex = |n: &str| format!("http://example.org/{n}");
        let (a, p) = (ex("a"), ex("p"));
        let (a, p) = (
            NamedNodeRef::new_unchecked(&a),
            NamedNodeRef::new_unchecked(&p),
        );
        let (one, two) = (ex("one"), ex("two"));
        let (g1, g2) = (
            NamedNodeRef::new_unchecked(&one),
            NamedNodeRef::new_unchecked(&two),
        );
        let mut dataset = Dataset::new();
        for (value, graph) in [("x", g1), ("x", g2), ("y", g2)] {
            let o = oxrdf::LiteralRef::new_simple_literal(value);
            dataset.insert(QuadRef::new(a, p, o, GraphNameRef::NamedNode(graph)));
        }
        let shapes: oxrdf::Graph = oxttl::TurtleParser::new()
            .for_slice(
                "<http://example.org/S> <http://www.w3.org/ns/shacl#targetNode> <http://example.org/a> ;
                   <http://www.w3.org/ns/shacl#property> [
                     <http://www.w3.org/ns/shacl#path> <http://example.org/p> ;
                     <http://www.w3.org/ns/shacl#minCount> 2 ; <http://www.w3.org/ns/shacl#maxCount> 2 ] .",
            )
            .collect::<Result<_, _>>()
            .expect("Turtle");
        let shapes = Shapes::from_graph(&shapes).expect("well-formed");
        // "x" in both graphs is one value: two values in all.
        assert!(validate(&shapes, &dataset).unwrap().conforms());
        assert!(validate(&shapes, &dataset.graph(g2)).unwrap().conforms());
        assert_eq!(
            validate(&shapes, &dataset.graph(g1))
                .unwrap()
                .results()
                .len(),
            1
        );
    }
}
