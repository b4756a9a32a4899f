//! The embedded backend: Oxigraph on RocksDB.

use crate::guard::{Refuse, RefuseAll};
use crate::staged::{StagedGraph, TooLarge};
use crate::{
    Backend, Dataset, Description, GraphInfo, GraphWriter, Loader, QueryOutcome, QueryRequest,
    ServicePolicy, Staging, StoreError, UpdateRequest,
};
use kulturnetz_sparql::RefusedServices;
use oxigraph::io::RdfFormat;
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::{BulkLoader, Store, Transaction};
use oxrdf::{
    GraphName, GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef,
    QuadRef, Term, TermRef, Triple, TripleRef,
};
use std::collections::HashMap;
use std::fs::{File, TryLockError};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// Options of the embedded store.
#[derive(Debug, Clone, Default)]
pub struct EmbeddedOptions {
    /// Hosts that `SERVICE` and `LOAD` may reach.
    pub service_policy: ServicePolicy,
    /// Extension functions that queries and updates may call, by IRI (the search functions).
    pub functions: Functions,
}

/// An extension function: its arguments to its value, `None` for an error (unbound).
pub type Function = Arc<dyn Fn(&[Term]) -> Option<Term> + Send + Sync>;

/// Extension functions by IRI, see [`EmbeddedOptions::functions`].
#[derive(Clone, Default)]
pub struct Functions(pub Vec<(NamedNode, Function)>);

impl std::fmt::Debug for Functions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

/// The file in the store's folder that one process at a time holds locked.
const LOCK_FILE: &str = "kulturnetz.lock";

/// An Oxigraph store in a folder.
///
/// Clones share the store, its lock and its kept graph counts.
#[derive(Clone)]
pub struct Embedded {
    store: Store,
    options: Arc<EmbeddedOptions>,
    counts: Arc<Counts>,
    /// Whether a transaction wrote since the store was opened or last compacted.
    loose: Arc<AtomicBool>,
    /// Held for as long as a clone lives; released by the operating system when it ends.
    _lock: Arc<File>,
}

impl Embedded {
    /// Opens (or creates) the store in `path`.
    ///
    /// Fails with [`StoreError::Locked`] while another `Embedded` (in this process or another)
    /// has the store open: RocksDB allows one writer.
    pub fn open(path: &Path, options: &EmbeddedOptions) -> Result<Self, StoreError> {
        std::fs::create_dir_all(path)
            .map_err(|e| StoreError::Storage(format!("cannot create {}: {e}", path.display())))?;
        // Our own advisory lock, taken before RocksDB's, so that "in use" is a typed error
        // rather than a sentence in RocksDB's message.
        let lock_path = path.join(LOCK_FILE);
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| {
                StoreError::Storage(format!("cannot open {}: {e}", lock_path.display()))
            })?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    path: path.to_owned(),
                });
            }
            Err(TryLockError::Error(e)) => {
                return Err(StoreError::Storage(format!(
                    "cannot lock {}: {e}",
                    lock_path.display()
                )));
            }
        }
        let store = Store::open(path).map_err(|e| {
            StoreError::Storage(format!("cannot open the store in {}: {e}", path.display()))
        })?;
        remove_unfinished_loads(path);
        Ok(Self {
            store,
            options: Arc::new(options.clone()),
            counts: Arc::default(),
            loose: Arc::default(),
            _lock: Arc::new(lock),
        })
    }

    /// Starts a transaction, noting that the store will want a compaction.
    fn transaction(&self) -> Result<Transaction<'_>, StoreError> {
        self.loose.store(true, Ordering::Relaxed);
        Ok(self.store.start_transaction()?)
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
        for (name, function) in spargeo::GEOSPARQL_EXTENSION_FUNCTIONS {
            evaluator = evaluator.with_custom_function(name.into_owned(), function);
        }
        for (name, function) in &self.options.functions.0 {
            let function = Arc::clone(function);
            evaluator = evaluator.with_custom_function(name.clone(), move |args| function(args));
        }
        evaluator
    }
}

/// Removes the sorted files of bulk loads that a killed process left in the store's folder
/// (Oxigraph's loader names them `bulk-{random}.sst` and removes them itself when it ends): the
/// store ingests a load's files all at once or not at all, so an unfinished one is garbage. Called
/// with the store's lock held, so no load of another process is running.
fn remove_unfinished_loads(path: &Path) {
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("bulk-") && name.ends_with(".sst") {
            // A file that cannot be removed now is tried again at the next start.
            let _ = std::fs::remove_file(entry.path());
        }
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
        let _written = self.counts.write();
        self.loose.store(true, Ordering::Relaxed);
        prepared.on_store(&self.store).execute()?;
        Ok(())
    }

    fn stage(&self, graph: NamedNodeRef<'_>) -> Result<Box<dyn Staging + '_>, StoreError> {
        Ok(Box::new(Staged {
            embedded: self,
            graph: graph.into_owned(),
            staged: StagedGraph::default(),
            sealed: false,
        }))
    }

    fn replace_graph<'a>(
        &'a self,
        graph: GraphNameRef<'_>,
    ) -> Result<Box<dyn GraphWriter + 'a>, StoreError> {
        let mut transaction = self.transaction()?;
        transaction.clear_graph(graph)?;
        if let GraphNameRef::NamedNode(g) = graph {
            transaction.insert_named_graph(g);
        }
        Ok(Box::new(Writer {
            transaction,
            graph: graph.into_owned(),
            counts: &self.counts,
        }))
    }

    fn extend_graph(
        &self,
        graph: GraphNameRef<'_>,
        triples: &mut dyn Iterator<Item = Triple>,
    ) -> Result<(), StoreError> {
        let _written = self.counts.write();
        let mut transaction = self.transaction()?;
        if let GraphNameRef::NamedNode(g) = graph {
            transaction.insert_named_graph(g);
        }
        for t in triples {
            transaction.insert(t.as_ref().in_graph(graph));
        }
        transaction.commit()?;
        Ok(())
    }

    fn loader(&self) -> Result<Box<dyn Loader + '_>, StoreError> {
        Ok(Box::new(Load {
            // Each batch becomes sorted files on disk, ingested all together on `finish`; at
            // most two batches are being sorted at a time besides the one being handed over.
            loader: self.store.bulk_loader().with_num_threads(2),
            counts: &self.counts,
        }))
    }

    fn describe(&self, meta: &[Description]) -> Result<(), StoreError> {
        let _written = self.counts.write();
        let mut transaction = self.transaction()?;
        describe(&mut transaction, meta)?;
        transaction.commit()?;
        Ok(())
    }

    fn drop_graph(&self, graph: GraphNameRef<'_>) -> Result<bool, StoreError> {
        let _written = self.counts.write();
        match graph {
            GraphNameRef::DefaultGraph => {
                self.loose.store(true, Ordering::Relaxed);
                self.store.clear_graph(graph)?;
                Ok(true)
            }
            GraphNameRef::NamedNode(g) => {
                let mut transaction = self.transaction()?;
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
        self.counts.graphs(|| count_graphs(&self.store))
    }

    fn refresh_counts(&self) -> Result<(), StoreError> {
        self.graphs().map(drop)
    }

    fn compact(&self) -> Result<(), StoreError> {
        // Bulk loads write sorted files that need no compaction; transactions leave small ones.
        if self.loose.swap(false, Ordering::Relaxed) {
            self.store.optimize()?;
        }
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
    counts: &'a Counts,
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

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let counts = self.counts;
        let _written = counts.write();
        self.transaction.commit()?;
        Ok(())
    }
}

/// A staging on the embedded store: the new content in memory, see [`StagedGraph`].
struct Staged<'a> {
    embedded: &'a Embedded,
    graph: NamedNode,
    staged: StagedGraph,
    sealed: bool,
}

impl Staged<'_> {
    /// Publishes a graph that did not exist and whose metadata is new: everything is added, in
    /// one bulk ingestion of sorted files, which RocksDB makes visible all at once.
    fn publish_new(&self, meta: &[Description]) -> Result<(), StoreError> {
        let graph = GraphNameRef::NamedNode(self.graph.as_ref());
        let mut loader = self
            .embedded
            .store
            .bulk_loader()
            .with_num_threads(2)
            .with_max_memory_size_in_megabytes(400);
        loader.load_quads(self.staged.iter().map(|t| t.in_graph(graph)))?;
        loader.load_quads(meta.iter().flat_map(|d| {
            let graph = GraphNameRef::NamedNode(d.graph.as_ref());
            d.statements
                .iter()
                .map(move |(p, o)| QuadRef::new(&d.subject, p, o, graph).into_owned())
                .chain(
                    d.parts
                        .iter()
                        .map(move |t| t.as_ref().in_graph(graph).into_owned()),
                )
        }))?;
        loader.commit()?;
        Ok(())
    }

    /// Publishes over a graph that existed (or metadata that did) in one transaction that
    /// writes only the difference: a refresh that changed little writes little.
    fn publish_difference(&self, meta: &[Description]) -> Result<(), StoreError> {
        let graph = GraphNameRef::NamedNode(self.graph.as_ref());
        let mut transaction = self.embedded.transaction()?;
        let mut kept = vec![false; self.staged.len()];
        let mut removed = Vec::new();
        for quad in transaction.quads_for_pattern(None, None, None, Some(graph)) {
            let quad = quad?;
            let triple = TripleRef::new(&quad.subject, &quad.predicate, &quad.object);
            match self.staged.position(triple) {
                Some(position) => kept[position] = true,
                None => removed.push(quad),
            }
        }
        for quad in &removed {
            transaction.remove(quad);
        }
        drop(removed);
        for (position, _) in kept.iter().enumerate().filter(|(_, kept)| !**kept) {
            transaction.insert(self.staged.triple(position).as_ref().in_graph(graph));
        }
        transaction.insert_named_graph(self.graph.as_ref());
        describe(&mut transaction, meta)?;
        transaction.commit()?;
        Ok(())
    }

    /// Whether a graph of `meta` says anything about a subject that one of its descriptions
    /// replaces (so that publishing must remove it).
    fn described(&self, meta: &[Description]) -> Result<bool, StoreError> {
        let store = &self.embedded.store;
        let mut graphs: Vec<&NamedNode> = meta.iter().map(|d| &d.graph).collect();
        graphs.sort();
        graphs.dedup();
        for graph in graphs {
            for quad in store.quads_for_pattern(None, None, None, Some(graph.as_ref().into())) {
                let quad = quad?;
                if meta
                    .iter()
                    .any(|d| &d.graph == graph && d.covers(quad.subject.as_ref()))
                {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

impl Staging for Staged<'_> {
    fn target(&self) -> NamedNodeRef<'_> {
        self.graph.as_ref()
    }

    fn insert(&mut self, triple: TripleRef<'_>) -> Result<(), StoreError> {
        if self.sealed {
            return Err(StoreError::Storage(format!(
                "the staging of {} is sealed and takes no more triples",
                self.graph
            )));
        }
        self.staged.insert(triple).map_err(|TooLarge| {
            StoreError::Storage(format!(
                "{} has more than {} triples or terms, more than one staging holds",
                self.graph,
                u32::MAX
            ))
        })
    }

    fn seal(&mut self) -> Result<u64, StoreError> {
        self.staged.seal();
        self.sealed = true;
        Ok(self.staged.len() as u64)
    }

    fn triples_matching(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
    ) -> Result<Vec<Triple>, StoreError> {
        if !self.sealed {
            return Err(StoreError::Storage(format!(
                "the staging of {} is read before it was sealed",
                self.graph
            )));
        }
        Ok(self.staged.matching(subject, predicate, object))
    }

    fn commit(mut self: Box<Self>, meta: &[Description]) -> Result<(), StoreError> {
        self.seal()?;
        let _written = self.embedded.counts.write();
        let fresh = self.staged.len() > 0
            && !self
                .embedded
                .store
                .contains_named_graph(self.graph.as_ref())?
            && !self.described(meta)?;
        if fresh {
            self.publish_new(meta)
        } else {
            self.publish_difference(meta)
        }
    }
}

/// Replaces each description of `meta` within `transaction`: the statements about its subject and
/// its parts go, the new ones come.
fn describe(transaction: &mut Transaction<'_>, meta: &[Description]) -> Result<(), StoreError> {
    // A description's parts are found by their IRIs, so each graph described is read once
    // whole: the meta graph is small (a few statements per source and bounded reports).
    let mut graphs: Vec<&NamedNode> = meta.iter().map(|d| &d.graph).collect();
    graphs.sort();
    graphs.dedup();
    for graph in graphs {
        let graph = GraphNameRef::NamedNode(graph.as_ref());
        let old = transaction
            .quads_for_pattern(None, None, None, Some(graph))
            .filter(|q| {
                q.as_ref().map_or(true, |q| {
                    meta.iter().any(|d| {
                        GraphNameRef::NamedNode(d.graph.as_ref()) == graph
                            && d.covers(q.subject.as_ref())
                    })
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        for q in &old {
            transaction.remove(q);
        }
    }
    for description in meta {
        let graph = GraphNameRef::NamedNode(description.graph.as_ref());
        transaction.insert_named_graph(description.graph.as_ref());
        for (predicate, object) in &description.statements {
            transaction.insert(QuadRef::new(&description.subject, predicate, object, graph));
        }
        for t in &description.parts {
            transaction.insert(t.as_ref().in_graph(graph));
        }
    }
    Ok(())
}

/// A bulk load on the embedded store: Oxigraph's bulk loader, which sorts each batch into files
/// and ingests them all at once on `finish`.
struct Load<'a> {
    loader: BulkLoader<'a>,
    counts: &'a Counts,
}

impl Loader for Load<'_> {
    fn insert(&mut self, quads: &[QuadRef<'_>]) -> Result<(), StoreError> {
        self.loader.load_quads(quads.iter().copied())?;
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), StoreError> {
        let counts = self.counts;
        let _written = counts.write();
        self.loader.commit()?;
        Ok(())
    }
}

/// The graph counts, kept from one [`Backend::graphs`] call to the next until a write.
///
/// Every write through the backend bumps `generation` once it is done (see [`Counts::write`]);
/// counts are kept together with the generation they were counted in and served only while it is
/// current. A count that raced a write is therefore never served after the write: at worst it is
/// kept under the old generation and counted again.
#[derive(Default)]
struct Counts {
    generation: AtomicU64,
    kept: Mutex<Option<(u64, Arc<[GraphInfo]>)>>,
    /// Held while counting, so that readers arriving after a write wait for one count instead of
    /// each starting their own.
    counting: Mutex<()>,
}

impl Counts {
    /// Marks a write: the kept counts go stale when the returned guard drops, after the write.
    fn write(&self) -> Written<'_> {
        Written(self)
    }

    fn current(&self) -> Option<Arc<[GraphInfo]>> {
        let generation = self.generation.load(Ordering::Acquire);
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.as_ref()
            .filter(|(g, _)| *g == generation)
            .map(|(_, graphs)| Arc::clone(graphs))
    }

    fn graphs(
        &self,
        count: impl FnOnce() -> Result<Vec<GraphInfo>, StoreError>,
    ) -> Result<Vec<GraphInfo>, StoreError> {
        if let Some(graphs) = self.current() {
            return Ok(graphs.to_vec());
        }
        let _counting = self.counting.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(graphs) = self.current() {
            return Ok(graphs.to_vec());
        }
        // Read before counting: a write that ends during the count bumps it, and the count is
        // then kept under a generation that is already over.
        let generation = self.generation.load(Ordering::Acquire);
        let graphs: Arc<[GraphInfo]> = count()?.into();
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        *kept = Some((generation, Arc::clone(&graphs)));
        Ok(graphs.to_vec())
    }
}

/// Bumps the generation of [`Counts`] when dropped, whether the write succeeded or not.
struct Written<'a>(&'a Counts);

impl Drop for Written<'_> {
    fn drop(&mut self) {
        self.0.generation.fetch_add(1, Ordering::AcqRel);
    }
}

/// Counts the triples of every named graph with one grouped SPARQL count, which Oxigraph
/// evaluates on encoded terms; graphs that exist but hold nothing are listed with zero.
fn count_graphs(store: &Store) -> Result<Vec<GraphInfo>, StoreError> {
    let query = spargebra::SparqlParser::new()
        .parse_query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        .map_err(|e| StoreError::Evaluation(e.to_string()))?;
    let mut counts = HashMap::new();
    if let QueryResults::Solutions(solutions) = SparqlEvaluator::new()
        .for_query(query)
        .on_store(store)
        .execute()?
    {
        for solution in solutions {
            let solution = solution?;
            if let (Some(Term::NamedNode(g)), Some(Term::Literal(n))) =
                (solution.get("g"), solution.get("n"))
            {
                counts.insert(g.clone(), n.value().parse::<u64>().unwrap_or(0));
            }
        }
    }
    let mut graphs = Vec::new();
    for g in store.named_graphs() {
        if let NamedOrBlankNode::NamedNode(name) = g? {
            let triples = counts.remove(&name).unwrap_or(0);
            graphs.push(GraphInfo { name, triples });
        }
    }
    // A graph written between the two reads: its count is there, its name came too late.
    graphs.extend(
        counts
            .into_iter()
            .map(|(name, triples)| GraphInfo { name, triples }),
    );
    graphs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(graphs)
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

    fn ask(backend: &dyn Fn(&QueryRequest) -> QueryOutcome, q: &str) -> bool {
        match backend(&QueryRequest::new(parse(q))) {
            QueryOutcome::Boolean(b) => b,
            _ => panic!("expected a boolean"),
        }
    }

    fn rows(outcome: QueryOutcome) -> Vec<String> {
        let QueryOutcome::Solutions { solutions, .. } = outcome else {
            panic!("expected solutions")
        };
        let mut rows: Vec<String> = solutions
            .map(|s| {
                s.unwrap()
                    .iter()
                    .map(|(v, t)| format!("{v}={t}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn a_staged_graph_is_seen_only_by_its_staging_until_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        let g = NamedNode::new_unchecked("https://x.example/g");
        let other = NamedNode::new_unchecked("https://x.example/other");
        let meta = NamedNode::new_unchecked("https://x.example/meta");
        store
            .extend_graph(other.as_ref().into(), &mut std::iter::once(triple(9)))
            .unwrap();
        let mut old = store.stage(g.as_ref()).unwrap();
        old.insert(triple(1).as_ref()).unwrap();
        old.commit(&[Description::new(meta.clone(), g.clone())])
            .unwrap();

        let mut staging = store.stage(g.as_ref()).unwrap();
        assert_eq!(staging.target(), g.as_ref());
        staging.insert(triple(2).as_ref()).unwrap();
        staging.insert(triple(2).as_ref()).unwrap();
        assert_eq!(
            staging.seal().unwrap(),
            1,
            "a triple staged twice counts once"
        );
        assert!(staging.insert(triple(3).as_ref()).is_err(), "sealed");
        let store_query = |r: &QueryRequest| store.query(r).unwrap();
        // Readers of the store see the published graph only.
        assert!(!ask(&store_query, "ASK { GRAPH ?g { ?s ?p 2 } }"));
        assert!(ask(&store_query, "ASK { GRAPH ?g { ?s ?p 1 } }"));
        // The staging reads its own content: not the old version, not the other graphs.
        assert_eq!(
            staging.triples_matching(None, None, None).unwrap(),
            [triple(2)]
        );
        // Dropping it leaves the old content; nothing of the staged one remains.
        drop(staging);
        assert!(ask(&store_query, "ASK { GRAPH ?g { ?s ?p 1 } }"));
        assert!(!ask(&store_query, "ASK { GRAPH ?g { ?s ?p 2 } }"));
        let mut staging = store.stage(g.as_ref()).unwrap();
        staging.seal().unwrap();
        assert!(
            staging
                .triples_matching(None, None, None)
                .unwrap()
                .is_empty()
        );
        let _ = meta;
    }

    /// The two ways a staging is published (in one bulk ingestion when graph and description are
    /// new, else as a transaction of the difference) give the same graphs.
    #[test]
    fn a_commit_writes_the_new_content_whatever_was_there() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        let g = NamedNode::new_unchecked("https://x.example/g");
        let meta = NamedNode::new_unchecked("https://x.example/meta");
        let p = NamedNode::new_unchecked("https://x.example/count");
        let content = |g: &NamedNode| {
            let mut triples = store
                .graph_triples(g.as_ref().into())
                .unwrap()
                .map(Result::unwrap)
                .collect::<Vec<_>>();
            triples.sort_by_key(ToString::to_string);
            triples
        };
        let publish = |range: std::ops::Range<i64>| {
            let mut staging = store.stage(g.as_ref()).unwrap();
            for i in range.clone().rev() {
                staging.insert(triple(i).as_ref()).unwrap();
            }
            staging
                .commit(&[Description::new(meta.clone(), g.clone())
                    .with(p.clone(), Literal::from(range.end - range.start))])
                .unwrap();
        };
        // New graph, new description: bulk.
        publish(0..5);
        let mut expected: Vec<_> = (0..5).map(triple).collect();
        expected.sort_by_key(ToString::to_string);
        assert_eq!(content(&g), expected);
        // The graph existed: the difference (two go, two come, three stay).
        publish(2..7);
        let mut expected: Vec<_> = (2..7).map(triple).collect();
        expected.sort_by_key(ToString::to_string);
        assert_eq!(content(&g), expected);
        assert_eq!(
            content(&meta),
            [Triple::new(g.clone(), p.clone(), Literal::from(5))]
        );
        // The graph is gone but its description is not: the old description is replaced.
        assert!(store.drop_graph(g.as_ref().into()).unwrap());
        publish(0..1);
        assert_eq!(content(&g), [triple(0)]);
        assert_eq!(
            content(&meta),
            [Triple::new(g.clone(), p.clone(), Literal::from(1))]
        );
        // An empty source publishes an empty graph.
        publish(0..0);
        assert!(store.contains_graph(g.as_ref().into()).unwrap());
        assert!(content(&g).is_empty());
    }

    #[test]
    fn unfinished_bulk_files_are_removed_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        drop(Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap());
        let left = dir.path().join("bulk-1234.sst");
        std::fs::write(&left, b"half a load").unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        assert!(!left.exists());
        assert!(store.graphs().unwrap().is_empty());
    }

    #[test]
    fn a_commit_publishes_the_graph_and_its_description_together() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        let g = NamedNode::new_unchecked("https://x.example/g");
        let meta = NamedNode::new_unchecked("https://x.example/meta");
        let p = NamedNode::new_unchecked("https://x.example/count");
        for n in [1, 2] {
            let mut staging = store.stage(g.as_ref()).unwrap();
            for i in 0..n {
                staging.insert(triple(i).as_ref()).unwrap();
            }
            // Until the commit, readers see the previous description.
            let described = format!("ASK {{ GRAPH {meta} {{ {g} {p} {n} }} }}");
            assert!(!ask(
                &|r: &QueryRequest| store.query(r).unwrap(),
                &described
            ));
            staging
                .commit(&[
                    Description::new(meta.clone(), g.clone()).with(p.clone(), Literal::from(n))
                ])
                .unwrap();
            assert!(ask(&|r: &QueryRequest| store.query(r).unwrap(), &described));
        }
        // The old description was replaced, not added to.
        let all = parse(&format!("SELECT ?o {{ GRAPH {meta} {{ {g} ?p ?o }} }}"));
        assert_eq!(rows(store.query(&QueryRequest::new(all)).unwrap()).len(), 1);
        let graphs = store.graphs().unwrap();
        assert_eq!(
            graphs,
            [
                GraphInfo {
                    name: g,
                    triples: 2
                },
                GraphInfo {
                    name: meta,
                    triples: 1
                },
            ]
        );
    }

    #[test]
    fn a_staging_finds_the_blank_nodes_it_returned_and_only_its_own_triples() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        let g = NamedNode::new_unchecked("https://x.example/g");
        let other = NamedNode::new_unchecked("https://x.example/other");
        let (a, p, q) = (
            NamedNode::new_unchecked("https://x.example/a"),
            NamedNode::new_unchecked("https://x.example/p"),
            NamedNode::new_unchecked("https://x.example/q"),
        );
        store
            .extend_graph(
                other.as_ref().into(),
                &mut std::iter::once(Triple::new(a.clone(), q.clone(), Literal::from(9))),
            )
            .unwrap();
        let mut staging = store.stage(g.as_ref()).unwrap();
        let b = oxrdf::BlankNode::default();
        staging.insert(TripleRef::new(&a, &p, &b)).unwrap();
        staging
            .insert(TripleRef::new(&b, &q, &Literal::from(1)))
            .unwrap();
        staging.seal().unwrap();
        let found = staging
            .triples_matching(Some(a.as_ref().into()), Some(p.as_ref()), None)
            .unwrap();
        assert_eq!(found.len(), 1);
        let Term::BlankNode(node) = &found[0].object else {
            panic!("expected a blank node, found {}", found[0].object)
        };
        // The blank node as returned is the subject of the next lookup.
        let next = staging
            .triples_matching(Some(node.as_ref().into()), None, None)
            .unwrap();
        assert_eq!(
            next,
            [Triple::new(node.clone(), q.clone(), Literal::from(1))]
        );
        // The other graph's triples are not part of the staged content.
        assert_eq!(
            staging
                .triples_matching(None, Some(q.as_ref()), None)
                .unwrap()
                .len(),
            1
        );
        // Neither is the old content of the target.
        drop(staging);
        let meta = NamedNode::new_unchecked("https://x.example/meta");
        let mut old = store.stage(g.as_ref()).unwrap();
        old.insert(TripleRef::new(&a, &q, &Literal::from(2)))
            .unwrap();
        old.commit(&[Description::new(meta, g.clone())]).unwrap();
        let mut staging = store.stage(g.as_ref()).unwrap();
        staging.seal().unwrap();
        assert!(
            staging
                .triples_matching(Some(a.as_ref().into()), None, None)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_description_replaces_its_parts_and_can_be_written_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        let meta = NamedNode::new_unchecked("https://x.example/meta");
        let report = NamedNode::new_unchecked("https://x.example/report");
        let other = NamedNode::new_unchecked("https://x.example/report-2");
        let p = NamedNode::new_unchecked("https://x.example/p");
        let part = |n: u32| NamedNode::new_unchecked(format!("{}#r{n}", report.as_str()));
        let described = |results: u32| {
            let mut d = Description::new(meta.clone(), report.clone())
                .with(p.clone(), Literal::from(results));
            for n in 0..results {
                d.parts
                    .push(Triple::new(part(n), p.clone(), Literal::from(n)));
            }
            d
        };
        store
            .describe(&[
                described(3),
                Description::new(meta.clone(), other.clone()).with(p.clone(), Literal::from(7)),
            ])
            .unwrap();
        assert_eq!(store.graphs().unwrap()[0].triples, 5);
        // The second report has one part: the two others go, and so does nothing else.
        store.describe(&[described(1)]).unwrap();
        // An empty description removes the subject and every part.
        let gone = Description::new(
            meta.clone(),
            NamedNode::new_unchecked(format!("{}-gone", report.as_str())),
        );
        store
            .describe(&[Description {
                parts: vec![Triple::new(
                    NamedNode::new_unchecked(format!("{}#x", gone.subject.as_str())),
                    p.clone(),
                    Literal::from(1),
                )],
                ..gone.clone()
            }])
            .unwrap();
        store.describe(&[gone]).unwrap();
        let all = parse(&format!("SELECT ?s ?o {{ GRAPH {meta} {{ ?s {p} ?o }} }}"));
        assert_eq!(
            rows(store.query(&QueryRequest::new(all)).unwrap()),
            [
                format!(
                    "?s={} ?o=\"0\"^^<http://www.w3.org/2001/XMLSchema#integer>",
                    part(0)
                ),
                format!("?s={other} ?o=\"7\"^^<http://www.w3.org/2001/XMLSchema#integer>"),
                format!("?s={report} ?o=\"1\"^^<http://www.w3.org/2001/XMLSchema#integer>"),
            ]
        );
    }

    #[test]
    fn kept_counts_follow_every_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        let g = NamedNode::new_unchecked("https://x.example/g");
        let counts = |store: &Embedded| -> Vec<u64> {
            store.graphs().unwrap().iter().map(|g| g.triples).collect()
        };
        assert_eq!(counts(&store), [0; 0]);
        store
            .extend_graph(g.as_ref().into(), &mut (0..3).map(triple))
            .unwrap();
        assert_eq!(counts(&store), [3]);
        // A clone shares the kept counts, and its writes make them stale.
        let clone = store.clone();
        let mut w = clone.replace_graph(g.as_ref().into()).unwrap();
        w.insert(triple(7).as_ref()).unwrap();
        w.commit().unwrap();
        assert_eq!(counts(&store), [1]);
        store
            .update(&UpdateRequest {
                update: spargebra::SparqlParser::new()
                    .parse_update("INSERT DATA { GRAPH <https://x.example/g> { <https://x.example/a> <https://x.example/b> 1 } }")
                    .unwrap(),
                dataset: Dataset::default(),
            })
            .unwrap();
        assert_eq!(counts(&store), [2]);
        let mut staging = store.stage(g.as_ref()).unwrap();
        staging.insert(triple(1).as_ref()).unwrap();
        assert_eq!(counts(&store), [2]);
        staging
            .commit(&[Description::new(
                NamedNode::new_unchecked("https://x.example/meta"),
                g.clone(),
            )])
            .unwrap();
        assert_eq!(counts(&store), [1, 0]);
        store
            .extend_graph(g.as_ref().into(), &mut std::iter::once(triple(5)))
            .unwrap();
        store.refresh_counts().unwrap();
        assert_eq!(counts(&store), [2, 0]);
        assert!(store.drop_graph(g.as_ref().into()).unwrap());
        assert_eq!(counts(&store), [0]);
    }

    #[test]
    fn a_count_that_raced_a_write_is_not_served() {
        let counts = Counts::default();
        let info = |triples| GraphInfo {
            name: NamedNode::new_unchecked("https://x.example/g"),
            triples,
        };
        // A write ends while the count runs: the count is answered but not served again.
        let first = counts
            .graphs(|| {
                drop(counts.write());
                Ok(vec![info(1)])
            })
            .unwrap();
        assert_eq!(first, [info(1)]);
        assert_eq!(counts.graphs(|| Ok(vec![info(2)])).unwrap(), [info(2)]);
        // Without a write in between, the kept count is served.
        assert_eq!(counts.graphs(|| Ok(vec![info(3)])).unwrap(), [info(2)]);
    }

    #[test]
    fn a_bulk_load_is_seen_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        let g = NamedNode::new_unchecked("https://x.example/g");
        let quads: Vec<_> = (0..10).map(|i| triple(i).in_graph(g.clone())).collect();
        let refs: Vec<_> = quads.iter().map(oxrdf::Quad::as_ref).collect();
        let mut loader = store.loader().unwrap();
        loader.insert(&refs[..5]).unwrap();
        loader.insert(&refs[5..]).unwrap();
        assert!(store.graphs().unwrap().is_empty());
        drop(loader);
        assert!(store.graphs().unwrap().is_empty());
        let mut loader = store.loader().unwrap();
        loader.insert(&refs).unwrap();
        loader.finish().unwrap();
        assert_eq!(
            store.graphs().unwrap(),
            [GraphInfo {
                name: g,
                triples: 10
            }]
        );
    }

    #[test]
    fn a_store_in_use_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
        let error = Embedded::open(dir.path(), &EmbeddedOptions::default())
            .err()
            .expect("a second open fails");
        assert!(
            matches!(&error, StoreError::Locked { path } if path == dir.path()),
            "{error:?}"
        );
        drop(store);
        Embedded::open(dir.path(), &EmbeddedOptions::default()).unwrap();
    }
}
