//! Shared by every target: bytes → `convert` must not panic, every record is counted once, and
//! reading the input in small chunks gives the same quads as reading it whole.

use kulturnetz_connectors::{Context, Input, RecordSink, SinkError, connector};
use kulturnetz_model::{Diagnostic, Location, Minter};
use oxrdf::QuadRef;
use std::io::{BufReader, Read};

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
        Ok(())
    }

    fn reject(&mut self, _: Diagnostic) -> Result<(), SinkError> {
        self.rejected += 1;
        Ok(())
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

fn run(kind: &str, data: &[u8], chunk: usize) -> (Collect, bool) {
    let minter = Minter::new("https://daten.kultur.example/").unwrap();
    let cx = Context::new("fuzz", &minter);
    let mut out = Collect::default();
    let mut reader = BufReader::with_capacity(chunk.max(1), Trickle(data, chunk));
    let ok = connector(kind)
        .unwrap()
        .convert(Input { name: "fuzz", reader: &mut reader }, &cx, &mut out)
        .is_ok();
    (out, ok)
}

pub fn check(kind: &str, data: &[u8]) {
    let (whole, ok) = run(kind, data, usize::MAX);
    let (trickled, ok7) = run(kind, data, 7);
    assert_eq!(ok, ok7);
    assert_eq!(whole, trickled, "7-byte reads differ from whole reads");
}
