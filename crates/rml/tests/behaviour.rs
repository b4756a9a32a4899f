//! The engine's behaviour where other engines differ or fail: JSON nulls, booleans, numbers and
//! arrays, self-joins, the legacy vocabulary, XPath with namespaces, CSV dialects, and the text
//! of error messages.

use kulturnetz_model::{Diagnostic, Location};
use kulturnetz_rml::{Mapping, Output, Targets};
use oxrdf::Quad;
use std::path::Path;

#[derive(Default)]
struct Collect {
    quads: Vec<String>,
    rejected: Vec<String>,
    /// The raw text of each rejected record.
    raws: Vec<Option<String>>,
}

impl Output for Collect {
    fn accept(&mut self, _: &Location, quads: &[(Quad, Targets)]) -> Result<(), String> {
        self.quads.extend(quads.iter().map(|(q, _)| q.to_string()));
        Ok(())
    }

    fn reject(&mut self, d: Diagnostic) -> Result<(), String> {
        self.rejected.push(d.to_string());
        self.raws.push(d.raw);
        Ok(())
    }
}

fn run(dir: &Path, mapping: &str, yaml: bool) -> Collect {
    let m = if yaml {
        Mapping::from_yarrrml(mapping, "m.yaml", dir)
    } else {
        Mapping::from_turtle(mapping, "m.ttl", dir)
    }
    .unwrap_or_else(|e| panic!("{e}"));
    let mut out = Collect::default();
    m.run(&mut out).unwrap_or_else(|e| panic!("{e}"));
    out.quads.sort();
    out
}

fn dir(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(d.path().join(name), bytes).unwrap();
    }
    d
}

const PEOPLE: &str = r#"{"people": [
  {"id": 1, "name": "Ada", "active": true, "score": 1.5, "tags": ["a", "b"], "boss": null},
  {"id": 2, "name": null, "active": false, "score": 2, "tags": [], "boss": 1}
]}"#;

#[test]
fn json_nulls_booleans_numbers_and_arrays() {
    let d = dir(&[("p.json", PEOPLE.as_bytes())]);
    let out = run(
        d.path(),
        r#"
prefixes: {ex: http://example.org/}
mappings:
  person:
    sources: [[p.json~jsonpath, "$.people[*]"]]
    s: http://example.org/p/$(id)
    po:
      - [ex:name, $(name)]
      - [ex:active, $(active)]
      - [ex:score, $(score)]
      - [ex:tag, "$(tags[*])"]
"#,
        true,
    );
    let xsd = "http://www.w3.org/2001/XMLSchema#";
    assert_eq!(
        out.quads,
        vec![
            format!(
                "<http://example.org/p/1> <http://example.org/active> \"true\"^^<{xsd}boolean>"
            ),
            "<http://example.org/p/1> <http://example.org/name> \"Ada\"".to_owned(),
            format!("<http://example.org/p/1> <http://example.org/score> \"1.5\"^^<{xsd}double>"),
            "<http://example.org/p/1> <http://example.org/tag> \"a\"".to_owned(),
            "<http://example.org/p/1> <http://example.org/tag> \"b\"".to_owned(),
            // A null gives no term for that reference only: the record's other terms stay.
            format!(
                "<http://example.org/p/2> <http://example.org/active> \"false\"^^<{xsd}boolean>"
            ),
            format!("<http://example.org/p/2> <http://example.org/score> \"2\"^^<{xsd}integer>"),
        ]
    );
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);
}

#[test]
fn self_joins_work() {
    let d = dir(&[("p.json", PEOPLE.as_bytes())]);
    let out = run(
        d.path(),
        r#"
prefixes: {ex: http://example.org/}
mappings:
  person:
    sources: [[p.json~jsonpath, "$.people[*]"]]
    s: http://example.org/p/$(id)
    po:
      - p: ex:boss
        o:
          mapping: person
          condition:
            function: equal
            parameters:
              - [str1, $(boss)]
              - [str2, $(id)]
"#,
        true,
    );
    assert_eq!(
        out.quads,
        vec!["<http://example.org/p/2> <http://example.org/boss> <http://example.org/p/1>"]
    );
}

#[test]
fn legacy_vocabulary_and_csv_dialects() {
    // Windows-1252, semicolons, a quoted newline, a BOM-less header with a space.
    let d = dir(&[(
        "m.csv",
        b"id;Name der Stadt\n1;\"G\xf6rlitz\nOberlausitz\"\n2;Weimar\n",
    )]);
    let out = run(
        d.path(),
        r#"
@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix csvw: <http://www.w3.org/ns/csvw#> .
<#Cities> rml:logicalSource [
    rml:source [ csvw:url "m.csv"; csvw:dialect [ csvw:delimiter ";"; csvw:encoding "windows-1252" ] ];
    rml:referenceFormulation ql:CSV ];
  rr:subjectMap [ rr:template "http://example.org/city/{id}"; rr:class <http://schema.org/City> ];
  rr:predicateObjectMap [ rr:predicate <http://schema.org/name>;
    rr:objectMap [ rml:reference "Name der Stadt"; rr:language "de" ] ] .
"#,
        false,
    );
    assert_eq!(
        out.quads,
        vec![
            "<http://example.org/city/1> <http://schema.org/name> \"Görlitz\\nOberlausitz\"@de",
            "<http://example.org/city/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/City>",
            "<http://example.org/city/2> <http://schema.org/name> \"Weimar\"@de",
            "<http://example.org/city/2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/City>",
        ]
    );
}

#[test]
fn xpath_with_the_document_namespaces() {
    let xml = br#"<lido:lidoWrap xmlns:lido="http://www.lido-schema.org">
  <lido:lido><lido:lidoRecID>k-1</lido:lidoRecID><lido:title xml:lang="de">M&#252;nze</lido:title></lido:lido>
  <lido:lido><lido:lidoRecID>k-2</lido:lidoRecID></lido:lido>
</lido:lidoWrap>"#;
    let d = dir(&[("o.xml", xml)]);
    let out = run(
        d.path(),
        r#"
prefixes: {schema: http://schema.org/}
mappings:
  object:
    sources: [[o.xml~xpath, "/lido:lidoWrap/lido:lido"]]
    s: http://example.org/object/$(lido:lidoRecID)
    po:
      - [schema:name, $(lido:title), $(lido:title/@xml:lang)~lang]
"#,
        true,
    );
    assert_eq!(
        out.quads,
        vec!["<http://example.org/object/k-1> <http://schema.org/name> \"Münze\"@de"]
    );
}

#[test]
fn errors_name_the_place() {
    let d = dir(&[
        ("p.json", PEOPLE.as_bytes()),
        ("c.csv", b"id,name\n1,Ada\n2\n3,a b\n"),
    ]);
    // A mapping error: the mapping file, the line and the triples map.
    let e = Mapping::from_yarrrml(
        "mappings:\n  person:\n    sources: [[p.json~jsonpath, \"$.people[*]\"]]\n    s: http://example.org/$(id)\n    po:\n      - [http://example.org/x, {function: grel:frobnicate, parameters: [[grel:valueParameter, $(id)]]}]\n",
        "m.yaml",
        d.path(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "m.yaml:2: triples map \"person\": the function <http://users.ugent.be/~bjdmeest/function/grel.ttl#frobnicate> is not known"
    );
    // A data error: the data file, the line, the record and the field; the rest maps.
    let out = run(
        d.path(),
        "mappings:\n  row:\n    sources: [c.csv~csv]\n    s: http://example.org/$(id)\n    po:\n      - [http://example.org/name, $(name)]\n",
        true,
    );
    assert_eq!(out.quads.len(), 2);
    assert_eq!(
        out.rejected,
        vec!["c.csv:3: record 2: triples map \"row\": the row has 1 fields, the header 2"]
    );
    // An IRI that cannot be made: the field, and the base it was resolved against.
    let out = run(
        d.path(),
        "mappings:\n  row:\n    sources: [c.csv~csv]\n    s: $(name)\n    po:\n      - [http://example.org/id, $(id)]\n",
        true,
    );
    assert_eq!(
        out.rejected,
        vec![
            "c.csv:3: record 2: triples map \"row\": the row has 1 fields, the header 2",
            "c.csv:4: record 3: field \"name\": triples map \"row\": \"a b\" does not make a valid IRI (with the base \"http://example.com/base/\")",
        ]
    );
}

const PARENTS: &str = "id,group,name,page\n\
1,a,x,http://one.example/x\n\
2,a,y,urn:y\n\
1,b,x,http://one.example/x\n\
3,a,z,http://two.example/z\n\
1,a,w,http://two.example/w\n\
1,a,x,http://one.example/x\n\
,a,v,urn:v\n";

const CHILDREN: &str = r#"{"children": [
  {"id": "c1", "ids": [1, 3], "group": "a"},
  {"id": "c2", "ids": [2, 1], "group": "b"},
  {"id": "c3", "ids": [], "group": "a"},
  {"id": "c4", "ids": [1], "group": null},
  {"id": "c5", "ids": [1, 1, 4], "group": "a"}
]}"#;

/// Joins on several conditions, on arrays of values and with several parents per key give their
/// objects in the order of the child's values and then of the parent records, each once.
#[test]
fn joins_keep_the_order_of_values_and_parents() {
    let d = dir(&[
        ("parents.csv", PARENTS.as_bytes()),
        ("children.json", CHILDREN.as_bytes()),
    ]);
    let m = Mapping::from_turtle(
        r#"
@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix ex: <http://example.org/> .
ex:Named rml:logicalSource [ rml:source "parents.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.org/p/{name}" ] .
ex:Pages rml:logicalSource [ rml:source "parents.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rml:reference "page" ] .
ex:Blank rml:logicalSource [ rml:source "parents.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "{group}-{name}" ; rr:termType rr:BlankNode ] .
ex:Children rml:logicalSource [ rml:source "children.json" ;
    rml:referenceFormulation ql:JSONPath ; rml:iterator "$.children[*]" ] ;
  rr:subjectMap [ rr:template "http://example.org/c/{id}" ] ;
  rr:predicateObjectMap [ rr:predicate ex:named ;
    rr:objectMap [ rr:parentTriplesMap ex:Named ;
      rr:joinCondition [ rr:child "ids[*]" ; rr:parent "id" ] ,
                       [ rr:child "group" ; rr:parent "group" ] ] ] ,
  [ rr:predicate ex:page ;
    rr:objectMap [ rr:parentTriplesMap ex:Pages ; rr:joinCondition [ rr:child "ids[*]" ; rr:parent "id" ] ] ] ,
  [ rr:predicate ex:blank ;
    rr:objectMap [ rr:parentTriplesMap ex:Blank ; rr:joinCondition [ rr:child "ids[*]" ; rr:parent "id" ] ] ] .
"#,
        "m.ttl",
        d.path(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut out = Collect::default();
    m.run(&mut out).unwrap_or_else(|e| panic!("{e}"));
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);
    let children: Vec<&String> = out
        .quads
        .iter()
        .filter(|q| q.starts_with("<http://example.org/c/"))
        .collect();
    assert_eq!(children, EXPECTED_JOINS);
}

const EXPECTED_JOINS: &[&str] = &[
    "<http://example.org/c/c1> <http://example.org/named> <http://example.org/p/x>",
    "<http://example.org/c/c1> <http://example.org/named> <http://example.org/p/w>",
    "<http://example.org/c/c1> <http://example.org/named> <http://example.org/p/z>",
    "<http://example.org/c/c1> <http://example.org/page> <http://one.example/x>",
    "<http://example.org/c/c1> <http://example.org/page> <http://two.example/w>",
    "<http://example.org/c/c1> <http://example.org/page> <http://two.example/z>",
    "<http://example.org/c/c1> <http://example.org/blank> _:501be1cf32090c0c84509a3eaf75ce10",
    "<http://example.org/c/c1> <http://example.org/blank> _:c6bcd0a8b2861f3641c54b1f4df8ff28",
    "<http://example.org/c/c1> <http://example.org/blank> _:9863a358b230f7020c459166a26ec758",
    "<http://example.org/c/c1> <http://example.org/blank> _:c42d765a863c3fa00f969e8f88554af7",
    "<http://example.org/c/c2> <http://example.org/named> <http://example.org/p/x>",
    "<http://example.org/c/c2> <http://example.org/page> <urn:y>",
    "<http://example.org/c/c2> <http://example.org/page> <http://one.example/x>",
    "<http://example.org/c/c2> <http://example.org/page> <http://two.example/w>",
    "<http://example.org/c/c2> <http://example.org/blank> _:e8ab78b641b75887cd4ec4313518f941",
    "<http://example.org/c/c2> <http://example.org/blank> _:501be1cf32090c0c84509a3eaf75ce10",
    "<http://example.org/c/c2> <http://example.org/blank> _:c6bcd0a8b2861f3641c54b1f4df8ff28",
    "<http://example.org/c/c2> <http://example.org/blank> _:9863a358b230f7020c459166a26ec758",
    "<http://example.org/c/c4> <http://example.org/page> <http://one.example/x>",
    "<http://example.org/c/c4> <http://example.org/page> <http://two.example/w>",
    "<http://example.org/c/c4> <http://example.org/blank> _:501be1cf32090c0c84509a3eaf75ce10",
    "<http://example.org/c/c4> <http://example.org/blank> _:c6bcd0a8b2861f3641c54b1f4df8ff28",
    "<http://example.org/c/c4> <http://example.org/blank> _:9863a358b230f7020c459166a26ec758",
    "<http://example.org/c/c5> <http://example.org/named> <http://example.org/p/x>",
    "<http://example.org/c/c5> <http://example.org/named> <http://example.org/p/w>",
    "<http://example.org/c/c5> <http://example.org/page> <http://one.example/x>",
    "<http://example.org/c/c5> <http://example.org/page> <http://two.example/w>",
    "<http://example.org/c/c5> <http://example.org/blank> _:501be1cf32090c0c84509a3eaf75ce10",
    "<http://example.org/c/c5> <http://example.org/blank> _:c6bcd0a8b2861f3641c54b1f4df8ff28",
    "<http://example.org/c/c5> <http://example.org/blank> _:9863a358b230f7020c459166a26ec758",
];

fn read_error(dir: &Path, mapping: &str, yaml: bool) -> kulturnetz_rml::MappingError {
    let m = if yaml {
        Mapping::from_yarrrml(mapping, "m.yaml", dir)
    } else {
        Mapping::from_turtle(mapping, "m.ttl", dir)
    };
    match m {
        Ok(_) => panic!("the mapping was read:\n{mapping}"),
        Err(e) => e,
    }
}

const OBJECTS: &[u8] =
    b"id,title,creator\n1,Urkunde,Sophie Klee\n2,Stillleben,\n3,Hafen,Sophie Klee\n4,,\n";

#[test]
fn issue_11_a_language_written_as_a_datatype_is_a_mapping_error() {
    let d = dir(&[("o.csv", OBJECTS)]);
    let e = read_error(
        d.path(),
        "prefixes: {schema: http://schema.org/}
mappings:
  objects:
    sources: [o.csv~csv]
    s: http://example.org/o/$(id)
    po:
      - [schema:identifier, $(id)]
      - [schema:name, $(title), de]
",
        true,
    );
    assert_eq!(
        e.to_string(),
        "m.yaml:8: triples map \"objects\": datatype `de` is not an IRI; for a language tag write `de~lang`"
    );
}

/// The error points at the line that says it, not at a comment that mentions the same word.
#[test]
fn a_mapping_error_is_not_placed_on_a_comment() {
    let d = dir(&[("o.csv", OBJECTS)]);
    let e = read_error(
        d.path(),
        "prefixes: {schema: http://schema.org/}
mappings:
  objects:
    # Titles are German: de, written de~lang below.
    sources: [o.csv~csv]
    s: http://example.org/o/$(id)  # see de below
    po:
      - [schema:identifier, $(id)]
      - [schema:name, $(title), de]
",
        true,
    );
    assert_eq!(
        e.to_string(),
        "m.yaml:9: triples map \"objects\": datatype `de` is not an IRI; for a language tag write `de~lang`"
    );
}

#[test]
fn issue_11_constants_and_templates_that_are_no_iris_are_mapping_errors() {
    let d = dir(&[("o.csv", OBJECTS)]);
    let yaml = |po: &str| {
        format!(
            "prefixes: {{ex: http://example.org/}}
mappings:
  objects:
    sources: [o.csv~csv]
    s: http://example.org/o/$(id)
    po:
      - {po}
"
        )
    };
    for (po, expected) in [
        ("[a, Museum]", "`Museum` is not an absolute IRI"),
        (
            "[ex:na me, $(title)]",
            "`http://example.org/na me` is not an absolute IRI",
        ),
        (
            "[ex:p, ex:a b~iri]",
            "the object constant `ex:a b` is not an IRI",
        ),
        (
            "[ex:p, $(title), ex:x y]",
            "datatype `ex:x y` is not an IRI",
        ),
        (
            "[ex:p, \"http://example.org/{$(id)} x~iri\"]",
            "cannot make an IRI",
        ),
    ] {
        let e = read_error(d.path(), &yaml(po), true);
        assert!(e.to_string().contains(expected), "{po}: {e}");
    }
    let e = read_error(
        d.path(),
        r#"@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
<#Objects> rml:logicalSource [ rml:source "o.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.org/o/{id} x" ] .
"#,
        false,
    );
    assert_eq!(
        e.to_string(),
        "m.ttl:4: triples map \"Objects\": the subject template cannot make an IRI: with 0 for each reference it gives `http://example.org/o/0 x`, which is not one"
    );
}

#[test]
fn issue_11_values_that_make_no_absolute_iri_reject_their_record() {
    let d = dir(&[("o.csv", b"id,link\n1,a b\n2,http://example.org/ok\n3,rel\n")]);
    let mapping = "prefixes: {ex: http://example.org/}
mappings:
  objects:
    sources: [o.csv~csv]
    s: http://example.org/o/$(id)
    po:
      - [ex:link, $(link)~iri]
      - p: ex:unsafe
        o: {value: $(link), type: iri}
      - [ex:home, id/organization/x~iri]
";
    let out = run(d.path(), mapping, true);
    assert_eq!(out.rejected.len(), 1, "{:?}", out.rejected);
    assert!(out.rejected[0].contains("\"a b\" does not make a valid IRI"));
    // A relative constant is resolved against the base, as any relative IRI.
    assert!(
        out.quads
            .iter()
            .any(|q| q.ends_with("<http://example.com/base/id/organization/x>"))
    );
    for q in &out.quads {
        let line = format!("{q} .\n");
        oxrdfio::RdfParser::from_format(oxrdfio::RdfFormat::NQuads)
            .for_slice(line.as_bytes())
            .for_each(|r| {
                r.unwrap_or_else(|e| panic!("{line}: {e}"));
            });
    }
}

/// A subject written without a reference is one IRI for every record; relative, it is resolved
/// against the base like a template's.
#[test]
fn a_constant_subject_is_an_iri() {
    let d = dir(&[("o.csv", b"id\n1\n2\n")]);
    let mapping = "prefixes: {ex: http://example.org/}
mappings:
  relative:
    sources: [o.csv~csv]
    s: id/organization/museum
    po:
      - [ex:name, Museum]
  prefixed:
    sources: [o.csv~csv]
    s: ex:museum
    po:
      - [ex:name, Museum]
";
    let out = run(d.path(), mapping, true);
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);
    assert_eq!(
        out.quads,
        [
            "<http://example.com/base/id/organization/museum> <http://example.org/name> \"Museum\"",
            "<http://example.org/museum> <http://example.org/name> \"Museum\"",
        ]
    );
}

#[test]
fn rejected_records_carry_their_text() {
    // CSV: the row as the file has it, quoted line breaks, CRLF and all; past 64 KiB of rows
    // that are forgotten as the reader goes on.
    let mut csv = b"\xef\xbb\xbfid,link\r\n1,\"http://example.org/\"\r\n".to_vec();
    for i in 0..4000 {
        csv.extend_from_slice(format!("{i},http://example.org/{i}\r\n").as_bytes());
    }
    csv.extend_from_slice(b"\r\n2,\"a\r\nb\"\r\n3,x,too many\r\n4,\xff\r\n5,c d");
    let d = dir(&[("o.csv", &csv)]);
    let mapping = "prefixes: {ex: http://example.org/}
mappings:
  objects:
    sources: [o.csv~csv]
    s: http://example.org/o/$(id)
    po:
      - [ex:link, $(link)~iri]
";
    let out = run(d.path(), mapping, true);
    assert_eq!(
        out.raws,
        [
            Some("2,\"a\r\nb\"".to_owned()),
            Some("3,x,too many".to_owned()),
            Some("4,\u{fffd}".to_owned()),
            Some("5,c d".to_owned()),
        ],
        "{:?}",
        out.rejected
    );

    // JSON: the record written compactly (members by name), streamed or not.
    let json = r#"{"people": [
  {"name": "Ada Lovelace", "id": 1, "tags": ["a", "b"], "score": 1.50},
  {"name": "Grace", "id": 2}
]}"#;
    let d = dir(&[("p.json", json.as_bytes())]);
    for iterator in ["$.people[*]", "$.people[?@.id > 0]"] {
        let mapping = format!(
            "prefixes: {{ex: http://example.org/}}
mappings:
  person:
    sources: [[p.json~jsonpath, \"{iterator}\"]]
    s: http://example.org/p/$(id)
    po:
      - [ex:home, $(name)~iri]
"
        );
        let out = run(d.path(), &mapping, true);
        assert_eq!(
            out.raws,
            [Some(
                r#"{"id":1,"name":"Ada Lovelace","score":1.5,"tags":["a","b"]}"#.to_owned()
            )],
            "{iterator}: {:?}",
            out.rejected
        );
    }

    // XML: the element as the file has it when the file streams (without the namespace
    // declarations it inherits, which streaming adds to parse it on its own); nothing when the
    // document is read whole into a tree, which keeps no text.
    let xml = "<w:wrap xmlns:w=\"http://w.example/\">\n  <w:rec  id=\"1\"><w:link>a b</w:link><!-- note --></w:rec>\n  <w:rec id=\"2\"/>\n</w:wrap>";
    let d = dir(&[("o.xml", xml.as_bytes())]);
    for (iterator, raw) in [
        (
            "/w:wrap/w:rec",
            Some("<w:rec  id=\"1\"><w:link>a b</w:link><!-- note --></w:rec>"),
        ),
        ("/w:wrap/w:rec[@id]", None),
    ] {
        let mapping = format!(
            "prefixes: {{ex: http://example.org/}}
mappings:
  rec:
    sources: [[o.xml~xpath, \"{iterator}\"]]
    s: http://example.org/r/$(@id)
    po:
      - [ex:link, $(w:link)~iri]
"
        );
        let out = run(d.path(), &mapping, true);
        assert_eq!(
            out.raws,
            [raw.map(str::to_owned)],
            "{iterator}: {:?}",
            out.rejected
        );
    }
}

#[test]
fn issue_11_empty_cells_make_no_terms() {
    let d = dir(&[("o.csv", OBJECTS)]);
    let mapping = |null: &str| {
        format!(
            "prefixes: {{schema: http://schema.org/}}
mappings:
  objects:
    sources: [{{access: o.csv, referenceFormulation: csv{null}}}]
    s: http://example.org/o/$(id)
    po:
      - [schema:name, $(title), de~lang]
      - [schema:creator, http://example.org/person/$(creator)~iri]
  persons:
    sources: [{{access: o.csv, referenceFormulation: csv{null}}}]
    s: http://example.org/person/$(creator)
    po:
      - [schema:name, $(creator)]
"
        )
    };
    let out = run(d.path(), &mapping(""), true);
    let all = out.quads.join("\n");
    assert!(!all.contains("\"\""), "{all}");
    assert!(!all.contains("/person/>"), "{all}");
    assert_eq!(out.quads.len(), 3 + 2 + 1, "{all}");
    // An explicit empty list keeps empty strings as values.
    let kept = run(d.path(), &mapping(", null: []"), true);
    assert!(kept.quads.iter().any(|q| q.contains("\"\"@de")));
    assert!(
        kept.quads
            .iter()
            .any(|q| q.starts_with("<http://example.org/person/> <http://schema.org/name> \"\""))
    );
    // A list of its own replaces the default.
    let na = run(d.path(), &mapping(", null: [Stillleben]"), true);
    assert!(na.quads.iter().any(|q| q.contains("\"\"@de")));
    assert!(!na.quads.iter().any(|q| q.contains("Stillleben")));
    // RML-IO keeps an empty cell as an empty string unless the source names its null values
    // (its test case RMLSTC0004a); `rml:null ""` makes it no value.
    let ttl = |null: &str| {
        format!(
            r#"@prefix rml: <http://w3id.org/rml/> .
<#O> rml:logicalSource [ rml:source [ a rml:RelativePathSource ; rml:path "o.csv" {null} ] ;
    rml:referenceFormulation rml:CSV ] ;
  rml:subjectMap [ rml:template "http://example.org/o/{{id}}" ] ;
  rml:predicateObjectMap [ rml:predicate <http://schema.org/name> ; rml:objectMap [ rml:reference "title" ] ] .
"#
        )
    };
    assert_eq!(run(d.path(), &ttl(""), false).quads.len(), 4);
    assert_eq!(run(d.path(), &ttl("; rml:null \"\""), false).quads.len(), 3);
    // The legacy vocabulary reads it as no value, as the engines that run it do.
    let legacy = r#"@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
<#O> rml:logicalSource [ rml:source "o.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.org/o/{id}" ] ;
  rr:predicateObjectMap [ rr:predicate <http://schema.org/name> ; rr:objectMap [ rml:reference "title" ] ] .
"#;
    assert_eq!(run(d.path(), legacy, false).quads.len(), 3);
}

#[test]
fn issue_11_records_that_repeat_a_subjects_quads_are_left_out() {
    let d = dir(&[("o.csv", OBJECTS)]);
    let mapping = "prefixes: {schema: http://schema.org/}
mappings:
  persons:
    sources: [o.csv~csv]
    s: http://example.org/person/$(creator)
    po:
      - [a, schema:Person]
      - [schema:name, $(creator)]
";
    let m = Mapping::from_yarrrml(mapping, "m.yaml", d.path()).unwrap();
    let mut out = Collect::default();
    let counts = m.run(&mut out).unwrap();
    assert_eq!(out.quads.len(), 2, "{:?}", out.quads);
    assert_eq!((counts.quads, counts.duplicates), (2, 2));
    let mut kept = Collect::default();
    m.with_duplicates(true).run(&mut kept).unwrap();
    assert_eq!(kept.quads.len(), 4);
}

/// A repeated row of a map whose quads depend on more than its subject's values (here a
/// title, and a join to the creator) is left out too; rows that differ are all kept.
#[test]
fn issue_11_repeated_records_of_any_map_are_left_out() {
    let d = dir(&[(
        "o.csv",
        b"id,title,creator\n1,Vase,Anna\n1,Vase,Anna\n1,Krug,Anna\n2,Vase,Anna\n",
    )]);
    let mapping = "prefixes: {schema: http://schema.org/}
mappings:
  objects:
    sources: [o.csv~csv]
    s: http://example.org/o/$(id)
    po:
      - [schema:name, $(title)]
      - p: schema:creator
        o:
          mapping: persons
          condition:
            function: equal
            parameters:
              - [str1, $(creator), s]
              - [str2, $(creator), o]
  persons:
    sources: [o.csv~csv]
    s: http://example.org/person/$(creator)
";
    let m = Mapping::from_yarrrml(mapping, "m.yaml", d.path()).unwrap();
    let mut out = Collect::default();
    let counts = m.run(&mut out).unwrap();
    let mut distinct = out.quads.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(out.quads.len(), distinct.len(), "{:?}", out.quads);
    // Rows 1, 3 and 4 differ; row 2 repeats row 1 (2 quads).
    assert!(counts.duplicates >= 2, "{counts:?}");
    let mut kept = Collect::default();
    m.with_duplicates(true).run(&mut kept).unwrap();
    assert!(kept.quads.len() > out.quads.len());
    kept.quads.sort();
    kept.quads.dedup();
    assert_eq!(kept.quads, distinct);
}

#[test]
fn issue_11_utf16_without_a_byte_order_mark_is_named() {
    let utf16: Vec<u8> = "id,title\n1,Urkunde\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let d = dir(&[("o.csv", &utf16)]);
    let m = Mapping::from_yarrrml(
        "mappings:
  objects:
    sources: [o.csv~csv]
    s: http://example.org/o/$(id)
    po:
      - [http://example.org/title, $(title)]
",
        "m.yaml",
        d.path(),
    )
    .unwrap();
    let e = m.run(&mut Collect::default()).unwrap_err().to_string();
    assert!(e.contains("looks like UTF-16"), "{e}");
}

#[test]
fn issue_11_long_values_are_cut_in_messages() {
    let long = "x y".repeat(200);
    let d = dir(&[("o.csv", format!("id,link\n1,{long}\n").as_bytes())]);
    let out = run(
        d.path(),
        "mappings:
  objects:
    sources: [o.csv~csv]
    s: http://example.org/o/$(id)
    po:
      - [http://example.org/link, $(link)~iri]
",
        true,
    );
    assert_eq!(out.rejected.len(), 1);
    assert!(
        out.rejected[0].contains("… (600 characters)"),
        "{}",
        out.rejected[0]
    );
    assert!(out.rejected[0].len() < 400, "{}", out.rejected[0]);
}
