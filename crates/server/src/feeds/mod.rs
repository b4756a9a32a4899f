//! `/feeds/events` and `/feeds/venues`: events and venues for dashboards, city portals and
//! calendar apps, as JSON, GeoJSON (RFC 7946), iCalendar (RFC 5545) and JSON-LD (docs/feeds.md).
//!
//! The parameters are read and checked first (a wrong one is a 400 naming it); the filters
//! choose a page from an index of every event and venue kept in memory until the data changes
//! (`index.rs`), and one SPARQL `SELECT` with the page's IRIs as `VALUES` reads what the feed
//! shows of them, through the same queue and limits as `/sparql`. Pages are keyed on (start,
//! IRI) for events and on the IRI for venues: the `next` cursor names the last item of a page,
//! so paging neither repeats nor skips an item while an ingest changes others.

mod format;
mod index;
mod query;

use crate::error::ApiError;
use crate::extract::Params;
use crate::state::{AppState, State};
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use std::sync::Arc;

pub(crate) use index::Cache;
pub(crate) use query::Need;
use query::Request;

/// Items per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 50;
/// The most items a page may have.
const MAX_LIMIT: usize = 500;

/// What a feed is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    GeoJson,
    Ics,
    JsonLd,
}

impl Format {
    fn media_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::GeoJson => "application/geo+json",
            Self::Ics => "text/calendar; charset=utf-8",
            Self::JsonLd => "application/ld+json",
        }
    }

    /// The format an `Accept` header asks for among `offered` (the first if it names none of
    /// them or any).
    fn by_accept(offered: &[Self], accept: Option<&str>) -> Result<Self, ApiError> {
        let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
            return Ok(offered[0]);
        };
        let mut best: Option<(f32, usize)> = None;
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
                .map_or(1.0, |(_, v)| v.trim().parse().unwrap_or(0.0));
            if q <= 0.0 {
                continue;
            }
            for (i, f) in offered.iter().enumerate() {
                let essence = f.media_type().split(';').next().unwrap_or_default();
                let matches = media == essence
                    || media == "*/*"
                    || (media == "application/*" && essence.starts_with("application/"))
                    || (media == "text/*" && essence.starts_with("text/"))
                    || (*f == Self::Json && media == "text/json")
                    || (*f == Self::Ics && media == "text/ics");
                if matches && best.is_none_or(|(bq, bi)| q > bq || (q == bq && i < bi)) {
                    best = Some((q, i));
                }
            }
        }
        best.map(|(_, i)| offered[i])
            .ok_or_else(|| ApiError::NotAcceptable {
                available: offered
                    .iter()
                    .map(|f| f.media_type())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// The formats of the events feed, the first being the default.
const EVENT_FORMATS: &[Format] = &[Format::Json, Format::GeoJson, Format::Ics, Format::JsonLd];
/// The formats of the venues feed, the first being the default.
const VENUE_FORMATS: &[Format] = &[Format::GeoJson, Format::Json];

pub(crate) fn routes() -> Router<Arc<AppState>> {
    let event_route = |format: Option<Format>| {
        cors_route(get(
            move |state: State, params: Params, headers: HeaderMap| {
                events(state.0, params, headers, format)
            },
        ))
    };
    let venue_route = |format: Option<Format>| {
        cors_route(get(
            move |state: State, params: Params, headers: HeaderMap| {
                venues(state.0, params, headers, format)
            },
        ))
    };
    Router::new()
        .route("/feeds/events", event_route(None))
        .route("/feeds/events.json", event_route(Some(Format::Json)))
        .route("/feeds/events.geojson", event_route(Some(Format::GeoJson)))
        .route("/feeds/events.ics", event_route(Some(Format::Ics)))
        .route("/feeds/events.jsonld", event_route(Some(Format::JsonLd)))
        .route("/feeds/venues", venue_route(None))
        .route("/feeds/venues.geojson", venue_route(Some(Format::GeoJson)))
        .route("/feeds/venues.json", venue_route(Some(Format::Json)))
}

/// A `GET` route that browsers on other origins may read: a preflight `OPTIONS` is answered,
/// and every answer (errors included) carries `Access-Control-Allow-Origin: *`.
pub(crate) fn cors_route(route: MethodRouter<Arc<AppState>>) -> MethodRouter<Arc<AppState>> {
    route
        .options(preflight)
        .layer(axum::middleware::map_response(allow_origin))
}

async fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Accept, Accept-Language, If-None-Match"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    response
}

async fn allow_origin(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("ETag, Link"),
    );
    response
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

/// The checked `limit`.
fn limit(params: &Params) -> Result<usize, ApiError> {
    params
        .one("limit")?
        .map(|v| {
            v.trim()
                .parse::<usize>()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or_else(|| {
                    bad(format!(
                        "limit={v:?}: expected a whole number from 1 to {MAX_LIMIT}"
                    ))
                })
        })
        .transpose()
        .map(|l| l.unwrap_or(DEFAULT_LIMIT))
}

async fn events(
    state: Arc<AppState>,
    params: Params,
    headers: HeaderMap,
    format: Option<Format>,
) -> Result<Response, ApiError> {
    let format = match format {
        Some(f) => f,
        None => Format::by_accept(
            EVENT_FORMATS,
            headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()),
        )?,
    };
    let request = Request::events(&params, chrono::Utc::now(), &state.site.base_iri)?;
    let limit = limit(&params)?;
    let index = index::current(&state).await?;
    let page = request.events_page(&index, limit + 1);
    let iris: Vec<&str> = page.iter().map(|(e, _)| e.iri.as_str()).collect();
    let rows = crate::select::select(&state, query::event_details_query(&iris)?).await?;
    let mut events = query::events(&page, &rows, &request);
    let next = (events.len() > limit).then(|| {
        events.truncate(limit);
        events.last().map(query::Event::cursor)
    });
    let next = next.flatten();
    let body = match format {
        Format::Json => format::events_json(&events, next.as_deref()),
        Format::GeoJson => format::events_geojson(&events, next.as_deref()),
        Format::JsonLd => format::events_jsonld(&events),
        Format::Ics => format::events_ics(&events, &state.site, chrono::Utc::now()),
    }?;
    Ok(answer(&headers, &params, format, body, next.as_deref()))
}

async fn venues(
    state: Arc<AppState>,
    params: Params,
    headers: HeaderMap,
    format: Option<Format>,
) -> Result<Response, ApiError> {
    let format = match format {
        Some(f) => f,
        None => Format::by_accept(
            VENUE_FORMATS,
            headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()),
        )?,
    };
    let request = Request::venues(&params, &state.site.base_iri)?;
    let limit = limit(&params)?;
    let index = index::current(&state).await?;
    let page = request.venues_page(&index, limit + 1);
    let iris: Vec<&str> = page.iter().map(|(v, _)| v.iri.as_str()).collect();
    let rows = crate::select::select(&state, query::venue_details_query(&iris)?).await?;
    let mut venues = query::venues(&page, &rows, &request);
    let next = (venues.len() > limit).then(|| {
        venues.truncate(limit);
        venues.last().map(|v| query::cursor_of(&[&v.iri]))
    });
    let next = next.flatten();
    let body = match format {
        Format::GeoJson => format::venues_geojson(&venues, next.as_deref()),
        _ => format::venues_json(&venues, next.as_deref()),
    }?;
    Ok(answer(&headers, &params, format, body, next.as_deref()))
}

/// The answer with its validators: `ETag` (a hash of the body; `If-None-Match` that names it
/// gives 304), `Cache-Control`, `Vary` and a `Link` to the next page.
fn answer(
    headers: &HeaderMap,
    params: &Params,
    format: Format,
    body: Vec<u8>,
    next: Option<&str>,
) -> Response {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(&body);
    let etag = format!(
        "\"{}\"",
        digest[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let matched = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag
            })
        });
    let mut response = if matched {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, format.media_type())], body).into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    if let Some(next) = next {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.0.iter().filter(|(k, _)| k != "cursor"))
            .append_pair("cursor", next)
            .finish();
        if let Ok(v) = HeaderValue::from_str(&format!("<?{query}>; rel=\"next\"")) {
            h.insert(header::LINK, v);
        }
    }
    response
}
