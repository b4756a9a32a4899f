//! In-process tests of the areas: the router called with `oneshot`, no socket.

use crate::{AppState, ServerOptions, router};
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use kulturnetz_model::SiteConfig;
use kulturnetz_store::{Backend, Embedded};
use oxrdf::{Literal, NamedNode, Triple};
use std::sync::Arc;
use tower::ServiceExt as _;

pub(crate) const TOKEN: &str = "s3cret";

/// A router over a fresh store whose graph `http://ex.example/g` holds `<s{i}> <p> i` for
/// `i < 3`, with the write token set and `public_url` if given.
pub(crate) struct App {
    _dir: tempfile::TempDir,
    router: axum::Router,
}

impl App {
    pub(crate) fn new(public_url: Option<&str>) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Embedded::open(dir.path(), &Default::default()).expect("store");
        let graph = NamedNode::new_unchecked("http://ex.example/g");
        store
            .extend_graph(
                graph.as_ref().into(),
                &mut (0..3).map(|i| {
                    Triple::new(
                        NamedNode::new_unchecked(format!("http://ex.example/s{i}")),
                        NamedNode::new_unchecked("http://ex.example/p"),
                        Literal::from(i),
                    )
                }),
            )
            .expect("data");
        let mut options = ServerOptions {
            write_token: Some(TOKEN.into()),
            ..ServerOptions::default()
        };
        options.public_url = public_url.map(str::to_owned);
        let site = SiteConfig {
            base_iri: "https://daten.kultur.example/".into(),
            title: "Test".into(),
            publisher: String::new(),
            license: None,
        };
        let backend: Arc<dyn Backend> = Arc::new(store);
        Self {
            _dir: dir,
            router: router(AppState::new(backend, site, options)),
        }
    }

    pub(crate) async fn call(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        Reply::read(response).await
    }
}

/// A response, read whole.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    async fn read(response: Response<Body>) -> Self {
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .expect("a readable body");
        Self {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// A request with `method`, `uri` and `headers`, and `body`.
pub(crate) fn request(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder
        .body(Body::from(body.to_owned()))
        .expect("a valid request")
}

/// URL-encodes a query-string value.
pub(crate) fn enc(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
