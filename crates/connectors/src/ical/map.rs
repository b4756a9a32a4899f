//! The mapping of one VEVENT to schema.org (<https://schema.org/Event>): the data contract of
//! the `ical` connector.
//!
//! **Mapping** (`schema:` is `http://schema.org/`): SUMMARY → `schema:name`, DESCRIPTION →
//! `schema:description` (with the `LANGUAGE` parameter as language tag), DTSTART/DTEND (or
//! DURATION) → `schema:startDate`/`schema:endDate` as `xsd:dateTime` with the zone's offset,
//! or `xsd:date` for all-day events (DTEND is exclusive in iCalendar, `schema:endDate` is the
//! last day); without DTEND and DURATION there is no `schema:endDate`. STATUS →
//! `schema:eventStatus` (`EventCancelled` for CANCELLED, otherwise `EventScheduled`),
//! LOCATION and GEO → `schema:location`, a `schema:Place` with `schema:name`, `schema:address`
//! (the text after the first comma, if the text before it names a place rather than a street)
//! and `schema:geo` (`schema:GeoCoordinates`, `xsd:decimal`); URL → `schema:url`, CATEGORIES →
//! `schema:keywords`, IMAGE and image ATTACHments → `schema:image`, ORGANIZER →
//! `schema:organizer` (name from `CN`, `schema:email` or `schema:url`). A recurring series
//! is a `schema:EventSeries` (IRI from its UID) and each occurrence its `schema:superEvent`.
//! IRIs come from the UID (prefixed with the source id when the UID has no `@`, as
//! `UID:7` would clash across feeds) plus, for an occurrence of a series, its start in UTC.

use super::calendar::Draft;
use super::lines::{split_unescaped, unescape};
use super::time::{Duration, When};
use super::{Failure, State, bad};
use crate::record::{Node, Object, Record};
use crate::text::{language_tag, quoted};
use kulturnetz_model::Kind;
use kulturnetz_model::vocab::schema;
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Literal, NamedNode};

impl State<'_, '_> {
    /// The quads of one VEVENT, into `record`; for an override, the UID and recurrence key
    /// it replaces, for the caller to note.
    pub(super) fn event(
        &self,
        draft: &Draft,
        last: bool,
        record: &mut Record,
    ) -> Result<Option<(String, String)>, Failure> {
        let floating = self.options.floating;
        let Some(dtstart) = draft.first("DTSTART") else {
            return Err(Failure::Bad {
                field: "DTSTART".into(),
                line: draft.line,
                message: "DTSTART is missing".into(),
            });
        };
        let start = self.when(dtstart, &dtstart.value, last)?;
        let end = self.end(draft, start, last)?;
        let uid = draft.uid();
        let base_key = match &uid {
            Some(uid) if uid.contains('@') => uid.clone(),
            Some(uid) => format!("{} {uid}", self.cx.source_id),
            None => format!(
                "{} {} {}",
                self.cx.source_id,
                draft.text("SUMMARY").unwrap_or_default(),
                dtstart.value.trim()
            ),
        };
        if kulturnetz_model::slug(&base_key).is_empty() {
            let at = draft.first("UID").unwrap_or(dtstart);
            return Err(bad(
                at,
                format!(
                    "UID {} has no letter or digit, so it cannot key a stable IRI",
                    quoted(uid.as_deref().unwrap_or_default())
                ),
            ));
        }
        let recurrence = match draft.first("RECURRENCE-ID") {
            Some(p) => Some(self.when(p, &p.value, last)?.key(floating)),
            None => None,
        };
        let series = draft.is_series() || recurrence.is_some();
        // Nodes shared by the occurrences of this record.
        let node_key = match &recurrence {
            Some(r) => format!("{base_key} {r}"),
            None => base_key.clone(),
        };
        let details = self.details(draft, &node_key, record)?;
        let uid_literal = uid
            .as_ref()
            .map(|uid| record.literal(Literal::new_simple_literal(uid)));
        let series_node = series.then(|| record.node(self.cx.minter.mint(Kind::Event, &base_key)));
        if let Some(node) = series_node {
            record.add(node, rdf::TYPE, schema::EVENT_SERIES);
            if let Some(uid) = uid_literal {
                record.add(node, schema::IDENTIFIER, uid);
            }
            if !draft.is_override()
                && let Some(name) = details.name
            {
                record.add(node, schema::NAME, name);
            }
        }
        let replaced = recurrence
            .as_ref()
            .and_then(|key| Some((uid.clone()?, key.clone())));
        let occurrences: Vec<(When, Option<When>, Option<String>)> = if let Some(key) = &recurrence
        {
            vec![(start, end.map(|e| last_day(start, e)), Some(key.clone()))]
        } else if draft.is_series() {
            self.occurrences(draft, start, end, uid.as_deref(), last)?
                .into_iter()
                .map(|(s, e)| (s, e, Some(s.key(floating))))
                .collect()
        } else {
            vec![(start, end.map(|e| last_day(start, e)), None)]
        };
        let mut key_buffer = String::with_capacity(base_key.len() + 32);
        for (start, end, key) in occurrences {
            let node = match &key {
                Some(k) => {
                    key_buffer.clear();
                    key_buffer.push_str(&base_key);
                    key_buffer.push(' ');
                    key_buffer.push_str(k);
                    self.cx.minter.mint(Kind::Event, &key_buffer)
                }
                None => self.cx.minter.mint(Kind::Event, &base_key),
            };
            let node = record.node(node);
            record.add(node, rdf::TYPE, schema::EVENT);
            if key.is_none()
                && let Some(uid) = uid_literal
            {
                record.add(node, schema::IDENTIFIER, uid);
            }
            if let Some(series) = series_node {
                record.add(node, schema::SUPER_EVENT, series);
            }
            let start = date_literal(start, record);
            record.add(node, schema::START_DATE, start);
            if let Some(end) = end {
                let end = date_literal(end, record);
                record.add(node, schema::END_DATE, end);
            }
            details.add(node, record);
        }
        Ok(replaced)
    }
    /// DTEND, or DTSTART plus DURATION; checked against DTSTART.
    fn end(&self, draft: &Draft, start: When, last: bool) -> Result<Option<When>, Failure> {
        let floating = self.options.floating;
        if let Some(p) = draft.first("DTEND") {
            let end = self.when(p, &p.value, last)?;
            match (start, end) {
                (When::Date(_), When::Time { .. }) => {
                    return Err(bad(p, "DTEND is a date-time but DTSTART is a date"));
                }
                (When::Time { .. }, When::Date(_)) => {
                    return Err(bad(p, "DTEND is a date but DTSTART is a date-time"));
                }
                (When::Date(s), When::Date(e)) if e < s => {
                    return Err(bad(p, "DTEND is before DTSTART"));
                }
                _ if end.instant(floating) < start.instant(floating) => {
                    return Err(bad(p, "DTEND is before DTSTART"));
                }
                _ => {}
            }
            return Ok(Some(end));
        }
        if let Some(p) = draft.first("DURATION") {
            let duration = Duration::parse(&p.value).ok_or_else(|| {
                bad(
                    p,
                    format!("DURATION {} is not a duration", quoted(p.value.trim())),
                )
            })?;
            return duration
                .after(start, floating)
                .map(Some)
                .ok_or_else(|| bad(p, "DURATION is negative"));
        }
        Ok(None)
    }

    /// The properties every occurrence of a record shares; the quads of the nodes they need
    /// (organizer, place) go into `record` at once.
    fn details(&self, draft: &Draft, key: &str, record: &mut Record) -> Result<Details, Failure> {
        let cx = self.cx;
        let mut text = |name: &str| -> Option<Object> {
            let p = draft.first(name)?;
            let value = unescape(p.value.trim());
            if value.trim().is_empty() {
                return None;
            }
            let literal = match p.param("LANGUAGE").and_then(language_tag) {
                Some(tag) => Literal::new_language_tagged_literal_unchecked(value, tag),
                None => Literal::new_simple_literal(value),
            };
            Some(record.literal(literal))
        };
        let name = text("SUMMARY");
        let description = text("DESCRIPTION");
        let mut details = Details {
            name,
            description,
            cancelled: draft
                .text("STATUS")
                .is_some_and(|s| s.trim().eq_ignore_ascii_case("CANCELLED")),
            ..Details::default()
        };
        // Links that are no absolute IRI (feeds write relative ones) are left out: the event
        // is still worth loading.
        details.url = draft
            .first("URL")
            .and_then(|p| iri(p.value.trim()))
            .map(|url| record.node(url));
        let mut keywords: Vec<String> = Vec::new();
        for p in draft.all("CATEGORIES") {
            for keyword in split_unescaped(p.value.trim(), ',') {
                let keyword = keyword.trim();
                if !keyword.is_empty() && !keywords.iter().any(|k| k == keyword) {
                    keywords.push(keyword.to_owned());
                    details
                        .keywords
                        .push(record.literal(Literal::new_simple_literal(keyword)));
                }
            }
        }
        for p in draft.all("IMAGE") {
            if p.param("VALUE")
                .is_some_and(|v| v.eq_ignore_ascii_case("BINARY"))
            {
                continue;
            }
            if let Some(image) = iri(p.value.trim()) {
                details.images.push(record.node(image));
            }
        }
        for p in draft.all("ATTACH") {
            let value = p.value.trim();
            let is_image = match p.param("FMTTYPE") {
                Some(t) => t.to_ascii_lowercase().starts_with("image/"),
                None => {
                    let lower = value.to_ascii_lowercase();
                    [".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg"]
                        .iter()
                        .any(|e| lower.ends_with(e))
                }
            };
            if is_image
                && p.param("ENCODING").is_none()
                && let Some(image) = iri(value).filter(|i| i.as_str().starts_with("http"))
            {
                details.images.push(record.node(image));
            }
        }
        if let Some(p) = draft.first("ORGANIZER") {
            let node = record.node(cx.part_node(key, "organizer"));
            let before = record.len();
            if let Some(name) = p.param("CN").map(str::trim).filter(|n| !n.is_empty()) {
                let name = record.literal(Literal::new_simple_literal(name));
                record.add(node, schema::NAME, name);
            }
            let value = p.value.trim();
            if let Some(mail) = value
                .get(..7)
                .filter(|s| s.eq_ignore_ascii_case("mailto:"))
                .map(|_| &value[7..])
            {
                if !mail.trim().is_empty() {
                    let mail = record.literal(Literal::new_simple_literal(mail.trim()));
                    record.add(node, schema::EMAIL, mail);
                }
            } else if let Some(url) = iri(value).filter(|i| i.as_str().starts_with("http")) {
                let url = record.node(url);
                record.add(node, schema::URL, url);
            }
            if record.len() > before {
                details.organizer = Some(node);
            }
        }
        let location = draft
            .text("LOCATION")
            .map(|l| l.trim().to_owned())
            .filter(|l| !l.is_empty());
        let geo = match draft.first("GEO").filter(|p| !p.value.trim().is_empty()) {
            Some(p) => Some(geo(&p.value).ok_or_else(|| {
                bad(
                    p,
                    format!(
                        "GEO {} is not latitude;longitude in degrees",
                        quoted(p.value.trim())
                    ),
                )
            })?),
            None => None,
        };
        if location.is_some() || geo.is_some() {
            let place = record.node(cx.part_node(key, "location"));
            record.add(place, rdf::TYPE, schema::PLACE);
            if let Some(location) = &location {
                let (name, address) = split_location(location);
                let name = record.literal(Literal::new_simple_literal(name));
                record.add(place, schema::NAME, name);
                if let Some(address) = address {
                    let address = record.literal(Literal::new_simple_literal(address));
                    record.add(place, schema::ADDRESS, address);
                }
            }
            if let Some((lat, lon)) = geo {
                let node = record.node(cx.part_node(key, "geo"));
                record.add(place, schema::GEO, node);
                record.add(node, rdf::TYPE, schema::GEO_COORDINATES);
                let lat = record.typed_literal(lat, xsd::DECIMAL);
                record.add(node, schema::LATITUDE, lat);
                let lon = record.typed_literal(lon, xsd::DECIMAL);
                record.add(node, schema::LONGITUDE, lon);
            }
            details.place = Some(place);
        }
        Ok(details)
    }
}

/// What each occurrence of a record says besides its dates: terms kept in its [`Record`].
#[derive(Default)]
struct Details {
    name: Option<Object>,
    description: Option<Object>,
    cancelled: bool,
    url: Option<Node>,
    keywords: Vec<Object>,
    images: Vec<Node>,
    organizer: Option<Node>,
    place: Option<Node>,
}

impl Details {
    fn add(&self, node: Node, record: &mut Record) {
        if let Some(name) = self.name {
            record.add(node, schema::NAME, name);
        }
        if let Some(description) = self.description {
            record.add(node, schema::DESCRIPTION, description);
        }
        let status = if self.cancelled {
            schema::EVENT_CANCELLED
        } else {
            schema::EVENT_SCHEDULED
        };
        record.add(node, schema::EVENT_STATUS, status);
        if let Some(place) = self.place {
            record.add(node, schema::LOCATION, place);
        }
        if let Some(url) = self.url {
            record.add(node, schema::URL, url);
        }
        for &keyword in &self.keywords {
            record.add(node, schema::KEYWORDS, keyword);
        }
        for &image in &self.images {
            record.add(node, schema::IMAGE, image);
        }
        if let Some(organizer) = self.organizer {
            record.add(node, schema::ORGANIZER, organizer);
        }
    }
}

/// `schema:startDate`/`schema:endDate` values. An all-day end is exclusive in iCalendar; the
/// schema.org end date is the last day.
fn date_literal(when: When, record: &mut Record) -> Object {
    let datatype = match when {
        When::Date(_) => xsd::DATE,
        When::Time { .. } => xsd::DATE_TIME,
    };
    record.typed_literal(when.lexical(), datatype)
}

/// The `schema:endDate` of an event from `start` to `end`: for all-day events the last day
/// (iCalendar's end date is exclusive; a zero-length one ends on its start day).
fn last_day(start: When, end: When) -> When {
    match (start, end) {
        (When::Date(s), When::Date(e)) if e > s => e.pred_opt().map_or(end, When::Date),
        (When::Date(_), When::Date(_)) => start,
        _ => end,
    }
}

fn iri(value: &str) -> Option<NamedNode> {
    let iri = oxiri::Iri::parse(value.to_owned()).ok()?;
    // Parsed already: checking it again would parse it twice.
    Some(NamedNode::new_unchecked(iri.into_inner()))
}

/// `lat;lon` as two `xsd:decimal` lexical forms, in range.
fn geo(value: &str) -> Option<(String, String)> {
    let (lat, lon) = value.trim().split_once(';')?;
    let check = |s: &str, limit: f64| -> Option<String> {
        let s = s.trim();
        let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
        let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || frac.is_empty()
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let n: f64 = s.parse().ok()?;
        (n.abs() <= limit).then(|| s.to_owned())
    };
    Some((check(lat, 90.0)?, check(lon, 180.0)?))
}

/// `Name, Street 1, Town` → name and address; text whose first part has a digit (a street) is
/// both, and text without a comma only a name.
fn split_location(text: &str) -> (&str, Option<&str>) {
    match text.split_once(',') {
        Some((first, rest)) if !first.trim().is_empty() && !rest.trim().is_empty() => {
            if first.chars().any(|c| c.is_ascii_digit()) {
                (text, Some(text))
            } else {
                (first.trim(), Some(rest.trim()))
            }
        }
        _ => (text, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geo_is_checked() {
        assert_eq!(
            geo("+51.76882;+14.32321"),
            Some(("+51.76882".to_owned(), "+14.32321".to_owned()))
        );
        assert_eq!(geo("52;13").map(|g| g.0), Some("52".to_owned()));
        assert_eq!(geo("91;13"), None);
        assert_eq!(geo("52,5;13,4"), None);
        assert_eq!(geo("1e1;2"), None);
        assert_eq!(geo("52.5"), None);
    }

    #[test]
    fn locations_split_into_name_and_address() {
        assert_eq!(
            split_location("Wissenschaftsladen Potsdam, Gutenbergstraße 1, 14467 Potsdam"),
            (
                "Wissenschaftsladen Potsdam",
                Some("Gutenbergstraße 1, 14467 Potsdam")
            )
        );
        assert_eq!(
            split_location("Gutenbergstraße 1, Potsdam"),
            (
                "Gutenbergstraße 1, Potsdam",
                Some("Gutenbergstraße 1, Potsdam")
            )
        );
        assert_eq!(split_location("Germany"), ("Germany", None));
    }
}
