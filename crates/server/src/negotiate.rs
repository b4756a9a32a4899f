//! Content negotiation (RFC 9110 §12.5.1): the `Accept` header, or a `format` parameter.

use crate::error::ApiError;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use oxrdfio::RdfFormat;
use sparesults::QueryResultsFormat;

/// The RDF formats the server writes, by preference when the client does not care.
pub(crate) const RDF_FORMATS: &[RdfFormat] = &[
    RdfFormat::Turtle,
    RdfFormat::NTriples,
    RdfFormat::NQuads,
    RdfFormat::TriG,
    RdfFormat::RdfXml,
    RdfFormat::JsonLd {
        profile: oxrdfio::JsonLdProfileSet::empty(),
    },
];

/// The result formats the server writes, by preference when the client does not care.
pub(crate) const RESULT_FORMATS: &[QueryResultsFormat] = &[
    QueryResultsFormat::Json,
    QueryResultsFormat::Xml,
    QueryResultsFormat::Csv,
    QueryResultsFormat::Tsv,
];

/// Something the server can write, with its media type and short names.
pub(crate) trait Negotiable: Copy {
    fn media_type(self) -> &'static str;
    /// Other media types that mean the same.
    fn aliases(self) -> &'static [&'static str];
    fn short_names(self) -> &'static [&'static str];
}

impl Negotiable for RdfFormat {
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

impl Negotiable for QueryResultsFormat {
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

/// [`negotiate`], or 406 listing what is available.
pub(crate) fn choose<F: Negotiable>(
    formats: &[F],
    accept: Option<&str>,
    format_param: Option<&str>,
) -> Result<F, ApiError> {
    negotiate(formats, accept, format_param).ok_or_else(|| ApiError::NotAcceptable {
        available: formats
            .iter()
            .map(|f| f.media_type())
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// A response with a negotiated body: its media type, and `Vary: Accept` for caches.
pub(crate) fn negotiated(body: Body, media_type: &'static str) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

/// Chooses among `formats` (in the server's order of preference) by the `format` parameter if
/// given, else by `accept`. `None`: nothing acceptable (406).
pub(crate) fn negotiate<F: Negotiable>(
    formats: &[F],
    accept: Option<&str>,
    format_param: Option<&str>,
) -> Option<F> {
    if let Some(param) = format_param {
        let param = param.trim().to_ascii_lowercase();
        return formats.iter().copied().find(|f| {
            f.short_names().contains(&param.as_str())
                || f.media_type().split(';').next() == Some(param.as_str())
                || f.aliases().contains(&param.as_str())
        });
    }
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return formats.first().copied();
    };
    let mut best: Option<(f32, u8, usize)> = None; // quality, specificity, index
    let essence = |m: &'static str| m.split(';').next().unwrap_or(m).trim();
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut q = 1.0_f32;
        for p in parts {
            if let Some((k, v)) = p.split_once('=') {
                if k.trim().eq_ignore_ascii_case("q") {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
        }
        if q <= 0.0 {
            continue;
        }
        for (i, f) in formats.iter().enumerate() {
            let specificity =
                if media == essence(f.media_type()) || f.aliases().contains(&media.as_str()) {
                    2
                } else if media == "*/*"
                    || media
                        .strip_suffix("/*")
                        .is_some_and(|t| f.media_type().starts_with(&format!("{t}/")))
                {
                    if media == "*/*" { 0 } else { 1 }
                } else {
                    continue;
                };
            let candidate = (q, specificity, i);
            let better = match best {
                None => true,
                Some((bq, bs, bi)) => {
                    q > bq || (q == bq && (specificity > bs || (specificity == bs && i < bi)))
                }
            };
            if better {
                best = Some(candidate);
            }
        }
    }
    best.map(|(_, _, i)| formats[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_header() {
        let r = |a| negotiate(RESULT_FORMATS, Some(a), None);
        assert_eq!(r("text/csv"), Some(QueryResultsFormat::Csv));
        assert_eq!(
            r("application/sparql-results+xml"),
            Some(QueryResultsFormat::Xml)
        );
        assert_eq!(
            r("text/csv;q=0.5, text/tab-separated-values"),
            Some(QueryResultsFormat::Tsv)
        );
        assert_eq!(r("*/*"), Some(QueryResultsFormat::Json));
        assert_eq!(r("text/*"), Some(QueryResultsFormat::Csv));
        assert_eq!(r("image/png"), None);
        assert_eq!(
            r("application/json;q=0, */*;q=0.1"),
            Some(QueryResultsFormat::Json)
        );
        assert_eq!(
            r("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Some(QueryResultsFormat::Xml)
        );
        let g = |a| negotiate(RDF_FORMATS, Some(a), None);
        assert_eq!(
            g("application/n-triples, text/turtle;q=0.9"),
            Some(RdfFormat::NTriples)
        );
        assert_eq!(g("application/sparql-results+json"), None);
    }

    #[test]
    fn format_parameter_wins() {
        assert_eq!(
            negotiate(RESULT_FORMATS, Some("application/json"), Some("csv")),
            Some(QueryResultsFormat::Csv)
        );
        assert_eq!(
            negotiate(RDF_FORMATS, None, Some("text/turtle")),
            Some(RdfFormat::Turtle)
        );
        assert_eq!(negotiate(RDF_FORMATS, None, Some("png")), None);
        assert_eq!(negotiate(RDF_FORMATS, None, None), Some(RdfFormat::Turtle));
    }
}
