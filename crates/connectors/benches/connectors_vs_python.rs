//! Throughput and peak memory of the `ical` and `lido` connectors on large generated inputs,
//! and of Python's `icalendar` + `recurring_ical_events` on the same iCalendar feed.
//!
//! ```text
//! CARGO_TARGET_DIR=… cargo bench -p kulturnetz-connectors --bench connectors_vs_python
//! ```
//!
//! Every tool runs as a child process (ours: `examples/convert.rs`, which writes N-Quads; the
//! peer: `benches/ical_python.py`), so that its peak memory (`VmHWM`, polled from
//! `/proc/<pid>/status`, and the child's own report at exit) is its own. Inputs are generated
//! deterministically into a temporary directory: an `.ics` feed of VEVENTs (every tenth a
//! weekly series of ten, some with EXDATE; `TZID=Europe/Berlin` with its VTIMEZONE; folded
//! long DESCRIPTIONs, LOCATION, GEO, CATEGORIES) and a LIDO file of `lido:lido` records
//! modelled on KENOM's OAI export, each at 10 000 and 100 000 records.
//!
//! Environment: `BENCH_RUNS` (runs of our connectors per input, best taken; default 3),
//! `BENCH_PYTHON=0` (skip Python), `BENCH_KEEP=1` (keep the generated files).
//!
//! Wall times on a busy machine vary; the `cpu s` column (what each child reports for itself:
//! `/proc/self/schedstat`, `getrusage`) varies less.

use chrono::{Days, NaiveDate, TimeDelta};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The window the connector and Python expand series in; it covers every generated event.
const WINDOW_START: &str = "2025-01-01T00:00:00+01:00";
const WINDOW_END: &str = "2026-07-01T00:00:00+02:00";
const SIZES: [usize; 2] = [10_000, 100_000];
/// Throughput ours/Python the connector should reach.
const TARGET_RATIO: f64 = 50.0;

type Error = Box<dyn std::error::Error>;

/// A tiny deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "Konzert",
    "Lesung",
    "Führung",
    "Ausstellung",
    "Workshop",
    "Matinee",
    "Kammermusik",
    "Jazz",
    "Theater",
    "Tanz",
    "Kinderprogramm",
    "Vortrag",
    "Stadtgeschichte",
    "Grafik",
    "Fotografie",
    "Musée",
    "Straßenfest",
];

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence.
fn fold(out: &mut String, line: &str) {
    let mut rest = line;
    let mut limit = 75;
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        limit = 74;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nX-LIC-LOCATION:Europe/Berlin\r\n\
BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n\
DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n\
DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// An iCalendar feed of `n` VEVENTs in 2025: every tenth a weekly series of ten, every
/// thirtieth of those with one or two EXDATEs.
fn ics(n: usize) -> String {
    let mut rng = Rng(0x5EED_1CA1 ^ n as u64);
    let mut s = String::with_capacity(n * 900);
    s.push_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Kulturnetz//Benchmark//DE\r\n");
    s.push_str("CALSCALE:GREGORIAN\r\nX-WR-CALNAME:Kulturkalender\r\n");
    s.push_str(VTIMEZONE);
    let year = NaiveDate::from_ymd_opt(2025, 1, 1).expect("a date");
    for i in 0..n {
        let day = year + Days::new(rng.below(365) as u64);
        let start = day
            .and_hms_opt(9 + rng.below(12) as u32, 15 * rng.below(4) as u32, 0)
            .expect("a time");
        let end = start + TimeDelta::minutes(60 + 30 * rng.below(4) as i64);
        let t = |d: chrono::NaiveDateTime| d.format("%Y%m%dT%H%M%S").to_string();
        let (a, b, c) = (rng.pick(WORDS), rng.pick(WORDS), rng.pick(WORDS));
        let house = rng.below(500);
        s.push_str("BEGIN:VEVENT\r\n");
        let _ = write!(s, "UID:event-{i}@kulturkalender.example\r\n");
        s.push_str("DTSTAMP:20241201T120000Z\r\n");
        let _ = write!(s, "DTSTART;TZID=Europe/Berlin:{}\r\n", t(start));
        let _ = write!(s, "DTEND;TZID=Europe/Berlin:{}\r\n", t(end));
        if i % 10 == 3 {
            s.push_str("RRULE:FREQ=WEEKLY;COUNT=10\r\n");
            if i % 30 == 3 {
                let _ = write!(
                    s,
                    "EXDATE;TZID=Europe/Berlin:{}\r\n",
                    t(start + TimeDelta::weeks(2))
                );
            }
            if i % 60 == 3 {
                let _ = write!(
                    s,
                    "EXDATE;TZID=Europe/Berlin:{},{}\r\n",
                    t(start + TimeDelta::weeks(5)),
                    t(start + TimeDelta::weeks(7))
                );
            }
        }
        fold(
            &mut s,
            &format!("SUMMARY;LANGUAGE=de:{a}: {b} und {c} Nr. {i}"),
        );
        fold(
            &mut s,
            &format!(
                "DESCRIPTION;LANGUAGE=de:{a} im Kulturhaus {house}\\, mit {b} und {c}.\\n\
                 Eintritt frei\\; Anmeldung erwünscht unter anmeldung@kulturhaus-{house}.example.\\n\
                 Das Haus ist barrierefrei zugänglich\\, Führungen in Gebärdensprache auf Anfrage. \
                 Veranstaltung {i} der Reihe »{a} für alle«\\, gefördert von der Kulturstiftung."
            ),
        );
        fold(
            &mut s,
            &format!("LOCATION:Kulturhaus {house}\\, Hauptstraße {house}\\, 10115 Berlin"),
        );
        let _ = write!(
            s,
            "GEO:{}.{:05};{}.{:05}\r\n",
            52 + rng.below(2),
            rng.below(100_000),
            13 + rng.below(2),
            rng.below(100_000)
        );
        let _ = write!(s, "CATEGORIES:{a},{b},Kultur\r\n");
        let _ = write!(
            s,
            "URL:https://kulturkalender.example/veranstaltung/{i}\r\n"
        );
        s.push_str(if i % 50 == 7 {
            "STATUS:CANCELLED\r\n"
        } else {
            "STATUS:CONFIRMED\r\n"
        });
        s.push_str("END:VEVENT\r\n");
    }
    s.push_str("END:VCALENDAR\r\n");
    s
}

const ROLES: &[(&str, &str)] = &[
    ("aut", "Autor"),
    ("art", "Künstler"),
    ("pht", "Fotograf"),
    ("ctb", "Münzstand"),
    ("edt", "Herausgeber"),
];
const MATERIALS: &[(&str, &str)] = &[
    ("paper", "Papier"),
    ("silver", "Silber"),
    ("bronze", "Bronze"),
    ("copper", "Kupfer"),
];
const PLACES: &[&str] = &["Kiel", "Lübeck", "Büchen", "Flensburg", "Husum", "Itzehoe"];

/// A LIDO file of `n` records in the shape of KENOM's OAI export: IDs, titles in two languages,
/// an object type, classifications, a repository with its ISIL, a production event with actors
/// in roles, dates, material and technique, subjects, rights, a record link and images.
fn lido(n: usize) -> String {
    let mut rng = Rng(0x11D0_0B1E ^ n as u64);
    let mut s = String::with_capacity(n * 5200);
    s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    s.push_str(
        "<lido:lidoWrap xmlns:lido=\"http://www.lido-schema.org\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n",
    );
    let uri = "lido:type=\"http://terminology.lido-schema.org/identifier_type/uri\"";
    for i in 0..n {
        let isil = ["DE-68", "DE-MUS-825210", "DE-1", "DE-Kn3"][i % 4];
        let (role, role_de) = ROLES[rng.below(ROLES.len())];
        let (material, material_de) = MATERIALS[rng.below(MATERIALS.len())];
        let place = rng.pick(PLACES);
        let year = 1850 + rng.below(150);
        let actor = rng.below(5000);
        let value = [10, 50, 100, 500, 1000][rng.below(5)];
        let id = format!("record_{isil}_kenom_{}", 100_000 + i);
        let _ = write!(
            s,
            r#"  <lido:lido>
    <lido:lidoRecID lido:type="http://terminology.lido-schema.org/identifier_type/local_identifier">{id}</lido:lidoRecID>
    <lido:objectPublishedID {uri}>https://www.kenom.de/id/{id}</lido:objectPublishedID>
    <lido:category>
      <lido:conceptID {uri}>http://www.cidoc-crm.org/crm-concepts/E22</lido:conceptID>
      <lido:term xml:lang="en">Man-Made Object</lido:term>
    </lido:category>
    <lido:descriptiveMetadata xml:lang="de">
      <lido:objectClassificationWrap>
        <lido:objectWorkTypeWrap>
          <lido:objectWorkType>
            <lido:conceptID {uri}>http://nomisma.org/id/paper_money</lido:conceptID>
            <lido:term>Geldschein / Notgeld</lido:term>
          </lido:objectWorkType>
        </lido:objectWorkTypeWrap>
        <lido:classificationWrap>
          <lido:classification lido:type="nominal">
            <lido:term>{value} Mark</lido:term>
          </lido:classification>
          <lido:classification lido:type="authenticity">
            <lido:term>Original</lido:term>
          </lido:classification>
        </lido:classificationWrap>
      </lido:objectClassificationWrap>
      <lido:objectIdentificationWrap>
        <lido:titleWrap>
          <lido:titleSet lido:type="generated_short">
            <lido:appellationValue>Geldschein / Notgeld, {value} Mark, {year}</lido:appellationValue>
            <lido:appellationValue xml:lang="en" lido:pref="alternative">Emergency money, {value} Mark, {year}</lido:appellationValue>
          </lido:titleSet>
        </lido:titleWrap>
        <lido:repositoryWrap>
          <lido:repositorySet lido:type="http://terminology.lido-schema.org/repositorySet_type/current_repository_or_location">
            <lido:repositoryName>
              <lido:legalBodyID {uri}>http://ld.zdb-services.de/resource/organisations/{isil}</lido:legalBodyID>
              <lido:legalBodyName>
                <lido:appellationValue>Sammlung {isil}</lido:appellationValue>
              </lido:legalBodyName>
              <lido:legalBodyWeblink>https://sammlung.example/{isil}</lido:legalBodyWeblink>
            </lido:repositoryName>
            <lido:workID>Inv. {i}</lido:workID>
          </lido:repositorySet>
        </lido:repositoryWrap>
        <lido:objectDescriptionWrap>
          <lido:objectDescriptionSet lido:type="annotation">
            <lido:descriptiveNoteValue>Notgeld aus {place}, {year}. Ausgegeben in Zeiten knapper Münzen &amp; Scheine; örtliche Ausgaben hielten den Zahlungsverkehr aufrecht.</lido:descriptiveNoteValue>
          </lido:objectDescriptionSet>
        </lido:objectDescriptionWrap>
      </lido:objectIdentificationWrap>
      <lido:eventWrap>
        <lido:eventSet>
          <lido:event>
            <lido:eventType>
              <lido:conceptID {uri}>http://terminology.lido-schema.org/eventType/production</lido:conceptID>
              <lido:term xml:lang="en">Production</lido:term>
              <lido:term>Herstellung</lido:term>
            </lido:eventType>
            <lido:eventActor>
              <lido:displayActorInRole>Druckerei {actor} ({role_de})</lido:displayActorInRole>
              <lido:actorInRole>
                <lido:actor lido:type="http://terminology.lido-schema.org/actor_type/person">
                  <lido:actorID {uri}>http://uri.gbv.de/terminology/kenom_actor/{actor}</lido:actorID>
                  <lido:nameActorSet>
                    <lido:appellationValue lido:pref="preferred">Druckerei {actor}</lido:appellationValue>
                  </lido:nameActorSet>
                </lido:actor>
                <lido:roleActor>
                  <lido:conceptID {uri}>http://id.loc.gov/vocabulary/relators/{role}</lido:conceptID>
                  <lido:term>{role_de}</lido:term>
                </lido:roleActor>
              </lido:actorInRole>
            </lido:eventActor>
            <lido:eventDate>
              <lido:displayDate>{year}</lido:displayDate>
              <lido:date>
                <lido:earliestDate>{year}-01-01</lido:earliestDate>
                <lido:latestDate>{year}-12-31</lido:latestDate>
              </lido:date>
            </lido:eventDate>
            <lido:eventPlace>
              <lido:displayPlace>{place}</lido:displayPlace>
            </lido:eventPlace>
            <lido:eventMaterialsTech>
              <lido:displayMaterialsTech>{material_de}</lido:displayMaterialsTech>
              <lido:materialsTech>
                <lido:termMaterialsTech lido:type="http://terminology.lido-schema.org/termMaterialsTech_type/material">
                  <lido:conceptID {uri}>http://nomisma.org/id/{material}</lido:conceptID>
                  <lido:term>{material_de}</lido:term>
                  <lido:term xml:lang="en">{material}</lido:term>
                </lido:termMaterialsTech>
                <lido:termMaterialsTech lido:type="http://terminology.lido-schema.org/termMaterialsTech_type/technique">
                  <lido:term>Buchdruck</lido:term>
                </lido:termMaterialsTech>
              </lido:materialsTech>
            </lido:eventMaterialsTech>
          </lido:event>
        </lido:eventSet>
      </lido:eventWrap>
      <lido:objectRelationWrap>
        <lido:subjectWrap>
          <lido:subjectSet>
            <lido:subject>
              <lido:subjectConcept>
                <lido:conceptID {uri}>http://d-nb.info/gnd/4042678-6</lido:conceptID>
                <lido:term>Notgeld</lido:term>
              </lido:subjectConcept>
            </lido:subject>
          </lido:subjectSet>
        </lido:subjectWrap>
      </lido:objectRelationWrap>
    </lido:descriptiveMetadata>
    <lido:administrativeMetadata xml:lang="de">
      <lido:rightsWorkWrap>
        <lido:rightsWorkSet>
          <lido:rightsType>
            <lido:conceptID {uri}>http://creativecommons.org/publicdomain/mark/1.0/</lido:conceptID>
          </lido:rightsType>
        </lido:rightsWorkSet>
      </lido:rightsWorkWrap>
      <lido:recordWrap>
        <lido:recordID lido:source="KENOM" lido:type="http://terminology.lido-schema.org/identifier_type/local_identifier">{i}</lido:recordID>
        <lido:recordType>
          <lido:term xml:lang="en">Item-level record</lido:term>
        </lido:recordType>
        <lido:recordSource>
          <lido:legalBodyName>
            <lido:appellationValue>kenom</lido:appellationValue>
          </lido:legalBodyName>
        </lido:recordSource>
        <lido:recordRights>
          <lido:rightsType>
            <lido:conceptID {uri}>http://creativecommons.org/publicdomain/zero/1.0/</lido:conceptID>
            <lido:term>CC0 1.0</lido:term>
          </lido:rightsType>
        </lido:recordRights>
        <lido:recordInfoSet>
          <lido:recordInfoLink lido:formatResource="text/html">https://www.kenom.de/objekt/{id}</lido:recordInfoLink>
        </lido:recordInfoSet>
      </lido:recordWrap>
      <lido:resourceWrap>
        <lido:resourceSet lido:sortorder="1">
          <lido:resourceRepresentation lido:type="http://terminology.lido-schema.org/resourceRepresentation_type/provided_representation">
            <lido:linkResource lido:formatResource="image/jpeg">https://www.kenom.de/iiif/image/{id}/{id}_vs.jpg/full/full/0/default.jpg</lido:linkResource>
          </lido:resourceRepresentation>
          <lido:resourceRepresentation lido:type="http://terminology.lido-schema.org/resourceRepresentation_type/thumbnail">
            <lido:linkResource lido:formatResource="image/jpeg">https://www.kenom.de/iiif/image/{id}/{id}_vs.jpg/full/300,/0/default.jpg</lido:linkResource>
          </lido:resourceRepresentation>
          <lido:rightsResource>
            <lido:rightsType>
              <lido:conceptID {uri}>http://creativecommons.org/licenses/by-nc/4.0/</lido:conceptID>
            </lido:rightsType>
          </lido:rightsResource>
        </lido:resourceSet>
      </lido:resourceWrap>
    </lido:administrativeMetadata>
  </lido:lido>
"#
        );
    }
    s.push_str("</lido:lidoWrap>\n");
    s
}

/// What one child process took.
struct Run {
    wall: Duration,
    /// Peak resident set in KiB: the highest `VmHWM` seen while polling, or the child's own
    /// report at exit if higher.
    peak_kb: u64,
    /// `key=value` pairs of the child's last stderr line.
    report: Vec<(String, String)>,
}

impl Run {
    fn get(&self, key: &str) -> u64 {
        self.report
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0)
    }
}

fn vmhwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Runs `command` to its end while a second thread polls its `VmHWM` every millisecond.
fn measure(mut command: Command) -> Result<Run, Error> {
    let shown = format!("{command:?}");
    let started = Instant::now();
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let done = AtomicBool::new(false);
    let (output, polled) = std::thread::scope(|scope| {
        let poller = scope.spawn(|| {
            let mut peak = 0;
            while !done.load(Ordering::Relaxed) {
                if let Some(kb) = vmhwm_kb(pid) {
                    peak = peak.max(kb);
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            peak
        });
        let output = child.wait_with_output();
        done.store(true, Ordering::Relaxed);
        (output, poller.join().unwrap_or(0))
    });
    let output = output?;
    let wall = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("{shown} failed ({}): {stderr}", output.status).into());
    }
    let report: Vec<(String, String)> = stderr
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let mut run = Run {
        wall,
        peak_kb: polled,
        report,
    };
    run.peak_kb = run
        .peak_kb
        .max(run.get("vmhwm_kb"))
        .max(run.get("maxrss_kb"));
    Ok(run)
}

/// The `convert` example next to this benchmark's own binary (`<target>/<profile>/deps/…`),
/// built first if it is missing or older than this benchmark.
fn convert_binary() -> Result<PathBuf, Error> {
    let me = std::env::current_exe()?;
    let deps = me.parent().ok_or("no directory of the benchmark")?;
    let profile = deps.parent().ok_or("no profile directory")?;
    let target = profile.parent().ok_or("no target directory")?;
    let binary = profile.join("examples").join("convert");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let stale = match (modified(&binary), modified(&me)) {
        (Some(example), Some(bench)) => example < bench,
        _ => true,
    };
    if stale {
        eprintln!("building the convert example in {}", target.display());
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "build",
                "--release",
                "-p",
                "kulturnetz-connectors",
                "--example",
                "convert",
            ])
            .env("CARGO_TARGET_DIR", target)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()?;
        if !status.success() || !binary.exists() {
            return Err(format!("could not build {}", binary.display()).into());
        }
    }
    Ok(binary)
}

fn best(runs: usize, mut once: impl FnMut() -> Result<Run, Error>) -> Result<Run, Error> {
    let mut best: Option<Run> = None;
    for _ in 0..runs.max(1) {
        let run = once()?;
        if best.as_ref().is_none_or(|b| run.wall < b.wall) {
            best = Some(run);
        }
    }
    best.ok_or_else(|| "no run".into())
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

struct Row {
    what: String,
    records: u64,
    occurrences: u64,
    bytes: u64,
    run: Run,
}

impl Row {
    fn per_second(&self, n: u64) -> f64 {
        n as f64 / self.run.wall.as_secs_f64()
    }

    /// CPU seconds (user and system) the child reported for itself.
    fn cpu(&self) -> f64 {
        self.run.get("cpu_us") as f64 / 1e6
    }

    fn line(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "{:<22} {:>8} {:>12} {:>9.3} {:>8.3} {:>12.0} {:>12.0} {:>8.2} {:>9.1}",
            self.what,
            self.records,
            self.occurrences,
            self.run.wall.as_secs_f64(),
            self.cpu(),
            self.per_second(self.records),
            self.per_second(self.occurrences),
            mb(self.bytes) / self.run.wall.as_secs_f64(),
            self.run.peak_kb as f64 / 1024.0,
        );
    }
}

const HEADER: &str = "run                     records  occurrences    wall s    cpu s    records/s      occur/s     MB/s   peak MB";

fn main() -> Result<(), Error> {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let python = std::env::var("BENCH_PYTHON").map_or(true, |v| v != "0");
    let dir = std::env::temp_dir().join(format!("kulturnetz-connbench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let convert = convert_binary()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/ical_python.py");
    let out_nq = dir.join("out.nq");

    let ours = |kind: &str, input: &Path, options: &[String]| -> Result<Run, Error> {
        // The previous run's output is removed here, not truncated by the child: dropping
        // hundreds of megabytes of page cache is this harness's cost, not the connector's.
        let _ = std::fs::remove_file(&out_nq);
        let mut c = Command::new(&convert);
        c.arg(kind).arg(input).arg(&out_nq).args(options);
        measure(c)
    };
    let ical_options = [
        format!("window_start={WINDOW_START}"),
        format!("window_end={WINDOW_END}"),
    ];

    let mut ical_rows: Vec<(usize, Row, Option<Row>)> = Vec::new();
    let mut lido_rows: Vec<(usize, Row)> = Vec::new();
    for n in SIZES {
        let label = if n >= 1000 {
            format!("{}k", n / 1000)
        } else {
            n.to_string()
        };
        let started = Instant::now();
        let ics_path = dir.join(format!("events-{label}.ics"));
        std::fs::write(&ics_path, ics(n))?;
        let lido_path = dir.join(format!("objects-{label}.lido.xml"));
        std::fs::write(&lido_path, lido(n))?;
        eprintln!(
            "generated {label} inputs in {:.1}s",
            started.elapsed().as_secs_f64()
        );
        let ics_bytes = std::fs::metadata(&ics_path)?.len();
        let lido_bytes = std::fs::metadata(&lido_path)?.len();

        eprintln!("ical {label}: ours");
        let run = best(runs, || ours("ical", &ics_path, &ical_options))?;
        if run.get("rejected") != 0 {
            return Err(format!("ical {label}: {} rejected", run.get("rejected")).into());
        }
        let ours_row = Row {
            what: format!("ical {label} ours"),
            records: run.get("records"),
            occurrences: run.get("events"),
            bytes: ics_bytes,
            run,
        };
        let py_row = if python {
            eprintln!("ical {label}: python");
            let mut c = Command::new("python3");
            c.arg(&script)
                .args(["--start", WINDOW_START, "--end", WINDOW_END])
                .arg(&ics_path);
            let run = measure(c)?;
            Some(Row {
                what: format!("ical {label} python"),
                records: run.get("events"),
                occurrences: run.get("occurrences"),
                bytes: ics_bytes,
                run,
            })
        } else {
            None
        };
        ical_rows.push((n, ours_row, py_row));

        eprintln!("lido {label}: ours");
        let run = best(runs, || ours("lido", &lido_path, &[]))?;
        if run.get("rejected") != 0 {
            return Err(format!("lido {label}: {} rejected", run.get("rejected")).into());
        }
        lido_rows.push((
            n,
            Row {
                what: format!("lido {label} ours"),
                records: run.get("records"),
                occurrences: 0,
                bytes: lido_bytes,
                run,
            },
        ));
    }

    let mut t = String::new();
    let _ = writeln!(
        t,
        "\niCalendar: {WINDOW_START} .. {WINDOW_END}; ours = ical connector + N-Quads output, \
         python = icalendar + recurring_ical_events (best of {runs} for ours, 1 for python)"
    );
    let _ = writeln!(t, "{HEADER}");
    for (_, ours, py) in &ical_rows {
        ours.line(&mut t);
        if let Some(py) = py {
            py.line(&mut t);
        }
    }
    for (n, ours, py) in &ical_rows {
        if let Some(py) = py {
            let ratio = ours.per_second(ours.records) / py.per_second(py.records);
            let cpu_ratio = (py.cpu() / py.records as f64) / (ours.cpu() / ours.records as f64);
            let _ = writeln!(
                t,
                "ical {n:>6}: throughput ours/python {ratio:.1}x by wall time, {cpu_ratio:.1}x by \
                 CPU time (target >= {TARGET_RATIO}x by wall time: {}), memory python/ours {:.1}x, \
                 occurrences ours {} python {}{}",
                if ratio >= TARGET_RATIO {
                    "met"
                } else {
                    "NOT met"
                },
                py.run.peak_kb as f64 / ours.run.peak_kb as f64,
                ours.occurrences,
                py.occurrences,
                if ours.occurrences == py.occurrences {
                    " (equal)"
                } else {
                    " (DIFFER)"
                }
            );
        }
    }
    let _ = writeln!(
        t,
        "\nLIDO (no peer); ours = lido connector + N-Quads output (best of {runs})"
    );
    let _ = writeln!(t, "{HEADER}");
    for (_, row) in &lido_rows {
        row.line(&mut t);
    }
    let flat = |rows: Vec<&Row>| -> String {
        match rows.as_slice() {
            [small, large] => format!(
                "{:.1} MB at {} -> {:.1} MB at {} records ({:.2}x for {:.0}x the input)",
                small.run.peak_kb as f64 / 1024.0,
                small.records,
                large.run.peak_kb as f64 / 1024.0,
                large.records,
                large.run.peak_kb as f64 / small.run.peak_kb as f64,
                large.bytes as f64 / small.bytes as f64
            ),
            _ => String::new(),
        }
    };
    let _ = writeln!(
        t,
        "\npeak memory, ours: ical {}\n                   lido {}",
        flat(ical_rows.iter().map(|(_, r, _)| r).collect()),
        flat(lido_rows.iter().map(|(_, r)| r).collect())
    );
    std::io::stdout().lock().write_all(t.as_bytes())?;

    if std::env::var("BENCH_KEEP").is_ok_and(|v| v == "1") {
        eprintln!("inputs kept in {}", dir.display());
    } else {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}
