//! The pages for people and the documents beside them, over real HTTP (issues 15 and 16): the
//! landing page at `/` with what the endpoint holds and its example queries, `/ontology` and
//! `/graph/…` by content negotiation (every RDF format parses back to the same graph; a graph
//! that does not exist is a 404), and the pages' assets.

use crate::util::{Reply, Server, Site, client, reply, repo};
use oxrdfio::{RdfFormat, RdfParser};

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const ODBL: &str = "http://dcat-ap.de/def/licenses/odbl";

/// A site on bundled data: the ontology, the OpenStreetMap museums of central Germany (with
/// coordinates), and the repository's named queries as its examples.
pub(crate) fn sample_site() -> Site {
    let repo = repo();
    let site = Site::new(&format!(
        "[[source]]\nid = \"ontology\"\nkind = \"rdf\"\npath = \"{}\"\nlicense = \"http://dcat-ap.de/def/licenses/cc-zero\"\n\n\
         [[source]]\nid = \"osm-museen\"\nkind = \"geojson\"\npath = \"{}\"\nlicense = \"{ODBL}\"\nmax_rejected = \"1%\"\n",
        repo.join("ontologies/kulturnetz.ttl").display(),
        repo.join("datasets/institutions/osm-museums-sachsen-sachsen-anhalt-thueringen.geojson")
            .display(),
    ));
    for entry in std::fs::read_dir(repo.join("queries")).expect("queries/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rq") {
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            site.write(
                &format!("queries/{name}"),
                &std::fs::read_to_string(&path).expect("a query"),
            );
        }
    }
    site
}

fn get(server: &Server, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = client().get(format!("{}{path}", server.url));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    reply(request.call())
}

/// `text` in `format` as sorted N-Triples lines, blank nodes all named alike (the graphs here
/// have only a few, in RDF lists).
fn canonical(text: &str, format: RdfFormat) -> Vec<String> {
    let mut lines: Vec<String> = RdfParser::from_format(format)
        .for_slice(text.as_bytes())
        .map(|q| {
            let t = oxrdf::Triple::from(q.unwrap_or_else(|e| panic!("{format}: {e}")));
            // Blank nodes (the ontology's RDF lists) get new labels in every parse: one name.
            let blank = |text: String, bnode: bool| if bnode { "_:b".to_owned() } else { text };
            format!(
                "{} {} {}",
                blank(t.subject.to_string(), t.subject.is_blank_node()),
                t.predicate,
                blank(t.object.to_string(), t.object.is_blank_node())
            )
        })
        .collect();
    lines.sort();
    lines.dedup();
    lines
}

#[test]
fn issue_16_the_landing_page_says_what_is_held_and_offers_the_examples() {
    let site = sample_site();
    let server = site.serve(&[], &[]);
    let r = get(
        &server,
        "/",
        &[("accept", BROWSER), ("accept-language", "en")],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.media_type(), "text/html");
    assert_eq!(r.header("vary"), "Accept, Accept-Language, Cookie");
    let page = &r.body;
    for expected in [
        "<html lang=\"en\">",
        "<a href=\"/graph/osm-museen\">osm-museen</a>",
        &format!("<a href=\"{ODBL}\">odbl</a>"),
        "<a href=\"/dumps/osm-museen.nq.gz\">osm-museen.nq.gz</a>",
        "<a href=\"/.well-known/void\">",
        "<a href=\"/catalog\">",
        "<a href=\"/ontology\">",
        // The examples, by their titles, in the page's language.
        ">Museums and where they are</a>",
        ">Sources and their sizes</a>",
    ] {
        assert!(page.contains(expected), "{expected:?} not in\n{page}");
    }
    // The last ingest, as the meta graph has it.
    assert!(
        page.contains(&format!("<td>{}-", time_now_year())),
        "{page}"
    );
    let r = get(&server, "/?lang=de", &[("accept", BROWSER)]);
    assert!(
        r.body.contains(">Museen und wo sie liegen</a>"),
        "{}",
        r.body
    );
    assert!(r.header("set-cookie").starts_with("kn_lang=de;"));
    // A browser at the endpoint gets the page too; a client the service description.
    let r = get(&server, "/sparql", &[("accept", BROWSER)]);
    assert_eq!(r.media_type(), "text/html");
    assert!(r.body.contains("id=\"query-form\""));
    assert_eq!(get(&server, "/sparql", &[]).media_type(), "text/turtle");
    // Its script and style are served by the binary, cached for long.
    let script = r
        .body
        .split("<script src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a script");
    let r = get(&server, script, &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.media_type(), "text/javascript");
    assert!(r.header("cache-control").contains("immutable"));
}

fn time_now_year() -> String {
    // The ingest just ran: its time carries this year (UTC); counted from the epoch so that
    // the test needs no date library.
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs();
    // Days since 1970 to a year, good for any date this code will run on.
    let mut days = secs / 86_400;
    let mut year = 1970;
    loop {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let length = if leap { 366 } else { 365 };
        if days < length {
            return year.to_string();
        }
        days -= length;
        year += 1;
    }
}

#[test]
fn issue_15_the_ontology_by_negotiation_and_as_a_page() {
    let site = sample_site();
    let server = site.serve(&[], &[]);
    let turtle = get(&server, "/ontology", &[("accept", "text/turtle")]);
    assert_eq!(turtle.status, 200);
    assert_eq!(turtle.media_type(), "text/turtle");
    assert_eq!(turtle.header("vary"), "Accept");
    let expected = canonical(
        &std::fs::read_to_string(repo().join("ontologies/kulturnetz.ttl")).expect("ontology"),
        RdfFormat::Turtle,
    );
    assert!(expected.len() > 100);
    assert_eq!(canonical(&turtle.body, RdfFormat::Turtle), expected);
    for (accept, format) in [
        ("application/n-triples", RdfFormat::NTriples),
        ("application/rdf+xml", RdfFormat::RdfXml),
        (
            "application/ld+json",
            RdfFormat::JsonLd {
                profile: oxrdfio::JsonLdProfileSet::empty(),
            },
        ),
    ] {
        let r = get(&server, "/ontology", &[("accept", accept)]);
        assert_eq!((r.status, r.media_type()), (200, accept), "{}", r.body);
        assert_eq!(canonical(&r.body, format), expected, "{accept}");
    }
    assert_eq!(
        get(&server, "/ontology?format=nt", &[("accept", BROWSER)]).media_type(),
        "application/n-triples"
    );
    assert_eq!(
        get(&server, "/ontology", &[("accept", "image/png")]).status,
        406
    );
    // The page: every term with its anchor, in German by default.
    let page = get(&server, "/ontology", &[("accept", BROWSER)]);
    assert_eq!(page.media_type(), "text/html");
    assert!(page.body.contains("<html lang=\"de\">"));
    for term in [
        "Accessibility",
        "wheelchairAccess",
        "Yes",
        "fingerprint",
        "Link",
    ] {
        assert!(
            page.body
                .contains(&format!("<article class=\"term\" id=\"{term}\"")),
            "kn:{term}"
        );
    }
    assert!(page.body.contains("Wertebereich"));
    assert!(page.body.contains("kns:"), "the shapes that use a term");
}

#[test]
fn issue_15_a_graph_by_negotiation_and_as_a_page() {
    let site = sample_site();
    let server = site.serve(&[], &[]);
    let nt = get(
        &server,
        "/graph/ontology",
        &[("accept", "application/n-triples")],
    );
    assert_eq!((nt.status, nt.media_type()), (200, "application/n-triples"));
    assert_eq!(nt.header("vary"), "Accept");
    let expected = canonical(
        &std::fs::read_to_string(repo().join("ontologies/kulturnetz.ttl")).expect("ontology"),
        RdfFormat::Turtle,
    );
    assert_eq!(canonical(&nt.body, RdfFormat::NTriples), expected);
    for (accept, format) in [
        ("text/turtle", RdfFormat::Turtle),
        (
            "application/ld+json",
            RdfFormat::JsonLd {
                profile: oxrdfio::JsonLdProfileSet::empty(),
            },
        ),
        ("application/rdf+xml", RdfFormat::RdfXml),
    ] {
        let r = get(&server, "/graph/ontology", &[("accept", accept)]);
        assert_eq!((r.status, r.media_type()), (200, accept));
        assert_eq!(canonical(&r.body, format), expected, "{accept}");
    }
    // The page of a source: count, licence, last ingest, dumps, its classes with counts.
    let page = get(
        &server,
        "/graph/osm-museen",
        &[("accept", BROWSER), ("accept-language", "en")],
    );
    assert_eq!(page.status, 200);
    let count = get(
        &server,
        &format!(
            "/sparql?query={}",
            crate::util::enc(
                "SELECT (COUNT(*) AS ?n) { GRAPH <https://daten.kultur.example/graph/osm-museen> { ?s a <http://schema.org/Museum> } }"
            )
        ),
        &[("accept", "text/csv")],
    );
    let museums: u64 = count
        .body
        .lines()
        .nth(1)
        .expect("a row")
        .trim()
        .parse()
        .expect("a count");
    assert!(museums > 100, "{museums}");
    for expected in [
        "<h1>Graph <code>osm-museen</code></h1>".to_owned(),
        format!("<a href=\"{ODBL}\">"),
        "<a href=\"/dumps/osm-museen.ttl.gz\">".to_owned(),
        format!(
            "<tr><td><a href=\"http://schema.org/Museum\">schema:Museum</a></td><td class=\"n\">{}</td></tr>",
            thousands(museums)
        ),
        "prov:generatedAtTime".to_owned(),
        "kn:acceptedRecords".to_owned(),
    ] {
        assert!(
            page.body.contains(&expected),
            "{expected:?} not in\n{}",
            page.body
        );
    }
    // An unknown graph is a 404, as data and as a page.
    let r = get(
        &server,
        "/graph/no-such-source",
        &[("accept", "text/turtle")],
    );
    assert_eq!(r.status, 404, "{}", r.body);
    let r = get(&server, "/graph/no-such-source", &[("accept", BROWSER)]);
    assert_eq!((r.status, r.media_type()), (404, "text/html"));
}

/// `n` with English thousands separators.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
