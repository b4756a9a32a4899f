//! Connectors turn what institutions publish into RDF, record by record.
//!
//! A [`Connector`] reads one byte stream (an [`Input`]) and pushes each record to a
//! [`RecordSink`]: either accepted, as quads, or rejected, as a [`Diagnostic`] that names the
//! file, line, record and field and holds the record as the input has it (`raw`, where the
//! connector can know it). A bad record never ends the input. Connectors read only the
//! reader they are handed (no paths, network, clock or globals; [`Rml`] alone reads the files
//! its mapping names, and lists them in [`Connector::dependencies`]), so the same bytes always
//! give the same quads in the same order. This crate knows nothing of stores, servers or the
//! pipeline.
//!
//! [`CONNECTORS`] is the registry, and the only list of kinds: the pipeline and the command line
//! look connectors up in it ([`connector`]) and list them from it ([`Connector::kind`],
//! [`Connector::description`]), and the golden tests and the fuzz target run every connector in
//! it. Today: [`Rdf`] (RDF files as they are), [`Ical`] (iCalendar events), [`Lido`] (museum
//! objects), [`GeoJson`] (OSM places), [`A11yJson`] (accessibility of places), [`JsonLd`]
//! (schema.org events, places and organisations) and [`Rml`] (sources described by an RML or
//! YARRRML mapping). A connector's quads are built in a `Record`, which keeps each term once
//! and hands each quad over once.
//!
//! ```
//! use kulturnetz_connectors::{Context, Counts, Input, connector};
//! use kulturnetz_model::Minter;
//!
//! let minter = Minter::new("https://daten.kultur.example/")?;
//! let cx = Context::new("demo", &minter);
//! let mut bytes = &b"<http://s.example/> <http://p.example/> \"o\" .\nnot n-triples\n"[..];
//! let mut counts = Counts::default();
//! connector("rdf")
//!     .unwrap()
//!     .convert(Input { name: "demo.nt", reader: &mut bytes }, &cx, &mut counts)?;
//! assert_eq!((counts.accepted, counts.rejected), (1, 1));
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod a11y;
mod a11yjson;
mod geojson;
mod geometry;
mod ical;
mod input;
mod json;
mod jsonld;
mod lido;
mod osm;
mod rdf;
mod record;
mod reject;
mod resync;
mod rml;
mod sink;
mod tape;
mod text;

pub use a11yjson::A11yJson;
pub use geojson::GeoJson;
pub use ical::Ical;
pub use jsonld::JsonLd;
pub use lido::Lido;
pub use rdf::Rdf;
pub use rml::Rml;
pub use sink::{Counts, RecordSink, SinkError};

use kulturnetz_model::{Diagnostic, Minter, OptionSpec};
use oxrdf::BlankNode;
use sha2::{Digest, Sha256};
use std::io::BufRead;

/// Turns one kind of input into RDF.
pub trait Connector: Send + Sync {
    /// The `kind` of a source in `kulturnetz.toml`.
    fn kind(&self) -> &'static str;

    /// What the connector reads, in one line (for lists of kinds, such as the command line's
    /// help): the format, and what becomes of it.
    fn description(&self) -> &'static str;

    /// Bumped whenever the output for the same input may change: part of a source's fingerprint.
    fn version(&self) -> u32;

    /// Media types this connector reads.
    fn media_types(&self) -> &'static [&'static str] {
        &[]
    }

    /// The options this connector reads from its source's table (besides the keys every source
    /// has): the configuration refuses any other key, and one marked required must be set.
    fn options(&self) -> &'static [OptionSpec] {
        &[]
    }

    /// Files besides the input that decide the output (a mapping and the files it reads): part
    /// of the source's fingerprint. Most connectors read only their input.
    fn dependencies(&self, cx: &Context<'_>) -> Result<Vec<std::path::PathBuf>, ConnectorError> {
        let _ = cx;
        Ok(Vec::new())
    }

    /// Converts the input, with exactly one `accept` or `reject` per record.
    ///
    /// `Err` only for I/O errors, bad options, or input that is not this format at all.
    fn convert(
        &self,
        input: Input<'_>,
        cx: &Context<'_>,
        out: &mut dyn RecordSink,
    ) -> Result<(), ConnectorError>;
}

/// The input of a connector.
pub struct Input<'a> {
    /// The input's name as the user knows it (used in diagnostics).
    pub name: &'a str,
    /// The bytes.
    pub reader: &'a mut (dyn BufRead + Send),
}

/// What a connector may know besides its input.
pub struct Context<'a> {
    /// The source's identifier.
    pub source_id: &'a str,
    /// Mints the IRIs of things.
    pub minter: &'a Minter,
    /// The connector's options (`[[source]]` keys it owns).
    pub options: toml::Table,
}

impl<'a> Context<'a> {
    /// A context without options.
    pub fn new(source_id: &'a str, minter: &'a Minter) -> Self {
        Self {
            source_id,
            minter,
            options: toml::Table::new(),
        }
    }

    /// The same context with options.
    #[must_use]
    pub fn with_options(mut self, options: toml::Table) -> Self {
        self.options = options;
        self
    }

    /// A blank node for the input's label `label` that is the same for the same source and label,
    /// and distinct from the blank nodes of every other source.
    pub fn blank_node(&self, label: &str) -> BlankNode {
        self.blank_node_of(&[label])
    }

    /// [`Context::blank_node`] for the label `{of}#{part}`: the node of a part of the thing `of`
    /// names (its address, its geometry, …), without building the label.
    pub(crate) fn part_node(&self, of: &str, part: &str) -> BlankNode {
        self.blank_node_of(&[of, "#", part])
    }

    /// The blank node of the label that is `parts` one after the other.
    fn blank_node_of(&self, parts: &[&str]) -> BlankNode {
        let mut hasher = Sha256::new();
        hasher.update(self.source_id.as_bytes());
        hasher.update([0]);
        for part in parts {
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finalize();
        let mut id = [0; 16];
        id.copy_from_slice(&digest[..16]);
        BlankNode::new_from_unique_id(u128::from_be_bytes(id))
    }

    /// The IRI of a thing of `kind` keyed by `key`, or `None` if the key has nothing to make a
    /// slug of (it is empty, blank or all punctuation): an IRI ending in `/id/{kind}/` would
    /// name every such thing at once, so the caller rejects the record or leaves the term out.
    pub(crate) fn mint(&self, kind: kulturnetz_model::Kind, key: &str) -> Option<oxrdf::NamedNode> {
        (!kulturnetz_model::slug(key).is_empty()).then(|| self.minter.mint(kind, key))
    }

    /// The string option `key`, if set.
    pub fn option_str(&self, key: &str) -> Result<Option<&str>, ConnectorError> {
        match self.options.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(ConnectorError::Option {
                key: key.to_owned(),
                message: format!("expected a string, found {other}"),
            }),
        }
    }
}

/// An error that ends a conversion (as opposed to a rejected record).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectorError {
    /// Reading the input failed.
    #[error("{name}: {source}")]
    Io {
        /// The input.
        name: String,
        /// Why.
        source: std::io::Error,
    },
    /// An option is missing or wrong.
    #[error("option {key:?}: {message}")]
    Option {
        /// The option.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// The input is not of this connector's format at all.
    #[error("{0}")]
    Format(Box<Diagnostic>),
    /// The sink refused to go on.
    #[error(transparent)]
    Sink(#[from] SinkError),
}

/// Every connector, by kind.
pub static CONNECTORS: &[&dyn Connector] = &[
    &A11yJson,
    &GeoJson,
    &Ical,
    &JsonLd,
    &Lido,
    &Rdf,
    &Rml::RML,
    &Rml::YARRRML,
];

/// Every kind with the options it reads, as [`kulturnetz_model::Config::check_sources`] takes
/// them.
pub fn kinds() -> Vec<(&'static str, &'static [OptionSpec])> {
    CONNECTORS.iter().map(|c| (c.kind(), c.options())).collect()
}

/// The connector of `kind`.
pub fn connector(kind: &str) -> Option<&'static dyn Connector> {
    CONNECTORS.iter().copied().find(|c| c.kind() == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The registry is what the configuration, the command line and the tests go by: each kind
    /// once, each with a description of one line.
    #[test]
    fn the_registry_has_each_kind_once_and_described() {
        for (i, c) in CONNECTORS.iter().enumerate() {
            assert!(
                CONNECTORS[..i]
                    .iter()
                    .all(|earlier| earlier.kind() != c.kind()),
                "{:?} is registered twice",
                c.kind()
            );
            assert!(
                !c.description().is_empty() && !c.description().contains('\n'),
                "{:?} needs a description of one line",
                c.kind()
            );
            assert!(connector(c.kind()).is_some_and(|found| found.kind() == c.kind()));
        }
    }
}
