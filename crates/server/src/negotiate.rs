//! Content negotiation (RFC 9110 §12.5.1): the `Accept` header, or a `format` parameter.

use crate::error::ApiError;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use kulturnetz_sparql::{Form, OutputFormat};

pub(crate) use kulturnetz_sparql::format::{Named as Negotiable, RDF_FORMATS, RESULT_FORMATS};

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

/// The format of a query's result: a result format for `SELECT`/`ASK`, an RDF format for
/// `CONSTRUCT`/`DESCRIBE`.
pub(crate) fn output_format(
    form: Form,
    accept: Option<&str>,
    format_param: Option<&str>,
) -> Result<OutputFormat, ApiError> {
    Ok(match form {
        Form::Results => OutputFormat::Results(choose(RESULT_FORMATS, accept, format_param)?),
        Form::Graph => OutputFormat::Graph(choose(RDF_FORMATS, accept, format_param)?),
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
        return kulturnetz_sparql::format::by_name(formats, param);
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
            if let Some((k, v)) = p.split_once('=')
                && k.trim().eq_ignore_ascii_case("q")
            {
                q = v.trim().parse().unwrap_or(0.0);
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
    use oxrdfio::RdfFormat;
    use sparesults::QueryResultsFormat;

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
