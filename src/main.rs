//! `kulturnetz`: the command line over the library crates.

mod background;
mod catalog;
mod cli;
mod init;
mod ldes;
mod refresh;
mod search;
mod validate;
mod void;

use anyhow::{Context as _, Result, anyhow};
use cli::{Cli, Command, LogFormat};
use kulturnetz_model::Config;
use kulturnetz_pipeline::{IngestOptions, Outcome, Report};
use kulturnetz_store::{Embedded, EmbeddedOptions, ServicePolicy};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// mimalloc serves every allocation of the process, RocksDB's too (its `override` feature
/// replaces `malloc` and `free`): per request it costs less CPU than glibc's allocator on the
/// query path (many small allocations on the thread of each connection), and it gives freed
/// memory back to the system instead of keeping it in per-thread arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// An error in how the program was called or configured: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

/// Data problems (rejected records, failed sources): exit code 1, after the report is printed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct DataProblem(String);

fn main() -> ExitCode {
    let cli = Cli::parse_with_kinds();
    // Text logs show warnings; a JSON log is read by a machine, which wants the progress too.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(match cli.log_format {
            LogFormat::Text => "warn",
            LogFormat::Json => "info",
        })
    });
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    let log = cli.log_format;
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            match log {
                LogFormat::Text => eprintln!("kulturnetz: error: {e:#}"),
                LogFormat::Json => tracing::error!(target: "kulturnetz", "{e:#}"),
            }
            if e.downcast_ref::<UsageError>().is_some()
                || e.downcast_ref::<validate::InputError>().is_some()
                || e.downcast_ref::<kulturnetz_model::ConfigError>().is_some()
                || e.downcast_ref::<kulturnetz_pipeline::PipelineError>()
                    .is_some_and(|p| {
                        matches!(
                            p,
                            kulturnetz_pipeline::PipelineError::UnknownSource(_)
                                | kulturnetz_pipeline::PipelineError::Config(_)
                                | kulturnetz_pipeline::PipelineError::Shapes { .. }
                                | kulturnetz_pipeline::PipelineError::Overrides { .. }
                        )
                    })
            {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(args) => serve(&args, cli.log_format),
        Command::Ingest(args) => ingest(&args, cli.log_format),
        Command::Query(args) => query(&args),
        Command::Load(args) => load(&args),
        Command::Dump(args) => dump(&args),
        Command::Map(args) => map(&args),
        Command::Convert(args) => convert(&args),
        Command::Init(args) => init(&args),
        Command::Validate(args) => validate(&args, cli.log_format),
        Command::Reindex(args) => reindex(&args),
    }
}

/// `validate --shapes FILE [--report FILE] DATA`: exit 0 when the data conforms, 1 when it does
/// not, after one summary line on stderr. Without `--shapes`, [`validate_sources`].
fn validate(args: &cli::ValidateArgs, log: LogFormat) -> Result<()> {
    let (Some(shapes), Some(data)) = (&args.shapes, &args.data) else {
        return validate_sources(args, log);
    };
    let report = validate::validate_file(shapes, data, args.report.as_deref())?;
    let line = format!("{}: {}", data.display(), validate::summary(&report));
    if report.conforms() {
        eprintln!("{line}");
        Ok(())
    } else {
        Err(DataProblem(line).into())
    }
}

/// `validate [--source ID]…`: the pipeline's dry run on a store of its own in a temporary
/// folder, so that nothing is published and a running server's store is not touched. Exit 1 if
/// a source has a violation (whatever its `validate`, unless `off`) or fails.
fn validate_sources(args: &cli::ValidateArgs, log: LogFormat) -> Result<()> {
    let config = read_config(&args.config)?;
    let scratch = tempfile::tempdir().context("cannot create a temporary folder for the store")?;
    let store = Embedded::open(
        scratch.path(),
        &EmbeddedOptions {
            service_policy: ServicePolicy::new(config.server.service_allow.iter().cloned()),
            ..EmbeddedOptions::default()
        },
    )
    .map_err(|e| anyhow!(e.to_string()))?;
    let options = IngestOptions {
        sources: args.sources.clone(),
        dry_run: true,
        ..IngestOptions::default()
    };
    let report = run_ingest(&config, &store, &options, log)?;
    if let Some(path) = &args.report {
        let file = std::fs::File::create(path)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        serde_json::to_writer_pretty(std::io::BufWriter::new(file), &report)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    let bad: Vec<String> = report
        .sources
        .iter()
        .filter_map(|s| {
            let violations = s.validation.as_ref().map_or(0, |v| v.violations);
            match s.outcome {
                Outcome::Failed | Outcome::Held if violations > 0 => {
                    Some(format!("{} ({violations} violations)", s.id))
                }
                Outcome::Failed | Outcome::Held => Some(format!("{} (failed)", s.id)),
                _ if violations > 0 => Some(format!("{} ({violations} violations)", s.id)),
                _ => None,
            }
        })
        .collect();
    if bad.is_empty() {
        eprintln!(
            "{} source(s) checked: no violations; nothing was published",
            report.sources.len()
        );
        return Ok(());
    }
    Err(DataProblem(format!(
        "{} of {} source(s) do not pass: {}; nothing was published",
        bad.len(),
        report.sources.len(),
        bad.join(", ")
    ))
    .into())
}

/// Reads the configuration and checks its sources against the connectors, so that an unknown
/// key or kind is refused by every command, before anything runs.
fn read_config(path: &Path) -> Result<Config> {
    let config = Config::from_file(path)?;
    kulturnetz_pipeline::check_config(&config)?;
    Ok(config)
}

/// The configuration of a command that needs only a store: the file named by `--config`, else
/// `kulturnetz.toml` if there is one, else none (defaults, no sources) and the store in
/// `data/store`; `--store` overrides the store's folder either way. Says which it uses.
fn store_config(args: &cli::StoreArg) -> Result<Config> {
    const DEFAULT_CONFIG: &str = "kulturnetz.toml";
    let mut config = match &args.config {
        Some(path) => read_config(path)?,
        None if Path::new(DEFAULT_CONFIG).exists() => read_config(Path::new(DEFAULT_CONFIG))?,
        None => {
            let store = args
                .store
                .clone()
                .unwrap_or_else(|| kulturnetz_model::StoreConfig::default().path);
            eprintln!(
                "no {DEFAULT_CONFIG} here: using the store in {} with default settings \
                 (--store DIR for another store, --config FILE for a configuration)",
                store.display()
            );
            return Ok(Config::without_file(store));
        }
    };
    if let Some(store) = &args.store {
        // Relative to where the command runs, like every other path on the command line.
        config.store.path = std::path::absolute(store)
            .with_context(|| format!("{}: not a usable path", store.display()))?;
    }
    Ok(config)
}

fn open_store(config: &Config) -> Result<Embedded> {
    open_store_with(config, kulturnetz_store::Functions::default())
}

/// The store, its queries able to call `functions` (the search functions).
fn open_store_with(config: &Config, functions: kulturnetz_store::Functions) -> Result<Embedded> {
    let path = config.resolve(&config.store.path);
    let options = EmbeddedOptions {
        service_policy: ServicePolicy::new(config.server.service_allow.iter().cloned()),
        functions,
    };
    Embedded::open(&path, &options).map_err(|e| match e {
        kulturnetz_store::StoreError::Locked { .. } => anyhow::Error::new(e).context(format!(
            "the store in {} is in use by another process, probably a running `kulturnetz serve`",
            path.display()
        )),
        e => anyhow!(e.to_string()),
    })
}

/// Runs the pipeline and says how it goes on stderr: as text (a progress bar per source on a
/// terminal, a line per source, a summary table) or as JSON log lines (`--log-format json`).
fn run_ingest(
    config: &Config,
    store: &Embedded,
    options: &IngestOptions,
    log: LogFormat,
) -> Result<Report> {
    let report = match log {
        LogFormat::Text => {
            // Hidden unless standard error is a terminal.
            let mut bars = Bars {
                all: indicatif::MultiProgress::with_draw_target(
                    indicatif::ProgressDrawTarget::stderr_with_hz(5),
                ),
                by_source: std::collections::HashMap::new(),
            };
            kulturnetz_pipeline::ingest(config, store, options, &mut |event| {
                text_event(&mut bars, &event);
            })?
        }
        LogFormat::Json => {
            let mut last = std::collections::HashMap::new();
            kulturnetz_pipeline::ingest(config, store, options, &mut |event| {
                json_event(&mut last, &event);
            })?
        }
    };
    match log {
        LogFormat::Text if report.sources.len() > 1 => eprint!("{}", summary_table(&report)),
        LogFormat::Text => {}
        LogFormat::Json => {
            let count = |o: Outcome| report.sources.iter().filter(|s| s.outcome == o).count();
            tracing::info!(
                target: "kulturnetz::ingest",
                sources = report.sources.len(),
                loaded = count(Outcome::Loaded),
                unchanged = count(Outcome::Unchanged),
                failed = count(Outcome::Failed),
                held = count(Outcome::Held),
                "ingest finished"
            );
        }
    }
    Ok(report)
}

/// The progress bars of the sources that are converting, one line each.
struct Bars {
    all: indicatif::MultiProgress,
    by_source: std::collections::HashMap<String, indicatif::ProgressBar>,
}

/// An ingest event for people: a progress bar while a source converts (drawn only on a
/// terminal, one per source running), then the source's lines.
fn text_event(bars: &mut Bars, event: &kulturnetz_pipeline::Event<'_>) {
    use kulturnetz_pipeline::Event;
    match event {
        Event::Started(source) => {
            let b = bars.all.add(indicatif::ProgressBar::no_length());
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "  {prefix:<28} [{bar:24}] {bytes}/{total_bytes} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b.set_prefix(source.id.clone());
            bars.by_source.insert(source.id.clone(), b);
        }
        Event::Progress(source, p) => {
            if let Some(b) = bars.by_source.get(&source.id) {
                if let Some(total) = p.total {
                    b.set_length(total);
                }
                b.set_position(p.bytes);
                let per_second = p.records as f64 / b.elapsed().as_secs_f64().max(1e-3);
                b.set_message(format!(
                    "{} records ({per_second:.0}/s), {} rejected",
                    p.records, p.rejected
                ));
            }
        }
        Event::Finished(s) => {
            if let Some(b) = bars.by_source.remove(&s.id) {
                b.finish_and_clear();
                bars.all.remove(&b);
            }
            // Printed above the bars of the sources still running.
            bars.all.suspend(|| {
                for line in source_lines(s) {
                    eprintln!("{line}");
                }
            });
        }
    }
}

/// How often a JSON log says how far a source has got.
const JSON_PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// An ingest event for a log collector: one structured line when a source starts, every
/// [`JSON_PROGRESS_EVERY`] while it converts, and when it is done.
fn json_event(
    last: &mut std::collections::HashMap<String, std::time::Instant>,
    event: &kulturnetz_pipeline::Event<'_>,
) {
    use kulturnetz_pipeline::Event;
    match event {
        Event::Started(source) => {
            last.insert(source.id.clone(), std::time::Instant::now());
            tracing::info!(
                target: "kulturnetz::ingest",
                source = %source.id,
                kind = %source.kind,
                "source started"
            );
        }
        Event::Progress(source, p) => {
            let last = last
                .entry(source.id.clone())
                .or_insert_with(std::time::Instant::now);
            if last.elapsed() >= JSON_PROGRESS_EVERY {
                *last = std::time::Instant::now();
                tracing::info!(
                    target: "kulturnetz::ingest",
                    source = %source.id,
                    records = p.records,
                    rejected = p.rejected,
                    bytes = p.bytes,
                    total_bytes = p.total,
                    "source converting"
                );
            }
        }
        Event::Finished(s) => {
            let joined = |items: Vec<String>| (!items.is_empty()).then(|| items.join("; "));
            let first_rejects = joined(
                s.diagnostics
                    .iter()
                    .take(3)
                    .map(ToString::to_string)
                    .collect(),
            );
            let notes = joined(s.notes.iter().map(ToString::to_string).collect());
            let outcome = match s.outcome {
                Outcome::Loaded => "loaded",
                Outcome::Unchanged => "unchanged",
                Outcome::Failed => "failed",
                Outcome::Held => "held",
                Outcome::Checked => "checked",
            };
            macro_rules! finished {
                ($level:ident) => {
                    tracing::$level!(
                        target: "kulturnetz::ingest",
                        source = %s.id,
                        outcome,
                        records = s.records,
                        accepted = s.accepted,
                        rejected = s.rejected,
                        violations = s.validation.as_ref().map_or(0, |v| v.violations),
                        warnings = s.validation.as_ref().map_or(0, |v| v.warnings),
                        validation_report = s.validation.as_ref().and_then(|v| v.report.as_deref()),
                        triples = s.triples,
                        seconds = s.seconds,
                        reason = s.message.as_deref(),
                        first_rejects = first_rejects.as_deref(),
                        notes = notes.as_deref(),
                        "source finished"
                    )
                };
            }
            match s.outcome {
                Outcome::Loaded | Outcome::Unchanged | Outcome::Checked
                    if s.rejected == 0
                        && s.validation.as_ref().is_none_or(|v| v.violations == 0) =>
                {
                    finished!(info)
                }
                Outcome::Loaded | Outcome::Unchanged | Outcome::Checked => finished!(warn),
                Outcome::Failed | Outcome::Held => finished!(error),
            }
        }
    }
}

/// The table of an ingest: one row per source.
fn summary_table(report: &Report) -> String {
    let mut out = format!(
        "\n  {:<28} {:<9} {:>9} {:>9} {:>9} {:>10} {:>10} {:>8}\n",
        "source", "status", "records", "accepted", "rejected", "violations", "triples", "time"
    );
    for s in &report.sources {
        let status = match s.outcome {
            Outcome::Loaded => "loaded",
            Outcome::Unchanged => "unchanged",
            Outcome::Failed => "FAILED",
            Outcome::Held => "HELD",
            Outcome::Checked => "checked",
        };
        out.push_str(&format!(
            "  {:<28} {status:<9} {:>9} {:>9} {:>9} {:>10} {:>10} {:>7.1}s\n",
            s.id,
            s.records,
            s.accepted,
            s.rejected,
            s.validation.as_ref().map_or(0, |v| v.violations),
            s.triples,
            s.seconds
        ));
    }
    out
}

/// What the ingest says about one source when it is done: its outcome, then its first
/// diagnostics and its message, indented.
fn source_lines(s: &kulturnetz_pipeline::SourceReport) -> Vec<String> {
    let what = match s.outcome {
        Outcome::Loaded if s.statements > s.triples => format!(
            "loaded {} triples from {} records ({} rejected; {} statements repeated)",
            s.triples,
            s.records,
            s.rejected,
            s.statements - s.triples
        ),
        Outcome::Loaded => format!(
            "loaded {} triples from {} records ({} rejected)",
            s.triples, s.records, s.rejected
        ),
        Outcome::Unchanged => format!("unchanged, {} triples", s.triples),
        Outcome::Failed => "FAILED, previous data kept".to_owned(),
        Outcome::Held => format!(
            "HELD ({} records, {} rejected), previous data kept",
            s.accepted, s.rejected
        ),
        Outcome::Checked => format!(
            "checked {} triples from {} records ({} rejected), nothing published",
            s.triples, s.records, s.rejected
        ),
    };
    let mut lines = vec![format!("  {:<28} {what}", s.id)];
    lines.extend(s.diagnostics.iter().take(3).map(|d| format!("      {d}")));
    if let Some(v) = &s.validation
        && (v.violations > 0 || v.warnings > 0)
    {
        lines.push(format!(
            "      validation ({}): {} violations, {} warnings in {} focus nodes of {} shapes{}",
            v.mode,
            v.violations,
            v.warnings,
            v.focus_nodes,
            v.shapes,
            v.report
                .as_ref()
                .map(|r| format!("; report: {r}"))
                .unwrap_or_default()
        ));
        lines.extend(v.results.iter().take(3).map(|r| {
            format!(
                "      {} {}{}: {}",
                r.severity,
                r.focus_node,
                r.path.as_ref().map(|p| format!(" {p}")).unwrap_or_default(),
                r.message.as_deref().unwrap_or(&r.component)
            )
        }));
    }
    lines.extend(s.notes.iter().map(|n| format!("      note: {n}")));
    lines.extend(s.message.iter().map(|m| format!("      {m}")));
    lines
}

fn serve(args: &cli::ServeArgs, log: LogFormat) -> Result<()> {
    let config = store_config(&args.config)?;
    let slot = kulturnetz_search::sparql::Slot::default();
    let store = Arc::new(open_store_with(&config, search::functions(&slot))?);
    // Opened once the store is ours (its lock), so that no other process writes the index.
    let mut index = search::open(&config)?;
    let _ = slot.set(Arc::clone(&index.index));
    let store_path = config.resolve(&config.store.path);
    // The ingest before the server listens, for /metrics: how long it took, whether every source
    // was published.
    let mut startup_ingest = None;
    if args.no_ingest || config.path.as_os_str().is_empty() {
        // Not counted here: on a large store that takes seconds, and the server counts its
        // graphs in the background once it listens.
        say(
            log,
            &format!("store {}: serving what it holds", store_path.display()),
        );
    } else {
        say(
            log,
            &format!(
                "ingesting {} sources from {}",
                config.sources.len(),
                config.path.display()
            ),
        );
        let started = std::time::Instant::now();
        let report = run_ingest(&config, &store, &IngestOptions::default(), log)?;
        if refresh_dumps(&config, &store, &report)? {
            say(
                log,
                &format!("dumps written to {}", dumps_dir(&config).display()),
            );
        }
        if let Some(line) = search::after_ingest(&mut index, &config, &store, &report)? {
            say(log, &line);
        }
        // The counts come from the report (kept in the meta graph), not from counting the store,
        // so that a restart stays fast however large the store grows.
        let failed = report
            .sources
            .iter()
            .filter(|s| matches!(s.outcome, Outcome::Failed | Outcome::Held))
            .count();
        let triples: u64 = report.sources.iter().map(|s| s.triples).sum();
        startup_ingest = Some((started.elapsed(), failed == 0));
        say(
            log,
            &format!(
                "store {}: {} sources published, {triples} triples{}",
                store_path.display(),
                report.sources.len() - failed,
                if failed > 0 {
                    format!(", {failed} failed or held and kept their previous data")
                } else {
                    String::new()
                }
            ),
        );
    }
    if let Some(line) = search::ready(&mut index, &config, &store)? {
        say(log, &line);
    }
    let bind = args
        .bind
        .clone()
        .unwrap_or_else(|| config.server.bind.clone());
    let token = std::env::var("KULTURNETZ_WRITE_TOKEN").ok();
    let mut options = kulturnetz_server::ServerOptions::from_config(&config.server, token);
    options.dumps = Some(dumps_dir(&config));
    options.ldes = Some(ldes::dir(&config));
    options.queries = Some(config.resolve(Path::new("queries")));
    let read_only = options.write_token.is_none();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // The runtime's threads parse and evaluate SPARQL too (the service description, Graph
        // Store requests): the same stack as the connections' threads.
        .thread_stack_size(kulturnetz_server::STACK_SIZE)
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&bind)
            .await
            .map_err(|e| UsageError(format!("cannot listen on {bind}: {e}")))?;
        let address = listener.local_addr()?;
        say(
            log,
            &format!(
                "listening on http://{address}/ (SPARQL at http://{address}/sparql, {})",
                if read_only {
                    "read-only"
                } else {
                    "writes with the write token"
                }
            ),
        );
        let state = kulturnetz_server::AppState::new(
            Arc::clone(&store) as Arc<dyn kulturnetz_store::Backend>,
            config.site.clone(),
            options.clone(),
        );
        state.count_graphs();
        state.set_search(Arc::clone(&index.index));
        if let Some((elapsed, succeeded)) = startup_ingest {
            state.note_startup_ingest(elapsed, succeeded);
        }
        if !config.path.as_os_str().is_empty() {
            state.set_ingester(Arc::new(refresh::PipelineIngester::new(
                config.clone(),
                Arc::clone(&store),
                Arc::clone(&index.index),
            )));
            if let Some(refresh) = config.pipeline.refresh {
                refresh::schedule(&state, refresh)?;
            }
        }
        let app = kulturnetz_server::router(state);
        kulturnetz_server::serve(listener, app, &options).await?;
        Ok(())
    })
}

/// Where a site's dumps are written and served from: `dumps/` beside the store's folder.
pub(crate) fn dumps_dir(config: &Config) -> PathBuf {
    let store = config.resolve(&config.store.path);
    store.parent().unwrap_or(Path::new(".")).join("dumps")
}

/// Writes the dumps of every source's graph and of the whole store into `dir`.
pub(crate) fn write_dumps(
    config: &Config,
    store: &Embedded,
    dir: &Path,
) -> Result<kulturnetz_store::Manifest> {
    let minter = config.minter();
    let sources: Vec<kulturnetz_store::DumpSource> = config
        .sources
        .iter()
        .map(|s| kulturnetz_store::DumpSource {
            id: s.id.clone(),
            graph: minter.graph(&s.id),
        })
        .collect();
    let manifest = kulturnetz_store::dump(store, dir, &sources)?;
    let linksets = void::linksets(config, store)
        .with_context(|| "cannot count the links between the sources for VoID")?;
    void::write(config, &manifest, &linksets, dir)
        .with_context(|| format!("{}: cannot write the VoID description", dir.display()))?;
    catalog::write(config, &manifest, dir)
        .with_context(|| format!("{}: cannot write the DCAT catalogue", dir.display()))?;
    Ok(manifest)
}

/// After an ingest: the dumps are written again if it published something, or if there are
/// none yet.
pub(crate) fn refresh_dumps(config: &Config, store: &Embedded, report: &Report) -> Result<bool> {
    let dir = dumps_dir(config);
    let published = report.sources.iter().any(|s| s.outcome == Outcome::Loaded);
    if !published && dir.join("SHA256SUMS").exists() {
        return Ok(false);
    }
    write_dumps(config, store, &dir)?;
    // The event stream follows what the ingests publish (not `kulturnetz dump`, which may
    // write elsewhere).
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    ldes::record(config, store, &now).with_context(|| "cannot write the event stream")?;
    Ok(true)
}

/// A line of what the server does: as it is, or as a JSON log line.
fn say(log: LogFormat, line: &str) {
    match log {
        LogFormat::Text => eprintln!("{line}"),
        LogFormat::Json => tracing::info!(target: "kulturnetz::serve", "{line}"),
    }
}

fn ingest(args: &cli::IngestArgs, log: LogFormat) -> Result<()> {
    let config = read_config(&args.config.config)?;
    let options = IngestOptions {
        sources: args.sources.clone(),
        force: args.force,
        accept_shrink: args.accept_shrink.clone(),
        dry_run: false,
    };
    let store = match open_store(&config) {
        Ok(store) => store,
        Err(e)
            if e.downcast_ref::<kulturnetz_store::StoreError>()
                .is_some_and(|e| matches!(e, kulturnetz_store::StoreError::Locked { .. })) =>
        {
            // A running server holds the store: it runs the pipeline itself when asked.
            return refresh::ask_server(&config, &options, args.report.as_deref());
        }
        Err(e) => return Err(e),
    };
    let report = run_ingest(&config, &store, &options, log)?;
    if !args.no_dumps {
        refresh_dumps(&config, &store, &report)?;
    }
    let mut index = search::open(&config)?;
    if let Some(line) = search::after_ingest(&mut index, &config, &store, &report)? {
        say(log, &line);
    }
    if let Some(path) = &args.report {
        let file = std::fs::File::create(path)
            .with_context(|| format!("{}: cannot write", path.display()))?;
        serde_json::to_writer_pretty(std::io::BufWriter::new(file), &report)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    if report.has_failures() {
        let failed: Vec<_> = report
            .sources
            .iter()
            .filter(|s| matches!(s.outcome, Outcome::Failed | Outcome::Held))
            .map(|s| s.id.as_str())
            .collect();
        return Err(DataProblem(format!(
            "{} source(s) failed: {}",
            failed.len(),
            failed.join(", ")
        ))
        .into());
    }
    Ok(())
}

fn query(args: &cli::QueryArgs) -> Result<()> {
    let config = store_config(&args.config)?;
    let text = match args.query.strip_prefix('@') {
        Some(file) => {
            std::fs::read_to_string(file).with_context(|| format!("{file}: cannot read"))?
        }
        None => args.query.clone(),
    };
    let slot = kulturnetz_search::sparql::Slot::default();
    let store = open_store_with(&config, search::functions(&slot))?;
    // A query reads the index if there is a built one; it does not make one (`reindex` does).
    if search::is_built(&config) {
        let index = search::open(&config)?;
        if index.rebuild.is_none() {
            let _ = slot.set(Arc::clone(&index.index));
        }
    }
    // Parsing and evaluation recurse over the query: give them the server's generous stack.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn_scoped(scope, || {
                let mut query = kulturnetz_sparql::parse_query(&text, None)
                    .map_err(|e| UsageError(e.to_string()))?;
                if kulturnetz_search::sparql::has_search_pattern(&query) {
                    let index = slot.get().ok_or_else(|| {
                        UsageError("the query has a search pattern and there is no search index: run `kulturnetz reindex`".into())
                    })?;
                    query = kulturnetz_search::sparql::rewrite(query, index)
                        .map_err(|e| UsageError(e.to_string()))?;
                }
                let form = kulturnetz_sparql::Form::of(&query);
                let format = match args.format {
                    Some(name) => kulturnetz_sparql::OutputFormat::by_name(form, name.name())
                        .map_err(|e| UsageError(e.to_string()))?,
                    None => kulturnetz_sparql::OutputFormat::default_for(form),
                };
                let mut request = kulturnetz_store::QueryRequest::new(query);
                request.dataset.union_default_graph = true;
                let stdout = std::io::BufWriter::new(std::io::stdout().lock());
                let (mut out, _) =
                    kulturnetz_store::run_query(&store, &request, format, u64::MAX, stdout)
                        .map_err(|e| match e {
                            kulturnetz_store::QueryError::Write(e) => anyhow::Error::from(e),
                            e => UsageError(e.to_string()).into(),
                        })?;
                out.flush()?;
                Ok(())
            })
            .context("cannot start the query thread")?
            .join()
            .unwrap_or_else(|_| Err(anyhow!("the query thread panicked")))
    })
}

/// `reindex`: the search indexes rebuilt from the store.
fn reindex(args: &cli::ReindexArgs) -> Result<()> {
    let config = store_config(&args.config)?;
    let store = open_store(&config)?;
    let index = search::open(&config)?;
    eprintln!("{}", search::rebuild(&index.index, &config, &store)?);
    Ok(())
}

fn load(args: &cli::LoadArgs) -> Result<()> {
    use kulturnetz_pipeline::{LoadEvent, LoadOptions};
    let config = store_config(&args.config)?;
    let graph = args
        .graph
        .as_deref()
        .map(|g| {
            oxrdf::NamedNode::new(g)
                .map_err(|e| UsageError(format!("--graph {g:?} is not an absolute IRI: {e}")))
        })
        .transpose()?;
    let store = open_store(&config)?;
    let loaded = kulturnetz_pipeline::load(
        &store,
        &config.minter(),
        &args.files,
        &LoadOptions { graph },
        &mut |event| match event {
            LoadEvent::Rejected(d) => eprintln!("{d}"),
            LoadEvent::Loaded(file) => eprintln!(
                "{}: loaded {} statements, {} rejected",
                file.name, file.statements, file.rejected
            ),
        },
    )?;
    let problems: u64 = loaded.iter().map(|f| f.rejected).sum();
    if problems > 0 {
        return Err(DataProblem(format!("{problems} statement(s) rejected")).into());
    }
    Ok(())
}

fn dump(args: &cli::DumpArgs) -> Result<()> {
    let config = store_config(&args.config)?;
    let store = open_store(&config)?;
    let out = args.out.clone().unwrap_or_else(|| dumps_dir(&config));
    std::fs::create_dir_all(&out).with_context(|| format!("{}: cannot create", out.display()))?;
    let manifest = write_dumps(&config, &store, &out)?;
    for file in &manifest.files {
        eprintln!(
            "wrote {} ({} bytes)",
            out.join(&file.name).display(),
            file.bytes
        );
    }
    Ok(())
}

fn init(args: &cli::InitArgs) -> Result<()> {
    let written = init::init(&args.dir).map_err(|e| match e {
        e @ (init::InitError::NotAFolder(_) | init::InitError::Exists(_)) => {
            anyhow::Error::new(UsageError(e.to_string()))
        }
        e @ init::InitError::Io { .. } => anyhow::Error::new(e),
    })?;
    for path in &written {
        eprintln!("wrote {path}");
    }
    let here = args.dir == Path::new(".") || args.dir.as_os_str().is_empty();
    eprintln!(
        "next: set base_iri, title and publisher in {}, then run `kulturnetz serve` {} and \
         open http://127.0.0.1:7878/; {} says the rest",
        init::shown(&args.dir, "kulturnetz.toml"),
        if here {
            "here".to_owned()
        } else {
            format!("in {}", args.dir.display())
        },
        init::shown(&args.dir, "README.md"),
    );
    Ok(())
}

/// How many rejected records `map` prints before it only counts them.
const SHOWN_REJECTS: usize = 20;

/// Standard output, or the file `path`, written on a thread of its own (see `background`).
fn background_output(path: Option<&Path>) -> Result<background::BackgroundWriter> {
    Ok(match path {
        Some(path) => {
            // Opened here, so that an error names the file at once; emptied on the thread.
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .with_context(|| format!("{}", path.display()))?;
            background::BackgroundWriter::new(file, |file| background::empty(file))
        }
        None => background::BackgroundWriter::new(std::io::stdout(), |_| Ok(())),
    })
}

/// Prints the first rejected records (`first`, of `rejected` in all), then the notes on the
/// whole input (which say once what most rejects have in common), and fails with a data problem
/// if there were any rejects.
fn report_rejected(
    first: &[kulturnetz_model::Diagnostic],
    rejected: u64,
    notes: &[kulturnetz_model::Diagnostic],
    records: u64,
    quads: u64,
) -> Result<()> {
    for d in first.iter().take(SHOWN_REJECTS) {
        eprintln!("kulturnetz: rejected: {d}");
    }
    let shown = first.len().min(SHOWN_REJECTS) as u64;
    if rejected > shown {
        eprintln!("kulturnetz: … and {} more", rejected - shown);
    }
    for note in notes {
        eprintln!("kulturnetz: note: {note}");
    }
    if rejected > 0 {
        return Err(DataProblem(format!(
            "{rejected} of {records} records rejected ({quads} quads from the others)"
        ))
        .into());
    }
    Ok(())
}

fn map(args: &cli::MapArgs) -> Result<()> {
    let mapping = kulturnetz_rml::Mapping::from_path(&args.mapping)
        .map_err(|e| UsageError(e.to_string()))?
        .with_base_iri(&args.base)
        .with_duplicates(args.keep_duplicates);
    for note in mapping.notes() {
        eprintln!("kulturnetz: note: {note}");
    }
    let format = kulturnetz_rml::Format::from_name(&args.format)
        .ok_or_else(|| UsageError(format!("unknown format {:?}", args.format)))?;
    // Written by a thread of its own in large chunks: no buffer here. The file is opened here,
    // so that an error names it at once, and emptied by that thread, so that freeing an old
    // output's pages does not hold up the mapping.
    let out: Box<dyn std::io::Write + Send> = match args.out.as_deref() {
        Some(path) => Box::new(background::EmptiedFirst::new(
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .with_context(|| format!("{}", path.display()))?,
        )),
        None => Box::new(std::io::stdout()),
    };
    let mut writer = kulturnetz_rml::Writer::threaded(&mapping, out, format)?;
    let run = mapping.run(&mut writer);
    // Finished whatever happened, so that the output is whole or emptied, never an old one.
    let finished = writer.finish();
    let counts = match run {
        Ok(counts) => counts,
        Err(kulturnetz_rml::RunError::Mapping(e)) => return Err(UsageError(e.to_string()).into()),
        // The writer keeps the I/O error (a closed pipe is not an error of the mapping).
        Err(kulturnetz_rml::RunError::Output(message)) => {
            finished?;
            return Err(anyhow!(message));
        }
        Err(e) => return Err(e.into()),
    };
    let rejected = finished?;
    report_rejected(
        &rejected,
        rejected.len() as u64,
        &[],
        counts.records,
        counts.quads,
    )
}

/// Writes accepted quads as N-Quads, keeps the first rejected records to show and writes every
/// one to the rejected-records file if there is one.
struct ConvertSink {
    /// The N-Quads are written straight into the output's blocks.
    out: background::BackgroundWriter,
    first: Vec<kulturnetz_model::Diagnostic>,
    log: Option<kulturnetz_pipeline::RejectLog>,
    notes: Vec<kulturnetz_model::Diagnostic>,
    counts: kulturnetz_connectors::Counts,
}

impl kulturnetz_connectors::RecordSink for ConvertSink {
    fn accept(
        &mut self,
        at: &kulturnetz_model::Location,
        quads: &[oxrdf::QuadRef<'_>],
    ) -> Result<(), kulturnetz_connectors::SinkError> {
        self.counts.accept(at, quads)?;
        self.out
            .append(|block| {
                for q in quads {
                    kulturnetz_model::nquads::push_quad(block, *q);
                }
            })
            .map_err(kulturnetz_connectors::SinkError::from)
    }

    fn reject(
        &mut self,
        diagnostic: kulturnetz_model::Diagnostic,
    ) -> Result<(), kulturnetz_connectors::SinkError> {
        if let Some(log) = &mut self.log {
            log.write(&diagnostic);
        }
        if self.first.len() < SHOWN_REJECTS {
            self.first.push(diagnostic);
        }
        self.counts.rejected += 1;
        Ok(())
    }

    fn note(
        &mut self,
        note: kulturnetz_model::Diagnostic,
    ) -> Result<(), kulturnetz_connectors::SinkError> {
        self.notes.push(note);
        Ok(())
    }
}

fn convert(args: &cli::ConvertArgs) -> Result<()> {
    let connector = kulturnetz_connectors::connector(&args.kind).ok_or_else(|| {
        let known: Vec<&str> = kulturnetz_connectors::CONNECTORS
            .iter()
            .map(|c| c.kind())
            .collect();
        UsageError(format!(
            "no connector of kind {:?} (known: {})",
            args.kind,
            known.join(", ")
        ))
    })?;
    let mut options = toml::Table::new();
    for option in &args.options {
        let Some((key, value)) = option.split_once('=') else {
            return Err(UsageError(format!("--option {option:?} is not KEY=VALUE")).into());
        };
        if !connector.options().iter().any(|o| o.key == key) {
            let known = connector.options().iter().map(|o| o.key);
            let mut message = format!(
                "--option {key}: the {} connector has no such option",
                args.kind
            );
            if let Some(near) = kulturnetz_model::text::did_you_mean(key, known.clone()) {
                message.push_str(&format!("; did you mean `{near}`?"));
            }
            let known: Vec<_> = known.collect();
            message.push_str(&if known.is_empty() {
                " (it takes none)".to_owned()
            } else {
                format!(" (options: {})", known.join(", "))
            });
            return Err(UsageError(message).into());
        }
        options.insert(key.to_owned(), toml::Value::String(value.to_owned()));
    }
    let minter = kulturnetz_model::Minter::new(&args.base)
        .map_err(|e| UsageError(format!("--base {:?}: {e}", args.base)))?;
    let name = args.input.display().to_string();
    let id = args
        .input
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("input");
    let cx = kulturnetz_connectors::Context::new(id, &minter).with_options(options);
    let file = std::fs::File::open(&args.input).with_context(|| name.clone())?;
    let out = background_output(args.out.as_deref())?;
    let mut sink = ConvertSink {
        out,
        first: Vec::new(),
        log: args
            .rejected
            .as_deref()
            .map(kulturnetz_pipeline::RejectLog::new),
        notes: Vec::new(),
        counts: kulturnetz_connectors::Counts::default(),
    };
    let result = connector.convert(
        kulturnetz_connectors::Input {
            name: &name,
            reader: &mut std::io::BufReader::with_capacity(1 << 16, file),
        },
        &cx,
        &mut sink,
    );
    let ConvertSink {
        mut out,
        first,
        log,
        notes,
        counts,
    } = sink;
    out.flush()?;
    if let (Some(mut log), Some(path)) = (log, args.rejected.as_deref()) {
        log.finish()
            .with_context(|| format!("{}", path.display()))?;
    }
    match result {
        Ok(()) => {}
        Err(e @ kulturnetz_connectors::ConnectorError::Option { .. }) => {
            return Err(UsageError(e.to_string()).into());
        }
        Err(e) => return Err(e.into()),
    }
    report_rejected(
        &first,
        counts.rejected,
        &notes,
        counts.accepted + counts.rejected,
        counts.quads,
    )
}
