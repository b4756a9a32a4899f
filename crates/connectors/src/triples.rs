//! Building the quads of one record from the vocabularies of DESIGN §5
//! (<https://schema.org/docs/datamodel.html>): schema.org, GeoSPARQL, OWL and the Kulturnetz
//! ontology.

use oxrdf::{GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use std::collections::HashSet;
use std::io::{self, BufRead, Read};

/// schema.org, in the `http` form its official JSON-LD context expands to.
pub(crate) const SCHEMA: &str = "http://schema.org/";
/// The Kulturnetz application ontology.
pub(crate) const KN: &str = kulturnetz_model::vocab::KULTURNETZ;
/// GeoSPARQL.
pub(crate) const GEO: &str = "http://www.opengis.net/ont/geosparql#";
/// `rdf:type`.
pub(crate) const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
/// `owl:sameAs`.
pub(crate) const OWL_SAME_AS: &str = "http://www.w3.org/2002/07/owl#sameAs";
/// XML Schema datatypes.
pub(crate) const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// The schema.org term `local`.
pub(crate) fn schema(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SCHEMA}{local}"))
}

/// The Kulturnetz term `local`.
pub(crate) fn kn(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{KN}{local}"))
}

/// The GeoSPARQL term `local`.
pub(crate) fn geo(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{GEO}{local}"))
}

/// The XML Schema datatype `local`.
pub(crate) fn xsd(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{XSD}{local}"))
}

/// An IRI from input text, if it is an absolute `http`, `https` or `urn` IRI once trimmed.
pub(crate) fn web_iri(text: &str) -> Option<NamedNode> {
    let text = text.trim();
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("urn:"))
    {
        return None;
    }
    NamedNode::new(text).ok()
}

/// Whitespace runs (new lines included) collapsed to one space, trimmed; `None` if empty.
pub(crate) fn clean(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    (!out.is_empty()).then_some(out)
}

/// A literal in `lang` if that is a valid language tag, else a plain string.
pub(crate) fn lang_literal(value: &str, lang: Option<&str>) -> Literal {
    match lang.map(str::trim).filter(|l| !l.is_empty()) {
        Some(lang) => Literal::new_language_tagged_literal(value, lang)
            .unwrap_or_else(|_| Literal::new_simple_literal(value)),
        None => Literal::new_simple_literal(value),
    }
}

/// The quads of one record, in the order they were added, without repeats.
#[derive(Default)]
pub(crate) struct Triples {
    quads: Vec<Quad>,
    seen: HashSet<Quad>,
}

impl Triples {
    /// Adds `subject predicate object`.
    pub(crate) fn add(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: &NamedNode,
        object: impl Into<Term>,
    ) {
        let quad = Quad::new(subject, predicate.clone(), object, GraphName::DefaultGraph);
        if self.seen.insert(quad.clone()) {
            self.quads.push(quad);
        }
    }

    /// Adds `subject rdf:type schema:{class}`.
    pub(crate) fn a(&mut self, subject: impl Into<NamedOrBlankNode>, class: NamedNode) {
        self.add(subject, &NamedNode::new_unchecked(RDF_TYPE), class);
    }

    /// Adds a text value (cleaned of extra whitespace), tagged with `lang` if valid; nothing if
    /// the text is empty.
    pub(crate) fn text(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: &NamedNode,
        value: &str,
        lang: Option<&str>,
    ) {
        if let Some(value) = clean(value) {
            self.add(subject, predicate, lang_literal(&value, lang));
        }
    }

    /// Adds an IRI value given as text; nothing if it is not a web IRI.
    pub(crate) fn link(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: &NamedNode,
        iri: &str,
    ) -> bool {
        match web_iri(iri) {
            Some(iri) => {
                self.add(subject, predicate, iri);
                true
            }
            None => false,
        }
    }

    /// Adds a typed literal.
    pub(crate) fn typed(
        &mut self,
        subject: impl Into<NamedOrBlankNode>,
        predicate: &NamedNode,
        value: &str,
        datatype: NamedNode,
    ) {
        self.add(
            subject,
            predicate,
            Literal::new_typed_literal(value, datatype),
        );
    }

    /// Whether nothing was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.quads.is_empty()
    }

    /// Adds the quads of `other`.
    pub(crate) fn append(&mut self, other: Triples) {
        for quad in other.quads {
            if self.seen.insert(quad.clone()) {
                self.quads.push(quad);
            }
        }
    }

    /// The quads.
    pub(crate) fn into_quads(self) -> Vec<Quad> {
        self.quads
    }
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

/// Panics unless `kn:{term}` is defined in the Kulturnetz ontology with labels in German and
/// English.
#[cfg(test)]
pub(crate) fn assert_defined(term: &str) {
    let ontology = include_str!("../../../ontologies/kulturnetz.ttl");
    let at = ontology
        .find(&format!("\nkn:{term}\n"))
        .unwrap_or_else(|| panic!("kn:{term} is not defined in ontologies/kulturnetz.ttl"));
    let definition = &ontology[at..];
    let end = definition.find(" .\n").unwrap_or(definition.len());
    let definition = &definition[..end];
    assert!(
        definition.contains("@de") && definition.contains("@en"),
        "kn:{term} has no German or no English label"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_collapses_whitespace() {
        assert_eq!(clean("  a\n\t b  ").as_deref(), Some("a b"));
        assert_eq!(clean(" \n "), None);
    }

    #[test]
    fn web_iris_only() {
        assert!(web_iri(" https://d-nb.info/gnd/4168515-5 ").is_some());
        assert!(web_iri("I11.jpg").is_none());
        assert!(web_iri("http://a b").is_none());
        assert!(web_iri("").is_none());
    }

    #[test]
    fn bad_language_tags_give_plain_strings() {
        assert_eq!(lang_literal("x", Some("de")).language(), Some("de"));
        assert_eq!(lang_literal("x", Some("not a tag")).language(), None);
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
