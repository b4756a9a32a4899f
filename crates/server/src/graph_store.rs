//! The SPARQL 1.1 Graph Store HTTP Protocol (<https://www.w3.org/TR/sparql11-http-rdf-update/>)
//! at `/store`: `?default`, `?graph=IRI`, and graphs identified directly by a URL below `/store/`.

use crate::body::{content_type, read_limited, stream_blocking};
use crate::error::ApiError;
use crate::extract::{Params, RequestUrl, WriteAccess};
use crate::negotiate::{RDF_FORMATS, choose, negotiated};
use crate::state::{AppState, State};
use axum::Router;
use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use kulturnetz_store::Backend;
use oxrdf::{GraphName, NamedNode, Triple};
use oxrdfio::{RdfFormat, RdfParser, RdfSerializer};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a request addresses.
#[derive(Debug, Clone)]
enum Target {
    Graph(GraphName),
    /// The graph store itself (POST creates a new graph).
    Store,
}

/// The routes of this area.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/store", methods())
        .route("/store/{*path}", methods())
}

fn methods() -> MethodRouter<Arc<AppState>> {
    get(read)
        .head(head)
        .put(put)
        .post(post)
        .delete(delete)
        .fallback(|method: Method| async move {
            ApiError::MethodNotAllowed {
                method: method.to_string(),
                allow: "GET, HEAD, PUT, POST, DELETE",
            }
        })
}

/// What the request addresses, and the request's public URL.
struct Addressed {
    target: Target,
    url: String,
}

impl FromRequestParts<Arc<AppState>> for Addressed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let url = RequestUrl::new(state, &parts.headers, &parts.uri).0;
        Ok(Self {
            target: target(&parts.uri, &url)?,
            url,
        })
    }
}

fn target(uri: &Uri, url: &str) -> Result<Target, ApiError> {
    let params = Params::parse(uri.query().unwrap_or_default().as_bytes());
    let graph = params.one("graph")?;
    let default = params.has("default");
    let direct = uri.path() != "/store";
    match (graph, default, direct) {
        (Some(_), true, _) => Err(ApiError::BadRequest(
            "give either `graph` or `default`, not both".into(),
        )),
        (None, true, true) | (Some(_), false, true) => Err(ApiError::BadRequest(
            "a graph identified by its URL takes no `graph` or `default` parameter".into(),
        )),
        (Some(iri), false, false) => {
            let iri = oxiri::Iri::parse(url.to_owned())
                .and_then(|base| base.resolve(iri))
                .map_err(|e| {
                    ApiError::BadRequest(format!("graph {iri:?} is not a valid IRI: {e}"))
                })?;
            Ok(Target::Graph(NamedNode::from(iri).into()))
        }
        (None, true, false) => Ok(Target::Graph(GraphName::DefaultGraph)),
        (None, false, true) => Ok(Target::Graph(
            NamedNode::new(url)
                .map_err(|e| ApiError::BadRequest(e.to_string()))?
                .into(),
        )),
        (None, false, false) => Ok(Target::Store),
    }
}

async fn read(
    state: State,
    addressed: Addressed,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let graph = addressed_graph(addressed.target)?;
    get_graph(&state.0, graph, &headers, false).await
}

async fn head(
    state: State,
    addressed: Addressed,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let graph = addressed_graph(addressed.target)?;
    get_graph(&state.0, graph, &headers, true).await
}

fn addressed_graph(target: Target) -> Result<GraphName, ApiError> {
    match target {
        Target::Graph(graph) => Ok(graph),
        Target::Store => Err(ApiError::BadRequest(
            "name a graph with ?graph=IRI or ?default (the whole store is at /dumps/)".into(),
        )),
    }
}

async fn put(
    state: State,
    addressed: Addressed,
    access: WriteAccess,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    write(state.0, addressed, access, true, headers, body).await
}

async fn post(
    state: State,
    addressed: Addressed,
    access: WriteAccess,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    write(state.0, addressed, access, false, headers, body).await
}

async fn write(
    state: Arc<AppState>,
    Addressed { target, url }: Addressed,
    _access: WriteAccess,
    is_put: bool,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    if let Target::Graph(GraphName::NamedNode(graph)) = &target {
        crate::state::check_writable(&state, graph.as_str())?;
    }
    let triples = read_triples(&state, &headers, body, &target, &url).await?;
    let backend = Arc::clone(&state.backend);
    match target {
        Target::Graph(graph) => {
            let named: Vec<NamedNode> = match &graph {
                GraphName::NamedNode(g) => vec![g.clone()],
                _ => Vec::new(),
            };
            let created = tokio::task::spawn_blocking(move || {
                // The default graph always exists; "created" means it held nothing.
                let existed = match &graph {
                    GraphName::DefaultGraph => {
                        backend.graph_triples(graph.as_ref())?.next().is_some()
                    }
                    g => backend.contains_graph(g.as_ref())?,
                };
                if is_put {
                    let mut writer = backend.replace_graph(graph.as_ref())?;
                    for t in &triples {
                        writer.insert(t.as_ref())?;
                    }
                    writer.commit()?;
                } else {
                    backend.extend_graph(graph.as_ref(), &mut triples.into_iter())?;
                }
                Ok::<_, ApiError>(!existed)
            })
            .await??;
            crate::state::written(&state, Some(named));
            Ok(if created {
                StatusCode::CREATED
            } else {
                StatusCode::NO_CONTENT
            }
            .into_response())
        }
        Target::Store if is_put => Err(ApiError::BadRequest(
            "PUT needs a graph: ?graph=IRI or ?default".into(),
        )),
        Target::Store => {
            let graph = new_graph_iri(&url)?;
            let location = graph.as_str().to_owned();
            let written = graph.clone();
            tokio::task::spawn_blocking(move || {
                backend.extend_graph(graph.as_ref().into(), &mut triples.into_iter())
            })
            .await??;
            crate::state::written(&state, Some(vec![written]));
            let mut response = StatusCode::CREATED.into_response();
            response.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_str(&location).map_err(|e| ApiError::Internal(e.to_string()))?,
            );
            Ok(response)
        }
    }
}

async fn delete(
    state: State,
    addressed: Addressed,
    _access: WriteAccess,
) -> Result<Response, ApiError> {
    let Target::Graph(graph) = addressed.target else {
        return Err(ApiError::BadRequest(
            "DELETE needs a graph: ?graph=IRI or ?default".into(),
        ));
    };
    let mut named = Vec::new();
    if let GraphName::NamedNode(graph) = &graph {
        crate::state::check_writable(&state, graph.as_str())?;
        named.push(graph.clone());
    }
    let backend = Arc::clone(&state.backend);
    let name = graph.to_string();
    let existed = tokio::task::spawn_blocking(move || backend.drop_graph(graph.as_ref())).await??;
    if existed {
        crate::state::written(&state.0, Some(named));
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound(format!("there is no graph {name}")))
    }
}

async fn get_graph(
    state: &Arc<AppState>,
    graph: GraphName,
    headers: &HeaderMap,
    head: bool,
) -> Result<Response, ApiError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = choose(RDF_FORMATS, accept, None)?;
    let backend = Arc::clone(&state.backend);
    let check = graph.clone();
    let exists =
        tokio::task::spawn_blocking(move || backend.contains_graph(check.as_ref())).await??;
    if !exists {
        return Err(ApiError::NotFound(format!("there is no graph {graph}")));
    }
    let body = if head {
        // A HEAD answers with GET's headers (RFC 9110 §9.3.2); the length of a streamed graph
        // is not known in advance, so no Content-Length at all rather than a wrong `0`.
        Body::from_stream(tokio_stream::empty::<Result<Vec<u8>, std::io::Error>>())
    } else {
        let backend = Arc::clone(&state.backend);
        stream_blocking(move |w| write_graph(&*backend, &graph, format, w))
    };
    Ok(negotiated(body, format.media_type()))
}

fn write_graph(
    backend: &dyn Backend,
    graph: &GraphName,
    format: RdfFormat,
    writer: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut serializer = RdfSerializer::from_format(format).for_writer(writer);
    for triple in backend
        .graph_triples(graph.as_ref())
        .map_err(std::io::Error::other)?
    {
        serializer.serialize_triple(&triple.map_err(std::io::Error::other)?)?;
    }
    serializer.finish()?;
    Ok(())
}

/// The triples of the body (or of every part of a `multipart/form-data` body), all parsed before
/// anything is written, so that a syntax error changes nothing.
async fn read_triples(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    body: Body,
    target: &Target,
    url: &str,
) -> Result<Vec<Triple>, ApiError> {
    let Some((media, _)) = content_type(headers) else {
        return Err(ApiError::UnsupportedMediaType(
            "the body needs a Content-Type: an RDF media type such as text/turtle".into(),
        ));
    };
    let base = match target {
        Target::Graph(GraphName::NamedNode(g)) => g.as_str().to_owned(),
        _ => url.to_owned(),
    };
    let limit = state.options.max_upload_body;
    if media == "multipart/form-data" {
        let boundary = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| multer::parse_boundary(v).ok())
            .ok_or_else(|| ApiError::BadRequest("multipart/form-data without a boundary".into()))?;
        let bytes = read_limited(headers, body, limit).await?;
        let stream = futures_stream(bytes);
        let mut multipart = multer::Multipart::new(stream, boundary);
        let mut triples = Vec::new();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| ApiError::BadRequest(format!("multipart body: {e}")))?
        {
            let name = field
                .file_name()
                .or(field.name())
                .unwrap_or("part")
                .to_owned();
            let format = field
                .content_type()
                .and_then(|m| RdfFormat::from_media_type(m.essence_str()))
                .or_else(|| {
                    name.rsplit_once('.')
                        .and_then(|(_, ext)| RdfFormat::from_extension(ext))
                })
                .ok_or_else(|| {
                    ApiError::UnsupportedMediaType(format!(
                        "part {name:?}: cannot tell its RDF format from its Content-Type or file name"
                    ))
                })?;
            let data = field
                .bytes()
                .await
                .map_err(|e| ApiError::BadRequest(format!("multipart part {name:?}: {e}")))?;
            triples.extend(parse(&data, format, &base, &name)?);
        }
        return Ok(triples);
    }
    let format = RdfFormat::from_media_type(&media).ok_or_else(|| {
        ApiError::UnsupportedMediaType(format!(
            "{media:?} is not an RDF media type this server reads"
        ))
    })?;
    let bytes = read_limited(headers, body, limit).await?;
    parse(&bytes, format, &base, "body")
}

fn futures_stream(
    bytes: Vec<u8>,
) -> impl futures_core::Stream<Item = Result<axum::body::Bytes, std::convert::Infallible>> {
    tokio_stream::once(Ok(axum::body::Bytes::from(bytes)))
}

fn parse(data: &[u8], format: RdfFormat, base: &str, name: &str) -> Result<Vec<Triple>, ApiError> {
    let parser = RdfParser::from_format(format)
        .with_base_iri(base)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?
        .without_named_graphs()
        .rename_blank_nodes();
    parser
        .for_slice(data)
        .map(|q| {
            q.map(Triple::from).map_err(|e| {
                let position = e
                    .location()
                    .map(|r| {
                        format!(
                            " at line {}, column {}",
                            r.start.line + 1,
                            r.start.column + 1
                        )
                    })
                    .unwrap_or_default();
                ApiError::BadRequest(format!("{name}{position}: {e}"))
            })
        })
        .collect()
}

/// A fresh graph IRI below the graph store, for a POST to the store itself.
fn new_graph_iri(url: &str) -> Result<NamedNode, ApiError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = Sha256::new();
    hasher.update(format!(
        "{:?}{}{}",
        std::time::SystemTime::now(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let id = kulturnetz_model::hex(&hasher.finalize()[..12]);
    NamedNode::new(format!("{}/{id}", url.trim_end_matches('/')))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use crate::testing::{App, TOKEN, request};
    use axum::http::StatusCode;

    #[tokio::test]
    async fn a_graph_is_written_read_and_deleted() {
        let app = App::new(Some("https://kultur.example/"));
        let auth = format!("Bearer {TOKEN}");
        let turtle = ("Content-Type", "text/turtle");
        let r = app
            .call(request(
                "PUT",
                "/store?graph=http://ex.example/new",
                &[turtle, ("Authorization", &auth)],
                "<http://ex.example/a> <http://ex.example/b> 1 .",
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let r = app
            .call(request(
                "GET",
                "/store?graph=http://ex.example/new",
                &[("Accept", "application/n-triples")],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.body,
            "<http://ex.example/a> <http://ex.example/b> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
        );
        let r = app
            .call(request(
                "HEAD",
                "/store?graph=http://ex.example/new",
                &[],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.is_empty());
        let r = app
            .call(request(
                "POST",
                "/store",
                &[turtle, ("Authorization", &auth)],
                "<http://ex.example/c> <http://ex.example/d> 2 .",
            ))
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert!(
            r.header("location")
                .starts_with("https://kultur.example/store/"),
            "{}",
            r.header("location")
        );
        let r = app
            .call(request(
                "DELETE",
                "/store?graph=http://ex.example/new",
                &[("Authorization", &auth)],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        let r = app
            .call(request(
                "DELETE",
                "/store?graph=http://ex.example/new",
                &[("Authorization", &auth)],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn writes_need_the_token_and_methods_are_listed() {
        let app = App::new(None);
        let r = app
            .call(request(
                "DELETE",
                "/store?graph=http://ex.example/g",
                &[],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = app
            .call(request(
                "PATCH",
                "/store?graph=http://ex.example/g",
                &[],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.header("allow"), "GET, HEAD, PUT, POST, DELETE");
        let r = app
            .call(request(
                "GET",
                "/store?graph=http://ex.example/g&default",
                &[],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = app
            .call(request(
                "GET",
                "/store?graph=http://ex.example/none",
                &[],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}
