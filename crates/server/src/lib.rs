//! The Kulturnetz HTTP server: SPARQL 1.1 Protocol, Graph Store Protocol, Service Description.
//!
//! [`router`] builds the axum router over any [`kulturnetz_store::Backend`]; [`serve`] runs it on a listener until
//! the process is asked to stop. The server is read-only unless a write token is configured.
//! Every limit of [`ServerOptions`] is enforced with its own status: 413 for large bodies,
//! 503 with `Retry-After` when the query queue is full, 504 when a query runs past its time
//! limit (the query is cancelled, not left running), 400 when a result has more rows than
//! allowed. This crate knows the store only through the `Backend` trait, and nothing of the
//! pipeline.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use kulturnetz_model::Config;
//! use kulturnetz_server::{AppState, ServerOptions, router, serve};
//! use kulturnetz_store::Embedded;
//! use std::sync::Arc;
//!
//! let config = Config::from_file("kulturnetz.toml".as_ref())?;
//! let store = Embedded::open("data/store".as_ref(), &Default::default())?;
//! let options = ServerOptions::from_config(&config.server, None);
//! let app = router(AppState::new(Arc::new(store), config.site.clone(), options));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:7878").await?;
//! serve(listener, app, &ServerOptions::from_config(&config.server, None)).await?;
//! # Ok(())
//! # }
//! ```

mod admin;
mod assets;
mod body;
mod dumps;
mod error;
mod extract;
mod feeds;
mod graph;
mod graph_store;
mod health;
mod lang;
mod ldes;
mod listen;
mod metrics;
mod negotiate;
mod ontology;
mod page;
mod queries;
mod queue;
mod resource;
mod search;
mod select;
mod sources;
mod sparql;
mod state;
#[cfg(test)]
mod testing;
mod watchdog;

pub use admin::{IngestOutcome, IngestRequest, Ingester, NotStarted, Trigger};
pub use dumps::{CATALOG_FILE, VOID_FILE};
pub use ldes::{LOG_FILE as LDES_FILE, Member as LdesMember, PAGE as LDES_PAGE};
pub use listen::{STACK_SIZE, serve};
pub use state::AppState;

use axum::Router;
use axum::response::IntoResponse;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;

/// How the server behaves; see `[server]` in `kulturnetz.toml`.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The longest a query may run.
    pub query_timeout: Duration,
    /// The most rows (solutions or triples) a query may return.
    pub max_result_rows: u64,
    /// The largest SPARQL request body, in bytes.
    pub max_request_body: u64,
    /// The largest Graph Store Protocol upload, in bytes.
    pub max_upload_body: u64,
    /// Queries running at once.
    pub max_concurrent_queries: usize,
    /// Queries waiting for a slot before the server answers 503.
    pub max_queued_queries: usize,
    /// Whether a query that names no dataset sees the union of all graphs as default graph.
    pub union_default_graph: bool,
    /// The bearer token that writes need; `None`: the server is read-only.
    pub write_token: Option<String>,
    /// Hosts `SERVICE`/`LOAD` may reach (described in the service description).
    pub service_allow: Vec<String>,
    /// Connections open at once; more wait until one closes.
    pub max_connections: usize,
    /// The longest a connection may take to send a request's head, and the longest a kept-alive
    /// connection may stay idle between requests.
    pub header_read_timeout: Duration,
    /// The URL the public reaches this server at (`[server] public_url`), for every absolute
    /// link it writes; `None`: `http://` and the request's `Host`.
    pub public_url: Option<String>,
    /// The folder of the dumps served at `/dumps/` (what `kulturnetz_store::dump` writes);
    /// `None`: no dumps.
    pub dumps: Option<std::path::PathBuf>,
    /// The folder of the event stream served at `/ldes/events` (its `events.jsonl`, written
    /// after each ingest); `None`: no stream (404).
    pub ldes: Option<std::path::PathBuf>,
    /// The folder of the site's named queries (`queries/*.rq`), the landing page's examples;
    /// `None`: no examples.
    pub queries: Option<std::path::PathBuf>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        let config = kulturnetz_model::ServerConfig::default();
        Self::from_config(&config, None)
    }
}

impl ServerOptions {
    /// The options of a `[server]` section, with the write token from the environment.
    pub fn from_config(
        config: &kulturnetz_model::ServerConfig,
        write_token: Option<String>,
    ) -> Self {
        Self {
            query_timeout: config.query_timeout,
            max_result_rows: config.max_result_rows,
            max_request_body: config.max_request_body,
            max_upload_body: config.max_upload_body,
            max_concurrent_queries: config.max_concurrent_queries.max(1),
            max_queued_queries: config.max_queued_queries,
            union_default_graph: config.union_default_graph,
            write_token: write_token.filter(|t| !t.is_empty()),
            service_allow: config.service_allow.clone(),
            public_url: config.public_url.clone(),
            max_connections: config.max_connections.max(1),
            header_read_timeout: config.header_read_timeout,
            dumps: None,
            ldes: None,
            queries: None,
        }
    }
}

/// The server's routes over `state`: one router per area, merged.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .merge(sparql::routes())
        .merge(graph_store::routes())
        .merge(health::routes())
        .merge(page::routes())
        .merge(admin::routes())
        .merge(dumps::routes())
        .merge(resource::routes())
        .merge(search::routes())
        .merge(metrics::routes())
        .merge(assets::routes())
        .merge(ontology::routes())
        .merge(graph::routes())
        .merge(feeds::routes())
        .merge(ldes::routes())
        .merge(queries::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            metrics::track,
        ))
        .with_state(state)
        .layer(CatchPanicLayer::custom(|_| {
            error::ApiError::Internal("a handler panicked".into()).into_response()
        }))
}

async fn not_found(uri: axum::http::Uri) -> impl IntoResponse {
    error::ApiError::NotFound(format!("nothing at {}", uri.path()))
}
