//! The accessibility terms of the Kulturnetz ontology (`ontologies/kulturnetz.ttl`), aligned with
//! A11yJSON (<https://sozialhelden.github.io/a11yjson/>) and OSM's accessibility tags
//! (<https://wiki.openstreetmap.org/wiki/Key:wheelchair>), so that the `a11yjson` and `geojson`
//! connectors describe a place's accessibility alike.
//!
//! A place links to one `kn:Accessibility` node (`kn:accessibility`), a blank node labelled from
//! the place's IRI; the node holds what is known, and is left out when nothing is.

use crate::Context;
use crate::record::{Node, Record};
use kulturnetz_model::vocab::kn;
use oxrdf::{BlankNode, Literal, NamedNode, NamedNodeRef};

/// How far a place is usable with a disability: `kn:Yes`, `kn:Limited` or `kn:No`, the values of
/// OSM's `wheelchair=*` and of A11yJSON's `accessibleWith` / `partiallyAccessibleWith`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Yes,
    Limited,
    No,
}

impl Level {
    fn iri(self) -> NamedNodeRef<'static> {
        match self {
            Self::Yes => kn::YES,
            Self::Limited => kn::LIMITED,
            Self::No => kn::NO,
        }
    }
}

/// The accessibility of one place, built up and then attached with [`Accessibility::finish`].
///
/// Its quads go into a part of the place's record of their own, which is added to the record,
/// after the place's own quads, only if it says something.
pub(crate) struct Accessibility {
    blank: BlankNode,
    place: NamedNode,
    part: Box<Record>,
    node: Node,
}

impl Accessibility {
    /// The accessibility of `place`, built in the part record of `t`.
    pub(crate) fn new(place: &NamedNode, cx: &Context<'_>, t: &mut Record) -> Self {
        let blank = cx.part_node(place.as_str(), "accessibility");
        let mut part = t.take_part();
        let node = part.node(blank.clone());
        Self {
            blank,
            place: place.clone(),
            part,
            node,
        }
    }

    /// `kn:wheelchairAccess`.
    pub(crate) fn wheelchair(&mut self, level: Level) {
        self.part.add(self.node, kn::WHEELCHAIR_ACCESS, level.iri());
    }

    /// `kn:hearingSupport`.
    pub(crate) fn hearing(&mut self, level: Level) {
        self.part.add(self.node, kn::HEARING_SUPPORT, level.iri());
    }

    /// `kn:visualSupport`.
    pub(crate) fn visual(&mut self, level: Level) {
        self.part.add(self.node, kn::VISUAL_SUPPORT, level.iri());
    }

    /// A boolean property such as `kn:hasToiletWheelchairAccessible` or `kn:hasInductionLoop`.
    pub(crate) fn flag(&mut self, term: NamedNodeRef<'static>, value: bool) {
        self.part.add(self.node, term, Literal::from(value));
    }

    /// A count such as `kn:wheelchairUserCapacity`.
    pub(crate) fn count(&mut self, term: NamedNodeRef<'static>, value: u64) {
        self.part.add(self.node, term, Literal::from(value as i64));
    }

    /// `kn:accessibilityDescription`, language-tagged if `lang` is a valid tag.
    pub(crate) fn description(&mut self, text: &str, lang: Option<&str>) {
        self.part
            .text(self.node, kn::ACCESSIBILITY_DESCRIPTION, text, lang);
    }

    /// A new `kn:Entrance` (the `index`th), whose facts go into [`Self::quads`]: its node, and
    /// the blank node it is, whose parts are labelled from it.
    pub(crate) fn entrance(&mut self, index: usize, cx: &Context<'_>) -> (Node, BlankNode) {
        let blank = cx.part_node(self.place.as_str(), &format!("entrance-{index}"));
        let entrance = self.part.node(blank.clone());
        self.part.add(self.node, kn::ENTRANCE, entrance);
        self.part.a(entrance, kn::ENTRANCE_CLASS);
        (entrance, blank)
    }

    /// The quads of the accessibility node, for entrances and quantities.
    pub(crate) fn quads(&mut self) -> &mut Record {
        &mut self.part
    }

    /// Adds the node to `t` if anything is known, linked from `place` (the place of
    /// [`Accessibility::new`], as `t` keeps it).
    pub(crate) fn finish(self, place: Node, t: &mut Record) {
        if !self.part.is_empty() {
            let node = t.node(self.blank);
            t.add(place, kn::ACCESSIBILITY, node);
            t.a(node, kn::ACCESSIBILITY_CLASS);
            t.append(&self.part);
        }
        t.give_back_part(self.part);
    }
}
