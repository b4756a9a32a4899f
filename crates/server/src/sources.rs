//! What the pages say about the store's named graphs: their sizes (kept by the backend) and what
//! the ingest recorded about each in the meta graph `{base}graph/meta` (licence, time of the
//! last ingest, counts, fingerprint: PROV-O, VoID and DCTERMS, written by the pipeline's
//! `provenance.rs`).

use crate::error::ApiError;
use crate::state::AppState;
use kulturnetz_model::vocab;
use oxrdf::{NamedNode, Term};
use std::sync::Arc;

/// A named graph of the store with what the meta graph says about it.
pub(crate) struct Source {
    /// The graph's IRI.
    pub(crate) graph: NamedNode,
    /// The name below `{base}graph/` if the site minted the graph (a source's id, `meta`,
    /// `links`), as written in the IRI.
    pub(crate) id: Option<String>,
    /// Triples in the graph.
    pub(crate) triples: u64,
    /// The meta graph's statements about the graph, sorted by predicate.
    pub(crate) meta: Vec<(NamedNode, Term)>,
}

impl Source {
    /// The first object of `predicate` in the meta graph.
    pub(crate) fn meta(&self, predicate: &str) -> Option<&Term> {
        self.meta
            .iter()
            .find(|(p, _)| p.as_str() == predicate)
            .map(|(_, o)| o)
    }

    /// The licence recorded by the last ingest.
    pub(crate) fn license(&self) -> Option<&Term> {
        self.meta(vocab::DCTERMS_LICENSE)
    }

    /// When the last ingest published the graph (`xsd:dateTime`, as written).
    pub(crate) fn modified(&self) -> Option<&str> {
        match self.meta(vocab::PROV_GENERATED_AT_TIME)? {
            Term::Literal(l) => Some(l.value()),
            _ => None,
        }
    }
}

/// The path of the graph's page, if the site minted it.
pub(crate) fn page_path(id: &str) -> String {
    format!("/graph/{id}")
}

/// Every named graph with its description, in the backend's order.
pub(crate) async fn sources(state: &Arc<AppState>) -> Result<Vec<Source>, ApiError> {
    let graphs = crate::state::graphs(state).await?;
    let meta = NamedNode::new_unchecked(format!("{}graph/meta", state.site.base_iri));
    let rows = crate::state::select(
        state,
        &format!(
            "SELECT ?g ?p ?o WHERE {{ GRAPH {meta} {{ ?g ?p ?o }} FILTER(isIRI(?g)) }} ORDER BY ?g ?p ?o"
        ),
    )
    .await?;
    let mut described: Vec<(NamedNode, NamedNode, Term)> = rows
        .into_iter()
        .filter_map(|row| match (&row[0], &row[1], &row[2]) {
            (Some(Term::NamedNode(g)), Some(Term::NamedNode(p)), Some(o)) => {
                Some((g.clone(), p.clone(), o.clone()))
            }
            _ => None,
        })
        .collect();
    described.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    let prefix = format!("{}graph/", state.site.base_iri);
    Ok(graphs
        .into_iter()
        .map(|info| {
            let graph = info.name;
            let start = described.partition_point(|(g, _, _)| g.as_str() < graph.as_str());
            let meta = described[start..]
                .iter()
                .take_while(|(g, _, _)| *g == graph)
                .map(|(_, p, o)| (p.clone(), o.clone()))
                .collect();
            let id = graph
                .as_str()
                .strip_prefix(&prefix)
                .filter(|id| !id.is_empty() && !id.contains(['/', '?', '#']))
                .map(str::to_owned);
            Source {
                graph,
                id,
                triples: info.triples,
                meta,
            }
        })
        .collect())
}

/// The short name of a licence IRI (`cc-by/4.0` for DCAT-AP.de's
/// `http://dcat-ap.de/def/licenses/cc-by/4.0`), or the whole IRI.
pub(crate) fn license_name(license: &str) -> &str {
    license
        .split_once("/licenses/")
        .map_or(license, |(_, name)| name)
}

/// Whether the dumps folder holds `file` (a source's dumps exist after the first ingest that
/// wrote them).
pub(crate) fn has_dump(state: &AppState, file: &str) -> bool {
    state
        .options
        .dumps
        .as_ref()
        .is_some_and(|dir| dir.join(file).is_file())
}
