//! The feeds' parameters, checked; a page chosen from the index by them; the SPARQL that reads
//! the page's details, and its solutions read back into events and venues.

use super::bad;
use super::index::{EventEntry, Facts, FeedIndex, Filter, VenueEntry};
use crate::error::ApiError;
use crate::extract::Params;
use crate::select::Rows;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use oxrdf::{NamedNode, Term};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Kilometres per degree of latitude (the mean earth radius of 6371.0088 km).
pub(crate) const KM_PER_DEGREE: f64 = 111.195;
/// The radius around `near` unless `radius_km` says otherwise.
const DEFAULT_RADIUS_KM: f64 = 10.0;
/// The largest radius, in kilometres: the planar distance of the filter (docs/feeds.md) is
/// meant for a city or a region, not for half the earth.
const MAX_RADIUS_KM: f64 = 500.0;
/// The longest `q` may be, in characters.
const MAX_QUERY_CHARS: usize = 200;

const PREFIXES: &str = "PREFIX schema: <http://schema.org/>\n\
PREFIX owl: <http://www.w3.org/2002/07/owl#>\n\
PREFIX kn: <https://w3id.org/kulturnetz/ontology/kulturnetz#>\n\
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n";

/// A need that `accessible=` asks a venue to meet (docs/feeds.md, "Accessibility").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    Wheelchair,
    StepFree,
    Toilet,
    Hearing,
    Visual,
}

impl Need {
    pub(crate) const ALL: [Self; 5] = [
        Self::Wheelchair,
        Self::StepFree,
        Self::Toilet,
        Self::Hearing,
        Self::Visual,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Wheelchair => "wheelchair",
            Self::StepFree => "step-free",
            Self::Toilet => "toilet",
            Self::Hearing => "hearing",
            Self::Visual => "visual",
        }
    }

    /// The condition on an accessibility node `?a` (a `kn:Accessibility`).
    pub(crate) fn condition(self) -> &'static str {
        match self {
            Self::Wheelchair => "?a kn:wheelchairAccess kn:Yes .",
            Self::StepFree => {
                "{ ?a kn:wheelchairAccess kn:Yes } UNION { ?a kn:entrance/kn:isLevel true } \
                 UNION { ?a kn:entrance/kn:hasStep false } UNION { ?a kn:entrance/kn:hasRamp true } \
                 UNION { ?a kn:entrance/kn:hasLift true }"
            }
            Self::Toilet => "?a kn:hasToiletWheelchairAccessible true .",
            Self::Hearing => {
                "{ ?a kn:hearingSupport kn:Yes } UNION { ?a kn:hasInductionLoop true }"
            }
            Self::Visual => "{ ?a kn:visualSupport kn:Yes } UNION { ?a kn:hasTactilePaving true }",
        }
    }

    fn parse(value: &str) -> Result<Vec<Self>, ApiError> {
        value
            .split(',')
            .map(|n| {
                let n = n.trim();
                Self::ALL
                    .into_iter()
                    .find(|need| need.name() == n)
                    .ok_or_else(|| {
                        bad(format!(
                            "accessible={value:?}: {n:?} is none of wheelchair, step-free, toilet, hearing, visual"
                        ))
                    })
            })
            .collect()
    }
}

/// A feed request, checked.
#[derive(Debug, Default)]
pub(crate) struct Request {
    /// The earliest start, an `xsd:dateTime` in UTC.
    from: Option<String>,
    /// The latest start and whether it is included (a date-time) or not (the day after a date).
    to: Option<(String, bool)>,
    pub(crate) near: Option<(f64, f64, f64)>,
    bbox: Option<[f64; 4]>,
    needs: Vec<Need>,
    categories: Vec<String>,
    words: Vec<String>,
    sources: Vec<String>,
    cursor: Vec<String>,
    base: String,
}

const EVENT_PARAMS: &[&str] = &[
    "from",
    "to",
    "near",
    "radius_km",
    "bbox",
    "accessible",
    "category",
    "q",
    "source",
    "limit",
    "cursor",
];
const VENUE_PARAMS: &[&str] = &[
    "near",
    "radius_km",
    "bbox",
    "accessible",
    "category",
    "q",
    "source",
    "limit",
    "cursor",
];

/// An instant as the feeds compare them: `xsd:dateTime` in UTC, to the second.
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A date (`2023-05-07`) or date-time (with an offset, or without one: then read as UTC) of
/// `key`; for a date, `end_of_day` gives the start of the next day instead of its own.
fn instant(key: &str, value: &str, end_of_day: bool) -> Result<(String, bool), ApiError> {
    let v = value.trim();
    if let Ok(date) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        let day = if end_of_day {
            date.succ_opt()
                .ok_or_else(|| bad(format!("{key}={value:?}: out of range")))?
        } else {
            date
        };
        let t = day
            .and_hms_opt(0, 0, 0)
            .ok_or_else(|| bad(format!("{key}={value:?}: out of range")))?;
        return Ok((utc(t.and_utc()), false));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok((utc(t.with_timezone(&Utc)), true));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S") {
        return Ok((utc(t.and_utc()), true));
    }
    Err(bad(format!(
        "{key}={value:?}: expected a date (2024-05-01) or a date-time (2024-05-01T18:00:00+02:00)"
    )))
}

/// Encodes the key of the last item of a page as an opaque cursor.
pub(crate) fn cursor_of(parts: &[&str]) -> String {
    parts
        .join("\n")
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode_cursor(value: &str, parts: usize) -> Result<Vec<String>, ApiError> {
    let wrong = || {
        bad(format!(
            "cursor={value:?}: not a cursor of this feed (use the `next` of the previous page)"
        ))
    };
    if !value.len().is_multiple_of(2) || value.len() > 8192 {
        return Err(wrong());
    }
    let bytes = (0..value.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(value.get(i..i + 2).unwrap_or("x"), 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| wrong())?;
    let text = String::from_utf8(bytes).map_err(|_| wrong())?;
    let split: Vec<String> = text.split('\n').map(str::to_owned).collect();
    if split.len() != parts || NamedNode::new(split[parts - 1].as_str()).is_err() {
        return Err(wrong());
    }
    if parts == 2
        && !(split[0].len() >= 20
            && split[0]
                .bytes()
                .all(|b| b.is_ascii_digit() || b"-:T.Z+".contains(&b)))
    {
        return Err(wrong());
    }
    Ok(split)
}

impl Request {
    /// The parameters of `/feeds/events`; without `from`, events from `now` on.
    pub(crate) fn events(
        params: &Params,
        now: DateTime<Utc>,
        base: &str,
    ) -> Result<Self, ApiError> {
        check_known(params, EVENT_PARAMS)?;
        let mut request = Self::common(params, base)?;
        request.from = Some(match params.one("from")? {
            Some(v) => instant("from", v, false)?.0,
            None => utc(now),
        });
        request.to = params
            .one("to")?
            .map(|v| instant("to", v, true))
            .transpose()?;
        if let Some(c) = params.one("cursor")? {
            request.cursor = decode_cursor(c, 2)?;
        }
        Ok(request)
    }

    /// The parameters of `/feeds/venues`.
    pub(crate) fn venues(params: &Params, base: &str) -> Result<Self, ApiError> {
        check_known(params, VENUE_PARAMS)?;
        let mut request = Self::common(params, base)?;
        if let Some(c) = params.one("cursor")? {
            request.cursor = decode_cursor(c, 1)?;
        }
        Ok(request)
    }

    fn common(params: &Params, base: &str) -> Result<Self, ApiError> {
        let mut request = Self {
            base: base.to_owned(),
            ..Self::default()
        };
        let radius = params
            .one("radius_km")?
            .map(|v| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|r| r.is_finite() && *r > 0.0 && *r <= MAX_RADIUS_KM)
                    .ok_or_else(|| {
                        bad(format!(
                            "radius_km={v:?}: expected kilometres, more than 0 and at most {MAX_RADIUS_KM}"
                        ))
                    })
            })
            .transpose()?;
        if let Some(v) = params.one("near")? {
            let [lat, lon] = crate::extract::numbers::<2>("near", v, "lat,lon (e.g. 52.52,13.40)")?;
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                return Err(bad(format!(
                    "near={v:?}: latitude must be within -90..90 and longitude within -180..180"
                )));
            }
            request.near = Some((lat, lon, radius.unwrap_or(DEFAULT_RADIUS_KM)));
        } else if radius.is_some() {
            return Err(bad("radius_km needs near=lat,lon"));
        }
        if let Some(v) = params.one("bbox")? {
            let [s, w, n, e] = crate::extract::numbers::<4>("bbox", v, "south,west,north,east")?;
            if !(-90.0..=90.0).contains(&s)
                || !(-90.0..=90.0).contains(&n)
                || !(-180.0..=180.0).contains(&w)
                || !(-180.0..=180.0).contains(&e)
                || s > n
                || w > e
            {
                return Err(bad(format!(
                    "bbox={v:?}: expected south,west,north,east with south <= north and west <= east"
                )));
            }
            request.bbox = Some([s, w, n, e]);
        }
        if let Some(v) = params.one("accessible")? {
            request.needs = Need::parse(v)?;
        }
        for v in params.all("category") {
            let v = v.trim();
            if v.is_empty() || v.chars().count() > MAX_QUERY_CHARS {
                return Err(bad(format!(
                    "category={v:?}: expected a category of 1 to {MAX_QUERY_CHARS} characters"
                )));
            }
            request.categories.push(v.to_owned());
        }
        if let Some(v) = params.one("q")? {
            if v.chars().count() > MAX_QUERY_CHARS {
                return Err(bad(format!("q: longer than {MAX_QUERY_CHARS} characters")));
            }
            request.words = v.split_whitespace().map(str::to_owned).collect();
            if request.words.is_empty() {
                return Err(bad("q is empty: give one or more words"));
            }
        }
        for v in params.all("source") {
            let v = v.trim();
            if v.is_empty()
                || !v
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            {
                return Err(bad(format!(
                    "source={v:?}: expected the id of a source (letters, digits, - _ .)"
                )));
            }
            request.sources.push(v.to_owned());
        }
        Ok(request)
    }

    /// The filters over the index's facts.
    pub(crate) fn filter(&self) -> Filter<'_> {
        Filter {
            near: self.near,
            bbox: self.bbox,
            needs: &self.needs,
            categories: self.categories.iter().map(|c| c.to_lowercase()).collect(),
            words: self.words.iter().map(|w| w.to_lowercase()).collect(),
            sources: self
                .sources
                .iter()
                .map(|id| format!("{}graph/{id}", self.base))
                .collect(),
        }
    }

    /// The first events of the index, in order, that pass the filters and come after the
    /// cursor: at most `limit`, each with its distance from `near`.
    pub(crate) fn events_page<'i>(
        &self,
        index: &'i FeedIndex,
        limit: usize,
    ) -> Vec<(&'i EventEntry, Option<f64>)> {
        let at = |v: &String| super::index::instant(v);
        let from = self.from.as_ref().and_then(at);
        let to = self
            .to
            .as_ref()
            .and_then(|(v, inclusive)| Some((at(v)?, *inclusive)));
        let after = match self.cursor.as_slice() {
            [when, iri] => at(when).map(|t| (t, iri.as_str())),
            _ => None,
        };
        let events = &index.events;
        let mut start = from.map_or(0, |f| events.partition_point(|e| e.at < f));
        if let Some((t, iri)) = after {
            start = start.max(events.partition_point(|e| (e.at, e.iri.as_str()) <= (t, iri)));
        }
        let filter = self.filter();
        let mut page = Vec::new();
        for e in &events[start..] {
            if let Some((to, inclusive)) = to
                && (e.at > to || (!inclusive && e.at == to))
            {
                break;
            }
            if let Some(distance) = filter.check(&e.facts) {
                page.push((e, distance));
                if page.len() >= limit {
                    break;
                }
            }
        }
        page
    }

    /// The first venues of the index by IRI after the cursor that pass the filters.
    pub(crate) fn venues_page<'i>(
        &self,
        index: &'i FeedIndex,
        limit: usize,
    ) -> Vec<(&'i VenueEntry, Option<f64>)> {
        let venues = &index.venues;
        let start = match self.cursor.as_slice() {
            [iri] => venues.partition_point(|v| v.iri.as_str() <= iri.as_str()),
            _ => 0,
        };
        let filter = self.filter();
        venues[start..]
            .iter()
            .filter_map(|v| Some((v, filter.check(&v.facts)?)))
            .take(limit)
            .collect()
    }
}

/// `VALUES ?var { <a> <b> … }` of the IRIs of a page.
fn values(var: &str, iris: &[&str]) -> Result<String, ApiError> {
    let mut out = format!("  VALUES ?{var} {{");
    for iri in iris {
        let iri =
            NamedNode::new(*iri).map_err(|e| ApiError::Internal(format!("an item's IRI: {e}")))?;
        let _ = write!(out, " {iri}");
    }
    out.push_str(" }\n");
    Ok(out)
}

/// The `SELECT` of what the events feed shows of the events of a page.
pub(crate) fn event_details_query(iris: &[&str]) -> Result<spargebra::Query, ApiError> {
    let mut q = String::from(PREFIXES);
    q.push_str(
        "SELECT ?event (MIN(?name_) AS ?name) (MIN(?series_name_) AS ?series_name)\n\
         (MIN(?end_) AS ?end) (MIN(?description_) AS ?description) (MIN(STR(?url_)) AS ?url)\n\
         (MIN(?venue_) AS ?venue) (MIN(?venue_name_) AS ?venue_name) (MIN(?street_) AS ?street)\n\
         (MIN(?postal_code_) AS ?postal_code) (MIN(?locality_) AS ?locality) (MIN(?point_) AS ?point)\n\
         (GROUP_CONCAT(DISTINCT STR(?keyword_); SEPARATOR=\"\\t\") AS ?categories)\n\
         (MIN(STR(?price_)) AS ?price) (MIN(STR(?currency_)) AS ?currency) (MIN(STR(?free_)) AS ?free)\n\
         (MIN(?organizer_) AS ?organizer) (MIN(?organizer_name_) AS ?organizer_name)\n\
         WHERE {\n",
    );
    q.push_str(&values("event", iris)?);
    q.push_str(
        "OPTIONAL { ?event schema:name ?name_ }\n\
         OPTIONAL { ?event schema:superEvent/schema:name ?series_name_ }\n\
         OPTIONAL { ?event schema:endDate ?end_ }\n\
         OPTIONAL { ?event schema:superEvent?/schema:description ?description_ }\n\
         OPTIONAL { ?event schema:superEvent?/schema:url ?url_ }\n\
         OPTIONAL { ?event schema:superEvent?/schema:keywords ?keyword_ }\n\
         OPTIONAL { ?event schema:superEvent?/schema:offers ?offer_ .\n\
           OPTIONAL { ?offer_ schema:price ?price_ } OPTIONAL { ?offer_ schema:priceCurrency ?currency_ } }\n\
         OPTIONAL { ?event schema:superEvent?/schema:isAccessibleForFree ?free_ }\n\
         OPTIONAL { ?event schema:superEvent?/schema:organizer ?organizer_ .\n\
           OPTIONAL { ?organizer_ schema:name ?organizer_name_ } }\n\
         OPTIONAL { ?event schema:location ?venue_ .\n",
    );
    q.push_str(PLACE_DETAILS);
    q.push_str("}\n} GROUP BY ?event\n");
    parse(&q)
}

/// The `SELECT` of what the venues feed shows of the venues of a page.
pub(crate) fn venue_details_query(iris: &[&str]) -> Result<spargebra::Query, ApiError> {
    let mut q = String::from(PREFIXES);
    q.push_str(
        "SELECT ?venue (MIN(?venue_name_) AS ?venue_name) (MIN(?street_) AS ?street)\n\
         (MIN(?postal_code_) AS ?postal_code) (MIN(?locality_) AS ?locality) (MIN(?point_) AS ?point)\n\
         (MIN(STR(?url_)) AS ?url) (GROUP_CONCAT(DISTINCT STR(?keyword_); SEPARATOR=\"\\t\") AS ?categories)\n\
         WHERE {\n",
    );
    q.push_str(&values("venue", iris)?);
    q.push_str("BIND(?venue AS ?venue_)\n");
    q.push_str(PLACE_DETAILS);
    q.push_str(
        "OPTIONAL { ?venue schema:url ?url_ }\n\
         OPTIONAL { ?venue (schema:keywords|schema:additionalType) ?keyword_ }\n\
         } GROUP BY ?venue\n",
    );
    parse(&q)
}

impl Access {
    /// The summary of the needs the facts say are met.
    pub(crate) fn of(facts: &Facts) -> Self {
        Self(Need::ALL.into_iter().map(|n| (n, facts.meets(n))).collect())
    }
}

/// A venue's name, address and coordinates (its own, or a linked record's), from `?venue_`.
/// Latitude and longitude are optional each: as one required pattern after the `UNION` the
/// engine began from every coordinate node of the store, and a page took seconds.
const PLACE_DETAILS: &str = "  OPTIONAL { ?venue_ schema:name ?venue_name_ }\n\
  OPTIONAL { { ?venue_ schema:address ?address_ } UNION { ?venue_ (owl:sameAs|^owl:sameAs)/schema:address ?address_ }\n\
    OPTIONAL { ?address_ schema:streetAddress ?street_a }\n\
    OPTIONAL { ?address_ schema:postalCode ?postal_code_ }\n\
    OPTIONAL { ?address_ schema:addressLocality ?locality_ }\n\
    BIND(COALESCE(?street_a, IF(isLiteral(?address_), STR(?address_), ?unbound_)) AS ?street_) }\n\
  OPTIONAL { { ?venue_ schema:geo ?geo_ } UNION { ?venue_ (owl:sameAs|^owl:sameAs)/schema:geo ?geo_ }\n\
    OPTIONAL { ?geo_ schema:latitude ?lat_ } OPTIONAL { ?geo_ schema:longitude ?lon_ }\n\
    BIND(CONCAT(STR(xsd:double(?lat_)), \" \", STR(xsd:double(?lon_))) AS ?point_) }\n";

fn parse(query: &str) -> Result<spargebra::Query, ApiError> {
    spargebra::SparqlParser::new()
        .parse_query(query)
        .map_err(|e| ApiError::Internal(format!("a feed query does not parse: {e}\n{query}")))
}

fn check_known(params: &Params, known: &[&str]) -> Result<(), ApiError> {
    for (key, _) in &params.0 {
        if !known.contains(&key.as_str()) {
            return Err(bad(format!(
                "unknown parameter `{key}`: this feed takes {}",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// A place as the feeds show it.
#[derive(Debug, Default)]
pub(crate) struct Place {
    pub(crate) iri: String,
    pub(crate) name: Option<String>,
    pub(crate) street: Option<String>,
    pub(crate) postal_code: Option<String>,
    pub(crate) locality: Option<String>,
    pub(crate) point: Option<(f64, f64)>,
}

/// Which needs a place meets, by the linked accessibility data.
#[derive(Debug, Default)]
pub(crate) struct Access(pub(crate) Vec<(Need, bool)>);

/// An event as the feeds show it.
#[derive(Debug)]
pub(crate) struct Event {
    pub(crate) iri: String,
    /// The start as the source gives it (an `xsd:date` or `xsd:dateTime`).
    pub(crate) start: String,
    /// The start as compared and ordered: an `xsd:dateTime`.
    pub(crate) when: String,
    pub(crate) end: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) venue: Option<Place>,
    pub(crate) categories: Vec<String>,
    pub(crate) price: Option<String>,
    pub(crate) currency: Option<String>,
    pub(crate) free: Option<bool>,
    pub(crate) organizer: Option<String>,
    pub(crate) organizer_name: Option<String>,
    pub(crate) source: String,
    pub(crate) access: Access,
    pub(crate) distance_km: Option<f64>,
}

impl Event {
    pub(crate) fn cursor(&self) -> String {
        cursor_of(&[&self.when, &self.iri])
    }
}

/// A venue as the feeds show it.
#[derive(Debug)]
pub(crate) struct Venue {
    pub(crate) iri: String,
    pub(crate) place: Place,
    pub(crate) url: Option<String>,
    pub(crate) categories: Vec<String>,
    pub(crate) source: String,
    pub(crate) access: Access,
    pub(crate) distance_km: Option<f64>,
}

/// Reads the values of one row by variable name.
struct Row<'r> {
    rows: &'r Rows,
    row: &'r [Option<Term>],
}

impl Row<'_> {
    fn term(&self, name: &str) -> Option<&Term> {
        self.rows
            .column(name)
            .and_then(|i| self.row.get(i))
            .and_then(Option::as_ref)
    }

    fn text(&self, name: &str) -> Option<String> {
        match self.term(name)? {
            Term::NamedNode(n) => Some(n.as_str().to_owned()),
            Term::Literal(l) => Some(l.value().to_owned()).filter(|v| !v.is_empty()),
            _ => None,
        }
    }

    fn iri(&self, name: &str) -> Option<String> {
        match self.term(name)? {
            Term::NamedNode(n) => Some(n.as_str().to_owned()),
            _ => None,
        }
    }

    fn list(&self, name: &str) -> Vec<String> {
        let mut list: Vec<String> = self
            .text(name)
            .map(|v| v.split('\t').map(str::to_owned).collect())
            .unwrap_or_default();
        list.sort();
        list
    }

    fn place(&self, iri: String) -> Place {
        let point = self.text("point").and_then(|p| {
            let (lat, lon) = p.split_once(' ')?;
            let (lat, lon) = (lat.parse::<f64>().ok()?, lon.parse::<f64>().ok()?);
            ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
        });
        Place {
            iri,
            name: self.text("venue_name"),
            street: self.text("street"),
            postal_code: self.text("postal_code"),
            locality: self.text("locality"),
            point,
        }
    }
}

/// The details of the solutions of a details query, by the IRI in `key`.
fn by_iri<'r>(rows: &'r Rows, key: &str) -> HashMap<String, Row<'r>> {
    rows.rows
        .iter()
        .filter_map(|row| {
            let r = Row { rows, row };
            Some((r.iri(key)?, r))
        })
        .collect()
}

/// The source id of a graph IRI.
fn source_id(graph: &str, base: &str) -> String {
    graph
        .strip_prefix(base)
        .and_then(|g| g.strip_prefix("graph/"))
        .unwrap_or(graph)
        .to_owned()
}

/// The events of a page, from the index's entries and the solutions of
/// [`event_details_query`].
pub(crate) fn events(
    page: &[(&EventEntry, Option<f64>)],
    rows: &Rows,
    request: &Request,
) -> Vec<Event> {
    let details = by_iri(rows, "event");
    page.iter()
        .map(|(entry, distance_km)| {
            let r = details.get(&entry.iri);
            let text = |name: &str| r.and_then(|r| r.text(name));
            let venue = r.and_then(|r| {
                r.term("venue").map(|v| {
                    let iri = match v {
                        Term::NamedNode(n) => n.as_str().to_owned(),
                        _ => String::new(),
                    };
                    r.place(iri)
                })
            });
            Event {
                iri: entry.iri.clone(),
                start: entry.start.clone(),
                when: utc(entry.at),
                end: text("end"),
                name: text("name").or_else(|| text("series_name")),
                description: text("description"),
                url: text("url"),
                categories: r.map(|r| r.list("categories")).unwrap_or_default(),
                price: text("price"),
                currency: text("currency"),
                free: text("free").map(|f| f == "true" || f == "1"),
                organizer: text("organizer"),
                organizer_name: text("organizer_name"),
                source: source_id(&entry.facts.source, &request.base),
                access: Access::of(&entry.facts),
                venue,
                distance_km: *distance_km,
            }
        })
        .collect()
}

/// The venues of a page, from the index's entries and the solutions of
/// [`venue_details_query`].
pub(crate) fn venues(
    page: &[(&VenueEntry, Option<f64>)],
    rows: &Rows,
    request: &Request,
) -> Vec<Venue> {
    let details = by_iri(rows, "venue");
    page.iter()
        .map(|(entry, distance_km)| {
            let r = details.get(&entry.iri);
            Venue {
                iri: entry.iri.clone(),
                place: r.map_or_else(
                    || Place {
                        iri: entry.iri.clone(),
                        ..Place::default()
                    },
                    |r| r.place(entry.iri.clone()),
                ),
                url: r.and_then(|r| r.text("url")),
                categories: r.map(|r| r.list("categories")).unwrap_or_default(),
                source: source_id(&entry.facts.source, &request.base),
                access: Access::of(&entry.facts),
                distance_km: *distance_km,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Params {
        Params::parse(q.as_bytes())
    }

    #[test]
    fn details_queries_parse() {
        let iris = ["https://x.example/id/a", "https://x.example/id/b"];
        event_details_query(&iris).expect("events");
        venue_details_query(&iris).expect("venues");
        assert!(event_details_query(&["not an IRI>"]).is_err());
    }

    #[test]
    fn bad_parameters_are_named() {
        let now = Utc::now();
        for (q, name) in [
            ("from=yesterday", "from="),
            ("to=2023-13-01", "to="),
            ("near=52.5", "near="),
            ("near=91,0", "near="),
            ("radius_km=5", "radius_km"),
            ("near=1,2&radius_km=-1", "radius_km="),
            ("bbox=53,13,52,14", "bbox="),
            ("accessible=ramp", "accessible="),
            ("source=a%3Eb", "source="),
            ("cursor=zz", "cursor="),
            ("colour=red", "`colour`"),
            ("q=%20", "q is empty"),
        ] {
            let e = Request::events(&params(q), now, "https://x.example/")
                .expect_err(q)
                .to_string();
            assert!(e.contains(name), "{q}: {e}");
        }
    }

    #[test]
    fn cursors_round_trip() {
        let c = cursor_of(&["2023-05-07T11:00:00Z", "https://x.example/id/e"]);
        assert_eq!(
            decode_cursor(&c, 2).expect("cursor"),
            ["2023-05-07T11:00:00Z", "https://x.example/id/e"]
        );
        let evil = cursor_of(&["2023\" } DROP ALL { \"", "https://x.example/id/e"]);
        assert!(decode_cursor(&evil, 2).is_err());
        let evil = cursor_of(&["2023-05-07T11:00:00Z", "https://x.example/> } DROP ALL"]);
        assert!(decode_cursor(&evil, 2).is_err());
    }
}
