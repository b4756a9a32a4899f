//! A source's metadata in the meta graph (`{base}graph/meta`): fingerprint, counts, time and
//! licence as PROV-O, VoID and DCTERMS, read back to decide whether a source changed.

use kulturnetz_model::{Config, SourceConfig, vocab};
use kulturnetz_store::{Backend, Description, QueryOutcome, QueryRequest, StoreError};
use oxrdf::{Literal, NamedNode, Term, vocab::rdf, vocab::xsd};
use std::time::SystemTime;

/// What the meta graph says about a source's published graph.
#[derive(Debug, Default)]
pub(crate) struct Stored {
    pub(crate) fingerprint: Option<String>,
    pub(crate) accepted: u64,
    pub(crate) rejected: u64,
    pub(crate) triples: u64,
}

/// The counts a new description records.
pub(crate) struct Counts {
    pub(crate) accepted: u64,
    pub(crate) rejected: u64,
    pub(crate) triples: u64,
}

/// Reads what `meta` says about `graph`.
pub(crate) fn stored(
    backend: &dyn Backend,
    meta: &NamedNode,
    graph: &NamedNode,
) -> Result<Stored, StoreError> {
    let query = spargebra::SparqlParser::new()
        .parse_query(&format!(
            "SELECT ?p ?o WHERE {{ GRAPH {meta} {{ {graph} ?p ?o }} }}"
        ))
        .map_err(|e| StoreError::Evaluation(e.to_string()))?;
    let mut stored = Stored::default();
    if let QueryOutcome::Solutions { solutions, .. } = backend.query(&QueryRequest::new(query))? {
        for solution in solutions {
            let solution = solution?;
            let (Some(Term::NamedNode(p)), Some(Term::Literal(o))) =
                (solution.get("p"), solution.get("o"))
            else {
                continue;
            };
            let number = || o.value().parse().unwrap_or(0);
            match p.as_str() {
                vocab::FINGERPRINT => stored.fingerprint = Some(o.value().to_owned()),
                vocab::ACCEPTED => stored.accepted = number(),
                vocab::REJECTED => stored.rejected = number(),
                vocab::VOID_TRIPLES => stored.triples = number(),
                _ => {}
            }
        }
    }
    Ok(stored)
}

/// The description of `graph` in the meta graph after this ingest, published with the graph.
pub(crate) fn description(
    config: &Config,
    source: &SourceConfig,
    meta: NamedNode,
    graph: &NamedNode,
    fingerprint: &str,
    counts: &Counts,
) -> Description {
    let p = NamedNode::new_unchecked;
    let count = |n: u64| Literal::from(i64::try_from(n).unwrap_or(i64::MAX));
    let mut description = Description::new(meta, graph.clone())
        .with(rdf::TYPE.into_owned(), p(vocab::PROV_ENTITY))
        .with(
            p(vocab::FINGERPRINT),
            Literal::new_simple_literal(fingerprint),
        )
        .with(
            p(vocab::DCTERMS_IDENTIFIER),
            Literal::new_simple_literal(&source.id),
        )
        .with(p(vocab::ACCEPTED), count(counts.accepted))
        .with(p(vocab::REJECTED), count(counts.rejected))
        .with(p(vocab::VOID_TRIPLES), count(counts.triples))
        .with(
            p(vocab::PROV_GENERATED_AT_TIME),
            Literal::new_typed_literal(
                humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
                xsd::DATE_TIME,
            ),
        );
    if let Some(license) = source.license.as_ref().or(config.site.license.as_ref()) {
        let license = NamedNode::new(license.as_str())
            .map_or_else(|_| Literal::new_simple_literal(license).into(), Term::from);
        description = description.with(p(vocab::DCTERMS_LICENSE), license);
    }
    description
}
