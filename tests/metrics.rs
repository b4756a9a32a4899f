//! `/metrics` over a real socket: what a Prometheus server scrapes, checked against what the
//! test did, and parsed by the Prometheus project's own Python parser (OpenMetrics) when
//! `KULTURNETZ_PY_PROMETHEUS=1` (`.ci/run` sets it).

use crate::util::{Site, client, enc, reply};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The samples of a text exposition: `name{labels}` (as written) → value.
fn samples(body: &str) -> BTreeMap<String, f64> {
    body.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (key, value) = l.rsplit_once(' ').expect("a sample line");
            (key.to_owned(), value.parse().expect("a number"))
        })
        .collect()
}

#[test]
fn issue_15_metrics_count_requests_queries_ingests_and_graphs() {
    let site = Site::new(
        "[[source]]\nid = \"data\"\nkind = \"rdf\"\npath = \"data.ttl\"\n\n[server]\nquery_timeout = \"1s\"\n",
    );
    let data: String = (0..300)
        .map(|i| format!("<http://ex.example/s{i}> <http://ex.example/p> {i} .\n"))
        .collect();
    site.write("data.ttl", &data);
    let server = site.serve(&[], &[]);
    let get = |path: &str, accept: Option<&str>| {
        let mut request = client().get(format!("{}{path}", server.url));
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        reply(request.call())
    };
    let ok = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }";
    for _ in 0..3 {
        assert_eq!(get(&format!("/sparql?query={}", enc(ok)), None).status, 200);
    }
    assert_eq!(get("/sparql?query=SELEC", None).status, 400);
    let slow = "SELECT (COUNT(*) AS ?n) { ?a ?p ?c . ?d ?p ?f . ?g ?p ?i . ?j ?p ?l }";
    assert_eq!(
        get(&format!("/sparql?query={}", enc(slow)), None).status,
        504
    );
    assert_eq!(get("/id/nothing/here", None).status, 404);
    assert_eq!(get("/no/such/path", None).status, 404);

    // The graphs' counts are made in the background after the start: wait for them.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (plain, values) = loop {
        let r = get("/metrics", None);
        assert_eq!(r.status, 200, "{}", r.body);
        let values = samples(&r.body);
        if values
            .keys()
            .any(|k| k.starts_with("kulturnetz_graph_triples{"))
        {
            break (r, values);
        }
        assert!(Instant::now() < deadline, "no graph counts:\n{}", r.body);
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        plain.header("content-type"),
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert_eq!(plain.header("cache-control"), "no-store");
    assert!(plain.body.ends_with("# EOF\n"), "{}", plain.body);
    let value = |key: &str| {
        *values
            .get(key)
            .unwrap_or_else(|| panic!("no {key} in:\n{}", plain.body))
    };
    assert_eq!(
        value(r#"kulturnetz_http_requests_total{route="/sparql",method="GET",status="200"}"#),
        3.0
    );
    assert_eq!(
        value(r#"kulturnetz_http_requests_total{route="/sparql",method="GET",status="400"}"#),
        1.0
    );
    assert_eq!(
        value(r#"kulturnetz_http_requests_total{route="/sparql",method="GET",status="504"}"#),
        1.0
    );
    // One series for every IRI below /id/, and one for the paths no route matches.
    assert_eq!(
        value(r#"kulturnetz_http_requests_total{route="/id/{*path}",method="GET",status="404"}"#),
        1.0
    );
    assert_eq!(
        value(r#"kulturnetz_http_requests_total{route="unmatched",method="GET",status="404"}"#),
        1.0
    );
    assert_eq!(
        value(
            r#"kulturnetz_sparql_query_duration_seconds_count{form="select",outcome="answered"}"#
        ),
        3.0
    );
    assert_eq!(
        value(r#"kulturnetz_sparql_query_duration_seconds_count{form="select",outcome="timeout"}"#),
        1.0
    );
    assert!(
        value(r#"kulturnetz_sparql_query_duration_seconds_sum{form="select",outcome="timeout"}"#)
            >= 1.0
    );
    assert_eq!(
        value(r#"kulturnetz_ingest_runs_total{trigger="startup",outcome="succeeded"}"#),
        1.0
    );
    assert_eq!(
        value(r#"kulturnetz_graph_triples{graph="https://daten.kultur.example/graph/data"}"#),
        300.0
    );
    assert_eq!(value("kulturnetz_queries_running"), 0.0);
    assert_eq!(value("kulturnetz_queries_waiting"), 0.0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    for key in [
        "kulturnetz_start_time_seconds",
        "kulturnetz_dumps_modified_timestamp_seconds",
        "kulturnetz_search_index_modified_timestamp_seconds",
        "kulturnetz_ingest_last_finished_timestamp_seconds",
    ] {
        let t = value(key);
        assert!(now - 600.0 < t && t <= now + 1.0, "{key} = {t}");
    }

    let open = get(
        "/metrics",
        Some("application/openmetrics-text; version=1.0.0"),
    );
    assert_eq!(
        open.header("content-type"),
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    if std::env::var("KULTURNETZ_PY_PROMETHEUS").as_deref() != Ok("1") {
        eprintln!(
            "\n*** SKIPPED the check of /metrics with prometheus_client's parser: set \
             KULTURNETZ_PY_PROMETHEUS=1 (scripts/ensure-deps --test installs it)\n"
        );
        return;
    }
    let script = r#"
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
families = {f.name: f for f in text_string_to_metric_families(sys.stdin.read())}
for name in ("kulturnetz_http_requests", "kulturnetz_sparql_query_duration_seconds", "kulturnetz_graph_triples"):
    assert name in families, (name, sorted(families))
assert families["kulturnetz_http_requests"].type == "counter"
assert families["kulturnetz_sparql_query_duration_seconds"].type == "histogram"
print(len(families))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(open.body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the OpenMetrics parser refused /metrics: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        open.body
    );
}
