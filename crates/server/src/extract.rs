//! Extractors every area shares: the query string's parameters, the request's public URL and
//! the write token.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri, header};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The `(key, value)` pairs of the URL's query string.
#[derive(Debug, Default)]
pub(crate) struct Params(pub(crate) Vec<(String, String)>);

impl Params {
    /// The pairs of a query string or a form body.
    pub(crate) fn parse(bytes: &[u8]) -> Self {
        Self(
            form_urlencoded::parse(bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The one value of `key`; a second one is an error.
    pub(crate) fn one(&self, key: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.all(key);
        let first = values.next();
        if values.next().is_some() {
            return Err(ApiError::BadRequest(format!(
                "the parameter `{key}` is given more than once"
            )));
        }
        Ok(first)
    }

    /// Every value of `key`, in order.
    pub(crate) fn all<'a, 'k>(
        &'a self,
        key: &'k str,
    ) -> impl Iterator<Item = &'a str> + use<'a, 'k> {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `key` is given at all (with or without a value).
    pub(crate) fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// Adds the pairs of `other` after these.
    pub(crate) fn extend(&mut self, other: Self) {
        self.0.extend(other.0);
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Self::parse(
            parts.uri.query().unwrap_or_default().as_bytes(),
        ))
    }
}

/// The absolute URL of the request without its query string, as the public sees it: below
/// `[server] public_url` when one is configured (behind a proxy that terminates TLS, the
/// request itself says `http://` and an internal host), else from the `Host` header.
#[derive(Debug, Clone)]
pub(crate) struct RequestUrl(pub(crate) String);

impl RequestUrl {
    pub(crate) fn new(state: &AppState, headers: &HeaderMap, uri: &Uri) -> Self {
        if let Some(public) = &state.options.public_url {
            return Self(format!(
                "{}/{}",
                public.trim_end_matches('/'),
                uri.path().trim_start_matches('/')
            ));
        }
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(c))
            })
            .unwrap_or("localhost");
        Self(format!("http://{host}{}", uri.path()))
    }
}

impl FromRequestParts<Arc<AppState>> for RequestUrl {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        Ok(Self::new(state, &parts.headers, &parts.uri))
    }
}

/// Proof that the request carries the write token (`Authorization: Bearer <token>`).
#[derive(Debug)]
pub(crate) struct WriteAccess(());

impl WriteAccess {
    /// Checks `headers` against the configured token; errors say what is missing.
    pub(crate) fn check(state: &AppState, headers: &HeaderMap) -> Result<Self, ApiError> {
        let Some(token) = &state.options.write_token else {
            return Err(ApiError::Forbidden(
                "this server is read-only: set KULTURNETZ_WRITE_TOKEN to allow writes".into(),
            ));
        };
        let Some(given) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer)
        else {
            return Err(ApiError::Unauthorized);
        };
        if !same_secret(given.as_bytes(), token.as_bytes()) {
            return Err(ApiError::Forbidden("the write token is wrong".into()));
        }
        Ok(Self(()))
    }
}

impl FromRequestParts<Arc<AppState>> for WriteAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        Self::check(state, &parts.headers)
    }
}

/// The token of a `Bearer` credential (RFC 6750 §2.1: the scheme is case-insensitive and
/// followed by one or more spaces; the token itself has no spaces, so trailing ones are part
/// of a wrong token).
/// `N` comma-separated finite numbers of the parameter `key` (`near=lat,lon`,
/// `bbox=south,west,north,east`), or a 400 naming it and the `form` expected.
pub(crate) fn numbers<const N: usize>(
    key: &str,
    value: &str,
    form: &str,
) -> Result<[f64; N], ApiError> {
    let wrong = || ApiError::BadRequest(format!("{key}={value:?}: expected {form}"));
    let parts: Vec<f64> = value
        .split(',')
        .map(|p| p.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<_>>()
        .ok_or_else(wrong)?;
    parts.try_into().map_err(|_| wrong())
}

fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_start_matches(' '))
}

/// Whether `given` equals `expected`, in time that depends on neither: both are hashed first,
/// so neither their lengths nor the place of the first difference shows in the time taken.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    a.iter().zip(b.iter()).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc"), Some("abc"));
        assert_eq!(bearer("BEARER abc "), Some("abc "));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer"), None);
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abc ", b"abc"));
        assert!(!same_secret(b"ab", b"abc"));
        assert!(!same_secret(b"", b"abc"));
    }
}
