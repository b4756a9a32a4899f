//! A11yJSON `PlaceInfo` records (<https://sozialhelden.github.io/a11yjson/>), as exported by
//! accessibility.cloud: a GeoJSON FeatureCollection of PlaceInfos, a list of them, or one
//! PlaceInfo. Each PlaceInfo is one record: a place and its accessibility.
//!
//! # Mapping
//!
//! The place's IRI is the one the `geojson` connector gives the same OSM element when `sameAs`
//! names one (`{base}id/place/osm-node-123`), so that both sources describe one place; else it
//! is keyed by the accessibility.cloud `_id`, else by name and city. A PlaceInfo with none of
//! these is rejected. It is a `{base}id/venue/…` if its `category` is a cultural one.
//!
//! | A11yJSON (`properties.…`) | RDF |
//! |---|---|
//! | `category` | `rdf:type` `schema:Museum`, `schema:PerformingArtsTheater`, `schema:Library`, …; else `schema:Place` |
//! | `name`, `description` (strings or language maps) | `schema:name`, `schema:description`, language-tagged |
//! | `sameAs` | `owl:sameAs` |
//! | `address.street` + `house`, `postalCode`, `city`, `countryCode` | `schema:address` [`schema:PostalAddress`] |
//! | `phoneNumber`, `emailAddress`, `placeWebsiteUrl` | `schema:telephone`, `schema:email`, `schema:url` |
//! | `geometry` | `geo:hasGeometry`, `schema:geo` as in the `geojson` connector |
//! | `accessibility.accessibleWith.wheelchair` / `partiallyAccessibleWith.wheelchair` | `kn:accessibility` / `kn:wheelchairAccess` `kn:Yes`, `kn:No` / `kn:Limited` |
//! | `….hearingImpairment`, `….blindness` | `kn:hearingSupport`, `kn:visualSupport` |
//! | `accessibility.hasInductionLoop` | `kn:hasInductionLoop` |
//! | `accessibility.restrooms[].isAccessibleWithWheelchair` | `kn:hasToiletWheelchairAccessible` (true if any is) |
//! | `accessibility.wheelchairPlaces.wheelchairUserCapacity` | `kn:wheelchairUserCapacity` |
//! | `accessibility.description` | `kn:accessibilityDescription` |
//! | `accessibility.entrances[]` (Entrance, or a Feature with one as `properties`) | `kn:entrance` [`kn:Entrance`; `kn:isMainEntrance`, `kn:isLevel`, `kn:hasRamp` (`hasFixedRamp` or `hasRemovableRamp`), `kn:hasLift` (`elevatorEquipmentId`, `hasHoist`), `kn:stepCount` and `kn:hasStep` (`stairs.count`), `kn:doorWidth` (`door.width`)] |
//!
//! A quantity (`{value, unit, rawValue, operator}`, a number, or a string such as `">= 90 cm"`)
//! is a `schema:QuantitativeValue` with `schema:value` (or `schema:minValue` / `schema:maxValue`
//! for `>=`, `>`, `<=`, `<`), `schema:unitText` and the raw text as `schema:description`.
//! Placeholders such as `{"...": "..."}`, `null` in lists and values of the wrong type are left
//! out.

use crate::a11y::{Accessibility, Level};
use crate::geometry;
use crate::json::{Raw, as_text, each_feature};
use crate::osm;
use crate::record::{Node, Record};
use crate::reject::Reject;
use crate::text::lang_literal;
use crate::{Connector, ConnectorError, Context, Input, RecordSink};
use kulturnetz_model::Kind;
use kulturnetz_model::vocab::{kn, owl, schema};
use oxrdf::vocab::xsd;
use oxrdf::{BlankNode, Literal, NamedNode, NamedNodeRef};
use serde_json::{Map, Value};

/// The `a11yjson` connector.
pub struct A11yJson;

impl Connector for A11yJson {
    fn kind(&self) -> &'static str {
        "a11yjson"
    }

    fn description(&self) -> &'static str {
        "A11yJSON PlaceInfos from accessibility.cloud: places and their accessibility"
    }

    fn version(&self) -> u32 {
        1
    }

    fn media_types(&self) -> &'static [&'static str] {
        &["application/json", "application/geo+json"]
    }

    fn convert(
        &self,
        input: Input<'_>,
        cx: &Context<'_>,
        out: &mut dyn RecordSink,
    ) -> Result<(), ConnectorError> {
        each_feature(input, "A11yJSON", cx, out, map_place_info)
    }
}

/// A11yJSON categories that make a place a more specific schema.org place, and whether it is a
/// venue (a place where culture happens).
const CATEGORIES: &[(&str, NamedNodeRef<'static>, bool)] = &[
    ("museum", schema::MUSEUM, true),
    ("art_gallery", schema::ART_GALLERY, true),
    ("gallery", schema::ART_GALLERY, true),
    ("theater", schema::PERFORMING_ARTS_THEATER, true),
    ("theatre", schema::PERFORMING_ARTS_THEATER, true),
    ("cinema", schema::MOVIE_THEATER, true),
    ("library", schema::LIBRARY, true),
    ("concert_hall", schema::MUSIC_VENUE, true),
    ("music_venue", schema::MUSIC_VENUE, true),
    ("arts_centre", schema::PLACE, true),
    ("zoo", schema::ZOO, true),
    ("aquarium", schema::AQUARIUM, true),
    ("townhall", schema::CITY_HALL, false),
    ("place_of_worship", schema::PLACE_OF_WORSHIP, false),
    ("restaurant", schema::RESTAURANT, false),
    ("cafe", schema::CAFE_OR_COFFEE_SHOP, false),
    ("toilets", schema::PUBLIC_TOILET, false),
    ("train_station", schema::TRAIN_STATION, false),
    ("bus_stop", schema::BUS_STOP, false),
    ("hotel", schema::HOTEL, false),
];

/// The texts of a LocalizedString: a string, or a map from language tags to strings. Entries
/// whose key is no language tag (placeholders) are left out.
fn localized(value: Option<&Value>) -> Vec<(String, Option<String>)> {
    match value {
        Some(Value::String(s)) => vec![(s.clone(), None)],
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(lang, text)| {
                let text = text.as_str()?;
                let tagged = lang_literal(text, Some(lang));
                tagged
                    .language()
                    .map(|l| (text.to_owned(), Some(l.to_owned())))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn map_place_info(raw: &Raw<'_>, cx: &Context<'_>, t: &mut Record) -> Result<(), Reject> {
    let feature: Value = serde_json::from_str(raw.json.get())
        .map_err(|e| Reject::field("properties", format!("not JSON: {e}")))?;
    let Some(props) = feature.get("properties").and_then(Value::as_object) else {
        return Err(Reject::field(
            "properties",
            "expected a PlaceInfo: a Feature with an object as properties",
        ));
    };
    let (class, venue) = props
        .get("category")
        .and_then(Value::as_str)
        .and_then(|c| CATEGORIES.iter().find(|(k, _, _)| *k == c))
        .map_or((schema::PLACE, false), |(_, class, venue)| (*class, *venue));
    let kind = if venue { Kind::Venue } else { Kind::Place };
    let same_as: Vec<&str> = match props.get("sameAs") {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(s)) => vec![s.as_str()],
        _ => Vec::new(),
    };
    let osm = same_as.iter().find_map(|s| osm::element(s));
    let id = props
        .get("_id")
        .or_else(|| feature.get("_id"))
        .and_then(as_text)
        .filter(|s| !s.trim().is_empty());
    let names = localized(props.get("name"));
    let city = props
        .get("address")
        .and_then(|a| a.get("city"))
        .map(|c| localized(Some(c)))
        .and_then(|c| c.into_iter().next());
    let place = if let Some((ty, n)) = &osm {
        cx.minter.mint(kind, &osm::key(ty, n))
    } else if let Some(id) = &id {
        cx.minter.mint(kind, &format!("accessibility.cloud {id}"))
    } else if let (Some((name, _)), Some((city, _))) = (names.first(), &city)
        && let Some(place) = cx.mint(kind, &format!("{name} {city}"))
    {
        place
    } else {
        return Err(Reject::field(
            "_id",
            "the PlaceInfo has no OSM sameAs, no _id and no name and address.city with a letter or digit, so it cannot get a stable IRI",
        ));
    };
    let subject = t.node(place.clone());
    t.a(subject, class);
    if let Some((ty, n)) = &osm {
        t.link(
            subject,
            owl::SAME_AS,
            &format!("https://www.openstreetmap.org/{ty}/{n}"),
        );
    }
    for iri in &same_as {
        t.link(subject, owl::SAME_AS, iri);
    }
    for (text, lang) in names {
        t.text(subject, schema::NAME, &text, lang.as_deref());
    }
    for (text, lang) in localized(props.get("description")) {
        t.text(subject, schema::DESCRIPTION, &text, lang.as_deref());
    }
    for (key, term) in [
        ("phoneNumber", schema::TELEPHONE),
        ("emailAddress", schema::EMAIL),
    ] {
        if let Some(value) = props.get(key).and_then(as_text) {
            t.text(subject, term, &value, None);
        }
    }
    for key in ["placeWebsiteUrl", "infoPageUrl"] {
        if let Some(url) = props.get(key).and_then(Value::as_str) {
            t.link(subject, schema::URL, url);
        }
    }
    if let Some(address) = props.get("address").and_then(Value::as_object) {
        map_address(address, &place, subject, cx, t);
    }
    if let Some(geometry) = feature.get("geometry") {
        geometry::add(geometry, &place, subject, cx, t);
    }
    if let Some(accessibility) = props.get("accessibility").and_then(Value::as_object) {
        let mut a11y = Accessibility::new(&place, cx, t);
        map_accessibility(accessibility, &mut a11y, cx);
        a11y.finish(subject, t);
    }
    Ok(())
}

fn map_address(
    address: &Map<String, Value>,
    place: &NamedNode,
    subject: Node,
    cx: &Context<'_>,
    t: &mut Record,
) {
    let first = |key: &str| localized(address.get(key)).into_iter().next();
    let street = match (first("street"), address.get("house").and_then(as_text)) {
        (Some((s, _)), Some(h)) => Some(format!("{s} {h}")),
        (s, _) => s.map(|(s, _)| s),
    };
    let parts = [
        (schema::STREET_ADDRESS, street),
        (
            schema::POSTAL_CODE,
            address.get("postalCode").and_then(as_text),
        ),
        (schema::ADDRESS_LOCALITY, first("city").map(|(c, _)| c)),
        (
            schema::ADDRESS_COUNTRY,
            address
                .get("countryCode")
                .and_then(as_text)
                .or_else(|| first("country").map(|(c, _)| c)),
        ),
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

/// A need's level from `accessibleWith` and `partiallyAccessibleWith`.
fn level(accessibility: &Map<String, Value>, need: &str) -> Option<Level> {
    let full = accessibility
        .get("accessibleWith")
        .and_then(|a| a.get(need))
        .and_then(Value::as_bool);
    let partial = accessibility
        .get("partiallyAccessibleWith")
        .and_then(|a| a.get(need))
        .and_then(Value::as_bool);
    match (full, partial) {
        (Some(true), _) => Some(Level::Yes),
        (_, Some(true)) => Some(Level::Limited),
        (Some(false), _) => Some(Level::No),
        _ => None,
    }
}

fn map_accessibility(
    accessibility: &Map<String, Value>,
    a11y: &mut Accessibility,
    cx: &Context<'_>,
) {
    if let Some(level) = level(accessibility, "wheelchair") {
        a11y.wheelchair(level);
    }
    if let Some(level) = level(accessibility, "hearingImpairment") {
        a11y.hearing(level);
    }
    if let Some(level) = level(accessibility, "blindness") {
        a11y.visual(level);
    }
    if let Some(yes) = accessibility
        .get("hasInductionLoop")
        .and_then(Value::as_bool)
    {
        a11y.flag(kn::HAS_INDUCTION_LOOP, yes);
    }
    let toilets: Vec<bool> = match accessibility.get("restrooms") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|r| r.get("isAccessibleWithWheelchair").and_then(Value::as_bool))
            .collect(),
        _ => Vec::new(),
    };
    if !toilets.is_empty() {
        a11y.flag(
            kn::HAS_TOILET_WHEELCHAIR_ACCESSIBLE,
            toilets.contains(&true),
        );
    }
    if let Some(capacity) = accessibility
        .get("wheelchairPlaces")
        .and_then(|w| w.get("wheelchairUserCapacity"))
        .and_then(Value::as_u64)
    {
        a11y.count(kn::WHEELCHAIR_USER_CAPACITY, capacity);
    }
    for (text, lang) in localized(accessibility.get("description")) {
        a11y.description(&text, lang.as_deref());
    }
    if let Some(Value::Array(entrances)) = accessibility.get("entrances") {
        for (index, entrance) in entrances.iter().enumerate() {
            // An entrance is an Entrance, or a GeoJSON Feature with one as its properties.
            let props = entrance
                .get("properties")
                .and_then(Value::as_object)
                .or_else(|| entrance.as_object());
            if let Some(props) = props {
                let (node, blank) = a11y.entrance(index, cx);
                map_entrance(props, node, &blank, a11y.quads(), cx);
            }
        }
    }
}

/// The facts of the entrance `node` (the blank node `blank`).
fn map_entrance(
    props: &Map<String, Value>,
    node: Node,
    blank: &BlankNode,
    t: &mut Record,
    cx: &Context<'_>,
) {
    let flag = |key: &str| props.get(key).and_then(Value::as_bool);
    for (key, term) in [
        ("isMainEntrance", kn::IS_MAIN_ENTRANCE),
        ("isLevel", kn::IS_LEVEL),
    ] {
        if let Some(value) = flag(key) {
            t.add(node, term, Literal::from(value));
        }
    }
    match (flag("hasFixedRamp"), flag("hasRemovableRamp")) {
        (Some(true), _) | (_, Some(true)) => t.add(node, kn::HAS_RAMP, Literal::from(true)),
        (Some(false), Some(false)) => t.add(node, kn::HAS_RAMP, Literal::from(false)),
        _ => {}
    }
    let elevator = props
        .get("elevatorEquipmentId")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty());
    if elevator || flag("hasHoist") == Some(true) {
        t.add(node, kn::HAS_LIFT, Literal::from(true));
    }
    if let Some(count) = props
        .get("stairs")
        .and_then(|s| s.get("count"))
        .and_then(Value::as_u64)
    {
        t.add(node, kn::STEP_COUNT, Literal::from(count as i64));
        t.add(node, kn::HAS_STEP, Literal::from(count > 0));
    }
    if let Some(width) = props.get("door").and_then(|d| d.get("width")) {
        let width_node = cx.part_node(blank.as_str(), "door-width");
        if let Some(quantity) = quantity(width, width_node, t) {
            t.add(node, kn::DOOR_WIDTH, quantity);
        }
    }
}

/// A quantity as a `schema:QuantitativeValue` node, if it says anything.
fn quantity(value: &Value, node: BlankNode, t: &mut Record) -> Option<Node> {
    let (number, unit, raw, operator) = match value {
        Value::Number(n) => (n.as_f64(), None, None, None),
        Value::String(s) => (None, None, Some(s.clone()), None),
        Value::Object(q) => (
            q.get("value").and_then(Value::as_f64),
            q.get("unit").and_then(Value::as_str).map(str::to_owned),
            q.get("rawValue").and_then(Value::as_str).map(str::to_owned),
            q.get("operator").and_then(Value::as_str).map(str::to_owned),
        ),
        _ => return None,
    };
    if number.is_none() && raw.is_none() {
        return None;
    }
    let node = t.node(node);
    t.a(node, schema::QUANTITATIVE_VALUE);
    if let Some(number) = number.filter(|n| n.is_finite()) {
        let term = match operator.as_deref().map(str::trim) {
            Some(">=" | ">" | "≥") => schema::MIN_VALUE,
            Some("<=" | "<" | "≤") => schema::MAX_VALUE,
            _ => schema::VALUE,
        };
        let mut text = number.to_string();
        if !text.contains('.') {
            text.push_str(".0");
        }
        t.typed(node, term, &text, xsd::DECIMAL);
    }
    if let Some(unit) = unit {
        t.text(node, schema::UNIT_TEXT, &unit, None);
    }
    if let Some(raw) = raw {
        t.text(node, schema::DESCRIPTION, &raw, None);
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn localized_strings_skip_placeholders() {
        assert_eq!(
            localized(Some(&json!({"de": "Rathaus", "...": "...", "en": 3}))),
            [("Rathaus".to_owned(), Some("de".to_owned()))]
        );
        assert_eq!(localized(Some(&json!("Rathaus"))).len(), 1);
        assert!(localized(Some(&json!(null))).is_empty());
    }

    #[test]
    fn quantities_with_operators() {
        let minter = kulturnetz_model::Minter::new("https://x.example/").unwrap();
        let cx = Context::new("s", &minter);
        let mut t = Record::default();
        let node = cx.blank_node("q");
        let q = json!({"value": 90, "unit": "cm", "rawValue": ">= 90 cm", "operator": ">="});
        assert!(quantity(&q, node.clone(), &mut t).is_some());
        let text: Vec<String> = t.quads_as_text();
        assert!(
            text.iter().any(|q| q.contains("minValue> \"90.0\"")),
            "{text:?}"
        );
        let mut t = Record::default();
        assert!(quantity(&json!({"...": "..."}), node.clone(), &mut t).is_none());
        assert!(quantity(&json!(null), node, &mut t).is_none());
    }

    #[test]
    fn levels_from_accessible_with() {
        let a = json!({"accessibleWith": {"wheelchair": false}, "partiallyAccessibleWith": {"wheelchair": true}});
        assert_eq!(
            level(a.as_object().unwrap(), "wheelchair"),
            Some(Level::Limited)
        );
        let a = json!({"accessibleWith": {"wheelchair": "yes"}});
        assert_eq!(level(a.as_object().unwrap(), "wheelchair"), None);
    }
}
