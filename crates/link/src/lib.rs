//! Record linkage for Kulturnetz: which records of different sources speak of the same
//! institution, venue or place, and why.
//!
//! This crate owns the pure logic: German name normalisation ([`normalize`]), identifiers read
//! from IRIs and strings ([`Identifier`]), distances and the spatial grid ([`Point`]), name
//! similarity ([`similarity`]) and the decision ([`link`]). It knows no store, no files and no
//! configuration: the pipeline reads [`Entity`]s from the published graphs and writes the
//! [`Link`]s into the links graph.
//!
//! Candidates are found through blocking keys, never by comparing every pair: a shared
//! identifier, a shared name token (a token more than [`MAX_BLOCK`] records share blocks
//! nothing), a grid cell of about 1 km (and its eight neighbours) or a postcode. Each candidate
//! pair is scored: a shared identifier (Wikidata, ISIL, GND, OSM) decides at once, two different
//! ones of the same scheme forbid; otherwise `0.6 × name + 0.4 × place`, where name is the best
//! of token Jaccard, Jaro-Winkler over the sorted tokens and token overlap, and place the best of
//! distance, street and number, postcode and locality (a distance over 3 km, another postcode or
//! another locality forbids). A record with no place at all is linked by its name only when that
//! name is distinctive and unique in both sources. Each record links to at most the best record
//! of each other source.
//!
//! ```
//! use kulturnetz_link::{Entity, LinkKind, Point, link};
//! use oxrdf::NamedNode;
//!
//! let mut a = Entity::new(NamedNode::new("https://x.example/a")?, "kalender");
//! a.names.push("Kulturhaus Karlshorst, Großer Saal".into());
//! a.street = Some("Treskowallee 112".into());
//! a.postcode = Some("10318".into());
//! let mut b = Entity::new(NamedNode::new("https://x.example/b")?, "kulturb");
//! b.names.push("Kulturhaus Karlshorst".into());
//! b.street = Some("Treskowallee 112".into());
//! b.point = Point::new(52.4834, 13.5265);
//! let links = link(LinkKind::SameAs, &[a.clone(), b.clone()], &[a, b]);
//! assert_eq!(links.len(), 1);
//! assert_eq!(links[0].rule, "name-place");
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod geo;
mod ident;
mod matcher;
pub mod normalize;
pub mod similarity;

pub use geo::{EARTH_RADIUS_M, Point};
pub use ident::{Identifier, website};
pub use matcher::{MAX_BLOCK, link};

use oxrdf::NamedNode;

/// A record as linking sees it: who it is, which source said so, and what can be compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Its IRI.
    pub iri: NamedNode,
    /// The source (graph) it comes from: records of one source are never linked to each other.
    pub source: String,
    /// Its names (`schema:name`, `schema:alternateName`).
    pub names: Vec<String>,
    /// Identifiers as written: IRIs (`owl:sameAs`, `schema:url`) or strings
    /// (`schema:identifier`); what [`Identifier::parse`] does not know is ignored.
    pub identifiers: Vec<String>,
    /// The street and house number.
    pub street: Option<String>,
    /// The postcode.
    pub postcode: Option<String>,
    /// The town or city.
    pub locality: Option<String>,
    /// Its coordinates.
    pub point: Option<Point>,
}

impl Entity {
    /// A record with nothing known yet but its IRI and source.
    pub fn new(iri: NamedNode, source: impl Into<String>) -> Self {
        Self {
            iri,
            source: source.into(),
            names: Vec::new(),
            identifiers: Vec::new(),
            street: None,
            postcode: None,
            locality: None,
            point: None,
        }
    }
}

/// What a link says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKind {
    /// The same institution or venue in two sources (`owl:sameAs`).
    SameAs,
    /// An event and the venue it happens at (`schema:location`).
    EventVenue,
    /// A venue and a record of the same place's accessibility (`kn:accessibilityRecord`).
    VenueAccessibility,
    /// A collection object and the institution that holds it (`schema:holdingArchive`).
    ObjectHolder,
}

impl LinkKind {
    /// Every kind, in the order the pipeline runs them.
    pub const ALL: [Self; 4] = [
        Self::SameAs,
        Self::EventVenue,
        Self::VenueAccessibility,
        Self::ObjectHolder,
    ];

    /// The kind's name in evidence, reports and overrides.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SameAs => "same-as",
            Self::EventVenue => "event-venue",
            Self::VenueAccessibility => "venue-accessibility",
            Self::ObjectHolder => "object-holder",
        }
    }

    /// Reads a kind's name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The score a pair needs to be linked.
    pub fn threshold(self) -> f64 {
        match self {
            Self::SameAs | Self::VenueAccessibility => 0.8,
            Self::EventVenue => 0.78,
            Self::ObjectHolder => 0.85,
        }
    }

    /// The name similarity a pair needs, whatever its place says: two organisations in one
    /// building are not one.
    pub fn min_name(self) -> f64 {
        match self {
            Self::SameAs | Self::VenueAccessibility | Self::ObjectHolder => 0.7,
            Self::EventVenue => 0.65,
        }
    }
}

/// Two values that were compared to make a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compared {
    /// What was compared: `name`, `street`, `postcode`, `locality`, `distance`, or an
    /// identifier scheme.
    pub field: &'static str,
    /// The value on the link's subject's side.
    pub left: String,
    /// The value on its object's side.
    pub right: String,
}

/// A link and its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// What it says.
    pub kind: LinkKind,
    /// Its subject.
    pub from: NamedNode,
    /// Its object.
    pub to: NamedNode,
    /// The rule that made it: `identifier`, `name-place`, `name-unique`,
    /// `name-locality`, `name-website`.
    pub rule: &'static str,
    /// Its score, 0 to 1.
    pub score: f64,
    /// The values compared.
    pub compared: Vec<Compared>,
}
