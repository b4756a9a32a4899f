//! Resynchronising Turtle and TriG after a syntax error at the next line that can start a
//! statement, instead of at the next `.` (<https://www.w3.org/TR/turtle/#sec-grammar>).
//!
//! A real file may begin with a line of free text, or hold one broken statement. The parser's
//! own recovery skips to the next `.`, which swallows the following statement, often an
//! `@prefix` line, and with it every later statement that uses the prefix. Here the parser is
//! restarted on the bytes after the error instead, with the prefixes and base it had: the
//! broken lines are one rejected record, and what follows loads.
//!
//! The input still streams: only a window of recently read bytes is kept to restart from
//! (`tape`). The lines passed over, from the start of the error's line to the restart, are the
//! rejected record's text.

use crate::tape::{Tape, TapeReader};
use oxrdf::Quad;
use oxttl::{TriGParser, TurtleParser, TurtleSyntaxError};
use std::cell::RefCell;
use std::io::{self, BufRead};
use std::rc::Rc;

/// A syntax error, with its place in the whole input (0-based line and column) and the lines
/// passed over with it: from the start of its line to where the parser restarts.
pub(crate) struct Located {
    pub(crate) line: u64,
    pub(crate) column: u64,
    pub(crate) message: String,
    /// `None` if its line started before the oldest byte kept (a line of megabytes).
    pub(crate) raw: Option<String>,
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
        let tape = Tape::shared(reader);
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
    /// statement: whether there is one before the end of the input, and the text passed over.
    fn restart(&mut self, offset: u64, line: u64) -> io::Result<(bool, Option<String>)> {
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
        let mut at = offset.max(tape.start());
        let mut line = line;
        // Skip to the end of the error's line, then over lines that continue a statement
        // (indented, or starting with `;`, `,`, `.`, `]`, `)` or `}`).
        let more = loop {
            match tape.byte(at)? {
                None => break false,
                Some(b'\n') => {
                    at += 1;
                    line += 1;
                    match tape.byte(at)? {
                        None => break false,
                        Some(
                            b' ' | b'\t' | b'\r' | b'\n' | b';' | b',' | b'.' | b']' | b')' | b'}',
                        ) => {}
                        Some(_) => break true,
                    }
                }
                Some(_) => at += 1,
            }
        };
        let raw = tape
            .line_start(offset)
            .and_then(|start| tape.text(start, at));
        if !more {
            return Ok((false, raw));
        }
        tape.set_cursor(at);
        drop(tape);
        self.inner = Self::parser(&self.tape, self.trig, &base, &prefixes)?;
        self.segment_offset = at;
        self.segment_line = line;
        Ok((true, raw))
    }

    fn locate(&self, e: &TurtleSyntaxError) -> (Located, u64) {
        let range = e.location();
        let start = range.start;
        (
            Located {
                line: self.segment_line + start.line,
                column: start.column,
                message: e.message().to_owned(),
                raw: None,
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
                let (mut located, offset) = self.locate(&e);
                match self.restart(offset, located.line) {
                    Ok((more, raw)) => {
                        self.done = !more;
                        located.raw = raw;
                        Ok(Item::Error(located))
                    }
                    Err(e) => Err(e),
                }
            }
        })
    }
}
