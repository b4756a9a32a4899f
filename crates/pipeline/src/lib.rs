//! The pipeline: for each `[[source]]` of `kulturnetz.toml`, read the input, convert it with its
//! connector and load it into the source's own named graph, atomically.
//!
//! A source whose input, settings and connector version did not change since its last ingest is
//! skipped: its fingerprint is kept in the meta graph (`{base}graph/meta`) together with its
//! counts and time, as PROV-O and VoID. A source that fails, or rejects more records than its
//! `max_rejected` allows, leaves its previously published graph untouched. Rejected records are
//! kept in `data/rejected/{source}.jsonl`, one diagnostic a line.
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

mod ingest;

pub use ingest::{
    Event, IngestOptions, Outcome, PipelineError, Report, SourceReport, ingest, rejected_path,
};
