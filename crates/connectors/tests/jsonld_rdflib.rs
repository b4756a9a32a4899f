//! Cross-checks the `jsonld` connector against Python's rdflib on the real JSON-LD files: the
//! same items, with the same local schema.org context, must give the same triples.
//!
//! Runs when `KULTURNETZ_PY_JSONLD=1` (and `python3` with `rdflib` is installed); otherwise it
//! says loudly that it skipped.

use kulturnetz_connectors::{Context, Input, RecordSink, SinkError, connector};
use kulturnetz_model::{Diagnostic, Location, Minter};
use oxrdf::QuadRef;
use std::io::Write;
use std::path::Path;
use std::process::Command;

#[derive(Default)]
struct Lines(String);

impl RecordSink for Lines {
    fn accept(&mut self, _: &Location, quads: &[QuadRef<'_>]) -> Result<(), SinkError> {
        for quad in quads {
            self.0.push_str(&format!("{quad} .\n"));
        }
        Ok(())
    }

    fn reject(&mut self, _: Diagnostic) -> Result<(), SinkError> {
        Ok(())
    }
}

#[test]
fn jsonld_matches_rdflib() {
    if std::env::var("KULTURNETZ_PY_JSONLD").as_deref() != Ok("1") {
        // Straight to stderr, not through `eprintln!`, which the test harness would swallow.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED jsonld_matches_rdflib: set KULTURNETZ_PY_JSONLD=1 to compare the jsonld connector with Python rdflib ***\n"
        );
        return;
    }
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let real = crate_dir.join("../../../shared/data/real/events/jsonld");
    let context = crate_dir.join("contexts/schemaorg.jsonld");
    let script = crate_dir.join("tests/jsonld_rdflib.py");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let mut files: Vec<_> = std::fs::read_dir(&real)
        .unwrap_or_else(|e| panic!("{}: {e}", real.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonld"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .jsonld files in {}", real.display());
    let minter = Minter::new("https://daten.kultur.example/").expect("a valid base");
    let mut failures = Vec::new();
    for file in files {
        let bytes = std::fs::read(&file).expect("a readable file");
        let name = file.to_string_lossy().into_owned();
        let mut lines = Lines::default();
        connector("jsonld")
            .expect("the jsonld connector")
            .convert(
                Input {
                    name: &name,
                    reader: &mut &bytes[..],
                },
                &Context::new("crosscheck", &minter),
                &mut lines,
            )
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let ours = tmp.join(format!(
            "{}.nt",
            file.file_stem().and_then(|s| s.to_str()).unwrap_or("out")
        ));
        std::fs::write(&ours, &lines.0).expect("a writable temp file");
        let output = Command::new("python3")
            .arg(&script)
            .arg(&context)
            .arg(&file)
            .arg(&ours)
            .output()
            .expect("python3 runs");
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        eprint!("{report}");
        if !output.status.success() {
            failures.push(report);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
