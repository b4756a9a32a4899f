//! The command line as users meet it: exit codes, messages, files, the main job.

use crate::util::{Site, client, enc, reply, repo, shared};
use std::io::Read as _;
use std::time::{Duration, Instant};

/// The repository's bundled catalogues, as sources of a fresh site.
fn catalog_sources() -> String {
    let config = std::fs::read_to_string(repo().join("kulturnetz.toml")).expect("kulturnetz.toml");
    let sources = &config[config.find("[[source]]").expect("sources")..];
    // Point the relative paths (`path`, `mapping`) at the repository.
    sources
        .lines()
        .map(|line| {
            let key = line.split('=').next().unwrap_or("").trim();
            match line.split_once("= \"") {
                Some((head, rest)) if key == "path" || key == "mapping" => {
                    format!("{head}= \"{}/{rest}\n", repo().display())
                }
                _ => format!("{line}\n"),
            }
        })
        .collect()
}

/// The ids of the bundled sources.
fn source_ids() -> Vec<String> {
    catalog_sources()
        .lines()
        .filter(|l| l.split('=').next().is_some_and(|k| k.trim() == "id"))
        .filter_map(|l| l.split('"').nth(1).map(str::to_owned))
        .collect()
}

#[test]
fn issue_3_main_job_loads_every_bundled_source_and_restarts_fast() {
    // Validated against the application profile, as the bundled configuration is.
    let site = Site::new(&format!(
        "[pipeline]\nshapes = {:?}\n\n{}",
        repo().join("ontologies/shapes").display().to_string(),
        catalog_sources()
    ));
    let server = site.serve(&[], &[]);
    let log = server.log.clone();
    drop(server);
    let ids = source_ids();
    assert!(ids.len() >= 17, "{ids:?}");
    for id in &ids {
        let line = log
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{id} ")))
            .unwrap_or_else(|| panic!("no line for {id}:\n{log}"));
        assert!(line.contains(" loaded "), "{id} did not load:\n{log}");
    }
    // The free-text first line is reported with its place, and the rest of the file loads.
    assert!(
        log.contains("dcat-ap-de-uag-beispieldatensatz-2024-02-22.ttl:1:1: record 1: "),
        "{log}"
    );
    assert!(log.contains("listening on http://127.0.0.1:"), "{log}");
    // A source whose real data breaks a rule of the profile runs with `validate = "warn"`: it
    // is published, and the log says what is wrong.
    assert!(
        log.contains("validation (warn): 79 violations, 0 warnings"),
        "{log}"
    );
    let rejected =
        std::fs::read_to_string(site.path().join("rejected/dcat-ap-de-uag-beispiel.jsonl"))
            .expect("rejected records file");
    assert_eq!(rejected.lines().count(), 1, "{rejected}");

    // A second start with nothing changed ingests nothing and serves within 2 seconds.
    let started = Instant::now();
    let server = site.serve(&[], &[]);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(2), "second start took {took:?}");
    assert_eq!(
        server.log.matches(" unchanged, ").count(),
        ids.len(),
        "{}",
        server.log
    );

    // Issues 4 and 5: every kind of connector is in the main job, and the sources link up:
    // photographs mapped with YARRRML are held by a museum of the YARRRML museum directory,
    // whose ISIL key is the one the LIDO connector gives repositories.
    let kinds = std::fs::read_to_string(repo().join("kulturnetz.toml")).expect("kulturnetz.toml");
    for kind in [
        "rdf", "yarrrml", "ical", "jsonld", "a11yjson", "geojson", "lido",
    ] {
        assert!(
            kinds.contains(&format!("\"{kind}\"")),
            "no source of kind {kind}"
        );
    }
    let ask = "PREFIX schema: <http://schema.org/> ASK { ?photo a schema:Photograph ; \
               schema:holdingArchive ?museum . ?museum a schema:Museum ; \
               schema:name \"Stadtgeschichtliches Museum Leipzig\" }";
    let r = reply(
        client()
            .get(format!("{}/sparql?query={}", server.url, enc(ask)))
            .header("Accept", "application/sparql-results+json")
            .call(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("true"),
        "photographs are not linked to their museum: {}",
        r.body
    );
}

#[test]
fn a_failed_source_leaves_the_previous_graph() {
    let site =
        Site::new("[[source]]\nid = \"a\"\nkind = \"rdf\"\npath = \"a.nt\"\nmax_rejected = 1\n");
    site.write(
        "a.nt",
        "<http://ex.example/s> <http://ex.example/p> \"old\" .\n",
    );
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    site.write(
        "a.nt",
        "<http://ex.example/s> <http://ex.example/p> \"new\" .\nbroken\nbroken too\n",
    );
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("a.nt:2:"), "{stderr}");
    assert!(
        stderr.contains("2 of 3 records rejected, more than max_rejected = 1 allows; the previous data stays published"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("kulturnetz: error: 1 source(s) failed: a\n"),
        "{stderr}"
    );
    let (code, stdout, stderr) = site.run(&[
        "query",
        "SELECT ?o { ?s <http://ex.example/p> ?o }",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "o\r\nold\r\n");
    // Records in = accepted + rejected, and the rejected ones are kept with their place.
    let rejected = std::fs::read_to_string(site.path().join("rejected/a.jsonl")).expect("rejects");
    let lines: Vec<serde_json::Value> = rejected
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["location"]["file"], "a.nt");
    assert_eq!(lines[0]["location"]["line"], 2);
    // A report says the same.
    site.write(
        "a.nt",
        "<http://ex.example/s> <http://ex.example/p> \"new\" .\nbroken\n",
    );
    let (code, _, stderr) = site.run(&["ingest", "--report", "report.json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site.path().join("report.json")).expect("report"),
    )
    .expect("JSON report");
    let a = &report["sources"][0];
    assert_eq!(
        (
            a["records"].as_u64(),
            a["accepted"].as_u64(),
            a["rejected"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(a["outcome"], "loaded");
}

#[test]
fn configuration_and_usage_errors_exit_2() {
    let site = Site::new("[server]\nquery_timeout = \"soon\"\n");
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("kulturnetz: error: "), "{stderr}");
    assert!(
        stderr.contains("kulturnetz.toml:9:17: expected a duration like \"30s\", found \"soon\""),
        "{stderr}"
    );

    let site = Site::new("[[source]]\nid = \"a\"\nkind = \"nope\"\npath = \"a\"\n");
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 2);
    let known: Vec<&str> = kulturnetz_connectors::CONNECTORS
        .iter()
        .map(|c| c.kind())
        .collect();
    assert!(known.len() >= 8, "{known:?}");
    assert_eq!(
        stderr,
        format!(
            "kulturnetz: error: {}:10:8: source \"a\": unknown kind \"nope\" (kinds: {})\n",
            site.config().display(),
            known.join(", ")
        )
    );
    // The command line lists the kinds from the registry, each with what it reads.
    let output = crate::util::bin()
        .args(["convert", "--help"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for c in kulturnetz_connectors::CONNECTORS {
        assert!(
            stdout
                .lines()
                .any(|l| l.trim_start().starts_with(c.kind()) && l.ends_with(c.description())),
            "{} is not listed:\n{stdout}",
            c.kind()
        );
    }
    let output = crate::util::bin()
        .args(["convert", "nope", "x"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "kulturnetz: error: no connector of kind \"nope\" (known: {})\n",
            kulturnetz_connectors::CONNECTORS
                .iter()
                .map(|c| c.kind())
                .collect::<Vec<_>>()
                .join(", ")
        )
    );
    let output = crate::util::bin()
        .args([
            "convert",
            "ical",
            "x.ics",
            "--option",
            "window_strat=2026-01-01",
        ])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).starts_with(
            "kulturnetz: error: --option window_strat: the ical connector has no such option; did you mean `window_start`?"
        ),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (code, _, stderr) = Site::new("").run(&["ingest", "--source", "x"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "kulturnetz: error: no source \"x\" in the configuration\n"
    );
    let (code, _, stderr) = Site::new("").run(&["query", "SELECT * {", "--format", "csv"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("kulturnetz: error: query syntax error at line 1, column 11"),
        "{stderr}"
    );
    let output = crate::util::bin().arg("frobnicate").output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    let missing = crate::util::bin()
        .args(["ingest", "--config", "/nonexistent/kulturnetz.toml"])
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/kulturnetz.toml: "));
}

/// A configuration is read strictly: every key it does not know is refused with its line and the
/// nearest key, and every problem found later still names the line it comes from.
#[test]
fn issue_11_configuration_refuses_what_it_does_not_know() {
    let refused = |extra: &str, expected: &str| {
        let site = Site::new(extra);
        site.write("a.ttl", "<http://ex.example/s> <http://ex.example/p> 1 .\n");
        let (code, _, stderr) = site.run(&["ingest"]);
        assert_eq!(code, 2, "{extra}: {stderr}");
        assert!(
            stderr.starts_with(&format!(
                "kulturnetz: error: {}:{expected}",
                site.config().display()
            )),
            "{extra}:\n{stderr}"
        );
    };
    let source = "[[source]]\nid = \"a\"\nkind = \"rdf\"\npath = \"a.ttl\"\n";
    refused(
        &format!("{source}licence = \"https://www.govdata.de/dl-de/by-2-0\"\n"),
        "12:1: source \"a\": unknown key `licence`; did you mean `license`?",
    );
    refused(
        &format!("{source}max_rejectd = 5\n"),
        "12:1: source \"a\": unknown key `max_rejectd`; did you mean `max_rejected`?",
    );
    refused(
        "[[source]]\nid = \"a\"\nkind = \"yarrml\"\npath = \"a.csv\"\n",
        "10:8: source \"a\": unknown kind \"yarrml\"; did you mean \"yarrrml\"?",
    );
    refused(
        "[[source]]\nid = \"a\"\nkind = \"yarrrml\"\npath = \"a.csv\"\n",
        "8:1: source \"a\": a source of kind \"yarrrml\" needs `mapping = \"…\"`",
    );
    refused(
        &format!("{source}\n{source}"),
        "14:6: source id \"a\" is used twice (first at line 9)",
    );
    refused(
        "[server]\nmax_concurrent_queries = 0\n",
        "9:1: max_concurrent_queries must be at least 1",
    );
    refused(
        "[server]\nmax_result_row = 10\n",
        "9:1: unknown key `max_result_row`; did you mean `max_result_rows`?",
    );
    // Refused by every command that reads the configuration, not only by `ingest`.
    let site = Site::new(&format!("{source}licence = \"x\"\n"));
    let (code, _, stderr) = site.run(&["query", "ASK {}"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("did you mean `license`?"), "{stderr}");

    // A missing input fails its source only, and names the configuration's line.
    let site = Site::new(&format!(
        "{source}\n[[source]]\nid = \"b\"\nkind = \"rdf\"\npath = \"missing.ttl\"\n"
    ));
    site.write("a.ttl", "<http://ex.example/s> <http://ex.example/p> 1 .\n");
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("kulturnetz.toml:16:8: source \"b\": cannot read its path \"missing.ttl\""),
        "{stderr}"
    );
    assert!(stderr.contains("loaded 1 triples"), "{stderr}");

    // A UTF-16 configuration is named as such.
    let site = Site::new("");
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(
        "[site]\nbase_iri = \"https://x.example/\"\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    std::fs::write(site.config(), utf16).expect("write");
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("looks like UTF-16"), "{stderr}");
}

/// The ingest reports the triples its graph holds, not the statements the connector wrote: a
/// graph keeps a repeated statement once.
#[test]
fn issue_11_ingest_reports_distinct_triples() {
    let lido = crate::util::repo().join("datasets/collections/kenom-oai-chunk20.lido.xml");
    let site = Site::new(&format!(
        "[[source]]\nid = \"twice\"\nkind = \"rdf\"\npath = \"twice.nt\"\n\n[[source]]\nid = \"lido\"\nkind = \"lido\"\npath = {:?}\n",
        lido.display().to_string()
    ));
    site.write(
        "twice.nt",
        "<http://ex.example/s> <http://ex.example/p> \"1\" .\n<http://ex.example/s> <http://ex.example/p> \"1\" .\n",
    );
    let (code, _, stderr) = site.run(&["ingest", "--report", "report.json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("loaded 1 triples from 2 records (0 rejected; 1 statements repeated)"),
        "{stderr}"
    );
    // A summary table closes an ingest of more than one source.
    assert!(
        stderr.contains("  source                       status      records  accepted  rejected violations    triples     time\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  twice                        loaded            2         2         0          0          1 "),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(site.path().join("report.json")).expect("report"),
    )
    .expect("json");
    let (code, stdout, _) = site.run(&[
        "query",
        "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
        "--format",
        "tsv",
    ]);
    assert_eq!(code, 0);
    for source in report["sources"].as_array().expect("sources") {
        let graph = source["graph"].as_str().expect("graph");
        let triples = source["triples"].as_u64().expect("triples");
        assert!(
            stdout.contains(&format!("<{graph}>\t{triples}\n")),
            "{graph} holds another count than {triples}:\n{stdout}"
        );
    }
    let lido = &report["sources"][1];
    assert!(
        lido["statements"].as_u64() > lido["triples"].as_u64(),
        "{lido}"
    );
}

/// For a log collector, `--log-format json` writes one JSON object per line: a source's start,
/// its end with the counts, and the whole run's end.
#[test]
fn issue_12_ingest_logs_as_json() {
    let site = Site::new(
        "[[source]]\nid = \"a\"\nkind = \"rdf\"\npath = \"a.nt\"\n\n[[source]]\nid = \"b\"\nkind = \"rdf\"\npath = \"b.nt\"\n",
    );
    site.write(
        "a.nt",
        "<http://ex.example/s> <http://ex.example/p> \"1\" .\n",
    );
    site.write("b.nt", "<http://ex.example/s> <http://ex.example/p> .\n");
    let (code, _, stderr) = site.run(&["--log-format", "json", "ingest"]);
    assert_eq!(code, 1, "{stderr}");
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let finished = |id: &str| {
        lines
            .iter()
            .find(|l| l["message"] == "source finished" && l["source"] == id)
            .unwrap_or_else(|| panic!("no end of {id}: {stderr}"))
    };
    let a = finished("a");
    assert_eq!(a["level"], "INFO", "{a}");
    assert_eq!(a["outcome"], "loaded", "{a}");
    assert!(a.get("first_rejects").is_none(), "{a}");
    assert_eq!(a["triples"], 1, "{a}");
    let b = finished("b");
    assert_eq!(
        (&b["level"], &b["outcome"]),
        (&"ERROR".into(), &"failed".into()),
        "{b}"
    );
    assert_eq!(b["rejected"], 1, "{b}");
    assert!(
        b["first_rejects"]
            .as_str()
            .is_some_and(|d| d.contains("b.nt:1")),
        "{b}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "source started" && l["source"] == "a" && l["kind"] == "rdf"),
        "{stderr}"
    );
    let end = lines
        .iter()
        .find(|l| l["message"] == "ingest finished")
        .expect("the run's end");
    assert_eq!(
        (&end["loaded"], &end["failed"]),
        (&1.into(), &1.into()),
        "{end}"
    );
    // The error that ends the run is a log line too.
    let last = lines.last().expect("lines");
    assert_eq!(
        (&last["level"], &last["message"]),
        (&"ERROR".into(), &"1 source(s) failed: b".into()),
        "{last}"
    );
}

/// `serve --log-format json` logs its ingest and its start as JSON lines too, nothing else.
#[test]
fn issue_12_serve_logs_as_json() {
    let site = Site::new("[[source]]\nid = \"a\"\nkind = \"rdf\"\npath = \"a.nt\"\n");
    site.write(
        "a.nt",
        "<http://ex.example/s> <http://ex.example/p> \"1\" .\n",
    );
    let server = site.serve(&["--log-format", "json"], &[]);
    let lines: Vec<serde_json::Value> = server
        .log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let said = |text: &str| {
        lines
            .iter()
            .any(|l| l["message"].as_str().is_some_and(|m| m.contains(text)))
    };
    assert!(said("source finished"), "{}", server.log);
    assert!(said("1 sources published, 1 triples"), "{}", server.log);
    assert!(said("listening on http://"), "{}", server.log);
}

/// Like `oxigraph load --location DIR FILE`: the commands that need only a store work without a
/// configuration, on `./data/store` or `--store DIR`, and say so.
#[test]
fn issue_11_load_query_dump_and_serve_without_a_configuration() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("a.ttl"),
        "<http://ex.example/s> <http://ex.example/p> \"o\" .\n",
    )
    .expect("write");
    let run = |args: &[&str]| {
        let output = crate::util::bin()
            .args(args)
            .current_dir(dir.path())
            .output()
            .expect("run");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, _, stderr) = run(&["load", "a.ttl", "--graph", "http://ex.example/g"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("no kulturnetz.toml here: using the store in data/store"),
        "{stderr}"
    );
    assert!(dir.path().join("data/store").is_dir());
    let (code, stdout, stderr) = run(&["query", "SELECT ?o { ?s ?p ?o }", "--format", "tsv"]);
    assert_eq!(
        (code, stdout.as_str()),
        (Some(0), "?o\n\"o\"\n"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["dump", "--out", "dumps"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(dir.path().join("dumps/all.nq.gz").is_file());
    let (code, stdout, stderr) = run(&[
        "query",
        "ASK { ?s ?p ?o }",
        "--store",
        "other",
        "--format",
        "csv",
    ]);
    assert_eq!((code, stdout.as_str()), (Some(0), "false"), "{stderr}");
    assert!(stderr.contains("using the store in other"), "{stderr}");

    let mut command = crate::util::bin();
    command
        .args(["serve", "--bind", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_remove("KULTURNETZ_WRITE_TOKEN")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    let server = crate::util::spawn_server(command);
    assert!(
        server.log.contains("using the store in data/store"),
        "{}",
        server.log
    );
    let reply = crate::util::reply(
        crate::util::client()
            .get(format!(
                "{}/sparql?query={}",
                server.url,
                crate::util::enc("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
            ))
            .header("Accept", "text/csv")
            .call(),
    );
    assert_eq!((reply.status, reply.body.as_str()), (200, "n\r\n1\r\n"));
}

/// The README's commands install what is missing without flooding the terminal (an installer's
/// output is shown only when it fails), and say before the first build how long it takes.
#[test]
fn issue_11_set_up_is_quiet_and_announces_the_first_build() {
    let script = |body: &str, target: &std::path::Path| {
        let output = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(". scripts/lib.sh; {body}"))
            .current_dir(crate::util::repo())
            .env("CARGO_TARGET_DIR", target)
            .output()
            .expect("bash");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let empty = tempfile::tempdir().expect("temp dir");
    let noisy = "for i in $(seq 60); do echo \"Setting up package $i\"; echo warn >&2; done";
    assert_eq!(
        script(&format!("quietly sh -c '{noisy}'"), empty.path()),
        (Some(0), String::new(), String::new())
    );
    let (code, stdout, stderr) = script(&format!("quietly sh -c '{noisy}; exit 3'"), empty.path());
    assert_eq!((code, stdout.as_str()), (Some(3), ""));
    assert!(stderr.contains("Setting up package 60"), "{stderr}");

    let (code, _, stderr) = script("build_notice", empty.path());
    assert_eq!(code, Some(0));
    assert!(stderr.contains("35-55 minutes on 2 cores"), "{stderr}");
    let deps = empty.path().join("release/deps");
    std::fs::create_dir_all(&deps).expect("mkdir");
    std::fs::write(deps.join("liboxrocksdb_sys-0123456789abcdef.rlib"), "").expect("write");
    assert_eq!(
        script("build_notice", empty.path()),
        (Some(0), String::new(), String::new())
    );
    // The README tells the same figure.
    let readme = std::fs::read_to_string(crate::util::repo().join("README.md")).expect("README");
    assert!(
        readme.contains("takes\n35–55 minutes on 2 cores"),
        "the README's build time differs from the scripts'"
    );
}

/// A source whose input comes back empty or much smaller (a truncated download, a broken
/// export) is held: its published graph stays until the run is confirmed.
#[test]
fn a_source_that_shrinks_is_held_until_confirmed() {
    let site = Site::new("[[source]]\nid = \"a\"\nkind = \"rdf\"\npath = \"a.nt\"\n");
    let lines = |n: usize| -> String {
        (0..n)
            .map(|i| format!("<http://ex.example/s{i}> <http://ex.example/p> \"{i}\" .\n"))
            .collect()
    };
    let count = || {
        let (code, stdout, stderr) = site.run(&[
            "query",
            "SELECT (COUNT(*) AS ?n) { GRAPH <https://daten.kultur.example/graph/a> { ?s ?p ?o } }",
            "--format",
            "csv",
        ]);
        assert_eq!(code, 0, "{stderr}");
        stdout.lines().nth(1).unwrap_or_default().to_owned()
    };
    site.write("a.nt", &lines(10));
    assert_eq!(site.run(&["ingest"]).0, 0);
    assert_eq!(count(), "10");

    // Empty: held, exit 1, the old graph served.
    site.write("a.nt", "");
    let (code, _, stderr) = site.run(&["ingest", "--report", "r.json"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("HELD (0 records, 0 rejected), previous data kept"),
        "{stderr}"
    );
    assert!(
        stderr.contains("held: 0 records accepted where the published graph has 10")
            && stderr.contains("kulturnetz ingest --accept-shrink a"),
        "{stderr}"
    );
    assert_eq!(count(), "10");
    let report = std::fs::read_to_string(site.path().join("r.json")).expect("report");
    assert!(report.contains("\"outcome\": \"held\""), "{report}");

    // Down by 70%, more than the default 50%: held; down by 20%: published.
    site.write("a.nt", &lines(3));
    assert_eq!(site.run(&["ingest"]).0, 1);
    assert_eq!(count(), "10");
    site.write("a.nt", &lines(8));
    assert_eq!(site.run(&["ingest"]).0, 0);
    assert_eq!(count(), "8");

    // Confirmed: the empty input is published.
    site.write("a.nt", "");
    assert_eq!(site.run(&["ingest"]).0, 1);
    let (code, _, stderr) = site.run(&["ingest", "--accept-shrink", "a"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(count(), "0");
}

/// A test HTTP server on loopback for sources with a `url`: `/data.nt` (200 with an ETag, 304
/// when asked with it; 500 once `broken` is set), `/big` (larger than the limit), `/loop` (a
/// redirect to itself), `/slow` (answers after the time limit). Returns its base URL.
fn source_server(broken: std::sync::Arc<std::sync::atomic::AtomicBool>) -> String {
    use std::io::{BufRead as _, BufReader, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let broken = std::sync::Arc::clone(&broken);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut head = Vec::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push(line);
                }
                let path = head
                    .first()
                    .and_then(|l| l.split(' ').nth(1))
                    .unwrap_or("/")
                    .to_owned();
                let etag = head
                    .iter()
                    .any(|l| l.to_ascii_lowercase().starts_with("if-none-match: \"v1\""));
                let reply = |status: &str, headers: &str, body: &str| {
                    format!(
                        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n{headers}\r\n{body}",
                        body.len()
                    )
                };
                let answer = match path.as_str() {
                    "/data.nt" if broken.load(std::sync::atomic::Ordering::SeqCst) => {
                        reply("500 Internal Server Error", "", "down")
                    }
                    "/data.nt" if etag => reply("304 Not Modified", "etag: \"v1\"\r\n", ""),
                    "/data.nt" => reply(
                        "200 OK",
                        "etag: \"v1\"\r\n",
                        "<http://ex.example/s> <http://ex.example/p> \"1\" .\n<http://ex.example/s> <http://ex.example/p> \"2\" .\n",
                    ),
                    "/big" => reply("200 OK", "", &"#".repeat(5000)),
                    "/loop" => reply("302 Found", "location: /loop\r\n", ""),
                    "/slow" => {
                        std::thread::sleep(std::time::Duration::from_secs(4));
                        reply("200 OK", "", "")
                    }
                    _ => reply("404 Not Found", "", ""),
                };
                let _ = stream.write_all(answer.as_bytes());
            });
        }
    });
    base
}

/// Sources with a `url` are fetched conditionally, within limits, and a source whose host is
/// down keeps its published graph from the last good copy.
#[test]
fn sources_are_fetched_from_urls() {
    let broken = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let base = source_server(std::sync::Arc::clone(&broken));
    let limits = "[pipeline]\nfetch_deny = []\nfetch_timeout = \"2s\"\nmax_download = 1000\nfetch_retries = 1\n\n";
    let site = Site::new(&format!(
        "{limits}[[source]]\nid = \"a\"\nkind = \"rdf\"\nurl = \"{base}/data.nt\"\n"
    ));
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("loaded 2 triples"), "{stderr}");
    assert!(site.path().join("cache/a/input").is_file());
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("unchanged, 2 triples"), "{stderr}");
    broken.store(true, std::sync::atomic::Ordering::SeqCst);
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("the server answered 500); the last good copy is used"),
        "{stderr}"
    );

    for (path, why) in [
        ("big", "larger than max_download = 1000 bytes"),
        ("loop", "more than 5 redirects"),
        ("slow", "timed out"),
        ("missing", "the server answered 404"),
    ] {
        let site = Site::new(&format!(
            "{limits}[[source]]\nid = \"b\"\nkind = \"rdf\"\nformat = \"ntriples\"\nurl = \"{base}/{path}\"\n"
        ));
        let (code, _, stderr) = site.run(&["ingest"]);
        assert_eq!(code, 1, "{path}: {stderr}");
        assert!(
            stderr.contains(why) && stderr.contains("there is no earlier copy"),
            "{path}: {stderr}"
        );
    }
    // Loopback and private addresses are refused unless the configuration allows them.
    let site = Site::new(&format!(
        "[[source]]\nid = \"c\"\nkind = \"rdf\"\nurl = \"{base}/data.nt\"\n"
    ));
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("is in [pipeline] fetch_deny"), "{stderr}");
}

#[test]
fn load_query_and_dump() {
    let site = Site::new("");
    site.write(
        "a.ttl",
        "@prefix ex: <http://ex.example/> .\nex:a ex:b \"x\"@de , 2 .\n",
    );
    site.write(
        "bad.nt",
        "<http://ex.example/c> <http://ex.example/d> \"y\" .\nnope\n",
    );
    let (code, _, stderr) = site.run(&["load", "a.ttl", "--graph", "http://ex.example/g"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = site.run(&["load", "bad.nt"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("bad.nt:2:1: record 2: "), "{stderr}");
    let (code, stdout, _) = site.run(&[
        "query",
        "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        "--format",
        "tsv",
    ]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "?g\t?n\n<http://ex.example/g>\t2\n");
    let (code, stdout, _) = site.run(&[
        "query",
        "CONSTRUCT WHERE { ?s <http://ex.example/d> ?o }",
        "--format",
        "nt",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        "<http://ex.example/c> <http://ex.example/d> \"y\" .\n"
    );
    let (code, _, stderr) = site.run(&["query", "ASK {}", "--format", "ttl"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("does not fit this query form"), "{stderr}");
    let (code, _, stderr) = site.run(&["dump", "--out", "dumps"]);
    assert_eq!(code, 0, "{stderr}");
    let mut nquads = String::new();
    flate2::read::GzDecoder::new(
        std::fs::File::open(site.path().join("dumps/all.nq.gz")).expect("dump"),
    )
    .read_to_string(&mut nquads)
    .expect("gzip");
    assert_eq!(nquads.lines().count(), 3, "{nquads}");
    assert!(
        nquads.contains(
            "<http://ex.example/a> <http://ex.example/b> \"x\"@de <http://ex.example/g> ."
        )
    );
    let sums = std::fs::read_to_string(site.path().join("dumps/SHA256SUMS")).expect("sums");
    assert!(sums.ends_with("  all.nq.gz\n"), "{sums}");
}

#[test]
fn every_real_catalog_converts_with_counts_adding_up() {
    // Each real RDF file of the shared data: records in = accepted + rejected, no crash.
    let dir = shared().join("data/real/catalogs");
    let mut sources = String::new();
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("shared catalogs") {
        let path = entry.expect("entry").path();
        let id = path
            .file_name()
            .and_then(|s| s.to_str())
            .expect("name")
            .replace('.', "-");
        sources.push_str(&format!(
            "[[source]]\nid = \"{id}\"\nkind = \"rdf\"\npath = \"{}\"\nmax_rejected = \"100%\"\n",
            path.display()
        ));
        ids.push(id);
    }
    let site = Site::new(&sources);
    let (code, _, stderr) = site.run(&["ingest", "--report", "r.json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(site.path().join("r.json")).expect("report"))
            .expect("json");
    for s in report["sources"].as_array().expect("sources") {
        let (records, accepted, rejected) = (
            s["records"].as_u64(),
            s["accepted"].as_u64(),
            s["rejected"].as_u64(),
        );
        assert_eq!(
            records
                .zip(accepted.zip(rejected))
                .map(|(r, (a, j))| r == a + j),
            Some(true),
            "{s}"
        );
        assert!(accepted > Some(0), "{s}");
    }
    assert_eq!(report["sources"].as_array().map(Vec::len), Some(ids.len()));
}

/// `--out /dev/null` (or another device) is written to, not truncated: `convert` and `map` run
/// through to the end and exit 0, as when timing a conversion without keeping its output.
#[test]
fn convert_and_map_write_to_a_device() {
    let repo = crate::util::repo();
    for args in [
        vec![
            "convert",
            "ical",
            "datasets/events/fablab-cottbus.ics",
            "--out",
            "/dev/null",
        ],
        vec![
            "map",
            "datasets/institutions/museen.yarrrml.yaml",
            "--out",
            "/dev/null",
        ],
    ] {
        let output = crate::util::bin()
            .args(&args)
            .current_dir(&repo)
            .output()
            .expect("run");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
