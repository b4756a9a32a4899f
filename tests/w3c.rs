//! The W3C tests that the shared harness does not run — SPARQL 1.1 Protocol, Graph Store
//! Protocol and Service Description (`protocol/`, `http-rdf-update/`,
//! `service-description/` in the suite) — as end-to-end tests over real HTTP.
//!
//! The protocol manifest describes each request and expected response in RDF (`ht:` / `mf:`
//! terms), so its tests run from the manifest itself. The Graph Store manifest describes its
//! requests in prose, so its sequence is written out here in the manifest's order.

use crate::util::{Reply, Server, Site, client, reply, shared};
use oxrdf::vocab::rdf;
use oxrdf::{Graph, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef};

const TOKEN: &str = "w3c-token";
const MF: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#";
const HT: &str = "http://www.w3.org/2011/http#";
const HTS: &str = "http://www.w3.org/2011/http-statusCodes#";
const CNT: &str = "http://www.w3.org/2011/content#";
const UT: &str = "http://www.w3.org/2009/sparql/tests/test-update#";
const RDFS_LABEL: &str = "http://www.w3.org/2000/01/rdf-schema#label";

fn term(ns: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{ns}{local}"))
}

fn start() -> (Site, Server) {
    let site = Site::new("[server]\nunion_default_graph = false\n");
    let server = site.serve(&["--no-ingest"], &[("KULTURNETZ_WRITE_TOKEN", TOKEN)]);
    (site, server)
}

fn manifest(path: &str) -> (Graph, String) {
    let file = shared().join("conformance/sparql11").join(path);
    let base = format!("file://{}", file.display());
    let text = std::fs::read_to_string(&file).expect("manifest");
    let graph = oxttl::TurtleParser::new()
        .with_base_iri(&base)
        .expect("base")
        .for_slice(&text)
        .collect::<Result<Graph, _>>()
        .expect("valid manifest");
    (graph, base)
}

fn object<'a>(
    g: &'a Graph,
    s: impl Into<NamedOrBlankNodeRef<'a>>,
    p: &NamedNode,
) -> Option<TermRef<'a>> {
    g.triples_for_subject(s)
        .find(|t| t.predicate == p.as_ref())
        .map(|t| t.object)
}

fn text<'a>(g: &'a Graph, s: impl Into<NamedOrBlankNodeRef<'a>>, p: &NamedNode) -> Option<&'a str> {
    match object(g, s, p)? {
        TermRef::Literal(l) => Some(l.value()),
        _ => None,
    }
}

fn list<'a>(g: &'a Graph, mut node: TermRef<'a>) -> Vec<TermRef<'a>> {
    let mut items = Vec::new();
    while let Some(head) = match node {
        TermRef::NamedNode(n) if n == rdf::NIL => None,
        TermRef::NamedNode(n) => Some(NamedOrBlankNodeRef::from(n)),
        TermRef::BlankNode(b) => Some(b.into()),
        _ => None,
    } {
        let Some(first) = g.object_for_subject_predicate(head, rdf::FIRST) else {
            break;
        };
        items.push(first);
        node = g
            .object_for_subject_predicate(head, rdf::REST)
            .unwrap_or(rdf::NIL.into());
    }
    items
}

fn subject(t: TermRef<'_>) -> NamedOrBlankNodeRef<'_> {
    match t {
        TermRef::NamedNode(n) => n.into(),
        TermRef::BlankNode(b) => b.into(),
        other => panic!("not a node: {other}"),
    }
}

/// Sends one request of the protocol manifest and checks its response; `Err` says why not.
fn run_request(g: &Graph, request: TermRef<'_>, server: &Server) -> Result<(), String> {
    let request = subject(request);
    let method = text(g, request, &term(HT, "methodName")).unwrap_or("GET");
    let path = text(g, request, &term(HT, "absolutePath")).unwrap_or("/sparql/");
    // The manifest's service is at /sparql/; ours is /sparql.
    let path = path.replacen("/sparql/", "/sparql", 1);
    let mut builder = ureq::http::Request::builder()
        .method(method)
        .uri(format!("{}{path}", server.url))
        .header("Authorization", format!("Bearer {TOKEN}"));
    if let Some(headers) = object(g, request, &term(HT, "headers")) {
        for header in list(g, headers) {
            let name = text(g, subject(header), &term(HT, "fieldName")).unwrap_or_default();
            let value = text(g, subject(header), &term(HT, "fieldValue")).unwrap_or_default();
            builder = builder.header(name, value);
        }
    }
    let body: Vec<u8> = match object(g, request, &term(HT, "body")) {
        Some(body) => {
            let chars = text(g, subject(body), &term(CNT, "chars")).unwrap_or_default();
            match text(g, subject(body), &term(CNT, "characterEncoding")) {
                Some(e) if e.eq_ignore_ascii_case("UTF-16") => {
                    chars.encode_utf16().flat_map(u16::to_be_bytes).collect()
                }
                _ => chars.as_bytes().to_vec(),
            }
        }
        None => Vec::new(),
    };
    let request_value = builder.body(body).map_err(|e| e.to_string())?;
    let r = reply(client().run(request_value));
    let Some(expected) = object(g, request, &term(HT, "resp")) else {
        return Ok(());
    };
    let expected = subject(expected);
    let classes: Vec<String> = g
        .objects_for_subject_predicate(expected, term(MF, "expectedStatus").as_ref())
        .filter_map(|t| match t {
            TermRef::NamedNode(n) => n.as_str().strip_prefix(HTS).map(str::to_owned),
            _ => None,
        })
        .collect();
    let class = format!("StatusCode{}xx", r.status / 100);
    if !classes.is_empty() && !classes.contains(&class) {
        return Err(format!(
            "{method} {path}: status {} not in {classes:?}: {}",
            r.status, r.body
        ));
    }
    match text(g, expected, &term(MF, "expectedFormat")) {
        Some("boolean") => {
            let json: serde_json::Value = serde_json::from_str(&r.body)
                .map_err(|e| format!("not JSON results ({e}): {}", r.body))?;
            let got = json["boolean"].as_bool();
            let want = text(g, expected, &term(MF, "expectedBoolean")).map(|b| b == "true");
            if got.is_none() || (want.is_some() && got != want) {
                return Err(format!(
                    "{method} {path}: expected {want:?}, got {}",
                    r.body
                ));
            }
        }
        Some("RDF") => {
            let rdf = [
                "text/turtle",
                "application/n-triples",
                "application/rdf+xml",
                "application/ld+json",
                "application/n-quads",
                "application/trig",
            ];
            if !rdf.contains(&r.media_type()) {
                return Err(format!("{method} {path}: {:?} is not RDF", r.media_type()));
            }
        }
        Some("tabular") => {
            let tabular = [
                "application/sparql-results+json",
                "application/sparql-results+xml",
                "text/csv",
                "text/tab-separated-values",
            ];
            if !tabular.contains(&r.media_type()) {
                return Err(format!(
                    "{method} {path}: {:?} is not a result set format",
                    r.media_type()
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

fn load_graph_data(g: &Graph, test: NamedOrBlankNodeRef<'_>, server: &Server) {
    for data in g.objects_for_subject_predicate(test, term(UT, "graphData").as_ref()) {
        let data = subject(data);
        let Some(TermRef::NamedNode(file)) = object(g, data, &term(UT, "graph")) else {
            continue;
        };
        let label = text(g, data, &NamedNode::new_unchecked(RDFS_LABEL)).expect("graph label");
        let path = file.as_str().strip_prefix("file://").expect("file IRI");
        let triples = std::fs::read_to_string(path).expect("graph data");
        let r = reply(
            client()
                .put(format!(
                    "{}/store?graph={}",
                    server.url,
                    crate::util::enc(label)
                ))
                .header("Content-Type", "application/n-triples")
                .header("Authorization", format!("Bearer {TOKEN}"))
                .send(triples),
        );
        assert!(r.status == 201 || r.status == 204, "loading {label}: {r:?}");
    }
}

/// Every test of `protocol/manifest.ttl`, each on a fresh store, requests as the manifest gives
/// them (plus the write token this server needs for updates).
#[test]
fn w3c_sparql11_protocol_manifest() {
    let (g, base) = manifest("protocol/manifest.ttl");
    let manifest_node = NamedNode::new_unchecked(base);
    let entries = object(&g, manifest_node.as_ref(), &term(MF, "entries")).expect("entries");
    let tests = list(&g, entries);
    assert_eq!(tests.len(), 34, "the protocol manifest has 34 tests");
    let mut failures = Vec::new();
    for test in tests {
        let test = subject(test);
        let name = text(&g, test, &term(MF, "name"))
            .unwrap_or_default()
            .to_owned();
        let (_site, server) = start();
        load_graph_data(&g, test, &server);
        let action = object(&g, test, &term(MF, "action")).expect("action");
        let requests = object(&g, subject(action), &term(HT, "requests")).expect("requests");
        for request in list(&g, requests) {
            if let Err(e) = run_request(&g, request, &server) {
                failures.push(format!("{test} ({name}): {e}"));
                break;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn turtle_graph(body: &str, base: &str) -> Graph {
    oxttl::TurtleParser::new()
        .with_base_iri(base)
        .expect("base")
        .for_slice(body)
        .collect::<Result<Graph, _>>()
        .unwrap_or_else(|e| panic!("not Turtle ({e}): {body}"))
}

fn has(g: &Graph, s: &str, p: &str, o: &str) -> bool {
    let s = NamedNode::new_unchecked(s);
    g.objects_for_subject_predicate(s.as_ref(), NamedNodeRef::new_unchecked(p))
        .any(|t| match t {
            TermRef::Literal(l) => l.value() == o,
            TermRef::NamedNode(n) => n.as_str() == o,
            TermRef::BlankNode(_) => o == "_",
        })
}

/// `http-rdf-update/manifest.ttl`, all 18 tests in the manifest's order (they build on each
/// other). Where the manifest says "200 OK" for a write, 204 No Content is the same success
/// without a body, which the Graph Store Protocol allows.
#[test]
fn w3c_graph_store_protocol_manifest() {
    let (_site, server) = start();
    let store = format!("{}/store", server.url);
    let host = server.url.trim_start_matches("http://").to_owned();
    let person1 = format!("http://{host}/store/person/1");
    let auth = format!("Bearer {TOKEN}");
    let foaf = "http://xmlns.com/foaf/0.1/";
    let vcard = "http://www.w3.org/2006/vcard/ns#";
    let card = |name: &str| {
        format!(
            "@prefix foaf: <{foaf}> .\n@prefix v: <{vcard}> .\n<{person1}> a foaf:Person;\n    foaf:businessCard [\n        a v:VCard;\n        v:fn \"{name}\"\n    ].\n"
        )
    };
    let put = |url: &str, body: String| {
        reply(
            client()
                .put(url)
                .header("Content-Type", "text/turtle; charset=utf-8")
                .header("Authorization", &auth)
                .send(body),
        )
    };
    let post = |url: &str, body: String| {
        reply(
            client()
                .post(url)
                .header("Content-Type", "text/turtle; charset=utf-8")
                .header("Authorization", &auth)
                .send(body),
        )
    };
    let get = |url: &str| reply(client().get(url).header("Accept", "text/turtle").call());
    let business_card_name = |r: &Reply| -> Vec<String> {
        let g = turtle_graph(&r.body, &person1);
        let cards: Vec<Term> = g
            .objects_for_subject_predicate(
                NamedNodeRef::new_unchecked(&person1),
                NamedNodeRef::new_unchecked(&format!("{foaf}businessCard")),
            )
            .map(TermRef::into_owned)
            .collect();
        cards
            .iter()
            .filter_map(|c| match c {
                Term::BlankNode(b) => g.object_for_subject_predicate(
                    b,
                    NamedNodeRef::new_unchecked(&format!("{vcard}fn")),
                ),
                _ => None,
            })
            .filter_map(|t| match t {
                TermRef::Literal(l) => Some(l.value().to_owned()),
                _ => None,
            })
            .collect()
    };

    // PUT - Initial state: 201.
    let r = put(&format!("{store}/person/1.ttl"), card("John Doe"));
    assert_eq!(r.status, 201, "PUT - Initial state: {r:?}");
    // GET of PUT - Initial state, by indirect identification.
    let r = get(&format!(
        "{store}?graph={}",
        crate::util::enc(&format!("http://{host}/store/person/1.ttl"))
    ));
    assert_eq!(
        (r.status, r.media_type()),
        (200, "text/turtle"),
        "GET of PUT - Initial state: {r:?}"
    );
    assert_eq!(business_card_name(&r), ["John Doe"]);
    // PUT - graph already in store: 204, content replaced.
    let r = put(&format!("{store}/person/1.ttl"), card("Jane Doe"));
    assert_eq!(r.status, 204, "PUT - graph already in store: {r:?}");
    let r = get(&format!("{store}/person/1.ttl"));
    assert_eq!(
        business_card_name(&r),
        ["Jane Doe"],
        "GET of PUT - graph already in store"
    );
    // PUT - default graph: 201 (it was empty), then GET of PUT - default graph.
    let alice = format!(
        "@prefix foaf: <{foaf}> .\n@prefix v: <{vcard}> .\n[] a foaf:Person;\n    foaf:businessCard [\n        a v:VCard;\n        v:given-name \"Alice\"\n    ] .\n"
    );
    let r = put(&format!("{store}?default"), alice.clone());
    assert_eq!(r.status, 201, "PUT - default graph: {r:?}");
    let r = get(&format!("{store}?default"));
    assert_eq!(r.status, 200);
    let g = turtle_graph(&r.body, &store);
    assert_eq!(g.len(), 4, "GET of PUT - default graph: {}", r.body);
    assert!(r.body.contains("Alice"));
    // DELETE - existing graph (person/2 created first), GET of DELETE, DELETE - non-existent.
    assert_eq!(
        put(&format!("{store}/person/2.ttl"), card("Someone")).status,
        201
    );
    let r = reply(
        client()
            .delete(format!("{store}/person/2.ttl"))
            .header("Authorization", &auth)
            .call(),
    );
    assert!(
        r.status == 200 || r.status == 204,
        "DELETE - existing graph: {r:?}"
    );
    let r = get(&format!("{store}/person/2.ttl"));
    assert_eq!(r.status, 404, "GET of DELETE - existing graph: {r:?}");
    let r = reply(
        client()
            .delete(format!("{store}/person/2.ttl"))
            .header("Authorization", &auth)
            .call(),
    );
    assert_eq!(r.status, 404, "DELETE - non-existent graph: {r:?}");
    // POST - existing graph: merged, then GET of POST.
    let r = post(
        &format!("{store}/person/1.ttl"),
        format!("@prefix foaf: <{foaf}> .\n<{person1}> foaf:name \"Jane Doe\" .\n"),
    );
    assert!(
        r.status == 200 || r.status == 204,
        "POST - existing graph: {r:?}"
    );
    let r = get(&format!("{store}/person/1.ttl"));
    let g = turtle_graph(&r.body, &person1);
    assert!(
        has(&g, &person1, &format!("{foaf}name"), "Jane Doe"),
        "GET of POST - existing graph: {}",
        r.body
    );
    assert_eq!(business_card_name(&r), ["Jane Doe"]);
    // POST - multipart/form-data: every part is merged into the graph.
    let boundary = "a6fe4cd636164618814be9f8d3d1a0de";
    let part = |name: &str, triple: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\nContent-Type: text/turtle; charset=utf-8\r\n\r\n@prefix foaf: <{foaf}> .\n<{person1}> {triple} .\n\r\n"
        )
    };
    let body = format!(
        "{}{}--{boundary}--\r\n",
        part("lastName.ttl", "foaf:familyName \"Doe\""),
        part("firstName.ttl", "foaf:givenName \"Jane\"")
    );
    let r = reply(
        client()
            .post(format!("{store}/person/1.ttl"))
            .header(
                "Content-Type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("Authorization", &auth)
            .send(body),
    );
    assert!(
        r.status == 200 || r.status == 204,
        "POST - multipart/form-data: {r:?}"
    );
    let r = reply(client().get(format!("{store}/person/1.ttl")).call());
    assert_eq!(
        (r.status, r.media_type()),
        (200, "text/turtle"),
        "GET of POST - multipart/form-data"
    );
    let g = turtle_graph(&r.body, &person1);
    for (p, o) in [
        ("name", "Jane Doe"),
        ("givenName", "Jane"),
        ("familyName", "Doe"),
    ] {
        assert!(
            has(&g, &person1, &format!("{foaf}{p}"), o),
            "GET of POST - multipart/form-data: {}",
            r.body
        );
    }
    // POST - create new graph: 201 with Location, then GET of POST - create new graph.
    let r = post(&store, alice);
    assert_eq!(r.status, 201, "POST - create new graph: {r:?}");
    let location = r.header("location").to_owned();
    assert!(
        location.starts_with(&format!("http://{host}/store/")),
        "{location}"
    );
    let r = get(&location);
    assert_eq!(r.status, 200, "GET of POST - create new graph: {r:?}");
    assert_eq!(turtle_graph(&r.body, &location).len(), 4);
    // GET of POST - after noop: an empty POST changes nothing.
    let r = post(&location, String::new());
    assert!(r.status == 200 || r.status == 204, "{r:?}");
    let r = get(&location);
    assert_eq!(
        turtle_graph(&r.body, &location).len(),
        4,
        "GET of POST - after noop"
    );
    // HEAD on an existing graph / on a non-existing graph.
    let r = reply(client().head(format!("{store}/person/1.ttl")).call());
    assert_eq!(
        (r.status, r.media_type()),
        (200, "text/turtle"),
        "HEAD on an existing graph"
    );
    assert!(r.body.is_empty());
    let length = r.header("content-length");
    let get = reply(client().get(format!("{store}/person/1.ttl")).call());
    assert!(
        length.is_empty() || length == get.body.len().to_string(),
        "HEAD says Content-Length: {length}, the GET body has {} bytes",
        get.body.len()
    );
    let r = reply(client().head(format!("{store}/person/4.ttl")).call());
    assert_eq!(r.status, 404, "HEAD on a non-existing graph");
}

/// `service-description/manifest.ttl`: GET on the endpoint returns RDF; it has an
/// `sd:endpoint` that is the endpoint's URL; it conforms to the Service Description schema.
#[test]
fn w3c_service_description_manifest() {
    let (_site, server) = start();
    let sd = "http://www.w3.org/ns/sparql-service-description#";
    for path in ["/sparql", "/query"] {
        let endpoint = format!("{}{path}", server.url);
        let r = reply(
            client()
                .get(&endpoint)
                .header("Accept", "text/turtle")
                .call(),
        );
        assert_eq!(
            (r.status, r.media_type()),
            (200, "text/turtle"),
            "GET on endpoint returns RDF"
        );
        let g = turtle_graph(&r.body, &endpoint);
        let services: Vec<_> = g
            .subjects_for_predicate_object(
                rdf::TYPE,
                NamedNodeRef::new_unchecked(&format!("{sd}Service")),
            )
            .collect();
        assert_eq!(services.len(), 1, "{}", r.body);
        let service = services[0];
        let p = |local: &str| NamedNode::new_unchecked(format!("{sd}{local}"));
        // Service description contains a matching sd:endpoint triple.
        assert_eq!(
            g.object_for_subject_predicate(service, p("endpoint").as_ref()),
            Some(NamedNodeRef::new_unchecked(&endpoint).into()),
            "{}",
            r.body
        );
        // Conforms to the schema: languages, result formats, a default dataset with a default graph.
        let languages: Vec<_> = g
            .objects_for_subject_predicate(service, p("supportedLanguage").as_ref())
            .collect();
        assert!(
            languages.contains(&NamedNodeRef::new_unchecked(&format!("{sd}SPARQL11Query")).into())
        );
        assert!(
            languages.contains(&NamedNodeRef::new_unchecked(&format!("{sd}SPARQL11Update")).into())
        );
        assert!(
            g.objects_for_subject_predicate(service, p("resultFormat").as_ref())
                .count()
                >= 4
        );
        let dataset = g
            .object_for_subject_predicate(service, p("defaultDataset").as_ref())
            .expect("sd:defaultDataset");
        let dataset = subject(dataset);
        assert!(g.contains(oxrdf::TripleRef::new(
            dataset,
            rdf::TYPE,
            NamedNodeRef::new_unchecked(&format!("{sd}Dataset"))
        )));
        assert!(
            g.object_for_subject_predicate(dataset, p("defaultGraph").as_ref())
                .is_some()
        );
        // Other RDF formats carry the same description.
        let r = reply(
            client()
                .get(&endpoint)
                .header("Accept", "application/rdf+xml")
                .call(),
        );
        assert_eq!((r.status, r.media_type()), (200, "application/rdf+xml"));
    }
}
