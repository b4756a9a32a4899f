//! Literal values: well-formedness for `sh:datatype`, order for the value range and property
//! pair constraints ([XSD 1.1 Part 2](https://www.w3.org/TR/xmlschema11-2/),
//! [SPARQL §17.3](https://www.w3.org/TR/sparql11-query/#OperatorMapping)), and language ranges.

use oxrdf::vocab::{rdf, xsd};
use oxrdf::{LiteralRef, NamedNodeRef, Term};
use oxsdatatypes::{
    Boolean, Date, DateTime, DayTimeDuration, Decimal, Double, Duration, Float, GDay, GMonth,
    GMonthDay, GYear, GYearMonth, Time, YearMonthDuration,
};
use std::cmp::Ordering;
use std::str::FromStr;

/// Whether the datatype is `xsd:integer` or one derived from it.
pub(crate) fn is_integer_type(datatype: NamedNodeRef<'_>) -> bool {
    integer_range(datatype).is_some()
}

/// The range of an integer datatype, as (min, max); `None` for a datatype that is not one.
fn integer_range(datatype: NamedNodeRef<'_>) -> Option<(Option<i128>, Option<i128>)> {
    Some(match datatype {
        d if d == xsd::INTEGER => (None, None),
        d if d == xsd::LONG => (Some(i64::MIN.into()), Some(i64::MAX.into())),
        d if d == xsd::INT => (Some(i32::MIN.into()), Some(i32::MAX.into())),
        d if d == xsd::SHORT => (Some(i16::MIN.into()), Some(i16::MAX.into())),
        d if d == xsd::BYTE => (Some(i8::MIN.into()), Some(i8::MAX.into())),
        d if d == xsd::NON_NEGATIVE_INTEGER => (Some(0), None),
        d if d == xsd::POSITIVE_INTEGER => (Some(1), None),
        d if d == xsd::NON_POSITIVE_INTEGER => (None, Some(0)),
        d if d == xsd::NEGATIVE_INTEGER => (None, Some(-1)),
        d if d == xsd::UNSIGNED_LONG => (Some(0), Some(u64::MAX.into())),
        d if d == xsd::UNSIGNED_INT => (Some(0), Some(u32::MAX.into())),
        d if d == xsd::UNSIGNED_SHORT => (Some(0), Some(u16::MAX.into())),
        d if d == xsd::UNSIGNED_BYTE => (Some(0), Some(u8::MAX.into())),
        _ => return None,
    })
}

/// Whether the literal's lexical form is in the lexical space of its datatype. Datatypes this
/// validator does not know are taken as well-formed.
pub(crate) fn is_well_formed(literal: LiteralRef<'_>) -> bool {
    let datatype = literal.datatype();
    let value = literal.value();
    if datatype == rdf::LANG_STRING {
        return literal.language().is_some();
    }
    if let Some((min, max)) = integer_range(datatype) {
        let v = value.trim_matches(|c| c == ' ' || c == '\t' || c == '\n' || c == '\r');
        let digits = v.strip_prefix(['+', '-']).unwrap_or(v);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        return match v.parse::<i128>() {
            Ok(n) => min.is_none_or(|m| n >= m) && max.is_none_or(|m| n <= m),
            // Beyond i128: only the sign can break an unbounded range.
            Err(_) => {
                max.is_none() && min.is_none()
                    || (min == Some(0) || min == Some(1)) && max.is_none() && !v.starts_with('-')
                    || max.is_some_and(|m| m <= 0) && min.is_none() && v.starts_with('-')
            }
        };
    }
    let v = value.trim();
    macro_rules! parses {
        ($($dt:expr => $t:ty),* $(,)?) => {
            $(if datatype == $dt { return <$t>::from_str(v).is_ok(); })*
        };
    }
    parses! {
        xsd::BOOLEAN => Boolean,
        xsd::DECIMAL => Decimal,
        xsd::DOUBLE => Double,
        xsd::FLOAT => Float,
        xsd::DATE => Date,
        xsd::DATE_TIME => DateTime,
        xsd::TIME => Time,
        xsd::DURATION => Duration,
        xsd::DAY_TIME_DURATION => DayTimeDuration,
        xsd::YEAR_MONTH_DURATION => YearMonthDuration,
        xsd::G_YEAR => GYear,
        xsd::G_YEAR_MONTH => GYearMonth,
        xsd::G_MONTH => GMonth,
        xsd::G_DAY => GDay,
        xsd::G_MONTH_DAY => GMonthDay,
    }
    if datatype == xsd::DATE_TIME_STAMP {
        return DateTime::from_str(v).is_ok_and(|d| d.timezone_offset().is_some());
    }
    true
}

/// A literal's value, for comparing with SPARQL's `<`.
enum Value<'a> {
    Decimal(Decimal),
    Double(f64),
    Boolean(bool),
    String(&'a str),
    DateTime(DateTime),
    Date(Date),
    Time(Time),
    Duration(Duration),
}

fn value(literal: LiteralRef<'_>) -> Option<Value<'_>> {
    if !is_well_formed(literal) {
        return None;
    }
    let datatype = literal.datatype();
    let v = literal.value().trim();
    Some(if is_integer_type(datatype) || datatype == xsd::DECIMAL {
        Value::Decimal(Decimal::from_str(v.trim_start_matches('+')).ok()?)
    } else if datatype == xsd::DOUBLE {
        Value::Double(Double::from_str(v).ok()?.into())
    } else if datatype == xsd::FLOAT {
        Value::Double(f32::from(Float::from_str(v).ok()?).into())
    } else if datatype == xsd::BOOLEAN {
        Value::Boolean(Boolean::from_str(v).ok()?.into())
    } else if datatype == xsd::STRING {
        Value::String(literal.value())
    } else if datatype == xsd::DATE_TIME || datatype == xsd::DATE_TIME_STAMP {
        Value::DateTime(DateTime::from_str(v).ok()?)
    } else if datatype == xsd::DATE {
        Value::Date(Date::from_str(v).ok()?)
    } else if datatype == xsd::TIME {
        Value::Time(Time::from_str(v).ok()?)
    } else if datatype == xsd::DURATION
        || datatype == xsd::DAY_TIME_DURATION
        || datatype == xsd::YEAR_MONTH_DURATION
    {
        Value::Duration(Duration::from_str(v).ok()?)
    } else {
        return None;
    })
}

/// How `a` compares with `b` by SPARQL's `<`; `None` when they cannot be compared (different
/// kinds of values, ill-formed literals, IRIs, blank nodes, or an indeterminate order).
pub(crate) fn compare(a: &Term, b: &Term) -> Option<Ordering> {
    let (Term::Literal(a), Term::Literal(b)) = (a, b) else {
        return None;
    };
    match (value(a.as_ref())?, value(b.as_ref())?) {
        (Value::Decimal(x), Value::Decimal(y)) => x.partial_cmp(&y),
        (Value::Decimal(x), Value::Double(y)) => f64::from(Double::from(x)).partial_cmp(&y),
        (Value::Double(x), Value::Decimal(y)) => x.partial_cmp(&f64::from(Double::from(y))),
        (Value::Double(x), Value::Double(y)) => x.partial_cmp(&y),
        (Value::Boolean(x), Value::Boolean(y)) => Some(x.cmp(&y)),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::DateTime(x), Value::DateTime(y)) => x.partial_cmp(&y),
        (Value::Date(x), Value::Date(y)) => x.partial_cmp(&y),
        (Value::Time(x), Value::Time(y)) => x.partial_cmp(&y),
        (Value::Duration(x), Value::Duration(y)) => x.partial_cmp(&y),
        _ => None,
    }
}

/// SPARQL's `langMatches`: basic filtering of RFC 4647, `*` matching any tag.
pub(crate) fn lang_matches(tag: &str, range: &str) -> bool {
    if range == "*" {
        return !tag.is_empty();
    }
    let (tag, range) = (tag.to_ascii_lowercase(), range.to_ascii_lowercase());
    tag == range
        || tag
            .strip_prefix(&range)
            .is_some_and(|rest| rest.starts_with('-'))
}

/// The string SHACL's string-based constraints look at: an IRI's text or a literal's lexical
/// form; `None` for a blank node.
pub(crate) fn string_value(term: &Term) -> Option<&str> {
    match term {
        Term::NamedNode(n) => Some(n.as_str()),
        Term::Literal(l) => Some(l.value()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::Literal;

    fn typed(value: &str, datatype: NamedNodeRef<'_>) -> Term {
        Literal::new_typed_literal(value, datatype).into()
    }

    #[test]
    fn integers_are_checked_against_their_datatype_range() {
        let ok = |v, d| is_well_formed(LiteralRef::new_typed_literal(v, d));
        assert!(ok("42", xsd::INTEGER));
        assert!(ok("-0", xsd::NON_NEGATIVE_INTEGER));
        assert!(!ok("-1", xsd::NON_NEGATIVE_INTEGER));
        assert!(!ok("128", xsd::BYTE));
        assert!(ok(
            "99999999999999999999999999999999999999999",
            xsd::INTEGER
        ));
        assert!(!ok("1.0", xsd::INTEGER));
        assert!(!ok("", xsd::INT));
        assert!(!ok("abc", xsd::DATE));
        assert!(ok("2024-02-29", xsd::DATE));
        assert!(!ok("2023-02-29", xsd::DATE));
        assert!(ok(
            "whatever",
            oxrdf::NamedNodeRef::new_unchecked("http://example.org/dt")
        ));
    }

    #[test]
    fn numbers_compare_across_numeric_datatypes_and_nothing_else_does() {
        let one = typed("1", xsd::INTEGER);
        let one_and_a_half = typed("1.5", xsd::DECIMAL);
        let two = typed("2.0E0", xsd::DOUBLE);
        assert_eq!(compare(&one, &one_and_a_half), Some(Ordering::Less));
        assert_eq!(compare(&two, &one_and_a_half), Some(Ordering::Greater));
        assert_eq!(compare(&one, &typed("1", xsd::STRING)), None);
        assert_eq!(compare(&one, &typed("x", xsd::INTEGER)), None);
        assert_eq!(
            compare(
                &typed("2020-01-01", xsd::DATE),
                &typed("2021-01-01", xsd::DATE)
            ),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn language_ranges_match_prefixes_at_subtag_boundaries() {
        assert!(lang_matches("de-CH", "de"));
        assert!(lang_matches("DE", "de"));
        assert!(!lang_matches("den", "de"));
        assert!(lang_matches("en", "*"));
    }
}
