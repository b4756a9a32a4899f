//! Where Kulturnetz keeps its data: the [`Backend`] trait and its embedded implementation.
//!
//! [`Embedded`] is an Oxigraph store on RocksDB. This is the only crate that depends on
//! `oxigraph`: everything above it speaks `oxrdf` terms, `spargebra` queries and `sparesults`
//! solutions, so that a remote SPARQL endpoint can be a full peer of the embedded store.
//!
//! The one write path that matters for publishing is [`Backend::replace_graph`]: a named graph is
//! cleared and refilled in one transaction, together with its metadata, so a reader sees either
//! the old graph or the new one, never a mix.
//!
//! ```
//! use kulturnetz_store::{Backend, Embedded, QueryOutcome, QueryRequest};
//! use oxrdf::{Literal, NamedNode, Triple};
//!
//! let dir = tempfile::tempdir()?;
//! let store = Embedded::open(dir.path(), &Default::default())?;
//! let g = NamedNode::new("https://x.example/graph/a")?;
//! let t = Triple::new(
//!     NamedNode::new("https://x.example/s")?,
//!     NamedNode::new("https://x.example/p")?,
//!     Literal::from(1),
//! );
//! let mut writer = store.replace_graph(g.as_ref().into())?;
//! writer.insert(t.as_ref())?;
//! writer.commit()?;
//! assert_eq!(store.graphs()?[0].triples, 1);
//!
//! let query = spargebra::SparqlParser::new().parse_query("ASK { GRAPH ?g { ?s ?p 1 } }")?;
//! let outcome = store.query(&QueryRequest::new(query))?;
//! assert!(matches!(outcome, QueryOutcome::Boolean(true)));
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod embedded;
mod error;
mod guard;
mod run;

pub use embedded::{Embedded, EmbeddedOptions};
pub use error::StoreError;
pub use kulturnetz_sparql::{ServicePolicy, service_host};
pub use run::{QueryError, Written, run_query};

use oxrdf::{GraphName, GraphNameRef, NamedNode, NamedNodeRef, Quad, Triple, TripleRef, Variable};
use sparesults::QuerySolution;
use std::io::Write;
use std::sync::Arc;

/// The storage a Kulturnetz site runs on.
///
/// Methods block: callers on an async runtime call them from a blocking thread.
pub trait Backend: Send + Sync {
    /// Evaluates a query. The returned iterators are lazy and may stop with
    /// [`StoreError::Cancelled`] once the request's [`Cancel`] fires.
    fn query(&self, request: &QueryRequest) -> Result<QueryOutcome, StoreError>;

    /// Runs a SPARQL update atomically.
    fn update(&self, request: &UpdateRequest) -> Result<(), StoreError>;

    /// Starts replacing the content of `graph`: nothing is visible to readers until
    /// [`GraphWriter::commit`]; dropping the writer leaves the old graph as it was.
    fn replace_graph<'a>(
        &'a self,
        graph: GraphNameRef<'_>,
    ) -> Result<Box<dyn GraphWriter + 'a>, StoreError>;

    /// Adds triples to `graph` atomically (Graph Store Protocol POST).
    fn extend_graph(
        &self,
        graph: GraphNameRef<'_>,
        triples: &mut dyn Iterator<Item = Triple>,
    ) -> Result<(), StoreError>;

    /// Adds quads atomically, each to its own graph (`kulturnetz load`).
    fn insert_quads(&self, quads: &mut dyn Iterator<Item = Quad>) -> Result<(), StoreError>;

    /// Removes `graph` (the default graph is emptied). Returns whether it existed.
    fn drop_graph(&self, graph: GraphNameRef<'_>) -> Result<bool, StoreError>;

    /// Whether `graph` exists. The default graph always does.
    fn contains_graph(&self, graph: GraphNameRef<'_>) -> Result<bool, StoreError>;

    /// The triples of `graph`.
    fn graph_triples<'a>(
        &'a self,
        graph: GraphNameRef<'_>,
    ) -> Result<Box<dyn Iterator<Item = Result<Triple, StoreError>> + 'a>, StoreError>;

    /// The named graphs, each with its number of triples, sorted by name.
    fn graphs(&self) -> Result<Vec<GraphInfo>, StoreError>;

    /// Compacts the storage after large writes, so that reads stay as fast as after a bulk load.
    /// Takes time in proportion to the store's size: call it once after an ingest, not per write.
    fn compact(&self) -> Result<(), StoreError>;

    /// Writes every quad of the store as N-Quads.
    fn dump(&self, writer: &mut dyn Write) -> Result<(), StoreError>;
}

/// A transaction that replaces one named graph, see [`Backend::replace_graph`].
pub trait GraphWriter {
    /// Adds a triple to the new content of the graph.
    fn insert(&mut self, triple: TripleRef<'_>) -> Result<(), StoreError>;

    /// Adds a quad to another graph in the same transaction (metadata).
    fn insert_quad(&mut self, quad: &Quad) -> Result<(), StoreError>;

    /// Removes every triple with subject `subject` from `graph` in the same transaction.
    fn remove_subject(
        &mut self,
        graph: NamedNodeRef<'_>,
        subject: NamedNodeRef<'_>,
    ) -> Result<(), StoreError>;

    /// Makes the new content visible, all at once.
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// A named graph and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphInfo {
    /// The graph's name.
    pub name: NamedNode,
    /// How many triples it holds.
    pub triples: u64,
}

/// Which graphs a query or update sees (SPARQL 1.1 Protocol dataset parameters).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dataset {
    /// The default graph is the union of all graphs.
    pub union_default_graph: bool,
    /// `default-graph-uri` (or `using-graph-uri`): the default graph is their merge.
    pub default_graphs: Vec<NamedNode>,
    /// `named-graph-uri` (or `using-named-graph-uri`): the only named graphs visible.
    pub named_graphs: Vec<NamedNode>,
}

impl Dataset {
    /// Whether the request named no graphs, so the query's own `FROM` (or the store) decides.
    pub fn is_unspecified(&self) -> bool {
        self.default_graphs.is_empty() && self.named_graphs.is_empty()
    }
}

/// A query to evaluate.
#[derive(Debug, Clone)]
pub struct QueryRequest {
    /// The parsed query.
    pub query: spargebra::Query,
    /// The dataset named by the request; it overrides the query's `FROM` clauses.
    pub dataset: Dataset,
    /// Fires to stop the evaluation.
    pub cancel: Cancel,
}

impl QueryRequest {
    /// A request for `query` on the store's default dataset.
    pub fn new(query: spargebra::Query) -> Self {
        Self {
            query,
            dataset: Dataset::default(),
            cancel: Cancel::default(),
        }
    }
}

/// An update to run.
#[derive(Debug, Clone)]
pub struct UpdateRequest {
    /// The parsed update.
    pub update: spargebra::Update,
    /// The dataset given by `using-graph-uri`/`using-named-graph-uri`.
    pub dataset: Dataset,
}

/// The result of a query.
pub enum QueryOutcome {
    /// SELECT: the projected variables and the solutions.
    Solutions {
        /// The projected variables.
        variables: Arc<[Variable]>,
        /// The solutions, evaluated lazily.
        solutions: Box<dyn Iterator<Item = Result<QuerySolution, StoreError>>>,
    },
    /// ASK.
    Boolean(bool),
    /// CONSTRUCT and DESCRIBE: the triples, evaluated lazily.
    Graph(Box<dyn Iterator<Item = Result<Triple, StoreError>>>),
}

/// Stops a running query when fired; shared between the evaluation and whoever watches the clock.
#[derive(Clone, Default)]
pub struct Cancel(oxigraph::sparql::CancellationToken);

impl Cancel {
    /// Asks the evaluation to stop as soon as it can.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// Whether [`Cancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

impl std::fmt::Debug for Cancel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Cancel").field(&self.is_cancelled()).finish()
    }
}

/// `graph` as a graph name (`None` is the default graph).
pub fn graph_name(graph: Option<NamedNode>) -> GraphName {
    graph.map_or(GraphName::DefaultGraph, GraphName::NamedNode)
}
