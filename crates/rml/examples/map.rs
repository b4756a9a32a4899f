//! Runs a mapping and writes its default output as N-Quads: the engine as a process of its own,
//! so that a benchmark can measure its time and peak memory like any other tool's, and the RML
//! test cases can run against this crate alone. Like `kulturnetz map`, it fails when a record
//! is rejected.
//!
//! `cargo run --release -p kulturnetz-rml --example map -- MAPPING OUT.nq [BASE_IRI]`

use kulturnetz_rml::{Format, Mapping, Writer};
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mapping, out, base) = match args.as_slice() {
        [mapping, out] => (mapping, out, None),
        [mapping, out, base] => (mapping, out, Some(base.as_str())),
        _ => {
            eprintln!("usage: map MAPPING OUT.nq [BASE_IRI]");
            return ExitCode::from(2);
        }
    };
    match run(Path::new(mapping), Path::new(out), base) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("map: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs the mapping and returns the number of rejected records.
fn run(
    mapping: &Path,
    out: &Path,
    base: Option<&str>,
) -> Result<usize, Box<dyn std::error::Error>> {
    let mut mapping = Mapping::from_path(mapping)?;
    if let Some(base) = base {
        mapping = mapping.with_base_iri(base);
    }
    let file = BufWriter::with_capacity(1 << 16, File::create(out)?);
    let mut writer = Writer::new(&mapping, Box::new(file), Format::NQuads)?;
    let counts = mapping.run(&mut writer)?;
    let rejected = writer.finish()?;
    for d in rejected.iter().take(5) {
        eprintln!("rejected: {d}");
    }
    eprintln!(
        "records {}, accepted {}, rejected {}, quads {}",
        counts.records, counts.accepted, counts.rejected, counts.quads
    );
    Ok(rejected.len())
}
