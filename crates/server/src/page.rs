//! The pages a person reads, and the landing page at `/` (also `/sparql` when a browser asks
//! for HTML): what this endpoint holds (its sources with sizes, licences and last ingest, from
//! the store's graphs and the meta graph), where to get it (dumps, catalogue, VoID, ontology),
//! example queries from the site's `queries/*.rq` that run with one click, and a SPARQL editor
//! (highlighting, prefixes, completion of the ontology's terms, a result table with links, a
//! map of results with coordinates, downloads). The editor is `assets/app.js`; without a
//! script the form still runs a query. German or English (`crate::lang`).

use crate::error::ApiError;
use crate::extract::Params;
use crate::lang::Lang;
use crate::negotiate::RESULT_FORMATS;
use crate::sources::{Source, has_dump, license_name};
use crate::state::{AppState, State};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use kulturnetz_sparql::format::Named as _;
use oxrdf::Term;
use std::fmt::Write as _;
use std::sync::Arc;

/// The routes of this area.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new().route(
        "/",
        get(
            |state: State, method: Method, headers: HeaderMap, params: Params| async move {
                respond(&state.0, method == Method::HEAD, &headers, &params).await
            },
        ),
    )
}

/// Whether `accept` prefers HTML to every RDF and result format, as a browser's does
/// (`text/html,…,*/*;q=0.8`). A client that names no HTML type, or accepts anything (`*/*`),
/// gets data, not the page.
pub(crate) fn wants_html(accept: Option<&str>) -> bool {
    let Some(accept) = accept else {
        return false;
    };
    let mut html = 0.0_f32;
    let mut data = 0.0_f32;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .map_or(1.0, |(_, v)| v.trim().parse().unwrap_or(0.0));
        match media.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(q),
            "*/*" => {}
            // Any other named type is one the client can take as data.
            _ if media.contains('/') => data = data.max(q),
            _ => {}
        }
    }
    html > 0.0 && html >= data
}

/// The landing page, or only its head for `HEAD`.
pub(crate) async fn respond(
    state: &Arc<AppState>,
    head: bool,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Response, ApiError> {
    let lang_param = params.one("lang")?;
    let lang = Lang::of(headers, lang_param);
    // Without the graphs (the store is busy, or counting takes too long) the page still answers.
    let sources = crate::sources::sources(state).await.ok();
    let html = render(state, lang, sources.as_deref());
    Ok(html_response(
        StatusCode::OK,
        if head { String::new() } else { html },
        lang_param,
    ))
}

/// A page as an answer: HTML that varies by language, revalidated on every visit, that runs no
/// script and loads no style from anywhere but this server.
pub(crate) fn html_response(
    status: StatusCode,
    html: String,
    lang_param: Option<&str>,
) -> Response {
    let mut response = Response::new(Body::from(html));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::VARY, HeaderValue::from_static(crate::lang::VARY));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    if let Some(cookie) = Lang::cookie(lang_param) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}

/// Writes the start of a page: its head with the style sheet (and the script if `script`), a
/// link to skip to the content, the site's header with its navigation and the language switch,
/// and opens `<main>`. `path` is the page's own path, which the switch links to.
pub(crate) fn open_page(
    out: &mut String,
    state: &AppState,
    lang: Lang,
    title: &str,
    path: &str,
    script: bool,
) {
    let site = site_title(state);
    let say = |de, en| lang.say(de, en);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"{css}\">",
        code = lang.code(),
        title = escape(title),
        css = crate::assets::href("app", "css"),
    );
    if script {
        let _ = writeln!(
            out,
            "<script src=\"{}\" defer></script>",
            crate::assets::href("app", "js")
        );
    }
    let other = lang.other();
    let _ = writeln!(
        out,
        "</head>\n<body>\n<a class=\"skip\" href=\"#main\">{skip}</a>\n\
         <header class=\"site\"><div class=\"bar\">\
         <a class=\"brand\" href=\"/\">{site}</a>\n\
         <nav aria-label=\"{nav}\"><ul>\
         <li><a href=\"/#query\">{query}</a></li>\
         <li><a href=\"/#data\">{data}</a></li>\
         <li><a href=\"/ontology\">{ontology}</a></li>\
         <li><a href=\"/dumps/\">Dumps</a></li>\
         <li><a href=\"/catalog\">{catalog}</a></li>\
         </ul></nav>\n\
         <a class=\"lang\" href=\"{path}?lang={other_code}\" hreflang=\"{other_code}\" lang=\"{other_code}\">{other_name}</a>\
         </div></header>\n<main id=\"main\">",
        skip = say("Zum Inhalt springen", "Skip to the content"),
        site = escape(site),
        nav = say("Hauptnavigation", "Main navigation"),
        query = say("Abfrage", "Query"),
        data = say("Daten", "Data"),
        ontology = say("Ontologie", "Ontology"),
        catalog = say("Katalog", "Catalogue"),
        path = escape(path),
        other_code = other.code(),
        other_name = other.name(),
    );
}

/// Closes what [`open_page`] opened, with the page's footer.
pub(crate) fn close_page(out: &mut String, state: &AppState, lang: Lang) {
    let publisher = &state.site.publisher;
    out.push_str("</main>\n<footer class=\"site\"><p>");
    if !publisher.is_empty() {
        let _ = write!(
            out,
            "{}: {} · ",
            lang.say("Herausgeber", "Publisher"),
            escape(publisher)
        );
    }
    let _ = writeln!(
        out,
        "<a href=\"/sparql\">SPARQL</a> · <a href=\"/.well-known/void\">VoID</a> · \
         <a href=\"/catalog\">DCAT-AP.de</a> · <a href=\"/ontology\">{}</a></p></footer>\n</body>\n</html>",
        lang.say("Ontologie", "Ontology"),
    );
}

/// The site's title, or the program's name.
pub(crate) fn site_title(state: &AppState) -> &str {
    if state.site.title.is_empty() {
        "Kulturnetz"
    } else {
        state.site.title.as_str()
    }
}

/// An example query of the site (`queries/*.rq`).
#[derive(serde::Serialize)]
struct Example {
    /// The file's name without `.rq`.
    name: String,
    title: String,
    description: String,
    query: String,
}

/// The site's example queries, by file name: each `*.rq` in the queries folder whose `#+` header
/// (docs/queries.md) declares no parameters, with its title and description in `lang` (else the
/// other language, else the file's name). The parameterised ones are REST calls at
/// `/api/queries/{name}`. A file that cannot be read or whose header is wrong is left out.
fn examples(state: &AppState, lang: Lang) -> Vec<Example> {
    let Some(dir) = state.options.queries.as_ref() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rq"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let query = std::fs::read_to_string(&path).ok()?;
            let name = path.file_stem()?.to_string_lossy().into_owned();
            let header = crate::queries::spec::parse(&query).ok()?;
            if !header.params.is_empty() {
                return None;
            }
            let pick = |b: &crate::queries::spec::Bilingual| {
                let (first, second) = match lang {
                    Lang::De => (&b.de, &b.en),
                    Lang::En => (&b.en, &b.de),
                };
                if first.is_empty() { second } else { first }.clone()
            };
            let title = pick(&header.title);
            Some(Example {
                title: if title.is_empty() {
                    name.clone()
                } else {
                    title
                },
                description: pick(&header.description),
                name,
                query,
            })
        })
        .collect()
}

/// A term the editor completes: its prefixed name, whether a class or a property, its label.
#[derive(serde::Serialize)]
struct Completion {
    name: String,
    kind: &'static str,
    label: String,
}

fn render(state: &AppState, lang: Lang, sources: Option<&[Source]>) -> String {
    let say = |de, en| lang.say(de, en);
    let site = site_title(state);
    let mut out = String::with_capacity(32 << 10);
    open_page(
        &mut out,
        state,
        lang,
        &format!(
            "{site}: {}",
            say("Offene Kulturdaten", "Open cultural data")
        ),
        "/",
        true,
    );
    let _ = writeln!(
        out,
        "<h1>{site}</h1>\n<p class=\"lead\">{lead} {access}</p>",
        site = escape(site),
        lead = say(
            "Offene Kulturdaten als Linked Open Data: jede Quelle als eigener benannter Graph, abfragbar mit SPARQL 1.1, als Dumps herunterladbar und im DCAT-AP.de-Katalog beschrieben.",
            "Open cultural data as linked open data: each source in a named graph of its own, to query with SPARQL 1.1, to download as dumps, described in a DCAT-AP.de catalogue."
        ),
        access = if state.options.write_token.is_some() {
            say(
                "Schreiben (SPARQL Update, Graph Store) braucht das Schreib-Token.",
                "Writes (SPARQL Update, Graph Store) need the write token.",
            )
        } else {
            say(
                "Dieser Endpunkt ist nur lesbar.",
                "This endpoint is read-only.",
            )
        },
    );
    render_data(&mut out, state, lang, sources);
    render_editor(&mut out, state, lang);
    render_paths(&mut out, lang);
    close_page(&mut out, state, lang);
    out
}

fn render_data(out: &mut String, state: &AppState, lang: Lang, sources: Option<&[Source]>) {
    let say = |de, en| lang.say(de, en);
    let _ = writeln!(
        out,
        "<section id=\"data\" aria-labelledby=\"data-h\">\n<h2 id=\"data-h\">{}</h2>",
        say("Was dieser Endpunkt enthält", "What this endpoint holds")
    );
    match sources {
        None => {
            let _ = writeln!(
                out,
                "<p>{}</p>",
                say(
                    "Die Graphen werden gerade gezählt; bitte gleich neu laden.",
                    "The graphs are being counted; reload in a moment."
                )
            );
        }
        Some([]) => {
            let _ = writeln!(
                out,
                "<p>{}</p>",
                say(
                    "Der Speicher enthält noch keine benannten Graphen.",
                    "The store holds no named graphs yet."
                )
            );
        }
        Some(sources) => {
            let total: u64 = sources.iter().map(|g| g.triples).sum();
            let _ = writeln!(
                out,
                "<p>{n} {graphs}, {total} {triples}.</p>\n<div class=\"table-wrap\"><table>\n\
                 <caption>{caption}</caption>\n<thead><tr><th scope=\"col\">{source}</th>\
                 <th scope=\"col\" class=\"n\">{triples_h}</th><th scope=\"col\">{license}</th>\
                 <th scope=\"col\">{updated}</th><th scope=\"col\">Dumps</th></tr></thead>\n<tbody>",
                n = sources.len(),
                graphs = say("benannte Graphen", "named graphs"),
                total = number(total, lang),
                triples = say("Tripel", "triples"),
                caption = say(
                    "Quellen und abgeleitete Graphen",
                    "Sources and derived graphs"
                ),
                source = say("Graph", "Graph"),
                triples_h = say("Tripel", "Triples"),
                license = say("Lizenz", "Licence"),
                updated = say("Zuletzt eingelesen", "Last ingest"),
            );
            for source in sources {
                let name = match &source.id {
                    Some(id) => format!(
                        "<a href=\"{}\">{}</a>",
                        escape(&crate::sources::page_path(id)),
                        escape(id)
                    ),
                    None => format!("<code>{}</code>", escape(source.graph.as_str())),
                };
                let license = match source.license() {
                    Some(Term::NamedNode(l)) => format!(
                        "<a href=\"{}\">{}</a>",
                        escape(l.as_str()),
                        escape(license_name(l.as_str()))
                    ),
                    Some(Term::Literal(l)) => escape(l.value()),
                    _ => "–".to_owned(),
                };
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\">{name}</th><td class=\"n\">{}</td><td>{license}</td><td>{}</td><td>{}</td></tr>",
                    number(source.triples, lang),
                    source.modified().map_or_else(|| "–".to_owned(), escape),
                    dump_links(state, source),
                );
            }
            out.push_str("</tbody></table></div>\n");
        }
    }
    let _ = writeln!(
        out,
        "<ul class=\"links\">\
         <li><a href=\"/dumps/\">{dumps}</a></li>\
         <li><a href=\"/catalog\">{catalog}</a></li>\
         <li><a href=\"/.well-known/void\">{void}</a></li>\
         <li><a href=\"/ontology\">{ontology}</a></li></ul>\n</section>",
        dumps = say(
            "Alle Dumps (N-Quads, Turtle, SHA256SUMS)",
            "Every dump (N-Quads, Turtle, SHA256SUMS)"
        ),
        catalog = say("DCAT-AP.de-Katalog", "DCAT-AP.de catalogue"),
        void = say("VoID-Beschreibung", "VoID description"),
        ontology = say(
            "Die Ontologie, mit jeder Klasse und Eigenschaft",
            "The ontology, with every class and property"
        ),
    );
}

/// Links to a source's dumps, where the dumps folder has them.
pub(crate) fn dump_links(state: &AppState, source: &Source) -> String {
    let id = match source.meta(kulturnetz_model::vocab::DCTERMS_IDENTIFIER) {
        Some(Term::Literal(l)) => l.value().to_owned(),
        _ => match &source.id {
            Some(id) => id.clone(),
            None => return "–".to_owned(),
        },
    };
    let links: Vec<String> = ["nq.gz", "ttl.gz"]
        .iter()
        .map(|ext| format!("{id}.{ext}"))
        .filter(|file| has_dump(state, file))
        .map(|file| {
            let href: String = form_urlencoded::byte_serialize(file.as_bytes()).collect();
            format!("<a href=\"/dumps/{}\">{}</a>", escape(&href), escape(&file))
        })
        .collect();
    if links.is_empty() {
        "–".to_owned()
    } else {
        links.join(" ")
    }
}

/// A count with the language's thousands separator.
pub(crate) fn number(n: u64, lang: Lang) -> String {
    let digits = n.to_string();
    let separator = lang.say(".", ",");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    out
}

fn render_editor(out: &mut String, state: &AppState, lang: Lang) {
    let say = |de, en| lang.say(de, en);
    let examples = examples(state, lang);
    let _ = writeln!(
        out,
        "<section id=\"query\" aria-labelledby=\"query-h\">\n<h2 id=\"query-h\">{}</h2>",
        say("SPARQL-Abfrage", "SPARQL query")
    );
    if !examples.is_empty() {
        let _ = writeln!(
            out,
            "<h3>{}</h3>\n<ul class=\"examples\">",
            say(
                "Beispiele: ein Klick lädt und startet die Abfrage",
                "Examples: one click loads and runs the query"
            )
        );
        for (i, e) in examples.iter().enumerate() {
            let _ = write!(
                out,
                "<li><a class=\"example\" data-example=\"{i}\" href=\"/sparql?query={query}\">{title}</a>",
                query = escape(
                    &form_urlencoded::byte_serialize(e.query.as_bytes()).collect::<String>()
                ),
                title = escape(&e.title),
            );
            if !e.description.is_empty() {
                let _ = write!(
                    out,
                    " <span class=\"muted\">{}</span>",
                    escape(&e.description)
                );
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n");
    }
    let prefixes: String = kulturnetz_model::vocab::PREFIXES
        .iter()
        .map(|(p, ns)| format!("PREFIX {p}: <{ns}>\n"))
        .collect();
    let initial = examples.first().map_or_else(
        || {
            format!(
                "{prefixes}\nSELECT ?graph (COUNT(*) AS ?triples)\nWHERE {{ GRAPH ?graph {{ ?s ?p ?o }} }}\nGROUP BY ?graph\nORDER BY DESC(?triples)\n"
            )
        },
        |e| e.query.clone(),
    );
    let _ = write!(
        out,
        "<form id=\"query-form\" action=\"/sparql\" method=\"get\">\n\
         <p><label for=\"query-text\">{label}</label></p>\n\
         <p id=\"query-help\" class=\"muted\">{help}</p>\n\
         <div class=\"editor\"><pre class=\"hl\" aria-hidden=\"true\"><code id=\"query-hl\"></code></pre>\
         <textarea id=\"query-text\" name=\"query\" rows=\"14\" spellcheck=\"false\" autocapitalize=\"off\" \
         autocomplete=\"off\" aria-describedby=\"query-help\" aria-autocomplete=\"list\" aria-controls=\"completions\">{initial}</textarea></div>\n\
         <ul id=\"completions\" role=\"listbox\" aria-label=\"{suggestions}\" hidden></ul>\n\
         <p class=\"actions\"><button type=\"submit\" id=\"run\">{run}</button> \
         <button type=\"button\" id=\"insert-prefixes\" hidden>{insert}</button> \
         <span class=\"no-script\"><label for=\"format\">{format}</label> <select id=\"format\" name=\"format\">",
        label = say("Abfrage", "Query"),
        help = say(
            "Strg+Leertaste schlägt Begriffe der Ontologie und Präfixe vor (Pfeiltasten wählen, Eingabe übernimmt, Escape schließt); Strg+Eingabe startet die Abfrage. Ohne Angabe eines Datensatzes fragt sie die Vereinigung aller Graphen ab.",
            "Ctrl+Space suggests the ontology's terms and prefixes (arrow keys choose, Enter takes, Escape closes); Ctrl+Enter runs the query. Without a dataset it asks the union of all graphs."
        ),
        initial = escape(&initial),
        suggestions = say("Vorschläge", "Suggestions"),
        run = say("Abfrage ausführen", "Run query"),
        insert = say("Präfixe einfügen", "Insert prefixes"),
        format = say("Ergebnisformat", "Result format"),
    );
    for f in RESULT_FORMATS {
        let name = f.short_names().first().copied().unwrap_or_default();
        let _ = write!(
            out,
            "<option value=\"{name}\">{} ({})</option>",
            escape(name),
            escape(f.media_type())
        );
    }
    let _ = writeln!(
        out,
        "</select></span></p>\n</form>\n\
         <details><summary>{prefixes_h}</summary><pre class=\"prefixes\">{prefixes}</pre></details>\n\
         <div id=\"status\" role=\"status\" aria-live=\"polite\"></div>\n\
         <section id=\"results\" aria-labelledby=\"results-h\" hidden>\n<h3 id=\"results-h\">{result}</h3>\n\
         <p class=\"downloads\">{download}: <a id=\"download-csv\" href=\"/sparql\" download=\"result.csv\">CSV</a> · \
         <a id=\"download-json\" href=\"/sparql\" download=\"result.json\">JSON</a></p>\n\
         <div id=\"map-box\" hidden><h4 id=\"map-h\">{map}</h4><div id=\"map\"></div></div>\n\
         <div class=\"table-wrap\" id=\"result-box\"></div>\n</section>",
        prefixes_h = say("Präfixe", "Prefixes"),
        prefixes = escape(&prefixes),
        result = say("Ergebnis", "Result"),
        download = say("Herunterladen", "Download"),
        map = say("Karte", "Map"),
    );
    let data = serde_json::json!({
        "base": state.site.base_iri,
        "lang": lang.code(),
        "examples": examples,
        "prefixes": kulturnetz_model::vocab::PREFIXES
            .iter()
            .map(|(p, ns)| serde_json::json!([p, ns]))
            .collect::<Vec<_>>(),
        "terms": completions(lang),
        "strings": strings(lang),
    });
    // `<` escaped, so that no text in the data can close the script element.
    let json = data.to_string().replace('<', "\\u003c");
    let _ = writeln!(
        out,
        "<script type=\"application/json\" id=\"kn-data\">{json}</script>\n</section>"
    );
}

/// The ontology's classes and properties (and the schema.org terms its shapes name) for the
/// editor's completion.
fn completions(lang: Lang) -> Vec<Completion> {
    crate::ontology::terms(lang)
        .into_iter()
        .filter_map(|(iri, class, label)| {
            let name = kulturnetz_model::vocab::PREFIXES
                .iter()
                .find_map(|(p, ns)| {
                    iri.strip_prefix(ns)
                        .filter(|l| !l.is_empty() && !l.contains(['/', '#']))
                        .map(|l| format!("{p}:{l}"))
                })?;
            Some(Completion {
                name,
                kind: if class { "class" } else { "property" },
                label,
            })
        })
        .collect()
}

/// What the script says, in the page's language.
fn strings(lang: Lang) -> serde_json::Value {
    let say = |de, en| lang.say(de, en);
    serde_json::json!({
        "running": say("Die Abfrage läuft …", "The query is running …"),
        "rows": say("{n} Zeilen in {ms} ms.", "{n} rows in {ms} ms."),
        "boolean": say("Antwort: {value}.", "Answer: {value}."),
        "graph": say("Ein Graph; hier als Turtle.", "A graph; here as Turtle."),
        "error": say("Die Abfrage ist fehlgeschlagen", "The query failed"),
        "points": say("{n} Punkte mit Koordinaten", "{n} points with coordinates"),
        "suggestions": say("{n} Vorschläge", "{n} suggestions"),
        "class": say("Klasse", "class"),
        "property": say("Eigenschaft", "property"),
        "prefix": say("Präfix", "prefix"),
        "keyword": say("Schlüsselwort", "keyword"),
    })
}

fn render_paths(out: &mut String, lang: Lang) {
    let say = |de, en| lang.say(de, en);
    let rows: [(&str, &str, &str); 9] = [
        (
            "<a href=\"/sparql\"><code>/sparql</code></a>",
            "SPARQL 1.1 Query und Update (GET, POST); die Dienstbeschreibung bei einem GET ohne Abfrage",
            "SPARQL 1.1 Query and Update (GET, POST); the service description on a GET without a query",
        ),
        (
            "<code>/store</code>",
            "SPARQL 1.1 Graph Store Protocol (<code>?default</code>, <code>?graph=IRI</code>)",
            "SPARQL 1.1 Graph Store Protocol (<code>?default</code>, <code>?graph=IRI</code>)",
        ),
        (
            "<code>/id/…</code>",
            "jede Ressource: eine Seite für Menschen, RDF nach <code>Accept</code>",
            "every resource: a page for people, RDF by <code>Accept</code>",
        ),
        (
            "<code>/graph/…</code>",
            "jeder benannte Graph: Herkunft, Lizenz, Klassen; seine Tripel als RDF",
            "every named graph: provenance, licence, classes; its triples as RDF",
        ),
        (
            "<a href=\"/ontology\"><code>/ontology</code></a>",
            "die Anwendungsontologie: Dokumentation und RDF",
            "the application ontology: documentation and RDF",
        ),
        (
            "<a href=\"/dumps/\"><code>/dumps/</code></a>",
            "Dumps je Quelle und gesamt, mit Prüfsummen",
            "dumps per source and of everything, with checksums",
        ),
        (
            "<a href=\"/catalog\"><code>/catalog</code></a>, <a href=\"/.well-known/void\"><code>/.well-known/void</code></a>",
            "DCAT-AP.de-Katalog und VoID-Beschreibung",
            "DCAT-AP.de catalogue and VoID description",
        ),
        (
            "<code>/api/search</code>",
            "Volltext- und Umkreissuche (JSON)",
            "full-text and spatial search (JSON)",
        ),
        (
            "<a href=\"/health\"><code>/health</code></a>, <a href=\"/metrics\"><code>/metrics</code></a>",
            "Lebenszeichen; Prometheus-Metriken",
            "liveness; Prometheus metrics",
        ),
    ];
    let _ = writeln!(
        out,
        "<section aria-labelledby=\"paths-h\">\n<h2 id=\"paths-h\">{}</h2>\n<div class=\"table-wrap\"><table>\n\
         <thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead>\n<tbody>",
        say("Was wo bereitsteht", "What is served where"),
        say("Pfad", "Path"),
        say("Was", "What"),
    );
    for (path, de, en) in rows {
        let _ = writeln!(out, "<tr><td>{path}</td><td>{}</td></tr>", say(de, en));
    }
    out.push_str("</tbody></table></div>\n</section>\n");
}

/// `text` with the characters that mean something in HTML escaped (for every page the server
/// writes).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{App, request};
    use axum::http::StatusCode;

    const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    #[test]
    fn browsers_want_html_and_data_clients_do_not() {
        assert!(wants_html(Some(BROWSER)));
        assert!(wants_html(Some("text/html")));
        assert!(!wants_html(None));
        assert!(!wants_html(Some("*/*")));
        assert!(!wants_html(Some("text/turtle")));
        assert!(!wants_html(Some("text/turtle, text/html;q=0.5")));
        assert!(!wants_html(Some("text/html;q=0")));
    }

    #[tokio::test]
    async fn the_page_says_what_is_held_and_where() {
        let app = App::new(None);
        let r = app
            .call(request("GET", "/", &[("accept-language", "en")], ""))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), "text/html; charset=utf-8");
        assert_eq!(r.header("vary"), crate::lang::VARY);
        assert!(r.body.contains("<html lang=\"en\">"), "{}", r.body);
        assert!(r.body.contains("<title>Test: Open cultural data</title>"));
        assert!(
            r.body
                .contains("<form id=\"query-form\" action=\"/sparql\" method=\"get\">")
        );
        assert!(
            r.body.contains(
                "<tr><th scope=\"row\"><code>http://ex.example/g</code></th><td class=\"n\">3</td>"
            ),
            "{}",
            r.body
        );
        // The script and style sheet are this server's, by their hashed names.
        assert!(r.body.contains(&crate::assets::href("app", "js")));
        assert!(r.body.contains(&crate::assets::href("app", "css")));
        // The editor's completions (key order depends on serde_json's features).
        assert!(r.body.contains("\"terms\":[{\""));
        assert!(r.body.contains("\"name\":\"schema:Museum\""));
        let r = app.call(request("HEAD", "/", &[], "")).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, ""));
    }

    #[tokio::test]
    async fn the_language_follows_the_switch_then_the_cookie_then_the_browser() {
        let app = App::new(None);
        let r = app
            .call(request("GET", "/", &[("accept-language", "en")], ""))
            .await;
        assert!(r.body.contains("<html lang=\"en\">"));
        assert!(
            r.body
                .contains("href=\"/?lang=de\" hreflang=\"de\" lang=\"de\">Deutsch</a>")
        );
        let r = app
            .call(request(
                "GET",
                "/?lang=de",
                &[("accept-language", "en")],
                "",
            ))
            .await;
        assert!(r.body.contains("<html lang=\"de\">"));
        assert!(r.header("set-cookie").starts_with("kn_lang=de;"));
        let r = app
            .call(request(
                "GET",
                "/",
                &[("accept-language", "en"), ("cookie", "kn_lang=de")],
                "",
            ))
            .await;
        assert!(r.body.contains("Was dieser Endpunkt enthält"), "{}", r.body);
    }

    #[test]
    fn counts_have_the_language_s_separator() {
        assert_eq!(number(1_234_567, Lang::De), "1.234.567");
        assert_eq!(number(999, Lang::En), "999");
        assert_eq!(number(1000, Lang::En), "1,000");
    }

    #[tokio::test]
    async fn a_browser_at_the_endpoint_gets_the_page_and_a_client_the_description() {
        let app = App::new(None);
        for accept in [BROWSER, "text/html"] {
            let r = app
                .call(request("GET", "/sparql", &[("accept", accept)], ""))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{accept}");
            assert_eq!(r.header("content-type"), "text/html; charset=utf-8");
        }
        let r = app
            .call(request("GET", "/sparql", &[("accept", "*/*")], ""))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), "text/turtle");
        let r = app
            .call(request(
                "GET",
                "/sparql?format=ttl",
                &[("accept", BROWSER)],
                "",
            ))
            .await;
        assert_eq!(r.header("content-type"), "text/turtle");
    }

    #[test]
    fn titles_are_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
