//! The SPARQL 1.1 Protocol (<https://www.w3.org/TR/sparql11-protocol/>) at `/sparql`, `/query`
//! and `/update`, and the service description on a `GET` without a query.

mod service_description;

use crate::body::{content_type, read_limited, utf8};
use crate::error::ApiError;
use crate::extract::{Params, RequestUrl, WriteAccess};
use crate::metrics::QueryOutcome;
use crate::negotiate::{negotiated, output_format};
use crate::state::{AppState, State};
use crate::watchdog::{Late, Watchdog};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use kulturnetz_sparql::Form;
use kulturnetz_store::{Cancel, Dataset, QueryRequest, UpdateRequest};
use oxrdf::NamedNode;
use spargebra::GraphUpdateOperation;
use std::sync::Arc;
use std::time::Instant;

/// The routes of this area.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/sparql", endpoint(Allowed::Both))
        .route("/query", endpoint(Allowed::Query))
        .route("/update", endpoint(Allowed::Update))
}

/// Which operations a path takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Allowed {
    Both,
    Query,
    Update,
}

fn endpoint(allowed: Allowed) -> MethodRouter<Arc<AppState>> {
    let posting = axum::routing::post(
        move |state: State, url: RequestUrl, params: Params, headers: HeaderMap, body: Body| {
            post(state.0, allowed, url, params, headers, body)
        },
    );
    if allowed == Allowed::Update {
        return posting.fallback(|method: Method| async move {
            ApiError::MethodNotAllowed {
                method: method.to_string(),
                allow: "POST",
            }
        });
    }
    get(
        |state: State, method: Method, url: RequestUrl, params: Params, headers: HeaderMap| {
            read(state.0, method == Method::HEAD, url, params, headers)
        },
    )
    .merge(posting)
    .fallback(|method: Method| async move {
        ApiError::MethodNotAllowed {
            method: method.to_string(),
            allow: "GET, HEAD, POST",
        }
    })
}

/// `GET` (and `HEAD`): a query in the URL, or the service description.
async fn read(
    state: Arc<AppState>,
    head: bool,
    url: RequestUrl,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if params.one("update")?.is_some() {
        return Err(ApiError::BadRequest(
            "an update must be sent with POST, not GET".into(),
        ));
    }
    match params.one("query")? {
        Some(query) => run_query(&state, head, &url, &headers, query, &params).await,
        // A browser asks for HTML: the page that says what is served here, with a query form.
        None if params.one("format")?.is_none()
            && crate::page::wants_html(
                headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()),
            ) =>
        {
            crate::page::respond(&state, head, &headers, &params).await
        }
        None => service_description::respond(&state, &url, &headers, &params).await,
    }
}

/// `POST`: a form, or a query or update as the body.
async fn post(
    state: Arc<AppState>,
    allowed: Allowed,
    url: RequestUrl,
    url_params: Params,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let Some((media, charset)) = content_type(&headers) else {
        return Err(ApiError::UnsupportedMediaType(
            "a POST needs a Content-Type: application/x-www-form-urlencoded, application/sparql-query or application/sparql-update".into(),
        ));
    };
    let limit = state.options.max_request_body;
    match media.as_str() {
        "application/x-www-form-urlencoded" => {
            let body = read_limited(&headers, body, limit).await?;
            let text = utf8(body, charset.as_deref())?;
            let mut params = Params::parse(text.as_bytes());
            let query = params.one("query")?.map(str::to_owned);
            let update = params.one("update")?.map(str::to_owned);
            // Dataset and format parameters may also stand in the URL.
            params.extend(url_params);
            match (query, update) {
                (Some(_), Some(_)) => Err(ApiError::BadRequest(
                    "the form has both a query and an update parameter: send one".into(),
                )),
                (Some(query), None) if allowed != Allowed::Update => {
                    run_query(&state, false, &url, &headers, &query, &params).await
                }
                (None, Some(update)) if allowed != Allowed::Query => {
                    let access = WriteAccess::check(&state, &headers)?;
                    run_update(&state, access, &url, &update, &params).await
                }
                (Some(_), None) => Err(ApiError::BadRequest(
                    "this endpoint takes updates only (parameter `update`); queries go to /query"
                        .into(),
                )),
                (None, Some(_)) => Err(ApiError::BadRequest(
                    "this endpoint takes queries only (parameter `query`); updates go to /update"
                        .into(),
                )),
                (None, None) => Err(ApiError::BadRequest(
                    "the form has neither a `query` nor an `update` parameter".into(),
                )),
            }
        }
        "application/sparql-query" if allowed != Allowed::Update => {
            let body = read_limited(&headers, body, limit).await?;
            let query = utf8(body, charset.as_deref())?;
            run_query(&state, false, &url, &headers, &query, &url_params).await
        }
        "application/sparql-update" if allowed != Allowed::Query => {
            let access = WriteAccess::check(&state, &headers)?;
            let body = read_limited(&headers, body, limit).await?;
            let update = utf8(body, charset.as_deref())?;
            run_update(&state, access, &url, &update, &url_params).await
        }
        other => Err(ApiError::UnsupportedMediaType(format!(
            "cannot read a body of type {other:?} here: use {}",
            match allowed {
                Allowed::Both =>
                    "application/x-www-form-urlencoded, application/sparql-query or application/sparql-update",
                Allowed::Query => "application/x-www-form-urlencoded or application/sparql-query",
                Allowed::Update => "application/x-www-form-urlencoded or application/sparql-update",
            }
        ))),
    }
}

/// The graphs named by `key` (`default-graph-uri`, …), each an absolute IRI.
fn graph_params(params: &Params, key: &str) -> Result<Vec<NamedNode>, ApiError> {
    params
        .all(key)
        .map(|v| {
            NamedNode::new(v).map_err(|e| {
                ApiError::BadRequest(format!("{key} {v:?} is not an absolute IRI: {e}"))
            })
        })
        .collect()
}

/// Reads, queues, evaluates within the time limit and answers in the negotiated format (`head`:
/// the request was a `HEAD`).
async fn run_query(
    state: &Arc<AppState>,
    head: bool,
    url: &RequestUrl,
    headers: &HeaderMap,
    text: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let mut query = kulturnetz_sparql::parse_query(text, Some(&url.0))?;
    if let Some(index) = state.search.get()
        && kulturnetz_search::sparql::has_search_pattern(&query)
    {
        // The search patterns become VALUES from the index before the store sees the query.
        query =
            kulturnetz_search::sparql::rewrite(query, index).map_err(|e| ApiError::BadQuery {
                message: e.to_string(),
            })?;
    }
    // Noted in /metrics however this ends (a dropped future included: the client went away).
    let mut timer = QueryTimer {
        state,
        form: crate::metrics::form(&query),
        started: Instant::now(),
        outcome: QueryOutcome::Failed,
    };
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = output_format(Form::of(&query), accept, params.one("format")?)?;
    let request = QueryRequest {
        query,
        dataset: Dataset {
            union_default_graph: state.options.union_default_graph,
            default_graphs: graph_params(params, "default-graph-uri")?,
            named_graphs: graph_params(params, "named-graph-uri")?,
        },
        cancel: Cancel::default(),
    };
    let timeout = state.options.query_timeout;
    let started = Instant::now();
    let permit = tokio::time::timeout(timeout, state.queue.enter())
        .await
        .map_err(|_| ApiError::Busy)??;
    let max_rows = state.options.max_result_rows;
    if let Some(socket) = crate::listen::connection_socket() {
        // This thread serves this connection alone: evaluate here, with no hand-over to another
        // thread and back. The watchdog fires the cancellation at the time limit, and answers
        // 504 itself if the engine has not stopped soon after (`watchdog.rs`).
        let late = Late::new(socket, timeout, head);
        let _watched = Watchdog::global().watch(
            started + timeout,
            request.cancel.clone(),
            Some(Arc::clone(&late)),
        );
        let _permit = permit;
        let result =
            kulturnetz_store::run_query(&*state.backend, &request, format, max_rows, Vec::new());
        if !late.answer() {
            // The client has had its 504 and the connection is closed: this goes nowhere.
            timer.outcome = QueryOutcome::Timeout;
            return Err(ApiError::Timeout(timeout));
        }
        let (body, _) = result.map_err(|e| timer.failed(ApiError::from_query(e, timeout)))?;
        timer.outcome = QueryOutcome::Answered;
        return Ok(negotiated(Body::from(body), format.media_type()));
    }
    // On a runtime's shared thread: evaluate on the blocking pool. Whatever ends this handler
    // (the time limit, the client going away) stops the query.
    let _guard = CancelOnDrop(request.cancel.clone());
    let cancel = request.cancel.clone();
    let backend = Arc::clone(&state.backend);
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        kulturnetz_store::run_query(&*backend, &request, format, max_rows, Vec::new())
    });
    let remaining = timeout.saturating_sub(started.elapsed());
    let (body, _) = match tokio::time::timeout(remaining, task).await {
        Ok(joined) => joined?.map_err(|e| timer.failed(ApiError::from_query(e, timeout)))?,
        Err(_) => {
            cancel.cancel();
            timer.outcome = QueryOutcome::Timeout;
            return Err(ApiError::Timeout(timeout));
        }
    };
    timer.outcome = QueryOutcome::Answered;
    Ok(negotiated(Body::from(body), format.media_type()))
}

/// Notes a query's time and outcome in the metrics when it ends, however it ends.
struct QueryTimer<'a> {
    state: &'a AppState,
    form: &'static str,
    started: Instant,
    outcome: QueryOutcome,
}

impl QueryTimer<'_> {
    /// Notes an error's kind as the outcome, and gives the error back.
    fn failed(&mut self, error: ApiError) -> ApiError {
        if matches!(error, ApiError::Timeout(_)) {
            self.outcome = QueryOutcome::Timeout;
        }
        error
    }
}

impl Drop for QueryTimer<'_> {
    fn drop(&mut self) {
        self.state
            .metrics
            .query(self.form, self.outcome, self.started.elapsed());
    }
}

struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

async fn run_update(
    state: &Arc<AppState>,
    _access: WriteAccess,
    url: &RequestUrl,
    text: &str,
    params: &Params,
) -> Result<Response, ApiError> {
    let update = kulturnetz_sparql::parse_update(text, Some(&url.0))?;
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
    crate::state::check_update_writable(state, &update).await?;
    let written = crate::state::graphs_written(&update);
    let permit = state.queue.enter().await?;
    let backend = Arc::clone(&state.backend);
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        backend.update(&UpdateRequest { update, dataset })
    })
    .await??;
    crate::state::written(state, written);
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use crate::testing::{App, TOKEN, enc, request};
    use axum::http::StatusCode;

    #[tokio::test]
    async fn queries_by_get_and_post_in_the_negotiated_format() {
        let app = App::new(None);
        let q = enc("SELECT ?o { GRAPH ?g { ?s ?p ?o } } ORDER BY ?o");
        let r = app
            .call(request(
                "GET",
                &format!("/sparql?query={q}"),
                &[("Accept", "text/csv")],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), "text/csv; charset=utf-8");
        assert_eq!(r.header("vary"), "Accept");
        assert_eq!(r.body, "o\r\n0\r\n1\r\n2\r\n");
        let r = app
            .call(request(
                "POST",
                "/query?format=tsv",
                &[("Content-Type", "application/sparql-query")],
                "ASK { GRAPH ?g { ?s ?p 2 } }",
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, "true");
        let r = app
            .call(request(
                "GET",
                &format!("/sparql?query={q}"),
                &[("Accept", "image/png")],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
    }

    #[tokio::test]
    async fn errors_have_their_status() {
        let app = App::new(None);
        let r = app
            .call(request(
                "GET",
                &format!("/sparql?query={}", enc("SELECT * {")),
                &[],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(
            r.body
                .starts_with("query syntax error at line 1, column 11"),
            "{}",
            r.body
        );
        let r = app.call(request("PATCH", "/sparql", &[], "")).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.header("allow"), "GET, HEAD, POST");
        let r = app
            .call(request("GET", "/update?update=CLEAR%20ALL", &[], ""))
            .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.header("allow"), "POST");
        let r = app
            .call(request(
                "POST",
                "/sparql",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                "query=ASK%7B%7D&update=CLEAR%20ALL",
            ))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn updates_need_the_exact_token() {
        let app = App::new(None);
        let update = "INSERT DATA { <http://ex.example/a> <http://ex.example/b> 1 }";
        let sparql_update = ("Content-Type", "application/sparql-update");
        let r = app
            .call(request("POST", "/update", &[sparql_update], update))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.header("www-authenticate"), "Bearer");
        let trailing = format!("Bearer {TOKEN} ");
        let r = app
            .call(request(
                "POST",
                "/update",
                &[sparql_update, ("Authorization", &trailing)],
                update,
            ))
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "a token with a trailing space is another token"
        );
        let longer = format!("Bearer {TOKEN}x");
        let r = app
            .call(request(
                "POST",
                "/update",
                &[sparql_update, ("Authorization", &longer)],
                update,
            ))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let right = format!("bearer {TOKEN}");
        let r = app
            .call(request(
                "POST",
                "/update",
                &[sparql_update, ("Authorization", &right)],
                update,
            ))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    }

    #[tokio::test]
    async fn the_service_description_names_the_public_endpoint() {
        let app = App::new(Some("https://kultur.example/kn/"));
        let r = app
            .call(request(
                "GET",
                "/sparql",
                &[("Accept", "text/turtle"), ("Host", "10.0.0.5:7878")],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("<https://kultur.example/kn/sparql>"),
            "{}",
            r.body
        );
        assert!(!r.body.contains("10.0.0.5"), "{}", r.body);
        assert!(r.body.contains("void:triples 3"), "{}", r.body);
        // Relative IRIs in a query resolve against the public URL too.
        let r = app
            .call(request(
                "GET",
                &format!("/sparql?query={}", enc("SELECT (<x> AS ?x) {}")),
                &[("Accept", "text/csv")],
                "",
            ))
            .await;
        assert_eq!(r.body, "x\r\nhttps://kultur.example/kn/x\r\n");
    }
}
