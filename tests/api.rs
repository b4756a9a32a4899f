//! Named queries as a REST API (issue 16): every shipped query answers with rows on the bundled
//! sources; parameters are checked and bound as terms (injection attempts change nothing but
//! the bound value, or give a 400); `/api/openapi.json` is valid OpenAPI 3.1 by
//! `openapi-spec-validator` when `KULTURNETZ_PY_OPENAPI=1` (`.ci/run` sets it).

use crate::feeds::{bundled_site, select};
use crate::util::{Server, Site, client, enc, reply};
use serde_json::Value;

fn get(server: &Server, path: &str, accept: Option<&str>) -> crate::util::Reply {
    let mut request = client().get(format!("{}{path}", server.url));
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    reply(request.call())
}

fn triples(server: &Server) -> String {
    select(server, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")[0]["n"].clone()
}

#[test]
fn issue_16_every_shipped_query_answers_with_rows_in_each_format() {
    let site = bundled_site();
    let server = site.serve(&[], &[]);
    let list = get(&server, "/api/queries", None);
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.header("access-control-allow-origin"), "*");
    let list: Value = serde_json::from_str(&list.body).expect("JSON");
    let queries = list["queries"].as_array().expect("queries");
    let shipped = std::fs::read_dir(crate::util::repo().join("queries"))
        .expect("queries")
        .count();
    assert_eq!(
        queries.len(),
        shipped,
        "every shipped query is served: {list}"
    );
    let mut audiences = std::collections::BTreeSet::new();
    for q in queries {
        let name = q["name"].as_str().expect("name");
        for lang in ["de", "en"] {
            assert!(!q["title"][lang].as_str().unwrap().is_empty(), "{name}");
            assert!(
                !q["description"][lang].as_str().unwrap().is_empty(),
                "{name}"
            );
        }
        for a in q["audience"].as_array().unwrap() {
            audiences.insert(a.as_str().unwrap().to_owned());
        }
        let r = get(&server, &format!("/api/queries/{name}"), None);
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        assert_eq!(r.media_type(), "application/json");
        let v: Value = serde_json::from_str(&r.body).expect("JSON");
        let rows = v["rows"].as_array().expect("rows");
        assert!(!rows.is_empty(), "{name} gives no rows on the bundled data");
        let csv = get(&server, &format!("/api/queries/{name}.csv"), None);
        assert_eq!(csv.status, 200);
        assert_eq!(csv.media_type(), "text/csv");
        let header: Vec<&str> = csv.body.split("\r\n").next().unwrap().split(',').collect();
        let columns: Vec<&str> = v["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(header, columns, "{name}");
        let by_accept = get(&server, &format!("/api/queries/{name}"), Some("text/csv"));
        assert_eq!(by_accept.body, csv.body, "{name}");
        let geo = get(&server, &format!("/api/queries/{name}.geojson"), None);
        if columns.contains(&"lat") && columns.contains(&"lon") {
            assert_eq!(geo.status, 200, "{name}");
            let g: Value = serde_json::from_str(&geo.body).unwrap();
            assert_eq!(g["type"], "FeatureCollection");
            let points: Vec<&Value> = g["features"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| !f["geometry"].is_null())
                .collect();
            assert!(!points.is_empty(), "{name}: no feature has a point");
            for f in points {
                let c = &f["geometry"]["coordinates"];
                assert_eq!(c[0].as_f64(), f["properties"]["lon"].as_f64(), "{f}");
                assert_eq!(c[1].as_f64(), f["properties"]["lat"].as_f64(), "{f}");
            }
        } else if columns.contains(&"wkt") {
            // Points from GeoSPARQL WKT literals: `POINT(lon lat)`.
            assert_eq!(geo.status, 200, "{name}");
            let g: Value = serde_json::from_str(&geo.body).unwrap();
            let features = g["features"].as_array().unwrap();
            assert!(
                features.iter().any(|f| !f["geometry"].is_null()),
                "{name}: no feature has a point"
            );
            for f in features.iter().filter(|f| !f["geometry"].is_null()) {
                let c = &f["geometry"]["coordinates"];
                let wkt = f["properties"]["wkt"].as_str().unwrap_or_default();
                let lon = format!("{}", c[0].as_f64().unwrap());
                assert!(wkt.contains(&format!("({lon} ")), "{wkt} vs {f}");
            }
        } else {
            assert_eq!(geo.status, 406, "{name}");
        }
    }
    for audience in ["researchers", "dashboards", "stewards"] {
        assert!(audiences.contains(audience), "{audiences:?}");
    }

    // The sample data's two questions. What can be borrowed in Berlin on 15 June 2026: only
    // the sound system 6.2 km from the centre (the Erfurt, Weimar and Jena lenders are far off;
    // the Jena crates are out of stock).
    let r = get(
        &server,
        "/api/queries/borrow-near?near_lat=52.52&near_lon=13.405&radius_km=50",
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let rows: Value = serde_json::from_str(&r.body).unwrap();
    let rows = rows["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0]["resource"]
            .as_str()
            .unwrap()
            .ends_with("/id/resource/berlin-ton")
    );
    assert_eq!(rows[0]["distance_km"].as_f64(), Some(6.2), "{rows:?}");
    // Around Erfurt, nearest first; a day outside every lending period gives none.
    let r = get(&server, "/api/queries/borrow-near.geojson", None);
    let g: Value = serde_json::from_str(&r.body).unwrap();
    let distances: Vec<f64> = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["distance_km"].as_f64().unwrap())
        .collect();
    assert!(distances.len() >= 4, "{distances:?}");
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(distances.iter().all(|d| *d <= 30.0), "{distances:?}");
    let r = get(&server, "/api/queries/borrow-near?on=2027-03-01", None);
    let rows: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(rows["rows"].as_array().unwrap().len(), 0, "{rows}");
    // Matchmaking: the one pair who can help each other comes first, with both directions
    // in its reason, and no pair is proposed twice.
    let r = get(&server, "/api/queries/matchmaking", None);
    let rows: Value = serde_json::from_str(&r.body).unwrap();
    let rows = rows["rows"].as_array().unwrap();
    assert_eq!(rows[0]["mutual"], true, "{rows:?}");
    assert_eq!(
        rows[0]["reason"],
        "Anna Beispiel → Kulturverein West (Beispiel): Lichttechnik; \
         Kulturverein West (Beispiel) → Anna Beispiel: Fördermittelanträge"
    );
    assert!(rows[1..].iter().all(|r| r["mutual"] == false), "{rows:?}");
    let pairs: std::collections::BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| {
            let (a, b) = (r["a"].as_str().unwrap(), r["b"].as_str().unwrap());
            (a.min(b).to_owned(), a.max(b).to_owned())
        })
        .collect();
    assert_eq!(pairs.len(), rows.len(), "{rows:?}");

    // Paging with limit and offset.
    let all = get(&server, "/api/queries/who-made-what?limit=20", None);
    let all: Value = serde_json::from_str(&all.body).unwrap();
    let page = get(&server, "/api/queries/who-made-what?limit=5&offset=5", None);
    let page: Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(
        page["rows"].as_array().unwrap()[..],
        all["rows"].as_array().unwrap()[5..10]
    );

    // A parameter changes the answer as declared.
    let yes = get(&server, "/api/queries/accessible-venues", None);
    let no = get(
        &server,
        &format!(
            "/api/queries/accessible-venues?level={}",
            enc("https://w3id.org/kulturnetz/ontology/kulturnetz#No")
        ),
        None,
    );
    assert_eq!(no.status, 200, "{}", no.body);
    assert_ne!(yes.body, no.body);

    openapi(&server, queries.len(), "who-made-what");
}

/// `/api/openapi.json` describes the feeds and every query, and is valid OpenAPI 3.1.
fn openapi(server: &Server, queries: usize, one: &str) {
    let r = get(server, "/api/openapi.json", None);
    assert_eq!(r.status, 200);
    let doc: Value = serde_json::from_str(&r.body).expect("JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/feeds/events",
        "/feeds/venues",
        &format!("/api/queries/{one}"),
    ] {
        assert!(paths.contains_key(p), "{p}");
    }
    assert_eq!(
        paths
            .keys()
            .filter(|k| k.starts_with("/api/queries/"))
            .count(),
        queries
    );
    if std::env::var("KULTURNETZ_PY_OPENAPI").as_deref() != Ok("1") {
        eprintln!(
            "\n*** SKIPPED the check of /api/openapi.json with openapi-spec-validator: set \
             KULTURNETZ_PY_OPENAPI=1 (scripts/ensure-deps --test installs it)\n"
        );
        return;
    }
    let script = r#"
import json, sys
from openapi_spec_validator import validate
from openapi_spec_validator.validation import OpenAPIV31SpecValidator
doc = json.load(sys.stdin)
validate(doc, cls=OpenAPIV31SpecValidator)
print(len(doc["paths"]))
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
        .expect("stdin")
        .write_all(r.body.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python3");
    assert!(
        out.status.success(),
        "openapi-spec-validator: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        paths.len().to_string()
    );
}

#[test]
fn issue_16_parameters_are_checked_and_bound_as_terms() {
    let site = Site::new("[[source]]\nid = \"data\"\nkind = \"rdf\"\npath = \"data.ttl\"\n");
    site.write(
        "data.ttl",
        "@prefix schema: <http://schema.org/> .\n\
         <http://ex.example/a> schema:name \"} ; DROP ALL ; {\" ; schema:position 1 .\n\
         <http://ex.example/b> schema:name \"Bach\" ; schema:position 2 .\n\
         <http://ex.example/c> schema:name \"Clara\" ; schema:sameAs <http://ex.example/a> .\n",
    );
    site.write(
        "queries/by-name.rq",
        "#+ title.de: Nach Name\n#+ title.en: By name\n#+ description.de: Dinge mit diesem Namen.\n\
         #+ description.en: Things with this name.\n#+ param: name string -- der Name / the name\n\
         #+ param: max xsd:integer default=5 min=1 max=10 -- höchste Position / highest position\n\
         PREFIX schema: <http://schema.org/>\n\
         SELECT ?thing ?name WHERE { ?thing schema:name ?name . OPTIONAL { ?thing schema:position ?p } \
         FILTER(!BOUND(?p) || ?p <= ?max) } ORDER BY ?thing\n",
    );
    site.write(
        "queries/same-as.rq",
        "#+ title.de: Gleich\n#+ title.en: Same\n#+ description.de: Was dasselbe ist.\n\
         #+ description.en: What is the same.\n#+ param: of iri default=http://ex.example/a -- das Ding / the thing\n\
         #+ param: kind string default=x enum=x|y -- Art / kind\n\
         PREFIX schema: <http://schema.org/>\n\
         SELECT ?thing ?of ?kind WHERE { ?thing schema:sameAs ?of }\n",
    );
    // Not served: its header names a type that does not exist.
    site.write(
        "queries/broken.rq",
        "#+ title.de: Kaputt\n#+ title.en: Broken\n#+ description.de: x\n#+ description.en: x\n\
         #+ param: n xsd:float\nSELECT * { ?s ?p ?n }\n",
    );
    let server = site.serve(&[], &[]);
    let before = triples(&server);
    let list: Value = serde_json::from_str(&get(&server, "/api/queries", None).body).unwrap();
    let names: Vec<&str> = list["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["by-name", "same-as"]);

    // A value that would close the query's braces is a literal: it finds the thing so named.
    let r = get(
        &server,
        &format!("/api/queries/by-name?name={}", enc("} ; DROP ALL ; {")),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        v["rows"],
        serde_json::json!([{ "thing": "http://ex.example/a", "name": "} ; DROP ALL ; {" }])
    );
    for evil in [
        "\" } ; DROP ALL ; { \"",
        "Bach\") } UNION { ?thing ?p ?name } #",
        "Bach",
    ] {
        let r = get(
            &server,
            &format!("/api/queries/by-name?name={}", enc(evil)),
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let v: Value = serde_json::from_str(&r.body).unwrap();
        let expected = usize::from(evil == "Bach");
        assert_eq!(v["rows"].as_array().unwrap().len(), expected, "{evil}: {v}");
    }
    // The projected parameter keeps its column, with the bound value.
    let r = get(&server, "/api/queries/by-name.csv?name=Bach", None);
    assert_eq!(r.body, "thing,name\r\nhttp://ex.example/b,Bach\r\n");
    let r = get(&server, "/api/queries/by-name?name=Bach&max=1", None);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 0, "{v}");
    let r = get(&server, "/api/queries/same-as", None);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        v["rows"],
        serde_json::json!([{ "thing": "http://ex.example/c", "of": "http://ex.example/a", "kind": "x" }])
    );

    // An IRI with `>` (or any other character an IRI cannot have) is a 400, as is every other
    // wrong value, naming the parameter.
    for (path, named) in [
        (
            format!(
                "/api/queries/same-as?of={}",
                enc("http://ex.example/a> } ; DROP ALL ; { <http://x")
            ),
            "of=",
        ),
        (
            format!("/api/queries/same-as?of={}", enc("not an iri")),
            "of=",
        ),
        ("/api/queries/same-as?kind=z".to_owned(), "kind="),
        ("/api/queries/by-name".to_owned(), "`name`"),
        ("/api/queries/by-name?name=x&max=11".to_owned(), "max="),
        ("/api/queries/by-name?name=x&max=two".to_owned(), "max="),
        (
            "/api/queries/by-name?name=x&colour=red".to_owned(),
            "`colour`",
        ),
        ("/api/queries/by-name?name=x&name=y".to_owned(), "`name`"),
        ("/api/queries/by-name?name=x&limit=0".to_owned(), "limit="),
    ] {
        let r = get(&server, &path, None);
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert!(r.body.contains(named), "{path}: {}", r.body);
    }
    assert_eq!(get(&server, "/api/queries/broken", None).status, 404);
    assert_eq!(get(&server, "/api/queries/nothing", None).status, 404);
    assert_eq!(
        get(&server, "/api/queries/by-name?name=x", Some("image/png")).status,
        406
    );
    assert_eq!(triples(&server), before, "nothing was written");
    openapi(&server, 2, "by-name");
}
