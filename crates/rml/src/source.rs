//! Records of logical sources and the values that references find in them: CSV (columns),
//! JSON (JSONPath, RFC 9535) and XML (XPath 1.0).
//! <https://w3id.org/rml/io/spec#source-vocabulary>

mod csv;
mod json;
mod xml;

use crate::error::{MappingError, RunError};
use crate::plan::{Formulation, LogicalSource};
use kulturnetz_model::Location;

/// A value that a reference found: its text, and for JSON numbers and booleans the XSD datatype
/// that they naturally have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Val {
    pub text: String,
    pub datatype: Option<&'static str>,
}

impl Val {
    pub(crate) fn plain(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            datatype: None,
        }
    }
}

/// A problem with one record: the field (reference) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DataError {
    pub field: Option<String>,
    pub message: String,
}

impl DataError {
    pub(crate) fn new(field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

/// One record of a logical source.
pub(crate) trait Record {
    /// The values of `reference`, after those in `out`; none when it is absent or null.
    fn values_into(&self, reference: &str, out: &mut Vec<Val>) -> Result<(), DataError>;
    /// The values of `reference`; none when it is absent or null.
    #[cfg(test)]
    fn values(&self, reference: &str) -> Result<Vec<Val>, DataError> {
        let mut out = Vec::new();
        self.values_into(reference, &mut out)?;
        Ok(out)
    }
    /// Where the record is.
    fn location(&self) -> Location;
    /// The record's text as the input has it (a CSV row, an XML element) or, for JSON, written
    /// compactly; asked for only when the record is rejected, so that accepted records cost
    /// nothing. `None` where it is not known.
    fn raw(&self) -> Option<String> {
        None
    }
    /// Why the record as a whole cannot be mapped, if it cannot.
    fn problem(&self) -> Option<DataError> {
        None
    }
}

/// What to do with each record; `Err` stops the iteration.
pub(crate) type Visit<'a> = dyn FnMut(&dyn Record) -> Result<(), RunError> + 'a;

/// Visits every record of `source`, in the order of the file. `references` are all the
/// references the mapping makes into this source, checked up front where the format allows
/// (CSV headers).
pub(crate) fn each(
    source: &LogicalSource,
    references: &[String],
    file: &str,
    visit: &mut Visit<'_>,
) -> Result<(), RunError> {
    let mut reader = crate::io::open(
        &source.path,
        source.compression.as_deref(),
        source.encoding.as_deref(),
    )
    .map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            let message = match &source.also_tried {
                Some(other) => format!(
                    "the source file {:?} is neither in the mapping's folder ({}) nor in the working directory ({})",
                    source.display,
                    source.path.display(),
                    other.display()
                ),
                None => format!(
                    "the source file {:?} does not exist",
                    source.path.display().to_string()
                ),
            };
            RunError::Mapping(MappingError::new(file, message))
        } else {
            RunError::Io {
                file: source.path.display().to_string(),
                source: e,
            }
        }
    })?;
    // UTF-16 without a byte-order mark reads as text full of NULs: whatever goes wrong then,
    // the message says what the file probably is.
    let hint = reader
        .fill_buf()
        .ok()
        .and_then(kulturnetz_model::text::utf16_hint);
    let result = match source.formulation {
        Formulation::Csv => csv::each(source, references, file, reader, hint, visit),
        Formulation::JsonPath => json::each(source, file, reader, visit),
        Formulation::XPath => xml::each(source, references, file, reader, visit),
    };
    match (result, hint) {
        (Err(RunError::Mapping(mut e)), Some(hint)) => {
            e.message = format!("{}; {hint}", e.message);
            Err(RunError::Mapping(e))
        }
        (Err(RunError::Io { file, source }), Some(hint)) => Err(RunError::Io {
            file,
            source: std::io::Error::new(source.kind(), format!("{source}; {hint}")),
        }),
        (result, _) => result,
    }
}

/// Checks the syntax of a reference before anything runs.
pub(crate) fn check_reference(formulation: Formulation, reference: &str) -> Result<(), String> {
    match formulation {
        Formulation::Csv => Ok(()),
        Formulation::JsonPath => json::compile(reference).map(|_| ()),
        Formulation::XPath => xml::check(reference),
    }
}

/// Checks the syntax of an iterator before anything runs.
pub(crate) fn check_iterator(formulation: Formulation, iterator: &str) -> Result<(), String> {
    match formulation {
        Formulation::Csv => Ok(()),
        Formulation::JsonPath => serde_json_path::JsonPath::parse(iterator)
            .map(|_| ())
            .map_err(|e| format!("invalid JSONPath {iterator:?}: {e}")),
        Formulation::XPath => xml::check(iterator),
    }
}
