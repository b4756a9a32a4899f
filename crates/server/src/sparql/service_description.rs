//! The SPARQL 1.1 Service Description (<https://www.w3.org/TR/sparql11-service-description/>)
//! answered on a GET of the endpoint without a query.

use crate::error::ApiError;
use crate::extract::{Params, RequestUrl};
use crate::negotiate::{RDF_FORMATS, RESULT_FORMATS, choose, negotiated};
use crate::state::AppState;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use kulturnetz_model::vocab;
use oxrdf::{BlankNode, Graph, Literal, NamedNode, NamedNodeRef, Triple, vocab::rdf};
use oxrdfio::{RdfFormat, RdfSerializer};
use std::sync::Arc;

const SD: &str = "http://www.w3.org/ns/sparql-service-description#";

fn sd(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{SD}{local}"))
}

pub(crate) async fn respond(
    state: &Arc<AppState>,
    url: &RequestUrl,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Response, ApiError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = choose(RDF_FORMATS, accept, params.one("format")?)?;
    let graphs = crate::state::graphs(state).await?;
    let mut g = Graph::new();
    let service = BlankNode::default();
    let endpoint =
        NamedNode::new(url.0.as_str()).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let mut add = |s: &BlankNode, p: NamedNodeRef<'_>, o: oxrdf::Term| {
        g.insert(&Triple::new(s.clone(), p, o));
    };
    add(&service, rdf::TYPE, sd("Service").into());
    add(&service, sd("endpoint").as_ref(), endpoint.into());
    add(
        &service,
        sd("supportedLanguage").as_ref(),
        sd("SPARQL11Query").into(),
    );
    if state.options.write_token.is_some() {
        add(
            &service,
            sd("supportedLanguage").as_ref(),
            sd("SPARQL11Update").into(),
        );
    }
    for f in RESULT_FORMATS {
        add(
            &service,
            sd("resultFormat").as_ref(),
            NamedNode::new_unchecked(f.iri()).into(),
        );
    }
    for f in RDF_FORMATS {
        add(
            &service,
            sd("resultFormat").as_ref(),
            NamedNode::new_unchecked(f.iri()).into(),
        );
    }
    if state.options.union_default_graph {
        add(
            &service,
            sd("feature").as_ref(),
            sd("UnionDefaultGraph").into(),
        );
    }
    if !state.options.service_allow.is_empty() {
        add(
            &service,
            sd("feature").as_ref(),
            sd("BasicFederatedQuery").into(),
        );
    }
    let dataset = BlankNode::default();
    add(
        &service,
        sd("defaultDataset").as_ref(),
        dataset.clone().into(),
    );
    add(&dataset, rdf::TYPE, sd("Dataset").into());
    let default_graph = BlankNode::default();
    add(
        &dataset,
        sd("defaultGraph").as_ref(),
        default_graph.clone().into(),
    );
    add(&default_graph, rdf::TYPE, sd("Graph").into());
    for info in graphs {
        let named = BlankNode::default();
        let graph = BlankNode::default();
        add(&dataset, sd("namedGraph").as_ref(), named.clone().into());
        add(&named, rdf::TYPE, sd("NamedGraph").into());
        add(&named, sd("name").as_ref(), info.name.into());
        add(&named, sd("graph").as_ref(), graph.clone().into());
        add(&graph, rdf::TYPE, sd("Graph").into());
        add(
            &graph,
            NamedNode::new_unchecked(vocab::VOID_TRIPLES).as_ref(),
            Literal::from(i64::try_from(info.triples).unwrap_or(i64::MAX)).into(),
        );
    }
    let mut serializer = RdfSerializer::from_format(format);
    if matches!(format, RdfFormat::Turtle | RdfFormat::TriG) {
        serializer = serializer
            .with_prefix("sd", SD)
            .and_then(|s| s.with_prefix("void", "http://rdfs.org/ns/void#"))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let mut serializer = serializer.for_writer(Vec::new());
    for t in &g {
        serializer
            .serialize_triple(t)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let body = serializer
        .finish()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(negotiated(body.into(), format.media_type()))
}
