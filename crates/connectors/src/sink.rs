//! Where connectors put records.

use kulturnetz_model::{Diagnostic, Location};
use oxrdf::{Quad, QuadRef};

/// Receives each record of an input: accepted with its quads, or rejected with a diagnostic.
pub trait RecordSink {
    /// One accepted record at `at`, with its quads. They are borrowed: a connector builds each
    /// term of a record once, however many quads use it.
    fn accept(&mut self, at: &Location, quads: &[QuadRef<'_>]) -> Result<(), SinkError>;
    /// One rejected record.
    fn reject(&mut self, diagnostic: Diagnostic) -> Result<(), SinkError>;
    /// A remark on the whole input, given once per input after its records: which properties
    /// were left out, or which option would fix most of the rejected records. It is no record
    /// and is not counted; a sink that shows nothing to people may ignore it.
    fn note(&mut self, note: Diagnostic) -> Result<(), SinkError> {
        let _ = note;
        Ok(())
    }
}

impl dyn RecordSink + '_ {
    /// [`RecordSink::accept`] for a record whose quads are owned.
    pub fn accept_owned(&mut self, at: &Location, quads: &[Quad]) -> Result<(), SinkError> {
        let quads: Vec<QuadRef<'_>> = quads.iter().map(Quad::as_ref).collect();
        self.accept(at, &quads)
    }
}

/// A sink that cannot take more (the store failed, the output could not be written, …): the
/// sink's own error, kept whole, so that whoever drives the connector gets it back from the
/// connector's [`ConnectorError::Sink`](crate::ConnectorError::Sink) with [`SinkError::downcast`].
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct SinkError(Box<dyn std::error::Error + Send + Sync>);

impl SinkError {
    /// Wraps the sink's error.
    pub fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self(Box::new(error))
    }

    /// The sink's error, if it is an `E`.
    pub fn downcast<E: std::error::Error + 'static>(self) -> Result<E, Self> {
        self.0.downcast::<E>().map(|e| *e).map_err(Self)
    }
}

impl From<std::io::Error> for SinkError {
    fn from(error: std::io::Error) -> Self {
        Self::new(error)
    }
}

/// A sink that only counts, keeping the quads and diagnostics if asked to.
#[derive(Debug, Default)]
pub struct Counts {
    /// Accepted records.
    pub accepted: u64,
    /// Rejected records.
    pub rejected: u64,
    /// Quads of the accepted records.
    pub quads: u64,
}

impl RecordSink for Counts {
    fn accept(&mut self, _: &Location, quads: &[QuadRef<'_>]) -> Result<(), SinkError> {
        self.accepted += 1;
        self.quads += quads.len() as u64;
        Ok(())
    }

    fn reject(&mut self, _: Diagnostic) -> Result<(), SinkError> {
        self.rejected += 1;
        Ok(())
    }
}
