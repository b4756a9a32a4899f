//! Our engine against Morph-KGC (<https://github.com/morph-kgc/morph-kgc>) on the same
//! generated data and the same RML mapping (legacy `rr:`/`rml:`/`ql:` vocabulary, which both
//! read): CSV institutions, CSV objects joined to them, and a JSON array of events with nulls,
//! booleans, numbers, nested objects and arrays.
//!
//! Two configurations, each at every size (object rows): the join side grows with the input
//! (institutions = rows/10), and the join side is held (10,000 institutions at every size).
//! Events are rows/5 in both. The second gives how memory grows with the input apart from the
//! join table, which holds the parent side by design; the first shows the join table too. A data
//! set that both configurations share (100,000 rows) is measured once.
//!
//! Both engines run as child processes, so that wall time and peak memory are measured the same
//! way: peak memory is the highest resident set of the process tree, polled from `/proc` while
//! it runs (`VmHWM` of the root, and the summed `Pss` of the tree for engines that fork). The
//! throughput target is on wall time; the CPU time of each run (user and system) is printed
//! too, with the load average before and after, since on a busy machine wall times stretch
//! with whatever else runs while CPU times hold.
//!
//! ```text
//! CARGO_TARGET_DIR=/root/.cache/kulturnetz/target-rmlbench \
//!     cargo bench -p kulturnetz-rml --bench rml_vs_morph_kgc
//! ```
//!
//! Environment: `RML_BENCH_SIZES` (object rows, comma-separated; default `100000,1000000`),
//! `RML_BENCH_FIXED_INSTITUTIONS` (the institutions of the held configuration; default 10000,
//! 0 leaves that configuration out), `RML_BENCH_PYTHON` (default `python3`),
//! `RML_BENCH_MORPH_PROCESSES` (Morph-KGC's `number_of_processes`; default 1, like our
//! engine), `RML_BENCH_KEEP` (a directory to keep the data and outputs in, to compare them).
#![expect(
    clippy::print_stdout,
    reason = "a benchmark reports on standard output"
)]

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small deterministic generator (SplitMix64), so that every run maps the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }
}

const CITIES: &[&str] = &[
    "Leipzig",
    "Köln",
    "München",
    "Düsseldorf",
    "Görlitz",
    "Weimar",
    "Altenburg",
    "Lübeck",
];
const KINDS: &[&str] = &[
    "Städtisches Museum",
    "Kunsthalle",
    "Sammlung \"Alte Meister\",",
    "Landesmuseum",
    "Archiv",
];
const MATERIALS: &[&str] = &[
    "oil on canvas",
    "bronze",
    "paper",
    "wood, painted",
    "glass",
    "silver",
];
const WORDS: &[&str] = &[
    "Bildnis",
    "Landschaft",
    "Stillleben",
    "Vase",
    "Brief",
    "Münze",
    "Krug",
    "Entwurf",
];
const TAGS: &[&str] = &["ausstellung", "führung", "kinder", "konzert", "vortrag"];

/// Writes `value` as a CSV field, quoted when it must be.
fn field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\n']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sizes {
    objects: u64,
    institutions: u64,
    events: u64,
}

/// How the parent side of the join (the institutions) relates to the object rows.
#[derive(Debug, Clone, Copy)]
enum JoinSide {
    /// A tenth of the object rows.
    Grows,
    /// The same number at every size.
    Held(u64),
}

impl JoinSide {
    fn sizes(self, objects: u64) -> Sizes {
        Sizes {
            objects,
            institutions: match self {
                Self::Grows => (objects / 10).max(1),
                Self::Held(n) => n.max(1),
            },
            events: (objects / 5).max(1),
        }
    }

    fn describe(self) -> String {
        match self {
            Self::Grows => "join side grows: institutions = rows/10, events = rows/5".to_owned(),
            Self::Held(n) => format!("join side held: institutions = {n}, events = rows/5"),
        }
    }
}

fn generate(dir: &Path, sizes: &Sizes) -> io::Result<()> {
    let mut rng = Rng(0x4B55_4C54_5552);
    let mut line = String::new();

    let mut w = BufWriter::new(File::create(dir.join("institutions.csv"))?);
    writeln!(w, "id,name,city,isil,founded,website")?;
    for id in 1..=sizes.institutions {
        line.clear();
        let city = rng.pick(CITIES);
        write!(line, "{id},").ok();
        field(&mut line, &format!("{} {city} {id}", rng.pick(KINDS)));
        write!(
            line,
            ",{city},DE-MUS-{id:06},{},https://museum-{id}.example.org/",
            1800 + rng.below(220)
        )
        .ok();
        writeln!(w, "{line}")?;
    }
    w.flush()?;

    let mut w = BufWriter::new(File::create(dir.join("objects.csv"))?);
    writeln!(
        w,
        "id,title,institution_id,date,material,inventory,width_cm"
    )?;
    for id in 1..=sizes.objects {
        line.clear();
        write!(line, "{id},").ok();
        let title = if rng.below(4) == 0 {
            format!("{}, {} Nr. {id}", rng.pick(WORDS), rng.pick(WORDS))
        } else {
            format!("{} {id}", rng.pick(WORDS))
        };
        field(&mut line, &title);
        let year = 1500 + rng.below(520);
        write!(
            line,
            ",{},{year}-{:02}-{:02},",
            1 + rng.below(sizes.institutions),
            1 + rng.below(12),
            1 + rng.below(28)
        )
        .ok();
        field(&mut line, rng.pick(MATERIALS));
        write!(
            line,
            ",Inv. {id}/{year},{}.{}",
            5 + rng.below(200),
            rng.below(10)
        )
        .ok();
        writeln!(w, "{line}")?;
    }
    w.flush()?;

    let mut w = BufWriter::new(File::create(dir.join("events.json"))?);
    write!(w, "{{\"events\": [")?;
    for id in 1..=sizes.events {
        if id > 1 {
            write!(w, ",")?;
        }
        let attendance = match rng.below(5) {
            0 => "null".to_owned(),
            _ => (10 + rng.below(990)).to_string(),
        };
        let price = match rng.below(3) {
            0 => "null".to_owned(),
            _ => format!(
                "{}.{}",
                3 + rng.below(20),
                [0, 25, 5, 75][rng.next() as usize % 4]
            ),
        };
        let tags: Vec<String> = (0..rng.below(4))
            .map(|_| format!("\"{}\"", rng.pick(TAGS)))
            .collect();
        write!(
            w,
            "\n  {{\"id\": {id}, \"name\": \"{} im {}\", \"start\": \"2025-{:02}-{:02}\", \
             \"free\": {}, \"attendance\": {attendance}, \"price\": {price}, \
             \"venue\": {{\"institution\": {}, \"room\": \"Saal {}\"}}, \"tags\": [{}], \
             \"cancelled\": {}}}",
            rng.pick(&["Führung", "Konzert", "Lesung", "Workshop"]),
            rng.pick(CITIES),
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(2) == 0,
            1 + rng.below(sizes.institutions),
            1 + rng.below(9),
            tags.join(", "),
            rng.below(10) == 0,
        )?;
    }
    writeln!(w, "\n]}}")?;
    w.flush()?;

    fs::write(dir.join("mapping.ttl"), MAPPING)
}

const MAPPING: &str = r#"@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix schema: <http://schema.org/> .
@prefix : <https://daten.kultur.example/mapping#> .

:Institutions a rr:TriplesMap ;
  rml:logicalSource [ rml:source "institutions.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "https://daten.kultur.example/id/institution/{id}" ;
                  rr:class schema:Museum ] ;
  rr:predicateObjectMap [ rr:predicate schema:name ; rr:objectMap [ rml:reference "name" ] ] ,
    [ rr:predicate schema:addressLocality ; rr:objectMap [ rml:reference "city" ] ] ,
    [ rr:predicate schema:identifier ; rr:objectMap [ rml:reference "isil" ] ] ,
    [ rr:predicate schema:foundingDate ;
      rr:objectMap [ rml:reference "founded" ; rr:datatype xsd:gYear ] ] ,
    [ rr:predicate schema:url ; rr:objectMap [ rml:reference "website" ; rr:termType rr:IRI ] ] .

:Objects a rr:TriplesMap ;
  rml:logicalSource [ rml:source "objects.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "https://daten.kultur.example/id/object/{id}" ;
                  rr:class schema:CreativeWork ] ;
  rr:predicateObjectMap [ rr:predicate schema:name ;
      rr:objectMap [ rml:reference "title" ; rr:language "de" ] ] ,
    [ rr:predicate schema:dateCreated ;
      rr:objectMap [ rml:reference "date" ; rr:datatype xsd:date ] ] ,
    [ rr:predicate schema:material ; rr:objectMap [ rml:reference "material" ] ] ,
    [ rr:predicate schema:genre ;
      rr:objectMap [ rr:template "https://daten.kultur.example/id/material/{material}" ] ] ,
    [ rr:predicate schema:identifier ; rr:objectMap [ rml:reference "inventory" ] ] ,
    [ rr:predicate schema:width ;
      rr:objectMap [ rml:reference "width_cm" ; rr:datatype xsd:decimal ] ] ,
    [ rr:predicate schema:holdingArchive ;
      rr:objectMap [ rr:parentTriplesMap :Institutions ;
                     rr:joinCondition [ rr:child "institution_id" ; rr:parent "id" ] ] ] .

:Events a rr:TriplesMap ;
  rml:logicalSource [ rml:source "events.json" ; rml:referenceFormulation ql:JSONPath ;
                      rml:iterator "$.events[*]" ] ;
  rr:subjectMap [ rr:template "https://daten.kultur.example/id/event/{id}" ;
                  rr:class schema:Event ] ;
  rr:predicateObjectMap [ rr:predicate schema:name ; rr:objectMap [ rml:reference "name" ] ] ,
    [ rr:predicate schema:startDate ;
      rr:objectMap [ rml:reference "start" ; rr:datatype xsd:date ] ] ,
    [ rr:predicate schema:isAccessibleForFree ;
      rr:objectMap [ rml:reference "free" ; rr:datatype xsd:boolean ] ] ,
    [ rr:predicate schema:maximumAttendeeCapacity ;
      rr:objectMap [ rml:reference "attendance" ; rr:datatype xsd:integer ] ] ,
    [ rr:predicate schema:price ;
      rr:objectMap [ rml:reference "price" ; rr:datatype xsd:decimal ] ] ,
    [ rr:predicate schema:location ;
      rr:objectMap [ rr:template "https://daten.kultur.example/id/institution/{venue.institution}" ] ] .
"#;

/// What one run of one engine measured.
struct Run {
    seconds: f64,
    /// User and system time of the process and the children it waited for.
    cpu_seconds: f64,
    quads: u64,
    peak_bytes: u64,
}

impl Run {
    fn quads_per_second(&self) -> f64 {
        self.quads as f64 / self.seconds
    }

    fn peak_mb(&self) -> f64 {
        self.peak_bytes as f64 / (1024.0 * 1024.0)
    }
}

/// The user and system time of the children this process has waited for, in seconds: fields
/// 16 and 17 (`cutime`, `cstime`) of `/proc/self/stat`, in ticks of 1/100 s (`CLK_TCK` on
/// Linux).
fn children_cpu_seconds() -> f64 {
    let Ok(stat) = fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // The fields after the parenthesised command name start with the third (the state).
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |field: usize| -> f64 {
        fields
            .get(field - 3)
            .and_then(|f| f.parse::<u64>().ok())
            .map_or(0.0, |t| t as f64)
    };
    (ticks(16) + ticks(17)) / 100.0
}

/// A number of kB in a `/proc` status or smaps line.
fn kb(line: &str) -> Option<u64> {
    line.split_whitespace().nth(1)?.parse().ok()
}

fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines().find(|l| l.starts_with(key)).and_then(kb)
}

/// The process and its descendants.
fn tree(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // The parent is the second field after the parenthesised command name.
            let ppid = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                parents.push((pid, ppid));
            }
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let p = found[i];
        found.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        i += 1;
    }
    found
}

/// The proportional resident set of a process, in kB (shared pages of forked workers counted
/// once over the tree).
fn pss_kb(pid: u32) -> Option<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    text.lines().find(|l| l.starts_with("Pss:")).and_then(kb)
}

/// Runs `command` to its end, polling its memory; its output goes to `log`.
fn measure(mut command: Command, log: &Path, output: &Path) -> io::Result<Run> {
    let _ = fs::remove_file(output);
    let log_file = File::create(log)?;
    command
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file);
    let cpu_before = children_cpu_seconds();
    let start = Instant::now();
    let mut child = command.spawn()?;
    let pid = child.id();
    let mut peak_kb = 0;
    let mut polls = 0u64;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        peak_kb = peak_kb.max(status_kb(pid, "VmHWM:").unwrap_or(0));
        // The whole tree less often: walking /proc costs more than reading one file.
        if polls.is_multiple_of(10) {
            let members = tree(pid);
            if members.len() > 1 {
                let sum: u64 = members.iter().filter_map(|&p| pss_kb(p)).sum();
                peak_kb = peak_kb.max(sum);
            }
        }
        polls += 1;
        std::thread::sleep(Duration::from_millis(5));
    };
    let seconds = start.elapsed().as_secs_f64();
    let cpu_seconds = children_cpu_seconds() - cpu_before;
    if !status.success() {
        let mut text = String::new();
        File::open(log)?.read_to_string(&mut text)?;
        let tail: String = text
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        return Err(io::Error::other(format!(
            "{command:?} failed ({status}):\n{tail}"
        )));
    }
    Ok(Run {
        seconds,
        cpu_seconds,
        quads: count_lines(output)?,
        peak_bytes: peak_kb * 1024,
    })
}

fn count_lines(path: &Path) -> io::Result<u64> {
    let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut lines = 0;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(lines);
        }
        lines += buf.iter().filter(|&&b| b == b'\n').count() as u64;
        let n = buf.len();
        reader.consume(n);
    }
}

/// Builds the `map` example and finds it next to this benchmark's own binary.
fn our_binary() -> io::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    // target/<profile>/deps/rml_vs_morph_kgc-<hash>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| io::Error::other("cannot place the benchmark binary"))?;
    let target_dir = profile_dir
        .parent()
        .ok_or_else(|| io::Error::other("cannot place the target directory"))?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-p",
            "kulturnetz-rml",
            "--example",
            "map",
        ])
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target_dir)
        .status()?;
    if !status.success() {
        return Err(io::Error::other("building the map example failed"));
    }
    let binary = target_dir.join("release").join("examples").join("map");
    if binary.exists() {
        Ok(binary)
    } else {
        Err(io::Error::other(format!("{} is missing", binary.display())))
    }
}

fn morph_kgc_version(python: &str) -> Option<String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import importlib.metadata as m, morph_kgc; print(m.version('morph-kgc'))",
        ])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The load average over the last minute, from `/proc/loadavg`.
fn load_average() -> Option<f64> {
    fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Our run and Morph-KGC's (if it is installed) on one data set.
struct Measured {
    sizes: Sizes,
    ours: Run,
    theirs: Option<Run>,
}

/// Generates one data set and runs both engines on it.
fn measure_both(
    root: &Path,
    sizes: Sizes,
    ours: &Path,
    morph: Option<(&str, &str)>,
    keep: bool,
) -> Result<Measured, Box<dyn std::error::Error>> {
    let dir = root.join(format!(
        "rows-{}-institutions-{}",
        sizes.objects, sizes.institutions
    ));
    fs::create_dir_all(&dir)?;
    let generated = Instant::now();
    generate(&dir, &sizes)?;
    eprintln!(
        "{} object rows: {} institutions, {} events generated in {:.1} s",
        sizes.objects,
        sizes.institutions,
        sizes.events,
        generated.elapsed().as_secs_f64()
    );

    let mapping = dir.join("mapping.ttl");
    let out = dir.join("ours.nq");
    let mut command = Command::new(ours);
    command.arg(&mapping).arg(&out).current_dir(&dir);
    let our_run = measure(command, &dir.join("ours.log"), &out)?;
    eprintln!(
        "  ours: {:.2} s, {} quads, {:.1} MB",
        our_run.seconds,
        our_run.quads,
        our_run.peak_mb()
    );

    let their_run = if let Some((python, processes)) = morph {
        let out = dir.join("morph-kgc.nq");
        fs::write(
            dir.join("morph-kgc.ini"),
            format!(
                "[CONFIGURATION]\noutput_file={}\noutput_format=N-QUADS\n\
                 number_of_processes={processes}\nlogging_level=WARNING\n\n\
                 [DataSource1]\nmappings: mapping.ttl\n",
                out.display()
            ),
        )?;
        let mut command = Command::new(python);
        command
            .args(["-m", "morph_kgc", "morph-kgc.ini"])
            .current_dir(&dir);
        let run = measure(command, &dir.join("morph-kgc.log"), &out)?;
        eprintln!(
            "  morph-kgc: {:.2} s, {} quads, {:.1} MB",
            run.seconds,
            run.quads,
            run.peak_mb()
        );
        Some(run)
    } else {
        None
    };
    if !keep {
        for file in ["objects.csv", "events.json", "ours.nq", "morph-kgc.nq"] {
            let _ = fs::remove_file(dir.join(file));
        }
    }
    Ok(Measured {
        sizes,
        ours: our_run,
        theirs: their_run,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `cargo bench` passes `--bench`; a filter argument, if any, is not used.
    let sizes: Vec<u64> = std::env::var("RML_BENCH_SIZES")
        .unwrap_or_else(|_| "100000,1000000".to_owned())
        .split(',')
        .map(|s| s.trim().replace('_', "").parse())
        .collect::<Result<_, _>>()?;
    let held: u64 = std::env::var("RML_BENCH_FIXED_INSTITUTIONS")
        .unwrap_or_else(|_| "10000".to_owned())
        .trim()
        .replace('_', "")
        .parse()?;
    let python = std::env::var("RML_BENCH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let processes = std::env::var("RML_BENCH_MORPH_PROCESSES").unwrap_or_else(|_| "1".to_owned());
    let ours = our_binary()?;
    let morph = morph_kgc_version(&python);
    if morph.is_none() {
        println!();
        println!(
            "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        );
        println!("!! morph_kgc cannot be imported by {python}: only our engine is measured.");
        println!("!! Install it with `pip install 'morph-kgc>=2,<3'` to compare.");
        println!(
            "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
        );
        println!();
    }
    let temp = tempfile::tempdir()?;
    let keep = std::env::var_os("RML_BENCH_KEEP").map(PathBuf::from);
    let root = keep.clone().unwrap_or_else(|| temp.path().to_path_buf());

    let mut sides = vec![JoinSide::Grows];
    if held > 0 {
        sides.push(JoinSide::Held(held));
    }
    let load_before = load_average();
    let mut measured: Vec<Measured> = Vec::new();
    for side in &sides {
        for &objects in &sizes {
            let sizes = side.sizes(objects);
            if measured.iter().any(|m| m.sizes == sizes) {
                continue;
            }
            let m = measure_both(
                &root,
                sizes,
                &ours,
                morph
                    .is_some()
                    .then_some((python.as_str(), processes.as_str())),
                keep.is_some(),
            )?;
            measured.push(m);
        }
    }
    let load_after = load_average();

    println!();
    println!(
        "RML mapping, ours vs Morph-KGC {} with {} process(es); {} cores, load average {} before, {} after",
        morph.as_deref().unwrap_or("(not installed)"),
        processes,
        std::thread::available_parallelism().map_or(0, usize::from),
        load_before.map_or("?".to_owned(), |l| format!("{l:.2}")),
        load_after.map_or("?".to_owned(), |l| format!("{l:.2}")),
    );
    let mut growth = Vec::new();
    for side in &sides {
        println!();
        println!("{}", side.describe());
        println!(
            "{:>9} {:>6}  {:<10} {:>9} {:>9} {:>11} {:>12} {:>9}",
            "rows", "inst.", "engine", "seconds", "cpu s", "quads", "quads/s", "peak MB"
        );
        let runs: Vec<&Measured> = sizes
            .iter()
            .filter_map(|&o| measured.iter().find(|m| m.sizes == side.sizes(o)))
            .collect();
        let shared: Vec<String> = runs
            .iter()
            .filter(|m| {
                sides
                    .iter()
                    .all(|other| other.sizes(m.sizes.objects) == m.sizes)
            })
            .map(|m| m.sizes.objects.to_string())
            .collect();
        for m in &runs {
            let Sizes {
                objects,
                institutions,
                ..
            } = m.sizes;
            for (name, run) in [("ours", Some(&m.ours)), ("morph-kgc", m.theirs.as_ref())] {
                let Some(run) = run else { continue };
                println!(
                    "{objects:>9} {institutions:>6}  {name:<10} {:>9.2} {:>9.2} {:>11} {:>12.0} {:>9.1}",
                    run.seconds,
                    run.cpu_seconds,
                    run.quads,
                    run.quads_per_second(),
                    run.peak_mb()
                );
            }
            if let Some(theirs) = &m.theirs {
                let throughput = m.ours.quads_per_second() / theirs.quads_per_second();
                let memory = m.ours.peak_bytes as f64 / theirs.peak_bytes as f64;
                println!(
                    "{objects:>9} {institutions:>6}  ours/theirs: throughput {throughput:.1}x \
                     (target >= 10x: {}), peak memory {memory:.3}x (target <= 0.25x: {})",
                    verdict(throughput >= 10.0),
                    verdict(memory <= 0.25)
                );
                if m.ours.cpu_seconds > 0.0 && theirs.cpu_seconds > 0.0 {
                    let by_cpu = (m.ours.quads as f64 / m.ours.cpu_seconds)
                        / (theirs.quads as f64 / theirs.cpu_seconds);
                    println!(
                        "{objects:>9} {institutions:>6}  ours/theirs: quads per CPU second {by_cpu:.1}x"
                    );
                }
                if m.ours.quads != theirs.quads {
                    println!(
                        "{objects:>9} {institutions:>6}  note: the engines wrote different numbers of quads ({} vs {})",
                        m.ours.quads, theirs.quads
                    );
                }
            }
        }
        if !shared.is_empty() && sides.len() > 1 {
            println!(
                "(rows {}: the same data in both configurations, measured once)",
                shared.join(", ")
            );
        }
        if let (Some(small), Some(large)) = (
            runs.iter().min_by_key(|m| m.sizes.objects),
            runs.iter().max_by_key(|m| m.sizes.objects),
        ) && large.sizes.objects > small.sizes.objects
        {
            let ratio = large.ours.peak_bytes as f64 / small.ours.peak_bytes as f64;
            println!(
                "our peak memory at {} vs {} rows: {ratio:.2}x",
                large.sizes.objects, small.sizes.objects
            );
            growth.push((*side, ratio));
        }
    }
    let held_growth = growth.iter().find(|(s, _)| matches!(s, JoinSide::Held(_)));
    let grows_growth = growth.iter().find(|(s, _)| matches!(s, JoinSide::Grows));
    if let Some((_, held)) = held_growth {
        println!();
        println!(
            "memory flatness (join side held): {held:.2}x (target <= 1.5x: {}){}",
            verdict(*held <= 1.5),
            grows_growth.map_or(String::new(), |(_, g)| format!(
                "; with the join side growing: {g:.2}x"
            ))
        );
    }
    if let Some(dir) = keep {
        println!("data and outputs kept in {}", dir.display());
    }
    Ok(())
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}
