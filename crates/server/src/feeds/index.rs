//! What the feeds' filters compare, read from the store with a few plain queries and kept in
//! memory until the data changes.
//!
//! One SPARQL query holding every filter (dates computed from each start's lexical form, paths
//! through `owl:sameAs` to coordinates and accessibility, texts of series) leaves the join order
//! to the engine, which then evaluates the whole calendar for every page: a second for the
//! bundled data, past the time limit with a filter or two. So the filters run here, over an
//! index of every event and venue ordered by the feed's key, and the store is asked only for
//! the details of the one page shown (`VALUES` of its IRIs). The index is built by the first
//! request after a write or an ingest (the server counts them: [`AppState::data_changed`]),
//! from the same facts a user reads at `/sparql`.
//!
//! [`AppState::data_changed`]: crate::state::AppState::data_changed

use super::query::{KM_PER_DEGREE, Need};
use crate::error::ApiError;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use kulturnetz_store::{Backend, Dataset, QueryOutcome, QueryRequest};
use oxrdf::Term;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;

const PREFIXES: &str = "PREFIX schema: <http://schema.org/>\n\
PREFIX owl: <http://www.w3.org/2002/07/owl#>\n\
PREFIX kn: <https://w3id.org/kulturnetz/ontology/kulturnetz#>\n";

/// The types that make a subject a venue of `/feeds/venues` (as does being an event's
/// `schema:location`).
const VENUE_TYPES: &str = "schema:Place schema:EventVenue schema:Museum schema:MusicVenue \
schema:PerformingArtsTheater schema:Library schema:CivicStructure schema:LandmarksOrHistoricalBuildings";

/// What the filters of both feeds compare of an event or a venue.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// The graph it is read from (the least by IRI when several say it).
    pub(crate) source: String,
    /// Its coordinates (latitude, longitude): its own, or for an event its venues', and those
    /// of records linked to them as the same place.
    pub(crate) points: Vec<(f64, f64)>,
    /// The needs it meets, one bit per [`Need::ALL`].
    needs: u8,
    /// Its categories, lower-case.
    keywords: Vec<String>,
    /// Its names and descriptions (for an event also its series'), lower-case.
    text: String,
}

impl Facts {
    pub(crate) fn meets(&self, need: Need) -> bool {
        self.needs & bit(need) != 0
    }
}

fn bit(need: Need) -> u8 {
    let i = Need::ALL.iter().position(|n| *n == need).unwrap_or(0);
    1 << i
}

/// An event of the index: one per (start, IRI).
#[derive(Debug)]
pub(crate) struct EventEntry {
    pub(crate) at: DateTime<Utc>,
    pub(crate) iri: String,
    /// The start as the source wrote it.
    pub(crate) start: String,
    pub(crate) facts: Facts,
}

/// A venue of the index.
#[derive(Debug)]
pub(crate) struct VenueEntry {
    pub(crate) iri: String,
    pub(crate) facts: Facts,
}

/// The index of both feeds at one version of the data.
#[derive(Debug, Default)]
pub(crate) struct FeedIndex {
    version: u64,
    /// Ordered by (start instant, IRI).
    pub(crate) events: Vec<EventEntry>,
    /// Ordered by IRI.
    pub(crate) venues: Vec<VenueEntry>,
}

/// The index the feeds share, and the lock its builder holds.
#[derive(Default)]
pub(crate) struct Cache {
    current: std::sync::Mutex<Option<Arc<FeedIndex>>>,
    building: Arc<tokio::sync::Mutex<()>>,
}

impl Cache {
    fn get(&self, version: u64) -> Option<Arc<FeedIndex>> {
        let current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        current.as_ref().filter(|i| i.version == version).cloned()
    }
}

/// The index of the data as it is now: kept, or built (once, however many requests wait for
/// it). A build that outlasts the time limit goes on and is kept for the next request; the
/// waiting one answers 504.
pub(crate) async fn current(state: &Arc<AppState>) -> Result<Arc<FeedIndex>, ApiError> {
    let version = state.data_version.load(Ordering::Acquire);
    if let Some(index) = state.feeds.get(version) {
        return Ok(index);
    }
    let timeout = state.options.query_timeout;
    let guard = tokio::time::timeout(timeout, Arc::clone(&state.feeds.building).lock_owned())
        .await
        .map_err(|_| ApiError::Timeout(timeout))?;
    let version = state.data_version.load(Ordering::Acquire);
    if let Some(index) = state.feeds.get(version) {
        return Ok(index);
    }
    let permit = tokio::time::timeout(timeout, state.queue.enter())
        .await
        .map_err(|_| ApiError::Busy)??;
    let builder = Arc::clone(state);
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _guard = guard;
        let started = std::time::Instant::now();
        let built = build(builder.backend.as_ref(), &builder.site.base_iri, version);
        if let Ok(index) = &built {
            tracing::info!(
                events = index.events.len(),
                venues = index.venues.len(),
                "the feeds' index was built in {:?}",
                started.elapsed()
            );
            *builder
                .feeds
                .current
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(index));
        }
        built
    });
    tokio::time::timeout(timeout, task)
        .await
        .map_err(|_| ApiError::Timeout(timeout))??
}

/// Runs a `SELECT` over the union of the graphs and hands each row (the projected variables
/// in order) to `each`.
fn each_row(
    backend: &dyn Backend,
    query: &str,
    mut each: impl FnMut(&[Option<&Term>]),
) -> Result<(), ApiError> {
    let query = spargebra::SparqlParser::new()
        .parse_query(&format!("{PREFIXES}{query}"))
        .map_err(|e| ApiError::Internal(format!("a query of the feeds' index: {e}")))?;
    let request = QueryRequest {
        query,
        dataset: Dataset {
            union_default_graph: true,
            ..Dataset::default()
        },
        cancel: kulturnetz_store::Cancel::default(),
    };
    let QueryOutcome::Solutions {
        variables,
        solutions,
    } = backend.query(&request)?
    else {
        return Ok(());
    };
    for solution in solutions {
        let solution = solution?;
        let row: Vec<Option<&Term>> = variables.iter().map(|v| solution.get(v)).collect();
        each(&row);
    }
    Ok(())
}

fn iri(term: Option<&Term>) -> Option<&str> {
    match term? {
        Term::NamedNode(n) => Some(n.as_str()),
        _ => None,
    }
}

fn text(term: Option<&Term>) -> Option<&str> {
    match term? {
        Term::NamedNode(n) => Some(n.as_str()),
        Term::Literal(l) => Some(l.value()),
        Term::BlankNode(_) => None,
    }
}

fn number(term: Option<&Term>) -> Option<f64> {
    text(term)?
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
}

pub(crate) use kulturnetz_search::calendar::instant;

/// Reads the index from the store.
fn build(backend: &dyn Backend, base: &str, version: u64) -> Result<Arc<FeedIndex>, ApiError> {
    let graphs = format!("{base}graph/");
    let links = format!("{base}graph/links");
    // Each event's start(s) and graph; the series themselves are not events of the feed.
    let mut series: HashSet<String> = HashSet::new();
    each_row(backend, "SELECT ?s { ?s a schema:EventSeries }", |r| {
        if let Some(s) = iri(r[0]) {
            series.insert(s.to_owned());
        }
    })?;
    let mut starts: BTreeMap<(DateTime<Utc>, String), (String, String)> = BTreeMap::new();
    each_row(
        backend,
        "SELECT ?e ?start ?g { GRAPH ?g { ?e schema:startDate ?start } }",
        |r| {
            let (Some(e), Some(start), Some(g)) = (iri(r[0]), text(r[1]), iri(r[2])) else {
                return;
            };
            if !g.starts_with(&graphs) || series.contains(e) {
                return;
            }
            let Some(at) = instant(start) else {
                return;
            };
            let entry = starts
                .entry((at, e.to_owned()))
                .or_insert_with(|| (start.to_owned(), g.to_owned()));
            if g < entry.1.as_str() {
                *entry = (start.to_owned(), g.to_owned());
            }
        },
    )?;
    drop(series);
    // Venues: subjects typed as places, or an event's location, in a source's graph.
    let mut venues: BTreeMap<String, String> = BTreeMap::new();
    each_row(
        backend,
        &format!(
            "SELECT ?v ?g {{ GRAPH ?g {{ {{ ?v a ?type VALUES ?type {{ {VENUE_TYPES} }} }} \
             UNION {{ ?any schema:location ?v }} }} }}"
        ),
        |r| {
            let (Some(v), Some(g)) = (iri(r[0]), iri(r[1])) else {
                return;
            };
            if !g.starts_with(&graphs) || g == links {
                return;
            }
            let entry = venues.entry(v.to_owned()).or_insert_with(|| g.to_owned());
            if g < entry.as_str() {
                *entry = g.to_owned();
            }
        },
    )?;
    // Of every place: its coordinates and needs met, its own or a linked record's. Read as
    // plain patterns and joined here: one query with the links and the conditions together
    // is planned from the accessibility nodes outwards and ran past the time limit.
    let mut same: HashMap<String, Vec<String>> = HashMap::new();
    each_row(backend, "SELECT ?x ?y { ?x owl:sameAs ?y }", |r| {
        if let (Some(x), Some(y)) = (iri(r[0]), iri(r[1])) {
            same.entry(x.to_owned()).or_default().push(y.to_owned());
            same.entry(y.to_owned()).or_default().push(x.to_owned());
        }
    })?;
    let mut own_points: HashMap<String, Vec<(f64, f64)>> = HashMap::new();
    each_row(
        backend,
        "SELECT ?p ?lat ?lon { ?p schema:geo ?geo . ?geo schema:latitude ?lat ; schema:longitude ?lon }",
        |r| {
            if let (Some(p), Some(lat), Some(lon)) = (iri(r[0]), number(r[1]), number(r[2])) {
                own_points.entry(p.to_owned()).or_default().push((lat, lon));
            }
        },
    )?;
    let branches: Vec<String> = Need::ALL
        .iter()
        .map(|n| format!("{{ {} BIND(\"{}\" AS ?need) }}", n.condition(), n.name()))
        .collect();
    let mut met: HashMap<Term, u8> = HashMap::new();
    each_row(
        backend,
        &format!(
            "SELECT DISTINCT ?a ?need {{ {} }}",
            branches.join(" UNION ")
        ),
        |r| {
            if let (Some(a), Some(need)) = (r[0], text(r[1]))
                && let Some(need) = Need::ALL.into_iter().find(|n| n.name() == need)
            {
                *met.entry(a.clone()).or_default() |= bit(need);
            }
        },
    )?;
    let mut own_needs: HashMap<String, u8> = HashMap::new();
    each_row(
        backend,
        "SELECT ?p ?a { ?p kn:accessibility|kn:accessibilityRecord/kn:accessibility ?a }",
        |r| {
            if let (Some(p), Some(a)) = (iri(r[0]), r[1])
                && let Some(bits) = met.get(a)
            {
                *own_needs.entry(p.to_owned()).or_default() |= bits;
            }
        },
    )?;
    drop(met);
    let points_of = |p: &str| -> Vec<(f64, f64)> {
        linked(&same, p)
            .flat_map(|q| own_points.get(q).into_iter().flatten().copied())
            .collect()
    };
    let needs_of = |p: &str| -> u8 {
        linked(&same, p).fold(0, |bits, q| bits | own_needs.get(q).copied().unwrap_or(0))
    };
    // Events' venues.
    let mut located: HashMap<String, Vec<String>> = HashMap::new();
    each_row(backend, "SELECT ?e ?v { ?e schema:location ?v }", |r| {
        if let (Some(e), Some(v)) = (iri(r[0]), iri(r[1])) {
            located.entry(e.to_owned()).or_default().push(v.to_owned());
        }
    })?;
    // Categories and texts: an event's and its series', a venue's. Scans of the predicates,
    // kept for the subjects that matter: joined to the events in SPARQL they took seconds.
    let mut series_of: HashMap<String, Vec<String>> = HashMap::new();
    {
        let events: HashSet<&str> = starts.keys().map(|(_, e)| e.as_str()).collect();
        each_row(backend, "SELECT ?e ?s { ?e schema:superEvent ?s }", |r| {
            if let (Some(e), Some(s)) = (iri(r[0]), iri(r[1]))
                && events.contains(e)
            {
                series_of
                    .entry(e.to_owned())
                    .or_default()
                    .push(s.to_owned());
            }
        })?;
    }
    let relevant: HashSet<&str> = starts
        .keys()
        .map(|(_, e)| e.as_str())
        .chain(series_of.values().flatten().map(String::as_str))
        .chain(venues.keys().map(String::as_str))
        .collect();
    // Per subject: (0 keywords, 1 genre, 2 additionalType; the value in lower case).
    let mut categories: HashMap<String, Vec<(u8, String)>> = HashMap::new();
    each_row(
        backend,
        "SELECT ?s ?p ?k { VALUES ?p { schema:keywords schema:genre schema:additionalType } ?s ?p ?k }",
        |r| {
            let (Some(s), Some(Term::NamedNode(p)), Some(k)) = (iri(r[0]), r[1], text(r[2])) else {
                return;
            };
            if !relevant.contains(s) {
                return;
            }
            let kind = match p.as_str() {
                "http://schema.org/keywords" => 0,
                "http://schema.org/genre" => 1,
                _ => 2,
            };
            let list = categories.entry(s.to_owned()).or_default();
            let value = (kind, k.to_lowercase());
            if !list.contains(&value) {
                list.push(value);
            }
        },
    )?;
    let mut texts: HashMap<String, String> = HashMap::new();
    each_row(
        backend,
        "SELECT ?s ?t { ?s schema:name|schema:description ?t }",
        |r| {
            if let (Some(s), Some(t)) = (iri(r[0]), text(r[1]))
                && relevant.contains(s)
            {
                let text = texts.entry(s.to_owned()).or_default();
                text.push(' ');
                text.push_str(&t.to_lowercase());
            }
        },
    )?;
    drop(relevant);
    // The categories of `subjects` of the kinds `kinds`, each once.
    let categories_of = |subjects: &[&str], kinds: &[u8]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in subjects {
            for (kind, value) in categories.get(*s).into_iter().flatten() {
                if kinds.contains(kind) && !out.contains(value) {
                    out.push(value.clone());
                }
            }
        }
        out
    };
    let text_of = |subjects: &[&str]| -> String {
        subjects
            .iter()
            .filter_map(|s| texts.get(*s))
            .map(String::as_str)
            .collect()
    };

    let events = starts
        .into_iter()
        .map(|((at, iri), (start, source))| {
            let subjects: Vec<&str> = std::iter::once(iri.as_str())
                .chain(
                    series_of
                        .get(&iri)
                        .into_iter()
                        .flatten()
                        .map(String::as_str),
                )
                .collect();
            let mut facts = Facts {
                source,
                keywords: categories_of(&subjects, &[0, 1]),
                text: text_of(&subjects),
                ..Facts::default()
            };
            for v in located.get(&iri).into_iter().flatten() {
                facts.points.extend(points_of(v));
                facts.needs |= needs_of(v);
            }
            EventEntry {
                at,
                iri,
                start,
                facts,
            }
        })
        .collect();
    let venues = venues
        .into_iter()
        .map(|(iri, source)| {
            let facts = Facts {
                source,
                points: points_of(&iri),
                needs: needs_of(&iri),
                keywords: categories_of(&[iri.as_str()], &[0, 2]),
                text: text_of(&[iri.as_str()]),
            };
            VenueEntry { iri, facts }
        })
        .collect();
    Ok(Arc::new(FeedIndex {
        version,
        events,
        venues,
    }))
}

/// A place and the records linked to it as the same place.
fn linked<'a>(
    same: &'a HashMap<String, Vec<String>>,
    place: &'a str,
) -> impl Iterator<Item = &'a str> {
    std::iter::once(place).chain(same.get(place).into_iter().flatten().map(String::as_str))
}

/// The filters of a request, over the facts of one event or venue.
pub(crate) struct Filter<'r> {
    pub(crate) near: Option<(f64, f64, f64)>,
    pub(crate) bbox: Option<[f64; 4]>,
    pub(crate) needs: &'r [Need],
    /// Lower-case.
    pub(crate) categories: Vec<String>,
    /// Lower-case.
    pub(crate) words: Vec<String>,
    /// Graph IRIs.
    pub(crate) sources: Vec<String>,
}

impl Filter<'_> {
    /// Whether the facts pass every filter; with `near`, also the distance of the nearest
    /// point (planar, as docs/feeds.md says).
    pub(crate) fn check(&self, facts: &Facts) -> Option<Option<f64>> {
        if !self.sources.is_empty() && !self.sources.contains(&facts.source) {
            return None;
        }
        if self.needs.iter().any(|n| !facts.meets(*n)) {
            return None;
        }
        if !self.categories.is_empty()
            && !facts.keywords.iter().any(|k| self.categories.contains(k))
        {
            return None;
        }
        if self.words.iter().any(|w| !facts.text.contains(w.as_str())) {
            return None;
        }
        if let Some([s, w, n, e]) = self.bbox
            && !facts
                .points
                .iter()
                .any(|(lat, lon)| *lat >= s && *lat <= n && *lon >= w && *lon <= e)
        {
            return None;
        }
        let Some((lat0, lon0, radius)) = self.near else {
            return Some(None);
        };
        let nearest = facts
            .points
            .iter()
            .map(|p| planar_km(lat0, lon0, *p))
            .fold(f64::INFINITY, f64::min);
        (nearest <= radius).then_some(Some((nearest * 1000.0).round() / 1000.0))
    }
}

/// The planar distance the `near` filter measures, in kilometres.
pub(crate) fn planar_km(lat0: f64, lon0: f64, (lat, lon): (f64, f64)) -> f64 {
    let dy = (lat - lat0) * KM_PER_DEGREE;
    let dx = (lon - lon0) * KM_PER_DEGREE * lat0.to_radians().cos();
    (dx * dx + dy * dy).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_read_as_the_feed_compares_them() {
        let at = |s| instant(s).map(|t| t.to_rfc3339());
        assert_eq!(at("2023-05-07"), Some("2023-05-07T00:00:00+00:00".into()));
        assert_eq!(
            at("2023-05-07T18:00:00+0200"),
            Some("2023-05-07T16:00:00+00:00".into())
        );
        assert_eq!(
            at("2023-05-07T18:00:00-01:00"),
            Some("2023-05-07T19:00:00+00:00".into())
        );
        assert_eq!(
            at("2023-05-07T18:00:00"),
            Some("2023-05-07T18:00:00+00:00".into())
        );
        assert!(at("2023-05-07T18:00:00.5Z").is_some());
        assert_eq!(at("next week"), None);
    }

    #[test]
    fn every_filter_must_pass() {
        let facts = Facts {
            source: "https://x.example/graph/a".into(),
            points: vec![(52.5, 13.4), (48.1, 11.6)],
            needs: bit(Need::Wheelchair),
            keywords: vec!["jazz".into()],
            text: " konzert im museum".into(),
        };
        let none = Filter {
            near: None,
            bbox: None,
            needs: &[],
            categories: Vec::new(),
            words: Vec::new(),
            sources: Vec::new(),
        };
        assert_eq!(none.check(&facts), Some(None));
        let near = Filter {
            near: Some((48.1, 11.6, 1.0)),
            ..none
        };
        assert_eq!(near.check(&facts), Some(Some(0.0)));
        let far = Filter {
            near: Some((50.0, 10.0, 1.0)),
            needs: &[],
            bbox: None,
            categories: Vec::new(),
            words: Vec::new(),
            sources: Vec::new(),
        };
        assert_eq!(far.check(&facts), None);
        let needs = [Need::Wheelchair, Need::Toilet];
        let need = Filter {
            near: None,
            bbox: None,
            needs: &needs,
            categories: Vec::new(),
            words: Vec::new(),
            sources: Vec::new(),
        };
        assert_eq!(need.check(&facts), None);
        let words = Filter {
            near: None,
            bbox: Some([52.0, 13.0, 53.0, 14.0]),
            needs: &needs[..1],
            categories: vec!["jazz".into()],
            words: vec!["museum".into(), "konzert".into()],
            sources: vec!["https://x.example/graph/a".into()],
        };
        assert_eq!(words.check(&facts), Some(None));
    }
}
