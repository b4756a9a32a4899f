//! `kulturnetz validate --shapes FILE [--report FILE] DATA`: exit codes, the summary line, the
//! report, and where a broken file is broken.

use std::path::Path;

fn validate(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["validate"];
    all.extend_from_slice(args);
    crate::util::run_in(dir, &all)
}

const SHAPES: &str = r#"@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <http://schema.org/> .
<#Museum> a sh:NodeShape ;
  sh:targetClass schema:Museum ;
  sh:property [ sh:path schema:name ; sh:minCount 1 ; sh:datatype <http://www.w3.org/2001/XMLSchema#string> ] ;
  sh:property [ sh:path schema:telephone ; sh:maxCount 1 ; sh:severity sh:Warning ] .
"#;

/// Reads a report the way a client would: as Turtle, into a graph.
fn report_graph(turtle: &str) -> oxrdf::Graph {
    oxttl::TurtleParser::new()
        .for_slice(turtle.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("the report is not Turtle: {e}\n{turtle}"))
}

/// The value of the report's one `sh:conforms`, as `true` or `false`.
fn conforms(graph: &oxrdf::Graph) -> String {
    let conforms = oxrdf::NamedNodeRef::new_unchecked("http://www.w3.org/ns/shacl#conforms");
    let values: Vec<String> = graph
        .triples_for_predicate(conforms)
        .map(|t| match t.object {
            oxrdf::TermRef::Literal(l) if l.datatype() == oxrdf::vocab::xsd::BOOLEAN => {
                l.value().to_owned()
            }
            other => panic!("sh:conforms {other} is not a boolean"),
        })
        .collect();
    assert_eq!(values.len(), 1, "{values:?}");
    values[0].clone()
}

#[test]
fn conforming_data_exits_0_with_a_summary_and_a_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("shapes.ttl"), SHAPES).expect("write");
    // N-Triples, to show that the format goes by the extension.
    std::fs::write(
        dir.path().join("museen.nt"),
        "<http://example.org/m1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/Museum> .\n\
         <http://example.org/m1> <http://schema.org/name> \"Lindenau-Museum\" .\n",
    )
    .expect("write");
    let (code, stdout, stderr) = validate(dir.path(), &["--shapes", "shapes.ttl", "museen.nt"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "museen.nt: conforms (1 focus node, 3 shapes)\n");
    let report = report_graph(&stdout);
    assert_eq!(conforms(&report), "true");
    assert_eq!(report.len(), 2, "a report and its sh:conforms: {stdout}");
}

#[test]
fn violations_exit_1_and_the_report_names_each() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("shapes.ttl"), SHAPES).expect("write");
    // Relative IRIs resolve against the data file's own file: URI.
    std::fs::write(
        dir.path().join("museen.ttl"),
        "@prefix schema: <http://schema.org/> .\n\
         <m1> a schema:Museum ; schema:telephone \"1\", \"2\" .\n\
         <m2> a schema:Museum ; schema:name 42 .\n",
    )
    .expect("write");
    let (code, stdout, stderr) = validate(
        dir.path(),
        &[
            "--shapes",
            "shapes.ttl",
            "--report",
            "report.ttl",
            "museen.ttl",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        stderr,
        "kulturnetz: error: museen.ttl: does not conform: 2 violations, 1 warning \
         (2 focus nodes, 3 shapes)\n"
    );
    assert_eq!(stdout, "", "the report goes to --report");
    let turtle = std::fs::read_to_string(dir.path().join("report.ttl")).expect("report written");
    let report = report_graph(&turtle);
    assert_eq!(conforms(&report), "false");
    let focus = oxrdf::NamedNodeRef::new_unchecked("http://www.w3.org/ns/shacl#focusNode");
    let mut focus_nodes: Vec<String> = report
        .triples_for_predicate(focus)
        .map(|t| t.object.to_string())
        .collect();
    focus_nodes.sort();
    let base = std::fs::canonicalize(dir.path()).expect("canonical temp dir");
    let m = |name: &str| format!("<file://{}/{name}>", base.display());
    assert_eq!(focus_nodes, [m("m1"), m("m1"), m("m2")], "{turtle}");
}

#[test]
fn unusable_input_exits_2_with_file_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("shapes.ttl"), SHAPES).expect("write");
    std::fs::write(
        dir.path().join("broken.ttl"),
        "@prefix ex: <http://example.org/> .\nex:a ex:b \"x\"\n  ex:c .\n",
    )
    .expect("write");
    let (code, stdout, stderr) = validate(dir.path(), &["--shapes", "shapes.ttl", "broken.ttl"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("kulturnetz: error: broken.ttl:3:3: "),
        "{stderr}"
    );

    std::fs::write(dir.path().join("data.csv"), "a,b\n").expect("write");
    let (code, _, stderr) = validate(dir.path(), &["--shapes", "shapes.ttl", "data.csv"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("data.csv: unknown RDF format"), "{stderr}");

    let (code, _, stderr) = validate(dir.path(), &["--shapes", "missing.ttl", "broken.ttl"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("kulturnetz: error: missing.ttl: "),
        "{stderr}"
    );

    std::fs::write(
        dir.path().join("bad-shapes.ttl"),
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\
         <http://example.org/S> sh:targetNode <http://example.org/a> ; sh:minCount 1 .\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("empty.ttl"), "").expect("write");
    let (code, _, stderr) = validate(dir.path(), &["--shapes", "bad-shapes.ttl", "empty.ttl"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "kulturnetz: error: bad-shapes.ttl: shape <http://example.org/S>: sh:minCount and \
         sh:maxCount need a property shape (sh:path)\n"
    );

    let (code, _, stderr) = validate(dir.path(), &["empty.ttl"]);
    assert_eq!(code, 2, "clap's usage error: {stderr}");
    assert!(stderr.contains("--shapes <FILE>"), "{stderr}");
}
