//! Cross-check of the `ical` connector against the Python libraries `icalendar` and
//! `recurring-ical-events`: both list the occurrences (UID and start in UTC) of every real
//! `.ics` file within one window, and the lists must agree, up to the differences listed in
//! `KNOWN` with their reasons.
//!
//! Runs only when `KULTURNETZ_PY_ICAL=1` (it needs `python3` with
//! `pip install icalendar recurring-ical-events`); otherwise it says loudly that it skipped.

use chrono::{DateTime, NaiveDate, Utc};
use kulturnetz_connectors::{Context, Input, RecordSink, SinkError, connector};
use kulturnetz_model::{Diagnostic, Location, Minter};
use oxrdf::{Quad, QuadRef, Term};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The windows compared: the two years most of the real files cover, and a wide one.
const WINDOWS: &[(&str, &str)] = &[
    ("2018-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
    ("2005-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),
];
const SCHEMA: &str = "http://schema.org/";

/// Occurrences where we knowingly differ: (window end, file, UID, start, which side has it,
/// why).
const KNOWN: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "2020-01-01T00:00:00Z",
        "holidays-germany-calendarlabs.ics",
        "5e3a8f31248b51580896049@calendarlabs.com",
        "20200101",
        "ours",
        "an all-day date lies in the source's zone (Europe/Berlin), so 1 January 2020 starts at \
         2019-12-31T23:00Z, inside the window; recurring-ical-events compares dates in the \
         window's zone (UTC)",
    ),
    (
        "2020-01-01T00:00:00Z",
        "holidays-germany-outlook-officeholidays.ics",
        "19704",
        "20200101",
        "ours",
        "the same: all-day dates in Europe/Berlin against a window end in UTC",
    ),
];

#[derive(Default)]
struct Collect(Vec<Quad>);

impl RecordSink for Collect {
    fn accept(&mut self, _: &Location, quads: &[QuadRef<'_>]) -> Result<(), SinkError> {
        self.0.extend(quads.iter().map(|q| q.into_owned()));
        Ok(())
    }

    fn reject(&mut self, _: Diagnostic) -> Result<(), SinkError> {
        Ok(())
    }
}

fn real_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/real/events/ics");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ics"))
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .expect("a file name")
        .to_owned()
}

fn literal(term: &Term) -> Option<(&str, &str)> {
    match term {
        Term::Literal(l) => Some((l.value(), l.datatype().as_str())),
        _ => None,
    }
}

/// Our occurrences of `path` that overlap the window, as `(UID, start)`.
fn ours(path: &Path, (window_start, window_end): (&str, &str)) -> Vec<(String, String)> {
    let minter = Minter::new("https://daten.kultur.example/").expect("a valid base");
    let mut options = toml::Table::new();
    options.insert("window_start".into(), window_start.into());
    options.insert("window_end".into(), window_end.into());
    let cx = Context::new("cross-check", &minter).with_options(options);
    let bytes = std::fs::read(path).expect("a readable file");
    let mut out = Collect::default();
    connector("ical")
        .expect("the ical connector")
        .convert(
            Input {
                name: &file_name(path),
                reader: &mut &bytes[..],
            },
            &cx,
            &mut out,
        )
        .expect("a conversion");
    let mut by_subject: HashMap<String, HashMap<String, Vec<Term>>> = HashMap::new();
    for q in &out.0 {
        by_subject
            .entry(q.subject.to_string())
            .or_default()
            .entry(q.predicate.as_str().to_owned())
            .or_default()
            .push(q.object.clone());
    }
    let get = |s: &str, p: &str| -> Vec<Term> {
        by_subject
            .get(s)
            .and_then(|m| m.get(&format!("{SCHEMA}{p}")))
            .cloned()
            .unwrap_or_default()
    };
    let from: DateTime<Utc> = window_start.parse().expect("a date-time");
    let to: DateTime<Utc> = window_end.parse().expect("a date-time");
    let berlin = chrono_tz::Europe::Berlin;
    let instant = |value: &str, datatype: &str, end: bool| -> DateTime<Utc> {
        if datatype.ends_with("#date") {
            let d = NaiveDate::parse_from_str(value, "%Y-%m-%d").expect("an xsd:date");
            let d = if end {
                d.succ_opt().expect("a next day")
            } else {
                d
            };
            d.and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_local_timezone(berlin)
                .earliest()
                .expect("a Berlin midnight")
                .with_timezone(&Utc)
        } else {
            DateTime::parse_from_rfc3339(value)
                .expect("an xsd:dateTime")
                .with_timezone(&Utc)
        }
    };
    let mut found = Vec::new();
    for (subject, props) in &by_subject {
        let is_event = props
            .get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
            .is_some_and(|t| {
                t.iter()
                    .any(|t| t.to_string() == format!("<{SCHEMA}Event>"))
            });
        if !is_event {
            continue;
        }
        let uid = get(subject, "identifier")
            .into_iter()
            .chain(
                get(subject, "superEvent")
                    .iter()
                    .flat_map(|s| get(&s.to_string(), "identifier")),
            )
            .find_map(|t| literal(&t).map(|(v, _)| v.to_owned()))
            .unwrap_or_default();
        let start = get(subject, "startDate");
        let Some((value, datatype)) = start.first().and_then(literal) else {
            continue;
        };
        let s = instant(value, datatype, false);
        let e = get(subject, "endDate")
            .first()
            .and_then(literal)
            .map_or(s, |(v, d)| instant(v, d, true));
        let e = if datatype.ends_with("#date") && e == s {
            instant(value, datatype, true)
        } else {
            e
        };
        let inside = if e <= s {
            s >= from && s < to
        } else {
            s < to && e > from
        };
        if inside {
            let key = if datatype.ends_with("#date") {
                value.replace('-', "")
            } else {
                s.format("%Y%m%dT%H%M%SZ").to_string()
            };
            found.push((uid, key));
        }
    }
    found.sort();
    found
}

#[test]
fn occurrences_match_python_recurring_ical_events() {
    if std::env::var_os("KULTURNETZ_PY_ICAL").is_none() {
        eprintln!(
            "\n*** SKIPPED ical cross-check: set KULTURNETZ_PY_ICAL=1 (needs python3 with \
             `pip install icalendar recurring-ical-events`) ***\n"
        );
        return;
    }
    let files = real_files();
    assert!(!files.is_empty(), "no real .ics files");
    let mut unexplained = Vec::new();
    for &window in WINDOWS {
        compare(&files, window, &mut unexplained);
    }
    assert!(
        unexplained.is_empty(),
        "occurrences differ:\n{}",
        unexplained.join("\n")
    );
}

fn compare(files: &[PathBuf], window: (&str, &str), unexplained: &mut Vec<String>) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ical_occurrences.py");
    let output = Command::new("python3")
        .arg(&script)
        .args(["--start", window.0, "--end", window.1])
        .args(files)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut theirs: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let mut parts = line.splitn(3, '\t');
        let (Some(path), Some(uid), Some(start)) = (parts.next(), parts.next(), parts.next())
        else {
            panic!("unexpected line {line:?}");
        };
        let name = file_name(Path::new(path));
        theirs
            .entry(name)
            .or_default()
            .push((uid.to_owned(), start.to_owned()));
    }
    let known: BTreeSet<(&str, &str, &str, &str, &str)> = KNOWN
        .iter()
        .map(|(w, f, u, s, side, _)| (*w, *f, *u, *s, *side))
        .collect();
    eprintln!("window {} .. {}", window.0, window.1);
    for path in files {
        let name = file_name(path);
        let ours = ours(path, window);
        let mut theirs = theirs.remove(&name).unwrap_or_default();
        theirs.sort();
        let only = |a: &[(String, String)], b: &[(String, String)]| -> Vec<(String, String)> {
            let mut b = b.to_vec();
            a.iter()
                .filter(|x| match b.iter().position(|y| y == *x) {
                    Some(i) => {
                        b.remove(i);
                        false
                    }
                    None => true,
                })
                .cloned()
                .collect()
        };
        let only_ours = only(&ours, &theirs);
        let only_theirs = only(&theirs, &ours);
        eprintln!(
            "  {name}: ours {}, python {}, only ours {}, only python {}",
            ours.len(),
            theirs.len(),
            only_ours.len(),
            only_theirs.len()
        );
        for (side, list) in [("ours", &only_ours), ("python", &only_theirs)] {
            for (uid, start) in list {
                if !known.contains(&(window.1, name.as_str(), uid.as_str(), start.as_str(), side)) {
                    unexplained.push(format!(
                        "{} .. {}: {name}: only {side}: {uid} {start}",
                        window.0, window.1
                    ));
                }
            }
        }
    }
}
