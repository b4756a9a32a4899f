//! Runs a mapping and writes its default output as N-Quads: the engine as a process of its own,
//! so that a benchmark can measure its time and peak memory like any other tool's.
//!
//! `cargo run --release -p kulturnetz-rml --example map -- MAPPING OUT.nq`

use kulturnetz_rml::{Format, Mapping, Writer};
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mapping, out] = args.as_slice() else {
        eprintln!("usage: map MAPPING OUT.nq");
        return ExitCode::from(2);
    };
    match run(Path::new(mapping), Path::new(out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("map: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(mapping: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mapping = Mapping::from_path(mapping)?;
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
    Ok(())
}
