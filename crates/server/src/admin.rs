//! The pipeline, run again while the server serves: `POST /admin/ingest` starts a run (202
//! with its id), `GET /admin/ingest/{id}` shows its progress and, once it ends, its report,
//! `GET /admin/ingest` lists the recent runs. All need the write token.
//!
//! This crate knows nothing of the pipeline: whoever starts the server hands it an [`Ingester`]
//! ([`AppState::set_ingester`]); a server without one answers 404 here. One run at a time; a
//! request while one runs is answered 409 with the running one's address. Queries go on during
//! a run: each source's graph is replaced in one transaction, so a reader sees it old or new.

use crate::error::ApiError;
use crate::extract::WriteAccess;
use crate::state::{AppState, State};
use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

/// Runs the pipeline for the server.
pub trait Ingester: Send + Sync + 'static {
    /// Runs one ingest as `request` asks, calling `log` with a line as each source starts and
    /// ends. Returns the report (as the `--report` JSON) and, if a source failed or was held,
    /// why the run is not a success.
    fn ingest(&self, request: &IngestRequest, log: &mut dyn FnMut(String)) -> IngestOutcome;
}

/// What a run is asked to do (the JSON body of `POST /admin/ingest`; every field optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestRequest {
    /// Only these sources (all if empty).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Convert even the sources that did not change.
    #[serde(default)]
    pub force: bool,
    /// Publish these held sources although their records fell further than `max_shrink`.
    #[serde(default)]
    pub accept_shrink: Vec<String>,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct IngestOutcome {
    /// The report, as JSON.
    pub report: serde_json::Value,
    /// Why the run is not a success (a source failed or was held, or the run stopped).
    pub problem: Option<String>,
}

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// `POST /admin/ingest`.
    Request,
    /// `[pipeline] refresh`.
    Schedule,
}

/// How many finished runs are kept to be looked at.
const KEPT_RUNS: usize = 32;

/// The runs of this server.
#[derive(Default)]
pub(crate) struct Runs {
    ingester: std::sync::OnceLock<Arc<dyn Ingester>>,
    inner: Mutex<RunsInner>,
}

#[derive(Default)]
struct RunsInner {
    next: u64,
    active: Option<u64>,
    runs: VecDeque<Run>,
}

#[derive(Clone)]
struct Run {
    id: u64,
    trigger: Trigger,
    request: IngestRequest,
    started: SystemTime,
    finished: Option<SystemTime>,
    log: Vec<String>,
    outcome: Option<IngestOutcome>,
}

impl Run {
    fn json(&self, base: &str) -> serde_json::Value {
        let time = |t: SystemTime| humantime::format_rfc3339_seconds(t).to_string();
        let status = match &self.outcome {
            None => "running",
            Some(o) if o.problem.is_none() => "succeeded",
            Some(_) => "failed",
        };
        serde_json::json!({
            "id": self.id,
            "url": format!("{base}admin/ingest/{}", self.id),
            "status": status,
            "trigger": match self.trigger { Trigger::Request => "request", Trigger::Schedule => "schedule" },
            "sources": self.request.sources,
            "force": self.request.force,
            "accept_shrink": self.request.accept_shrink,
            "started": time(self.started),
            "finished": self.finished.map(time),
            "log": self.log,
            "problem": self.outcome.as_ref().and_then(|o| o.problem.clone()),
            "report": self.outcome.as_ref().map(|o| o.report.clone()),
        })
    }
}

/// Why a run did not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotStarted {
    /// No [`Ingester`] was handed to this server.
    NoPipeline,
    /// This run is still going.
    Running(u64),
}

impl AppState {
    /// Hands the server the pipeline it runs on `POST /admin/ingest` and on a schedule. A second
    /// call is ignored.
    pub fn set_ingester(&self, ingester: Arc<dyn Ingester>) {
        let _ = self.runs.ingester.set(ingester);
    }

    /// Notes in the metrics a run of the pipeline that ran before the server started.
    pub fn note_startup_ingest(&self, elapsed: std::time::Duration, succeeded: bool) {
        self.metrics.ingest("startup", succeeded, elapsed);
    }

    /// Starts a run on a thread of its own and returns its id, unless one is running.
    pub fn start_ingest(
        self: &Arc<Self>,
        request: IngestRequest,
        trigger: Trigger,
    ) -> Result<u64, NotStarted> {
        let ingester = Arc::clone(self.runs.ingester.get().ok_or(NotStarted::NoPipeline)?);
        let id = {
            let mut inner = self.runs.lock();
            if let Some(active) = inner.active {
                return Err(NotStarted::Running(active));
            }
            inner.next += 1;
            let id = inner.next;
            inner.active = Some(id);
            inner.runs.push_back(Run {
                id,
                trigger,
                request: request.clone(),
                started: SystemTime::now(),
                finished: None,
                log: Vec::new(),
                outcome: None,
            });
            while inner.runs.len() > KEPT_RUNS {
                inner.runs.pop_front();
            }
            id
        };
        let state = Arc::clone(self);
        let started = std::time::Instant::now();
        let spawned = std::thread::Builder::new()
            .name(format!("ingest-{id}"))
            .spawn(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    ingester.ingest(&request, &mut |line| {
                        tracing::info!(run = id, "{line}");
                        state.runs.with_run(id, |run| run.log.push(line));
                    })
                }))
                .unwrap_or_else(|_| IngestOutcome {
                    report: serde_json::Value::Null,
                    problem: Some("the run stopped on an internal error".into()),
                });
                // The kept counts are stale now; count before the run is reported as ended, so
                // that the service description after it answers at once.
                state.data_changed();
                if let Err(e) = state.backend.refresh_counts() {
                    tracing::warn!("cannot count the graphs after an ingest: {e}");
                }
                let finished = SystemTime::now();
                state.metrics.ingest(
                    match trigger {
                        Trigger::Request => "request",
                        Trigger::Schedule => "schedule",
                    },
                    outcome.problem.is_none(),
                    started.elapsed(),
                );
                state.runs.with_run(id, |run| {
                    run.finished = Some(finished);
                    run.outcome = Some(outcome);
                });
                state.runs.lock().active = None;
            });
        if spawned.is_err() {
            let mut inner = self.runs.lock();
            inner.active = None;
            inner.runs.retain(|r| r.id != id);
            return Err(NotStarted::NoPipeline);
        }
        Ok(id)
    }
}

impl Runs {
    fn lock(&self) -> std::sync::MutexGuard<'_, RunsInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn with_run(&self, id: u64, f: impl FnOnce(&mut Run)) {
        if let Some(run) = self.lock().runs.iter_mut().find(|r| r.id == id) {
            f(run);
        }
    }

    fn get(&self, id: u64) -> Option<Run> {
        self.lock().runs.iter().find(|r| r.id == id).cloned()
    }
}

/// The routes of this area.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/admin/ingest", get(list).post(start))
        .route("/admin/ingest/{id}", get(show))
}

/// The server's base URL for links in the answers: `public_url`, else relative to the root.
fn base(state: &AppState) -> String {
    state.options.public_url.as_deref().map_or_else(
        || "/".to_owned(),
        |u| format!("{}/", u.trim_end_matches('/')),
    )
}

fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    let mut response = (status, format!("{value:#}\n")).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

async fn start(state: State, _access: WriteAccess, body: Bytes) -> Result<Response, ApiError> {
    let request: IngestRequest = if body.iter().all(u8::is_ascii_whitespace) {
        IngestRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::BadRequest(format!(
                "the body must be a JSON object with any of sources, force and accept_shrink: {e}"
            ))
        })?
    };
    let base = base(&state.0);
    match state.0.start_ingest(request, Trigger::Request) {
        Ok(id) => {
            let run = state.0.runs.get(id).map(|r| r.json(&base));
            let mut response = json(StatusCode::ACCEPTED, &run.unwrap_or_default());
            if let Ok(location) = HeaderValue::from_str(&format!("{base}admin/ingest/{id}")) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            Ok(response)
        }
        Err(NotStarted::Running(id)) => Err(ApiError::Conflict(format!(
            "an ingest is running: {base}admin/ingest/{id}; start another when it has ended"
        ))),
        Err(NotStarted::NoPipeline) => Err(ApiError::NotFound(
            "this server runs no pipeline (it was started without a configuration)".into(),
        )),
    }
}

async fn show(
    state: State,
    _access: WriteAccess,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let run = id
        .parse()
        .ok()
        .and_then(|id| state.0.runs.get(id))
        .ok_or_else(|| ApiError::NotFound(format!("there is no ingest run {id:?}")))?;
    Ok(json(StatusCode::OK, &run.json(&base(&state.0))))
}

async fn list(state: State, _access: WriteAccess) -> Response {
    let base = base(&state.0);
    let runs: Vec<_> = state
        .0
        .runs
        .lock()
        .runs
        .iter()
        .rev()
        .map(|r| r.json(&base))
        .collect();
    json(StatusCode::OK, &serde_json::json!({ "runs": runs }))
}
