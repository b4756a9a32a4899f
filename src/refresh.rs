//! The pipeline inside `serve`: run on `POST /admin/ingest` and on `[pipeline] refresh`, while
//! the server goes on answering.

use kulturnetz_model::{Config, Refresh};
use kulturnetz_pipeline::{Event, IngestOptions};
use kulturnetz_server::{AppState, IngestOutcome, IngestRequest, Ingester, NotStarted, Trigger};
use kulturnetz_store::Embedded;
use std::sync::Arc;
use std::time::Duration;

/// Runs the configured pipeline on the server's store.
pub(crate) struct PipelineIngester {
    config: Config,
    store: Arc<Embedded>,
    /// The search indexes, which follow each run.
    search: Arc<kulturnetz_search::SearchIndex>,
}

impl PipelineIngester {
    pub(crate) fn new(
        config: Config,
        store: Arc<Embedded>,
        search: Arc<kulturnetz_search::SearchIndex>,
    ) -> Self {
        Self {
            config,
            store,
            search,
        }
    }
}

impl Ingester for PipelineIngester {
    fn ingest(&self, request: &IngestRequest, log: &mut dyn FnMut(String)) -> IngestOutcome {
        let options = IngestOptions {
            sources: request.sources.clone(),
            force: request.force,
            accept_shrink: request.accept_shrink.clone(),
            dry_run: false,
        };
        let result =
            kulturnetz_pipeline::ingest(&self.config, &*self.store, &options, &mut |e| match e {
                Event::Started(s) => log(format!("{}: converting", s.id)),
                Event::Progress(..) => {}
                Event::Finished(s) => {
                    for line in crate::source_lines(s) {
                        log(line.trim().to_owned());
                    }
                }
            });
        match result {
            Ok(report) => {
                match crate::refresh_dumps(&self.config, &self.store, &report) {
                    Ok(true) => log(format!(
                        "dumps written to {}",
                        crate::dumps_dir(&self.config).display()
                    )),
                    Ok(false) => {}
                    Err(e) => log(format!("the dumps could not be written: {e:#}")),
                }
                // Searches answer from the previous index until the update commits.
                let indexed =
                    crate::search::follow(&self.search, &self.config, &self.store, &report);
                match indexed {
                    Ok(Some(line)) => log(line),
                    Ok(None) => {}
                    Err(e) => log(format!("search index: {e:#}")),
                }
                let problem = report.has_failures().then(|| {
                    let ids: Vec<_> = report
                        .sources
                        .iter()
                        .filter(|s| {
                            matches!(
                                s.outcome,
                                kulturnetz_pipeline::Outcome::Failed
                                    | kulturnetz_pipeline::Outcome::Held
                            )
                        })
                        .map(|s| s.id.as_str())
                        .collect();
                    format!("{} source(s) failed or held: {}", ids.len(), ids.join(", "))
                });
                IngestOutcome {
                    report: serde_json::to_value(&report).unwrap_or_default(),
                    problem,
                }
            }
            Err(e) => IngestOutcome {
                report: serde_json::Value::Null,
                problem: Some(e.to_string()),
            },
        }
    }
}

/// Starts the thread that runs the pipeline as `[pipeline] refresh` says, for as long as the
/// process lives. A run that comes due while another one runs is left out.
pub(crate) fn schedule(state: &Arc<AppState>, refresh: Refresh) -> anyhow::Result<()> {
    let state = Arc::clone(state);
    std::thread::Builder::new()
        .name("refresh".into())
        .spawn(move || {
            loop {
                std::thread::sleep(until_next(refresh));
                match state.start_ingest(IngestRequest::default(), Trigger::Schedule) {
                    Ok(id) => eprintln!("refresh: ingest run {id} started"),
                    Err(NotStarted::Running(id)) => {
                        eprintln!("refresh: run {id} is still going; this one is left out");
                    }
                    Err(NotStarted::NoPipeline) => return,
                }
            }
        })?;
    Ok(())
}

/// How long until the next run.
fn until_next(refresh: Refresh) -> Duration {
    match refresh {
        Refresh::Every(every) => every,
        Refresh::Daily { hour, minute } => {
            use chrono::{Local, NaiveTime, TimeDelta};
            let now = Local::now();
            let at =
                NaiveTime::from_hms_opt(hour.into(), minute.into(), 0).unwrap_or(NaiveTime::MIN);
            let mut next = now.date_naive().and_time(at);
            if next <= now.naive_local() {
                next += TimeDelta::days(1);
            }
            // A local time that does not exist (a daylight-saving gap) or exists twice is
            // taken at its first instant; an hour off once or twice a year is fine here.
            let next = next
                .and_local_timezone(Local)
                .earliest()
                .unwrap_or_else(|| now + TimeDelta::hours(1));
            (next - now).to_std().unwrap_or(Duration::from_secs(60))
        }
    }
}

/// `kulturnetz ingest` while a server holds the store: asks that server to run the pipeline
/// (`POST /admin/ingest` with the write token from `KULTURNETZ_WRITE_TOKEN`), prints its
/// progress as it comes, and ends as a local ingest would (the report, exit 1 for a failed or
/// held source). Without the token it says how.
pub(crate) fn ask_server(
    config: &Config,
    options: &IngestOptions,
    report: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let url = server_url(&config.server.bind);
    let store = config.resolve(&config.store.path);
    let Some(token) = std::env::var("KULTURNETZ_WRITE_TOKEN")
        .ok()
        .filter(|t| !t.is_empty())
    else {
        return Err(crate::UsageError(format!(
            "the store in {} is held by a running server; it runs the pipeline itself when asked: \
             set KULTURNETZ_WRITE_TOKEN to its write token and run this again, or \
             `curl -X POST -H 'Authorization: Bearer <token>' {url}admin/ingest`",
            store.display()
        ))
        .into());
    };
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent();
    let body = serde_json::json!({
        "sources": options.sources,
        "force": options.force,
        "accept_shrink": options.accept_shrink,
    });
    let auth = format!("Bearer {token}");
    eprintln!(
        "the store in {} is held by the server at {url}: asking it to ingest",
        store.display()
    );
    let mut response = agent
        .post(format!("{url}admin/ingest"))
        .header("Authorization", &auth)
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .with_context(|| format!("cannot reach the server at {url}"))?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    if status != 202 {
        return Err(anyhow::anyhow!(
            "the server at {url} did not start an ingest ({status}): {}",
            text.trim_end()
        ));
    }
    let run: serde_json::Value = serde_json::from_str(&text)?;
    let id = run["id"].as_u64().unwrap_or_default();
    let mut printed = 0;
    let run = loop {
        std::thread::sleep(Duration::from_millis(250));
        let mut response = agent
            .get(format!("{url}admin/ingest/{id}"))
            .header("Authorization", &auth)
            .call()
            .with_context(|| format!("cannot reach the server at {url}"))?;
        let run: serde_json::Value = serde_json::from_str(&response.body_mut().read_to_string()?)?;
        if let Some(log) = run["log"].as_array() {
            for line in &log[printed.min(log.len())..] {
                eprintln!("  {}", line.as_str().unwrap_or_default());
            }
            printed = log.len();
        }
        if run["status"] != "running" {
            break run;
        }
    };
    if let Some(path) = report {
        std::fs::write(path, format!("{:#}\n", run["report"]))
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    match run["problem"].as_str() {
        Some(problem) => Err(crate::DataProblem(problem.to_owned()).into()),
        None => Ok(()),
    }
}

/// The URL of a server bound to `bind`, as seen from this machine.
fn server_url(bind: &str) -> String {
    let (host, port) = bind.rsplit_once(':').unwrap_or((bind, "7878"));
    let host = match host {
        "0.0.0.0" | "" => "127.0.0.1",
        "[::]" => "[::1]",
        h => h,
    };
    format!("http://{host}:{port}/")
}
