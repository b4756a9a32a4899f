//! The accessibility terms of the Kulturnetz ontology (`ontologies/kulturnetz.ttl`), aligned with
//! A11yJSON (<https://sozialhelden.github.io/a11yjson/>) and OSM's accessibility tags
//! (<https://wiki.openstreetmap.org/wiki/Key:wheelchair>), so that the `a11yjson` and `geojson`
//! connectors describe a place's accessibility alike.
//!
//! A place links to one `kn:Accessibility` node (`kn:accessibility`), a blank node labelled from
//! the place's IRI; the node holds what is known, and is left out when nothing is.

use crate::Context;
use crate::triples::{Triples, kn};
use oxrdf::{BlankNode, Literal, NamedNode, NamedOrBlankNode};

/// The terms of the ontology that the connectors write.
#[cfg(test)]
const TERMS: &[&str] = &[
    "Accessibility",
    "accessibility",
    "AccessLevel",
    "Yes",
    "Limited",
    "No",
    "wheelchairAccess",
    "hearingSupport",
    "visualSupport",
    "hasToiletWheelchairAccessible",
    "hasInductionLoop",
    "hasTactilePaving",
    "wheelchairUserCapacity",
    "accessibilityDescription",
    "Entrance",
    "entrance",
    "isMainEntrance",
    "isLevel",
    "hasStep",
    "stepCount",
    "hasRamp",
    "hasLift",
    "doorWidth",
];

/// How far a place is usable with a disability: `kn:Yes`, `kn:Limited` or `kn:No`, the values of
/// OSM's `wheelchair=*` and of A11yJSON's `accessibleWith` / `partiallyAccessibleWith`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Yes,
    Limited,
    No,
}

impl Level {
    /// An OSM value (`yes`, `designated`, `limited`, `no`, …); the first one known of a
    /// `;`-separated list.
    pub(crate) fn from_osm(value: &str) -> Option<Self> {
        value
            .split(';')
            .find_map(|v| match v.trim().to_ascii_lowercase().as_str() {
                "yes" | "designated" | "true" => Some(Self::Yes),
                "limited" | "partial" => Some(Self::Limited),
                "no" | "false" => Some(Self::No),
                _ => None,
            })
    }

    fn iri(self) -> NamedNode {
        kn(match self {
            Self::Yes => "Yes",
            Self::Limited => "Limited",
            Self::No => "No",
        })
    }
}

/// An OSM yes/no value as a boolean.
pub(crate) fn osm_bool(value: &str) -> Option<bool> {
    match Level::from_osm(value)? {
        Level::Yes => Some(true),
        Level::No => Some(false),
        Level::Limited => None,
    }
}

/// The accessibility of one place, built up and then attached with [`Accessibility::finish`].
pub(crate) struct Accessibility {
    node: BlankNode,
    place: NamedNode,
    t: Triples,
}

impl Accessibility {
    pub(crate) fn new(place: &NamedNode, cx: &Context<'_>) -> Self {
        Self {
            node: cx.blank_node(&format!("{}#accessibility", place.as_str())),
            place: place.clone(),
            t: Triples::default(),
        }
    }

    fn subject(&self) -> NamedOrBlankNode {
        self.node.clone().into()
    }

    /// `kn:wheelchairAccess`.
    pub(crate) fn wheelchair(&mut self, level: Level) {
        self.t
            .add(self.subject(), &kn("wheelchairAccess"), level.iri());
    }

    /// `kn:hearingSupport`.
    pub(crate) fn hearing(&mut self, level: Level) {
        self.t
            .add(self.subject(), &kn("hearingSupport"), level.iri());
    }

    /// `kn:visualSupport`.
    pub(crate) fn visual(&mut self, level: Level) {
        self.t
            .add(self.subject(), &kn("visualSupport"), level.iri());
    }

    /// A boolean property such as `kn:hasToiletWheelchairAccessible` or `kn:hasInductionLoop`.
    pub(crate) fn flag(&mut self, term: &str, value: bool) {
        self.t.add(self.subject(), &kn(term), Literal::from(value));
    }

    /// A count such as `kn:wheelchairUserCapacity`.
    pub(crate) fn count(&mut self, term: &str, value: u64) {
        self.t
            .add(self.subject(), &kn(term), Literal::from(value as i64));
    }

    /// `kn:accessibilityDescription`, language-tagged if `lang` is a valid tag.
    pub(crate) fn description(&mut self, text: &str, lang: Option<&str>) {
        self.t
            .text(self.subject(), &kn("accessibilityDescription"), text, lang);
    }

    /// A new `kn:Entrance` (the `index`th), whose facts are added with [`Self::entrance_flag`]
    /// and the like.
    pub(crate) fn entrance(&mut self, index: usize, cx: &Context<'_>) -> BlankNode {
        let entrance = cx.blank_node(&format!("{}#entrance-{index}", self.place.as_str()));
        self.t
            .add(self.subject(), &kn("entrance"), entrance.clone());
        self.t.a(entrance.clone(), kn("Entrance"));
        entrance
    }

    /// The triples of the node, for entrances and quantities.
    pub(crate) fn triples(&mut self) -> &mut Triples {
        &mut self.t
    }

    /// Adds the node to `t`, linked from the place, if anything is known.
    pub(crate) fn finish(self, t: &mut Triples) {
        if self.t.is_empty() {
            return;
        }
        let node = self.subject();
        t.add(self.place.clone(), &kn("accessibility"), self.node.clone());
        t.a(node, kn("Accessibility"));
        t.append(self.t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every term the connectors write is defined in the ontology, with labels in German and
    /// English.
    #[test]
    fn terms_are_in_the_ontology() {
        for term in TERMS {
            crate::triples::assert_defined(term);
        }
    }

    #[test]
    fn osm_values() {
        assert_eq!(Level::from_osm("yes"), Some(Level::Yes));
        assert_eq!(Level::from_osm(" Limited "), Some(Level::Limited));
        assert_eq!(Level::from_osm("unknown;no"), Some(Level::No));
        assert_eq!(Level::from_osm("bad"), None);
        assert_eq!(osm_bool("limited"), None);
        assert_eq!(osm_bool("no"), Some(false));
    }
}
