//! Named queries as a REST API: each `queries/*.rq` of the site with a `#+` header
//! (docs/queries.md) answers at `GET /api/queries/{name}` as JSON, CSV or GeoJSON; `/api/queries`
//! lists them and `/api/openapi.json` describes them and the feeds (OpenAPI 3.1).
//!
//! The parameters are checked against their declared types and bound as RDF terms into the
//! parsed query (`kulturnetz_sparql::bind`), never into its text: no value changes the query's
//! shape. The files are read on each request, so that a changed query answers at once.

mod openapi;
pub(crate) mod spec;

use crate::error::ApiError;
use crate::extract::Params;
use crate::feeds::cors_route;
use crate::select::Rows;
use crate::state::{AppState, State};
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oxrdf::{Term, Variable};
use serde_json::{Value, json};
use spec::Header;
use std::collections::HashMap;
use std::sync::Arc;

/// The deepest `offset` a page may start at.
const MAX_OFFSET: usize = 1_000_000;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/queries", cors_route(get(list)))
        .route("/api/queries/{name}", cors_route(get(run)))
        .route("/api/openapi.json", cors_route(get(openapi)))
}

/// A named query as read from its file.
pub(crate) struct Named {
    pub(crate) name: String,
    pub(crate) header: Header,
    query: spargebra::Query,
}

/// Reads every `*.rq` of the site's queries folder, sorted by name. A missing folder means no
/// named queries; a file whose header or query is wrong is left out with a warning in the log.
fn load(dir: Option<&std::path::Path>) -> Vec<Named> {
    let Some(dir) = dir else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let name = path.file_stem()?.to_str()?.to_owned();
            match read(&path) {
                Ok((header, query)) => Some(Named {
                    name,
                    header,
                    query,
                }),
                Err(e) => {
                    tracing::warn!("named query {}: {e}", path.display());
                    None
                }
            }
        })
        .collect()
}

fn read(path: &std::path::Path) -> Result<(Header, spargebra::Query), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let header = spec::parse(&text)?;
    let query = kulturnetz_sparql::parse_query(&text, None).map_err(|e| e.to_string())?;
    if !matches!(query, spargebra::Query::Select { .. }) {
        return Err("a named query must be a SELECT".into());
    }
    let mut variables = Vec::new();
    let _ = kulturnetz_sparql::visit::walk_query(&query, |node, _| {
        use kulturnetz_sparql::visit::Node;
        match node {
            Node::Pattern(p) => {
                p.on_in_scope_variable(|v| variables.push(v.as_str().to_owned()));
            }
            Node::Expression(spargebra::algebra::Expression::Variable(v)) => {
                variables.push(v.as_str().to_owned());
            }
            _ => {}
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    for p in &header.params {
        if !variables.contains(&p.name) {
            return Err(format!(
                "parameter {} names no variable of the query (?{})",
                p.name, p.name
            ));
        }
    }
    Ok((header, query))
}

async fn queries(state: &AppState) -> Result<Vec<Named>, ApiError> {
    let dir = state.options.queries.clone();
    Ok(tokio::task::spawn_blocking(move || load(dir.as_deref())).await?)
}

async fn list(state: State) -> Result<Response, ApiError> {
    let named = queries(&state.0).await?;
    let items: Vec<Value> = named
        .iter()
        .map(|n| {
            json!({
                "name": n.name,
                "path": format!("/api/queries/{}", n.name),
                "title": { "de": n.header.title.de, "en": n.header.title.en },
                "description": { "de": n.header.description.de, "en": n.header.description.en },
                "audience": n.header.audience,
                "limit": n.header.limit,
                "max_limit": n.header.max_limit,
                "parameters": n.header.params.iter().map(|p| json!({
                    "name": p.name,
                    "type": p.kind.name(),
                    "required": p.default.is_none(),
                    "default": p.default,
                    "min": p.min,
                    "max": p.max,
                    "enum": (!p.choices.is_empty()).then_some(&p.choices),
                    "description": p.description,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json_response(&json!({ "queries": items }), "application/json")
}

async fn openapi(state: State) -> Result<Response, ApiError> {
    let named = queries(&state.0).await?;
    json_response(&openapi::document(&state.0, &named), "application/json")
}

fn json_response(value: &Value, media_type: &'static str) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, media_type)], body).into_response())
}

/// What a query's result is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Json,
    Csv,
    GeoJson,
}

impl Output {
    const ALL: [Self; 3] = [Self::Json, Self::Csv, Self::GeoJson];

    fn media_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Csv => "text/csv; charset=utf-8",
            Self::GeoJson => "application/geo+json",
        }
    }

    fn by_suffix(name: &str) -> (&str, Option<Self>) {
        for (suffix, f) in [
            (".json", Self::Json),
            (".csv", Self::Csv),
            (".geojson", Self::GeoJson),
        ] {
            if let Some(stem) = name.strip_suffix(suffix) {
                return (stem, Some(f));
            }
        }
        (name, None)
    }

    fn by_accept(accept: Option<&str>) -> Result<Self, ApiError> {
        let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
            return Ok(Self::Json);
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
            for (i, f) in Self::ALL.iter().enumerate() {
                let essence = f.media_type().split(';').next().unwrap_or_default();
                let matches = media == essence
                    || media == "*/*"
                    || (media == "application/*" && essence.starts_with("application/"))
                    || (media == "text/*" && essence.starts_with("text/"));
                if matches && best.is_none_or(|(bq, bi)| q > bq || (q == bq && i < bi)) {
                    best = Some((q, i));
                }
            }
        }
        best.map(|(_, i)| Self::ALL[i])
            .ok_or_else(|| ApiError::NotAcceptable {
                available: Self::ALL
                    .iter()
                    .map(|f| f.media_type())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

fn page_param(params: &Params, key: &str, default: usize, max: usize) -> Result<usize, ApiError> {
    params
        .one(key)?
        .map(|v| {
            v.trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= max && (key != "limit" || *n > 0))
                .ok_or_else(|| {
                    bad(format!(
                        "{key}={v:?}: expected a whole number from {} to {max}",
                        usize::from(key == "limit")
                    ))
                })
        })
        .transpose()
        .map(|v| v.unwrap_or(default))
}

async fn run(
    state: State,
    Path(name): Path<String>,
    params: Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let state = state.0;
    let (name, suffix) = Output::by_suffix(&name);
    let output = match suffix {
        Some(f) => f,
        None => Output::by_accept(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()))?,
    };
    let named = queries(&state).await?;
    let Some(named) = named.into_iter().find(|n| n.name == name) else {
        return Err(ApiError::NotFound(format!(
            "no named query {name:?}: /api/queries lists them"
        )));
    };
    let h = &named.header;
    for (key, _) in &params.0 {
        if !spec::RESERVED.contains(&key.as_str()) && !h.params.iter().any(|p| &p.name == key) {
            let known: Vec<&str> = h
                .params
                .iter()
                .map(|p| p.name.as_str())
                .chain(["limit", "offset"])
                .collect();
            return Err(bad(format!(
                "unknown parameter `{key}`: the query {name} takes {}",
                known.join(", ")
            )));
        }
    }
    if params.one("format")?.is_some() {
        return Err(bad(
            "format: choose the format by a suffix (.json, .csv, .geojson) or Accept",
        ));
    }
    let mut bindings = HashMap::new();
    for p in &h.params {
        let value = match params.one(&p.name)? {
            Some(v) => v.to_owned(),
            None => p.default.clone().ok_or_else(|| {
                bad(format!(
                    "the parameter `{}` ({}) is required",
                    p.name,
                    p.kind.name()
                ))
            })?,
        };
        let term = p
            .term(&value)
            .map_err(|e| bad(format!("{}={value:?}: {e}", p.name)))?;
        bindings.insert(Variable::new_unchecked(p.name.clone()), term);
    }
    let limit = page_param(&params, "limit", h.limit, h.max_limit)?;
    let offset = page_param(&params, "offset", 0, MAX_OFFSET)?;
    let query = kulturnetz_sparql::bind(named.query, &bindings).map_err(|e| bad(e.to_string()))?;
    let query = match query {
        spargebra::Query::Select {
            dataset,
            pattern,
            base_iri,
        } => spargebra::Query::Select {
            dataset,
            pattern: spargebra::algebra::GraphPattern::Slice {
                inner: Box::new(pattern),
                start: offset,
                length: Some(limit),
            },
            base_iri,
        },
        other => other,
    };
    let rows = crate::select::select(&state, query).await?;
    let body = match output {
        Output::Json => serde_json::to_vec(&rows_json(&rows)),
        Output::GeoJson => serde_json::to_vec(&rows_geojson(&rows)?),
        Output::Csv => Ok(rows_csv(&rows).into_bytes()),
    }
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut response = ([(header::CONTENT_TYPE, output.media_type())], body).into_response();
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}

/// A value as JSON: IRIs and text as strings, numbers and booleans as such.
fn value(term: &Term) -> Value {
    match term {
        Term::NamedNode(n) => Value::from(n.as_str()),
        Term::BlankNode(b) => Value::from(format!("_:{}", b.as_str())),
        Term::Literal(l) => {
            let dt = l.datatype().as_str();
            let xsd = "http://www.w3.org/2001/XMLSchema#";
            match dt.strip_prefix(xsd) {
                Some("integer" | "int" | "long" | "short" | "nonNegativeInteger") => l
                    .value()
                    .parse::<i64>()
                    .map_or_else(|_| Value::from(l.value()), Value::from),
                Some("decimal" | "double" | "float") => l
                    .value()
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map_or_else(|| Value::from(l.value()), Value::from),
                Some("boolean") => Value::from(l.value() == "true" || l.value() == "1"),
                _ => Value::from(l.value()),
            }
        }
        #[expect(unreachable_patterns, reason = "quoted triples exist with rdf-12 only")]
        _ => Value::Null,
    }
}

fn rows_json(rows: &Rows) -> Value {
    let columns: Vec<&str> = rows.variables.iter().map(Variable::as_str).collect();
    let items: Vec<Value> = rows
        .rows
        .iter()
        .map(|row| {
            Value::Object(
                columns
                    .iter()
                    .zip(row)
                    .filter_map(|(c, v)| Some(((*c).to_owned(), value(v.as_ref()?))))
                    .collect(),
            )
        })
        .collect();
    json!({ "columns": columns, "rows": items })
}

/// A point from a row: `?lat` and `?lon` columns, else a GeoSPARQL WKT literal in `?wkt` (a
/// point, or the centroid of a shape's vertices).
fn point(rows: &Rows, row: &[Option<Term>]) -> Option<(f64, f64)> {
    if rows.column("lat").is_none() {
        let Some(Term::Literal(wkt)) = row.get(rows.column("wkt")?)?.as_ref() else {
            return None;
        };
        return kulturnetz_search::geo::parse_wkt(wkt.value()).map(|p| (p.lat, p.lon));
    }
    let number = |name: &str| -> Option<f64> {
        match row.get(rows.column(name)?)?.as_ref()? {
            Term::Literal(l) => l.value().trim().parse().ok(),
            _ => None,
        }
    };
    let (lat, lon) = (number("lat")?, number("lon")?);
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
}

fn rows_geojson(rows: &Rows) -> Result<Value, ApiError> {
    let has_point = (rows.column("lat").is_some() && rows.column("lon").is_some())
        || rows.column("wkt").is_some();
    if !has_point {
        return Err(ApiError::NotAcceptable {
            available:
                "application/json, text/csv (this query's results have no ?lat and ?lon, nor ?wkt)"
                    .into(),
        });
    }
    let columns: Vec<&str> = rows.variables.iter().map(Variable::as_str).collect();
    let features: Vec<Value> = rows
        .rows
        .iter()
        .map(|row| {
            let properties: serde_json::Map<String, Value> = columns
                .iter()
                .zip(row)
                .filter_map(|(c, v)| Some(((*c).to_owned(), value(v.as_ref()?))))
                .collect();
            json!({
                "type": "Feature",
                "geometry": point(rows, row).map_or(Value::Null, |(lat, lon)| json!({
                    "type": "Point",
                    "coordinates": [lon, lat],
                })),
                "properties": properties,
            })
        })
        .collect();
    Ok(json!({ "type": "FeatureCollection", "features": features }))
}

/// RFC 4180: a header row of the variables, CRLF, fields quoted when they need it.
fn rows_csv(rows: &Rows) -> String {
    fn field(out: &mut String, text: &str) {
        if text.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&text.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(text);
        }
    }
    let mut out = String::new();
    for (i, v) in rows.variables.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        field(&mut out, v.as_str());
    }
    out.push_str("\r\n");
    for row in &rows.rows {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let text = match v {
                Some(Term::NamedNode(n)) => n.as_str().to_owned(),
                Some(Term::BlankNode(b)) => format!("_:{}", b.as_str()),
                Some(Term::Literal(l)) => l.value().to_owned(),
                _ => String::new(),
            };
            field(&mut out, &text);
        }
        out.push_str("\r\n");
    }
    out
}
