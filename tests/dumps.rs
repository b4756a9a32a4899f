//! `/dumps/` over real HTTP: the files an ingest writes, listed, downloaded whole or by range,
//! revalidated, and loaded into a fresh store to the same graph.

use crate::util::{Site, client};
use sha2::{Digest, Sha256};
use std::io::Read;

/// A response with its body as bytes.
struct Bytes {
    status: u16,
    headers: ureq::http::HeaderMap,
    body: Vec<u8>,
}

impl Bytes {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

fn get(url: &str, headers: &[(&str, &str)]) -> Bytes {
    let mut request = client().get(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let mut response = request.call().expect("HTTP request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let mut body = Vec::new();
    let _ = response.body_mut().as_reader().read_to_end(&mut body);
    Bytes {
        status,
        headers,
        body,
    }
}

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_string(&mut text)
        .expect("gzip");
    text
}

/// Sorted lines: the graph of N-Quads without blank nodes, whatever the order.
fn sorted(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    lines.sort();
    lines
}

#[test]
fn issue_15_dumps_are_served_with_validators_and_ranges() {
    let site = Site::new(
        "[[source]]\nid = \"venues\"\nkind = \"rdf\"\npath = \"venues.ttl\"\n\n\
         [[source]]\nid = \"events\"\nkind = \"rdf\"\npath = \"events.ttl\"\n",
    );
    site.write(
        "venues.ttl",
        "@prefix schema: <http://schema.org/> .\n\
         <https://ex.example/v1> a schema:Museum ; schema:name \"Stadtmuseum\"@de .\n\
         <https://ex.example/v2> a schema:Museum ; schema:name \"Kunsthalle\"@de .\n",
    );
    site.write(
        "events.ttl",
        "@prefix schema: <http://schema.org/> .\n\
         <https://ex.example/e1> a schema:Event ; schema:location <https://ex.example/v1> .\n",
    );
    let server = site.serve(&[], &[]);
    assert!(server.log.contains("dumps written to"), "{}", server.log);
    let base = format!("{}/dumps/", server.url);

    // The listing, for programs and for people.
    let listing = get(&base, &[("Accept", "application/json")]);
    assert_eq!(listing.status, 200);
    let json: serde_json::Value = serde_json::from_slice(&listing.body).expect("JSON");
    let names: Vec<&str> = json["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "all.nq.gz",
            "venues.nq.gz",
            "venues.ttl.gz",
            "events.nq.gz",
            "events.ttl.gz"
        ]
    );
    let page = get(&base, &[("Accept", "text/html")]);
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("href=\"/dumps/venues.ttl.gz\""));

    // Each file as SHA256SUMS says, and all.nq.gz holds every quad of the store.
    let sums = get(&format!("{base}SHA256SUMS"), &[]);
    assert_eq!(sums.status, 200);
    let sums = String::from_utf8(sums.body).expect("text");
    let mut files = std::collections::HashMap::new();
    for line in sums.lines() {
        let (sha, name) = line.split_once("  ").expect("sha  name");
        let file = get(&format!("{base}{name}"), &[]);
        assert_eq!(file.status, 200, "{name}");
        assert_eq!(file.header("content-type"), "application/gzip");
        assert_eq!(format!("{:x}", Sha256::digest(&file.body)), sha, "{name}");
        files.insert(name.to_owned(), file);
    }
    let construct = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://daten.kultur.example/graph/venues> { ?s ?p ?o } }";
    let every = get(
        &format!(
            "{}/sparql?query={}",
            server.url,
            crate::util::enc(construct)
        ),
        &[("Accept", "application/n-triples")],
    );
    assert_eq!(every.status, 200);
    let every = String::from_utf8(every.body).expect("text");
    let venues_nq = gunzip(&files["venues.nq.gz"].body);
    assert_eq!(
        sorted(&venues_nq),
        sorted(&every.replace(" .\n", " <https://daten.kultur.example/graph/venues> .\n"))
    );
    let all = gunzip(&files["all.nq.gz"].body);
    for line in venues_nq
        .lines()
        .chain(gunzip(&files["events.nq.gz"].body).lines())
    {
        assert!(all.contains(line), "{line} is not in all.nq.gz");
    }
    assert!(all.contains("<https://daten.kultur.example/graph/meta>"));

    // The dump loads into a fresh store and gives the same graphs back.
    let fresh = tempfile::tempdir().expect("tempdir");
    std::fs::write(fresh.path().join("all.nq"), &all).expect("write");
    let (code, _, stderr) =
        crate::util::run_in(fresh.path(), &["load", "--store", "store", "all.nq"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, again, stderr) = crate::util::run_in(
        fresh.path(),
        &["query", "--store", "store", construct, "--format", "nt"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(sorted(&again), sorted(&every));

    // VoID: the numbers of each subset are what SPARQL counts, in every format.
    let count = |query: &str| -> u64 {
        let reply = get(
            &format!("{}/sparql?query={}", server.url, crate::util::enc(query)),
            &[("Accept", "text/csv")],
        );
        String::from_utf8(reply.body)
            .expect("text")
            .lines()
            .nth(1)
            .expect("a row")
            .trim()
            .parse()
            .expect("a number")
    };
    let graph = "<https://daten.kultur.example/graph/venues>";
    let void = get(
        &format!("{}/.well-known/void", server.url),
        &[("Accept", "application/n-triples")],
    );
    assert_eq!(void.status, 200);
    let void = String::from_utf8(void.body).expect("text");
    let subset = format!("<{}/.well-known/void#source-venues>", server.url);
    let stated = |predicate: &str| -> u64 {
        let prefix = format!("{subset} <http://rdfs.org/ns/void#{predicate}> \"");
        let line = void
            .lines()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no void:{predicate} of {subset} in\n{void}"));
        line[prefix.len()..]
            .split('"')
            .next()
            .expect("value")
            .parse()
            .expect("a number")
    };
    assert_eq!(
        stated("triples"),
        count(&format!(
            "SELECT (COUNT(*) AS ?n) {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        ))
    );
    assert_eq!(
        stated("distinctSubjects"),
        count(&format!(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        ))
    );
    assert_eq!(
        stated("distinctObjects"),
        count(&format!(
            "SELECT (COUNT(DISTINCT ?o) AS ?n) {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
        ))
    );
    assert!(void.contains(&format!(
        "{subset} <http://rdfs.org/ns/void#sparqlEndpoint> <{}/sparql>",
        server.url
    )));
    assert!(void.contains(&format!(
        "{subset} <http://rdfs.org/ns/void#dataDump> <{}/dumps/venues.ttl.gz>",
        server.url
    )));
    assert!(void.contains("<http://rdfs.org/ns/void#class> <http://schema.org/Museum>"));
    let turtle = get(
        &format!("{}/.well-known/void", server.url),
        &[("Accept", "text/turtle")],
    );
    assert_eq!(turtle.status, 200);
    let parsed: Vec<_> = oxttl::TurtleParser::new()
        .with_base_iri(format!("{}/.well-known/void", server.url))
        .expect("base")
        .for_slice(&turtle.body)
        .collect::<Result<_, _>>()
        .expect("Turtle");
    assert_eq!(parsed.len(), void.lines().count());

    // Revalidation: the same version is 304, by tag and by date.
    let url = format!("{base}all.nq.gz");
    let whole = &files["all.nq.gz"];
    let etag = whole.header("etag").to_owned();
    let modified = whole.header("last-modified").to_owned();
    assert!(etag.starts_with('"'), "{etag}");
    assert_eq!(get(&url, &[("If-None-Match", &etag)]).status, 304);
    assert_eq!(get(&url, &[("If-None-Match", "\"other\"")]).status, 200);
    assert_eq!(get(&url, &[("If-Modified-Since", &modified)]).status, 304);

    // Ranges: a part, the tail, one past the end; If-Range with another version gets it all.
    let part = get(&url, &[("Range", "bytes=0-9")]);
    assert_eq!(part.status, 206);
    assert_eq!(part.body, whole.body[..10]);
    assert_eq!(
        part.header("content-range"),
        format!("bytes 0-9/{}", whole.body.len())
    );
    let tail = get(&url, &[("Range", "bytes=-5")]);
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, whole.body[whole.body.len() - 5..]);
    let past = get(&url, &[("Range", &format!("bytes={}-", whole.body.len()))]);
    assert_eq!(past.status, 416);
    assert_eq!(
        past.header("content-range"),
        format!("bytes */{}", whole.body.len())
    );
    let stale = get(&url, &[("Range", "bytes=0-9"), ("If-Range", "\"other\"")]);
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body.len(), whole.body.len());

    // Only listed files: nothing else in the folder, nothing outside it.
    for path in [
        "kulturnetz.toml",
        "..%2Fkulturnetz.toml",
        "%2E%2E%2Fstore%2FCURRENT",
        ".all.nq.gz.tmp",
    ] {
        assert_eq!(get(&format!("{base}{path}"), &[]).status, 404, "{path}");
    }
}

/// `ingest` writes the dumps beside the store when it published something, `--no-dumps` leaves
/// them, and a dry run (`validate`) never writes any.
#[test]
fn issue_15_an_ingest_writes_the_dumps_and_a_dry_run_does_not() {
    let site = Site::new("[[source]]\nid = \"a\"\nkind = \"rdf\"\npath = \"a.nt\"\n");
    site.write(
        "a.nt",
        "<https://ex.example/s> <https://ex.example/p> \"1\" .\n",
    );
    let dumps = site.path().join("dumps");
    let (code, _, stderr) = site.run(&["validate"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!dumps.exists(), "a dry run wrote dumps");
    // Nor does it touch the search index: its scratch store is not the site's.
    assert!(
        !site.path().join("search").exists(),
        "a dry run made a search index"
    );
    let (code, _, stderr) = site.run(&["ingest", "--no-dumps"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!dumps.exists(), "--no-dumps wrote dumps");
    site.write(
        "a.nt",
        "<https://ex.example/s> <https://ex.example/p> \"2\" .\n",
    );
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    let a = gunzip(&std::fs::read(dumps.join("a.nq.gz")).expect("a.nq.gz"));
    assert_eq!(
        a,
        "<https://ex.example/s> <https://ex.example/p> \"2\" <https://daten.kultur.example/graph/a> .\n"
    );
    for name in ["all.nq.gz", "a.ttl.gz", "SHA256SUMS"] {
        assert!(dumps.join(name).exists(), "{name}");
    }
}

/// The DCAT-AP.de catalogue at /catalog (and /dumps/catalog.ttl) has no violation under the
/// DCAT-AP 3.0.0 shapes with GovData's German additions, and its distributions state the sizes
/// and checksums of the files served.
#[test]
fn issue_15_the_catalogue_conforms_to_dcat_ap_de() {
    let site = Site::new(
        "[[source]]\nid = \"venues\"\nkind = \"rdf\"\npath = \"venues.ttl\"\n\
         title = \"Museen\"\nlicense = \"http://dcat-ap.de/def/licenses/cc-zero\"\n",
    );
    site.write(
        "venues.ttl",
        "<https://ex.example/v1> a <http://schema.org/Museum> ; <http://schema.org/name> \"Stadtmuseum\"@de .\n",
    );
    let server = site.serve(&[], &[]);
    let catalog = get(
        &format!("{}/catalog", server.url),
        &[("Accept", "text/turtle")],
    );
    assert_eq!(catalog.status, 200);
    let file = get(&format!("{}/dumps/catalog.ttl", server.url), &[]);
    assert_eq!(file.status, 200);
    assert_eq!(file.body, catalog.body);
    let text = String::from_utf8(catalog.body).expect("text");

    // Every distribution of a dump states its file's size and checksum.
    let sums = get(&format!("{}/dumps/SHA256SUMS", server.url), &[]);
    for line in String::from_utf8(sums.body).expect("text").lines() {
        let (sha, name) = line.split_once("  ").expect("sha  name");
        let bytes = get(&format!("{}/dumps/{name}", server.url), &[]).body.len();
        assert!(
            text.contains(&format!("spdx:checksumValue \"{sha}\"^^xsd:hexBinary")),
            "{name}"
        );
        assert!(
            text.contains(&format!("<https://daten.kultur.example/dumps/{name}>")),
            "{name}"
        );
        assert!(
            text.contains(&format!(
                "dcat:byteSize \"{bytes}\"^^xsd:nonNegativeInteger"
            )),
            "{name}"
        );
    }

    // The profile: DCAT-AP 3.0.0 and DCAT-AP.de's shapes, as far as they work offline.
    let vocab = crate::util::shared().join("data/vocab");
    let mut shapes = String::new();
    for file in [
        "dcat-ap/dcat-ap-3.0.0-SHACL.ttl",
        "dcat-ap-de/dcat-ap-SHACL-DE.ttl",
        "dcat-ap-de/dcat-ap-spec-german-additions.ttl",
        "dcat-ap-de/dcat-ap-de-deprecated.ttl",
    ] {
        shapes.push_str(&std::fs::read_to_string(vocab.join(file)).expect(file));
        shapes.push('\n');
    }
    site.write("dcat-ap-de-shapes.ttl", &shapes);
    site.write("catalog.ttl", &text);
    let (code, _, stderr) = crate::util::run_in(
        site.path(),
        &[
            "validate",
            "--shapes",
            "dcat-ap-de-shapes.ttl",
            "catalog.ttl",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("conforms"), "{stderr}");
    if std::env::var_os("KULTURNETZ_PY_SHACL").is_some() {
        let out = std::process::Command::new("python3")
            .args([
                "-m",
                "pyshacl",
                "-s",
                "dcat-ap-de-shapes.ttl",
                "catalog.ttl",
            ])
            .current_dir(site.path())
            .output()
            .expect("python3 -m pyshacl");
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(report.contains("Conforms: True"), "{report}");
    }
}

/// An IRI the site mints answers: an HTML page for a browser (German or English by
/// `Accept-Language`), every RDF format for a program, each parsing to the same graph; an IRI
/// the store does not know is a 404, also as a page.
#[test]
fn issue_15_resources_are_dereferenceable() {
    let site = Site::new("[[source]]\nid = \"venues\"\nkind = \"rdf\"\npath = \"venues.ttl\"\n");
    site.write(
        "venues.ttl",
        "@prefix schema: <http://schema.org/> .\n\
         <https://daten.kultur.example/id/venue/stadtmuseum> a schema:Museum ;\n\
           schema:name \"Stadtmuseum\"@de , \"City Museum\"@en ;\n\
           schema:url <https://stadtmuseum.example/> .\n\
         <https://daten.kultur.example/id/event/1> schema:location <https://daten.kultur.example/id/venue/stadtmuseum> .\n\
         <https://daten.kultur.example/id/event/ev-7%40kalender.example> schema:name \"Führung\" .\n\
         <https://daten.kultur.example/id/venue/müllerhaus> schema:name \"Müllerhaus\" .\n\
         <https://daten.kultur.example/id/person/Lotte%20Schröder> schema:name \"Lotte Schröder\" .\n",
    );
    let server = site.serve(&[], &[]);
    // An IRI with `%40` in it is asked for as it is spelled (decoding it would name another
    // IRI); one with `ü` is asked for encoded, as a browser sends it, also beside an escape
    // the IRI has itself.
    for path in [
        "event/ev-7%40kalender.example",
        "venue/m%C3%BCllerhaus",
        "person/Lotte%20Schr%C3%B6der",
    ] {
        let reply = get(
            &format!("{}/id/{path}", server.url),
            &[("Accept", "text/turtle")],
        );
        assert_eq!(reply.status, 200, "{path}");
        assert!(!reply.body.is_empty(), "{path}");
    }
    let url = format!("{}/id/venue/stadtmuseum", server.url);
    let browser = "text/html,application/xhtml+xml,*/*;q=0.8";
    let german = get(
        &url,
        &[
            ("Accept", browser),
            ("Accept-Language", "de-DE,de;q=0.9,en;q=0.5"),
        ],
    );
    assert_eq!(german.status, 200);
    assert!(german.header("vary").contains("Accept-Language"));
    let page = String::from_utf8(german.body).expect("text");
    assert!(page.contains("<h1>Stadtmuseum</h1>"), "{page}");
    assert!(page.contains("lang=\"de\""));
    assert!(
        page.contains("href=\"/id/event/1\""),
        "the event pointing here is linked: {page}"
    );
    assert!(page.contains("href=\"/dumps/venues.ttl.gz\""), "{page}");
    let english = get(&url, &[("Accept", browser), ("Accept-Language", "en")]);
    assert!(
        String::from_utf8(english.body)
            .expect("text")
            .contains("<h1>City Museum</h1>")
    );

    let mut graphs = Vec::new();
    for (accept, format) in [
        ("text/turtle", oxrdfio::RdfFormat::Turtle),
        ("application/n-triples", oxrdfio::RdfFormat::NTriples),
        ("application/rdf+xml", oxrdfio::RdfFormat::RdfXml),
        (
            "application/ld+json",
            oxrdfio::RdfFormat::JsonLd {
                profile: oxrdfio::JsonLdProfileSet::empty(),
            },
        ),
    ] {
        let reply = get(&url, &[("Accept", accept)]);
        assert_eq!(reply.status, 200, "{accept}");
        assert!(reply.header("content-type").starts_with(accept), "{accept}");
        let mut triples: Vec<String> = oxrdfio::RdfParser::from_format(format)
            .for_slice(&reply.body)
            .map(|q| q.expect(accept).to_string())
            .collect();
        triples.sort();
        graphs.push(triples);
    }
    assert_eq!(graphs[0].len(), 4, "{:?}", graphs[0]);
    assert!(graphs.iter().all(|g| *g == graphs[0]), "{graphs:?}");

    let unknown = get(
        &format!("{}/id/venue/nowhere", server.url),
        &[("Accept", browser)],
    );
    assert_eq!(unknown.status, 404);
    assert!(
        String::from_utf8(unknown.body)
            .expect("text")
            .contains("not known here")
    );
    assert_eq!(
        get(
            &format!("{}/id/venue/nowhere", server.url),
            &[("Accept", "text/turtle")]
        )
        .status,
        404
    );
}
