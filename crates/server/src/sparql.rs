//! The SPARQL 1.1 Protocol (<https://www.w3.org/TR/sparql11-protocol/>) at `/sparql`, `/query`
//! and `/update`.

use crate::body::{content_type, form_pairs, read_limited, request_url, utf8};
use crate::error::ApiError;
use crate::negotiate::{RDF_FORMATS, RESULT_FORMATS, choose, negotiated};
use crate::{AppState, State};
use axum::body::Body;
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use kulturnetz_store::{
    Backend, Cancel, Dataset, QueryOutcome, QueryRequest, StoreError, UpdateRequest,
};
use oxrdf::NamedNode;
use oxrdfio::{RdfFormat, RdfSerializer};
use sparesults::{QueryResultsFormat, QueryResultsSerializer};
use spargebra::{GraphUpdateOperation, Query, SparqlParser};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Which operations a path takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Allowed {
    Both,
    Query,
    Update,
}

pub(crate) async fn sparql(
    state: State,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    handle(state.0, Allowed::Both, method, uri, headers, body).await
}

pub(crate) async fn query(
    state: State,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    handle(state.0, Allowed::Query, method, uri, headers, body).await
}

pub(crate) async fn update(
    state: State,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    handle(state.0, Allowed::Update, method, uri, headers, body).await
}

async fn handle(
    state: Arc<AppState>,
    allowed: Allowed,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let url_params = form_pairs(uri.query().unwrap_or_default().as_bytes());
    let url = request_url(&headers, &uri);
    match method {
        Method::GET | Method::HEAD => {
            if allowed == Allowed::Update {
                return Err(ApiError::MethodNotAllowed {
                    method: method.to_string(),
                    allow: "POST",
                });
            }
            if param(&url_params, "update")?.is_some() {
                return Err(ApiError::BadRequest(
                    "an update must be sent with POST, not GET".into(),
                ));
            }
            match param(&url_params, "query")? {
                Some(query) => run_query(&state, &url, &headers, query, &url_params).await,
                None => {
                    crate::service_description::respond(&state, &url, &headers, &url_params).await
                }
            }
        }
        Method::POST => {
            let Some((media, charset)) = content_type(&headers) else {
                return Err(ApiError::UnsupportedMediaType(
                    "a POST needs a Content-Type: application/x-www-form-urlencoded, application/sparql-query or application/sparql-update".into(),
                ));
            };
            match media.as_str() {
                "application/x-www-form-urlencoded" => {
                    let body = read_limited(&headers, body, state.options.max_request_body).await?;
                    let text = utf8(body, charset.as_deref())?;
                    let mut params = form_pairs(text.as_bytes());
                    let query = param(&params, "query")?.map(str::to_owned);
                    let update = param(&params, "update")?.map(str::to_owned);
                    // Dataset and format parameters may also stand in the URL.
                    params.extend(url_params);
                    match (query, update) {
                        (Some(_), Some(_)) => Err(ApiError::BadRequest(
                            "the form has both a query and an update parameter: send one".into(),
                        )),
                        (Some(query), None) if allowed != Allowed::Update => {
                            run_query(&state, &url, &headers, &query, &params).await
                        }
                        (None, Some(update)) if allowed != Allowed::Query => {
                            run_update(&state, &url, &headers, &update, &params).await
                        }
                        (Some(_), None) => Err(ApiError::BadRequest(
                            "this endpoint takes updates only (parameter `update`); queries go to /query".into(),
                        )),
                        (None, Some(_)) => Err(ApiError::BadRequest(
                            "this endpoint takes queries only (parameter `query`); updates go to /update".into(),
                        )),
                        (None, None) => Err(ApiError::BadRequest(
                            "the form has neither a `query` nor an `update` parameter".into(),
                        )),
                    }
                }
                "application/sparql-query" if allowed != Allowed::Update => {
                    let body = read_limited(&headers, body, state.options.max_request_body).await?;
                    let query = utf8(body, charset.as_deref())?;
                    run_query(&state, &url, &headers, &query, &url_params).await
                }
                "application/sparql-update" if allowed != Allowed::Query => {
                    check_write(&state, &headers)?;
                    let body = read_limited(&headers, body, state.options.max_request_body).await?;
                    let update = utf8(body, charset.as_deref())?;
                    run_update(&state, &url, &headers, &update, &url_params).await
                }
                other => Err(ApiError::UnsupportedMediaType(format!(
                    "cannot read a body of type {other:?} here: use {}",
                    match allowed {
                        Allowed::Both =>
                            "application/x-www-form-urlencoded, application/sparql-query or application/sparql-update",
                        Allowed::Query =>
                            "application/x-www-form-urlencoded or application/sparql-query",
                        Allowed::Update =>
                            "application/x-www-form-urlencoded or application/sparql-update",
                    }
                ))),
            }
        }
        other => Err(ApiError::MethodNotAllowed {
            method: other.to_string(),
            allow: if allowed == Allowed::Update {
                "POST"
            } else {
                "GET, HEAD, POST"
            },
        }),
    }
}

/// The one value of `key`; a second one is an error.
pub(crate) fn param<'a>(
    params: &'a [(String, String)],
    key: &str,
) -> Result<Option<&'a str>, ApiError> {
    let mut values = params
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str());
    let first = values.next();
    if values.next().is_some() {
        return Err(ApiError::BadRequest(format!(
            "the parameter `{key}` is given more than once"
        )));
    }
    Ok(first)
}

fn graph_params(params: &[(String, String)], key: &str) -> Result<Vec<NamedNode>, ApiError> {
    params
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| {
            NamedNode::new(v.as_str()).map_err(|e| {
                ApiError::BadRequest(format!("{key} {v:?} is not an absolute IRI: {e}"))
            })
        })
        .collect()
}

/// Whether the request carries the write token; errors say what is missing.
pub(crate) fn check_write(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &state.options.write_token else {
        return Err(ApiError::Forbidden(
            "this server is read-only: set KULTURNETZ_WRITE_TOKEN to allow writes".into(),
        ));
    };
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
    else {
        return Err(ApiError::Unauthorized);
    };
    if !constant_time_eq(given.trim().as_bytes(), token.as_bytes()) {
        return Err(ApiError::Forbidden("the write token is wrong".into()));
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The deepest nesting of brackets (`(`, `{`, `[`) a query or update may have. The parser and the
/// evaluator recurse over it, and a deep enough nesting would overflow the stack and abort the
/// server; no real query comes near.
pub const MAX_NESTING: usize = 256;

/// The most operator characters (`+ - * / | ^ & = ! < >`) outside strings, IRIs and comments
/// that a query or update may have. The parser recurses once per operator of a chain such as
/// `1+1+…` or `:p/:p/…`; this bounds that recursion before parsing. A real query has a few dozen.
pub const MAX_OPERATORS: usize = 20_000;

/// Refuses text whose brackets nest deeper than [`MAX_NESTING`] or that has more than
/// [`MAX_OPERATORS`] operators. Brackets and operators inside strings, IRIs and comments do not
/// count.
pub(crate) fn check_nesting(kind: &str, text: &str) -> Result<(), ApiError> {
    let bytes = text.as_bytes();
    let (mut depth, mut max, mut line, mut i) = (0_usize, 0_usize, 1, 0);
    let mut operators = 0_usize;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'<' if bytes
                .get(i + 1)
                .is_some_and(|c| !c.is_ascii_whitespace() && *c != b'=') =>
            {
                // An IRI reference runs to `>` without whitespace; otherwise `<` is an operator.
                let end = bytes[i + 1..]
                    .iter()
                    .position(|c| *c == b'>' || *c == b'<' || c.is_ascii_whitespace());
                match end.map(|e| i + 1 + e) {
                    Some(e) if bytes[e] == b'>' => {
                        i = e + 1;
                        continue;
                    }
                    _ => operators += 1,
                }
            }
            b'+' | b'-' | b'*' | b'/' | b'|' | b'^' | b'&' | b'=' | b'!' | b'<' | b'>' => {
                operators += 1;
                if operators > MAX_OPERATORS {
                    return Err(ApiError::BadQuery {
                        message: format!(
                            "{kind} has more than {MAX_OPERATORS} operators (at line {line}); write long chains flatter, e.g. with VALUES or IN"
                        ),
                    });
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            quote @ (b'"' | b'\'') => {
                let long = bytes[i..].starts_with(&[quote; 3]);
                i += if long { 3 } else { 1 };
                while i < bytes.len() {
                    if bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if long && bytes[i..].starts_with(&[quote; 3]) {
                        i += 3;
                        break;
                    }
                    if !long && bytes[i] == quote {
                        i += 1;
                        break;
                    }
                    if bytes[i] == b'\n' {
                        line += 1;
                        if !long {
                            break;
                        }
                    }
                    i += 1;
                }
                continue;
            }
            b'(' | b'{' | b'[' => {
                depth += 1;
                max = max.max(depth);
                if max > MAX_NESTING {
                    return Err(ApiError::BadQuery {
                        message: format!(
                            "{kind} nests brackets deeper than {MAX_NESTING} levels (at line {line})"
                        ),
                    });
                }
            }
            b')' | b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn check_depth(kind: &str, depth: usize) -> Result<(), ApiError> {
    if depth > crate::complexity::MAX_DEPTH {
        return Err(ApiError::BadQuery {
            message: format!(
                "the {kind} nests more than {} operations deep (long chains of operators, paths or UNIONs nest one level each); write it flatter, e.g. with VALUES or IN",
                crate::complexity::MAX_DEPTH
            ),
        });
    }
    Ok(())
}

/// `message` of a SPARQL syntax error, with the position first where the parser gives one.
pub(crate) fn syntax_error(kind: &str, e: &spargebra::SparqlSyntaxError) -> ApiError {
    let message = e.to_string();
    // The parser says "error at LINE:COLUMN: expected …".
    let message = match message
        .strip_prefix("error at ")
        .and_then(|rest| rest.split_once(": "))
    {
        Some((position, rest)) => format!(
            "{kind} syntax error at line {}: {rest}",
            position.replace(':', ", column ")
        ),
        None => format!("{kind} syntax error: {message}"),
    };
    ApiError::BadQuery { message }
}

enum Output {
    Results(QueryResultsFormat),
    Graph(RdfFormat),
}

impl Output {
    fn media_type(&self) -> &'static str {
        match self {
            Self::Results(f) => f.media_type(),
            Self::Graph(f) => f.media_type(),
        }
    }

    fn negotiate(
        query: &Query,
        accept: Option<&str>,
        format: Option<&str>,
    ) -> Result<Self, ApiError> {
        Ok(match query {
            Query::Select { .. } | Query::Ask { .. } => {
                Self::Results(choose(RESULT_FORMATS, accept, format)?)
            }
            Query::Construct { .. } | Query::Describe { .. } => {
                Self::Graph(choose(RDF_FORMATS, accept, format)?)
            }
        })
    }
}

/// Evaluates `query` on `backend` and writes the results in `format` (a short name such as
/// `json`, `csv` or `ttl`, or a media type; `None`: JSON for SELECT/ASK, Turtle for graphs).
/// The union of all graphs is the default graph. This is `kulturnetz query`.
pub fn write_query_results(
    backend: &dyn Backend,
    query: &str,
    format: Option<&str>,
    out: &mut dyn std::io::Write,
) -> Result<(), String> {
    check_nesting("the query", query).map_err(|e| e.to_string())?;
    let query = SparqlParser::new()
        .parse_query(query)
        .map_err(|e| syntax_error("query", &e).to_string())?;
    check_depth("query", crate::complexity::query_depth(&query)).map_err(|e| e.to_string())?;
    let output = Output::negotiate(&query, None, format).map_err(|_| {
        let kind = match &query {
            Query::Select { .. } | Query::Ask { .. } => "json, xml, csv or tsv",
            _ => "ttl, nt, nq, trig, rdfxml or jsonld",
        };
        format!(
            "the format {:?} does not fit this query form: use {kind}",
            format.unwrap_or_default()
        )
    })?;
    let mut request = QueryRequest::new(query);
    request.dataset.union_default_graph = true;
    evaluate(backend, &request, &output, u64::MAX, Duration::MAX, out)
        .map(drop)
        .map_err(|e| e.to_string())
}

async fn run_query(
    state: &Arc<AppState>,
    url: &str,
    headers: &HeaderMap,
    text: &str,
    params: &[(String, String)],
) -> Result<Response, ApiError> {
    check_nesting("the query", text)?;
    let query = SparqlParser::new()
        .with_base_iri(url)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?
        .parse_query(text)
        .map_err(|e| syntax_error("query", &e))?;
    check_depth("query", crate::complexity::query_depth(&query))?;
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = param(params, "format")?;
    let output = Output::negotiate(&query, accept, format)?;
    let dataset = Dataset {
        union_default_graph: state.options.union_default_graph,
        default_graphs: graph_params(params, "default-graph-uri")?,
        named_graphs: graph_params(params, "named-graph-uri")?,
    };
    let cancel = Cancel::default();
    let request = QueryRequest {
        query,
        dataset,
        cancel: cancel.clone(),
    };
    let timeout = state.options.query_timeout;
    let started = Instant::now();
    let permit = tokio::time::timeout(timeout, state.queue.enter())
        .await
        .map_err(|_| ApiError::Busy)??;
    // Whatever ends this handler (the time limit, the client going away) stops the query.
    let _guard = CancelOnDrop(cancel.clone());
    let backend = Arc::clone(&state.backend);
    let max_rows = state.options.max_result_rows;
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let media_type = output.media_type();
        evaluate(&*backend, &request, &output, max_rows, timeout, Vec::new())
            .map(|body| (body, media_type))
    });
    let remaining = timeout.saturating_sub(started.elapsed());
    let (body, media_type): (Vec<u8>, &'static str) =
        match tokio::time::timeout(remaining, task).await {
            Ok(joined) => joined??,
            Err(_) => {
                cancel.cancel();
                return Err(ApiError::Timeout(timeout));
            }
        };
    Ok(negotiated(Body::from(body), media_type))
}

struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Evaluates and serialises into `writer`, stopping at `max_rows + 1` rows.
fn evaluate<W: std::io::Write>(
    backend: &dyn Backend,
    request: &QueryRequest,
    output: &Output,
    max_rows: u64,
    timeout: Duration,
    writer: W,
) -> Result<W, ApiError> {
    let store_error = |e: StoreError| match e {
        StoreError::Cancelled => ApiError::Timeout(timeout),
        e => ApiError::from(e),
    };
    let io_error = |e: std::io::Error| ApiError::Internal(format!("serialising results: {e}"));
    let outcome = backend.query(request).map_err(store_error)?;
    match (outcome, output) {
        (QueryOutcome::Boolean(value), Output::Results(format)) => {
            QueryResultsSerializer::from_format(*format)
                .serialize_boolean_to_writer(writer, value)
                .map_err(io_error)
        }
        (
            QueryOutcome::Solutions {
                variables,
                solutions,
            },
            Output::Results(format),
        ) => {
            let mut serializer = QueryResultsSerializer::from_format(*format)
                .serialize_solutions_to_writer(writer, variables.to_vec())
                .map_err(io_error)?;
            let mut rows = 0;
            for solution in solutions {
                let solution = solution.map_err(store_error)?;
                rows += 1;
                if rows > max_rows {
                    return Err(ApiError::TooManyRows { limit: max_rows });
                }
                serializer.serialize(&solution).map_err(io_error)?;
            }
            serializer.finish().map_err(io_error)
        }
        (QueryOutcome::Graph(triples), Output::Graph(format)) => {
            let mut serializer = RdfSerializer::from_format(*format).for_writer(writer);
            let mut rows = 0;
            for triple in triples {
                let triple = triple.map_err(store_error)?;
                rows += 1;
                if rows > max_rows {
                    return Err(ApiError::TooManyRows { limit: max_rows });
                }
                serializer.serialize_triple(&triple).map_err(io_error)?;
            }
            serializer.finish().map_err(io_error)
        }
        _ => Err(ApiError::Internal(
            "the query form and its result disagree".into(),
        )),
    }
}

async fn run_update(
    state: &Arc<AppState>,
    url: &str,
    headers: &HeaderMap,
    text: &str,
    params: &[(String, String)],
) -> Result<Response, ApiError> {
    check_write(state, headers)?;
    check_nesting("the update", text)?;
    let update = SparqlParser::new()
        .with_base_iri(url)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?
        .parse_update(text)
        .map_err(|e| syntax_error("update", &e))?;
    check_depth("update", crate::complexity::update_depth(&update))?;
    let dataset = Dataset {
        union_default_graph: false,
        default_graphs: graph_params(params, "using-graph-uri")?,
        named_graphs: graph_params(params, "using-named-graph-uri")?,
    };
    if !dataset.is_unspecified()
        && update.operations.iter().any(|op| {
            matches!(
                op,
                GraphUpdateOperation::DeleteInsert { using: Some(_), .. }
            )
        })
    {
        return Err(ApiError::BadRequest(
            "using-graph-uri/using-named-graph-uri cannot be combined with USING or WITH in the update".into(),
        ));
    }
    let permit = state.queue.enter().await?;
    let backend = Arc::clone(&state.backend);
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        backend.update(&UpdateRequest { update, dataset })
    })
    .await??;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}
