//! `/feeds/events` and `/feeds/venues` (issue 16) over the bundled sources: every filter alone
//! and combined against the same question answered from the facts read at `/sparql` on the
//! same server, paging, the formats (the `.ics` parsed by Python's `icalendar` when
//! `KULTURNETZ_PY_ICAL=1`, the GeoJSON checked against RFC 7946), validators and CORS.

use crate::util::{Server, Site, client, enc, reply, repo};
use chrono::{DateTime, NaiveDate, Utc};
// A start as the feed compares it: a date at midnight UTC, a time without offset as UTC.
use kulturnetz_search::calendar::instant;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};

const BASE: &str = "https://daten.kultur.example/";

/// A site of every bundled source, read from the repository, with its queries folder.
pub(crate) fn bundled_site() -> Site {
    let repo = repo();
    let site = Site::new("");
    let shipped = std::fs::read_to_string(repo.join("kulturnetz.toml")).expect("config");
    let root = repo.display().to_string();
    let config = shipped
        .replace("path = \"data/store\"", "path = \"store\"")
        .replace("\"datasets/", &format!("\"{root}/datasets/"))
        .replace("\"ontologies/", &format!("\"{root}/ontologies/"))
        + &format!("\n[pipeline]\nshapes = \"{root}/ontologies/shapes\"\n");
    let config = config
        .split_once("[store]")
        .map(|(_, rest)| {
            format!("[site]\nbase_iri = \"{BASE}\"\ntitle = \"Test\"\n\n[store]{rest}")
        })
        .expect("a [store] section");
    std::fs::write(site.config(), config).expect("config");
    for entry in std::fs::read_dir(repo.join("queries")).expect("queries") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).expect("name");
        site.write(
            &format!("queries/{name}"),
            &std::fs::read_to_string(&path).expect("query"),
        );
    }
    site
}

fn get(server: &Server, path: &str, headers: &[(&str, &str)]) -> crate::util::Reply {
    let mut request = client().get(format!("{}{path}", server.url));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    reply(request.call())
}

/// The rows of a SELECT at `/sparql`, each a map of variable to value.
pub(crate) fn select(server: &Server, query: &str) -> Vec<BTreeMap<String, String>> {
    let r = get(
        server,
        &format!("/sparql?query={}", enc(query)),
        &[("Accept", "application/sparql-results+json")],
    );
    assert_eq!(r.status, 200, "{query}\n{}", r.body);
    let v: Value = serde_json::from_str(&r.body).expect("JSON results");
    v["results"]["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|b| {
            b.as_object()
                .expect("binding")
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v["value"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .collect()
}

/// What the sources say about each event, read with plain SPARQL: the facts the filters are
/// checked against.
#[derive(Debug, Default, Clone)]
struct Facts {
    /// (instant, IRI) → source id
    events: BTreeMap<(DateTime<Utc>, String), String>,
    points: BTreeMap<String, Vec<(f64, f64)>>,
    needs: BTreeMap<String, BTreeSet<String>>,
    keywords: BTreeMap<String, BTreeSet<String>>,
    text: BTreeMap<String, String>,
}

const PREFIXES: &str = "PREFIX schema: <http://schema.org/> PREFIX owl: <http://www.w3.org/2002/07/owl#> \
    PREFIX kn: <https://w3id.org/kulturnetz/ontology/kulturnetz#> ";

fn facts(server: &Server) -> Facts {
    let mut f = Facts::default();
    let series: HashSet<String> = select(
        server,
        &format!("{PREFIXES} SELECT ?s {{ ?s a schema:EventSeries }}"),
    )
    .into_iter()
    .map(|r| r["s"].clone())
    .collect();
    for r in select(
        server,
        &format!(
            "{PREFIXES} SELECT ?e ?start ?g {{ GRAPH ?g {{ ?e schema:startDate ?start }} FILTER(isIRI(?e)) }}"
        ),
    ) {
        let (e, g) = (r["e"].clone(), r["g"].clone());
        let Some(source) = g.strip_prefix(&format!("{BASE}graph/")) else {
            continue;
        };
        if series.contains(&e) {
            continue;
        }
        let Some(t) = instant(&r["start"]) else {
            continue;
        };
        let entry = f.events.entry((t, e)).or_insert_with(|| source.to_owned());
        if source < entry.as_str() {
            *entry = source.to_owned();
        }
    }
    // Coordinates of an event's venue, or of a record linked to it as the same place.
    for r in select(
        server,
        &format!(
            "{PREFIXES} SELECT ?e ?lat ?lon {{ ?e schema:location ?v . ?v (owl:sameAs|^owl:sameAs)? ?p . \
         ?p schema:geo ?geo . ?geo schema:latitude ?lat ; schema:longitude ?lon }}"
        ),
    ) {
        if let (Ok(lat), Ok(lon)) = (r["lat"].parse::<f64>(), r["lon"].parse::<f64>()) {
            f.points.entry(r["e"].clone()).or_default().push((lat, lon));
        }
    }
    for (need, condition) in [
        ("wheelchair", "?a kn:wheelchairAccess kn:Yes"),
        ("toilet", "?a kn:hasToiletWheelchairAccessible true"),
        (
            "step-free",
            "{ ?a kn:wheelchairAccess kn:Yes } UNION { ?a kn:entrance/kn:isLevel true } UNION \
             { ?a kn:entrance/kn:hasStep false } UNION { ?a kn:entrance/kn:hasRamp true } UNION \
             { ?a kn:entrance/kn:hasLift true }",
        ),
    ] {
        for r in select(
            server,
            &format!(
                "{PREFIXES} SELECT DISTINCT ?e {{ ?e schema:location ?v . ?v (owl:sameAs|^owl:sameAs)? ?p . \
             {{ ?p kn:accessibility ?a }} UNION {{ ?p kn:accessibilityRecord ?r . ?r kn:accessibility ?a }} {condition} }}"
            ),
        ) {
            f.needs
                .entry(r["e"].clone())
                .or_default()
                .insert(need.to_owned());
        }
    }
    for r in select(
        server,
        &format!(
            "{PREFIXES} SELECT ?e ?k {{ {{ ?e schema:keywords ?k }} UNION {{ ?e schema:genre ?k }} UNION \
         {{ ?e schema:superEvent ?s . {{ ?s schema:keywords ?k }} UNION {{ ?s schema:genre ?k }} }} }}"
        ),
    ) {
        f.keywords
            .entry(r["e"].clone())
            .or_default()
            .insert(r["k"].to_lowercase());
    }
    for r in select(
        server,
        &format!(
            "{PREFIXES} SELECT ?e ?t {{ {{ ?e schema:name|schema:description ?t }} UNION \
         {{ ?e schema:superEvent ?s . ?s schema:name|schema:description ?t }} }}"
        ),
    ) {
        let text = f.text.entry(r["e"].clone()).or_default();
        text.push(' ');
        text.push_str(&r["t"].to_lowercase());
    }
    f
}

/// An event as the facts know it: (instant, IRI).
type Ev = (DateTime<Utc>, String);
type Keep = Box<dyn Fn(&Facts, &Ev, &str) -> bool>;

/// A filter of the feed and the same question over the facts.
struct Case {
    query: String,
    keep: Keep,
}

/// The question over the facts: the event, the source it is in.
fn keep(f: impl Fn(&Facts, &Ev, &str) -> bool + 'static) -> Keep {
    Box::new(f)
}

fn planar_km(lat0: f64, lon0: f64, (lat, lon): (f64, f64)) -> f64 {
    let dy = (lat - lat0) * 111.195;
    let dx = (lon - lon0) * 111.195 * lat0.to_radians().cos();
    (dx * dx + dy * dy).sqrt()
}

fn near(lat0: f64, lon0: f64, r: f64) -> impl Fn(&Facts, &Ev, &str) -> bool {
    move |f: &Facts, (_, e): &Ev, _: &str| {
        f.points
            .get(e)
            .is_some_and(|ps| ps.iter().any(|p| planar_km(lat0, lon0, *p) <= r + 1e-9))
    }
}

fn in_box(
    s: f64,
    w: f64,
    n: f64,
    e: f64,
) -> impl Fn(&Facts, &(DateTime<Utc>, String), &str) -> bool {
    move |f, (_, ev), _| {
        f.points.get(ev).is_some_and(|ps| {
            ps.iter()
                .any(|(lat, lon)| *lat >= s && *lat <= n && *lon >= w && *lon <= e)
        })
    }
}

/// Every event of the feed for `query`, page by page (`limit=7`), as (instant, IRI), checking
/// that no page repeats an event and that they come in order.
fn all_pages(server: &Server, query: &str) -> Vec<(DateTime<Utc>, String)> {
    let mut out: Vec<(DateTime<Utc>, String)> = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..1000 {
        let mut path = format!("/feeds/events?limit=7&{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={}", enc(c)));
        }
        let r = get(server, &path, &[]);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let v: Value = serde_json::from_str(&r.body).expect("JSON");
        for e in v["events"].as_array().expect("events") {
            let start = e["start"].as_str().expect("start");
            let t = instant(start).expect("a start the feed can compare");
            out.push((t, e["id"].as_str().expect("id").to_owned()));
        }
        match v["next"].as_str() {
            Some(next) => {
                assert!(r.header("link").contains("rel=\"next\""), "{path}");
                cursor = Some(next.to_owned());
            }
            None => return out,
        }
    }
    panic!("{query}: more than 1000 pages")
}

#[test]
fn issue_16_every_feed_filter_alone_and_combined_gives_what_sparql_gives() {
    let site = bundled_site();
    let server = site.serve(&[], &[]);
    let facts = facts(&server);
    assert!(facts.events.len() > 100, "{} events", facts.events.len());
    // The most common keyword of an event (the bundled calendars have none: then the most
    // common of anything, and the category filter is checked on the venues below).
    let event_iris: HashSet<&str> = facts.events.keys().map(|(_, e)| e.as_str()).collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let of_events = facts
        .keywords
        .keys()
        .any(|e| event_iris.contains(e.as_str()));
    for (_, ks) in facts
        .keywords
        .iter()
        .filter(|(e, _)| !of_events || event_iris.contains(e.as_str()))
    {
        for k in ks {
            *counts.entry(k.as_str()).or_default() += 1;
        }
    }
    let keyword = counts
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(k, _)| (*k).to_owned())
        .expect("events with keywords");
    let from = |t: &str| {
        let t = instant(t).expect("instant");
        move |_: &Facts, (w, _): &Ev, _: &str| *w >= t
    };
    let lichtenberg = (52.5156, 13.4997, 3.0);
    let cases: Vec<Case> = vec![
        Case {
            query: "from=2000-01-01".into(),
            keep: keep(from("2000-01-01")),
        },
        Case {
            query: "from=2023-05-10".into(),
            keep: keep(from("2023-05-10")),
        },
        Case {
            query: "from=2019-01-01T12:00:00%2B01:00&to=2019-06-30".into(),
            keep: keep(|_, (w, _), _| {
                *w >= instant("2019-01-01T11:00:00Z").unwrap()
                    && *w < instant("2019-07-01").unwrap()
            }),
        },
        Case {
            query: "from=2000-01-01&to=2023-05-09T18:00:00Z".into(),
            keep: keep(|_, (w, _), _| *w <= instant("2023-05-09T18:00:00Z").unwrap()),
        },
        Case {
            query: format!(
                "from=2000-01-01&near={},{}&radius_km={}",
                lichtenberg.0, lichtenberg.1, lichtenberg.2
            ),
            keep: keep(near(lichtenberg.0, lichtenberg.1, lichtenberg.2)),
        },
        Case {
            // Without radius_km: 10 km.
            query: "from=2000-01-01&near=52.52,13.405".into(),
            keep: keep(near(52.52, 13.405, 10.0)),
        },
        Case {
            query: "from=2000-01-01&bbox=52.3,13.0,52.7,13.8".into(),
            keep: keep(in_box(52.3, 13.0, 52.7, 13.8)),
        },
        Case {
            query: "from=2000-01-01&accessible=wheelchair".into(),
            keep: keep(|f, (_, e), _| f.needs.get(e).is_some_and(|n| n.contains("wheelchair"))),
        },
        Case {
            query: format!("from=2000-01-01&category={}", enc(&keyword)),
            keep: keep({
                let k = keyword.clone();
                move |f, (_, e), _| f.keywords.get(e).is_some_and(|ks| ks.contains(&k))
            }),
        },
        Case {
            query: "from=2000-01-01&q=museum".into(),
            keep: keep(|f, (_, e), _| f.text.get(e).is_some_and(|t| t.contains("museum"))),
        },
        Case {
            query: "from=2000-01-01&q=Museum%20Lichtenberg".into(),
            keep: keep(|f, (_, e), _| {
                f.text
                    .get(e)
                    .is_some_and(|t| t.contains("museum") && t.contains("lichtenberg"))
            }),
        },
        Case {
            query: "from=2000-01-01&source=fablab-cottbus".into(),
            keep: keep(|_, _, s| s == "fablab-cottbus"),
        },
        Case {
            query: "from=2000-01-01&source=fablab-cottbus&source=machbar-potsdam".into(),
            keep: keep(|_, _, s| s == "fablab-cottbus" || s == "machbar-potsdam"),
        },
        // Combined: a date range, a place and a source; a date range, a need, words and a
        // source (no event of the bundled data has both coordinates and accessibility data);
        // words and a box.
        Case {
            query: format!(
                "from=2023-05-01&to=2023-05-20&near={},{}&radius_km=5&source=berlin-lichtenberg-kalender",
                lichtenberg.0, lichtenberg.1
            ),
            keep: keep(move |f, ev, s| {
                ev.0 >= instant("2023-05-01").unwrap()
                    && ev.0 < instant("2023-05-21").unwrap()
                    && near(lichtenberg.0, lichtenberg.1, 5.0)(f, ev, s)
                    && s == "berlin-lichtenberg-kalender"
            }),
        },
        Case {
            query: "from=2023-05-01&to=2023-05-20&accessible=wheelchair&q=museum&source=berlin-lichtenberg-kalender".into(),
            keep: keep(move |f, ev, s| {
                ev.0 >= instant("2023-05-01").unwrap()
                    && ev.0 < instant("2023-05-21").unwrap()
                    && f.needs.get(&ev.1).is_some_and(|n| n.contains("wheelchair"))
                    && f.text.get(&ev.1).is_some_and(|t| t.contains("museum"))
                    && s == "berlin-lichtenberg-kalender"
            }),
        },
        Case {
            query: "from=2000-01-01&q=museum&bbox=52.3,13.0,52.7,13.8".into(),
            keep: keep(|f, ev, s| {
                f.text.get(&ev.1).is_some_and(|t| t.contains("museum"))
                    && in_box(52.3, 13.0, 52.7, 13.8)(f, ev, s)
            }),
        },
        Case {
            query: "from=2000-01-01&accessible=step-free".into(),
            keep: keep(|f, (_, e), _| f.needs.get(e).is_some_and(|n| n.contains("step-free"))),
        },
        Case {
            query: "from=2000-01-01&accessible=wheelchair,toilet".into(),
            keep: keep(|f, (_, e), _| {
                f.needs
                    .get(e)
                    .is_some_and(|n| n.contains("wheelchair") && n.contains("toilet"))
            }),
        },
    ];
    let mut nonempty = 0;
    let mut empty = Vec::new();
    for case in &cases {
        let expected: Vec<(DateTime<Utc>, String)> = facts
            .events
            .iter()
            .filter(|(ev, source)| (case.keep)(&facts, ev, source))
            .map(|(ev, _)| ev.clone())
            .collect();
        let got = all_pages(&server, &case.query);
        let unique: HashSet<_> = got.iter().collect();
        assert_eq!(
            unique.len(),
            got.len(),
            "{}: a page repeats an event",
            case.query
        );
        let mut sorted = got.clone();
        sorted.sort();
        assert_eq!(sorted, got, "{}: not in order of start and IRI", case.query);
        assert_eq!(got, expected, "{}", case.query);
        if expected.is_empty() {
            empty.push(case.query.clone());
        } else {
            nonempty += 1;
        }
    }
    // Every case finds something on the bundled data but two: no event there has both a
    // wheelchair-accessible place and toilet data, and no calendar gives categories.
    let category_case = format!("from=2000-01-01&category={}", enc(&keyword));
    let may_be_empty = [
        "from=2000-01-01&accessible=wheelchair,toilet",
        category_case.as_str(),
    ];
    assert!(
        empty
            .iter()
            .all(|q| may_be_empty.contains(&q.as_str()) && (q != &category_case || !of_events)),
        "{nonempty} of {} cases found events; none: {empty:?}",
        cases.len()
    );
    // The category filter on the venues (the kulturB list has categories): every venue with
    // the keyword, compared with SPARQL.
    let mut venues_feed: BTreeSet<String> = BTreeSet::new();
    let mut cursor = String::new();
    loop {
        let r = get(
            &server,
            &format!(
                "/feeds/venues.json?limit=500&category={}{cursor}",
                enc(&keyword)
            ),
            &[],
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let v: Value = serde_json::from_str(&r.body).expect("JSON");
        for venue in v["venues"].as_array().expect("venues") {
            venues_feed.insert(venue["id"].as_str().expect("id").to_owned());
        }
        match v["next"].as_str() {
            Some(next) => cursor = format!("&cursor={}", enc(next)),
            None => break,
        }
    }
    let venues_sparql: BTreeSet<String> = select(
        &server,
        &format!(
            "{PREFIXES} SELECT DISTINCT ?v {{ GRAPH ?g {{ {{ ?v a ?type VALUES ?type {{ schema:Place \
             schema:EventVenue schema:Museum schema:MusicVenue schema:PerformingArtsTheater schema:Library \
             schema:CivicStructure schema:LandmarksOrHistoricalBuildings }} }} UNION {{ ?any schema:location ?v }} }} \
             FILTER(isIRI(?v) && STRSTARTS(STR(?g), \"{BASE}graph/\") && ?g != <{BASE}graph/links>) \
             ?v schema:keywords|schema:additionalType ?k FILTER(LCASE(STR(?k)) = {}) }}",
            serde_json::to_string(&keyword).expect("a literal")
        ),
    )
    .into_iter()
    .map(|r| r["v"].clone())
    .collect();
    assert!(!venues_sparql.is_empty(), "no venue has {keyword:?}");
    assert_eq!(venues_feed, venues_sparql, "category={keyword}");

    // Without `from`, the feed starts now: the bundled events are all past.
    let r = get(&server, "/feeds/events", &[]);
    assert_eq!(r.status, 200, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).expect("JSON");
    let now = Utc::now();
    for e in v["events"].as_array().expect("events") {
        assert!(instant(e["start"].as_str().unwrap()).unwrap() >= now, "{e}");
    }
}

#[test]
fn issue_16_formats_validators_cors_and_bad_parameters() {
    let site = bundled_site();
    let server = site.serve(&[], &[]);
    let query = "/feeds/events?from=2023-05-01&to=2023-05-31&limit=500";
    let json = get(&server, query, &[]);
    assert_eq!(json.status, 200, "{}", json.body);
    assert_eq!(json.media_type(), "application/json");
    assert_eq!(json.header("access-control-allow-origin"), "*");
    let events: Value = serde_json::from_str(&json.body).expect("JSON");
    let events = events["events"].as_array().expect("events").clone();
    assert!(events.len() > 20, "{}", events.len());
    // A Lichtenberg event: its venue, address, coordinates (from the linked list of venues),
    // accessibility and source.
    let with_venue = events
        .iter()
        .find(|e| !e["venue"]["lat"].is_null() && !e["venue"]["address"]["street"].is_null())
        .expect("an event with a venue that has an address and coordinates");
    assert_eq!(
        with_venue["source"], "berlin-lichtenberg-kalender",
        "{with_venue}"
    );
    assert!(
        with_venue["accessibility"]["wheelchair"].is_boolean(),
        "{with_venue}"
    );
    assert!(
        events
            .iter()
            .any(|e| e["accessibility"]["wheelchair"] == true)
    );

    // GeoJSON (RFC 7946): a FeatureCollection of Features, points as [lon, lat].
    let geo = get(&server, &query.replace("events?", "events.geojson?"), &[]);
    assert_eq!(geo.status, 200);
    assert_eq!(geo.media_type(), "application/geo+json");
    let by_accept = get(&server, query, &[("Accept", "application/geo+json")]);
    assert_eq!(by_accept.body, geo.body);
    let geo: Value = serde_json::from_str(&geo.body).expect("GeoJSON");
    check_geojson(&geo);
    let features = geo["features"].as_array().expect("features");
    assert_eq!(features.len(), events.len());
    for (f, e) in features.iter().zip(&events) {
        assert_eq!(f["id"], e["id"]);
        if e["venue"]["lat"].is_null() {
            assert!(f["geometry"].is_null(), "{f}");
        } else {
            assert_eq!(f["geometry"]["coordinates"][0], e["venue"]["lon"], "{f}");
            assert_eq!(f["geometry"]["coordinates"][1], e["venue"]["lat"], "{f}");
        }
    }
    let berlin = features
        .iter()
        .find(|f| !f["geometry"].is_null())
        .expect("a feature with a point");
    let lon = berlin["geometry"]["coordinates"][0].as_f64().unwrap();
    assert!((13.0..14.0).contains(&lon), "longitude first: {berlin}");

    // JSON-LD with schema.org's vocabulary.
    let ld = get(&server, &query.replace("events?", "events.jsonld?"), &[]);
    assert_eq!(ld.media_type(), "application/ld+json");
    let ld: Value = serde_json::from_str(&ld.body).expect("JSON-LD");
    assert_eq!(ld["@context"]["@vocab"], "http://schema.org/");
    assert_eq!(ld["@graph"].as_array().unwrap().len(), events.len());
    assert_eq!(ld["@graph"][0]["@type"], "Event");

    // iCalendar: CRLF, lines of at most 75 octets, one VEVENT per event with a UID, the
    // VTIMEZONE of the zone its floating times are given in.
    let ics = get(&server, &query.replace("events?", "events.ics?"), &[]);
    assert_eq!(ics.status, 200);
    assert_eq!(ics.media_type(), "text/calendar");
    assert!(
        ics.body
            .starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:"),
        "{}",
        &ics.body[..80]
    );
    for line in ics.body.split("\r\n") {
        assert!(line.len() <= 75, "{line:?}");
        assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
    }
    assert_eq!(ics.body.matches("BEGIN:VEVENT\r\n").count(), events.len());
    let uids: HashSet<&str> = ics.body.lines().filter(|l| l.starts_with("UID:")).collect();
    assert_eq!(uids.len(), events.len(), "UIDs are unique");
    if ics.body.contains("TZID=Europe/Berlin") {
        assert!(
            ics.body
                .contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n")
        );
    }
    // The UID is stable: the same event has it again in another page.
    let again = get(
        &server,
        &query
            .replace("events?", "events.ics?")
            .replace("limit=500", "limit=3"),
        &[],
    );
    let first_uid = again.body.lines().find(|l| l.starts_with("UID:")).unwrap();
    assert!(uids.contains(first_uid));
    python_icalendar(&ics.body, events.len());

    // ETag and If-None-Match, Cache-Control.
    let etag = json.header("etag").to_owned();
    assert!(etag.starts_with('"'), "{etag}");
    assert!(json.header("cache-control").contains("max-age"));
    let same = get(&server, query, &[("If-None-Match", &etag)]);
    assert_eq!(same.status, 304);
    assert_eq!(same.header("etag"), etag);
    assert_eq!(same.header("access-control-allow-origin"), "*");
    let other = get(
        &server,
        &query.replace("limit=500", "limit=5"),
        &[("If-None-Match", &etag)],
    );
    assert_eq!(other.status, 200);

    // CORS preflight.
    let preflight = reply(
        client()
            .options(format!("{}/feeds/events", server.url))
            .header("Origin", "https://portal.example")
            .header("Access-Control-Request-Method", "GET")
            .call(),
    );
    assert_eq!(preflight.status, 204);
    assert_eq!(preflight.header("access-control-allow-origin"), "*");
    assert!(
        preflight
            .header("access-control-allow-methods")
            .contains("GET")
    );

    // Venues: GeoJSON by default, with the accessibility summary; filters as the events'.
    let venues = get(
        &server,
        "/feeds/venues?accessible=wheelchair&limit=500",
        &[],
    );
    assert_eq!(venues.status, 200, "{}", venues.body);
    assert_eq!(venues.media_type(), "application/geo+json");
    let venues: Value = serde_json::from_str(&venues.body).expect("GeoJSON");
    check_geojson(&venues);
    let features = venues["features"].as_array().unwrap();
    assert!(!features.is_empty());
    for f in features {
        assert_eq!(f["properties"]["accessibility"]["wheelchair"], true, "{f}");
    }
    let near = get(
        &server,
        "/feeds/venues.json?near=52.5156,13.4997&radius_km=2&limit=500",
        &[],
    );
    assert_eq!(near.status, 200, "{}", near.body);
    let near: Value = serde_json::from_str(&near.body).unwrap();
    let near = near["venues"].as_array().unwrap();
    assert!(!near.is_empty());
    for v in near {
        assert!(v["distance_km"].as_f64().unwrap() <= 2.0, "{v}");
    }
    // Venue paging covers all without repeats.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    loop {
        let r = get(
            &server,
            &format!("/feeds/venues.json?limit=50{cursor}"),
            &[],
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let v: Value = serde_json::from_str(&r.body).unwrap();
        seen.extend(
            v["venues"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_owned()),
        );
        match v["next"].as_str() {
            Some(n) => cursor = format!("&cursor={n}"),
            None => break,
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len());
    assert!(seen.len() > 50, "{}", seen.len());

    // Each bad parameter: 400 naming it.
    for (path, named) in [
        ("/feeds/events?from=tomorrow", "from="),
        ("/feeds/events?to=2023-02-30", "to="),
        ("/feeds/events?near=52.5", "near="),
        ("/feeds/events?near=52.5,13.4&radius_km=0", "radius_km="),
        ("/feeds/events?radius_km=3", "radius_km"),
        ("/feeds/events?bbox=1,2,3", "bbox="),
        ("/feeds/events?accessible=ramp", "accessible="),
        ("/feeds/events?limit=0", "limit="),
        ("/feeds/events?cursor=abc", "cursor="),
        ("/feeds/events?source=%3Chttp://x%3E", "source="),
        ("/feeds/events?colour=red", "`colour`"),
        ("/feeds/venues?from=2023-01-01", "`from`"),
    ] {
        let r = get(&server, path, &[]);
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert!(r.body.contains(named), "{path}: {}", r.body);
        assert_eq!(r.header("access-control-allow-origin"), "*");
    }
    let r = get(&server, "/feeds/events", &[("Accept", "image/png")]);
    assert_eq!(r.status, 406);
}

/// RFC 7946's structure: a FeatureCollection of Features with a `properties` object and a
/// geometry that is null or a Point of two numbers, longitude then latitude, in range.
fn check_geojson(v: &Value) {
    assert_eq!(v["type"], "FeatureCollection");
    for f in v["features"].as_array().expect("features") {
        assert_eq!(f["type"], "Feature", "{f}");
        assert!(f["properties"].is_object(), "{f}");
        let g = &f["geometry"];
        if g.is_null() {
            continue;
        }
        assert_eq!(g["type"], "Point", "{f}");
        let c = g["coordinates"].as_array().expect("coordinates");
        assert_eq!(c.len(), 2, "{f}");
        let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!(
            (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat),
            "{f}"
        );
    }
}

/// Parses the calendar with Python's `icalendar` and checks each VEVENT's required properties.
fn python_icalendar(ics: &str, events: usize) {
    if std::env::var("KULTURNETZ_PY_ICAL").as_deref() != Ok("1") {
        eprintln!(
            "\n*** SKIPPED the check of /feeds/events.ics with Python's icalendar: set \
             KULTURNETZ_PY_ICAL=1 (scripts/ensure-deps --test installs it)\n"
        );
        return;
    }
    let script = r#"
import sys
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.buffer.read())
assert cal.get("VERSION") == "2.0", cal.get("VERSION")
assert cal.get("PRODID")
events = cal.walk("VEVENT")
zones = {str(z.get("TZID")) for z in cal.walk("VTIMEZONE")}
uids = set()
for e in events:
    for p in ("UID", "DTSTAMP", "DTSTART"):
        assert e.get(p) is not None, (p, e)
    uids.add(str(e.get("UID")))
    tzid = e.get("DTSTART").params.get("TZID")
    assert tzid is None or tzid in zones, tzid
    e.decoded("DTSTART")
    if e.get("DTEND") is not None:
        assert e.decoded("DTEND") > e.decoded("DTSTART"), e
assert len(uids) == len(events)
print(len(events))
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
        .write_all(ics.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python3");
    assert!(
        out.status.success(),
        "icalendar: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        events.to_string()
    );
}

/// An iCalendar feed of `n` one-hour events on consecutive days from 2024-03-01, numbered from
/// `first`.
fn calendar(first: usize, n: usize) -> String {
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
    for i in first..first + n {
        let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap() + chrono::Days::new(i as u64);
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:event-{i}@test.example\r\nDTSTART:{}T180000Z\r\nDTEND:{}T190000Z\r\nSUMMARY:Konzert {i}\r\nEND:VEVENT\r\n",
            day.format("%Y%m%d"),
            day.format("%Y%m%d")
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    ics
}

#[test]
fn issue_16_paging_neither_repeats_nor_skips_while_an_ingest_runs() {
    const TOKEN: &str = "s3cret";
    let site =
        Site::new("[[source]]\nid = \"konzerte\"\nkind = \"ical\"\npath = \"konzerte.ics\"\n");
    // Events 10..50; the ingest between the pages removes 10..20 and adds 0..10 and 50..60.
    site.write("konzerte.ics", &calendar(10, 40));
    let server = site.serve(&[], &[("KULTURNETZ_WRITE_TOKEN", TOKEN)]);
    let page = |cursor: &str| -> (Vec<String>, Option<String>) {
        let r = get(
            &server,
            &format!("/feeds/events?from=2024-01-01&limit=15{cursor}"),
            &[],
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let v: Value = serde_json::from_str(&r.body).unwrap();
        let names = v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect();
        (names, v["next"].as_str().map(|n| format!("&cursor={n}")))
    };
    let (mut seen, mut next) = page("");
    assert_eq!(seen.len(), 15);
    site.write(
        "konzerte.ics",
        &(calendar(20, 40).replace("END:VCALENDAR\r\n", "")
            + &calendar(0, 10).replace(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n",
                "",
            )),
    );
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
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let r = reply(
            client()
                .get(format!("{}{location}", server.url))
                .header("Authorization", &auth)
                .call(),
        );
        let run: Value = serde_json::from_str(&r.body).expect("json");
        if run["status"] != "running" {
            assert_eq!(run["status"], "succeeded", "{run}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run did not end: {run}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    while let Some(cursor) = next {
        let (names, n) = page(&cursor);
        seen.extend(names);
        next = n;
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no event twice: {seen:?}");
    // The first page as it was (10..25), then everything after its last event as it is now
    // (25..60): the events added before the cursor (0..10) are not seen, none is skipped.
    let expected: Vec<String> = (10..60).map(|i| format!("Konzert {i}")).collect();
    assert_eq!(seen, expected);
}
