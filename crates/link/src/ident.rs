//! Identifiers read from what sources write: IRIs (`http://www.wikidata.org/entity/Q42`,
//! `https://d-nb.info/gnd/…`, `https://www.openstreetmap.org/node/…`) or strings (`Q42`, an
//! ISIL such as `DE-MUS-123456`), and websites as host and path.

use std::fmt;

/// An identifier two records can share.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Identifier {
    /// A Wikidata item, `Q` and digits.
    Wikidata(String),
    /// An ISIL (ISO 15511), upper case.
    Isil(String),
    /// A GND identifier.
    Gnd(String),
    /// An OpenStreetMap element, `node/1`, `way/2` or `relation/3`.
    Osm(String),
    /// A website: host without `www.`, and path without a trailing slash, lower case.
    Website(String),
}

impl Identifier {
    /// The scheme's name, as rules and evidence name it.
    pub fn scheme(&self) -> &'static str {
        match self {
            Self::Wikidata(_) => "wikidata",
            Self::Isil(_) => "isil",
            Self::Gnd(_) => "gnd",
            Self::Osm(_) => "osm",
            Self::Website(_) => "website",
        }
    }

    /// The identifier without its scheme.
    pub fn value(&self) -> &str {
        match self {
            Self::Wikidata(v) | Self::Isil(v) | Self::Gnd(v) | Self::Osm(v) | Self::Website(v) => v,
        }
    }

    /// Whether sharing this identifier is enough to say two records are one thing. A website is
    /// not: an umbrella organisation's site serves many of its houses.
    pub fn is_decisive(&self) -> bool {
        !matches!(self, Self::Website(_))
    }

    /// Reads an identifier from an IRI or a string, if it is one of the known kinds.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Some(rest) = after_any(text, &["wikidata.org/entity/", "wikidata.org/wiki/"]) {
            return qid(rest).map(Self::Wikidata);
        }
        if let Some(rest) = after_any(text, &["d-nb.info/gnd/"]) {
            let id = rest.trim_end_matches('/');
            return (!id.is_empty()).then(|| Self::Gnd(id.to_owned()));
        }
        if let Some(rest) = after_any(text, &["openstreetmap.org/"]) {
            let mut parts = rest.split('/');
            let (Some(kind), Some(id)) = (parts.next(), parts.next()) else {
                return None;
            };
            return (matches!(kind, "node" | "way" | "relation")
                && !id.is_empty()
                && id.chars().all(|c| c.is_ascii_digit()))
            .then(|| Self::Osm(format!("{kind}/{id}")));
        }
        if let Some(rest) = after_any(text, &["/organisations/", "/isil/"])
            && let Some(isil) = isil(rest)
        {
            return Some(Self::Isil(isil));
        }
        if text.starts_with("http://") || text.starts_with("https://") || text.starts_with("www.") {
            return website(text).map(Self::Website);
        }
        if let Some(q) = qid(text) {
            return Some(Self::Wikidata(q));
        }
        isil(text).map(Self::Isil)
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.scheme(), self.value())
    }
}

fn after_any<'a>(text: &'a str, markers: &[&str]) -> Option<&'a str> {
    markers
        .iter()
        .find_map(|m| text.find(m).map(|i| &text[i + m.len()..]))
}

/// `Q` and digits, the whole of `text`.
fn qid(text: &str) -> Option<String> {
    let text = text.trim_end_matches('/');
    let digits = text.strip_prefix('Q').or_else(|| text.strip_prefix('q'))?;
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then(|| format!("Q{digits}"))
}

/// An ISIL: a prefix of one to four letters (a country code, or a prefix like `OCLC`), a
/// hyphen, and up to eleven letters, digits, `-`, `/` or `:`, with at least one digit or letter.
fn isil(text: &str) -> Option<String> {
    let (prefix, rest) = text.split_once('-')?;
    let prefix_ok =
        (1..=4).contains(&prefix.len()) && prefix.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok = !rest.is_empty()
        && rest.len() <= 11
        && rest.chars().any(|c| c.is_ascii_alphanumeric())
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '/' | ':'))
        // "Ost-West" is no ISIL: a number, or a country code in capitals, says it is one.
        && (rest.chars().any(|c| c.is_ascii_digit())
            || (prefix.len() == 2 && prefix.chars().all(|c| c.is_ascii_uppercase())));
    (prefix_ok && rest_ok).then(|| text.to_ascii_uppercase())
}

/// A website as host (lower case, without `www.` and port) and path (without a trailing slash,
/// `index.html`, query and fragment).
pub fn website(url: &str) -> Option<String> {
    let rest = url
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or(&host);
    let host = host.strip_prefix("www.").unwrap_or(host);
    if host.is_empty() || !host.contains('.') {
        return None;
    }
    let path = path
        .trim_end_matches('/')
        .trim_end_matches("index.html")
        .trim_end_matches("index.php")
        .trim_end_matches('/');
    Some(if path.is_empty() {
        host.to_owned()
    } else {
        format!("{host}/{}", path.to_lowercase())
    })
}

#[cfg(test)]
mod tests {
    use super::Identifier::{self, *};

    fn parse(s: &str) -> Option<Identifier> {
        Identifier::parse(s)
    }

    #[test]
    fn wikidata_from_iris_and_strings() {
        assert_eq!(
            parse("http://www.wikidata.org/entity/Q1352684"),
            Some(Wikidata("Q1352684".into()))
        );
        assert_eq!(
            parse("https://www.wikidata.org/wiki/Q42"),
            Some(Wikidata("Q42".into()))
        );
        assert_eq!(parse("Q42"), Some(Wikidata("Q42".into())));
        assert_eq!(parse("Quartier"), None);
    }

    #[test]
    fn isil_gnd_osm() {
        assert_eq!(parse("DE-MUS-986518"), Some(Isil("DE-MUS-986518".into())));
        assert_eq!(parse("de-mus-986518"), parse("DE-MUS-986518"));
        assert_eq!(parse("DE-68"), Some(Isil("DE-68".into())));
        assert_eq!(
            parse("http://ld.zdb-services.de/resource/organisations/DE-68"),
            Some(Isil("DE-68".into()))
        );
        assert_eq!(
            parse("https://d-nb.info/gnd/16028390-5"),
            Some(Gnd("16028390-5".into()))
        );
        assert_eq!(
            parse("https://www.openstreetmap.org/way/161636872"),
            Some(Osm("way/161636872".into()))
        );
        assert_eq!(parse("5528 b"), None);
        assert_eq!(parse("Rasmussen 2593"), None);
    }

    #[test]
    fn websites_without_scheme_www_and_trailing_slash() {
        assert_eq!(
            parse("http://www.weimarhaus.de/"),
            Some(Website("weimarhaus.de".into()))
        );
        assert_eq!(
            parse("https://weimarhaus.de"),
            parse("http://www.weimarhaus.de/")
        );
        assert_eq!(
            parse("https://www.berlin.de/ba-lichtenberg/index.html"),
            Some(Website("berlin.de/ba-lichtenberg".into()))
        );
        assert_ne!(parse("https://berlin.de/a"), parse("https://berlin.de/b"));
    }
}
