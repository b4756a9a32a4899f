//! Ingesting sources: fingerprint, convert, check tolerance, load atomically, record provenance.

use kulturnetz_connectors::{Connector, ConnectorError, Context, Input, RecordSink, SinkError};
use kulturnetz_model::{Config, Diagnostic, Location, SourceConfig, vocab};
use kulturnetz_store::{Backend, GraphWriter, QueryOutcome, QueryRequest, StoreError};
use oxrdf::{
    GraphName, Literal, NamedNode, Quad, QuadRef, Term, TripleRef, vocab::rdf, vocab::xsd,
};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What to ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Only these sources (all if empty).
    pub sources: Vec<String>,
    /// Ingest even sources whose fingerprint did not change.
    pub force: bool,
}

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
    /// Triples now in its graph.
    pub triples: u64,
    /// Why it failed, or a summary of the rejected records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The first rejected records (all are in the rejected file).
    pub diagnostics: Vec<Diagnostic>,
}

/// The report of one ingest.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// One entry per source, in configuration order.
    pub sources: Vec<SourceReport>,
}

impl Report {
    /// Whether any source failed.
    pub fn has_failures(&self) -> bool {
        self.sources.iter().any(|s| s.outcome == Outcome::Failed)
    }
}

/// Progress of an ingest, for whoever shows it.
#[derive(Debug)]
pub enum Event<'a> {
    /// A source starts.
    Started(&'a SourceConfig),
    /// A source is done.
    Finished(&'a SourceReport),
}

/// An error that stops the whole ingest (as opposed to a failed source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// `--source` names no configured source.
    #[error("no source {0:?} in the configuration")]
    UnknownSource(String),
    /// A source has a kind no connector reads.
    #[error("source {id:?}: unknown kind {kind:?} (known: {known})")]
    UnknownKind {
        /// The source.
        id: String,
        /// Its kind.
        kind: String,
        /// The kinds there are.
        known: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where the rejected records of `source` are kept.
pub fn rejected_path(config: &Config, source: &str) -> PathBuf {
    let store = config.resolve(&config.store.path);
    store
        .parent()
        .unwrap_or(Path::new("."))
        .join("rejected")
        .join(format!("{source}.jsonl"))
}

/// Runs the pipeline over the configured sources.
pub fn ingest(
    config: &Config,
    backend: &dyn Backend,
    options: &IngestOptions,
    on_event: &mut dyn FnMut(Event<'_>),
) -> Result<Report, PipelineError> {
    for id in &options.sources {
        if !config.sources.iter().any(|s| &s.id == id) {
            return Err(PipelineError::UnknownSource(id.clone()));
        }
    }
    let mut planned = Vec::new();
    for source in &config.sources {
        if !options.sources.is_empty() && !options.sources.contains(&source.id) {
            continue;
        }
        let connector = kulturnetz_connectors::connector(&source.kind).ok_or_else(|| {
            PipelineError::UnknownKind {
                id: source.id.clone(),
                kind: source.kind.clone(),
                known: kulturnetz_connectors::CONNECTORS
                    .iter()
                    .map(|c| c.kind())
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })?;
        planned.push((source, connector));
    }
    let mut report = Report::default();
    for (source, connector) in planned {
        on_event(Event::Started(source));
        let source_report = ingest_source(config, backend, source, connector, options.force)?;
        on_event(Event::Finished(&source_report));
        report.sources.push(source_report);
    }
    if report.sources.iter().any(|s| s.outcome == Outcome::Loaded) {
        // Transactions leave many small files behind; one compaction makes reads as fast as
        // after a bulk load.
        backend.compact()?;
    }
    Ok(report)
}

fn ingest_source(
    config: &Config,
    backend: &dyn Backend,
    source: &SourceConfig,
    connector: &dyn Connector,
    force: bool,
) -> Result<SourceReport, PipelineError> {
    let minter = config.minter();
    let graph = minter.graph(&source.id);
    let mut report = SourceReport {
        id: source.id.clone(),
        graph: graph.as_str().to_owned(),
        outcome: Outcome::Failed,
        records: 0,
        accepted: 0,
        rejected: 0,
        triples: 0,
        message: None,
        diagnostics: Vec::new(),
    };
    let path = config.resolve(&source.path);
    let name = source.path.display().to_string();
    // Paths in options (a mapping file) are relative to the configuration, as `path` is.
    let mut options = source.options.clone();
    for key in PATH_OPTIONS {
        if let Some(toml::Value::String(p)) = options.get_mut(*key) {
            *p = config.resolve(Path::new(p.as_str())).display().to_string();
        }
    }
    let cx = Context::new(&source.id, &minter).with_options(options);
    let dependencies = match connector.dependencies(&cx) {
        Ok(d) => d,
        Err(e) => {
            report.message = Some(format!("{name}: {e}"));
            return Ok(report);
        }
    };
    let fingerprint = match fingerprint(&path, &dependencies, source, connector) {
        Ok(f) => f,
        Err(e) => {
            report.message = Some(format!("{name}: cannot read: {e}"));
            return Ok(report);
        }
    };
    let previous = stored_meta(backend, &minter.meta_graph(), &graph)?;
    if !force && previous.fingerprint.as_deref() == Some(fingerprint.as_str()) {
        report.outcome = Outcome::Unchanged;
        report.accepted = previous.accepted;
        report.rejected = previous.rejected;
        report.records = previous.accepted + previous.rejected;
        report.triples = previous.triples;
        return Ok(report);
    }

    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            report.message = Some(format!("{name}: cannot read: {e}"));
            return Ok(report);
        }
    };
    let rejected_file = rejected_path(config, &source.id);
    let mut sink = StoreSink {
        writer: backend.replace_graph(graph.as_ref().into())?,
        rejected: RejectLog::new(&rejected_file),
        accepted: 0,
        rejected_count: 0,
        triples: 0,
        first: Vec::new(),
    };
    let result = connector.convert(
        Input {
            name: &name,
            reader: &mut BufReader::with_capacity(1 << 16, file),
        },
        &cx,
        &mut sink,
    );
    report.accepted = sink.accepted;
    report.rejected = sink.rejected_count;
    report.records = sink.accepted + sink.rejected_count;
    report.diagnostics = std::mem::take(&mut sink.first);
    if let Err(e) = sink.rejected.finish() {
        report.message = Some(format!("{}: cannot write: {e}", rejected_file.display()));
        return Ok(report);
    }
    if let Err(e) = result {
        report.message = Some(match e {
            ConnectorError::Io { name, source } => format!("{name}: cannot read: {source}"),
            e => e.to_string(),
        });
        return Ok(report);
    }
    if !source.max_rejected.allows(report.rejected, report.records) {
        report.message = Some(format!(
            "{} of {} records rejected, more than max_rejected = {} allows; the previous data stays published (rejected records: {})",
            report.rejected,
            report.records,
            source.max_rejected,
            rejected_file.display()
        ));
        return Ok(report);
    }
    let mut writer = sink.writer;
    let meta = minter.meta_graph();
    writer.remove_subject(meta.as_ref(), graph.as_ref())?;
    let meta_graph = GraphName::NamedNode(meta);
    let mut meta_quad = |p: &str, o: Term| {
        writer.insert_quad(&Quad::new(
            graph.clone(),
            NamedNode::new_unchecked(p),
            o,
            meta_graph.clone(),
        ))
    };
    meta_quad(
        rdf::TYPE.as_str(),
        NamedNode::new_unchecked(vocab::PROV_ENTITY).into(),
    )?;
    meta_quad(
        vocab::FINGERPRINT,
        Literal::new_simple_literal(&fingerprint).into(),
    )?;
    meta_quad(
        vocab::DCTERMS_IDENTIFIER,
        Literal::new_simple_literal(&source.id).into(),
    )?;
    meta_quad(
        vocab::ACCEPTED,
        Literal::from(report.accepted as i64).into(),
    )?;
    meta_quad(
        vocab::REJECTED,
        Literal::from(report.rejected as i64).into(),
    )?;
    meta_quad(
        vocab::VOID_TRIPLES,
        Literal::from(sink.triples as i64).into(),
    )?;
    meta_quad(
        vocab::PROV_GENERATED_AT_TIME,
        Literal::new_typed_literal(
            humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            xsd::DATE_TIME,
        )
        .into(),
    )?;
    if let Some(license) = source.license.as_ref().or(config.site.license.as_ref()) {
        let license = NamedNode::new(license.as_str())
            .map_or_else(|_| Literal::new_simple_literal(license).into(), Term::from);
        meta_quad(vocab::DCTERMS_LICENSE, license)?;
    }
    writer.commit()?;
    report.triples = sink.triples;
    report.outcome = Outcome::Loaded;
    if report.rejected > 0 {
        report.message = Some(format!(
            "{} of {} records rejected (within max_rejected = {}): see {}",
            report.rejected,
            report.records,
            source.max_rejected,
            rejected_file.display()
        ));
    }
    Ok(report)
}

/// Options that name files, resolved relative to the configuration file.
const PATH_OPTIONS: &[&str] = &["mapping"];

/// The hex SHA-256 of what decides a source's output: its input, settings and connector version.
fn fingerprint(
    path: &Path,
    dependencies: &[PathBuf],
    source: &SourceConfig,
    connector: &dyn Connector,
) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    hasher.update(format!("{}\0{}\0", connector.kind(), connector.version()));
    hasher.update(toml::to_string(&source.options).unwrap_or_default());
    hasher.update([0]);
    let mut buf = vec![0; 1 << 16];
    for file in std::iter::once(path).chain(dependencies.iter().map(PathBuf::as_path)) {
        let mut file = File::open(file)?;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        hasher.update([0]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[derive(Default)]
struct StoredMeta {
    fingerprint: Option<String>,
    accepted: u64,
    rejected: u64,
    triples: u64,
}

fn stored_meta(
    backend: &dyn Backend,
    meta: &NamedNode,
    graph: &NamedNode,
) -> Result<StoredMeta, StoreError> {
    let query = spargebra::SparqlParser::new()
        .parse_query(&format!(
            "SELECT ?p ?o WHERE {{ GRAPH {meta} {{ {graph} ?p ?o }} }}"
        ))
        .map_err(|e| StoreError::Evaluation(e.to_string()))?;
    let mut stored = StoredMeta::default();
    if let QueryOutcome::Solutions { solutions, .. } = backend.query(&QueryRequest::new(query))? {
        for solution in solutions {
            let solution = solution?;
            let (Some(Term::NamedNode(p)), Some(Term::Literal(o))) =
                (solution.get("p"), solution.get("o"))
            else {
                continue;
            };
            let number = || o.value().parse().unwrap_or(0);
            match p.as_str() {
                vocab::FINGERPRINT => stored.fingerprint = Some(o.value().to_owned()),
                vocab::ACCEPTED => stored.accepted = number(),
                vocab::REJECTED => stored.rejected = number(),
                vocab::VOID_TRIPLES => stored.triples = number(),
                _ => {}
            }
        }
    }
    Ok(stored)
}

/// How many rejected records a report keeps in memory (all go to the rejected file).
const FIRST_DIAGNOSTICS: usize = 20;

struct StoreSink<'a> {
    writer: Box<dyn GraphWriter + 'a>,
    rejected: RejectLog,
    accepted: u64,
    rejected_count: u64,
    triples: u64,
    first: Vec<Diagnostic>,
}

impl RecordSink for StoreSink<'_> {
    fn accept(&mut self, _: &Location, quads: &[QuadRef<'_>]) -> Result<(), SinkError> {
        self.accepted += 1;
        for q in quads {
            // Every source owns exactly one graph: graph names inside the input are folded in.
            self.writer
                .insert(TripleRef::new(q.subject, q.predicate, q.object))
                .map_err(|e| SinkError(e.to_string()))?;
            self.triples += 1;
        }
        Ok(())
    }

    fn reject(&mut self, diagnostic: Diagnostic) -> Result<(), SinkError> {
        self.rejected_count += 1;
        self.rejected.write(&diagnostic);
        if self.first.len() < FIRST_DIAGNOSTICS {
            self.first.push(diagnostic);
        }
        Ok(())
    }
}

/// The rejected-records file, written as records are rejected; a write error is kept and
/// reported at the end, so that it does not hide the conversion's own result.
struct RejectLog {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    error: Option<std::io::Error>,
}

impl RejectLog {
    fn new(path: &Path) -> Self {
        let _ = std::fs::remove_file(path);
        Self {
            path: path.to_owned(),
            out: None,
            error: None,
        }
    }

    fn write(&mut self, diagnostic: &Diagnostic) {
        if self.error.is_some() {
            return;
        }
        let result = (|| {
            if self.out.is_none() {
                if let Some(parent) = self.path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                self.out = Some(BufWriter::new(File::create(&self.path)?));
            }
            if let Some(out) = &mut self.out {
                serde_json::to_writer(&mut *out, diagnostic)?;
                out.write_all(b"\n")?;
            }
            Ok::<_, std::io::Error>(())
        })();
        self.error = result.err();
    }

    fn finish(&mut self) -> std::io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(out) = &mut self.out {
            out.flush()?;
        }
        Ok(())
    }
}
