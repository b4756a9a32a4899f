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
//! **Mapping.** Which property of a VEVENT becomes which schema.org term, and how its IRIs are
//! made, is the data contract at the top of `ical/map.rs`.
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
//! is no absolute IRI (feeds write relative ones) is left out and the event loads. The
//! diagnostic holds the VEVENT's lines as the feed has them (folded), BEGIN:VEVENT to
//! END:VEVENT; those of a VEVENT that is not closed, up to where the next one begins or the
//! feed ends.

mod calendar;
mod deferred;
mod lines;
mod map;
mod recur;
mod time;

use crate::record::Record;
use crate::text::quoted;
use crate::{Connector, ConnectorError, Context, Input, RecordSink};
use calendar::{Calendar, Component, Draft};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use deferred::Deferred;
use kulturnetz_model::{Diagnostic, Location, OptionSpec};
use lines::Property;
use std::collections::{HashMap, HashSet};
use time::{When, WhenError, Zone, ZoneError, Zones};

/// The `ical` connector.
pub struct Ical;

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
                        message: format!("unknown IANA time zone {}", quoted(name)),
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
                    "expected an RFC 3339 date or date-time with offset, found {}",
                    quoted(text)
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
}

impl Connector for Ical {
    fn options(&self) -> &'static [OptionSpec] {
        &[
            OptionSpec {
                key: "timezone",
                required: false,
                about: "the IANA time zone of floating times (default Europe/Berlin)",
            },
            OptionSpec {
                key: "window_start",
                required: false,
                about: "start of the window of recurring events' occurrences (RFC 3339 date)",
            },
            OptionSpec {
                key: "window_end",
                required: false,
                about: "end (exclusive) of the window of recurring events' occurrences",
            },
        ]
    }

    fn kind(&self) -> &'static str {
        "ical"
    }

    fn description(&self) -> &'static str {
        "iCalendar feeds (RFC 5545): a schema.org event per occurrence"
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
        crate::input::utf8_only(input, |input| {
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
            };
            let mut calendar = Calendar::new(&mut *input.reader);
            // The quads of the event being converted, reused from event to event.
            let mut record = Record::default();
            loop {
                let component = match calendar.next() {
                    Ok(Some(component)) => component,
                    Ok(None) => break,
                    Err(calendar::Error::Io(source)) => return Err(io(source)),
                    Err(calendar::Error::NotCalendar(line)) => {
                        return Err(ConnectorError::Format(Box::new(Diagnostic::new(
                            Location {
                                line: Some(line),
                                ..Location::file(input.name)
                            },
                            "not iCalendar: expected BEGIN:VCALENDAR",
                        ))));
                    }
                };
                match component {
                    Component::Event(draft) => {
                        let buffer = state.read(draft, &mut record, out)?;
                        calendar.recycle(buffer);
                    }
                    Component::Unclosed(draft) => {
                        state.not_closed(&draft, out)?;
                        calendar.recycle(draft.raw);
                    }
                    Component::Timezone(tzid, vtz) => {
                        state.zones.vtimezones.entry(tzid).or_insert(vtz);
                    }
                }
            }
            state.finish(&mut record, out)
        })
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
        out.reject(
            Diagnostic::new(
                self.at(draft, field, line),
                format!("{}: {message}", draft.label()),
            )
            .with_raw(&draft.raw_text()),
        )?;
        Ok(())
    }

    /// A VEVENT has been read: convert it now (into `record`), or keep it for the end of the
    /// input. Gives back the buffer of its text, for the reader to reuse.
    fn read(
        &mut self,
        mut draft: Draft,
        record: &mut Record,
        out: &mut dyn RecordSink,
    ) -> Result<Vec<u8>, ConnectorError> {
        if let Some(line) = draft.bad_line {
            self.reject(
                &draft,
                "",
                line,
                &format!("line {line} is no property (expected NAME:value)"),
                out,
            )?;
            return Ok(draft.raw);
        }
        if !draft.is_override()
            && let Some(uid) = draft.uid()
            && let Some(first) = self.uids.first_or_insert(&uid, draft.record)
        {
            let prop = draft.first("UID").map_or(draft.line, |p| p.line);
            let message = format!("UID {} is already used by record {first}", quoted(&uid));
            self.reject(&draft, "UID", prop, &message, out)?;
            return Ok(draft.raw);
        }
        if draft.is_series() || !self.emit(&draft, false, record, out)? {
            // Kept with a copy of its text of the text's size; the reader's larger buffer goes
            // back to it.
            let exact = draft.raw.clone();
            let buffer = std::mem::replace(&mut draft.raw, exact);
            self.deferred
                .push(draft)
                .map_err(|e| deferred_io(self.name, e))?;
            return Ok(buffer);
        }
        Ok(draft.raw)
    }

    /// Converts and emits one event, its quads built in `record` (which is reused from event
    /// to event); `last` once the whole input has been read. `false` if the event has to wait
    /// for the end of the input.
    fn emit(
        &mut self,
        draft: &Draft,
        last: bool,
        record: &mut Record,
        out: &mut dyn RecordSink,
    ) -> Result<bool, ConnectorError> {
        record.clear();
        match self.event(draft, last, record) {
            Ok(()) => {
                let at = Location {
                    line: Some(draft.line),
                    ..Location::file(self.name).with_record(draft.record)
                };
                record.accept(&at, out)?;
            }
            Err(Failure::Later) => return Ok(false),
            Err(Failure::Bad {
                field,
                line,
                message,
            }) => self.reject(draft, &field, line, &message, out)?,
        }
        Ok(true)
    }

    /// Emits what waited for the end: overrides first, so that each series knows them.
    fn finish(
        mut self,
        record: &mut Record,
        out: &mut dyn RecordSink,
    ) -> Result<(), ConnectorError> {
        let mut deferred = std::mem::take(&mut self.deferred);
        let name = self.name;
        // Overrides are deferred only when their time zone was not yet known: most feeds have
        // none, and then the kept drafts are not read twice.
        if deferred.has_overrides() {
            deferred.each(
                Draft::is_override,
                |e| deferred_io(name, e),
                |d| self.emit(d, true, record, out).map(drop),
            )?;
        }
        deferred.each(
            |d| !d.is_override(),
            |e| deferred_io(name, e),
            |d| self.emit(d, true, record, out).map(drop),
        )
    }

    fn when(&self, prop: &Property, value: &str, last: bool) -> Result<When, Failure> {
        self.zones.when_of(prop, value).map_err(|e| match e {
            WhenError::Syntax => bad(
                prop,
                format!(
                    "{} {} is not a date or date-time",
                    prop.name,
                    quoted(value.trim())
                ),
            ),
            WhenError::Zone(ZoneError::Unknown) if !last => Failure::Later,
            WhenError::Zone(ZoneError::Unknown) => bad(
                prop,
                format!(
                    "unknown time zone {} (no IANA or Windows name, and no VTIMEZONE)",
                    quoted(prop.param("TZID").unwrap_or_default())
                ),
            ),
            WhenError::Zone(ZoneError::NotSimple) => bad(
                prop,
                format!(
                    "unknown time zone {}: its VTIMEZONE has daylight saving rules and names no IANA zone",
                    quoted(prop.param("TZID").unwrap_or_default())
                ),
            ),
        })
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
