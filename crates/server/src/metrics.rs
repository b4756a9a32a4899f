//! `GET /metrics`: the server's metrics for Prometheus (docs/metrics.md), in the OpenMetrics
//! text format (`application/openmetrics-text`) or, to a client that does not ask for it, the
//! same lines as Prometheus' text format 0.0.4.
//!
//! Counted as they happen: HTTP requests by route, method and status with their latency, SPARQL
//! queries by form and outcome with their evaluation time, the pipeline's runs by trigger and
//! outcome. Read when scraped: the query queue, the triples of each named graph (the counts the
//! backend keeps; left out while a recount is due), and when the dumps and the search index
//! were last written.

use crate::state::{AppState, State};
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant, SystemTime};

/// The longest a scrape waits for the graphs' counts before it answers without them.
const COUNTS_WAIT: Duration = Duration::from_millis(500);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueryLabels {
    form: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IngestLabels {
    trigger: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TriggerLabels {
    trigger: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GraphLabels {
    graph: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// From 1 ms to about 65 s, doubling.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

/// From 1 s to about 4.5 hours, doubling.
fn ingest_time() -> Histogram {
    Histogram::new(exponential_buckets(1.0, 2.0, 15))
}

/// What the server counts as it runs; cheap to clone (every metric is shared).
#[derive(Clone)]
pub(crate) struct Metrics {
    started: SystemTime,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Histograms<RouteLabels>,
    query_seconds: Histograms<QueryLabels>,
    ingests: Family<IngestLabels, Counter>,
    ingest_seconds: Histograms<TriggerLabels>,
    last_ingest: Gauge<f64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            started: SystemTime::now(),
            requests: Family::default(),
            request_seconds: Family::new_with_constructor(latency),
            query_seconds: Family::new_with_constructor(latency),
            ingests: Family::default(),
            ingest_seconds: Family::new_with_constructor(ingest_time),
            last_ingest: Gauge::default(),
        }
    }
}

/// How a query ended, for [`Metrics::query`].
#[derive(Clone, Copy)]
pub(crate) enum QueryOutcome {
    Answered,
    /// Stopped at the time limit.
    Timeout,
    /// Refused (more rows than allowed, queue full) or failed.
    Failed,
}

impl Metrics {
    /// Notes a query of `form` (`select`, `ask`, `construct`, `describe`) that took `elapsed`.
    pub(crate) fn query(&self, form: &'static str, outcome: QueryOutcome, elapsed: Duration) {
        let outcome = match outcome {
            QueryOutcome::Answered => "answered",
            QueryOutcome::Timeout => "timeout",
            QueryOutcome::Failed => "failed",
        };
        self.query_seconds
            .get_or_create(&QueryLabels { form, outcome })
            .observe(elapsed.as_secs_f64());
    }

    /// Notes a run of the pipeline: `trigger` is `startup`, `request` or `schedule`.
    pub(crate) fn ingest(&self, trigger: &'static str, succeeded: bool, elapsed: Duration) {
        let outcome = if succeeded { "succeeded" } else { "failed" };
        self.ingests
            .get_or_create(&IngestLabels { trigger, outcome })
            .inc();
        self.ingest_seconds
            .get_or_create(&TriggerLabels { trigger })
            .observe(elapsed.as_secs_f64());
        self.last_ingest.set(unix_seconds(SystemTime::now()));
    }
}

fn unix_seconds(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// A gauge holding a moment as Unix time.
fn timestamp(t: SystemTime) -> Gauge<f64, AtomicU64> {
    let g = Gauge::<f64, AtomicU64>::default();
    g.set(unix_seconds(t));
    g
}

/// The form of a query, as its label.
pub(crate) fn form(query: &spargebra::Query) -> &'static str {
    match query {
        spargebra::Query::Select { .. } => "select",
        spargebra::Query::Ask { .. } => "ask",
        spargebra::Query::Construct { .. } => "construct",
        spargebra::Query::Describe { .. } => "describe",
    }
}

/// Counts every request with its route (the pattern it matched, so that `/id/…` is one series,
/// not one per IRI), method, status and time to the response's head.
pub(crate) async fn track(
    axum::extract::State(state): State,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let metrics = &state.metrics;
    metrics
        .request_seconds
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            route,
            method,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// The routes of this area.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(state: State, headers: HeaderMap) -> Response {
    let state = state.0;
    let m = &state.metrics;
    let mut registry = Registry::with_prefix("kulturnetz");
    registry.register(
        "http_requests",
        "HTTP requests answered, by route pattern, method and status",
        m.requests.clone(),
    );
    registry.register_with_unit(
        "http_request_duration",
        "Time from a request to its response's head, by route pattern",
        Unit::Seconds,
        m.request_seconds.clone(),
    );
    registry.register_with_unit(
        "sparql_query_duration",
        "Time from a SPARQL query's arrival to its result, waiting in the queue included, by query form and outcome",
        Unit::Seconds,
        m.query_seconds.clone(),
    );
    registry.register(
        "ingest_runs",
        "Runs of the pipeline by this server, by trigger and outcome",
        m.ingests.clone(),
    );
    registry.register_with_unit(
        "ingest_duration",
        "Time a run of the pipeline took, by trigger",
        Unit::Seconds,
        m.ingest_seconds.clone(),
    );
    registry.register(
        "ingest_last_finished_timestamp_seconds",
        "When the last run of the pipeline by this server ended (Unix time; 0: none yet)",
        m.last_ingest.clone(),
    );
    registry.register(
        "start_time_seconds",
        "When this server started (Unix time)",
        timestamp(m.started),
    );
    let (running, waiting) = state.queue.load();
    let gauge = |v: usize| {
        let g = Gauge::<i64, std::sync::atomic::AtomicI64>::default();
        g.set(i64::try_from(v).unwrap_or(i64::MAX));
        g
    };
    registry.register(
        "queries_running",
        "SPARQL queries and updates being evaluated now",
        gauge(running),
    );
    registry.register(
        "queries_waiting",
        "SPARQL queries and updates waiting for a slot now",
        gauge(waiting),
    );
    // The counts the backend keeps answer at once; a recount after a write may take longer than
    // a scrape should, and then the series is left out of this scrape.
    if let Ok(Ok(graphs)) = tokio::time::timeout(COUNTS_WAIT, crate::state::graphs(&state)).await {
        let triples = Family::<GraphLabels, Gauge>::default();
        for graph in graphs {
            triples
                .get_or_create(&GraphLabels {
                    graph: graph.name.into_string(),
                })
                .set(i64::try_from(graph.triples).unwrap_or(i64::MAX));
        }
        registry.register("graph_triples", "Triples in each named graph", triples);
    }
    if let Some(t) = state.options.dumps.as_deref().and_then(|dir| {
        std::fs::metadata(dir.join("SHA256SUMS"))
            .and_then(|m| m.modified())
            .ok()
    }) {
        registry.register(
            "dumps_modified_timestamp_seconds",
            "When the dumps at /dumps/ were last written (Unix time)",
            timestamp(t),
        );
    }
    if let Some(t) = state.search.get().and_then(|index| index.modified()) {
        registry.register(
            "search_index_modified_timestamp_seconds",
            "When the search indexes were last updated (Unix time)",
            timestamp(t),
        );
    }
    let mut body = String::new();
    if let Err(e) = prometheus_client::encoding::text::encode(&mut body, &registry) {
        return crate::error::ApiError::Internal(format!("cannot write the metrics: {e}"))
            .into_response();
    }
    let openmetrics = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/openmetrics-text"));
    let media = if openmetrics {
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    } else {
        "text/plain; version=0.0.4; charset=utf-8"
    };
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
