//! Properties of the engine on arbitrary input: no panic, and every record is either mapped or
//! rejected.

use kulturnetz_model::{Diagnostic, Location};
use kulturnetz_rml::{Mapping, Output, Targets};
use oxrdf::Quad;
use proptest::prelude::*;

#[derive(Default)]
struct Tally {
    accepted: u64,
    rejected: u64,
}

impl Output for Tally {
    fn accept(&mut self, _: &Location, _: &[(Quad, Targets)]) -> Result<(), String> {
        self.accepted += 1;
        Ok(())
    }

    fn reject(&mut self, _: Diagnostic) -> Result<(), String> {
        self.rejected += 1;
        Ok(())
    }
}

const MAPPING: &str = r#"
prefixes:
  ex: http://example.org/
mappings:
  row:
    sources: [data.csv~csv]
    s: http://example.org/row/$(a)
    po:
      - [ex:b, $(b)]
      - [ex:c, $(c), en~lang]
      - [ex:link, $(b)~iri]
"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_csv_maps_without_panic_and_counts_add_up(
        body in proptest::collection::vec(
            prop_oneof![
                Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b' '), Just(b'{'),
                Just(0xC3), Just(0xA4), Just(0xFF), any::<u8>(), b'a'..=b'z'
            ],
            0..400,
        ),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = b"a,b,c\n".to_vec();
        bytes.extend(&body);
        std::fs::write(dir.path().join("data.csv"), &bytes).unwrap();
        let mapping = Mapping::from_yarrrml(MAPPING, "m.yaml", dir.path()).unwrap();
        let mut tally = Tally::default();
        match mapping.run(&mut tally) {
            Ok(counts) => {
                prop_assert_eq!(counts.records, counts.accepted + counts.rejected);
                prop_assert_eq!((counts.accepted, counts.rejected), (tally.accepted, tally.rejected));
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
}
