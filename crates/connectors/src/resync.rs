//! Resynchronising Turtle and TriG after a syntax error at the next line that can start a
//! statement, instead of at the next `.` (<https://www.w3.org/TR/turtle/#sec-grammar>).
//!
//! A real file may begin with a line of free text, or hold one broken statement. The parser's
//! own recovery skips to the next `.`, which swallows the following statement, often an
//! `@prefix` line, and with it every later statement that uses the prefix. Here the parser is
//! restarted on the bytes after the error instead, with the prefixes and base it had: the
//! broken lines are one rejected record, and what follows loads.
//!
//! The input still streams: only a window of recently read bytes is kept to restart from.

use oxrdf::Quad;
use oxttl::{TriGParser, TurtleParser, TurtleSyntaxError};
use std::cell::RefCell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

/// How many bytes already handed to the parser are kept to restart from. The parser reports
/// errors close to where it reads, far within this.
const WINDOW: usize = 4 << 20;

/// The bytes read from the input, from absolute offset `start` on, and what the current parser
/// has been given (`cursor`).
struct Tape<'a> {
    inner: &'a mut dyn BufRead,
    kept: Vec<u8>,
    start: u64,
    cursor: u64,
}

impl Tape<'_> {
    fn end(&self) -> u64 {
        self.start + self.kept.len() as u64
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
    fn byte(&mut self, at: u64) -> io::Result<Option<u8>> {
        while at >= self.end() {
            if !self.fill()? {
                return Ok(None);
            }
        }
        Ok(Some(self.kept[(at - self.start) as usize]))
    }
}

/// What the parser reads: the tape from its cursor on.
struct TapeReader<'a>(Rc<RefCell<Tape<'a>>>);

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

/// A syntax error, with its place in the whole input (0-based line and column).
pub(crate) struct Located {
    pub(crate) line: u64,
    pub(crate) column: u64,
    pub(crate) message: String,
}

/// One item of the resynchronising parser.
pub(crate) enum Item {
    Quad(Quad),
    Error(Located),
}

enum Inner<'a> {
    Turtle(oxttl::turtle::ReaderTurtleParser<TapeReader<'a>>),
    TriG(oxttl::trig::ReaderTriGParser<TapeReader<'a>>),
}

/// A Turtle or TriG parser that restarts after each syntax error.
pub(crate) struct Resync<'a> {
    tape: Rc<RefCell<Tape<'a>>>,
    trig: bool,
    inner: Inner<'a>,
    /// Absolute offset and 0-based line where the current parser started.
    segment_offset: u64,
    segment_line: u64,
    base: String,
    /// The input ended while looking for a place to restart.
    done: bool,
}

impl<'a> Resync<'a> {
    pub(crate) fn new(reader: &'a mut dyn BufRead, trig: bool, base: &str) -> io::Result<Self> {
        let tape = Rc::new(RefCell::new(Tape {
            inner: reader,
            kept: Vec::new(),
            start: 0,
            cursor: 0,
        }));
        let inner = Self::parser(&tape, trig, base, &[])?;
        Ok(Self {
            tape,
            trig,
            inner,
            segment_offset: 0,
            segment_line: 0,
            base: base.to_owned(),
            done: false,
        })
    }

    fn parser(
        tape: &Rc<RefCell<Tape<'a>>>,
        trig: bool,
        base: &str,
        prefixes: &[(String, String)],
    ) -> io::Result<Inner<'a>> {
        let reader = TapeReader(Rc::clone(tape));
        let bad = |e: oxiri::IriParseError| io::Error::new(io::ErrorKind::InvalidInput, e);
        Ok(if trig {
            let mut parser = TriGParser::new().with_base_iri(base).map_err(bad)?;
            for (name, iri) in prefixes {
                parser = parser.with_prefix(name, iri).map_err(bad)?;
            }
            Inner::TriG(parser.for_reader(reader))
        } else {
            let mut parser = TurtleParser::new().with_base_iri(base).map_err(bad)?;
            for (name, iri) in prefixes {
                parser = parser.with_prefix(name, iri).map_err(bad)?;
            }
            Inner::Turtle(parser.for_reader(reader))
        })
    }

    /// Restarts after an error at (absolute) `offset`, at the next line that can start a
    /// statement. `false` at the end of the input.
    fn restart(&mut self, offset: u64, line: u64) -> io::Result<bool> {
        let (prefixes, base): (Vec<(String, String)>, String) = match &self.inner {
            Inner::Turtle(p) => (
                p.prefixes()
                    .map(|(n, i)| (n.to_owned(), i.to_owned()))
                    .collect(),
                p.base_iri().unwrap_or(&self.base).to_owned(),
            ),
            Inner::TriG(p) => (
                p.prefixes()
                    .map(|(n, i)| (n.to_owned(), i.to_owned()))
                    .collect(),
                p.base_iri().unwrap_or(&self.base).to_owned(),
            ),
        };
        let mut tape = self.tape.borrow_mut();
        let mut at = offset.max(tape.start);
        let mut line = line;
        // Skip to the end of the error's line, then over lines that continue a statement
        // (indented, or starting with `;`, `,`, `.`, `]`, `)` or `}`).
        loop {
            match tape.byte(at)? {
                None => return Ok(false),
                Some(b'\n') => {
                    at += 1;
                    line += 1;
                    match tape.byte(at)? {
                        None => return Ok(false),
                        Some(
                            b' ' | b'\t' | b'\r' | b'\n' | b';' | b',' | b'.' | b']' | b')' | b'}',
                        ) => {}
                        Some(_) => break,
                    }
                }
                Some(_) => at += 1,
            }
        }
        tape.cursor = at;
        drop(tape);
        self.inner = Self::parser(&self.tape, self.trig, &base, &prefixes)?;
        self.segment_offset = at;
        self.segment_line = line;
        Ok(true)
    }

    fn locate(&self, e: &TurtleSyntaxError) -> (Located, u64) {
        let range = e.location();
        let start = range.start;
        (
            Located {
                line: self.segment_line + start.line,
                column: start.column,
                message: e.message().to_owned(),
            },
            self.segment_offset + start.offset,
        )
    }
}

impl Iterator for Resync<'_> {
    type Item = io::Result<Item>;

    fn next(&mut self) -> Option<io::Result<Item>> {
        if self.done {
            return None;
        }
        let next = match &mut self.inner {
            Inner::Turtle(p) => p
                .next()
                .map(|r| r.map(|t| t.in_graph(oxrdf::GraphName::DefaultGraph))),
            Inner::TriG(p) => p.next(),
        }?;
        Some(match next {
            Ok(quad) => Ok(Item::Quad(quad)),
            Err(oxttl::TurtleParseError::Io(e)) => Err(e),
            Err(oxttl::TurtleParseError::Syntax(e)) => {
                let (located, offset) = self.locate(&e);
                match self.restart(offset, located.line) {
                    Ok(more) => {
                        self.done = !more;
                        Ok(Item::Error(located))
                    }
                    Err(e) => Err(e),
                }
            }
        })
    }
}
