//! Reading an [`Input`]: the whole of it as text, or line by line with the line known, so that a
//! record's diagnostic can name its line.

use crate::{ConnectorError, Input};
use std::io::{self, BufRead, Read};

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
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Counts the lines of what was consumed from a reader, so that a record's line is known
/// without keeping the input.
pub(crate) struct LineCounter<'a> {
    inner: &'a mut dyn BufRead,
    newlines: u64,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(inner: &'a mut dyn BufRead) -> Self {
        Self { inner, newlines: 0 }
    }

    /// The 1-based line of the next byte to be read.
    pub(crate) fn line(&self) -> u64 {
        self.newlines + 1
    }
}

impl Read for LineCounter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.newlines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
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
                self.newlines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            }
        }
        self.inner.consume(amt);
    }
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
