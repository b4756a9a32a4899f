//! Our SPARQL endpoint against Oxigraph's own server (`oxigraph serve`, same engine), side by
//! side in one run, on the same generated data: the median latency of each query of a mix, and
//! the throughput of several concurrent clients, as ratios ours/theirs.
//!
//! Run: `pip install oxigraph` (for the `oxigraph` command), then
//! `cargo bench --bench sparql_vs_oxigraph`. Options as environment variables:
//! `BENCH_VENUES` (default 20000; 4 events per venue), `BENCH_RUNS` (30), `BENCH_CLIENTS` (4),
//! `BENCH_SECONDS` (10 per server), `KULTURNETZ_BIN` (the binary to measure, default: this
//! build's). Traffic stays on 127.0.0.1; every loop is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const SCHEMA: &str = "http://schema.org/";
const BASE: &str = "https://daten.kultur.example/";

const QUERIES: &[(&str, &str)] = &[
    (
        "point lookup",
        "SELECT ?p ?o { <https://daten.kultur.example/id/venue/v123> ?p ?o }",
    ),
    (
        "star join",
        "PREFIX s: <http://schema.org/> SELECT ?v ?name ?city { ?v a s:Museum ; s:name ?name ; s:address ?a . ?a s:addressLocality ?city } LIMIT 100",
    ),
    (
        "group by count",
        "PREFIX s: <http://schema.org/> SELECT ?city (COUNT(?v) AS ?n) { ?v s:address ?a . ?a s:addressLocality ?city } GROUP BY ?city ORDER BY DESC(?n) LIMIT 20",
    ),
    (
        "filter contains",
        "PREFIX s: <http://schema.org/> SELECT ?v ?name { ?v a s:Museum ; s:name ?name FILTER(CONTAINS(LCASE(?name), \"museum 12\")) }",
    ),
    (
        "optional",
        "PREFIX s: <http://schema.org/> SELECT ?e ?name ?url { ?e a s:Event ; s:name ?name OPTIONAL { ?e s:url ?url } } LIMIT 1000",
    ),
    (
        "order by limit",
        "PREFIX s: <http://schema.org/> SELECT ?e ?d { ?e s:startDate ?d } ORDER BY DESC(?d) LIMIT 10",
    ),
    (
        "events in a city",
        "PREFIX s: <http://schema.org/> SELECT ?e ?vname { ?e s:location ?v . ?v s:name ?vname ; s:address ?a . ?a s:addressLocality \"Jena\" }",
    ),
    (
        "geo box",
        "PREFIX s: <http://schema.org/> SELECT ?v ?lat ?lon { ?v s:geo ?g . ?g s:latitude ?lat ; s:longitude ?lon FILTER(?lat > 50.90 && ?lat < 50.95 && ?lon > 11.5 && ?lon < 11.6) }",
    ),
    (
        "property path",
        "PREFIX s: <http://schema.org/> SELECT (COUNT(*) AS ?n) { ?e s:location/s:address/s:addressLocality \"Erfurt\" }",
    ),
    (
        "ask",
        "PREFIX s: <http://schema.org/> ASK { ?v s:name \"Museum 4711\" }",
    ),
    (
        "construct",
        "PREFIX s: <http://schema.org/> CONSTRUCT { ?v s:name ?n } WHERE { ?v a s:Museum ; s:name ?n } LIMIT 2000",
    ),
    (
        "5000 rows",
        "PREFIX s: <http://schema.org/> SELECT ?e ?name ?d { ?e s:name ?name ; s:startDate ?d } LIMIT 5000",
    ),
];

const CITIES: &[&str] = &[
    "Jena", "Erfurt", "Weimar", "Gotha", "Eisenach", "Gera", "Suhl", "Leipzig", "Dresden", "Halle",
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small fixed-seed generator (xorshift), so every run loads the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Venues (museums and theatres) with address and coordinates, and events at them, as N-Quads
/// spread over three named graphs.
fn generate(path: &Path, venues: usize) -> std::io::Result<usize> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut rng = Rng(0x5eed_cafe);
    let mut quads = 0;
    let mut q =
        |out: &mut std::io::BufWriter<std::fs::File>, s: &str, p: &str, o: &str, g: &str| {
            quads += 1;
            writeln!(out, "{s} <{SCHEMA}{p}> {o} <{BASE}graph/{g}> .")
        };
    for i in 0..venues {
        let v = format!("<{BASE}id/venue/v{i}>");
        let g = ["museen", "theater", "bibliotheken"][i % 3];
        let class = if i.is_multiple_of(2) {
            "Museum"
        } else {
            "PerformingArtsTheater"
        };
        writeln!(
            out,
            "{v} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SCHEMA}{class}> <{BASE}graph/{g}> ."
        )?;
        let name = if i.is_multiple_of(2) {
            format!("Museum {i}")
        } else {
            format!("Theater {i}")
        };
        q(&mut out, &v, "name", &format!("\"{name}\"@de"), g)?;
        let a = format!("<{BASE}id/place/a{i}>");
        q(&mut out, &v, "address", &a, g)?;
        let city = CITIES[(rng.next() % CITIES.len() as u64) as usize];
        q(&mut out, &a, "addressLocality", &format!("\"{city}\""), g)?;
        q(
            &mut out,
            &a,
            "postalCode",
            &format!("\"{:05}\"", rng.next() % 100_000),
            g,
        )?;
        let geo = format!("<{BASE}id/place/g{i}>");
        q(&mut out, &v, "geo", &geo, g)?;
        let lat = 50.0 + (rng.next() % 200_000) as f64 / 100_000.0;
        let lon = 10.0 + (rng.next() % 300_000) as f64 / 100_000.0;
        let dec = "^^<http://www.w3.org/2001/XMLSchema#decimal>";
        q(&mut out, &geo, "latitude", &format!("\"{lat:.5}\"{dec}"), g)?;
        q(
            &mut out,
            &geo,
            "longitude",
            &format!("\"{lon:.5}\"{dec}"),
            g,
        )?;
        for k in 0..4 {
            let e = format!("<{BASE}id/event/e{i}-{k}>");
            writeln!(
                out,
                "{e} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SCHEMA}Event> <{BASE}graph/events> ."
            )?;
            q(
                &mut out,
                &e,
                "name",
                &format!("\"Veranstaltung {i}-{k}\""),
                "events",
            )?;
            q(&mut out, &e, "location", &v, "events")?;
            let day = 1 + rng.next() % 28;
            let month = 1 + rng.next() % 12;
            q(
                &mut out,
                &e,
                "startDate",
                &format!(
                    "\"2026-{month:02}-{day:02}T19:30:00+01:00\"^^<http://www.w3.org/2001/XMLSchema#dateTime>"
                ),
                "events",
            )?;
            if rng.next().is_multiple_of(2) {
                q(
                    &mut out,
                    &e,
                    "url",
                    &format!("<https://example.org/e/{i}/{k}>"),
                    "events",
                )?;
            }
        }
    }
    out.flush()?;
    Ok(quads)
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

/// Runs `query` once; the body is read to the end. Panics on a non-200 answer: a benchmark of
/// errors measures nothing.
fn run(agent: &ureq::Agent, endpoint: &str, query: &str) -> Duration {
    let accept = if query.contains("CONSTRUCT") {
        "application/n-triples"
    } else {
        "application/sparql-results+json"
    };
    let started = Instant::now();
    let mut response = agent
        .post(endpoint)
        .header("Content-Type", "application/sparql-query")
        .header("Accept", accept)
        .send(query)
        .expect("HTTP request");
    let status = response.status().as_u16();
    let mut body = Vec::new();
    let _ = response.body_mut().as_reader().read_to_end(&mut body);
    let took = started.elapsed();
    assert_eq!(
        status,
        200,
        "{endpoint}: {query}: {}",
        String::from_utf8_lossy(&body)
    );
    took
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn wait_ready(agent: &ureq::Agent, endpoint: &str) {
    for _ in 0..600 {
        if agent
            .post(endpoint)
            .header("Content-Type", "application/sparql-query")
            .send("ASK {}")
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{endpoint} did not answer within 60 s");
}

fn throughput(endpoint: &str, clients: usize, seconds: u64) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (stop, done, endpoint) =
                (Arc::clone(&stop), Arc::clone(&done), endpoint.to_owned());
            std::thread::spawn(move || {
                let agent = agent();
                let mut i = c;
                while !stop.load(Ordering::Relaxed) {
                    run(&agent, &endpoint, QUERIES[i % QUERIES.len()].1);
                    done.fetch_add(1, Ordering::Relaxed);
                    i += 1;
                }
            })
        })
        .collect();
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().expect("client thread");
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

#[expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]
fn main() {
    // `cargo test --benches` runs bench targets with `--bench`-less arguments; do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let venues = env_usize("BENCH_VENUES", 20_000);
    let runs = env_usize("BENCH_RUNS", 30);
    let clients = env_usize("BENCH_CLIENTS", 4);
    let seconds = env_usize("BENCH_SECONDS", 10) as u64;
    if Command::new("oxigraph").arg("--version").output().is_err() {
        eprintln!("the `oxigraph` command is missing: pip install oxigraph");
        std::process::exit(2);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data.nq");
    let quads = generate(&data, venues).expect("generate data");
    println!(
        "data: {venues} venues, {} events, {quads} quads in 4 named graphs",
        venues * 4
    );

    // Ours: load, then serve (union default graph, as by default).
    let ours_dir = dir.path().join("ours");
    std::fs::create_dir_all(&ours_dir).expect("dir");
    let config = ours_dir.join("kulturnetz.toml");
    std::fs::write(&config, format!("[site]\nbase_iri = \"{BASE}\"\n[store]\npath = \"store\"\n[server]\nquery_timeout = \"120s\"\nmax_result_rows = 10000000\nmax_concurrent_queries = 8\nmax_queued_queries = 256\n")).expect("config");
    // `KULTURNETZ_BIN` measures another build (say, the last release) with the same harness.
    let bin = std::env::var_os("KULTURNETZ_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_kulturnetz")),
        PathBuf::from,
    );
    let started = Instant::now();
    let status = Command::new(&bin)
        .arg("load")
        .arg(&data)
        .arg("--config")
        .arg(&config)
        .stderr(Stdio::null())
        .status()
        .expect("kulturnetz load");
    assert!(status.success(), "kulturnetz load failed");
    let ours_load = started.elapsed();
    let mut child = Command::new(&bin)
        .args(["serve", "--no-ingest", "--bind", "127.0.0.1:0", "--config"])
        .arg(&config)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("kulturnetz serve");
    let stderr = child.stderr.take().expect("stderr");
    let ours = Running(child);
    let mut lines = BufReader::new(stderr).lines();
    let address = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("listening on http://")
                .map(|r| r.split('/').next().unwrap_or_default().to_owned())
        })
        .expect("listening line");
    std::thread::spawn(move || for _ in lines {});
    let ours_endpoint = format!("http://{address}/query");

    // Oxigraph: the same file, the same union default graph.
    let ox_dir = dir.path().join("oxigraph");
    let started = Instant::now();
    let status = Command::new("oxigraph")
        .arg("load")
        .arg("--location")
        .arg(&ox_dir)
        .arg("--file")
        .arg(&data)
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .expect("oxigraph load");
    assert!(status.success(), "oxigraph load failed");
    let ox_load = started.elapsed();
    let port = free_port();
    let theirs = Running(
        Command::new("oxigraph")
            .arg("serve")
            .arg("--location")
            .arg(&ox_dir)
            .args([
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--union-default-graph",
            ])
            .stderr(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("oxigraph serve"),
    );
    let ox_endpoint = format!("http://127.0.0.1:{port}/query");
    let agent = agent();
    wait_ready(&agent, &ours_endpoint);
    wait_ready(&agent, &ox_endpoint);
    println!(
        "load: ours {:.1} s, oxigraph {:.1} s\n",
        ours_load.as_secs_f64(),
        ox_load.as_secs_f64()
    );

    println!(
        "{:<18} {:>12} {:>14} {:>8}",
        "query", "ours (ms)", "oxigraph (ms)", "ratio"
    );
    let mut worst: (f64, &str) = (0.0, "");
    for (name, query) in QUERIES {
        for _ in 0..3 {
            run(&agent, &ours_endpoint, query);
            run(&agent, &ox_endpoint, query);
        }
        let (mut a, mut b) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
        for i in 0..runs {
            // Alternate which goes first, so neither always meets a warm cache.
            if i.is_multiple_of(2) {
                a.push(run(&agent, &ours_endpoint, query));
                b.push(run(&agent, &ox_endpoint, query));
            } else {
                b.push(run(&agent, &ox_endpoint, query));
                a.push(run(&agent, &ours_endpoint, query));
            }
        }
        let (a, b) = (median(a), median(b));
        let ratio = a.as_secs_f64() / b.as_secs_f64();
        if ratio > worst.0 {
            worst = (ratio, name);
        }
        println!(
            "{name:<18} {:>12.2} {:>14.2} {ratio:>8.2}",
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3
        );
    }
    let ours_qps = throughput(&ours_endpoint, clients, seconds);
    let ox_qps = throughput(&ox_endpoint, clients, seconds);
    println!(
        "\nthroughput, {clients} clients x {seconds} s over the mix: ours {ours_qps:.1} q/s, oxigraph {ox_qps:.1} q/s, ratio ours/oxigraph {:.2}",
        ours_qps / ox_qps
    );
    println!(
        "worst median latency ratio ours/oxigraph: {:.2} ({})",
        worst.0, worst.1
    );
    drop(ours);
    drop(theirs);
}
