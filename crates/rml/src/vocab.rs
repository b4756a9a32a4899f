//! The terms of RML (`http://w3id.org/rml/`) and of the function libraries mappings call; the
//! legacy vocabularies read as their synonyms are `plan::legacy`'s.

use oxrdf::{NamedNode, NamedNodeRef};

/// The RML namespace of the W3C Knowledge Graph Construction Community Group.
pub(crate) const RML: &str = "http://w3id.org/rml/";
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
