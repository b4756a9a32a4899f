//! The event stream at `/ldes/events` (issue 15): a consumer that follows it from its start
//! holds the events the store holds; after an ingest that changes, adds and removes events,
//! following on from where it stopped brings it in sync again.

use crate::util::{Server, Site, client, reply};
use oxrdf::{NamedOrBlankNode, Term, Triple};
use std::collections::{BTreeMap, BTreeSet, HashSet};

const BASE: &str = "https://daten.kultur.example/";
const TREE: &str = "https://w3id.org/tree#";
const AS: &str = "https://www.w3.org/ns/activitystreams#";

fn events(versions: &[(&str, &str, &str)]) -> String {
    let mut ttl = String::from(
        "@prefix schema: <http://schema.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n",
    );
    for (id, name, start) in versions {
        ttl.push_str(&format!(
            "<{BASE}id/event/{id}> a schema:Event ; schema:name \"{name}\"@de ; \
             schema:startDate \"{start}\"^^xsd:dateTime .\n"
        ));
    }
    // Not an event: no start.
    ttl.push_str(&format!(
        "<{BASE}id/place/p> a schema:Place ; schema:name \"Ort\" .\n"
    ));
    ttl
}

/// What a consumer holds: each event's statements, by the event's IRI.
#[derive(Default)]
struct Consumer {
    events: BTreeMap<String, BTreeSet<String>>,
    /// The page to read next time, and the members of it already applied.
    page: Option<String>,
    seen: HashSet<String>,
    /// Members applied: (kind, event).
    applied: Vec<(String, String)>,
}

fn get_turtle(url: &str) -> (Vec<Triple>, String) {
    let r = reply(client().get(url).header("Accept", "text/turtle").call());
    assert_eq!(r.status, 200, "{url}: {}", r.body);
    assert_eq!(r.media_type(), "text/turtle");
    let triples = oxrdfio::RdfParser::from_format(oxrdfio::RdfFormat::Turtle)
        .for_slice(r.body.as_bytes())
        .map(|q| Triple::from(q.expect("Turtle")))
        .collect();
    (triples, r.header("cache-control").to_owned())
}

fn objects<'a>(triples: &'a [Triple], s: &str, p: &str) -> Vec<&'a Term> {
    triples
        .iter()
        .filter(|t| {
            matches!(&t.subject, NamedOrBlankNode::NamedNode(n) if n.as_str() == s)
                && t.predicate.as_str() == p
        })
        .map(|t| &t.object)
        .collect()
}

impl Consumer {
    /// Follows the stream from where it stopped (from its start the first time).
    fn follow(&mut self, server: &Server) {
        let root = format!("{}/ldes/events", server.url);
        let mut next = match self.page.take() {
            // The same server started again listens on another port: the page's path stays.
            Some(page) => format!(
                "{}{}",
                server.url,
                &page[page.find("/ldes/").expect("a page of the stream")..]
            ),
            None => {
                let (triples, _) = get_turtle(&root);
                assert!(
                    triples.iter().any(|t| t.predicate == oxrdf::vocab::rdf::TYPE
                        && matches!(&t.object, Term::NamedNode(n) if n.as_str() == "https://w3id.org/ldes#EventStream"))
                );
                match objects(&triples, &root, &format!("{TREE}view"))[..] {
                    [Term::NamedNode(view)] => view.as_str().to_owned(),
                    ref other => panic!("no single view: {other:?}"),
                }
            }
        };
        loop {
            let (triples, cache) = get_turtle(&next);
            let mut members: Vec<&Term> = objects(&triples, &root, &format!("{TREE}member"));
            members.sort_by_key(|m| {
                m.to_string()
                    .rsplit('#')
                    .next()
                    .and_then(|n| n.trim_end_matches('>').parse::<u64>().ok())
            });
            for member in members {
                let Term::NamedNode(version) = member else {
                    panic!("a member is not an IRI: {member}")
                };
                // By path: the server started again has another port.
                let key = &version.as_str()[version.as_str().find("/ldes/").unwrap_or(0)..];
                if !self.seen.insert(key.to_owned()) {
                    continue;
                }
                let v = version.as_str();
                let Term::NamedNode(event) =
                    objects(&triples, v, "http://purl.org/dc/terms/isVersionOf")[0]
                else {
                    panic!("no isVersionOf")
                };
                assert_eq!(
                    objects(&triples, v, "http://www.w3.org/ns/prov#generatedAtTime").len(),
                    1
                );
                let kinds: Vec<String> = objects(&triples, v, oxrdf::vocab::rdf::TYPE.as_str())
                    .into_iter()
                    .filter_map(|t| match t {
                        Term::NamedNode(n) => n.as_str().strip_prefix(AS).map(str::to_owned),
                        _ => None,
                    })
                    .collect();
                assert_eq!(kinds.len(), 1, "{v}: {kinds:?}");
                let statements: BTreeSet<String> = triples
                    .iter()
                    .filter(|t| matches!(&t.subject, NamedOrBlankNode::NamedNode(n) if n == version))
                    .filter(|t| {
                        !["http://purl.org/dc/terms/isVersionOf", "http://www.w3.org/ns/prov#generatedAtTime"]
                            .contains(&t.predicate.as_str())
                            && !matches!(&t.object, Term::NamedNode(n) if n.as_str().starts_with(AS))
                    })
                    .map(|t| format!("{} {} {}", event, t.predicate, t.object))
                    .collect();
                if kinds[0] == "Delete" {
                    assert!(statements.is_empty(), "{v}");
                    self.events.remove(event.as_str());
                } else {
                    self.events.insert(event.as_str().to_owned(), statements);
                }
                self.applied
                    .push((kinds[0].clone(), event.as_str().to_owned()));
            }
            let relations = objects(&triples, &next, &format!("{TREE}relation"));
            if relations.is_empty() {
                // The open page: short-lived in caches; read again next time.
                assert_eq!(cache, "public, max-age=60", "{next}");
                self.page = Some(next);
                return;
            }
            assert!(cache.contains("immutable"), "{next}: {cache}");
            let relation = relations[0];
            let relation_triples: Vec<&Triple> = triples
                .iter()
                .filter(|t| t.subject.to_string() == relation.to_string())
                .collect();
            assert!(
                relation_triples.iter().any(
                    |t| t.object.to_string() == format!("<{TREE}GreaterThanOrEqualToRelation>")
                )
            );
            next = relation_triples
                .iter()
                .find(|t| t.predicate.as_str() == format!("{TREE}node"))
                .map(|t| match &t.object {
                    Term::NamedNode(n) => n.as_str().to_owned(),
                    other => panic!("{other}"),
                })
                .expect("tree:node");
        }
    }
}

/// The events of the store, as the consumer holds them.
fn store_events(server: &Server) -> BTreeMap<String, BTreeSet<String>> {
    // As N-Triples, which keep the terms' kinds.
    let r = reply(
        client()
            .get(format!(
                "{}/sparql?query={}",
                server.url,
                crate::util::enc(&format!(
                    "CONSTRUCT {{ ?e ?p ?o }} WHERE {{ GRAPH ?g {{ ?e <http://schema.org/startDate> ?d . ?e ?p ?o }} \
                     FILTER(STRSTARTS(STR(?g), \"{BASE}graph/\")) }}"
                ))
            ))
            .header("Accept", "application/n-triples")
            .call(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for q in
        oxrdfio::RdfParser::from_format(oxrdfio::RdfFormat::NTriples).for_slice(r.body.as_bytes())
    {
        let t = Triple::from(q.expect("N-Triples"));
        let NamedOrBlankNode::NamedNode(s) = &t.subject else {
            continue;
        };
        out.entry(s.as_str().to_owned())
            .or_default()
            .insert(format!("{} {} {}", s, t.predicate, t.object));
    }
    out
}

#[test]
fn issue_15_a_consumer_of_the_event_stream_stays_in_sync() {
    let site = Site::new(
        "[[source]]\nid = \"kalender\"\nkind = \"rdf\"\npath = \"events.ttl\"\nvalidate = \"off\"\n",
    );
    // More events than a page holds, so that the stream has a full page and an open one.
    let mut first: Vec<(String, String, String)> = (0..130)
        .map(|i| {
            (
                format!("e{i}"),
                format!("Konzert {i}"),
                format!("2026-05-{:02}T19:00:00+02:00", 1 + i % 28),
            )
        })
        .collect();
    let as_refs = |v: &[(String, String, String)]| -> String {
        let r: Vec<(&str, &str, &str)> = v
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        events(&r)
    };
    site.write("events.ttl", &as_refs(&first));
    let server = site.serve(&[], &[]);
    let mut consumer = Consumer::default();
    consumer.follow(&server);
    assert_eq!(consumer.applied.len(), 130);
    assert!(consumer.applied.iter().all(|(k, _)| k == "Create"));
    assert_eq!(consumer.events, store_events(&server));
    // Unchanged: nothing new.
    consumer.follow(&server);
    assert_eq!(consumer.applied.len(), 130);
    drop(server);

    // A second ingest: e1 renamed, e2 removed, e200 added.
    first[1].1 = "Konzert eins (verlegt)".into();
    first.remove(2);
    first.push(("e200".into(), "Neu".into(), "2026-06-01T10:00:00Z".into()));
    site.write("events.ttl", &as_refs(&first));
    let server = site.serve(&[], &[]);
    consumer.follow(&server);
    let news: BTreeSet<(String, String)> = consumer.applied[130..].iter().cloned().collect();
    assert_eq!(
        news,
        BTreeSet::from([
            ("Update".to_owned(), format!("{BASE}id/event/e1")),
            ("Delete".to_owned(), format!("{BASE}id/event/e2")),
            ("Create".to_owned(), format!("{BASE}id/event/e200")),
        ])
    );
    assert_eq!(consumer.events, store_events(&server));
    assert_eq!(consumer.events.len(), 130);

    // Pages beyond the last, and a page that is not a number, are 404.
    let r = reply(client().get(format!("{}/ldes/events/9", server.url)).call());
    assert_eq!(r.status, 404);
    let r = reply(client().get(format!("{}/ldes/events/x", server.url)).call());
    assert_eq!(r.status, 404);
}
