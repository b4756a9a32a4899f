//! `/dumps/`: the files `kulturnetz_store::dump` writes, for download, with validators
//! (`ETag`, `Last-Modified`), conditional requests (`If-None-Match`, `If-Modified-Since`,
//! `If-Range`) and single byte ranges (RFC 9110 §13, §14), and a listing in HTML or JSON.
//!
//! Only the files that `SHA256SUMS` lists (and `SHA256SUMS` itself) are served: a name is looked
//! up in that list, never joined to the folder as it was sent. A file is opened once per request
//! and its validators come from the open file, so a dump replaced during a download (by rename)
//! is served whole from the version that was opened.

use crate::error::ApiError;
use crate::extract::{Params, RequestUrl};
use crate::negotiate::{RDF_FORMATS, choose, negotiated};
use crate::page::escape;
use crate::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oxrdfio::{RdfFormat, RdfParser, RdfSerializer};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The checksum file that lists the dump's files.
const SUMS: &str = "SHA256SUMS";

/// The VoID description in the dumps' folder, served at `/.well-known/void`: Turtle whose IRIs
/// of the site's own paths are relative to its root.
pub const VOID_FILE: &str = "void.ttl";

/// The DCAT-AP.de catalogue in the dumps' folder, served at `/catalog` and `/dumps/catalog.ttl`.
pub const CATALOG_FILE: &str = "catalog.ttl";

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/dumps", get(listing))
        .route("/dumps/", get(listing))
        .route("/dumps/{name}", get(file))
        .route("/.well-known/void", get(void))
        .route("/catalog", get(catalog))
}

/// The VoID description, in the RDF format the client asks for: as written (Turtle, relative
/// IRIs that resolve against this address), or parsed with this address as base and written
/// again in another format.
async fn void(
    State(state): State<Arc<AppState>>,
    url: RequestUrl,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    described(&state, VOID_FILE, &url, &headers, &params).await
}

/// The DCAT-AP.de catalogue, in the RDF format the client asks for.
async fn catalog(
    State(state): State<Arc<AppState>>,
    url: RequestUrl,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    described(&state, CATALOG_FILE, &url, &headers, &params).await
}

/// A Turtle file of the dumps' folder in the RDF format the client asks for.
async fn described(
    state: &AppState,
    name: &'static str,
    url: &RequestUrl,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Response, ApiError> {
    let dir = dumps_dir(state)?.to_owned();
    let text = tokio::task::spawn_blocking(move || std::fs::read_to_string(dir.join(name)))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|_| ApiError::NotFound(format!("no {name} yet: it is written with the dumps")))?;
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let format = choose(RDF_FORMATS, accept, params.one("format")?)?;
    if format == RdfFormat::Turtle {
        return Ok(negotiated(text.into(), format.media_type()));
    }
    let mut serializer = RdfSerializer::from_format(format).for_writer(Vec::new());
    for quad in RdfParser::from_format(RdfFormat::Turtle)
        .with_base_iri(url.0.as_str())
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .for_reader(text.as_bytes())
    {
        let quad = quad.map_err(|e| ApiError::Internal(format!("{name}: {e}")))?;
        serializer
            .serialize_quad(&quad)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    let body = serializer
        .finish()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(negotiated(body.into(), format.media_type()))
}

/// One listed file.
struct Listed {
    name: String,
    sha256: String,
    bytes: u64,
    modified: SystemTime,
}

/// The files `SHA256SUMS` lists in `dir`, with their sizes and times; nothing if there is no
/// dump yet.
fn listed(dir: &Path) -> Vec<Listed> {
    let Ok(sums) = std::fs::read_to_string(dir.join(SUMS)) else {
        return Vec::new();
    };
    sums.lines()
        .filter_map(|line| {
            let (sha256, name) = line.split_once("  ")?;
            let meta = std::fs::metadata(dir.join(name)).ok()?;
            Some(Listed {
                name: name.to_owned(),
                sha256: sha256.to_owned(),
                bytes: meta.len(),
                modified: meta.modified().unwrap_or(UNIX_EPOCH),
            })
        })
        .collect()
}

fn dumps_dir(state: &AppState) -> Result<&Path, ApiError> {
    state
        .options
        .dumps
        .as_deref()
        .ok_or_else(|| ApiError::NotFound("this server publishes no dumps".into()))
}

async fn listing(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let dir = match dumps_dir(&state) {
        Ok(dir) => dir.to_owned(),
        Err(e) => return e.into_response(),
    };
    let files = tokio::task::spawn_blocking(move || listed(&dir))
        .await
        .unwrap_or_default();
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let json = accept.contains("application/json") && !accept.contains("text/html");
    let mut response = if json {
        let items: Vec<serde_json::Value> = files
            .iter()
            .map(|f| {
                serde_json::json!({
                    "name": f.name,
                    "url": format!("/dumps/{}", f.name),
                    "bytes": f.bytes,
                    "sha256": f.sha256,
                    "modified": httpdate(f.modified),
                })
            })
            .collect();
        (
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "files": items, "checksums": "/dumps/SHA256SUMS" }).to_string(),
        )
            .into_response()
    } else {
        let mut rows = String::new();
        for f in &files {
            rows.push_str(&format!(
                "<tr><td><a href=\"/dumps/{name}\">{name}</a></td><td>{bytes}</td><td>{modified}</td><td><code>{sha}</code></td></tr>\n",
                name = escape(&f.name),
                bytes = f.bytes,
                modified = httpdate(f.modified),
                sha = escape(&f.sha256),
            ));
        }
        let body = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dumps</title></head>\n\
             <body><main><h1>Dumps</h1>\n<p>Every file is canonical: the same data gives the same bytes. \
             Checksums: <a href=\"/dumps/{SUMS}\">{SUMS}</a>.</p>\n\
             <table><thead><tr><th scope=\"col\">File</th><th scope=\"col\">Bytes</th><th scope=\"col\">Modified</th><th scope=\"col\">SHA-256</th></tr></thead>\n\
             <tbody>\n{rows}</tbody></table></main></body></html>\n"
        );
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

async fn file(
    State(state): State<Arc<AppState>>,
    UrlPath(name): UrlPath<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let dir = match dumps_dir(&state) {
        Ok(dir) => dir.to_owned(),
        Err(e) => return e.into_response(),
    };
    let head = method == Method::HEAD;
    tokio::task::spawn_blocking(move || serve_file(&dir, &name, &headers, head))
        .await
        .unwrap_or_else(|e| Err(ApiError::Internal(e.to_string())))
        .unwrap_or_else(IntoResponse::into_response)
}

fn serve_file(
    dir: &Path,
    name: &str,
    headers: &HeaderMap,
    head: bool,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound(format!("no dump file {name:?}"));
    let known = name == SUMS || name == CATALOG_FILE || listed(dir).iter().any(|f| f.name == name);
    if !known {
        return Err(not_found());
    }
    let path: PathBuf = dir.join(name);
    let mut file = std::fs::File::open(&path).map_err(|_| not_found())?;
    let meta = file
        .metadata()
        .map_err(|e| ApiError::Internal(format!("{}: {e}", path.display())))?;
    let length = meta.len();
    let modified = meta.modified().unwrap_or(UNIX_EPOCH);
    let since_epoch = modified.duration_since(UNIX_EPOCH).unwrap_or_default();
    let etag = format!("\"{length:x}-{:x}\"", since_epoch.as_nanos());
    let last_modified = httpdate(modified);

    let mut response = Response::builder()
        .header(header::ETAG, &etag)
        .header(header::LAST_MODIFIED, &last_modified)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, "public, max-age=60");
    let header = |h: header::HeaderName| headers.get(h).and_then(|v| v.to_str().ok());
    // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    let not_modified = match header(header::IF_NONE_MATCH) {
        Some(tags) => tags
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag),
        None => header(header::IF_MODIFIED_SINCE)
            .and_then(httpdate_parse)
            .is_some_and(|since| since_epoch.as_secs() <= since),
    };
    if not_modified {
        return Ok(response
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_default());
    }
    response = response.header(
        header::CONTENT_TYPE,
        if name.ends_with(".gz") {
            "application/gzip"
        } else if name.ends_with(".ttl") {
            "text/turtle"
        } else {
            "text/plain; charset=utf-8"
        },
    );
    // A range is honoured unless If-Range names another version of the file.
    let range_applies = header(header::IF_RANGE).is_none_or(|v| v == etag || v == last_modified);
    let range = match header(header::RANGE).filter(|_| range_applies) {
        Some(spec) => match byte_range(spec, length) {
            Range::Whole => None,
            Range::Part(start, end) => Some((start, end)),
            Range::Unsatisfiable => {
                return Ok(response
                    .status(StatusCode::RANGE_NOT_SATISFIABLE)
                    .header(header::CONTENT_RANGE, format!("bytes */{length}"))
                    .body(Body::empty())
                    .unwrap_or_default());
            }
        },
        None => None,
    };
    let (status, start, count) = match range {
        Some((start, end)) => {
            response = response.header(
                header::CONTENT_RANGE,
                format!("bytes {start}-{end}/{length}"),
            );
            (StatusCode::PARTIAL_CONTENT, start, end - start + 1)
        }
        None => (StatusCode::OK, 0, length),
    };
    response = response
        .status(status)
        .header(header::CONTENT_LENGTH, count);
    if head {
        return Ok(response.body(Body::empty()).unwrap_or_default());
    }
    file.seek(SeekFrom::Start(start))
        .map_err(|e| ApiError::Internal(format!("{}: {e}", path.display())))?;
    let body = crate::body::stream_blocking(move |out| {
        std::io::copy(&mut file.take(count), out).map(drop)
    });
    Ok(response.body(body).unwrap_or_default())
}

/// What a `Range` header asks of a file of `length` bytes.
#[derive(Debug, PartialEq, Eq)]
enum Range {
    /// The whole file: no range, several ranges, or another unit (a server may ignore them).
    Whole,
    /// The bytes from the first to the second, inclusive.
    Part(u64, u64),
    /// A range that starts past the end.
    Unsatisfiable,
}

fn byte_range(spec: &str, length: u64) -> Range {
    let Some(ranges) = spec.trim().strip_prefix("bytes=") else {
        return Range::Whole;
    };
    if ranges.contains(',') {
        return Range::Whole;
    }
    let Some((first, last)) = ranges.trim().split_once('-') else {
        return Range::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    match (first.parse::<u64>().ok(), last.parse::<u64>().ok()) {
        // The last n bytes.
        (None, Some(n)) if first.is_empty() => {
            if n == 0 || length == 0 {
                Range::Unsatisfiable
            } else {
                Range::Part(length.saturating_sub(n), length - 1)
            }
        }
        (Some(start), None) if last.is_empty() => {
            if start >= length {
                Range::Unsatisfiable
            } else {
                Range::Part(start, length - 1)
            }
        }
        (Some(start), Some(end)) if start <= end => {
            if start >= length {
                Range::Unsatisfiable
            } else {
                Range::Part(start, end.min(length - 1))
            }
        }
        _ => Range::Whole,
    }
}

/// An HTTP date (IMF-fixdate).
fn httpdate(time: SystemTime) -> String {
    httpdate::fmt_http_date(time)
}

/// Seconds since the epoch of an HTTP date.
fn httpdate_parse(text: &str) -> Option<u64> {
    let time = httpdate::parse_http_date(text).ok()?;
    Some(time.duration_since(UNIX_EPOCH).ok()?.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_as_rfc_9110_reads_them() {
        assert_eq!(byte_range("bytes=0-9", 100), Range::Part(0, 9));
        assert_eq!(byte_range("bytes=90-", 100), Range::Part(90, 99));
        assert_eq!(byte_range("bytes=-10", 100), Range::Part(90, 99));
        assert_eq!(byte_range("bytes=-500", 100), Range::Part(0, 99));
        assert_eq!(byte_range("bytes=50-500", 100), Range::Part(50, 99));
        assert_eq!(byte_range("bytes=100-", 100), Range::Unsatisfiable);
        assert_eq!(byte_range("bytes=0-1,5-6", 100), Range::Whole);
        assert_eq!(byte_range("items=0-1", 100), Range::Whole);
        assert_eq!(byte_range("bytes=9-0", 100), Range::Whole);
    }

    #[test]
    fn http_dates_round_trip() {
        let time = UNIX_EPOCH + std::time::Duration::from_secs(1_764_547_200 + 3_723);
        let text = httpdate(time);
        assert_eq!(text, "Mon, 01 Dec 2025 01:02:03 GMT");
        assert_eq!(httpdate_parse(&text), Some(1_764_547_200 + 3_723));
        assert_eq!(httpdate(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            httpdate_parse("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(httpdate_parse("yesterday"), None);
    }
}
