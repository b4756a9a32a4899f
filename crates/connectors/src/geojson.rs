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
//! Properties that are none of these are left out; after the last feature, one note names them,
//! each with the number of features that had it.
//!
//! # Options
//!
//! GeoJSON from elsewhere than OSM (a city's open-data portal, say) has other property names
//! and often no id. Three options (`[[source]]` keys, or `--option key=value` of
//! `kulturnetz convert`) read it anyway:
//!
//! - `key = "<property>"`: a feature without an OSM element id is keyed by that property,
//!   prefixed with the source id (`{base}id/place/{source}-{value}`); a feature where it is
//!   missing or blank is rejected, naming the property.
//! - `key = "coordinates"`: keyed by its Point (or `centroid`), latitude and longitude rounded
//!   to 5 decimals (about 1 m) with their hemisphere (`…/{source}-52-52000n-13-40500e`). A
//!   position read again from a new export of the same fixed place rounds the same, and two
//!   places a metre apart are rare. It is opt-in: a place that moves, or is re-surveyed by more
//!   than a metre, gets a new IRI, so it suits fixed places only.
//! - `label = "<property>"`: that property is read as `name` (`schema:name`).
//! - `tags = "<property>=<tag>, …"`: each property is read as that OSM tag, e.g.
//!   `tags = "Description=description, isHandicappedAccessible=wheelchair"` (`1` and `0` count
//!   as `yes` and `no`).
//!
//! An OSM element id always keys its feature, whatever the options, so that an element is one
//! place in every source. When most features of an input are rejected for want of a key, one
//! note says which option would fix it, listing the properties the features have.

use crate::a11y::Accessibility;
use crate::geometry;
use crate::json::{Raw, as_text, each_feature};
use crate::osm::{self, Id, parse_id};
use crate::record::{Node, Record};
use crate::reject::Reject;
use crate::text::clean;
use crate::{Connector, ConnectorError, Context, Input, RecordSink};
use kulturnetz_model::text::{MESSAGE_VALUE_CHARS, clip};
use kulturnetz_model::vocab::{kn, owl, schema};
use kulturnetz_model::{Diagnostic, Kind, Location, OptionSpec};
use oxrdf::{Literal, NamedNode, NamedNodeRef};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The `geojson` connector.
pub struct GeoJson;

impl Connector for GeoJson {
    fn kind(&self) -> &'static str {
        "geojson"
    }

    fn options(&self) -> &'static [OptionSpec] {
        &[
            OptionSpec {
                key: "key",
                required: false,
                about: "the property that identifies a feature, or \"coordinates\" for fixed places",
            },
            OptionSpec {
                key: "label",
                required: false,
                about: "the property that names a feature",
            },
            OptionSpec {
                key: "tags",
                required: false,
                about: "properties read as OSM tags, e.g. \"isHandicappedAccessible=wheelchair\"",
            },
        ]
    }

    fn description(&self) -> &'static str {
        "GeoJSON places: OSM tags as they are, other properties by the options key, label and tags"
    }

    fn version(&self) -> u32 {
        2
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
        let options = Options::parse(cx)?;
        let mut tally = Tally::default();
        let name = input.name;
        each_feature(input, "GeoJSON", cx, out, |raw, cx, t| {
            map_feature(raw, cx, t, &options, &mut tally)
        })?;
        tally.notes(name, out)
    }
}

/// Where a feature without an OSM element id gets its key from (option `key`).
enum KeyFrom {
    /// A property, prefixed with the source id.
    Property(String),
    /// The Point, rounded to 5 decimals.
    Coordinates,
}

/// The options of the `geojson` connector (see the module doc).
struct Options {
    key: Option<KeyFrom>,
    /// Source properties read as OSM tags: (property, tag).
    tags: Vec<(String, String)>,
}

impl Options {
    fn parse(cx: &Context<'_>) -> Result<Self, ConnectorError> {
        let bad = |key: &str, message: &str| ConnectorError::Option {
            key: key.to_owned(),
            message: message.to_owned(),
        };
        let key = match cx.option_str("key")?.map(str::trim) {
            None => None,
            Some("") => {
                return Err(bad(
                    "key",
                    "expected a property name or \"coordinates\", found an empty string",
                ));
            }
            Some("coordinates") => Some(KeyFrom::Coordinates),
            Some(property) => Some(KeyFrom::Property(property.to_owned())),
        };
        let mut tags = Vec::new();
        if let Some(label) = cx.option_str("label")? {
            if label.trim().is_empty() {
                return Err(bad(
                    "label",
                    "expected a property name, found an empty string",
                ));
            }
            tags.push((label.trim().to_owned(), "name".to_owned()));
        }
        for pair in cx.option_str("tags")?.unwrap_or("").split(',') {
            if pair.trim().is_empty() {
                continue;
            }
            match pair.split_once('=') {
                Some((from, to)) if !from.trim().is_empty() && !to.trim().is_empty() => {
                    tags.push((from.trim().to_owned(), to.trim().to_owned()));
                }
                _ => {
                    return Err(bad(
                        "tags",
                        &format!(
                            "expected \"<property>=<tag>, …\", found {:?}",
                            clip(pair.trim(), MESSAGE_VALUE_CHARS)
                        ),
                    ));
                }
            }
        }
        Ok(Self { key, tags })
    }
}

/// What the features of one input had in common, for the notes after the last one.
#[derive(Default)]
struct Tally {
    features: u64,
    /// Features rejected for want of a key, and the properties they had (in the order met).
    keyless: u64,
    keyless_properties: Vec<String>,
    /// Properties left out, with the number of features that had each.
    dropped: BTreeMap<String, u64>,
}

/// How many property names a note lists before it says how many more there are.
const NOTE_NAMES: usize = 10;

impl Tally {
    /// The notes of an input: the properties left out, and the option that would key most
    /// features if most had no key.
    fn notes(self, name: &str, out: &mut dyn RecordSink) -> Result<(), ConnectorError> {
        if !self.dropped.is_empty() {
            let mut dropped: Vec<(&String, &u64)> = self.dropped.iter().collect();
            dropped.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let mut list: Vec<String> = dropped
                .iter()
                .take(NOTE_NAMES)
                .map(|(p, n)| format!("{} ({n})", clip(p, MESSAGE_VALUE_CHARS)))
                .collect();
            if dropped.len() > NOTE_NAMES {
                list.push(format!("and {} more", dropped.len() - NOTE_NAMES));
            }
            out.note(
                Diagnostic::new(
                    Location::file(name),
                    format!(
                        "{} left out, not being OSM tags this connector maps (features with each): {}",
                        match dropped.len() {
                            1 => "1 property".to_owned(),
                            n => format!("{n} properties"),
                        },
                        list.join(", ")
                    ),
                )
                .with_hint("read one as an OSM tag with the option `tags = \"<property>=<tag>\"`, or as the name with `label = \"<property>\"`"),
            )?;
        }
        if self.keyless > 0 && 2 * self.keyless > self.features {
            let mut names: Vec<String> = self
                .keyless_properties
                .iter()
                .take(NOTE_NAMES)
                .map(|p| clip(p, MESSAGE_VALUE_CHARS).into_owned())
                .collect();
            if self.keyless_properties.len() > NOTE_NAMES {
                names.push("…".to_owned());
            }
            let properties = if names.is_empty() {
                String::new()
            } else {
                format!(" to one of the properties {}", names.join(", "))
            };
            out.note(
                Diagnostic::new(
                    Location::file(name).with_field("id"),
                    format!(
                        "{} of {} features have no id (id, _id or @id) and no name and addr:city",
                        self.keyless, self.features
                    ),
                )
                .with_hint(format!(
                    "set `key = \"…\"`{properties}, or `key = \"coordinates\"` for fixed places (the point rounded to 5 decimals, about 1 m)"
                )),
            )?;
        }
        Ok(())
    }
}

/// OSM tags (and GeoJSON members) read other than by [`map_tag`].
fn read_elsewhere(key: &str) -> bool {
    matches!(key, "id" | "_id" | "@id")
        || key.starts_with("addr:")
        || TYPES.iter().any(|(tag, ..)| *tag == key)
}

/// A coordinate rounded to 5 decimals (1e-5 degrees, about 1.1 m of latitude) with its
/// hemisphere, since a slug keeps no minus sign: `52.52000n`.
fn degrees(value: f64, positive: char, negative: char) -> String {
    let steps = (value * 1e5).round() as i64;
    let hemisphere = if steps < 0 { negative } else { positive };
    let steps = steps.unsigned_abs();
    format!("{}.{:05}{hemisphere}", steps / 100_000, steps % 100_000)
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

fn map_feature(
    raw: &Raw<'_>,
    cx: &Context<'_>,
    t: &mut Record,
    options: &Options,
    tally: &mut Tally,
) -> Result<(), Reject> {
    tally.features += 1;
    let feature: Value = serde_json::from_str(raw.json.get())
        .map_err(|e| Reject::record(format!("not JSON: {e}")))?;
    let Value::Object(feature) = feature else {
        return Err(Reject::record("expected a GeoJSON Feature object"));
    };
    let empty = Map::new();
    let properties = match feature.get("properties") {
        Some(Value::Object(p)) => p,
        _ => &empty,
    };
    // The properties as OSM tags: those the option `tags` names under their tag.
    let renamed;
    let tags = if options.tags.is_empty() {
        properties
    } else {
        let mut map = properties.clone();
        for (from, to) in &options.tags {
            if let Some(value) = properties.get(from) {
                map.remove(from);
                map.insert(to.clone(), value.clone());
            }
        }
        renamed = map;
        &renamed
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
    let no_key = |field: &str, what: &str| {
        Reject::field(
            field,
            format!(
                "the feature's {what} has nothing to make a key of (no letter or digit), so it cannot get a stable IRI"
            ),
        )
    };
    let (place, element) = match (&id, &options.key) {
        (Some(Id::Osm(Some(ty), n)), _) => (
            cx.mint(kind, &osm::key(ty, n))
                .ok_or_else(|| no_key("id", "id"))?,
            Some((ty, n)),
        ),
        (_, Some(KeyFrom::Property(property))) => {
            let value = properties
                .get(property)
                .and_then(as_text)
                .and_then(|v| clean(&v))
                .ok_or_else(|| {
                    Reject::field(
                        property.as_str(),
                        format!("the key property {property:?} (option `key`) is missing or blank"),
                    )
                })?;
            let place = cx
                .mint(kind, &format!("{} {value}", cx.source_id))
                .filter(|_| !kulturnetz_model::slug(&value).is_empty())
                .ok_or_else(|| no_key(property, "key property"))?;
            (place, None)
        }
        (_, Some(KeyFrom::Coordinates)) => {
            let position = match feature.get("geometry") {
                Some(g) if g.get("type").and_then(Value::as_str) == Some("Point") => {
                    geometry::point(g.get("coordinates"))
                }
                _ => feature
                    .get("centroid")
                    .and_then(|c| geometry::point(c.get("coordinates"))),
            };
            let (lon, lat) = position.ok_or_else(|| {
                Reject::field(
                    "geometry",
                    "`key = \"coordinates\"` needs a valid Point geometry (or a centroid), and the feature has none",
                )
            })?;
            let key = format!(
                "{} {} {}",
                cx.source_id,
                degrees(lat, 'n', 's'),
                degrees(lon, 'e', 'w')
            );
            (
                cx.mint(kind, &key)
                    .ok_or_else(|| no_key("geometry", "position"))?,
                None,
            )
        }
        (Some(Id::Osm(None, n)), None) => (
            cx.mint(kind, &format!("osm {n}"))
                .ok_or_else(|| no_key("id", "id"))?,
            None,
        ),
        (Some(Id::Other(other)), None) => (
            cx.mint(kind, &format!("{} {other}", cx.source_id))
                .filter(|_| !kulturnetz_model::slug(other).is_empty())
                .ok_or_else(|| no_key("id", "id"))?,
            None,
        ),
        (None, None) => match (tag("name"), tag("addr:city")) {
            (Some(name), Some(city)) => (
                cx.mint(kind, &format!("{name} {city}"))
                    .ok_or_else(|| no_key("name", "name and addr:city"))?,
                None,
            ),
            _ => {
                tally.keyless += 1;
                for property in properties.keys() {
                    if !tally.keyless_properties.contains(property)
                        && tally.keyless_properties.len() <= NOTE_NAMES
                    {
                        tally.keyless_properties.push(property.clone());
                    }
                }
                return Err(Reject::field(
                    "id",
                    "the feature has no id (id, _id or @id) and no name and addr:city, so it cannot get a stable IRI",
                )
                .with_hint("set the option `key` to a property that identifies the feature, or to \"coordinates\" for a fixed place"));
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
        if !map_tag(key, &value, subject, t, &mut a11y, cx)
            && !read_elsewhere(key)
            && !matches!(&options.key, Some(KeyFrom::Property(p)) if p == key)
        {
            *tally.dropped.entry(key.clone()).or_default() += 1;
        }
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

/// Maps one OSM tag; `false` if the connector does not know it (it is left out).
fn map_tag(
    key: &str,
    value: &str,
    subject: Node,
    t: &mut Record,
    a11y: &mut Accessibility,
    cx: &Context<'_>,
) -> bool {
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
                let mut known = false;
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
                        _ => continue,
                    }
                    known = true;
                }
                return known;
            }
        }
    }
    true
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
