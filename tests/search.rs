//! The search indexes (issue 14) as users meet them: `/api/search`, the `kn:` SPARQL functions
//! and search patterns, `reindex`, and the index following each ingest.

use crate::util::{Reply, Server, Site, client, enc, reply};
use serde_json::Value;
use std::time::{Duration, Instant};

const TOKEN: &str = "s3cret";
const BASE: &str = "https://daten.kultur.example/";

/// A fixed corpus: museums with places, objects with German and English titles.
const MUSEEN: &str = r#"
@prefix schema: <http://schema.org/> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix id: <https://daten.kultur.example/id/> .

id:venue\/naturkunde a schema:Museum ; schema:name "Museum für Naturkunde"@de ;
  schema:description "Sammlungen zur Natur Thüringens"@de ;
  geo:hasGeometry [ geo:asWKT "POINT(11.0290 50.9780)"^^geo:wktLiteral ] .
id:venue\/einheit a schema:Place ; schema:name "Haus an der Straße der Einheit"@de ;
  schema:geo [ schema:latitude 50.9800 ; schema:longitude 11.3300 ] .
id:venue\/muellerhaus a schema:Museum ; rdfs:label "Müllerhaus" ;
  geo:hasGeometry [ geo:asWKT "POINT(11.3200 50.9200)"^^geo:wktLiteral ] .
id:venue\/library a schema:Library ; schema:name "City Library"@en ;
  schema:description "Books, maps and reading rooms"@en ;
  geo:hasGeometry [ geo:asWKT "POINT(10.7000 50.9500)"^^geo:wktLiteral ] .
"#;

const OBJEKTE: &str = r#"
@prefix schema: <http://schema.org/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix id: <https://daten.kultur.example/id/> .

id:object\/1 a schema:VisualArtwork ; dct:title "Porzellanmalerei aus Kahla"@de .
id:object\/2 a schema:VisualArtwork ; dct:title "Teller"@de ;
  schema:description "Ein Teller aus Hartporzellan mit Goldrand"@de .
id:object\/3 a schema:VisualArtwork ; dct:title "Porzellan"@de ;
  schema:description "Porzellan, Porzellan, Porzellan"@de .
id:object\/4 a schema:CreativeWork ; schema:name "Paintings of the Bauhaus"@en .
id:object\/5 a schema:CreativeWork ; schema:name "Kirchenfenster"@de .
"#;

fn site() -> Site {
    let site = Site::new(
        "[[source]]\nid = \"museen\"\nkind = \"rdf\"\npath = \"museen.ttl\"\nvalidate = \"off\"\n\n\
         [[source]]\nid = \"objekte\"\nkind = \"rdf\"\npath = \"objekte.ttl\"\nvalidate = \"off\"\n",
    );
    site.write("museen.ttl", MUSEEN);
    site.write("objekte.ttl", OBJEKTE);
    site
}

fn get(server: &Server, path_and_query: &str) -> Reply {
    reply(
        client()
            .get(format!("{}{path_and_query}", server.url))
            .call(),
    )
}

fn search(server: &Server, query: &str) -> Value {
    let r = get(server, &format!("/api/search?{query}"));
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    assert_eq!(r.media_type(), "application/json");
    serde_json::from_str(&r.body).expect("JSON")
}

/// The IRIs of a search's hits, without the base.
fn iris(answer: &Value) -> Vec<String> {
    answer["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| {
            h["iri"]
                .as_str()
                .expect("iri")
                .trim_start_matches(BASE)
                .to_owned()
        })
        .collect()
}

fn found(server: &Server, q: &str) -> Vec<String> {
    iris(&search(server, &format!("q={}", enc(q))))
}

#[test]
fn issue_14_german_and_english_words_find_their_forms() {
    let site = site();
    let server = site.serve(&[], &[]);
    assert!(
        server.log.contains("there is no search index in")
            && server.log.contains("built it from the store"),
        "{}",
        server.log
    );
    // Folding: ß and ss, umlauts as one or two letters.
    assert_eq!(found(&server, "Strasse"), ["id/venue/einheit"]);
    assert_eq!(found(&server, "STRASSE der einheit"), ["id/venue/einheit"]);
    assert_eq!(found(&server, "Mueller"), ["id/venue/muellerhaus"]);
    assert_eq!(found(&server, "muller"), ["id/venue/muellerhaus"]);
    assert_eq!(found(&server, "thueringen"), ["id/venue/naturkunde"]);
    // German stemming: a plural finds the singular.
    assert_eq!(found(&server, "Museen"), ["id/venue/naturkunde"]);
    assert_eq!(found(&server, "Sammlung"), ["id/venue/naturkunde"]);
    // English stemming, on English literals.
    assert_eq!(found(&server, "libraries"), ["id/venue/library"]);
    assert_eq!(found(&server, "painting"), ["id/object/4"]);
    assert_eq!(found(&server, "map"), ["id/venue/library"]);
    // Compounds: a word finds those it begins or ends.
    let porzellan = found(&server, "Porzellan");
    assert_eq!(porzellan.len(), 3, "{porzellan:?}");
    assert_eq!(found(&server, "Kirche"), ["id/object/5"]);
    assert_eq!(found(&server, "fenster"), ["id/object/5"]);
    // Nothing found is an empty list, not an error.
    assert!(found(&server, "Dampflokomotive").is_empty());
    assert!(
        found(&server, "Kahla Bauhaus").is_empty(),
        "all words must match"
    );
}

#[test]
fn issue_14_ranking_snippets_types_and_paging() {
    let site = site();
    let server = site.serve(&[], &[]);
    let answer = search(&server, "q=porzellan");
    // A name before a description; the whole word before a compound that contains it.
    assert_eq!(iris(&answer), ["id/object/3", "id/object/1", "id/object/2"]);
    assert_eq!(answer["total"], 3);
    let hits = answer["hits"].as_array().expect("hits");
    let scores: Vec<f64> = hits
        .iter()
        .map(|h| h["score"].as_f64().expect("score"))
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert_eq!(hits[1]["snippet"], "<b>Porzellanmalerei</b> aus Kahla");
    assert_eq!(hits[1]["label"], "Porzellanmalerei aus Kahla");
    assert_eq!(
        hits[2]["snippet"],
        "Ein Teller aus <b>Hartporzellan</b> mit Goldrand"
    );
    assert_eq!(
        hits[0]["types"],
        serde_json::json!(["http://schema.org/VisualArtwork"])
    );
    // Types, compact or whole.
    assert_eq!(
        iris(&search(&server, "q=museum&type=schema:Museum")),
        ["id/venue/naturkunde"]
    );
    assert!(
        iris(&search(
            &server,
            "q=museum&type=http%3A%2F%2Fschema.org%2FLibrary"
        ))
        .is_empty()
    );
    // Pages: the cursor of one page gives the next.
    let first = search(&server, "q=porzellan&limit=2");
    assert_eq!(iris(&first), ["id/object/3", "id/object/1"]);
    let next = first["next"].as_str().expect("a next cursor");
    let second = search(&server, &format!("q=porzellan&limit=2&cursor={next}"));
    assert_eq!(iris(&second), ["id/object/2"]);
    assert!(second.get("next").is_none(), "{second}");
}

#[test]
fn issue_14_bad_parameters_are_400_with_a_reason() {
    let site = site();
    let server = site.serve(&[], &[]);
    for (query, says) in [
        ("", "give q"),
        ("q=a&limit=0", "limit"),
        ("q=a&limit=101", "limit"),
        ("q=a&limit=ten", "limit"),
        ("near=50.9", "near"),
        ("near=91,11", "latitude"),
        ("near=abc,def", "near"),
        ("near=50,11&radius_km=-1", "radius_km"),
        ("q=a&radius_km=5", "radius_km needs near"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=51,10,50,11", "bbox"),
        ("q=a&cursor=xyz", "cursor"),
        ("q=a&type=not%20an%20iri", "type"),
        ("q=a&sort=name", "unknown parameter `sort`"),
        ("q=a&q=b", "more than once"),
    ] {
        let r = get(&server, &format!("/api/search?{query}"));
        assert_eq!(r.status, 400, "{query}: {}", r.body);
        assert!(r.body.contains(says), "{query}: {}", r.body);
    }
    let long = "a".repeat(501);
    assert_eq!(get(&server, &format!("/api/search?q={long}")).status, 400);
}

/// A fixed sequence of numbers in [0, 1) from `seed` (a linear congruential generator).
fn sequence(mut seed: u64) -> impl FnMut() -> f64 {
    move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Haversine on the same sphere as the index.
fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((b.1 - a.1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

#[test]
fn issue_14_radius_nearest_and_box_equal_brute_force() {
    // 400 places spread over Thuringia by a fixed sequence, some with a point, some coordinates.
    let mut next = sequence(14);
    let mut ttl = String::from(
        "@prefix schema: <http://schema.org/> .\n@prefix geo: <http://www.opengis.net/ont/geosparql#> .\n",
    );
    let mut places = Vec::new();
    for i in 0..400 {
        let (lat, lon) = (50.2 + 1.4 * next(), 9.9 + 2.6 * next());
        let (lat, lon) = ((lat * 1e5_f64).round() / 1e5, (lon * 1e5_f64).round() / 1e5);
        let iri = format!("{BASE}id/venue/p{i}");
        if i % 2 == 0 {
            ttl.push_str(&format!(
                "<{iri}> a schema:Place ; schema:name \"Ort {i}\" ; geo:hasGeometry [ geo:asWKT \"POINT({lon} {lat})\"^^geo:wktLiteral ] .\n"
            ));
        } else {
            ttl.push_str(&format!(
                "<{iri}> a schema:Museum ; schema:name \"Ort {i}\" ; schema:geo [ schema:latitude {lat} ; schema:longitude {lon} ] .\n"
            ));
        }
        places.push((format!("id/venue/p{i}"), (lat, lon), i % 2 == 1));
    }
    let site = Site::new(
        "[[source]]\nid = \"orte\"\nkind = \"rdf\"\npath = \"orte.ttl\"\nvalidate = \"off\"\n",
    );
    site.write("orte.ttl", &ttl);
    let server = site.serve(&[], &[]);
    let centre = (50.98, 11.03);
    let mut brute: Vec<(f64, &str, bool)> = places
        .iter()
        .map(|(iri, p, museum)| (metres(centre, *p), iri.as_str(), *museum))
        .collect();
    brute.sort_by(|a, b| a.partial_cmp(b).expect("numbers"));

    // Within 40 km, nearest first, every page.
    let within: Vec<&str> = brute
        .iter()
        .filter(|b| b.0 <= 40_000.0)
        .map(|b| b.1)
        .collect();
    assert!(within.len() > 20 && within.len() < 400, "{}", within.len());
    let mut got = Vec::new();
    let mut cursor = String::new();
    loop {
        let answer = search(
            &server,
            &format!("near=50.98,11.03&radius_km=40&limit=100{cursor}"),
        );
        assert_eq!(answer["total"].as_u64(), Some(within.len() as u64));
        for h in answer["hits"].as_array().expect("hits") {
            let d = h["distance_m"].as_f64().expect("distance");
            let iri = h["iri"]
                .as_str()
                .expect("iri")
                .trim_start_matches(BASE)
                .to_owned();
            let expected = brute.iter().find(|b| b.1 == iri).expect("a place").0;
            assert!((d - expected).abs() < 0.1, "{iri}: {d} vs {expected}");
            got.push(iri);
        }
        match answer["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(got, within);
    // The 10 nearest, and the 10 nearest museums.
    let nearest = iris(&search(&server, "near=50.98,11.03&limit=10"));
    assert_eq!(nearest, brute[..10].iter().map(|b| b.1).collect::<Vec<_>>());
    let museums = iris(&search(
        &server,
        "near=50.98,11.03&limit=10&type=schema:Museum",
    ));
    let expected: Vec<&str> = brute.iter().filter(|b| b.2).take(10).map(|b| b.1).collect();
    assert_eq!(museums, expected);
    // A box.
    let answer = search(&server, "bbox=50.5,10.5,51.0,11.0&limit=100");
    let mut got = iris(&answer);
    got.sort();
    let mut expected: Vec<String> = places
        .iter()
        .filter(|(_, (lat, lon), _)| (50.5..=51.0).contains(lat) && (10.5..=11.0).contains(lon))
        .map(|p| p.0.clone())
        .collect();
    expected.sort();
    assert_eq!(got, expected);
    // Words and a radius together.
    let answer = search(&server, "q=Ort&near=50.98,11.03&radius_km=40&limit=100");
    let mut got = iris(&answer);
    got.sort();
    let mut expected: Vec<String> = within.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(got, expected);
}

fn sparql(server: &Server, query: &str) -> Reply {
    reply(
        client()
            .post(format!("{}/sparql", server.url))
            .header("Content-Type", "application/sparql-query")
            .header("Accept", "application/sparql-results+json")
            .send(query),
    )
}

/// The values of `var` in a SPARQL JSON result.
fn column(r: &Reply, var: &str) -> Vec<String> {
    assert_eq!(r.status, 200, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).expect("JSON");
    v["results"]["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|b| {
            b[var]["value"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches(BASE)
                .to_owned()
        })
        .collect()
}

#[test]
fn issue_14_sparql_functions_agree_with_the_rest_endpoint() {
    let site = site();
    let server = site.serve(&[], &[]);
    let prefixes = "PREFIX kn: <https://w3id.org/kulturnetz/ontology/kulturnetz#>\n\
                    PREFIX geo: <http://www.opengis.net/ont/geosparql#>\n\
                    PREFIX geof: <http://www.opengis.net/def/function/geosparql/>\n\
                    PREFIX schema: <http://schema.org/>\n";
    // The search pattern: ranked hits from the index, with their scores.
    let r = sparql(
        &server,
        &format!(
            "{prefixes}SELECT ?hit ?score {{ ?hit kn:textSearch \"Porzellan\" \
             BIND(kn:textScore(?hit, \"Porzellan\") AS ?score) }} ORDER BY DESC(?score)"
        ),
    );
    let rest = search(&server, "q=Porzellan");
    assert_eq!(column(&r, "hit"), iris(&rest));
    let scores: Vec<f64> = column(&r, "score")
        .iter()
        .map(|s| s.parse().expect("a number"))
        .collect();
    let rest_scores: Vec<f64> = rest["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["score"].as_f64().expect("score"))
        .collect();
    for (a, b) in scores.iter().zip(&rest_scores) {
        assert!((a - b).abs() < 1e-3, "{scores:?} vs {rest_scores:?}");
    }
    // The function in a FILTER over the store's own patterns finds the same.
    let r = sparql(
        &server,
        &format!(
            "{prefixes}SELECT ?s {{ GRAPH ?g {{ ?s a ?type }} FILTER(kn:textMatch(?s, \"Porzellan\")) }} ORDER BY ?s"
        ),
    );
    let mut expected = iris(&rest);
    expected.sort();
    assert_eq!(column(&r, "s"), expected);
    // Places within 30 km, nearest first, with their distances.
    let r = sparql(
        &server,
        &format!(
            "{prefixes}SELECT ?v ?d {{ ?v kn:nearby \"50.98 11.03 30\" \
             BIND(kn:distance(?v, \"POINT(11.03 50.98)\"^^geo:wktLiteral) AS ?d) \
             FILTER(kn:withinRadius(?v, \"POINT(11.03 50.98)\", 30000)) }} ORDER BY ?d"
        ),
    );
    let rest = search(&server, "near=50.98,11.03&radius_km=30");
    assert_eq!(column(&r, "v"), iris(&rest));
    assert_eq!(
        column(&r, "v"),
        [
            "id/venue/naturkunde",
            "id/venue/einheit",
            "id/venue/muellerhaus",
            "id/venue/library"
        ]
    );
    let d: Vec<f64> = column(&r, "d")
        .iter()
        .map(|s| s.parse().expect("a number"))
        .collect();
    let rest_d: Vec<f64> = rest["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["distance_m"].as_f64().expect("distance"))
        .collect();
    for (a, b) in d.iter().zip(&rest_d) {
        assert!((a - b).abs() < 0.1, "{d:?} vs {rest_d:?}");
    }
    // The k nearest.
    let r = sparql(
        &server,
        &format!("{prefixes}SELECT ?v {{ ?v kn:nearest \"50.98 11.03 2\" }}"),
    );
    let mut got = column(&r, "v");
    got.sort();
    assert_eq!(got, ["id/venue/einheit", "id/venue/naturkunde"]);
    // A search pattern written wrongly is a 400 that says how.
    let r = sparql(
        &server,
        &format!("{prefixes}SELECT * {{ ?v kn:nearby \"somewhere\" }}"),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("kn:nearby takes \"lat lon km\""),
        "{}",
        r.body
    );
    // Oxigraph's own GeoSPARQL functions still work.
    let r = sparql(
        &server,
        &format!(
            "{prefixes}SELECT ?d {{ BIND(geof:distance(\"POINT(11 50)\"^^geo:wktLiteral, \"POINT(11 51)\"^^geo:wktLiteral, <http://www.opengis.net/def/uom/OGC/1.0/metre>) AS ?d) }}"
        ),
    );
    let d: f64 = column(&r, "d")[0].parse().expect("a distance");
    assert!((d - 111_000.0).abs() < 1_000.0, "{d}");
    let r = sparql(
        &server,
        &format!(
            "{prefixes}ASK {{ FILTER(geof:sfWithin(\"POINT(11 50)\"^^geo:wktLiteral, \"POLYGON((10 49, 12 49, 12 51, 10 51, 10 49))\"^^geo:wktLiteral)) }}"
        ),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("true"), "{}", r.body);
}

/// Waits for an ingest run started over HTTP to finish.
fn ingest_now(server: &Server) -> Value {
    let auth = format!("Bearer {TOKEN}");
    let r = reply(
        client()
            .post(format!("{}/admin/ingest", server.url))
            .header("Authorization", &auth)
            .header("Content-Type", "application/json")
            .send(""),
    );
    assert_eq!(r.status, 202, "{}", r.body);
    let location = r.header("location").to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = reply(
            client()
                .get(format!("{}{location}", server.url))
                .header("Authorization", &auth)
                .call(),
        );
        let run: Value = serde_json::from_str(&r.body).expect("json");
        if run["status"] != "running" {
            return run;
        }
        assert!(Instant::now() < deadline, "the run did not end: {run}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn issue_14_the_index_follows_each_ingest() {
    let site = site();
    // `kulturnetz ingest` builds the index beside the store.
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("built it from the store"), "{stderr}");
    assert!(site.path().join("search").is_dir());

    // A changed record: found by its new title only, the old one gone. A reader searching all
    // the while sees the old title or the new one, never neither.
    let server = site.serve(&[], &[("KULTURNETZ_WRITE_TOKEN", TOKEN)]);
    assert!(
        !server.log.contains("built it from the store"),
        "{}",
        server.log
    );
    assert_eq!(found(&server, "Paintings"), ["id/object/4"]);
    site.write(
        "objekte.ttl",
        &OBJEKTE.replace("Paintings of the Bauhaus", "Drawings from Dessau"),
    );
    let stop = std::sync::atomic::AtomicBool::new(false);
    let seen = std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut seen = std::collections::BTreeSet::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let old = found(&server, "Paintings");
                let new = found(&server, "Dessau");
                seen.insert((old.len(), new.len()));
            }
            seen
        });
        let run = ingest_now(&server);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(run["status"], "succeeded", "{run}");
        reader.join().expect("reader")
    });
    assert!(seen.iter().all(|(old, new)| old + new >= 1), "{seen:?}");
    assert!(found(&server, "Paintings").is_empty());
    assert_eq!(found(&server, "Dessau"), ["id/object/4"]);
    assert_eq!(found(&server, "drawing"), ["id/object/4"]);
    // A graph of a client's own, written over HTTP (Graph Store Protocol, SPARQL Update): the
    // index follows it in the background.
    let r = reply(
        client()
            .put(format!("{}/store?graph={}", server.url, enc(CLIENT_GRAPH)))
            .header("Authorization", &format!("Bearer {TOKEN}"))
            .header("Content-Type", "text/turtle")
            .send("<https://other.example/zeppelin> <http://www.w3.org/2000/01/rdf-schema#label> \"Zeppelin\" ."),
    );
    assert!(r.status == 201 || r.status == 204, "{}", r.body);
    soon(|| found(&server, "Zeppelin") == ["https://other.example/zeppelin"]);
    let r = reply(
        client()
            .post(format!("{}/sparql", server.url))
            .header("Authorization", &format!("Bearer {TOKEN}"))
            .header("Content-Type", "application/sparql-update")
            .send(&format!(
                "INSERT DATA {{ GRAPH <{CLIENT_GRAPH}> {{ <https://other.example/luftschiff> \
                 <http://www.w3.org/2000/01/rdf-schema#label> \"Luftschiff\" }} }}"
            )),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    soon(|| found(&server, "Luftschiff") == ["https://other.example/luftschiff"]);
    assert_eq!(
        found(&server, "Zeppelin"),
        ["https://other.example/zeppelin"]
    );
    drop(server);

    // A new source is findable after `kulturnetz ingest`.
    let config = std::fs::read_to_string(site.config()).expect("config");
    site.write(
        "kulturnetz.toml",
        &format!("{config}\n[[source]]\nid = \"neu\"\nkind = \"rdf\"\npath = \"neu.ttl\"\nvalidate = \"off\"\n"),
    );
    site.write(
        "neu.ttl",
        "<https://daten.kultur.example/id/object/9> <http://schema.org/name> \"Glockenspiel\"@de .\n",
    );
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "search index: 1 documents (0 with a point, 0 with a start or a location) from 1 graphs"
        ),
        "{stderr}"
    );
    let server = site.serve(&["--no-ingest"], &[]);
    assert_eq!(found(&server, "Glocke"), ["id/object/9"]);
    drop(server);
    // The search patterns from the shell too.
    let (code, stdout, stderr) = site.run(&[
        "query",
        "SELECT ?s { ?s <https://w3id.org/kulturnetz/ontology/kulturnetz#textSearch> \"Glocke\" }",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "s\r\nhttps://daten.kultur.example/id/object/9\r\n");

    // `reindex` rebuilds from the store; an index of an older format is rebuilt at start.
    let (code, _, stderr) = site.run(&["reindex"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains(
            "rebuilt: 12 documents (4 with a point, 0 with a start or a location) from 4 graphs"
        ),
        "{stderr}"
    );
    std::fs::write(site.path().join("search/FORMAT"), "0\n").expect("write");
    let server = site.serve(&["--no-ingest"], &[("KULTURNETZ_WRITE_TOKEN", TOKEN)]);
    assert!(server.log.contains("has format 0"), "{}", server.log);
    assert_eq!(found(&server, "Glocke"), ["id/object/9"]);
    assert_eq!(
        found(&server, "Zeppelin"),
        ["https://other.example/zeppelin"]
    );

    // A graph deleted over HTTP is gone from the index soon after; an ingest keeps it gone.
    let r = reply(
        client()
            .delete(format!("{}/store?graph={}", server.url, enc(CLIENT_GRAPH)))
            .header("Authorization", &format!("Bearer {TOKEN}"))
            .call(),
    );
    assert_eq!(r.status, 204, "{}", r.body);
    soon(|| found(&server, "Zeppelin").is_empty());
    assert!(found(&server, "Luftschiff").is_empty());
    let run = ingest_now(&server);
    assert_eq!(run["status"], "succeeded", "{run}");
    assert!(found(&server, "Zeppelin").is_empty());
    assert_eq!(found(&server, "Glocke"), ["id/object/9"]);
}

/// Waits (ten seconds at most) until `done` holds: for what follows a write in the background.
fn soon(done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "not within ten seconds");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A graph of a client's own (outside the pipeline's `{base}graph/`).
const CLIENT_GRAPH: &str = "https://other.example/graph";

#[test]
fn issue_14_events_by_date_and_place_equal_brute_force() {
    // 60 venues over Thuringia in one source, 400 events in another: starts around June 2025
    // with offsets +02:00, +01:00, Z, none, and whole days; each at one venue (a few nowhere).
    let mut next = sequence(1414);
    let mut orte = String::from("@prefix schema: <http://schema.org/> .\n");
    let mut venues = Vec::new();
    for i in 0..60 {
        let (lat, lon) = (50.2 + 1.4 * next(), 9.9 + 2.6 * next());
        let (lat, lon) = ((lat * 1e5_f64).round() / 1e5, (lon * 1e5_f64).round() / 1e5);
        orte.push_str(&format!(
            "<{BASE}id/venue/v{i}> a schema:Place ; schema:name \"Spielstätte {i}\" ; \
             schema:latitude {lat} ; schema:longitude {lon} .\n"
        ));
        venues.push((lat, lon));
    }
    let mut termine = String::from(
        "@prefix schema: <http://schema.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n",
    );
    // (IRI, start in ms since 1970 UTC, venue)
    let mut events: Vec<(String, i64, Option<usize>)> = Vec::new();
    for i in 0..400 {
        let day = chrono::NaiveDate::from_ymd_opt(2025, 5, 20).expect("a day")
            + chrono::Days::new((next() * 50.0) as u64);
        let hour = (next() * 24.0) as u32;
        let (lexical, datatype, at) = match i % 5 {
            4 => {
                let at = day.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
                (day.to_string(), "date", at)
            }
            k => {
                let offset = ["+02:00", "+01:00", "Z", ""][k];
                let lexical = format!("{day}T{hour:02}:30:00{offset}");
                let at = chrono::DateTime::parse_from_rfc3339(&format!(
                    "{lexical}{}",
                    if offset.is_empty() { "Z" } else { "" }
                ))
                .expect("a date-time")
                .to_utc();
                (lexical, "dateTime", at)
            }
        };
        let venue = (i % 37 != 0).then(|| (next() * 60.0) as usize);
        let iri = format!("id/event/e{i}");
        termine.push_str(&format!(
            "<{BASE}{iri}> a schema:Event ; schema:name \"Konzert {i}\" ; \
             schema:startDate \"{lexical}\"^^xsd:{datatype}"
        ));
        if let Some(v) = venue {
            termine.push_str(&format!(" ; schema:location <{BASE}id/venue/v{v}>"));
        }
        termine.push_str(" .\n");
        events.push((iri, at.timestamp_millis(), venue));
    }
    let site = Site::new(
        "[[source]]\nid = \"orte\"\nkind = \"rdf\"\npath = \"orte.ttl\"\nvalidate = \"off\"\n\n\
         [[source]]\nid = \"termine\"\nkind = \"rdf\"\npath = \"termine.ttl\"\nvalidate = \"off\"\n",
    );
    site.write("orte.ttl", &orte);
    site.write("termine.ttl", &termine);
    let server = site.serve(&[], &[("KULTURNETZ_WRITE_TOKEN", TOKEN)]);
    let june = (
        chrono::DateTime::parse_from_rfc3339("2025-06-01T00:00:00+02:00")
            .expect("from")
            .timestamp_millis(),
        chrono::DateTime::parse_from_rfc3339("2025-07-01T00:00:00+02:00")
            .expect("to")
            .timestamp_millis(),
    );
    let near = |v: &Option<usize>, km: f64| {
        v.is_some_and(|v| metres((50.98, 11.03), venues[v]) <= km * 1000.0)
    };
    let brute = |from: i64, to: i64, km: Option<f64>, events: &[(String, i64, Option<usize>)]| {
        let mut out: Vec<String> = events
            .iter()
            .filter(|(_, at, v)| (from..to).contains(at) && km.is_none_or(|km| near(v, km)))
            .map(|(iri, _, _)| iri.clone())
            .collect();
        out.sort();
        out
    };
    let prefixes = "PREFIX kn: <https://w3id.org/kulturnetz/ontology/kulturnetz#>\n\
                    PREFIX schema: <http://schema.org/>\n\
                    PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n";
    let sorted = |r: &Reply, var: &str| {
        let mut c = column(r, var);
        c.sort();
        c
    };
    let in_june = "\"2025-06-01T00:00:00+02:00 2025-07-01T00:00:00+02:00\"";

    // In June, within 60 km: both patterns on one variable, intersected in the index.
    let r = sparql(
        &server,
        &format!(
            "{prefixes}SELECT ?e {{ ?e kn:startsBetween {in_june} ; kn:locatedNear \"50.98 11.03 60\" }}"
        ),
    );
    let expected = brute(june.0, june.1, Some(60.0), &events);
    assert!(
        expected.len() > 20 && expected.len() < 200,
        "{}",
        expected.len()
    );
    assert_eq!(sorted(&r, "e"), expected);
    // The same question in plain SPARQL (the evaluator's date comparison and the kn:withinRadius
    // function, row by row): the same events whose start is an xsd:dateTime.
    let r = sparql(
        &server,
        &format!(
            "{prefixes}SELECT ?e {{ ?e schema:startDate ?start ; schema:location ?v . \
             FILTER(?start >= \"2025-06-01T00:00:00+02:00\"^^xsd:dateTime && ?start < \"2025-07-01T00:00:00+02:00\"^^xsd:dateTime) \
             FILTER(kn:withinRadius(?v, \"POINT(11.03 50.98)\", 60000)) }}"
        ),
    );
    let whole_days: Vec<String> = (0..400)
        .filter(|i| i % 5 == 4)
        .map(|i| format!("id/event/e{i}"))
        .collect();
    let timed: Vec<String> = expected
        .iter()
        .filter(|e| !whole_days.contains(e))
        .cloned()
        .collect();
    assert_eq!(sorted(&r, "e"), timed);
    // Earliest first, with the rest of the query joined in the store.
    let r = sparql(
        &server,
        &format!(
            "{prefixes}SELECT ?e ?name {{ ?e kn:startsBetween {in_june} ; schema:name ?name }}"
        ),
    );
    assert_eq!(sorted(&r, "e"), brute(june.0, june.1, None, &events));
    let mut by_start: Vec<&(String, i64, Option<usize>)> = events
        .iter()
        .filter(|(_, at, _)| (june.0..june.1).contains(at))
        .collect();
    by_start.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    let r = sparql(
        &server,
        &format!("{prefixes}SELECT ?e {{ ?e kn:startsBetween {in_june} }}"),
    );
    assert_eq!(
        column(&r, "e"),
        by_start.iter().map(|e| e.0.clone()).collect::<Vec<_>>()
    );
    // Only a start: everything from then on; only a place: every event at a venue near.
    let r = sparql(
        &server,
        &format!("{prefixes}SELECT ?e {{ ?e kn:startsBetween \"2025-07-01\" }}"),
    );
    let july = chrono::DateTime::parse_from_rfc3339("2025-07-01T00:00:00Z")
        .expect("july")
        .timestamp_millis();
    assert_eq!(sorted(&r, "e"), brute(july, i64::MAX, None, &events));
    let r = sparql(
        &server,
        &format!("{prefixes}SELECT ?e {{ ?e kn:locatedNear \"50.98 11.03 30\" }}"),
    );
    let mut at_near: Vec<String> = events
        .iter()
        .filter(|(_, _, v)| near(v, 30.0))
        .map(|e| e.0.clone())
        .collect();
    at_near.sort();
    assert_eq!(sorted(&r, "e"), at_near);
    // Written wrongly: a 400 that says how.
    let r = sparql(
        &server,
        &format!("{prefixes}SELECT * {{ ?e kn:startsBetween \"June\" }}"),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("kn:startsBetween takes"), "{}", r.body);

    // The calendar follows an ingest: an event moved from June to August is found in August only.
    let moved = by_start[0].0.clone();
    let n: usize = moved.trim_start_matches("id/event/e").parse().expect("n");
    let old_line = termine
        .lines()
        .find(|l| l.contains(&format!("/id/event/e{n}>")))
        .expect("the event's line");
    let new_line = old_line
        .replace("2025-06-", "2025-08-")
        .replace("2025-05-", "2025-08-");
    site.write("termine.ttl", &termine.replace(old_line, &new_line));
    let run = ingest_now(&server);
    assert_eq!(run["status"], "succeeded", "{run}");
    let r = sparql(
        &server,
        &format!("{prefixes}SELECT ?e {{ ?e kn:startsBetween {in_june} }}"),
    );
    let got = column(&r, "e");
    assert!(!got.contains(&moved), "{got:?}");
    assert_eq!(got.len(), by_start.len() - 1);
    let r = sparql(
        &server,
        &format!("{prefixes}SELECT ?e {{ ?e kn:startsBetween \"2025-07-25 2025-09-05\" }}"),
    );
    assert_eq!(column(&r, "e"), [moved]);
}
