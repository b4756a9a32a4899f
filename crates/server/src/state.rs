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
    /// The pipeline's runs (`/admin/ingest`).
    pub(crate) runs: crate::admin::Runs,
    /// Whether a recount of the graphs runs in the background.
    recounting: std::sync::atomic::AtomicBool,
    /// The search indexes (`/api/search`, the SPARQL search patterns), once handed over.
    pub(crate) search: std::sync::OnceLock<Arc<kulturnetz_search::SearchIndex>>,
    /// The graphs written over HTTP that the search indexes have yet to follow.
    reindexing: std::sync::Mutex<Reindexing>,
    /// What `/metrics` reports.
    pub(crate) metrics: crate::metrics::Metrics,
    /// Counts the writes and ingests this server made: what is derived from the data and kept
    /// (the feeds' index) is read again when it changed.
    pub(crate) data_version: std::sync::atomic::AtomicU64,
    /// The feeds' index.
    pub(crate) feeds: crate::feeds::Cache,
}

impl AppState {
    /// The state of a server over `backend` for `site`, with `options`' limits.
    pub fn new(backend: Arc<dyn Backend>, site: SiteConfig, options: ServerOptions) -> Arc<Self> {
        Arc::new(Self {
            backend,
            queue: Queue::new(options.max_concurrent_queries, options.max_queued_queries),
            options,
            site,
            runs: crate::admin::Runs::default(),
            recounting: std::sync::atomic::AtomicBool::new(false),
            search: std::sync::OnceLock::new(),
            reindexing: std::sync::Mutex::default(),
            metrics: crate::metrics::Metrics::default(),
            data_version: std::sync::atomic::AtomicU64::new(0),
            feeds: crate::feeds::Cache::default(),
        })
    }

    /// Hands the server the search indexes of its store (`/api/search`, `kn:textSearch` and
    /// the other SPARQL search patterns). A second call is ignored.
    pub fn set_search(&self, index: Arc<kulturnetz_search::SearchIndex>) {
        let _ = self.search.set(index);
    }

    /// Says that the data changed (a write, an ingest): what is derived from it is read again.
    pub(crate) fn data_changed(&self) {
        self.data_version
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
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

/// Refuses a write into `graph` if the pipeline owns it: the graphs below `{base}graph/` (each
/// source's, the meta graph, derived ones) are published only by an ingest, which keeps their
/// counts and fingerprints in the meta graph; a client's write there would make those untrue
/// and be undone by the next ingest.
pub(crate) fn check_writable(state: &AppState, graph: &str) -> Result<(), crate::error::ApiError> {
    let Some(name) = pipeline_graph(state, graph) else {
        return Ok(());
    };
    let owner = match name {
        "meta" => "the pipeline's meta graph".to_owned(),
        "links" => "the pipeline's graph of links between sources".to_owned(),
        _ => format!("the graph of source {name:?}"),
    };
    Err(crate::error::ApiError::Conflict(format!(
        "<{graph}> is {owner}: it is written only by the pipeline (change the source and ingest \
         it); write into a graph outside {}graph/",
        state.site.base_iri
    )))
}

/// The name below `{base}graph/` if the pipeline owns `graph`.
fn pipeline_graph<'g>(state: &AppState, graph: &'g str) -> Option<&'g str> {
    graph
        .strip_prefix(state.site.base_iri.as_str())?
        .strip_prefix("graph/")
        .filter(|name| !name.is_empty())
}

/// Refuses an update that may write into a graph the pipeline owns ([`check_writable`]). An
/// update that writes named graphs it does not name (`GRAPH ?g` in a template, `DROP ALL`, …)
/// is refused while the store holds any of the pipeline's graphs.
pub(crate) async fn check_update_writable(
    state: &Arc<AppState>,
    update: &spargebra::Update,
) -> Result<(), crate::error::ApiError> {
    use kulturnetz_sparql::Written;
    let written = kulturnetz_sparql::written_graphs(update);
    for w in &written {
        if let Written::Graph(g) = w {
            check_writable(state, g.as_str())?;
        }
    }
    if written.contains(&Written::AnyNamed) {
        let graphs = graphs(state).await?;
        if let Some(owned) = graphs
            .iter()
            .find(|g| pipeline_graph(state, g.name.as_str()).is_some())
        {
            return Err(crate::error::ApiError::Conflict(format!(
                "the update may write named graphs it does not name (GRAPH ?var, NAMED or ALL), \
                 and the pipeline owns some of this store's graphs, such as <{}>: name the \
                 graphs it writes",
                owned.name.as_str()
            )));
        }
    }
    Ok(())
}

/// The state as handlers extract it.
pub(crate) type State = axum::extract::State<Arc<AppState>>;

/// The graphs written over HTTP that the search indexes have yet to follow.
#[derive(Default)]
struct Reindexing {
    graphs: std::collections::BTreeSet<oxrdf::NamedNode>,
    /// Named graphs not known by name were written (`GRAPH ?g`, `DROP ALL`, …).
    any: bool,
    /// Whether an update of the indexes runs.
    running: bool,
}

/// The named graphs `update` writes, `None` when it may write graphs it does not name.
pub(crate) fn graphs_written(update: &spargebra::Update) -> Option<Vec<oxrdf::NamedNode>> {
    use kulturnetz_sparql::Written;
    kulturnetz_sparql::written_graphs(update)
        .into_iter()
        .filter_map(|w| match w {
            Written::Graph(g) => Some(Some(g.clone())),
            Written::Default => None,
            Written::AnyNamed => Some(None),
        })
        .collect()
}

/// After a write over HTTP into `graphs` (`None`: named graphs not known by name): the graph
/// counts ([`refresh_counts`]) and the search indexes follow, in the background. The indexes
/// write those graphs' documents again (a graph gone is removed from them); writes in a row
/// share an update, and none is missed: what is written while one runs is taken by the next.
pub(crate) fn written(state: &Arc<AppState>, graphs: Option<Vec<oxrdf::NamedNode>>) {
    refresh_counts(state);
    let Some(index) = state.search.get() else {
        return;
    };
    let mut pending = lock(&state.reindexing);
    match graphs {
        Some(graphs) => pending.graphs.extend(graphs),
        None => pending.any = true,
    }
    if std::mem::replace(&mut pending.running, true) {
        return;
    }
    drop(pending);
    let state = Arc::clone(state);
    let index = Arc::clone(index);
    tokio::task::spawn_blocking(move || {
        // The pipeline's meta graph is not indexed (as at an ingest).
        let skip: Vec<oxrdf::NamedNode> = kulturnetz_model::Minter::new(&state.site.base_iri)
            .map(|m| m.meta_graph())
            .into_iter()
            .collect();
        loop {
            let (graphs, any) = {
                let mut pending = lock(&state.reindexing);
                if pending.graphs.is_empty() && !pending.any {
                    pending.running = false;
                    return;
                }
                (
                    std::mem::take(&mut pending.graphs),
                    std::mem::take(&mut pending.any),
                )
            };
            let mut changed: Vec<oxrdf::NamedNode> = graphs.into_iter().collect();
            if any {
                match state.backend.graphs() {
                    Ok(all) => changed.extend(all.into_iter().map(|g| g.name)),
                    Err(e) => tracing::warn!("cannot list the graphs for the search index: {e}"),
                }
            }
            let started = std::time::Instant::now();
            match index.update(state.backend.as_ref(), &changed, &skip) {
                Ok(stats) => tracing::info!(
                    graphs = stats.graphs,
                    removed = stats.removed,
                    documents = stats.documents,
                    "the search index follows a write in {:?}",
                    started.elapsed()
                ),
                Err(e) => tracing::warn!("the search index cannot follow a write: {e}"),
            }
        }
    });
}

fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Counts the graphs again in the background after a write, so that the next service
/// description answers from the backend's kept counts instead of counting on the request path.
/// Writes in a row share one recount: while one runs, another is not started (a write it missed
/// leaves the counts stale, and the next service description counts them in its turn).
pub(crate) fn refresh_counts(state: &Arc<AppState>) {
    use std::sync::atomic::Ordering;
    state.data_changed();
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

/// The rows of a `SELECT` the server asks itself (for its pages), in turn with the clients'
/// queries and within their time limit; each row has the query's variables in order.
pub(crate) async fn select(
    state: &Arc<AppState>,
    query: &str,
) -> Result<Vec<Vec<Option<oxrdf::Term>>>, crate::error::ApiError> {
    use crate::error::ApiError;
    let timeout = state.options.query_timeout;
    let query = query.to_owned();
    let permit = tokio::time::timeout(timeout, state.queue.enter())
        .await
        .map_err(|_| ApiError::Busy)??;
    let backend = Arc::clone(&state.backend);
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        rows(backend.as_ref(), &query, "a query of the pages")
    });
    tokio::time::timeout(timeout, task)
        .await
        .map_err(|_| ApiError::Timeout(timeout))??
}

/// Runs a `SELECT` of the server's own (`what` names it in errors) and collects its rows, each
/// with the query's variables in order. Blocking: call it from a blocking task holding a permit.
pub(crate) fn rows(
    backend: &dyn kulturnetz_store::Backend,
    query: &str,
    what: &str,
) -> Result<Vec<Vec<Option<oxrdf::Term>>>, crate::error::ApiError> {
    use crate::error::ApiError;
    use kulturnetz_store::{QueryOutcome, QueryRequest};
    let query = spargebra::SparqlParser::new()
        .parse_query(query)
        .map_err(|e| ApiError::Internal(format!("{what}: {e}")))?;
    let QueryOutcome::Solutions {
        variables,
        solutions,
    } = backend.query(&QueryRequest::new(query))?
    else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    for solution in solutions {
        let solution = solution?;
        rows.push(variables.iter().map(|v| solution.get(v).cloned()).collect());
    }
    Ok(rows)
}
