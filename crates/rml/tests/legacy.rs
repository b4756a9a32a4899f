//! Golden tests of the legacy vocabulary (R2RML's `rr:`, the first RML namespace
//! `http://semweb.mmlab.be/ns/rml#` and `ql:`) on the RML-Core test cases rewritten into it and
//! on hand-made CSV and XML cases (`tests/legacy/`, whose README says where they come from and
//! which RML-Core cases have no legacy form). Each case must give its expected `output.nq` as an
//! isomorphic dataset, or fail where its `error.txt` says an error is expected, as
//! `kulturnetz map` fails: the mapping is refused, the run stops, or a record is rejected.
//!
//! The cross-check against Morph-KGC runs only when `KULTURNETZ_PY_MORPH=1` (it needs `python3`
//! with `pip install morph-kgc`); otherwise it says loudly that it skipped. Both engines must
//! agree on every case but those listed with their reasons in `tests/legacy/morph-kgc.skip`,
//! and every listed case must really differ, so that the list stays true.

use kulturnetz_rml::{Format, Mapping, Writer};
use oxrdf::Dataset;
use oxrdf::dataset::CanonicalizationAlgorithm;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

/// The base IRI of relative IRIs: the RML-Core cases' `test:defaultBaseIRI`.
const BASE_IRI: &str = "http://example.com/";

/// What a mapping gives.
enum Outcome {
    /// A dataset, as its canonical N-Quads lines (see [`canonical`]).
    Quads(Vec<String>),
    Error(String),
}

impl Outcome {
    /// Whether `self` and `other` are the same: both errors, or isomorphic datasets.
    fn agrees_with(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Quads(a), Self::Quads(b)) => a == b,
            (Self::Error(_), Self::Error(_)) => true,
            _ => false,
        }
    }

    /// How `self` differs from `other`, for a failure message; `names` name the two sides.
    fn difference(&self, other: &Self, names: (&str, &str)) -> String {
        let (a, b) = names;
        match (self, other) {
            (Self::Quads(x), Self::Quads(y)) => {
                // Blank nodes are named canonically on each side, so one that differs in its
                // surroundings may show under another name.
                let mut out = String::from("the quads differ");
                for line in x.iter().filter(|l| !y.contains(l)) {
                    out.push_str(&format!("\n    only {a}: {line}"));
                }
                for line in y.iter().filter(|l| !x.contains(l)) {
                    out.push_str(&format!("\n    only {b}: {line}"));
                }
                out
            }
            (Self::Quads(x), Self::Error(e)) => {
                format!("{a}: {} quads; {b}: an error: {e}", x.len())
            }
            (Self::Error(e), Self::Quads(y)) => {
                format!("{a}: an error: {e}; {b}: {} quads", y.len())
            }
            (Self::Error(_), Self::Error(_)) => String::new(),
        }
    }
}

/// `dataset` as sorted N-Quads lines with its blank nodes named canonically, so that isomorphic
/// datasets give the same lines. (The canonicalisation is RDFC-1.0 with a hash that may change
/// between versions of `oxrdf`; both sides of a comparison are canonicalised by the same build.)
fn canonical(mut dataset: Dataset) -> Vec<String> {
    dataset.canonicalize(CanonicalizationAlgorithm::Unstable);
    let mut lines: Vec<String> = dataset.iter().map(|q| format!("{q} .")).collect();
    lines.sort();
    lines
}

/// N-Quads as their canonical lines.
fn parse_nquads(text: &str) -> Result<Vec<String>, String> {
    oxttl::NQuadsParser::new()
        .for_slice(text)
        .collect::<Result<Dataset, _>>()
        .map(canonical)
        .map_err(|e| e.to_string())
}

/// The case folders, sorted.
fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/legacy");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    // A lost folder must not pass unnoticed: README.md lists the 61 cases convert.py writes
    // and the 2 hand-made ones.
    assert_eq!(cases.len(), 63, "legacy cases in {}", dir.display());
    cases
}

fn name(case: &Path) -> &str {
    case.file_name()
        .and_then(|n| n.to_str())
        .expect("a case folder name")
}

/// The expected outcome of `case`: its `output.nq`, or the error its `error.txt` describes.
fn expected(case: &Path) -> Outcome {
    let output = std::fs::read_to_string(case.join("output.nq")).ok();
    let error = std::fs::read_to_string(case.join("error.txt")).ok();
    match (output, error) {
        (Some(text), None) => Outcome::Quads(
            parse_nquads(&text).unwrap_or_else(|e| panic!("{}/output.nq: {e}", case.display())),
        ),
        (None, Some(why)) => Outcome::Error(why.trim().to_owned()),
        _ => panic!(
            "{}: needs exactly one of output.nq and error.txt",
            case.display()
        ),
    }
}

/// A `Write` into memory that the test can still read after the writer took it.
#[derive(Clone, Default)]
struct Buffer(Rc<RefCell<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What our engine gives for `case`, written as N-Quads and read back.
fn ours(case: &Path) -> Outcome {
    let mapping = match Mapping::from_path(&case.join("mapping.ttl")) {
        Ok(mapping) => mapping.with_base_iri(BASE_IRI),
        Err(e) => return Outcome::Error(e.to_string()),
    };
    let buffer = Buffer::default();
    let mut writer = Writer::new(&mapping, Box::new(buffer.clone()), Format::NQuads)
        .expect("a writer into memory");
    if let Err(e) = mapping.run(&mut writer) {
        return Outcome::Error(e.to_string());
    }
    let rejected = writer.finish().expect("N-Quads into memory");
    if let Some(first) = rejected.first() {
        return Outcome::Error(format!(
            "{} record(s) rejected, the first: {first}",
            rejected.len()
        ));
    }
    let text = String::from_utf8(buffer.0.take()).expect("UTF-8 N-Quads");
    Outcome::Quads(
        parse_nquads(&text).unwrap_or_else(|e| panic!("{}: our N-Quads: {e}", case.display())),
    )
}

#[test]
fn legacy_cases_give_the_expected_output() {
    let mut failures = Vec::new();
    for case in cases() {
        let expected = expected(&case);
        let ours = ours(&case);
        if !ours.agrees_with(&expected) {
            failures.push(format!(
                "{}: {}",
                name(&case),
                ours.difference(&expected, ("ours", "expected"))
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "legacy cases that fail:\n{}",
        failures.join("\n")
    );
}

/// The cases where Morph-KGC differs from us, with why: `tests/legacy/morph-kgc.skip`.
fn known_differences() -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/legacy/morph-kgc.skip");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut known = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (case, reason) = line
            .split_once(char::is_whitespace)
            .unwrap_or_else(|| panic!("{}: no reason given: {line}", path.display()));
        let old = known.insert(case.to_owned(), reason.trim().to_owned());
        assert!(old.is_none(), "{}: {case} listed twice", path.display());
    }
    known
}

#[test]
fn legacy_cases_agree_with_morph_kgc() {
    if std::env::var("KULTURNETZ_PY_MORPH").as_deref() != Ok("1") {
        // Straight to stderr, not through `eprintln!`, which the test harness would swallow.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED legacy_cases_agree_with_morph_kgc: set KULTURNETZ_PY_MORPH=1 to \
             compare the legacy cases with Morph-KGC (needs python3 with `pip install \
             morph-kgc`) ***\n"
        );
        return;
    }
    let cases = cases();
    let known = known_differences();
    for case in known.keys() {
        assert!(
            cases.iter().any(|c| name(c) == case),
            "morph-kgc.skip lists {case}, which is not a legacy case"
        );
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/legacy/run_morph_kgc.py");
    let out = tempfile::tempdir().expect("a temporary folder");
    let output = Command::new("python3")
        .arg(&script)
        .arg(out.path())
        .args(&cases)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut unexplained = Vec::new();
    let mut stale = Vec::new();
    let (mut agreed, mut listed) = (0, 0);
    for case in &cases {
        let name = name(case);
        let ours = ours(case);
        let error = out.path().join(format!("{name}.error"));
        let theirs = match std::fs::read_to_string(&error) {
            Ok(why) => Ok(Outcome::Error(why.trim().to_owned())),
            Err(_) => {
                let path = out.path().join(format!("{name}.nq"));
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                parse_nquads(&text)
                    .map(Outcome::Quads)
                    .map_err(|e| format!("Morph-KGC wrote N-Quads that do not parse: {e}"))
            }
        };
        let agree = theirs.as_ref().is_ok_and(|t| ours.agrees_with(t));
        match (agree, known.get(name)) {
            (true, None) => agreed += 1,
            (true, Some(reason)) => stale.push(format!(
                "{name}: listed as differing ({reason}), but Morph-KGC agrees"
            )),
            (false, None) => unexplained.push(match &theirs {
                Ok(theirs) => format!(
                    "{name}: {}",
                    theirs.difference(&ours, ("Morph-KGC", "ours"))
                ),
                Err(e) => format!("{name}: {e}"),
            }),
            (false, Some(_)) => listed += 1,
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "morph-kgc: {agreed} of {} legacy cases agree, {listed} differ as listed in morph-kgc.skip",
        cases.len(),
    );
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "Morph-KGC and we differ where morph-kgc.skip does not say so:\n{}\n\
         morph-kgc.skip lists cases where we agree:\n{}",
        unexplained.join("\n"),
        stale.join("\n")
    );
}
