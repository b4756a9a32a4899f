//! `/ontology`: the application ontology (`ontologies/kulturnetz.ttl`, built into the binary)
//! as RDF by content negotiation (Turtle as written, N-Triples, RDF/XML, JSON-LD; `Vary:
//! Accept`), and for a browser a page documenting every class, property and individual (labels
//! and comments in German and English, domains, ranges, and the SHACL shapes of
//! `ontologies/shapes/` that use it), each with an anchor: `/ontology#Accessibility`.

use crate::error::ApiError;
use crate::extract::Params;
use crate::lang::Lang;
use crate::negotiate::{choose, negotiated};
use crate::page::{close_page, escape, html_response, open_page, wants_html};
use crate::state::{AppState, State};
use axum::Router;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use kulturnetz_model::vocab::kn;
use oxrdf::vocab::{rdf, rdfs};
use oxrdf::{NamedNode, NamedOrBlankNode, Term, Triple};
use oxrdfio::{JsonLdProfileSet, RdfFormat, RdfParser, RdfSerializer};
use std::fmt::Write as _;
use std::sync::{Arc, LazyLock};

/// The ontology as written.
const ONTOLOGY: &str = include_str!("../../../ontologies/kulturnetz.ttl");

/// The application profile: every file of `ontologies/shapes/` (a test checks that none is
/// missing here).
const SHAPES: &[(&str, &str)] = &[
    (
        "accessibility.ttl",
        include_str!("../../../ontologies/shapes/accessibility.ttl"),
    ),
    (
        "datasets.ttl",
        include_str!("../../../ontologies/shapes/datasets.ttl"),
    ),
    (
        "events.ttl",
        include_str!("../../../ontologies/shapes/events.ttl"),
    ),
    (
        "links.ttl",
        include_str!("../../../ontologies/shapes/links.ttl"),
    ),
    (
        "objects.ttl",
        include_str!("../../../ontologies/shapes/objects.ttl"),
    ),
    (
        "places.ttl",
        include_str!("../../../ontologies/shapes/places.ttl"),
    ),
    (
        "venues.ttl",
        include_str!("../../../ontologies/shapes/venues.ttl"),
    ),
];

/// The formats `/ontology` and `/graph/…` offer (a graph's triples: no dataset formats).
pub(crate) const TRIPLE_FORMATS: &[RdfFormat] = &[
    RdfFormat::Turtle,
    RdfFormat::NTriples,
    RdfFormat::RdfXml,
    RdfFormat::JsonLd {
        profile: JsonLdProfileSet::empty(),
    },
];

const SH: &str = "http://www.w3.org/ns/shacl#";
const OWL: &str = "http://www.w3.org/2002/07/owl#";

/// The ontology and the shapes, read once.
struct Parsed {
    ontology: Vec<Triple>,
    /// Each shapes file's name and triples.
    shapes: Vec<(&'static str, Vec<Triple>)>,
}

static PARSED: LazyLock<Result<Parsed, String>> = LazyLock::new(|| {
    let parse = |name: &str, text: &str| -> Result<Vec<Triple>, String> {
        RdfParser::from_format(RdfFormat::Turtle)
            .for_slice(text.as_bytes())
            .map(|q| q.map(Triple::from).map_err(|e| format!("{name}: {e}")))
            .collect()
    };
    Ok(Parsed {
        ontology: parse("kulturnetz.ttl", ONTOLOGY)?,
        shapes: SHAPES
            .iter()
            .map(|(name, text)| Ok((*name, parse(name, text)?)))
            .collect::<Result<_, String>>()?,
    })
});

fn parsed() -> Result<&'static Parsed, ApiError> {
    PARSED
        .as_ref()
        .map_err(|e| ApiError::Internal(format!("the built-in ontology: {e}")))
}

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new().route(
        "/ontology",
        get(
            |state: State, headers: HeaderMap, params: Params| async move {
                respond(&state.0, &headers, &params)
            },
        ),
    )
}

fn respond(state: &AppState, headers: &HeaderMap, params: &Params) -> Result<Response, ApiError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format_param = params.one("format")?;
    let lang_param = params.one("lang")?;
    if format_param.is_none() && wants_html(accept) {
        let lang = Lang::of(headers, lang_param);
        return Ok(html_response(
            StatusCode::OK,
            page(state, lang, parsed()?),
            lang_param,
        ));
    }
    let format = choose(TRIPLE_FORMATS, accept, format_param)?;
    let body = if format == RdfFormat::Turtle {
        ONTOLOGY.as_bytes().to_vec()
    } else {
        serialize(&parsed()?.ontology, format)?
    };
    Ok(negotiated(body.into(), format.media_type()))
}

/// `triples` in `format`, with the site's prefixes where the format has them.
pub(crate) fn serialize(triples: &[Triple], format: RdfFormat) -> Result<Vec<u8>, ApiError> {
    let internal = |e: &dyn std::fmt::Display| ApiError::Internal(e.to_string());
    let mut serializer = RdfSerializer::from_format(format);
    if matches!(
        format,
        RdfFormat::Turtle | RdfFormat::RdfXml | RdfFormat::JsonLd { .. }
    ) {
        for (prefix, namespace) in kulturnetz_model::vocab::PREFIXES {
            serializer = serializer
                .with_prefix(*prefix, *namespace)
                .map_err(|e| internal(&e))?;
        }
    }
    let mut writer = serializer.for_writer(Vec::new());
    for triple in triples {
        writer
            .serialize_triple(&xml_safe(triple.clone(), format))
            .map_err(|e| internal(&e))?;
    }
    writer.finish().map_err(|e| internal(&e))
}

/// `triple` with its blank nodes renamed `b…` for RDF/XML, whose `rdf:nodeID` must be an XML
/// name (the store's labels are hex and may start with a digit); unchanged for other formats.
pub(crate) fn xml_safe(triple: Triple, format: RdfFormat) -> Triple {
    if format != RdfFormat::RdfXml {
        return triple;
    }
    let rename = |b: &oxrdf::BlankNode| oxrdf::BlankNode::new_unchecked(format!("b{}", b.as_str()));
    let subject = match &triple.subject {
        NamedOrBlankNode::BlankNode(b) => NamedOrBlankNode::from(rename(b)),
        s => s.clone(),
    };
    let object = match &triple.object {
        Term::BlankNode(b) => Term::from(rename(b)),
        o => o.clone(),
    };
    Triple::new(subject, triple.predicate, object)
}

/// The ontology's classes and properties, and the classes and properties its shapes name
/// (`sh:targetClass`, `sh:class`, `sh:path`): IRI, whether a class, label in `lang` (empty when
/// it has none). For the query editor's completion.
pub(crate) fn terms(lang: Lang) -> Vec<(String, bool, String)> {
    let Ok(parsed) = parsed() else {
        return Vec::new();
    };
    let mut terms: Vec<(String, bool, String)> = Vec::new();
    for t in &parsed.ontology {
        if t.predicate != rdf::TYPE {
            continue;
        }
        let (NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (&t.subject, &t.object) else {
            continue;
        };
        let class = match o.as_str().strip_prefix(OWL) {
            Some("Class") => true,
            Some("ObjectProperty" | "DatatypeProperty" | "AnnotationProperty") => false,
            _ if o.as_str() == rdf::PROPERTY.as_str() => false,
            _ if o.as_str() == rdfs::CLASS.as_str() => true,
            _ => continue,
        };
        let label = text(&parsed.ontology, s, rdfs::LABEL.as_str(), lang).unwrap_or_default();
        terms.push((s.as_str().to_owned(), class, label));
    }
    for (_, shapes) in &parsed.shapes {
        for t in shapes {
            let class = match t.predicate.as_str().strip_prefix(SH) {
                Some("targetClass" | "class") => true,
                Some("path") => false,
                _ => continue,
            };
            if let Term::NamedNode(o) = &t.object {
                terms.push((o.as_str().to_owned(), class, String::new()));
            }
        }
    }
    terms.sort_by(|a, b| (&a.0, a.2.is_empty()).cmp(&(&b.0, b.2.is_empty())));
    terms.dedup_by(|a, b| a.0 == b.0);
    terms
}

/// The literal of `predicate` about `subject` in `lang`, else in the other language, else any.
fn text(triples: &[Triple], subject: &NamedNode, predicate: &str, lang: Lang) -> Option<String> {
    let literals: Vec<&oxrdf::Literal> = triples
        .iter()
        .filter(|t| t.predicate.as_str() == predicate)
        .filter(|t| matches!(&t.subject, NamedOrBlankNode::NamedNode(s) if s == subject))
        .filter_map(|t| match &t.object {
            Term::Literal(l) => Some(l),
            _ => None,
        })
        .collect();
    [lang, lang.other()]
        .iter()
        .find_map(|l| literals.iter().find(|x| x.language() == Some(l.code())))
        .or_else(|| literals.first())
        .map(|l| l.value().to_owned())
}

/// The kinds of terms, as the page groups them: heading id, rdf:types, German and English title.
const GROUPS: &[(&str, &[&str], &str, &str)] = &[
    ("classes", &["Class"], "Klassen", "Classes"),
    (
        "object-properties",
        &["ObjectProperty"],
        "Objekteigenschaften",
        "Object properties",
    ),
    (
        "datatype-properties",
        &["DatatypeProperty"],
        "Dateneigenschaften",
        "Datatype properties",
    ),
    (
        "annotation-properties",
        &["AnnotationProperty"],
        "Annotationseigenschaften",
        "Annotation properties",
    ),
    (
        "individuals",
        &["NamedIndividual"],
        "Individuen",
        "Individuals",
    ),
];

fn page(state: &AppState, lang: Lang, parsed: &Parsed) -> String {
    let say = |de, en| lang.say(de, en);
    let triples = &parsed.ontology;
    let ontology = triples
        .iter()
        .find(|t| t.predicate == rdf::TYPE && t.object.to_string() == format!("<{OWL}Ontology>"))
        .and_then(|t| match &t.subject {
            NamedOrBlankNode::NamedNode(n) => Some(n.clone()),
            NamedOrBlankNode::BlankNode(_) => None,
        });
    let title = ontology
        .as_ref()
        .and_then(|o| text(triples, o, "http://purl.org/dc/terms/title", lang))
        .unwrap_or_else(|| say("Ontologie", "Ontology").to_owned());
    let mut out = String::with_capacity(64 << 10);
    open_page(&mut out, state, lang, &title, "/ontology", false);
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    if let Some(o) = &ontology {
        if let Some(d) = text(triples, o, "http://purl.org/dc/terms/description", lang) {
            let _ = writeln!(out, "<p class=\"lead\">{}</p>", escape(&d));
        }
        let _ = write!(
            out,
            "<dl class=\"facts\"><dt>IRI</dt><dd><code>{iri}</code></dd><dt>{ns}</dt><dd><code>kn:</code> <code>{namespace}</code></dd>",
            iri = escape(o.as_str()),
            ns = say("Namensraum", "Namespace"),
            namespace = escape(kn::NAMESPACE),
        );
        for (p, de, en) in [
            (
                "http://www.w3.org/2002/07/owl#versionInfo",
                "Version",
                "Version",
            ),
            ("http://purl.org/dc/terms/license", "Lizenz", "Licence"),
        ] {
            for t in triples.iter().filter(|t| {
                t.predicate.as_str() == p
                    && matches!(&t.subject, NamedOrBlankNode::NamedNode(s) if s == o)
            }) {
                let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", say(de, en), value(&t.object));
            }
        }
        out.push_str("</dl>\n");
    }
    let _ = writeln!(
        out,
        "<p>{}: <a href=\"/ontology?format=ttl\">Turtle</a> · <a href=\"/ontology?format=nt\">N-Triples</a> · \
         <a href=\"/ontology?format=rdf\">RDF/XML</a> · <a href=\"/ontology?format=jsonld\">JSON-LD</a></p>",
        say("Als Daten", "As data")
    );
    // The terms of each group, by local name.
    let mut groups: Vec<Vec<NamedNode>> = vec![Vec::new(); GROUPS.len()];
    for t in triples.iter().filter(|t| t.predicate == rdf::TYPE) {
        let (NamedOrBlankNode::NamedNode(s), Term::NamedNode(o)) = (&t.subject, &t.object) else {
            continue;
        };
        let Some(kind) = o.as_str().strip_prefix(OWL) else {
            continue;
        };
        if let Some(i) = GROUPS.iter().position(|g| g.1.contains(&kind))
            && !groups[i].contains(s)
        {
            groups[i].push(s.clone());
        }
    }
    // An individual is listed once, under individuals, even when it is typed twice.
    for group in &mut groups {
        group.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    }
    out.push_str("<nav aria-labelledby=\"toc-h\" class=\"toc\"><h2 id=\"toc-h\">");
    out.push_str(say("Inhalt", "Contents"));
    out.push_str("</h2><ul>");
    for (&(id, _, de, en), terms) in GROUPS.iter().zip(&groups) {
        if terms.is_empty() {
            continue;
        }
        let _ = write!(out, "<li><a href=\"#{id}\">{}</a> (", say(de, en));
        for (i, term) in terms.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let local = local(term);
            let _ = write!(out, "<a href=\"#{0}\">{0}</a>", escape(local));
        }
        out.push_str(")</li>");
    }
    out.push_str("</ul></nav>\n");
    for (&(id, _, de, en), terms) in GROUPS.iter().zip(&groups) {
        if terms.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<section aria-labelledby=\"{id}\"><h2 id=\"{id}\">{}</h2>",
            say(de, en)
        );
        for term in terms {
            term_section(&mut out, lang, parsed, term);
        }
        out.push_str("</section>\n");
    }
    close_page(&mut out, state, lang);
    out
}

/// The local name of a term of the ontology (its anchor), or the whole IRI.
fn local(term: &NamedNode) -> &str {
    term.as_str()
        .strip_prefix(kn::NAMESPACE)
        .unwrap_or(term.as_str())
}

fn term_section(out: &mut String, lang: Lang, parsed: &Parsed, term: &NamedNode) {
    let say = |de, en| lang.say(de, en);
    let triples = &parsed.ontology;
    let anchor = local(term);
    let label = text(triples, term, rdfs::LABEL.as_str(), lang).unwrap_or_default();
    let _ = writeln!(
        out,
        "<article class=\"term\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\">\
         <h3 id=\"{anchor}-h\"><code>kn:{anchor}</code> <span class=\"muted\">{label}</span></h3>",
        anchor = escape(anchor),
        label = escape(&label),
    );
    // Labels and comments in both languages, the page's first.
    for predicate in [rdfs::LABEL, rdfs::COMMENT] {
        let mut literals: Vec<&oxrdf::Literal> = triples
            .iter()
            .filter(|t| {
                t.predicate == predicate
                    && matches!(&t.subject, NamedOrBlankNode::NamedNode(s) if s == term)
            })
            .filter_map(|t| match &t.object {
                Term::Literal(l) => Some(l),
                _ => None,
            })
            .collect();
        literals.sort_by_key(|l| l.language() != Some(lang.code()));
        if predicate == rdfs::COMMENT {
            for l in literals {
                let _ = writeln!(
                    out,
                    "<p{}>{}</p>",
                    l.language()
                        .map(|t| format!(" lang=\"{}\"", escape(t)))
                        .unwrap_or_default(),
                    escape(l.value())
                );
            }
        } else if literals.len() > 1 {
            out.push_str("<p class=\"muted\">");
            out.push_str(say("Bezeichnungen", "Labels"));
            out.push_str(": ");
            for (i, l) in literals.iter().enumerate() {
                if i > 0 {
                    out.push_str(" · ");
                }
                let _ = write!(
                    out,
                    "<span{}>{}</span>",
                    l.language()
                        .map(|t| format!(" lang=\"{}\"", escape(t)))
                        .unwrap_or_default(),
                    escape(l.value())
                );
            }
            out.push_str("</p>\n");
        }
    }
    out.push_str("<dl class=\"facts\">");
    let _ = write!(
        out,
        "<dt>IRI</dt><dd><code>{}</code></dd>",
        escape(term.as_str())
    );
    let rows: [(&str, &str, &str); 7] = [
        (rdf::TYPE.as_str(), "Typ", "Type"),
        (
            rdfs::SUB_CLASS_OF.as_str(),
            "Unterklasse von",
            "Subclass of",
        ),
        (
            rdfs::SUB_PROPERTY_OF.as_str(),
            "Untereigenschaft von",
            "Subproperty of",
        ),
        (rdfs::DOMAIN.as_str(), "Domäne", "Domain"),
        (rdfs::RANGE.as_str(), "Wertebereich", "Range"),
        (
            "http://www.w3.org/2002/07/owl#inverseOf",
            "Invers zu",
            "Inverse of",
        ),
        (rdfs::SEE_ALSO.as_str(), "Siehe auch", "See also"),
    ];
    for (p, de, en) in rows {
        let values = objects(triples, term, p);
        if values.is_empty() {
            continue;
        }
        let _ = write!(out, "<dt>{}</dt><dd>", say(de, en));
        for (i, o) in values.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&value(o));
        }
        out.push_str("</dd>");
    }
    // The terms whose domain or range this class is.
    let used: Vec<&NamedNode> = triples
        .iter()
        .filter(|t| {
            (t.predicate == rdfs::DOMAIN || t.predicate == rdfs::RANGE)
                && t.object == Term::from(term.clone())
        })
        .filter_map(|t| match &t.subject {
            NamedOrBlankNode::NamedNode(n) => Some(n),
            NamedOrBlankNode::BlankNode(_) => None,
        })
        .collect();
    if !used.is_empty() {
        let _ = write!(out, "<dt>{}</dt><dd>", say("Verwendet von", "Used by"));
        for (i, n) in used.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&value(&Term::from((*n).clone())));
        }
        out.push_str("</dd>");
    }
    let shapes = shapes_using(parsed, term, lang);
    if !shapes.is_empty() {
        let _ = write!(
            out,
            "<dt>{}</dt><dd><ul>",
            say("SHACL-Formen", "SHACL shapes")
        );
        for (file, shape, label, how) in shapes {
            let _ = write!(
                out,
                "<li><code>{}</code>{} <span class=\"muted\">({how}, <code>ontologies/shapes/{}</code>)</span></li>",
                escape(&shape),
                if label.is_empty() {
                    String::new()
                } else {
                    format!(" {}", escape(&label))
                },
                escape(file),
            );
        }
        out.push_str("</ul></dd>");
    }
    out.push_str("</dl></article>\n");
}

/// The objects of `subject`'s `predicate`.
fn objects<'a>(triples: &'a [Triple], subject: &NamedNode, predicate: &str) -> Vec<&'a Term> {
    triples
        .iter()
        .filter(|t| {
            t.predicate.as_str() == predicate
                && matches!(&t.subject, NamedOrBlankNode::NamedNode(s) if s == subject)
        })
        .map(|t| &t.object)
        .collect()
}

/// The shapes that use `term`: file, node shape (prefixed), its label, and how it uses it.
fn shapes_using(
    parsed: &Parsed,
    term: &NamedNode,
    lang: Lang,
) -> Vec<(&'static str, String, String, &'static str)> {
    let mut found = Vec::new();
    let target = Term::from(term.clone());
    for (file, triples) in &parsed.shapes {
        for t in triples.iter().filter(|t| t.object == target) {
            let how = match t.predicate.as_str().strip_prefix(SH) {
                Some("targetClass") => lang.say("Zielklasse", "target class"),
                Some("class") => lang.say("Klasse der Werte", "class of the values"),
                Some("path") => lang.say("Pfad", "path"),
                Some("hasValue" | "in") => lang.say("Wert", "value"),
                _ => continue,
            };
            // A property shape belongs to the node shape that lists it.
            let node = triples
                .iter()
                .find(|n| {
                    n.predicate.as_str() == format!("{SH}property")
                        && n.object == Term::from(t.subject.clone())
                })
                .map_or(&t.subject, |n| &n.subject);
            let NamedOrBlankNode::NamedNode(node) = node else {
                continue;
            };
            let name = node
                .as_str()
                .strip_prefix("https://w3id.org/kulturnetz/shapes#")
                .map_or_else(|| node.as_str().to_owned(), |l| format!("kns:{l}"));
            let label = text(triples, node, rdfs::LABEL.as_str(), lang).unwrap_or_default();
            let entry = (*file, name, label, how);
            if !found.contains(&entry) {
                found.push(entry);
            }
        }
    }
    found
}

/// A term on the page: a term of the ontology as a link to its anchor, another IRI prefixed
/// where a prefix fits, a literal as text.
fn value(term: &Term) -> String {
    match term {
        Term::NamedNode(n) => {
            if let Some(local) = n.as_str().strip_prefix(kn::NAMESPACE)
                && !local.is_empty()
            {
                return format!("<a href=\"#{0}\"><code>kn:{0}</code></a>", escape(local));
            }
            let compact = kulturnetz_model::vocab::PREFIXES
                .iter()
                .find_map(|(p, ns)| {
                    n.as_str()
                        .strip_prefix(ns)
                        .filter(|l| !l.is_empty() && !l.contains(['/', '#']))
                        .map(|l| format!("{p}:{l}"))
                })
                .unwrap_or_else(|| n.as_str().to_owned());
            format!(
                "<a href=\"{}\"><code>{}</code></a>",
                escape(n.as_str()),
                escape(&compact)
            )
        }
        Term::Literal(l) => escape(l.value()),
        other => format!("<code>{}</code>", escape(&other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{App, request};

    #[test]
    fn every_shapes_file_is_built_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../ontologies/shapes");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("the shapes folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".ttl"))
            .collect();
        files.sort();
        let built_in: Vec<&str> = SHAPES.iter().map(|(n, _)| *n).collect();
        assert_eq!(files, built_in);
        assert!(PARSED.is_ok(), "{:?}", PARSED.as_ref().err());
    }

    #[tokio::test]
    async fn the_page_documents_every_term_with_an_anchor() {
        let app = App::new(None);
        let r = app
            .call(request(
                "GET",
                "/ontology",
                &[("accept", "text/html"), ("accept-language", "en")],
                "",
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("vary"), crate::lang::VARY);
        for term in kn::TERMS {
            let local = term.as_str().strip_prefix(kn::NAMESPACE).expect("kn term");
            assert!(
                r.body.contains(&format!("id=\"{local}\"")),
                "no anchor for {local}"
            );
        }
        // Domains and ranges, and the shapes that use a term.
        assert!(r.body.contains("<dt>Domain</dt>"), "{}", r.body);
        assert!(r.body.contains("ontologies/shapes/accessibility.ttl"));
        let r = app
            .call(request(
                "GET",
                "/ontology",
                &[("accept", "application/n-triples")],
                "",
            ))
            .await;
        assert_eq!(r.header("content-type"), "application/n-triples");
        assert_eq!(r.header("vary"), "Accept");
        assert!(
            r.body
                .contains(&format!("<{}Accessibility>", kn::NAMESPACE))
        );
        let r = app
            .call(request("GET", "/ontology", &[("accept", "image/png")], ""))
            .await;
        assert_eq!(r.status, StatusCode::NOT_ACCEPTABLE);
    }
}
