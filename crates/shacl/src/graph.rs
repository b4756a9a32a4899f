//! Access to the data graph: the one thing validation asks of it is the triples that match a
//! pattern ([SHACL §1.5](https://www.w3.org/TR/shacl/#data-graph)).

use oxrdf::{Graph, NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef, Triple};
use std::fmt;

/// A data graph the validator can read: an in-memory [`Graph`], or anything that can answer a
/// triple pattern, such as a staged graph queried with SPARQL.
///
/// Validation asks only patterns with a bound subject, a bound object or a bound predicate, so
/// an implementation over a store can answer each with one indexed lookup.
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

impl DataGraph for Graph {
    fn triples_matching(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
    ) -> Result<Vec<Triple>, AccessError> {
        let keep = |t: &oxrdf::TripleRef<'_>| {
            subject.is_none_or(|s| t.subject == s)
                && predicate.is_none_or(|p| t.predicate == p)
                && object.is_none_or(|o| t.object == o)
        };
        let triples: Vec<Triple> = match (subject, predicate, object) {
            (Some(s), _, _) => self
                .triples_for_subject(s)
                .filter(keep)
                .map(Into::into)
                .collect(),
            (None, _, Some(o)) => self
                .triples_for_object(o)
                .filter(keep)
                .map(Into::into)
                .collect(),
            (None, Some(p), None) => self.triples_for_predicate(p).map(Into::into).collect(),
            (None, None, None) => self.iter().map(Into::into).collect(),
        };
        Ok(triples)
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
