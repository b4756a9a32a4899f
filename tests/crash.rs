//! What an operator's machine does to an ingest: kill it at any moment, fill its disk. Either way
//! every graph stays exactly old or new, with its metadata agreeing, and the store opens.

use crate::util::Site;
use sha2::{Digest, Sha256};
use std::process::Stdio;
use std::time::{Duration, Instant};

const GRAPH: &str = "https://daten.kultur.example/graph/big";
const META: &str = "https://daten.kultur.example/graph/meta";

/// `n` triples whose objects carry `tag`: the old (`a`) and new (`b`) versions of a source.
fn version(tag: &str, n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "<https://ex.example/thing/{i}> <https://schema.org/name> \"{tag} {i}\" .\n\
                 <https://ex.example/thing/{i}> <https://schema.org/position> \"{i}\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
            )
        })
        .collect()
}

/// The SHA-256 of the RDFC-1.0 canonical form of a graph without blank nodes: its triples as
/// canonical N-Triples, one per line, sorted by code point.
fn canonical_hash(ntriples: &str) -> String {
    let mut lines: Vec<&str> = ntriples.lines().filter(|l| !l.is_empty()).collect();
    lines.sort_unstable();
    let mut hasher = Sha256::new();
    for line in lines {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    format!("{:x}", hasher.finalize())
}

/// What the store publishes for the source: the canonical hash of its graph, its number of
/// triples, and the number its metadata states. Opening the store is part of the check.
fn published(site: &Site) -> (String, usize, Option<usize>) {
    let (code, graph, stderr) = site.run(&[
        "query",
        &format!("CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"),
        "--format",
        "nt",
    ]);
    assert_eq!(code, 0, "the store does not open after a kill: {stderr}");
    let (code, meta, stderr) = site.run(&[
        "query",
        &format!(
            "SELECT ?n {{ GRAPH <{META}> {{ <{GRAPH}> <http://rdfs.org/ns/void#triples> ?n }} }}"
        ),
        "--format",
        "tsv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let stated = meta.lines().nth(1).map(|n| {
        n.trim_start_matches('"')
            .split(['"', '^'])
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("not a count: {n}"))
    });
    let triples = graph.lines().filter(|l| !l.is_empty()).count();
    (canonical_hash(&graph), triples, stated)
}

/// A small random generator (xorshift), seeded from the clock and printed, so that a failing
/// sequence of kill moments can be replayed with `KULTURNETZ_KILL_SEED`.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Twenty `kill -9` at random moments of an ingest that replaces a 120k-triple graph by a 150k-one
/// (or back): after each, the graph is exactly the old or the new one, its stated size agrees, and
/// the store opens; the next ingest then publishes the input as it stands.
#[test]
fn issue_12_an_ingest_killed_at_any_moment_leaves_old_or_new() {
    let site = Site::new("[[source]]\nid = \"big\"\nkind = \"rdf\"\npath = \"big.nt\"\n");
    let old = version("a", 60_000);
    let new = version("b", 75_000);
    let hashes = [canonical_hash(&old), canonical_hash(&new)];
    let inputs = [&old, &new];

    // A replacement (a transaction of the difference) takes longer than the first publication
    // (a bulk ingestion): the kills are spread over the time of one replacement.
    site.write("big.nt", &new);
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    site.write("big.nt", &old);
    let started = Instant::now();
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    let full = started.elapsed();
    let (hash, triples, stated) = published(&site);
    assert_eq!(hash, hashes[0]);
    assert_eq!(Some(triples), stated);

    let seed = std::env::var("KULTURNETZ_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    let mut random = Random(seed);
    let mut current = 0;
    let mut outcomes = Vec::new();
    for round in 0..20 {
        // Ask for the other version, and kill the ingest somewhere between its start and a
        // little after the time a whole ingest took.
        let wanted = 1 - current;
        site.write("big.nt", inputs[wanted]);
        let after = Duration::from_millis(random.next() % (full.as_millis() as u64 * 13 / 10 + 1));
        let finished = ingest_killed_after(&site, after);

        let (hash, triples, stated) = published(&site);
        let now = hashes.iter().position(|h| *h == hash).unwrap_or_else(|| {
            panic!(
                "seed {seed}, round {round}, killed after {after:?}: the graph is neither old nor new ({triples} triples)"
            )
        });
        assert_eq!(
            Some(triples),
            stated,
            "seed {seed}, round {round}, killed after {after:?}: the metadata disagrees with the graph"
        );
        outcomes.push((after, finished, now == wanted));
        current = now;
    }
    eprintln!(
        "kill seed {seed}; a whole ingest took {full:?}; (killed after, had finished, new published): {outcomes:?}"
    );
    // The kills did hit ingests at work, not only finished ones or ones that had not begun.
    assert!(
        outcomes.iter().any(|(_, finished, _)| !finished),
        "{outcomes:?}"
    );

    // The next run publishes what the input holds now, whatever the last kill left.
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    let (hash, triples, stated) = published(&site);
    let input = std::fs::read_to_string(site.path().join("big.nt")).expect("input");
    assert_eq!(hash, canonical_hash(&input), "{stderr}");
    assert_eq!(Some(triples), stated);
}

/// The first ingest of a source publishes it in one bulk ingestion of sorted files: ten `kill -9`
/// at random moments of it leave the graph absent (with no metadata) or whole (with its
/// metadata), and the sorted files of a load that was cut off are gone once the store opens again.
#[test]
fn issue_12_a_first_ingest_killed_at_any_moment_publishes_all_or_nothing() {
    let site = Site::new("[[source]]\nid = \"big\"\nkind = \"rdf\"\npath = \"big.nt\"\n");
    let new = version("b", 100_000);
    site.write("big.nt", &new);
    let store = site.path().join("store");
    let started = Instant::now();
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    let full = started.elapsed();
    let whole = (canonical_hash(&new), 200_000, Some(200_000));
    assert_eq!(published(&site), whole);

    let mut random = Random(
        std::env::var("KULTURNETZ_KILL_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0x5EED_u64 ^ full.as_nanos() as u64 | 1),
    );
    let mut outcomes = Vec::new();
    for round in 0..10 {
        std::fs::remove_dir_all(&store).expect("remove the store");
        let after = Duration::from_millis(random.next() % (full.as_millis() as u64 * 12 / 10 + 1));
        let finished = ingest_killed_after(&site, after);
        let left_before = bulk_files(&store);
        let now = published(&site);
        let published_whole = now == whole;
        assert!(
            published_whole || now == (canonical_hash(""), 0, None),
            "round {round}, killed after {after:?}: neither nothing nor the whole graph: {now:?}"
        );
        assert_eq!(
            bulk_files(&store),
            0,
            "round {round}: {left_before} sorted files of the cut-off load stay after a start"
        );
        outcomes.push((after, finished, published_whole, left_before));
    }
    eprintln!(
        "a whole first ingest took {full:?}; (killed after, had finished, published, files left): {outcomes:?}"
    );
    assert!(
        outcomes.iter().any(|(_, finished, _, _)| !finished),
        "{outcomes:?}"
    );
}

/// Starts `kulturnetz ingest` for the site and kills it (`SIGKILL`) after `after`; whether it had
/// finished by then.
fn ingest_killed_after(site: &Site, after: Duration) -> bool {
    let mut child = crate::util::bin()
        .args(["ingest", "--config"])
        .arg(site.config())
        .current_dir(site.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ingest");
    std::thread::sleep(after);
    let finished = child.try_wait().expect("wait").is_some();
    child.kill().ok();
    child.wait().expect("reap");
    finished
}

/// The sorted files of bulk loads in the store's folder.
fn bulk_files(store: &std::path::Path) -> usize {
    std::fs::read_dir(store).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with("bulk-") && name.ends_with(".sst")
            })
            .count()
    })
}

/// A small tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs of `size` (like "32m") at `at`. Mounting needs root; where the machine
    /// does not allow it the test says so and is skipped, unless `KULTURNETZ_REQUIRE_TMPFS` is
    /// set (CI sets it, and runs as root).
    fn mount(at: &std::path::Path, size: &str) -> Option<Self> {
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status();
        if status.is_ok_and(|s| s.success()) {
            return Some(Self(at.to_owned()));
        }
        assert!(
            std::env::var_os("KULTURNETZ_REQUIRE_TMPFS").is_none(),
            "cannot mount a tmpfs at {}",
            at.display()
        );
        eprintln!("SKIPPED: mounting a tmpfs needs root; the full-disk test did not run");
        None
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// A disk that fills up during an ingest: the source fails with a message that says so, the
/// published graph and its metadata stay as they were, and the store still opens and answers.
#[test]
fn issue_12_a_full_disk_fails_the_ingest_and_keeps_the_published_data() {
    let site = Site::new("[[source]]\nid = \"big\"\nkind = \"rdf\"\npath = \"big.nt\"\n");
    let store = site.path().join("store");
    std::fs::create_dir_all(&store).expect("store dir");
    let Some(_disk) = Tmpfs::mount(&store, "24m") else {
        return;
    };
    let old = version("a", 1_000);
    site.write("big.nt", &old);
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(published(&site), (canonical_hash(&old), 2_000, Some(2_000)));

    site.write("big.nt", &version("b", 300_000));
    let (code, _, stderr) = site.run(&["ingest"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("the disk is full"), "{stderr}");
    assert!(stderr.contains("previous data kept"), "{stderr}");
    assert_eq!(published(&site), (canonical_hash(&old), 2_000, Some(2_000)));
}

/// The disk fills up while a new source is published in bulk: that source fails with a message
/// that says so, the source published before stays, and no sorted file is left behind.
#[test]
fn issue_12_a_full_disk_during_a_bulk_publish_keeps_the_other_sources() {
    let site = Site::new(
        "[[source]]\nid = \"small\"\nkind = \"rdf\"\npath = \"small.nt\"\n\n\
         [[source]]\nid = \"big\"\nkind = \"rdf\"\npath = \"big.nt\"\n",
    );
    let store = site.path().join("store");
    std::fs::create_dir_all(&store).expect("store dir");
    let Some(_disk) = Tmpfs::mount(&store, "24m") else {
        return;
    };
    site.write("small.nt", &version("a", 500));
    site.write("big.nt", "");
    let (code, _, stderr) = site.run(&["ingest", "--source", "small"]);
    assert_eq!(code, 0, "{stderr}");

    site.write("big.nt", &version("b", 300_000));
    let (code, _, stderr) = site.run(&["ingest", "--source", "big"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("the disk is full"), "{stderr}");
    assert_eq!(
        published(&site).1,
        0,
        "nothing of the big source is published"
    );
    let (code, count, stderr) = site.run(&[
        "query",
        "SELECT (COUNT(*) AS ?n) { GRAPH <https://daten.kultur.example/graph/small> { ?s ?p ?o } }",
        "--format",
        "tsv",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(count.contains("1000"), "{count}");
    assert_eq!(bulk_files(&store), 0);
}
