//! Golden tests: every input under `tests/golden/<kind>/` is converted by the connector of that
//! kind and compared with `<case>.nq` (sorted N-Quads) and `<case>.rejects.jsonl` (one diagnostic
//! a line). Each case runs whole, with 1-byte reads and with 7-byte reads; all three must agree.
//! A `<case>.toml` next to the input holds the connector's options. `UPDATE_GOLDEN=1` rewrites
//! the expected files, so that the diff can be reviewed.
//!
//! Connectors mint blank nodes from the source id and the input's own labels (never at random),
//! so sorted N-Quads are a canonical form for their output.

use kulturnetz_connectors::{Context, Input, RecordSink, SinkError, connector};
use kulturnetz_model::{Diagnostic, Location, Minter};
use oxrdf::QuadRef;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

const BASE: &str = "https://daten.kultur.example/";

/// What a conversion gave: sorted N-Quads, the rejects, and the record count.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    quads: String,
    rejects: String,
    records: u64,
}

#[derive(Default)]
struct Collect {
    quads: Vec<String>,
    rejects: Vec<String>,
    records: u64,
}

impl RecordSink for Collect {
    fn accept(&mut self, _: &Location, quads: &[QuadRef<'_>]) -> Result<(), SinkError> {
        self.records += 1;
        self.quads.extend(quads.iter().map(|q| format!("{q} .\n")));
        Ok(())
    }

    fn reject(&mut self, diagnostic: Diagnostic) -> Result<(), SinkError> {
        self.records += 1;
        self.rejects
            .push(serde_json::to_string(&diagnostic).expect("a diagnostic serialises"));
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

/// Converts `bytes` (named `name`) with the connector `kind`, reading `chunk` bytes at a time.
fn convert(kind: &str, name: &str, bytes: &[u8], options: &toml::Table, chunk: usize) -> Outcome {
    let minter = Minter::new(BASE).expect("a valid base");
    let id = Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("case");
    let cx = Context::new(id, &minter).with_options(options.clone());
    let mut reader: Box<dyn BufRead> = if chunk == 0 {
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
    connector(kind)
        .unwrap_or_else(|| panic!("no connector of kind {kind:?}"))
        .convert(
            Input {
                name,
                reader: &mut reader,
            },
            &cx,
            &mut out,
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    out.quads.sort();
    out.quads.dedup();
    Outcome {
        quads: out.quads.concat(),
        rejects: out.rejects.iter().map(|r| format!("{r}\n")).collect(),
        records: out.records,
    }
}

fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(kind);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            !(name.ends_with(".nq") || name.ends_with(".jsonl") || name.ends_with(".toml"))
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

/// Runs every golden case of `kind`.
fn check(kind: &str) {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for input in cases(kind) {
        let name = input
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a file name");
        let bytes = std::fs::read(&input).expect("a readable input");
        let options = match std::fs::read_to_string(beside(&input, "toml")) {
            Ok(text) => text.parse::<toml::Table>().expect("valid options"),
            Err(_) => toml::Table::new(),
        };
        let whole = convert(kind, name, &bytes, &options, 0);
        for chunk in [1, 7] {
            let trickled = convert(kind, name, &bytes, &options, chunk);
            assert_eq!(
                whole, trickled,
                "{kind}/{name}: {chunk}-byte reads give other output than whole reads"
            );
        }
        let (nq, rejects) = (beside(&input, "nq"), beside(&input, "rejects.jsonl"));
        if update {
            std::fs::write(&nq, &whole.quads).expect("writable golden file");
            if whole.rejects.is_empty() {
                let _ = std::fs::remove_file(&rejects);
            } else {
                std::fs::write(&rejects, &whole.rejects).expect("writable golden file");
            }
            continue;
        }
        let expected_quads = std::fs::read_to_string(&nq).unwrap_or_default();
        let expected_rejects = std::fs::read_to_string(&rejects).unwrap_or_default();
        if whole.quads != expected_quads || whole.rejects != expected_rejects {
            failures.push(format!(
                "{kind}/{name}: output differs from {} / {} (UPDATE_GOLDEN=1 rewrites them)\n\
                 --- got quads ---\n{}--- got rejects ---\n{}",
                nq.display(),
                rejects.display(),
                whole.quads,
                whole.rejects
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Converts every file under `../shared/data/real/<dir>` whose name ends with one of `exts` and
/// checks that nothing panics and that each record was either accepted or rejected.
fn real_files(kind: &str, dir: &str, exts: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/real")
        .join(dir);
    let mut seen = 0;
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.to_string_lossy().into_owned();
            if !exts.iter().any(|e| name.ends_with(e)) {
                continue;
            }
            let bytes = std::fs::read(&path).expect("a readable file");
            let outcome = convert(kind, &name, &bytes, &toml::Table::new(), 0);
            let rejected = outcome.rejects.lines().count() as u64;
            assert!(
                outcome.records >= rejected && outcome.records > 0,
                "{name}: {} records, {rejected} rejected",
                outcome.records
            );
            seen += 1;
        }
    }
    assert!(seen > 0, "no {exts:?} files under {}", root.display());
}

#[test]
fn rdf() {
    check("rdf");
}

#[test]
fn rdf_real_files() {
    real_files("rdf", "catalogs", &[".ttl", ".rdf", ".jsonld"]);
}

#[test]
fn ical() {
    check("ical");
}

#[test]
fn ical_real_files() {
    real_files("ical", "events/ics", &[".ics"]);
}

#[test]
fn lido() {
    check("lido");
}

#[test]
fn lido_real_files() {
    real_files("lido", "collections/lido", &[".xml"]);
}

#[test]
fn geojson() {
    check("geojson");
}

#[test]
fn geojson_real_files() {
    real_files("geojson", "institutions", &[".geojson"]);
    real_files("geojson", "accessibility", &[".geojson"]);
}

#[test]
fn a11yjson() {
    check("a11yjson");
}

#[test]
fn a11yjson_real_files() {
    real_files("a11yjson", "accessibility", &[".a11y.json"]);
}

#[test]
fn jsonld() {
    check("jsonld");
}

#[test]
fn jsonld_real_files() {
    real_files("jsonld", "events/jsonld", &[".jsonld"]);
}

/// Every golden input of every kind, cut off at many places and with bytes flipped, gives
/// records or a format error, never a panic; and each record is accepted or rejected once.
#[test]
fn damaged_inputs_never_panic() {
    let minter = Minter::new(BASE).expect("a valid base");
    for kind in ["lido", "geojson", "a11yjson", "jsonld", "rdf"] {
        for input in cases(kind) {
            let bytes = std::fs::read(&input).expect("a readable input");
            let name = input.to_string_lossy().into_owned();
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
                let cx = Context::new("damaged", &minter);
                let mut out = Collect::default();
                let result = connector(kind).expect("a connector").convert(
                    Input {
                        name: &name,
                        reader: &mut &variant[..],
                    },
                    &cx,
                    &mut out,
                );
                if result.is_ok() {
                    assert!(out.records >= out.rejects.len() as u64, "{name}");
                }
            }
        }
    }
}
