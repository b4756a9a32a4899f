//! Dereferenceable IRIs: `GET /id/…` answers for the resource `{base}id/…` the site mints, with
//! content negotiation (`Vary: Accept, Accept-Language, Cookie`) between an HTML page for a person and
//! every RDF format. The RDF is what the store says about the resource in every graph (its
//! outgoing statements); the page adds, in German or English (`crate::lang`), its label,
//! types, properties with links, the resources that point to it (at most [`INCOMING`]) and the
//! sources it comes from with their dumps. An IRI the store knows nothing about is a 404.

use crate::error::ApiError;
use crate::extract::Params;
use crate::lang::Lang;
use crate::negotiate::{RDF_FORMATS, choose, negotiated};
use crate::page::escape;
use crate::page::wants_html;
use crate::state::AppState;
use axum::Router;
use axum::extract::{OriginalUri, Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oxrdf::{NamedNode, Term, Triple};
use oxrdfio::{RdfFormat, RdfSerializer};
use std::fmt::Write as _;
use std::sync::Arc;

/// The most resources listed as pointing to one.
const INCOMING: usize = 100;
/// The most statements about one resource.
const OUTGOING: usize = 10_000;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/id/{*path}", get(resource))
}

/// What the store says about a resource.
struct Described {
    /// Predicate, object, graph.
    outgoing: Vec<(NamedNode, Term, NamedNode)>,
    /// Subject, predicate, graph.
    incoming: Vec<(Term, NamedNode, NamedNode)>,
}

async fn resource(
    State(state): State<Arc<AppState>>,
    OriginalUri(uri): OriginalUri,
    UrlPath(decoded): UrlPath<String>,
    headers: HeaderMap,
    params: Params,
) -> Response {
    // The IRI as the request spells it: an IRI minted with `%40` in it is that text, and
    // decoding it would ask for another IRI. A request that encodes what the IRI does not (a
    // browser sends `ü` as `%C3%BC`, also in `Lotte%20Schröder`) is answered for the IRI
    // form of its path (RFC 3987, 3.2), then for the path decoded whole, when the first names
    // nothing.
    let raw = uri.path().strip_prefix("/id/").unwrap_or(&decoded);
    let iri = iri_form(raw);
    let mut spellings = vec![raw, iri.as_str(), decoded.as_str()];
    spellings.dedup();
    match respond(&state, &spellings, &headers, &params).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

/// The IRI form of a URI's path (RFC 3987, 3.2): each run of percent-encoded octets of 0x80 and
/// above that is UTF-8 is decoded; the rest (`%20`, `%40`, stray octets) stays as written.
fn iri_form(path: &str) -> String {
    let bytes = path.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16);
    let octet = |i: usize| -> Option<u8> {
        if *bytes.get(i)? != b'%' {
            return None;
        }
        let value = hex(*bytes.get(i + 1)?)? * 16 + hex(*bytes.get(i + 2)?)?;
        u8::try_from(value).ok().filter(|v| *v >= 0x80)
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let mut run = Vec::new();
        let mut end = i;
        while let Some(v) = octet(end) {
            run.push(v);
            end += 3;
        }
        if run.is_empty() {
            out.push(bytes[i]);
            i += 1;
        } else {
            if std::str::from_utf8(&run).is_ok() {
                out.extend_from_slice(&run);
            } else {
                out.extend_from_slice(&bytes[i..end]);
            }
            i = end;
        }
    }
    // Only whole UTF-8 sequences were put in place of their escapes.
    String::from_utf8(out).unwrap_or_else(|_| path.to_owned())
}

async fn respond(
    state: &Arc<AppState>,
    spellings: &[&str],
    headers: &HeaderMap,
    params: &Params,
) -> Result<Response, ApiError> {
    let base = &state.site.base_iri;
    let iri_of = |path: &str| {
        NamedNode::new(format!("{base}id/{path}"))
            .map_err(|e| ApiError::NotFound(format!("/id/{path} names no resource: {e}")))
    };
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let html = wants_html(accept);
    let format = if html {
        None
    } else {
        Some(choose(RDF_FORMATS, accept, params.one("format")?)?)
    };
    // The first spelling that names a resource known here; else the first that is an IRI.
    let mut found: Option<(NamedNode, Described)> = None;
    let mut first_error = None;
    for spelling in spellings {
        let iri = match iri_of(spelling) {
            Ok(iri) => iri,
            Err(e) => {
                first_error.get_or_insert(e);
                continue;
            }
        };
        let described = describe(state, &iri).await?;
        let known = !(described.outgoing.is_empty() && described.incoming.is_empty());
        if known || found.is_none() {
            found = Some((iri, described));
        }
        if known {
            break;
        }
    }
    let Some((iri, described)) = found else {
        return Err(
            first_error.unwrap_or_else(|| ApiError::NotFound("/id/ names no resource".into()))
        );
    };
    let mut response = if described.outgoing.is_empty() && described.incoming.is_empty() {
        let mut response = ApiError::NotFound(format!("{iri} is not known here")).into_response();
        if html {
            *response.body_mut() = page_not_found(&iri).into();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
        }
        response
    } else if let Some(format) = format {
        rdf(&iri, &described, format)?
    } else {
        let german = Lang::of(headers, params.one("lang")?) == Lang::De;
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page(state, &iri, &described, german),
        )
            .into_response()
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static(crate::lang::VARY));
    if let Some(cookie) = Lang::cookie(params.one("lang")?) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Reads the resource's statements and the ones pointing to it, in turn with the queries and
/// within their time limit.
async fn describe(state: &Arc<AppState>, iri: &NamedNode) -> Result<Described, ApiError> {
    let timeout = state.options.query_timeout;
    let permit = tokio::time::timeout(timeout, state.queue.enter())
        .await
        .map_err(|_| ApiError::Busy)??;
    let backend = Arc::clone(&state.backend);
    let iri = iri.clone();
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let select =
            |query: String| crate::state::rows(backend.as_ref(), &query, "a description query");
        let named = |t: &Option<Term>| match t {
            Some(Term::NamedNode(n)) => Some(n.clone()),
            _ => None,
        };
        let outgoing = select(format!(
            "SELECT ?p ?o ?g {{ GRAPH ?g {{ {iri} ?p ?o }} }} ORDER BY ?g ?p ?o LIMIT {OUTGOING}"
        ))?
        .into_iter()
        .filter_map(|row| Some((named(&row[0])?, row[1].clone()?, named(&row[2])?)))
        .collect();
        let incoming = select(format!(
            "SELECT ?s ?p ?g {{ GRAPH ?g {{ ?s ?p {iri} }} }} ORDER BY ?s LIMIT {INCOMING}"
        ))?
        .into_iter()
        .filter_map(|row| Some((row[0].clone()?, named(&row[1])?, named(&row[2])?)))
        .collect();
        Ok::<_, ApiError>(Described { outgoing, incoming })
    });
    tokio::time::timeout(timeout, task)
        .await
        .map_err(|_| ApiError::Timeout(timeout))?
        .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// The resource's statements as RDF, each once (a statement two sources make is one triple).
fn rdf(iri: &NamedNode, described: &Described, format: RdfFormat) -> Result<Response, ApiError> {
    let mut serializer = RdfSerializer::from_format(format);
    if matches!(format, RdfFormat::Turtle | RdfFormat::TriG) {
        for (prefix, namespace) in kulturnetz_model::vocab::PREFIXES {
            serializer = serializer
                .with_prefix(*prefix, *namespace)
                .map_err(|e| ApiError::Internal(e.to_string()))?;
        }
    }
    let mut writer = serializer.for_writer(Vec::new());
    let mut triples: Vec<Triple> = described
        .outgoing
        .iter()
        .map(|(p, o, _)| Triple::new(iri.clone(), p.clone(), o.clone()))
        .collect();
    triples.sort_by_key(ToString::to_string);
    triples.dedup();
    for triple in &triples {
        writer
            .serialize_triple(triple)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let body = writer
        .finish()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(negotiated(body.into(), format.media_type()))
}

/// The text of the page in the preferred language.
fn say(german: bool, de: &'static str, en: &'static str) -> &'static str {
    if german { de } else { en }
}

fn page(state: &AppState, iri: &NamedNode, described: &Described, german: bool) -> String {
    let label = label(&described.outgoing, german).unwrap_or_else(|| iri.as_str().to_owned());
    let lang = if german { Lang::De } else { Lang::En };
    let path = iri
        .as_str()
        .strip_prefix(state.site.base_iri.as_str())
        .map_or_else(|| "/".to_owned(), |rest| format!("/{rest}"));
    let mut html = String::new();
    crate::page::open_page(
        &mut html,
        state,
        lang,
        &format!("{label} – {}", crate::page::site_title(state)),
        &path,
        false,
    );
    let _ = writeln!(
        html,
        "<h1>{title}</h1>\n<p><code>{iri}</code></p>",
        title = escape(&label),
        iri = escape(iri.as_str()),
    );
    let types: Vec<&Term> = described
        .outgoing
        .iter()
        .filter(|(p, _, _)| p.as_ref() == oxrdf::vocab::rdf::TYPE)
        .map(|(_, o, _)| o)
        .collect();
    if !types.is_empty() {
        let _ = write!(html, "<p>{}: ", say(german, "Typ", "Type"));
        for (i, t) in types.iter().enumerate() {
            if i > 0 {
                html.push_str(", ");
            }
            html.push_str(&value(state, t));
        }
        html.push_str("</p>\n");
    }
    let _ = writeln!(
        html,
        "<h2>{}</h2>\n<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        say(german, "Angaben", "Statements"),
        say(german, "Eigenschaft", "Property"),
        say(german, "Wert", "Value"),
        say(german, "Quelle", "Source"),
    );
    for (p, o, g) in &described.outgoing {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            compact(p.as_str()),
            value(state, o),
            source(state, g)
        );
    }
    html.push_str("</tbody></table>\n");
    if !described.incoming.is_empty() {
        let _ = writeln!(
            html,
            "<h2>{}</h2>\n<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            say(german, "Verweise hierher", "Pointing here"),
            say(german, "Ressource", "Resource"),
            say(german, "Eigenschaft", "Property"),
            say(german, "Quelle", "Source"),
        );
        for (s, p, g) in &described.incoming {
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                value(state, s),
                compact(p.as_str()),
                source(state, g)
            );
        }
        html.push_str("</tbody></table>\n");
        if described.incoming.len() >= INCOMING {
            let _ = writeln!(
                html,
                "<p>{}</p>",
                say(
                    german,
                    "Nur die ersten 100; alle über SPARQL.",
                    "The first 100 only; all of them through SPARQL."
                )
            );
        }
    }
    let _ = writeln!(
        html,
        "<p>{}: <a href=\"?format=ttl\">Turtle</a> · <a href=\"?format=nt\">N-Triples</a> · \
         <a href=\"?format=rdf\">RDF/XML</a> · <a href=\"?format=jsonld\">JSON-LD</a> · \
         <a href=\"/sparql\">SPARQL</a></p>",
        say(german, "Als Daten", "As data"),
    );
    crate::page::close_page(&mut html, state, lang);
    html
}

/// The name or label in the preferred language, else in the other, else any.
fn label(outgoing: &[(NamedNode, Term, NamedNode)], german: bool) -> Option<String> {
    const LABELS: &[&str] = &[
        "http://schema.org/name",
        "http://www.w3.org/2000/01/rdf-schema#label",
        "http://purl.org/dc/terms/title",
        "http://www.w3.org/2004/02/skos/core#prefLabel",
    ];
    let wanted = if german { ["de", "en"] } else { ["en", "de"] };
    let literals: Vec<&oxrdf::Literal> = outgoing
        .iter()
        .filter(|(p, _, _)| LABELS.contains(&p.as_str()))
        .filter_map(|(_, o, _)| match o {
            Term::Literal(l) => Some(l),
            _ => None,
        })
        .collect();
    wanted
        .iter()
        .find_map(|lang| {
            literals
                .iter()
                .find(|l| l.language().is_some_and(|l| l.starts_with(lang)))
        })
        .or_else(|| literals.first())
        .map(|l| l.value().to_owned())
}

/// A term on the page: a resource or graph of this site as a link to its page, another IRI as a link,
/// a literal as text with its language or datatype.
pub(crate) fn value(state: &AppState, term: &Term) -> String {
    if let Term::NamedNode(n) = term {
        let href = n
            .as_str()
            .strip_prefix(state.site.base_iri.as_str())
            .filter(|rest| rest.starts_with("id/") || rest.starts_with("graph/"))
            .map_or_else(|| n.as_str().to_owned(), |rest| format!("/{rest}"));
        return format!("<a href=\"{}\">{}</a>", escape(&href), compact(n.as_str()));
    }
    if let Term::Literal(l) = term {
        let mut text = escape(l.value());
        if let Some(language) = l.language() {
            let _ = write!(text, " <small>({})</small>", escape(language));
        }
        return text;
    }
    // A blank node (or a quoted triple) as written in N-Triples.
    format!("<code>{}</code>", escape(&term.to_string()))
}

/// The source of a graph `{base}graph/{id}`, linked to its Turtle dump.
fn source(state: &AppState, graph: &NamedNode) -> String {
    match graph
        .as_str()
        .strip_prefix(state.site.base_iri.as_str())
        .and_then(|rest| rest.strip_prefix("graph/"))
    {
        Some(id) if !id.contains('/') => format!(
            "<a href=\"/dumps/{}.ttl.gz\">{}</a>",
            escape(id),
            escape(id)
        ),
        _ => format!("<code>{}</code>", escape(graph.as_str())),
    }
}

/// An IRI with the prefix of a known namespace, if one fits.
pub(crate) fn compact(iri: &str) -> String {
    for (prefix, namespace) in kulturnetz_model::vocab::PREFIXES {
        if let Some(local) = iri.strip_prefix(namespace)
            && !local.is_empty()
            && !local.contains(['/', '#'])
        {
            return format!("{prefix}:{}", escape(local));
        }
    }
    escape(iri)
}

fn page_not_found(iri: &NamedNode) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>\
         <body><main><h1>Not found</h1><p><code>{}</code> is not known here.</p>\
         <p><a href=\"/\">Home</a></p></main></body></html>\n",
        escape(iri.as_str())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iri_form_decodes_only_what_is_beyond_ascii() {
        assert_eq!(
            iri_form("person/Lotte%20Schr%C3%B6der"),
            "person/Lotte%20Schröder"
        );
        assert_eq!(iri_form("event/ev-7%40x.example"), "event/ev-7%40x.example");
        assert_eq!(iri_form("a%E2%82%AC%e2%82%ACb"), "a€€b");
        // Stray or cut escapes stay as written; nothing panics on a short or odd tail.
        assert_eq!(iri_form("x%C3"), "x%C3");
        assert_eq!(iri_form("x%FF%FE"), "x%FF%FE");
        assert_eq!(iri_form("x%"), "x%");
        assert_eq!(iri_form("x%C"), "x%C");
        assert_eq!(iri_form("ü%zz"), "ü%zz");
    }
}
