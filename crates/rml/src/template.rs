//! String templates (`"http://example.org/{id}/{name}"`) and the IRI-safe percent-encoding of
//! the values put into them (<https://w3id.org/rml/core/spec#template-map>).

/// One part of a template: literal text, or a reference whose value is put in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    Text(String),
    Reference(String),
}

/// Parses a template: `{` and `}` delimit references, `\{`, `\}` and `\\` stand for themselves.
pub(crate) fn parse(template: &str) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut in_reference = false;
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('{' | '}' | '\\')) => current.push(e),
                Some(e) => {
                    return Err(format!(
                        "invalid template {template:?}: \\{e} is not an escape (only \\{{, \\}} and \\\\ are)"
                    ));
                }
                None => return Err(format!("invalid template {template:?}: it ends with \\")),
            },
            '{' if in_reference => {
                return Err(format!(
                    "invalid template {template:?}: {{ inside a reference (escape it as \\{{)"
                ));
            }
            '{' => {
                if !current.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut current)));
                }
                in_reference = true;
            }
            '}' if in_reference => {
                if current.is_empty() {
                    return Err(format!(
                        "invalid template {template:?}: empty reference {{}}"
                    ));
                }
                parts.push(Part::Reference(std::mem::take(&mut current)));
                in_reference = false;
            }
            '}' => {
                return Err(format!(
                    "invalid template {template:?}: }} without {{ (escape it as \\}})"
                ));
            }
            c => current.push(c),
        }
    }
    if in_reference {
        return Err(format!("invalid template {template:?}: a {{ is not closed"));
    }
    if !current.is_empty() {
        parts.push(Part::Text(current));
    }
    Ok(parts)
}

/// Percent-encodes every character that is not `iunreserved` (RFC 3987), as RML asks for values
/// put into IRI templates.
pub(crate) fn iri_safe(value: &str, out: &mut String) {
    for c in value.chars() {
        if is_iunreserved(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Whether every IRI that the template makes is valid, whatever its values, once they are put in
/// with [`iri_safe`]: then it need not be checked record by record.
///
/// That holds when the text before the first reference is an absolute IRI up to the end of its
/// authority (`http://example.org/`), the template with empty values is a valid IRI, and no `%`
/// in its text waits for a value to complete it. The values then go into the path, query or
/// fragment, where any run of unreserved characters and `%XX` is allowed, and they hold none of
/// the characters that end one of those parts (`/`, `?`, `#`): the template's text alone fixes
/// the structure, and the IRI with empty values has shown that structure valid.
pub(crate) fn makes_valid_iris(parts: &[Part]) -> bool {
    let Some(Part::Text(first)) = parts.first() else {
        return false;
    };
    let Some((scheme, rest)) = first.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let authority_ends = rest
        .strip_prefix("//")
        .is_some_and(|a| a.contains(['/', '?', '#']));
    if !scheme_ok || !authority_ends {
        return false;
    }
    let mut empty = String::new();
    for part in parts {
        if let Part::Text(t) = part {
            let complete = t.match_indices('%').all(|(i, _)| {
                t.as_bytes()
                    .get(i + 1..i + 3)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
            });
            if !complete {
                return false;
            }
            empty.push_str(t);
        }
    }
    oxiri::Iri::parse(empty.as_str()).is_ok()
}

/// The IRI that a template starting with text makes with `0` for each reference, if that is not
/// a valid IRI (relative ones resolved against an example base): its fixed text is then wrong
/// whatever the values, as in `http://example.org/{id} x`. Templates that start with a reference
/// are left to the values, and so to the check of each record.
pub(crate) fn invalid_fixed_text(parts: &[Part]) -> Option<String> {
    let Some(Part::Text(_)) = parts.first() else {
        return None;
    };
    let mut iri = String::new();
    for part in parts {
        match part {
            Part::Text(t) => iri.push_str(t),
            Part::Reference(_) => iri.push('0'),
        }
    }
    let base = oxiri::Iri::parse(crate::DEFAULT_BASE_IRI).ok()?;
    match base.resolve(&iri) {
        Ok(resolved) if oxiri::Iri::parse(resolved.as_str()).is_ok() => None,
        _ => Some(iri),
    }
}

fn is_iunreserved(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '-' | '.' | '_' | '~')
        || matches!(c as u32,
            0xA0..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFEF
            | 0x10000..=0x1FFFD | 0x20000..=0x2FFFD | 0x30000..=0x3FFFD
            | 0x40000..=0x4FFFD | 0x50000..=0x5FFFD | 0x60000..=0x6FFFD
            | 0x70000..=0x7FFFD | 0x80000..=0x8FFFD | 0x90000..=0x9FFFD
            | 0xA0000..=0xAFFFD | 0xB0000..=0xBFFFD | 0xC0000..=0xCFFFD
            | 0xD0000..=0xDFFFD | 0xE1000..=0xEFFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_escapes() {
        assert_eq!(
            parse(r"http://ex.org/{a}/\{x\}/{$['\{N\}']}").unwrap(),
            vec![
                Part::Text("http://ex.org/".into()),
                Part::Reference("a".into()),
                Part::Text("/{x}/".into()),
                Part::Reference("$['{N}']".into()),
            ]
        );
    }

    #[test]
    fn invalid_templates_say_why() {
        assert!(
            parse("http://ex.org/{{Name}}")
                .unwrap_err()
                .contains("inside a reference")
        );
        assert!(
            parse(r"http://ex.org/{N\ame}")
                .unwrap_err()
                .contains("not an escape")
        );
        assert!(
            parse(r"http://ex.org/{Name\}")
                .unwrap_err()
                .contains("not closed")
        );
        assert!(parse("a}").is_err());
        assert!(parse("{}").is_err());
    }

    #[test]
    fn templates_that_always_make_valid_iris() {
        let valid = |t: &str| makes_valid_iris(&parse(t).unwrap());
        assert!(valid("http://ex.org/{a}"));
        assert!(valid("https://ex.org:8080/id/{a}/{b}.html?x={c}&y=%20#{d}"));
        assert!(valid("http://ex.org?{a}"));
        assert!(valid("http://[::1]/{a}"));
        // A value could end the authority, or be the scheme, the host or the port.
        assert!(!valid("http://ex.org{a}"));
        assert!(!valid("{a}://ex.org/"));
        assert!(!valid("http://{a}/x"));
        assert!(!valid("http://ex.org:{a}/"));
        // Relative, or without an authority: the base or the values decide.
        assert!(!valid("/id/{a}"));
        assert!(!valid("urn:isbn:{a}"));
        // Text that is not valid with any value, or that a value completes.
        assert!(!valid("http://ex.org/{a} b"));
        assert!(!valid("http://ex.org/{a}#x#y"));
        assert!(!valid("http://ex.org/%{a}"));
        assert!(!valid("http://ex.org/%2{a}"));
        assert!(valid("http://ex.org/"));
    }

    proptest::proptest! {
        /// A template judged to make valid IRIs makes them with any values.
        #[test]
        fn judged_templates_make_valid_iris(
            first in proptest::sample::select(vec![
                "http://ex.org/", "http://ex.org", "https://a.b:80/x?", "http://ex.org/a#",
                "http://ex.org/%", "urn:a:", "/",
            ]),
            texts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "/", "?", "#", "%", "%4", "%41", "a=", "&", " ", "[", "]", "@", ":", "ü", "",
                ]),
                0..4,
            ),
            values in proptest::collection::vec(".*", 4),
        ) {
            let mut parts = vec![Part::Text(first.to_owned()), Part::Reference("r".into())];
            for t in &texts {
                if !t.is_empty() {
                    parts.push(Part::Text((*t).to_owned()));
                }
                parts.push(Part::Reference("r".into()));
            }
            if makes_valid_iris(&parts) {
                let mut iri = String::new();
                for (i, p) in parts.iter().enumerate() {
                    match p {
                        Part::Text(t) => iri.push_str(t),
                        Part::Reference(_) => iri_safe(&values[i % values.len()], &mut iri),
                    }
                }
                proptest::prop_assert!(oxiri::Iri::parse(iri.as_str()).is_ok(), "{iri:?}");
            }
        }
    }

    #[test]
    fn fixed_text_that_no_value_makes_an_iri() {
        let invalid = |t: &str| invalid_fixed_text(&parse(t).unwrap());
        assert_eq!(invalid("http://ex.org/{a}"), None);
        assert_eq!(invalid("person/{a}"), None);
        assert_eq!(invalid("http://{host}:{port}/x"), None);
        assert_eq!(invalid("{a}"), None);
        assert_eq!(
            invalid("http://ex.org/{a} b").as_deref(),
            Some("http://ex.org/0 b")
        );
        assert!(invalid("http://ex.org/{a}#x#y").is_some());
        assert!(invalid("<{a}>").is_some());
    }

    #[test]
    fn iri_safe_keeps_unreserved_and_encodes_the_rest() {
        let mut s = String::new();
        iri_safe("Müller & Söhne/1 ~x", &mut s);
        assert_eq!(s, "Müller%20%26%20Söhne%2F1%20~x");
    }
}
