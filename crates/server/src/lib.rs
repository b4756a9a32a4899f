//! The Kulturnetz HTTP server: SPARQL 1.1 Protocol, Graph Store Protocol, Service Description.
//!
//! [`router`] builds the axum router over any [`Backend`]; [`serve`] runs it on a listener until
//! the process is asked to stop. The server is read-only unless a write token is configured.
//! Every limit of [`ServerOptions`] is enforced with its own status: 413 for large bodies,
//! 503 with `Retry-After` when the query queue is full, 504 when a query runs past its time
//! limit (the query is cancelled, not left running), 400 when a result has more rows than
//! allowed. This crate knows the store only through the `Backend` trait, and nothing of the
//! pipeline.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use kulturnetz_server::{ServerOptions, router, serve};
//! use kulturnetz_store::Embedded;
//! use std::sync::Arc;
//!
//! let store = Embedded::open("data/store".as_ref(), &Default::default())?;
//! let app = router(Arc::new(store), ServerOptions::default());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:7878").await?;
//! serve(listener, app).await?;
//! # Ok(())
//! # }
//! ```

mod body;
mod complexity;
mod error;
mod graph_store;
mod negotiate;
mod queue;
mod service_description;
mod sparql;

pub use sparql::{MAX_NESTING, MAX_OPERATORS, write_query_results};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{any, get};
use kulturnetz_store::Backend;
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
        }
    }
}

pub(crate) struct AppState {
    backend: Arc<dyn Backend>,
    options: ServerOptions,
    queue: queue::Queue,
}

pub(crate) type State = axum::extract::State<Arc<AppState>>;

/// The server's routes over `backend`.
pub fn router(backend: Arc<dyn Backend>, options: ServerOptions) -> Router {
    let state = Arc::new(AppState {
        backend,
        queue: queue::Queue::new(options.max_concurrent_queries, options.max_queued_queries),
        options,
    });
    Router::new()
        .route("/sparql", any(sparql::sparql))
        .route("/query", any(sparql::query))
        .route("/update", any(sparql::update))
        .route("/store", any(graph_store::graph_store))
        .route("/store/{*path}", any(graph_store::graph_store))
        .route("/health", get(health))
        .fallback(not_found)
        .with_state(state)
        .layer(CatchPanicLayer::custom(|_| {
            error::ApiError::Internal("a handler panicked".into()).into_response()
        }))
}

async fn health() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

async fn not_found(uri: axum::http::Uri) -> impl IntoResponse {
    error::ApiError::NotFound(format!("nothing at {}", uri.path()))
}

/// Serves `app` on `listener` until Ctrl-C or SIGTERM.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
