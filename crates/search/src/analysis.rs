//! How text becomes index terms, and a query the terms it looks for (docs/search.md, "Analysis").
//!
//! A word is folded (lower case, diacritics removed: "Straße" → "strasse", "Café" → "cafe"; a
//! German umlaut also as its two-letter spelling, "Müller" → "muller" and "mueller") and
//! stemmed by the Snowball stemmer of its literal's language (`@de` German, `@en` English, no
//! tag or another one both), each stem prefixed by its language (`de:`, `en:`) so the two
//! languages' stems never meet. The folded surface forms go to fields of their own, forwards
//! and reversed, so that a query word also finds the compounds it begins or ends
//! ("Porzellan" → "Porzellanmalerei", "Hartporzellan").

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer, TokenStream,
};

/// The language a literal is analysed in, from its tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    German,
    English,
    /// No tag, or one with no stemmer here: analysed as both.
    Both,
}

impl Lang {
    pub(crate) fn of_tag(tag: Option<&str>) -> Self {
        let primary = tag
            .map(|t| t.split('-').next().unwrap_or(t).to_ascii_lowercase())
            .unwrap_or_default();
        match primary.as_str() {
            "de" | "gsw" => Self::German,
            "en" => Self::English,
            _ => Self::Both,
        }
    }

    fn german(self) -> bool {
        self != Self::English
    }

    fn english(self) -> bool {
        self != Self::German
    }
}

/// Words shorter than this do not find the compounds they begin or end: "Ei" would find half
/// the dictionary.
pub(crate) const MIN_COMPOUND_PART: usize = 4;

/// Words that a query drops: they would match nearly every document.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "am", "an", "auf", "das", "dem", "den", "der", "des", "die", "ein", "eine",
    "einer", "for", "fur", "fuer", "im", "in", "mit", "of", "oder", "on", "the", "to", "und",
    "von", "vom", "with", "zu", "zum", "zur",
];

/// The analysers, built once and cloned where text is analysed.
#[derive(Clone)]
pub(crate) struct Analyzers {
    fold: TextAnalyzer,
    german: TextAnalyzer,
    english: TextAnalyzer,
}

impl Default for Analyzers {
    fn default() -> Self {
        let fold = || {
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
        };
        Self {
            fold: fold().build(),
            german: fold().filter(Stemmer::new(Language::German)).build(),
            english: fold().filter(Stemmer::new(Language::English)).build(),
        }
    }
}

/// The terms of a text for the index.
#[derive(Debug, Default)]
pub(crate) struct Terms {
    /// Language-prefixed stems, one a word and language (and spelling of an umlaut).
    pub(crate) stems: Vec<String>,
    /// Folded words.
    pub(crate) words: Vec<String>,
    /// Folded words, reversed.
    pub(crate) reversed: Vec<String>,
}

/// One query word: what it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryWord {
    /// Any of these stems.
    pub(crate) stems: Vec<String>,
    /// Folded spellings (compounds begin or end with one); empty for short words.
    pub(crate) parts: Vec<String>,
}

impl Analyzers {
    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    /// The text's spellings: itself, and with umlauts as two letters if it has any.
    fn spellings(text: &str) -> Vec<std::borrow::Cow<'_, str>> {
        let mut out = vec![std::borrow::Cow::Borrowed(text)];
        if text.contains(['ä', 'ö', 'ü', 'Ä', 'Ö', 'Ü']) {
            let mut two = String::with_capacity(text.len() + 4);
            for c in text.chars() {
                match c {
                    'ä' => two.push_str("ae"),
                    'ö' => two.push_str("oe"),
                    'ü' => two.push_str("ue"),
                    'Ä' => two.push_str("Ae"),
                    'Ö' => two.push_str("Oe"),
                    'Ü' => two.push_str("Ue"),
                    c => two.push(c),
                }
            }
            out.push(std::borrow::Cow::Owned(two));
        }
        out
    }

    /// Adds the terms of `text` in `lang` to `terms`.
    pub(crate) fn index(&self, text: &str, lang: Lang, terms: &mut Terms) {
        let mut this = self.clone();
        for spelling in Self::spellings(text) {
            let words = Self::tokens(&mut this.fold, &spelling);
            if lang.german() {
                let stems = Self::tokens(&mut this.german, &loan_plurals(&spelling));
                terms
                    .stems
                    .extend(stems.into_iter().map(|s| format!("de:{s}")));
            }
            if lang.english() {
                let stems = Self::tokens(&mut this.english, &spelling);
                terms
                    .stems
                    .extend(stems.into_iter().map(|s| format!("en:{s}")));
            }
            terms
                .reversed
                .extend(words.iter().map(|w| w.chars().rev().collect::<String>()));
            terms.words.extend(words);
        }
    }

    /// The words of a query, each with what it matches; stop words are left out unless the
    /// query has nothing else.
    pub(crate) fn query(&self, text: &str) -> Vec<QueryWord> {
        let mut this = self.clone();
        let mut out: Vec<QueryWord> = Vec::new();
        let raw: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        for word in &raw {
            let mut q = QueryWord {
                stems: Vec::new(),
                parts: Vec::new(),
            };
            for spelling in Self::spellings(word) {
                for folded in Self::tokens(&mut this.fold, &spelling) {
                    if folded.chars().count() >= MIN_COMPOUND_PART && !q.parts.contains(&folded) {
                        q.parts.push(folded);
                    }
                }
                for s in Self::tokens(&mut this.german, &loan_plurals(&spelling)) {
                    push_new(&mut q.stems, format!("de:{s}"));
                }
                for s in Self::tokens(&mut this.english, &spelling) {
                    push_new(&mut q.stems, format!("en:{s}"));
                }
            }
            if !q.stems.is_empty() && !out.contains(&q) {
                out.push(q);
            }
        }
        let content: Vec<QueryWord> = out
            .iter()
            .filter(|q| {
                !q.parts.is_empty() || !q.stems.iter().all(|s| STOP_WORDS.contains(&&s[3..]))
            })
            .cloned()
            .collect();
        if content.is_empty() { out } else { content }
    }

    /// Whether `word` (as written in a text) matches one of `query`'s words.
    pub(crate) fn matches(&self, word: &str, query: &[QueryWord]) -> bool {
        let mut terms = Terms::default();
        self.index(word, Lang::Both, &mut terms);
        query.iter().any(|q| {
            q.stems.iter().any(|s| terms.stems.contains(s))
                || q.parts.iter().any(|p| {
                    terms
                        .words
                        .iter()
                        .any(|w| w.starts_with(p.as_str()) || w.ends_with(p.as_str()))
                })
        })
    }

    /// A passage of `text` around its first match of `query`, at most about `max_chars` long,
    /// HTML-escaped, each matching word in `<b>…</b>`; `None` if no word matches.
    pub(crate) fn snippet(
        &self,
        text: &str,
        query: &[QueryWord],
        max_chars: usize,
    ) -> Option<String> {
        let words: Vec<(usize, usize)> = word_spans(text);
        let hits: Vec<bool> = words
            .iter()
            .map(|&(s, e)| self.matches(&text[s..e], query))
            .collect();
        let first = hits.iter().position(|h| *h)?;
        // Start a few words before the first match, on a word's start.
        let mut start = words[first.saturating_sub(6)].0;
        if first < 6 {
            start = 0;
        }
        let mut end = text.len();
        if end - start > max_chars {
            end = words
                .iter()
                .map(|w| w.1)
                .take_while(|&e| e - start <= max_chars)
                .last()
                .unwrap_or(words[first].1)
                .max(words[first].1);
        }
        let mut out = String::new();
        if start > 0 {
            out.push('…');
        }
        let mut at = start;
        for (i, &(s, e)) in words.iter().enumerate() {
            if s < start || e > end {
                continue;
            }
            escape(&text[at..s], &mut out);
            if hits[i] {
                out.push_str("<b>");
                escape(&text[s..e], &mut out);
                out.push_str("</b>");
            } else {
                escape(&text[s..e], &mut out);
            }
            at = e;
        }
        escape(&text[at..end], &mut out);
        if end < text.len() {
            out.push('…');
        }
        Some(out)
    }
}

/// Latin and Greek loan words in German form their plural with "-en" in place of "-um"
/// (Museum, Museen; Zentrum, Zentren; Studium, Studien), which the Snowball stemmer does not
/// know. Before stemming, a word ending in "-eum", "-ium" or "-rum" is written in its plural,
/// on both sides (index and query), so both forms stem alike. "-tum" is left alone: those
/// words are German (Eigentum, Irrtum).
fn loan_plurals(text: &str) -> std::borrow::Cow<'_, str> {
    let spans = word_spans(text);
    let is_loan = |w: &str| {
        let lower = w.to_lowercase();
        lower.chars().count() >= 6
            && (lower.ends_with("eum") || lower.ends_with("ium") || lower.ends_with("rum"))
    };
    if !spans.iter().any(|&(s, e)| is_loan(&text[s..e])) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in spans {
        let word = &text[s..e];
        out.push_str(&text[at..s]);
        if is_loan(word) {
            out.push_str(&word[..word.len() - 2]);
            out.push_str("en");
        } else {
            out.push_str(word);
        }
        at = e;
    }
    out.push_str(&text[at..]);
    std::borrow::Cow::Owned(out)
}

fn push_new(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// The byte ranges of the words of `text` (runs of letters and digits).
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(query: &str, text: &str, lang: Lang) -> bool {
        let a = Analyzers::default();
        let mut terms = Terms::default();
        a.index(text, lang, &mut terms);
        a.query(query).iter().all(|q| {
            q.stems.iter().any(|s| terms.stems.contains(s))
                || q.parts
                    .iter()
                    .any(|p| terms.words.iter().any(|w| w.starts_with(p.as_str())))
                || q.parts.iter().any(|p| {
                    let r: String = p.chars().rev().collect();
                    terms.reversed.iter().any(|w| w.starts_with(r.as_str()))
                })
        })
    }

    #[test]
    fn german_and_english_cases() {
        assert!(finds("Strasse", "Straße der Einheit", Lang::German));
        assert!(finds("Straße", "Strasse des Friedens", Lang::German));
        assert!(finds("Museen", "Museum für Naturkunde", Lang::German));
        assert!(finds("Museum", "Museen der Stadt", Lang::German));
        assert!(finds("Zentren", "Zentrum für Kultur", Lang::German));
        assert!(finds("Gymnasium", "Gymnasien", Lang::Both));
        assert!(finds("Porzellan", "Porzellanmalerei", Lang::German));
        assert!(finds("porzellan", "Meissener Hartporzellan", Lang::German));
        assert!(finds("Mueller", "Müllerhaus", Lang::Both));
        assert!(finds("Muller", "Müller", Lang::Both));
        assert!(finds("libraries", "City Library", Lang::English));
        assert!(finds("painting", "Paintings of the Bauhaus", Lang::English));
        assert!(finds("cafe", "Café Résidence", Lang::Both));
        assert!(!finds("Kirche", "Museum für Naturkunde", Lang::German));
    }

    #[test]
    fn snippets_mark_matches() {
        let a = Analyzers::default();
        let q = a.query("Porzellan");
        assert_eq!(
            a.snippet("Die <Porzellanmalerei> in Kahla", &q, 200)
                .as_deref(),
            Some("Die &lt;<b>Porzellanmalerei</b>&gt; in Kahla")
        );
        assert_eq!(a.snippet("nichts hier", &q, 200), None);
    }
}
