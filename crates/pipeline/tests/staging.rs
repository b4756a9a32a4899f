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
    fn graph(&self) -> NamedNodeRef<'_> {
        self.inner.graph()
    }
    fn insert(&mut self, triple: TripleRef<'_>) -> Result<(), StoreError> {
        self.inner.insert(triple)
    }
    fn query(&self, request: &QueryRequest) -> Result<QueryOutcome, StoreError> {
        self.inner.query(request)
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
        Ok(Box::new(WatchingStaging {
            inner: self.inner.stage(graph)?,
            backend: self.inner,
            log: &self.log,
        }))
    }
    fn replace_graph<'a>(
        &'a self,
        graph: GraphNameRef<'_>,
    ) -> Result<Box<dyn GraphWriter + 'a>, StoreError> {
        // The links graph is derived from the published graphs after they are committed, and
        // replaced whole.
        assert_eq!(
            graph.to_string(),
            "<https://daten.kultur.example/graph/links>",
            "a source's graph is written only through a staging"
        );
        self.log.lock().unwrap().push(format!("replace {graph}"));
        self.inner.replace_graph(graph)
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
        // Only the report of a run that published nothing, and the linking run, are written
        // without a staging.
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
            "replace <https://daten.kultur.example/graph/links>".to_owned(),
            "describe".to_owned(),
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
