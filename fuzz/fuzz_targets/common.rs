//! The checks of the fuzz target, and which connector it runs: bytes → `convert` must not
//! panic, every record is counted once, reading the input in small chunks gives the same
//! quads as reading it whole, and every IRI written is absolute and ends in no empty key.

use kulturnetz_connectors::{
    CONNECTORS, Connector, Context, Input, RecordSink, SinkError, connector,
};
use kulturnetz_model::{Diagnostic, Location, Minter};
use oxrdf::{GraphNameRef, NamedOrBlankNodeRef, QuadRef, TermRef};
use std::io::{BufReader, Read};
use std::sync::OnceLock;

/// The kinds of the registry whose connectors read their input: those that need no option to
/// run. (`rml` and `yarrrml` read the files their mapping names, not the input; the mapping
/// engine has property tests of its own.)
pub fn kinds() -> Vec<&'static str> {
    let minter = Minter::new("https://daten.kultur.example/").unwrap();
    let cx = Context::new("fuzz", &minter);
    CONNECTORS
        .iter()
        .filter(|c| c.dependencies(&cx).is_ok_and(|files| files.is_empty()))
        .map(|c| c.kind())
        .collect()
}

/// The kind to run and its input: the kind named by `KULTURNETZ_FUZZ_KIND` with all of `data`,
/// or else the kind of [`kinds`] that the first byte picks (its index, modulo their number) with
/// the rest.
pub fn pick(data: &[u8]) -> (&'static str, &[u8]) {
    static CHOSEN: OnceLock<Option<&'static str>> = OnceLock::new();
    static KINDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    let chosen = CHOSEN.get_or_init(|| {
        let kind = std::env::var("KULTURNETZ_FUZZ_KIND").ok()?;
        let connector: &dyn Connector = connector(&kind)
            .unwrap_or_else(|| panic!("KULTURNETZ_FUZZ_KIND: no connector of kind {kind:?}"));
        Some(connector.kind())
    });
    if let Some(kind) = chosen {
        return (kind, data);
    }
    let kinds = KINDS.get_or_init(kinds);
    match data.split_first() {
        Some((&first, rest)) => (kinds[usize::from(first) % kinds.len()], rest),
        None => (kinds[0], data),
    }
}

#[derive(Default, PartialEq, Debug)]
struct Collect {
    quads: Vec<String>,
    accepted: u64,
    rejected: u64,
}

impl RecordSink for Collect {
    fn accept(&mut self, _: &Location, quads: &[QuadRef<'_>]) -> Result<(), SinkError> {
        self.accepted += 1;
        self.quads.extend(quads.iter().map(ToString::to_string));
        for q in quads {
            if let NamedOrBlankNodeRef::NamedNode(n) = q.subject {
                check_iri(n.as_str());
            }
            check_iri(q.predicate.as_str());
            if let TermRef::NamedNode(n) = q.object {
                check_iri(n.as_str());
            }
            if let GraphNameRef::NamedNode(n) = q.graph_name {
                check_iri(n.as_str());
            }
        }
        Ok(())
    }

    fn reject(&mut self, _: Diagnostic) -> Result<(), SinkError> {
        self.rejected += 1;
        Ok(())
    }
}

/// An IRI a connector writes is absolute and valid, and is no `{base}id/{kind}/` of an empty key.
fn check_iri(iri: &str) {
    assert!(
        oxiri::Iri::parse(iri).is_ok(),
        "<{iri}> is no absolute IRI"
    );
    if let Some(kind) = iri
        .strip_prefix("https://daten.kultur.example/id/")
        .and_then(|rest| rest.strip_suffix('/'))
    {
        assert!(kind.contains('/'), "<{iri}> ends in an empty key");
    }
}

struct Trickle<'a>(&'a [u8], usize);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.1).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// Converts `data` with the connector of `kind`, `chunk` bytes at a time (all at once for
/// `None`).
fn run(kind: &str, data: &[u8], chunk: Option<usize>) -> (Collect, bool) {
    let minter = Minter::new("https://daten.kultur.example/").unwrap();
    let cx = Context::new("fuzz", &minter);
    let mut out = Collect::default();
    let mut whole = data;
    let mut trickled;
    let reader: &mut (dyn std::io::BufRead + Send) = match chunk {
        None => &mut whole,
        Some(chunk) => {
            trickled = BufReader::with_capacity(chunk, Trickle(data, chunk));
            &mut trickled
        }
    };
    let ok = connector(kind)
        .unwrap()
        .convert(
            Input {
                name: "fuzz",
                reader,
            },
            &cx,
            &mut out,
        )
        .is_ok();
    (out, ok)
}

pub fn check(kind: &str, data: &[u8]) {
    let (whole, ok) = run(kind, data, None);
    let (trickled, ok7) = run(kind, data, Some(7));
    assert_eq!(ok, ok7);
    assert_eq!(whole, trickled, "7-byte reads differ from whole reads");
}
