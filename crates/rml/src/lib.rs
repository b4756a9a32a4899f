//! A declarative mapping engine: RML and YARRRML mappings turn CSV, JSON and XML into RDF.
//!
//! A [`Mapping`] is read from RML in Turtle (the W3C Community Group's `http://w3id.org/rml/`
//! vocabulary, and the legacy `rr:`/`http://semweb.mmlab.be/ns/rml#` terms that most existing
//! mappings use) or from YARRRML. [`Mapping::run`] streams: records flow from the source files
//! to an [`Output`] one at a time, so memory does not grow with the size of a file (XML sources
//! and JSON sources with unusual iterators aside, which are read whole; joins keep a table of
//! the parent side). A record that cannot be mapped becomes a [`Diagnostic`] naming the file,
//! record and field, with the record's text (`Diagnostic::raw`: a CSV row as the file has it, a
//! JSON record written compactly, a streamed XML element); the rest still maps. The same input gives the same quads in the same order.
//!
//! This crate knows nothing of stores, servers or the pipeline; [`Writer`] serialises to files.
//!
//! ```
//! use kulturnetz_rml::{Counts, Mapping, Output, Targets};
//! use kulturnetz_model::{Diagnostic, Location};
//! use oxrdf::Quad;
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("museen.csv"), "id,name\n1,Lindenau-Museum\n2,\n")?;
//! let mapping = Mapping::from_yarrrml(
//!     r#"
//! prefixes:
//!   schema: http://schema.org/
//! mappings:
//!   museum:
//!     sources:
//!       - {access: museen.csv, referenceFormulation: csv, null: ""}
//!     s: https://daten.kultur.example/id/venue/$(id)
//!     po:
//!       - [a, schema:Museum]
//!       - [schema:name, $(name)]
//! "#,
//!     "museen.yaml",
//!     dir.path(),
//! )?;
//! #[derive(Default)]
//! struct Collect(Vec<Quad>);
//! impl Output for Collect {
//!     fn accept(&mut self, _: &Location, quads: &[(Quad, Targets)]) -> Result<(), String> {
//!         self.0.extend(quads.iter().map(|(q, _)| q.clone()));
//!         Ok(())
//!     }
//!     fn reject(&mut self, d: Diagnostic) -> Result<(), String> {
//!         Err(d.to_string())
//!     }
//! }
//! let mut out = Collect::default();
//! let counts: Counts = mapping.run(&mut out)?;
//! assert_eq!((counts.records, counts.accepted, out.0.len()), (2, 2, 3));
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```

mod dedup;
mod engine;
mod error;
mod functions;
mod io;
mod join;
mod plan;
mod source;
mod template;
mod vocab;
mod writer;
mod yarrrml;

pub use error::{MappingError, RunError};
pub use writer::{Format, Writer};

use kulturnetz_model::{Diagnostic, Location};
use oxrdf::Quad;
use std::path::{Path, PathBuf};

/// The logical targets a quad goes to (at most 64 per mapping); none means the default output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Targets(u64);

impl Targets {
    /// No logical target: the default output.
    pub const NONE: Self = Self(0);

    pub(crate) fn of(indexes: &[usize]) -> Self {
        Self::NONE.with(indexes)
    }

    pub(crate) fn with(self, indexes: &[usize]) -> Self {
        Self(indexes.iter().fold(self.0, |acc, i| acc | (1 << (i % 64))))
    }

    pub(crate) fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether the quad goes to the default output only.
    pub fn is_default(self) -> bool {
        self.0 == 0
    }

    /// Whether the quad goes to the logical target `index`.
    pub fn contains(self, index: usize) -> bool {
        index < 64 && self.0 & (1 << index) != 0
    }
}

/// Where a run puts records.
pub trait Output {
    /// The quads of one record, each with the logical targets it goes to.
    fn accept(&mut self, at: &Location, quads: &[(Quad, Targets)]) -> Result<(), String>;
    /// A record that could not be mapped.
    fn reject(&mut self, diagnostic: Diagnostic) -> Result<(), String>;
    /// Whether this output leaves out quads it wrote before by itself, so that the run need
    /// not (see [`Mapping::with_duplicates`]).
    fn deduplicates(&self) -> bool {
        false
    }
}

/// What a run did: records in = accepted + rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counts {
    /// Records read (one per triples map and iteration).
    pub records: u64,
    /// Records mapped.
    pub accepted: u64,
    /// Records rejected with a diagnostic.
    pub rejected: u64,
    /// Quads of the accepted records.
    pub quads: u64,
    /// Quads left out because an earlier record of the same triples map made them already
    /// (see [`Mapping::with_duplicates`]).
    pub duplicates: u64,
}

/// A mapping, ready to run.
#[derive(Debug, Clone)]
pub struct Mapping {
    plan: plan::Plan,
    file: String,
    base: String,
    salt: String,
    keep_duplicates: bool,
}

/// The base IRI of relative IRIs when neither the mapping nor the caller gives one.
pub const DEFAULT_BASE_IRI: &str = "http://example.com/base/";

impl Mapping {
    /// Reads a mapping file: YARRRML if it ends with `.yaml`/`.yml`, else RML in Turtle.
    /// Sources are resolved relative to the file's directory.
    pub fn from_path(path: &Path) -> Result<Self, MappingError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| MappingError::new(&file, format!("cannot read the mapping: {e}")))?;
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml") {
            Self::from_yarrrml(&text, &file, &dir)
        } else {
            Self::from_turtle(&text, &file, &dir)
        }
    }

    /// Reads RML in Turtle; `file` names it in messages, `dir` is where relative sources are.
    pub fn from_turtle(text: &str, file: &str, dir: &Path) -> Result<Self, MappingError> {
        let base = format!("file:///{}", file.trim_start_matches('/'));
        let mut graph = oxrdf::Graph::new();
        let parser = oxttl::TurtleParser::new()
            .with_base_iri(&base)
            .map_err(|e| MappingError::new(file, e.to_string()))?;
        // The parser names `[]` blank nodes at random; named by first appearance instead, they
        // keep the order of the mapping text wherever the reader sorts, so runs are repeatable.
        let mut labels = std::collections::HashMap::new();
        let mut relabel = |b: &oxrdf::BlankNode| -> oxrdf::BlankNode {
            let n = labels.len();
            labels
                .entry(b.clone())
                .or_insert_with(|| oxrdf::BlankNode::new_unchecked(format!("t{n:08}")))
                .clone()
        };
        for triple in parser.for_slice(text.as_bytes()) {
            match triple {
                Ok(mut t) => {
                    if let oxrdf::NamedOrBlankNode::BlankNode(b) = &t.subject {
                        t.subject = relabel(b).into();
                    }
                    if let oxrdf::Term::BlankNode(b) = &t.object {
                        t.object = relabel(b).into();
                    }
                    graph.insert(&t);
                }
                Err(e) => {
                    let mut err = MappingError::new(file, format!("not Turtle: {}", e.message()));
                    err.line = Some(e.location().start.line + 1);
                    return Err(err);
                }
            }
        }
        Self::from_graph(&graph, text, file, dir, false)
    }

    /// Reads YARRRML (<https://rml.io/yarrrml/spec/>).
    pub fn from_yarrrml(text: &str, file: &str, dir: &Path) -> Result<Self, MappingError> {
        let graph = yarrrml::translate(text, file)?;
        Self::from_graph(&graph, text, file, dir, true)
    }

    fn from_graph(
        graph: &oxrdf::Graph,
        text: &str,
        file: &str,
        dir: &Path,
        yarrrml: bool,
    ) -> Result<Self, MappingError> {
        let plan = plan::read(graph, file, text, dir, "", yarrrml)?;
        check(&plan, file)?;
        Ok(Self {
            plan,
            file: file.to_owned(),
            base: DEFAULT_BASE_IRI.to_owned(),
            salt: String::new(),
            keep_duplicates: false,
        })
    }

    /// The base IRI of relative IRIs in triples maps without `rml:baseIRI`.
    #[must_use]
    pub fn with_base_iri(mut self, base: &str) -> Self {
        base.clone_into(&mut self.base);
        self
    }

    /// Blank nodes of this mapping differ from those of any mapping run with another salt.
    #[must_use]
    pub fn with_blank_node_salt(mut self, salt: &str) -> Self {
        salt.clone_into(&mut self.salt);
        self
    }

    /// Whether a record whose quads an earlier record of its triples map made already is handed
    /// on with them (`true`), or with none (`false`, the default). Repeats are found exactly
    /// where a triples map's quads depend only on its subject's values (a person named in
    /// many rows, a lookup table); quads repeated within one record are always left out.
    #[must_use]
    pub fn with_duplicates(mut self, keep: bool) -> Self {
        self.keep_duplicates = keep;
        self
    }

    /// What reading the mapping chose that its user should know, e.g. a source found in the
    /// working directory rather than beside the mapping. One sentence each.
    pub fn notes(&self) -> &[String] {
        &self.plan.notes
    }

    /// Reads every XML source into a tree, as iterators that cannot stream do. For tests that
    /// compare the two ways of reading.
    #[doc(hidden)]
    #[must_use]
    pub fn with_whole_xml_documents(mut self) -> Self {
        for source in &mut self.plan.sources {
            source.stream = false;
        }
        self
    }

    /// The files the mapping reads, in the order it reads them.
    pub fn source_files(&self) -> Vec<&Path> {
        self.plan.sources.iter().map(|s| s.path.as_path()).collect()
    }

    /// The logical targets: the file each writes, by index (see [`Targets`]).
    pub fn target_files(&self) -> Vec<&Path> {
        self.plan.targets.iter().map(|t| t.path.as_path()).collect()
    }

    /// Runs the mapping, handing every record to `out`.
    pub fn run(&self, out: &mut dyn Output) -> Result<Counts, RunError> {
        engine::Engine::new(
            &self.plan,
            &self.file,
            &self.base,
            &self.salt,
            self.keep_duplicates,
        )
        .run(out)
    }
}

/// Checks what can be checked before any source is opened: references, iterators, functions.
fn check(plan: &plan::Plan, file: &str) -> Result<(), MappingError> {
    for map in &plan.maps {
        let error = |message: String| MappingError {
            file: file.to_owned(),
            line: map.line,
            triples_map: Some(map.name.clone()),
            message,
        };
        let source = &plan.sources[map.source];
        if let Some(iterator) = &source.iterator {
            source::check_iterator(source.formulation, iterator).map_err(error)?;
        }
        let mut refs = Vec::new();
        engine::map_references(map, &mut refs, true);
        for r in &refs {
            source::check_reference(source.formulation, r).map_err(error)?;
        }
        let mut functions = Vec::new();
        collect_functions(&map.subject, &mut functions);
        for pom in &map.poms {
            for tm in pom.predicates.iter().chain(&pom.graphs) {
                collect_functions(tm, &mut functions);
            }
            for o in &pom.objects {
                if let plan::ObjectMap::Term(tm) = o {
                    collect_functions(tm, &mut functions);
                }
            }
        }
        for f in functions {
            if !functions::is_known(&f) {
                return Err(error(format!("the function <{f}> is not known")));
            }
        }
    }
    Ok(())
}

fn collect_functions(tm: &plan::TermMap, out: &mut Vec<String>) {
    if let plan::Expr::Function(call) = &tm.expr {
        out.push(call.function.as_str().to_owned());
        for (_, v) in &call.inputs {
            collect_functions(v, out);
        }
    }
    if let Some(l) = &tm.language {
        collect_functions(l, out);
    }
    if let Some(d) = &tm.datatype {
        collect_functions(d, out);
    }
}
