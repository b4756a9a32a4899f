//! The pipeline's error type: what stops a whole run (a failed source is a report, not an error).

use kulturnetz_connectors::ConnectorError;
use kulturnetz_model::ConfigError;
use kulturnetz_store::StoreError;

/// An error that stops the whole ingest or load (as opposed to a failed source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// `--source` names no configured source.
    #[error("no source {0:?} in the configuration")]
    UnknownSource(String),
    /// A source's configuration is not valid: an unknown kind or key, a required option unset.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A shapes file cannot be read, is not Turtle, or its shapes are not well-formed.
    #[error("{}: {message}", file.display())]
    Shapes {
        /// The file.
        file: std::path::PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The link overrides file is not as documented.
    #[error("{}:{line}: {message}", file.display())]
    Overrides {
        /// The file, as configured.
        file: std::path::PathBuf,
        /// The line.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A file to load cannot be read.
    #[error("{name}: cannot read: {error}")]
    Read {
        /// The file, as the user named it.
        name: String,
        /// Why.
        error: std::io::Error,
    },
    /// A file to load is not RDF at all (its bad statements are rejected records, not this).
    #[error("{0}")]
    Convert(ConnectorError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
