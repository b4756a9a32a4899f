//! What an ingest reports, per source and in total (the `--report` JSON).

use kulturnetz_model::Diagnostic;
use oxrdf::NamedNode;
use serde::Serialize;
use std::collections::BTreeMap;

/// What happened to one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Converted and published.
    Loaded,
    /// Nothing changed since the last ingest.
    Unchanged,
    /// Not published; the previous graph stays.
    Failed,
    /// Converted, but its accepted records fell further than `max_shrink` allows (or to zero):
    /// not published until the run is confirmed (`--accept-shrink ID`); the previous graph stays.
    Held,
    /// Converted and validated, not published: a dry run (`kulturnetz validate`).
    Checked,
}

/// The report of one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    /// The source's id.
    pub id: String,
    /// Its named graph.
    pub graph: String,
    /// What happened.
    pub outcome: Outcome,
    /// Records read.
    pub records: u64,
    /// Records accepted.
    pub accepted: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Distinct triples now in its graph.
    pub triples: u64,
    /// Statements the connector wrote for this run, repeats included (a graph keeps each triple
    /// once, so this may be more than `triples`); 0 when the source was not converted.
    pub statements: u64,
    /// How long it took, in seconds.
    pub seconds: f64,
    /// Why it failed, or a summary of the rejected records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The first rejected records (all are in the rejected file).
    pub diagnostics: Vec<Diagnostic>,
    /// The connector's notes on the whole input: properties it left out, or the option that
    /// would fix most of the rejected records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Diagnostic>,
    /// What the validation stage found, if the source got that far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<Validation>,
}

impl SourceReport {
    /// A report of a source that has not got anywhere yet (it fails unless a stage says more).
    pub(crate) fn new(id: &str, graph: &NamedNode) -> Self {
        Self {
            id: id.to_owned(),
            graph: graph.as_str().to_owned(),
            outcome: Outcome::Failed,
            records: 0,
            accepted: 0,
            rejected: 0,
            triples: 0,
            statements: 0,
            seconds: 0.0,
            message: None,
            diagnostics: Vec::new(),
            notes: Vec::new(),
            validation: None,
        }
    }

    /// The report, failed with `message`.
    pub(crate) fn held(mut self, message: String) -> Self {
        self.outcome = Outcome::Held;
        self.message = Some(message);
        self
    }

    pub(crate) fn failed(mut self, message: String) -> Self {
        self.outcome = Outcome::Failed;
        self.message = Some(message);
        self
    }
}

/// What validating a staged graph found.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Validation {
    /// The source's `validate`: `gate`, `warn` or `off`.
    pub mode: String,
    /// How long validating took, in seconds (part of the source's).
    pub seconds: f64,
    /// SHACL shapes checked.
    pub shapes: u64,
    /// Focus nodes the shapes' targets selected, counted once per shape.
    pub focus_nodes: u64,
    /// Results of severity `sh:Violation`: what `max_violations` counts.
    pub violations: u64,
    /// Results of other severities (`sh:Warning`, `sh:Info`).
    pub warnings: u64,
    /// The first results, whatever their severity.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub results: Vec<Violation>,
    /// The IRI of the `sh:ValidationReport` in the meta graph.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<String>,
}

/// One validation result, its terms in N-Triples syntax (`<iri>`, `_:b`, `"text"@de`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The node that failed (`sh:focusNode`).
    pub focus_node: String,
    /// The property path, in SPARQL's syntax (`sh:resultPath`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The value that failed (`sh:value`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `Violation`, `Warning` or `Info`.
    pub severity: String,
    /// The shape's message (in English where it has one), or the validator's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The shape (`sh:sourceShape`).
    pub shape: String,
    /// The constraint component, such as `MinCountConstraintComponent`.
    pub component: String,
}

/// What the linking stage made of the published graphs (`{base}graph/links`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Linking {
    /// Links in the links graph, pinned ones included.
    pub links: u64,
    /// Of them, per kind (`same-as`, `event-venue`, `venue-accessibility`, `object-holder`).
    pub per_kind: BTreeMap<String, u64>,
    /// Links pinned by the overrides file.
    pub pinned: u64,
    /// Links the overrides file forbids.
    pub forbidden: u64,
    /// Institutions and venues read.
    pub venues: u64,
    /// Events with a place read.
    pub events: u64,
    /// Records with accessibility read.
    pub accessibility: u64,
    /// Objects with a holder read.
    pub objects: u64,
    /// How long it took, in seconds.
    pub seconds: f64,
}

/// The report of one ingest.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// One entry per source, in configuration order.
    pub sources: Vec<SourceReport>,
    /// The linking stage, if it ran (a source was published, or the overrides changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linking: Option<Linking>,
}

impl Report {
    /// Whether any source failed.
    pub fn has_failures(&self) -> bool {
        self.sources
            .iter()
            .any(|s| matches!(s.outcome, Outcome::Failed | Outcome::Held))
    }
}
