//! The events that wait for the end of the input, kept in memory up to a bound and in an
//! anonymous temporary file beyond it.
//!
//! A series is expanded only once the whole feed has been read, because an override
//! (`RECURRENCE-ID`) may follow it anywhere. Feeds where one event in ten is a series would
//! otherwise hold a tenth of the feed in memory; past [`IN_MEMORY`] bytes the drafts are
//! written out in a compact binary form and read back in the same order.

use super::calendar::Draft;
use super::lines::Property;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

/// Bytes of drafts kept in memory before the rest go to a file: 8 MiB, the series of a feed of
/// some 40 000 events. Writing them out and reading them back took a twentieth of converting
/// a feed of 20 000 events; beyond this the file keeps memory flat.
const IN_MEMORY: usize = 8 << 20;

#[derive(Default)]
pub(super) struct Deferred {
    memory: Vec<Draft>,
    bytes: usize,
    file: Option<BufWriter<File>>,
    spilled: usize,
    /// How many of the drafts are overrides (`RECURRENCE-ID`).
    overrides: usize,
}

impl Deferred {
    /// Keeps `draft`, after those kept before.
    pub(super) fn push(&mut self, draft: Draft) -> io::Result<()> {
        if draft.is_override() {
            self.overrides += 1;
        }
        if self.file.is_none() && self.bytes < IN_MEMORY {
            self.bytes += size(&draft);
            self.memory.push(draft);
            return Ok(());
        }
        let file = match &mut self.file {
            Some(file) => file,
            None => self
                .file
                .insert(BufWriter::with_capacity(1 << 16, tempfile::tempfile()?)),
        };
        encode(&draft, file)?;
        self.spilled += 1;
        Ok(())
    }

    /// Whether any kept draft is an override.
    pub(super) fn has_overrides(&self) -> bool {
        self.overrides > 0
    }

    /// Calls `f` with each kept draft for which `pick` holds, in the order they were kept;
    /// `io` turns a failure to read the file back into `f`'s error. Can be called more than
    /// once (the file is read again each time).
    pub(super) fn each<E>(
        &mut self,
        pick: impl Fn(&Draft) -> bool,
        io: impl Fn(io::Error) -> E,
        mut f: impl FnMut(&Draft) -> Result<(), E>,
    ) -> Result<(), E> {
        for draft in self.memory.iter().filter(|d| pick(d)) {
            f(draft)?;
        }
        let Some(file) = &mut self.file else {
            return Ok(());
        };
        read_back(file, self.spilled, io, |draft| {
            if pick(&draft) { f(&draft) } else { Ok(()) }
        })
    }
}

impl Deferred {
    /// Calls `f` with each kept draft for which `pick` holds, in the order they were kept,
    /// handing it over.
    pub(super) fn into_each<E>(
        self,
        pick: impl Fn(&Draft) -> bool,
        io: impl Fn(io::Error) -> E,
        mut f: impl FnMut(Draft) -> Result<(), E>,
    ) -> Result<(), E> {
        for draft in self.memory.into_iter().filter(|d| pick(d)) {
            f(draft)?;
        }
        let Some(mut file) = self.file else {
            return Ok(());
        };
        read_back(&mut file, self.spilled, io, |draft| {
            if pick(&draft) { f(draft) } else { Ok(()) }
        })
    }
}

/// Reads the `spilled` drafts written to `file` back in their order, handing each to `f`.
fn read_back<E>(
    file: &mut BufWriter<File>,
    spilled: usize,
    io: impl Fn(io::Error) -> E,
    mut f: impl FnMut(Draft) -> Result<(), E>,
) -> Result<(), E> {
    file.flush().map_err(&io)?;
    let mut reader = BufReader::with_capacity(1 << 16, file.get_ref());
    reader.rewind().map_err(&io)?;
    for _ in 0..spilled {
        f(decode(&mut reader).map_err(&io)?)?;
    }
    Ok(())
}

/// About what a draft takes in memory.
fn size(draft: &Draft) -> usize {
    draft
        .props
        .iter()
        .map(|p| {
            96 + p.value.len()
                + p.params
                    .iter()
                    .map(|(n, v)| 48 + n.len() + v.iter().map(|v| 24 + v.len()).sum::<usize>())
                    .sum::<usize>()
        })
        .sum::<usize>()
        + draft.raw.len()
        + 88
}

fn put_u64(out: &mut impl Write, n: u64) -> io::Result<()> {
    out.write_all(&n.to_le_bytes())
}

fn put_str(out: &mut impl Write, s: &str) -> io::Result<()> {
    put_u64(out, s.len() as u64)?;
    out.write_all(s.as_bytes())
}

fn put_bytes(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    put_u64(out, bytes.len() as u64)?;
    out.write_all(bytes)
}

fn encode(draft: &Draft, out: &mut impl Write) -> io::Result<()> {
    put_u64(out, draft.record)?;
    put_u64(out, draft.line)?;
    put_u64(out, draft.bad_line.unwrap_or(0))?;
    put_bytes(out, &draft.raw)?;
    put_u64(out, draft.props.len() as u64)?;
    for p in &draft.props {
        put_u64(out, p.line)?;
        put_str(out, &p.name)?;
        put_str(out, &p.value)?;
        put_u64(out, p.params.len() as u64)?;
        for (name, values) in &p.params {
            put_str(out, name)?;
            put_u64(out, values.len() as u64)?;
            for v in values {
                put_str(out, v)?;
            }
        }
    }
    Ok(())
}

fn get_u64(input: &mut impl Read) -> io::Result<u64> {
    let mut bytes = [0; 8];
    input.read_exact(&mut bytes)?;
    Ok(u64::from_le_bytes(bytes))
}

fn get_len(input: &mut impl Read) -> io::Result<usize> {
    usize::try_from(get_u64(input)?).map_err(io::Error::other)
}

fn get_bytes(input: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; get_len(input)?];
    input.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn get_str(input: &mut impl Read) -> io::Result<String> {
    String::from_utf8(get_bytes(input)?).map_err(io::Error::other)
}

fn decode(input: &mut impl Read) -> io::Result<Draft> {
    let record = get_u64(input)?;
    let line = get_u64(input)?;
    let bad_line = Some(get_u64(input)?).filter(|l| *l != 0);
    let raw = get_bytes(input)?;
    let count = get_len(input)?;
    let mut props = Vec::with_capacity(count);
    for _ in 0..count {
        let line = get_u64(input)?;
        let name = Property::name(&get_str(input)?);
        let value = get_str(input)?;
        let params = (0..get_len(input)?)
            .map(|_| {
                let name = get_str(input)?;
                let values = (0..get_len(input)?)
                    .map(|_| get_str(input))
                    .collect::<io::Result<_>>()?;
                Ok((name, values))
            })
            .collect::<io::Result<_>>()?;
        props.push(Property {
            name,
            params,
            value,
            line,
        });
    }
    Ok(Draft {
        record,
        line,
        props,
        bad_line,
        raw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn draft(record: u64) -> Draft {
        let props = [
            "UID:event-1@example.org",
            "DTSTART;TZID=Europe/Berlin:20250101T100000",
            "RRULE:FREQ=WEEKLY;COUNT=10",
            "ORGANIZER;CN=\"Müller; Anna\";X-A=a,\"b,c\":mailto:a@example.org",
            "X-EMPTY:",
            "DESCRIPTION:Lange Beschreibung\\, mit Kommas",
        ]
        .iter()
        .enumerate()
        .map(|(i, l)| Property::parse(l, record * 10 + i as u64).unwrap())
        .collect();
        Draft {
            record,
            line: record * 10,
            props,
            bad_line: record.is_multiple_of(2).then_some(record * 10 + 3),
            raw: format!("BEGIN:VEVENT\r\nUID:{record}\r\n  folded\r\nEND:VEVENT\r\n").into_bytes(),
        }
    }

    fn same(a: &Draft, b: &Draft) -> bool {
        a.record == b.record
            && a.line == b.line
            && a.bad_line == b.bad_line
            && a.raw == b.raw
            && a.props.len() == b.props.len()
            && a.props.iter().zip(&b.props).all(|(p, q)| {
                p.name == q.name && p.params == q.params && p.value == q.value && p.line == q.line
            })
    }

    #[test]
    fn drafts_come_back_whole_and_in_order_past_the_bound() {
        let mut deferred = Deferred::default();
        let n = 3 * IN_MEMORY / size(&draft(1)) + 7;
        for record in 1..=n as u64 {
            deferred.push(draft(record)).unwrap();
        }
        assert!(deferred.spilled > 0 && !deferred.memory.is_empty());
        for _ in 0..2 {
            let mut seen = 0;
            deferred
                .each(
                    |d| !d.record.is_multiple_of(3),
                    |e| e,
                    |d| -> io::Result<()> {
                        seen += 1;
                        assert!(!d.record.is_multiple_of(3));
                        assert!(same(d, &draft(d.record)), "record {}", d.record);
                        Ok(())
                    },
                )
                .unwrap();
            assert_eq!(
                seen,
                (1..=n as u64).filter(|r| !r.is_multiple_of(3)).count()
            );
        }
        assert!(!deferred.has_overrides());
        let mut special = draft(n as u64 + 1);
        special
            .props
            .push(Property::parse("RECURRENCE-ID:20250108T100000", 1).unwrap());
        deferred.push(special).unwrap();
        assert!(deferred.has_overrides());
    }

    #[test]
    fn names_stay_shared_or_owned() {
        let p = Property::parse("X-CUSTOM;a=b:c", 1).unwrap();
        let mut bytes = Vec::new();
        let d = Draft {
            record: 1,
            line: 1,
            props: vec![p],
            bad_line: None,
            raw: Vec::new(),
        };
        encode(&d, &mut bytes).unwrap();
        let back = decode(&mut bytes.as_slice()).unwrap();
        assert!(same(&d, &back));
        assert!(matches!(back.props[0].name, Cow::Owned(_)));
        let d = draft(1);
        bytes.clear();
        encode(&d, &mut bytes).unwrap();
        assert!(matches!(
            decode(&mut bytes.as_slice()).unwrap().props[0].name,
            Cow::Borrowed("UID")
        ));
    }
}
