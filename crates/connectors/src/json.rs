//! Splitting JSON inputs into records (<https://www.rfc-editor.org/rfc/rfc8259>): the features
//! of a GeoJSON FeatureCollection (<https://www.rfc-editor.org/rfc/rfc7946#section-3.3>), the
//! items of a list, or one object, each with the line it starts on. A rejected record's
//! diagnostic holds its text without the whitespace between tokens (`compact`).

use crate::input::{line_at, read_text};
use crate::record::Record;
use crate::reject::Reject;
use crate::{ConnectorError, Context, Input, RecordSink};
use kulturnetz_model::{Diagnostic, Location};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// A format error for `name`.
pub(crate) fn not_format(name: &str, what: &str, message: &str) -> ConnectorError {
    ConnectorError::Format(Box::new(Diagnostic::new(
        Location::file(name),
        format!("not {what}: {message}"),
    )))
}

/// One record of a JSON input: its line and its text.
pub(crate) struct Raw<'a> {
    pub(crate) line: u64,
    pub(crate) json: &'a RawValue,
}

/// The top-level object of `text`, as raw members, or why it is not JSON.
pub(crate) fn members(text: &str) -> Result<BTreeMap<String, &RawValue>, serde_json::Error> {
    serde_json::from_str(text)
}

/// The records of a list member or a list at the top.
pub(crate) fn list<'a>(
    text: &'a str,
    raw: &'a RawValue,
) -> Result<Vec<Raw<'a>>, serde_json::Error> {
    let items: Vec<&RawValue> = serde_json::from_str(raw.get())?;
    Ok(items.into_iter().map(|json| at(text, json)).collect())
}

/// `json` with the line it starts on within `text` (it is a slice of it).
pub(crate) fn at<'a>(text: &'a str, json: &'a RawValue) -> Raw<'a> {
    let offset = (json.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    Raw {
        line: line_at(text.as_bytes(), offset),
        json,
    }
}

/// The records of a GeoJSON input: the features of a FeatureCollection, a list of features, or
/// a single Feature (or bare object).
pub(crate) fn features<'a>(
    text: &'a str,
    name: &str,
    what: &str,
) -> Result<Vec<Raw<'a>>, ConnectorError> {
    let bad = |e: serde_json::Error| not_format(name, what, &format!("line {}: {e}", e.line()));
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('[') {
        let whole: &RawValue =
            serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(bad)?;
        return list(text, whole).map_err(bad);
    }
    if !trimmed.starts_with('{') {
        return Err(not_format(name, what, "expected a JSON object or list"));
    }
    let object = members(text.trim_start_matches('\u{feff}')).map_err(bad)?;
    match object.get("features") {
        Some(features) => {
            list(text, features).map_err(|_| not_format(name, what, "\"features\" is not a list"))
        }
        None => {
            let whole: &RawValue =
                serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(bad)?;
            Ok(vec![at(text, whole)])
        }
    }
}

/// Converts each feature of a GeoJSON-shaped input (see [`features`]) with `map`, which adds
/// its quads to the record it is handed (empty, and reused from feature to feature) or says why
/// the feature is rejected.
pub(crate) fn each_feature(
    mut input: Input<'_>,
    what: &str,
    cx: &Context<'_>,
    out: &mut dyn RecordSink,
    mut map: impl FnMut(&Raw<'_>, &Context<'_>, &mut Record) -> Result<(), Reject>,
) -> Result<(), ConnectorError> {
    let text = read_text(&mut input)?;
    let mut record = Record::default();
    for (index, raw) in features(&text, input.name, what)?.into_iter().enumerate() {
        let at = Location::file(input.name)
            .with_position(raw.line, 1)
            .with_record(index as u64 + 1);
        record.clear();
        match map(&raw, cx, &mut record) {
            Ok(()) => record.accept(&at, out)?,
            Err(reject) => out.reject(reject.at(at).with_raw(&compact(raw.json.get())))?,
        }
    }
    Ok(())
}

/// The JSON text `json` without the whitespace between its tokens: a rejected record as one
/// line, its members in their order and its numbers and strings as written.
pub(crate) fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

/// A JSON value as text: strings as they are, numbers and booleans written out (OSM exports
/// give `addr:postcode` as a number).
pub(crate) fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_know_their_lines() {
        let text =
            "{\"type\": \"FeatureCollection\",\n\"features\": [\n{\"id\": 1},\n  {\"id\": 2}]}";
        let features = features(text, "a.geojson", "GeoJSON").unwrap();
        let lines: Vec<u64> = features.iter().map(|f| f.line).collect();
        assert_eq!(lines, [3, 4]);
        assert_eq!(features[1].json.get(), "{\"id\": 2}");
    }

    #[test]
    fn one_feature_or_a_list() {
        assert_eq!(
            features("{\"type\": \"Feature\"}", "a", "GeoJSON")
                .unwrap()
                .len(),
            1
        );
        assert_eq!(features("[{}, {}]", "a", "GeoJSON").unwrap().len(), 2);
        assert!(features("<html>", "a", "GeoJSON").is_err());
        assert!(features("{\"features\": 3}", "a", "GeoJSON").is_err());
        assert!(features("{\"a\": ", "a", "GeoJSON").is_err());
    }

    #[test]
    fn compact_json_keeps_strings_and_order() {
        let text = "{\n  \"b\": [1, 2.50],\n\t\"a\": \"x \\\" y\\\\\",\r\n  \"c\" : { }\n}";
        assert_eq!(compact(text), r#"{"b":[1,2.50],"a":"x \" y\\","c":{}}"#);
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&compact(text)).unwrap(),
            value
        );
    }

    #[test]
    fn numbers_are_text_too() {
        assert_eq!(as_text(&serde_json::json!(10557)).as_deref(), Some("10557"));
        assert_eq!(as_text(&serde_json::json!(null)), None);
    }
}
