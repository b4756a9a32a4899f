//! Text from inputs as RDF terms: whitespace, language tags and IRIs written by people
//! (<https://www.w3.org/TR/rdf11-concepts/#section-Graph-Literal>).

use kulturnetz_model::text::{MESSAGE_VALUE_CHARS, clip};
use oxrdf::{Literal, NamedNode};

/// Whitespace runs (new lines included) collapsed to one space, trimmed; `None` if empty.
pub(crate) fn clean(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    (!out.is_empty()).then_some(out)
}

/// An IRI from input text, if it is an absolute `http`, `https` or `urn` IRI once trimmed.
///
/// This is the one rule for IRIs taken from input values (`url`, `website`, `sameAs`, an id
/// that is a URI, …) in every connector: a value that is not such an IRI (relative, with
/// spaces, another scheme) is never written as an IRI; the term it would fill is left out.
pub(crate) fn web_iri(text: &str) -> Option<NamedNode> {
    let text = text.trim();
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("urn:"))
    {
        return None;
    }
    NamedNode::new(text).ok()
}

/// `value` quoted for a message, cut to [`MESSAGE_VALUE_CHARS`] characters, so that a huge bad
/// token is not repeated whole.
pub(crate) fn quoted(value: &str) -> String {
    format!("{:?}", clip(value, MESSAGE_VALUE_CHARS))
}

/// A parser's message (which may quote the input) cut so that it repeats at most about
/// [`MESSAGE_VALUE_CHARS`] characters of a value.
pub(crate) fn clip_message(message: &str) -> String {
    clip(message, 2 * MESSAGE_VALUE_CHARS).into_owned()
}

/// A literal in `lang` if that is a valid language tag, else a plain string.
pub(crate) fn lang_literal(value: &str, lang: Option<&str>) -> Literal {
    match lang
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .and_then(language_tag)
    {
        Some(tag) => Literal::new_language_tagged_literal_unchecked(value, tag),
        None => Literal::new_simple_literal(value),
    }
}

/// `tag` in lower case if it is a well-formed BCP 47 language tag
/// (<https://www.rfc-editor.org/rfc/rfc5646>), as RDF literals take it.
pub(crate) fn language_tag(tag: &str) -> Option<String> {
    // oxrdf checks the tag only while building a literal: one of no text costs nothing to copy.
    let literal = Literal::new_language_tagged_literal(String::new(), tag).ok()?;
    literal.language().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_collapses_whitespace() {
        assert_eq!(clean("  a\n\t b  ").as_deref(), Some("a b"));
        assert_eq!(clean(" \n "), None);
    }

    #[test]
    fn web_iris_only() {
        assert!(web_iri(" https://d-nb.info/gnd/4168515-5 ").is_some());
        assert!(web_iri("I11.jpg").is_none());
        assert!(web_iri("http://a b").is_none());
        assert!(web_iri("").is_none());
    }

    #[test]
    fn bad_language_tags_give_plain_strings() {
        assert_eq!(lang_literal("x", Some("de")).language(), Some("de"));
        assert_eq!(lang_literal("x", Some("not a tag")).language(), None);
        assert_eq!(language_tag("de-CH").as_deref(), Some("de-ch"));
        assert_eq!(language_tag("..."), None);
    }
}
