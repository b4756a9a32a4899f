//! The pipeline publishes through a staging: a failing source leaves its previous graph and
//! metadata, a successful one publishes both in one commit.

use kulturnetz_model::Config;
use kulturnetz_pipeline::{IngestOptions, Outcome, ingest};
use kulturnetz_store::{
    Backend, Description, Embedded, GraphInfo, GraphWriter, Loader, QueryOutcome, QueryRequest,
    Staging, StoreError, UpdateRequest,
};
use oxrdf::{GraphNameRef, NamedNodeRef, NamedOrBlankNodeRef, TermRef, Triple, TripleRef};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

const CONFIG: &str = r#"
[site]
base_iri = "https://daten.kultur.example/"
[[source]]
id = "a"
kind = "rdf"
path = "a.nt"
max_rejected = 0
"#;

const GRAPH: &str = "https://daten.kultur.example/graph/a";
const META: &str = "https://daten.kultur.example/graph/meta";

fn site(data: &str) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kulturnetz.toml"), CONFIG).unwrap();
    std::fs::write(dir.path().join("a.nt"), data).unwrap();
    let config = Config::from_file(&dir.path().join("kulturnetz.toml")).unwrap();
    (dir, config)
}

fn rewrite(dir: &Path, data: &str) {
    std::fs::write(dir.join("a.nt"), data).unwrap();
}

/// The objects of `?s <p> ?o` in the source's graph, and its fingerprint in the meta graph.
fn published(backend: &dyn Backend) -> (Vec<String>, Option<String>) {
    let select = |q: &str| -> Vec<String> {
        let query = spargebra::SparqlParser::new().parse_query(q).unwrap();
        let QueryOutcome::Solutions { solutions, .. } =
            backend.query(&QueryRequest::new(query)).unwrap()
        else {
            panic!("expected solutions")
        };
        let mut values: Vec<String> = solutions
            .map(|s| s.unwrap().get("o").unwrap().to_string())
            .collect();
        values.sort();
        values
    };
    let objects = select(&format!(
        "SELECT ?o {{ GRAPH <{GRAPH}> {{ ?s <http://p.example/> ?o }} }}"
    ));
    let fingerprint = select(&format!(
        "SELECT ?o {{ GRAPH <{META}> {{ <{GRAPH}> <https://w3id.org/kulturnetz/ontology/kulturnetz#fingerprint> ?o }} }}"
    ));
    (objects, fingerprint.into_iter().next())
}

#[test]
fn a_failing_source_leaves_its_previous_graph_and_metadata() {
    let (dir, config) = site("<http://s.example/> <http://p.example/> \"old\" .\n");
    let store = Embedded::open(&dir.path().join("store"), &Default::default()).unwrap();
    let report = ingest(&config, &store, &IngestOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(report.sources[0].outcome, Outcome::Loaded);
    let before = published(&store);
    assert_eq!(before.0, ["\"old\""]);
    assert!(before.1.is_some());

    // Beyond the tolerance: the new graph was staged whole, and is dropped.
    rewrite(
        dir.path(),
        "<http://s.example/> <http://p.example/> \"new\" .\nbroken\n",
    );
    let report = ingest(&config, &store, &IngestOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(report.sources[0].outcome, Outcome::Failed);
    assert_eq!(report.sources[0].validation, None);
    assert_eq!(published(&store), before);

    // Input that cannot be read at all.
    std::fs::remove_file(dir.path().join("a.nt")).unwrap();
    let report = ingest(&config, &store, &IngestOptions::default(), &mut |_| {}).unwrap();
    assert_eq!(report.sources[0].outcome, Outcome::Failed);
    assert_eq!(published(&store), before);
    assert_eq!(
        store
            .graphs()
            .unwrap()
            .iter()
            .map(|g| g.triples)
            .collect::<Vec<_>>(),
        // The source's graph, the (empty) links graph, the meta graph.
        [1, 0, 32]
    );
}

/// A backend that checks, at the moment the pipeline commits, that nothing of the new content
/// is published yet, and after it that the graph and its metadata are.
struct Watching<'a> {
    inner: &'a Embedded,
    log: Mutex<Vec<String>>,
}

struct WatchingStaging<'a> {
    inner: Box<dyn Staging + 'a>,
    backend: &'a Embedded,
    log: &'a Mutex<Vec<String>>,
}

impl Staging for WatchingStaging<'_> {
    fn target(&self) -> NamedNodeRef<'_> {
        self.inner.target()
    }
    fn insert(&mut self, triple: TripleRef<'_>) -> Result<(), StoreError> {
        self.inner.insert(triple)
    }
    fn seal(&mut self) -> Result<u64, StoreError> {
        self.inner.seal()
    }
    fn triples_matching(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
    ) -> Result<Vec<Triple>, StoreError> {
        self.inner.triples_matching(subject, predicate, object)
    }
    fn commit(self: Box<Self>, meta: &[Description]) -> Result<(), StoreError> {
        let before = published(self.backend);
        self.log
            .lock()
            .unwrap()
            .push(format!("before commit: {:?}", before.0));
        let result = self.inner.commit(meta);
        let after = published(self.backend);
        self.log
            .lock()
            .unwrap()
            .push(format!("after commit: {:?}", after.0));
        assert_ne!(before.1, after.1, "the fingerprint changes with the graph");
        result
    }
}

impl Backend for Watching<'_> {
    fn query(&self, request: &QueryRequest) -> Result<QueryOutcome, StoreError> {
        self.inner.query(request)
    }
    fn update(&self, _: &UpdateRequest) -> Result<(), StoreError> {
        panic!("the pipeline writes only through a staging")
    }
    fn stage(&self, graph: NamedNodeRef<'_>) -> Result<Box<dyn Staging + '_>, StoreError> {
        self.log.lock().unwrap().push(format!("stage {graph}"));
        if graph.as_str() == "https://daten.kultur.example/graph/links" {
            // The links graph is derived from the published graphs after they are committed,
            // and staged with the description of its run; the source's graph does not change.
            return self.inner.stage(graph);
        }
        Ok(Box::new(WatchingStaging {
            inner: self.inner.stage(graph)?,
            backend: self.inner,
            log: &self.log,
        }))
    }
    fn replace_graph<'a>(
        &'a self,
        _: GraphNameRef<'_>,
    ) -> Result<Box<dyn GraphWriter + 'a>, StoreError> {
        panic!("the pipeline writes only through a staging")
    }
    fn extend_graph(
        &self,
        _: GraphNameRef<'_>,
        _: &mut dyn Iterator<Item = Triple>,
    ) -> Result<(), StoreError> {
        panic!("the pipeline writes only through a staging")
    }
    fn loader(&self) -> Result<Box<dyn Loader + '_>, StoreError> {
        panic!("the pipeline writes only through a staging")
    }
    fn describe(&self, meta: &[Description]) -> Result<(), StoreError> {
        // Only the report of a run that published nothing is written without a staging.
        self.log.lock().unwrap().push("describe".into());
        self.inner.describe(meta)
    }
    fn drop_graph(&self, _: GraphNameRef<'_>) -> Result<bool, StoreError> {
        panic!("the pipeline writes only through a staging")
    }
    fn contains_graph(&self, graph: GraphNameRef<'_>) -> Result<bool, StoreError> {
        self.inner.contains_graph(graph)
    }
    fn graph_triples<'a>(
        &'a self,
        graph: GraphNameRef<'_>,
    ) -> Result<Box<dyn Iterator<Item = Result<Triple, StoreError>> + 'a>, StoreError> {
        self.inner.graph_triples(graph)
    }
    fn graphs(&self) -> Result<Vec<GraphInfo>, StoreError> {
        self.inner.graphs()
    }
    fn refresh_counts(&self) -> Result<(), StoreError> {
        self.log.lock().unwrap().push("refresh counts".to_owned());
        self.inner.refresh_counts()
    }
    fn compact(&self) -> Result<(), StoreError> {
        self.log.lock().unwrap().push("compact".to_owned());
        self.inner.compact()
    }
    fn dump(&self, writer: &mut dyn Write) -> Result<(), StoreError> {
        self.inner.dump(writer)
    }
}

#[test]
fn a_successful_source_publishes_graph_and_metadata_in_one_commit() {
    let (dir, config) = site("<http://s.example/> <http://p.example/> \"old\" .\n");
    let store = Embedded::open(&dir.path().join("store"), &Default::default()).unwrap();
    ingest(&config, &store, &IngestOptions::default(), &mut |_| {}).unwrap();
    rewrite(
        dir.path(),
        "<http://s.example/> <http://p.example/> \"new\" .\n<http://s.example/> <http://p.example/> \"newer\" .\n",
    );
    let watching = Watching {
        inner: &store,
        log: Mutex::new(Vec::new()),
    };
    let report = ingest(&config, &watching, &IngestOptions::default(), &mut |_| {}).unwrap();
    let source = &report.sources[0];
    assert_eq!(source.outcome, Outcome::Loaded);
    assert_eq!(source.triples, 2);
    assert!(source.validation.is_some() && report.linking.is_some());
    assert_eq!(
        watching.log.into_inner().unwrap(),
        [
            format!("stage <{GRAPH}>"),
            "before commit: [\"\\\"old\\\"\"]".to_owned(),
            "after commit: [\"\\\"new\\\"\", \"\\\"newer\\\"\"]".to_owned(),
            "stage <https://daten.kultur.example/graph/links>".to_owned(),
            // Counting the graphs again is left to whoever lists them next.
            "compact".to_owned(),
        ]
    );
}

/// A long conversion reports its progress: after its first records, as it goes, and where it ended;
/// records and bytes only grow, the total is the input's size.
#[test]
fn a_conversion_reports_its_progress() {
    let data: String = (0..300_000)
        .map(|i| format!("<http://ex.example/s{i}> <http://ex.example/p> \"{i}\" .\n"))
        .collect();
    let (dir, config) = site(&data);
    let store = Embedded::open(&dir.path().join("store"), &Default::default()).unwrap();
    let mut seen = Vec::new();
    ingest(&config, &store, &IngestOptions::default(), &mut |event| {
        if let kulturnetz_pipeline::Event::Progress(source, p) = event {
            assert_eq!(source.id, "a");
            seen.push(*p);
        }
    })
    .unwrap();
    assert!(seen.len() >= 2, "{seen:?}");
    assert_eq!(seen[0].records, 256, "{seen:?}");
    let last = seen.last().unwrap();
    assert_eq!(
        *last,
        kulturnetz_pipeline::Progress {
            records: 300_000,
            rejected: 0,
            bytes: data.len() as u64,
            total: Some(data.len() as u64),
        }
    );
    assert!(
        seen.windows(2)
            .all(|w| w[0].records <= w[1].records && w[0].bytes <= w[1].bytes),
        "{seen:?}"
    );
}

/// A backend that lets each staging wait (a while) for another to start, and checks that no two
/// commits overlap: with `jobs = 3`, sources stage at the same time and publish one at a time.
struct Concurrent<'a> {
    inner: &'a Embedded,
    live: std::sync::Mutex<usize>,
    started: std::sync::Condvar,
    most_live: std::sync::atomic::AtomicUsize,
    committing: std::sync::atomic::AtomicUsize,
}

struct ConcurrentStaging<'a> {
    /// Taken by the commit.
    inner: Option<Box<dyn Staging + 'a>>,
    backend: &'a Concurrent<'a>,
}

impl Drop for ConcurrentStaging<'_> {
    fn drop(&mut self) {
        *self.backend.live.lock().unwrap() -= 1;
    }
}

impl<'a> ConcurrentStaging<'a> {
    fn inner(&self) -> &(dyn Staging + 'a) {
        self.inner.as_deref().expect("not committed")
    }
    fn inner_mut(&mut self) -> &mut (dyn Staging + 'a) {
        self.inner.as_deref_mut().expect("not committed")
    }
}

impl Staging for ConcurrentStaging<'_> {
    fn target(&self) -> NamedNodeRef<'_> {
        self.inner().target()
    }
    fn insert(&mut self, triple: TripleRef<'_>) -> Result<(), StoreError> {
        self.inner_mut().insert(triple)
    }
    fn seal(&mut self) -> Result<u64, StoreError> {
        self.inner_mut().seal()
    }
    fn triples_matching(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
    ) -> Result<Vec<Triple>, StoreError> {
        self.inner().triples_matching(subject, predicate, object)
    }
    fn commit(mut self: Box<Self>, meta: &[Description]) -> Result<(), StoreError> {
        use std::sync::atomic::Ordering::SeqCst;
        assert_eq!(
            self.backend.committing.fetch_add(1, SeqCst),
            0,
            "commits overlap"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
        let result = self.inner.take().expect("committed once").commit(meta);
        self.backend.committing.fetch_sub(1, SeqCst);
        result
    }
}

impl Backend for Concurrent<'_> {
    fn query(&self, request: &QueryRequest) -> Result<QueryOutcome, StoreError> {
        self.inner.query(request)
    }
    fn update(&self, request: &UpdateRequest) -> Result<(), StoreError> {
        self.inner.update(request)
    }
    fn stage(&self, graph: NamedNodeRef<'_>) -> Result<Box<dyn Staging + '_>, StoreError> {
        let mut live = self.live.lock().unwrap();
        *live += 1;
        self.most_live
            .fetch_max(*live, std::sync::atomic::Ordering::SeqCst);
        self.started.notify_all();
        // Wait a while for another source to stage too (not for ever: a single job never sees one).
        let (live, _) = self
            .started
            .wait_timeout_while(live, std::time::Duration::from_secs(2), |live| *live < 2)
            .unwrap();
        self.most_live
            .fetch_max(*live, std::sync::atomic::Ordering::SeqCst);
        drop(live);
        Ok(Box::new(ConcurrentStaging {
            inner: Some(self.inner.stage(graph)?),
            backend: self,
        }))
    }
    fn replace_graph<'a>(
        &'a self,
        graph: GraphNameRef<'_>,
    ) -> Result<Box<dyn GraphWriter + 'a>, StoreError> {
        self.inner.replace_graph(graph)
    }
    fn extend_graph(
        &self,
        graph: GraphNameRef<'_>,
        triples: &mut dyn Iterator<Item = Triple>,
    ) -> Result<(), StoreError> {
        self.inner.extend_graph(graph, triples)
    }
    fn loader(&self) -> Result<Box<dyn Loader + '_>, StoreError> {
        self.inner.loader()
    }
    fn describe(&self, meta: &[Description]) -> Result<(), StoreError> {
        self.inner.describe(meta)
    }
    fn drop_graph(&self, graph: GraphNameRef<'_>) -> Result<bool, StoreError> {
        self.inner.drop_graph(graph)
    }
    fn contains_graph(&self, graph: GraphNameRef<'_>) -> Result<bool, StoreError> {
        self.inner.contains_graph(graph)
    }
    fn graph_triples<'a>(
        &'a self,
        graph: GraphNameRef<'_>,
    ) -> Result<Box<dyn Iterator<Item = Result<Triple, StoreError>> + 'a>, StoreError> {
        self.inner.graph_triples(graph)
    }
    fn graphs(&self) -> Result<Vec<GraphInfo>, StoreError> {
        self.inner.graphs()
    }
    fn compact(&self) -> Result<(), StoreError> {
        self.inner.compact()
    }
    fn dump(&self, writer: &mut dyn Write) -> Result<(), StoreError> {
        self.inner.dump(writer)
    }
}

/// Sources run at once, up to `[pipeline] jobs`, publish one at a time, and are reported in the
/// order of the configuration; with `jobs = 1` they run one after the other.
#[test]
fn sources_run_at_once_up_to_jobs_and_publish_one_at_a_time() {
    for jobs in [3, 1] {
        let dir = tempfile::tempdir().unwrap();
        let mut toml = format!(
            "[site]\nbase_iri = \"https://daten.kultur.example/\"\n[pipeline]\njobs = {jobs}\n"
        );
        for id in ["c", "a", "b"] {
            toml.push_str(&format!(
                "[[source]]\nid = \"{id}\"\nkind = \"rdf\"\npath = \"{id}.nt\"\n"
            ));
            std::fs::write(
                dir.path().join(format!("{id}.nt")),
                format!("<http://s.example/{id}> <http://p.example/> \"{id}\" .\n"),
            )
            .unwrap();
        }
        std::fs::write(dir.path().join("kulturnetz.toml"), toml).unwrap();
        let config = Config::from_file(&dir.path().join("kulturnetz.toml")).unwrap();
        let store = Embedded::open(&dir.path().join("store"), &Default::default()).unwrap();
        let concurrent = Concurrent {
            inner: &store,
            live: Mutex::new(0),
            started: std::sync::Condvar::new(),
            most_live: 0.into(),
            committing: 0.into(),
        };
        let mut finished = Vec::new();
        let report = ingest(&config, &concurrent, &IngestOptions::default(), &mut |e| {
            if let kulturnetz_pipeline::Event::Finished(r) = e {
                finished.push(r.id.clone());
            }
        })
        .unwrap();
        let order: Vec<&str> = report.sources.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(order, ["c", "a", "b"], "jobs = {jobs}");
        assert!(report.sources.iter().all(|s| s.outcome == Outcome::Loaded));
        assert_eq!(finished.len(), 3);
        let most = concurrent.most_live.into_inner();
        if jobs == 1 {
            assert_eq!(most, 1);
        } else {
            assert!(most >= 2, "at most {most} source staged at a time");
        }
        assert_eq!(
            store.graphs().unwrap().len(),
            5,
            "three sources, the links graph and the meta graph"
        );
    }
}
