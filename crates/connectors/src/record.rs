//! The quads of one record with each term owned once.
//!
//! A record of a feed repeats its terms: an event's IRI is the subject of a dozen quads, the
//! predicates are fixed IRIs, and every occurrence of a series shares its name and description.
//! Owned [`oxrdf::Quad`]s would copy each of those strings into every quad; a [`Record`] keeps
//! one copy of each and hands the sink borrowed [`QuadRef`]s. It is cleared and reused from
//! record to record, so that its buffers are allocated once per input.

use crate::{RecordSink, SinkError};
use kulturnetz_model::Location;
use oxrdf::{GraphNameRef, Literal, NamedNodeRef, NamedOrBlankNode, QuadRef, TermRef};

/// A subject (or IRI/blank node object) added to a [`Record`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node(u32);

/// An object of a [`Record`]'s quad.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Object {
    Node(Node),
    Literal(u32),
    Iri(NamedNodeRef<'static>),
}

impl From<Node> for Object {
    fn from(node: Node) -> Self {
        Self::Node(node)
    }
}

impl From<NamedNodeRef<'static>> for Object {
    fn from(iri: NamedNodeRef<'static>) -> Self {
        Self::Iri(iri)
    }
}

#[derive(Default)]
pub(crate) struct Record {
    nodes: Vec<NamedOrBlankNode>,
    literals: Vec<Literal>,
    triples: Vec<(Node, NamedNodeRef<'static>, Object)>,
}

impl Record {
    /// Keeps `node` for the quads still to be added.
    pub(crate) fn node(&mut self, node: impl Into<NamedOrBlankNode>) -> Node {
        self.nodes.push(node.into());
        Node((self.nodes.len() - 1) as u32)
    }

    /// Keeps `literal` for the quads still to be added.
    pub(crate) fn literal(&mut self, literal: Literal) -> Object {
        self.literals.push(literal);
        Object::Literal((self.literals.len() - 1) as u32)
    }

    /// Adds the quad `subject predicate object` in the default graph.
    pub(crate) fn add(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        object: impl Into<Object>,
    ) {
        self.triples.push((subject, predicate, object.into()));
    }

    /// Quads added so far.
    pub(crate) fn len(&self) -> usize {
        self.triples.len()
    }

    /// Gives the record's quads to `out` as one accepted record.
    pub(crate) fn accept(&self, at: &Location, out: &mut dyn RecordSink) -> Result<(), SinkError> {
        let quads: Vec<QuadRef<'_>> = self
            .triples
            .iter()
            .map(|&(subject, predicate, object)| {
                let object = match object {
                    Object::Node(n) => TermRef::from(self.nodes[n.0 as usize].as_ref()),
                    Object::Literal(l) => TermRef::from(&self.literals[l as usize]),
                    Object::Iri(iri) => TermRef::from(iri),
                };
                QuadRef::new(
                    self.nodes[subject.0 as usize].as_ref(),
                    predicate,
                    object,
                    GraphNameRef::DefaultGraph,
                )
            })
            .collect();
        out.accept(at, &quads)
    }

    /// Empties the record, keeping its buffers.
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.literals.clear();
        self.triples.clear();
    }
}
