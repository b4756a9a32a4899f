//! Candidate generation by blocking keys, scoring and the decision.

use crate::normalize::{self, is_generic};
use crate::similarity::{jaccard, jaro_winkler, overlap};
use crate::{Compared, Entity, Identifier, Link, LinkKind, Point};
use std::collections::{HashMap, HashSet};

/// The most records a name-token or postcode block may hold and still give candidates: a token
/// like "museum" that thousands of names share finds nothing the rarer tokens of the same name
/// do not, and would make candidate generation quadratic.
pub const MAX_BLOCK: usize = 200;

/// Beyond this distance two records are two places, whatever their names.
const FAR_M: f64 = 3_000.0;

/// A record with its comparable values worked out once.
struct Prepared<'a> {
    entity: &'a Entity,
    names: Vec<(String, Vec<String>)>,
    ids: Vec<Identifier>,
    street: Option<(String, Option<String>)>,
    postcode: Option<String>,
    locality: Option<String>,
}

impl<'a> Prepared<'a> {
    fn new(entity: &'a Entity) -> Self {
        let mut names: Vec<(String, Vec<String>)> = entity
            .names
            .iter()
            .map(|n| (n.clone(), normalize::name_tokens(n)))
            .filter(|(_, t)| !t.is_empty())
            .collect();
        names.dedup_by(|a, b| a.1 == b.1);
        let mut ids: Vec<Identifier> = entity
            .identifiers
            .iter()
            .filter_map(|i| Identifier::parse(i))
            .collect();
        ids.sort();
        ids.dedup();
        Self {
            entity,
            names,
            ids,
            street: entity
                .street
                .as_deref()
                .map(normalize::street)
                .filter(|(s, _)| !s.is_empty()),
            postcode: entity.postcode.as_deref().and_then(normalize::postcode),
            locality: entity
                .locality
                .as_deref()
                .map(normalize::locality)
                .filter(|l| !l.is_empty()),
        }
    }

    /// Everything that is compared, and the source: two records with the same signature get
    /// the same links.
    fn signature(&self) -> String {
        format!(
            "{}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}\u{1}{:?}",
            self.entity.source,
            self.names,
            self.ids,
            self.street,
            self.postcode,
            self.locality,
            self.entity
                .point
                .map(|p| (p.lat.to_bits(), p.lon.to_bits())),
        )
    }

    fn has_place(&self) -> bool {
        self.entity.point.is_some()
            || self.street.is_some()
            || self.postcode.is_some()
            || self.locality.is_some()
    }

    /// The keys this record is found under.
    fn keys(&self) -> Vec<Key> {
        let mut keys: Vec<Key> = self.ids.iter().cloned().map(Key::Id).collect();
        for (_, tokens) in &self.names {
            keys.extend(tokens.iter().cloned().map(Key::Token));
        }
        if let Some(l) = &self.locality {
            keys.extend(normalize::name_tokens(l).into_iter().map(Key::Token));
        }
        if let Some(p) = &self.postcode {
            keys.push(Key::Postcode(p.clone()));
        }
        if let Some(point) = self.entity.point {
            keys.push(Key::Cell(point.cell()));
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// The keys this record looks its candidates up by: its own, with the cells around its own.
    fn lookups(&self) -> Vec<Key> {
        let mut keys = self.keys();
        if let Some(point) = self.entity.point {
            keys.retain(|k| !matches!(k, Key::Cell(_)));
            keys.extend(point.cells_around().map(Key::Cell));
        }
        keys
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    Id(Identifier),
    Token(String),
    Postcode(String),
    Cell((i32, i32)),
}

impl Key {
    /// Whether a block this large is skipped: identifiers and cells always count (a cell is
    /// bounded by how many places fit in a square kilometre).
    fn capped(&self, len: usize) -> bool {
        matches!(self, Self::Token(_) | Self::Postcode(_)) && len > MAX_BLOCK
    }
}

/// Links the records of `left` to those of `right` (from other sources) by the rules of `kind`.
///
/// For [`LinkKind::SameAs`] pass the same records as both sides: each pair is linked once. A
/// record links to at most the best-scoring record of each other source (ties go to the smaller
/// IRI). The links are sorted by subject and object.
pub fn link(kind: LinkKind, left: &[Entity], right: &[Entity]) -> Vec<Link> {
    let left: Vec<Prepared<'_>> = left.iter().map(Prepared::new).collect();
    let right: Vec<Prepared<'_>> = right.iter().map(Prepared::new).collect();
    let mut index: HashMap<Key, Vec<usize>> = HashMap::new();
    for (i, r) in right.iter().enumerate() {
        for key in r.keys() {
            index.entry(key).or_default().push(i);
        }
    }
    // How many records of each source have each name: a name only one record of a source has is
    // distinctive enough to link without a place. A record on both sides (a museum with its own
    // accessibility) counts once.
    let mut name_counts: HashMap<(String, String), usize> = HashMap::new();
    let mut seen = HashSet::new();
    let mut count = |side: &[Prepared<'_>]| {
        for p in side {
            for (_, tokens) in &p.names {
                let key = tokens.join(" ");
                if seen.insert((
                    p.entity.source.clone(),
                    p.entity.iri.as_str().to_owned(),
                    key.clone(),
                )) {
                    *name_counts
                        .entry((p.entity.source.clone(), key))
                        .or_default() += 1;
                }
            }
        }
    };
    count(&left);
    if kind != LinkKind::SameAs {
        count(&right);
    }
    let unique = |source: &str, tokens: &[String]| {
        name_counts
            .get(&(source.to_owned(), tokens.join(" ")))
            .is_some_and(|n| *n == 1)
    };

    // The best link of each record to each other source.
    let mut chosen: Vec<(Link, &str, &str)> = Vec::new();
    let mut candidates = HashSet::new();
    // Many events share one place, with the same values: the best venues of a place are found
    // once and given to each event there.
    let mut by_place: HashMap<String, Vec<(Link, &str)>> = HashMap::new();
    for l in &left {
        let signature = (kind != LinkKind::SameAs).then(|| l.signature());
        if let Some(found) = signature.as_ref().and_then(|s| by_place.get(s)) {
            for (link, source) in found {
                let mut link = link.clone();
                link.from = l.entity.iri.clone();
                chosen.push((link, l.entity.source.as_str(), source));
            }
            continue;
        }
        candidates.clear();
        for key in l.lookups() {
            if let Some(block) = index.get(&key)
                && !key.capped(block.len())
            {
                candidates.extend(block.iter().copied());
            }
        }
        let mut best: HashMap<&str, Link> = HashMap::new();
        let mut sorted: Vec<usize> = candidates.iter().copied().collect();
        sorted.sort_unstable();
        for i in sorted {
            let r = &right[i];
            if r.entity.source == l.entity.source || r.entity.iri == l.entity.iri {
                continue;
            }
            let Some(link) = score(kind, l, r, &unique) else {
                continue;
            };
            let better = best
                .get(r.entity.source.as_str())
                .is_none_or(|b| link.score > b.score);
            if better {
                best.insert(r.entity.source.as_str(), link);
            }
        }
        let mut best: Vec<(&str, Link)> = best.into_iter().collect();
        best.sort_by(|a, b| a.0.cmp(b.0));
        if let Some(signature) = signature {
            by_place.insert(
                signature,
                best.iter().map(|(s, link)| (link.clone(), *s)).collect(),
            );
        }
        for (source, link) in best {
            chosen.push((link, l.entity.source.as_str(), source));
        }
    }
    // A link on a name alone stands only if each record is the other's best: "Neues Museum" of a
    // list without places is not the "Neues Museum" in Weimar when "Neues Museum Weimar" is.
    let best_of: HashMap<(&str, &str), &str> = chosen
        .iter()
        .map(|(link, _, to_source)| ((link.from.as_str(), *to_source), link.to.as_str()))
        .collect();
    let mut links: HashMap<(String, String), Link> = HashMap::new();
    for (link, from_source, _) in &chosen {
        if kind == LinkKind::SameAs
            && NAME_ONLY.contains(&link.rule)
            && best_of.get(&(link.to.as_str(), *from_source)) != Some(&link.from.as_str())
        {
            continue;
        }
        let key = if kind == LinkKind::SameAs && link.to.as_str() < link.from.as_str() {
            (link.to.as_str().to_owned(), link.from.as_str().to_owned())
        } else {
            (link.from.as_str().to_owned(), link.to.as_str().to_owned())
        };
        match links.get(&key) {
            Some(old) if old.score >= link.score => {}
            _ => {
                links.insert(key, link.clone());
            }
        }
    }
    let mut links: Vec<Link> = links.into_values().collect();
    links.sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
    links
}

/// The rules that link on names without a place.
const NAME_ONLY: &[&str] = &["name-unique", "name-locality", "name-website"];

/// What the places of two records say.
struct Place {
    /// 0 to 1, or `None` if nothing comparable.
    score: Option<f64>,
    /// A difference that says they are two places.
    contradiction: bool,
    compared: Vec<Compared>,
}

fn place(l: &Prepared<'_>, r: &Prepared<'_>) -> Place {
    let mut score: Option<f64> = None;
    let mut contradiction = false;
    let mut compared = Vec::new();
    let mut better = |s: f64| score = Some(score.map_or(s, |old: f64| old.max(s)));
    let mut near = false;
    if let (Some(a), Some(b)) = (l.entity.point, r.entity.point) {
        let d = a.distance(b);
        compared.push(Compared {
            field: "distance",
            left: point(a),
            right: format!("{} ({d:.0} m)", point(b)),
        });
        if d > FAR_M {
            contradiction = true;
        } else {
            near = d <= 250.0;
            better(if d <= 75.0 {
                1.0
            } else {
                (1.0 - (d - 75.0) / 925.0).max(0.0)
            });
        }
    }
    if let (Some((sa, na)), Some((sb, nb))) = (&l.street, &r.street) {
        compared.push(Compared {
            field: "street",
            left: l.entity.street.clone().unwrap_or_default(),
            right: r.entity.street.clone().unwrap_or_default(),
        });
        if sa == sb {
            better(match (na, nb) {
                (Some(a), Some(b)) if a == b => 1.0,
                (Some(_), Some(_)) => 0.5,
                _ => 0.8,
            });
        }
    }
    if let (Some(a), Some(b)) = (&l.postcode, &r.postcode) {
        compared.push(Compared {
            field: "postcode",
            left: a.clone(),
            right: b.clone(),
        });
        if a == b {
            better(0.75);
        } else if !near {
            contradiction = true;
        }
    }
    if let (Some(a), Some(b)) = (&l.locality, &r.locality) {
        compared.push(Compared {
            field: "locality",
            left: l.entity.locality.clone().unwrap_or_default(),
            right: r.entity.locality.clone().unwrap_or_default(),
        });
        if a == b {
            better(0.6);
        } else if !near {
            contradiction = true;
        }
    }
    Place {
        score,
        contradiction,
        compared,
    }
}

fn point(p: Point) -> String {
    format!("{:.6} {:.6}", p.lat, p.lon)
}

/// How alike two names' tokens are, 0 to 1.
fn name_similarity(a: &[String], b: &[String]) -> f64 {
    let jw = jaro_winkler(&a.join(" "), &b.join(" "));
    let mut s = jaccard(a, b).max(jw);
    // One name inside the other counts, if what they share says something: two tokens, or one
    // that is not generic.
    let smaller = if a.len() <= b.len() { a } else { b };
    if overlap(a, b) == 1.0 && (smaller.len() >= 2 || smaller.iter().any(|t| !is_generic(t))) {
        s = s.max(0.9);
    }
    s
}

/// Whether a name says enough to link on it alone: two tokens or more, one of them not generic.
fn distinctive(tokens: &[String]) -> bool {
    tokens.len() >= 2 && tokens.iter().any(|t| !is_generic(t))
}

fn score(
    kind: LinkKind,
    l: &Prepared<'_>,
    r: &Prepared<'_>,
    unique: &dyn Fn(&str, &[String]) -> bool,
) -> Option<Link> {
    let link = |rule, score, compared| Link {
        kind,
        from: l.entity.iri.clone(),
        to: r.entity.iri.clone(),
        rule,
        score,
        compared,
    };
    // Identifiers first: a shared one decides, two different ones of a scheme forbid.
    let mut website = None;
    for id in &l.ids {
        if r.ids.contains(id) {
            let compared = vec![Compared {
                field: id.scheme(),
                left: id.value().to_owned(),
                right: id.value().to_owned(),
            }];
            if id.is_decisive() {
                return Some(link("identifier", 1.0, compared));
            }
            website = Some(compared);
        }
    }
    for id in &l.ids {
        if id.is_decisive()
            && r.ids.iter().any(|o| o.scheme() == id.scheme())
            && !r.ids.contains(id)
        {
            return None;
        }
    }
    // The best pair of names.
    let mut best: Option<(f64, usize, usize)> = None;
    for (i, (_, a)) in l.names.iter().enumerate() {
        for (j, (_, b)) in r.names.iter().enumerate() {
            let s = name_similarity(a, b);
            if best.is_none_or(|(old, _, _)| s > old) {
                best = Some((s, i, j));
            }
        }
    }
    let (name, i, j) = best?;
    let (left_name, left_tokens) = &l.names[i];
    let (right_name, right_tokens) = &r.names[j];
    let mut compared = vec![Compared {
        field: "name",
        left: left_name.clone(),
        right: right_name.clone(),
    }];
    let place = place(l, r);
    if place.contradiction {
        return None;
    }
    compared.extend(place.compared);
    if let Some(p) = place.score {
        let mut score = 0.6 * name + 0.4 * p;
        let mut rule = "name-place";
        if let Some(web) = website {
            compared.extend(web);
            score = (score + 0.1).min(1.0);
            rule = "name-website";
        }
        return (name >= kind.min_name() && score >= kind.threshold())
            .then(|| link(rule, round(score), compared));
    }
    if let Some(web) = website
        && name >= 0.8
    {
        compared.extend(web);
        return Some(link("name-website", round(0.5 + 0.4 * name), compared));
    }
    // No place to compare: only a distinctive name that each source gives one record.
    // Many events happen at one place and many objects have one holder: their side repeats a
    // name by nature, so only the venue's side must be unique.
    let left_unique = matches!(kind, LinkKind::EventVenue | LinkKind::ObjectHolder)
        || unique(&l.entity.source, left_tokens);
    let right_unique = unique(&r.entity.source, right_tokens);
    if left_unique && right_unique && left_tokens == right_tokens && distinctive(left_tokens) {
        return Some(link("name-unique", 0.9, compared));
    }
    // "Heimatmuseum" in Priorau is "Heimatmuseum Priorau" of a list without places, if that list
    // has one record of that name (many records may be called "Heimatmuseum").
    for (a, a_tokens, b_tokens, b_unique) in [
        (l, left_tokens, right_tokens, right_unique),
        (r, right_tokens, left_tokens, left_unique),
    ] {
        if b_unique
            && a.has_place()
            && let Some(locality) = &a.entity.locality
        {
            let mut with: Vec<String> = a_tokens
                .iter()
                .cloned()
                .chain(normalize::name_tokens(locality))
                .collect();
            with.sort_unstable();
            with.dedup();
            if &with == b_tokens && with.len() > a_tokens.len() && distinctive(&with) {
                compared.push(Compared {
                    field: "locality",
                    left: l.entity.locality.clone().unwrap_or_default(),
                    right: r.entity.locality.clone().unwrap_or_default(),
                });
                return Some(link("name-locality", 0.92, compared));
            }
        }
    }
    None
}

fn round(score: f64) -> f64 {
    (score * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::NamedNode;

    fn entity(iri: &str, source: &str, name: &str) -> Entity {
        let mut e = Entity::new(
            NamedNode::new(format!("https://x.example/{iri}")).unwrap(),
            source,
        );
        e.names.push(name.to_owned());
        e
    }

    fn same_as(records: &[Entity]) -> Vec<(String, String, &'static str)> {
        link(LinkKind::SameAs, records, records)
            .into_iter()
            .map(|l| {
                (
                    l.from.as_str().rsplit('/').next().unwrap().to_owned(),
                    l.to.as_str().rsplit('/').next().unwrap().to_owned(),
                    l.rule,
                )
            })
            .collect()
    }

    #[test]
    fn a_shared_wikidata_id_decides() {
        let mut a = entity("a", "isil", "Museum für Völkerkunde");
        a.identifiers
            .push("http://www.wikidata.org/entity/Q1".into());
        let mut b = entity("b", "osm", "GRASSI Museum");
        b.identifiers.push("Q1".into());
        assert_eq!(same_as(&[a, b]), [("a".into(), "b".into(), "identifier")]);
    }

    #[test]
    fn different_ids_of_one_scheme_forbid() {
        let mut a = entity("a", "isil", "Stadtmuseum Jena");
        a.identifiers.push("Q1".into());
        let mut b = entity("b", "osm", "Stadtmuseum Jena");
        b.identifiers.push("Q2".into());
        assert!(same_as(&[a, b]).is_empty());
    }

    #[test]
    fn records_of_one_source_are_never_linked() {
        let a = entity("a", "isil", "Stadtmuseum Jena");
        let b = entity("b", "isil", "Stadtmuseum Jena");
        assert!(same_as(&[a, b]).is_empty());
    }

    #[test]
    fn name_and_street_link_rooms_to_their_house() {
        let mut room = entity("room", "kalender", "Kulturhaus Karlshorst, Großer Saal");
        room.street = Some("Treskowallee 112".into());
        room.postcode = Some("10318".into());
        let mut house = entity("house", "kulturb", "Kulturhaus Karlshorst");
        house.street = Some("Treskowallee 112".into());
        house.postcode = Some("10318".into());
        assert_eq!(
            same_as(&[room, house]),
            [("room".into(), "house".into(), "name-place")]
        );
    }

    #[test]
    fn one_building_two_organisations_stay_two() {
        let mut a = entity("a", "kalender", "Rathaus Lichtenberg");
        a.street = Some("Möllendorffstraße 6".into());
        let mut b = entity(
            "b",
            "kulturb",
            "Ratskeller - Galerie für zeitgenössische Kunst",
        );
        b.street = Some("Möllendorffstr. 6".into());
        assert!(same_as(&[a, b]).is_empty());
    }

    #[test]
    fn the_same_name_in_another_town_is_another_place() {
        let mut a = entity("a", "x", "Heimatmuseum Burg");
        a.locality = Some("Burg (Spreewald)".into());
        let mut b = entity("b", "y", "Heimatmuseum Burg");
        b.locality = Some("Burg bei Magdeburg".into());
        assert!(same_as(&[a.clone(), b]).is_empty());
        let mut c = entity("c", "y", "Heimatmuseum Burg");
        c.point = Point::new(52.0, 12.0);
        let mut d = entity("d", "x", "Heimatmuseum Burg");
        d.point = Point::new(51.7, 14.1);
        assert!(same_as(&[c, d]).is_empty());
    }

    #[test]
    fn distance_and_name() {
        let mut a = entity("a", "x", "Stadtmuseum Weimar");
        a.point = Point::new(50.9790, 11.3290);
        let mut b = entity("b", "y", "Weimar Stadtmuseum");
        b.point = Point::new(50.9792, 11.3292);
        assert_eq!(same_as(&[a, b]), [("a".into(), "b".into(), "name-place")]);
    }

    #[test]
    fn a_name_alone_links_only_if_distinctive_and_unique() {
        let a = entity("a", "isil", "Deutsches Chemie-Museum Merseburg");
        let mut b = entity("b", "osm", "Deutsches Chemie Museum Merseburg");
        b.locality = Some("Merseburg".into());
        assert_eq!(same_as(&[a, b]), [("a".into(), "b".into(), "name-unique")]);
        // "Heimatmuseum" says nothing, and two records of a source with one name are ambiguous.
        let c = entity("c", "isil", "Heimatmuseum");
        let d = entity("d", "osm", "Heimatmuseum");
        assert!(same_as(&[c, d]).is_empty());
        let e = entity("e", "isil", "Museum Schloss Moritzburg");
        let f = entity("f", "osm", "Museum Schloss Moritzburg");
        let g = entity("g", "osm", "Museum Schloss Moritzburg");
        assert!(same_as(&[e, f, g]).is_empty());
    }

    #[test]
    fn name_with_locality_meets_a_name_that_includes_it() {
        let a = entity("a", "isil", "Heimatmuseum Priorau");
        let mut b = entity("b", "osm", "Heimatmuseum");
        b.locality = Some("Priorau".into());
        assert_eq!(
            same_as(&[a, b]),
            [("a".into(), "b".into(), "name-locality")]
        );
    }

    #[test]
    fn a_name_alone_links_only_records_that_are_each_others_best() {
        let bare = entity("bare", "isil", "Neues Museum Dornburg");
        let full = entity("full", "isil", "Neues Museum Dornburg Weimar");
        let mut osm = entity("osm", "osm", "Neues Museum Dornburg");
        osm.locality = Some("Weimar".into());
        assert_eq!(
            same_as(&[bare, full, osm]),
            [("full".into(), "osm".into(), "name-locality")]
        );
    }

    #[test]
    fn an_event_goes_to_the_best_venue_of_each_source() {
        let mut event = entity("event", "kalender", "Museum Berlin-Karlshorst");
        event.street = Some("Zwieseler Str. 4".into());
        event.postcode = Some("10318".into());
        let mut right = entity("right", "kulturb", "Museum Berlin-Karlshorst");
        right.street = Some("Zwieseler Straße 4".into());
        let mut wrong = entity("wrong", "kulturb", "Kulturhaus Karlshorst");
        wrong.street = Some("Treskowallee 112".into());
        wrong.postcode = Some("10318".into());
        let links = link(LinkKind::EventVenue, &[event], &[right, wrong]);
        assert_eq!(links.len(), 1);
        assert!(links[0].to.as_str().ends_with("/right"));
        assert!(links[0].compared.iter().any(|c| c.field == "street"));
    }

    #[test]
    fn many_events_at_one_place_link_to_it_by_name() {
        let events: Vec<Entity> = (0..3)
            .map(|i| entity(&format!("e{i}"), "kalender", "Museum Berlin-Karlshorst"))
            .collect();
        let museum = entity("museum", "isil", "Museum Berlin-Karlshorst");
        let links = link(LinkKind::EventVenue, &events, &[museum]);
        assert_eq!(links.len(), 3);
        assert!(links.iter().all(|l| l.rule == "name-unique"));
    }

    #[test]
    fn an_object_goes_to_the_institution_its_holder_names_by_isil() {
        let mut object = entity("object", "kenom", "Landesbibliothek");
        object.identifiers.push("DE-68".into());
        let mut library = entity(
            "library",
            "isil",
            "Schleswig-Holsteinische Landesbibliothek",
        );
        library.identifiers.push("de-68".into());
        let other = entity("other", "isil", "Landesbibliothek");
        let links = link(LinkKind::ObjectHolder, &[object], &[library, other]);
        assert_eq!(links.len(), 1);
        assert_eq!(
            (links[0].to.as_str(), links[0].rule),
            ("https://x.example/library", "identifier")
        );
    }

    #[test]
    fn generic_tokens_do_not_make_quadratic_blocks() {
        // 1000 "Museum …" records on each side: the shared token "museum" is over the cap, so
        // each record is compared with the one that shares its rare token only.
        let left: Vec<Entity> = (0..1000)
            .map(|i| entity(&format!("l{i}"), "a", &format!("Museum Ort{i}")))
            .collect();
        let right: Vec<Entity> = (0..1000)
            .map(|i| entity(&format!("r{i}"), "b", &format!("Museum Ort{i}")))
            .collect();
        let all = [left, right].concat();
        let links = link(LinkKind::SameAs, &all, &all);
        assert_eq!(links.len(), 1000);
        for l in &links {
            let (from, to) = (l.from.as_str(), l.to.as_str());
            assert_eq!(
                from.rsplit_once("/l").unwrap().1,
                to.rsplit_once("/r").unwrap().1
            );
        }
    }
}
