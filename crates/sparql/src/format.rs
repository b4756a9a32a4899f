//! The formats a query's results are written in: SPARQL result formats
//! (<https://www.w3.org/TR/sparql11-results-json/> and its siblings) for `SELECT` and `ASK`, RDF
//! formats for `CONSTRUCT` and `DESCRIBE`, each with its media type and short names.

use oxrdfio::RdfFormat;
use sparesults::QueryResultsFormat;
use spargebra::Query;

/// The RDF formats results and graphs are written in, by preference when the client does not
/// care.
pub const RDF_FORMATS: &[RdfFormat] = &[
    RdfFormat::Turtle,
    RdfFormat::NTriples,
    RdfFormat::NQuads,
    RdfFormat::TriG,
    RdfFormat::RdfXml,
    RdfFormat::JsonLd {
        profile: oxrdfio::JsonLdProfileSet::empty(),
    },
];

/// The result formats, by preference when the client does not care.
pub const RESULT_FORMATS: &[QueryResultsFormat] = &[
    QueryResultsFormat::Json,
    QueryResultsFormat::Xml,
    QueryResultsFormat::Csv,
    QueryResultsFormat::Tsv,
];

/// A format with its media type and the other names it goes by.
pub trait Named: Copy {
    /// The media type written in `Content-Type`.
    fn media_type(self) -> &'static str;
    /// Other media types that mean the same.
    fn aliases(self) -> &'static [&'static str];
    /// Short names, as in `?format=csv` or `--format ttl`.
    fn short_names(self) -> &'static [&'static str];
}

impl Named for RdfFormat {
    fn media_type(self) -> &'static str {
        RdfFormat::media_type(self)
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::Turtle => &["application/x-turtle"],
            Self::NTriples => &["text/plain"],
            Self::NQuads => &["text/x-nquads"],
            Self::RdfXml => &["application/xml", "text/xml"],
            Self::JsonLd { .. } => &["application/json"],
            _ => &[],
        }
    }
    fn short_names(self) -> &'static [&'static str] {
        match self {
            Self::Turtle => &["ttl", "turtle"],
            Self::NTriples => &["nt", "ntriples", "n-triples"],
            Self::NQuads => &["nq", "nquads", "n-quads"],
            Self::TriG => &["trig"],
            Self::RdfXml => &["rdf", "rdfxml", "xml"],
            Self::JsonLd { .. } => &["jsonld", "json-ld", "json"],
            _ => &[],
        }
    }
}

impl Named for QueryResultsFormat {
    fn media_type(self) -> &'static str {
        QueryResultsFormat::media_type(self)
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::Json => &["application/json"],
            Self::Xml => &["application/xml", "text/xml"],
            _ => &[],
        }
    }
    fn short_names(self) -> &'static [&'static str] {
        match self {
            Self::Json => &["json", "srj"],
            Self::Xml => &["xml", "srx"],
            Self::Csv => &["csv"],
            Self::Tsv => &["tsv"],
            _ => &[],
        }
    }
}

/// The format of `formats` that `name` (a short name or a media type, any case) stands for.
pub fn by_name<F: Named>(formats: &[F], name: &str) -> Option<F> {
    let name = name.trim().to_ascii_lowercase();
    formats.iter().copied().find(|f| {
        f.short_names().contains(&name.as_str())
            || f.media_type().split(';').next() == Some(name.as_str())
            || f.aliases().contains(&name.as_str())
    })
}

/// What a query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `SELECT` solutions or an `ASK` boolean: a SPARQL result format.
    Results,
    /// `CONSTRUCT` or `DESCRIBE` triples: an RDF format.
    Graph,
}

impl Form {
    /// The form of `query`.
    pub fn of(query: &Query) -> Self {
        match query {
            Query::Select { .. } | Query::Ask { .. } => Self::Results,
            Query::Construct { .. } | Query::Describe { .. } => Self::Graph,
        }
    }
}

/// The format a query's result is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// A SPARQL result format, for `SELECT` and `ASK`.
    Results(QueryResultsFormat),
    /// An RDF format, for `CONSTRUCT` and `DESCRIBE`.
    Graph(RdfFormat),
}

impl OutputFormat {
    /// The media type written in `Content-Type`.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Results(f) => f.media_type(),
            Self::Graph(f) => f.media_type(),
        }
    }

    /// The first choice for a query of `form` when nobody asked for one: JSON results, Turtle.
    pub fn default_for(form: Form) -> Self {
        match form {
            Form::Results => Self::Results(RESULT_FORMATS[0]),
            Form::Graph => Self::Graph(RDF_FORMATS[0]),
        }
    }

    /// The format named `name` (short name or media type) for a query of `form`; the error
    /// says which names fit.
    pub fn by_name(form: Form, name: &str) -> Result<Self, FormatMismatch> {
        let found = match form {
            Form::Results => by_name(RESULT_FORMATS, name).map(Self::Results),
            Form::Graph => by_name(RDF_FORMATS, name).map(Self::Graph),
        };
        found.ok_or_else(|| FormatMismatch {
            name: name.to_owned(),
            form,
        })
    }
}

/// A format that does not fit the query's form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the format {name:?} does not fit this query form: use {}", match .form {
    Form::Results => "json, xml, csv or tsv",
    Form::Graph => "ttl, nt, nq, trig, rdfxml or jsonld",
})]
pub struct FormatMismatch {
    name: String,
    form: Form,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            by_name(RESULT_FORMATS, "CSV"),
            Some(QueryResultsFormat::Csv)
        );
        assert_eq!(by_name(RDF_FORMATS, "text/turtle"), Some(RdfFormat::Turtle));
        assert_eq!(by_name(RDF_FORMATS, "png"), None);
        assert_eq!(
            OutputFormat::by_name(Form::Graph, "csv")
                .unwrap_err()
                .to_string(),
            "the format \"csv\" does not fit this query form: use ttl, nt, nq, trig, rdfxml or jsonld"
        );
    }
}
