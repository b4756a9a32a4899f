//! RDF files as they are: Turtle, N-Triples, N-Quads, TriG, RDF/XML and JSON-LD
//! (<https://www.w3.org/TR/rdf11-concepts/>), streamed with `oxrdfio`.
//!
//! Each statement is a record. A syntax error rejects the statement it is in, with the file, line
//! and column; the parser then resumes: Turtle and TriG at the next line that can start a
//! statement (see `resync`), N-Triples and N-Quads at the next line. RDF/XML and JSON-LD cannot
//! resume: what came before the error loads. Blank nodes are renamed per source so that two
//! sources never share one by accident.
//!
//! The raw text of a rejected statement is its line in N-Triples and N-Quads, and in Turtle and
//! TriG the lines passed over to resume: the error's line and those that continue it. RDF/XML
//! and JSON-LD give none: their parsers report where the error is, not where the element or
//! object around it starts, and reading ends there anyway.

use crate::resync::{Item, Resync};
use crate::tape::{Tape, TapeReader};
use crate::{Connector, ConnectorError, Context, Input, RecordSink};
use kulturnetz_model::{Diagnostic, Location, OptionSpec};
use oxrdf::{BlankNode, GraphName, NamedOrBlankNode, Quad, Term};
use oxrdfio::{RdfFormat, RdfParseError, RdfParser};
use std::collections::HashMap;
use std::rc::Rc;

/// The `rdf` connector.
pub struct Rdf;

/// How many syntax errors in a row, without a statement in between, end the input: a file that
/// is not RDF at all should not produce one diagnostic per byte.
const MAX_ERRORS_IN_A_ROW: u32 = 100;

impl Rdf {
    /// The format of `name` as given by the `format` option (a media type or a name like
    /// `turtle`) or by the file's extension.
    pub fn format(name: &str, cx: &Context<'_>) -> Result<RdfFormat, ConnectorError> {
        if let Some(format) = cx.option_str("format")? {
            return format_by_name(format).ok_or_else(|| ConnectorError::Option {
                key: "format".into(),
                message: format!(
                    "unknown RDF format {format:?}: use turtle, ntriples, nquads, trig, rdfxml or jsonld"
                ),
            });
        }
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
        RdfFormat::from_extension(ext).ok_or_else(|| {
            ConnectorError::Format(Box::new(
                Diagnostic::new(
                    Location::file(name),
                    format!("cannot tell the RDF format from the extension {ext:?}"),
                )
                .with_hint("set `format` in the source, e.g. format = \"turtle\""),
            ))
        })
    }
}

fn format_by_name(name: &str) -> Option<RdfFormat> {
    Some(match name.to_ascii_lowercase().as_str() {
        "turtle" | "ttl" => RdfFormat::Turtle,
        "ntriples" | "n-triples" | "nt" => RdfFormat::NTriples,
        "nquads" | "n-quads" | "nq" => RdfFormat::NQuads,
        "trig" => RdfFormat::TriG,
        "rdfxml" | "rdf/xml" | "rdf" | "xml" => RdfFormat::RdfXml,
        "jsonld" | "json-ld" => RdfFormat::JsonLd {
            profile: oxrdfio::JsonLdProfileSet::empty(),
        },
        other => return RdfFormat::from_media_type(other),
    })
}

impl Connector for Rdf {
    fn options(&self) -> &'static [OptionSpec] {
        &[
            OptionSpec {
                key: "format",
                required: false,
                about: "the RDF format when the extension does not tell it, e.g. \"turtle\"",
            },
            OptionSpec {
                key: "base_iri",
                required: false,
                about: "the base IRI of relative IRIs in the input",
            },
        ]
    }

    fn kind(&self) -> &'static str {
        "rdf"
    }

    fn description(&self) -> &'static str {
        "RDF as it is: Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD"
    }

    fn version(&self) -> u32 {
        1
    }

    fn media_types(&self) -> &'static [&'static str] {
        &[
            "text/turtle",
            "application/n-triples",
            "application/n-quads",
            "application/trig",
            "application/rdf+xml",
            "application/ld+json",
        ]
    }

    fn convert(
        &self,
        input: Input<'_>,
        cx: &Context<'_>,
        out: &mut dyn RecordSink,
    ) -> Result<(), ConnectorError> {
        crate::input::utf8_only(input, |input| {
            let format = Self::format(input.name, cx)?;
            let base = match cx.option_str("base_iri")? {
                Some(base) => base.to_owned(),
                None => cx.minter.graph(cx.source_id).into_string(),
            };
            let mut blanks: HashMap<String, BlankNode> = HashMap::new();
            let mut record = 0;
            let mut errors_in_a_row = 0;
            let mut emit = |item: Result<Quad, Syntax>,
                            out: &mut dyn RecordSink|
             -> Result<bool, ConnectorError> {
                record += 1;
                let at = Location::file(input.name).with_record(record);
                match item {
                    Ok(quad) => {
                        errors_in_a_row = 0;
                        let quad = rename_blank_nodes(quad, &mut blanks, cx);
                        out.accept(&at, &[quad.as_ref()])?;
                        Ok(true)
                    }
                    Err(Syntax {
                        position,
                        message,
                        raw,
                    }) => {
                        let at = match position {
                            Some((line, column)) => at.with_position(line + 1, column + 1),
                            None => at,
                        };
                        let diagnostic = Diagnostic::new(at, syntax_message(&message));
                        // An error at the end of the input, past the last line, has no text.
                        out.reject(match raw.filter(|raw| !raw.trim().is_empty()) {
                            Some(raw) => diagnostic.with_raw(&raw),
                            None => diagnostic,
                        })?;
                        errors_in_a_row += 1;
                        Ok(errors_in_a_row < MAX_ERRORS_IN_A_ROW)
                    }
                }
            };
            let io = |source: std::io::Error| ConnectorError::Io {
                name: input.name.to_owned(),
                source,
            };
            if matches!(format, RdfFormat::Turtle | RdfFormat::TriG) {
                let parser = Resync::new(&mut *input.reader, format == RdfFormat::TriG, &base)
                    .map_err(|e| ConnectorError::Option {
                        key: "base_iri".into(),
                        message: e.to_string(),
                    })?;
                for item in parser {
                    let item = match item.map_err(io)? {
                        Item::Quad(q) => Ok(q),
                        Item::Error(e) => Err(Syntax {
                            position: Some((e.line, e.column)),
                            message: e.message,
                            raw: e.raw,
                        }),
                    };
                    if !emit(item, out)? {
                        return Err(too_many_errors(input.name));
                    }
                }
                return Ok(());
            }
            let parser = RdfParser::from_format(format)
                .with_base_iri(base.as_str())
                .map_err(|e| ConnectorError::Option {
                    key: "base_iri".into(),
                    message: e.to_string(),
                })?;
            // N-Triples and N-Quads are read through a tape, so that a rejected line can be
            // quoted; nothing is quoted of the other formats (see the module doc).
            let (reader, tape): (Box<dyn std::io::Read + '_>, _) =
                if matches!(format, RdfFormat::NTriples | RdfFormat::NQuads) {
                    let tape = Tape::shared(&mut *input.reader);
                    (Box::new(TapeReader(Rc::clone(&tape))), Some(tape))
                } else {
                    (Box::new(&mut *input.reader), None)
                };
            let mut last_line = 0;
            for result in parser.for_reader(reader) {
                let item = match result {
                    Ok(quad) => Ok(quad),
                    Err(RdfParseError::Io(source)) => return Err(io(source)),
                    Err(RdfParseError::Syntax(e)) => {
                        let position = e.location().map(|r| (r.start.line, r.start.column));
                        if let Some((line, _)) = position {
                            // A parser that cannot recover (RDF/XML, JSON-LD) fails again at or
                            // before the same place: stop there.
                            if line < last_line {
                                break;
                            }
                            last_line = line;
                        }
                        let raw = match (e.location(), &tape) {
                            (Some(range), Some(tape)) => tape
                                .borrow_mut()
                                .line_around(range.start.offset)
                                .map_err(io)?,
                            _ => None,
                        };
                        Err(Syntax {
                            position,
                            message: e.to_string(),
                            raw,
                        })
                    }
                };
                if !emit(item, out)? {
                    return Err(too_many_errors(input.name));
                }
            }
            Ok(())
        })
    }
}

/// A syntax error: where (0-based line and column), what, and the text of the statement.
struct Syntax {
    position: Option<(u64, u64)>,
    message: String,
    raw: Option<String>,
}

fn too_many_errors(name: &str) -> ConnectorError {
    ConnectorError::Format(Box::new(Diagnostic::new(
        Location::file(name),
        format!(
            "{MAX_ERRORS_IN_A_ROW} syntax errors in a row: this does not look like the format its name says; stopped reading"
        ),
    )))
}

fn rename_blank_nodes(
    quad: Quad,
    blanks: &mut HashMap<String, BlankNode>,
    cx: &Context<'_>,
) -> Quad {
    let mut rename = |b: BlankNode| -> BlankNode {
        blanks
            .entry(b.as_str().to_owned())
            .or_insert_with(|| cx.blank_node(b.as_str()))
            .clone()
    };
    let subject = match quad.subject {
        NamedOrBlankNode::BlankNode(b) => rename(b).into(),
        s => s,
    };
    let object = match quad.object {
        Term::BlankNode(b) => rename(b).into(),
        o => o,
    };
    let graph_name = match quad.graph_name {
        GraphName::BlankNode(b) => rename(b).into(),
        g => g,
    };
    Quad::new(subject, quad.predicate, object, graph_name)
}

/// The parser's message without the position it repeats (the location says it), lower-cased
/// at the start as our messages are.
fn syntax_message(message: &str) -> String {
    let message = message
        .split_once(": ")
        .filter(|(head, _)| head.starts_with("Parser error at") || head.starts_with("error at"))
        .map_or(message, |(_, rest)| rest);
    let message = crate::text::clip_message(message);
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Counts;
    use kulturnetz_model::Minter;
    use oxrdf::QuadRef;

    struct Collect(Vec<Quad>, Vec<String>, Vec<Option<String>>);

    impl RecordSink for Collect {
        fn accept(&mut self, _: &Location, quads: &[QuadRef<'_>]) -> Result<(), crate::SinkError> {
            self.0.extend(quads.iter().map(|q| q.into_owned()));
            Ok(())
        }
        fn reject(&mut self, d: Diagnostic) -> Result<(), crate::SinkError> {
            self.1.push(d.to_string());
            self.2.push(d.raw);
            Ok(())
        }
    }

    fn run(name: &str, data: &str) -> Collect {
        let minter = Minter::new("https://x.example/").unwrap();
        let cx = Context::new("s", &minter);
        let mut out = Collect(Vec::new(), Vec::new(), Vec::new());
        Rdf.convert(
            Input {
                name,
                reader: &mut data.as_bytes(),
            },
            &cx,
            &mut out,
        )
        .unwrap();
        out
    }

    #[test]
    fn free_text_before_the_prefixes_is_one_rejected_record() {
        let out = run(
            "a.ttl",
            "Stand: 22.02.2024 16:12\n@prefix ex: <http://ex.example/> .\nex:a ex:b ex:c .\n",
        );
        assert_eq!(out.0.len(), 1);
        assert!(!out.1.is_empty());
        assert!(out.1[0].starts_with("a.ttl:1:"), "{:?}", out.1);
    }

    #[test]
    fn turtle_resumes_at_the_next_statement_not_the_next_dot() {
        // Build-tool output before the prefixes (as in a real published file): the parser's own
        // recovery would skip to the next `.` and swallow the @prefix line with it.
        let out = run(
            "n4o.ttl",
            "\n> n4o-databases@0.0.1 jsonld2rdf\n> jsonld2rdf -c context.json n4o.json\n\n@prefix ex: <http://ex.example/> .\nex:a ex:b ex:c .\n",
        );
        assert_eq!(out.0.len(), 1, "{:?}", out.1);
        assert_eq!(out.1.len(), 2, "{:?}", out.1);
        assert!(
            out.1[0].starts_with("n4o.ttl:2:1: record 1: "),
            "{:?}",
            out.1
        );
        assert!(
            out.1[1].starts_with("n4o.ttl:3:1: record 2: "),
            "{:?}",
            out.1
        );
        // A broken statement is one rejected record, its indented lines included.
        let out = run(
            "b.ttl",
            "@prefix ex: <http://ex.example/> .\nex:a ex:b ex:c ;\n    ex:d \"unterminated ;\n    ex:e ex:f .\nex:g ex:h ex:i .\n",
        );
        assert_eq!(out.1.len(), 1, "{:?}", out.1);
        assert!(out.1[0].starts_with("b.ttl:3:"), "{:?}", out.1);
        let subjects: Vec<_> = out.0.iter().map(|q| q.subject.to_string()).collect();
        assert!(
            subjects.contains(&"<http://ex.example/g>".to_owned()),
            "{subjects:?}"
        );
    }

    #[test]
    fn reads_of_any_size_give_the_same_quads() {
        let data =
            "@prefix ex: <http://ex.example/> .\nbroken line\nex:a ex:b \"ä\" , [ ex:c 1 ] .\n";
        let whole = run("a.ttl", data);
        for size in [1, 7] {
            let minter = Minter::new("https://x.example/").unwrap();
            let cx = Context::new("s", &minter);
            let mut out = Collect(Vec::new(), Vec::new(), Vec::new());
            let mut reader = std::io::BufReader::with_capacity(size, data.as_bytes());
            Rdf.convert(
                Input {
                    name: "a.ttl",
                    reader: &mut reader,
                },
                &cx,
                &mut out,
            )
            .unwrap();
            assert_eq!(out.1, whole.1, "read size {size}");
            assert_eq!(out.2, whole.2, "read size {size}");
            assert_eq!(out.0.len(), whole.0.len(), "read size {size}");
        }
    }

    #[test]
    fn a_rejected_statement_carries_its_text() {
        let nt = "<http://s.example/> <http://p.example/> \"o\" .\r\n<http://s.example/> broken .\r\n<http://s.example/> <http://p.example/> <http://o.example/> .\n";
        let out = run("a.nt", nt);
        assert_eq!(out.0.len(), 2);
        assert_eq!(out.2, [Some("<http://s.example/> broken .".to_owned())]);
        let nq = "<http://s.example/> <http://p.example/> \"o\" <http://g.example/> .\n<http://s.example/> <http://p.example/> \"unterminated\n";
        // The parser also fails at the end of the input, where there is no text to show.
        assert_eq!(
            run("a.nq", nq).2,
            [
                Some("<http://s.example/> <http://p.example/> \"unterminated".to_owned()),
                None
            ]
        );
        // In Turtle, the lines passed over: the error's and those that continue its statement.
        let ttl = "@prefix ex: <http://ex.example/> .\nex:a ex:b ex:c ;\n    ex:d \"unterminated ;\n    ex:e ex:f .\n\nex:g ex:h ex:i .\n";
        assert_eq!(
            run("b.ttl", ttl).2,
            [Some(
                "    ex:d \"unterminated ;\n    ex:e ex:f .".to_owned()
            )]
        );
        // RDF/XML says where the error is, not where its element starts: no text.
        let xml = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n<rdf:Description rdf:about=\"http://s.example/\"><broken></rdf:RDF>\n";
        let out = run("a.rdf", xml);
        assert!(
            !out.2.is_empty() && out.2.iter().all(Option::is_none),
            "{:?}",
            out.2
        );
    }

    #[test]
    fn blank_nodes_are_stable_and_per_source() {
        let a = run("a.nt", "_:x <http://p.example/> _:x .\n");
        let b = run("a.nt", "_:x <http://p.example/> _:x .\n");
        assert_eq!(a.0, b.0);
        assert_eq!(
            a.0[0].subject,
            NamedOrBlankNode::from(match &a.0[0].object {
                Term::BlankNode(b) => b.clone(),
                _ => panic!(),
            })
        );
        let minter = Minter::new("https://x.example/").unwrap();
        assert_ne!(
            Context::new("one", &minter).blank_node("x"),
            Context::new("two", &minter).blank_node("x")
        );
    }

    #[test]
    fn unknown_extension_needs_a_format() {
        let minter = Minter::new("https://x.example/").unwrap();
        let cx = Context::new("s", &minter);
        let err = Rdf
            .convert(
                Input {
                    name: "a.csv",
                    reader: &mut &b""[..],
                },
                &cx,
                &mut Counts::default(),
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.csv: cannot tell the RDF format from the extension \"csv\" (hint: set `format` in the source, e.g. format = \"turtle\")"
        );
    }
}
