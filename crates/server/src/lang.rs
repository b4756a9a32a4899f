//! The language of a page a person reads (German or English): `?lang=de|en`, which the pages'
//! language switch links to and which is kept in a cookie; else that cookie; else
//! `Accept-Language` (RFC 9110 §12.5.4), German when it names neither.

use axum::http::{HeaderMap, HeaderValue, header};

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    De,
    En,
}

/// The cookie that keeps the language chosen with the switch.
const COOKIE: &str = "kn_lang";

impl Lang {
    /// The language of a request: the `lang` parameter, the cookie, `Accept-Language`.
    pub(crate) fn of(headers: &HeaderMap, param: Option<&str>) -> Self {
        if let Some(lang) = param.and_then(Self::parse) {
            return lang;
        }
        let cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == COOKIE)
            .and_then(|(_, v)| Self::parse(v));
        if let Some(lang) = cookie {
            return lang;
        }
        if prefers_german(headers) {
            Self::De
        } else {
            Self::En
        }
    }

    fn parse(code: &str) -> Option<Self> {
        match code.trim() {
            "de" => Some(Self::De),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The BCP 47 tag (`de`, `en`).
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::De => "de",
            Self::En => "en",
        }
    }

    /// The other language, which the switch offers.
    pub(crate) fn other(self) -> Self {
        match self {
            Self::De => Self::En,
            Self::En => Self::De,
        }
    }

    /// The language's name in itself, for the switch.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::De => "Deutsch",
            Self::En => "English",
        }
    }

    /// `de` or `en`, whichever is this language's.
    pub(crate) fn say(self, de: &'static str, en: &'static str) -> &'static str {
        match self {
            Self::De => de,
            Self::En => en,
        }
    }

    /// The `Set-Cookie` that keeps a language chosen by `?lang=` for the next pages, if the
    /// request chose one.
    pub(crate) fn cookie(param: Option<&str>) -> Option<HeaderValue> {
        let lang = param.and_then(Self::parse)?;
        HeaderValue::from_str(&format!(
            "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.code()
        ))
        .ok()
    }
}

/// What a page in a chosen language varies by.
pub(crate) const VARY: &str = "Accept, Accept-Language, Cookie";

/// Whether `Accept-Language` puts German before English (the default when it names neither).
fn prefers_german(headers: &HeaderMap) -> bool {
    let Some(languages) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let weight = |tag: &str| {
        languages
            .split(',')
            .filter_map(|range| {
                let mut parts = range.split(';');
                let language = parts.next()?.trim().to_ascii_lowercase();
                let q = parts
                    .filter_map(|p| p.split_once('='))
                    .find(|(k, _)| k.trim() == "q")
                    .map_or(1.0, |(_, v)| v.trim().parse().unwrap_or(0.0));
                (language == tag || language.starts_with(&format!("{tag}-"))).then_some(q)
            })
            .fold(0.0_f32, f32::max)
    };
    let (de, en) = (weight("de"), weight("en"));
    de >= en
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn parameter_then_cookie_then_accept_language() {
        let en = headers(&[("accept-language", "en-GB,en;q=0.9,de;q=0.5")]);
        assert_eq!(Lang::of(&en, None), Lang::En);
        assert_eq!(Lang::of(&en, Some("de")), Lang::De);
        assert_eq!(Lang::of(&headers(&[]), None), Lang::De);
        assert_eq!(
            Lang::of(&headers(&[("accept-language", "fr")]), None),
            Lang::De
        );
        let cookie = headers(&[("accept-language", "de"), ("cookie", "a=b; kn_lang=en")]);
        assert_eq!(Lang::of(&cookie, None), Lang::En);
        assert_eq!(Lang::of(&cookie, Some("xx")), Lang::En);
        assert_eq!(
            Lang::cookie(Some("en")).as_ref().map(HeaderValue::as_bytes),
            Some(&b"kn_lang=en; Path=/; Max-Age=31536000; SameSite=Lax"[..])
        );
        assert_eq!(Lang::cookie(Some("fr")), None);
    }
}
