//! Parsing SPARQL (<https://www.w3.org/TR/sparql11-query/#grammar>) within limits that keep a
//! hostile query from exhausting the stack.
//!
//! The parser and the evaluator recurse over a query's structure, so a deep enough nesting would
//! overflow the stack and abort the process. Three limits stop that before it happens: bracket
//! nesting and operator count are checked on the text, before parsing; the depth of the parsed
//! algebra is checked before evaluation. No real query comes near any of them.

use crate::error::{Operation, SparqlError};
use spargebra::{Query, SparqlParser, Update};

/// The deepest nesting of brackets (`(`, `{`, `[`) a query or update may have.
pub const MAX_NESTING: usize = 256;

/// The most operator characters (`+ - * / | ^ & = ! < >`) outside strings, IRIs and comments
/// that a query or update may have. The parser recurses once per operator of a chain such as
/// `1+1+…` or `:p/:p/…`; this bounds that recursion before parsing. A real query has a few dozen.
pub const MAX_OPERATORS: usize = 20_000;

/// The deepest algebra a query or update may have. Long operator chains (`1+1+…`,
/// `<p>/<p>/…`, `{…} UNION {…} UNION …`) nest one level per operator.
pub const MAX_DEPTH: usize = 1000;

/// Parses `text` as a query within the limits, resolving relative IRIs against `base_iri`.
pub fn parse_query(text: &str, base_iri: Option<&str>) -> Result<Query, SparqlError> {
    check_text(Operation::Query, text)?;
    let query = parser(base_iri)?
        .parse_query(text)
        .map_err(|e| SparqlError::syntax(Operation::Query, &e))?;
    check_depth(
        Operation::Query,
        crate::visit::query_depth(&query, MAX_DEPTH),
    )?;
    Ok(query)
}

/// Parses `text` as an update within the limits, resolving relative IRIs against `base_iri`.
pub fn parse_update(text: &str, base_iri: Option<&str>) -> Result<Update, SparqlError> {
    check_text(Operation::Update, text)?;
    let update = parser(base_iri)?
        .parse_update(text)
        .map_err(|e| SparqlError::syntax(Operation::Update, &e))?;
    check_depth(
        Operation::Update,
        crate::visit::update_depth(&update, MAX_DEPTH),
    )?;
    Ok(update)
}

fn parser(base_iri: Option<&str>) -> Result<SparqlParser, SparqlError> {
    let parser = SparqlParser::new();
    match base_iri {
        Some(base) => parser
            .with_base_iri(base)
            .map_err(|e| SparqlError::BaseIri(format!("{base:?} is not a valid base IRI: {e}"))),
        None => Ok(parser),
    }
}

fn check_depth(operation: Operation, depth: usize) -> Result<(), SparqlError> {
    if depth > MAX_DEPTH {
        return Err(SparqlError::TooDeep {
            operation,
            limit: MAX_DEPTH,
        });
    }
    Ok(())
}

/// Refuses text whose brackets nest deeper than [`MAX_NESTING`] or that has more than
/// [`MAX_OPERATORS`] operators. Brackets and operators inside strings, IRIs and comments do not
/// count.
pub fn check_text(operation: Operation, text: &str) -> Result<(), SparqlError> {
    let bytes = text.as_bytes();
    let (mut depth, mut line, mut i) = (0_usize, 1_u64, 0);
    let mut operators = 0_usize;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => line += 1,
            b'<' if bytes
                .get(i + 1)
                .is_some_and(|c| !c.is_ascii_whitespace() && *c != b'=') =>
            {
                // An IRI reference runs to `>` without whitespace; otherwise `<` is an operator.
                let end = bytes[i + 1..]
                    .iter()
                    .position(|c| *c == b'>' || *c == b'<' || c.is_ascii_whitespace());
                match end.map(|e| i + 1 + e) {
                    Some(e) if bytes[e] == b'>' => {
                        i = e + 1;
                        continue;
                    }
                    _ => operators += 1,
                }
            }
            b'+' | b'-' | b'*' | b'/' | b'|' | b'^' | b'&' | b'=' | b'!' | b'<' | b'>' => {
                operators += 1;
                if operators > MAX_OPERATORS {
                    return Err(SparqlError::TooManyOperators {
                        operation,
                        limit: MAX_OPERATORS,
                        line,
                    });
                }
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            quote @ (b'"' | b'\'') => {
                let long = bytes[i..].starts_with(&[quote; 3]);
                i += if long { 3 } else { 1 };
                while i < bytes.len() {
                    if bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if long && bytes[i..].starts_with(&[quote; 3]) {
                        i += 3;
                        break;
                    }
                    if !long && bytes[i] == quote {
                        i += 1;
                        break;
                    }
                    if bytes[i] == b'\n' {
                        line += 1;
                        if !long {
                            break;
                        }
                    }
                    i += 1;
                }
                continue;
            }
            b'(' | b'{' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(SparqlError::NestedTooDeep {
                        operation,
                        limit: MAX_NESTING,
                        line,
                    });
                }
            }
            b')' | b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_limit_and_the_line() {
        let deep = format!(
            "SELECT * {{\n FILTER({}1{}) }}",
            "(".repeat(300),
            ")".repeat(300)
        );
        assert_eq!(
            parse_query(&deep, None).unwrap_err().to_string(),
            "the query nests brackets deeper than 256 levels (at line 2)"
        );
        let chain = format!("SELECT ({} AS ?x) {{}}", vec!["1"; 30_000].join("+"));
        assert!(
            parse_query(&chain, None)
                .unwrap_err()
                .to_string()
                .starts_with("the query has more than 20000 operators (at line 1)")
        );
        let unions = format!(
            "DELETE {{}} WHERE {{ {} }}",
            vec!["{?a ?b ?c}"; 1_200].join(" UNION ")
        );
        assert!(
            parse_update(&unions, None)
                .unwrap_err()
                .to_string()
                .starts_with("the update nests more than 1000 operations deep")
        );
        let syntax = parse_query("SELECT * {\n ?s ?p }", None)
            .unwrap_err()
            .to_string();
        assert!(
            syntax.starts_with("query syntax error at line 2, column 9: expected "),
            "{syntax}"
        );
    }

    #[test]
    fn brackets_in_strings_iris_and_comments_do_not_count() {
        let text = format!(
            "SELECT * {{ ?s ?p \"{}\" # {}\n FILTER(?p != <http://x.example/{}>) }}",
            "(".repeat(400),
            "[".repeat(400),
            "-".repeat(30_000)
        );
        assert!(check_text(Operation::Query, &text).is_ok());
    }

    #[test]
    fn relative_iris_resolve_against_the_base() {
        let query = parse_query("ASK { <a> ?p ?o }", Some("http://x.example/sparql")).unwrap();
        assert!(query.to_string().contains("<http://x.example/a>"));
        assert!(matches!(
            parse_query("ASK {}", Some("not a base")),
            Err(SparqlError::BaseIri(_))
        ));
    }
}
