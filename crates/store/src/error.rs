//! The store's error type.

use std::path::PathBuf;

/// An error of the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The query was cancelled (its time limit passed).
    #[error("the query was cancelled")]
    Cancelled,
    /// A `SERVICE` or `LOAD` named a host that the operator did not allow.
    #[error("{0}")]
    Refused(String),
    /// The query or update is valid but cannot be evaluated (a type error in a DESCRIBE, a
    /// `LOAD` that failed, a graph that does not exist, …).
    #[error("{0}")]
    Evaluation(String),
    /// The storage itself failed.
    #[error("storage error: {0}")]
    Storage(String),
    /// Another process (or another handle in this one) has the store open.
    #[error("cannot open the store in {}: it is locked", path.display())]
    Locked {
        /// The store's folder.
        path: PathBuf,
    },
    /// A file next to the store (a dump) could not be written.
    #[error("{}: cannot write: {error}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: std::io::Error,
    },
}

impl StoreError {
    /// Whether the storage failed because its disk is full.
    pub fn is_disk_full(&self) -> bool {
        match self {
            // RocksDB reports ENOSPC in its message text, not as an `io::Error`.
            Self::Storage(message) => message.contains("No space left on device"),
            Self::Write { error, .. } => error.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        }
    }
}

impl From<oxigraph::store::StorageError> for StoreError {
    fn from(e: oxigraph::store::StorageError) -> Self {
        Self::Storage(e.to_string())
    }
}

impl From<oxigraph::sparql::QueryEvaluationError> for StoreError {
    fn from(e: oxigraph::sparql::QueryEvaluationError) -> Self {
        use oxigraph::sparql::QueryEvaluationError as E;
        match e {
            E::Cancelled => Self::Cancelled,
            E::Dataset(e) => Self::Storage(e.to_string()),
            E::Service(e) => match e.downcast::<kulturnetz_sparql::Refused>() {
                Ok(refused) => Self::Refused(refused.to_string()),
                Err(e) => Self::Evaluation(format!("SERVICE failed: {e}")),
            },
            e => Self::Evaluation(e.to_string()),
        }
    }
}

impl From<oxigraph::sparql::UpdateEvaluationError> for StoreError {
    fn from(e: oxigraph::sparql::UpdateEvaluationError) -> Self {
        use oxigraph::sparql::UpdateEvaluationError as E;
        match e {
            E::Storage(e) => e.into(),
            E::Service(e) => match e.downcast::<kulturnetz_sparql::Refused>() {
                Ok(refused) => Self::Refused(refused.to_string()),
                Err(e) => Self::Evaluation(format!("LOAD or SERVICE failed: {e}")),
            },
            e => Self::Evaluation(e.to_string()),
        }
    }
}
