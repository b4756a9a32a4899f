//! The derived search indexes of a Kulturnetz store: full text (tantivy) and space (an R-tree).
//!
//! [`SearchIndex`] reads a store only through the [`kulturnetz_store::Backend`] trait (its
//! graphs and their triples), so it works over any backend. It is never the source of truth:
//! [`SearchIndex::rebuild`] makes it anew from the store, [`SearchIndex::update`] follows an
//! ingest by writing the changed graphs' documents again (cost in proportion to them), and a
//! search during either answers from the index as it was. This crate knows no HTTP, no
//! pipeline and no configuration. [`sparql`] gives the `kn:` extension functions and the
//! rewrite of `kn:textSearch`/`kn:nearby`/`kn:startsBetween`/… patterns into `VALUES` from the
//! index; [`calendar`] keeps when and where things happen.
//!
//! ```
//! use kulturnetz_search::{Request, SearchIndex};
//! use kulturnetz_store::{Backend, Embedded};
//! use oxrdf::{Literal, NamedNode, Triple};
//!
//! let dir = tempfile::tempdir()?;
//! let store = Embedded::open(&dir.path().join("store"), &Default::default())?;
//! let g = NamedNode::new("https://x.example/graph/a")?;
//! let mut staging = store.stage(g.as_ref())?;
//! staging.insert(Triple::new(
//!     NamedNode::new("https://x.example/id/object/1")?,
//!     NamedNode::new("http://schema.org/name")?,
//!     Literal::new_language_tagged_literal("Porzellanmalerei aus Kahla", "de")?,
//! ).as_ref())?;
//! staging.seal()?;
//! staging.commit(&[])?;
//!
//! let (index, why) = SearchIndex::open(&dir.path().join("search"))?;
//! assert!(why.is_some()); // a new index is built from the store
//! index.rebuild(&store, &[])?;
//! let hits = index.search(&Request {
//!     text: Some("porzellan".into()),
//!     limit: 10,
//!     snippets: true,
//!     ..Default::default()
//! })?;
//! assert_eq!(hits.hits[0].iri, "https://x.example/id/object/1");
//! assert_eq!(hits.hits[0].snippet.as_deref(), Some("<b>Porzellanmalerei</b> aus Kahla"));
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod analysis;
pub mod calendar;
pub mod extract;
pub mod geo;
mod index;
pub mod sparql;

pub use geo::{BoundingBox, EARTH_RADIUS_M, Point};
pub use index::{FORMAT, FORMAT_FILE, Hit, Hits, MAX_CANDIDATES, Request, SearchIndex, Stats};

use std::path::{Path, PathBuf};

/// An error of the search indexes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// The index on disk could not be read or written.
    #[error("{}: search index: {message}", path.display())]
    Index {
        /// The index's folder.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The store could not be read.
    #[error("cannot read the store for the search index: {0}")]
    Store(#[from] kulturnetz_store::StoreError),
    /// A search that cannot be answered as asked.
    #[error("{0}")]
    Request(String),
}

impl SearchError {
    fn io(path: &Path, e: impl std::fmt::Display) -> Self {
        Self::Index {
            path: path.to_owned(),
            message: e.to_string(),
        }
    }
}
