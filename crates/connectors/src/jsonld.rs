//! schema.org JSON-LD (<https://www.w3.org/TR/json-ld11/>) as published for events, places and
//! organisations: a plain file, an `{"items": […]}` wrapper (as scrapers write), or
//! `<script type="application/ld+json">` blocks in HTML pages.
//!
//! # Records
//!
//! One record per top-level item: each element of a top-level list, of `@graph` (which gets
//! the document's `@context`) or of `items` (lists in it are flattened), else the whole
//! document; in HTML, the same within each script block. Each record is converted with
//! `oxjsonld` on its own, so a broken item is rejected and the others load. An item that gives
//! no statement at all (it has no `@context`, say) is rejected too. A rejected item's
//! diagnostic holds it as the input has it, without whitespace between tokens; a script block
//! that is not JSON, as the page has it.
//!
//! # Mapping
//!
//! JSON-LD's own: the data says which schema.org terms it uses. The schema.org context
//! (`"@context": "https://schema.org"` and its variants) is served from a local copy
//! (`contexts/schemaorg.jsonld`), never fetched; other remote contexts reject the record.
//! `https://schema.org/` IRIs are rewritten to `http://schema.org/`, the form the context
//! expands to (DESIGN §5). Blank nodes are renamed per source, record and order of appearance,
//! so the same bytes always give the same nodes; a blank node label shared by two items of one
//! `@graph` does not link them.
//!
//! Items are read without a base IRI, so a relative or otherwise invalid IRI (an `@id` such as
//! `./x`, a `url` or `sameAs` of `foo` or `b c`) is never written: the statement that would
//! hold it is left out, and so are the statements about a node whose `@id` it is.

use crate::input::{line_at, read_text};
use crate::json::{compact, not_format};
use crate::reject::Reject;
use crate::{Connector, ConnectorError, Context, Input, RecordSink};
use kulturnetz_model::{Diagnostic, Location};
use oxjsonld::{JsonLdParser, JsonLdRemoteDocument};
use oxrdf::{BlankNode, GraphName, NamedNode, NamedOrBlankNode, Quad, Term};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::HashMap;

/// The schema.org JSON-LD context, release 30.0 (see `contexts/SOURCES.md`).
const SCHEMA_ORG_CONTEXT: &str = include_str!("../contexts/schemaorg.jsonld");

/// Context IRIs served by `SCHEMA_ORG_CONTEXT`.
const SCHEMA_ORG_CONTEXT_IRIS: &[&str] = &[
    "http://schema.org",
    "http://schema.org/",
    "https://schema.org",
    "https://schema.org/",
    "http://schema.org/docs/jsonldcontext.json",
    "https://schema.org/docs/jsonldcontext.json",
    "http://schema.org/docs/jsonldcontext.jsonld",
    "https://schema.org/docs/jsonldcontext.jsonld",
];

/// The `jsonld` connector.
pub struct JsonLd;

impl Connector for JsonLd {
    fn kind(&self) -> &'static str {
        "jsonld"
    }

    fn description(&self) -> &'static str {
        "schema.org JSON-LD, as files or as script blocks of HTML pages"
    }

    fn version(&self) -> u32 {
        1
    }

    fn media_types(&self) -> &'static [&'static str] {
        &["application/ld+json", "text/html"]
    }

    fn convert(
        &self,
        mut input: Input<'_>,
        cx: &Context<'_>,
        out: &mut dyn RecordSink,
    ) -> Result<(), ConnectorError> {
        let text = read_text(&mut input)?;
        let name = input.name;
        let body = text.trim_start_matches('\u{feff}').trim_start();
        let blocks: Vec<(usize, &str)> = if body.starts_with('<') {
            script_blocks(&text)
        } else if body.starts_with('{') || body.starts_with('[') {
            vec![(0, text.as_str())]
        } else {
            return Err(not_format(
                name,
                "JSON-LD",
                "expected a JSON object or list, or an HTML page",
            ));
        };
        let mut record = 0;
        for (offset, block) in blocks {
            let block_line = line_at(text.as_bytes(), offset);
            let items = match items(block) {
                Ok(items) => items,
                Err(e) => {
                    // A broken script block in a page is one rejected record; a broken file is
                    // not JSON-LD at all.
                    if offset == 0 {
                        return Err(not_format(
                            name,
                            "JSON-LD",
                            &format!("line {}: {e}", e.line()),
                        ));
                    }
                    record += 1;
                    // Not JSON, so not compacted: the block as the page has it.
                    out.reject(
                        Diagnostic::new(
                            Location::file(name)
                                .with_position(
                                    block_line + e.line().saturating_sub(1) as u64,
                                    e.column() as u64,
                                )
                                .with_record(record),
                            format!("the script block is not JSON: {e}"),
                        )
                        .with_raw(block.trim()),
                    )?;
                    continue;
                }
            };
            for item in items {
                record += 1;
                let line = block_line + line_at(block.as_bytes(), item.offset) - 1;
                let at = Location::file(name)
                    .with_position(line, 1)
                    .with_record(record);
                // The item as the input has it (without a context it inherits), in one line.
                let raw = || {
                    block
                        .get(item.offset..item.offset + item.len)
                        .map_or_else(String::new, compact)
                };
                match convert_item(&item.json, record, cx) {
                    Ok(quads) if quads.is_empty() => out.reject(
                        Reject::record("the item gives no RDF statement")
                            .with_hint("give it an \"@context\", e.g. \"https://schema.org\"")
                            .at(at)
                            .with_raw(&raw()),
                    )?,
                    Ok(quads) => out.accept_owned(&at, &quads)?,
                    Err((position, message)) => {
                        let at = match position {
                            Some((l, c)) => Location::file(name)
                                .with_position(line + l, c + 1)
                                .with_record(record),
                            None => at,
                        };
                        out.reject(
                            Diagnostic::new(at, crate::text::clip_message(&message))
                                .with_raw(&raw()),
                        )?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// One item: its JSON (with the document's context added where it inherits it), and the byte
/// offset and length of its text in the block.
struct Item {
    json: String,
    offset: usize,
    len: usize,
}

fn offset_in(block: &str, raw: &RawValue) -> usize {
    (raw.get().as_ptr() as usize).saturating_sub(block.as_ptr() as usize)
}

impl Item {
    /// The item of the node `raw` of `block`, converted as `json`.
    fn new(block: &str, raw: &RawValue, json: String) -> Self {
        Self {
            json,
            offset: offset_in(block, raw),
            len: raw.get().len(),
        }
    }
}

/// The items of a JSON-LD document.
fn items(block: &str) -> Result<Vec<Item>, serde_json::Error> {
    let top: &RawValue = serde_json::from_str(block)?;
    let mut out = Vec::new();
    let text = top.get();
    if text.starts_with('[') {
        flatten(block, top, &mut out)?;
        return Ok(out);
    }
    let members: HashMap<String, &RawValue> = serde_json::from_str(text)?;
    if let Some(graph) = members.get("@graph").filter(|g| g.get().starts_with('[')) {
        let context = members.get("@context");
        let list: Vec<&RawValue> = serde_json::from_str(graph.get())?;
        for node in list {
            out.push(Item::new(block, node, with_context(node, context)?));
        }
        return Ok(out);
    }
    if !members.contains_key("@context")
        && !members.contains_key("@type")
        && let Some(items) = members.get("items").filter(|i| i.get().starts_with('['))
    {
        flatten(block, items, &mut out)?;
        return Ok(out);
    }
    out.push(Item::new(block, top, text.to_owned()));
    Ok(out)
}

/// The elements of a list, lists in it flattened.
fn flatten(block: &str, list: &RawValue, out: &mut Vec<Item>) -> Result<(), serde_json::Error> {
    let elements: Vec<&RawValue> = serde_json::from_str(list.get())?;
    for element in elements {
        if element.get().starts_with('[') {
            flatten(block, element, out)?;
        } else {
            out.push(Item::new(block, element, element.get().to_owned()));
        }
    }
    Ok(())
}

/// A node of `@graph` with the document's `@context`, unless it has its own.
fn with_context(node: &RawValue, context: Option<&&RawValue>) -> Result<String, serde_json::Error> {
    let Some(context) = context else {
        return Ok(node.get().to_owned());
    };
    match serde_json::from_str::<Value>(node.get())? {
        Value::Object(mut map) if !map.contains_key("@context") => {
            map.insert("@context".into(), serde_json::from_str(context.get())?);
            serde_json::to_string(&Value::Object(map))
        }
        _ => Ok(node.get().to_owned()),
    }
}

/// The contents of the `<script type="application/ld+json">` blocks of an HTML page, with their
/// byte offsets. A plain scan suffices: script contents cannot hold `</script`.
fn script_blocks(html: &str) -> Vec<(usize, &str)> {
    let lower = html.to_ascii_lowercase();
    let mut blocks = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<script").map(|i| from + i) {
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i + 1) else {
            break;
        };
        let Some(end) = lower[tag_end..].find("</script").map(|i| tag_end + i) else {
            break;
        };
        let tag: String = lower[start..tag_end]
            .chars()
            .filter(|c| !matches!(c, '"' | '\'' | ' '))
            .collect();
        if tag.contains("type=application/ld+json") {
            let mut content = &html[tag_end..end];
            let mut offset = tag_end;
            // Some pages wrap the JSON in an HTML comment or CDATA section.
            for (open, close) in [
                ("<!--", "-->"),
                ("<![CDATA[", "]]>"),
                ("//<![CDATA[", "//]]>"),
            ] {
                let trimmed = content.trim_start();
                if let Some(rest) = trimmed.strip_prefix(open) {
                    offset += content.len() - trimmed.len() + open.len();
                    content = rest.trim_end().strip_suffix(close).unwrap_or(rest);
                }
            }
            blocks.push((offset, content));
        }
        from = end;
    }
    blocks
}

/// Why an item failed: where within the item (0-based line and column), if known, and what.
type ItemError = (Option<(u64, u64)>, String);

/// Converts one item; on error, its position (0-based line, column) within the item.
fn convert_item(json: &str, record: u64, cx: &Context<'_>) -> Result<Vec<Quad>, ItemError> {
    let parser = JsonLdParser::new().for_slice(json).with_load_document_callback(|iri, _| {
        if SCHEMA_ORG_CONTEXT_IRIS.contains(&iri) {
            Ok(JsonLdRemoteDocument {
                document: SCHEMA_ORG_CONTEXT.as_bytes().to_vec(),
                document_url: "https://schema.org/".into(),
            })
        } else {
            Err(format!(
                "the remote context <{iri}> is not available offline; only the schema.org context is"
            )
            .into())
        }
    });
    let mut blanks: HashMap<BlankNode, BlankNode> = HashMap::new();
    let mut quads = Vec::new();
    for result in parser {
        match result {
            Ok(quad) => quads.push(normalise(quad, record, &mut blanks, cx)),
            Err(e) => {
                let position = e.location().map(|r| (r.start.line, r.start.column));
                return Err((position, lower_first(&e.to_string())));
            }
        }
    }
    Ok(quads)
}

fn lower_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `https://schema.org/…` as `http://schema.org/…`, blank nodes renamed.
fn normalise(
    quad: Quad,
    record: u64,
    blanks: &mut HashMap<BlankNode, BlankNode>,
    cx: &Context<'_>,
) -> Quad {
    let mut rename = |b: BlankNode| -> BlankNode {
        let n = blanks.len();
        blanks
            .entry(b)
            .or_insert_with(|| cx.blank_node(&format!("jsonld record {record} node {n}")))
            .clone()
    };
    let iri = |n: NamedNode| -> NamedNode {
        match n.as_str().strip_prefix("https://schema.org/") {
            Some(rest) => NamedNode::new_unchecked(format!("http://schema.org/{rest}")),
            None => n,
        }
    };
    let subject: NamedOrBlankNode = match quad.subject {
        NamedOrBlankNode::NamedNode(n) => iri(n).into(),
        NamedOrBlankNode::BlankNode(b) => rename(b).into(),
    };
    let object: Term = match quad.object {
        Term::NamedNode(n) => iri(n).into(),
        Term::BlankNode(b) => rename(b).into(),
        Term::Literal(l) => {
            let datatype = l.datatype();
            if let Some(rest) = datatype.as_str().strip_prefix("https://schema.org/") {
                oxrdf::Literal::new_typed_literal(
                    l.value(),
                    NamedNode::new_unchecked(format!("http://schema.org/{rest}")),
                )
                .into()
            } else {
                l.into()
            }
        }
    };
    let graph_name: GraphName = match quad.graph_name {
        GraphName::NamedNode(n) => iri(n).into(),
        GraphName::BlankNode(b) => rename(b).into(),
        GraphName::DefaultGraph => GraphName::DefaultGraph,
    };
    Quad::new(subject, iri(quad.predicate), object, graph_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_blocks_in_html() {
        let html = "<html><head>\n<SCRIPT type='application/ld+json'>{\"a\": 1}</SCRIPT>\n<script src=x.js></script><script type=\"application/ld+json\">\n<!-- [2] -->\n</script>";
        let blocks = script_blocks(html);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].1, "{\"a\": 1}");
        assert_eq!(blocks[1].1.trim(), "[2]");
        assert_eq!(&html[blocks[0].0..blocks[0].0 + 1], "{");
    }

    #[test]
    fn items_of_graphs_wrappers_and_lists() {
        let graph = items("{\"@context\": {\"@vocab\": \"http://s/\"}, \"@graph\": [{\"a\": 1}, {\"@context\": {}, \"b\": 2}]}").unwrap();
        assert_eq!(graph.len(), 2);
        assert!(graph[0].json.contains("@vocab"));
        assert!(!graph[1].json.contains("@vocab"));
        assert_eq!(
            items("{\"items\": [[{\"a\": 1}, {\"b\": 2}], {\"c\": 3}]}")
                .unwrap()
                .len(),
            3
        );
        assert_eq!(items("[{}, {}]").unwrap().len(), 2);
        assert_eq!(
            items("{\"@type\": \"Event\", \"items\": [1]}")
                .unwrap()
                .len(),
            1
        );
        assert!(items("{").is_err());
    }
}
