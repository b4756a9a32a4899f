//! The pipeline: for each `[[source]]` of `kulturnetz.toml`, read the input, convert it with its
//! connector and load it into the source's own named graph, atomically.
//!
//! Each source goes through stages, each a module of its own: `plan` (a fingerprint of its input,
//! settings and connector version; a source whose fingerprint did not change since its last
//! ingest is skipped), `convert` (the connector writes into a staged graph,
//! [`kulturnetz_store::Staging`]), the `max_rejected` tolerance, `validate` (it sees the staged
//! graph before anyone else does), and the commit, which publishes the graph together with its
//! `provenance` in the meta graph (`{base}graph/meta`: fingerprint, counts, time and licence as
//! PROV-O and VoID). A source that fails at any stage leaves its previously published graph
//! untouched. After all sources, `link` makes the links between sources from the published
//! graphs into `{base}graph/links` (with `kulturnetz-link`), if anything changed. Rejected records are kept in
//! `data/rejected/{source}.jsonl`, one diagnostic a line with the record as the input has it
//! ([`RejectLog`]).
//!
//! [`load()`] loads RDF files as they are, in bounded batches.
//!
//! This crate knows the store only through the `Backend` trait and the connectors only through
//! their registry; it knows nothing of HTTP or terminals.
//!
//! ```
//! use kulturnetz_model::Config;
//! use kulturnetz_pipeline::{IngestOptions, Outcome, ingest};
//! use kulturnetz_store::{Embedded, Backend};
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("a.nt"), "<http://s.example/> <http://p.example/> \"o\" .\n")?;
//! std::fs::write(dir.path().join("kulturnetz.toml"), r#"
//!     [site]
//!     base_iri = "https://daten.kultur.example/"
//!     [[source]]
//!     id = "a"
//!     kind = "rdf"
//!     path = "a.nt"
//! "#)?;
//! let config = Config::from_file(&dir.path().join("kulturnetz.toml"))?;
//! let store = Embedded::open(&dir.path().join("store"), &Default::default())?;
//! let report = ingest(&config, &store, &IngestOptions::default(), &mut |_| {})?;
//! assert_eq!(report.sources[0].outcome, Outcome::Loaded);
//! let again = ingest(&config, &store, &IngestOptions::default(), &mut |_| {})?;
//! assert_eq!(again.sources[0].outcome, Outcome::Unchanged);
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod convert;
mod error;
mod fetch;
mod ingest;
mod link;
mod load;
mod plan;
mod provenance;
mod report;
mod validate;

pub use convert::RejectLog;
pub use error::PipelineError;
pub use ingest::{Event, IngestOptions, Progress, check_config, ingest, rejected_path};
pub use load::{FileLoad, LoadEvent, LoadOptions, load};
pub use report::{Linking, Outcome, Report, SourceReport, Validation, Violation};
