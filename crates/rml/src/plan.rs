//! The mapping as the engine runs it (<https://w3id.org/rml/core/spec>): triples maps with
//! their logical sources and term maps, logical targets. `read` builds a plan from the RML graph
//! of a mapping, after `legacy` has rewritten the older vocabularies to RML terms.

mod legacy;
mod read;

pub(crate) use read::{is_absolute_iri, read};

use crate::template::Part;
use oxrdf::{NamedNode, Term};
use std::path::PathBuf;

/// How values are found in records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Formulation {
    Csv,
    JsonPath,
    XPath,
}

/// Where the bytes of a source are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogicalSource {
    pub path: PathBuf,
    /// The other place a relative path was looked for (the working directory, when the path
    /// is taken from the mapping's folder), for the message when neither exists.
    pub also_tried: Option<PathBuf>,
    /// The path as written in the mapping, for messages.
    pub display: String,
    pub formulation: Formulation,
    pub iterator: Option<String>,
    /// Values that stand for no value (`rml:null`, `csvw:null`): a reference to one gives
    /// nothing. CSV sources that name none treat the empty string as null.
    pub nulls: Vec<String>,
    pub encoding: Option<String>,
    pub compression: Option<String>,
    pub delimiter: u8,
    pub ragged: bool,
    pub namespaces: Vec<(String, String)>,
    /// Whether an XML source may stream (see `source::xml`); off only to compare in tests.
    pub stream: bool,
}

/// An expression that gives zero or more values for a record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Constant(Term),
    Reference(String),
    Template(Vec<Part>),
    Function(Box<Call>),
    /// No expression: a new blank node per record (subject maps only).
    Fresh,
}

/// A function execution (RML-FNML): the function and its inputs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call {
    pub function: NamedNode,
    pub inputs: Vec<(NamedNode, TermMap)>,
}

/// What kind of term a term map makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TermType {
    Iri,
    /// An IRI whose non-ASCII characters are percent-encoded too (`rml:URI`).
    Uri,
    UnsafeIri,
    BlankNode,
    Literal,
}

/// A term map: an expression, the kind of term, and for literals their language or datatype.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TermMap {
    pub expr: Expr,
    pub term_type: TermType,
    pub language: Option<Box<TermMap>>,
    pub datatype: Option<Box<TermMap>>,
    pub targets: Vec<usize>,
    /// A template whose IRIs are valid whatever the values (`template::makes_valid_iris`), so
    /// that they need no check.
    pub valid_iris: bool,
}

/// An object map: a term map, or a reference to another triples map's subjects.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ObjectMap {
    Term(TermMap),
    Parent {
        parent: usize,
        joins: Vec<(TermMap, TermMap)>,
        targets: Vec<usize>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PredicateObjectMap {
    pub predicates: Vec<TermMap>,
    pub objects: Vec<ObjectMap>,
    pub graphs: Vec<TermMap>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TriplesMap {
    pub name: String,
    pub line: Option<u64>,
    pub source: usize,
    pub subject: TermMap,
    pub classes: Vec<NamedNode>,
    pub graphs: Vec<TermMap>,
    pub poms: Vec<PredicateObjectMap>,
    pub base: String,
}

/// Where the triples of a logical target go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub path: PathBuf,
    pub format: Option<String>,
    pub compression: Option<String>,
    pub encoding: Option<String>,
}

/// Everything the engine needs.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub maps: Vec<TriplesMap>,
    pub sources: Vec<LogicalSource>,
    pub targets: Vec<Target>,
    /// What the reader chose that the user should know (a source found in the working
    /// directory rather than the mapping's folder).
    pub notes: Vec<String>,
}

impl TermMap {
    pub(crate) fn plain(expr: Expr, term_type: TermType) -> Self {
        Self {
            expr,
            term_type,
            language: None,
            datatype: None,
            targets: Vec::new(),
            valid_iris: false,
        }
    }
}

/// A well-formed BCP 47 tag, as far as its shape goes.
pub(crate) fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let Some(first) = parts.next() else {
        return false;
    };
    (2..=8).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}
