//! The mapping of a LIDO record to schema.org (<https://schema.org/CreativeWork>): the data
//! contract of the `lido` connector.
//!
//! # Mapping
//!
//! The record becomes a `schema:CreativeWork` with the IRI `{base}id/object/{key}`, the key being
//! `lido:lidoRecID` or, failing that, the first `lido:objectPublishedID` (without `http://` or
//! `https://`). A record with neither is
//! rejected. `xml:lang` is inherited, so text under `lido:descriptiveMetadata xml:lang="de"` is
//! German unless it says otherwise. Text has its whitespace runs collapsed; empty elements are
//! ignored.
//!
//! | LIDO | RDF |
//! |---|---|
//! | `lidoRecID` | `schema:identifier` |
//! | `objectPublishedID` (a URI) | `schema:sameAs` |
//! | `category/conceptID`, `objectWorkType/conceptID` (URIs) | `schema:additionalType` |
//! | `objectWorkType/term` | `schema:genre` (language-tagged); a photograph, painting, drawing or print also makes the record a `schema:VisualArtwork` |
//! | `classification/term` | `schema:keywords` |
//! | `titleSet/appellationValue` | `schema:name` (language-tagged); `schema:alternateName` if marked as alternative (`lido:pref`) |
//! | `objectDescriptionSet/descriptiveNoteValue` | `schema:description` |
//! | `eventActor/actorInRole/actor` | `schema:creator` in a production or creation event or with a creating role (artist, author, photographer, …), else `schema:contributor` (unless also a creator): a `schema:Person` (`{base}id/person/{key}`) or, if the actor's type says so, a `schema:Organization`, keyed by the actor's first URI (without its scheme), else the source id, `lido:source` and local ID (a local ID means something only within its source), else its name; every URI ID is an `owl:sameAs` |
//! | `nameActorSet/appellationValue` | the actor's `schema:name` or `schema:alternateName`, without a language: names are the same in every language |
//! | production `eventDate/date/earliestDate`, `latestDate` | `schema:dateCreated` (`xsd:gYear`, `xsd:gYearMonth` or `xsd:date`) if both are one such date, else `schema:temporalCoverage` `"earliest/latest"` |
//! | production `eventDate/displayDate` | `schema:temporalCoverage` when there is no structured date |
//! | production `eventPlace/place` | `schema:locationCreated`: a `schema:Place` (`{base}id/place/{key}`), keyed by the place's first URI (without its scheme), else the source id and its local ID or name; `schema:name`/`schema:alternateName` from `namePlaceSet` (with a language only where a name has its own `xml:lang`: place names do not take the record's), every URI ID an `owl:sameAs`; a production `eventPlace` with only `displayPlace` gives a place of that name |
//! | `termMaterialsTech/term` of type material, else `displayMaterialsTech` | `schema:material` |
//! | `objectMeasurementsSet/objectMeasurements/measurementsSet` | `schema:height`, `schema:width`, `schema:depth` or `schema:weight` by `measurementType` (English or German), any other type `schema:size`: a `schema:QuantitativeValue` with `schema:value` (`xsd:decimal`; a decimal comma is read), `schema:unitText`, `schema:unitCode` (UN/CEFACT, for mm, cm, m, g, kg) and `schema:name` (the type) |
//! | `displayObjectMeasurements` | `schema:size` (text) when there is no structured measurement |
//! | `inscriptions/inscriptionTranscription` | `kn:inscription` (language-tagged): the text an object carries, such as a coin's legend |
//! | `termMaterialsTech` of type technique | `schema:keywords` |
//! | `subjectConcept/conceptID` (URIs) | `schema:about` |
//! | `repositorySet/repositoryName` | `schema:holdingArchive`, a `schema:Organization` `{base}id/organization/{ISIL or name}` with `schema:name`, `schema:url` (`legalBodyWeblink`), `schema:identifier` (the ISIL) and `owl:sameAs` (a `legalBodyID` URI) |
//! | `repositorySet/workID` | `schema:identifier` (the inventory number) |
//! | `rightsWorkSet/rightsType/conceptID` | `schema:license` |
//! | `recordRights/rightsType/conceptID` | `schema:sdLicense`: the licence of the metadata, which is what this record is |
//! | `recordInfoLink` | `schema:url` |
//! | `resourceRepresentation/linkResource` | `schema:image`: per resource set the master image (or the first web link); thumbnails are `schema:thumbnailUrl` |

use super::read::El;
use crate::Context;
use crate::record::{Node, Record};
use crate::reject::Reject;
use crate::text::{lang_literal, web_iri};
use kulturnetz_model::Kind;
use kulturnetz_model::vocab::{kn, owl, schema};
use oxrdf::vocab::xsd;
use oxrdf::{Literal, NamedNodeRef};

/// Whether `key` can key an IRI: it has a letter or digit, so that its slug is not empty and
/// the IRI does not end in `/id/{kind}/`.
fn keyed(key: &str) -> bool {
    !kulturnetz_model::slug(key).is_empty()
}

/// Maps one record into `t`, or says which field makes it unusable.
pub(super) fn map_record(rec: &El, cx: &Context<'_>, t: &mut Record) -> Result<(), Reject> {
    let no_key = || {
        Reject::field(
            "lidoRecID",
            "the record has no lido:lidoRecID and no lido:objectPublishedID with a letter or digit, so it cannot get a stable IRI",
        )
    };
    let key = rec
        .values(&["lidoRecID"])
        .into_iter()
        .chain(rec.values(&["objectPublishedID"]))
        .find(|k| keyed(without_scheme(k)))
        .ok_or_else(no_key)?;
    let object = t.node(
        cx.mint(Kind::Object, without_scheme(&key))
            .ok_or_else(no_key)?,
    );
    t.a(object, schema::CREATIVE_WORK);
    for id in rec.values(&["lidoRecID"]) {
        t.text(object, schema::IDENTIFIER, &id, None);
    }
    for id in rec.values(&["objectPublishedID"]) {
        t.link(object, schema::SAME_AS, &id);
    }
    for concept in rec.values(&["category", "conceptID"]) {
        t.link(object, schema::ADDITIONAL_TYPE, &concept);
    }
    let desc = rec.all(&["descriptiveMetadata"]);
    let admin = rec.all(&["administrativeMetadata"]);
    let mut visual = false;
    for work_type in under(
        &desc,
        &[
            "objectClassificationWrap",
            "objectWorkTypeWrap",
            "objectWorkType",
        ],
    ) {
        for concept in work_type.values(&["conceptID"]) {
            t.link(object, schema::ADDITIONAL_TYPE, &concept);
        }
        for term in work_type.all(&["term"]) {
            if let Some(value) = term.value() {
                visual |= is_visual(&value);
                t.add(
                    object,
                    schema::GENRE,
                    lang_literal(&value, term.lang.as_deref()),
                );
            }
        }
    }
    if visual {
        t.a(object, schema::VISUAL_ARTWORK);
    }
    for term in under(
        &desc,
        &[
            "objectClassificationWrap",
            "classificationWrap",
            "classification",
            "term",
        ],
    ) {
        t.text(object, schema::KEYWORDS, &term.text, term.lang.as_deref());
    }
    let identification = under(&desc, &["objectIdentificationWrap"]);
    for title in under(
        &identification,
        &["titleWrap", "titleSet", "appellationValue"],
    ) {
        t.text(
            object,
            name_predicate(title),
            &title.text,
            title.lang.as_deref(),
        );
    }
    for note in under(
        &identification,
        &[
            "objectDescriptionWrap",
            "objectDescriptionSet",
            "descriptiveNoteValue",
        ],
    ) {
        t.text(
            object,
            schema::DESCRIPTION,
            &note.text,
            note.lang.as_deref(),
        );
    }
    map_measurements(&identification, object, &key, cx, t);
    for transcription in under(
        &identification,
        &[
            "inscriptionsWrap",
            "inscriptions",
            "inscriptionTranscription",
        ],
    ) {
        t.text(
            object,
            kn::INSCRIPTION,
            &transcription.text,
            transcription.lang.as_deref(),
        );
    }
    for set in under(&identification, &["repositoryWrap", "repositorySet"]) {
        // Earlier repositories (`lido:type="former"`) did not hold the object when described.
        if set
            .attr("type")
            .is_some_and(|ty| ty.to_lowercase().contains("former"))
        {
            continue;
        }
        for body in set.all(&["repositoryName"]) {
            if let Some(org) = legal_body(body, cx, t) {
                t.add(object, schema::HOLDING_ARCHIVE, org);
            }
        }
        for id in set.all(&["workID"]) {
            t.text(object, schema::IDENTIFIER, &id.text, None);
        }
    }
    let (mut creators, mut contributors) = (Vec::new(), Vec::new());
    for event in under(&desc, &["eventWrap", "eventSet", "event"]) {
        map_event(event, object, cx, t, &mut creators, &mut contributors);
    }
    // An actor who made the object and also, say, used it, is its creator.
    for creator in &creators {
        t.add(object, schema::CREATOR, *creator);
    }
    for contributor in contributors.iter().filter(|c| !creators.contains(c)) {
        t.add(object, schema::CONTRIBUTOR, *contributor);
    }
    for concept in under(
        &desc,
        &[
            "objectRelationWrap",
            "subjectWrap",
            "subjectSet",
            "subject",
            "subjectConcept",
            "conceptID",
        ],
    ) {
        if let Some(value) = concept.value() {
            t.link(object, schema::ABOUT, &value);
        }
    }
    for concept in under(
        &admin,
        &["rightsWorkWrap", "rightsWorkSet", "rightsType", "conceptID"],
    ) {
        if let Some(value) = concept.value() {
            t.link(object, schema::LICENSE, &value);
        }
    }
    for concept in under(
        &admin,
        &["recordWrap", "recordRights", "rightsType", "conceptID"],
    ) {
        if let Some(value) = concept.value() {
            t.link(object, schema::SD_LICENSE, &value);
        }
    }
    for link in under(&admin, &["recordWrap", "recordInfoSet", "recordInfoLink"]) {
        if let Some(value) = link.value() {
            t.link(object, schema::URL, &value);
        }
    }
    for set in under(&admin, &["resourceWrap", "resourceSet"]) {
        let reps = set.all(&["resourceRepresentation"]);
        let link = |rep: &El| {
            rep.values(&["linkResource"])
                .into_iter()
                .find(|l| web_iri(l).is_some())
        };
        let kind = |rep: &El| rep.attr("type").unwrap_or("").to_lowercase();
        let linked: Vec<(String, String)> = reps
            .iter()
            .filter_map(|r| Some((kind(r), link(r)?)))
            .collect();
        let main = linked
            .iter()
            .filter(|(k, _)| !k.contains("thumb"))
            .find(|(k, _)| k.contains("master") || k.contains("provided"))
            .or_else(|| linked.iter().find(|(k, _)| !k.contains("thumb")))
            .map(|(_, l)| l.clone());
        if let Some(main) = main {
            t.link(object, schema::IMAGE, &main);
        }
        for (_, thumb) in linked.iter().filter(|(k, _)| k.contains("thumb")) {
            t.link(object, schema::THUMBNAIL_URL, thumb);
        }
    }
    Ok(())
}

/// `https://objects.example/42` as `objects.example/42`, so that an `http` and an `https` form
/// of an ID give one IRI.
fn without_scheme(id: &str) -> &str {
    id.split_once("://").map_or(id, |(_, rest)| rest)
}

/// `schema:alternateName` for an appellation marked as alternative (`lido:pref="alternative"`
/// in LIDO 1.0, `lido00170` in 1.1), else `schema:name`.
fn name_predicate(appellation: &El) -> NamedNodeRef<'static> {
    let pref = appellation.attr("pref").unwrap_or("");
    if pref.contains("alternative") || pref.ends_with("lido00170") {
        schema::ALTERNATE_NAME
    } else {
        schema::NAME
    }
}

/// The descendants along `path` of each of `roots`.
fn under<'a>(roots: &[&'a El], path: &[&str]) -> Vec<&'a El> {
    roots.iter().flat_map(|r| r.all(path)).collect()
}

/// Whether an object type names a picture.
fn is_visual(work_type: &str) -> bool {
    let lower = work_type.to_lowercase();
    [
        "foto",
        "photo",
        "gemälde",
        "painting",
        "zeichnung",
        "drawing",
        "grafik",
        "graphic",
        "druckgraphik",
        "print",
        "aquarell",
        "watercolo",
        "plakat",
        "poster",
        "postkarte",
        "postcard",
        "bild",
        "picture",
        "skulptur",
        "sculpture",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// A `legalBodyName`-holding element (`repositoryName`, `rightsHolder`, …) as an organisation:
/// keyed by its ISIL (also the last segment of an ISIL URI), else by its name.
fn legal_body(body: &El, cx: &Context<'_>, t: &mut Record) -> Option<Node> {
    let names = body.all(&["legalBodyName", "appellationValue"]);
    let ids = body.values(&["legalBodyID"]);
    let isil = ids.iter().find_map(|id| isil(id)).filter(|i| keyed(i));
    let first_name = names.iter().filter_map(|n| n.value()).find(|n| keyed(n));
    let key = isil.clone().or_else(|| first_name.clone())?;
    let org = t.node(cx.mint(Kind::Organization, &key)?);
    t.a(org, schema::ORGANIZATION);
    for name in &names {
        t.text(org, name_predicate(name), &name.text, None);
    }
    if let Some(isil) = isil {
        t.text(org, schema::IDENTIFIER, &isil, None);
    }
    for id in &ids {
        t.link(org, owl::SAME_AS, id);
    }
    for link in body.values(&["legalBodyWeblink"]) {
        t.link(org, schema::URL, &link);
    }
    Some(org)
}

/// The ISIL in a legal body ID: the ID itself (`DE-MUS-825210`) or the last path segment of a URI
/// (`http://ld.zdb-services.de/resource/organisations/DE-68`).
fn isil(id: &str) -> Option<String> {
    let candidate = id.trim().trim_end_matches('/').rsplit('/').next()?;
    let (country, rest) = candidate.split_once('-')?;
    let ok = (country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase())
        || country.len() <= 4
            && country.chars().all(|c| c.is_ascii_uppercase())
            && country.len() > 2)
        && !rest.is_empty()
        && rest.len() <= 14
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-:/".contains(c));
    ok.then(|| candidate.to_owned())
}

/// Production and creation events give the creators and the date of creation.
fn is_creation(event: &El) -> bool {
    let ty = event.all(&["eventType"]);
    ty.iter().flat_map(|t| t.values(&["conceptID"])).any(|c| {
        let c = c.to_lowercase();
        [
            "production",
            "creation",
            "lido00007",
            "lido00012",
            "lido00224",
            "lido00228",
        ]
        .iter()
        .any(|w| c.ends_with(w))
    }) || ty.iter().flat_map(|t| t.values(&["term"])).any(|term| {
        let term = term.to_lowercase();
        [
            "herstell",
            "produc",
            "creat",
            "entsteh",
            "verfass",
            "gezeichnet",
            "gemalt",
            "aufnahme",
            "design",
            "entwurf",
            "entworfen",
        ]
        .iter()
        .any(|w| term.contains(w))
    })
}

/// Roles (MARC relator codes or words) that make an actor a creator whatever the event.
fn is_creating_role(role: &str) -> bool {
    let role = role.to_lowercase();
    [
        "/relators/art",
        "/relators/aut",
        "/relators/cre",
        "/relators/pht",
        "/relators/pnt",
        "/relators/scl",
        "/relators/egr",
        "/relators/ill",
        "/relators/arc",
        "künstler",
        "artist",
        "autor",
        "author",
        "fotograf",
        "photographer",
        "maler",
        "painter",
        "bildhauer",
        "urheber",
    ]
    .iter()
    .any(|w| role.contains(w))
}

/// Maps an event; its actors are added to `creators` or `contributors`.
fn map_event(
    event: &El,
    object: Node,
    cx: &Context<'_>,
    t: &mut Record,
    creators: &mut Vec<Node>,
    contributors: &mut Vec<Node>,
) {
    let creation = is_creation(event);
    for actor_in_role in event.all(&["eventActor", "actorInRole"]) {
        let roles: Vec<String> = actor_in_role
            .all(&["roleActor"])
            .into_iter()
            .flat_map(|r| {
                r.values(&["conceptID"])
                    .into_iter()
                    .chain(r.values(&["term"]))
            })
            .collect();
        for actor in actor_in_role.all(&["actor"]) {
            let Some(node) = map_actor(actor, cx, t) else {
                continue;
            };
            if creation || roles.iter().any(|r| is_creating_role(r)) {
                creators.push(node);
            } else {
                contributors.push(node);
            }
        }
    }
    if creation {
        for place in event.all(&["eventPlace"]) {
            if let Some(node) = map_place(place, cx, t) {
                t.add(object, schema::LOCATION_CREATED, node);
            }
        }
        for date in event.all(&["eventDate"]) {
            let earliest = date.values(&["date", "earliestDate"]).into_iter().next();
            let latest = date.values(&["date", "latestDate"]).into_iter().next();
            match (earliest, latest) {
                (Some(a), Some(b)) if a == b && typed_date(&a).is_some() => {
                    if let Some(literal) = typed_date(&a) {
                        t.add(object, schema::DATE_CREATED, literal);
                    }
                }
                (None, Some(a)) | (Some(a), None) if typed_date(&a).is_some() => {
                    if let Some(literal) = typed_date(&a) {
                        t.add(object, schema::DATE_CREATED, literal);
                    }
                }
                (Some(a), Some(b)) => {
                    t.text(object, schema::TEMPORAL_COVERAGE, &format!("{a}/{b}"), None);
                }
                _ => {
                    let displays = date.all(&["displayDate"]);
                    // One display date: the one in the record's language, else the first.
                    let display = displays
                        .iter()
                        .find(|d| d.attr("lang").is_none() && d.value().is_some())
                        .or_else(|| displays.iter().find(|d| d.value().is_some()));
                    if let Some(display) = display {
                        t.text(
                            object,
                            schema::TEMPORAL_COVERAGE,
                            &display.text,
                            display.lang.as_deref(),
                        );
                    }
                }
            }
        }
    }
    for materials in event.all(&["eventMaterialsTech"]) {
        let terms = materials.all(&["materialsTech", "termMaterialsTech"]);
        // The display text repeats the terms when there are any, and they say whether they name
        // a material or a technique.
        if terms.is_empty() {
            for display in materials.all(&["displayMaterialsTech"]) {
                t.text(
                    object,
                    schema::MATERIAL,
                    &display.text,
                    display.lang.as_deref(),
                );
            }
        }
        for term in terms {
            let technique = term
                .attr("type")
                .is_some_and(|ty| ty.to_lowercase().contains("techni"));
            let predicate = if technique {
                schema::KEYWORDS
            } else {
                schema::MATERIAL
            };
            for value in term.all(&["term"]) {
                t.text(object, predicate, &value.text, value.lang.as_deref());
            }
        }
    }
}

/// The place of an `eventPlace`: its `lido:place`, or a place named by its `displayPlace`.
fn map_place(event_place: &El, cx: &Context<'_>, t: &mut Record) -> Option<Node> {
    let place = event_place.all(&["place"]).into_iter().next();
    let ids = place.map(|p| p.all(&["placeID"])).unwrap_or_default();
    let names = place
        .map(|p| p.all(&["namePlaceSet", "appellationValue"]))
        .unwrap_or_default();
    let display = event_place.all(&["displayPlace"]);
    let uri = ids
        .iter()
        .filter_map(|i| i.value())
        .find(|i| web_iri(i).is_some() && keyed(without_scheme(i)));
    // A local ID or a bare name means something only within its source: two sources' places
    // called "Neustadt" need not be one.
    let value = |e: &&El| e.value().filter(|v| keyed(v));
    let local = ids
        .iter()
        .find_map(value)
        .or_else(|| names.iter().find_map(value))
        .or_else(|| display.iter().find_map(value))
        .map(|value| format!("{} {value}", cx.source_id));
    let key = uri
        .as_deref()
        .map(|u| without_scheme(u).to_owned())
        .or(local)?;
    let node = t.node(cx.mint(Kind::Place, &key)?);
    t.a(node, schema::PLACE);
    // A place's names come in many languages, and the record's language, which they inherit,
    // is not theirs: only a language given on the name itself is kept.
    if names.iter().any(|n| n.value().is_some()) {
        for name in &names {
            t.text(node, name_predicate(name), &name.text, name.own_lang());
        }
    } else {
        for name in &display {
            t.text(node, schema::NAME, &name.text, name.own_lang());
        }
    }
    for id in ids.iter().filter_map(|i| i.value()) {
        t.link(node, owl::SAME_AS, &id);
    }
    Some(node)
}

/// The measurements of an object, as quantities; the display text only if there are none.
fn map_measurements(
    identification: &[&El],
    object: Node,
    key: &str,
    cx: &Context<'_>,
    t: &mut Record,
) {
    let sets = under(
        identification,
        &["objectMeasurementsWrap", "objectMeasurementsSet"],
    );
    let mut any = false;
    for (i, measurement) in under(&sets, &["objectMeasurements", "measurementsSet"])
        .into_iter()
        .enumerate()
    {
        let Some(value) = measurement.values(&["measurementValue"]).into_iter().next() else {
            continue;
        };
        let types = measurement.all(&["measurementType"]);
        // The English type, if given, names the dimension best.
        let ty = types
            .iter()
            .find(|t| t.lang.as_deref().is_some_and(|l| l.starts_with("en")))
            .or_else(|| types.first())
            .and_then(|t| t.value());
        let unit = measurement.values(&["measurementUnit"]).into_iter().next();
        for (j, (ty, value)) in dimensions(ty.as_deref(), &value).into_iter().enumerate() {
            let predicate = match ty.map(str::to_lowercase).as_deref() {
                Some("height" | "höhe") => schema::HEIGHT,
                Some("width" | "breite") => schema::WIDTH,
                Some("depth" | "tiefe" | "thickness" | "dicke" | "stärke") => schema::DEPTH,
                Some("weight" | "gewicht") => schema::WEIGHT,
                _ => schema::SIZE,
            };
            let node = t.node(cx.blank_node(&format!("{key}#measurement{i}.{j}")));
            t.a(node, schema::QUANTITATIVE_VALUE);
            match decimal(value) {
                Some(number) => t.typed(node, schema::VALUE, &number, xsd::DECIMAL),
                None => t.text(node, schema::DESCRIPTION, value, None),
            }
            if let Some(unit) = &unit {
                t.text(node, schema::UNIT_TEXT, unit, None);
                if let Some(code) = unit_code(unit) {
                    t.text(node, schema::UNIT_CODE, code, None);
                }
            }
            if let Some(ty) = ty {
                t.text(node, schema::NAME, ty, None);
            }
            t.add(object, predicate, node);
            any = true;
        }
    }
    if !any {
        for display in under(&sets, &["displayObjectMeasurements"]) {
            t.text(object, schema::SIZE, &display.text, display.lang.as_deref());
        }
    }
}

/// A measurement of several dimensions at once (`Höhe x Breite`, `216 x 164`) as one type and
/// value per dimension; anything else as it is.
fn dimensions<'a>(ty: Option<&'a str>, value: &'a str) -> Vec<(Option<&'a str>, &'a str)> {
    if decimal(value).is_none()
        && let Some(ty) = ty
    {
        let types: Vec<&str> = ty
            .split([' ', '×'])
            .filter(|w| !matches!(*w, "" | "x" | "X" | "×"))
            .collect();
        let values: Vec<&str> = value.split(['x', 'X', '×']).map(str::trim).collect();
        let separated = ty.contains(" x ") || ty.contains(" X ") || ty.contains('×');
        if separated
            && types.len() > 1
            && types.len() == values.len()
            && values.iter().all(|v| decimal(v).is_some())
        {
            return types.into_iter().map(Some).zip(values).collect();
        }
    }
    vec![(ty, value)]
}

/// A measured value as an `xsd:decimal` lexical form (`3,5` is read as `3.5`), if it is one.
fn decimal(value: &str) -> Option<String> {
    let text = value.trim().replace(',', ".");
    let digits = text.strip_prefix(['-', '+']).unwrap_or(&text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let valid = !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit());
    valid.then_some(text)
}

/// The UN/CEFACT common code of a unit of length or mass, as schema.org's `unitCode` wants it.
fn unit_code(unit: &str) -> Option<&'static str> {
    Some(match unit.trim().to_lowercase().as_str() {
        "mm" | "millimeter" | "millimetre" => "MMT",
        "cm" | "zentimeter" | "centimeter" | "centimetre" => "CMT",
        "m" | "meter" | "metre" => "MTR",
        "g" | "gramm" | "gram" => "GRM",
        "kg" | "kilogramm" | "kilogram" => "KGM",
        _ => return None,
    })
}

/// An actor as a person or organisation.
fn map_actor(actor: &El, cx: &Context<'_>, t: &mut Record) -> Option<Node> {
    let ids = actor.all(&["actorID"]);
    let names = actor.all(&["nameActorSet", "appellationValue"]);
    let uri = ids
        .iter()
        .filter_map(|i| i.value())
        .find(|i| web_iri(i).is_some() && keyed(without_scheme(i)));
    // A local ID means something only within its source.
    let local = ids.iter().find_map(|i| {
        let value = i.value().filter(|v| keyed(v))?;
        Some(format!(
            "{} {} {value}",
            cx.source_id,
            i.attr("source").unwrap_or("")
        ))
    });
    let key = uri
        .as_deref()
        .map(|u| without_scheme(u).to_owned())
        .or(local)
        .or_else(|| names.iter().filter_map(|n| n.value()).find(|n| keyed(n)))?;
    let ty = actor.attr("type").unwrap_or("").to_lowercase();
    let organisation = [
        "organi",
        "corporat",
        "körperschaft",
        "group",
        "family",
        "lido00164",
    ]
    .iter()
    .any(|w| ty.contains(w));
    let (kind, class) = if organisation {
        (Kind::Organization, schema::ORGANIZATION)
    } else {
        (Kind::Person, schema::PERSON)
    };
    let node = t.node(cx.mint(kind, &key)?);
    t.a(node, class);
    // A name is no text in a language: it is the same in every record, whatever language the
    // record is in.
    for name in &names {
        t.text(node, name_predicate(name), &name.text, None);
    }
    for id in ids.iter().filter_map(|i| i.value()) {
        t.link(node, owl::SAME_AS, &id);
    }
    Some(node)
}

/// A date as `xsd:date`, `xsd:gYearMonth` or `xsd:gYear` if it is one.
fn typed_date(text: &str) -> Option<Literal> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let parts: Vec<&str> = digits.split('-').collect();
    let numeric = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let datatype = match parts.as_slice() {
        [y] if numeric(y, 4) => xsd::G_YEAR,
        [y, m] if numeric(y, 4) && numeric(m, 2) && month(m) => xsd::G_YEAR_MONTH,
        [y, m, d] if numeric(y, 4) && numeric(m, 2) && numeric(d, 2) && month(m) && day(d) => {
            xsd::DATE
        }
        _ => return None,
    };
    Some(Literal::new_typed_literal(
        format!("{sign}{digits}"),
        datatype,
    ))
}

fn month(m: &str) -> bool {
    matches!(m.parse::<u8>(), Ok(1..=12))
}

fn day(d: &str) -> bool {
    matches!(d.parse::<u8>(), Ok(1..=31))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isils_from_ids_and_uris() {
        assert_eq!(isil("DE-MUS-825210").as_deref(), Some("DE-MUS-825210"));
        assert_eq!(
            isil("http://ld.zdb-services.de/resource/organisations/DE-68").as_deref(),
            Some("DE-68")
        );
        assert_eq!(isil("https://www.bs-museum-oderberg.de/"), None);
        assert_eq!(isil("12345"), None);
    }

    #[test]
    fn its_terms_are_in_the_ontology() {
        // Every `kn:` term is checked against the ontology in `kulturnetz_model::vocab`.
        assert!(kn::TERMS.contains(&kn::INSCRIPTION));
    }

    #[test]
    fn measurements_are_read_as_people_write_them() {
        assert_eq!(decimal(" 3,5 ").as_deref(), Some("3.5"));
        assert_eq!(decimal("-12").as_deref(), Some("-12"));
        assert_eq!(decimal("5.").as_deref(), Some("5."));
        assert_eq!(decimal("."), None);
        assert_eq!(decimal("ca. 5"), None);
        assert_eq!(decimal("1.2.3"), None);
        assert_eq!(unit_code(" MM "), Some("MMT"));
        assert_eq!(unit_code("Gramm"), Some("GRM"));
        assert_eq!(unit_code("Zoll"), None);
        assert_eq!(
            dimensions(Some("Höhe x Breite"), "216 x 164"),
            vec![(Some("Höhe"), "216"), (Some("Breite"), "164")]
        );
        assert_eq!(
            dimensions(Some("Höhe × Breite × Tiefe"), "2,5x3x4"),
            vec![
                (Some("Höhe"), "2,5"),
                (Some("Breite"), "3"),
                (Some("Tiefe"), "4")
            ]
        );
        // Counts that do not match, or no separator in the type: as it is.
        assert_eq!(
            dimensions(Some("Höhe x Breite"), "216 x 164 x 3"),
            vec![(Some("Höhe x Breite"), "216 x 164 x 3")]
        );
        assert_eq!(
            dimensions(Some("Maße"), "216 x 164"),
            vec![(Some("Maße"), "216 x 164")]
        );
        assert_eq!(
            dimensions(Some("height"), "58"),
            vec![(Some("height"), "58")]
        );
    }

    #[test]
    fn dates_are_typed_only_when_valid() {
        assert_eq!(
            typed_date("1869")
                .map(|l| l.datatype().as_str().to_owned())
                .as_deref(),
            Some("http://www.w3.org/2001/XMLSchema#gYear")
        );
        assert!(typed_date("1921-07").is_some());
        assert!(typed_date("1921-07-01").is_some());
        assert!(typed_date("-0300").is_some());
        assert!(typed_date("1921-13").is_none());
        assert!(typed_date("um 1900").is_none());
        assert!(typed_date("").is_none());
    }

    #[test]
    fn creating_roles_and_pictures() {
        assert!(is_creating_role(
            "http://id.loc.gov/vocabulary/relators/art"
        ));
        assert!(!is_creating_role("Herausgeber"));
        assert!(is_visual("Fotografie"));
        assert!(!is_visual("Geldschein / Notgeld"));
    }
}
