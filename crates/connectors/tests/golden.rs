//! Golden tests, driven by the registry: every connector in `CONNECTORS` has a folder
//! `tests/golden/<kind>/`, and there is no folder for a kind the registry lacks.
//!
//! - Every input in the folder is converted and compared with `<case>.nq` (sorted N-Quads) and
//!   `<case>.rejects.jsonl` (one diagnostic a line), and with `<case>.notes.jsonl` (the notes on
//!   the whole input, such as properties left out, one a line). Each case runs whole, with 1-byte reads and
//!   with 7-byte reads; all three must agree. A `<case>.toml` holds the connector's options; an
//!   option `mapping` names a file relative to the folder, as in `kulturnetz.toml` it is relative
//!   to the configuration. Files a case needs besides its input (a mapping and the files it
//!   reads) sit in a folder named after the case. `UPDATE_GOLDEN=1` rewrites the expected files,
//!   so that the diff can be reviewed.
//! - `real.toml` lists real files the connector must read without a panic, each record accepted
//!   or rejected: `[[files]]` with a `dir` under `../shared/data/real` and the `extensions` of
//!   the files to read there, or `[[mappings]]` with a `mapping` (relative to the folder) that the
//!   connector runs over the files it names.
//! - Every input, cut off at many places and with bytes flipped, gives records or a format
//!   error, never a panic.
//!
//! Connectors mint blank nodes from the source id and the input's own labels (never at random),
//! so sorted N-Quads are a canonical form for their output.

use kulturnetz_connectors::{CONNECTORS, Connector, Context, Input, RecordSink, SinkError};
use kulturnetz_model::{Diagnostic, Location, Minter, RAW_RECORD_CHARS};
use oxrdf::{GraphNameRef, NamedOrBlankNodeRef, QuadRef, TermRef};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

const BASE: &str = "https://daten.kultur.example/";

/// What a conversion gave: sorted N-Quads, the rejects, and the record count.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    quads: String,
    rejects: String,
    notes: String,
    records: u64,
}

#[derive(Default)]
struct Collect {
    quads: Vec<String>,
    rejects: Vec<String>,
    notes: Vec<String>,
    records: u64,
    /// IRIs of accepted quads that are not absolute, or end in an empty key.
    bad_iris: Vec<String>,
}

/// Why `iri` may not be written, if it may not: it is no absolute IRI, or it ends in
/// `/id/<kind>/`, which would name every thing of a kind whose key was empty.
fn bad_iri(iri: &str) -> Option<String> {
    if let Err(e) = oxiri::Iri::parse(iri) {
        return Some(format!("<{iri}> is no absolute IRI: {e}"));
    }
    let path = iri.strip_prefix(BASE)?;
    let kind = path.strip_prefix("id/")?.strip_suffix('/')?;
    (!kind.contains('/')).then(|| format!("<{iri}> ends in an empty key"))
}

impl RecordSink for Collect {
    fn accept(&mut self, at: &Location, quads: &[QuadRef<'_>]) -> Result<(), SinkError> {
        self.records += 1;
        self.quads.extend(quads.iter().map(|q| format!("{q} .\n")));
        for q in quads {
            let mut iris = Vec::new();
            if let NamedOrBlankNodeRef::NamedNode(n) = q.subject {
                iris.push(n.as_str());
            }
            iris.push(q.predicate.as_str());
            if let TermRef::NamedNode(n) = q.object {
                iris.push(n.as_str());
            }
            if let GraphNameRef::NamedNode(n) = q.graph_name {
                iris.push(n.as_str());
            }
            self.bad_iris.extend(
                iris.into_iter()
                    .filter_map(bad_iri)
                    .map(|e| format!("{at}: {e}")),
            );
        }
        Ok(())
    }

    fn reject(&mut self, diagnostic: Diagnostic) -> Result<(), SinkError> {
        self.records += 1;
        self.rejects
            .push(serde_json::to_string(&diagnostic).expect("a diagnostic serialises"));
        Ok(())
    }

    fn note(&mut self, note: Diagnostic) -> Result<(), SinkError> {
        self.notes
            .push(serde_json::to_string(&note).expect("a diagnostic serialises"));
        Ok(())
    }
}

/// A reader that hands out at most `n` bytes a call, as a slow network would.
struct Trickle<R> {
    inner: R,
    n: usize,
}

impl<R: Read> Read for Trickle<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.n);
        self.inner.read(&mut buf[..n])
    }
}

fn golden() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// The golden folder of `connector`, which must exist.
fn folder(connector: &dyn Connector) -> PathBuf {
    let dir = golden().join(connector.kind());
    assert!(
        dir.is_dir(),
        "the connector {:?} has no golden folder {}: every connector in CONNECTORS needs one",
        connector.kind(),
        dir.display()
    );
    dir
}

/// Converts `bytes` (named `name`) with `connector`, reading `chunk` bytes at a time (all at
/// once for 0).
fn convert(
    connector: &dyn Connector,
    name: &str,
    bytes: &[u8],
    options: &toml::Table,
    chunk: usize,
) -> Result<Outcome, String> {
    let minter = Minter::new(BASE).expect("a valid base");
    let id = Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("case");
    let cx = Context::new(id, &minter).with_options(options.clone());
    let mut reader: Box<dyn BufRead + Send> = if chunk == 0 {
        Box::new(bytes)
    } else {
        Box::new(BufReader::with_capacity(
            chunk,
            Trickle {
                inner: bytes,
                n: chunk,
            },
        ))
    };
    let mut out = Collect::default();
    connector
        .convert(
            Input {
                name,
                reader: &mut reader,
            },
            &cx,
            &mut out,
        )
        .map_err(|e| format!("{name}: {e}"))?;
    out.quads.sort();
    out.quads.dedup();
    Ok(Outcome {
        quads: out.quads.concat(),
        rejects: out.rejects.iter().map(|r| format!("{r}\n")).collect(),
        notes: out.notes.iter().map(|r| format!("{r}\n")).collect(),
        records: out.records,
    })
}

/// The inputs of the golden cases in `dir`: its files, but for expected output and options.
fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            p.is_file()
                && !(name.ends_with(".nq") || name.ends_with(".jsonl") || name.ends_with(".toml"))
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no golden cases in {}", dir.display());
    cases
}

/// The expected file of `input` with the extension `ext` (`nq`, `rejects.jsonl`, `toml`).
fn beside(input: &Path, ext: &str) -> PathBuf {
    let stem = input
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a file name");
    input.with_file_name(format!("{stem}.{ext}"))
}

/// The options of the case `input`, with a `mapping` made relative to `dir`.
fn options(input: &Path, dir: &Path) -> toml::Table {
    let mut options = match std::fs::read_to_string(beside(input, "toml")) {
        Ok(text) => text.parse::<toml::Table>().expect("valid options"),
        Err(_) => toml::Table::new(),
    };
    relative_to(&mut options, dir);
    options
}

/// Makes the option `mapping` relative to `dir`.
fn relative_to(options: &mut toml::Table, dir: &Path) {
    if let Some(toml::Value::String(mapping)) = options.get_mut("mapping") {
        *mapping = dir.join(&*mapping).to_string_lossy().into_owned();
    }
}

/// Runs every golden case of `connector`; the failures, described.
fn check(connector: &dyn Connector) -> Vec<String> {
    let kind = connector.kind();
    let dir = folder(connector);
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for input in cases(&dir) {
        let name = input
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a file name");
        let bytes = std::fs::read(&input).expect("a readable input");
        let options = options(&input, &dir);
        let whole = match convert(connector, name, &bytes, &options, 0) {
            Ok(whole) => whole,
            Err(e) => {
                failures.push(format!("{kind}/{name}: {e}"));
                continue;
            }
        };
        for chunk in [1, 7] {
            let trickled = convert(connector, name, &bytes, &options, chunk);
            if trickled.as_ref() != Ok(&whole) {
                failures.push(format!(
                    "{kind}/{name}: {chunk}-byte reads give other output than whole reads"
                ));
            }
        }
        let (nq, rejects, notes) = (
            beside(&input, "nq"),
            beside(&input, "rejects.jsonl"),
            beside(&input, "notes.jsonl"),
        );
        if update {
            std::fs::write(&nq, &whole.quads).expect("writable golden file");
            for (file, text) in [(&rejects, &whole.rejects), (&notes, &whole.notes)] {
                if text.is_empty() {
                    let _ = std::fs::remove_file(file);
                } else {
                    std::fs::write(file, text).expect("writable golden file");
                }
            }
            continue;
        }
        let expected_quads = std::fs::read_to_string(&nq).unwrap_or_default();
        let expected_rejects = std::fs::read_to_string(&rejects).unwrap_or_default();
        let expected_notes = std::fs::read_to_string(&notes).unwrap_or_default();
        if whole.quads != expected_quads
            || whole.rejects != expected_rejects
            || whole.notes != expected_notes
        {
            failures.push(format!(
                "{kind}/{name}: output differs from {} / {} / {} (UPDATE_GOLDEN=1 rewrites them)\n\
                 --- got quads ---\n{}--- got rejects ---\n{}--- got notes ---\n{}",
                nq.display(),
                rejects.display(),
                notes.display(),
                whole.quads,
                whole.rejects,
                whole.notes
            ));
        }
    }
    failures
}

/// Runs `each` for every connector in the registry at once; fails with all failures.
fn every_connector(each: impl Fn(&dyn Connector) -> Vec<String> + Sync) {
    let failures: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = CONNECTORS
            .iter()
            .map(|&connector| scope.spawn(|| each(connector)))
            .collect();
        runs.into_iter()
            .flat_map(|run| run.join().expect("no panic"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn golden_cases_of_every_connector() {
    every_connector(check);
}

#[test]
fn golden_folders_are_of_known_kinds() {
    for entry in std::fs::read_dir(golden()).expect("tests/golden") {
        let path = entry.expect("a directory entry").path();
        let kind = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        assert!(
            !path.is_dir() || CONNECTORS.iter().any(|c| c.kind() == kind),
            "{}: no connector in CONNECTORS is of kind {kind:?}",
            path.display()
        );
    }
}

/// `real.toml` of a golden folder: `[[files]]` (`dir`, `extensions`) and `[[mappings]]`
/// (`mapping`).
struct Real {
    /// Folders under `../shared/data/real`, and the endings of the names of the files to read.
    files: Vec<(String, Vec<String>)>,
    /// Mappings whose sources are real files.
    mappings: Vec<String>,
}

impl Real {
    fn read(list: &Path) -> Self {
        let text = std::fs::read_to_string(list).unwrap_or_else(|e| {
            panic!(
                "{}: {e}: every connector lists the real files it must read",
                list.display()
            )
        });
        let table: toml::Table = text
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e}", list.display()));
        let bad = |what: &str| -> ! { panic!("{}: {what}", list.display()) };
        let entries = |key: &str| -> Vec<toml::Table> {
            match table.get(key) {
                None => Vec::new(),
                Some(toml::Value::Array(items)) => items
                    .iter()
                    .map(|item| match item {
                        toml::Value::Table(t) => t.clone(),
                        _ => bad(&format!("[[{key}]] entries are tables")),
                    })
                    .collect(),
                Some(_) => bad(&format!("{key} is a list of [[{key}]] tables")),
            }
        };
        let text_of = |entry: &toml::Table, key: &str| -> String {
            match entry.get(key) {
                Some(toml::Value::String(s)) => s.clone(),
                _ => bad(&format!("an entry has no text {key:?}")),
            }
        };
        if let Some(key) = table
            .keys()
            .find(|k| !["files", "mappings"].contains(&k.as_str()))
        {
            bad(&format!("unknown key {key:?}"));
        }
        let files = entries("files")
            .iter()
            .map(|entry| {
                let extensions = match entry.get("extensions") {
                    Some(toml::Value::Array(list)) => list
                        .iter()
                        .map(|e| e.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                        .unwrap_or_else(|| bad("extensions are texts")),
                    _ => bad("[[files]] needs extensions"),
                };
                if entry.len() != 2 {
                    bad("[[files]] has dir and extensions only");
                }
                (text_of(entry, "dir"), extensions)
            })
            .collect();
        let mappings = entries("mappings")
            .iter()
            .map(|entry| {
                if entry.len() != 1 {
                    bad("[[mappings]] has mapping only");
                }
                text_of(entry, "mapping")
            })
            .collect();
        Self { files, mappings }
    }
}

/// Reads the real files `real.toml` lists for `connector`, without a panic and with each
/// record accepted or rejected; the failures, described.
fn real_files(connector: &dyn Connector) -> Vec<String> {
    let dir = folder(connector);
    let list = dir.join("real.toml");
    let real = Real::read(&list);
    assert!(
        !real.files.is_empty() || !real.mappings.is_empty(),
        "{}: lists no real files",
        list.display()
    );
    let mut failures = Vec::new();
    // Whether `bytes` (named `name`) convert with each record accepted or rejected.
    let check = |name: &str, bytes: &[u8], options: &toml::Table| -> Option<String> {
        match convert(connector, name, bytes, options, 0) {
            Ok(outcome) => {
                let rejected = outcome.rejects.lines().count() as u64;
                (outcome.records < rejected || outcome.records == 0)
                    .then(|| format!("{name}: {} records, {rejected} rejected", outcome.records))
            }
            Err(e) => Some(e),
        }
    };
    for (under, extensions) in &real.files {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/real")
            .join(under);
        let mut seen = 0;
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in
                std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let name = path.to_string_lossy().into_owned();
                if !extensions.iter().any(|e| name.ends_with(e.as_str())) {
                    continue;
                }
                let bytes = std::fs::read(&path).expect("a readable file");
                failures.extend(check(&name, &bytes, &toml::Table::new()));
                seen += 1;
            }
        }
        if seen == 0 {
            failures.push(format!("no {extensions:?} files under {}", root.display()));
        }
    }
    for mapping in &real.mappings {
        let mut options = toml::Table::new();
        options.insert("mapping".into(), mapping.clone().into());
        relative_to(&mut options, &dir);
        // The connector reads the files the mapping names; the input is the first of them.
        let minter = Minter::new(BASE).expect("a valid base");
        let cx = Context::new("real", &minter).with_options(options.clone());
        let files = connector
            .dependencies(&cx)
            .unwrap_or_else(|e| panic!("{mapping}: {e}"));
        let input = files
            .get(1)
            .unwrap_or_else(|| panic!("{mapping}: the mapping reads no file"));
        let bytes = std::fs::read(input).expect("a readable source");
        failures.extend(check(&input.to_string_lossy(), &bytes, &options));
    }
    failures
}

#[test]
fn real_files_of_every_connector() {
    every_connector(real_files);
}

/// Every golden input of `connector`, cut off at many places and with bytes flipped, gives
/// records or a format error, never a panic; and each record is accepted or rejected once.
///
/// A connector that reads the files its options name (a mapping and its sources) reads the
/// damaged bytes from a copy of the case's folder in which they replace the input.
fn damaged_inputs(connector: &dyn Connector) -> Vec<String> {
    let dir = folder(connector);
    let minter = Minter::new(BASE).expect("a valid base");
    let mut failures = Vec::new();
    for input in cases(&dir) {
        let bytes = std::fs::read(&input).expect("a readable input");
        let name = input
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a file name")
            .to_owned();
        let reads_files = connector
            .dependencies(&Context::new("damaged", &minter).with_options(options(&input, &dir)))
            .is_ok_and(|files| !files.is_empty());
        let copy = reads_files.then(|| {
            let copy = tempfile::tempdir().expect("a temporary folder");
            copy_folder(&dir, copy.path());
            copy
        });
        let (case_dir, name) = match &copy {
            Some(copy) => (copy.path().to_path_buf(), name),
            None => (dir.clone(), input.to_string_lossy().into_owned()),
        };
        let options = options(&input, &case_dir);
        let step = (bytes.len() / 20).max(1);
        let mut variants: Vec<Vec<u8>> = (0..bytes.len())
            .step_by(step)
            .map(|cut| bytes[..cut].to_vec())
            .collect();
        for at in (0..bytes.len()).step_by(step) {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x5c;
            variants.push(flipped);
        }
        for variant in variants {
            if copy.is_some() {
                std::fs::write(case_dir.join(&name), &variant).expect("a writable copy");
            }
            let cx = Context::new("damaged", &minter).with_options(options.clone());
            let mut out = Collect::default();
            let result = connector.convert(
                Input {
                    name: &name,
                    reader: &mut &variant[..],
                },
                &cx,
                &mut out,
            );
            if result.is_ok() && out.records < out.rejects.len() as u64 {
                failures.push(format!("{name}: more rejects than records"));
            }
        }
    }
    failures
}

/// Copies the files and folders of `from` into `to`.
fn copy_folder(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("a readable folder") {
        let path = entry.expect("a directory entry").path();
        let target = to.join(path.file_name().expect("a name"));
        if path.is_dir() {
            std::fs::create_dir_all(&target).expect("a writable folder");
            copy_folder(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("a copied file");
        }
    }
}

#[test]
fn damaged_inputs_never_panic() {
    every_connector(damaged_inputs);
}

/// How long a diagnostic may be, as JSON, without the raw record: a message repeats at most some
/// 120 characters of a value (`kulturnetz_model::text::clip`), whatever the input holds.
const LONGEST_DIAGNOSTIC: usize = 1500;

/// A 100 000-character token put into every input at a few places never comes back whole in a
/// message, nor in a raw record longer than [`RAW_RECORD_CHARS`] and the note of its length; an
/// input in UTF-16 is a format error that says so.
fn long_tokens_and_utf16(connector: &dyn Connector) -> Vec<String> {
    let dir = folder(connector);
    let minter = Minter::new(BASE).expect("a valid base");
    let mut failures = Vec::new();
    for input in cases(&dir) {
        let options = options(&input, &dir);
        let cx = || Context::new("long", &minter).with_options(options.clone());
        if connector
            .dependencies(&cx())
            .is_ok_and(|files| !files.is_empty())
        {
            // A mapping reads files of its own: changing the input alone says little.
            continue;
        }
        let bytes = std::fs::read(&input).expect("a readable input");
        let name = input.to_string_lossy().into_owned();
        let token = "x\u{e4}y".repeat(33_334);
        let mut variants = Vec::new();
        // After quotes, `<`, `:` and `>`, where values start.
        for mark in [b'"', b'<', b':', b'>'] {
            if let Some(at) = bytes.iter().rposition(|&b| b == mark) {
                let mut long = bytes[..=at].to_vec();
                long.extend_from_slice(token.as_bytes());
                long.extend_from_slice(&bytes[at + 1..]);
                variants.push(long);
            }
        }
        for variant in variants {
            let mut out = Collect::default();
            let result = connector.convert(
                Input {
                    name: &name,
                    reader: &mut &variant[..],
                },
                &cx(),
                &mut out,
            );
            let error = result.err().map(|e| e.to_string());
            let mut rejects = Vec::new();
            for reject in &out.rejects {
                let mut reject: serde_json::Value =
                    serde_json::from_str(reject).expect("a diagnostic as JSON");
                let raw = reject
                    .as_object_mut()
                    .and_then(|r| r.remove("raw"))
                    .map(|raw| raw.as_str().unwrap_or_default().to_owned());
                if let Some(raw) = raw {
                    // Cut records end in `… (N characters)`.
                    let chars = raw.chars().count();
                    if chars > RAW_RECORD_CHARS + 40 {
                        failures.push(format!(
                            "{name}: a raw record of {chars} characters, more than {RAW_RECORD_CHARS}"
                        ));
                    }
                }
                rejects.push(reject.to_string());
            }
            for message in rejects.iter().chain(&out.notes).chain(&error) {
                if message.len() > LONGEST_DIAGNOSTIC {
                    failures.push(format!(
                        "{name}: a message of {} bytes repeats a long value: {}…",
                        message.len(),
                        message.chars().take(300).collect::<String>()
                    ));
                }
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let utf16: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let result = connector.convert(
            Input {
                name: &name,
                reader: &mut &utf16[..],
            },
            &cx(),
            &mut Collect::default(),
        );
        match result {
            Err(e) if e.to_string().contains("UTF-16") => {}
            other => failures.push(format!(
                "{name} in UTF-16: expected a format error that says UTF-16, got {other:?}"
            )),
        }
    }
    failures
}

/// Every input with values blanked, made relative or left as punctuation, at many places:
/// every IRI a connector writes is absolute, and none ends in an empty key (`…/id/person/`).
fn blank_and_relative_values(connector: &dyn Connector) -> Vec<String> {
    let dir = folder(connector);
    let minter = Minter::new(BASE).expect("a valid base");
    let mut failures = Vec::new();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for input in cases(&dir) {
        let options = options(&input, &dir);
        let cx = || Context::new("blank", &minter).with_options(options.clone());
        if connector
            .dependencies(&cx())
            .is_ok_and(|files| !files.is_empty())
        {
            continue;
        }
        let bytes = std::fs::read(&input).expect("a readable input");
        let name = input.to_string_lossy().into_owned();
        // The places where a value starts: after `"`, `>` or `:` (JSON, XML, iCalendar, RDF).
        let starts: Vec<usize> = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| matches!(b, b'"' | b'>' | b':'))
            .map(|(i, _)| i + 1)
            .collect();
        if starts.is_empty() {
            continue;
        }
        for round in 0..60 {
            let mut variant = bytes.clone();
            // A few values at once, from the end so that earlier places stay put.
            let mut places: Vec<usize> = (0..1 + round % 4)
                .map(|_| starts[next() as usize % starts.len()])
                .collect();
            places.sort_unstable();
            places.dedup();
            for &at in places.iter().rev() {
                let end = variant[at..]
                    .iter()
                    .position(|b| matches!(b, b'"' | b'<' | b'\n' | b'\r'))
                    .map_or(variant.len(), |n| at + n);
                let with: &[u8] = [&b""[..], b" ", b"-", b"@", b"./x", b"#x", b"//x", b"a b"]
                    [next() as usize % 8];
                variant.splice(at..end, with.iter().copied());
            }
            let mut out = Collect::default();
            let _ = connector.convert(
                Input {
                    name: &name,
                    reader: &mut &variant[..],
                },
                &cx(),
                &mut out,
            );
            failures.extend(out.bad_iris.into_iter().take(3));
        }
    }
    failures.sort();
    failures.dedup();
    failures
}

#[test]
fn written_iris_are_absolute_and_keys_never_empty() {
    every_connector(blank_and_relative_values);
}

#[test]
fn long_values_are_cut_in_messages_and_utf16_is_named() {
    every_connector(long_tokens_and_utf16);
}
