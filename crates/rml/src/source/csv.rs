//! CSV and TSV records: a reference is a column name of the header
//! (<https://w3id.org/rml/io/spec#csv>). A row's text, as the file has it, is at hand for its
//! diagnostic if it is rejected: the reader keeps what it read from the start of the row on.

use super::{DataError, Record, Val, Visit};
use crate::error::{MappingError, RunError};
use crate::plan::LogicalSource;
use hashbrown::HashMap;
use kulturnetz_model::Location;
use kulturnetz_model::text::{MESSAGE_VALUE_CHARS, clip};
use std::io::{self, BufRead, Read};

struct Row<'a> {
    columns: &'a HashMap<String, usize>,
    record: &'a csv::StringRecord,
    nulls: &'a [String],
    file: &'a str,
    number: u64,
    line: u64,
    /// The row's bytes as the file has them.
    text: &'a [u8],
}

/// A row's bytes as text: invalid UTF-8 replaced, without the line breaks before it (blank
/// lines, the `\n` of a `\r\n`) and after it.
fn row_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_matches(['\r', '\n'])
        .to_owned()
}

/// How many bytes before the row being read [`Kept`] lets pile up before it forgets them.
const FORGET_AFTER: usize = 64 << 10;

/// What the CSV reader reads, kept from the start of the row being read on, so that the text of
/// a rejected row can be given as the file has it (multi-line cells and all): a copy of each
/// byte read, and one more of each now and then when what lies behind is dropped.
struct Kept {
    inner: Box<dyn BufRead>,
    bytes: Vec<u8>,
    /// The offset of `bytes[0]` in the input.
    start: u64,
}

impl Read for Kept {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl Kept {
    /// The bytes from offset `from` up to `to`; empty if they are not kept.
    fn slice(&self, from: u64, to: u64) -> &[u8] {
        let at = |offset: u64| usize::try_from(offset.saturating_sub(self.start)).unwrap_or(0);
        self.bytes.get(at(from)..at(to)).unwrap_or_default()
    }

    /// Forgets the bytes before `offset`, once there are many of them, and more of them than
    /// after it: each byte is moved at most about once.
    fn forget_before(&mut self, offset: u64) {
        let behind = usize::try_from(offset.saturating_sub(self.start)).unwrap_or(0);
        if behind >= FORGET_AFTER && 2 * behind >= self.bytes.len() {
            self.bytes.drain(..behind.min(self.bytes.len()));
            self.start = offset;
        }
    }
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

    fn raw(&self) -> Option<String> {
        Some(row_text(self.text))
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
        .from_reader(Kept {
            inner: reader,
            bytes: Vec::new(),
            start: 0,
        });
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
        let from = csv.position().byte();
        csv.get_mut().forget_before(from);
        let result = csv.read_record(&mut record);
        let text = csv.get_ref().slice(from, csv.position().byte());
        match result {
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
                    text,
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
                        raw: row_text(text),
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
                visit(&Invalid {
                    at,
                    message,
                    raw: row_text(text),
                })?;
            }
            Err(e) => return Err(io(e)),
        }
    }
}

/// A row that cannot be read as a record (it has more or fewer fields than the header).
struct Invalid {
    at: Location,
    message: String,
    raw: String,
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

    fn raw(&self) -> Option<String> {
        Some(self.raw.clone())
    }
}
