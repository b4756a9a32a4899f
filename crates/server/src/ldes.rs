//! `/ldes/events`: the site's events as a Linked Data Event Stream (LDES 2.0, TREE), so that a
//! consumer replicates them and stays in sync.
//!
//! Each ingest that publishes something compares every event (a subject with `schema:startDate`
//! in a source's graph) with what the previous one saw and appends a member for each event
//! created, changed or removed to `events.jsonl` in the stream's folder (the binary writes it:
//! [`Member`]). A member is a version of its event: `dcterms:isVersionOf` the event,
//! `prov:generatedAtTime` the ingest's time, `rdf:type` `as:Create`, `as:Update` or
//! `as:Delete`, and (but for a removal) the event's statements with the version as subject.
//!
//! The stream is paged by sequence: `/ldes/events/{n}` holds the members `n·PAGE` to
//! `(n+1)·PAGE − 1`. A full page never changes (cached a year, `immutable`) and points to the
//! next with a `tree:GreaterThanOrEqualToRelation` on the time of its first member; the last page
//! fills as ingests go on (cached a minute). `/ldes/events` describes the stream and its view,
//! the first page. Nothing is dropped (`ldes:startingFrom` the first member's time).

use crate::error::ApiError;
use crate::extract::{Params, RequestUrl};
use crate::negotiate::{choose, negotiated};
use crate::state::{AppState, State};
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use oxrdfio::{RdfFormat, RdfParser};
use std::sync::Arc;

/// The members' file in the stream's folder.
pub const LOG_FILE: &str = "events.jsonl";
/// Members a page holds.
pub const PAGE: u64 = 100;

/// One member of the stream: a line of [`LOG_FILE`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Member {
    /// Its place in the stream, from 0, without gaps.
    pub seq: u64,
    /// When the ingest that saw the change ended (`xsd:dateTime`, UTC).
    pub time: String,
    /// `create`, `update` or `delete`.
    pub kind: String,
    /// The event's IRI.
    pub iri: String,
    /// The event's statements as N-Triples with the event as subject (empty for `delete`).
    pub nt: String,
}

const TREE: &str = "https://w3id.org/tree#";
const LDES: &str = "https://w3id.org/ldes#";
const AS: &str = "https://www.w3.org/ns/activitystreams#";
const PROV_GENERATED: &str = "http://www.w3.org/ns/prov#generatedAtTime";
const IS_VERSION_OF: &str = "http://purl.org/dc/terms/isVersionOf";

fn iri(text: &str) -> NamedNode {
    NamedNode::new_unchecked(text)
}

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/ldes/events",
            get(
                |state: State, url: RequestUrl, headers: HeaderMap, params: Params| async move {
                    stream(&state.0, &url, &headers, &params)
                },
            ),
        )
        .route(
            "/ldes/events/{page}",
            get(
                |state: State,
                 url: RequestUrl,
                 headers: HeaderMap,
                 params: Params,
                 Path(page): Path<String>| async move {
                    page_of(&state.0, &url, &headers, &params, &page)
                },
            ),
        )
}

/// The members, read from the stream's folder (none yet: an empty stream).
fn members(state: &AppState) -> Result<Vec<Member>, ApiError> {
    let Some(dir) = &state.options.ldes else {
        return Err(ApiError::NotFound(
            "this server publishes no event stream".into(),
        ));
    };
    let text = match std::fs::read_to_string(dir.join(LOG_FILE)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(ApiError::Internal(format!("the event stream: {e}"))),
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l)
                .map_err(|e| ApiError::Internal(format!("the event stream: {e}")))
        })
        .collect()
}

/// The stream's root IRI from a request for it or one of its pages.
fn root(url: &RequestUrl) -> String {
    let path = url.0.as_str();
    match path.find("/ldes/events") {
        Some(i) => format!("{}/ldes/events", &path[..i]),
        None => path.to_owned(),
    }
}

/// The description of the stream itself.
fn describe(root: &str, first: Option<&Member>, out: &mut Vec<Triple>) {
    let stream = iri(root);
    let add = |out: &mut Vec<Triple>, p: &str, o: Term| {
        out.push(Triple::new(stream.clone(), iri(p), o));
    };
    add(
        out,
        rdf::TYPE.as_str(),
        iri(&format!("{LDES}EventStream")).into(),
    );
    add(
        out,
        &format!("{LDES}timestampPath"),
        iri(PROV_GENERATED).into(),
    );
    add(
        out,
        &format!("{LDES}versionOfPath"),
        iri(IS_VERSION_OF).into(),
    );
    add(
        out,
        &format!("{LDES}versionCreateObject"),
        iri(&format!("{AS}Create")).into(),
    );
    add(
        out,
        &format!("{LDES}versionUpdateObject"),
        iri(&format!("{AS}Update")).into(),
    );
    add(
        out,
        &format!("{LDES}versionDeleteObject"),
        iri(&format!("{AS}Delete")).into(),
    );
    add(
        out,
        &format!("{TREE}view"),
        iri(&format!("{root}/0")).into(),
    );
    let policy = BlankNode::new_unchecked("retention");
    add(
        out,
        &format!("{LDES}retentionPolicy"),
        policy.clone().into(),
    );
    out.push(Triple::new(
        policy.clone(),
        rdf::TYPE,
        iri(&format!("{LDES}RetentionPolicy")),
    ));
    if let Some(first) = first {
        out.push(Triple::new(
            policy,
            iri(&format!("{LDES}startingFrom")),
            Literal::new_typed_literal(&first.time, xsd::DATE_TIME),
        ));
    }
}

fn stream(
    state: &AppState,
    url: &RequestUrl,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Response, ApiError> {
    let members = members(state)?;
    let root = root(url);
    let mut triples = Vec::new();
    describe(&root, members.first(), &mut triples);
    answer(headers, params, &triples, 60)
}

fn page_of(
    state: &AppState,
    url: &RequestUrl,
    headers: &HeaderMap,
    params: &Params,
    page: &str,
) -> Result<Response, ApiError> {
    let page: u64 = page
        .parse()
        .map_err(|_| ApiError::NotFound(format!("there is no page {page:?} of this stream")))?;
    let members = members(state)?;
    let pages = (members.len() as u64).div_ceil(PAGE).max(1);
    if page >= pages {
        return Err(ApiError::NotFound(format!(
            "there is no page {page} of this stream (pages 0 to {})",
            pages - 1
        )));
    }
    let root = root(url);
    let node = iri(&format!("{root}/{page}"));
    let mut triples = Vec::new();
    describe(&root, members.first(), &mut triples);
    triples.push(Triple::new(
        node.clone(),
        rdf::TYPE,
        iri(&format!("{TREE}Node")),
    ));
    let start = usize::try_from(page * PAGE).unwrap_or(usize::MAX);
    let end = members.len().min(start.saturating_add(PAGE as usize));
    let full = end - start == PAGE as usize;
    if full {
        // The next page begins at or after the time of its first member (or, while it is
        // empty, of this page's last).
        let from = members
            .get(end)
            .or_else(|| members.get(end - 1))
            .map(|m| m.time.clone())
            .unwrap_or_default();
        let relation = BlankNode::new_unchecked("next");
        triples.push(Triple::new(
            node.clone(),
            iri(&format!("{TREE}relation")),
            relation.clone(),
        ));
        for (p, o) in [
            (
                rdf::TYPE.as_str().to_owned(),
                Term::from(iri(&format!("{TREE}GreaterThanOrEqualToRelation"))),
            ),
            (
                format!("{TREE}node"),
                iri(&format!("{root}/{}", page + 1)).into(),
            ),
            (format!("{TREE}path"), iri(PROV_GENERATED).into()),
            (
                format!("{TREE}value"),
                Literal::new_typed_literal(from, xsd::DATE_TIME).into(),
            ),
        ] {
            triples.push(Triple::new(relation.clone(), iri(&p), o));
        }
    }
    let stream = iri(&root);
    for m in &members[start..end] {
        let version = iri(&format!("{root}/{page}#{}", m.seq));
        triples.push(Triple::new(
            stream.clone(),
            iri(&format!("{TREE}member")),
            version.clone(),
        ));
        let kind = match m.kind.as_str() {
            "create" => "Create",
            "update" => "Update",
            _ => "Delete",
        };
        triples.push(Triple::new(
            version.clone(),
            rdf::TYPE,
            iri(&format!("{AS}{kind}")),
        ));
        triples.push(Triple::new(
            version.clone(),
            iri(IS_VERSION_OF),
            iri(&m.iri),
        ));
        triples.push(Triple::new(
            version.clone(),
            iri(PROV_GENERATED),
            Literal::new_typed_literal(&m.time, xsd::DATE_TIME),
        ));
        for parsed in RdfParser::from_format(RdfFormat::NTriples).for_slice(m.nt.as_bytes()) {
            let quad = parsed.map_err(|e| ApiError::Internal(format!("the event stream: {e}")))?;
            // The members of a page share its document: their blank nodes are kept apart.
            let own = |b: &BlankNode| BlankNode::new_unchecked(format!("m{}{}", m.seq, b.as_str()));
            let subject: NamedOrBlankNode = match &quad.subject {
                NamedOrBlankNode::NamedNode(n) if n.as_str() == m.iri => version.clone().into(),
                NamedOrBlankNode::BlankNode(b) => own(b).into(),
                other => other.clone(),
            };
            let object = match quad.object {
                Term::BlankNode(b) => own(&b).into(),
                other => other,
            };
            triples.push(Triple::new(subject, quad.predicate, object));
        }
    }
    answer(
        headers,
        params,
        &triples,
        if full { 31_536_000 } else { 60 },
    )
}

/// The triples in the negotiated format, cached for `max_age` seconds (`immutable` when a
/// year).
fn answer(
    headers: &HeaderMap,
    params: &Params,
    triples: &[Triple],
    max_age: u32,
) -> Result<Response, ApiError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = choose(
        crate::ontology::TRIPLE_FORMATS,
        accept,
        params.one("format")?,
    )?;
    let body = crate::ontology::serialize(triples, format)?;
    let mut response = negotiated(body.into(), format.media_type());
    let cache = if max_age >= 31_536_000 {
        format!("public, max-age={max_age}, immutable")
    } else {
        format!("public, max-age={max_age}")
    };
    if let Ok(v) = HeaderValue::from_str(&cache) {
        response.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    Ok(response)
}
