//! The errors of reading a SPARQL request.

use std::fmt;

/// Which kind of SPARQL request an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// A query (SPARQL 1.1 Query).
    Query,
    /// An update (SPARQL 1.1 Update).
    Update,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Query => "query",
            Self::Update => "update",
        })
    }
}

/// A query or update that cannot be read, or that goes past a limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SparqlError {
    /// The text is not valid SPARQL.
    #[error("{operation} syntax error{}: {message}", position(*line, *column))]
    Syntax {
        /// Query or update.
        operation: Operation,
        /// The parser's message, without its position.
        message: String,
        /// The 1-based line, where the parser gives one.
        line: Option<u64>,
        /// The 1-based column, where the parser gives one.
        column: Option<u64>,
    },
    /// Brackets nest deeper than [`crate::MAX_NESTING`].
    #[error("the {operation} nests brackets deeper than {limit} levels (at line {line})")]
    NestedTooDeep {
        /// Query or update.
        operation: Operation,
        /// The limit.
        limit: usize,
        /// Where the limit was passed.
        line: u64,
    },
    /// More than [`crate::MAX_OPERATORS`] operators.
    #[error(
        "the {operation} has more than {limit} operators (at line {line}); write long chains flatter, e.g. with VALUES or IN"
    )]
    TooManyOperators {
        /// Query or update.
        operation: Operation,
        /// The limit.
        limit: usize,
        /// Where the limit was passed.
        line: u64,
    },
    /// The algebra nests deeper than [`crate::MAX_DEPTH`].
    #[error(
        "the {operation} nests more than {limit} operations deep (long chains of operators, paths or UNIONs nest one level each); write it flatter, e.g. with VALUES or IN"
    )]
    TooDeep {
        /// Query or update.
        operation: Operation,
        /// The limit.
        limit: usize,
    },
    /// The base IRI to resolve relative IRIs against is not valid.
    #[error("{0}")]
    BaseIri(String),
}

fn position(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(" at line {line}, column {column}"),
        (Some(line), None) => format!(" at line {line}"),
        _ => String::new(),
    }
}

impl SparqlError {
    /// A syntax error, with the position split off the parser's message ("error at L:C: …").
    pub(crate) fn syntax(operation: Operation, e: &spargebra::SparqlSyntaxError) -> Self {
        let text = e.to_string();
        let parsed = text
            .strip_prefix("error at ")
            .and_then(|rest| rest.split_once(": "))
            .and_then(|(position, message)| {
                let (line, column) = position.split_once(':')?;
                Some((line.parse().ok()?, column.parse().ok()?, message))
            });
        match parsed {
            Some((line, column, message)) => Self::Syntax {
                operation,
                message: message.to_owned(),
                line: Some(line),
                column: Some(column),
            },
            None => Self::Syntax {
                operation,
                message: text,
                line: None,
                column: None,
            },
        }
    }
}
