//! `/graph/{id}`: the named graphs the site mints (`{base}graph/{id}`: each source's, `meta`,
//! `links`), dereferenceable. A browser gets a page (the source, its triple count, licence,
//! last ingest and every other statement of the meta graph about it, its dumps, the classes in
//! it with their counts); any other client the graph's triples, streamed, in the format
//! `Accept` or `?format=` asks for (Turtle, N-Triples, RDF/XML, JSON-LD; `Vary: Accept`). A
//! graph the store does not hold is a 404.

use crate::error::ApiError;
use crate::extract::Params;
use crate::lang::Lang;
use crate::negotiate::{choose, negotiated};
use crate::ontology::TRIPLE_FORMATS;
use crate::page::{close_page, escape, html_response, number, open_page, wants_html};
use crate::sources::Source;
use crate::state::{AppState, State};
use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oxrdf::{GraphName, Term};
use oxrdfio::{RdfFormat, RdfSerializer};
use std::fmt::Write as _;
use std::sync::Arc;

/// The most classes the page lists.
const CLASSES: usize = 200;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new().route(
        "/graph/{*id}",
        get(
            |state: State, uri: Uri, headers: HeaderMap, params: Params| async move {
                match respond(&state.0, &uri, &headers, &params).await {
                    Ok(r) => r,
                    Err(e) => e.into_response(),
                }
            },
        ),
    )
}

async fn respond(
    state: &Arc<AppState>,
    uri: &Uri,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Response, ApiError> {
    // The id as the IRI has it: percent-encoded where the minter encoded it.
    let id = uri.path().strip_prefix("/graph/").unwrap_or_default();
    let iri = format!("{}graph/{id}", state.site.base_iri);
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format_param = params.one("format")?;
    let lang_param = params.one("lang")?;
    let html = format_param.is_none() && wants_html(accept);
    let format = if html {
        None
    } else {
        Some(choose(TRIPLE_FORMATS, accept, format_param)?)
    };
    let sources = crate::sources::sources(state).await?;
    let Some(source) = sources.into_iter().find(|s| s.graph.as_str() == iri) else {
        let message = format!("there is no graph <{iri}> here");
        if html {
            let lang = Lang::of(headers, lang_param);
            let mut out = String::new();
            open_page(
                &mut out,
                state,
                lang,
                lang.say("Nicht gefunden", "Not found"),
                uri.path(),
                false,
            );
            let _ = writeln!(
                out,
                "<h1>{}</h1>\n<p><code>{}</code> {}</p>\n<p><a href=\"/#data\">{}</a></p>",
                lang.say("Nicht gefunden", "Not found"),
                escape(&iri),
                lang.say("ist hier kein Graph.", "is not a graph here."),
                lang.say("Alle Graphen", "Every graph"),
            );
            close_page(&mut out, state, lang);
            return Ok(html_response(StatusCode::NOT_FOUND, out, lang_param));
        }
        return Err(ApiError::NotFound(message));
    };
    match format {
        Some(format) => Ok(triples(state, &source, format)),
        None => {
            let lang = Lang::of(headers, lang_param);
            let classes = classes(state, &source).await?;
            Ok(html_response(
                StatusCode::OK,
                page(state, lang, &source, &classes, uri.path()),
                lang_param,
            ))
        }
    }
}

/// The graph's triples, streamed.
fn triples(state: &Arc<AppState>, source: &Source, format: RdfFormat) -> Response {
    let backend = Arc::clone(&state.backend);
    let graph = GraphName::NamedNode(source.graph.clone());
    let body = crate::body::stream_blocking(move |writer| {
        let mut serializer = RdfSerializer::from_format(format);
        if matches!(format, RdfFormat::Turtle | RdfFormat::JsonLd { .. }) {
            for (prefix, namespace) in kulturnetz_model::vocab::PREFIXES {
                serializer = serializer
                    .with_prefix(*prefix, *namespace)
                    .map_err(std::io::Error::other)?;
            }
        }
        let mut serializer = serializer.for_writer(writer);
        for triple in backend
            .graph_triples(graph.as_ref())
            .map_err(std::io::Error::other)?
        {
            let triple = triple.map_err(std::io::Error::other)?;
            serializer.serialize_triple(&crate::ontology::xml_safe(triple, format))?;
        }
        serializer.finish()?;
        Ok(())
    });
    negotiated(body, format.media_type())
}

/// The classes of the graph's resources, most frequent first.
async fn classes(state: &Arc<AppState>, source: &Source) -> Result<Vec<(Term, u64)>, ApiError> {
    let rows = crate::state::select(
        state,
        &format!(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH {} {{ ?s a ?class }} }} \
             GROUP BY ?class ORDER BY DESC(?n) ?class LIMIT {CLASSES}",
            source.graph
        ),
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let n = match &row[1] {
                Some(Term::Literal(l)) => l.value().parse().ok()?,
                _ => return None,
            };
            Some((row[0].clone()?, n))
        })
        .collect())
}

fn page(
    state: &AppState,
    lang: Lang,
    source: &Source,
    classes: &[(Term, u64)],
    path: &str,
) -> String {
    let say = |de, en| lang.say(de, en);
    let name = source.id.as_deref().unwrap_or(source.graph.as_str());
    let mut out = String::with_capacity(16 << 10);
    open_page(
        &mut out,
        state,
        lang,
        &format!("{}: {name}", say("Graph", "Graph")),
        path,
        false,
    );
    let _ = write!(
        out,
        "<h1>{graph} <code>{name}</code></h1>\n<dl class=\"facts\">\
         <dt>IRI</dt><dd><code>{iri}</code></dd>\
         <dt>{triples_h}</dt><dd>{triples}</dd>",
        graph = say("Graph", "Graph"),
        name = escape(name),
        iri = escape(source.graph.as_str()),
        triples_h = say("Tripel", "Triples"),
        triples = number(source.triples, lang),
    );
    if let Some(license) = source.license() {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            say("Lizenz", "Licence"),
            term(state, license)
        );
    }
    if let Some(modified) = source.modified() {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            say("Zuletzt eingelesen", "Last ingest"),
            escape(modified)
        );
    }
    let _ = writeln!(
        out,
        "<dt>Dumps</dt><dd>{}</dd></dl>",
        crate::page::dump_links(state, source)
    );
    let _ = writeln!(
        out,
        "<p>{}: <a href=\"?format=ttl\">Turtle</a> · <a href=\"?format=nt\">N-Triples</a> · \
         <a href=\"?format=rdf\">RDF/XML</a> · <a href=\"?format=jsonld\">JSON-LD</a></p>",
        say("Die Tripel als Daten", "The triples as data")
    );
    let _ = writeln!(
        out,
        "<section aria-labelledby=\"prov-h\"><h2 id=\"prov-h\">{}</h2>",
        say("Herkunft (Meta-Graph)", "Provenance (meta graph)")
    );
    if source.meta.is_empty() {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            say(
                "Der Meta-Graph sagt nichts über diesen Graphen.",
                "The meta graph says nothing about this graph."
            )
        );
    } else {
        let _ = writeln!(
            out,
            "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            say("Eigenschaft", "Property"),
            say("Wert", "Value"),
        );
        for (p, o) in &source.meta {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td></tr>",
                crate::resource::compact(p.as_str()),
                term(state, o)
            );
        }
        out.push_str("</tbody></table></div>\n");
    }
    out.push_str("</section>\n");
    let _ = writeln!(
        out,
        "<section aria-labelledby=\"classes-h\"><h2 id=\"classes-h\">{}</h2>",
        say("Klassen", "Classes")
    );
    if classes.is_empty() {
        let _ = writeln!(
            out,
            "<p>{}</p>",
            say(
                "Keine Ressource dieses Graphen hat einen Typ.",
                "No resource of this graph has a type."
            )
        );
    } else {
        let _ = writeln!(
            out,
            "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"n\">{}</th></tr></thead><tbody>",
            say("Klasse", "Class"),
            say("Ressourcen", "Resources"),
        );
        for (class, n) in classes {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
                term(state, class),
                number(*n, lang)
            );
        }
        out.push_str("</tbody></table></div>\n");
        if classes.len() >= CLASSES {
            let _ = writeln!(
                out,
                "<p>{}</p>",
                say(
                    "Nur die 200 häufigsten; alle über SPARQL.",
                    "The 200 most frequent only; all of them through SPARQL."
                )
            );
        }
    }
    out.push_str("</section>\n");
    close_page(&mut out, state, lang);
    out
}

/// A term on the page, as on the resources' pages.
fn term(state: &AppState, term: &Term) -> String {
    crate::resource::value(state, term)
}
