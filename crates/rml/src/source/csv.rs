//! CSV and TSV records: a reference is a column name of the header
//! (<https://w3id.org/rml/io/spec#csv>).

use super::{DataError, Record, Val, Visit};
use crate::error::{MappingError, RunError};
use crate::plan::LogicalSource;
use hashbrown::HashMap;
use kulturnetz_model::Location;
use kulturnetz_model::text::{MESSAGE_VALUE_CHARS, clip};
use std::io::BufRead;

struct Row<'a> {
    columns: &'a HashMap<String, usize>,
    record: &'a csv::StringRecord,
    nulls: &'a [String],
    file: &'a str,
    number: u64,
    line: u64,
}

impl Record for Row<'_> {
    fn values_into(&self, reference: &str, out: &mut Vec<Val>) -> Result<(), DataError> {
        let Some(&i) = self.columns.get(reference) else {
            return Err(DataError::new(
                Some(reference),
                format!("there is no column {reference:?}"),
            ));
        };
        match self.record.get(i) {
            Some(v) if !self.nulls.iter().any(|n| n == v) => out.push(Val::plain(v)),
            _ => {}
        }
        Ok(())
    }

    fn location(&self) -> Location {
        let mut at = Location::file(self.file).with_record(self.number);
        at.line = Some(self.line);
        at
    }
}

pub(super) fn each(
    source: &LogicalSource,
    references: &[String],
    file: &str,
    reader: Box<dyn BufRead>,
    hint: Option<&str>,
    visit: &mut Visit<'_>,
) -> Result<(), RunError> {
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(source.delimiter)
        .flexible(true)
        .from_reader(reader);
    let io = |e: csv::Error| RunError::Io {
        file: source.display.clone(),
        source: std::io::Error::other(e),
    };
    let headers = csv.headers().map_err(io)?.clone();
    // The first of two equal column names wins.
    let mut columns: HashMap<String, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        columns.entry(h.to_owned()).or_insert(i);
    }
    for reference in references {
        if !columns.contains_key(reference) {
            return Err(RunError::Mapping(MappingError::new(
                file,
                format!(
                    "the reference {reference:?} is not a column of {:?} (its columns: {})",
                    source.display,
                    headers
                        .iter()
                        .map(|h| format!("{:?}", clip(h, MESSAGE_VALUE_CHARS)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )));
        }
    }
    let mut record = csv::StringRecord::new();
    let mut number = 0;
    loop {
        match csv.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                number += 1;
                let row = Row {
                    columns: &columns,
                    record: &record,
                    nulls: &source.nulls,
                    file: &source.display,
                    number,
                    line: record.position().map_or(0, csv::Position::line),
                };
                if record.len() == headers.len() || (source.ragged && record.len() < headers.len())
                {
                    visit(&row)?;
                } else {
                    let message = format!(
                        "the row has {} fields, the header {}",
                        record.len(),
                        headers.len()
                    );
                    visit(&Invalid {
                        at: row.location(),
                        message,
                    })?;
                }
            }
            // A record that is not UTF-8 is rejected; the reader goes on with the next one.
            Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {
                number += 1;
                let mut at = Location::file(&source.display).with_record(number);
                at.line = e.position().map(csv::Position::line);
                let message = match hint {
                    Some(hint) => format!("the record is not valid UTF-8; {hint}"),
                    None => {
                        "the record is not valid UTF-8 (is the source's encoding set?)".to_owned()
                    }
                };
                visit(&Invalid { at, message })?;
            }
            Err(e) => return Err(io(e)),
        }
    }
}

/// A row that cannot be read as a record (it has more or fewer fields than the header).
struct Invalid {
    at: Location,
    message: String,
}

impl Record for Invalid {
    fn values_into(&self, _: &str, _: &mut Vec<Val>) -> Result<(), DataError> {
        Err(DataError::new(None, self.message.clone()))
    }

    fn problem(&self) -> Option<DataError> {
        Some(DataError::new(None, self.message.clone()))
    }

    fn location(&self) -> Location {
        self.at.clone()
    }
}
