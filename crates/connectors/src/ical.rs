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
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
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
            let reader = &mut *input.reader;
            std::thread::scope(|scope| {
                // The lines are read, unfolded and split into properties on a thread of their
                // own (a fifth of the work), while this one converts what it hands over.
                let (batches, incoming) = sync_channel::<Batch>(BATCHES);
                let (give_back, spare) = sync_channel::<Vec<u8>>(BATCH * BATCHES);
                scope.spawn(move || read_components(reader, &batches, &spare));
                // The quads of the event being converted, reused from event to event.
                let mut record = Record::default();
                for batch in incoming {
                    for component in batch {
                        let component = match component {
                            Ok(component) => component,
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
                                let _ = give_back.try_send(buffer);
                            }
                            Component::Unclosed(draft) => {
                                state.not_closed(&draft, out)?;
                                let _ = give_back.try_send(draft.raw);
                            }
                            Component::Timezone(tzid, vtz) => {
                                state.zones.vtimezones.entry(tzid).or_insert(vtz);
                            }
                        }
                    }
                }
                state.finish(&mut record, out)
            })
        })
    }
}

/// Components handed from the reading thread to the converting one, with the error that
/// stopped the reading last.
type Batch = Vec<Result<Component, calendar::Error>>;

/// Components a batch holds: enough that handing them over costs little beside their
/// conversion.
const BATCH: usize = 64;

/// Batches that may wait for the converting thread, which bounds what is read ahead.
const BATCHES: usize = 4;

/// Reads the components of `reader` and sends them in batches until the input ends, reading
/// fails or the converting thread stops listening; takes back the buffers of converted events.
fn read_components(
    reader: &mut (dyn std::io::BufRead + Send),
    batches: &SyncSender<Batch>,
    spare: &Receiver<Vec<u8>>,
) {
    let mut calendar = Calendar::new(reader);
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        if let Ok(buffer) = spare.try_recv() {
            calendar.recycle(buffer);
        }
        let next = calendar.next();
        let last = !matches!(next, Ok(Some(_)));
        if let Some(component) = next.transpose() {
            batch.push(component);
        }
        if last || batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if batches.send(full).is_err() || last {
                return;
            }
        }
    }
}

/// One series converted on a worker thread: its quads and where they come from, or why it
/// was rejected.
type Converted = Result<(Location, Box<Record>), Diagnostic>;

/// A worker thread's batches in, results out, and the records it may use again.
type Worker = (
    Sender<Vec<Draft>>,
    Receiver<Vec<Converted>>,
    Sender<Box<Record>>,
);

/// Hands batches of kept series to worker threads in turn and takes their results back in
/// the same turn, so that they reach the sink in their order.
struct Pool {
    workers: Vec<Worker>,
    batch: Vec<Draft>,
    sent: usize,
    received: usize,
}

/// Series a batch for a worker holds.
const SERIES_BATCH: usize = 16;

impl Pool {
    fn push(&mut self, draft: Draft, out: &mut dyn RecordSink) -> Result<(), ConnectorError> {
        self.batch.push(draft);
        if self.batch.len() == SERIES_BATCH {
            self.send(out)?;
        }
        Ok(())
    }

    /// Sends the batch to the next worker, after taking the oldest results if each worker has
    /// two batches already (which bounds what is held in memory).
    fn send(&mut self, out: &mut dyn RecordSink) -> Result<(), ConnectorError> {
        if self.sent - self.received == 2 * self.workers.len() {
            self.receive(out)?;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(SERIES_BATCH));
        // A worker stops only when this side stops sending, or when it panicked (which the
        // scope then reports).
        let _ = self.workers[self.sent % self.workers.len()].0.send(batch);
        self.sent += 1;
        Ok(())
    }

    /// Hands the oldest results to `out`.
    fn receive(&mut self, out: &mut dyn RecordSink) -> Result<(), ConnectorError> {
        let (_, results, give_back) = &self.workers[self.received % self.workers.len()];
        self.received += 1;
        let Ok(converted) = results.recv() else {
            return Ok(());
        };
        for result in converted {
            match result {
                Ok((at, record)) => {
                    record.accept(&at, out)?;
                    let _ = give_back.send(record);
                }
                Err(diagnostic) => out.reject(diagnostic)?,
            }
        }
        Ok(())
    }

    /// Sends what is left and hands every result to `out`.
    fn finish(mut self, out: &mut dyn RecordSink) -> Result<(), ConnectorError> {
        if !self.batch.is_empty() {
            self.send(out)?;
        }
        while self.received < self.sent {
            self.receive(out)?;
        }
        Ok(())
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
        out.reject(self.diagnostic(draft, field, line, message))?;
        Ok(())
    }

    fn diagnostic(&self, draft: &Draft, field: &str, line: u64, message: &str) -> Diagnostic {
        Diagnostic::new(
            self.at(draft, field, line),
            format!("{}: {message}", draft.label()),
        )
        .with_raw(&draft.raw_text())
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
        let converted = self.event(draft, last, record);
        match self.settled(draft, converted) {
            Some(Ok((replaced, at))) => {
                if let Some((uid, key)) = replaced {
                    self.overrides.entry(uid).or_default().insert(key);
                }
                record.accept(&at, out)?;
            }
            Some(Err(rejected)) => out.reject(rejected)?,
            None => return Ok(false),
        }
        Ok(true)
    }

    /// What the conversion of `draft` came to: its value and the location to accept the record
    /// at, the reason to reject it, or `None` if it has to wait for the end of the input.
    fn settled<T>(
        &self,
        draft: &Draft,
        converted: Result<T, Failure>,
    ) -> Option<Result<(T, Location), Diagnostic>> {
        match converted {
            Ok(value) => Some(Ok((value, self.at(draft, "", draft.line)))),
            Err(Failure::Later) => None,
            Err(Failure::Bad {
                field,
                line,
                message,
            }) => Some(Err(self.diagnostic(draft, &field, line, &message))),
        }
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
        // The series, most of what waited: converted on worker threads, handed to `out` here
        // in their order (so the output is the same as one thread's).
        let state = &self;
        std::thread::scope(|scope| {
            let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
            let mut pool = Pool {
                workers: (0..workers)
                    .map(|_| {
                        let (batches, incoming) = channel::<Vec<Draft>>();
                        let (results, converted) = channel::<Vec<Converted>>();
                        let (give_back, spare) = channel::<Box<Record>>();
                        scope.spawn(move || state.convert_series(&incoming, &results, &spare));
                        (batches, converted, give_back)
                    })
                    .collect(),
                batch: Vec::with_capacity(BATCH),
                sent: 0,
                received: 0,
            };
            deferred.into_each(
                |d| !d.is_override(),
                |e| deferred_io(name, e),
                |d| pool.push(d, out),
            )?;
            pool.finish(out)
        })
    }

    /// Converts the batches of kept series that come in, until they stop coming or nobody
    /// listens for the results; records come back through `spare` to be used again.
    fn convert_series(
        &self,
        incoming: &Receiver<Vec<Draft>>,
        results: &Sender<Vec<Converted>>,
        spare: &Receiver<Box<Record>>,
    ) {
        for batch in incoming {
            let converted = batch
                .iter()
                .filter_map(|draft| {
                    let mut record = spare.try_recv().unwrap_or_default();
                    record.clear();
                    // Every time zone is known at the end of the input: nothing waits more.
                    let converted = self.event(draft, true, &mut record);
                    Some(match self.settled(draft, converted)? {
                        Ok((_, at)) => Ok((at, record)),
                        Err(rejected) => Err(rejected),
                    })
                })
                .collect();
            if results.send(converted).is_err() {
                return;
            }
        }
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
