//! The SHACL gate of the ingest: a source that breaks its shapes keeps its old graph in `gate`
//! mode, is published with a report in `warn` mode, is not checked in `off` mode; the report is
//! in the `--report` JSON and, as a `sh:ValidationReport`, in the meta graph; `validate
//! --source` checks without publishing.

use crate::util::Site;

const SHAPES: &str = r#"@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix schema: <http://schema.org/> .
@prefix ex: <https://shapes.example/> .
ex:Museum a sh:NodeShape ;
  sh:targetClass schema:Museum ;
  sh:property ex:Museum-name .
ex:Museum-name a sh:PropertyShape ;
  sh:path schema:name ;
  sh:minCount 1 ;
  sh:message "Ein Museum braucht einen Namen."@de , "A museum needs a name."@en .
"#;

const GOOD: &str = "<https://m.example/1> a <http://schema.org/Museum> ; <http://schema.org/name> \"Stadtmuseum\" .\n\
<https://m.example/2> a <http://schema.org/Museum> ; <http://schema.org/name> \"Kunsthalle\" .\n";

const BAD: &str = "<https://m.example/1> a <http://schema.org/Museum> ; <http://schema.org/name> \"Stadtmuseum\" .\n\
<https://m.example/2> a <http://schema.org/Museum> .\n\
<https://m.example/3> a <http://schema.org/Museum> ; <http://schema.org/name> \"Neu\" .\n";

/// A site with one source `museen` read from `museen.ttl`, validated against `shapes/museum.ttl`
/// (the folder `[pipeline] shapes` names) with `extra` keys.
fn site(extra: &str) -> Site {
    let site = Site::new(&format!(
        "[pipeline]\nshapes = \"shapes\"\n\n[[source]]\nid = \"museen\"\nkind = \"rdf\"\npath = \"museen.ttl\"\n{extra}"
    ));
    site.write("shapes/museum.ttl", SHAPES);
    site
}

/// Runs a query through the CLI and returns the TSV.
fn query(site: &Site, query: &str) -> String {
    let (code, stdout, stderr) = site.run(&["query", query, "--format", "tsv"]);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

fn report(site: &Site) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(site.path().join("report.json")).expect("report"))
        .expect("json")
}

const MUSEUMS: &str = "SELECT (COUNT(*) AS ?n) { GRAPH <https://daten.kultur.example/graph/museen> { ?s a <http://schema.org/Museum> } }";

/// The report `iri` in the meta graph: whether it conforms, and its violations.
fn report_in_meta(site: &Site, iri: &str) -> String {
    query(
        site,
        &format!(
            "PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?conforms ?focus ?path ?message {{ GRAPH <https://daten.kultur.example/graph/meta> {{
  <{iri}> a sh:ValidationReport ; sh:conforms ?conforms .
  OPTIONAL {{ <{iri}> sh:result ?r .
    ?r sh:focusNode ?focus ; sh:resultPath ?path ; sh:resultSeverity sh:Violation ;
       sh:resultMessage ?message FILTER(LANG(?message) = \"en\") }}
}} }}"
        ),
    )
}

const PUBLISHED: &str = "https://daten.kultur.example/graph/meta/validation/museen";
const REFUSED: &str = "https://daten.kultur.example/graph/meta/validation/museen/refused";
const VIOLATION_ROW: &str =
    "false\t<https://m.example/2>\t<http://schema.org/name>\t\"A museum needs a name.\"@en\n";
const HEADER: &str = "?conforms\t?focus\t?path\t?message\n";

#[test]
fn a_gated_source_that_breaks_its_shapes_keeps_its_old_graph() {
    let site = site("");
    site.write("museen.ttl", GOOD);
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(query(&site, MUSEUMS), "?n\n2\n");

    site.write("museen.ttl", BAD);
    let (code, _, stderr) = site.run(&["ingest", "--report", "report.json"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("museen                       FAILED, previous data kept"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "1 SHACL violations in 3 focus nodes, more than max_violations = 0 allows; the previous \
             data stays published (the report: https://daten.kultur.example/graph/meta/validation/museen/refused \
             in graph https://daten.kultur.example/graph/meta"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "Violation <https://m.example/2> <http://schema.org/name>: A museum needs a name."
        ),
        "{stderr}"
    );
    // The old graph is still the published one.
    assert_eq!(query(&site, MUSEUMS), "?n\n2\n");

    let report = report(&site);
    let source = &report["sources"][0];
    assert_eq!(source["outcome"], "failed", "{source}");
    let validation = &source["validation"];
    assert_eq!(
        (
            &validation["mode"],
            &validation["violations"],
            &validation["focus_nodes"]
        ),
        (&"gate".into(), &1.into(), &3.into()),
        "{validation}"
    );
    // Its time is reported apart, as part of the source's.
    let seconds = validation["seconds"].as_f64().expect("validation.seconds");
    assert!(
        seconds <= source["seconds"].as_f64().expect("seconds"),
        "{source}"
    );
    let result = &validation["results"][0];
    assert_eq!(result["focus_node"], "<https://m.example/2>", "{result}");
    assert_eq!(result["path"], "<http://schema.org/name>", "{result}");
    assert_eq!(result["message"], "A museum needs a name.", "{result}");
    assert_eq!(result["severity"], "Violation", "{result}");
    assert_eq!(
        result["shape"], "<https://shapes.example/Museum-name>",
        "{result}"
    );

    assert_eq!(validation["report"], REFUSED, "{validation}");
    // The report is data: a sh:ValidationReport in the meta graph, without blank nodes, beside
    // the report of the graph that stays published.
    assert_eq!(
        report_in_meta(&site, REFUSED),
        format!("{HEADER}{VIOLATION_ROW}")
    );
    assert_eq!(
        report_in_meta(&site, PUBLISHED),
        format!("{HEADER}true\t\t\t\n")
    );
    assert_eq!(
        query(
            &site,
            "SELECT (COUNT(*) AS ?n) { GRAPH <https://daten.kultur.example/graph/meta> { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }"
        ),
        "?n\n0\n"
    );

    // Fixed data passes the gate; the refused run's report goes, parts and all.
    site.write(
        "museen.ttl",
        &format!("{GOOD}<https://m.example/3> a <http://schema.org/Museum> ; <http://schema.org/name> \"Neu\" .\n"),
    );
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(query(&site, MUSEUMS), "?n\n3\n");
    assert_eq!(report_in_meta(&site, REFUSED), HEADER);
    assert_eq!(
        report_in_meta(&site, PUBLISHED),
        format!("{HEADER}true\t\t\t\n")
    );
    assert_eq!(
        query(
            &site,
            "SELECT (COUNT(*) AS ?n) { GRAPH <https://daten.kultur.example/graph/meta> { ?s a <http://www.w3.org/ns/shacl#ValidationResult> } }"
        ),
        "?n\n0\n"
    );
}

#[test]
fn max_violations_tolerates_a_share_of_the_focus_nodes() {
    let site = site("max_violations = \"40%\"\n");
    site.write("museen.ttl", BAD);
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("validation (gate): 1 violations, 0 warnings in 3 focus nodes"),
        "{stderr}"
    );
    assert_eq!(query(&site, MUSEUMS), "?n\n3\n");
    let site = self::site("max_violations = \"30%\"\n");
    site.write("museen.ttl", BAD);
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn a_warned_source_is_published_with_its_violations_reported() {
    let site = site("validate = \"warn\"\n");
    site.write("museen.ttl", BAD);
    let (code, _, stderr) = site.run(&["ingest", "--report", "report.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("validation (warn): 1 violations"),
        "{stderr}"
    );
    assert_eq!(query(&site, MUSEUMS), "?n\n3\n");
    let source = &report(&site)["sources"][0];
    assert_eq!(source["outcome"], "loaded", "{source}");
    assert_eq!(source["validation"]["violations"], 1, "{source}");
    assert_eq!(
        source["validation"]["results"][0]["focus_node"], "<https://m.example/2>",
        "{source}"
    );
    assert_eq!(
        report_in_meta(&site, PUBLISHED),
        format!("{HEADER}{VIOLATION_ROW}")
    );
}

#[test]
fn a_source_not_validated_is_published_without_a_report() {
    let site = site("validate = \"off\"\n");
    site.write("museen.ttl", BAD);
    let (code, _, stderr) = site.run(&["ingest", "--report", "report.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(query(&site, MUSEUMS), "?n\n3\n");
    let validation = &report(&site)["sources"][0]["validation"];
    assert_eq!(
        (
            &validation["mode"],
            &validation["shapes"],
            &validation["violations"]
        ),
        (&"off".into(), &0.into(), &0.into()),
        "{validation}"
    );
    assert_eq!(
        query(
            &site,
            "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s a <http://www.w3.org/ns/shacl#ValidationReport> } }"
        ),
        "?n\n0\n"
    );
}

#[test]
fn a_shapes_file_that_is_not_well_formed_stops_the_run_naming_the_file() {
    let site = site("");
    site.write("museen.ttl", GOOD);
    site.write(
        "shapes/broken.ttl",
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<#S> sh:minCount \"many\" ;\n",
    );
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("broken.ttl"), "{stderr}");
    assert!(!stderr.contains("museum.ttl"), "{stderr}");
    site.write(
        "shapes/broken.ttl",
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<https://s.example/S> a sh:NodeShape ; sh:minCount \"many\" .\n",
    );
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("broken.ttl: "), "{stderr}");
    assert_eq!(query(&site, MUSEUMS), "?n\n0\n");
}

#[test]
fn new_shapes_validate_an_unchanged_source_again() {
    let site = site("");
    site.write("museen.ttl", BAD);
    site.write("shapes/museum.ttl", "");
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    site.write("shapes/museum.ttl", SHAPES);
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("1 SHACL violations"), "{stderr}");
}

#[test]
fn validate_checks_the_named_sources_without_publishing() {
    let site = site("");
    site.write("museen.ttl", BAD);
    site.write("other.ttl", GOOD);
    std::fs::write(
        site.config(),
        std::fs::read_to_string(site.config()).expect("config")
            + "\n[[source]]\nid = \"other\"\nkind = \"rdf\"\npath = \"other.ttl\"\n",
    )
    .expect("config");
    let (code, _, stderr) = site.run(&["validate", "--source", "other"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("other                        checked 4 triples from 4 records (0 rejected), nothing published"), "{stderr}");
    assert!(
        stderr.contains("1 source(s) checked: no violations; nothing was published"),
        "{stderr}"
    );

    let (code, _, stderr) =
        site.run(&["validate", "--source", "museen", "--report", "report.json"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("validation (gate): 1 violations"),
        "{stderr}"
    );
    // No report was written, so none is named.
    assert!(!stderr.contains("graph/meta/validation"), "{stderr}");
    assert!(
        stderr
            .contains("1 of 1 source(s) do not pass: museen (1 violations); nothing was published"),
        "{stderr}"
    );
    assert_eq!(
        report(&site)["sources"][0]["validation"]["results"][0]["path"],
        "<http://schema.org/name>"
    );
    // Nothing was published, not even into the site's store.
    assert!(!site.path().join("store").exists());
    let (code, _, stderr) = site.run(&["validate", "--source", "nosuch"]);
    assert_eq!(code, 2, "{stderr}");
}

/// The application profile: every file of `ontologies/shapes` is well-formed SHACL, and every
/// shape says in German and English what it is (node shapes) or what it checks, what the
/// property means and what is wrong when it fails (property shapes).
#[test]
fn the_application_profile_is_well_formed_and_speaks_german_and_english() {
    use crate::util::Shapes;
    use oxrdf::Term;
    let folder = crate::util::repo().join("ontologies/shapes");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .expect("ontologies/shapes")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let names: Vec<_> = files
        .iter()
        .filter_map(|f| f.file_name()?.to_str().map(str::to_owned))
        .collect();
    assert_eq!(
        names,
        [
            "accessibility.ttl",
            "datasets.ttl",
            "events.ttl",
            "links.ttl",
            "objects.ttl",
            "places.ttl",
            "venues.ttl"
        ]
    );
    let empty = tempfile::tempdir().expect("temp dir");
    std::fs::write(empty.path().join("empty.ttl"), "").expect("write");
    for file in &files {
        // Well-formed: the validator reads the shapes (and an empty graph conforms).
        let output = crate::util::bin()
            .args(["validate", "--shapes"])
            .arg(file)
            .arg(empty.path().join("empty.ttl"))
            .output()
            .expect("run");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let shapes = Shapes::read(file);
        let (nodes, properties) = shapes.assert_bilingual();
        assert!(!nodes.is_empty(), "{}", file.display());
        assert!(!properties.is_empty(), "{}", file.display());
        // Every property shape is named, so that a result's sh:sourceShape says which rule.
        let anonymous = shapes
            .triples
            .iter()
            .filter(|t| {
                t.predicate == Shapes::sh("property") && !matches!(t.object, Term::NamedNode(_))
            })
            .count();
        assert_eq!(anonymous, 0, "{}", file.display());
    }
}

/// A focus node that is a blank node is looked up again in the staged graph: its name is found,
/// and a blank node without one is reported (in the meta graph as an IRI of the report).
#[test]
fn blank_nodes_of_the_staged_graph_are_focus_nodes() {
    let site = site("validate = \"warn\"\n");
    site.write(
        "museen.ttl",
        "[] a <http://schema.org/Museum> ; <http://schema.org/name> \"Anonym\" .\n[] a <http://schema.org/Museum> .\n",
    );
    let (code, _, stderr) = site.run(&["ingest", "--report", "report.json"]);
    assert_eq!(code, 0, "{stderr}");
    let validation = &report(&site)["sources"][0]["validation"];
    assert_eq!(
        (&validation["violations"], &validation["focus_nodes"]),
        (&1.into(), &2.into()),
        "{validation}"
    );
    let focus = validation["results"][0]["focus_node"]
        .as_str()
        .expect("focus node");
    assert!(focus.starts_with("_:"), "{validation}");
    assert_eq!(
        report_in_meta(&site, PUBLISHED)
            .lines()
            .nth(1)
            .and_then(|l| l.split('\t').nth(1)),
        Some(format!("<{PUBLISHED}#b1>").as_str())
    );
}
