//! The page a person gets at `/`, and at `/sparql` when a browser asks for HTML: what this
//! endpoint serves and where, its named graphs with their sizes, and a form that runs a query.
//! Plain HTML with its style inline: no script, nothing fetched from elsewhere.

use crate::error::ApiError;
use crate::negotiate::RESULT_FORMATS;
use crate::state::{AppState, State};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use axum::routing::get;
use kulturnetz_sparql::format::Named as _;
use std::fmt::Write as _;
use std::sync::Arc;

/// The routes of this area.
pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new().route(
        "/",
        get(|state: State, method: Method| async move {
            respond(&state.0, method == Method::HEAD).await
        }),
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

/// The page, or only its head for `HEAD`.
pub(crate) async fn respond(state: &Arc<AppState>, head: bool) -> Result<Response, ApiError> {
    // Without counts (the store is busy, or counting takes too long) the page still answers.
    let graphs = crate::state::graphs(state).await.ok();
    let html = render(state, graphs.as_deref());
    let mut response = Response::new(if head {
        Body::empty()
    } else {
        Body::from(html)
    });
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

const EXAMPLE: &str = "SELECT ?graph (COUNT(*) AS ?triples)\nWHERE { GRAPH ?graph { ?s ?p ?o } }\nGROUP BY ?graph\nORDER BY DESC(?triples)";

fn render(state: &AppState, graphs: Option<&[kulturnetz_store::GraphInfo]>) -> String {
    let site = state.site();
    let title = if site.title.is_empty() {
        "Kulturnetz"
    } else {
        site.title.as_str()
    };
    let mut out = String::with_capacity(8 << 10);
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: SPARQL endpoint</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1a1a1a; background: #fafafa; }}
main {{ max-width: 60rem; margin: 0 auto; padding: 1.5rem; }}
h1 {{ margin-bottom: 0.2rem; }}
.de {{ color: #555; margin-top: 0; }}
textarea {{ width: 100%; min-height: 8rem; font: 14px/1.4 ui-monospace, monospace; box-sizing: border-box; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #ddd; vertical-align: top; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
code {{ font: 14px ui-monospace, monospace; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p class="de" lang="de">Offene Kulturdaten als Linked Open Data: SPARQL-Endpunkt und Graph Store.</p>
<p>Linked open data of the cultural sector, served by Kulturnetz over the W3C SPARQL 1.1
Protocol and Graph Store Protocol. {access}</p>
<h2>Query</h2>
<form action="sparql" method="get">
<p><label for="query">SPARQL query (the default graph is {default_graph})</label></p>
<textarea id="query" name="query" spellcheck="false">{example}</textarea>
<p><label for="format">Results as</label> <select id="format" name="format">"#,
        title = escape(title),
        access = if state.options.write_token.is_some() {
            "Writes (SPARQL Update, Graph Store <code>PUT</code>/<code>POST</code>/<code>DELETE</code>) need the write token."
        } else {
            "This endpoint is read-only."
        },
        default_graph = if state.options.union_default_graph {
            "the union of all named graphs"
        } else {
            "the store's own default graph"
        },
        example = escape(EXAMPLE),
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
    out.push_str(
        r#"</select> <button type="submit">Run</button></p>
</form>
<h2>What is served where</h2>
<table>
<tr><th>path</th><th>what</th></tr>
<tr><td><a href="sparql"><code>/sparql</code></a></td><td>SPARQL 1.1 Query and Update (GET, POST form, POST direct); the service description on a plain GET</td></tr>
<tr><td><code>/query</code>, <code>/update</code></td><td>the same, for queries only and updates only</td></tr>
<tr><td><code>/store</code></td><td>SPARQL 1.1 Graph Store Protocol (<code>?default</code>, <code>?graph=IRI</code>)</td></tr>
<tr><td><a href="health"><code>/health</code></a></td><td>liveness</td></tr>
</table>
<h2>Named graphs</h2>
"#,
    );
    match graphs {
        None => out.push_str("<p>The graphs are being counted; reload in a moment.</p>\n"),
        Some([]) => out.push_str("<p>The store holds no named graphs yet.</p>\n"),
        Some(graphs) => {
            let total: u64 = graphs.iter().map(|g| g.triples).sum();
            let _ = writeln!(
                out,
                "<p>{} graphs, {} triples.</p>\n<table>\n<tr><th>graph</th><th>triples</th></tr>",
                graphs.len(),
                total
            );
            for g in graphs {
                let _ = writeln!(
                    out,
                    "<tr><td><code>{}</code></td><td class=\"n\">{}</td></tr>",
                    escape(g.name.as_str()),
                    g.triples
                );
            }
            out.push_str("</table>\n");
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
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
    async fn the_page_says_what_is_served_where() {
        let app = App::new(None);
        let r = app.call(request("GET", "/", &[], "")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), "text/html; charset=utf-8");
        assert!(
            r.body.contains("<title>Test: SPARQL endpoint</title>"),
            "{}",
            r.body
        );
        assert!(r.body.contains("<form action=\"sparql\" method=\"get\">"));
        assert!(
            r.body.contains(
                "<tr><td><code>http://ex.example/g</code></td><td class=\"n\">3</td></tr>"
            ),
            "{}",
            r.body
        );
        let r = app.call(request("HEAD", "/", &[], "")).await;
        assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, ""));
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
