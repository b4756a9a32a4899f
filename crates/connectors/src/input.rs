//! Reading an [`Input`]: the whole of it as text, or line by line with the line known, so that a
//! record's diagnostic can name its line.

use crate::{ConnectorError, Input};
use kulturnetz_model::text::utf16_hint;
use kulturnetz_model::{Diagnostic, Location};
use std::io::{self, BufRead, Read};

/// How many bytes [`utf8_only`] looks at.
const HEAD: u64 = 512;

/// The format error of UTF-16 input.
fn not_utf8(name: &str, hint: &str) -> ConnectorError {
    ConnectorError::Format(Box::new(
        Diagnostic::new(
            Location::file(name),
            "not UTF-8: the input starts like UTF-16 text",
        )
        .with_hint(hint),
    ))
}

/// Runs `then` on `input`, unless its first bytes look like UTF-16: every format the connectors
/// read is UTF-8 here, and UTF-16 would otherwise give a format error that does not say why
/// (or a rejected record for every line). Such input is a format error with a hint on how to
/// convert it.
pub(crate) fn utf8_only<R>(
    input: Input<'_>,
    then: impl FnOnce(Input<'_>) -> Result<R, ConnectorError>,
) -> Result<R, ConnectorError> {
    let mut head = Vec::with_capacity(HEAD as usize);
    (&mut *input.reader)
        .take(HEAD)
        .read_to_end(&mut head)
        .map_err(|source| ConnectorError::Io {
            name: input.name.to_owned(),
            source,
        })?;
    if let Some(hint) = utf16_hint(&head) {
        return Err(not_utf8(input.name, hint));
    }
    let mut reader = (&head[..]).chain(input.reader);
    then(Input {
        name: input.name,
        reader: &mut reader,
    })
}

/// The whole input as text. JSON and HTML are UTF-8; bytes that are not are replaced (U+FFFD),
/// as real exports hold damaged names that should still load.
pub(crate) fn read_text(input: &mut Input<'_>) -> Result<String, ConnectorError> {
    let mut bytes = Vec::new();
    input
        .reader
        .read_to_end(&mut bytes)
        .map_err(|source| ConnectorError::Io {
            name: input.name.to_owned(),
            source,
        })?;
    if let Some(hint) = utf16_hint(&bytes) {
        return Err(not_utf8(input.name, hint));
    }
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// What a [`LineCounter`] reserves for the record it keeps: most records fit. Reserved at once,
/// before the records' trees are allocated, it does not grow among them; grown from empty, it
/// made `malloc` and `free` of those trees some 10 % slower over 100 000 LIDO records.
const KEPT_CAPACITY: usize = 64 << 10;

/// Counts the lines of what was consumed from a reader, so that a record's line is known
/// without keeping the input; keeps what is consumed while asked to, so that a record's text
/// is at hand if it is rejected.
pub(crate) struct LineCounter<'a> {
    inner: &'a mut dyn BufRead,
    newlines: u64,
    kept: Vec<u8>,
    keeping: bool,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(inner: &'a mut dyn BufRead) -> Self {
        Self {
            inner,
            newlines: 0,
            kept: Vec::with_capacity(KEPT_CAPACITY),
            keeping: false,
        }
    }

    /// The 1-based line of the next byte to be read.
    pub(crate) fn line(&self) -> u64 {
        self.newlines + 1
    }

    /// Keeps `head`, then every byte consumed from now on (in place of what was kept before).
    pub(crate) fn keep_from(&mut self, head: &[&[u8]]) {
        self.kept.clear();
        for part in head {
            self.kept.extend_from_slice(part);
        }
        self.keeping = true;
    }

    /// Stops keeping what is consumed; what was kept stays until [`LineCounter::keep_from`].
    pub(crate) fn stop_keeping(&mut self) {
        self.keeping = false;
    }

    /// What was kept.
    pub(crate) fn kept(&self) -> &[u8] {
        &self.kept
    }
}

impl Read for LineCounter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.newlines += newlines(&buf[..n]);
        if self.keeping {
            self.kept.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }
}

impl BufRead for LineCounter<'_> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if amt > 0 {
            // The buffer is still filled from the `fill_buf` this consumes from, so this does not
            // read.
            if let Ok(buf) = self.inner.fill_buf() {
                let n = amt.min(buf.len());
                self.newlines += newlines(&buf[..n]);
                if self.keeping {
                    self.kept.extend_from_slice(&buf[..n]);
                }
            }
        }
        self.inner.consume(amt);
    }
}

/// How many line feeds `bytes` holds, counted in bytes a chunk at a time, which the compiler
/// turns into wide vector compares (a count of `usize`s was compiled four bytes a step).
fn newlines(bytes: &[u8]) -> u64 {
    bytes
        .chunks(255)
        .map(|chunk| {
            let in_chunk: u8 = chunk.iter().map(|&b| u8::from(b == b'\n')).sum();
            u64::from(in_chunk)
        })
        .sum()
}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_at(text: &[u8], offset: usize) -> u64 {
    text[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_is_refused_with_a_hint_and_utf8_passes_whole() {
        let utf16: Vec<u8> = "BEGIN:VCALENDAR\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let err = utf8_only(
            Input {
                name: "a.ics",
                reader: &mut &utf16[..],
            },
            |_| Ok(()),
        )
        .unwrap_err();
        assert!(err.to_string().contains("UTF-16"), "{err}");
        let text = "x".repeat(2000);
        let whole = utf8_only(
            Input {
                name: "a.ics",
                reader: &mut text.as_bytes(),
            },
            |input| {
                let mut back = String::new();
                input.reader.read_to_string(&mut back).unwrap();
                Ok(back)
            },
        )
        .unwrap();
        assert_eq!(whole, text);
    }

    #[test]
    fn lines_are_counted_on_consume() {
        let data = b"a\nb\nc";
        let mut inner = std::io::BufReader::with_capacity(1, &data[..]);
        let mut counter = LineCounter::new(&mut inner);
        let mut line = Vec::new();
        counter.read_until(b'\n', &mut line).unwrap();
        assert_eq!(counter.line(), 2);
        assert_eq!(line_at(data, 4), 3);
    }
}
