//! The validation report and its RDF form, a `sh:ValidationReport`
//! ([SHACL §3.6](https://www.w3.org/TR/shacl/#validation-report)).

use crate::path::Path;
use crate::vocab::sh;
use oxrdf::vocab::xsd;
use oxrdf::{BlankNode, Graph, Literal, NamedNode, Term, Triple};

/// What validating a data graph found.
#[derive(Debug, Clone)]
pub struct ValidationReport {
    results: Vec<ValidationResult>,
    shapes: usize,
    focus_nodes: usize,
}

/// One validation result: a focus node (and value) that failed a constraint of a shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationResult {
    /// `sh:focusNode`.
    pub focus_node: Term,
    /// `sh:resultPath`: the property shape's path, or the property a closed shape refused.
    pub path: Option<Path>,
    /// `sh:value`: the value node that failed, where the constraint looks at one.
    pub value: Option<Term>,
    /// `sh:sourceShape`.
    pub source_shape: Term,
    /// `sh:sourceConstraintComponent`.
    pub component: NamedNode,
    /// `sh:resultSeverity`: the shape's `sh:severity`, `sh:Violation` by default.
    pub severity: NamedNode,
    /// `sh:resultMessage`: the shape's `sh:message`s, or one made by the validator.
    pub messages: Vec<Term>,
}

impl ValidationReport {
    pub(crate) fn new(results: Vec<ValidationResult>, shapes: usize, focus_nodes: usize) -> Self {
        Self {
            results,
            shapes,
            focus_nodes,
        }
    }

    /// Whether the data conforms: no result at all, whatever its severity (SHACL §3.6.1).
    pub fn conforms(&self) -> bool {
        self.results.is_empty()
    }

    /// The results, by shape (in the order the shapes were read) and focus node.
    pub fn results(&self) -> &[ValidationResult] {
        &self.results
    }

    /// How many results have the severity `severity` (`sh:Violation`, `sh:Warning`, …).
    pub fn count(&self, severity: oxrdf::NamedNodeRef<'_>) -> usize {
        self.results
            .iter()
            .filter(|r| r.severity.as_ref() == severity)
            .count()
    }

    /// How many shapes were read.
    pub fn shapes(&self) -> usize {
        self.shapes
    }

    /// How many focus nodes the targets selected, counted once per shape.
    pub fn focus_nodes(&self) -> usize {
        self.focus_nodes
    }

    /// The report as RDF: one `sh:ValidationReport` with `sh:conforms` and a `sh:result` for
    /// each result.
    pub fn to_graph(&self) -> Graph {
        self.to_triples().into_iter().collect()
    }

    /// The triples of [`Self::to_graph`], each result's together, in the order of the results.
    pub fn to_triples(&self) -> Vec<Triple> {
        let mut triples = Vec::new();
        let report = BlankNode::default();
        triples.push(Triple::new(
            report.clone(),
            oxrdf::vocab::rdf::TYPE,
            sh::VALIDATION_REPORT,
        ));
        triples.push(Triple::new(
            report.clone(),
            sh::CONFORMS,
            Literal::new_typed_literal(self.conforms().to_string(), xsd::BOOLEAN),
        ));
        let nodes: Vec<BlankNode> = self.results.iter().map(|_| BlankNode::default()).collect();
        for node in &nodes {
            triples.push(Triple::new(report.clone(), sh::RESULT, node.clone()));
        }
        for (r, node) in self.results.iter().zip(nodes) {
            triples.push(Triple::new(
                node.clone(),
                oxrdf::vocab::rdf::TYPE,
                sh::VALIDATION_RESULT,
            ));
            triples.push(Triple::new(
                node.clone(),
                sh::FOCUS_NODE,
                r.focus_node.clone(),
            ));
            if let Some(path) = &r.path {
                let p = path.write(&mut triples);
                triples.push(Triple::new(node.clone(), sh::RESULT_PATH, p));
            }
            if let Some(value) = &r.value {
                triples.push(Triple::new(node.clone(), sh::VALUE, value.clone()));
            }
            triples.push(Triple::new(
                node.clone(),
                sh::SOURCE_SHAPE,
                r.source_shape.clone(),
            ));
            triples.push(Triple::new(
                node.clone(),
                sh::SOURCE_CONSTRAINT_COMPONENT,
                r.component.clone(),
            ));
            triples.push(Triple::new(
                node.clone(),
                sh::RESULT_SEVERITY,
                r.severity.clone(),
            ));
            for m in &r.messages {
                triples.push(Triple::new(node.clone(), sh::RESULT_MESSAGE, m.clone()));
            }
        }
        triples
    }
}
