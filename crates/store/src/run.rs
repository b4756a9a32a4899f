//! The one query path outside HTTP: evaluate a parsed query with cancellation and write its
//! result in a chosen format, bounded by a row limit. The server, the command line and
//! everything that answers with query results (named queries, feeds, pages, the catalogue)
//! run queries through [`run_query`].

use crate::{Backend, QueryOutcome, QueryRequest, StoreError};
use kulturnetz_sparql::OutputFormat;
use oxrdfio::RdfSerializer;
use sparesults::QueryResultsSerializer;
use std::io::Write;

/// Why a query did not give a complete result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The request's [`crate::Cancel`] fired (its time limit passed, or its client left).
    #[error("the query was cancelled")]
    Cancelled,
    /// The result has more rows than allowed.
    #[error(
        "the result has more than {limit} rows (max_result_rows): add a LIMIT, or page with LIMIT and OFFSET"
    )]
    TooManyRows {
        /// The limit.
        limit: u64,
    },
    /// The chosen format does not fit the query's form (results for `SELECT`/`ASK`, RDF for
    /// `CONSTRUCT`/`DESCRIBE`).
    #[error("the format {format} does not fit this query's form")]
    FormatMismatch {
        /// The media type of the format.
        format: &'static str,
    },
    /// The store refused or failed to evaluate the query.
    #[error(transparent)]
    Store(StoreError),
    /// Writing the result failed.
    #[error("cannot write the result: {0}")]
    Write(#[source] std::io::Error),
}

impl From<StoreError> for QueryError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Cancelled => Self::Cancelled,
            e => Self::Store(e),
        }
    }
}

/// What a finished query wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// Solutions or triples (an `ASK` has none).
    pub rows: u64,
}

/// Evaluates `request` on `backend` and writes the result into `writer` in `format`, stopping
/// with [`QueryError::TooManyRows`] at row `max_rows + 1`. Returns the writer (flushed by the
/// serialiser's end) and the count of rows.
pub fn run_query<W: Write>(
    backend: &dyn Backend,
    request: &QueryRequest,
    format: OutputFormat,
    max_rows: u64,
    writer: W,
) -> Result<(W, Written), QueryError> {
    let outcome = backend.query(request)?;
    let mut rows = 0;
    // The engine checks the token when it reads the store, but not while it sorts or joins in
    // memory: a result finished past the time limit is not written either.
    let cancel = &request.cancel;
    let alive = || {
        if cancel.is_cancelled() {
            Err(QueryError::Cancelled)
        } else {
            Ok(())
        }
    };
    let mut count = || {
        alive()?;
        rows += 1;
        if rows > max_rows {
            Err(QueryError::TooManyRows { limit: max_rows })
        } else {
            Ok(())
        }
    };
    let writer = match (outcome, format) {
        (QueryOutcome::Boolean(value), OutputFormat::Results(format)) => {
            alive()?;
            QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(writer, value)
                .map_err(QueryError::Write)?
        }
        (
            QueryOutcome::Solutions {
                variables,
                solutions,
            },
            OutputFormat::Results(format),
        ) => {
            let mut serializer = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(writer, variables.to_vec())
                .map_err(QueryError::Write)?;
            for solution in solutions {
                let solution = solution?;
                count()?;
                serializer.serialize(&solution).map_err(QueryError::Write)?;
            }
            alive()?;
            serializer.finish().map_err(QueryError::Write)?
        }
        (QueryOutcome::Graph(triples), OutputFormat::Graph(format)) => {
            let mut serializer = RdfSerializer::from_format(format).for_writer(writer);
            for triple in triples {
                let triple = triple?;
                count()?;
                serializer
                    .serialize_triple(&triple)
                    .map_err(QueryError::Write)?;
            }
            alive()?;
            serializer.finish().map_err(QueryError::Write)?
        }
        (_, format) => {
            return Err(QueryError::FormatMismatch {
                format: format.media_type(),
            });
        }
    };
    Ok((writer, Written { rows }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Embedded, QueryRequest};
    use kulturnetz_sparql::{OutputFormat, parse_query};
    use sparesults::QueryResultsFormat;

    /// A result that the engine finishes without reading the store again (a sort in memory, or
    /// nothing to read at all) after the time limit fired is not written.
    #[test]
    fn a_result_finished_after_the_cancellation_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &Default::default()).unwrap();
        let csv = OutputFormat::Results(QueryResultsFormat::Csv);
        for query in ["ASK {}", "SELECT ?x { VALUES ?x { 1 2 } } ORDER BY ?x"] {
            let request = QueryRequest::new(parse_query(query, None).unwrap());
            let (written, Written { rows }) = run_query(&store, &request, csv, 10, Vec::new())
                .unwrap_or_else(|e| panic!("{query}: {e}"));
            assert!(!written.is_empty());
            assert!(rows <= 2);
            request.cancel.cancel();
            assert!(matches!(
                run_query(&store, &request, csv, 10, Vec::new()),
                Err(QueryError::Cancelled)
            ));
        }
    }
}
