//! Serialising the output of a run: the default output in a chosen format, and each logical
//! target to its file with its own format, compression and encoding
//! (<https://w3id.org/rml/io/spec#target-vocabulary>).

use crate::dedup::QuadSet;
use crate::plan::Target;
use crate::{Mapping, Output, Targets};
use kulturnetz_model::{Diagnostic, Location, nquads};
use oxrdf::{NamedOrBlankNode, Quad, Term};
use oxrdfio::{RdfFormat, RdfSerializer, WriterQuadSerializer};
use serde_json::json;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::mpsc;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// N-Quads.
    NQuads,
    /// N-Triples (graph names are left out).
    NTriples,
    /// Turtle (graph names are left out).
    Turtle,
    /// TriG.
    TriG,
    /// JSON-LD.
    JsonLd,
    /// RDF/XML (graph names are left out).
    RdfXml,
    /// RDF/JSON (<https://www.w3.org/TR/rdf-json/>; graph names are left out).
    RdfJson,
}

impl Format {
    /// The format of a short name (`nq`, `nt`, `ttl`, `trig`, `jsonld`, `rdf`) or of a name in
    /// `http://www.w3.org/ns/formats/` (`N-Quads`, `Turtle`, …).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "nq" | "nquads" | "n-quads" => Self::NQuads,
            "nt" | "ntriples" | "n-triples" => Self::NTriples,
            "ttl" | "turtle" | "n3" => Self::Turtle,
            "trig" => Self::TriG,
            "jsonld" | "json-ld" => Self::JsonLd,
            "rdf" | "xml" | "rdfxml" | "rdf_xml" | "rdf/xml" => Self::RdfXml,
            "rdfjson" | "rdf_json" | "rdf/json" => Self::RdfJson,
            _ => return None,
        })
    }

    fn rdf_format(self) -> Option<RdfFormat> {
        Some(match self {
            Self::NQuads => RdfFormat::NQuads,
            Self::NTriples => RdfFormat::NTriples,
            Self::Turtle => RdfFormat::Turtle,
            Self::TriG => RdfFormat::TriG,
            Self::JsonLd => RdfFormat::JsonLd {
                profile: oxrdfio::JsonLdProfileSet::empty(),
            },
            Self::RdfXml => RdfFormat::RdfXml,
            Self::RdfJson => return None,
        })
    }
}

/// Where serialised bytes go before they reach their file.
enum Dest {
    File(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    /// Kept until the end: archives need the length, UTF-16 needs transcoding.
    Buffer(Vec<u8>),
    Other(Box<dyn Write>),
    Background(Background),
}

/// The most bytes collected before they go to the writing thread.
const CHUNK: usize = 1 << 20;

/// Bytes written by a thread of their own, a chunk at a time, so that mapping goes on while
/// the system writes: writing the file took a quarter of the time of a run on one thread.
/// The order of the bytes is kept; the first error of the thread is the error of the writer.
struct Background {
    chunk: Vec<u8>,
    full: Option<mpsc::SyncSender<Vec<u8>>>,
    empty: mpsc::Receiver<Vec<u8>>,
    thread: Option<std::thread::JoinHandle<io::Result<()>>>,
}

impl Background {
    /// With `lines`, the bytes are N-Quads or N-Triples, a whole line per write, and the thread
    /// leaves out every line it wrote before ([`QuadSet`]), on its own core.
    fn new(mut out: Box<dyn Write + Send>, lines: bool) -> io::Result<Self> {
        // Room for the mapping to go on while the system is slow to take the output (emptying an
        // old file of some hundred MB first takes a tenth of a second and more).
        let (full, chunks) = mpsc::sync_channel::<Vec<u8>>(32);
        let (spare, empty) = mpsc::sync_channel::<Vec<u8>>(4);
        let thread = std::thread::Builder::new()
            .name("rml-writer".to_owned())
            .spawn(move || {
                let mut written = lines.then(QuadSet::default);
                let mut kept = Vec::new();
                for mut chunk in chunks {
                    if let Some(written) = &mut written {
                        kept.clear();
                        for line in chunk.split_inclusive(|&b| b == b'\n') {
                            if written.line_is_new(line) {
                                kept.extend_from_slice(line);
                            }
                        }
                        std::mem::swap(&mut chunk, &mut kept);
                    }
                    out.write_all(&chunk)?;
                    chunk.clear();
                    // The chunk goes back for reuse if the mapping thread wants it.
                    let _ = spare.try_send(chunk);
                }
                out.flush()
            })?;
        Ok(Self {
            chunk: Vec::with_capacity(CHUNK),
            full: Some(full),
            empty,
            thread: Some(thread),
        })
    }

    /// Hands the collected bytes to the thread.
    fn send(&mut self) -> io::Result<()> {
        let next = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        let chunk = std::mem::replace(&mut self.chunk, next);
        let sent = match &self.full {
            Some(full) => full.send(chunk).is_ok(),
            None => false,
        };
        if sent {
            Ok(())
        } else {
            // The thread has stopped: its error says why.
            self.full = None;
            Err(self
                .join()
                .err()
                .unwrap_or_else(|| io::Error::other("the output was closed")))
        }
    }

    fn join(&mut self) -> io::Result<()> {
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the thread writing the output failed"))),
            None => Ok(()),
        }
    }

    fn finish(mut self) -> io::Result<()> {
        if !self.chunk.is_empty() {
            self.send()?;
        }
        self.full = None;
        self.join()
    }
}

impl Write for Background {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.chunk.extend_from_slice(buf);
        if self.chunk.len() >= CHUNK {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for Dest {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::File(w) => w.write(buf),
            Self::Gzip(w) => w.write(buf),
            Self::Buffer(w) => w.write(buf),
            Self::Other(w) => w.write(buf),
            Self::Background(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::File(w) => w.flush(),
            Self::Gzip(w) => w.flush(),
            Self::Buffer(_) => Ok(()),
            Self::Other(w) => w.flush(),
            Self::Background(w) => w.flush(),
        }
    }
}

enum Serializer {
    /// N-Quads and N-Triples, one line per statement, exactly as `oxttl` writes them
    /// (`writeln!(w, "{} .", quad)`), but formatted into a reused line first: formatting
    /// straight into the destination costs a call through it for every fragment of a term.
    Lines(Dest, Vec<u8>),
    Rdf(Box<WriterQuadSerializer<Dest>>),
    /// RDF/JSON groups by subject and predicate, so it is written at the end.
    Json(
        Dest,
        BTreeMap<String, BTreeMap<String, Vec<serde_json::Value>>>,
    ),
}

struct Sink {
    serializer: Serializer,
    dataset: bool,
    target: Option<Target>,
}

impl Sink {
    fn new(dest: Dest, format: Format, target: Option<Target>) -> Self {
        let (serializer, dataset) = match format.rdf_format() {
            Some(rdf @ (RdfFormat::NQuads | RdfFormat::NTriples)) => {
                (Serializer::Lines(dest, Vec::new()), rdf.supports_datasets())
            }
            Some(rdf) => (
                Serializer::Rdf(Box::new(RdfSerializer::from_format(rdf).for_writer(dest))),
                rdf.supports_datasets(),
            ),
            None => (Serializer::Json(dest, BTreeMap::new()), false),
        };
        Self {
            serializer,
            dataset,
            target,
        }
    }

    fn write(&mut self, quad: &Quad) -> io::Result<()> {
        match &mut self.serializer {
            Serializer::Lines(dest, line) => {
                line.clear();
                if self.dataset {
                    nquads::push_quad(line, quad.as_ref());
                } else {
                    nquads::push_triple(line, quad.as_ref().into());
                }
                dest.write_all(line)
            }
            Serializer::Rdf(s) if self.dataset => s.serialize_quad(quad),
            Serializer::Rdf(s) => s.serialize_triple(quad.as_ref()),
            Serializer::Json(_, subjects) => {
                let object = match &quad.object {
                    Term::NamedNode(n) => json!({"type": "uri", "value": n.as_str()}),
                    Term::BlankNode(b) => {
                        json!({"type": "bnode", "value": format!("_:{}", b.as_str())})
                    }
                    Term::Literal(l) => match l.language() {
                        Some(lang) => json!({"type": "literal", "value": l.value(), "lang": lang}),
                        None => {
                            json!({"type": "literal", "value": l.value(), "datatype": l.datatype().as_str()})
                        }
                    },
                };
                let subject = match &quad.subject {
                    NamedOrBlankNode::NamedNode(n) => n.as_str().to_owned(),
                    NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
                };
                let objects = subjects
                    .entry(subject)
                    .or_default()
                    .entry(quad.predicate.as_str().to_owned())
                    .or_default();
                if !objects.contains(&object) {
                    objects.push(object);
                }
                Ok(())
            }
        }
    }

    fn finish(self) -> io::Result<()> {
        let dest = match self.serializer {
            Serializer::Lines(dest, _) => dest,
            Serializer::Rdf(s) => s.finish()?,
            Serializer::Json(mut dest, subjects) => {
                serde_json::to_writer_pretty(&mut dest, &subjects)?;
                dest
            }
        };
        match dest {
            Dest::File(mut w) => w.flush(),
            Dest::Gzip(w) => w.finish()?.flush(),
            Dest::Other(mut w) => w.flush(),
            Dest::Background(w) => w.finish(),
            Dest::Buffer(bytes) => {
                let Some(target) = self.target else {
                    return Ok(());
                };
                let bytes = match target.encoding.as_deref() {
                    Some(e) if e.eq_ignore_ascii_case("UTF-16") => {
                        let text = String::from_utf8(bytes).map_err(io::Error::other)?;
                        [0xFF, 0xFE]
                            .into_iter()
                            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                            .collect()
                    }
                    _ => bytes,
                };
                let name = target
                    .path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("output")
                    .to_owned();
                let inner = name
                    .trim_end_matches(".gz")
                    .trim_end_matches(".zip")
                    .trim_end_matches(".tar.xz")
                    .trim_end_matches(".tar.gz")
                    .trim_end_matches(".tar")
                    .to_owned();
                let mut file = BufWriter::new(File::create(&target.path)?);
                match target
                    .compression
                    .as_deref()
                    .map(str::to_ascii_lowercase)
                    .as_deref()
                {
                    Some("gzip") => {
                        let mut gz =
                            flate2::write::GzEncoder::new(file, flate2::Compression::default());
                        gz.write_all(&bytes)?;
                        gz.finish()?.flush()
                    }
                    Some("zip") => {
                        let mut zip = zip::ZipWriter::new(File::create(&target.path)?);
                        zip.start_file(inner, zip::write::SimpleFileOptions::default())
                            .map_err(io::Error::other)?;
                        zip.write_all(&bytes)?;
                        zip.finish().map_err(io::Error::other)?;
                        Ok(())
                    }
                    Some(c @ ("targz" | "tarxz")) => {
                        let mut archive = tar::Builder::new(Vec::new());
                        let mut header = tar::Header::new_gnu();
                        header.set_size(bytes.len() as u64);
                        header.set_mode(0o644);
                        header.set_cksum();
                        archive.append_data(&mut header, &inner, bytes.as_slice())?;
                        let tarball = archive.into_inner()?;
                        if c == "targz" {
                            let mut gz =
                                flate2::write::GzEncoder::new(file, flate2::Compression::default());
                            gz.write_all(&tarball)?;
                            gz.finish()?.flush()
                        } else {
                            lzma_rs::xz_compress(&mut tarball.as_slice(), &mut file)?;
                            file.flush()
                        }
                    }
                    _ => {
                        file.write_all(&bytes)?;
                        file.flush()
                    }
                }
            }
        }
    }
}

/// An [`Output`] that serialises: quads without a logical target to the default writer,
/// the others to their targets' files. Rejected records are kept for the caller to report.
pub struct Writer {
    default: Option<Sink>,
    targets: Vec<Sink>,
    rejected: Vec<Diagnostic>,
    failed: Option<io::Error>,
    /// Whether the default output leaves out repeated lines itself (see [`Writer::threaded`]).
    deduplicates: bool,
}

impl Writer {
    /// A writer of `mapping`'s output: the default output to `out` as `format`, logical targets
    /// to their files (created now).
    pub fn new(mapping: &Mapping, out: Box<dyn Write>, format: Format) -> io::Result<Self> {
        Self::to(mapping, Dest::Other(out), format)
    }

    /// As [`Writer::new`], but `out` is written by a thread of its own, in large chunks (so it
    /// needs no buffer of its own), while the mapping runs on: on two cores, writing a large
    /// output costs the mapping next to nothing.
    pub fn threaded(
        mapping: &Mapping,
        out: Box<dyn Write + Send>,
        format: Format,
    ) -> io::Result<Self> {
        // Lines repeated in N-Quads or N-Triples are left out by the writing thread, on its own
        // core, when the mapping leaves out repeats and writes nowhere else.
        let lines = !mapping.keep_duplicates
            && mapping.plan.targets.is_empty()
            && matches!(format, Format::NQuads | Format::NTriples);
        let mut writer = Self::to(
            mapping,
            Dest::Background(Background::new(out, lines)?),
            format,
        )?;
        writer.deduplicates = lines;
        Ok(writer)
    }

    fn to(mapping: &Mapping, out: Dest, format: Format) -> io::Result<Self> {
        let mut targets = Vec::new();
        for target in &mapping.plan.targets {
            let format = match target.format.as_deref() {
                None => Format::NQuads,
                Some(name) => Format::from_name(name).ok_or_else(|| {
                    io::Error::new(
                        io::ErrorKind::Unsupported,
                        format!(
                            "{}: the serialisation {name} is not supported",
                            target.path.display()
                        ),
                    )
                })?,
            };
            let plain = target
                .encoding
                .as_deref()
                .is_none_or(|e| e.eq_ignore_ascii_case("UTF-8"));
            let compression = target.compression.as_deref().map(str::to_ascii_lowercase);
            let dest = match compression.as_deref() {
                None | Some("none") if plain => {
                    Dest::File(BufWriter::new(File::create(&target.path)?))
                }
                Some("gzip") if plain => Dest::Gzip(flate2::write::GzEncoder::new(
                    BufWriter::new(File::create(&target.path)?),
                    flate2::Compression::default(),
                )),
                None | Some("none" | "gzip" | "zip" | "targz" | "tarxz") => {
                    Dest::Buffer(Vec::new())
                }
                Some(other) => {
                    return Err(io::Error::new(
                        io::ErrorKind::Unsupported,
                        format!(
                            "{}: the compression {other} is not supported",
                            target.path.display()
                        ),
                    ));
                }
            };
            let mut target = target.clone();
            if matches!(dest, Dest::File(_) | Dest::Gzip(_)) {
                target.compression = None;
            }
            targets.push(Sink::new(dest, format, Some(target)));
        }
        Ok(Self {
            default: Some(Sink::new(out, format, None)),
            targets,
            rejected: Vec::new(),
            failed: None,
            deduplicates: false,
        })
    }

    /// The records rejected so far.
    pub fn rejected(&self) -> &[Diagnostic] {
        &self.rejected
    }

    /// Ends every serialisation and flushes every file.
    pub fn finish(mut self) -> io::Result<Vec<Diagnostic>> {
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        if let Some(d) = self.default.take() {
            d.finish()?;
        }
        for t in self.targets.drain(..) {
            t.finish()?;
        }
        Ok(self.rejected)
    }
}

impl Output for Writer {
    fn deduplicates(&self) -> bool {
        self.deduplicates
    }

    fn accept(&mut self, _: &Location, quads: &[(Quad, Targets)]) -> Result<(), String> {
        for (quad, targets) in quads {
            let result = if targets.is_default() {
                self.default.as_mut().map_or(Ok(()), |d| d.write(quad))
            } else {
                self.targets
                    .iter_mut()
                    .enumerate()
                    .filter(|(i, _)| targets.contains(*i))
                    .try_for_each(|(_, t)| t.write(quad))
            };
            if let Err(e) = result {
                let message = e.to_string();
                self.failed = Some(e);
                return Err(message);
            }
        }
        Ok(())
    }

    fn reject(&mut self, diagnostic: Diagnostic) -> Result<(), String> {
        self.rejected.push(diagnostic);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{BlankNode, GraphName, Literal, NamedNode};

    /// The line serialiser writes what `oxrdfio` writes, byte for byte.
    #[test]
    fn lines_are_those_of_oxrdfio() {
        let s = NamedNode::new_unchecked("https://example.org/s/M%C3%BCller");
        let p = NamedNode::new_unchecked("http://schema.org/name");
        let g = NamedNode::new_unchecked("https://example.org/g");
        let objects: Vec<Term> = vec![
            Literal::new_simple_literal("Sammlung \"Alte Meister\",\nDresden\t\\ Ü").into(),
            Literal::new_language_tagged_literal_unchecked("Köln", "de").into(),
            Literal::new_typed_literal("1.5", oxrdf::vocab::xsd::DECIMAL).into(),
            BlankNode::new_unchecked("b0").into(),
            s.clone().into(),
        ];
        let mut quads = Vec::new();
        for o in objects {
            for graph in [GraphName::DefaultGraph, g.clone().into()] {
                quads.push(Quad::new(s.clone(), p.clone(), o.clone(), graph));
            }
        }
        for (format, rdf) in [
            (Format::NQuads, RdfFormat::NQuads),
            (Format::NTriples, RdfFormat::NTriples),
        ] {
            let mut ours = Sink::new(Dest::Buffer(Vec::new()), format, None);
            let mut theirs = RdfSerializer::from_format(rdf).for_writer(Vec::new());
            for q in &quads {
                ours.write(q).unwrap();
                if rdf.supports_datasets() {
                    theirs.serialize_quad(q).unwrap();
                } else {
                    theirs.serialize_triple(q.as_ref()).unwrap();
                }
            }
            let Serializer::Lines(Dest::Buffer(bytes), _) = ours.serializer else {
                panic!("{format:?} is not written line by line");
            };
            assert_eq!(
                String::from_utf8(bytes).unwrap(),
                String::from_utf8(theirs.finish().unwrap()).unwrap()
            );
        }
    }
}
