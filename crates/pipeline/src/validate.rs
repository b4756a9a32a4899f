//! The validation stage: the staged graph, before it is published, checked against the source's
//! SHACL shapes ([SHACL](https://www.w3.org/TR/shacl/)), read from the store's indexes through
//! [`Staging::triples_matching`] without a copy.
//!
//! A source's shapes are its `shapes` files, or every `*.ttl` in `[pipeline] shapes`
//! (`ontologies/shapes` by default). Each set of files is read once per run, before any source
//! runs, so a shapes file that is not well-formed stops the run before anything is published.
//! The report goes into the meta graph as a `sh:ValidationReport` without blank nodes (its
//! results and paths are parts `…#r1`, `…#b1`), and its first results into the `--report` JSON.
//! The report of the published graph is `{base}graph/meta/validation/{source}`, committed with
//! the graph; the report of a run the gate refused is `…/validation/{source}/refused`, written
//! on its own (the graph stays as it was) and removed by the next run that publishes.

use crate::PipelineError;
use crate::report::{Validation, Violation};
use kulturnetz_model::{Config, Minter, SourceConfig, ValidateMode, vocab};
use kulturnetz_shacl::vocab::sh;
use kulturnetz_shacl::{AccessError, DataGraph, Shapes, ValidationReport};
use kulturnetz_store::{Description, Staging, StoreError};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{
    BlankNode, Graph, Literal, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef, Triple,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

/// How many results the `--report` JSON shows per source.
pub(crate) const SHOWN_RESULTS: usize = 10;

/// How many results the report in the meta graph keeps; the counts are always whole.
pub(crate) const KEPT_RESULTS: usize = 1000;

/// The staged graph as SHACL's data graph: each pattern is a lookup in the staging.
struct StagedGraph<'a>(&'a dyn Staging);

impl DataGraph for StagedGraph<'_> {
    fn triples_matching(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
    ) -> Result<Vec<Triple>, AccessError> {
        self.0
            .triples_matching(subject, predicate, object)
            .map_err(AccessError::new)
    }
}

/// A set of shapes files, read and checked.
pub(crate) struct ShapeSet {
    shapes: Shapes,
    /// A SHA-256 over the files' bytes: part of a validated source's fingerprint.
    digest: String,
}

/// The shapes of every source of a run, each set of files read once.
#[derive(Default)]
pub(crate) struct ShapeLibrary {
    sets: HashMap<Vec<PathBuf>, Arc<ShapeSet>>,
    of_source: HashMap<String, Arc<ShapeSet>>,
}

impl ShapeLibrary {
    /// Reads the shapes of `sources` (those not `off`), each set of files once.
    pub(crate) fn read<'a>(
        config: &Config,
        sources: impl IntoIterator<Item = &'a SourceConfig>,
    ) -> Result<Self, PipelineError> {
        let mut library = Self::default();
        for source in sources {
            if source.validate == ValidateMode::Off {
                continue;
            }
            let files = shape_files(config, source)?;
            if files.is_empty() {
                // No shapes: nothing to check, and no report that would claim conformance.
                continue;
            }
            let set = match library.sets.get(&files) {
                Some(set) => Arc::clone(set),
                None => {
                    let set = Arc::new(read_set(&files)?);
                    library.sets.insert(files, Arc::clone(&set));
                    set
                }
            };
            library.of_source.insert(source.id.clone(), set);
        }
        Ok(library)
    }

    /// What validation adds to the fingerprint of `source`: its mode, tolerance and shapes, so
    /// that a change of shapes validates the source again.
    pub(crate) fn fingerprint(&self, source: &SourceConfig) -> String {
        match self.of_source.get(&source.id) {
            Some(set) => format!(
                "{}\0{}\0{}",
                source.validate, source.max_violations, set.digest
            ),
            None => source.validate.to_string(),
        }
    }
}

/// The shapes files of `source`: its own `shapes`, or every `*.ttl` of `[pipeline] shapes` (none
/// if that folder does not exist).
fn shape_files(config: &Config, source: &SourceConfig) -> Result<Vec<PathBuf>, PipelineError> {
    if let Some(files) = &source.shapes {
        return Ok(files.iter().map(|f| config.resolve(f)).collect());
    }
    let folder = config.resolve(&config.pipeline.shapes);
    if folder.is_file() {
        return Ok(vec![folder]);
    }
    let entries = match std::fs::read_dir(&folder) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(PipelineError::Read {
                name: folder.display().to_string(),
                error,
            });
        }
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|error| PipelineError::Read {
                name: folder.display().to_string(),
                error,
            })?
            .path();
        if path.extension().is_some_and(|e| e == "ttl") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads and checks one set of shapes files; an error names the file.
fn read_set(files: &[PathBuf]) -> Result<ShapeSet, PipelineError> {
    let mut all = Graph::new();
    let mut hasher = Sha256::new();
    for file in files {
        let bad = |message: String| PipelineError::Shapes {
            file: file.clone(),
            message,
        };
        let bytes = std::fs::read(file).map_err(|e| bad(format!("cannot read: {e}")))?;
        hasher.update(&bytes);
        hasher.update([0]);
        let mut parser = oxrdfio::RdfParser::from_format(oxrdfio::RdfFormat::Turtle);
        if let Ok(base) = file_iri(file) {
            parser = parser.with_base_iri(base).map_err(|e| bad(e.to_string()))?;
        }
        let mut graph = Graph::new();
        for quad in parser.for_slice(&bytes) {
            let quad = quad.map_err(|e| bad(e.to_string()))?;
            graph.insert(&Triple::from(quad));
        }
        // Each file is checked alone too, so that the error names the file it is in.
        Shapes::from_graph(&graph).map_err(|e| bad(e.to_string()))?;
        all.extend(&graph);
    }
    let shapes = Shapes::from_graph(&all).map_err(|e| PipelineError::Shapes {
        file: files.first().cloned().unwrap_or_default(),
        message: e.to_string(),
    })?;
    Ok(ShapeSet {
        shapes,
        digest: kulturnetz_model::hex(&hasher.finalize()),
    })
}

/// The `file:` IRI of a path, the base of the relative IRIs in it.
fn file_iri(path: &Path) -> Result<String, std::io::Error> {
    let path = std::fs::canonicalize(path)?;
    let mut iri = String::from("file://");
    for c in path.to_string_lossy().chars() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '/' | '-' | '.' | '_' | '~' => iri.push(c),
            c => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    iri.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    Ok(iri)
}

/// What validating a source decided.
pub(crate) struct Checked {
    /// For the report.
    pub(crate) validation: Validation,
    /// The `sh:ValidationReport` for the meta graph (none when nothing was validated).
    pub(crate) description: Option<Description>,
    /// Why the gate keeps the source out, if it does (the counts; the caller says where the
    /// report is).
    pub(crate) refused: Option<String>,
}

/// Validates the staged graph of `source` against its shapes.
pub(crate) fn validate(
    staging: &dyn Staging,
    source: &SourceConfig,
    library: &ShapeLibrary,
    minter: &Minter,
) -> Result<Checked, PipelineError> {
    let mut validation = Validation {
        mode: source.validate.to_string(),
        ..Validation::default()
    };
    let Some(set) = library.of_source.get(&source.id) else {
        return Ok(Checked {
            validation,
            description: None,
            refused: None,
        });
    };
    let report = kulturnetz_shacl::validate(&set.shapes, &StagedGraph(staging))
        .map_err(|e| PipelineError::Store(StoreError::Storage(format!("while validating: {e}"))))?;
    let violations = report.count(sh::VIOLATION);
    validation.shapes = report.shapes() as u64;
    validation.focus_nodes = report.focus_nodes() as u64;
    validation.violations = violations as u64;
    validation.warnings = (report.results().len() - violations) as u64;
    validation.results = report
        .results()
        .iter()
        .take(SHOWN_RESULTS)
        .map(violation)
        .collect();
    let gated = source.validate == ValidateMode::Gate
        && !source
            .max_violations
            .allows(validation.violations, validation.focus_nodes);
    let iri = if gated {
        refused_report_iri(minter, &source.id)
    } else {
        report_iri(minter, &source.id)
    };
    validation.report = Some(iri.as_str().to_owned());
    let refused = gated.then(|| {
        format!(
            "{} SHACL violations in {} focus nodes, more than max_violations = {} allows",
            validation.violations, validation.focus_nodes, source.max_violations,
        )
    });
    Ok(Checked {
        description: Some(description(&report, &source.id, &iri, minter)),
        validation,
        refused,
    })
}

/// The IRI of the report of the last run of `source` that the gate refused: kept beside the
/// report of the published graph until a later run publishes the source.
pub(crate) fn refused_report_iri(minter: &Minter, source: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}/refused", report_iri(minter, source).as_str()))
}

/// The IRI of the validation report of the published graph of `source` in the meta graph.
pub(crate) fn report_iri(minter: &Minter, source: &str) -> NamedNode {
    let graph = minter.graph(source);
    let segment = graph
        .as_str()
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    NamedNode::new_unchecked(format!(
        "{}/validation/{segment}",
        minter.meta_graph().as_str()
    ))
}

/// One result for the `--report` JSON, its terms in N-Triples syntax.
fn violation(r: &kulturnetz_shacl::ValidationResult) -> Violation {
    let local = |n: &NamedNode| {
        n.as_str()
            .rsplit(['#', '/'])
            .next()
            .unwrap_or(n.as_str())
            .to_owned()
    };
    let message = r
        .messages
        .iter()
        .find(|m| matches!(m, Term::Literal(l) if l.language() == Some("en")))
        .or(r.messages.first())
        .map(|m| match m {
            Term::Literal(l) => l.value().to_owned(),
            other => other.to_string(),
        });
    Violation {
        focus_node: r.focus_node.to_string(),
        path: r.path.as_ref().map(ToString::to_string),
        value: r.value.as_ref().map(ToString::to_string),
        severity: local(&r.severity),
        message,
        shape: r.source_shape.to_string(),
        component: local(&r.component),
    }
}

/// The report as a description of `iri` in the meta graph: the report's own statements, and its
/// first [`KEPT_RESULTS`] results as parts. Every blank node (a result, a path, a blank node of
/// the data or the shapes) becomes a part `{iri}#b{n}`, so that the meta graph has none and the
/// next report replaces this one whole.
fn description(
    report: &ValidationReport,
    source: &str,
    iri: &NamedNode,
    minter: &Minter,
) -> Description {
    let p = NamedNode::new_unchecked;
    let mut d = Description::new(minter.meta_graph(), iri.clone())
        .with(rdf::TYPE.into_owned(), sh::VALIDATION_REPORT.into_owned())
        .with(
            sh::CONFORMS.into_owned(),
            Literal::new_typed_literal(report.conforms().to_string(), xsd::BOOLEAN),
        )
        .with(
            p(vocab::DCTERMS_IDENTIFIER),
            Literal::new_simple_literal(source),
        )
        .with(
            p(vocab::PROV_GENERATED_AT_TIME),
            Literal::new_typed_literal(
                humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
                xsd::DATE_TIME,
            ),
        );
    let mut skolem: HashMap<BlankNode, NamedNode> = HashMap::new();
    let mut name = |b: &BlankNode| {
        let n = skolem.len() + 1;
        skolem
            .entry(b.clone())
            .or_insert_with(|| NamedNode::new_unchecked(format!("{}#b{n}", iri.as_str())))
            .clone()
    };
    for (i, r) in report.results().iter().take(KEPT_RESULTS).enumerate() {
        let node = NamedNode::new_unchecked(format!("{}#r{}", iri.as_str(), i + 1));
        d.statements
            .push((sh::RESULT.into_owned(), node.clone().into()));
        let mut triples = vec![
            Triple::new(node.clone(), rdf::TYPE, sh::VALIDATION_RESULT),
            Triple::new(node.clone(), sh::FOCUS_NODE, r.focus_node.clone()),
            Triple::new(node.clone(), sh::SOURCE_SHAPE, r.source_shape.clone()),
            Triple::new(
                node.clone(),
                sh::SOURCE_CONSTRAINT_COMPONENT,
                r.component.clone(),
            ),
            Triple::new(node.clone(), sh::RESULT_SEVERITY, r.severity.clone()),
        ];
        if let Some(path) = &r.path {
            let head = path.write(&mut triples);
            triples.push(Triple::new(node.clone(), sh::RESULT_PATH, head));
        }
        if let Some(value) = &r.value {
            triples.push(Triple::new(node.clone(), sh::VALUE, value.clone()));
        }
        for m in &r.messages {
            triples.push(Triple::new(node.clone(), sh::RESULT_MESSAGE, m.clone()));
        }
        for t in triples {
            let subject = match t.subject {
                oxrdf::NamedOrBlankNode::NamedNode(n) => n,
                oxrdf::NamedOrBlankNode::BlankNode(b) => name(&b),
            };
            d.parts.push(Triple::new(
                subject,
                t.predicate,
                match t.object {
                    Term::BlankNode(b) => Term::NamedNode(name(&b)),
                    other => other,
                },
            ));
        }
    }
    d
}
