//! What every handler shares: the backend, the limits, the site and the query queue.

use crate::ServerOptions;
use crate::queue::Queue;
use kulturnetz_model::SiteConfig;
use kulturnetz_store::Backend;
use std::sync::Arc;

/// The application state behind every route.
pub struct AppState {
    pub(crate) backend: Arc<dyn Backend>,
    pub(crate) options: ServerOptions,
    pub(crate) site: SiteConfig,
    pub(crate) queue: Queue,
    /// Whether a recount of the graphs runs in the background.
    recounting: std::sync::atomic::AtomicBool,
}

impl AppState {
    /// The state of a server over `backend` for `site`, with `options`' limits.
    pub fn new(backend: Arc<dyn Backend>, site: SiteConfig, options: ServerOptions) -> Arc<Self> {
        Arc::new(Self {
            backend,
            queue: Queue::new(options.max_concurrent_queries, options.max_queued_queries),
            options,
            site,
            recounting: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The site this server publishes.
    pub fn site(&self) -> &SiteConfig {
        &self.site
    }

    /// Counts the graphs in the background (as after a write), so that a server started on a
    /// store that was just written answers its first service description from kept counts.
    pub fn count_graphs(self: &Arc<Self>) {
        refresh_counts(self);
    }
}

/// The named graphs and their sizes. The counts are kept by the backend; when they are not
/// (after a write), counting takes time in proportion to the store, so it waits its turn and
/// keeps to the time limit like a query.
pub(crate) async fn graphs(
    state: &Arc<AppState>,
) -> Result<Vec<kulturnetz_store::GraphInfo>, crate::error::ApiError> {
    use crate::error::ApiError;
    let timeout = state.options.query_timeout;
    let permit = tokio::time::timeout(timeout, state.queue.enter())
        .await
        .map_err(|_| ApiError::Busy)??;
    let backend = Arc::clone(&state.backend);
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        backend.graphs()
    });
    Ok(tokio::time::timeout(timeout, task)
        .await
        .map_err(|_| ApiError::Timeout(timeout))???)
}

/// The state as handlers extract it.
pub(crate) type State = axum::extract::State<Arc<AppState>>;

/// Counts the graphs again in the background after a write, so that the next service
/// description answers from the backend's kept counts instead of counting on the request path.
/// Writes in a row share one recount: while one runs, another is not started (a write it missed
/// leaves the counts stale, and the next service description counts them in its turn).
pub(crate) fn refresh_counts(state: &Arc<AppState>) {
    use std::sync::atomic::Ordering;
    if state.recounting.swap(true, Ordering::AcqRel) {
        return;
    }
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = state.backend.refresh_counts() {
            tracing::warn!("cannot count the graphs after a write: {e}");
        }
        state.recounting.store(false, Ordering::Release);
    });
}
