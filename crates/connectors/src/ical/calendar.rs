//! The components of an iCalendar stream (<https://www.rfc-editor.org/rfc/rfc5545#section-3.6>):
//! each VEVENT as the properties it was read with, each VTIMEZONE as the offsets it gives; other
//! components (VALARM, VTODO, unknown ones) are passed over.

use super::lines::{Property, Unfolder, unescape};
use super::time::{VTimezone, parse_offset};
use crate::text::quoted;
use std::io::{self, BufRead};

/// One VEVENT as read: its properties, not yet interpreted.
pub(super) struct Draft {
    /// The 1-based number of the VEVENT in the input.
    pub(super) record: u64,
    /// The line of its BEGIN:VEVENT.
    pub(super) line: u64,
    pub(super) props: Vec<Property>,
    /// A line inside the VEVENT that is no property.
    pub(super) bad_line: Option<u64>,
    /// Its lines as the input has them, from BEGIN:VEVENT to END:VEVENT (folded, with their
    /// line breaks), for the diagnostic if it is rejected.
    pub(super) raw: Vec<u8>,
}

impl Draft {
    /// The VEVENT's lines as the input has them, without the last line break.
    pub(super) fn raw_text(&self) -> String {
        String::from_utf8_lossy(&self.raw)
            .trim_end_matches(['\r', '\n'])
            .to_owned()
    }

    pub(super) fn first(&self, name: &str) -> Option<&Property> {
        self.props.iter().find(|p| p.name == name)
    }

    pub(super) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }

    pub(super) fn text(&self, name: &str) -> Option<String> {
        self.first(name)
            .map(|p| unescape(p.value.trim()))
            .filter(|s| !s.trim().is_empty())
    }

    pub(super) fn uid(&self) -> Option<String> {
        self.text("UID").map(|s| s.trim().to_owned())
    }

    pub(super) fn is_override(&self) -> bool {
        self.first("RECURRENCE-ID").is_some()
    }

    pub(super) fn is_series(&self) -> bool {
        !self.is_override()
            && (self.all("RRULE").any(|p| !p.value.trim().is_empty())
                || self.first("RDATE").is_some())
    }

    /// How the event is named in messages.
    pub(super) fn label(&self) -> String {
        match (self.text("SUMMARY"), self.uid()) {
            (Some(s), _) => format!("VEVENT {}", quoted(&s)),
            (None, Some(uid)) => format!("VEVENT with UID {}", quoted(&uid)),
            (None, None) => "VEVENT".to_owned(),
        }
    }
}

/// What the reader found.
pub(super) enum Component {
    /// A VEVENT, up to its END:VEVENT.
    Event(Draft),
    /// A VEVENT whose END:VEVENT is missing: the next BEGIN:VEVENT or the end of the input came
    /// first.
    Unclosed(Draft),
    /// A VTIMEZONE with its TZID.
    Timezone(String, VTimezone),
}

/// Why the reader stopped.
pub(super) enum Error {
    Io(io::Error),
    /// The first line that is not empty (at this line) is no BEGIN:VCALENDAR.
    NotCalendar(u64),
}

/// What a buffer of a VEVENT's text reserves: most events fit.
const TEXT_CAPACITY: usize = 4 << 10;

/// Reads the components of an iCalendar stream one after the other. Components nest leniently:
/// an END closes what was left open inside it, and a BEGIN:VEVENT inside a VEVENT closes it.
pub(super) struct Calendar<'a> {
    lines: Unfolder<'a>,
    /// The components open around the current line.
    stack: Vec<String>,
    started: bool,
    events: u64,
    event: Option<Draft>,
    vtimezone: Option<(Option<String>, VTimezone)>,
    /// Whether the end of the input has been read.
    ended: bool,
    /// The text of the open VEVENT so far: the reader appends each line it reads, and a line
    /// that is not the event's is cut off again. So each byte of an event is copied once.
    text: Vec<u8>,
    /// The buffer the next VEVENT's text goes into (given back by [`Calendar::recycle`]).
    spare: Vec<u8>,
}

impl<'a> Calendar<'a> {
    pub(super) fn new(reader: &'a mut (dyn BufRead + Send)) -> Self {
        Self {
            lines: Unfolder::new(reader),
            stack: Vec::new(),
            started: false,
            events: 0,
            event: None,
            vtimezone: None,
            ended: false,
            // Reserved at once, so that they do not grow among the events' own allocations.
            text: Vec::with_capacity(TEXT_CAPACITY),
            spare: Vec::with_capacity(TEXT_CAPACITY),
        }
    }

    /// Takes back the buffer of a VEVENT's text once the event is done with, for the next one.
    pub(super) fn recycle(&mut self, mut buffer: Vec<u8>) {
        if buffer.capacity() >= self.spare.capacity() {
            buffer.clear();
            self.spare = buffer;
        }
    }

    /// The text of the open VEVENT, handed over with it; the spare buffer takes its place.
    fn take_text(&mut self) -> Vec<u8> {
        let spare = std::mem::take(&mut self.spare);
        std::mem::replace(&mut self.text, spare)
    }

    /// The next VEVENT or VTIMEZONE, once it is complete.
    pub(super) fn next(&mut self) -> Result<Option<Component>, Error> {
        if self.ended {
            return Ok(None);
        }
        loop {
            // The line is appended to `text`, from `mark` on; it stays there only if it is part
            // of the open VEVENT.
            let mark = self.text.len();
            let Some(line) = self.lines.next_line(&mut self.text).map_err(Error::Io)? else {
                break;
            };
            // Most lines are properties right inside the VEVENT: one comparison tells.
            let inside = self.event.is_some()
                && (self.stack.last().is_some_and(|c| c == "VEVENT")
                    || self.stack.iter().any(|c| c == "VEVENT"));
            let blank = line.text.trim().is_empty();
            let prop = if blank {
                None
            } else {
                Property::parse(line.text, line.number)
            };
            let begins_event = prop.as_ref().is_some_and(|p| {
                p.name == "BEGIN" && p.value.trim().eq_ignore_ascii_case("VEVENT")
            });
            if !inside && !begins_event {
                self.text.truncate(mark);
            }
            if blank {
                continue;
            }
            if !self.started {
                match &prop {
                    Some(p)
                        if p.name == "BEGIN"
                            && p.value.trim().eq_ignore_ascii_case("VCALENDAR") =>
                    {
                        self.started = true;
                    }
                    _ => return Err(Error::NotCalendar(line.number)),
                }
            }
            let Some(prop) = prop else {
                if let Some(e) = self.event.as_mut() {
                    e.bad_line.get_or_insert(line.number);
                }
                continue;
            };
            match &*prop.name {
                "BEGIN" => {
                    let component = prop.value.trim().to_ascii_uppercase();
                    let mut unclosed = None;
                    if component == "VEVENT" {
                        if let Some(mut open) = self.event.take() {
                            // No END:VEVENT before the next BEGIN:VEVENT (VEVENTs do not
                            // nest): the open one is rejected, the next one read as usual.
                            open.raw = self.text[..mark].to_vec();
                            unclosed = Some(open);
                            if let Some(at) = self.stack.iter().position(|c| c == "VEVENT") {
                                self.stack.truncate(at);
                            }
                        }
                        self.text.drain(..mark);
                        self.events += 1;
                        self.event = Some(Draft {
                            record: self.events,
                            line: line.number,
                            props: Vec::new(),
                            bad_line: None,
                            raw: Vec::new(),
                        });
                    } else {
                        if component == "VTIMEZONE"
                            && self.vtimezone.is_none()
                            && self.event.is_none()
                        {
                            self.vtimezone = Some((None, VTimezone::default()));
                        } else if matches!(component.as_str(), "STANDARD" | "DAYLIGHT")
                            && self.stack.last().is_some_and(|c| c == "VTIMEZONE")
                            && let Some((_, vtz)) = self.vtimezone.as_mut()
                        {
                            vtz.offsets.push(None);
                        }
                    }
                    self.stack.push(component);
                    if let Some(open) = unclosed {
                        return Ok(Some(Component::Unclosed(open)));
                    }
                }
                "END" => {
                    let component = prop.value.trim().to_ascii_uppercase();
                    // Leniently close what was left open inside.
                    if let Some(at) = self.stack.iter().rposition(|c| *c == component) {
                        self.stack.truncate(at);
                    }
                    let inside_event = self.stack.iter().any(|c| c == "VEVENT");
                    let closes_event =
                        component == "VEVENT" && !inside_event && self.event.is_some();
                    if !inside_event && !closes_event {
                        // No line of the event's (END:VCALENDAR with a VEVENT left open, say).
                        self.text.truncate(mark);
                    }
                    if closes_event {
                        if let Some(mut draft) = self.event.take() {
                            draft.raw = self.take_text();
                            return Ok(Some(Component::Event(draft)));
                        }
                    } else if component == "VTIMEZONE" && !inside_event {
                        if let Some((Some(tzid), vtz)) = self.vtimezone.take() {
                            return Ok(Some(Component::Timezone(tzid, vtz)));
                        }
                        self.vtimezone = None;
                    }
                }
                _ => match self.stack.last().map(String::as_str) {
                    Some("VEVENT") => {
                        if let Some(e) = self.event.as_mut() {
                            e.props.push(prop);
                        }
                    }
                    Some("VTIMEZONE") => {
                        if let Some((tzid, vtz)) = self.vtimezone.as_mut() {
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
                        if let Some(slot) = self
                            .vtimezone
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
        self.ended = true;
        let Some(mut draft) = self.event.take() else {
            return Ok(None);
        };
        draft.raw = self.take_text();
        Ok(Some(Component::Unclosed(draft)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of each VEVENT read, closed or not, in order.
    fn texts(feed: &str) -> Vec<(bool, String)> {
        let mut reader = feed.as_bytes();
        let mut calendar = Calendar::new(&mut reader);
        let mut out = Vec::new();
        while let Some(component) = calendar.next().ok().flatten() {
            match component {
                Component::Event(d) => out.push((true, d.raw_text())),
                Component::Unclosed(d) => out.push((false, d.raw_text())),
                Component::Timezone(..) => {}
            }
        }
        out
    }

    #[test]
    fn each_vevent_keeps_its_lines_as_the_feed_has_them() {
        let feed = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:X\r\nEND:VTIMEZONE\r\n\
                    BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:lang\r\n  und gefaltet\r\n\r\n\
                    BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nkeine Eigenschaft\r\n\
                    END:VEVENT\r\nX-BETWEEN:1\r\n\
                    BEGIN:VEVENT\nUID:offen\n\
                    BEGIN:VEVENT\nUID:c\nEND:VEVENT\n\
                    BEGIN:VEVENT\nUID:d\nEND:VCALENDAR\nX-AFTER:1\n";
        assert_eq!(
            texts(feed),
            [
                (
                    true,
                    "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:lang\r\n  und gefaltet\r\n\r\n\
                     BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nkeine Eigenschaft\r\n\
                     END:VEVENT"
                        .to_owned()
                ),
                (false, "BEGIN:VEVENT\nUID:offen".to_owned()),
                (true, "BEGIN:VEVENT\nUID:c\nEND:VEVENT".to_owned()),
                (false, "BEGIN:VEVENT\nUID:d".to_owned()),
            ]
        );
    }
}
