//! OpenStreetMap's conventions as the connectors meet them (<https://wiki.openstreetmap.org/wiki/Elements>):
//! the ids of elements, the IRI key of an element, and the values of the accessibility tags
//! (<https://wiki.openstreetmap.org/wiki/Key:wheelchair>). Both the `geojson` and the `a11yjson`
//! connector read them, so that an OSM element is one place whichever source names it.

use crate::a11y::Level;
use crate::json::as_text;
use serde_json::Value;

/// An id as OSM exports write it: an OSM element, with its type (`node`, `way`, `relation`)
/// if known and its number, or another id.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Id {
    Osm(Option<String>, String),
    Other(String),
}

pub(crate) fn parse_id(value: &Value) -> Option<Id> {
    let text = as_text(value)?;
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if digits(text) {
        return Some(Id::Osm(None, text.to_owned()));
    }
    let tail = text
        .trim_start_matches("https://www.openstreetmap.org/")
        .trim_start_matches("https://openstreetmap.org/");
    if let Some((ty, n)) = tail.split_once('/')
        && matches!(ty, "node" | "way" | "relation")
        && digits(n)
    {
        return Some(Id::Osm(Some(ty.to_owned()), n.to_owned()));
    }
    Some(Id::Other(text.to_owned()))
}

/// The OSM element an id names (`node/123`, `https://openstreetmap.org/way/4`), if it names one.
pub(crate) fn element(text: &str) -> Option<(String, String)> {
    match parse_id(&Value::String(text.to_owned()))? {
        Id::Osm(Some(ty), n) => Some((ty, n)),
        _ => None,
    }
}

/// The IRI key of an OSM element, the same in every connector: `osm node/123`.
pub(crate) fn key(ty: &str, n: &str) -> String {
    format!("osm {ty}/{n}")
}

/// An accessibility value (`yes`, `designated`, `limited`, `no`, …; `1` and `0`, as flags of
/// other exports read as tags, are `yes` and `no`); the first one known of a `;`-separated list.
pub(crate) fn level(value: &str) -> Option<Level> {
    value
        .split(';')
        .find_map(|v| match v.trim().to_ascii_lowercase().as_str() {
            "yes" | "designated" | "true" | "1" => Some(Level::Yes),
            "limited" | "partial" => Some(Level::Limited),
            "no" | "false" | "0" => Some(Level::No),
            _ => None,
        })
}

/// A yes/no value as a boolean.
pub(crate) fn yes_no(value: &str) -> Option<bool> {
    match level(value)? {
        Level::Yes => Some(true),
        Level::No => Some(false),
        Level::Limited => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn osm_ids() {
        assert_eq!(
            parse_id(&json!("node/123")),
            Some(Id::Osm(Some("node".into()), "123".into()))
        );
        assert_eq!(parse_id(&json!(42)), Some(Id::Osm(None, "42".into())));
        assert_eq!(parse_id(&json!("abc")), Some(Id::Other("abc".into())));
        assert_eq!(parse_id(&json!("  ")), None);
        assert_eq!(
            element("https://openstreetmap.org/way/23576086"),
            Some(("way".into(), "23576086".into()))
        );
    }

    #[test]
    fn osm_values() {
        assert_eq!(level("yes"), Some(Level::Yes));
        assert_eq!(level(" Limited "), Some(Level::Limited));
        assert_eq!(level("unknown;no"), Some(Level::No));
        assert_eq!(level("bad"), None);
        assert_eq!(yes_no("limited"), None);
        assert_eq!(yes_no("no"), Some(false));
    }
}
