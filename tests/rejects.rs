//! Rejected records as a data steward meets them: real files, one record broken on purpose (or
//! broken as published), ingested or converted from the command line, and the rejected-records
//! file read back. Each line must hold the record's own text, so that it can be fixed without
//! looking it up.

use crate::util::{Site, bin, repo};
use serde_json::Value;

fn dataset(path: &str) -> String {
    std::fs::read_to_string(repo().join("datasets").join(path))
        .unwrap_or_else(|e| panic!("datasets/{path}: {e}"))
}

/// The lines of a rejected-records file, as JSON.
fn rejected(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// `text` with `old` (which must be there once) replaced by `new`.
fn replace_once(text: &str, old: &str, new: &str) -> String {
    assert_eq!(text.matches(old).count(), 1, "{old:?}");
    text.replacen(old, new, 1)
}

/// The `n`th (0-based) piece of `text` from `open` to the end of the following `close`.
fn nth_block<'a>(text: &'a str, open: &str, close: &str, n: usize) -> &'a str {
    let start = text
        .match_indices(open)
        .nth(n)
        .unwrap_or_else(|| panic!("no {open:?} number {n}"))
        .0;
    let end = start + text[start..].find(close).expect("closed") + close.len();
    &text[start..end]
}

/// The JSON object that starts at byte `start` of `text`, as written.
fn object_at(text: &str, start: usize) -> &str {
    let (mut depth, mut in_string, mut escaped) = (0, false, false);
    for (i, c) in text[start..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => depth += 1,
            '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return &text[start..=start + i];
                }
            }
            _ => {}
        }
    }
    panic!("no object at {start}")
}

/// JSON text without the whitespace between tokens.
fn compact(json: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
    for c in json.chars() {
        if in_string || !c.is_whitespace() {
            out.push(c);
        }
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            _ => {}
        }
    }
    out
}

#[test]
fn an_ingest_keeps_each_rejected_record_with_its_text() {
    let site = Site::new(
        r#"
[[source]]
id = "catalog"
kind = "rdf"
path = "catalog.ttl"
max_rejected = "100%"

[[source]]
id = "events"
kind = "ical"
path = "events.ics"
window_start = "2018-01-01"
window_end = "2020-12-31"
max_rejected = "100%"

[[source]]
id = "places"
kind = "geojson"
path = "places.geojson"
max_rejected = "100%"

[[source]]
id = "objects"
kind = "lido"
path = "objects.lido.xml"
max_rejected = "100%"

[[source]]
id = "museums"
kind = "yarrrml"
mapping = "museen.yarrrml.yaml"
path = "wikidata-isil-lookup-museums-de.tsv"
max_rejected = "100%"

[[source]]
id = "concerts"
kind = "jsonld"
path = "concerts.jsonld"
max_rejected = "100%"
"#,
    );

    // Turtle as published, with a line of free text before the prefixes.
    site.write(
        "catalog.ttl",
        &dataset("catalogs/dcat-ap-de-uag-beispieldatensatz-2024-02-22.ttl"),
    );

    // iCalendar: the second VEVENT (folded lines, CRLF) gets a DTSTART that is no date.
    let ics = replace_once(
        &dataset("events/fablab-cottbus.ics"),
        "DTSTART;TZID=Europe/Berlin:20161203T140000",
        "DTSTART;TZID=Europe/Berlin:3. Dezember\\, 14 Uhr",
    );
    site.write("events.ics", &ics);
    let vevent = nth_block(&ics, "BEGIN:VEVENT", "END:VEVENT", 1);
    assert!(vevent.contains("3. Dezember") && vevent.contains("\r\n "));

    // GeoJSON (one line): a feature without id and name has nothing to key it by.
    let geojson = replace_once(
        &dataset("institutions/osm-museums-sachsen-sachsen-anhalt-thueringen.geojson"),
        r#"{"type":"Feature","properties":{"name":"Wassermühle Zimmermann","tourism":"museum"},"geometry":{"type":"Point","coordinates":[10.6352414,51.9186303]},"id":"2268883634"}"#,
        r#"{"type":"Feature","properties":{"tourism":"museum"},"geometry":{"type":"Point","coordinates":[10.6352414,51.9186303]}}"#,
    );
    site.write("places.geojson", &geojson);

    // LIDO: the second record loses the text of its identifiers.
    let lido = dataset("collections/kenom-oai-chunk20.lido.xml");
    let record = nth_block(&lido, "<lido:lido>", "</lido:lido>", 1);
    let mut broken = record.to_owned();
    for name in ["lido:lidoRecID", "lido:objectPublishedID"] {
        let mut from = 0;
        while let Some(at) = broken[from..].find(&format!("<{name} ")) {
            let open_end = from + at + broken[from + at..].find('>').expect("tag end") + 1;
            let close = open_end + broken[open_end..].find("</").expect("end tag");
            broken.replace_range(open_end..close, "");
            from = open_end;
        }
    }
    assert_ne!(broken, record);
    site.write("objects.lido.xml", &replace_once(&lido, record, &broken));

    // CSV (tab-separated) through a YARRRML mapping: a row with a field too many, and a row
    // whose Wikidata item makes no IRI.
    site.write(
        "museen.yarrrml.yaml",
        &dataset("institutions/museen.yarrrml.yaml"),
    );
    let tsv = dataset("institutions/wikidata-isil-lookup-museums-de.tsv");
    let extra = tsv.lines().nth(2).expect("a row").to_owned();
    let extra_field = format!("{extra}\tund noch etwas");
    let bad_iri = tsv.lines().nth(4).expect("a row").to_owned();
    let spaced_iri = bad_iri.replacen("entity/Q", "entity/ Q", 1);
    let tsv = replace_once(&tsv, &format!("\n{extra}\n"), &format!("\n{extra_field}\n"));
    let tsv = replace_once(
        &tsv,
        &format!("\n{bad_iri}\n"),
        &format!("\n{spaced_iri}\n"),
    );
    site.write("wikidata-isil-lookup-museums-de.tsv", &tsv);

    // JSON-LD (pretty-printed): the first item names a context that is not at hand offline.
    let jsonld = dataset("events/songkick-maximo-park-gigography.jsonld");
    let first = jsonld
        .find("\"@context\":\"http://schema.org\"")
        .expect("a context");
    let jsonld = format!(
        "{}\"@context\":\"http://kontext.example/\"{}",
        &jsonld[..first],
        &jsonld[first + "\"@context\":\"http://schema.org\"".len()..]
    );
    site.write("concerts.jsonld", &jsonld);
    let item = object_at(&jsonld, jsonld[..first].rfind('{').expect("an item"));

    let (code, _, stderr) = site.run(&["ingest", "--report", "report.json"]);
    assert_eq!(code, 0, "{stderr}");

    let expected: [(&str, Vec<String>); 6] = [
        ("catalog", vec!["Stand: 22.02.2024 16:12 ".to_owned()]),
        ("events", vec![vevent.to_owned()]),
        (
            "places",
            vec![
                r#"{"type":"Feature","properties":{"tourism":"museum"},"geometry":{"type":"Point","coordinates":[10.6352414,51.9186303]}}"#
                    .to_owned(),
            ],
        ),
        ("objects", vec![broken.clone()]),
        ("museums", vec![extra_field, spaced_iri]),
        ("concerts", vec![compact(item)]),
    ];
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(site.path().join("report.json")).expect("report"),
    )
    .expect("JSON report");
    for (id, raws) in &expected {
        let lines = rejected(&site.path().join(format!("rejected/{id}.jsonl")));
        let found: Vec<&str> = lines.iter().filter_map(|l| l["raw"].as_str()).collect();
        assert_eq!(&found, raws, "{id}: {lines:?}");
        // The report's first diagnostics say the same.
        let source = report["sources"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["id"] == *id))
            .unwrap_or_else(|| panic!("{id} is not in the report"));
        assert_eq!(source["diagnostics"], Value::Array(lines), "{id}");
        // What is shown to people stays one line a record, without the record.
        for raw in raws {
            assert!(
                !stderr.contains(raw.as_str()),
                "{id}: the record is shown: {stderr}"
            );
        }
    }
    assert!(
        !stderr.contains("BEGIN:VEVENT") && !stderr.contains("<lido:lido>"),
        "{stderr}"
    );
    assert!(
        stderr.contains("catalog.ttl:1:1: record 1: "),
        "the rejected record is still shown with its place: {stderr}"
    );
}

#[test]
fn convert_writes_rejected_records_with_their_text_cut_at_the_bound() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good = "<http://s.example/> <http://p.example/> \"o\" .";
    let broken = "<http://s.example/> <http://p.example/> unquoted .";
    let huge = format!("<http://s.example/> {} .", "ü".repeat(100_000));
    std::fs::write(
        dir.path().join("a.nt"),
        format!("{good}\r\n{broken}\r\n{huge}\n{good}\n"),
    )
    .expect("write");
    let run = |args: &[&str]| {
        bin()
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("run kulturnetz")
    };
    let output = run(&["convert", "rdf", "a.nt", "--rejected", "rejected.jsonl"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("kulturnetz: rejected: a.nt:2:"),
        "{stderr}"
    );
    assert!(stderr.len() < 2000, "{stderr}");
    let lines = rejected(&dir.path().join("rejected.jsonl"));
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["location"]["line"], 2);
    assert_eq!(lines[0]["raw"], broken);
    // A record is kept up to RAW_RECORD_CHARS characters, and the cut says how long it was.
    let total = huge.chars().count();
    let kept: String = huge
        .chars()
        .take(kulturnetz_model::RAW_RECORD_CHARS)
        .collect();
    assert_eq!(
        lines[1]["raw"].as_str(),
        Some(format!("{kept}… ({total} characters)").as_str())
    );

    // A run that rejects nothing leaves no rejected-records file, not an old one.
    std::fs::write(dir.path().join("a.nt"), format!("{good}\n")).expect("write");
    let output = run(&["convert", "rdf", "a.nt", "--rejected", "rejected.jsonl"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(!dir.path().join("rejected.jsonl").exists());
}
