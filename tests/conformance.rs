//! The W3C SPARQL 1.1 test suites, run by the shared harness against the real server over HTTP.
//!
//! The server runs with the store's own default graph as the default graph (the suites load
//! their data there), with a write token so the harness can load and clear data. Every test the
//! harness does not pass is either fixed or listed, with its reason, in `tests/conformance/*.skip`.

use crate::util::{Site, shared};
use std::process::Command;

const TOKEN: &str = "conformance-token";

/// Runs `sparql-suite` on `suite` and returns (passed, failed, skipped, output).
fn run_suite(suite: &str, skip_file: &str) -> (u64, u64, u64, String) {
    let site = Site::new(
        "[server]\nunion_default_graph = false\nquery_timeout = \"20s\"\nmax_concurrent_queries = 2\n",
    );
    let server = site.serve(&["--no-ingest"], &[("KULTURNETZ_WRITE_TOKEN", TOKEN)]);
    let shared = shared();
    let harness = shared.join("tools/sparql-suite");
    assert!(
        harness.exists(),
        "the shared harness {} is missing: run the tests from a checkout with ../shared beside it",
        harness.display()
    );
    let output = Command::new("python3")
        .arg(&harness)
        .args(["--endpoint", &format!("{}/query", server.url)])
        .args(["--update", &format!("{}/update", server.url)])
        .args(["--store", &format!("{}/store", server.url)])
        .args(["--token", TOKEN])
        .arg("--suite")
        .arg(shared.join(suite))
        .arg("--skip-file")
        .arg(
            crate::util::repo()
                .join("tests/conformance")
                .join(skip_file),
        )
        .output()
        .expect("run python3 (scripts/ensure-deps --test installs what the harness needs)");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "the harness could not run (is rdflib installed? scripts/ensure-deps --test):\n{stdout}\n{stderr}"
    );
    let (passed, failed, skipped) = summary(&stdout, &stderr);
    (passed, failed, skipped, stdout)
}

/// The counts of a harness's closing line `N passed, M failed, K skipped`.
fn summary(stdout: &str, stderr: &str) -> (u64, u64, u64) {
    let last = stdout.lines().last().unwrap_or_default();
    let numbers: Vec<u64> = last
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    assert_eq!(
        numbers.len(),
        3,
        "unexpected last line {last:?}:\n{stdout}\n{stderr}"
    );
    (numbers[0], numbers[1], numbers[2])
}

#[test]
fn w3c_sparql11_suite_through_http() {
    let (passed, failed, skipped, output) = run_suite("conformance/sparql11", "sparql11.skip");
    eprintln!("sparql11: {passed} passed, {failed} failed, {skipped} skipped");
    assert_eq!(failed, 0, "failures not in the skip list:\n{output}");
    // Oxigraph's own server, same engine, passes 481 here.
    assert!(passed >= 481, "only {passed} passed:\n{output}");
}

#[test]
fn w3c_sparql10_data_r2_suite_through_http() {
    let (passed, failed, skipped, output) =
        run_suite("conformance/sparql11/data-r2", "data-r2.skip");
    eprintln!("data-r2: {passed} passed, {failed} failed, {skipped} skipped");
    assert_eq!(failed, 0, "failures not in the skip list:\n{output}");
    // Oxigraph's own server, same engine, passes 466 here.
    assert!(passed >= 466, "only {passed} passed:\n{output}");
}

/// The RML-Core and RML-IO test cases of the W3C Knowledge Graph Construction Community Group,
/// run by the shared harness through the real `kulturnetz map`.
#[test]
fn rml_suite_through_the_cli() {
    let shared = shared();
    let harness = shared.join("tools/rml-suite");
    let command = format!(
        "{} map {{mapping}} --out {{output}} --format nq --base {{base}}",
        env!("CARGO_BIN_EXE_kulturnetz")
    );
    let output = Command::new("python3")
        .arg(&harness)
        .args(["--cmd", &command])
        .arg("--skip-file")
        .arg(crate::util::repo().join("tests/conformance/rml.skip"))
        .output()
        .expect("run python3 (scripts/ensure-deps --test installs what the harness needs)");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (passed, failed, skipped) = summary(&stdout, &stderr);
    eprintln!("rml: {passed} passed, {failed} failed, {skipped} skipped");
    assert_eq!(failed, 0, "failures not in the skip list:\n{stdout}");
    // 149 cases: one needs a database (the harness skips it), 11 are in rml.skip with reasons.
    assert!(passed >= 137, "only {passed} passed:\n{stdout}");
}

/// The W3C SHACL Core tests (data-shapes-test-suite, `tests/core`), run by the shared harness
/// through the real `kulturnetz validate`, which reads the report it writes.
#[test]
fn shacl_core_suite_through_the_cli() {
    let shared = shared();
    let harness = shared.join("tools/shacl-suite");
    let command = format!(
        "{} validate --shapes {{shapes}} --report {{report}} {{data}}",
        env!("CARGO_BIN_EXE_kulturnetz")
    );
    let output = Command::new("python3")
        .arg(&harness)
        .args(["--cmd", &command])
        .arg("--skip-file")
        .arg(crate::util::repo().join("tests/conformance/shacl.skip"))
        .output()
        .expect("run python3 (scripts/ensure-deps --test installs what the harness needs)");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let (passed, failed, skipped) = summary(&stdout, &stderr);
    eprintln!("shacl: {passed} passed, {failed} failed, {skipped} skipped");
    assert_eq!(failed, 0, "failures not in the skip list:\n{stdout}");
    // 98 core tests; pySHACL passes all of them, and so must we.
    assert!(passed >= 98, "only {passed} passed:\n{stdout}");
}
