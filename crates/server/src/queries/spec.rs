//! The header of a named query: `#+ key: value` lines (docs/queries.md).

use chrono::{DateTime, NaiveDate};
use oxrdf::vocab::xsd;
use oxrdf::{Literal, NamedNode, Term};

/// The type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Iri,
    String,
    Integer,
    Decimal,
    Double,
    Boolean,
    Date,
    DateTime,
}

impl Kind {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "iri" => Self::Iri,
            "string" | "xsd:string" => Self::String,
            "xsd:integer" => Self::Integer,
            "xsd:decimal" => Self::Decimal,
            "xsd:double" => Self::Double,
            "xsd:boolean" => Self::Boolean,
            "xsd:date" => Self::Date,
            "xsd:dateTime" => Self::DateTime,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Iri => "iri",
            Self::String => "xsd:string",
            Self::Integer => "xsd:integer",
            Self::Decimal => "xsd:decimal",
            Self::Double => "xsd:double",
            Self::Boolean => "xsd:boolean",
            Self::Date => "xsd:date",
            Self::DateTime => "xsd:dateTime",
        }
    }

    fn numeric(self) -> bool {
        matches!(self, Self::Integer | Self::Decimal | Self::Double)
    }
}

/// A typed parameter of a named query.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) kind: Kind,
    pub(crate) default: Option<String>,
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
    pub(crate) choices: Vec<String>,
    pub(crate) description: String,
}

impl Param {
    /// The value as the RDF term bound to the query's variable, or why it cannot be one.
    pub(crate) fn term(&self, value: &str) -> Result<Term, String> {
        if !self.choices.is_empty() && !self.choices.iter().any(|c| c == value) {
            return Err(format!("expected one of {}", self.choices.join(", ")));
        }
        let term: Term = match self.kind {
            Kind::Iri => NamedNode::new(value)
                .map_err(|e| format!("expected an absolute IRI: {e}"))?
                .into(),
            Kind::String => Literal::new_simple_literal(value).into(),
            Kind::Integer => {
                let n: i64 = value
                    .trim()
                    .parse()
                    .map_err(|_| "expected a whole number".to_owned())?;
                Literal::from(n).into()
            }
            Kind::Decimal | Kind::Double => {
                let n: f64 = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n: &f64| n.is_finite())
                    .ok_or_else(|| "expected a number".to_owned())?;
                if self.kind == Kind::Double {
                    Literal::from(n).into()
                } else {
                    Literal::new_typed_literal(value.trim(), xsd::DECIMAL).into()
                }
            }
            Kind::Boolean => match value {
                "true" | "1" => Literal::from(true).into(),
                "false" | "0" => Literal::from(false).into(),
                _ => return Err("expected true or false".into()),
            },
            Kind::Date => {
                let d = NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
                    .map_err(|_| "expected a date (2024-05-01)".to_owned())?;
                Literal::new_typed_literal(d.format("%Y-%m-%d").to_string(), xsd::DATE).into()
            }
            Kind::DateTime => {
                let t = DateTime::parse_from_rfc3339(value.trim()).map_err(|_| {
                    "expected a date-time with an offset (2024-05-01T18:00:00+02:00)".to_owned()
                })?;
                Literal::new_typed_literal(t.to_rfc3339(), xsd::DATE_TIME).into()
            }
        };
        if self.kind.numeric() {
            let n: f64 = value.trim().parse().unwrap_or(f64::NAN);
            if self.min.is_some_and(|m| n < m) || self.max.is_some_and(|m| n > m) {
                return Err(format!(
                    "expected a number from {} to {}",
                    self.min.map_or("any".into(), |m| m.to_string()),
                    self.max.map_or("any".into(), |m| m.to_string())
                ));
            }
        }
        Ok(term)
    }
}

/// Text in German and English.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bilingual {
    pub(crate) de: String,
    pub(crate) en: String,
}

/// What the header says.
#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    pub(crate) title: Bilingual,
    pub(crate) description: Bilingual,
    pub(crate) audience: Vec<String>,
    pub(crate) params: Vec<Param>,
    /// Rows per page unless `limit` says otherwise.
    pub(crate) limit: usize,
    /// The most rows a page may have.
    pub(crate) max_limit: usize,
}

/// The names that the API takes for itself.
pub(crate) const RESERVED: &[&str] = &["limit", "offset", "format"];

/// Rows per page of a query whose header names no limit.
const DEFAULT_LIMIT: usize = 100;
/// The largest page of a query whose header names no `max`.
const DEFAULT_MAX_LIMIT: usize = 10_000;

/// Splits `default="a b" max=3` into tokens, a quoted value keeping its spaces.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn number(key: &str, value: &str) -> Result<f64, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| format!("{key}={value:?} is not a number"))
}

fn param(spec: &str) -> Result<Param, String> {
    let (spec, description) = spec
        .split_once(" -- ")
        .map_or((spec, ""), |(s, d)| (s, d.trim()));
    let tokens = tokens(spec);
    let [name, kind, options @ ..] = tokens.as_slice() else {
        return Err(
            "expected `param: NAME TYPE [default=…] [min=…] [max=…] [enum=a|b] -- description`"
                .into(),
        );
    };
    let name = name.trim_start_matches('?');
    if name.is_empty()
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || name.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(format!(
            "parameter {name:?}: a name is letters, digits and _, as a SPARQL variable"
        ));
    }
    if RESERVED.contains(&name) {
        return Err(format!(
            "parameter {name:?}: the names {} are the API's own",
            RESERVED.join(", ")
        ));
    }
    let kind = Kind::parse(kind).ok_or_else(|| {
        format!(
            "parameter {name}: unknown type {kind:?} (iri, string, xsd:integer, xsd:decimal, xsd:double, xsd:boolean, xsd:date, xsd:dateTime)"
        )
    })?;
    let mut param = Param {
        name: name.to_owned(),
        kind,
        default: None,
        min: None,
        max: None,
        choices: Vec::new(),
        description: description.to_owned(),
    };
    for option in options {
        let (key, value) = option.split_once('=').unwrap_or((option, ""));
        match key {
            "default" => param.default = Some(value.to_owned()),
            "min" => param.min = Some(number(key, value)?),
            "max" => param.max = Some(number(key, value)?),
            "enum" => param.choices = value.split('|').map(str::to_owned).collect(),
            _ => return Err(format!("parameter {name}: unknown option {option:?}")),
        }
    }
    if let Some(default) = &param.default {
        param
            .term(default)
            .map_err(|e| format!("parameter {name}: default {default:?}: {e}"))?;
    }
    Ok(param)
}

/// Reads the `#+` lines at the top of `text` (until the first line that is not a comment).
pub(crate) fn parse(text: &str) -> Result<Header, String> {
    let mut header = Header {
        limit: DEFAULT_LIMIT,
        max_limit: DEFAULT_MAX_LIMIT,
        ..Header::default()
    };
    let mut page: Option<(usize, Option<usize>)> = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(rest) = line.strip_prefix('#') else {
            break;
        };
        let Some(decorator) = rest.strip_prefix('+') else {
            continue;
        };
        let at = |e: String| format!("line {}: {e}", n + 1);
        let (key, value) = decorator
            .split_once(':')
            .ok_or_else(|| at("expected `#+ key: value`".into()))?;
        let (key, value) = (key.trim(), value.trim());
        let join = |into: &mut String| {
            if !into.is_empty() {
                into.push(' ');
            }
            into.push_str(value);
        };
        match key {
            "title.de" => join(&mut header.title.de),
            "title.en" => join(&mut header.title.en),
            "description.de" => join(&mut header.description.de),
            "description.en" => join(&mut header.description.en),
            "audience" => header
                .audience
                .extend(value.split(',').map(|a| a.trim().to_owned())),
            "param" => {
                let p = param(value).map_err(at)?;
                if header.params.iter().any(|q| q.name == p.name) {
                    return Err(at(format!("parameter {} is declared twice", p.name)));
                }
                header.params.push(p);
            }
            "limit" => {
                let t = tokens(value);
                let limit = t
                    .first()
                    .and_then(|v| v.parse::<usize>().ok())
                    .filter(|l| *l > 0)
                    .ok_or_else(|| at(format!("limit {value:?}: expected `limit: N [max=M]`")))?;
                let max = t
                    .get(1)
                    .map(|m| {
                        m.strip_prefix("max=")
                            .and_then(|m| m.parse::<usize>().ok())
                            .filter(|m| *m >= limit)
                            .ok_or_else(|| {
                                at(format!(
                                    "limit {value:?}: expected `limit: N [max=M]`, M >= N"
                                ))
                            })
                    })
                    .transpose()?;
                page = Some((limit, max));
            }
            other => return Err(at(format!("unknown key {other:?}"))),
        }
    }
    if let Some((limit, max)) = page {
        header.limit = limit;
        header.max_limit = max.unwrap_or(limit.max(DEFAULT_MAX_LIMIT));
    }
    for (what, text) in [
        ("title.de", &header.title.de),
        ("title.en", &header.title.en),
        ("description.de", &header.description.de),
        ("description.en", &header.description.en),
    ] {
        if text.is_empty() {
            return Err(format!("the header has no `#+ {what}:`"));
        }
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "#+ title.de: Titel\n#+ title.en: Title\n#+ description.de: Eins\n\
        #+ description.de: zwei\n#+ description.en: One\n#+ audience: researchers\n\
        #+ param: from xsd:date default=2023-01-01 -- Beginn / start\n\
        #+ param: kind string enum=a|b default=a\n#+ param: n xsd:integer min=1 max=5 default=\"3\"\n\
        #+ limit: 50 max=500\nSELECT * {}";

    #[test]
    fn a_header_is_read() {
        let h = parse(HEADER).expect("header");
        assert_eq!(h.description.de, "Eins zwei");
        assert_eq!(h.params.len(), 3);
        assert_eq!(h.params[0].description, "Beginn / start");
        assert_eq!((h.limit, h.max_limit), (50, 500));
        assert!(h.params[1].term("c").is_err());
        assert!(h.params[2].term("6").is_err());
        assert!(h.params[2].term("5").is_ok());
    }

    #[test]
    fn mistakes_name_their_line() {
        let e = parse("#+ title.de: a\n#+ param: x float\n").expect_err("type");
        assert!(e.starts_with("line 2: parameter x: unknown type"), "{e}");
        let e = parse("#+ param: limit xsd:integer\n").expect_err("reserved");
        assert!(e.contains("the API's own"), "{e}");
        let e = parse("#+ param: d xsd:date default=soon\n").expect_err("default");
        assert!(e.contains("default \"soon\""), "{e}");
    }

    #[test]
    fn iris_with_angle_brackets_are_refused() {
        let p = param("m iri").expect("param");
        assert!(p.term("https://ex.example/a> } ; DROP ALL ; {").is_err());
        assert!(p.term("https://ex.example/a").is_ok());
    }
}
