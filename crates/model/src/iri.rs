//! Minting of IRIs (DESIGN §5): `{base}id/{kind}/{key}` and `{base}graph/{source}`.

use oxiri::Iri;
use oxrdf::NamedNode;
use std::fmt;

/// The kinds of things that get an IRI of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A place where culture happens (museum, theatre, library building).
    Venue,
    /// An institution or other organisation.
    Organization,
    /// One event or one occurrence of a recurring event.
    Event,
    /// An object of a collection.
    Object,
    /// A person.
    Person,
    /// Any other place.
    Place,
}

impl Kind {
    /// The path segment of this kind.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Venue => "venue",
            Self::Organization => "organization",
            Self::Event => "event",
            Self::Object => "object",
            Self::Person => "person",
            Self::Place => "place",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Mints every IRI of a site from its base IRI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minter {
    base: String,
}

impl Minter {
    /// A minter for `base`, which must be an absolute IRI; a missing trailing `/` is added.
    pub fn new(base: &str) -> Result<Self, oxiri::IriParseError> {
        let mut base = Iri::parse(base.to_owned())?.into_inner();
        if !base.ends_with('/') && !base.ends_with('#') {
            base.push('/');
        }
        Ok(Self { base })
    }

    /// The base IRI, ending in `/` or `#`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The named graph of the source `source_id`.
    pub fn graph(&self, source_id: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("{}graph/{}", self.base, encode_segment(source_id)))
    }

    /// The named graph that holds pipeline metadata (fingerprints, provenance).
    pub fn meta_graph(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}graph/meta", self.base))
    }

    /// The named graph of the links between sources (`owl:sameAs`, event → venue, …) and their
    /// evidence, derived from the published graphs after each ingest.
    pub fn links_graph(&self) -> NamedNode {
        NamedNode::new_unchecked(format!("{}graph/links", self.base))
    }

    /// The IRI of the evidence of one link, `{base}id/link/{hash}`: the same link (subject,
    /// predicate, object) gets the same IRI in every run. A pair of values compared as evidence
    /// is named the same way, by its field and its two values.
    pub fn link(&self, subject: &str, predicate: &str, object: &str) -> NamedNode {
        // FNV-1a, twice with different offsets: 128 stable bits, no dependency.
        let fnv = |offset: u64| {
            let mut h = offset;
            for part in [subject, predicate, object] {
                for b in part.bytes().chain([0]) {
                    h ^= u64::from(b);
                    h = h.wrapping_mul(0x0000_0100_0000_01b3);
                }
            }
            h
        };
        NamedNode::new_unchecked(format!(
            "{}id/link/{:016x}{:016x}",
            self.base,
            fnv(0xcbf2_9ce4_8422_2325),
            fnv(0x6c62_272e_07bb_0142)
        ))
    }

    /// The IRI of a thing of `kind` identified by `key` (an identifier, or name and locality).
    ///
    /// The key is slugged, so the same identifier always gives the same IRI.
    pub fn mint(&self, kind: Kind, key: &str) -> NamedNode {
        let kind = kind.as_str();
        let mut iri = String::with_capacity(self.base.len() + kind.len() + key.len() + 8);
        iri.push_str(&self.base);
        iri.push_str("id/");
        iri.push_str(kind);
        iri.push('/');
        push_slug(&mut iri, key);
        NamedNode::new_unchecked(iri)
    }
}

/// Percent-encodes what may not stand in an IRI path segment.
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for c in segment.chars() {
        if c.is_ascii_alphanumeric() || "-._~".contains(c) || !c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// A stable, readable key: lower case, German umlauts and ß transliterated, every other run of
/// non-alphanumeric characters a single `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_slug(&mut out, text);
    out
}

/// Appends the [`slug`] of `text` to `out`.
fn push_slug(out: &mut String, text: &str) {
    let start = out.len();
    let mut dash = false;
    let mut word = |out: &mut String, piece: Option<&str>, c: char| {
        if let Some(piece) = piece {
            out.push_str(piece);
            dash = false;
        } else if c.is_alphanumeric() {
            out.push(c);
            dash = false;
        } else if !dash && out.len() > start {
            out.push('-');
            dash = true;
        }
    };
    for c in text.chars() {
        if c.is_ascii() {
            word(out, None, c.to_ascii_lowercase());
            continue;
        }
        for c in c.to_lowercase() {
            let piece = match c {
                'ä' => Some("ae"),
                'ö' => Some("oe"),
                'ü' => Some("ue"),
                'ß' => Some("ss"),
                _ => None,
            };
            word(out, piece, c);
        }
    }
    while out.len() > start && out.ends_with('-') {
        out.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_is_readable_and_stable() {
        assert_eq!(
            slug("Städtisches Museum Zeulenroda"),
            "staedtisches-museum-zeulenroda"
        );
        assert_eq!(slug("  DE-MUS-815718  "), "de-mus-815718");
        assert_eq!(slug("Straße / Weg"), "strasse-weg");
        assert_eq!(slug("---"), "");
    }

    /// Slugs are part of published IRIs: the fast path for ASCII gives what the plain
    /// definition (lower case, transliterate, dash the rest) gives.
    #[test]
    fn slug_is_its_definition() {
        fn definition(text: &str) -> String {
            let mut out = String::new();
            let mut dash = false;
            for c in text.chars().flat_map(char::to_lowercase) {
                let piece = match c {
                    'ä' => "ae",
                    'ö' => "oe",
                    'ü' => "ue",
                    'ß' => "ss",
                    _ => "",
                };
                if !piece.is_empty() {
                    out.push_str(piece);
                    dash = false;
                } else if c.is_alphanumeric() {
                    out.push(c);
                    dash = false;
                } else if !dash && !out.is_empty() {
                    out.push('-');
                    dash = true;
                }
            }
            out.trim_end_matches('-').to_owned()
        }
        for text in [
            "",
            " ",
            "-a-",
            "ÄÖÜ äöü ẞß",
            "İstanbul Σίσυφος ǅemal",
            "event-17@kulturkalender.example 20250101T100000Z",
            "Musée d'Orsay / Paris — 1986",
            "日本 の 美術館",
            "a\u{300}b\tc\u{0}d",
        ] {
            assert_eq!(slug(text), definition(text), "{text:?}");
            let minter = Minter::new("https://x.example/").unwrap();
            assert_eq!(
                minter.mint(Kind::Event, text).as_str(),
                format!("https://x.example/id/event/{}", definition(text))
            );
        }
    }

    #[test]
    fn graph_iris_are_valid() {
        let m = Minter::new("https://x.example").unwrap();
        assert_eq!(m.base(), "https://x.example/");
        assert_eq!(m.graph("a b").as_str(), "https://x.example/graph/a%20b");
        assert!(NamedNode::new(m.graph("ä/ö?#").as_str()).is_ok());
        assert_eq!(m.meta_graph().as_str(), "https://x.example/graph/meta");
        assert_eq!(m.links_graph().as_str(), "https://x.example/graph/links");
    }

    #[test]
    fn link_iris_are_stable_and_distinct() {
        let m = Minter::new("https://x.example/").unwrap();
        let a = m.link(
            "https://x.example/a",
            "http://www.w3.org/2002/07/owl#sameAs",
            "https://x.example/b",
        );
        assert_eq!(
            a,
            m.link(
                "https://x.example/a",
                "http://www.w3.org/2002/07/owl#sameAs",
                "https://x.example/b"
            )
        );
        assert_ne!(
            a,
            m.link(
                "https://x.example/b",
                "http://www.w3.org/2002/07/owl#sameAs",
                "https://x.example/a"
            )
        );
        assert!(a.as_str().starts_with("https://x.example/id/link/"));
        assert!(NamedNode::new(a.as_str()).is_ok());
    }
}
