//! The dumps a site publishes (`all.nq.gz`, per source `{id}.nq.gz` and `{id}.ttl.gz`, and
//! `SHA256SUMS`), written so that nobody ever reads a half-written file.

use crate::{Backend, StoreError};
use oxrdf::{GraphName, GraphNameRef, NamedNode, Triple};
use oxrdfio::{RdfFormat, RdfSerializer};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The file of every quad of the store, as gzipped N-Quads.
const ALL: &str = "all.nq.gz";
/// The checksum file, in the format `sha256sum --check` reads.
const SUMS: &str = "SHA256SUMS";

/// What [`dump`] wrote: the data files, each with its size and digest (for the checksum file, a
/// DCAT catalogue, ETags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The data files (not `SHA256SUMS` itself), in the order they are listed there.
    pub files: Vec<DumpFile>,
    /// What each dumped source's graph holds.
    pub graphs: Vec<GraphStats>,
    /// Every quad of the store.
    pub quads: u64,
}

/// One file of a dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpFile {
    /// The file's name in the dump folder.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// The SHA-256 of its bytes.
    pub sha256: [u8; 32],
    /// The source whose graph it holds (`None`: the whole store).
    pub source: Option<String>,
}

/// What one source's graph holds, counted while its dump is written (for VoID).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphStats {
    /// The source's id.
    pub source: String,
    /// Its named graph.
    pub graph: Option<NamedNode>,
    /// Triples.
    pub triples: u64,
    /// Distinct subjects.
    pub subjects: u64,
    /// Distinct objects (counted by a 64-bit hash of each term: exact but for collisions, which
    /// at 10 million objects have a chance of about one in 300 000).
    pub objects: u64,
    /// Each class with its number of instances (`rdf:type` statements), sorted by class.
    pub classes: Vec<(NamedNode, u64)>,
    /// Each property with its number of triples, sorted by property.
    pub properties: Vec<(NamedNode, u64)>,
}

/// Counts what [`GraphStats`] says while the triples of a graph go by in the store's order
/// (a subject's triples one after the other).
#[derive(Default)]
struct Counter {
    stats: GraphStats,
    last_subject: Option<oxrdf::NamedOrBlankNode>,
    objects: rustc_hash::FxHashSet<u64>,
    classes: std::collections::HashMap<NamedNode, u64>,
    properties: std::collections::HashMap<NamedNode, u64>,
}

impl Counter {
    fn add(&mut self, triple: &oxrdf::Triple) {
        use std::hash::BuildHasher;
        self.stats.triples += 1;
        if self.last_subject.as_ref() != Some(&triple.subject) {
            // The same subject could come back after others on a backend with another order;
            // on the embedded store its triples are together, so this counts it once.
            self.stats.subjects += 1;
            self.last_subject = Some(triple.subject.clone());
        }
        // SipHash with fixed keys: a well-spread 64-bit digest, the same in every run.
        self.objects.insert(
            std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
                .hash_one(&triple.object),
        );
        *self.properties.entry(triple.predicate.clone()).or_default() += 1;
        if triple.predicate == oxrdf::vocab::rdf::TYPE
            && let oxrdf::Term::NamedNode(class) = &triple.object
        {
            *self.classes.entry(class.clone()).or_default() += 1;
        }
    }

    fn finish(mut self, source: &DumpSource) -> GraphStats {
        self.stats.source = source.id.clone();
        self.stats.graph = Some(source.graph.clone());
        self.stats.objects = self.objects.len() as u64;
        self.stats.classes = self.classes.into_iter().collect();
        self.stats.classes.sort();
        self.stats.properties = self.properties.into_iter().collect();
        self.stats.properties.sort();
        self.stats
    }
}

/// A source whose graph gets dump files of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpSource {
    /// The source's id: its files are `{id}.nq.gz` and `{id}.ttl.gz`.
    pub id: String,
    /// Its named graph.
    pub graph: NamedNode,
}

/// The files of one source's graph.
fn source_files(id: &str) -> [String; 2] {
    [format!("{id}.nq.gz"), format!("{id}.ttl.gz")]
}

/// Writes the dumps of `backend` into `dir`: for each source whose graph exists, `{id}.nq.gz`
/// (N-Quads, the graph named) and `{id}.ttl.gz` (Turtle with the prefixes of
/// [`kulturnetz_model::vocab::PREFIXES`]); `all.nq.gz`, every quad of the store; `SHA256SUMS`.
///
/// The same graphs give the same bytes: a graph is written in the order of the store's index,
/// which on the embedded store follows from the terms alone (Oxigraph keys terms by their
/// hash), not from the order they were written in, and its triples with blank nodes last,
/// labelled canonically (RDFC-1.0) and sorted; gzip writes no time stamp. `all.nq.gz` is
/// the sources' N-Quads members followed by one for the rest of the store (the default graph,
/// the meta graph, graphs written over the Graph Store Protocol): a gzip file may hold several
/// members, and every gzip reader decompresses them as one stream, so nothing is compressed twice.
///
/// Each file is written to a temporary file in `dir` and renamed over the old one when
/// complete, so a reader (the `/dumps/` route, a mirror) sees the previous file or the new one;
/// `SHA256SUMS` comes last. The digests are computed while the bytes are written. Files of
/// sources that are no longer dumped are removed.
pub fn dump(
    backend: &dyn Backend,
    dir: &Path,
    sources: &[DumpSource],
) -> Result<Manifest, StoreError> {
    std::fs::create_dir_all(dir).map_err(|error| StoreError::Write {
        path: dir.to_owned(),
        error,
    })?;
    let mut files = Vec::new();
    let mut members = Vec::new();
    let mut graphs = Vec::new();
    let mut quads = 0;
    for source in sources {
        let graph = GraphNameRef::NamedNode(source.graph.as_ref());
        if !backend.contains_graph(graph)? {
            continue;
        }
        let [nq, ttl] = source_files(&source.id);
        let mut counter = Counter::default();
        let mut nquads = write_atomically(dir, &nq, |out| {
            gzip(out, &dir.join(&nq), |gz| {
                let mut writer = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(gz);
                in_dump_order(
                    backend,
                    graph,
                    |triple| counter.add(triple),
                    |triple| {
                        writer
                            .serialize_quad(triple.as_ref().in_graph(graph))
                            .map_err(failed(&dir.join(&nq)))
                    },
                )?;
                writer.finish().map_err(failed(&dir.join(&nq)))?;
                Ok(())
            })
        })?;
        nquads.source = Some(source.id.clone());
        let stats = counter.finish(source);
        quads += stats.triples;
        graphs.push(stats);
        members.push(dir.join(&nq));
        files.push(nquads);
        let mut turtle = write_atomically(dir, &ttl, |out| {
            gzip(out, &dir.join(&ttl), |gz| {
                let mut serializer = RdfSerializer::from_format(RdfFormat::Turtle);
                for (prefix, namespace) in kulturnetz_model::vocab::PREFIXES {
                    serializer = serializer
                        .with_prefix(*prefix, *namespace)
                        .unwrap_or_else(|e| unreachable!("the prefixes are IRIs: {e}"));
                }
                let mut writer = serializer.for_writer(gz);
                in_dump_order(
                    backend,
                    graph,
                    |_| {},
                    |triple| {
                        writer
                            .serialize_triple(triple.as_ref())
                            .map_err(failed(&dir.join(&ttl)))
                    },
                )?;
                writer.finish().map_err(failed(&dir.join(&ttl)))?;
                Ok(())
            })
        })?;
        turtle.source = Some(source.id.clone());
        files.push(turtle);
    }
    // The rest of the store, as the last member of `all.nq.gz`.
    let rest = format!(".rest.{}", std::process::id());
    write_atomically(dir, &rest, |out| {
        gzip(out, &dir.join(ALL), |gz| {
            let mut writer = RdfSerializer::from_format(RdfFormat::NQuads).for_writer(gz);
            let dumped: Vec<&NamedNode> = sources.iter().map(|s| &s.graph).collect();
            let mut rest_graphs = vec![GraphName::DefaultGraph];
            rest_graphs.extend(
                backend
                    .graphs()?
                    .into_iter()
                    .filter(|g| !dumped.contains(&&g.name))
                    .map(|g| GraphName::NamedNode(g.name)),
            );
            for graph in &rest_graphs {
                in_dump_order(
                    backend,
                    graph.as_ref(),
                    |_| quads += 1,
                    |triple| {
                        writer
                            .serialize_quad(triple.as_ref().in_graph(graph.as_ref()))
                            .map_err(failed(&dir.join(ALL)))
                    },
                )?;
            }
            writer.finish().map_err(failed(&dir.join(ALL)))?;
            Ok(())
        })
    })?;
    members.push(dir.join(&rest));
    let all = write_atomically(dir, ALL, |out| {
        for member in &members {
            let mut file = File::open(member).map_err(|error| StoreError::Write {
                path: member.clone(),
                error,
            })?;
            std::io::copy(&mut file, out).map_err(|error| StoreError::Write {
                path: dir.join(ALL),
                error,
            })?;
        }
        Ok(())
    });
    let _ = std::fs::remove_file(dir.join(&rest));
    files.insert(0, all?);
    let manifest = Manifest {
        files,
        graphs,
        quads,
    };
    let mut sums = String::new();
    for file in &manifest.files {
        sums.push_str(&kulturnetz_model::hex(&file.sha256));
        sums.push_str("  ");
        sums.push_str(&file.name);
        sums.push('\n');
    }
    write_atomically(dir, SUMS, |out| {
        out.write_all(sums.as_bytes())
            .map_err(|error| StoreError::Write {
                path: dir.join(SUMS),
                error,
            })
    })?;
    remove_stale(dir, &manifest);
    Ok(manifest)
}

/// Hands each triple of `graph` to `seen` in the store's order and to `write` in the dump's:
/// the triples without blank nodes in the store's order, which follows from the terms alone,
/// then those with blank nodes, labelled by RDFC-1.0 and sorted (see [`crate::canon`]). The
/// latter are held in memory until the graph has been read.
fn in_dump_order(
    backend: &dyn Backend,
    graph: GraphNameRef<'_>,
    mut seen: impl FnMut(&Triple),
    mut write: impl FnMut(&Triple) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let mut blank = Vec::new();
    for triple in backend.graph_triples(graph)? {
        let triple = triple?;
        seen(&triple);
        if crate::canon::has_blank_node(&triple) {
            blank.push(triple);
        } else {
            write(&triple)?;
        }
    }
    if blank.is_empty() {
        return Ok(());
    }
    let canonical = crate::canon::canonical(&blank).map_err(|e| {
        StoreError::Storage(format!(
            "while labelling the blank nodes of {graph} canonically: {e}"
        ))
    })?;
    for triple in &canonical {
        write(triple)?;
    }
    Ok(())
}

/// Removes the files of sources that are no longer dumped: `*.nq.gz` and `*.ttl.gz` that the
/// manifest does not list. Other files in the folder are left alone.
fn remove_stale(dir: &Path, manifest: &Manifest) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours =
            (name.ends_with(".nq.gz") || name.ends_with(".ttl.gz")) && !name.starts_with('.');
        if ours && !manifest.files.iter().any(|f| f.name == name) {
            // A file that cannot be removed now goes at the next dump.
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Compresses what `write` writes into `out`, as one gzip member (no time stamp, so the same
/// bytes compress to the same bytes).
fn gzip(
    out: &mut dyn Write,
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let gz = flate2::GzBuilder::new().write(out, flate2::Compression::new(LEVEL));
    // The serialisers write a term at a time; flate2 readies its output buffer on every write,
    // so small writes would cost more than the compression.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, gz);
    write(&mut buffered)?;
    let failed = |error| StoreError::Write {
        path: path.to_owned(),
        error,
    };
    let mut gz = buffered.into_inner().map_err(|e| failed(e.into_error()))?;
    gz.try_finish().map_err(failed)?;
    Ok(())
}

/// A write error on `path`.
fn failed(path: &Path) -> impl Fn(std::io::Error) -> StoreError {
    let path = path.to_owned();
    move |error| StoreError::Write {
        path: path.clone(),
        error,
    }
}

/// The gzip level of the dumps: fast, since every ingest that changed something writes them.
const LEVEL: u32 = 4;

/// Writes `dir/name` through `write` into a temporary file, hashing as it goes, then renames it.
fn write_atomically(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut Hashing<BufWriter<File>>) -> Result<(), StoreError>,
) -> Result<DumpFile, StoreError> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let failed = |path: &PathBuf| {
        let path = path.clone();
        move |error| StoreError::Write { path, error }
    };
    let file = File::create(&tmp).map_err(failed(&tmp))?;
    let mut out = Hashing {
        inner: BufWriter::new(file),
        hasher: Sha256::new(),
        bytes: 0,
    };
    let written = write(&mut out).and_then(|()| {
        let file = out.inner.into_inner().map_err(|e| StoreError::Write {
            path: tmp.clone(),
            error: e.into_error(),
        })?;
        file.sync_all().map_err(failed(&tmp))
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &path).map_err(failed(&path))?;
    Ok(DumpFile {
        name: name.to_owned(),
        bytes: out.bytes,
        sha256: out.hasher.finalize().into(),
        source: None,
    })
}

/// A writer that hashes and counts the bytes it passes on.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Backend, Embedded, EmbeddedOptions};
    use oxrdf::{Literal, NamedNode, Quad};
    use std::io::Read;

    fn quad(s: &str, o: i64, g: &NamedNode) -> Quad {
        Quad::new(
            NamedNode::new_unchecked(format!("https://x.example/{s}")),
            NamedNode::new_unchecked("http://schema.org/name"),
            Literal::from(o),
            g.clone(),
        )
    }

    fn gunzip(bytes: &[u8]) -> String {
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    /// A store with source `a` (in graph `ga`), a graph of its own (`other`) and a triple in
    /// the default graph, written in the order of `order`.
    fn store_with(dir: &Path, order: &[usize]) -> (Embedded, Vec<DumpSource>) {
        let store = Embedded::open(dir, &EmbeddedOptions::default()).unwrap();
        let ga = NamedNode::new_unchecked("https://x.example/graph/a");
        let other = NamedNode::new_unchecked("https://x.example/graph/other");
        let quads: Vec<Quad> = (0..50)
            .map(|i| quad(&format!("s{}", i % 7), i, &ga))
            .chain([quad("o", 1, &other)])
            .collect();
        let mut loader = store.loader().unwrap();
        for &i in order {
            loader.insert(&[quads[i].as_ref()]).unwrap();
        }
        loader.finish().unwrap();
        store
            .extend_graph(
                GraphNameRef::DefaultGraph,
                &mut std::iter::once(quad("d", 2, &ga).into()),
            )
            .unwrap();
        let sources = vec![DumpSource {
            id: "a".into(),
            graph: ga,
        }];
        (store, sources)
    }

    /// A graph with blank nodes, parsed anew (so with new blank node labels) into a fresh store.
    fn store_with_blank_nodes(dir: &Path) -> (Embedded, Vec<DumpSource>) {
        let turtle = r#"@prefix s: <http://schema.org/> .
            <https://x.example/m> s:name "Dom" ;
                s:address [ s:streetAddress "Domplatz 1" ; s:postalCode "99084" ] ;
                s:geo [ s:latitude 50.97 ; s:longitude 11.02 ] .
            [] s:about <https://x.example/m> ; s:name "Führung" ."#;
        let store = Embedded::open(dir, &EmbeddedOptions::default()).unwrap();
        let ga = NamedNode::new_unchecked("https://x.example/graph/a");
        let quads: Vec<Quad> = oxrdfio::RdfParser::from_format(RdfFormat::Turtle)
            .for_reader(turtle.as_bytes())
            .map(|q| {
                let q = q.unwrap();
                Quad::new(q.subject, q.predicate, q.object, ga.clone())
            })
            .collect();
        let mut loader = store.loader().unwrap();
        for q in &quads {
            loader.insert(&[q.as_ref()]).unwrap();
        }
        loader.finish().unwrap();
        let sources = vec![DumpSource {
            id: "a".into(),
            graph: ga,
        }];
        (store, sources)
    }

    /// Blank nodes get the labels RDFC-1.0 gives them: the same graph loaded twice, with other
    /// labels in the store, dumps to the same bytes, and the counts are those of the graph.
    #[test]
    fn blank_nodes_are_labelled_canonically() {
        let dir = tempfile::tempdir().unwrap();
        let (one, sources) = store_with_blank_nodes(&dir.path().join("one"));
        let (two, _) = store_with_blank_nodes(&dir.path().join("two"));
        let first = dump(&one, &dir.path().join("d1"), &sources).unwrap();
        let second = dump(&two, &dir.path().join("d2"), &sources).unwrap();
        assert_eq!(first, second);
        let stats = &first.graphs[0];
        assert_eq!((stats.triples, stats.subjects), (9, 4));
        let text = gunzip(&std::fs::read(dir.path().join("d1/a.nq.gz")).unwrap());
        assert_eq!(text.lines().count(), 9, "{text}");
        for label in ["_:c14n0", "_:c14n1", "_:c14n2"] {
            assert!(text.contains(label), "{text}");
        }
        assert!(!text.contains("_:c14n3"), "{text}");
        // The triples without blank nodes come first, in the store's order; those with blank
        // nodes after them, sorted.
        let lines: Vec<&str> = text.lines().collect();
        let first_blank = lines.iter().position(|l| l.contains("_:")).unwrap();
        assert!(
            lines[first_blank..].iter().all(|l| l.contains("_:")),
            "{text}"
        );
        assert!(lines[first_blank..].is_sorted(), "{text}");
    }

    /// The same graphs give the same bytes, whatever order they were written in; every file
    /// reads back to what the store holds.
    #[test]
    fn dumps_are_canonical_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let forward: Vec<usize> = (0..51).collect();
        let backward: Vec<usize> = (0..51).rev().collect();
        let (one, sources) = store_with(&dir.path().join("one"), &forward);
        let (two, _) = store_with(&dir.path().join("two"), &backward);
        let first = dump(&one, &dir.path().join("d1"), &sources).unwrap();
        let second = dump(&two, &dir.path().join("d2"), &sources).unwrap();
        assert_eq!(first, second);
        let names: Vec<&str> = first.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["all.nq.gz", "a.nq.gz", "a.ttl.gz"]);
        // What VoID says, counted on the way: 50 triples of 7 subjects, one property.
        assert_eq!(first.quads, 52);
        let stats = &first.graphs[0];
        assert_eq!((stats.triples, stats.subjects, stats.objects), (50, 7, 50));
        assert_eq!(
            stats.properties,
            [(NamedNode::new_unchecked("http://schema.org/name"), 50)]
        );
        assert!(stats.classes.is_empty());
        for file in &first.files {
            assert_eq!(
                std::fs::read(dir.path().join("d1").join(&file.name)).unwrap(),
                std::fs::read(dir.path().join("d2").join(&file.name)).unwrap(),
                "{}",
                file.name
            );
        }
        let read = |name: &str| gunzip(&std::fs::read(dir.path().join("d1").join(name)).unwrap());
        let parse = |text: &str, format: RdfFormat| {
            let mut quads: Vec<String> = oxrdfio::RdfParser::from_format(format)
                .for_reader(text.as_bytes())
                .map(|q| q.unwrap().to_string())
                .collect();
            quads.sort();
            quads
        };
        // all.nq.gz holds every quad: its members decompress as one stream.
        let mut everything: Vec<String> = Vec::new();
        one.dump(&mut WriteVec(&mut everything)).unwrap();
        let mut expected: Vec<String> = parse(&everything.concat(), RdfFormat::NQuads);
        expected.sort();
        assert_eq!(parse(&read("all.nq.gz"), RdfFormat::NQuads), expected);
        // The source's files hold its graph, and the Turtle uses the prefixes.
        let of_a: Vec<String> = expected
            .iter()
            .filter(|q| q.ends_with("<https://x.example/graph/a>"))
            .cloned()
            .collect();
        assert_eq!(of_a.len(), 50);
        assert_eq!(parse(&read("a.nq.gz"), RdfFormat::NQuads), of_a);
        let turtle = read("a.ttl.gz");
        assert!(turtle.contains("schema:name"), "{turtle}");
        let triples: Vec<String> = of_a
            .iter()
            .map(|q| {
                q.trim_end_matches(" <https://x.example/graph/a>")
                    .to_owned()
            })
            .collect();
        assert_eq!(parse(&turtle, RdfFormat::Turtle), triples);

        // A source that is no longer dumped loses its files; SHA256SUMS lists what is left.
        dump(&one, &dir.path().join("d1"), &[]).unwrap();
        assert!(!dir.path().join("d1/a.nq.gz").exists());
        assert!(!dir.path().join("d1/a.ttl.gz").exists());
        let sums = std::fs::read_to_string(dir.path().join("d1/SHA256SUMS")).unwrap();
        assert_eq!(sums.lines().count(), 1, "{sums}");
        assert_eq!(parse(&read("all.nq.gz"), RdfFormat::NQuads), expected);
    }

    /// Collects written bytes as text.
    struct WriteVec<'a>(&'a mut Vec<String>);

    impl Write for WriteVec<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.push(String::from_utf8(buf.to_vec()).unwrap());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_manifest_matches_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(&dir.path().join("store"), &EmbeddedOptions::default()).unwrap();
        let g = NamedNode::new_unchecked("https://x.example/g");
        let quad = Quad::new(
            NamedNode::new_unchecked("https://x.example/s"),
            NamedNode::new_unchecked("https://x.example/p"),
            Literal::from(1),
            g,
        );
        let mut loader = store.loader().unwrap();
        loader.insert(&[quad.as_ref()]).unwrap();
        loader.finish().unwrap();
        let out = dir.path().join("dumps");
        let manifest = dump(&store, &out, &[]).unwrap();
        let bytes = std::fs::read(out.join("all.nq.gz")).unwrap();
        assert_eq!(manifest.files.len(), 1);
        assert_eq!(manifest.files[0].bytes, bytes.len() as u64);
        let sum = kulturnetz_model::hex(&Sha256::digest(&bytes));
        assert_eq!(
            manifest.files[0].sha256,
            <[u8; 32]>::from(Sha256::digest(&bytes))
        );
        assert_eq!(
            std::fs::read_to_string(out.join("SHA256SUMS")).unwrap(),
            format!("{sum}  all.nq.gz\n")
        );
        let mut nquads = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut nquads)
            .unwrap();
        assert_eq!(nquads, format!("{quad} .\n"));
        // No temporary file is left behind.
        let mut names: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["SHA256SUMS", "all.nq.gz"]);
    }
}
