//! Loading RDF files into the store as they are (`kulturnetz load`): each file read by the `rdf`
//! connector and written through [`Backend::loader`] in bounded batches.

use crate::PipelineError;
use kulturnetz_connectors::{
    Connector as _, ConnectorError, Context, Input, RecordSink, SinkError,
};
use kulturnetz_model::{Diagnostic, Location, Minter};
use kulturnetz_store::{Backend, Loader, StoreError};
use oxrdf::{GraphName, NamedNode, Quad, QuadRef};
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

/// How many quads are handed to the store at a time; memory is bounded by a few batches.
const BATCH: usize = 100_000;

/// How to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Put every quad into this graph instead of its own.
    pub graph: Option<NamedNode>,
}

/// What was loaded from one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileLoad {
    /// The file, as the user named it.
    pub name: String,
    /// Quads loaded.
    pub statements: u64,
    /// Statements rejected (syntax errors).
    pub rejected: u64,
}

/// Progress of a load.
#[derive(Debug)]
pub enum LoadEvent<'a> {
    /// A statement was rejected.
    Rejected(&'a Diagnostic),
    /// A file is loaded and visible.
    Loaded(&'a FileLoad),
}

/// Loads RDF `files` (any syntax the `rdf` connector reads, by extension) into `backend`.
///
/// Each file is one bulk load: on the embedded store it becomes visible whole once it is read, and
/// a file that fails (it cannot be read, or is not RDF) leaves nothing of itself behind, while the
/// files before it stay loaded. A statement with a syntax error is rejected (reported through
/// `on_event`) and the rest of the file loads. After the last file the store is compacted.
pub fn load(
    backend: &dyn Backend,
    minter: &Minter,
    files: &[PathBuf],
    options: &LoadOptions,
    on_event: &mut dyn FnMut(LoadEvent<'_>),
) -> Result<Vec<FileLoad>, PipelineError> {
    let mut loaded = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let reader = File::open(file).map_err(|error| PipelineError::Read {
            name: name.clone(),
            error,
        })?;
        let cx = Context::new("load", minter);
        let mut sink = LoadSink {
            loader: backend.loader()?,
            batch: Vec::new(),
            graph: options.graph.clone().map(GraphName::NamedNode),
            statements: 0,
            rejected: 0,
            on_event: &mut *on_event,
        };
        let result = kulturnetz_connectors::Rdf.convert(
            Input {
                name: &name,
                reader: &mut BufReader::with_capacity(1 << 16, reader),
            },
            &cx,
            &mut sink,
        );
        match result {
            // The store's error, kept whole: the connector only saw that its sink stopped.
            Err(ConnectorError::Sink(e)) => {
                return Err(match e.downcast::<StoreError>() {
                    Ok(e) => e.into(),
                    Err(e) => PipelineError::Convert(ConnectorError::Sink(e)),
                });
            }
            result => result.map_err(PipelineError::Convert)?,
        }
        sink.flush()?;
        let file = FileLoad {
            name,
            statements: sink.statements,
            rejected: sink.rejected,
        };
        sink.loader.finish()?;
        on_event(LoadEvent::Loaded(&file));
        loaded.push(file);
    }
    backend.compact()?;
    Ok(loaded)
}

/// Batches accepted quads into the loader and reports rejected statements.
struct LoadSink<'a, 'e> {
    loader: Box<dyn Loader + 'a>,
    batch: Vec<Quad>,
    graph: Option<GraphName>,
    statements: u64,
    rejected: u64,
    on_event: &'e mut dyn FnMut(LoadEvent<'_>),
}

impl LoadSink<'_, '_> {
    fn flush(&mut self) -> Result<(), StoreError> {
        if !self.batch.is_empty() {
            let quads: Vec<QuadRef<'_>> = self.batch.iter().map(Quad::as_ref).collect();
            self.loader.insert(&quads)?;
            self.batch.clear();
        }
        Ok(())
    }
}

impl RecordSink for LoadSink<'_, '_> {
    fn accept(&mut self, _: &Location, quads: &[QuadRef<'_>]) -> Result<(), SinkError> {
        for q in quads {
            let mut quad = q.into_owned();
            if let Some(g) = &self.graph {
                quad.graph_name = g.clone();
            }
            self.batch.push(quad);
            self.statements += 1;
        }
        if self.batch.len() < BATCH {
            return Ok(());
        }
        self.flush().map_err(SinkError::new)
    }

    fn reject(&mut self, diagnostic: Diagnostic) -> Result<(), SinkError> {
        self.rejected += 1;
        (self.on_event)(LoadEvent::Rejected(&diagnostic));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kulturnetz_store::{Embedded, GraphInfo};

    #[test]
    fn loads_each_file_in_batches_and_reports_rejects() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(&dir.path().join("store"), &Default::default()).unwrap();
        let minter = Minter::new("https://daten.kultur.example/").unwrap();
        let big = dir.path().join("big.nq");
        let mut text = String::new();
        for i in 0..(BATCH + 10) {
            text.push_str(&format!(
                "<https://x.example/s{i}> <https://x.example/p> \"{i}\" <https://x.example/g> .\n"
            ));
        }
        text.push_str("not a statement\n");
        std::fs::write(&big, text).unwrap();
        let mut rejected = Vec::new();
        let mut loaded = Vec::new();
        let report = load(
            &store,
            &minter,
            &[big],
            &LoadOptions::default(),
            &mut |event| match event {
                LoadEvent::Rejected(d) => rejected.push(d.to_string()),
                LoadEvent::Loaded(f) => loaded.push(f.clone()),
            },
        )
        .unwrap();
        assert_eq!(report, loaded);
        assert_eq!(report[0].statements, BATCH as u64 + 10);
        assert_eq!(report[0].rejected, 1);
        assert_eq!(rejected.len(), 1);
        assert!(rejected[0].contains("big.nq:"), "{rejected:?}");
        assert_eq!(
            store.graphs().unwrap(),
            [GraphInfo {
                name: NamedNode::new_unchecked("https://x.example/g"),
                triples: BATCH as u64 + 10
            }]
        );
    }

    #[test]
    fn a_file_that_cannot_be_read_stops_the_load() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(&dir.path().join("store"), &Default::default()).unwrap();
        let minter = Minter::new("https://daten.kultur.example/").unwrap();
        let error = load(
            &store,
            &minter,
            &[dir.path().join("missing.ttl")],
            &LoadOptions::default(),
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(error, PipelineError::Read { .. }), "{error:?}");
        assert!(
            error.to_string().contains("missing.ttl: cannot read: "),
            "{error}"
        );
    }
}
