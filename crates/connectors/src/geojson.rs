//! GeoJSON (<https://www.rfc-editor.org/rfc/rfc7946>) exported from OpenStreetMap, whose feature
//! properties are OSM tags (<https://wiki.openstreetmap.org/wiki/Map_features>): one record per
//! feature, each a `schema:Place`.
//!
//! # Mapping
//!
//! The IRI is `{base}id/venue/{key}` for places where culture happens (museums, galleries,
//! theatres, cinemas, libraries, arts centres, zoos) and `{base}id/place/{key}` otherwise. The
//! key comes from the OSM id in `id`, `_id` or `@id` (of the feature or its properties):
//! `osm-node-123` for `node/123`; a bare number, whose element type is unknown, gives
//! `osm-123`; another id is taken as it is, prefixed with the source id. A feature without an id
//! is keyed by `name` and `addr:city`; with neither, it is rejected.
//!
//! | OSM | RDF |
//! |---|---|
//! | `tourism`, `amenity`, `historic`, … | `rdf:type`: `schema:Museum`, `schema:ArtGallery`, `schema:PerformingArtsTheater`, `schema:Library`, … (see `TYPES`); else `schema:Place` |
//! | `name`; `name:<lang>` | `schema:name`; language-tagged |
//! | `alt_name`, `old_name`, `official_name`, `short_name` | `schema:alternateName` |
//! | `addr:street` + `addr:housenumber`, `addr:postcode`, `addr:city`, `addr:country` | `schema:address` [`schema:PostalAddress`; `schema:streetAddress`, `schema:postalCode`, `schema:addressLocality`, `schema:addressCountry`] |
//! | `website`, `contact:website`, `url` | `schema:url` |
//! | `phone`, `contact:phone`; `email`, `contact:email` | `schema:telephone`; `schema:email` |
//! | `opening_hours` | `schema:openingHours` (OSM syntax, as it is) |
//! | `description`, `description:<lang>` | `schema:description` |
//! | `image` | `schema:image` |
//! | `wikidata` | `owl:sameAs` `<http://www.wikidata.org/entity/Q…>` |
//! | `ref:isil` | `schema:identifier` |
//! | the OSM element | `owl:sameAs` `<https://www.openstreetmap.org/{type}/{id}>` |
//! | `geometry` (Point, LineString, Polygon, Multi…) | `geo:hasGeometry` [`geo:asWKT` `"POINT(lon lat)"^^geo:wktLiteral`] |
//! | a Point, or the `centroid` of another geometry | `schema:geo` [`schema:GeoCoordinates`; `schema:latitude`, `schema:longitude`] |
//! | `wheelchair` | `kn:accessibility` / `kn:wheelchairAccess` `kn:Yes`, `kn:Limited`, `kn:No` |
//! | `toilets:wheelchair` | `kn:hasToiletWheelchairAccessible` |
//! | `hearing_impaired`; `hearing_impaired:induction_loop`, `induction_loop` | `kn:hearingSupport`; `kn:hasInductionLoop` |
//! | `blind`; `tactile_paving` | `kn:visualSupport`; `kn:hasTactilePaving` |
//! | `wheelchair:description`, `blind:description`, `deaf:description`, `hearing_impaired:description` (each also `:<lang>`) | `kn:accessibilityDescription` |
//! | `step_count`, `ramp:wheelchair` / `ramp` | `kn:entrance` [`kn:stepCount`, `kn:hasStep`; `kn:hasRamp`] |
//!
//! Values are strings or numbers alike; `;` separates several values. A geometry that is not
//! valid GeoJSON (bad coordinates, placeholders) is left out and the rest of the feature loads.

use crate::a11y::Accessibility;
use crate::geometry;
use crate::json::{Raw, as_text, each_feature};
use crate::osm::{self, Id, parse_id};
use crate::record::{Node, Record};
use crate::reject::Reject;
use crate::text::clean;
use crate::{Connector, ConnectorError, Context, Input, RecordSink};
use kulturnetz_model::Kind;
use kulturnetz_model::vocab::{kn, owl, schema};
use oxrdf::{Literal, NamedNode, NamedNodeRef};
use serde_json::{Map, Value};

/// The `geojson` connector.
pub struct GeoJson;

impl Connector for GeoJson {
    fn kind(&self) -> &'static str {
        "geojson"
    }

    fn description(&self) -> &'static str {
        "GeoJSON exported from OpenStreetMap: places, venues and their accessibility tags"
    }

    fn version(&self) -> u32 {
        1
    }

    fn media_types(&self) -> &'static [&'static str] {
        &["application/geo+json", "application/json"]
    }

    fn convert(
        &self,
        input: Input<'_>,
        cx: &Context<'_>,
        out: &mut dyn RecordSink,
    ) -> Result<(), ConnectorError> {
        each_feature(input, "GeoJSON", cx, out, map_feature)
    }
}

/// OSM tags that make a feature a more specific schema.org place, the first match winning, and
/// whether it is a venue (a place where culture happens).
const TYPES: &[(&str, &str, NamedNodeRef<'static>, bool)] = &[
    ("tourism", "museum", schema::MUSEUM, true),
    ("tourism", "gallery", schema::ART_GALLERY, true),
    ("amenity", "theatre", schema::PERFORMING_ARTS_THEATER, true),
    ("amenity", "cinema", schema::MOVIE_THEATER, true),
    ("amenity", "library", schema::LIBRARY, true),
    ("amenity", "music_venue", schema::MUSIC_VENUE, true),
    ("amenity", "arts_centre", schema::PLACE, true),
    ("amenity", "planetarium", schema::PLACE, true),
    ("tourism", "zoo", schema::ZOO, true),
    ("tourism", "aquarium", schema::AQUARIUM, true),
    (
        "historic",
        "castle",
        schema::LANDMARKS_OR_HISTORICAL_BUILDINGS,
        false,
    ),
    (
        "historic",
        "monument",
        schema::LANDMARKS_OR_HISTORICAL_BUILDINGS,
        false,
    ),
    (
        "historic",
        "memorial",
        schema::LANDMARKS_OR_HISTORICAL_BUILDINGS,
        false,
    ),
    ("amenity", "townhall", schema::CITY_HALL, false),
    (
        "amenity",
        "place_of_worship",
        schema::PLACE_OF_WORSHIP,
        false,
    ),
    ("amenity", "restaurant", schema::RESTAURANT, false),
    ("amenity", "fast_food", schema::FAST_FOOD_RESTAURANT, false),
    ("amenity", "cafe", schema::CAFE_OR_COFFEE_SHOP, false),
    ("amenity", "bar", schema::BAR_OR_PUB, false),
    ("amenity", "pub", schema::BAR_OR_PUB, false),
    ("amenity", "toilets", schema::PUBLIC_TOILET, false),
    ("amenity", "parking", schema::PARKING_FACILITY, false),
    ("amenity", "pharmacy", schema::PHARMACY, false),
    ("amenity", "bank", schema::BANK_OR_CREDIT_UNION, false),
    ("railway", "station", schema::TRAIN_STATION, false),
    ("public_transport", "station", schema::TRAIN_STATION, false),
    ("highway", "bus_stop", schema::BUS_STOP, false),
    ("leisure", "park", schema::PARK, false),
    ("tourism", "hotel", schema::HOTEL, false),
    ("shop", "*", schema::STORE, false),
    ("tourism", "attraction", schema::TOURIST_ATTRACTION, false),
];

fn map_feature(raw: &Raw<'_>, cx: &Context<'_>, t: &mut Record) -> Result<(), Reject> {
    let feature: Value = serde_json::from_str(raw.json.get())
        .map_err(|e| Reject::record(format!("not JSON: {e}")))?;
    let Value::Object(feature) = feature else {
        return Err(Reject::record("expected a GeoJSON Feature object"));
    };
    let empty = Map::new();
    let tags = match feature.get("properties") {
        Some(Value::Object(p)) => p,
        _ => &empty,
    };
    let tag = |key: &str| tags.get(key).and_then(as_text).and_then(|v| clean(&v));
    let id = ["id", "_id", "@id"]
        .iter()
        .find_map(|k| feature.get(*k).and_then(parse_id))
        .or_else(|| {
            ["@id", "id", "_id"]
                .iter()
                .find_map(|k| tags.get(*k).and_then(parse_id))
        });
    let (class, venue) = place_type(tags);
    let kind = if venue { Kind::Venue } else { Kind::Place };
    let (place, element) = match &id {
        Some(Id::Osm(Some(ty), n)) => (cx.minter.mint(kind, &osm::key(ty, n)), Some((ty, n))),
        Some(Id::Osm(None, n)) => (cx.minter.mint(kind, &format!("osm {n}")), None),
        Some(Id::Other(other)) => (
            cx.minter.mint(kind, &format!("{} {other}", cx.source_id)),
            None,
        ),
        None => match (tag("name"), tag("addr:city")) {
            (Some(name), Some(city)) => (cx.minter.mint(kind, &format!("{name} {city}")), None),
            _ => {
                return Err(Reject::field(
                    "id",
                    "the feature has no id (id, _id or @id) and no name and addr:city, so it cannot get a stable IRI",
                ));
            }
        },
    };
    let subject = t.node(place.clone());
    t.a(subject, class);
    if let Some((ty, n)) = element {
        t.link(
            subject,
            owl::SAME_AS,
            &format!("https://www.openstreetmap.org/{ty}/{n}"),
        );
    }
    let mut a11y = Accessibility::new(&place, cx, t);
    for (key, value) in tags {
        let Some(value) = as_text(value) else {
            continue;
        };
        map_tag(key, &value, subject, t, &mut a11y, cx);
    }
    address(tags, &place, subject, cx, t);
    if let Some(geometry) = feature.get("geometry") {
        geometry::add(geometry, &place, subject, cx, t);
    }
    if !matches!(feature.get("geometry"), Some(g) if g.get("type").and_then(Value::as_str) == Some("Point"))
        && let Some(centroid) = feature.get("centroid")
        && let Some((lon, lat)) = geometry::point(centroid.get("coordinates"))
    {
        geometry::add_coordinates(lon, lat, &place, subject, cx, t);
    }
    a11y.finish(subject, t);
    Ok(())
}

/// The schema.org class of the first tag in [`TYPES`] that the feature has.
fn place_type(tags: &Map<String, Value>) -> (NamedNodeRef<'static>, bool) {
    for (key, value, class, venue) in TYPES {
        if let Some(tag) = tags.get(*key).and_then(as_text)
            && (*value == "*" || tag.split(';').any(|v| v.trim() == *value))
        {
            return (*class, *venue);
        }
    }
    (schema::PLACE, false)
}

/// The values of a `;`-separated tag.
fn values(value: &str) -> impl Iterator<Item = &str> {
    value.split(';').map(str::trim).filter(|v| !v.is_empty())
}

fn map_tag(
    key: &str,
    value: &str,
    subject: Node,
    t: &mut Record,
    a11y: &mut Accessibility,
    cx: &Context<'_>,
) {
    match key {
        "name" => t.text(subject, schema::NAME, value, None),
        "alt_name" | "old_name" | "official_name" | "short_name" => {
            for v in values(value) {
                t.text(subject, schema::ALTERNATE_NAME, v, None);
            }
        }
        "website" | "contact:website" | "url" => {
            for v in values(value) {
                let v = if v.starts_with("www.") {
                    format!("http://{v}")
                } else {
                    v.to_owned()
                };
                t.link(subject, schema::URL, &v);
            }
        }
        "phone" | "contact:phone" => {
            for v in values(value) {
                t.text(subject, schema::TELEPHONE, v, None);
            }
        }
        "email" | "contact:email" => {
            for v in values(value) {
                t.text(subject, schema::EMAIL, v, None);
            }
        }
        "opening_hours" => t.text(subject, schema::OPENING_HOURS, value, None),
        "description" => t.text(subject, schema::DESCRIPTION, value, None),
        "image" => {
            for v in values(value) {
                t.link(subject, schema::IMAGE, v);
            }
        }
        "ref:isil" => {
            for v in values(value) {
                t.text(subject, schema::IDENTIFIER, v, None);
            }
        }
        "wikidata" => {
            for v in values(value) {
                if v.len() > 1 && v.starts_with('Q') && v[1..].bytes().all(|b| b.is_ascii_digit()) {
                    t.link(
                        subject,
                        owl::SAME_AS,
                        &format!("http://www.wikidata.org/entity/{v}"),
                    );
                }
            }
        }
        "wheelchair" => {
            if let Some(level) = osm::level(value) {
                a11y.wheelchair(level);
            }
        }
        "toilets:wheelchair" => {
            if let Some(yes) = osm::yes_no(value) {
                a11y.flag(kn::HAS_TOILET_WHEELCHAIR_ACCESSIBLE, yes);
            }
        }
        "hearing_impaired" => {
            if let Some(level) = osm::level(value) {
                a11y.hearing(level);
            }
        }
        "hearing_impaired:induction_loop" | "induction_loop" => {
            if let Some(yes) = osm::yes_no(value) {
                a11y.flag(kn::HAS_INDUCTION_LOOP, yes);
            }
        }
        "blind" => {
            if let Some(level) = osm::level(value) {
                a11y.visual(level);
            }
        }
        "tactile_paving" => {
            if let Some(yes) = osm::yes_no(value) {
                a11y.flag(kn::HAS_TACTILE_PAVING, yes);
            }
        }
        "step_count" => {
            if let Ok(n) = value.trim().parse::<u64>() {
                let (entrance, _) = a11y.entrance(0, cx);
                a11y.quads()
                    .add(entrance, kn::STEP_COUNT, Literal::from(n as i64));
                a11y.quads()
                    .add(entrance, kn::HAS_STEP, Literal::from(n > 0));
            }
        }
        "ramp:wheelchair" | "ramp" => {
            if let Some(yes) = osm::yes_no(value) {
                let (entrance, _) = a11y.entrance(0, cx);
                a11y.quads().add(entrance, kn::HAS_RAMP, Literal::from(yes));
            }
        }
        _ => {
            if let Some(lang) = key.strip_prefix("name:") {
                t.text(subject, schema::NAME, value, Some(lang));
            } else if let Some(lang) = key.strip_prefix("description:") {
                t.text(subject, schema::DESCRIPTION, value, Some(lang));
            } else {
                for prefix in [
                    "wheelchair:description",
                    "blind:description",
                    "deaf:description",
                    "hearing_impaired:description",
                ] {
                    match key.strip_prefix(prefix) {
                        Some("") => a11y.description(value, None),
                        Some(lang) if lang.starts_with(':') => {
                            a11y.description(value, Some(&lang[1..]))
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

/// `schema:address` from the `addr:*` tags, if there are any.
fn address(
    tags: &Map<String, Value>,
    place: &NamedNode,
    subject: Node,
    cx: &Context<'_>,
    t: &mut Record,
) {
    let tag = |key: &str| tags.get(key).and_then(as_text).and_then(|v| clean(&v));
    let street = match (tag("addr:street"), tag("addr:housenumber")) {
        (Some(s), Some(n)) => Some(format!("{s} {n}")),
        (s, _) => s,
    };
    let parts = [
        (schema::STREET_ADDRESS, street),
        (schema::POSTAL_CODE, tag("addr:postcode")),
        (schema::ADDRESS_LOCALITY, tag("addr:city")),
        (schema::ADDRESS_COUNTRY, tag("addr:country")),
    ];
    if parts.iter().all(|(_, v)| v.is_none()) {
        return;
    }
    let node = t.node(cx.part_node(place.as_str(), "address"));
    t.add(subject, schema::ADDRESS, node);
    t.a(node, schema::POSTAL_ADDRESS);
    for (term, value) in parts {
        if let Some(value) = value {
            t.text(node, term, &value, None);
        }
    }
}
