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
    fn iri_safe_keeps_unreserved_and_encodes_the_rest() {
        let mut s = String::new();
        iri_safe("Müller & Söhne/1 ~x", &mut s);
        assert_eq!(s, "Müller%20%26%20Söhne%2F1%20~x");
    }
}
