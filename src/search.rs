//! The search indexes beside the store: where they live, built when missing, and following every
//! ingest (`ingest`, `serve`, the refresh) and `reindex`.

use anyhow::{Context, Result};
use kulturnetz_model::Config;
use kulturnetz_pipeline::{Outcome, Report};
use kulturnetz_search::{SearchIndex, Stats};
use kulturnetz_store::{Embedded, Functions};
use oxrdf::NamedNode;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// The folder of the search indexes: `search` beside the store's folder (`data/store` →
/// `data/search`), so that removing the store's parent removes both, and the store's folder
/// holds only what Oxigraph writes.
pub(crate) fn dir(config: &Config) -> PathBuf {
    let store = config.resolve(&config.store.path);
    match store.parent() {
        Some(parent) => parent.join("search"),
        None => PathBuf::from("search"),
    }
}

/// Whether a whole build of the index is there (its `FORMAT` file, written after one).
pub(crate) fn is_built(config: &Config) -> bool {
    dir(config).join(kulturnetz_search::FORMAT_FILE).is_file()
}

/// The search index, opened (not yet built: see [`ready`]) and the reason it must be rebuilt.
pub(crate) struct Opened {
    pub(crate) index: Arc<SearchIndex>,
    pub(crate) rebuild: Option<String>,
}

pub(crate) fn open(config: &Config) -> Result<Opened> {
    let dir = dir(config);
    let (index, rebuild) = SearchIndex::open(&dir)
        .with_context(|| format!("{}: cannot open the search index", dir.display()))?;
    Ok(Opened {
        index: Arc::new(index),
        rebuild,
    })
}

/// The extension functions over the index in `slot`, for the store's evaluator.
pub(crate) fn functions(slot: &kulturnetz_search::sparql::Slot) -> Functions {
    Functions(kulturnetz_search::sparql::functions(slot))
}

/// The graphs the index leaves out: the pipeline's meta graph.
fn skipped(config: &Config) -> Vec<NamedNode> {
    vec![config.minter().meta_graph()]
}

fn said(stats: Stats, started: Instant) -> String {
    format!(
        "{} documents ({} with a point, {} with a start or a location) from {} graphs in {:.2} s",
        stats.documents,
        stats.points,
        stats.dated,
        stats.graphs,
        started.elapsed().as_secs_f64()
    )
}

/// Rebuilds the index from the store if it must be; says why and how long it took.
pub(crate) fn ready(
    opened: &mut Opened,
    config: &Config,
    store: &Embedded,
) -> Result<Option<String>> {
    let Some(why) = opened.rebuild.take() else {
        return Ok(None);
    };
    let started = Instant::now();
    let stats = opened
        .index
        .rebuild(store, &skipped(config))
        .context("cannot build the search index")?;
    Ok(Some(format!(
        "{why}: built it from the store: {}",
        said(stats, started)
    )))
}

/// After an ingest of the store the index belongs to: rebuilt whole if it must be (missing, or
/// of another format), else updated for what the ingest published.
pub(crate) fn after_ingest(
    opened: &mut Opened,
    config: &Config,
    store: &Embedded,
    report: &Report,
) -> Result<Option<String>> {
    match ready(opened, config, store)? {
        Some(line) => Ok(Some(line)),
        None => follow(&opened.index, config, store, report),
    }
}

/// Rebuilds the whole index (`kulturnetz reindex`).
pub(crate) fn rebuild(index: &SearchIndex, config: &Config, store: &Embedded) -> Result<String> {
    let started = Instant::now();
    let stats = index
        .rebuild(store, &skipped(config))
        .context("cannot rebuild the search index")?;
    Ok(format!(
        "search index {}: rebuilt: {}",
        index.dir().display(),
        said(stats, started)
    ))
}

/// Follows an ingest: the graphs of the sources it published are indexed anew, graphs the
/// store no longer has are removed. `None` if nothing changed.
pub(crate) fn follow(
    index: &SearchIndex,
    config: &Config,
    store: &Embedded,
    report: &Report,
) -> Result<Option<String>> {
    let changed: Vec<NamedNode> = report
        .sources
        .iter()
        .filter(|s| s.outcome == Outcome::Loaded)
        .filter_map(|s| NamedNode::new(&s.graph).ok())
        .collect();
    let started = Instant::now();
    let stats = index
        .update(store, &changed, &skipped(config))
        .context("cannot update the search index")?;
    if stats == Stats::default() {
        return Ok(None);
    }
    Ok(Some(format!(
        "search index: {} updated{}",
        said(stats, started),
        if stats.removed > 0 {
            format!(", {} graphs removed", stats.removed)
        } else {
            String::new()
        }
    )))
}
