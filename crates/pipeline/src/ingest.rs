//! Ingesting sources, up to `[pipeline] jobs` at once, each in stages: plan (fingerprint; unchanged →
//! skip) → convert (into a staged graph) → tolerance → validate (SHACL; a gate may refuse the
//! graph) → commit (the graph, its provenance and its validation report published together);
//! then, once for all sources, link.

use crate::convert::{self, Converted};
use crate::plan::{self, Planned};
use crate::provenance;
use crate::report::{Outcome, Report, SourceReport};
use crate::validate::{self, ShapeLibrary};
use crate::{PipelineError, link};
use kulturnetz_connectors::Connector;
use kulturnetz_model::{Config, SourceConfig};
use kulturnetz_store::{Backend, Description};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError, mpsc};

/// What to ingest.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Only these sources (all if empty).
    pub sources: Vec<String>,
    /// Ingest even sources whose fingerprint did not change.
    pub force: bool,
    /// Publish these sources even if their accepted records fell further than `max_shrink`
    /// allows (the run that held them is confirmed).
    pub accept_shrink: Vec<String>,
    /// Convert and validate each source, then drop its staging: nothing is published, nothing
    /// is linked and no report goes into the meta graph (`kulturnetz validate`). Implies `force`.
    pub dry_run: bool,
}

/// Progress of an ingest, for whoever shows it.
#[derive(Debug)]
pub enum Event<'a> {
    /// A source starts.
    Started(&'a SourceConfig),
    /// A source's conversion goes on (a few times a second at most).
    Progress(&'a SourceConfig, &'a Progress),
    /// A source is done.
    Finished(&'a SourceReport),
}

/// How far a source's conversion has got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Records read so far.
    pub records: u64,
    /// Of them rejected.
    pub rejected: u64,
    /// Bytes of the input read so far.
    pub bytes: u64,
    /// The input's size, if known.
    pub total: Option<u64>,
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

/// Checks what only the connectors know about a configuration: each source's kind, its keys
/// and its required options ([`Config::check_sources`]). [`ingest`] does it first; a command
/// that reads a configuration does it at once, so that a typo is found before anything runs.
pub fn check_config(config: &Config) -> Result<(), kulturnetz_model::ConfigError> {
    config.check_sources(&kulturnetz_connectors::kinds())
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
    for id in options.sources.iter().chain(&options.accept_shrink) {
        if !config.sources.iter().any(|s| &s.id == id) {
            return Err(PipelineError::UnknownSource(id.clone()));
        }
    }
    check_config(config)?;
    let mut planned = Vec::new();
    for source in &config.sources {
        if !options.sources.is_empty() && !options.sources.contains(&source.id) {
            continue;
        }
        let connector = kulturnetz_connectors::connector(&source.kind)
            .unwrap_or_else(|| unreachable!("check_config found every kind"));
        planned.push((source, connector));
    }
    // Every shapes file is read once, before any source runs: a bad one publishes nothing.
    let shapes = ShapeLibrary::read(config, planned.iter().map(|(s, _)| *s))?;
    // So is the overrides file of the linking stage.
    if !options.dry_run {
        link::check_overrides(config)?;
    }
    let commits = Mutex::new(());
    let run = Run {
        config,
        backend,
        shapes: &shapes,
        options,
        commits: &commits,
    };
    // Sources do not depend on each other: up to `jobs` run at once, each on a thread of its
    // own, their commits one at a time. Events reach `on_event` on this thread, and the report
    // lists the sources in the order of the configuration.
    let jobs = config.pipeline.jobs().min(planned.len()).max(1);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut reports: Vec<Option<SourceReport>> = planned.iter().map(|_| None).collect();
    let mut failure = None;
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel();
        for _ in 0..jobs {
            let sender = sender.clone();
            let (planned, next, stop, run) = (&planned, &next, &stop, &run);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(source, connector)) = planned.get(i) else {
                        break;
                    };
                    let _ = sender.send(Message::Started(i));
                    let progress_sender = sender.clone();
                    let outcome = run_source(run, source, connector, &mut |p| {
                        let _ = progress_sender.send(Message::Progress(i, *p));
                    });
                    if outcome.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    let _ = sender.send(Message::Finished(i, Box::new(outcome)));
                }
            });
        }
        drop(sender);
        for message in receiver {
            match message {
                Message::Started(i) => on_event(Event::Started(planned[i].0)),
                Message::Progress(i, p) => on_event(Event::Progress(planned[i].0, &p)),
                Message::Finished(i, outcome) => match *outcome {
                    Ok(source_report) => {
                        on_event(Event::Finished(&source_report));
                        reports[i] = Some(source_report);
                    }
                    Err(e) => {
                        failure.get_or_insert(e);
                    }
                },
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let mut report = Report::default();
    report.sources.extend(reports.into_iter().flatten());
    let loaded = report.sources.iter().any(|s| s.outcome == Outcome::Loaded);
    // Links are derived from every published graph at once, so they are made after the sources.
    if !options.dry_run
        && let Some(fingerprint) = link::needed(config, backend, loaded)?
    {
        report.linking = Some(link::link(config, backend, &fingerprint)?);
    }
    if loaded && !options.dry_run {
        // Transactions leave many small files behind; one compaction makes reads as fast as
        // after a bulk load.
        backend.compact()?;
    }
    Ok(report)
}

/// What a source's thread tells the thread that reports.
enum Message {
    Started(usize),
    Progress(usize, Progress),
    Finished(usize, Box<Result<SourceReport, PipelineError>>),
}

/// Fetches (for a URL source) and ingests one source. A store error fails the source, not the
/// run; any other error ends the run.
fn run_source(
    run: &Run<'_>,
    source: &SourceConfig,
    connector: &dyn Connector,
    progress: &mut dyn FnMut(&Progress),
) -> Result<SourceReport, PipelineError> {
    let config = run.config;
    let mut note = None;
    let input = match &source.url {
        None => Ok(plan::InputFile::configured(config, source)),
        Some(url) => crate::fetch::fetch(config, source, url).map(|fetched| {
            note = fetched.note;
            plan::InputFile {
                path: fetched.path,
                name: url.clone(),
            }
        }),
    };
    let started = std::time::Instant::now();
    let mut source_report = match input {
        Ok(input) => match ingest_source(run, source, input, connector, progress) {
            Ok(report) => report,
            // The store could not take the new graph (a full disk, most often): nothing of
            // it was committed, so the source fails with its old graph, and the others go on.
            Err(PipelineError::Store(e)) => {
                let minter = config.minter();
                let why = if e.is_disk_full() {
                    format!("the disk is full, the new graph could not be written ({e})")
                } else {
                    format!("the store could not write the new graph ({e})")
                };
                SourceReport::new(&source.id, &minter.graph(&source.id)).failed(why)
            }
            Err(e) => return Err(e),
        },
        Err(message) => {
            let minter = config.minter();
            SourceReport::new(&source.id, &minter.graph(&source.id)).failed(format!(
                "{}: source {:?}: {message}",
                source.at.value("url"),
                source.id
            ))
        }
    };
    source_report.seconds = started.elapsed().as_secs_f64();
    if let Some(note) = note {
        source_report.message = Some(match source_report.message.take() {
            Some(message) => format!("{note}; {message}"),
            None => note,
        });
    }
    Ok(source_report)
}

/// Why a source whose accepted records fell from `published` to `accepted` is held, if it is:
/// a fall to zero always, else a fall further than its `max_shrink`.
fn shrink(source: &SourceConfig, config: &Config, published: u64, accepted: u64) -> Option<String> {
    if published == 0 || accepted >= published {
        return None;
    }
    let max_shrink = source.max_shrink(config);
    let fell = published - accepted;
    if accepted > 0 && max_shrink.allows(fell, published) {
        return None;
    }
    Some(format!(
        "held: {accepted} records accepted where the published graph has {published}, a fall of \
         {fell} (max_shrink = {max_shrink}); the previous data stays published. If the source \
         really shrank, confirm with `kulturnetz ingest --accept-shrink {}`",
        source.id
    ))
}

/// What every source of a run shares.
#[derive(Clone, Copy)]
struct Run<'a> {
    config: &'a Config,
    backend: &'a dyn Backend,
    shapes: &'a ShapeLibrary,
    options: &'a IngestOptions,
    /// Held while a source publishes: one commit at a time.
    commits: &'a Mutex<()>,
}

/// One source, stage by stage. A source that fails at any stage leaves its published graph as
/// it was: the staging is dropped without a commit.
fn ingest_source(
    run: &Run<'_>,
    source: &SourceConfig,
    input: plan::InputFile,
    connector: &dyn Connector,
    progress: &mut dyn FnMut(&Progress),
) -> Result<SourceReport, PipelineError> {
    let Run {
        config,
        backend,
        shapes,
        options,
        commits,
    } = *run;
    let accept_shrink = options.accept_shrink.contains(&source.id);
    // A confirmed shrink is converted again even though its input did not change since it was
    // held (a held run publishes nothing, so the fingerprint is still the old one's).
    let force = options.force || accept_shrink || options.dry_run;
    let minter = config.minter();
    let mut report = SourceReport::new(&source.id, &minter.graph(&source.id));
    let cx = plan::context(config, source, &minter);
    let validation = shapes.fingerprint(source);
    let plan = match plan::plan(backend, source, input, connector, &cx, &validation, force)? {
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
        triples: statements,
        first,
        notes,
        failure,
    } = convert::convert(
        &plan,
        connector,
        &cx,
        &mut *staging,
        &rejected_file,
        progress,
    )?;
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

    if let Some(published) = plan.published_accepted
        && !accept_shrink
        && let Some(message) = shrink(source, config, published, accepted)
    {
        return Ok(report.held(message));
    }

    // A graph is a set: statements the connector wrote twice count once.
    let triples = staging.seal()?;
    let validating = std::time::Instant::now();
    let mut checked = validate::validate(&*staging, source, shapes, &minter)?;
    checked.validation.seconds = validating.elapsed().as_secs_f64();
    if options.dry_run {
        // A dry run writes no report into the store.
        checked.validation.report = None;
    }
    let report_iri = checked.validation.report.clone();
    report.validation = Some(checked.validation);
    if let Some(counts) = checked.refused {
        drop(staging);
        let Some(iri) = report_iri else {
            return Ok(report.failed(format!("{counts}: an ingest would not publish it")));
        };
        // The report of a refused run is published on its own: it says why the graph is old.
        if let Some(description) = checked.description {
            let _commit = commits.lock().unwrap_or_else(PoisonError::into_inner);
            backend.describe(&[description])?;
        }
        return Ok(report.failed(format!(
            "{counts}; the previous data stays published (the report: {iri} in graph {}, and \
             the first results with --report)",
            minter.meta_graph().as_str()
        )));
    }
    report.statements = statements;

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
    report.triples = triples;
    if options.dry_run {
        drop(staging);
        report.outcome = Outcome::Checked;
        return Ok(report);
    }
    // The graph's report replaces the previous one (or removes it, if nothing was validated),
    // and a refused run's report goes: the published graph is now this run's.
    let meta_graph = minter.meta_graph();
    let meta = vec![
        meta,
        checked.description.unwrap_or_else(|| {
            Description::new(
                meta_graph.clone(),
                validate::report_iri(&minter, &source.id),
            )
        }),
        Description::new(
            meta_graph,
            validate::refused_report_iri(&minter, &source.id),
        ),
    ];
    {
        let _commit = commits.lock().unwrap_or_else(PoisonError::into_inner);
        staging.commit(&meta)?;
    }
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
