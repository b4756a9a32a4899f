//! Errors of a mapping (the mapping is wrong: nothing runs) and of a run (a source cannot be
//! read, or the output refuses). Problems with single records are not errors: they are
//! [`Diagnostic`](kulturnetz_model::Diagnostic)s, and the rest still maps.

use std::fmt;

/// A mapping that cannot run, with the mapping file, line and triples map where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingError {
    pub(crate) file: String,
    pub(crate) line: Option<u64>,
    pub(crate) triples_map: Option<String>,
    pub(crate) message: String,
}

impl MappingError {
    pub(crate) fn new(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            line: None,
            triples_map: None,
            message: message.into(),
        }
    }

    /// The mapping file.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The 1-based line in the mapping file, where known.
    pub fn line(&self) -> Option<u64> {
        self.line
    }

    /// The triples map, where the error is in one.
    pub fn triples_map(&self) -> Option<&str> {
        self.triples_map.as_deref()
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for MappingError {
    /// `mapping.ttl:12: triples map <#Museums>: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(map) = &self.triples_map {
            write!(f, ": triples map {map}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for MappingError {}

/// An error that ends a run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The mapping is wrong in a way that shows only when it runs (a missing source file, a
    /// reference to a column that the file does not have, …).
    #[error(transparent)]
    Mapping(#[from] MappingError),
    /// Reading a source failed.
    #[error("{file}: {source}")]
    Io {
        /// The source file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
    /// The output refused to go on.
    #[error("{0}")]
    Output(String),
}
