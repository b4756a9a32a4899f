//! The embedded backend: Oxigraph on RocksDB.

use crate::guard::{Refuse, RefuseAll};
use crate::{
    Backend, Dataset, GraphInfo, GraphWriter, QueryOutcome, QueryRequest, ServicePolicy,
    StoreError, UpdateRequest,
};
use kulturnetz_sparql::RefusedServices;
use oxigraph::io::RdfFormat;
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::{Store, Transaction};
use oxrdf::{
    GraphName, GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, QuadRef, Triple,
    TripleRef,
};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Options of the embedded store.
#[derive(Debug, Clone, Default)]
pub struct EmbeddedOptions {
    /// Hosts that `SERVICE` and `LOAD` may reach.
    pub service_policy: ServicePolicy,
}

/// An Oxigraph store in a folder.
#[derive(Clone)]
pub struct Embedded {
    store: Store,
    options: Arc<EmbeddedOptions>,
}

impl Embedded {
    /// Opens (or creates) the store in `path`.
    pub fn open(path: &Path, options: &EmbeddedOptions) -> Result<Self, StoreError> {
        std::fs::create_dir_all(path)
            .map_err(|e| StoreError::Storage(format!("cannot create {}: {e}", path.display())))?;
        let store = Store::open(path).map_err(|e| {
            StoreError::Storage(format!("cannot open the store in {}: {e}", path.display()))
        })?;
        Ok(Self {
            store,
            options: Arc::new(options.clone()),
        })
    }

    /// An evaluator that refuses the services the policy does not allow; `refused` finds them
    /// in the request, which is only needed when the policy allows some host.
    fn evaluator(
        &self,
        refused: impl FnOnce(&ServicePolicy) -> RefusedServices,
        cancel: Option<&crate::Cancel>,
    ) -> SparqlEvaluator {
        let mut evaluator = SparqlEvaluator::new();
        let policy = &self.options.service_policy;
        if policy.allows_none() {
            evaluator = evaluator.with_default_service_handler(RefuseAll);
        } else {
            let refused = refused(policy);
            for name in refused.names {
                evaluator = evaluator.with_service_handler(name.clone(), Refuse(name));
            }
            if refused.variable {
                evaluator = evaluator.with_default_service_handler(RefuseAll);
            }
        }
        if let Some(cancel) = cancel {
            evaluator = evaluator.with_cancellation_token(cancel.0.clone());
        }
        evaluator
    }
}

fn named_graphs(graphs: &[NamedNode]) -> Vec<GraphName> {
    graphs.iter().cloned().map(GraphName::NamedNode).collect()
}

fn apply_dataset(dataset: &Dataset, spec: &mut oxigraph::sparql::QueryDataset) {
    if !dataset.is_unspecified() {
        spec.set_default_graph(named_graphs(&dataset.default_graphs));
        spec.set_available_named_graphs(
            dataset
                .named_graphs
                .iter()
                .cloned()
                .map(NamedOrBlankNode::NamedNode)
                .collect(),
        );
    } else if dataset.union_default_graph && spec.is_default_dataset() {
        spec.set_default_graph_as_union();
    }
}

impl Backend for Embedded {
    fn query(&self, request: &QueryRequest) -> Result<QueryOutcome, StoreError> {
        let mut prepared = self
            .evaluator(
                |policy| policy.refused_in_query(&request.query),
                Some(&request.cancel),
            )
            .for_query(request.query.clone());
        apply_dataset(&request.dataset, prepared.dataset_mut());
        Ok(match prepared.on_store(&self.store).execute()? {
            QueryResults::Solutions(solutions) => QueryOutcome::Solutions {
                variables: solutions.variables().into(),
                solutions: Box::new(solutions.map(|s| s.map_err(StoreError::from))),
            },
            QueryResults::Boolean(b) => QueryOutcome::Boolean(b),
            QueryResults::Graph(triples) => {
                QueryOutcome::Graph(Box::new(triples.map(|t| t.map_err(StoreError::from))))
            }
        })
    }

    fn update(&self, request: &UpdateRequest) -> Result<(), StoreError> {
        let update = self
            .options
            .service_policy
            .check_update(&request.update)
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        let mut prepared = self
            .evaluator(|policy| policy.refused_in_update(&update), None)
            .for_update(update.into_owned());
        if !request.dataset.is_unspecified() || request.dataset.union_default_graph {
            for using in prepared.using_datasets_mut() {
                apply_dataset(&request.dataset, using);
            }
        }
        prepared.on_store(&self.store).execute()?;
        Ok(())
    }

    fn replace_graph<'a>(
        &'a self,
        graph: GraphNameRef<'_>,
    ) -> Result<Box<dyn GraphWriter + 'a>, StoreError> {
        let mut transaction = self.store.start_transaction()?;
        transaction.clear_graph(graph)?;
        if let GraphNameRef::NamedNode(g) = graph {
            transaction.insert_named_graph(g);
        }
        Ok(Box::new(Writer {
            transaction,
            graph: graph.into_owned(),
        }))
    }

    fn extend_graph(
        &self,
        graph: GraphNameRef<'_>,
        triples: &mut dyn Iterator<Item = Triple>,
    ) -> Result<(), StoreError> {
        let mut transaction = self.store.start_transaction()?;
        if let GraphNameRef::NamedNode(g) = graph {
            transaction.insert_named_graph(g);
        }
        for t in triples {
            transaction.insert(t.as_ref().in_graph(graph));
        }
        transaction.commit()?;
        Ok(())
    }

    fn insert_quads(&self, quads: &mut dyn Iterator<Item = Quad>) -> Result<(), StoreError> {
        let mut transaction = self.store.start_transaction()?;
        for q in quads {
            if let GraphName::NamedNode(g) = &q.graph_name {
                transaction.insert_named_graph(g);
            }
            transaction.insert(&q);
        }
        transaction.commit()?;
        Ok(())
    }

    fn drop_graph(&self, graph: GraphNameRef<'_>) -> Result<bool, StoreError> {
        match graph {
            GraphNameRef::DefaultGraph => {
                self.store.clear_graph(graph)?;
                Ok(true)
            }
            GraphNameRef::NamedNode(g) => {
                let mut transaction = self.store.start_transaction()?;
                if !transaction.contains_named_graph(g)? {
                    return Ok(false);
                }
                transaction.remove_named_graph(g)?;
                transaction.commit()?;
                Ok(true)
            }
            GraphNameRef::BlankNode(_) => Ok(false),
        }
    }

    fn contains_graph(&self, graph: GraphNameRef<'_>) -> Result<bool, StoreError> {
        Ok(match graph {
            GraphNameRef::DefaultGraph => true,
            GraphNameRef::NamedNode(g) => self.store.contains_named_graph(g)?,
            GraphNameRef::BlankNode(b) => self.store.contains_named_graph(b)?,
        })
    }

    fn graph_triples<'a>(
        &'a self,
        graph: GraphNameRef<'_>,
    ) -> Result<Box<dyn Iterator<Item = Result<Triple, StoreError>> + 'a>, StoreError> {
        Ok(Box::new(
            self.store
                .quads_for_pattern(None, None, None, Some(graph))
                .map(|q| q.map(Triple::from).map_err(StoreError::from)),
        ))
    }

    fn graphs(&self) -> Result<Vec<GraphInfo>, StoreError> {
        let mut graphs = Vec::new();
        for g in self.store.named_graphs() {
            let NamedOrBlankNode::NamedNode(name) = g? else {
                continue;
            };
            let triples = self
                .store
                .quads_for_pattern(None, None, None, Some(name.as_ref().into()))
                .count() as u64;
            graphs.push(GraphInfo { name, triples });
        }
        graphs.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(graphs)
    }

    fn compact(&self) -> Result<(), StoreError> {
        self.store.optimize()?;
        Ok(())
    }

    fn dump(&self, writer: &mut dyn Write) -> Result<(), StoreError> {
        self.store
            .dump_to_writer(RdfFormat::NQuads, writer)
            .map_err(|e| StoreError::Storage(e.to_string()))?;
        Ok(())
    }
}

struct Writer<'a> {
    transaction: Transaction<'a>,
    graph: GraphName,
}

impl GraphWriter for Writer<'_> {
    fn insert(&mut self, triple: TripleRef<'_>) -> Result<(), StoreError> {
        self.transaction.insert(QuadRef::new(
            triple.subject,
            triple.predicate,
            triple.object,
            &self.graph,
        ));
        Ok(())
    }

    fn insert_quad(&mut self, quad: &Quad) -> Result<(), StoreError> {
        if let GraphName::NamedNode(g) = &quad.graph_name {
            self.transaction.insert_named_graph(g);
        }
        self.transaction.insert(quad);
        Ok(())
    }

    fn remove_subject(
        &mut self,
        graph: NamedNodeRef<'_>,
        subject: NamedNodeRef<'_>,
    ) -> Result<(), StoreError> {
        let old = self
            .transaction
            .quads_for_pattern(Some(subject.into()), None, None, Some(graph.into()))
            .collect::<Result<Vec<_>, _>>()?;
        for q in &old {
            self.transaction.remove(q);
        }
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.transaction.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::Literal;

    fn triple(i: i64) -> Triple {
        Triple::new(
            NamedNode::new_unchecked(format!("https://x.example/s{i}")),
            NamedNode::new_unchecked("https://x.example/p"),
            Literal::from(i),
        )
    }

    fn parse(q: &str) -> spargebra::Query {
        spargebra::SparqlParser::new().parse_query(q).unwrap()
    }

    #[test]
    fn a_dropped_writer_leaves_the_old_graph() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        let g = NamedNode::new_unchecked("https://x.example/g");
        let mut w = store.replace_graph(g.as_ref().into()).unwrap();
        w.insert(triple(1).as_ref()).unwrap();
        w.commit().unwrap();
        let mut w = store.replace_graph(g.as_ref().into()).unwrap();
        w.insert(triple(2).as_ref()).unwrap();
        w.insert(triple(3).as_ref()).unwrap();
        // While the writer is open, readers see the old graph.
        assert_eq!(store.graphs().unwrap()[0].triples, 1);
        drop(w);
        assert_eq!(store.graphs().unwrap()[0].triples, 1);
        let mut w = store.replace_graph(g.as_ref().into()).unwrap();
        w.insert(triple(2).as_ref()).unwrap();
        w.insert(triple(3).as_ref()).unwrap();
        w.commit().unwrap();
        assert_eq!(store.graphs().unwrap()[0].triples, 2);
    }

    #[test]
    fn union_default_graph_sees_named_graphs() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        let g = NamedNode::new_unchecked("https://x.example/g");
        let mut w = store.replace_graph(g.as_ref().into()).unwrap();
        w.insert(triple(1).as_ref()).unwrap();
        w.commit().unwrap();
        let mut request = QueryRequest::new(parse("ASK { ?s ?p ?o }"));
        assert!(matches!(
            store.query(&request).unwrap(),
            QueryOutcome::Boolean(false)
        ));
        request.dataset.union_default_graph = true;
        assert!(matches!(
            store.query(&request).unwrap(),
            QueryOutcome::Boolean(true)
        ));
    }

    #[test]
    fn cancel_stops_a_query() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        store
            .extend_graph(GraphNameRef::DefaultGraph, &mut (0..200).map(triple))
            .unwrap();
        let request = QueryRequest::new(parse("SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"));
        request.cancel.cancel();
        let QueryOutcome::Solutions { mut solutions, .. } = store.query(&request).unwrap() else {
            panic!("expected solutions")
        };
        std::thread::sleep(std::time::Duration::from_millis(50));
        let error = solutions.find_map(Result::err);
        assert!(matches!(error, Some(StoreError::Cancelled)), "{error:?}");
    }

    #[test]
    fn refuses_services_and_loads() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        let request = QueryRequest::new(parse(
            "SELECT * { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
        ));
        let error = match store.query(&request) {
            Err(e) => e,
            Ok(QueryOutcome::Solutions { mut solutions, .. }) => {
                solutions.find_map(Result::err).expect("an error")
            }
            Ok(_) => panic!("expected solutions"),
        };
        assert!(matches!(error, StoreError::Refused(_)), "{error:?}");
        assert_eq!(
            error.to_string(),
            "SERVICE <http://evil.example/sparql> is refused: its host is not in the server's service_allow list"
        );
        let silent = QueryRequest::new(parse(
            "SELECT * { SERVICE SILENT <http://evil.example/sparql> { ?s ?p ?o } }",
        ));
        let QueryOutcome::Solutions { solutions, .. } = store.query(&silent).unwrap() else {
            panic!()
        };
        assert_eq!(solutions.count(), 1);
        let update = spargebra::SparqlParser::new()
            .parse_update("LOAD <http://evil.example/data.ttl>")
            .unwrap();
        let error = store
            .update(&UpdateRequest {
                update,
                dataset: Dataset::default(),
            })
            .unwrap_err();
        assert!(matches!(error, StoreError::Refused(_)), "{error:?}");
    }
}
