//! The feeds written out: JSON, GeoJSON (RFC 7946), JSON-LD with schema.org's vocabulary and
//! iCalendar (RFC 5545).

use super::query::{Access, Event, Place, Venue};
use crate::error::ApiError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use kulturnetz_model::SiteConfig;
use serde_json::{Map, Value, json};
use std::collections::HashSet;

fn to_vec(value: &Value) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(value).map_err(|e| ApiError::Internal(e.to_string()))
}

/// `value` if it is some, else JSON's `null`.
fn opt<T: Into<Value> + Clone>(value: Option<&T>) -> Value {
    value.cloned().map_or(Value::Null, Into::into)
}

fn access_json(access: &Access) -> Value {
    Value::Object(
        access
            .0
            .iter()
            .map(|(need, yes)| (need.name().to_owned(), Value::Bool(*yes)))
            .collect(),
    )
}

fn place_json(place: &Place) -> Value {
    let id = if place.iri.is_empty() {
        Value::Null
    } else {
        Value::from(place.iri.clone())
    };
    json!({
        "id": id,
        "name": opt(place.name.as_ref()),
        "address": {
            "street": opt(place.street.as_ref()),
            "postalCode": opt(place.postal_code.as_ref()),
            "locality": opt(place.locality.as_ref()),
        },
        "lat": place.point.map_or(Value::Null, |p| Value::from(p.0)),
        "lon": place.point.map_or(Value::Null, |p| Value::from(p.1)),
    })
}

fn event_json(e: &Event) -> Value {
    let mut v = json!({
        "id": e.iri,
        "name": opt(e.name.as_ref()),
        "start": e.start,
        "end": opt(e.end.as_ref()),
        "description": opt(e.description.as_ref()),
        "url": opt(e.url.as_ref()),
        "categories": e.categories,
        "price": e.price.as_ref().map_or(Value::Null, |p| json!({
            "amount": p,
            "currency": opt(e.currency.as_ref()),
        })),
        "free": opt(e.free.as_ref()),
        "organizer": e.organizer.as_ref().map_or(Value::Null, |o| json!({
            "id": o,
            "name": opt(e.organizer_name.as_ref()),
        })),
        "venue": e.venue.as_ref().map_or(Value::Null, place_json),
        "accessibility": access_json(&e.access),
        "source": e.source,
    });
    if let (Some(d), Value::Object(map)) = (e.distance_km, &mut v) {
        map.insert("distance_km".into(), Value::from(d));
    }
    v
}

fn venue_json(v: &Venue) -> Value {
    let mut value = place_json(&v.place);
    if let Value::Object(map) = &mut value {
        map.insert("url".into(), opt(v.url.as_ref()));
        map.insert("categories".into(), Value::from(v.categories.clone()));
        map.insert("accessibility".into(), access_json(&v.access));
        map.insert("source".into(), Value::from(v.source.clone()));
        if let Some(d) = v.distance_km {
            map.insert("distance_km".into(), Value::from(d));
        }
    }
    value
}

fn with_next(mut value: Value, next: Option<&str>) -> Value {
    if let (Some(next), Value::Object(map)) = (next, &mut value) {
        map.insert("next".into(), Value::from(next));
    }
    value
}

pub(super) fn events_json(events: &[Event], next: Option<&str>) -> Result<Vec<u8>, ApiError> {
    let items: Vec<Value> = events.iter().map(event_json).collect();
    to_vec(&with_next(json!({ "events": items }), next))
}

pub(super) fn venues_json(venues: &[Venue], next: Option<&str>) -> Result<Vec<u8>, ApiError> {
    let items: Vec<Value> = venues.iter().map(venue_json).collect();
    to_vec(&with_next(json!({ "venues": items }), next))
}

/// A GeoJSON feature: a point in longitude, latitude order (RFC 7946 §3.1.1), or no geometry
/// for an item without coordinates (§3.2).
fn feature(id: &str, point: Option<(f64, f64)>, properties: &Value) -> Value {
    json!({
        "type": "Feature",
        "id": id,
        "geometry": point.map_or(Value::Null, |(lat, lon)| json!({
            "type": "Point",
            "coordinates": [lon, lat],
        })),
        "properties": properties,
    })
}

pub(super) fn events_geojson(events: &[Event], next: Option<&str>) -> Result<Vec<u8>, ApiError> {
    let features: Vec<Value> = events
        .iter()
        .map(|e| {
            feature(
                &e.iri,
                e.venue.as_ref().and_then(|v| v.point),
                &event_json(e),
            )
        })
        .collect();
    to_vec(&with_next(
        json!({ "type": "FeatureCollection", "features": features }),
        next,
    ))
}

pub(super) fn venues_geojson(venues: &[Venue], next: Option<&str>) -> Result<Vec<u8>, ApiError> {
    let features: Vec<Value> = venues
        .iter()
        .map(|v| feature(&v.iri, v.place.point, &venue_json(v)))
        .collect();
    to_vec(&with_next(
        json!({ "type": "FeatureCollection", "features": features }),
        next,
    ))
}

/// Inserts `key: value` if the value is some.
fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), value);
    }
}

pub(super) fn events_jsonld(events: &[Event]) -> Result<Vec<u8>, ApiError> {
    let graph: Vec<Value> = events
        .iter()
        .map(|e| {
            let mut m = Map::new();
            m.insert("@id".into(), Value::from(e.iri.clone()));
            m.insert("@type".into(), Value::from("Event"));
            put(&mut m, "name", e.name.clone().map(Value::from));
            m.insert("startDate".into(), Value::from(e.start.clone()));
            put(&mut m, "endDate", e.end.clone().map(Value::from));
            put(
                &mut m,
                "description",
                e.description.clone().map(Value::from),
            );
            put(&mut m, "url", e.url.clone().map(Value::from));
            if !e.categories.is_empty() {
                m.insert("keywords".into(), Value::from(e.categories.clone()));
            }
            if let Some(v) = &e.venue {
                let mut place = Map::new();
                if !v.iri.is_empty() {
                    place.insert("@id".into(), Value::from(v.iri.clone()));
                }
                place.insert("@type".into(), Value::from("Place"));
                put(&mut place, "name", v.name.clone().map(Value::from));
                let mut address = Map::new();
                put(
                    &mut address,
                    "streetAddress",
                    v.street.clone().map(Value::from),
                );
                put(
                    &mut address,
                    "postalCode",
                    v.postal_code.clone().map(Value::from),
                );
                put(
                    &mut address,
                    "addressLocality",
                    v.locality.clone().map(Value::from),
                );
                if !address.is_empty() {
                    address.insert("@type".into(), Value::from("PostalAddress"));
                    place.insert("address".into(), Value::Object(address));
                }
                if let Some((lat, lon)) = v.point {
                    place.insert(
                        "geo".into(),
                        json!({ "@type": "GeoCoordinates", "latitude": lat, "longitude": lon }),
                    );
                }
                m.insert("location".into(), Value::Object(place));
            }
            if let Some(price) = &e.price {
                let mut offer = Map::new();
                offer.insert("@type".into(), Value::from("Offer"));
                offer.insert("price".into(), Value::from(price.clone()));
                put(
                    &mut offer,
                    "priceCurrency",
                    e.currency.clone().map(Value::from),
                );
                m.insert("offers".into(), Value::Object(offer));
            }
            put(&mut m, "isAccessibleForFree", e.free.map(Value::from));
            if let Some(o) = &e.organizer {
                let mut org = Map::new();
                org.insert("@id".into(), Value::from(o.clone()));
                put(&mut org, "name", e.organizer_name.clone().map(Value::from));
                m.insert("organizer".into(), Value::Object(org));
            }
            Value::Object(m)
        })
        .collect();
    to_vec(&json!({
        "@context": { "@vocab": "http://schema.org/" },
        "@graph": graph,
    }))
}

/// The zone of times that the sources give without an offset: the calendars of this site are
/// kept in it (the `ical` connector reads floating times in it by default).
const FLOATING_ZONE: &str = "Europe/Berlin";

/// `FLOATING_ZONE`'s rules since 1996 (the EU's summer time), as an RFC 5545 VTIMEZONE.
const VTIMEZONE_BERLIN: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// A start or end as iCalendar writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum When {
    Date(NaiveDate),
    Utc(DateTime<Utc>),
    Floating(NaiveDateTime),
}

impl When {
    /// Reads an `xsd:date` or `xsd:dateTime` (also with an offset written `+0200`).
    fn parse(lexical: &str) -> Option<Self> {
        let v = lexical.trim();
        if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            return Some(Self::Date(d));
        }
        let mut fixed = v.to_owned();
        let n = fixed.len();
        if n > 5
            && fixed.is_char_boundary(n - 5)
            && matches!(fixed.as_bytes()[n - 5], b'+' | b'-')
            && fixed[n - 4..].bytes().all(|b| b.is_ascii_digit())
            && fixed.contains('T')
        {
            fixed.insert(n - 2, ':');
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(&fixed) {
            return Some(Self::Utc(t.with_timezone(&Utc)));
        }
        NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f")
            .ok()
            .map(Self::Floating)
    }

    fn same_kind(self, other: Self) -> bool {
        std::mem::discriminant(&self) == std::mem::discriminant(&other)
    }

    /// The property line: `name;VALUE=DATE:…`, `name:…Z` or `name;TZID=…:…`.
    fn line(self, name: &str) -> String {
        match self {
            Self::Date(d) => format!("{name};VALUE=DATE:{}", d.format("%Y%m%d")),
            Self::Utc(t) => format!("{name}:{}", t.format("%Y%m%dT%H%M%SZ")),
            Self::Floating(t) => {
                format!("{name};TZID={FLOATING_ZONE}:{}", t.format("%Y%m%dT%H%M%S"))
            }
        }
    }
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets (RFC 5545 §3.1), never inside a character,
/// ended by CRLF.
fn fold(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// A stable `UID` from the event's IRI (and its start, for a second start of one IRI).
fn uid(iri: &str, start: &str, seen: &mut HashSet<String>, host: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut key = iri.to_owned();
    if !seen.insert(iri.to_owned()) {
        key = format!("{iri}\n{start}");
    }
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}@{host}")
}

/// Whether `url` can stand as a URI value.
fn uri(url: &str) -> Option<&str> {
    let url = url.trim();
    (oxiri::Iri::parse(url).is_ok()
        && (url.starts_with("http://") || url.starts_with("https://"))
        && url.is_ascii())
    .then_some(url)
}

pub(super) fn events_ics(
    events: &[Event],
    site: &SiteConfig,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, ApiError> {
    let host = oxiri::Iri::parse(site.base_iri.as_str())
        .ok()
        .and_then(|i| i.authority().map(str::to_owned))
        .unwrap_or_else(|| "kulturnetz".into());
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut body = String::new();
    let mut seen = HashSet::new();
    let mut floating = false;
    for e in events {
        let Some(start) = When::parse(&e.start).or_else(|| When::parse(&e.when)) else {
            continue;
        };
        floating |= matches!(start, When::Floating(_));
        fold(&mut body, "BEGIN:VEVENT");
        fold(
            &mut body,
            &format!("UID:{}", uid(&e.iri, &e.start, &mut seen, &host)),
        );
        fold(&mut body, &format!("DTSTAMP:{stamp}"));
        fold(&mut body, &start.line("DTSTART"));
        if let Some(end) = e.end.as_deref().and_then(When::parse)
            && end.same_kind(start)
        {
            // schema:endDate of an all-day event is its last day; DTEND is exclusive.
            let end = match end {
                When::Date(d) => d.succ_opt().map(When::Date),
                other => Some(other),
            };
            let after = match (start, end) {
                (When::Date(a), Some(When::Date(b))) => a < b,
                (When::Utc(a), Some(When::Utc(b))) => a < b,
                (When::Floating(a), Some(When::Floating(b))) => a < b,
                _ => false,
            };
            if let (true, Some(end)) = (after, end) {
                fold(&mut body, &end.line("DTEND"));
            }
        }
        if let Some(name) = &e.name {
            fold(&mut body, &format!("SUMMARY:{}", text(name)));
        }
        let mut description = e.description.clone().unwrap_or_default();
        if let Some(org) = e.organizer_name.as_ref().or(e.organizer.as_ref()) {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(org);
        }
        if !description.is_empty() {
            fold(&mut body, &format!("DESCRIPTION:{}", text(&description)));
        }
        if let Some(v) = &e.venue {
            let parts: Vec<&str> = [v.name.as_deref(), v.street.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            let mut location = parts.join(", ");
            let town: Vec<&str> = [v.postal_code.as_deref(), v.locality.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            if !town.is_empty() {
                if !location.is_empty() {
                    location.push_str(", ");
                }
                location.push_str(&town.join(" "));
            }
            if !location.is_empty() {
                fold(&mut body, &format!("LOCATION:{}", text(&location)));
            }
            if let Some((lat, lon)) = v.point {
                fold(&mut body, &format!("GEO:{lat};{lon}"));
            }
        }
        if !e.categories.is_empty() {
            let categories: Vec<String> = e.categories.iter().map(|c| text(c)).collect();
            fold(&mut body, &format!("CATEGORIES:{}", categories.join(",")));
        }
        let url = e.url.as_deref().and_then(uri).or_else(|| uri(&e.iri));
        if let Some(url) = url {
            fold(&mut body, &format!("URL:{url}"));
        }
        fold(&mut body, "END:VEVENT");
    }
    let mut out = String::new();
    fold(&mut out, "BEGIN:VCALENDAR");
    fold(&mut out, "VERSION:2.0");
    fold(&mut out, "PRODID:-//Kulturnetz//Veranstaltungen//DE");
    fold(&mut out, "CALSCALE:GREGORIAN");
    fold(&mut out, "METHOD:PUBLISH");
    if !site.title.is_empty() {
        fold(&mut out, &format!("X-WR-CALNAME:{}", text(&site.title)));
    }
    if floating {
        for line in VTIMEZONE_BERLIN {
            fold(&mut out, line);
        }
    }
    out.push_str(&body);
    fold(&mut out, "END:VCALENDAR");
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", "ä".repeat(60));
        fold(&mut out, &line);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l:?}");
        }
        assert_eq!(out.replace("\r\n ", "").trim_end(), line);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn times_are_read_in_every_form_the_sources_write() {
        assert!(matches!(When::parse("2023-05-07"), Some(When::Date(_))));
        assert_eq!(
            When::parse("2014-10-17T20:00:00+0200").map(|w| w.line("DTSTART")),
            Some("DTSTART:20141017T180000Z".into())
        );
        assert_eq!(
            When::parse("2023-05-07T11:00:00").map(|w| w.line("DTSTART")),
            Some("DTSTART;TZID=Europe/Berlin:20230507T110000".into())
        );
    }
}
