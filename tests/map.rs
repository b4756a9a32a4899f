//! `kulturnetz map`: what a mapping's user meets on the command line.

use std::path::Path;

fn map(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["map"];
    all.extend_from_slice(args);
    crate::util::run_in(dir, &all)
}

const LEGACY: &str = r#"@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix schema: <http://schema.org/> .
<http://example.org/m#Person> rml:logicalSource [ rml:source "data.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.org/person/{creator}" ; rr:class schema:Person ] ;
  rr:predicateObjectMap [ rr:predicate schema:name ; rr:objectMap [ rml:reference "creator" ] ] .
"#;

const DATA: &str = "id,creator\n1,Sophie Klee\n2,\n3,Sophie Klee\n";

#[test]
fn issue_11_a_legacy_relative_source_is_found_in_the_working_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("mappings")).expect("mkdir");
    std::fs::write(dir.path().join("mappings/m.rml.ttl"), LEGACY).expect("write");
    std::fs::write(dir.path().join("data.csv"), DATA).expect("write");
    let (code, stdout, stderr) = map(dir.path(), &["mappings/m.rml.ttl"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stderr,
        "kulturnetz: note: mappings/m.rml.ttl: the source \"data.csv\" is not in the mapping's folder (mappings/data.csv); using data.csv in the working directory\n"
    );
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    // The mapping's folder comes first.
    std::fs::write(
        dir.path().join("mappings/data.csv"),
        "id,creator\n1,Käthe Zimmermann\n",
    )
    .expect("write");
    let (code, stdout, stderr) = map(dir.path(), &["mappings/m.rml.ttl"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(
        stdout.contains("K%C3%A4the") || stdout.contains("Käthe"),
        "{stdout}"
    );
    // Neither: both places are named.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(elsewhere.path().join("mappings")).expect("mkdir");
    std::fs::write(elsewhere.path().join("mappings/m.rml.ttl"), LEGACY).expect("write");
    let (code, _, stderr) = map(elsewhere.path(), &["mappings/m.rml.ttl"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "kulturnetz: error: mappings/m.rml.ttl: the source file \"data.csv\" is neither in the mapping's folder (mappings/data.csv) nor in the working directory (data.csv)\n"
    );
}

#[test]
fn issue_11_map_writes_each_quad_once_unless_asked() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("m.rml.ttl"), LEGACY).expect("write");
    std::fs::write(dir.path().join("data.csv"), DATA).expect("write");
    let (code, stdout, stderr) = map(dir.path(), &["m.rml.ttl"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(
        stdout,
        "<http://example.org/person/Sophie%20Klee> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/Person> .\n\
         <http://example.org/person/Sophie%20Klee> <http://schema.org/name> \"Sophie Klee\" .\n"
    );
    let (code, stdout, _) = map(dir.path(), &["m.rml.ttl", "--keep-duplicates"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().count(), 4);
}

#[test]
fn issue_11_a_language_given_as_a_datatype_is_refused_at_its_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("data.csv"), DATA).expect("write");
    std::fs::write(
        dir.path().join("m.yaml"),
        "prefixes: {schema: http://schema.org/}
mappings:
  objects:
    sources: [data.csv~csv]
    s: http://example.org/o/$(id)
    po:
      - [schema:name, $(creator), de]
",
    )
    .expect("write");
    let (code, stdout, stderr) = map(dir.path(), &["m.yaml"]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(
        stderr,
        "kulturnetz: error: m.yaml:7: triples map \"objects\": datatype `de` is not an IRI; for a language tag write `de~lang`\n"
    );
}

/// The output file is replaced whole: an older, longer output leaves nothing behind.
#[test]
fn the_output_file_is_replaced_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("m.rml.ttl"), LEGACY).expect("write");
    std::fs::write(dir.path().join("data.csv"), DATA).expect("write");
    std::fs::write(dir.path().join("out.nq"), "old ".repeat(1 << 18)).expect("write");
    let (code, stdout, stderr) = map(dir.path(), &["m.rml.ttl", "--out", "out.nq"]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    let out = std::fs::read_to_string(dir.path().join("out.nq")).expect("read");
    assert!(!out.contains("old"), "{}", &out[..out.len().min(200)]);
    assert_eq!(out.lines().count(), 2, "{out}");
}
