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
}

impl AppState {
    /// The state of a server over `backend` for `site`, with `options`' limits.
    pub fn new(backend: Arc<dyn Backend>, site: SiteConfig, options: ServerOptions) -> Arc<Self> {
        Arc::new(Self {
            backend,
            queue: Queue::new(options.max_concurrent_queries, options.max_queued_queries),
            options,
            site,
        })
    }

    /// The site this server publishes.
    pub fn site(&self) -> &SiteConfig {
        &self.site
    }
}

/// The state as handlers extract it.
pub(crate) type State = axum::extract::State<Arc<AppState>>;
