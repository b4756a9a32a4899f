//! The vocabularies most existing mappings are written in, read as RML
//! (<https://w3id.org/rml/core/spec>): R2RML (`rr:`, <https://www.w3.org/TR/r2rml/>), the first
//! RML namespace (`http://semweb.mmlab.be/ns/rml#`), its reference formulations (`ql:`) and
//! FnML. Their terms are rewritten to RML terms before a mapping is read, so one reader serves
//! both; FnML's terms, whose shape differs from RML-FNML's, become `rml:legacy-…` terms that the
//! reader knows.

use crate::vocab::RML;
use oxrdf::{Graph, NamedNode, Term, TermRef, Triple};

const RR: &str = "http://www.w3.org/ns/r2rml#";
const RML_LEGACY: &str = "http://semweb.mmlab.be/ns/rml#";
const QL: &str = "http://semweb.mmlab.be/ns/ql#";
const FNML: &str = "http://semweb.mmlab.be/ns/fnml#";
const FNO: &str = "https://w3id.org/function/ontology#";
const FNO_HTTP: &str = "http://w3id.org/function/ontology#";

/// The RML term that a legacy IRI stands for, if it is one.
fn modernise_iri(iri: &str) -> Option<String> {
    for ns in [RR, RML_LEGACY, QL] {
        if let Some(local) = iri.strip_prefix(ns) {
            let local = match local {
                "column" => "reference",
                "logicalTable" => "logicalSource",
                other => other,
            };
            return Some(format!("{RML}{local}"));
        }
    }
    if let Some(local) = iri.strip_prefix(FNML) {
        return Some(format!("{RML}legacy-fnml-{local}"));
    }
    if iri == format!("{FNO}executes") || iri == format!("{FNO_HTTP}executes") {
        return Some(format!("{RML}legacy-fno-executes"));
    }
    None
}

/// Whether `graph` uses the legacy vocabulary (`rr:`, `http://semweb.mmlab.be/ns/rml#`, `ql:`).
pub(super) fn is_legacy(graph: &Graph) -> bool {
    let legacy = |iri: &str| [RR, RML_LEGACY, QL].iter().any(|ns| iri.starts_with(ns));
    graph.iter().any(|t| {
        legacy(t.predicate.as_str())
            || matches!(t.object, TermRef::NamedNode(n) if legacy(n.as_str()))
    })
}

/// The graph with legacy terms replaced by RML terms.
pub(super) fn modernise(graph: &Graph) -> Graph {
    fn term(t: TermRef<'_>) -> Term {
        match t {
            TermRef::NamedNode(n) => match modernise_iri(n.as_str()) {
                Some(iri) => NamedNode::new_unchecked(iri).into(),
                None => n.into_owned().into(),
            },
            other => other.into_owned(),
        }
    }
    graph
        .iter()
        .map(|t| {
            let predicate = match modernise_iri(t.predicate.as_str()) {
                Some(iri) => NamedNode::new_unchecked(iri),
                None => t.predicate.into_owned(),
            };
            Triple::new(t.subject.into_owned(), predicate, term(t.object))
        })
        .collect()
}
