//! Terms of the vocabularies Kulturnetz writes itself (pipeline metadata).

/// The application ontology's namespace, for terms no standard vocabulary has.
pub const KULTURNETZ: &str = "https://w3id.org/kulturnetz/ontology/kulturnetz#";

/// `kulturnetz:fingerprint`: the fingerprint of a source's last ingest (input, settings,
/// connector version).
pub const FINGERPRINT: &str = "https://w3id.org/kulturnetz/ontology/kulturnetz#fingerprint";
/// `kulturnetz:accepted`: number of records accepted in the last ingest.
pub const ACCEPTED: &str = "https://w3id.org/kulturnetz/ontology/kulturnetz#acceptedRecords";
/// `kulturnetz:rejected`: number of records rejected in the last ingest.
pub const REJECTED: &str = "https://w3id.org/kulturnetz/ontology/kulturnetz#rejectedRecords";

/// `prov:generatedAtTime`.
pub const PROV_GENERATED_AT_TIME: &str = "http://www.w3.org/ns/prov#generatedAtTime";
/// `prov:Entity`.
pub const PROV_ENTITY: &str = "http://www.w3.org/ns/prov#Entity";
/// `prov:wasDerivedFrom`.
pub const PROV_WAS_DERIVED_FROM: &str = "http://www.w3.org/ns/prov#wasDerivedFrom";
/// `void:triples`.
pub const VOID_TRIPLES: &str = "http://rdfs.org/ns/void#triples";
/// `dcterms:license`.
pub const DCTERMS_LICENSE: &str = "http://purl.org/dc/terms/license";
/// `dcterms:identifier`.
pub const DCTERMS_IDENTIFIER: &str = "http://purl.org/dc/terms/identifier";
/// `xsd:dateTime`.
pub const XSD_DATE_TIME: &str = "http://www.w3.org/2001/XMLSchema#dateTime";
