//! The HTTP contract over a real socket: negotiation, statuses, limits.

use crate::util::{Reply, Server, Site, client, enc, reply};
use std::time::{Duration, Instant};

const TOKEN: &str = "s3cret";

/// A site with one source of `n` triples `<s{i}> <p> i` in graph `{base}graph/data`.
fn site_with_data(n: usize, server: &str) -> Site {
    let site = Site::new(&format!(
        "[server]\n{server}\n\n[[source]]\nid = \"data\"\nkind = \"rdf\"\npath = \"data.ttl\"\n"
    ));
    let data: String = (0..n)
        .map(|i| format!("<http://ex.example/s{i}> <http://ex.example/p> {i} .\n"))
        .collect();
    site.write("data.ttl", &data);
    site
}

fn get(server: &Server, path_and_query: &str, accept: Option<&str>) -> Reply {
    let mut request = client().get(format!("{}{path_and_query}", server.url));
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    reply(request.call())
}

fn post(
    server: &Server,
    path: &str,
    content_type: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = client()
        .post(format!("{}{path}", server.url))
        .header("Content-Type", content_type);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    reply(request.send(body))
}

fn query_get(server: &Server, query: &str, accept: Option<&str>) -> Reply {
    get(server, &format!("/sparql?query={}", enc(query)), accept)
}

/// A query that takes far longer than any limit in these tests: a cross product of 300⁴ rows.
const SLOW: &str = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }";

/// As slow, but joined on a shared predicate, so that the engine reads the store for every row
/// and notices a cancellation within milliseconds (the cross product of [`SLOW`] runs in memory
/// and may take seconds to notice).
const SLOW_READER: &str = "SELECT (COUNT(*) AS ?n) { ?a ?p ?c . ?d ?p ?f . ?g ?p ?i . ?j ?p ?l }";

#[test]
fn select_results_by_accept_and_format() {
    let site = site_with_data(3, "");
    let server = site.serve(&[], &[]);
    let q = "SELECT ?s ?o { ?s <http://ex.example/p> ?o } ORDER BY ?o";
    for (accept, media_type) in [
        (None, "application/sparql-results+json"),
        (Some("*/*"), "application/sparql-results+json"),
        (
            Some("application/sparql-results+json"),
            "application/sparql-results+json",
        ),
        (Some("application/json"), "application/sparql-results+json"),
        (
            Some("application/sparql-results+xml"),
            "application/sparql-results+xml",
        ),
        (Some("text/csv"), "text/csv"),
        (
            Some("text/tab-separated-values"),
            "text/tab-separated-values",
        ),
        (
            Some("text/csv;q=0.5, text/tab-separated-values;q=0.9"),
            "text/tab-separated-values",
        ),
    ] {
        let r = query_get(&server, q, accept);
        assert_eq!(r.status, 200, "{accept:?}: {}", r.body);
        assert_eq!(r.media_type(), media_type, "{accept:?}");
        assert_eq!(r.header("vary"), "Accept");
    }
    let csv = query_get(&server, q, Some("text/csv"));
    assert_eq!(
        csv.body,
        "s,o\r\nhttp://ex.example/s0,0\r\nhttp://ex.example/s1,1\r\nhttp://ex.example/s2,2\r\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&query_get(&server, q, None).body).expect("JSON results");
    assert_eq!(
        json["results"]["bindings"].as_array().map(Vec::len),
        Some(3)
    );
    // ?format= wins over Accept.
    let r = get(
        &server,
        &format!("/sparql?query={}&format=tsv", enc(q)),
        Some("application/json"),
    );
    assert_eq!(r.media_type(), "text/tab-separated-values");
    // POST, form and direct, give the same.
    let form = post(
        &server,
        "/sparql",
        "application/x-www-form-urlencoded",
        &format!("query={}", enc(q)),
        &[("Accept", "text/csv")],
    );
    assert_eq!(form.body, csv.body);
    let direct = post(
        &server,
        "/query",
        "application/sparql-query",
        q,
        &[("Accept", "text/csv")],
    );
    assert_eq!(direct.body, csv.body);
    // ASK.
    let ask = query_get(
        &server,
        "ASK { ?s ?p 2 }",
        Some("application/sparql-results+xml"),
    );
    assert!(ask.body.contains("<boolean>true</boolean>"), "{}", ask.body);
}

#[test]
fn graph_results_in_every_rdf_format() {
    let site = site_with_data(2, "");
    let server = site.serve(&[], &[]);
    let q = "CONSTRUCT { ?s <http://ex.example/q> ?o } WHERE { ?s <http://ex.example/p> ?o }";
    for (accept, media_type, needle) in [
        ("text/turtle", "text/turtle", "<http://ex.example/q>"),
        (
            "application/n-triples",
            "application/n-triples",
            "<http://ex.example/s1> <http://ex.example/q> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
        ),
        (
            "application/n-quads",
            "application/n-quads",
            "<http://ex.example/s0> <http://ex.example/q>",
        ),
        (
            "application/trig",
            "application/trig",
            "<http://ex.example/q>",
        ),
        ("application/rdf+xml", "application/rdf+xml", "rdf:RDF"),
        ("application/ld+json", "application/ld+json", "\"@id\""),
    ] {
        let r = query_get(&server, q, Some(accept));
        assert_eq!(r.status, 200, "{accept}: {}", r.body);
        assert_eq!(r.media_type(), media_type, "{accept}");
        assert!(r.body.contains(needle), "{accept}: {}", r.body);
    }
    let r = query_get(&server, q, None);
    assert_eq!(r.media_type(), "text/turtle");
}

#[test]
fn unacceptable_accept_is_406() {
    let site = site_with_data(1, "");
    let server = site.serve(&[], &[]);
    let r = query_get(&server, "SELECT * { ?s ?p ?o }", Some("image/png"));
    assert_eq!(r.status, 406);
    assert!(
        r.body.contains("application/sparql-results+json"),
        "{}",
        r.body
    );
    let r = query_get(
        &server,
        "CONSTRUCT WHERE { ?s ?p ?o }",
        Some("application/sparql-results+json"),
    );
    assert_eq!(r.status, 406);
    assert!(r.body.contains("text/turtle"), "{}", r.body);
    let r = get(
        &server,
        &format!("/sparql?query={}&format=png", enc("SELECT * {}")),
        None,
    );
    assert_eq!(r.status, 406);
}

/// A newcomer's browser at `/` or `/sparql` gets a page that says what is served where, with a
/// form whose query runs; a client that asks for data still gets the service description.
#[test]
fn issue_11_a_browser_gets_a_page_at_the_root_and_the_endpoint() {
    const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let site = site_with_data(2, "");
    let server = site.serve(&[], &[]);
    for (path, accept) in [
        ("/", Some(BROWSER)),
        ("/", None),
        ("/sparql", Some(BROWSER)),
        ("/sparql", Some("text/html")),
    ] {
        let r = get(&server, path, accept);
        assert_eq!(r.status, 200, "{path} {accept:?}: {}", r.body);
        assert_eq!(r.media_type(), "text/html", "{path} {accept:?}");
        assert!(
            r.body
                .contains("<a href=\"/graph/data\">data</a></th><td class=\"n\">2<"),
            "{}",
            r.body
        );
    }
    let r = get(&server, "/sparql", Some("text/turtle"));
    assert_eq!((r.status, r.media_type()), (200, "text/turtle"));
    // The form's fields, as a browser sends them.
    let r = get(
        &server,
        &format!(
            "/sparql?query={}&format=csv",
            enc(
                "SELECT (COUNT(*) AS ?n) { GRAPH <https://daten.kultur.example/graph/data> { ?s ?p ?o } }"
            )
        ),
        Some(BROWSER),
    );
    assert_eq!((r.status, r.body.as_str()), (200, "n\r\n2\r\n"));
}

/// The pipeline owns its sources' graphs, the meta graph and the links graph: a client's write there is refused
/// with 409 naming the source, so that the meta graph's counts and fingerprints stay true.
#[test]
fn writes_into_the_pipelines_graphs_are_409() {
    let site = site_with_data(2, "");
    let server = site.serve(&[], &[("KULTURNETZ_WRITE_TOKEN", TOKEN)]);
    let auth = [("Authorization", "Bearer s3cret")];
    let data = "https://daten.kultur.example/graph/data";
    let count = |graph: &str| {
        query_get(
            &server,
            &format!("SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"),
            Some("text/csv"),
        )
        .body
    };
    let before = (
        count(data),
        count("https://daten.kultur.example/graph/meta"),
    );
    let refused = |r: Reply, what: &str| {
        assert_eq!(r.status, 409, "{what}: {}", r.body);
        r.body
    };
    let body = refused(
        reply(
            client()
                .put(format!("{}/store?graph={}", server.url, enc(data)))
                .header("Content-Type", "text/turtle")
                .header("Authorization", "Bearer s3cret")
                .send("<http://ex.example/a> <http://ex.example/b> 1 ."),
        ),
        "PUT",
    );
    assert!(body.contains("is the graph of source \"data\""), "{body}");
    let body = refused(
        reply(
            client()
                .put(format!(
                    "{}/store?graph={}",
                    server.url,
                    enc("https://daten.kultur.example/graph/links")
                ))
                .header("Content-Type", "text/turtle")
                .header("Authorization", "Bearer s3cret")
                .send("<http://ex.example/a> <http://ex.example/b> 1 ."),
        ),
        "PUT into the links graph",
    );
    assert!(
        body.contains("is the pipeline's graph of links between sources"),
        "{body}"
    );
    refused(
        reply(
            client()
                .post(format!("{}/store?graph={}", server.url, enc(data)))
                .header("Content-Type", "text/turtle")
                .header("Authorization", "Bearer s3cret")
                .send("<http://ex.example/a> <http://ex.example/b> 1 ."),
        ),
        "POST",
    );
    refused(
        reply(
            client()
                .delete(format!("{}/store?graph={}", server.url, enc(data)))
                .header("Authorization", "Bearer s3cret")
                .call(),
        ),
        "DELETE",
    );
    for update in [
        format!(
            "INSERT DATA {{ GRAPH <{data}> {{ <http://ex.example/a> <http://ex.example/b> 1 }} }}"
        ),
        "CLEAR GRAPH <https://daten.kultur.example/graph/meta>".to_owned(),
        "DROP ALL".to_owned(),
        "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }".to_owned(),
    ] {
        refused(
            post(
                &server,
                "/update",
                "application/sparql-update",
                &update,
                &auth,
            ),
            &update,
        );
    }
    assert_eq!(
        (
            count(data),
            count("https://daten.kultur.example/graph/meta")
        ),
        before
    );
    // Graphs of the clients' own stay writable.
    let r = post(
        &server,
        "/update",
        "application/sparql-update",
        "INSERT DATA { GRAPH <http://ex.example/mine> { <http://ex.example/a> <http://ex.example/b> 1 } }",
        &auth,
    );
    assert_eq!(r.status, 204, "{}", r.body);
}

/// `POST /admin/ingest` runs the pipeline while the server goes on answering: a reader that
/// counts the source's triples in a loop only ever sees the old or the new count.
#[test]
fn an_ingest_runs_on_request_while_queries_go_on() {
    let site = site_with_data(20_000, "");
    let server = site.serve(&[], &[("KULTURNETZ_WRITE_TOKEN", TOKEN)]);
    let count_query =
        "SELECT (COUNT(*) AS ?n) { GRAPH <https://daten.kultur.example/graph/data> { ?s ?p ?o } }";
    let count = |server: &Server| query_get(server, count_query, Some("text/csv")).body;
    assert_eq!(count(&server), "n\r\n20000\r\n");
    let data: String = (0..30_000)
        .map(|i| format!("<http://ex.example/s{i}> <http://ex.example/q> {i} .\n"))
        .collect();
    site.write("data.ttl", &data);

    let r = post(&server, "/admin/ingest", "application/json", "{}", &[]);
    assert_eq!(r.status, 401, "{}", r.body);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let seen = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut seen = std::collections::BTreeSet::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                seen.insert(count(&server));
            }
            seen.insert(count(&server));
            seen
        });
        let auth = [("Authorization", "Bearer s3cret")];
        let r = post(&server, "/admin/ingest", "application/json", "", &auth);
        assert_eq!(r.status, 202, "{}", r.body);
        let location = r.header("location").to_owned();
        assert!(location.starts_with("/admin/ingest/"), "{location}");
        let deadline = Instant::now() + Duration::from_secs(60);
        let run = loop {
            let r = reply(
                client()
                    .get(format!("{}{location}", server.url))
                    .header("Authorization", "Bearer s3cret")
                    .call(),
            );
            assert_eq!(r.status, 200, "{}", r.body);
            let run: serde_json::Value = serde_json::from_str(&r.body).expect("json");
            if run["status"] != "running" {
                break run;
            }
            assert!(Instant::now() < deadline, "the run did not end: {run}");
            std::thread::sleep(Duration::from_millis(100));
        };
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(run["status"], "succeeded", "{run}");
        assert_eq!(run["report"]["sources"][0]["outcome"], "loaded", "{run}");
        reader.join().expect("reader")
    });
    let expected: std::collections::BTreeSet<String> = ["n\r\n20000\r\n", "n\r\n30000\r\n"]
        .map(str::to_owned)
        .into();
    assert!(seen.is_subset(&expected), "a reader saw a mix: {seen:?}");
    assert!(seen.contains("n\r\n30000\r\n"), "{seen:?}");
    let r = get(&server, "/admin/ingest/999", None);
    assert_eq!(r.status, 401);
}

/// `kulturnetz ingest` while a server holds the store asks that server to run it, and prints
/// its progress; without the write token it says how.
#[test]
fn ingest_while_a_server_holds_the_store_asks_the_server() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let site = site_with_data(3, &format!("bind = \"127.0.0.1:{port}\""));
    let mut command = crate::util::bin();
    command
        .args(["serve", "--config"])
        .arg(site.config())
        .current_dir(site.path())
        .env("KULTURNETZ_WRITE_TOKEN", TOKEN)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    let server = crate::util::spawn_server(command);
    site.write(
        "data.ttl",
        "<http://ex.example/a> <http://ex.example/p> 1, 2, 3, 4 .\n",
    );
    let ingest = |token: Option<&str>| {
        let mut command = crate::util::bin();
        command
            .args(["ingest", "--report", "r.json", "--config"])
            .arg(site.config())
            .current_dir(site.path())
            .env_remove("KULTURNETZ_WRITE_TOKEN");
        if let Some(token) = token {
            command.env("KULTURNETZ_WRITE_TOKEN", token);
        }
        let output = command.output().expect("run");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = ingest(None);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("is held by a running server")
            && stderr.contains(&format!("http://127.0.0.1:{port}/admin/ingest")),
        "{stderr}"
    );
    let (code, stderr) = ingest(Some(TOKEN));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("asking it to ingest"), "{stderr}");
    assert!(stderr.contains("data: converting"), "{stderr}");
    assert!(stderr.contains("loaded 4 triples"), "{stderr}");
    let report = std::fs::read_to_string(site.path().join("r.json")).expect("report");
    assert!(report.contains("\"outcome\": \"loaded\""), "{report}");
    let r = query_get(
        &server,
        "SELECT (COUNT(*) AS ?n) { GRAPH <https://daten.kultur.example/graph/data> { ?s ?p ?o } }",
        Some("text/csv"),
    );
    assert_eq!(r.body, "n\r\n4\r\n");
}

/// `[pipeline] refresh` runs the pipeline again on its own while the server serves.
#[test]
fn an_ingest_runs_on_the_schedule() {
    let site = Site::new(
        "[pipeline]\nrefresh = \"1s\"\n\n[[source]]\nid = \"data\"\nkind = \"rdf\"\npath = \"data.ttl\"\n",
    );
    site.write(
        "data.ttl",
        "<http://ex.example/s> <http://ex.example/p> 1 .\n",
    );
    let server = site.serve(&[], &[]);
    let count = || {
        query_get(
            &server,
            "SELECT (COUNT(*) AS ?n) { GRAPH <https://daten.kultur.example/graph/data> { ?s ?p ?o } }",
            Some("text/csv"),
        )
        .body
    };
    assert_eq!(count(), "n\r\n1\r\n");
    site.write(
        "data.ttl",
        "<http://ex.example/s> <http://ex.example/p> 1, 2 .\n",
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while count() != "n\r\n2\r\n" {
        assert!(
            Instant::now() < deadline,
            "no scheduled run published the change"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn syntax_errors_are_400_with_line_and_column() {
    let site = site_with_data(1, "");
    let server = site.serve(&[], &[]);
    let r = query_get(&server, "SELECT * {\n  ?s ?p ?o .\n  FILTER(\n}", None);
    assert_eq!(r.status, 400);
    assert!(
        r.body.starts_with("query syntax error at line 4, column "),
        "{}",
        r.body
    );
    assert!(r.body.contains(": expected one of "), "{}", r.body);
    let r = get(&server, "/sparql?query=a&query=b", None);
    assert_eq!(r.status, 400);
    assert_eq!(r.body, "the parameter `query` is given more than once\n");
}

#[test]
fn writes_need_the_token() {
    let site = site_with_data(1, "");
    // No token configured: read-only, whatever the request carries.
    let server = site.serve(&[], &[]);
    let update = "INSERT DATA { <http://ex.example/a> <http://ex.example/b> 1 }";
    let r = post(
        &server,
        "/update",
        "application/sparql-update",
        update,
        &[("Authorization", "Bearer x")],
    );
    assert_eq!(r.status, 403);
    assert!(r.body.contains("read-only"), "{}", r.body);
    let r = reply(
        client()
            .put(format!("{}/store?graph=http://ex.example/g", server.url))
            .header("Content-Type", "text/turtle")
            .send("<http://ex.example/a> <http://ex.example/b> 1 ."),
    );
    assert_eq!(r.status, 403);
    drop(server);

    let server = site.serve(&["--no-ingest"], &[("KULTURNETZ_WRITE_TOKEN", TOKEN)]);
    let r = post(&server, "/update", "application/sparql-update", update, &[]);
    assert_eq!(r.status, 401);
    assert_eq!(r.header("www-authenticate"), "Bearer");
    let r = post(
        &server,
        "/update",
        "application/sparql-update",
        update,
        &[("Authorization", "Bearer wrong")],
    );
    assert_eq!(r.status, 403);
    let bearer = format!("Bearer {TOKEN}");
    let r = post(
        &server,
        "/update",
        "application/sparql-update",
        update,
        &[("Authorization", &bearer)],
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let r = post(
        &server,
        "/sparql",
        "application/x-www-form-urlencoded",
        &format!("update={}", enc(update)),
        &[],
    );
    assert_eq!(r.status, 401);
    let r = reply(
        client()
            .delete(format!("{}/store?graph=http://ex.example/none", server.url))
            .call(),
    );
    assert_eq!(r.status, 401);
}

#[test]
fn bodies_over_the_limit_are_413() {
    let site = site_with_data(1, "max_request_body = 1024\nmax_upload_body = 2048");
    let server = site.serve(&[], &[("KULTURNETZ_WRITE_TOKEN", TOKEN)]);
    let big_query = format!("SELECT * {{ ?s ?p ?o }} #{}", "x".repeat(2000));
    let r = post(
        &server,
        "/sparql",
        "application/sparql-query",
        &big_query,
        &[],
    );
    assert_eq!(r.status, 413);
    assert_eq!(
        r.body,
        "the request body is larger than the limit of 1024 bytes\n"
    );
    let r = post(
        &server,
        "/sparql",
        "application/x-www-form-urlencoded",
        &format!("query={}", enc(&big_query)),
        &[],
    );
    assert_eq!(r.status, 413);
    let turtle: String = (0..100)
        .map(|i| format!("<http://ex.example/s{i}> <http://ex.example/p> {i} .\n"))
        .collect();
    let r = reply(
        client()
            .put(format!("{}/store?graph=http://ex.example/g", server.url))
            .header("Content-Type", "text/turtle")
            .header("Authorization", format!("Bearer {TOKEN}"))
            .send(turtle),
    );
    assert_eq!(r.status, 413);
    // Nothing was written.
    let r = get(&server, "/store?graph=http://ex.example/g", None);
    assert_eq!(r.status, 404);
}

#[test]
fn a_query_past_its_time_limit_is_504_and_really_stops() {
    let site = site_with_data(300, "query_timeout = \"1s\"\nmax_concurrent_queries = 1");
    let server = site.serve(&[], &[]);
    let started = Instant::now();
    let r = query_get(&server, SLOW, None);
    let took = started.elapsed();
    assert_eq!(r.status, 504, "{}", r.body);
    assert_eq!(
        r.body,
        "the query ran longer than the time limit of 1s and was cancelled\n"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    // With a single query slot, the next query runs only once the cancelled one has stopped and
    // let go of it: within seconds, where running to the end would take many minutes. (The
    // engine checks for cancellation whenever it reads the store; a cross product in memory
    // notices at its next read.)
    assert_the_slot_comes_back(&server, Duration::from_secs(15));
}

/// A query sent again and again is refused (503) while a cancelled one holds the only slot, and
/// answered within `within`, once that one has let go of it.
fn assert_the_slot_comes_back(server: &Server, within: Duration) {
    let started = Instant::now();
    loop {
        let r = query_get(server, "ASK { ?s ?p 1 }", None);
        if r.status == 200 {
            break;
        }
        assert_eq!(r.status, 503, "{}", r.body);
        assert!(
            started.elapsed() < within,
            "the cancelled query still holds its slot"
        );
    }
}

/// A query that the engine cannot stop at its time limit (it sorts in memory, where it does not
/// look for the cancellation) is still answered 504 at about the limit; its slot stays taken
/// until the engine is done.
#[test]
fn a_query_that_cannot_stop_at_its_time_limit_is_answered_504_at_the_limit() {
    let site = site_with_data(400, "query_timeout = \"1s\"\nmax_concurrent_queries = 1");
    let server = site.serve(&[], &[]);
    let sort = "SELECT ?a ?b { ?a ?p ?x . ?b ?p ?y } ORDER BY DESC(STR(?a)) STR(?b)";
    for head in [false, true] {
        let started = Instant::now();
        let url = format!("{}/sparql?query={}", server.url, enc(sort));
        let r = reply(if head {
            client().head(url).call()
        } else {
            client().get(url).call()
        });
        let took = started.elapsed();
        assert_eq!(r.status, 504, "{}", r.body);
        if head {
            assert_eq!(r.body, "");
        } else {
            assert_eq!(
                r.body,
                "the query ran longer than the time limit of 1s and was cancelled\n"
            );
        }
        assert!(took < Duration::from_secs(3), "took {took:?}");
        // The next query gets the slot once the sort is over.
        assert_the_slot_comes_back(&server, Duration::from_secs(60));
    }
}

#[test]
fn a_full_queue_is_503_with_retry_after() {
    let site = site_with_data(
        300,
        "query_timeout = \"3s\"\nmax_concurrent_queries = 1\nmax_queued_queries = 0",
    );
    let server = site.serve(&[], &[]);
    let url = format!("{}/sparql?query={}", server.url, enc(SLOW));
    let slow = std::thread::spawn(move || reply(client().get(url).call()).status);
    // Wait until the slow query holds the only slot.
    std::thread::sleep(Duration::from_millis(500));
    let r = query_get(&server, "ASK {}", None);
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.header("retry-after"), "2");
    assert_eq!(slow.join().expect("slow query thread"), 504);
}

#[test]
fn results_over_max_result_rows_are_400() {
    let site = site_with_data(10, "max_result_rows = 5");
    let server = site.serve(&[], &[]);
    let r = query_get(&server, "SELECT * { ?s ?p ?o }", None);
    assert_eq!(r.status, 400);
    assert!(
        r.body.starts_with("the result has more than 5 rows"),
        "{}",
        r.body
    );
    let r = query_get(&server, "SELECT * { ?s ?p ?o } LIMIT 5", None);
    assert_eq!(r.status, 200);
    let r = query_get(&server, "CONSTRUCT WHERE { ?s ?p ?o }", None);
    assert_eq!(r.status, 400);
}

#[test]
fn service_and_load_to_hosts_not_allowed_are_refused() {
    let site = site_with_data(1, "");
    let server = site.serve(&[], &[("KULTURNETZ_WRITE_TOKEN", TOKEN)]);
    let r = query_get(
        &server,
        "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        None,
    );
    assert_eq!(r.status, 501, "{}", r.body);
    assert_eq!(
        r.body,
        "SERVICE <http://127.0.0.1:9/sparql> is refused: its host is not in the server's service_allow list\n"
    );
    // SILENT turns the failure into one empty solution, as SPARQL 1.1 Federated Query says.
    let r = query_get(
        &server,
        "SELECT * { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        Some("text/csv"),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body, "o,p,s\r\n,,\r\n");
    // A variable service name is never sent anywhere (the engine wants it bound first, and the
    // guard refuses every variable service).
    let r = query_get(
        &server,
        "SELECT * { VALUES ?e { <http://127.0.0.1:9/sparql> } SERVICE ?e { ?s ?p ?o } }",
        None,
    );
    assert!(r.status >= 500, "{}: {}", r.status, r.body);
    let bearer = format!("Bearer {TOKEN}");
    let r = post(
        &server,
        "/update",
        "application/sparql-update",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        &[("Authorization", &bearer)],
    );
    assert_eq!(r.status, 501, "{}", r.body);
    assert!(
        r.body
            .starts_with("LOAD <http://127.0.0.1:9/data.ttl> is refused"),
        "{}",
        r.body
    );
    let r = post(
        &server,
        "/update",
        "application/sparql-update",
        "LOAD SILENT <http://127.0.0.1:9/data.ttl>",
        &[("Authorization", &bearer)],
    );
    assert_eq!(r.status, 204, "{}", r.body);
}

#[test]
fn union_default_graph_and_protocol_datasets() {
    let site = site_with_data(2, "");
    let server = site.serve(&[], &[]);
    let graph = "https://daten.kultur.example/graph/data";
    let count = "SELECT (COUNT(*) AS ?n) { ?s <http://ex.example/p> ?o }";
    assert_eq!(
        query_get(&server, count, Some("text/csv")).body,
        "n\r\n2\r\n"
    );
    let r = get(
        &server,
        &format!(
            "/sparql?query={}&default-graph-uri={}",
            enc(count),
            enc(graph)
        ),
        Some("text/csv"),
    );
    assert_eq!(r.body, "n\r\n2\r\n");
    let r = get(
        &server,
        &format!(
            "/sparql?query={}&default-graph-uri={}",
            enc(count),
            enc("http://ex.example/none")
        ),
        Some("text/csv"),
    );
    assert_eq!(r.body, "n\r\n0\r\n");
    let r = get(
        &server,
        &format!(
            "/sparql?query={}&default-graph-uri=not%20an%20iri",
            enc(count)
        ),
        None,
    );
    assert_eq!(r.status, 400);
}

#[test]
fn health_unknown_paths_and_methods() {
    let site = site_with_data(1, "");
    let server = site.serve(&[], &[]);
    assert_eq!(get(&server, "/health", None).status, 200);
    let r = get(&server, "/nothing/here", None);
    assert_eq!(r.status, 404);
    let r = reply(client().patch(format!("{}/sparql", server.url)).send("x"));
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), "GET, HEAD, POST");
    let r = get(
        &server,
        &format!("/update?update={}", enc("CLEAR ALL")),
        None,
    );
    assert_eq!(r.status, 405);
    let r = post(&server, "/sparql", "text/plain", "SELECT * {}", &[]);
    assert_eq!(r.status, 415);
}

#[test]
fn deeply_nested_or_chained_queries_are_refused_not_fatal() {
    let site = site_with_data(1, "max_request_body = 4000000");
    let server = site.serve(&[], &[]);
    let n = 50_000;
    let brackets = format!("SELECT * {{ FILTER({}1{}) }}", "(".repeat(n), ")".repeat(n));
    let r = post(
        &server,
        "/query",
        "application/sparql-query",
        &brackets,
        &[],
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        "the query nests brackets deeper than 256 levels (at line 1)\n"
    );
    let chain = format!("SELECT ({} AS ?x) {{}}", vec!["1"; 300_000].join("+"));
    let r = post(&server, "/query", "application/sparql-query", &chain, &[]);
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .starts_with("the query has more than 20000 operators"),
        "{}",
        r.body
    );
    let unions = format!(
        "SELECT * {{ {} }}",
        vec!["{?a ?b ?c}"; 20_000].join(" UNION ")
    );
    let r = post(&server, "/query", "application/sparql-query", &unions, &[]);
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .starts_with("the query nests more than 1000 operations deep"),
        "{}",
        r.body
    );
    // The server is still there, and a long but flat query is fine.
    assert_eq!(get(&server, "/health", None).status, 200);
    let values = format!(
        "SELECT ?x {{ VALUES ?x {{ {} }} }} LIMIT 1",
        (0..20_000)
            .map(|i| format!("<http://ex.example/v{i}>"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let r = post(
        &server,
        "/query",
        "application/sparql-query",
        &values,
        &[("Accept", "text/csv")],
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn service_to_an_allowed_host_is_federated() {
    // Two real servers on loopback: B may reach A because the operator allowed 127.0.0.1.
    let a_site = site_with_data(3, "");
    let a = a_site.serve(&[], &[]);
    let b_site = site_with_data(1, "service_allow = [\"127.0.0.1\"]");
    let b = b_site.serve(&[], &[]);
    let q = format!(
        "SELECT ?o {{ SERVICE <{}/query> {{ ?s <http://ex.example/p> ?o }} }} ORDER BY ?o",
        a.url
    );
    let r = query_get(&b, &q, Some("text/csv"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body, "o\r\n0\r\n1\r\n2\r\n");
    let sd = get(&b, "/sparql", Some("text/turtle"));
    assert!(sd.body.contains("sd:BasicFederatedQuery"), "{}", sd.body);
}

/// A client that gives up on a request after `patience`.
fn impatient(patience: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(patience))
        .build()
        .into()
}

/// One slow query whose client leaves after a second holds the only slot; a query that arrives
/// meanwhile waits for it and is answered.
fn assert_a_waiting_query_gets_its_turn(server: &Server) {
    let url = format!("{}/sparql?query={}", server.url, enc(SLOW_READER));
    let slow =
        std::thread::spawn(move || impatient(Duration::from_secs(1)).get(url).call().is_err());
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let r = query_get(server, "ASK { ?s ?p 1 }", None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the query did not wait for the slot"
    );
    assert!(
        slow.join().expect("slow query thread"),
        "the slow query was answered"
    );
}

#[test]
fn issue_10_waits_abandoned_by_their_clients_leave_the_queue() {
    let site = site_with_data(
        300,
        "query_timeout = \"2s\"\nmax_concurrent_queries = 1\nmax_queued_queries = 2",
    );
    let server = site.serve(&[], &[]);
    for _ in 0..5 {
        // One runs, two wait, three are refused; every client gives up after a second.
        let clients: Vec<_> = (0..6)
            .map(|_| {
                let url = format!("{}/sparql?query={}", server.url, enc(SLOW_READER));
                std::thread::spawn(move || {
                    let _ = impatient(Duration::from_secs(1)).get(url).call();
                })
            })
            .collect();
        for client in clients {
            client.join().expect("client thread");
        }
    }
    assert_a_waiting_query_gets_its_turn(&server);
}

#[test]
fn issue_10_waits_past_the_time_limit_leave_the_queue() {
    let site = site_with_data(
        300,
        "query_timeout = \"2s\"\nmax_concurrent_queries = 1\nmax_queued_queries = 2",
    );
    let server = site.serve(&[], &[]);
    // Three at once: one runs into the time limit, two wait for its slot within the same limit
    // and give up when it runs out, a moment before the slot is free again.
    let start = std::sync::Arc::new(std::sync::Barrier::new(3));
    let clients: Vec<_> = (0..3)
        .map(|_| {
            let url = format!("{}/sparql?query={}", server.url, enc(SLOW_READER));
            let start = std::sync::Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                reply(client().get(url).call()).status
            })
        })
        .collect();
    let mut statuses: Vec<u16> = clients
        .into_iter()
        .map(|c| c.join().expect("client thread"))
        .collect();
    statuses.sort_unstable();
    // A wait that got the slot after all is cut like the first (504).
    assert_eq!(statuses[2], 504, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| matches!(s, 503 | 504)),
        "{statuses:?}"
    );
    assert_a_waiting_query_gets_its_turn(&server);
}

#[test]
fn issue_10_connections_that_send_no_whole_request_are_closed() {
    use std::io::{Read as _, Write as _};
    let site = site_with_data(1, "header_read_timeout = \"1s\"");
    let server = site.serve(&[], &[]);
    let address = server.url.trim_start_matches("http://").to_owned();
    let mut silent = std::net::TcpStream::connect(&address).expect("connect");
    let mut half = std::net::TcpStream::connect(&address).expect("connect");
    half.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nAcc")
        .expect("write half a head");
    let started = Instant::now();
    for stream in [&mut silent, &mut half] {
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("read timeout");
        let mut rest = Vec::new();
        // The server closes the connection: the read ends (with at most an error response).
        stream
            .read_to_end(&mut rest)
            .expect("the server closes the connection");
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    // Whole requests are still answered.
    assert_eq!(get(&server, "/health", None).status, 200);
}
