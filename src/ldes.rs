//! The members of the event stream at `/ldes/events` (`kulturnetz_server`'s `ldes` module says
//! what a member is): after an ingest, every event of the store is compared with what the
//! previous one saw, and a member is appended for each event created, changed or removed.
//!
//! An event is a subject with an IRI and a `schema:startDate` in a source's graph; what it is,
//! its statements in those graphs, as N-Triples lines, sorted (blank nodes named in order of
//! appearance, so that a graph loaded again with new labels is no change). The state (the
//! SHA-256 of each event's lines and the next sequence number) is kept in `events.state.json`
//! beside the members, written after them: a crash in between repeats members, never loses
//! one.

use anyhow::Context as _;
use kulturnetz_model::Config;
use kulturnetz_server::LdesMember as Member;
use kulturnetz_store::{Backend, QueryOutcome, QueryRequest};
use oxrdf::Term;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::{Path, PathBuf};

const STATE_FILE: &str = "events.state.json";

/// What the last ingest saw.
#[derive(Debug, Default)]
struct State {
    next: u64,
    /// Event IRI → SHA-256 (hex) of its lines.
    events: BTreeMap<String, String>,
}

/// The stream's folder: `ldes/` beside the store's folder (and the dumps).
pub(crate) fn dir(config: &Config) -> PathBuf {
    let store = config.resolve(&config.store.path);
    store.parent().unwrap_or(Path::new(".")).join("ldes")
}

/// Compares the store's events with the last state and appends the members; how many.
pub(crate) fn record(config: &Config, store: &dyn Backend, time: &str) -> anyhow::Result<usize> {
    let dir = dir(config);
    std::fs::create_dir_all(&dir).with_context(|| format!("{}", dir.display()))?;
    let state_path = dir.join(STATE_FILE);
    let mut state = match std::fs::read(&state_path) {
        Ok(bytes) => {
            let wrong = || format!("{}: not a state of the stream", state_path.display());
            let value: serde_json::Value = serde_json::from_slice(&bytes).with_context(wrong)?;
            State {
                next: value["next"].as_u64().with_context(wrong)?,
                events: value["events"]
                    .as_object()
                    .with_context(wrong)?
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect(),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
        Err(e) => return Err(e).with_context(|| format!("{}", state_path.display())),
    };
    let events = events(config, store)?;
    let mut members = Vec::new();
    let mut add = |kind: &str, iri: &str, nt: String| {
        members.push(Member {
            seq: state.next + members.len() as u64,
            time: time.to_owned(),
            kind: kind.to_owned(),
            iri: iri.to_owned(),
            nt,
        });
    };
    let mut now: BTreeMap<String, String> = BTreeMap::new();
    for (iri, lines) in &events {
        let nt: String = lines.concat();
        let hash = Sha256::digest(nt.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        match state.events.get(iri) {
            None => add("create", iri, nt),
            Some(old) if *old != hash => add("update", iri, nt),
            Some(_) => {}
        }
        now.insert(iri.clone(), hash);
    }
    for iri in state.events.keys() {
        if !now.contains_key(iri) {
            add("delete", iri, String::new());
        }
    }
    if !members.is_empty() {
        let log = dir.join(kulturnetz_server::LDES_FILE);
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .with_context(|| format!("{}", log.display()))?;
        let mut text = String::new();
        for m in &members {
            text.push_str(&serde_json::to_string(m)?);
            text.push('\n');
        }
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_data())
            .with_context(|| format!("{}", log.display()))?;
    }
    state.next += members.len() as u64;
    state.events = now;
    let tmp = dir.join(format!(".{STATE_FILE}.tmp"));
    let value = serde_json::json!({ "next": state.next, "events": state.events });
    std::fs::write(&tmp, serde_json::to_vec(&value)?)
        .and_then(|()| std::fs::rename(&tmp, &state_path))
        .with_context(|| format!("{}", state_path.display()))?;
    Ok(members.len())
}

/// Every event's N-Triples lines, sorted.
fn events(config: &Config, store: &dyn Backend) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    let graphs = format!("{}graph/", config.site.base_iri);
    let query = format!(
        "SELECT ?e ?p ?o WHERE {{ GRAPH ?g {{ ?e <http://schema.org/startDate> ?start . ?e ?p ?o }} \
         FILTER(isIRI(?e) && STRSTARTS(STR(?g), \"{graphs}\") && ?g != <{graphs}links> && ?g != <{graphs}meta>) }}"
    );
    let query = kulturnetz_sparql::parse_query(&query, None)?;
    let QueryOutcome::Solutions {
        variables,
        solutions,
    } = store.query(&QueryRequest::new(query))?
    else {
        return Ok(BTreeMap::new());
    };
    let mut events: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // Blank node labels per event, in order of appearance.
    let mut blanks: HashMap<String, HashMap<String, usize>> = HashMap::new();
    for solution in solutions {
        let solution = solution?;
        let (Some(Term::NamedNode(e)), Some(Term::NamedNode(p)), Some(o)) = (
            solution.get(&variables[0]),
            solution.get(&variables[1]),
            solution.get(&variables[2]),
        ) else {
            continue;
        };
        let object = match o {
            Term::BlankNode(b) => {
                let own = blanks.entry(e.as_str().to_owned()).or_default();
                let next = own.len();
                let n = *own.entry(b.as_str().to_owned()).or_insert(next);
                format!("_:b{n}")
            }
            other => other.to_string(),
        };
        events
            .entry(e.as_str().to_owned())
            .or_default()
            .push(format!("{e} {p} {object} .\n"));
    }
    for lines in events.values_mut() {
        lines.sort();
        lines.dedup();
    }
    Ok(events)
}
