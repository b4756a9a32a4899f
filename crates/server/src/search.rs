//! `GET /api/search`: ranked full-text and spatial search over the derived indexes
//! (docs/search.md, "HTTP").
//!
//! Parameters: `q` (words, all of which must match a name or a description), `type` (an IRI,
//! or `schema:X`/`kn:X`; repeatable: any of them), `near=lat,lon` with `radius_km` (within the
//! radius) or without (nearest first), `bbox=south,west,north,east`, `limit` (1 to
//! [`MAX_LIMIT`], default [`DEFAULT_LIMIT`]) and `cursor` (the `next` of the previous page).
//! With `q` the hits are ranked by score, else by distance from `near`, else by IRI.

use crate::error::ApiError;
use crate::extract::Params;
use crate::state::{AppState, State};
use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kulturnetz_search::{BoundingBox, Point, Request};
use std::sync::Arc;

/// Hits per page unless `limit` says otherwise.
pub(crate) const DEFAULT_LIMIT: usize = 20;
/// The most hits a page may have.
pub(crate) const MAX_LIMIT: usize = 100;
/// The deepest a cursor may page, in hits.
const MAX_OFFSET: usize = 10_000;
/// The longest `q` may be, in characters.
const MAX_QUERY_CHARS: usize = 500;
/// The largest radius, in kilometres (half the earth's circumference).
const MAX_RADIUS_KM: f64 = 20_037.5;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/api/search", get(search))
}

#[derive(serde::Serialize)]
struct Answer {
    hits: Vec<HitDto>,
    total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

#[derive(serde::Serialize)]
struct HitDto {
    iri: String,
    types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lon: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    distance_m: Option<f64>,
    graph: String,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

/// Reads the parameters into a search.
fn request(params: &Params, state: &AppState) -> Result<Request, ApiError> {
    for (key, _) in &params.0 {
        if !["q", "type", "near", "radius_km", "bbox", "limit", "cursor"].contains(&key.as_str()) {
            return Err(bad(format!(
                "unknown parameter `{key}`: /api/search takes q, type, near, radius_km, bbox, limit and cursor"
            )));
        }
    }
    let text = params.one("q")?.map(str::trim).filter(|q| !q.is_empty());
    if let Some(q) = text
        && q.chars().count() > MAX_QUERY_CHARS
    {
        return Err(bad(format!(
            "q is longer than {MAX_QUERY_CHARS} characters"
        )));
    }
    let types = params
        .all("type")
        .map(|t| expand(t, state))
        .collect::<Result<Vec<_>, _>>()?;
    let near = params
        .one("near")?
        .map(|v| {
            let [lat, lon] =
                crate::extract::numbers::<2>("near", v, "lat,lon in degrees, as near=50.98,11.03")?;
            Point::new(lat, lon).ok_or_else(|| {
                bad(format!(
                    "near={v:?}: latitude must be within ±90 and longitude within ±180"
                ))
            })
        })
        .transpose()?;
    let radius = params
        .one("radius_km")?
        .map(|v| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|r| r.is_finite() && *r > 0.0 && *r <= MAX_RADIUS_KM)
                .ok_or_else(|| bad(format!("radius_km={v:?}: expected a number of kilometres above 0 and at most {MAX_RADIUS_KM}")))
        })
        .transpose()?;
    if radius.is_some() && near.is_none() {
        return Err(bad("radius_km needs near=lat,lon"));
    }
    let bbox = params
        .one("bbox")?
        .map(|v| {
            let [south, west, north, east] =
                crate::extract::numbers::<4>("bbox", v, "south,west,north,east in degrees")?;
            if !(-90.0..=90.0).contains(&south)
                || !(-90.0..=90.0).contains(&north)
                || !(-180.0..=180.0).contains(&west)
                || !(-180.0..=180.0).contains(&east)
                || south > north
            {
                return Err(bad(format!(
                    "bbox={v:?}: expected south ≤ north within ±90 and west, east within ±180"
                )));
            }
            Ok(BoundingBox {
                south,
                west,
                north,
                east,
            })
        })
        .transpose()?;
    let limit = params
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
        .transpose()?
        .unwrap_or(DEFAULT_LIMIT);
    let offset = params
        .one("cursor")?
        .map(|v| {
            v.strip_prefix('o')
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|o| *o <= MAX_OFFSET)
                .ok_or_else(|| bad(format!("cursor={v:?}: not a cursor this server gave (use the `next` of the previous page)")))
        })
        .transpose()?
        .unwrap_or(0);
    if text.is_none() && near.is_none() && bbox.is_none() {
        return Err(bad(
            "give q (words), near=lat,lon or bbox=south,west,north,east",
        ));
    }
    Ok(Request {
        text: text.map(str::to_owned),
        types,
        near: near.map(|p| (p, radius.map(|r| r * 1000.0))),
        bbox,
        offset,
        limit,
        snippets: true,
    })
}

/// A type as an IRI: `schema:X` and `kn:X` are expanded, anything else must be absolute.
fn expand(t: &str, _state: &AppState) -> Result<String, ApiError> {
    let t = t.trim();
    if let Some(local) = t.strip_prefix("schema:") {
        return Ok(format!("http://schema.org/{local}"));
    }
    if let Some(local) = t.strip_prefix("kn:") {
        return Ok(format!("{}{local}", kulturnetz_search::sparql::KN));
    }
    oxrdf::NamedNode::new(t)
        .map(oxrdf::NamedNode::into_string)
        .map_err(|e| bad(format!("type={t:?}: expected an IRI or schema:Name: {e}")))
}

async fn search(state: State, params: Params) -> Result<Response, ApiError> {
    let state = state.0;
    let Some(index) = state.search.get().cloned() else {
        return Err(ApiError::NotFound("this server has no search index".into()));
    };
    let request = request(&params, &state)?;
    let permit = state.queue.enter().await?;
    let (offset, limit) = (request.offset, request.limit);
    let hits = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        index.search(&request)
    })
    .await?
    .map_err(|e| match e {
        kulturnetz_search::SearchError::Request(m) => ApiError::BadRequest(m),
        e => ApiError::Internal(e.to_string()),
    })?;
    let next = (hits.more && offset + limit <= MAX_OFFSET).then(|| format!("o{}", offset + limit));
    let answer = Answer {
        total: hits.total,
        next,
        hits: hits
            .hits
            .into_iter()
            .map(|h| HitDto {
                iri: h.iri,
                types: h.types,
                label: h.label,
                snippet: h.snippet,
                score: h.score,
                lat: h.point.map(|p| p.lat),
                lon: h.point.map(|p| p.lon),
                distance_m: h.distance_m.map(|d| (d * 10.0).round() / 10.0),
                graph: h.graph,
            })
            .collect(),
    };
    let body = serde_json::to_vec(&answer).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
