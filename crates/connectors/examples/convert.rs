//! Converts one file with one connector and writes its quads as N-Quads:
//!
//! ```text
//! cargo run --release -p kulturnetz-connectors --example convert -- KIND INPUT OUT.nq [KEY=VALUE…]
//! ```
//!
//! `KEY=VALUE` pairs are the connector's options (for `ical`: `window_start=2025-01-01`, …).
//! A count line goes to stderr at the end, in a form `benches/connectors_vs_python.rs` reads:
//! `records=… accepted=… rejected=… quads=… events=… vmhwm_kb=… cpu_us=…` (`events` counts the
//! `schema:Event` nodes written, that is the occurrences of an iCalendar feed).
//!
//! It is a separate process so that its peak memory can be measured on its own.

use kulturnetz_connectors::{Context, Input, RecordSink, SinkError, connector};
use kulturnetz_model::nquads::NQuadsWriter;
use kulturnetz_model::{Diagnostic, Location, Minter};
use oxrdf::vocab::rdf;
use oxrdf::{QuadRef, TermRef};
use std::fs::File;
use std::io::{BufReader, Write};
use std::process::ExitCode;

/// Writes every accepted quad and counts what it sees.
struct NQuads<W: Write> {
    out: NQuadsWriter<W>,
    accepted: u64,
    rejected: u64,
    quads: u64,
    events: u64,
}

impl<W: Write> RecordSink for NQuads<W> {
    fn accept(&mut self, _: &Location, quads: &[QuadRef<'_>]) -> Result<(), SinkError> {
        self.accepted += 1;
        for quad in quads {
            if quad.predicate == rdf::TYPE
                && matches!(quad.object, TermRef::NamedNode(n) if n.as_str() == "http://schema.org/Event")
            {
                self.events += 1;
            }
            self.out.write_quad(*quad).map_err(SinkError::from)?;
        }
        self.quads += quads.len() as u64;
        Ok(())
    }

    fn reject(&mut self, _: Diagnostic) -> Result<(), SinkError> {
        self.rejected += 1;
        Ok(())
    }
}

/// The CPU time this process has had so far in nanoseconds, from `/proc/self/schedstat`.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The peak resident set of this process in KiB, from `/proc/self/status` (Linux only).
fn vmhwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let [kind, input, output, options @ ..] = args else {
        return Err("usage: convert KIND INPUT OUT.nq [KEY=VALUE…]".into());
    };
    let connector = connector(kind).ok_or_else(|| format!("no connector of kind {kind:?}"))?;
    let mut table = toml::Table::new();
    for option in options {
        let (key, value) = option
            .split_once('=')
            .ok_or_else(|| format!("option {option:?} is not KEY=VALUE"))?;
        table.insert(key.to_owned(), toml::Value::String(value.to_owned()));
    }
    let minter = Minter::new("https://daten.kultur.example/")?;
    let cx = Context::new("bench", &minter).with_options(table);
    let mut reader = BufReader::with_capacity(1 << 16, File::open(input)?);
    let mut sink = NQuads {
        out: NQuadsWriter::new(File::create(output)?),
        accepted: 0,
        rejected: 0,
        quads: 0,
        events: 0,
    };
    connector.convert(
        Input {
            name: input,
            reader: &mut reader,
        },
        &cx,
        &mut sink,
    )?;
    sink.out.finish()?.flush()?;
    eprintln!(
        "records={} accepted={} rejected={} quads={} events={} vmhwm_kb={} cpu_us={}",
        sink.accepted + sink.rejected,
        sink.accepted,
        sink.rejected,
        sink.quads,
        sink.events,
        vmhwm_kb().unwrap_or(0),
        cpu_ns().unwrap_or(0) / 1000
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("convert: {e}");
            ExitCode::FAILURE
        }
    }
}
