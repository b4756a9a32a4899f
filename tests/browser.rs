//! The landing page and the HTML pages in headless Chromium (issues 16 and 15):
//! `tests/browser/run.js` (playwright-core and axe-core, pinned in `tests/browser/
//! package-lock.json`, installed by `scripts/ensure-deps --test`) against the server on bundled
//! data. Without Chromium, Node or the packages the test skips, saying so; with
//! `KULTURNETZ_REQUIRE_BROWSER=1` (CI) it fails instead. Screenshots go to
//! `$CARGO_TARGET_DIR/artefacts/`.

use crate::pages::sample_site;
use crate::util::repo;
use std::path::PathBuf;
use std::process::Command;

/// The Chromium to drive: `$KULTURNETZ_CHROMIUM`, else Debian's.
fn chromium() -> Option<PathBuf> {
    std::env::var_os("KULTURNETZ_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")))
        .filter(|p| p.is_file())
}

/// Where test artefacts go: `artefacts/` in the target folder.
fn artefacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            // target/release/deps/e2e-… → target
            let exe = std::env::current_exe().ok()?;
            Some(exe.parent()?.parent()?.parent()?.to_owned())
        })
        .unwrap_or_else(|| repo().join("target"));
    target.join("artefacts")
}

#[test]
fn issue_16_the_pages_in_a_browser() {
    let required = std::env::var("KULTURNETZ_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let script = repo().join("tests/browser");
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let packages = ["playwright-core", "axe-core"]
        .iter()
        .all(|p| script.join("node_modules").join(p).is_dir());
    let missing = match (chromium(), node, packages) {
        (None, _, _) => Some("Chromium (Debian package chromium)"),
        (_, false, _) => Some("Node.js"),
        (_, _, false) => Some("tests/browser/node_modules (npm ci)"),
        (Some(_), true, true) => None,
    };
    if let Some(what) = missing {
        assert!(
            !required,
            "KULTURNETZ_REQUIRE_BROWSER=1 but {what} is missing: run scripts/ensure-deps --test"
        );
        eprintln!(
            "SKIPPED issue_16_the_pages_in_a_browser: {what} is missing (scripts/ensure-deps --test installs it)"
        );
        return;
    }
    let site = sample_site();
    let server = site.serve(&[], &[]);
    let artefacts = artefacts();
    let output = Command::new("node")
        .arg("run.js")
        .current_dir(&script)
        .env("KN_URL", &server.url)
        .env("KN_ARTEFACTS", &artefacts)
        .env("KN_CHROMIUM", chromium().expect("checked above"))
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}");
    assert!(
        output.status.success(),
        "the browser test failed:\n{stdout}\n{stderr}"
    );
    for name in [
        "landing",
        "landing-result",
        "resource",
        "ontology",
        "graph",
        "landing-de",
    ] {
        let shot = artefacts.join(format!("browser-{name}.png"));
        assert!(shot.is_file(), "no screenshot {}", shot.display());
    }
}
