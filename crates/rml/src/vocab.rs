//! The terms of RML (`http://w3id.org/rml/`) and of the legacy vocabularies that are read as
//! their synonyms: R2RML (`rr:`), the first RML namespace (`http://semweb.mmlab.be/ns/rml#`),
//! its reference formulations (`ql:`) and FnML.

use oxrdf::{NamedNode, NamedNodeRef};

/// The RML namespace of the W3C Knowledge Graph Construction Community Group.
pub(crate) const RML: &str = "http://w3id.org/rml/";
pub(crate) const RR: &str = "http://www.w3.org/ns/r2rml#";
pub(crate) const RML_LEGACY: &str = "http://semweb.mmlab.be/ns/rml#";
pub(crate) const QL: &str = "http://semweb.mmlab.be/ns/ql#";
pub(crate) const FNML: &str = "http://semweb.mmlab.be/ns/fnml#";
pub(crate) const FNO: &str = "https://w3id.org/function/ontology#";
pub(crate) const FNO_HTTP: &str = "http://w3id.org/function/ontology#";
pub(crate) const GREL: &str = "http://users.ugent.be/~bjdmeest/function/grel.ttl#";
pub(crate) const IDLAB_FN: &str = "https://w3id.org/imec/idlab/function#";
pub(crate) const RDF_TYPE: NamedNodeRef<'static> = oxrdf::vocab::rdf::TYPE;
/// On a CSV source: rows may have fewer fields than the header; the missing ones are null.
/// Spreadsheet exports and SPARQL result files drop trailing empty fields.
pub(crate) const RAGGED_ROWS: &str = "https://w3id.org/kulturnetz/ontology/kulturnetz#raggedRows";
pub(crate) const FORMATS: &str = "http://www.w3.org/ns/formats/";

/// The RML term `rml:{local}`.
pub(crate) fn rml(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{RML}{local}"))
}

/// The RML term that a legacy IRI stands for, if it is one.
pub(crate) fn modernise(iri: &str) -> Option<String> {
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
