//! The pages' script and style sheet, built into the binary (`crates/server/assets/`), served at
//! `/assets/{name}.{hash}.{ext}`: the hash is the first 16 hex digits of the file's SHA-256, so
//! a new build changes the name and an answer can be cached for a year (`immutable`). Nothing a
//! page uses is fetched from elsewhere.

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::sync::{Arc, LazyLock};

/// An asset: its name, media type and text.
struct Asset {
    name: &'static str,
    extension: &'static str,
    media_type: &'static str,
    text: &'static str,
}

const FILES: &[Asset] = &[
    Asset {
        name: "app",
        extension: "js",
        media_type: "text/javascript; charset=utf-8",
        text: include_str!("../assets/app.js"),
    },
    Asset {
        name: "app",
        extension: "css",
        media_type: "text/css; charset=utf-8",
        text: include_str!("../assets/app.css"),
    },
];

/// Each asset's file name with its hash, in the order of [`FILES`].
static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|a| {
            let hash = Sha256::digest(a.text.as_bytes());
            let hex: String = hash[..8].iter().map(|b| format!("{b:02x}")).collect();
            format!("{}.{hex}.{}", a.name, a.extension)
        })
        .collect()
});

/// The path of the asset `name.extension` (`/assets/app.{hash}.js`) for a page to link to.
pub(crate) fn href(name: &str, extension: &str) -> String {
    FILES
        .iter()
        .zip(NAMES.iter())
        .find(|(a, _)| a.name == name && a.extension == extension)
        .map_or_else(String::new, |(_, file)| format!("/assets/{file}"))
}

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/assets/{file}", get(asset))
}

async fn asset(Path(file): Path<String>) -> Response {
    let Some((asset, _)) = FILES.iter().zip(NAMES.iter()).find(|(_, n)| **n == file) else {
        return ApiError::NotFound(format!("there is no asset {file:?}")).into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.media_type),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        asset.text,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{App, request};
    use axum::http::StatusCode;

    #[tokio::test]
    async fn assets_are_named_by_their_hash_and_cached_for_long() {
        let app = App::new(None);
        let js = href("app", "js");
        assert!(
            js.starts_with("/assets/app.") && js.ends_with(".js"),
            "{js}"
        );
        let r = app.call(request("GET", &js, &[], "")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header("content-type"), "text/javascript; charset=utf-8");
        assert_eq!(
            r.header("cache-control"),
            "public, max-age=31536000, immutable"
        );
        let r = app
            .call(request("GET", "/assets/app.0000000000000000.js", &[], ""))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}
