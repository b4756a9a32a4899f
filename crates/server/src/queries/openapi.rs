//! `/api/openapi.json`: an OpenAPI 3.1 description (<https://spec.openapis.org/oas/v3.1.0>)
//! of the feeds and of every named query.

use super::Named;
use super::spec::{Kind, Param};
use crate::feeds::Need;
use crate::state::AppState;
use serde_json::{Value, json};

fn schema(kind: Kind) -> Value {
    match kind {
        Kind::Iri => json!({ "type": "string", "format": "iri" }),
        Kind::String => json!({ "type": "string" }),
        Kind::Integer => json!({ "type": "integer" }),
        Kind::Decimal | Kind::Double => json!({ "type": "number" }),
        Kind::Boolean => json!({ "type": "boolean" }),
        Kind::Date => json!({ "type": "string", "format": "date" }),
        Kind::DateTime => json!({ "type": "string", "format": "date-time" }),
    }
}

/// A value of `kind` as JSON (a number for a number, …), for `default` and `enum`.
fn typed(kind: Kind, value: &str) -> Value {
    match kind {
        Kind::Integer => value
            .trim()
            .parse::<i64>()
            .map_or_else(|_| Value::from(value), Value::from),
        Kind::Decimal | Kind::Double => value
            .trim()
            .parse::<f64>()
            .map_or_else(|_| Value::from(value), Value::from),
        Kind::Boolean => Value::from(value == "true" || value == "1"),
        _ => Value::from(value),
    }
}

fn parameter(p: &Param) -> Value {
    let mut s = schema(p.kind);
    if let Value::Object(m) = &mut s {
        if let Some(d) = &p.default {
            m.insert("default".into(), typed(p.kind, d));
        }
        if let Some(min) = p.min {
            m.insert("minimum".into(), Value::from(min));
        }
        if let Some(max) = p.max {
            m.insert("maximum".into(), Value::from(max));
        }
        if !p.choices.is_empty() {
            m.insert(
                "enum".into(),
                p.choices.iter().map(|c| typed(p.kind, c)).collect(),
            );
        }
    }
    let description = if p.description.is_empty() {
        p.kind.name().to_owned()
    } else {
        p.description.clone()
    };
    json!({
        "name": p.name,
        "in": "query",
        "required": p.default.is_none(),
        "description": description,
        "schema": s,
    })
}

fn query_param(name: &str, description: &str, schema: &Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn errors() -> Value {
    json!({
        "400": { "description": "A parameter is wrong; the body names it.", "content": { "text/plain": { "schema": { "type": "string" } } } },
        "406": { "description": "None of the formats in Accept can be served." },
        "503": { "description": "Too many queries are running or waiting; retry after Retry-After." },
        "504": { "description": "The query ran past the time limit." },
    })
}

fn place_params() -> Vec<Value> {
    let needs: Vec<&str> = Need::ALL.iter().map(|n| n.name()).collect();
    vec![
        query_param(
            "near",
            "lat,lon: only what lies within radius_km of this point",
            &json!({ "type": "string", "pattern": "^-?[0-9.]+,-?[0-9.]+$" }),
        ),
        query_param(
            "radius_km",
            "The radius around near, in kilometres (default 10)",
            &json!({ "type": "number", "exclusiveMinimum": 0, "maximum": 500 }),
        ),
        query_param(
            "bbox",
            "south,west,north,east: only what lies within this box",
            &json!({ "type": "string" }),
        ),
        query_param(
            "accessible",
            &format!(
                "Comma-separated needs the venue meets by the linked accessibility data: {}",
                needs.join(", ")
            ),
            &json!({ "type": "string" }),
        ),
        query_param(
            "category",
            "A category (keyword) the item has; repeat for any of several",
            &json!({ "type": "string" }),
        ),
        query_param(
            "q",
            "Words that must all occur in the name or description",
            &json!({ "type": "string", "maxLength": 200 }),
        ),
        query_param(
            "source",
            "The id of a source; repeat for any of several",
            &json!({ "type": "string" }),
        ),
        query_param(
            "limit",
            "Items per page (default 50)",
            &json!({ "type": "integer", "minimum": 1, "maximum": 500 }),
        ),
        query_param(
            "cursor",
            "The next of the previous page",
            &json!({ "type": "string" }),
        ),
    ]
}

fn feed_responses(media: &[&str]) -> Value {
    let mut responses = errors();
    let content: serde_json::Map<String, Value> = media
        .iter()
        .map(|m| {
            let schema = if m.starts_with("text/") {
                json!({ "type": "string" })
            } else {
                json!({ "type": "object" })
            };
            ((*m).to_owned(), json!({ "schema": schema }))
        })
        .collect();
    if let Value::Object(r) = &mut responses {
        r.insert(
            "200".into(),
            json!({ "description": "A page of the feed; the Link header names the next page.", "content": content }),
        );
        r.insert(
            "304".into(),
            json!({ "description": "Not modified (If-None-Match named the ETag)." }),
        );
    }
    responses
}

/// The OpenAPI document of this server's feeds and named queries.
pub(super) fn document(state: &AppState, named: &[Named]) -> Value {
    let mut paths = serde_json::Map::new();
    let mut event_params = vec![
        query_param(
            "from",
            "The earliest start: a date or an RFC 3339 date-time (default: now)",
            &json!({ "type": "string" }),
        ),
        query_param(
            "to",
            "The latest start: a date (its whole day) or an RFC 3339 date-time",
            &json!({ "type": "string" }),
        ),
    ];
    event_params.extend(place_params());
    let event_media = [
        "application/json",
        "application/geo+json",
        "text/calendar",
        "application/ld+json",
    ];
    paths.insert(
        "/feeds/events".into(),
        json!({ "get": {
            "operationId": "feedEvents",
            "summary": "Upcoming events with their venue, accessibility, category, price and organiser",
            "description": "Veranstaltungen mit Ort, Barrierefreiheit, Kategorie, Preis und Veranstalter. Events with their venue, accessibility, category, price and organiser. The format by Accept, or the suffixes .json, .geojson, .ics, .jsonld.",
            "tags": ["feeds"],
            "parameters": event_params,
            "responses": feed_responses(&event_media),
        }}),
    );
    for (suffix, media) in [
        ("json", "application/json"),
        ("geojson", "application/geo+json"),
        ("ics", "text/calendar"),
        ("jsonld", "application/ld+json"),
    ] {
        let p = event_params.clone();
        paths.insert(
            format!("/feeds/events.{suffix}"),
            json!({ "get": {
                "operationId": format!("feedEvents_{suffix}"),
                "summary": format!("The events feed as {media}"),
                "tags": ["feeds"],
                "parameters": p,
                "responses": feed_responses(&[media]),
            }}),
        );
    }
    paths.insert(
        "/feeds/venues".into(),
        json!({ "get": {
            "operationId": "feedVenues",
            "summary": "Venues with their address, coordinates and accessibility",
            "description": "Orte mit Adresse, Koordinaten und Barrierefreiheit. Venues with address, coordinates and accessibility. The format by Accept, or the suffixes .geojson, .json.",
            "tags": ["feeds"],
            "parameters": place_params(),
            "responses": feed_responses(&["application/geo+json", "application/json"]),
        }}),
    );
    for (suffix, media) in [
        ("geojson", "application/geo+json"),
        ("json", "application/json"),
    ] {
        paths.insert(
            format!("/feeds/venues.{suffix}"),
            json!({ "get": {
                "operationId": format!("feedVenues_{suffix}"),
                "summary": format!("The venues feed as {media}"),
                "tags": ["feeds"],
                "parameters": place_params(),
                "responses": feed_responses(&[media]),
            }}),
        );
    }
    paths.insert(
        "/api/queries".into(),
        json!({ "get": {
            "operationId": "listQueries",
            "summary": "The named queries with their parameters",
            "tags": ["queries"],
            "responses": { "200": { "description": "The named queries", "content": { "application/json": { "schema": { "type": "object" } } } } },
        }}),
    );
    let rows_schema = json!({
        "type": "object",
        "properties": {
            "columns": { "type": "array", "items": { "type": "string" } },
            "rows": { "type": "array", "items": { "type": "object" } },
        },
    });
    for n in named {
        let mut parameters: Vec<Value> = n.header.params.iter().map(parameter).collect();
        parameters.push(query_param(
            "limit",
            "Rows per page",
            &json!({ "type": "integer", "minimum": 1, "maximum": n.header.max_limit, "default": n.header.limit }),
        ));
        parameters.push(query_param(
            "offset",
            "Rows to skip",
            &json!({ "type": "integer", "minimum": 0, "default": 0 }),
        ));
        let mut responses = errors();
        if let Value::Object(r) = &mut responses {
            r.insert(
                "200".into(),
                json!({
                    "description": "The rows of the query (by Accept, or the suffixes .json, .csv, .geojson; GeoJSON where the rows have ?lat and ?lon)",
                    "content": {
                        "application/json": { "schema": rows_schema },
                        "text/csv": { "schema": { "type": "string" } },
                        "application/geo+json": { "schema": { "type": "object" } },
                    },
                }),
            );
        }
        let tags = if n.header.audience.is_empty() {
            vec!["queries".to_owned()]
        } else {
            n.header.audience.clone()
        };
        paths.insert(
            format!("/api/queries/{}", n.name),
            json!({ "get": {
                "operationId": format!("query_{}", n.name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")),
                "summary": n.header.title.en,
                "description": format!(
                    "{}\n\n{}\n\n{}",
                    n.header.title.de, n.header.description.de, n.header.description.en
                ),
                "tags": tags,
                "parameters": parameters,
                "responses": responses,
            }}),
        );
    }
    let title = if state.site.title.is_empty() {
        "Kulturnetz".to_owned()
    } else {
        state.site.title.clone()
    };
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Feeds of events and venues, and the named queries of this site, over its SPARQL endpoint /sparql. Veranstaltungs- und Ortsfeeds und die benannten Abfragen dieser Seite.",
        },
        "paths": paths,
    });
    if let (Some(url), Value::Object(m)) = (&state.options.public_url, &mut doc) {
        m.insert(
            "servers".into(),
            json!([{ "url": url.trim_end_matches('/') }]),
        );
    }
    doc
}
