//! Ingesting sources, one after the other, each in stages: plan (fingerprint; unchanged →
//! skip) → convert (into a staged graph) → tolerance → validate → link → commit (the graph and
//! its provenance published together).

use crate::convert::{self, Converted};
use crate::plan::{self, Planned};
use crate::provenance;
use crate::report::{Outcome, Report, SourceReport};
use crate::{PipelineError, link, validate};
use kulturnetz_connectors::Connector;
use kulturnetz_model::{Config, SourceConfig};
use kulturnetz_store::Backend;
use std::path::{Path, PathBuf};

/// What to ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Only these sources (all if empty).
    pub sources: Vec<String>,
    /// Ingest even sources whose fingerprint did not change.
    pub force: bool,
}

/// Progress of an ingest, for whoever shows it.
#[derive(Debug)]
pub enum Event<'a> {
    /// A source starts.
    Started(&'a SourceConfig),
    /// A source is done.
    Finished(&'a SourceReport),
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
///
/// After an ingest that published something, the store is compacted. Counting the graphs again
/// is left to whoever lists them ([`Backend::refresh_counts`]: the server does it in the
/// background when it starts), so that a one-shot ingest does not count a store it then leaves.
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

/// One source, stage by stage. A source that fails at any stage leaves its published graph as
/// it was: the staging is dropped without a commit.
fn ingest_source(
    config: &Config,
    backend: &dyn Backend,
    source: &SourceConfig,
    connector: &dyn Connector,
    force: bool,
) -> Result<SourceReport, PipelineError> {
    let minter = config.minter();
    let mut report = SourceReport::new(&source.id, &minter.graph(&source.id));
    let cx = plan::context(config, source, &minter);
    let plan = match plan::plan(config, backend, source, connector, &cx, force)? {
        Planned::Run(plan) => plan,
        Planned::Failed(message) => return Ok(report.failed(message)),
        Planned::Unchanged(previous) => {
            report.outcome = Outcome::Unchanged;
            report.accepted = previous.accepted;
            report.rejected = previous.rejected;
            report.records = previous.accepted + previous.rejected;
            report.triples = previous.triples;
            return Ok(report);
        }
    };

    let mut staging = backend.stage(plan.graph.as_ref())?;
    let rejected_file = rejected_path(config, &source.id);
    let Converted {
        accepted,
        rejected,
        triples,
        first,
        notes,
        failure,
    } = convert::convert(&plan, connector, &cx, &mut *staging, &rejected_file)?;
    report.accepted = accepted;
    report.rejected = rejected;
    report.records = accepted + rejected;
    report.diagnostics = first;
    report.notes = notes;
    if let Some(message) = failure {
        return Ok(report.failed(message));
    }
    if !source.max_rejected.allows(report.rejected, report.records) {
        let message = format!(
            "{} of {} records rejected, more than max_rejected = {} allows; the previous data stays published (rejected records: {})",
            report.rejected,
            report.records,
            source.max_rejected,
            rejected_file.display()
        );
        return Ok(report.failed(message));
    }

    report.validation = Some(validate::validate(&*staging, source)?);
    let linking = link::link(&mut *staging, source)?;
    let triples = triples + linking.links;
    report.linking = Some(linking);

    let counts = provenance::Counts {
        accepted,
        rejected,
        triples,
    };
    let meta = provenance::description(
        config,
        source,
        minter.meta_graph(),
        &plan.graph,
        &plan.fingerprint,
        &counts,
    );
    staging.commit(&meta)?;
    report.triples = triples;
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
