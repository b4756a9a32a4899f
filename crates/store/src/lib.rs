//! Where Kulturnetz keeps its data: the [`Backend`] trait and its embedded implementation.
//!
//! [`Embedded`] is an Oxigraph store on RocksDB. This is the only crate that depends on
//! `oxigraph`: everything above it speaks `oxrdf` terms, `spargebra` queries and `sparesults`
//! solutions, so that a remote SPARQL endpoint can be a full peer of the embedded store.
//!
//! The one write path that matters for publishing is [`Backend::stage`]: a named graph's new
//! content is written into a [`Staging`], sealed and read there (validation), and is then
//! committed with its metadata in one step, so a reader sees either the old
//! graph or the new one, never a mix. Dropping the staging keeps the old graph. [`dump()`] writes
//! the published dumps; [`Backend::loader`] loads large files in bounded batches.
//!
//! ```
//! use kulturnetz_store::{Backend, Description, Embedded, QueryOutcome, QueryRequest};
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
//! let mut staging = store.stage(g.as_ref())?;
//! staging.insert(t.as_ref())?;
//! staging.insert(t.as_ref())?;
//! // Sealed, the staged graph counts its distinct triples and can be read before anyone else
//! // sees it.
//! assert_eq!(staging.seal()?, 1);
//! assert_eq!(staging.triples_matching(None, None, None)?, [t]);
//! let ask = format!("ASK {{ GRAPH {g} {{ ?s ?p 1 }} }}");
//! let ask = spargebra::SparqlParser::new().parse_query(&ask)?;
//! assert!(matches!(store.query(&QueryRequest::new(ask.clone()))?, QueryOutcome::Boolean(false)));
//! let meta = NamedNode::new("https://x.example/graph/meta")?;
//! staging.commit(&[Description::new(meta, g.clone())])?;
//! assert_eq!(store.graphs()?[0].triples, 1);
//! assert!(matches!(store.query(&QueryRequest::new(ask))?, QueryOutcome::Boolean(true)));
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod canon;
mod dump;
mod embedded;
mod error;
mod guard;
mod run;
mod staged;

pub use dump::{DumpFile, DumpSource, GraphStats, Manifest, dump};
pub use embedded::{Embedded, EmbeddedOptions, Function, Functions};
pub use error::StoreError;
pub use kulturnetz_sparql::{ServicePolicy, service_host};
pub use run::{QueryError, Written, run_query};

use oxrdf::{
    GraphName, GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, QuadRef, Term, TermRef,
    Triple, TripleRef, Variable,
};
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

    /// Starts staging new content for the named graph `graph`, see [`Staging`] and the staging
    /// contract in docs/code-map.md: readers keep seeing the published graph until
    /// [`Staging::commit`]; dropping the staging leaves it as it was.
    fn stage(&self, graph: NamedNodeRef<'_>) -> Result<Box<dyn Staging + '_>, StoreError>;

    /// Starts replacing the content of `graph` (Graph Store Protocol PUT): nothing is visible to
    /// readers until [`GraphWriter::commit`]; dropping the writer leaves the old graph as it was.
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

    /// Starts a bulk load of quads, each into its own graph (`kulturnetz load`), see [`Loader`].
    fn loader(&self) -> Result<Box<dyn Loader + '_>, StoreError>;

    /// Replaces each description of `meta` in one step, without staging a graph: the metadata
    /// of a run that publishes nothing (a validation report that kept a source out).
    fn describe(&self, meta: &[Description]) -> Result<(), StoreError>;

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
    ///
    /// A backend may keep the counts from one call to the next until a write changes them; then
    /// the first call after the write counts again.
    fn graphs(&self) -> Result<Vec<GraphInfo>, StoreError>;

    /// Counts the graphs again if a write made the kept counts stale, so that the next
    /// [`Backend::graphs`] answers at once. Meant to run off the request path after a write (an
    /// ingest, a load); it takes as long as counting the store.
    fn refresh_counts(&self) -> Result<(), StoreError> {
        self.graphs().map(drop)
    }

    /// Compacts the storage after large writes, so that reads stay as fast as after a bulk load.
    /// Takes time in proportion to the store's size: call it once after an ingest, not per write.
    /// The embedded store compacts only if a transaction wrote since it was opened or last
    /// compacted: what bulk loads write is already compact.
    fn compact(&self) -> Result<(), StoreError>;

    /// Writes every quad of the store as N-Quads.
    fn dump(&self, writer: &mut dyn Write) -> Result<(), StoreError>;
}

/// A transaction that replaces one graph, see [`Backend::replace_graph`].
pub trait GraphWriter {
    /// Adds a triple to the new content of the graph.
    fn insert(&mut self, triple: TripleRef<'_>) -> Result<(), StoreError>;

    /// Makes the new content visible, all at once.
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// The new content of one named graph, written but not yet published (see [`Backend::stage`]).
///
/// What it guarantees (the staging contract, also in docs/code-map.md):
/// - Readers of the backend ([`Backend::query`], [`Backend::graphs`], …) see the published graph
///   until [`Staging::commit`] returns, and then the new content with its metadata, never a mix.
/// - Dropping the staging (or any error before commit) leaves the published graph as it was.
///
/// A staging is filled with [`Staging::insert`], then sealed with [`Staging::seal`], after which
/// it can be read with [`Staging::triples_matching`] (validation) and committed.
///
/// The embedded store stages in memory, each term once, and publishes a new graph with its
/// metadata in one bulk ingestion and a graph that existed as one transaction of the difference.
pub trait Staging {
    /// The graph being replaced.
    fn target(&self) -> NamedNodeRef<'_>;

    /// Adds a triple to the staged content; a triple added twice is staged once.
    fn insert(&mut self, triple: TripleRef<'_>) -> Result<(), StoreError>;

    /// Ends the writing: from now on the staging can be read, and takes no more triples.
    /// Returns the number of distinct triples staged.
    fn seal(&mut self) -> Result<u64, StoreError>;

    /// The staged triples that match a pattern (`None` matches any term), once sealed, for
    /// validating the staged content without copying it. A blank node this returned is found
    /// again when it is asked for, so that a blank node can be looked up as the subject of the
    /// next pattern.
    fn triples_matching(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
    ) -> Result<Vec<Triple>, StoreError>;

    /// Publishes the staged content as the target graph and, in the same step, replaces each
    /// description of `meta` (see [`Description`]).
    fn commit(self: Box<Self>, meta: &[Description]) -> Result<(), StoreError>;
}

/// Everything a graph says about one subject and its parts, replaced as a whole (a source's
/// metadata or its validation report in the meta graph, committed with its graph by
/// [`Staging::commit`], or alone by [`Backend::describe`]).
///
/// The parts of a subject are the IRIs made of it and a fragment (`{subject}#…`): a structure
/// such as a validation report, with its results, is one description without blank nodes, and
/// replacing it removes every part the previous one had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// The graph the description lives in.
    pub graph: NamedNode,
    /// What is described.
    pub subject: NamedNode,
    /// Its predicates and objects.
    pub statements: Vec<(NamedNode, Term)>,
    /// Statements about its parts, each subject a `{subject}#…` IRI.
    pub parts: Vec<Triple>,
}

impl Description {
    /// An empty description of `subject` in `graph`: committing it removes what `graph` said
    /// about the subject and its parts.
    pub fn new(graph: NamedNode, subject: NamedNode) -> Self {
        Self {
            graph,
            subject,
            statements: Vec::new(),
            parts: Vec::new(),
        }
    }

    /// Adds a statement.
    pub fn with(mut self, predicate: NamedNode, object: impl Into<Term>) -> Self {
        self.statements.push((predicate, object.into()));
        self
    }

    /// Whether `subject` is the described subject or one of its parts.
    pub fn covers(&self, subject: NamedOrBlankNodeRef<'_>) -> bool {
        let NamedOrBlankNodeRef::NamedNode(s) = subject else {
            return false;
        };
        let s = s.as_str();
        s == self.subject.as_str()
            || s.strip_prefix(self.subject.as_str())
                .is_some_and(|rest| rest.starts_with('#'))
    }
}

/// A bulk load, see [`Backend::loader`]: quads arrive in batches and memory stays bounded by a
/// batch, however large the input.
///
/// On the embedded store nothing is visible until [`Loader::finish`] and dropping the loader
/// discards what it wrote (the whole load is one atomic step); a remote store may publish batch
/// by batch.
pub trait Loader {
    /// Adds a batch of quads, each to its own graph.
    fn insert(&mut self, quads: &[QuadRef<'_>]) -> Result<(), StoreError>;

    /// Publishes what was loaded.
    fn finish(self: Box<Self>) -> Result<(), StoreError>;
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
