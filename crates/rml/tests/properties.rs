//! Properties of the engine on arbitrary input: no panic, every record is either mapped or
//! rejected, and whatever a mapping gives as an IRI, it is refused or the output is valid.

use kulturnetz_model::{Diagnostic, Location};
use kulturnetz_rml::{Format, Mapping, Output, Targets, Writer};
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

/// Pieces of the strings that mappings give as IRIs: prefixes, schemes, characters that IRIs
/// may not hold, template braces, language tags.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "ex:",
            "xsd:string",
            "de",
            "en-GB",
            "http://",
            "https://example.org/",
            "urn:x:",
            "a",
            "rdf:langString",
            "_:b",
            "$(a)",
            "$(b)",
            "$(c)",
            "{",
            "}",
            "\\",
            " ",
            "<",
            ">",
            "\"",
            "%",
            "%4",
            "%41",
            "#",
            "?",
            "/",
            ":",
            "[",
            "]",
            "ü",
            "~iri",
            "~lang",
            "",
        ])
        .prop_map(str::to_owned),
        "[a-z]{1,3}",
        any::<char>().prop_map(String::from),
    ]
}

/// A start that makes an IRI followed by a few pieces, or pieces alone.
fn iri_text() -> impl Strategy<Value = String> {
    let start = proptest::sample::select(vec![
        "ex:",
        "xsd:",
        "http://example.org/",
        "https://example.org/x?",
        "urn:x:",
        "$(b)",
    ]);
    prop_oneof![
        (start, proptest::collection::vec(piece(), 0..3))
            .prop_map(|(s, p)| format!("{s}{}", p.concat())),
        proptest::collection::vec(piece(), 1..4).prop_map(|p| p.concat()),
    ]
}

/// Mostly one of `valid` (so that the other fields of a mapping get to run), else any text.
fn field(valid: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(valid).prop_map(str::to_owned),
        1 => iri_text(),
    ]
}

/// `s` as a YAML double-quoted scalar (JSON strings are).
fn yaml(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

const TRICKY_CSV: &str =
    "a,b,c\n1,x y,de\n2,<http://e.org/>,\n,http://example.org/ok,en\n%,ü/ß,\"a,b\"\n";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Whatever strings a mapping gives as datatype, class, predicate, subject or object
    /// template: either the mapping is refused when it is read, or every line written parses
    /// as N-Quads.
    #[test]
    fn any_iri_text_is_refused_or_makes_valid_n_quads(
        subject in field(&["http://example.org/r/$(a)", "ex:$(b)", "$(b)", "ex:$(a)/$(c)"]),
        class in field(&["ex:C", "http://schema.org/Thing"]),
        predicate in field(&["ex:p", "ex:$(a)", "$(b)"]),
        datatype in field(&["xsd:integer", "ex:dt", "xsd:string"]),
        object in field(&["ex:o", "http://example.org/$(b)", "$(b)~iri", "$(c)~iri"]),
        graph in field(&["ex:g", "ex:g/$(a)", "$(b)"]),
        language in field(&["de", "en-GB", "$(c)"]),
    ) {
        let mapping = format!(
            "prefixes:\n  ex: http://example.org/\nmappings:\n  row:\n    sources: [data.csv~csv]\n    s: {}\n    g: {}\n    po:\n      - [a, {}]\n      - [{}, $(b), {}]\n      - [ex:o, {}]\n      - [ex:t, $(a), {}]\n",
            yaml(&subject), yaml(&graph), yaml(&class), yaml(&predicate), yaml(&datatype),
            yaml(&object), yaml(&format!("{language}~lang")),
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("data.csv"), TRICKY_CSV).unwrap();
        let Ok(mapping) = Mapping::from_yarrrml(&mapping, "m.yaml", dir.path()) else {
            return Ok(());
        };
        let out = dir.path().join("out.nq");
        let file = std::fs::File::create(&out).unwrap();
        let mut writer = Writer::new(&mapping, Box::new(file), Format::NQuads).unwrap();
        if mapping.run(&mut writer).is_err() {
            return Ok(());
        }
        writer.finish().unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        for line in text.lines() {
            let parsed: Result<Vec<_>, _> = oxrdfio::RdfParser::from_format(oxrdfio::RdfFormat::NQuads)
                .for_slice(line.as_bytes())
                .collect();
            prop_assert!(parsed.is_ok(), "{line}: {:?}", parsed.err());
        }
    }
}
