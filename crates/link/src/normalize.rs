//! German name, street and postcode normalisation: what two spellings of one name have in
//! common once case, umlauts, ß, articles, legal forms, plurals and word order are set aside.

/// Words that say nothing about which institution is meant: articles, prepositions, legal forms.
const STOP_WORDS: &[&str] = &[
    "der", "die", "das", "des", "dem", "den", "ein", "eine", "im", "in", "am", "an", "auf", "zu",
    "zum", "zur", "und", "fuer", "von", "vom", "bei", "mit", "the", "of", "and", "ev", "gmbh",
    "ggmbh", "mbh", "ag", "kg", "gbr", "ug", "eg", "co",
];

/// Words so frequent in cultural names that a name of only these says nothing.
const GENERIC_WORDS: &[&str] = &[
    "museum",
    "heimatmuseum",
    "stadtmuseum",
    "galerie",
    "bibliothek",
    "stadtbibliothek",
    "theater",
    "kino",
    "kirche",
    "dorfkirche",
    "schloss",
    "burg",
    "kulturhaus",
    "haus",
    "saal",
    "berlin",
    "ausstellung",
    "sammlung",
    "heimatstube",
    "gedenkstaette",
    "verein",
    "zentrum",
    "dorfmuseum",
    "bauernmuseum",
    "kreismuseum",
    "regionalmuseum",
    "kunsthalle",
    "synagoge",
    "geschichte",
    "kunst",
    "natur",
    "heimat",
    "stadt",
    "alte",
    "alter",
    "altes",
    "neue",
    "neues",
    "neuer",
    "historische",
    "historisches",
    "technische",
    "technisches",
    "staedtische",
    "staedtisches",
    "deutsche",
    "deutsches",
    "kulturhistorisches",
    "volkskunde",
    "freilichtmuseum",
    "besucherbergwerk",
    "bergbaumuseum",
    "kulturzentrum",
];

/// Inflected or plural forms read as their base form.
const BASE_FORMS: &[(&str, &str)] = &[
    ("museen", "museum"),
    ("museums", "museum"),
    ("galerien", "galerie"),
    ("bibliotheken", "bibliothek"),
    ("sammlungen", "sammlung"),
    ("theatre", "theater"),
    ("str", "strasse"),
    ("pl", "platz"),
];

/// Folds case and the letters German spells two ways (`ä`/`ae`, `ß`/`ss`), and drops the
/// accents of other Latin letters, so that "Straße", "STRASSE" and "strasse" are one.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' | 'æ' => out.push_str("ae"),
            'ö' | 'ø' | 'œ' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'à' | 'á' | 'â' | 'ã' | 'å' => out.push('a'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ò' | 'ó' | 'ô' | 'õ' => out.push('o'),
            'ù' | 'ú' | 'û' => out.push('u'),
            'ç' | 'č' => out.push('c'),
            'ñ' | 'ń' => out.push('n'),
            'š' | 'ś' => out.push('s'),
            'ž' | 'ź' | 'ż' => out.push('z'),
            'ł' => out.push('l'),
            _ => out.push(c),
        }
    }
    out
}

/// The words of `text`, folded, split at everything that is not a letter or digit.
fn words(text: &str) -> Vec<String> {
    // "e.V." and "e. V." are one legal form, not two letters.
    let folded = fold(text).replace("e. v.", " ev ").replace("e.v.", " ev ");
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            BASE_FORMS
                .iter()
                .find(|(from, _)| *from == w)
                .map_or_else(|| w.to_owned(), |(_, to)| (*to).to_owned())
        })
        .collect()
}

/// The tokens of a name: its folded words without articles, prepositions and legal forms,
/// plurals read as singulars, sorted and each once, so word order does not matter
/// ("Stadtmuseum Jena" and "Jena, Stadtmuseum" give the same tokens).
pub fn name_tokens(name: &str) -> Vec<String> {
    let mut tokens: Vec<String> = words(name)
        .into_iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

/// The key of a name: its tokens joined by a space. Two names with the same key are the same
/// name for linking.
pub fn name_key(name: &str) -> String {
    name_tokens(name).join(" ")
}

/// Whether a token is one that many institutions' names share ("museum", "galerie").
pub fn is_generic(token: &str) -> bool {
    GENERIC_WORDS.contains(&token) || token.chars().all(|c| c.is_ascii_digit())
}

/// A street address as street name and house number, folded: "Möllendorffstr. 6" and
/// "Möllendorffstraße  6" give `("moellendorffstrasse", "6")`. The number is the first word that
/// starts with a digit (with its letter, "1b"), the street everything before it.
pub fn street(address: &str) -> (String, Option<String>) {
    let folded = fold(address);
    // "str." at the end of a compound ("Möllendorffstr.") is "strasse".
    let folded = folded
        .replace("str.", "strasse")
        .replace("str ", "strasse ");
    let mut name = String::new();
    let mut number = None;
    let parts: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut i = 0;
    while i < parts.len() {
        let part = parts[i];
        if part.starts_with(|c: char| c.is_ascii_digit()) {
            let mut n = part.to_owned();
            // "1 b": a single letter after the number belongs to it.
            if let Some(next) = parts.get(i + 1)
                && next.len() == 1
                && next.chars().all(char::is_alphabetic)
            {
                n.push_str(next);
            }
            number = Some(n);
            break;
        }
        name.push_str(part);
        i += 1;
    }
    let name = name
        .strip_suffix("str")
        .map_or(name.clone(), |s| format!("{s}strasse"));
    (name, number)
}

/// A postcode as digits only, or nothing if it has none.
pub fn postcode(code: &str) -> Option<String> {
    let digits: String = code.chars().filter(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

/// A locality's key: folded words without what follows a bracket or comma ("Halle (Saale)" →
/// "halle").
pub fn locality(name: &str) -> String {
    let head = name.split(['(', ',', '/']).next().unwrap_or(name);
    words(head).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_and_sharp_s_fold_both_ways() {
        assert_eq!(name_key("Straße"), name_key("STRASSE"));
        assert_eq!(name_key("Münzkabinett"), name_key("Muenzkabinett"));
        assert_eq!(fold("Ölmühle"), "oelmuehle");
    }

    #[test]
    fn articles_legal_forms_and_plurals_go() {
        assert_eq!(name_key("Die Galerie am See e.V."), "galerie see");
        assert_eq!(name_key("Galerie am See e. V."), "galerie see");
        assert_eq!(name_key("Kunstraum gGmbH"), "kunstraum");
        assert_eq!(
            name_key("Staatliche Museen zu Berlin"),
            "berlin museum staatliche"
        );
    }

    #[test]
    fn word_order_and_punctuation_do_not_matter() {
        assert_eq!(name_key("Stadtmuseum Jena"), name_key("Jena, Stadtmuseum"));
        assert_eq!(
            name_key("Kulturhaus  Karlshorst"),
            name_key("Karlshorst (Kulturhaus)")
        );
        assert_ne!(name_key("Stadtmuseum Jena"), name_key("Stadtmuseum Gera"));
    }

    #[test]
    fn streets_split_into_name_and_number() {
        assert_eq!(
            street("Möllendorffstr. 6"),
            ("moellendorffstrasse".to_owned(), Some("6".to_owned()))
        );
        assert_eq!(street("Möllendorffstraße  6"), street("Möllendorffstr. 6"));
        assert_eq!(
            street("Ribnitzer Straße 1 b"),
            ("ribnitzerstrasse".to_owned(), Some("1b".to_owned()))
        );
        assert_eq!(street("Ribnitzer Str. 1b"), street("Ribnitzer Straße 1 b"));
        assert_eq!(street("Loeperplatz").1, None);
    }

    #[test]
    fn postcodes_and_localities() {
        assert_eq!(postcode(" 10318 ").as_deref(), Some("10318"));
        assert_eq!(postcode("-"), None);
        assert_eq!(locality("Halle (Saale)"), "halle");
        assert_eq!(locality("Weißenfels"), "weissenfels");
    }

    #[test]
    fn generic_tokens() {
        assert!(is_generic("heimatmuseum"));
        assert!(is_generic("1990"));
        assert!(!is_generic("karlshorst"));
        // "Alte Synagoge" and "Haus der Geschichte" are in many towns.
        assert!(name_tokens("Alte Synagoge").iter().all(|t| is_generic(t)));
        assert!(
            name_tokens("Haus der Geschichte")
                .iter()
                .all(|t| is_generic(t))
        );
    }
}
