//! The VoID description of a site (<https://www.w3.org/TR/void/>), written beside the dumps
//! from what writing them counted, and served at `/.well-known/void`.
//!
//! The file is Turtle whose IRIs for the site's own paths are relative to its root
//! (`</sparql>`, `</dumps/all.nq.gz>`, `</.well-known/void#dataset>`): a client resolves them
//! against the address it fetched the description from, so the same file is right behind any
//! host name or proxy.

use kulturnetz_model::Config;
use kulturnetz_store::Manifest;
use oxrdf::{Literal, NamedNode};
use std::fmt::Write as _;
use std::path::Path;

/// The file the description is written to, in the dumps' folder (where the server reads it).
const FILE: &str = kulturnetz_server::VOID_FILE;

/// Writes `void.ttl` into `dir` (to a temporary file renamed when complete).
pub(crate) fn write(config: &Config, manifest: &Manifest, dir: &Path) -> std::io::Result<()> {
    let text = describe(config, manifest);
    let tmp = dir.join(format!(".{FILE}.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, dir.join(FILE))
}

/// The description: the site as a `void:Dataset` with a subset per dumped source.
pub(crate) fn describe(config: &Config, manifest: &Manifest) -> String {
    let site = &config.site;
    let mut out = String::from(
        "@prefix void: <http://rdfs.org/ns/void#> .\n\
         @prefix dcterms: <http://purl.org/dc/terms/> .\n\
         @prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n\
         @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n",
    );
    let literal = |text: &str| Literal::new_simple_literal(text).to_string();
    let _ = writeln!(out, "</.well-known/void#dataset> a void:Dataset ;");
    let _ = writeln!(out, "  dcterms:title {} ;", literal(&site.title));
    if !site.publisher.is_empty() {
        let _ = writeln!(out, "  dcterms:publisher {} ;", literal(&site.publisher));
    }
    if let Some(license) = site.license.as_deref().and_then(iri) {
        let _ = writeln!(out, "  dcterms:license {license} ;");
    }
    let _ = writeln!(out, "  void:sparqlEndpoint </sparql> ;");
    let _ = writeln!(out, "  void:dataDump </dumps/all.nq.gz> ;");
    if let Some(space) = iri(&format!("{}id/", site.base_iri)) {
        let _ = writeln!(out, "  void:uriSpace {} ;", literal(space.as_str()));
    }
    let mut vocabularies: Vec<String> = manifest
        .graphs
        .iter()
        .flat_map(|g| {
            g.properties
                .iter()
                .chain(&g.classes)
                .map(|(term, _)| namespace(term.as_str()).to_owned())
        })
        .collect();
    vocabularies.sort();
    vocabularies.dedup();
    for vocabulary in vocabularies.iter().filter_map(|v| iri(v)) {
        let _ = writeln!(out, "  void:vocabulary {vocabulary} ;");
    }
    for stats in &manifest.graphs {
        let _ = writeln!(
            out,
            "  void:subset </.well-known/void#source-{}> ;",
            fragment(&stats.source)
        );
    }
    let _ = writeln!(out, "  void:triples {} .\n", manifest.quads);

    for stats in &manifest.graphs {
        let source = config.sources.iter().find(|s| s.id == stats.source);
        let _ = writeln!(
            out,
            "</.well-known/void#source-{}> a void:Dataset ;",
            fragment(&stats.source)
        );
        let title = source
            .and_then(|s| s.title.clone())
            .unwrap_or_else(|| stats.source.clone());
        let _ = writeln!(out, "  dcterms:title {} ;", literal(&title));
        let _ = writeln!(out, "  dcterms:identifier {} ;", literal(&stats.source));
        if let Some(license) = source
            .and_then(|s| s.license.as_deref().or(site.license.as_deref()))
            .and_then(iri)
        {
            let _ = writeln!(out, "  dcterms:license {license} ;");
        }
        if let Some(graph) = &stats.graph {
            let _ = writeln!(out, "  sd:name {graph} ;");
        }
        let _ = writeln!(out, "  void:sparqlEndpoint </sparql> ;");
        for file in manifest
            .files
            .iter()
            .filter(|f| f.source.as_deref() == Some(stats.source.as_str()))
        {
            let _ = writeln!(out, "  void:dataDump </dumps/{}> ;", file.name);
        }
        for (class, entities) in &stats.classes {
            let _ = writeln!(
                out,
                "  void:classPartition [ void:class {class} ; void:entities {entities} ] ;"
            );
        }
        for (property, triples) in &stats.properties {
            let _ = writeln!(
                out,
                "  void:propertyPartition [ void:property {property} ; void:triples {triples} ] ;"
            );
        }
        let _ = writeln!(out, "  void:classes {} ;", stats.classes.len());
        let _ = writeln!(out, "  void:properties {} ;", stats.properties.len());
        let _ = writeln!(out, "  void:distinctSubjects {} ;", stats.subjects);
        let _ = writeln!(out, "  void:distinctObjects {} ;", stats.objects);
        let _ = writeln!(out, "  void:triples {} .\n", stats.triples);
    }
    out
}

/// An IRI as Turtle writes it, if the text is one.
fn iri(text: &str) -> Option<NamedNode> {
    NamedNode::new(text).ok()
}

/// The namespace of a term: its IRI up to the last `#` or `/`.
fn namespace(iri: &str) -> &str {
    iri.rfind(['#', '/']).map_or(iri, |i| &iri[..=i])
}

/// A source id as an IRI fragment: ids are letters, digits, `-` and `_` already (the
/// configuration checks them), anything else is percent-encoded.
fn fragment(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
