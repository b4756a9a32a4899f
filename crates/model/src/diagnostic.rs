//! Diagnostics: where in which input a problem is, and what it is.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A place in an input: the file, and as far as known the line, column, record and field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// The input's name as the user knows it (a file path or URL).
    pub file: String,
    /// 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// 1-based record number within the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// The field of the record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl Location {
    /// A location naming only the file.
    pub fn file(file: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            ..Self::default()
        }
    }

    /// The same location at the given line and column.
    #[must_use]
    pub fn with_position(mut self, line: u64, column: u64) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// The same location at the given record.
    #[must_use]
    pub fn with_record(mut self, record: u64) -> Self {
        self.record = Some(record);
        self
    }

    /// The same location at the given field.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for Location {
    /// `file:line:column: record N: field "f"`, leaving out what is not known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(record) = self.record {
            write!(f, ": record {record}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field {field:?}")?;
        }
        Ok(())
    }
}

/// A problem with one record of an input. The record is rejected; the rest of the input loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong, lower-case, without a trailing period.
    pub message: String,
    /// How to fix it, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The rejected record as the input has it (a CSV row, a JSON object, a VEVENT's lines, a
    /// LIDO record's XML, …), so that whoever reads the rejected records need not look it up;
    /// cut to [`RAW_RECORD_CHARS`] characters. `None` where the connector cannot know it, and
    /// for problems that are no record (notes, format errors). Never shown by `Display`: it
    /// goes to the rejected-records file and the JSON report only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `location`.
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Self {
            location,
            message: message.into(),
            hint: None,
            raw: None,
        }
    }

    /// The same diagnostic with a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The same diagnostic with the rejected record's text, cut to [`RAW_RECORD_CHARS`]
    /// characters ([`crate::text::clip`]: the first characters, then `… (N characters)`).
    ///
    /// ```
    /// use kulturnetz_model::{Diagnostic, Location, RAW_RECORD_CHARS};
    ///
    /// let row = "Stadtmuseum,07743,Jena";
    /// let d = Diagnostic::new(Location::file("museen.csv"), "bad").with_raw(row);
    /// assert_eq!(d.raw.as_deref(), Some(row));
    /// let huge = "x".repeat(RAW_RECORD_CHARS + 1);
    /// let d = Diagnostic::new(Location::file("museen.csv"), "bad").with_raw(&huge);
    /// assert!(d.raw.unwrap().ends_with("… (65537 characters)"));
    /// ```
    #[must_use]
    pub fn with_raw(mut self, raw: &str) -> Self {
        self.raw = Some(crate::text::clip(raw, RAW_RECORD_CHARS).into_owned());
        self
    }
}

/// The most characters of a rejected record's text that a [`Diagnostic`] keeps: 64 Ki, as many
/// as the rejected-records file keeps of a message. Records are rarely longer; one that is (a
/// LIDO record with a long description, a JSON object holding an image as base64) is cut, so
/// that a file of huge bad records does not make a rejected-records file as large, and the
/// cut says how long the record was.
pub const RAW_RECORD_CHARS: usize = 64 << 10;

impl fmt::Display for Diagnostic {
    /// `location: message (hint: hint)`, the message and hint cut at [`DISPLAYED_CHARS`]
    /// characters each: a message that repeats a huge bad value must not flood a terminal (the
    /// rejected-records file keeps more).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            self.location,
            crate::text::clip(&self.message, DISPLAYED_CHARS)
        )?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {})", crate::text::clip(hint, DISPLAYED_CHARS))?;
        }
        Ok(())
    }
}

/// The most characters of a diagnostic's message (and of its hint) that its display shows.
pub const DISPLAYED_CHARS: usize = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_display_leaves_out_what_is_unknown() {
        let loc = Location::file("museen.csv")
            .with_position(17, 3)
            .with_record(16)
            .with_field("plz");
        assert_eq!(loc.to_string(), "museen.csv:17:3: record 16: field \"plz\"");
        assert_eq!(Location::file("a.ttl").to_string(), "a.ttl");
        let d =
            Diagnostic::new(Location::file("a.ttl").with_position(1, 1), "bad").with_hint("fix it");
        assert_eq!(d.to_string(), "a.ttl:1:1: bad (hint: fix it)");
    }

    #[test]
    fn the_raw_record_is_serialised_when_known_and_never_shown() {
        let d = Diagnostic::new(Location::file("a.csv").with_record(2), "bad");
        let json = serde_json::to_string(&d).unwrap();
        assert!(!json.contains("raw"), "{json}");
        let with = d.clone().with_raw("a,b,\"c\"");
        assert_eq!(with.to_string(), d.to_string());
        let json = serde_json::to_string(&with).unwrap();
        assert!(json.ends_with(r#","raw":"a,b,\"c\""}"#), "{json}");
        assert_eq!(serde_json::from_str::<Diagnostic>(&json).unwrap(), with);
    }

    #[test]
    fn a_raw_record_is_kept_up_to_its_bound() {
        let at_bound = "ä".repeat(RAW_RECORD_CHARS);
        let d = Diagnostic::new(Location::file("a.csv"), "bad").with_raw(&at_bound);
        assert_eq!(d.raw.as_deref(), Some(at_bound.as_str()));
        let over = format!("{at_bound}ö");
        let raw = Diagnostic::new(Location::file("a.csv"), "bad")
            .with_raw(&over)
            .raw
            .unwrap();
        assert_eq!(raw, format!("{at_bound}… (65537 characters)"));
    }

    #[test]
    fn a_huge_message_is_cut_when_shown() {
        let d = Diagnostic::new(
            Location::file("a.csv"),
            format!("bad value {}", "x".repeat(1 << 20)),
        );
        let shown = d.to_string();
        assert!(shown.len() < DISPLAYED_CHARS + 100, "{}", shown.len());
        assert!(
            shown.ends_with("… (1048586 characters)"),
            "{}",
            &shown[shown.len() - 40..]
        );
    }
}
