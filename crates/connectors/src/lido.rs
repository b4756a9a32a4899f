//! LIDO 1.0 and 1.1 XML (<https://lido-schema.org/schema/latest/lido.html>), streamed record by
//! record: each `lido:lido` element is one record, read into a small tree of its own, mapped and
//! dropped before the next one is read.
//!
//! The mapping of a record to schema.org, the data contract of this connector, is the
//! documentation at the top of `lido/map.rs`.
//!
//! A syntax error inside a record rejects that record; reading resumes at the next `lido:lido`.
//! Input with no LIDO record and no LIDO root element is not LIDO: a format error.
//!
//! A rejected record's diagnostic holds its XML as the input has it, from `<lido:lido` to
//! `</lido:lido>`; a record broken by a syntax error, as far as it was read (up to the error,
//! or the end of the input), since where it would have ended is not known.

mod map;
mod read;

use crate::record::Record;
use crate::{Connector, ConnectorError, Context, Input, RecordSink};
use read::{Item, Records};

/// The `lido` connector.
pub struct Lido;

impl Connector for Lido {
    fn kind(&self) -> &'static str {
        "lido"
    }

    fn description(&self) -> &'static str {
        "LIDO XML of museum objects, streamed record by record"
    }

    fn version(&self) -> u32 {
        2
    }

    fn media_types(&self) -> &'static [&'static str] {
        &["application/xml", "text/xml"]
    }

    fn convert(
        &self,
        input: Input<'_>,
        cx: &Context<'_>,
        out: &mut dyn RecordSink,
    ) -> Result<(), ConnectorError> {
        crate::input::utf8_only(input, |input| {
            let mut records = Records::new(input.name, input.reader);
            // The quads of the record being mapped, reused from record to record.
            let mut quads = Record::default();
            while let Some(item) = records.next()? {
                match item {
                    Item::Record(record, at) => {
                        quads.clear();
                        match map::map_record(&record, cx, &mut quads) {
                            Ok(()) => quads.accept(&at, out)?,
                            Err(reject) => out.reject(reject.at(at).with_raw(&records.raw()))?,
                        }
                    }
                    Item::Broken(diagnostic) => out.reject(diagnostic)?,
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::Counts;
    use kulturnetz_model::Minter;

    fn run(data: &str) -> Result<Counts, ConnectorError> {
        let minter = Minter::new("https://x.example/").unwrap();
        let cx = Context::new("s", &minter);
        let mut counts = Counts::default();
        Lido.convert(
            Input {
                name: "a.xml",
                reader: &mut data.as_bytes(),
            },
            &cx,
            &mut counts,
        )
        .map(|()| counts)
    }

    #[test]
    fn what_is_not_lido_is_a_format_error() {
        for data in ["{\"a\": 1}", "<html><body/></html>", "", "<a><b></a>"] {
            let err = run(data).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.starts_with("a.xml: not LIDO"), "{data:?}: {err}");
        }
    }

    #[test]
    fn a_wrapper_without_records_is_empty_lido() {
        let counts = run("<lido:lidoWrap xmlns:lido=\"http://www.lido-schema.org\"/>").unwrap();
        assert_eq!((counts.accepted, counts.rejected), (0, 0));
    }

    #[test]
    fn a_truncated_record_is_rejected() {
        let counts = run(
            "<lido:lidoWrap xmlns:lido=\"http://www.lido-schema.org\"><lido:lido><lido:lidoRecID>a</lido:lidoRecID></lido:lido><lido:lido><lido:lidoRecID>b",
        )
        .unwrap();
        assert_eq!((counts.accepted, counts.rejected), (1, 1));
    }
}
