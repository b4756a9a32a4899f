//! The bytes recently read from an input, kept by their offset in it: a parser reads them
//! through a [`TapeReader`], and after a syntax error they give the text of the line it is on
//! (or a place to restart the parser from, `resync`), without keeping the whole input.

use std::cell::RefCell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

/// How many bytes already handed to the parser are kept. The parsers report errors close to
/// where they read, far within this.
const WINDOW: usize = 4 << 20;

/// The bytes read from the input, from absolute offset `start` on, and what the parser has been
/// given (`cursor`).
pub(crate) struct Tape<'a> {
    inner: &'a mut dyn BufRead,
    kept: Vec<u8>,
    start: u64,
    cursor: u64,
}

impl<'a> Tape<'a> {
    /// A tape over `inner`, to be shared by a [`TapeReader`] and whoever looks back into it.
    pub(crate) fn shared(inner: &'a mut dyn BufRead) -> Rc<RefCell<Self>> {
        Rc::new(RefCell::new(Self {
            inner,
            kept: Vec::new(),
            start: 0,
            cursor: 0,
        }))
    }

    fn end(&self) -> u64 {
        self.start + self.kept.len() as u64
    }

    /// The offset of the oldest byte kept.
    pub(crate) fn start(&self) -> u64 {
        self.start
    }

    /// Makes the parser go on reading at `at`.
    pub(crate) fn set_cursor(&mut self, at: u64) {
        self.cursor = at;
    }

    /// Reads more of the input into the tape; `false` at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        let buf = self.inner.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        let n = buf.len();
        self.kept.extend_from_slice(buf);
        self.inner.consume(n);
        Ok(true)
    }

    /// Forgets bytes well behind the cursor.
    fn trim(&mut self) {
        let behind = (self.cursor - self.start) as usize;
        if behind > 2 * WINDOW {
            let drop = behind - WINDOW;
            self.kept.drain(..drop);
            self.start += drop as u64;
        }
    }

    /// The byte at absolute offset `at`, reading more input if needed.
    pub(crate) fn byte(&mut self, at: u64) -> io::Result<Option<u8>> {
        while at >= self.end() {
            if !self.fill()? {
                return Ok(None);
            }
        }
        Ok(Some(self.kept[(at - self.start) as usize]))
    }

    /// The offset where the line holding the byte at `offset` starts, if the tape still has it.
    pub(crate) fn line_start(&self, offset: u64) -> Option<u64> {
        let upto = usize::try_from(offset.checked_sub(self.start)?).unwrap_or(usize::MAX);
        let before = &self.kept[..upto.min(self.kept.len())];
        match before.iter().rposition(|&b| b == b'\n') {
            Some(i) => Some(self.start + i as u64 + 1),
            None if self.start == 0 => Some(0),
            // The line started before the oldest byte kept.
            None => None,
        }
    }

    /// The offset of the line break that ends the line holding the byte at `offset`, or of the
    /// end of the input; reads on as far as that.
    pub(crate) fn line_end(&mut self, offset: u64) -> io::Result<u64> {
        let mut at = offset;
        while let Some(b) = self.byte(at)? {
            if b == b'\n' {
                break;
            }
            at += 1;
        }
        Ok(at)
    }

    /// The kept bytes from `from` up to `to` as text (invalid UTF-8 replaced), without the line
    /// break and the blank lines at their end; `None` if they are no longer kept.
    pub(crate) fn text(&self, from: u64, to: u64) -> Option<String> {
        let from = usize::try_from(from.checked_sub(self.start)?).ok()?;
        let to = usize::try_from(to.min(self.end()) - self.start).ok()?;
        let text = String::from_utf8_lossy(self.kept.get(from..to)?);
        let content = text.trim_end().len();
        let end = text[content..]
            .find(['\r', '\n'])
            .map_or(text.len(), |i| content + i);
        Some(text[..end].to_owned())
    }

    /// The line holding the byte at `offset`, without its line break; `None` if it started
    /// before the oldest byte kept (a line of megabytes).
    pub(crate) fn line_around(&mut self, offset: u64) -> io::Result<Option<String>> {
        let end = self.line_end(offset)?;
        Ok(self
            .line_start(offset)
            .and_then(|start| self.text(start, end)))
    }
}

/// What the parser reads: the tape from its cursor on.
pub(crate) struct TapeReader<'a>(pub(crate) Rc<RefCell<Tape<'a>>>);

impl Read for TapeReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut tape = self.0.borrow_mut();
        if tape.cursor >= tape.end() && !tape.fill()? {
            return Ok(0);
        }
        let from = (tape.cursor - tape.start) as usize;
        let n = buf.len().min(tape.kept.len() - from);
        buf[..n].copy_from_slice(&tape.kept[from..from + n]);
        tape.cursor += n as u64;
        tape.trim();
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_around_an_offset() {
        let data = b"first\r\nsecond line \n\n  \nthird";
        let mut reader = std::io::BufReader::with_capacity(3, &data[..]);
        let tape = Tape::shared(&mut reader);
        let mut parser = TapeReader(Rc::clone(&tape));
        let mut head = [0; 9];
        parser.read_exact(&mut head).unwrap();
        let mut tape = tape.borrow_mut();
        assert_eq!(tape.line_around(2).unwrap().as_deref(), Some("first"));
        assert_eq!(tape.line_around(6).unwrap().as_deref(), Some("first"));
        // Past what the parser has read: the tape reads on to the line's end.
        assert_eq!(
            tape.line_around(9).unwrap().as_deref(),
            Some("second line ")
        );
        assert_eq!(
            tape.line_around(19).unwrap().as_deref(),
            Some("second line ")
        );
        assert_eq!(tape.line_around(28).unwrap().as_deref(), Some("third"));
        assert_eq!(tape.line_around(29).unwrap().as_deref(), Some("third"));
        // Blank lines after the text are no part of it; spaces at the end of its line are.
        assert_eq!(tape.text(7, 24).as_deref(), Some("second line "));
        // What the parser reads next is what follows what it read, all the same.
        drop(tape);
        let mut rest = String::new();
        parser.read_to_string(&mut rest).unwrap();
        assert_eq!(rest.as_bytes(), &data[9..]);
    }
}
