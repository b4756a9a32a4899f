//! The one map from failures to HTTP responses (DESIGN §6).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kulturnetz_sparql::SparqlError;
use kulturnetz_store::{QueryError, StoreError};
use std::time::Duration;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// A query or update that does not parse.
    #[error("{message}")]
    BadQuery { message: String },
    /// A parameter or body that is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// A write without the write token.
    #[error("this operation needs the write token: send Authorization: Bearer <token>")]
    Unauthorized,
    /// A write with a wrong token, or on a read-only server.
    #[error("{0}")]
    Forbidden(String),
    /// No such graph or path.
    #[error("{0}")]
    NotFound(String),
    /// A write into a graph that the pipeline owns.
    #[error("{0}")]
    Conflict(String),
    /// A method the path does not support.
    #[error("{method} is not supported here; use {allow}")]
    MethodNotAllowed { method: String, allow: &'static str },
    /// No acceptable representation.
    #[error("none of the media types in Accept can be served here; available: {available}")]
    NotAcceptable { available: String },
    /// The body is larger than allowed.
    #[error("the request body is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// A body of a media type the path does not read.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The query's result is larger than `max_result_rows`.
    #[error(
        "the result has more than {limit} rows (max_result_rows): add a LIMIT, or page with LIMIT and OFFSET"
    )]
    TooManyRows { limit: u64 },
    /// The queue of waiting queries is full.
    #[error("the server is busy: too many queries are running or waiting; retry in a few seconds")]
    Busy,
    /// The query ran past its time limit and was cancelled.
    #[error("the query ran longer than the time limit of {} and was cancelled", humantime(*.0))]
    Timeout(Duration),
    /// `SERVICE` or `LOAD` to a host that is not allowed.
    #[error("{0}")]
    Refused(String),
    /// A valid operation that cannot be carried out on this data.
    #[error("{0}")]
    Evaluation(String),
    /// Anything else; the body stays generic, the details go to the log.
    #[error("internal error")]
    Internal(String),
}

fn humantime(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(m) => Self::Refused(m),
            StoreError::Evaluation(m) => Self::Evaluation(m),
            StoreError::Cancelled => Self::Timeout(Duration::ZERO),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<SparqlError> for ApiError {
    fn from(e: SparqlError) -> Self {
        match e {
            SparqlError::BaseIri(message) => Self::BadRequest(message),
            e => Self::BadQuery {
                message: e.to_string(),
            },
        }
    }
}

impl ApiError {
    /// The answer to a query that did not finish; `timeout` is the limit a cancelled query ran
    /// into.
    pub(crate) fn from_query(e: QueryError, timeout: Duration) -> Self {
        match e {
            QueryError::Cancelled => Self::Timeout(timeout),
            QueryError::TooManyRows { limit } => Self::TooManyRows { limit },
            QueryError::Store(e) => e.into(),
            e => Self::Internal(e.to_string()),
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Internal(format!("a worker failed: {e}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            Self::BadQuery { .. } | Self::BadRequest(_) | Self::TooManyRows { .. } => {
                StatusCode::BAD_REQUEST
            }
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            // The request is valid SPARQL; this server does not carry it out. 501 rather than
            // 403 because the operation (federation to that host) is not offered at all, not
            // withheld from this client: a token does not change the answer.
            Self::Refused(_) => StatusCode::NOT_IMPLEMENTED,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            Self::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            Self::Evaluation(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Internal(detail) => {
                tracing::error!("internal error: {detail}");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{self}\n"),
        )
            .into_response();
        let headers = response.headers_mut();
        match &self {
            Self::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::Busy => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
            }
            Self::MethodNotAllowed { allow, .. } => {
                headers.insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            _ => {}
        }
        response
    }
}
