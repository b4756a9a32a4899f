//! Why a record is rejected, as a connector's mapping says it, before the record's place is
//! added and it becomes a [`Diagnostic`].

use kulturnetz_model::{Diagnostic, Location};

/// A record that cannot be converted: the field at fault (none for the whole record), what is
/// wrong and, if known, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reject {
    field: Option<String>,
    message: String,
    hint: Option<String>,
}

impl Reject {
    /// The whole record is at fault.
    pub(crate) fn record(message: impl Into<String>) -> Self {
        Self {
            field: None,
            message: message.into(),
            hint: None,
        }
    }

    /// The field `field` is at fault.
    pub(crate) fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.into()),
            ..Self::record(message)
        }
    }

    /// The same reject with a hint.
    #[must_use]
    pub(crate) fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The diagnostic of the record at `at`, whose field this reject names if it names one.
    pub(crate) fn at(self, at: Location) -> Diagnostic {
        let at = match self.field {
            Some(field) => at.with_field(field),
            None => at,
        };
        let diagnostic = Diagnostic::new(at, self.message);
        match self.hint {
            Some(hint) => diagnostic.with_hint(hint),
            None => diagnostic,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_and_hint_go_into_the_diagnostic() {
        let at = Location::file("a.json").with_record(2);
        let d = Reject::field("_id", "no id")
            .with_hint("add one")
            .at(at.clone());
        assert_eq!(d.location, at.clone().with_field("_id"));
        assert_eq!(
            (d.message.as_str(), d.hint.as_deref()),
            ("no id", Some("add one"))
        );
        assert_eq!(Reject::record("broken").at(at.clone()).location, at);
    }
}
