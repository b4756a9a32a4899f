//! The VoID description of a site (<https://www.w3.org/TR/void/>), written beside the dumps
//! from what writing them counted, and served at `/.well-known/void`; with a `void:Linkset`
//! for each kind of link the linking stage made between two sources (counted from the links
//! graph after the dumps).
//!
//! The file is Turtle whose IRIs for the site's own paths are relative to its root
//! (`</sparql>`, `</dumps/all.nq.gz>`, `</.well-known/void#dataset>`): a client resolves them
//! against the address it fetched the description from, so the same file is right behind any
//! host name or proxy.

use kulturnetz_model::Config;
use kulturnetz_store::{Backend, Manifest, QueryOutcome, QueryRequest};
use oxrdf::{Literal, NamedNode, Term};
use std::fmt::Write as _;
use std::path::Path;

/// The file the description is written to, in the dumps' folder (where the server reads it).
const FILE: &str = kulturnetz_server::VOID_FILE;

/// Links of one predicate from the entities of one source to those of another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Linkset {
    /// The source whose graph describes the links' subjects.
    pub(crate) subjects: String,
    pub(crate) predicate: NamedNode,
    /// The source whose graph describes the links' objects.
    pub(crate) objects: String,
    pub(crate) triples: u64,
}

/// The linksets of the links graph: each link counted once for each pair of sources whose
/// graphs type its subject and its object.
pub(crate) fn linksets(config: &Config, store: &dyn Backend) -> anyhow::Result<Vec<Linkset>> {
    let minter = config.minter();
    let links = minter.graph("links");
    let graphs: Vec<(NamedNode, &str)> = config
        .sources
        .iter()
        .map(|s| (minter.graph(&s.id), s.id.as_str()))
        .collect();
    let query = format!(
        "SELECT ?sg ?p ?og (COUNT(*) AS ?n) WHERE {{ \
         {{ SELECT DISTINCT ?s ?p ?o ?sg ?og WHERE {{ GRAPH {links} {{ ?s ?p ?o }} \
         GRAPH ?sg {{ ?s a ?st }} GRAPH ?og {{ ?o a ?ot }} }} }} }} GROUP BY ?sg ?p ?og ORDER BY ?sg ?p ?og"
    );
    let query = kulturnetz_sparql::parse_query(&query, None)?;
    let QueryOutcome::Solutions {
        variables,
        solutions,
    } = store.query(&QueryRequest::new(query))?
    else {
        return Ok(Vec::new());
    };
    let source = |t: Option<&Term>| match t {
        Some(Term::NamedNode(g)) => graphs.iter().find(|(n, _)| n == g).map(|(_, id)| *id),
        _ => None,
    };
    let mut out = Vec::new();
    for solution in solutions {
        let solution = solution?;
        let at = |i: usize| solution.get(&variables[i]);
        let (
            Some(subjects),
            Some(Term::NamedNode(predicate)),
            Some(objects),
            Some(Term::Literal(n)),
        ) = (source(at(0)), at(1), source(at(2)), at(3))
        else {
            continue;
        };
        out.push(Linkset {
            subjects: subjects.to_owned(),
            predicate: predicate.clone(),
            objects: objects.to_owned(),
            triples: n.value().parse().unwrap_or(0),
        });
    }
    Ok(out)
}

/// Writes `void.ttl` into `dir` (to a temporary file renamed when complete).
pub(crate) fn write(
    config: &Config,
    manifest: &Manifest,
    linksets: &[Linkset],
    dir: &Path,
) -> std::io::Result<()> {
    let text = describe(config, manifest, linksets);
    let tmp = dir.join(format!(".{FILE}.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, dir.join(FILE))
}

/// The description: the site as a `void:Dataset` with a subset per dumped source and per
/// linkset.
pub(crate) fn describe(config: &Config, manifest: &Manifest, linksets: &[Linkset]) -> String {
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
    for linkset in linksets {
        let _ = writeln!(out, "  void:subset {} ;", linkset_iri(linkset));
    }
    let _ = writeln!(out, "  void:triples {} .\n", manifest.quads);

    for linkset in linksets {
        let _ = writeln!(out, "{} a void:Linkset ;", linkset_iri(linkset));
        let _ = writeln!(
            out,
            "  void:subjectsTarget </.well-known/void#source-{}> ;",
            fragment(&linkset.subjects)
        );
        let _ = writeln!(
            out,
            "  void:objectsTarget </.well-known/void#source-{}> ;",
            fragment(&linkset.objects)
        );
        let _ = writeln!(out, "  void:linkPredicate {} ;", linkset.predicate);
        let _ = writeln!(out, "  void:triples {} .\n", linkset.triples);
    }

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

/// The IRI of a linkset in the description: its two sources and its predicate's local name.
fn linkset_iri(linkset: &Linkset) -> String {
    let predicate = linkset.predicate.as_str();
    let local = &predicate[namespace(predicate).len()..];
    format!(
        "</.well-known/void#linkset-{}-{}-{}>",
        fragment(&linkset.subjects),
        fragment(local),
        fragment(&linkset.objects)
    )
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
