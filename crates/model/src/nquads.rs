//! N-Quads and N-Triples lines, byte for byte as `oxrdfio` writes them, without going through
//! `fmt`.
//!
//! `oxrdf`'s `Display` writes a literal one `char` at a time through a formatter; for outputs of
//! millions of quads that is the largest cost of a conversion. These functions copy runs of
//! bytes that need no escape and escape the rest exactly as `oxrdf::literal::print_quoted_str`
//! does, so their output is interchangeable with `oxrdfio`'s (a test below holds them to it).
//!
//! ```
//! use kulturnetz_model::nquads::NQuadsWriter;
//! use oxrdf::{GraphNameRef, LiteralRef, NamedNodeRef, QuadRef};
//!
//! let s = NamedNodeRef::new_unchecked("https://example.org/s");
//! let p = NamedNodeRef::new_unchecked("http://schema.org/name");
//! let mut w = NQuadsWriter::new(Vec::new());
//! w.write_quad(QuadRef::new(s, p, LiteralRef::new_simple_literal("a \"b\"\n"), GraphNameRef::DefaultGraph))
//!     .unwrap();
//! assert_eq!(
//!     String::from_utf8(w.finish().unwrap()).unwrap(),
//!     "<https://example.org/s> <http://schema.org/name> \"a \\\"b\\\"\\n\" .\n"
//! );
//! ```

use oxrdf::vocab::xsd;
use oxrdf::{GraphNameRef, LiteralRef, NamedOrBlankNodeRef, QuadRef, TermRef, TripleRef};
use std::io::{self, Write};

/// Appends one N-Quads line (with its newline) to `out`.
pub fn push_quad(out: &mut Vec<u8>, quad: QuadRef<'_>) {
    push_subject(out, quad.subject);
    push_iri(out, quad.predicate.as_str());
    out.push(b' ');
    push_term(out, quad.object);
    match quad.graph_name {
        GraphNameRef::NamedNode(n) => {
            out.push(b' ');
            push_iri(out, n.as_str());
        }
        GraphNameRef::BlankNode(b) => {
            out.extend_from_slice(b" _:");
            out.extend_from_slice(b.as_str().as_bytes());
        }
        GraphNameRef::DefaultGraph => {}
    }
    out.extend_from_slice(b" .\n");
}

/// Appends one N-Triples line (with its newline) to `out`.
pub fn push_triple(out: &mut Vec<u8>, triple: TripleRef<'_>) {
    push_subject(out, triple.subject);
    push_iri(out, triple.predicate.as_str());
    out.push(b' ');
    push_term(out, triple.object);
    out.extend_from_slice(b" .\n");
}

fn push_subject(out: &mut Vec<u8>, subject: NamedOrBlankNodeRef<'_>) {
    match subject {
        NamedOrBlankNodeRef::NamedNode(n) => push_iri(out, n.as_str()),
        NamedOrBlankNodeRef::BlankNode(b) => {
            out.extend_from_slice(b"_:");
            out.extend_from_slice(b.as_str().as_bytes());
        }
    }
    out.push(b' ');
}

fn push_iri(out: &mut Vec<u8>, iri: &str) {
    out.push(b'<');
    out.extend_from_slice(iri.as_bytes());
    out.push(b'>');
}

fn push_term(out: &mut Vec<u8>, term: TermRef<'_>) {
    match term {
        TermRef::NamedNode(n) => push_iri(out, n.as_str()),
        TermRef::BlankNode(b) => {
            out.extend_from_slice(b"_:");
            out.extend_from_slice(b.as_str().as_bytes());
        }
        TermRef::Literal(l) => push_literal(out, l),
    }
}

fn push_literal(out: &mut Vec<u8>, literal: LiteralRef<'_>) {
    push_quoted(out, literal.value());
    if let Some(language) = literal.language() {
        out.push(b'@');
        out.extend_from_slice(language.as_bytes());
    } else if literal.datatype() != xsd::STRING {
        out.extend_from_slice(b"^^");
        push_iri(out, literal.datatype().as_str());
    }
}

/// Bytes that `print_quoted_str` escapes, and 0xEF, the first byte of U+FFFE and U+FFFF.
static SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[0x7F] = true;
    table[0xEF] = true;
    table
};

/// `"value"` with the escapes of `oxrdf::literal::print_quoted_str`.
fn push_quoted(out: &mut Vec<u8>, value: &str) {
    out.push(b'"');
    let bytes = value.as_bytes();
    let mut at = 0;
    while let Some(found) = bytes[at..].iter().position(|&b| SPECIAL[usize::from(b)]) {
        let i = at + found;
        out.extend_from_slice(&bytes[at..i]);
        at = i + 1;
        let escape: &[u8] = match bytes[i] {
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0C => b"\\f",
            b'\r' => b"\\r",
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            // U+FFFE and U+FFFF are EF BF BE and EF BF BF in UTF-8; other characters that
            // start with EF are copied.
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => {
                at = i + 3;
                if bytes[i + 2] == 0xBE {
                    b"\\uFFFE"
                } else {
                    b"\\uFFFF"
                }
            }
            0xEF => b"\xEF",
            c => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
                continue;
            }
        };
        out.extend_from_slice(escape);
    }
    out.extend_from_slice(&bytes[at..]);
    out.push(b'"');
}

/// Writes N-Quads or N-Triples lines to a [`Write`], in blocks of about 64 KiB.
#[derive(Debug)]
pub struct NQuadsWriter<W: Write> {
    inner: W,
    buffer: Vec<u8>,
}

/// How much is gathered before it is handed to the inner writer.
const BLOCK: usize = 64 * 1024;

impl<W: Write> NQuadsWriter<W> {
    /// A writer that writes to `inner` (which need not be buffered).
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            buffer: Vec::with_capacity(BLOCK + 1024),
        }
    }

    /// Writes one N-Quads line.
    pub fn write_quad(&mut self, quad: QuadRef<'_>) -> io::Result<()> {
        push_quad(&mut self.buffer, quad);
        self.spill()
    }

    /// Writes one N-Triples line (the graph of a quad is left out by the caller).
    pub fn write_triple(&mut self, triple: TripleRef<'_>) -> io::Result<()> {
        push_triple(&mut self.buffer, triple);
        self.spill()
    }

    fn spill(&mut self) -> io::Result<()> {
        if self.buffer.len() >= BLOCK {
            self.inner.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Writes what is left, flushes and gives the inner writer back.
    pub fn finish(mut self) -> io::Result<W> {
        self.inner.write_all(&self.buffer)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::vocab::xsd;
    use oxrdf::{BlankNode, GraphName, Literal, NamedNode, Quad, Term};
    use oxrdfio::{RdfFormat, RdfSerializer};

    /// Every escape `oxrdf` knows, and multi-byte text around them.
    const AWKWARD: &str = "Sammlung \"Alte Meister\",\nDresden\t\\ Ü\r\u{8}\u{c}\0\u{1}\u{1f}\u{7f}\
         \u{fffe}\u{ffff}\u{fffd}\u{efff}ï€😀 Ende";

    fn quads() -> Vec<Quad> {
        let s = NamedNode::new_unchecked("https://example.org/s/M%C3%BCller");
        let p = NamedNode::new_unchecked("http://schema.org/name");
        let g = NamedNode::new_unchecked("https://example.org/g");
        let objects: Vec<Term> = vec![
            Literal::new_simple_literal(AWKWARD).into(),
            Literal::new_simple_literal("").into(),
            Literal::new_simple_literal("\u{ffff}").into(),
            Literal::new_language_tagged_literal_unchecked("Köln", "de-DE").into(),
            Literal::new_typed_literal("1.5", xsd::DECIMAL).into(),
            Literal::new_typed_literal(AWKWARD, xsd::STRING).into(),
            BlankNode::new_unchecked("b0").into(),
            s.clone().into(),
        ];
        let mut quads = Vec::new();
        for o in objects {
            for graph in [
                GraphName::DefaultGraph,
                g.clone().into(),
                BlankNode::new_unchecked("g1").into(),
            ] {
                quads.push(Quad::new(s.clone(), p.clone(), o.clone(), graph.clone()));
                quads.push(Quad::new(
                    BlankNode::new_unchecked("x"),
                    p.clone(),
                    o.clone(),
                    graph,
                ));
            }
        }
        quads
    }

    #[test]
    fn quads_are_written_as_oxrdfio_writes_them() {
        let quads = quads();
        let mut ours = NQuadsWriter::new(Vec::new());
        let mut theirs = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(Vec::new());
        for q in &quads {
            ours.write_quad(q.as_ref()).unwrap();
            theirs.serialize_quad(q).unwrap();
        }
        assert_eq!(
            String::from_utf8(ours.finish().unwrap()).unwrap(),
            String::from_utf8(theirs.finish().unwrap()).unwrap()
        );
    }

    #[test]
    fn triples_are_written_as_oxrdfio_writes_them() {
        let quads = quads();
        let mut ours = NQuadsWriter::new(Vec::new());
        let mut theirs = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(Vec::new());
        for q in &quads {
            ours.write_triple(q.as_ref().into()).unwrap();
            theirs.serialize_triple(q.as_ref()).unwrap();
        }
        assert_eq!(
            String::from_utf8(ours.finish().unwrap()).unwrap(),
            String::from_utf8(theirs.finish().unwrap()).unwrap()
        );
    }

    #[test]
    fn large_outputs_arrive_whole() {
        let quads = quads();
        let mut ours = NQuadsWriter::new(Vec::new());
        let mut expected = Vec::new();
        for _ in 0..2000 {
            for q in &quads {
                ours.write_quad(q.as_ref()).unwrap();
                push_quad(&mut expected, q.as_ref());
            }
        }
        assert!(expected.len() > 3 * BLOCK);
        assert_eq!(ours.finish().unwrap(), expected);
    }
}
