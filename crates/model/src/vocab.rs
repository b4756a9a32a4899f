//! The vocabulary terms Kulturnetz writes, one module per namespace, each term a
//! `NamedNodeRef<'static>` constant (DESIGN §5: schema.org first, GeoSPARQL for geometry,
//! PROV-O, VoID and DCTERMS for provenance, the Kulturnetz ontology where no standard term fits).
//!
//! Terms that `oxrdf::vocab` already has (`rdf:type`, the `xsd:` datatypes) are taken from there.
//! Constants cost nothing at run time: a connector hands them to the sink as they are, with no
//! string built per record.
//!
//! ```
//! use kulturnetz_model::vocab::{kn, schema};
//!
//! assert_eq!(schema::NAME.as_str(), "http://schema.org/name");
//! assert_eq!(kn::NAMESPACE, "https://w3id.org/kulturnetz/ontology/kulturnetz#");
//! assert!(kn::TERMS.contains(&kn::WHEELCHAIR_ACCESS));
//! ```

/// Declares the namespace `NAMESPACE`, one constant per term and `TERMS`, the list of them.
macro_rules! namespace {
    ($prefix:literal $namespace:literal { $($name:ident = $local:literal,)* }) => {
        use oxrdf::NamedNodeRef;

        /// The namespace IRI.
        pub const NAMESPACE: &str = $namespace;

        $(
            #[doc = concat!("`", $prefix, ":", $local, "`.")]
            pub const $name: NamedNodeRef<'static> =
                NamedNodeRef::new_unchecked(concat!($namespace, $local));
        )*

        /// Every term of this module, in the order declared.
        pub const TERMS: &[NamedNodeRef<'static>] = &[$($name),*];
    };
}

/// schema.org, in the `http` form its official JSON-LD context expands to (DESIGN §5).
pub mod schema {
    namespace! { "schema" "http://schema.org/" {
        ABOUT = "about",
        ADDITIONAL_TYPE = "additionalType",
        ADDRESS = "address",
        ADDRESS_COUNTRY = "addressCountry",
        ADDRESS_LOCALITY = "addressLocality",
        ALTERNATE_NAME = "alternateName",
        CONTRIBUTOR = "contributor",
        CREATOR = "creator",
        DATE_CREATED = "dateCreated",
        DEPTH = "depth",
        DESCRIPTION = "description",
        EMAIL = "email",
        END_DATE = "endDate",
        EVENT_STATUS = "eventStatus",
        GENRE = "genre",
        GEO = "geo",
        HEIGHT = "height",
        HOLDING_ARCHIVE = "holdingArchive",
        IDENTIFIER = "identifier",
        IMAGE = "image",
        KEYWORDS = "keywords",
        LATITUDE = "latitude",
        LICENSE = "license",
        LOCATION = "location",
        LOCATION_CREATED = "locationCreated",
        LONGITUDE = "longitude",
        MATERIAL = "material",
        MAX_VALUE = "maxValue",
        MIN_VALUE = "minValue",
        NAME = "name",
        OPENING_HOURS = "openingHours",
        ORGANIZER = "organizer",
        POSTAL_CODE = "postalCode",
        SAME_AS = "sameAs",
        SD_LICENSE = "sdLicense",
        SIZE = "size",
        START_DATE = "startDate",
        STREET_ADDRESS = "streetAddress",
        SUPER_EVENT = "superEvent",
        TELEPHONE = "telephone",
        TEMPORAL_COVERAGE = "temporalCoverage",
        THUMBNAIL_URL = "thumbnailUrl",
        UNIT_CODE = "unitCode",
        UNIT_TEXT = "unitText",
        URL = "url",
        VALUE = "value",
        WEIGHT = "weight",
        WIDTH = "width",
        AQUARIUM = "Aquarium",
        ART_GALLERY = "ArtGallery",
        BANK_OR_CREDIT_UNION = "BankOrCreditUnion",
        BAR_OR_PUB = "BarOrPub",
        BUS_STOP = "BusStop",
        CAFE_OR_COFFEE_SHOP = "CafeOrCoffeeShop",
        CITY_HALL = "CityHall",
        CREATIVE_WORK = "CreativeWork",
        EVENT = "Event",
        EVENT_CANCELLED = "EventCancelled",
        EVENT_SCHEDULED = "EventScheduled",
        EVENT_SERIES = "EventSeries",
        FAST_FOOD_RESTAURANT = "FastFoodRestaurant",
        GEO_COORDINATES = "GeoCoordinates",
        HOTEL = "Hotel",
        LANDMARKS_OR_HISTORICAL_BUILDINGS = "LandmarksOrHistoricalBuildings",
        LIBRARY = "Library",
        MOVIE_THEATER = "MovieTheater",
        MUSEUM = "Museum",
        MUSIC_VENUE = "MusicVenue",
        ORGANIZATION = "Organization",
        PARK = "Park",
        PARKING_FACILITY = "ParkingFacility",
        PERFORMING_ARTS_THEATER = "PerformingArtsTheater",
        PERSON = "Person",
        PHARMACY = "Pharmacy",
        PLACE = "Place",
        PLACE_OF_WORSHIP = "PlaceOfWorship",
        POSTAL_ADDRESS = "PostalAddress",
        PUBLIC_TOILET = "PublicToilet",
        QUANTITATIVE_VALUE = "QuantitativeValue",
        RESTAURANT = "Restaurant",
        STORE = "Store",
        TOURIST_ATTRACTION = "TouristAttraction",
        TRAIN_STATION = "TrainStation",
        VISUAL_ARTWORK = "VisualArtwork",
        ZOO = "Zoo",
    }}
}

/// The Kulturnetz application ontology (`ontologies/kulturnetz.ttl`): accessibility aligned with
/// A11yJSON, what no standard term says, and the pipeline's own terms. Where a class and a
/// property differ only in case, the class has the suffix `_CLASS`.
pub mod kn {
    namespace! { "kn" "https://w3id.org/kulturnetz/ontology/kulturnetz#" {
        FINGERPRINT = "fingerprint",
        ACCEPTED_RECORDS = "acceptedRecords",
        REJECTED_RECORDS = "rejectedRecords",
        ACCESSIBILITY_CLASS = "Accessibility",
        ACCESSIBILITY = "accessibility",
        ACCESS_LEVEL = "AccessLevel",
        YES = "Yes",
        LIMITED = "Limited",
        NO = "No",
        WHEELCHAIR_ACCESS = "wheelchairAccess",
        HEARING_SUPPORT = "hearingSupport",
        VISUAL_SUPPORT = "visualSupport",
        HAS_TOILET_WHEELCHAIR_ACCESSIBLE = "hasToiletWheelchairAccessible",
        HAS_INDUCTION_LOOP = "hasInductionLoop",
        HAS_TACTILE_PAVING = "hasTactilePaving",
        WHEELCHAIR_USER_CAPACITY = "wheelchairUserCapacity",
        ACCESSIBILITY_DESCRIPTION = "accessibilityDescription",
        ENTRANCE_CLASS = "Entrance",
        ENTRANCE = "entrance",
        IS_MAIN_ENTRANCE = "isMainEntrance",
        IS_LEVEL = "isLevel",
        HAS_STEP = "hasStep",
        STEP_COUNT = "stepCount",
        HAS_RAMP = "hasRamp",
        HAS_LIFT = "hasLift",
        DOOR_WIDTH = "doorWidth",
        INSCRIPTION = "inscription",
        ACCESSIBILITY_RECORD = "accessibilityRecord",
        LINK_CLASS = "Link",
        LINK_KIND = "linkKind",
        LINK_RULE = "linkRule",
        LINK_SCORE = "linkScore",
        COMPARED = "compared",
        COMPARED_FIELD = "comparedField",
        SUBJECT_VALUE = "subjectValue",
        OBJECT_VALUE = "objectValue",
        OVERRIDE_REASON = "overrideReason",
        LINK_ACTIVITY = "LinkActivity",
        LINKS_MADE = "linksMade",
        OVERRIDES_FILE = "overridesFile",
    }}
}

/// GeoSPARQL (<https://www.ogc.org/standard/geosparql/>).
pub mod geo {
    namespace! { "geo" "http://www.opengis.net/ont/geosparql#" {
        AS_WKT = "asWKT",
        GEOMETRY = "Geometry",
        HAS_GEOMETRY = "hasGeometry",
        WKT_LITERAL = "wktLiteral",
    }}
}

/// OWL (`oxrdf::vocab` has none of it).
pub mod owl {
    namespace! { "owl" "http://www.w3.org/2002/07/owl#" {
        SAME_AS = "sameAs",
    }}
}

/// PROV-O (<https://www.w3.org/TR/prov-o/>).
pub mod prov {
    namespace! { "prov" "http://www.w3.org/ns/prov#" {
        ACTIVITY = "Activity",
        ENDED_AT_TIME = "endedAtTime",
        STARTED_AT_TIME = "startedAtTime",
        USED = "used",
        WAS_GENERATED_BY = "wasGeneratedBy",
        ENTITY = "Entity",
        GENERATED_AT_TIME = "generatedAtTime",
        WAS_DERIVED_FROM = "wasDerivedFrom",
    }}
}

/// VoID (<https://www.w3.org/TR/void/>).
pub mod void {
    namespace! { "void" "http://rdfs.org/ns/void#" {
        TRIPLES = "triples",
    }}
}

/// DCMI Metadata Terms (<https://www.dublincore.org/specifications/dublin-core/dcmi-terms/>).
pub mod dcterms {
    namespace! { "dcterms" "http://purl.org/dc/terms/" {
        IDENTIFIER = "identifier",
        LICENSE = "license",
    }}
}

// The same IRIs as text, under the names code outside this crate has used so far (it matches on
// strings and builds `NamedNode`s from them). New code takes the terms above.

/// The namespace of [`kn`], as text.
pub const KULTURNETZ: &str = kn::NAMESPACE;
/// [`kn::FINGERPRINT`] as text: the fingerprint of a source's last ingest (input, settings,
/// connector version).
pub const FINGERPRINT: &str = kn::FINGERPRINT.as_str();
/// [`kn::ACCEPTED_RECORDS`] as text: records accepted in the last ingest.
pub const ACCEPTED: &str = kn::ACCEPTED_RECORDS.as_str();
/// [`kn::REJECTED_RECORDS`] as text: records rejected in the last ingest.
pub const REJECTED: &str = kn::REJECTED_RECORDS.as_str();
/// [`prov::GENERATED_AT_TIME`] as text.
pub const PROV_GENERATED_AT_TIME: &str = prov::GENERATED_AT_TIME.as_str();
/// [`prov::ENTITY`] as text.
pub const PROV_ENTITY: &str = prov::ENTITY.as_str();
/// [`prov::WAS_DERIVED_FROM`] as text.
pub const PROV_WAS_DERIVED_FROM: &str = prov::WAS_DERIVED_FROM.as_str();
/// [`void::TRIPLES`] as text.
pub const VOID_TRIPLES: &str = void::TRIPLES.as_str();
/// [`dcterms::LICENSE`] as text.
pub const DCTERMS_LICENSE: &str = dcterms::LICENSE.as_str();
/// [`dcterms::IDENTIFIER`] as text.
pub const DCTERMS_IDENTIFIER: &str = dcterms::IDENTIFIER.as_str();
/// `xsd:dateTime` (`oxrdf::vocab::xsd::DATE_TIME`) as text.
pub const XSD_DATE_TIME: &str = oxrdf::vocab::xsd::DATE_TIME.as_str();

/// The prefixes of readable serialisations (Turtle dumps, pages): the namespaces the published
/// data uses, as `(prefix, namespace)`.
pub const PREFIXES: &[(&str, &str)] = &[
    ("kn", kn::NAMESPACE),
    ("schema", schema::NAMESPACE),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("owl", owl::NAMESPACE),
    ("dcterms", dcterms::NAMESPACE),
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("geo", geo::NAMESPACE),
    ("sf", "http://www.opengis.net/ont/sf#"),
    ("prov", prov::NAMESPACE),
    ("void", void::NAMESPACE),
    ("sh", "http://www.w3.org/ns/shacl#"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Kulturnetz term is defined in the ontology the server publishes, with labels in
    /// German and English, so that data stewards can look up what the data says.
    #[test]
    fn kulturnetz_terms_are_in_the_ontology() {
        let ontology = include_str!("../../../ontologies/kulturnetz.ttl");
        for term in kn::TERMS {
            let local = term
                .as_str()
                .strip_prefix(kn::NAMESPACE)
                .expect("a term of the namespace");
            let at = ontology
                .find(&format!("\nkn:{local}\n"))
                .unwrap_or_else(|| {
                    panic!("kn:{local} is not defined in ontologies/kulturnetz.ttl")
                });
            let definition = &ontology[at..];
            let end = definition.find(" .\n").unwrap_or(definition.len());
            let definition = &definition[..end];
            assert!(
                definition.contains("@de") && definition.contains("@en"),
                "kn:{local} has no German or no English label"
            );
        }
    }

    #[test]
    fn the_names_as_text_are_the_terms() {
        assert_eq!(
            FINGERPRINT,
            "https://w3id.org/kulturnetz/ontology/kulturnetz#fingerprint"
        );
        assert_eq!(
            ACCEPTED,
            "https://w3id.org/kulturnetz/ontology/kulturnetz#acceptedRecords"
        );
        assert_eq!(
            REJECTED,
            "https://w3id.org/kulturnetz/ontology/kulturnetz#rejectedRecords"
        );
        assert_eq!(
            PROV_GENERATED_AT_TIME,
            "http://www.w3.org/ns/prov#generatedAtTime"
        );
        assert_eq!(PROV_ENTITY, "http://www.w3.org/ns/prov#Entity");
        assert_eq!(
            PROV_WAS_DERIVED_FROM,
            "http://www.w3.org/ns/prov#wasDerivedFrom"
        );
        assert_eq!(VOID_TRIPLES, "http://rdfs.org/ns/void#triples");
        assert_eq!(DCTERMS_LICENSE, "http://purl.org/dc/terms/license");
        assert_eq!(DCTERMS_IDENTIFIER, "http://purl.org/dc/terms/identifier");
        assert_eq!(XSD_DATE_TIME, "http://www.w3.org/2001/XMLSchema#dateTime");
        assert_eq!(
            owl::SAME_AS.as_str(),
            "http://www.w3.org/2002/07/owl#sameAs"
        );
        assert_eq!(
            geo::WKT_LITERAL,
            oxrdf::vocab::geosparql::WKT_LITERAL,
            "one IRI for one term"
        );
        // Code outside this crate matches predicates against these names.
        let read = |predicate: &str| match predicate {
            FINGERPRINT => "fingerprint",
            ACCEPTED => "accepted",
            VOID_TRIPLES => "triples",
            _ => "other",
        };
        assert_eq!(read(kn::FINGERPRINT.as_str()), "fingerprint");
        assert_eq!(read(kn::ACCEPTED_RECORDS.as_str()), "accepted");
        assert_eq!(read(void::TRIPLES.as_str()), "triples");
    }
}
