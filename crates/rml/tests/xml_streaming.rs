//! XML sources whose iterator is a plain path stream record by record; every other one is read
//! into a tree. Both readings must give the same output, quad for quad and in the same order,
//! and the streaming one must know the line of each record.

use kulturnetz_model::{Diagnostic, Location};
use kulturnetz_rml::{Format, Mapping, Output, Targets, Writer};
use oxrdf::Quad;
use std::io::Write as _;
use std::path::Path;

#[derive(Default, Debug)]
struct Collect {
    quads: Vec<String>,
    /// The line of each accepted record.
    lines: Vec<Option<u64>>,
    rejected: Vec<String>,
}

impl Output for Collect {
    fn accept(&mut self, at: &Location, quads: &[(Quad, Targets)]) -> Result<(), String> {
        self.quads.extend(quads.iter().map(|(q, _)| q.to_string()));
        self.lines.push(at.line);
        Ok(())
    }

    fn reject(&mut self, d: Diagnostic) -> Result<(), String> {
        self.rejected.push(d.message);
        Ok(())
    }
}

fn mapping(dir: &Path, text: &str) -> Mapping {
    let m = if text.trim_start().starts_with("@prefix") {
        Mapping::from_turtle(text, "m.ttl", dir)
    } else {
        Mapping::from_yarrrml(text, "m.yaml", dir)
    };
    m.unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `text` streaming and from whole documents; both must succeed with the same result.
/// Returns the streamed result.
fn both(dir: &Path, text: &str) -> Collect {
    let m = mapping(dir, text);
    let mut streamed = Collect::default();
    m.run(&mut streamed).unwrap_or_else(|e| panic!("{e}"));
    let mut whole = Collect::default();
    m.with_whole_xml_documents()
        .run(&mut whole)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(streamed.quads, whole.quads);
    assert_eq!(streamed.rejected, whole.rejected);
    assert!(whole.lines.iter().all(Option::is_none));
    streamed
}

/// Whether every record came from the streaming reader (which knows its line).
fn streamed(out: &Collect) -> bool {
    !out.lines.is_empty() && out.lines.iter().all(Option::is_some)
}

fn dir(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(d.path().join(name), bytes).unwrap();
    }
    d
}

const LIDO: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- an export -->
<lido:lidoWrap xmlns:lido="http://www.lido-schema.org" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <lido:batch xmlns:ex="http://example.org/ns#" id="b1">
    <lido:lido lido:sortorder="1">
      <lido:lidoRecID lido:type="local">k-1</lido:lidoRecID>
      <lido:descriptiveMetadata xml:lang="de">
        <lido:titleSet><lido:appellationValue>M&#252;nze &amp; Medaille</lido:appellationValue></lido:titleSet>
        <lido:titleSet><lido:appellationValue>Zweiter &lt;Titel&gt;</lido:appellationValue></lido:titleSet>
      </lido:descriptiveMetadata>
      <lido:note><![CDATA[<b>fett</b> & mehr]]></lido:note>
      <ex:extra ex:kind="a">Ex&#x2D;tra</ex:extra>
      <lido:relatedWorks>
        <lido:lido><lido:lidoRecID>k-1-inner</lido:lidoRecID></lido:lido>
      </lido:relatedWorks>
      <?pi data?>
    </lido:lido>
    <lido:lido lido:sortorder="2"><lido:lidoRecID>k-2</lido:lidoRecID><lido:note>plain
text</lido:note></lido:lido>
  </lido:batch>
  <lido:batch id="b2">
    <lido:lido><lido:lidoRecID>k-3</lido:lidoRecID><ex:extra xmlns:ex="http://example.org/ns#">local</ex:extra></lido:lido>
    <lido:lido/>
  </lido:batch>
</lido:lidoWrap>
"#;

fn lido_mapping(iterator: &str, extra: &str) -> String {
    format!(
        r#"@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.org/> .
<#Object> a rml:TriplesMap;
  rml:logicalSource [
    rml:source [ a rml:FilePath; rml:root rml:MappingDirectory; rml:path "lido.xml" ];
    rml:referenceFormulation [ a rml:XPath;
      rml:namespace [ rml:namespacePrefix "ex"; rml:namespaceURL "http://example.org/ns#" ];
      rml:namespace [ rml:namespacePrefix "l"; rml:namespaceURL "http://www.lido-schema.org" ] ];
    rml:iterator "{iterator}" ];
  rml:subjectMap [ rml:template "http://example.org/object/{{lido:lidoRecID}}" ];
  rml:predicateObjectMap [ rml:predicate ex:title;
    rml:objectMap [ rml:reference ".//lido:appellationValue";
      rml:languageMap [ rml:reference "lido:descriptiveMetadata/@xml:lang" ] ] ];
  rml:predicateObjectMap [ rml:predicate ex:type; rml:objectMap [ rml:reference "lido:lidoRecID/@lido:type" ] ];
  rml:predicateObjectMap [ rml:predicate ex:order; rml:objectMap [ rml:reference "@lido:sortorder" ] ];
  rml:predicateObjectMap [ rml:predicate ex:note; rml:objectMap [ rml:reference "lido:note/text()" ] ];
  rml:predicateObjectMap [ rml:predicate ex:extra; rml:objectMap [ rml:template "{{ex:extra}}/{{ex:extra/@ex:kind}}"; rml:termType rml:Literal ] ];
  rml:predicateObjectMap [ rml:predicate ex:label;
    rml:objectMap [ rml:reference "concat(l:lidoRecID, ' / ', count(lido:relatedWorks//lido:lido))" ] ]
  {extra} .
"#
    )
}

#[test]
fn a_plain_path_streams_with_the_values_of_the_tree() {
    let d = dir(&[("lido.xml", LIDO.as_bytes())]);
    let out = both(
        d.path(),
        &lido_mapping("/lido:lidoWrap/lido:batch/lido:lido", ""),
    );
    assert!(streamed(&out), "{out:?}");
    // The lines of the records' start tags.
    assert_eq!(out.lines, [Some(5), Some(18), Some(22), Some(23)]);
    let k1 =
        |p: &str, o: &str| format!("<http://example.org/object/k-1> <http://example.org/{p}> {o}");
    assert_eq!(
        out.quads[..7],
        [
            k1("title", "\"Münze & Medaille\"@de"),
            k1("title", "\"Zweiter <Titel>\"@de"),
            k1("type", "\"local\""),
            k1("order", "\"1\""),
            k1("note", "\"<b>fett</b> & mehr\""),
            k1("extra", "\"Ex-tra/a\""),
            k1("label", "\"k-1 / 1\""),
        ]
    );
    assert_eq!(
        out.quads[7..],
        [
            "<http://example.org/object/k-2> <http://example.org/order> \"2\"",
            "<http://example.org/object/k-2> <http://example.org/note> \"plain\\ntext\"",
            "<http://example.org/object/k-2> <http://example.org/label> \"k-2 / 0\"",
            "<http://example.org/object/k-3> <http://example.org/label> \"k-3 / 0\"",
        ]
    );
}

#[test]
fn a_prefix_of_the_mapping_selects_by_namespace_name() {
    let d = dir(&[("lido.xml", LIDO.as_bytes())]);
    let out = both(d.path(), &lido_mapping("/l:lidoWrap/l:batch/l:lido", ""));
    assert!(streamed(&out));
    assert_eq!(out.lines.len(), 4);
    let out = both(d.path(), &lido_mapping("/l:lidoWrap/*/l:lido", ""));
    assert!(streamed(&out));
    assert_eq!(out.lines.len(), 4);
    // Names without a prefix have no namespace in XPath 1.0: nothing is selected.
    let out = both(d.path(), &lido_mapping("/lidoWrap/batch/lido", ""));
    assert!(out.quads.is_empty());
}

#[test]
fn elements_of_a_name_at_any_depth_stream_in_document_order() {
    let d = dir(&[("lido.xml", LIDO.as_bytes())]);
    let out = both(d.path(), &lido_mapping("//lido:lido", ""));
    assert!(streamed(&out));
    // The inner record comes after the one it is in, as in document order.
    assert_eq!(out.lines, [Some(5), Some(14), Some(18), Some(22), Some(23)]);
    assert!(out.quads.iter().any(|q| q.contains("k-1-inner")));
}

#[test]
fn references_that_leave_the_record_and_other_iterators_read_the_tree() {
    let d = dir(&[("lido.xml", LIDO.as_bytes())]);
    let parent = r#";
  rml:predicateObjectMap [ rml:predicate ex:batch; rml:objectMap [ rml:reference "../@id" ] ]"#;
    let out = both(
        d.path(),
        &lido_mapping("/lido:lidoWrap/lido:batch/lido:lido", parent),
    );
    assert!(!out.lines.is_empty() && out.lines.iter().all(Option::is_none));
    assert!(out.quads.iter().any(|q| q.ends_with("\"b2\"")));
    let absolute = r#";
  rml:predicateObjectMap [ rml:predicate ex:first; rml:objectMap [ rml:reference "string(/lido:lidoWrap/lido:batch/@id)" ] ]"#;
    let out = both(
        d.path(),
        &lido_mapping("/lido:lidoWrap/lido:batch/lido:lido", absolute),
    );
    assert!(out.lines.iter().all(Option::is_none));
    for iterator in [
        "//lido:lido[@lido:sortorder]",
        "/lido:lidoWrap/lido:batch[2]/lido:lido",
        "/lido:lidoWrap//lido:lido",
    ] {
        let out = both(d.path(), &lido_mapping(iterator, ""));
        assert!(!out.lines.is_empty(), "{iterator}");
        assert!(out.lines.iter().all(Option::is_none), "{iterator}");
    }
}

#[test]
fn a_default_namespace_on_an_inner_element() {
    let xml = br#"<root><items xmlns="http://example.org/d" xmlns:x="http://example.org/x">
<item id="1"><name>A</name><x:n>x1</x:n></item><item id="2"><name>B &amp; C</name></item>
</items></root>"#;
    let d = dir(&[("d.xml", xml)]);
    let text = |iterator: &str| {
        format!(
            r#"@prefix rml: <http://w3id.org/rml/> .
<#Item> a rml:TriplesMap;
  rml:logicalSource [
    rml:source [ a rml:FilePath; rml:root rml:MappingDirectory; rml:path "d.xml" ];
    rml:referenceFormulation [ a rml:XPath;
      rml:namespace [ rml:namespacePrefix "d"; rml:namespaceURL "http://example.org/d" ];
      rml:namespace [ rml:namespacePrefix "x"; rml:namespaceURL "http://example.org/x" ] ];
    rml:iterator "{iterator}" ];
  rml:subjectMap [ rml:template "http://example.org/item/{{@id}}" ];
  rml:predicateObjectMap [ rml:predicate <http://example.org/name>; rml:objectMap [ rml:reference "d:name" ] ];
  rml:predicateObjectMap [ rml:predicate <http://example.org/x>; rml:objectMap [ rml:reference "x:n" ] ] .
"#
        )
    };
    let out = both(d.path(), &text("/root/d:items/d:item"));
    assert!(streamed(&out));
    assert_eq!(
        out.quads,
        [
            "<http://example.org/item/1> <http://example.org/name> \"A\"",
            "<http://example.org/item/1> <http://example.org/x> \"x1\"",
            "<http://example.org/item/2> <http://example.org/name> \"B & C\"",
        ]
    );
    assert!(both(d.path(), &text("/root/items/item")).quads.is_empty());
}

#[test]
fn the_output_is_the_same_byte_for_byte() {
    let d = dir(&[("lido.xml", LIDO.as_bytes())]);
    let m = mapping(
        d.path(),
        &lido_mapping("/lido:lidoWrap/lido:batch/lido:lido", ""),
    );
    let write = |m: &Mapping, name: &str| {
        let path = d.path().join(name);
        let file = std::fs::File::create(&path).unwrap();
        let mut writer = Writer::new(m, Box::new(file), Format::NQuads).unwrap();
        m.run(&mut writer).unwrap();
        writer.finish().unwrap();
        std::fs::read(path).unwrap()
    };
    let streamed = write(&m, "a.nq");
    let whole = write(&m.clone().with_whole_xml_documents(), "b.nq");
    assert!(!streamed.is_empty());
    assert_eq!(streamed, whole);
}

const SMALL: &str = r#"
mappings:
  item:
    sources: [[s.xml~xpath, "/r/i"]]
    s: http://example.org/$(n)
    po:
      - [http://example.org/v, $(v)]
"#;

#[test]
fn a_syntax_error_after_records_keeps_them_and_names_the_line() {
    let xml =
        b"<r>\n<i><n>1</n></i>\n<i><n>2</n><v>x</v></i>\n<i><n>3</x></i>\n<i><n>4</n></i></r>\n";
    let d = dir(&[("s.xml", xml)]);
    let m = mapping(d.path(), SMALL);
    let mut out = Collect::default();
    let e = m.run(&mut out).unwrap_err().to_string();
    assert_eq!(out.lines, [Some(2), Some(3)]);
    assert_eq!(
        out.quads,
        ["<http://example.org/2> <http://example.org/v> \"x\""]
    );
    assert!(e.starts_with("m.yaml: s.xml:4: not XML: "), "{e}");
    // The tree reading maps nothing.
    let mut out = Collect::default();
    let whole = m.with_whole_xml_documents().run(&mut out).unwrap_err();
    assert!(out.lines.is_empty());
    assert!(whole.to_string().starts_with("m.yaml: s.xml: not XML"));
}

#[test]
fn a_syntax_error_before_the_first_record_is_reported_as_before() {
    for xml in [
        &b"<r>\n<i><n>1</x></i>\n<i><n>2</n></i></r>\n"[..],
        b"<r><i><n>1</n>",
        b"",
        b"not xml",
    ] {
        let d = dir(&[("s.xml", xml)]);
        let m = mapping(d.path(), SMALL);
        let streamed = m.run(&mut Collect::default()).unwrap_err().to_string();
        let whole = m
            .with_whole_xml_documents()
            .run(&mut Collect::default())
            .unwrap_err()
            .to_string();
        assert_eq!(streamed, whole);
    }
}

#[test]
fn compressed_and_other_encodings_stream_through_the_same_reader() {
    let xml = "<r><i><n>1</n><v>Grüße</v></i><i><n>2</n><v>ß</v></i></r>";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(xml.as_bytes()).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(xml.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let latin1: Vec<u8> = xml.chars().map(|c| c as u8).collect();
    let d = dir(&[
        ("s.xml.gz", &gz.finish().unwrap()),
        ("u.xml", &utf16),
        ("l.xml", &latin1),
    ]);
    let expected = [
        "<http://example.org/1> <http://example.org/v> \"Grüße\"",
        "<http://example.org/2> <http://example.org/v> \"ß\"",
    ];
    for source in ["s.xml.gz~xpath", "u.xml~xpath"] {
        let out = both(d.path(), &SMALL.replace("s.xml~xpath", source));
        assert!(streamed(&out));
        assert_eq!(out.quads, expected);
    }
    let text = r#"@prefix rml: <http://w3id.org/rml/> .
<#Item> a rml:TriplesMap;
  rml:logicalSource [
    rml:source [ a rml:FilePath; rml:root rml:MappingDirectory; rml:path "l.xml";
      rml:encoding <http://w3id.org/rml/windows-1252> ];
    rml:referenceFormulation rml:XPath; rml:iterator "/r/i" ];
  rml:subjectMap [ rml:template "http://example.org/{n}" ];
  rml:predicateObjectMap [ rml:predicate <http://example.org/v>; rml:objectMap [ rml:reference "v" ] ] .
"#;
    let out = both(d.path(), text);
    assert!(streamed(&out));
    assert_eq!(out.quads, expected);
}
