//! JSON records: the iterator and the references are JSONPath (RFC 9535). Iterators of the
//! common shape `$.a.b[*]` stream: one record is in memory at a time, however long the file.
//! Other iterators read the document first. <https://w3id.org/rml/io/spec#jsonpath>

use super::{DataError, Record, Val, Visit};
use crate::error::{MappingError, RunError};
use crate::plan::LogicalSource;
use hashbrown::HashMap;
use kulturnetz_model::Location;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json_path::JsonPath;
use std::cell::RefCell;
use std::fmt;
use std::io::{BufRead, BufReader};

/// A compiled reference: a plain chain of keys (fast), or any JSONPath.
pub(super) enum Path {
    Keys(Vec<String>),
    Query(JsonPath),
}

/// Compiles a reference. `name` and `a.b` (the legacy forms) mean `$.name` and `$.a.b`.
pub(super) fn compile(reference: &str) -> Result<Path, String> {
    let full = if reference.starts_with('$') {
        reference.to_owned()
    } else if let Some(rest) = reference.strip_prefix('@') {
        format!("${rest}")
    } else if reference
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']' | '*'))
    {
        format!("$.{reference}")
    } else {
        format!(
            "$['{}']",
            reference.replace('\\', "\\\\").replace('\'', "\\'")
        )
    };
    if let Some((keys, false)) = simple(&full) {
        return Ok(Path::Keys(keys));
    }
    JsonPath::parse(&full)
        .map(Path::Query)
        .map_err(|e| format!("invalid JSONPath {reference:?}: {e}"))
}

/// `$.a['b c'].d` as keys; the flag says whether it ends with `[*]` or `.*`.
fn simple(path: &str) -> Option<(Vec<String>, bool)> {
    let mut rest = path.strip_prefix('$')?;
    let mut keys = Vec::new();
    let mut wildcard = false;
    while !rest.is_empty() {
        if wildcard {
            return None;
        }
        if let Some(r) = rest.strip_prefix("[*]").or_else(|| rest.strip_prefix(".*")) {
            wildcard = true;
            rest = r;
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(r.len());
            if end == 0 {
                return None;
            }
            keys.push(r[..end].to_owned());
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix("['").or_else(|| rest.strip_prefix("[\"")) {
            let quote = if rest.starts_with("['") { '\'' } else { '"' };
            let end = r.find(quote)?;
            let key = &r[..end];
            if key.contains('\\') {
                return None;
            }
            keys.push(key.to_owned());
            rest = r[end + 1..].strip_prefix(']')?;
        } else {
            return None;
        }
    }
    Some((keys, wildcard))
}

struct Node<'a> {
    value: &'a Value,
    paths: &'a RefCell<HashMap<String, Path>>,
    file: &'a str,
    number: u64,
}

impl Record for Node<'_> {
    fn values_into(&self, reference: &str, out: &mut Vec<Val>) -> Result<(), DataError> {
        let mut paths = self.paths.borrow_mut();
        let path = match paths.get(reference) {
            Some(path) => path,
            None => {
                let path = compile(reference).map_err(|e| DataError::new(Some(reference), e))?;
                paths.entry(reference.to_owned()).or_insert(path)
            }
        };
        match path {
            Path::Keys(keys) => {
                let mut v = self.value;
                for k in keys {
                    match v.get(k) {
                        Some(next) => v = next,
                        None => return Ok(()),
                    }
                }
                push(v, reference, out)?;
            }
            Path::Query(q) => {
                for v in q.query(self.value).all() {
                    push(v, reference, out)?;
                }
            }
        }
        Ok(())
    }

    fn location(&self) -> Location {
        Location::file(self.file).with_record(self.number)
    }

    /// The record written compactly, from the value read (its text is not kept while the file
    /// streams): members in the order of their names, numbers as `serde_json` writes them.
    fn raw(&self) -> Option<String> {
        serde_json::to_string(self.value).ok()
    }
}

/// The value of a JSON scalar with its natural datatype; null gives nothing.
fn push(v: &Value, reference: &str, out: &mut Vec<Val>) -> Result<(), DataError> {
    const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
    const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";
    const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
    match v {
        Value::Null => {}
        Value::String(s) => out.push(Val::plain(s.as_str())),
        Value::Bool(b) => out.push(Val {
            text: b.to_string(),
            datatype: Some(XSD_BOOLEAN),
        }),
        Value::Number(n) => out.push(Val {
            text: n.to_string(),
            datatype: Some(if n.is_f64() { XSD_DOUBLE } else { XSD_INTEGER }),
        }),
        Value::Array(_) | Value::Object(_) => {
            let what = if v.is_array() {
                "an array"
            } else {
                "an object"
            };
            return Err(DataError::new(
                Some(reference),
                format!(
                    "{reference:?} is {what}, not a value (select its elements, e.g. with [*])"
                ),
            ));
        }
    }
    Ok(())
}

pub(super) fn each(
    source: &LogicalSource,
    file: &str,
    reader: Box<dyn BufRead>,
    visit: &mut Visit<'_>,
) -> Result<(), RunError> {
    let iterator = source.iterator.as_deref().unwrap_or("$");
    let paths = RefCell::new(HashMap::new());
    let mut number = 0;
    let mut on_record = |value: &Value| {
        number += 1;
        visit(&Node {
            value,
            paths: &paths,
            file: &source.display,
            number,
        })
    };
    let syntax = |e: serde_json::Error| {
        RunError::Mapping(MappingError::new(
            file,
            format!(
                "{}:{}:{}: not JSON: {e}",
                source.display,
                e.line(),
                e.column()
            ),
        ))
    };
    if let Some((keys, wildcard)) = simple(iterator) {
        let mut failed = None;
        // serde_json reads byte by byte; through `dyn BufRead` each byte is a call, through a
        // `BufReader` it is a look into the buffer.
        let mut de = serde_json::Deserializer::from_reader(BufReader::new(reader));
        let walk = Walk {
            keys: &keys,
            wildcard,
            visit: &mut on_record,
            failed: &mut failed,
        };
        let result = walk.deserialize(&mut de).and_then(|()| de.end());
        if let Some(e) = failed {
            return Err(e);
        }
        return result.map_err(syntax);
    }
    let path = JsonPath::parse(iterator).map_err(|e| {
        RunError::Mapping(MappingError::new(
            file,
            format!("invalid JSONPath {iterator:?}: {e}"),
        ))
    })?;
    let document: Value = serde_json::from_reader(BufReader::new(reader)).map_err(syntax)?;
    for value in path.query(&document).all() {
        on_record(value)?;
    }
    Ok(())
}

type OnRecord<'a> = dyn FnMut(&Value) -> Result<(), RunError> + 'a;

/// Walks down `keys` while deserialising, then hands each element (or the node itself) over.
struct Walk<'a, 'b> {
    keys: &'a [String],
    wildcard: bool,
    visit: &'a mut OnRecord<'b>,
    failed: &'a mut Option<RunError>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.keys.is_empty() && !self.wildcard {
            let value = Value::deserialize(d)?;
            return self.emit(&value);
        }
        d.deserialize_any(self)
    }
}

impl Walk<'_, '_> {
    fn emit<E: de::Error>(self, value: &Value) -> Result<(), E> {
        match (self.visit)(value) {
            Ok(()) => Ok(()),
            Err(e) => {
                *self.failed = Some(e);
                Err(E::custom("stopped"))
            }
        }
    }
}

use serde::Deserialize as _;

impl<'de> Visitor<'de> for Walk<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if let Some((first, rest)) = self.keys.split_first() {
            let mut seed = Some(Walk {
                keys: rest,
                wildcard: self.wildcard,
                visit: self.visit,
                failed: self.failed,
            });
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == first.as_str()
                    && let Some(seed) = seed.take()
                {
                    map.next_value_seed(seed)?;
                    continue;
                }
                map.next_value::<IgnoredAny>()?;
            }
            return Ok(());
        }
        while let Some((_, value)) = map.next_entry::<IgnoredAny, Value>()? {
            match (self.visit)(&value) {
                Ok(()) => {}
                Err(e) => {
                    *self.failed = Some(e);
                    return Err(de::Error::custom("stopped"));
                }
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if !self.keys.is_empty() {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        while let Some(value) = seq.next_element::<Value>()? {
            if let Err(e) = (self.visit)(&value) {
                *self.failed = Some(e);
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_paths() {
        assert_eq!(simple("$[*]"), Some((vec![], true)));
        assert_eq!(
            simple("$.a.b[*]"),
            Some((vec!["a".into(), "b".into()], true))
        );
        assert_eq!(
            simple("$['a b'].c"),
            Some((vec!["a b".into(), "c".into()], false))
        );
        assert_eq!(simple("$..a"), None);
        assert_eq!(simple("$[*].a"), None);
        assert_eq!(simple("$.a[?@.b]"), None);
    }

    #[test]
    fn values_keep_their_natural_datatypes() {
        let value: Value = serde_json::from_str(
            r#"{"n": 3, "f": 1.5, "b": false, "s": "x", "z": null, "a": [1, 2]}"#,
        )
        .unwrap();
        let paths = RefCell::new(HashMap::new());
        let node = Node {
            value: &value,
            paths: &paths,
            file: "f.json",
            number: 1,
        };
        assert_eq!(
            node.values("$.n").unwrap()[0].datatype,
            Some("http://www.w3.org/2001/XMLSchema#integer")
        );
        assert_eq!(
            node.values("f").unwrap()[0].datatype,
            Some("http://www.w3.org/2001/XMLSchema#double")
        );
        assert_eq!(node.values("$.b").unwrap()[0].text, "false");
        assert!(node.values("$.z").unwrap().is_empty());
        assert!(node.values("$.missing").unwrap().is_empty());
        assert_eq!(node.values("$.a[*]").unwrap().len(), 2);
        assert!(node.values("$.a").is_err());
    }
}
