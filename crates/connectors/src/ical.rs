//! iCalendar feeds (RFC 5545, <https://www.rfc-editor.org/rfc/rfc5545>, with the event
//! properties of RFC 7986) as schema.org events, one `schema:Event` per occurrence.
//!
//! **Records.** Each VEVENT is one record. An override (a VEVENT with `RECURRENCE-ID`) is a
//! record of its own that gives the one occurrence it replaces; the series it belongs to leaves
//! that occurrence out. VTIMEZONE, VALARM and unknown components are no records.
//!
//! **Options** (keys of the source in `kulturnetz.toml`, all optional):
//! - `timezone`: the IANA zone of floating times (no `Z`, no `TZID`) and of all-day dates when
//!   they are compared with instants. Default `Europe/Berlin`. `X-WR-TIMEZONE` is not read.
//! - `window_start`, `window_end`: RFC 3339 dates (`2019-01-01`, midnight in `timezone`) or
//!   date-times (`2019-01-01T00:00:00Z`); both or neither. A recurring series gives the
//!   occurrences that overlap `[window_start, window_end)`, at most 10 000 per series. Without a
//!   window (connectors never read the clock) a series gives its occurrences from DTSTART up to
//!   two years after it, at most 1 000. The window bounds recurrence only: single events and
//!   overrides always load.
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
//!
//! **Time zones.** A TZID is an IANA name, a Windows name (`W. Europe Standard Time`), or an
//! IANA name at the end of a path (`/mozilla.org/…/Europe/Berlin`). Otherwise the input's
//! VTIMEZONE of that TZID is used if it names an IANA zone (`X-LIC-LOCATION`) or has a single
//! offset; else the event is rejected. An event whose TZID is unknown when it is read waits
//! for the VTIMEZONEs further down.
//!
//! **Recurrence.** RRULE (with the `rrule` crate, on the wall clock of DTSTART's zone),
//! RDATE and EXDATE; DTSTART always counts as the first occurrence (RFC 5545 §3.8.5.3). An
//! empty `RRULE:` is ignored (the event is a single event); an RRULE that cannot be read
//! rejects the event. `RANGE=THISANDFUTURE` overrides replace only their own occurrence.
//!
//! **Rejected** (one diagnostic, the rest loads): a VEVENT without DTSTART, with a date or
//! time that cannot be read, DTEND before DTSTART, a negative DURATION, DTEND of another value
//! type than DTSTART, an unknown time zone, a GEO that is no latitude;longitude, a UID used by
//! an earlier VEVENT, a line that is no property, or no END:VEVENT. A URL, IMAGE or ATTACH that
//! is no absolute IRI (feeds write relative ones) is left out and the event loads.

mod deferred;
mod lines;
mod recur;
mod time;

use crate::record::{Node, Object, Record};
use crate::text::language_tag;
use crate::{Connector, ConnectorError, Context, Input, RecordSink};
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use deferred::Deferred;
use kulturnetz_model::vocab::schema;
use kulturnetz_model::{Diagnostic, Kind, Location};
use lines::{Property, Unfolder, split_unescaped, unescape};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Literal, NamedNode};
use std::collections::{HashMap, HashSet};
use time::{Duration, VTimezone, When, WhenError, Zone, ZoneError, Zones, parse_offset};

/// The `ical` connector.
pub struct Ical;

/// Occurrences of one series within a window.
const MAX_IN_WINDOW: usize = 10_000;
/// Occurrences of one series without a window.
const MAX_WITHOUT_WINDOW: usize = 1_000;
/// Months after DTSTART a series is expanded without a window.
const MONTHS_WITHOUT_WINDOW: u32 = 24;

/// The connector's options, parsed from the source's table.
struct IcalOptions {
    floating: Zone,
    window: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl IcalOptions {
    fn parse(cx: &Context<'_>) -> Result<Self, ConnectorError> {
        let floating =
            match cx.option_str("timezone")? {
                None => Zone::Iana(chrono_tz::Europe::Berlin),
                Some(name) => Zone::Iana(name.parse::<chrono_tz::Tz>().map_err(|_| {
                    ConnectorError::Option {
                        key: "timezone".into(),
                        message: format!("unknown IANA time zone {name:?}"),
                    }
                })?),
            };
        let bound = |key: &str| -> Result<Option<DateTime<Utc>>, ConnectorError> {
            let text = match cx.options.get(key) {
                None => return Ok(None),
                Some(toml::Value::String(s)) => s.clone(),
                Some(toml::Value::Datetime(d)) => d.to_string(),
                Some(other) => {
                    return Err(ConnectorError::Option {
                        key: key.into(),
                        message: format!("expected an RFC 3339 date or date-time, found {other}"),
                    });
                }
            };
            let text = text.trim();
            if let Ok(t) = DateTime::parse_from_rfc3339(text) {
                return Ok(Some(t.with_timezone(&Utc)));
            }
            if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                return Ok(Some(
                    floating
                        .resolve(d.and_time(NaiveTime::MIN))
                        .with_timezone(&Utc),
                ));
            }
            Err(ConnectorError::Option {
                key: key.into(),
                message: format!(
                    "expected an RFC 3339 date or date-time with offset, found {text:?}"
                ),
            })
        };
        let window = match (bound("window_start")?, bound("window_end")?) {
            (None, None) => None,
            (Some(start), Some(end)) if start < end => Some((start, end)),
            (Some(_), Some(_)) => {
                return Err(ConnectorError::Option {
                    key: "window_end".into(),
                    message: "must be after window_start".into(),
                });
            }
            (start, _) => {
                return Err(ConnectorError::Option {
                    key: if start.is_some() {
                        "window_end"
                    } else {
                        "window_start"
                    }
                    .into(),
                    message: "window_start and window_end go together".into(),
                });
            }
        };
        Ok(Self { floating, window })
    }
}

/// One VEVENT as read: its properties, not yet interpreted.
struct Draft {
    record: u64,
    line: u64,
    props: Vec<Property>,
    /// A line inside the VEVENT that is no property.
    bad_line: Option<u64>,
}

impl Draft {
    fn first(&self, name: &str) -> Option<&Property> {
        self.props.iter().find(|p| p.name == name)
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }

    fn text(&self, name: &str) -> Option<String> {
        self.first(name)
            .map(|p| unescape(p.value.trim()))
            .filter(|s| !s.trim().is_empty())
    }

    fn uid(&self) -> Option<String> {
        self.text("UID").map(|s| s.trim().to_owned())
    }

    fn is_override(&self) -> bool {
        self.first("RECURRENCE-ID").is_some()
    }

    fn is_series(&self) -> bool {
        !self.is_override()
            && (self.all("RRULE").any(|p| !p.value.trim().is_empty())
                || self.first("RDATE").is_some())
    }

    /// How the event is named in messages.
    fn label(&self) -> String {
        match (self.text("SUMMARY"), self.uid()) {
            (Some(s), _) => format!("VEVENT {s:?}"),
            (None, Some(uid)) => format!("VEVENT with UID {uid:?}"),
            (None, None) => "VEVENT".to_owned(),
        }
    }
}

/// The record of each UID seen, kept by a 128-bit hash of the UID: about 24 bytes a UID, however
/// long, so that a feed of a million events needs no copy of a million UIDs.
#[derive(Default)]
struct Uids(HashMap<u128, u64>);

impl Uids {
    /// Notes that `record` has `uid`; the record that had it first if there is one.
    fn first_or_insert(&mut self, uid: &str, record: u64) -> Option<u64> {
        use std::collections::hash_map::Entry;
        use std::hash::{DefaultHasher, Hash, Hasher};
        let half = |seed: u8| {
            let mut h = DefaultHasher::new();
            seed.hash(&mut h);
            uid.hash(&mut h);
            h.finish()
        };
        match self
            .0
            .entry(u128::from(half(0)) << 64 | u128::from(half(1)))
        {
            Entry::Occupied(first) => Some(*first.get()),
            Entry::Vacant(slot) => {
                slot.insert(record);
                None
            }
        }
    }
}

/// A failure of the temporary file that holds the events of `name` deferred to its end.
fn deferred_io(name: &str, source: std::io::Error) -> ConnectorError {
    ConnectorError::Io {
        name: format!("{name} (events kept for the end of the input)"),
        source,
    }
}

/// Why an event gave no quads.
enum Failure {
    /// A TZID is unknown now but a VTIMEZONE further down may define it.
    Later,
    Bad {
        field: String,
        line: u64,
        message: String,
    },
}

fn bad(prop: &Property, message: impl Into<String>) -> Failure {
    Failure::Bad {
        field: prop.name.to_string(),
        line: prop.line,
        message: message.into(),
    }
}

/// Everything one conversion keeps between records.
struct State<'a, 'c> {
    name: &'a str,
    cx: &'a Context<'c>,
    options: IcalOptions,
    zones: Zones,
    /// Recurrence keys of the overrides seen, by UID.
    overrides: HashMap<String, HashSet<String>>,
    /// The record of each UID of a series or single event.
    uids: Uids,
    /// Events that wait for the end of the input, in record order.
    deferred: Deferred,
    /// The quads of the event being converted, reused from event to event.
    record: Record,
}

impl Connector for Ical {
    fn kind(&self) -> &'static str {
        "ical"
    }

    fn version(&self) -> u32 {
        1
    }

    fn media_types(&self) -> &'static [&'static str] {
        &["text/calendar"]
    }

    fn convert(
        &self,
        input: Input<'_>,
        cx: &Context<'_>,
        out: &mut dyn RecordSink,
    ) -> Result<(), ConnectorError> {
        let options = IcalOptions::parse(cx)?;
        let io = |source: std::io::Error| ConnectorError::Io {
            name: input.name.to_owned(),
            source,
        };
        let mut state = State {
            name: input.name,
            cx,
            zones: Zones {
                floating: options.floating,
                vtimezones: HashMap::new(),
            },
            options,
            overrides: HashMap::new(),
            uids: Uids::default(),
            deferred: Deferred::default(),
            record: Record::default(),
        };
        let mut lines = Unfolder::new(&mut *input.reader);
        let mut stack: Vec<String> = Vec::new();
        let mut started = false;
        let mut records = 0;
        let mut event: Option<Draft> = None;
        let mut vtimezone: Option<(Option<String>, VTimezone)> = None;
        while let Some(line) = lines.next_line().map_err(io)? {
            if line.text.trim().is_empty() {
                continue;
            }
            let prop = Property::parse(line.text, line.number);
            if !started {
                match &prop {
                    Some(p)
                        if p.name == "BEGIN"
                            && p.value.trim().eq_ignore_ascii_case("VCALENDAR") =>
                    {
                        started = true;
                    }
                    _ => {
                        return Err(ConnectorError::Format(Box::new(Diagnostic::new(
                            Location {
                                line: Some(line.number),
                                ..Location::file(input.name)
                            },
                            "not iCalendar: expected BEGIN:VCALENDAR",
                        ))));
                    }
                }
            }
            let Some(prop) = prop else {
                if let Some(e) = event.as_mut() {
                    e.bad_line.get_or_insert(line.number);
                }
                continue;
            };
            match &*prop.name {
                "BEGIN" => {
                    let component = prop.value.trim().to_ascii_uppercase();
                    if component == "VEVENT" {
                        if let Some(open) = event.take() {
                            // No END:VEVENT before the next BEGIN:VEVENT (VEVENTs do not
                            // nest): the open one is rejected, the next one read as usual.
                            state.not_closed(&open, out)?;
                            if let Some(at) = stack.iter().position(|c| c == "VEVENT") {
                                stack.truncate(at);
                            }
                        }
                        records += 1;
                        event = Some(Draft {
                            record: records,
                            line: line.number,
                            props: Vec::new(),
                            bad_line: None,
                        });
                    } else if component == "VTIMEZONE" && vtimezone.is_none() && event.is_none() {
                        vtimezone = Some((None, VTimezone::default()));
                    } else if matches!(component.as_str(), "STANDARD" | "DAYLIGHT")
                        && stack.last().is_some_and(|c| c == "VTIMEZONE")
                        && let Some((_, vtz)) = vtimezone.as_mut()
                    {
                        vtz.offsets.push(None);
                    }
                    stack.push(component);
                }
                "END" => {
                    let component = prop.value.trim().to_ascii_uppercase();
                    // Leniently close what was left open inside.
                    if let Some(at) = stack.iter().rposition(|c| *c == component) {
                        stack.truncate(at);
                    }
                    let inside_event = stack.iter().any(|c| c == "VEVENT");
                    if component == "VEVENT" && !inside_event {
                        if let Some(draft) = event.take() {
                            state.read(draft, out)?;
                        }
                    } else if component == "VTIMEZONE" && !inside_event {
                        if let Some((Some(tzid), vtz)) = vtimezone.take() {
                            state.zones.vtimezones.entry(tzid).or_insert(vtz);
                        }
                        vtimezone = None;
                    }
                }
                _ => match stack.last().map(String::as_str) {
                    Some("VEVENT") => {
                        if let Some(e) = event.as_mut() {
                            e.props.push(prop);
                        }
                    }
                    Some("VTIMEZONE") => {
                        if let Some((tzid, vtz)) = vtimezone.as_mut() {
                            match &*prop.name {
                                "TZID" => *tzid = Some(unescape(prop.value.trim())),
                                "X-LIC-LOCATION" => {
                                    vtz.location = Some(unescape(prop.value.trim()));
                                }
                                _ => {}
                            }
                        }
                    }
                    Some("STANDARD" | "DAYLIGHT") if prop.name == "TZOFFSETTO" => {
                        if let Some(slot) = vtimezone
                            .as_mut()
                            .and_then(|(_, vtz)| vtz.offsets.last_mut())
                        {
                            *slot = parse_offset(&prop.value);
                        }
                    }
                    _ => {}
                },
            }
        }
        if let Some(draft) = event.take() {
            state.not_closed(&draft, out)?;
        }
        state.finish(out)
    }
}

impl State<'_, '_> {
    fn at(&self, draft: &Draft, field: &str, line: u64) -> Location {
        let at = Location::file(self.name).with_record(draft.record);
        Location {
            line: Some(line),
            ..if field.is_empty() {
                at
            } else {
                at.with_field(field)
            }
        }
    }

    fn not_closed(&self, draft: &Draft, out: &mut dyn RecordSink) -> Result<(), ConnectorError> {
        self.reject(
            draft,
            "",
            draft.line,
            "not closed: END:VEVENT is missing",
            out,
        )
    }

    fn reject(
        &self,
        draft: &Draft,
        field: &str,
        line: u64,
        message: &str,
        out: &mut dyn RecordSink,
    ) -> Result<(), ConnectorError> {
        out.reject(Diagnostic::new(
            self.at(draft, field, line),
            format!("{}: {message}", draft.label()),
        ))?;
        Ok(())
    }

    /// A VEVENT has been read: convert it now, or keep it for the end of the input.
    fn read(&mut self, draft: Draft, out: &mut dyn RecordSink) -> Result<(), ConnectorError> {
        if let Some(line) = draft.bad_line {
            return self.reject(
                &draft,
                "",
                line,
                &format!("line {line} is no property (expected NAME:value)"),
                out,
            );
        }
        if !draft.is_override()
            && let Some(uid) = draft.uid()
            && let Some(first) = self.uids.first_or_insert(&uid, draft.record)
        {
            let prop = draft.first("UID").map_or(draft.line, |p| p.line);
            let message = format!("UID {uid:?} is already used by record {first}");
            return self.reject(&draft, "UID", prop, &message, out);
        }
        if draft.is_series() || !self.emit(&draft, false, out)? {
            self.deferred
                .push(draft)
                .map_err(|e| deferred_io(self.name, e))?;
        }
        Ok(())
    }

    /// Converts and emits one event; `last` once the whole input has been read. `false` if
    /// the event has to wait for the end of the input.
    fn emit(
        &mut self,
        draft: &Draft,
        last: bool,
        out: &mut dyn RecordSink,
    ) -> Result<bool, ConnectorError> {
        let mut record = std::mem::take(&mut self.record);
        record.clear();
        let result = match self.event(draft, last, &mut record) {
            Ok(()) => {
                let at = Location {
                    line: Some(draft.line),
                    ..Location::file(self.name).with_record(draft.record)
                };
                record.accept(&at, out).map_err(ConnectorError::from)
            }
            Err(Failure::Later) => {
                self.record = record;
                return Ok(false);
            }
            Err(Failure::Bad {
                field,
                line,
                message,
            }) => self.reject(draft, &field, line, &message, out),
        };
        self.record = record;
        result.map(|()| true)
    }

    /// Emits what waited for the end: overrides first, so that each series knows them.
    fn finish(mut self, out: &mut dyn RecordSink) -> Result<(), ConnectorError> {
        let mut deferred = std::mem::take(&mut self.deferred);
        let name = self.name;
        // Overrides are deferred only when their time zone was not yet known: most feeds have
        // none, and then the kept drafts are not read twice.
        if deferred.has_overrides() {
            deferred.each(
                Draft::is_override,
                |e| deferred_io(name, e),
                |d| self.emit(d, true, out).map(drop),
            )?;
        }
        deferred.each(
            |d| !d.is_override(),
            |e| deferred_io(name, e),
            |d| self.emit(d, true, out).map(drop),
        )
    }

    fn when(&self, prop: &Property, value: &str, last: bool) -> Result<When, Failure> {
        self.zones.when_of(prop, value).map_err(|e| match e {
            WhenError::Syntax => bad(
                prop,
                format!("{} {:?} is not a date or date-time", prop.name, value.trim()),
            ),
            WhenError::Zone(ZoneError::Unknown) if !last => Failure::Later,
            WhenError::Zone(ZoneError::Unknown) => bad(
                prop,
                format!(
                    "unknown time zone {:?} (no IANA or Windows name, and no VTIMEZONE)",
                    prop.param("TZID").unwrap_or_default()
                ),
            ),
            WhenError::Zone(ZoneError::NotSimple) => bad(
                prop,
                format!(
                    "unknown time zone {:?}: its VTIMEZONE has daylight saving rules and names no IANA zone",
                    prop.param("TZID").unwrap_or_default()
                ),
            ),
        })
    }

    /// The quads of one VEVENT, into `record`.
    fn event(&mut self, draft: &Draft, last: bool, record: &mut Record) -> Result<(), Failure> {
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
        let occurrences: Vec<(When, Option<When>, Option<String>)> = if let Some(key) = &recurrence
        {
            if let Some(uid) = &uid {
                self.overrides
                    .entry(uid.clone())
                    .or_default()
                    .insert(key.clone());
            }
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
        Ok(())
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
                    format!("DURATION {:?} is not a duration", p.value.trim()),
                )
            })?;
            return duration
                .after(start, floating)
                .map(Some)
                .ok_or_else(|| bad(p, "DURATION is negative"));
        }
        Ok(None)
    }

    /// The occurrences of a series: starts and ends.
    fn occurrences(
        &self,
        draft: &Draft,
        start: When,
        end: Option<When>,
        uid: Option<&str>,
        last: bool,
    ) -> Result<Vec<(When, Option<When>)>, Failure> {
        let floating = self.options.floating;
        let zone = match start {
            When::Time { zone, .. } => Some(zone),
            When::Date(_) => None,
        };
        let series_zone = zone.unwrap_or(floating);
        let first = start.local();
        let length = end.map_or(TimeDelta::zero(), |e| e.local() - first);
        let (bounds, window) = match self.options.window {
            Some((from, to)) => {
                let slack = TimeDelta::days(2);
                let lower = series_zone.local(from) - length.max(TimeDelta::zero()) - slack;
                (
                    recur::Bounds {
                        from: lower,
                        to: series_zone.local(to) + slack,
                        max: MAX_IN_WINDOW,
                    },
                    Some((from, to)),
                )
            }
            None => (
                recur::Bounds {
                    from: first,
                    to: first
                        .checked_add_months(chrono::Months::new(MONTHS_WITHOUT_WINDOW))
                        .unwrap_or(NaiveDateTime::MAX),
                    max: MAX_WITHOUT_WINDOW,
                },
                None,
            ),
        };
        let mut starts: Vec<NaiveDateTime> = vec![first];
        for p in draft.all("RRULE").filter(|p| !p.value.trim().is_empty()) {
            let rule = recur::parse_rule(&p.value, start).map_err(|m| bad(p, m))?;
            starts.extend(recur::expand(rule, first, &bounds).map_err(|m| bad(p, m))?);
        }
        for p in draft.all("RDATE") {
            for value in p.value.split(',').filter(|v| !v.trim().is_empty()) {
                // A PERIOD gives its start; the series' length applies.
                let value = value.split('/').next().unwrap_or(value);
                let when = self.when(p, value, last)?;
                starts.push(recur::local_in(when, zone, floating));
            }
        }
        let mut excluded_times = HashSet::new();
        let mut excluded_days = HashSet::new();
        for p in draft.all("EXDATE") {
            for value in p.value.split(',').filter(|v| !v.trim().is_empty()) {
                match self.when(p, value, last)? {
                    When::Date(d) => {
                        excluded_days.insert(d);
                    }
                    when @ When::Time { .. } if zone.is_none() => {
                        excluded_days.insert(when.local().date());
                    }
                    when => {
                        excluded_times.insert(recur::local_in(when, zone, floating));
                    }
                }
            }
        }
        starts.sort();
        starts.dedup();
        let overridden = uid.and_then(|u| self.overrides.get(u));
        let mut found = Vec::new();
        for local in starts {
            if excluded_times.contains(&local) || excluded_days.contains(&local.date()) {
                continue;
            }
            let occurrence = match zone {
                Some(zone) => When::Time { local, zone },
                None => When::Date(local.date()),
            };
            if overridden.is_some_and(|o| o.contains(&occurrence.key(floating))) {
                continue;
            }
            let occurrence_end = end.and_then(|e| shift_end(start, e, occurrence, floating));
            let keep = match window {
                Some((from, to)) => overlaps(occurrence, occurrence_end, from, to, floating),
                None => local >= bounds.from && local <= bounds.to,
            };
            if keep {
                found.push((occurrence, occurrence_end));
                if found.len() >= bounds.max {
                    break;
                }
            }
        }
        Ok(found)
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
                        "GEO {:?} is not latitude;longitude in degrees",
                        p.value.trim()
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

/// The end of the occurrence starting at `occurrence`, for a series from `start` to `end`:
/// the same wall-clock length when both are in the same zone, the same exact length otherwise.
/// All-day ends become the (inclusive) last day.
fn shift_end(start: When, end: When, occurrence: When, floating: Zone) -> Option<When> {
    match (start, end, occurrence) {
        (When::Date(s), When::Date(e), When::Date(o)) => {
            let days = (e - s).num_days();
            let last = if days > 0 { days - 1 } else { 0 };
            o.checked_add_days(Days::new(u64::try_from(last).ok()?))
                .map(When::Date)
        }
        (When::Time { zone: sz, .. }, When::Time { zone: ez, .. }, When::Time { local, .. })
            if sz == ez =>
        {
            Some(When::Time {
                local: local.checked_add_signed(end.local() - start.local())?,
                zone: ez,
            })
        }
        (_, When::Time { zone: ez, .. }, _) => {
            let exact = end.instant(floating) - start.instant(floating);
            let instant = occurrence.instant(floating).checked_add_signed(exact)?;
            Some(When::Time {
                local: ez.local(instant.with_timezone(&Utc)),
                zone: ez,
            })
        }
        _ => None,
    }
}

/// Whether an occurrence overlaps `[from, to)`. An all-day occurrence without end lasts its
/// day; a timed one without end is an instant, in the window if it starts in it.
fn overlaps(
    start: When,
    end: Option<When>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    floating: Zone,
) -> bool {
    let s = start.instant(floating).with_timezone(&Utc);
    let e = match (start, end) {
        (When::Date(_), Some(When::Date(last))) | (When::Date(last), None) => last
            .checked_add_days(Days::new(1))
            .map_or(s, |d| When::Date(d).instant(floating).with_timezone(&Utc)),
        (_, Some(end)) => end.instant(floating).with_timezone(&Utc),
        (_, None) => s,
    };
    if e <= s {
        s >= from && s < to
    } else {
        s < to && e > from
    }
}

fn iri(value: &str) -> Option<NamedNode> {
    let iri = oxiri::Iri::parse(value.to_owned()).ok()?;
    NamedNode::new(iri.into_inner()).ok()
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

#[cfg(test)]
mod robustness {
    use super::*;
    use crate::Counts;
    use kulturnetz_model::Minter;

    /// Damaged inputs (cut, bytes replaced by iCalendar's own punctuation) never panic, and
    /// every VEVENT begun is accepted or rejected.
    #[test]
    fn damaged_inputs_never_panic() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/ical");
        let minter = Minter::new("https://x.example/").unwrap();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ics"))
            .collect();
        inputs.sort();
        for path in inputs {
            let original = std::fs::read(&path).unwrap();
            for round in 0..40 {
                let mut bytes = original.clone();
                for _ in 0..1 + round % 8 {
                    let at = (next() as usize) % bytes.len().max(1);
                    let with = b":;,\\\"\r\n =TZ-+0123456789P"[(next() as usize) % 24];
                    if let Some(b) = bytes.get_mut(at) {
                        *b = with;
                    }
                }
                if round % 5 == 0 {
                    bytes.truncate((next() as usize) % (bytes.len() + 1));
                }
                let begun = String::from_utf8_lossy(&bytes)
                    .matches("BEGIN:VEVENT")
                    .count() as u64;
                let cx = Context::new("s", &minter);
                let mut counts = Counts::default();
                let result = Ical.convert(
                    Input {
                        name: "damaged.ics",
                        reader: &mut &bytes[..],
                    },
                    &cx,
                    &mut counts,
                );
                if result.is_ok() {
                    assert!(
                        counts.accepted + counts.rejected <= begun,
                        "{}: {} + {} records of {begun}",
                        path.display(),
                        counts.accepted,
                        counts.rejected
                    );
                }
            }
        }
    }
}
