//! Seeds the corpora of the `connector` target from the golden inputs of every connector it
//! runs (`crates/connectors/tests/golden/<kind>/`):
//!
//! ```text
//! cd fuzz && cargo run --example seed
//! ```
//!
//! `corpus/connector/` gets each input behind the byte that picks its kind (see
//! `fuzz_targets/common.rs`); `corpus/<kind>/` gets the inputs as they are, for runs with
//! `KULTURNETZ_FUZZ_KIND=<kind>`.

#[path = "../fuzz_targets/common.rs"]
#[expect(
    dead_code,
    reason = "the checks are the fuzz target's; seeding needs the kinds only"
)]
mod common;

use std::path::Path;

fn main() -> std::io::Result<()> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR"));
    let golden = fuzz.join("../crates/connectors/tests/golden");
    let mut seeded = 0;
    for (index, kind) in common::kinds().into_iter().enumerate() {
        let picker = u8::try_from(index).expect("fewer than 256 kinds");
        let all = fuzz.join("corpus/connector");
        let own = fuzz.join("corpus").join(kind);
        std::fs::create_dir_all(&all)?;
        std::fs::create_dir_all(&own)?;
        for entry in std::fs::read_dir(golden.join(kind))? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !path.is_file()
                || name.ends_with(".nq")
                || name.ends_with(".jsonl")
                || name.ends_with(".toml")
            {
                continue;
            }
            let bytes = std::fs::read(&path)?;
            std::fs::write(own.join(name), &bytes)?;
            let mut picked = vec![picker];
            picked.extend_from_slice(&bytes);
            std::fs::write(all.join(format!("{kind}-{name}")), picked)?;
            seeded += 1;
        }
    }
    eprintln!(
        "seeded {seeded} inputs into {}",
        fuzz.join("corpus").display()
    );
    Ok(())
}
