//! The linking stage: after the sources of an ingest are published, links between records of
//! different sources (see `kulturnetz-link`) are computed from the published graphs and replace
//! the derived graph `{base}graph/links` in one step, with their evidence. No source's graph is
//! edited, and the graph is rebuilt from what is published, so a link goes when its source does.
//!
//! The overrides file (`[pipeline] link_overrides`, CSV `subject,kind,object,decision,reason`)
//! pins (`pin`) or forbids (`forbid`) a link; it wins over every rule.

use crate::PipelineError;
use crate::report::Linking;
use kulturnetz_link::{Compared, Entity, Link, LinkKind, Point};
use kulturnetz_model::vocab::{kn, owl, prov, schema, void};
use kulturnetz_model::{Config, Minter};
use kulturnetz_store::{Backend, Description, QueryOutcome, QueryRequest, StoreError};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Literal, NamedNode, NamedNodeRef, Term, Triple};
use sha2::{Digest, Sha256};
use sparesults::QuerySolution;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::time::{Instant, SystemTime};

/// Bumped when the rules change what they link: part of the stage's fingerprint, so a new
/// version relinks even if no source changed.
const RULES_VERSION: u32 = 1;

/// Where a record's comparable values are, relative to `?x`: its names, identifiers, address
/// and coordinates, one pattern per kind of value. Each is read as one scan over the graphs and
/// joined to the records here: a join of the records with a union of these patterns made the
/// engine look each pattern up once per record (17 s of the 27 s linking took on 2 M triples).
const ATTRIBUTES: [(&str, &str); 12] = [
    ("name", "?x schema:name ?v"),
    ("name", "?x schema:alternateName ?v"),
    (
        "id",
        "?x owl:sameAs|schema:sameAs|schema:identifier|schema:url ?v",
    ),
    ("address", "?x schema:address ?v FILTER(isLiteral(?v))"),
    ("street", "?x schema:address/schema:streetAddress ?v"),
    ("postcode", "?x schema:address/schema:postalCode ?v"),
    ("locality", "?x schema:address/schema:addressLocality ?v"),
    ("lat", "?x schema:geo/schema:latitude ?v"),
    ("lon", "?x schema:geo/schema:longitude ?v"),
    ("lat", "?x schema:latitude ?v"),
    ("lon", "?x schema:longitude ?v"),
    ("wkt", "?x geo:hasGeometry/geo:asWKT ?v"),
];

/// The classes of institutions and venues. A plain `schema:Place` that is some event's
/// `schema:location` is that event's place, not a venue of its own.
const VENUE_CLASSES: &str = "schema:Museum schema:Library schema:ArtGallery \
    schema:PerformingArtsTheater schema:MovieTheater schema:MusicVenue schema:EventVenue \
    schema:Zoo schema:Aquarium schema:CityHall schema:Organization \
    schema:LandmarksOrHistoricalBuildings schema:TouristAttraction schema:PlaceOfWorship \
    schema:Place";

/// The records of each role, read from the published graphs.
#[derive(Default)]
struct Records {
    venues: Vec<Entity>,
    events: Vec<Entity>,
    accessibility: Vec<Entity>,
    objects: Vec<Entity>,
}

/// Whether the links must be computed again: a source was published in this run, or the
/// overrides, the configured sources or the rules changed since the links were made.
pub(crate) fn needed(
    config: &Config,
    backend: &dyn Backend,
    published: bool,
) -> Result<Option<String>, PipelineError> {
    let fingerprint = fingerprint(config)?;
    if published {
        return Ok(Some(fingerprint));
    }
    let minter = config.minter();
    let stored = crate::provenance::stored(backend, &minter.meta_graph(), &minter.links_graph())?;
    Ok((stored.fingerprint.as_deref() != Some(fingerprint.as_str())).then_some(fingerprint))
}

/// What the links depend on besides the published graphs: the rules' version, the configured
/// sources and the overrides file.
fn fingerprint(config: &Config) -> Result<String, PipelineError> {
    let mut hash = Sha256::new();
    hash.update(RULES_VERSION.to_le_bytes());
    for source in &config.sources {
        hash.update(source.id.as_bytes());
        hash.update([0]);
    }
    let file = config.resolve(&config.pipeline.link_overrides);
    match std::fs::read(&file) {
        Ok(bytes) => hash.update(&bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => hash.update(b"\0none"),
        Err(error) => {
            return Err(PipelineError::Read {
                name: file.display().to_string(),
                error,
            });
        }
    }
    Ok(format!("{:x}", hash.finalize()))
}

/// Reads the overrides file, so that a mistake in it stops an ingest before any source runs.
pub(crate) fn check_overrides(config: &Config) -> Result<(), PipelineError> {
    let file = config.resolve(&config.pipeline.link_overrides);
    Overrides::read(&file, &config.pipeline.link_overrides).map(drop)
}

/// Computes the links between the published graphs of the configured sources and replaces the
/// links graph with them and their evidence; records the run in the meta graph.
pub(crate) fn link(
    config: &Config,
    backend: &dyn Backend,
    fingerprint: &str,
) -> Result<Linking, PipelineError> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let minter = config.minter();
    let overrides_file = config.resolve(&config.pipeline.link_overrides);
    let overrides = Overrides::read(&overrides_file, &config.pipeline.link_overrides)?;
    let graphs: Vec<NamedNode> = config.sources.iter().map(|s| minter.graph(&s.id)).collect();
    let records = read_records(backend, &minter, &graphs)?;
    let mut links = Vec::new();
    links.extend(kulturnetz_link::link(
        LinkKind::SameAs,
        &records.venues,
        &records.venues,
    ));
    links.extend(kulturnetz_link::link(
        LinkKind::EventVenue,
        &records.events,
        &records.venues,
    ));
    links.extend(kulturnetz_link::link(
        LinkKind::VenueAccessibility,
        &records.venues,
        &records.accessibility,
    ));
    links.extend(kulturnetz_link::link(
        LinkKind::ObjectHolder,
        &records.objects,
        &records.venues,
    ));
    let (links, forbidden) = overrides.apply(links);

    let stamp = humantime::format_rfc3339_seconds(started).to_string();
    let links_graph = minter.links_graph();
    let run = NamedNode::new_unchecked(format!(
        "{}#run-{}",
        links_graph.as_str(),
        stamp.replace(':', "")
    ));
    // Staged like a source's graph, so that the links and the description of the run that
    // made them are published in one step.
    let mut staging = backend.stage(links_graph.as_ref())?;
    let mut per_kind: BTreeMap<String, u64> = BTreeMap::new();
    let mut parts = HashSet::new();
    for (link, reason) in &links {
        *per_kind.entry(link.kind.as_str().to_owned()).or_default() += 1;
        for triple in evidence(&minter, &run, link, reason.as_deref(), &mut parts) {
            staging.insert(triple.as_ref())?;
        }
    }
    let triples = staging.seal()?;

    let ended = SystemTime::now();
    let report = Linking {
        links: links.len() as u64,
        per_kind,
        pinned: links.iter().filter(|(l, _)| l.rule == "override").count() as u64,
        forbidden,
        venues: records.venues.len() as u64,
        events: records.events.len() as u64,
        accessibility: records.accessibility.len() as u64,
        objects: records.objects.len() as u64,
        seconds: clock.elapsed().as_secs_f64(),
    };
    staging.commit(&[activity(
        &minter,
        &run,
        &report,
        fingerprint,
        triples,
        (started, ended),
        &config.pipeline.link_overrides,
        &graphs,
    )])?;
    Ok(report)
}

/// The predicate a link of `kind` is published as.
fn predicate(kind: LinkKind) -> NamedNodeRef<'static> {
    match kind {
        LinkKind::SameAs => owl::SAME_AS,
        LinkKind::EventVenue => schema::LOCATION,
        LinkKind::VenueAccessibility => kn::ACCESSIBILITY_RECORD,
        LinkKind::ObjectHolder => schema::HOLDING_ARCHIVE,
    }
}

/// The link and the node of its evidence. A pair of values compared is a node of its own,
/// named by its field and values, and written once (`parts` holds those written): the events
/// at one place share the comparisons of the place with its venue.
fn evidence(
    minter: &Minter,
    run: &NamedNode,
    link: &Link,
    reason: Option<&str>,
    parts: &mut HashSet<NamedNode>,
) -> Vec<Triple> {
    let p = predicate(link.kind);
    let node = minter.link(link.from.as_str(), p.as_str(), link.to.as_str());
    let text = Literal::new_simple_literal;
    let mut triples = vec![
        Triple::new(link.from.clone(), p, link.to.clone()),
        Triple::new(node.clone(), rdf::TYPE, kn::LINK_CLASS),
        Triple::new(node.clone(), rdf::SUBJECT, link.from.clone()),
        Triple::new(node.clone(), rdf::PREDICATE, p),
        Triple::new(node.clone(), rdf::OBJECT, link.to.clone()),
        Triple::new(node.clone(), kn::LINK_KIND, text(link.kind.as_str())),
        Triple::new(node.clone(), kn::LINK_RULE, text(link.rule)),
        Triple::new(
            node.clone(),
            kn::LINK_SCORE,
            Literal::new_typed_literal(format!("{:.3}", link.score), xsd::DECIMAL),
        ),
        Triple::new(node.clone(), prov::WAS_GENERATED_BY, run.clone()),
    ];
    if let Some(reason) = reason {
        triples.push(Triple::new(node.clone(), kn::OVERRIDE_REASON, text(reason)));
    }
    for Compared { field, left, right } in &link.compared {
        let part = minter.link(field, left, right);
        triples.push(Triple::new(node.clone(), kn::COMPARED, part.clone()));
        if parts.insert(part.clone()) {
            triples.extend([
                Triple::new(part.clone(), kn::COMPARED_FIELD, text(field)),
                Triple::new(part.clone(), kn::SUBJECT_VALUE, text(left)),
                Triple::new(part, kn::OBJECT_VALUE, text(right)),
            ]);
        }
    }
    triples
}

/// The description of the links graph and the run that made it, for the meta graph.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site, each a different fact"
)]
fn activity(
    minter: &Minter,
    run: &NamedNode,
    report: &Linking,
    fingerprint: &str,
    triples: u64,
    (started, ended): (SystemTime, SystemTime),
    overrides: &Path,
    graphs: &[NamedNode],
) -> Description {
    let count = |n: u64| Literal::from(i64::try_from(n).unwrap_or(i64::MAX));
    let time = |t: SystemTime| {
        Literal::new_typed_literal(
            humantime::format_rfc3339_seconds(t).to_string(),
            xsd::DATE_TIME,
        )
    };
    let mut description = Description::new(minter.meta_graph(), minter.links_graph())
        .with(rdf::TYPE.into_owned(), prov::ENTITY.into_owned())
        .with(prov::WAS_GENERATED_BY.into_owned(), run.clone())
        .with(
            kn::FINGERPRINT.into_owned(),
            Literal::new_simple_literal(fingerprint),
        )
        .with(kn::LINKS_MADE.into_owned(), count(report.links))
        .with(void::TRIPLES.into_owned(), count(triples))
        .with(prov::GENERATED_AT_TIME.into_owned(), time(ended));
    let mut part = |s: &NamedNode, p: NamedNodeRef<'_>, o: Term| {
        description
            .parts
            .push(Triple::new(s.clone(), p.into_owned(), o));
    };
    part(run, rdf::TYPE, prov::ACTIVITY.into_owned().into());
    part(run, rdf::TYPE, kn::LINK_ACTIVITY.into_owned().into());
    part(run, prov::STARTED_AT_TIME, time(started).into());
    part(run, prov::ENDED_AT_TIME, time(ended).into());
    part(run, kn::LINKS_MADE, count(report.links).into());
    part(
        run,
        kn::OVERRIDES_FILE,
        Literal::new_simple_literal(overrides.display().to_string()).into(),
    );
    for graph in graphs {
        part(run, prov::USED, graph.clone().into());
    }
    for kind in LinkKind::ALL {
        let node = NamedNode::new_unchecked(format!("{}-{}", run.as_str(), kind.as_str()));
        part(run, prov::WAS_GENERATED_BY, node.clone().into());
        part(
            &node,
            kn::LINK_KIND,
            Literal::new_simple_literal(kind.as_str()).into(),
        );
        part(
            &node,
            kn::LINKS_MADE,
            count(report.per_kind.get(kind.as_str()).copied().unwrap_or(0)).into(),
        );
    }
    description
}

/// Reads the records of each role from `graphs`: first which records there are (and `?x`, the
/// node whose values are read: the record itself, an event's place, an object's holder), then
/// each kind of value for all of them.
fn read_records(
    backend: &dyn Backend,
    minter: &Minter,
    graphs: &[NamedNode],
) -> Result<Records, PipelineError> {
    let values: String = graphs.iter().map(|g| format!("{g} ")).collect();
    let prefix = minter.graph("");
    let query = |what: &str, variables: &str, pattern: &str| {
        format!(
            "PREFIX schema: <http://schema.org/>\n\
             PREFIX owl: <http://www.w3.org/2002/07/owl#>\n\
             PREFIX geo: <http://www.opengis.net/ont/geosparql#>\n\
             PREFIX kn: <{kn}>\n\
             # {what}\n\
             SELECT {variables} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ {pattern} }} }}",
            kn = kn::NAMESPACE,
        )
    };
    let roles = [
        (
            "venues",
            format!(
                "VALUES ?t {{ {VENUE_CLASSES} }} ?s a ?t . \
                 MINUS {{ ?e schema:location ?s BIND(schema:Place AS ?t) }}"
            ),
        ),
        // An occurrence of a series that has a place is found through the series
        // (schema:superEvent): linking the series is enough (an occurrence moved elsewhere is
        // not linked on its own).
        (
            "events",
            "?s schema:location ?x . \
             MINUS { ?s schema:superEvent/schema:location ?place }"
                .to_owned(),
        ),
        (
            "accessibility records",
            "?s kn:accessibility ?a .".to_owned(),
        ),
        // An object whose holder is another source's institution by IRI is linked already;
        // one whose holder is a node of its own source is compared by that node's values (its
        // ISIL).
        ("objects", "?s schema:holdingArchive ?x .".to_owned()),
    ];
    let source_of = |g: &NamedNode| {
        g.as_str()
            .strip_prefix(prefix.as_str())
            .unwrap_or(g.as_str())
            .to_owned()
    };
    let mut entities: [Vec<Entity>; 4] = Default::default();
    // The records whose values each (graph, node) holds, as (role, record) indexes. An event's
    // place may be a blank node: the store gives a blank node the same label in each query
    // (as Virtuoso's `nodeID://` labels are), so it names the same node across these queries.
    let mut wanted: HashMap<(NamedNode, Term), Vec<(usize, usize)>> = HashMap::new();
    for (role, (what, pattern)) in roles.iter().enumerate() {
        let mut index: HashMap<(NamedNode, NamedNode), usize> = HashMap::new();
        each_row(backend, &query(what, "?g ?s ?x", pattern), |row| {
            let (Some(Term::NamedNode(g)), Some(Term::NamedNode(s))) = (row.get("g"), row.get("s"))
            else {
                return;
            };
            let x = match row.get("x") {
                Some(x @ (Term::NamedNode(_) | Term::BlankNode(_))) => x.clone(),
                Some(_) => return,
                None => Term::NamedNode(s.clone()),
            };
            let records = &mut entities[role];
            let i = *index.entry((g.clone(), s.clone())).or_insert_with(|| {
                records.push(Entity::new(s.clone(), source_of(g)));
                records.len() - 1
            });
            let targets = wanted.entry((g.clone(), x)).or_default();
            if !targets.contains(&(role, i)) {
                targets.push((role, i));
            }
        })?;
    }
    let mut coordinates: HashMap<(usize, usize), (Option<f64>, Option<f64>)> = HashMap::new();
    // A record is one only if something is known of it: the records with a value.
    let mut known: HashSet<(usize, usize)> = HashSet::new();
    for (kind, pattern) in ATTRIBUTES {
        let what = format!("the {kind} of every record");
        each_row(backend, &query(&what, "?g ?x ?v", pattern), |row| {
            let (Some(Term::NamedNode(g)), Some(x)) = (row.get("g"), row.get("x")) else {
                return;
            };
            let Some(targets) = wanted.get(&(g.clone(), x.clone())) else {
                return;
            };
            known.extend(targets.iter().copied());
            let value = match row.get("v") {
                Some(Term::Literal(l)) => l.value().trim(),
                Some(Term::NamedNode(n)) => n.as_str(),
                _ => return,
            };
            if value.is_empty() {
                return;
            }
            for &(role, i) in targets {
                let entity = &mut entities[role][i];
                let set = |slot: &mut Option<String>| {
                    if slot.is_none() {
                        *slot = Some(value.to_owned());
                    }
                };
                match kind {
                    "name" if !entity.names.iter().any(|n| n == value) => {
                        entity.names.push(value.to_owned());
                    }
                    "id" if !entity.identifiers.iter().any(|n| n == value) => {
                        entity.identifiers.push(value.to_owned());
                    }
                    // An address as one text, as iCalendar's LOCATION gives it after the
                    // name: "Große Ulrichstraße 106b, 99067 Erfurt".
                    "address" => {
                        let (street, postcode, locality) = split_address(value);
                        if let Some(street) = street {
                            set_owned(&mut entity.street, street);
                        }
                        if let Some(postcode) = postcode {
                            set_owned(&mut entity.postcode, postcode);
                        }
                        if let Some(locality) = locality {
                            set_owned(&mut entity.locality, locality);
                        }
                    }
                    "street" => set(&mut entity.street),
                    "postcode" => set(&mut entity.postcode),
                    "locality" => set(&mut entity.locality),
                    "lat" => coordinates.entry((role, i)).or_default().0 = value.parse().ok(),
                    "lon" => coordinates.entry((role, i)).or_default().1 = value.parse().ok(),
                    "wkt" if entity.point.is_none() => entity.point = Point::from_wkt(value),
                    _ => {}
                }
            }
        })?;
    }
    for ((role, i), (lat, lon)) in coordinates {
        if let (Some(lat), Some(lon)) = (lat, lon) {
            let entity = &mut entities[role][i];
            entity.point = Point::new(lat, lon).or(entity.point);
        }
    }
    for (role, records) in entities.iter_mut().enumerate() {
        let mut i = 0;
        records.retain(|_| {
            i += 1;
            known.contains(&(role, i - 1))
        });
        // A stable order: the same store gives the same links, whatever the hash seed.
        records.sort_by(|a, b| (&a.source, &a.iri).cmp(&(&b.source, &b.iri)));
        for record in records {
            record.names.sort();
            record.identifiers.sort();
        }
    }
    let [venues, events, accessibility, objects] = entities;
    Ok(Records {
        venues,
        events,
        accessibility,
        objects,
    })
}

/// Runs a SELECT and hands each row to `f`.
fn each_row(
    backend: &dyn Backend,
    query: &str,
    mut f: impl FnMut(&QuerySolution),
) -> Result<(), PipelineError> {
    let query = spargebra::SparqlParser::new()
        .parse_query(query)
        .unwrap_or_else(|e| unreachable!("the linking queries parse: {e}"));
    let QueryOutcome::Solutions { solutions, .. } = backend.query(&QueryRequest::new(query))?
    else {
        return Err(StoreError::Evaluation("a SELECT gave no solutions".into()).into());
    };
    for solution in solutions {
        f(&solution?);
    }
    Ok(())
}

fn set_owned(slot: &mut Option<String>, value: String) {
    if slot.is_none() {
        *slot = Some(value);
    }
}

/// An address written as one text, "street number, postcode locality" (either part may be
/// missing): its street, postcode and locality.
fn split_address(text: &str) -> (Option<String>, Option<String>, Option<String>) {
    let mut street = None;
    let mut postcode = None;
    let mut locality = None;
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let mut words = part.splitn(2, ' ');
        let first = words.next().unwrap_or_default();
        if first.len() == 5 && first.chars().all(|c| c.is_ascii_digit()) {
            postcode = Some(first.to_owned());
            locality = words
                .next()
                .map(|w| w.trim().to_owned())
                .filter(|w| !w.is_empty());
        } else if street.is_none() && part.chars().any(|c| c.is_ascii_digit()) {
            street = Some(part.to_owned());
        } else if locality.is_none() && street.is_some() {
            locality = Some(part.to_owned());
        }
    }
    (street, postcode, locality)
}

/// What a data steward decided about one link.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Decision {
    Pin,
    Forbid,
}

#[derive(Debug, Clone)]
struct Override {
    subject: NamedNode,
    kind: LinkKind,
    object: NamedNode,
    decision: Decision,
    reason: String,
}

/// The overrides file: links pinned or forbidden by hand.
#[derive(Debug, Default)]
struct Overrides(Vec<Override>);

impl Overrides {
    /// Reads `file` (`name` as configured, for messages); a missing file is no overrides.
    fn read(file: &Path, name: &Path) -> Result<Self, PipelineError> {
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(error) => {
                return Err(PipelineError::Read {
                    name: name.display().to_string(),
                    error,
                });
            }
        };
        Self::parse(&bytes, name)
    }

    fn parse(bytes: &[u8], name: &Path) -> Result<Self, PipelineError> {
        let error = |line: u64, message: String| PipelineError::Overrides {
            file: name.to_path_buf(),
            line,
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let headers = reader
            .headers()
            .map_err(|e| error(1, e.to_string()))?
            .clone();
        let expected = ["subject", "kind", "object", "decision", "reason"];
        if headers.iter().collect::<Vec<_>>() != expected {
            return Err(error(
                1,
                format!(
                    "the header must be {:?}, found {:?}",
                    expected.join(","),
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
            ));
        }
        let mut overrides = Vec::new();
        for record in reader.records() {
            let record = record
                .map_err(|e| error(e.position().map_or(0, csv::Position::line), e.to_string()))?;
            let line = record.position().map_or(0, csv::Position::line);
            let iri = |i: usize, field: &str| {
                NamedNode::new(&record[i]).map_err(|e| {
                    error(
                        line,
                        format!("field {field:?}: {:?} is not an IRI: {e}", &record[i]),
                    )
                })
            };
            let subject = iri(0, "subject")?;
            let object = iri(2, "object")?;
            let kind = LinkKind::parse(&record[1]).ok_or_else(|| {
                error(
                    line,
                    format!(
                        "field \"kind\": expected one of same-as, event-venue, \
                         venue-accessibility, object-holder, found {:?}",
                        &record[1]
                    ),
                )
            })?;
            let decision = match &record[3] {
                "pin" => Decision::Pin,
                "forbid" => Decision::Forbid,
                other => {
                    return Err(error(
                        line,
                        format!("field \"decision\": expected pin or forbid, found {other:?}"),
                    ));
                }
            };
            if record[4].is_empty() {
                return Err(error(
                    line,
                    "field \"reason\": say why, for whoever reads the link next".into(),
                ));
            }
            overrides.push(Override {
                subject,
                kind,
                object,
                decision,
                reason: record[4].to_owned(),
            });
        }
        Ok(Self(overrides))
    }

    /// The links after the overrides: forbidden ones removed (counted), pinned ones added with
    /// their reason (replacing a rule's link of the same pair).
    fn apply(&self, links: Vec<Link>) -> (Vec<(Link, Option<String>)>, u64) {
        let same = |o: &Override, l: &Link| {
            o.kind == l.kind
                && ((o.subject == l.from && o.object == l.to)
                    || (o.kind == LinkKind::SameAs && o.subject == l.to && o.object == l.from))
        };
        let mut out: Vec<(Link, Option<String>)> = links
            .into_iter()
            .filter(|l| !self.0.iter().any(|o| same(o, l)))
            .map(|l| (l, None))
            .collect();
        let forbidden = self
            .0
            .iter()
            .filter(|o| o.decision == Decision::Forbid)
            .count();
        for o in self.0.iter().filter(|o| o.decision == Decision::Pin) {
            out.push((
                Link {
                    kind: o.kind,
                    from: o.subject.clone(),
                    to: o.object.clone(),
                    rule: "override",
                    score: 1.0,
                    compared: Vec::new(),
                },
                Some(o.reason.clone()),
            ));
        }
        (out, forbidden as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Overrides, PipelineError> {
        Overrides::parse(text.as_bytes(), Path::new("links/overrides.csv"))
    }

    #[test]
    fn an_address_in_one_text_is_split() {
        let parts = |t| {
            let (a, b, c) = split_address(t);
            (
                a.unwrap_or_default(),
                b.unwrap_or_default(),
                c.unwrap_or_default(),
            )
        };
        assert_eq!(
            parts("Große Ulrichstraße 106b, 99067 Erfurt"),
            (
                "Große Ulrichstraße 106b".into(),
                "99067".into(),
                "Erfurt".into()
            )
        );
        assert_eq!(
            parts("Treskowallee 112, Berlin"),
            ("Treskowallee 112".into(), String::new(), "Berlin".into())
        );
        assert_eq!(
            parts("Marktplatz"),
            (String::new(), String::new(), String::new())
        );
    }

    #[test]
    fn overrides_are_read_strictly_with_their_line() {
        let ok = parse(
            "subject,kind,object,decision,reason\n# a comment\n\
             https://x.example/a,same-as,https://x.example/b,pin,\"same museum, new name\"\n",
        )
        .unwrap();
        assert_eq!(ok.0.len(), 1);
        assert_eq!(ok.0[0].reason, "same museum, new name");
        let e = parse("subject,kind,object,decision,reason\nhttps://x.example/a,same,https://x.example/b,pin,r\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "links/overrides.csv:2: field \"kind\": expected one of same-as, event-venue, venue-accessibility, object-holder, found \"same\""
        );
        let e = parse("subject,kind,object,decision,reason\nhttps://x.example/a,same-as,https://x.example/b,keep,r\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("links/overrides.csv:2: field \"decision\""),
            "{e}"
        );
        let e = parse("a,b\n").unwrap_err().to_string();
        assert!(
            e.starts_with("links/overrides.csv:1: the header must be"),
            "{e}"
        );
        let e = parse(
            "subject,kind,object,decision,reason\nnot an iri,same-as,https://x.example/b,pin,r\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("links/overrides.csv:2: field \"subject\""),
            "{e}"
        );
    }

    #[test]
    fn a_forbidden_link_goes_and_a_pinned_one_comes() {
        let n = |s: &str| NamedNode::new(format!("https://x.example/{s}")).unwrap();
        let link = |a: &str, b: &str| Link {
            kind: LinkKind::SameAs,
            from: n(a),
            to: n(b),
            rule: "name-place",
            score: 0.9,
            compared: Vec::new(),
        };
        let overrides = parse(
            "subject,kind,object,decision,reason\n\
             https://x.example/b,same-as,https://x.example/a,forbid,two houses\n\
             https://x.example/c,same-as,https://x.example/d,pin,renamed\n",
        )
        .unwrap();
        let (links, forbidden) = overrides.apply(vec![link("a", "b"), link("e", "f")]);
        assert_eq!(forbidden, 1);
        let pairs: Vec<(&str, &str, Option<&str>)> = links
            .iter()
            .map(|(l, r)| (l.from.as_str(), l.rule, r.as_deref()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("https://x.example/e", "name-place", None),
                ("https://x.example/c", "override", Some("renamed")),
            ]
        );
    }
}
