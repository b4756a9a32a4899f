//! Text as it appears in messages: values cut to a readable length, and a hint for input that is
//! UTF-16 where UTF-8 was expected.

use std::borrow::Cow;

/// The most characters of one value that a message repeats; [`clip`] cuts longer values.
pub const MESSAGE_VALUE_CHARS: usize = 120;

/// `value` as a message shows it: whole if it has at most `max` characters, else its first
/// characters, an ellipsis and how long it was, so that a 1 MB bad token does not fill a terminal.
///
/// ```
/// use kulturnetz_model::text::clip;
///
/// assert_eq!(clip("short", 10), "short");
/// assert_eq!(clip("abcdefghijklmnop", 10), "abcdefghij… (16 characters)");
/// ```
pub fn clip(value: &str, max: usize) -> Cow<'_, str> {
    match value.char_indices().nth(max) {
        None => Cow::Borrowed(value),
        Some((end, _)) => {
            let total = value.chars().count();
            Cow::Owned(format!("{}… ({total} characters)", &value[..end]))
        }
    }
}

/// A hint if `bytes` (the start of an input) look like UTF-16: a byte-order mark, or NUL bytes
/// in every other place of ASCII text. `None` otherwise.
///
/// ```
/// use kulturnetz_model::text::utf16_hint;
///
/// assert!(utf16_hint(b"\xff\xfea\0b\0").is_some());
/// assert!(utf16_hint(b"a\0b\0c\0d\0").is_some());
/// assert!(utf16_hint("Straße".as_bytes()).is_none());
/// ```
pub fn utf16_hint(bytes: &[u8]) -> Option<&'static str> {
    const HINT: &str = "the file looks like UTF-16; convert it to UTF-8, e.g. \
                        `iconv -f UTF-16 -t UTF-8 IN > OUT`";
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Some(HINT);
    }
    let sample = &bytes[..bytes.len().min(512) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let nul_odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    let nul_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    // ASCII text in UTF-16 has a NUL in every other byte; UTF-8 text has none.
    (nul_odd.max(nul_even) * 10 >= pairs * 9 && nul_odd.min(nul_even) == 0).then_some(HINT)
}

/// The candidate nearest to `word`, if one is near enough to be what was meant (a typo, a
/// British spelling, another case): for "did you mean" in messages.
///
/// ```
/// use kulturnetz_model::text::did_you_mean;
///
/// let keys = ["license", "max_rejected", "title"];
/// assert_eq!(did_you_mean("licence", keys), Some("license"));
/// assert_eq!(did_you_mean("max_rejectd", keys), Some("max_rejected"));
/// assert_eq!(did_you_mean("colour", keys), None);
/// ```
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_lowercase()), c))
        .filter(|&(distance, c)| distance <= 1 + c.chars().count().max(word.chars().count()) / 4)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_counts_characters_not_bytes() {
        let long = "ä".repeat(200);
        let clipped = clip(&long, MESSAGE_VALUE_CHARS);
        assert!(clipped.starts_with(&"ä".repeat(MESSAGE_VALUE_CHARS)));
        assert!(clipped.ends_with("… (200 characters)"));
        assert_eq!(clip(&long, 200), long.as_str());
    }

    #[test]
    fn utf16_is_recognised_with_and_without_a_byte_order_mark() {
        let be: Vec<u8> = "name,ort\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        let le: Vec<u8> = "name,ort\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(utf16_hint(&be).is_some());
        assert!(utf16_hint(&le).is_some());
        assert!(utf16_hint(b"name,ort\nJena,07743\n").is_none());
        assert!(utf16_hint(b"").is_none());
    }
}
