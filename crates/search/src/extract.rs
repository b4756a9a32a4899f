//! What of a graph is searchable: its subjects with names, descriptions, types, a point, starts
//! and locations (docs/search.md, "Documents").

use crate::calendar::millis;
use crate::geo::{Point, parse_wkt};
use oxrdf::{Literal, NamedOrBlankNode, Term, Triple};
use std::collections::{BTreeMap, HashMap};

const SCHEMA: &str = "http://schema.org/";
const DCT: &str = "http://purl.org/dc/terms/";
const DC: &str = "http://purl.org/dc/elements/1.1/";
const RDFS: &str = "http://www.w3.org/2000/01/rdf-schema#";
const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";
const GEO: &str = "http://www.opengis.net/ont/geosparql#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// Properties whose literals name a thing: matched with the higher weight.
pub const NAME_PROPERTIES: &[(&str, &str)] = &[
    (RDFS, "label"),
    (SCHEMA, "name"),
    (SCHEMA, "alternateName"),
    (SCHEMA, "headline"),
    (DCT, "title"),
    (DCT, "alternative"),
    (DC, "title"),
    (SKOS, "prefLabel"),
    (SKOS, "altLabel"),
    ("http://xmlns.com/foaf/0.1/", "name"),
];

/// Properties whose literals describe a thing.
pub const DESCRIPTION_PROPERTIES: &[(&str, &str)] = &[
    (SCHEMA, "description"),
    (SCHEMA, "disambiguatingDescription"),
    (SCHEMA, "keywords"),
    (SCHEMA, "abstract"),
    (DCT, "description"),
    (DCT, "abstract"),
    (DCT, "subject"),
    (DC, "description"),
    (RDFS, "comment"),
    (SKOS, "definition"),
];

/// A searchable subject of one graph.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The subject's IRI.
    pub iri: String,
    /// Its `rdf:type`s in the graph, sorted.
    pub types: Vec<String>,
    /// Its names, in the order of [`NAME_PROPERTIES`] then of the literal.
    pub names: Vec<Literal>,
    /// Its descriptions.
    pub descriptions: Vec<Literal>,
    /// Where it is.
    pub point: Option<Point>,
    /// When it starts (`schema:startDate`, milliseconds since 1970 in UTC), sorted.
    pub starts: Vec<i64>,
    /// Where it happens (`schema:location`, IRIs), sorted.
    pub locations: Vec<String>,
}

impl Document {
    /// Whether it has a start or a location (is in the calendar).
    pub fn is_dated(&self) -> bool {
        !self.starts.is_empty() || !self.locations.is_empty()
    }
}

fn is(iri: &str, list: &[(&str, &str)]) -> Option<usize> {
    list.iter().position(|(ns, local)| {
        iri.len() == ns.len() + local.len() && iri.starts_with(ns) && iri.ends_with(local)
    })
}

#[derive(Default)]
struct Subject {
    types: Vec<String>,
    names: Vec<(usize, Literal)>,
    descriptions: Vec<(usize, Literal)>,
    geometries: Vec<Term>,
    geo: Vec<Term>,
    starts: Vec<i64>,
    locations: Vec<String>,
}

/// The documents of a graph, given its triples, sorted by IRI. A subject is a document if it
/// is an IRI with a name, a description, a point, a start or a location. Points come from `geo:hasGeometry/geo:asWKT`
/// (a point, or the centroid of another geometry's vertices), `schema:geo` with
/// `schema:latitude`/`schema:longitude`, or those two on the subject itself.
pub fn documents<E>(triples: impl Iterator<Item = Result<Triple, E>>) -> Result<Vec<Document>, E> {
    let mut subjects: HashMap<NamedOrBlankNode, Subject> = HashMap::new();
    let mut wkt: HashMap<NamedOrBlankNode, Point> = HashMap::new();
    let mut lat: HashMap<NamedOrBlankNode, f64> = HashMap::new();
    let mut lon: HashMap<NamedOrBlankNode, f64> = HashMap::new();
    for triple in triples {
        let t = triple?;
        let p = t.predicate.as_str();
        let literal = match &t.object {
            Term::Literal(l) => Some(l),
            _ => None,
        };
        if let (Some(i), Some(l)) = (is(p, NAME_PROPERTIES), literal) {
            subjects
                .entry(t.subject)
                .or_default()
                .names
                .push((i, l.clone()));
            continue;
        }
        if let (Some(i), Some(l)) = (is(p, DESCRIPTION_PROPERTIES), literal) {
            subjects
                .entry(t.subject)
                .or_default()
                .descriptions
                .push((i, l.clone()));
            continue;
        }
        let number = || literal.and_then(|l| l.value().trim().parse::<f64>().ok());
        match (p.strip_prefix(GEO), p.strip_prefix(SCHEMA)) {
            _ if p == RDF_TYPE => {
                if let Term::NamedNode(n) = t.object {
                    subjects
                        .entry(t.subject)
                        .or_default()
                        .types
                        .push(n.into_string());
                }
            }
            (Some("hasGeometry"), _) => {
                subjects
                    .entry(t.subject)
                    .or_default()
                    .geometries
                    .push(t.object);
            }
            (Some("asWKT"), _) => {
                if let Some(point) = literal.and_then(|l| parse_wkt(l.value())) {
                    wkt.entry(t.subject).or_insert(point);
                }
            }
            (_, Some("geo")) => subjects.entry(t.subject).or_default().geo.push(t.object),
            (_, Some("startDate")) => {
                if let Some(start) = literal.and_then(|l| millis(l.value())) {
                    subjects.entry(t.subject).or_default().starts.push(start);
                }
            }
            (_, Some("location")) => {
                if let Term::NamedNode(n) = t.object {
                    subjects
                        .entry(t.subject)
                        .or_default()
                        .locations
                        .push(n.into_string());
                }
            }
            (_, Some("latitude")) => {
                if let Some(v) = number() {
                    lat.insert(t.subject, v);
                }
            }
            (_, Some("longitude")) => {
                if let Some(v) = number() {
                    lon.insert(t.subject, v);
                }
            }
            _ => {}
        }
    }
    let node = |t: &Term| match t {
        Term::NamedNode(n) => Some(NamedOrBlankNode::NamedNode(n.clone())),
        Term::BlankNode(b) => Some(NamedOrBlankNode::BlankNode(b.clone())),
        _ => None,
    };
    let lat_lon = |n: &NamedOrBlankNode| Point::new(*lat.get(n)?, *lon.get(n)?);
    // A geometry or a coordinates node is part of its subject, not a thing of its own.
    let parts: std::collections::HashSet<NamedOrBlankNode> = subjects
        .values()
        .flat_map(|s| s.geometries.iter().chain(&s.geo))
        .filter_map(node)
        .collect();
    let mut docs = BTreeMap::new();
    for (subject, mut s) in subjects {
        let NamedOrBlankNode::NamedNode(iri) = &subject else {
            continue;
        };
        let point = s
            .geometries
            .iter()
            .filter_map(node)
            .find_map(|g| wkt.get(&g).copied())
            .or_else(|| s.geo.iter().filter_map(node).find_map(|g| lat_lon(&g)))
            .or_else(|| lat_lon(&subject));
        if s.names.is_empty()
            && s.descriptions.is_empty()
            && s.starts.is_empty()
            && s.locations.is_empty()
            && (point.is_none() || parts.contains(&subject))
        {
            continue;
        }
        s.names
            .sort_by(|a, b| (a.0, a.1.value()).cmp(&(b.0, b.1.value())));
        s.descriptions
            .sort_by(|a, b| (a.0, a.1.value()).cmp(&(b.0, b.1.value())));
        s.types.sort();
        s.types.dedup();
        s.starts.sort_unstable();
        s.starts.dedup();
        s.locations.sort();
        s.locations.dedup();
        docs.insert(
            iri.as_str().to_owned(),
            Document {
                iri: iri.as_str().to_owned(),
                types: s.types,
                names: s.names.into_iter().map(|(_, l)| l).collect(),
                descriptions: s.descriptions.into_iter().map(|(_, l)| l).collect(),
                point,
                starts: s.starts,
                locations: s.locations,
            },
        );
    }
    Ok(docs.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{BlankNode, NamedNode};

    fn iri(s: &str) -> NamedNode {
        NamedNode::new_unchecked(s)
    }

    fn triple(s: impl Into<NamedOrBlankNode>, p: &str, o: impl Into<Term>) -> Triple {
        Triple::new(s, iri(p), o)
    }

    #[test]
    fn subjects_with_names_descriptions_and_points() {
        let venue = iri("https://x.example/id/venue/1");
        let geometry = BlankNode::new_unchecked("g");
        let coordinates = iri("https://x.example/id/venue/2/geo");
        let wkt = Literal::new_typed_literal(
            "POLYGON((10 50, 12 50, 12 52, 10 52))",
            iri("http://www.opengis.net/ont/geosparql#wktLiteral"),
        );
        let triples = vec![
            triple(venue.clone(), RDF_TYPE, iri("http://schema.org/Museum")),
            triple(
                venue.clone(),
                "http://schema.org/description",
                Literal::new_simple_literal("b"),
            ),
            triple(
                venue.clone(),
                "http://schema.org/name",
                Literal::new_simple_literal("a"),
            ),
            triple(
                venue.clone(),
                "http://www.opengis.net/ont/geosparql#hasGeometry",
                geometry.clone(),
            ),
            triple(geometry, "http://www.opengis.net/ont/geosparql#asWKT", wkt),
            triple(
                iri("https://x.example/id/venue/2"),
                "http://schema.org/geo",
                coordinates.clone(),
            ),
            triple(
                coordinates.clone(),
                RDF_TYPE,
                iri("http://schema.org/GeoCoordinates"),
            ),
            triple(
                coordinates.clone(),
                "http://schema.org/latitude",
                Literal::from(50.5),
            ),
            triple(
                coordinates,
                "http://schema.org/longitude",
                Literal::new_simple_literal(" 11.25"),
            ),
            triple(
                iri("https://x.example/id/thing"),
                "http://example.org/other",
                Literal::from(1),
            ),
        ];
        let docs = documents(triples.into_iter().map(Ok::<_, ()>)).unwrap();
        // The coordinates node is part of venue 2, not a document; the thing has nothing to find.
        assert_eq!(docs.len(), 2, "{docs:?}");
        assert_eq!(docs[0].iri, "https://x.example/id/venue/1");
        assert_eq!(docs[0].types, ["http://schema.org/Museum"]);
        assert_eq!(docs[0].names[0].value(), "a");
        assert_eq!(docs[0].descriptions[0].value(), "b");
        // The centroid of the polygon's vertices.
        assert_eq!(docs[0].point, Point::new(51.0, 11.0));
        assert_eq!(docs[1].iri, "https://x.example/id/venue/2");
        assert_eq!(docs[1].point, Point::new(50.5, 11.25));
    }

    #[test]
    fn starts_and_locations_of_events() {
        let event = iri("https://x.example/id/event/1");
        let venue = iri("https://x.example/id/venue/1");
        let triples = vec![
            triple(
                event.clone(),
                "http://schema.org/startDate",
                Literal::new_typed_literal(
                    "2025-06-01T20:00:00+02:00",
                    iri("http://www.w3.org/2001/XMLSchema#dateTime"),
                ),
            ),
            triple(
                event.clone(),
                "http://schema.org/startDate",
                Literal::new_simple_literal("not a date"),
            ),
            triple(event.clone(), "http://schema.org/location", venue.clone()),
            triple(
                event.clone(),
                "http://schema.org/location",
                Literal::new_simple_literal("Theater Erfurt"),
            ),
            // Only a location: still a document (an offer, a performance without a name).
            triple(
                iri("https://x.example/id/offer/1"),
                "http://schema.org/location",
                venue.clone(),
            ),
        ];
        let docs = documents(triples.into_iter().map(Ok::<_, ()>)).unwrap();
        assert_eq!(docs.len(), 2, "{docs:?}");
        assert_eq!(docs[0].iri, event.as_str());
        assert_eq!(docs[0].starts, [1_748_800_800_000]);
        assert_eq!(docs[0].locations, [venue.as_str()]);
        assert!(docs[0].names.is_empty());
        assert_eq!(docs[1].locations, [venue.as_str()]);
        assert!(docs[1].starts.is_empty());
    }
}
