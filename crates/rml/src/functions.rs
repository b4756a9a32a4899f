//! The functions that mappings may call (RML-FNML, <https://w3id.org/rml/fnml/spec>): the
//! GREL functions that real mappings use (<https://openrefine.org/docs/manual/grelfunctions>,
//! as described in FnO at `http://users.ugent.be/~bjdmeest/function/grel.ttl#`) and a few of
//! the IDLab functions (`https://w3id.org/imec/idlab/function#`). Functions and parameters
//! are matched by local name, so both namespaces' spellings work.

use crate::source::Val;
use crate::vocab::{GREL, IDLAB_FN};
use kulturnetz_model::text::{MESSAGE_VALUE_CHARS, clip};

const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";

/// Every function this engine knows, by local name.
const KNOWN: &[&str] = &[
    "toUpperCase",
    "string_toUppercase",
    "toUppercase",
    "toLowerCase",
    "string_toLowercase",
    "toLowercase",
    "toTitleCase",
    "string_toTitlecase",
    "toTitlecase",
    "string_trim",
    "trim",
    "string_replace",
    "replace",
    "string_split",
    "split",
    "string_contains",
    "contains",
    "string_startsWith",
    "startsWith",
    "string_endsWith",
    "endsWith",
    "array_join",
    "join",
    "string_length",
    "length",
    "string_substring",
    "string_sub",
    "substring",
    "toNumber",
    "string_toNumber",
    "concat",
    "string_concat",
    "normalizeDate",
    "normalizeDateTime",
    "toDate",
    "isNull",
    "isNotNull",
    "boolean_not",
    "not",
    "equal",
    "notEqual",
    "trueCondition",
    "string_md5",
    "md5",
    "slugify",
    "toIRI",
    "toUpperCaseURL",
    "escape",
    "string_escape",
    "array_get",
    "get",
];

/// Whether `iri` names a function this engine can run.
pub(crate) fn is_known(iri: &str) -> bool {
    let local = local(iri);
    KNOWN.contains(&local)
        && (iri.starts_with(GREL)
            || iri.starts_with(IDLAB_FN)
            || iri.starts_with("http://example.com/idlab/function/"))
}

fn local(iri: &str) -> &str {
    iri.rsplit(['#', '/']).next().unwrap_or(iri)
}

/// The inputs of one call, by parameter.
pub(crate) struct Args<'a> {
    inputs: &'a [(String, Vec<Val>)],
}

impl<'a> Args<'a> {
    pub(crate) fn new(inputs: &'a [(String, Vec<Val>)]) -> Self {
        Self { inputs }
    }

    fn all(&self, names: &[&str]) -> Option<&'a [Val]> {
        self.inputs
            .iter()
            .find(|(p, _)| names.contains(&local(p)))
            .map(|(_, v)| v.as_slice())
    }

    fn one(&self, names: &[&str]) -> Option<&'a str> {
        self.all(names)
            .and_then(|v| v.first())
            .map(|v| v.text.as_str())
    }

    fn value(&self) -> Option<&'a str> {
        self.one(&[
            "valueParameter",
            "valueParam",
            "str",
            "input",
            "p_string_a",
            "any_e",
            "s",
        ])
    }

    fn required(&self, names: &[&str], what: &str) -> Result<&'a str, String> {
        self.one(names)
            .ok_or_else(|| format!("the parameter {what} is missing"))
    }
}

fn boolean(b: bool) -> Vec<Val> {
    vec![Val {
        text: b.to_string(),
        datatype: Some(XSD_BOOLEAN),
    }]
}

/// Calls `function`; no value when an input it needs has none (as with a null reference).
pub(crate) fn call(function: &str, args: &Args<'_>) -> Result<Vec<Val>, String> {
    let name = local(function);
    let Some(value) = args.value().or(match name {
        "concat" | "string_concat" | "isNull" | "isNotNull" | "equal" | "notEqual"
        | "array_join" | "join" | "trueCondition" | "boolean_not" | "not" => Some(""),
        _ => None,
    }) else {
        return Ok(Vec::new());
    };
    let one = |s: String| vec![Val::plain(s)];
    Ok(match name {
        "toUpperCase" | "string_toUppercase" | "toUppercase" | "toUpperCaseURL" => {
            one(value.to_uppercase())
        }
        "toLowerCase" | "string_toLowercase" | "toLowercase" => one(value.to_lowercase()),
        "toTitleCase" | "string_toTitlecase" | "toTitlecase" => one(title_case(value)),
        "string_trim" | "trim" => one(value.trim().to_owned()),
        "string_replace" | "replace" => {
            let find = args.required(&["p_string_find", "param_find", "find"], "p_string_find")?;
            let with = args
                .one(&["p_string_replace", "param_replace", "replace"])
                .unwrap_or("");
            if find.is_empty() {
                one(value.to_owned())
            } else {
                one(value.replace(find, with))
            }
        }
        "string_split" | "split" => {
            let sep = args.required(
                &["p_string_sep", "param_sep", "sep", "separator"],
                "p_string_sep",
            )?;
            if sep.is_empty() {
                one(value.to_owned())
            } else {
                value
                    .split(sep)
                    .filter(|s| !s.is_empty())
                    .map(Val::plain)
                    .collect()
            }
        }
        "string_contains" | "contains" => boolean(
            value.contains(args.required(&["p_string_sub", "param_sub", "sub"], "p_string_sub")?),
        ),
        "string_startsWith" | "startsWith" => boolean(
            value
                .starts_with(args.required(&["p_string_sub", "param_sub", "sub"], "p_string_sub")?),
        ),
        "string_endsWith" | "endsWith" => boolean(
            value.ends_with(args.required(&["p_string_sub", "param_sub", "sub"], "p_string_sub")?),
        ),
        "array_join" | "join" => {
            let sep = args
                .one(&["p_string_sep", "param_sep", "sep", "separator"])
                .unwrap_or("");
            let parts = args
                .all(&["p_array_a", "param_a", "valueParameter", "list"])
                .unwrap_or(&[]);
            if parts.is_empty() {
                Vec::new()
            } else {
                one(parts
                    .iter()
                    .map(|v| v.text.as_str())
                    .collect::<Vec<_>>()
                    .join(sep))
            }
        }
        "string_length" | "length" => vec![Val {
            text: value.chars().count().to_string(),
            datatype: Some(XSD_INTEGER),
        }],
        "string_substring" | "string_sub" | "substring" => {
            let from: usize = args
                .one(&["p_int_i_from", "param_int_i_from", "from"])
                .unwrap_or("0")
                .trim()
                .parse()
                .map_err(|_| "p_int_i_from is not a number".to_owned())?;
            let to = match args.one(&["p_int_i_opt_to", "param_int_i_opt_to", "to"]) {
                Some(t) => Some(
                    t.trim()
                        .parse::<usize>()
                        .map_err(|_| "p_int_i_opt_to is not a number".to_owned())?,
                ),
                None => None,
            };
            let chars: Vec<char> = value.chars().collect();
            let to = to.unwrap_or(chars.len()).min(chars.len());
            one(chars.get(from.min(to)..to).unwrap_or(&[]).iter().collect())
        }
        "toNumber" | "string_toNumber" => {
            let t = value.trim().replace(',', ".");
            if t.parse::<i64>().is_ok() {
                vec![Val {
                    text: t.trim_start_matches('+').to_owned(),
                    datatype: Some(XSD_INTEGER),
                }]
            } else if t.parse::<f64>().is_ok() {
                vec![Val {
                    text: t,
                    datatype: Some(XSD_DOUBLE),
                }]
            } else {
                return Err(format!(
                    "{:?} is not a number",
                    clip(value, MESSAGE_VALUE_CHARS)
                ));
            }
        }
        "concat" | "string_concat" => {
            const A: &[&str] = &["str", "valueParameter", "p_string_a"];
            const B: &[&str] = &["otherStr", "p_string_b", "valueParameter2"];
            // An input given but null (an empty cell) gives no value, as a template over it
            // makes no term: `id/person/` and the slug of an empty name is no person's IRI.
            if [A, B]
                .iter()
                .any(|names| args.all(names).is_some_and(<[Val]>::is_empty))
            {
                return Ok(Vec::new());
            }
            let a = args.one(A).unwrap_or("");
            let b = args.one(B).unwrap_or("");
            let d = args.one(&["delimiter", "p_string_sep"]).unwrap_or("");
            one(format!("{a}{d}{b}"))
        }
        "normalizeDate" | "toDate" => {
            let pattern = args.required(&["pattern", "p_string_format", "format"], "pattern")?;
            one(parse_date(value, pattern, false)?)
        }
        "normalizeDateTime" => {
            let pattern = args.required(&["pattern", "p_string_format", "format"], "pattern")?;
            one(parse_date(value, pattern, true)?)
        }
        "isNull" => boolean(args.value().is_none_or(str::is_empty)),
        "isNotNull" => boolean(args.value().is_some_and(|v| !v.is_empty())),
        "boolean_not" | "not" => {
            boolean(args.one(&["bool_b", "valueParameter", "b"]) != Some("true"))
        }
        "equal" => boolean(
            args.one(&["valueParameter", "str"]) == args.one(&["valueParameter2", "otherStr"]),
        ),
        "notEqual" => boolean(
            args.one(&["valueParameter", "str"]) != args.one(&["valueParameter2", "otherStr"]),
        ),
        "trueCondition" => {
            if args.one(&["strBoolean", "bool_b"]) == Some("true") {
                args.all(&["str", "valueParameter"])
                    .map(<[Val]>::to_vec)
                    .unwrap_or_default()
            } else {
                Vec::new()
            }
        }
        "slugify" => one(kulturnetz_model::slug(value)),
        "escape" | "string_escape" => {
            let mut s = String::new();
            crate::template::iri_safe(value, &mut s);
            one(s)
        }
        "array_get" | "get" => {
            let i: usize = args
                .one(&["p_int_i_from", "index"])
                .unwrap_or("0")
                .trim()
                .parse()
                .map_err(|_| "the index is not a number".to_owned())?;
            args.all(&["p_array_a", "valueParameter"])
                .and_then(|a| a.get(i))
                .cloned()
                .into_iter()
                .collect()
        }
        "toIRI" => one(value.to_owned()),
        _ => return Err(format!("the function <{function}> is not known")),
    })
}

fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c.is_whitespace();
    }
    out
}

/// Reads `value` by a Java-style `pattern` (`dd.MM.yyyy`, `yyyy-MM-dd HH:mm`) and writes it as
/// an XSD date (or date-time). Two-digit years are in 2000–2099.
fn parse_date(value: &str, pattern: &str, time: bool) -> Result<String, String> {
    let (mut y, mut mo, mut d, mut h, mut mi, mut s) = (None, None, None, 0, 0, 0);
    let v: Vec<char> = value.trim().chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    let (mut i, mut j) = (0, 0);
    let bad = || {
        format!(
            "{:?} does not match the date pattern {pattern:?}",
            clip(value, MESSAGE_VALUE_CHARS)
        )
    };
    while j < p.len() {
        let c = p[j];
        let mut run = 1;
        while j + run < p.len() && p[j + run] == c {
            run += 1;
        }
        if matches!(c, 'y' | 'M' | 'd' | 'H' | 'm' | 's') {
            let max = if c == 'y' && run != 2 { 4 } else { 2 };
            let start = i;
            while i < v.len() && v[i].is_ascii_digit() && i - start < max {
                i += 1;
            }
            if i == start {
                return Err(bad());
            }
            let n: u32 = v[start..i]
                .iter()
                .collect::<String>()
                .parse()
                .map_err(|_| bad())?;
            match c {
                'y' => y = Some(if i - start == 2 { 2000 + n } else { n }),
                'M' => mo = Some(n),
                'd' => d = Some(n),
                'H' => h = n,
                'm' => mi = n,
                _ => s = n,
            }
        } else {
            for _ in 0..run {
                if v.get(i) != Some(&c) {
                    return Err(bad());
                }
                i += 1;
            }
        }
        j += run;
    }
    let (Some(y), Some(mo), Some(d)) = (y, mo, d) else {
        return Err(bad());
    };
    if i != v.len()
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
        || h > 23
        || mi > 59
        || s > 60
    {
        return Err(bad());
    }
    Ok(if time {
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")
    } else {
        format!("{y:04}-{mo:02}-{d:02}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: &str, inputs: &[(&str, &[&str])]) -> Result<Vec<String>, String> {
        let inputs: Vec<(String, Vec<Val>)> = inputs
            .iter()
            .map(|(p, v)| {
                (
                    format!("{GREL}{p}"),
                    v.iter().map(|s| Val::plain(*s)).collect(),
                )
            })
            .collect();
        call(&format!("{GREL}{f}"), &Args::new(&inputs))
            .map(|v| v.into_iter().map(|v| v.text).collect())
    }

    #[test]
    fn grel_string_functions() {
        assert_eq!(
            run("toUpperCase", &[("valueParameter", &["Jena"])]).unwrap(),
            ["JENA"]
        );
        assert_eq!(
            run("string_trim", &[("valueParameter", &["  a "])]).unwrap(),
            ["a"]
        );
        assert_eq!(
            run(
                "string_replace",
                &[
                    ("valueParameter", &["a b c"]),
                    ("p_string_find", &[" "]),
                    ("p_string_replace", &["-"])
                ]
            )
            .unwrap(),
            ["a-b-c"]
        );
        assert_eq!(
            run(
                "string_split",
                &[("valueParameter", &["a;b"]), ("p_string_sep", &[";"])]
            )
            .unwrap(),
            ["a", "b"]
        );
        assert_eq!(
            run(
                "array_join",
                &[("p_array_a", &["a", "b"]), ("p_string_sep", &[", "])]
            )
            .unwrap(),
            ["a, b"]
        );
        assert_eq!(
            run(
                "string_contains",
                &[("valueParameter", &["Museum"]), ("p_string_sub", &["use"])]
            )
            .unwrap(),
            ["true"]
        );
        assert_eq!(
            run("toNumber", &[("valueParameter", &["3,5"])]).unwrap(),
            ["3.5"]
        );
        assert!(run("toNumber", &[("valueParameter", &["drei"])]).is_err());
        assert_eq!(run("toUpperCase", &[]).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn concat_of_a_null_input_is_no_value() {
        let concat = |b: &[&str]| {
            run(
                "string_concat",
                &[("valueParameter", &["id/person/"]), ("valueParameter2", b)],
            )
        };
        assert_eq!(concat(&["ada"]).unwrap(), ["id/person/ada"]);
        // The second input is given, by reference to an empty cell: no value, so no IRI.
        assert_eq!(concat(&[]).unwrap(), Vec::<String>::new());
        // An input not given at all is the empty string.
        assert_eq!(
            run("string_concat", &[("valueParameter", &["a"])]).unwrap(),
            ["a"]
        );
    }

    #[test]
    fn dates_by_pattern() {
        assert_eq!(
            parse_date("24.11.25", "dd.MM.yy", false).unwrap(),
            "2025-11-24"
        );
        assert_eq!(
            parse_date("2019-1-5 9:30", "yyyy-M-d H:mm", true).unwrap(),
            "2019-01-05T09:30:00"
        );
        assert!(parse_date("1903 (um)", "yyyy", false).is_err());
        assert!(parse_date("31.13.2020", "dd.MM.yyyy", false).is_err());
    }

    #[test]
    fn unknown_functions_are_known_as_such() {
        assert!(is_known(&format!("{GREL}toUpperCase")));
        assert!(!is_known("http://example.com/frobnicate"));
    }
}
