//! The fetch stage, for a source with a `url`: the input is downloaded into
//! `data/cache/{source}/` and converted from there.
//!
//! A fetch asks with `If-None-Match`/`If-Modified-Since` when a copy is cached (a `304` is
//! "unchanged"), keeps to `[pipeline] fetch_timeout` and `max_download`, follows at most
//! [`MAX_REDIRECTS`] redirects, and tries again `fetch_retries` times with a growing pause after a
//! failure that may pass (no connection, a timeout, a 5xx or 429). Only `http` and `https`, and
//! never to a host in `fetch_deny` (by default every loopback, private and link-local address),
//! checked at every redirect on the addresses the name resolves to. A download becomes the cached
//! copy only once it is whole; when a fetch fails, the last good copy is used and the report says
//! so, so a source whose host is down keeps its published graph.

use kulturnetz_model::{Config, SourceConfig};
use std::io::Write as _;
use std::net::{IpAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The most redirects a fetch follows.
pub(crate) const MAX_REDIRECTS: usize = 5;

/// The input of a fetched source.
pub(crate) struct Fetched {
    /// The cached copy.
    pub(crate) path: PathBuf,
    /// What the report says about the fetch, if anything (a failure that the cached copy
    /// stands in for).
    pub(crate) note: Option<String>,
}

/// Where the copies of `source`'s fetched input are kept.
pub(crate) fn cache_dir(config: &Config, source: &str) -> PathBuf {
    let store = config.resolve(&config.store.path);
    store
        .parent()
        .unwrap_or(Path::new("."))
        .join("cache")
        .join(source)
}

/// Fetches `url` for `source`: the cached copy to convert, fresh or (if the fetch failed) the
/// last good one; `Err` says why there is none.
pub(crate) fn fetch(config: &Config, source: &SourceConfig, url: &str) -> Result<Fetched, String> {
    let dir = cache_dir(config, &source.id);
    let body = dir.join("input");
    let meta_path = dir.join("meta.json");
    let meta: serde_json::Value = std::fs::read(&meta_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|m: &serde_json::Value| m["url"] == url && body.is_file())
        .unwrap_or_default();
    let pipeline = &config.pipeline;
    let mut attempt = 0;
    let result = loop {
        match fetch_once(config, url, &meta, &dir) {
            Err(Failure::Retry(e)) if attempt < pipeline.fetch_retries => {
                attempt += 1;
                std::thread::sleep(Duration::from_millis(500 << attempt.min(6)));
                tracing::info!("{url}: {e}; trying again ({attempt})");
            }
            result => break result,
        }
    };
    match result {
        Ok(Got::NotModified) if body.is_file() => Ok(Fetched {
            path: body,
            note: None,
        }),
        Ok(Got::NotModified) => Err(format!(
            "{url}: the server answered 304 Not Modified, but there is no cached copy"
        )),
        Ok(Got::New {
            file,
            etag,
            modified,
        }) => {
            let stored = (|| {
                std::fs::rename(&file, &body)?;
                let meta =
                    serde_json::json!({ "url": url, "etag": etag, "last_modified": modified });
                let tmp = dir.join("meta.json.tmp");
                let mut out = std::fs::File::create(&tmp)?;
                out.write_all(meta.to_string().as_bytes())?;
                out.sync_all()?;
                std::fs::rename(&tmp, &meta_path)
            })();
            match stored {
                Ok(()) => Ok(Fetched {
                    path: body,
                    note: None,
                }),
                Err(e) => Err(format!("{}: cannot keep the download: {e}", dir.display())),
            }
        }
        Err(Failure::Retry(e) | Failure::Stop(e)) if body.is_file() => Ok(Fetched {
            path: body,
            note: Some(format!(
                "fetching {url} failed ({e}); the last good copy is used, so the published \
                 graph stays as it was"
            )),
        }),
        Err(Failure::Retry(e) | Failure::Stop(e)) => Err(format!(
            "fetching {url} failed ({e}) and there is no earlier copy"
        )),
    }
}

enum Got {
    NotModified,
    New {
        file: PathBuf,
        etag: Option<String>,
        modified: Option<String>,
    },
}

/// Why a fetch failed: one that may pass is tried again.
enum Failure {
    Retry(String),
    Stop(String),
}

fn fetch_once(
    config: &Config,
    url: &str,
    meta: &serde_json::Value,
    dir: &Path,
) -> Result<Got, Failure> {
    let pipeline = &config.pipeline;
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        // Redirects are followed here, so that each target's host is checked.
        .max_redirects(0)
        .timeout_connect(Some(pipeline.fetch_timeout.min(Duration::from_secs(10))))
        .timeout_global(Some(pipeline.fetch_timeout))
        .user_agent(concat!("kulturnetz/", env!("CARGO_PKG_VERSION")))
        .build()
        .new_agent();
    let mut current = url.to_owned();
    for _ in 0..=MAX_REDIRECTS {
        check_host(&current, &pipeline.fetch_deny).map_err(Failure::Stop)?;
        let mut request = agent.get(&current);
        if let Some(etag) = meta["etag"].as_str() {
            request = request.header("If-None-Match", etag);
        }
        if let Some(modified) = meta["last_modified"].as_str() {
            request = request.header("If-Modified-Since", modified);
        }
        let response = request.call().map_err(|e| match e {
            ureq::Error::Timeout(_) => Failure::Retry(format!("timed out: {e}")),
            ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => {
                Failure::Retry(e.to_string())
            }
            e => Failure::Stop(e.to_string()),
        })?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        match status {
            301 | 302 | 303 | 307 | 308 => {
                let location = header("location")
                    .ok_or_else(|| Failure::Stop(format!("{status} without a Location")))?;
                let base =
                    oxiri::Iri::parse(current.clone()).map_err(|e| Failure::Stop(e.to_string()))?;
                current = base
                    .resolve(&location)
                    .map_err(|e| Failure::Stop(format!("redirect to {location:?}: {e}")))?
                    .into_inner();
                if !(current.starts_with("http://") || current.starts_with("https://")) {
                    return Err(Failure::Stop(format!(
                        "redirect to {current}: only http and https are fetched"
                    )));
                }
            }
            304 => return Ok(Got::NotModified),
            200 => {
                let etag = header("etag");
                let modified = header("last-modified");
                std::fs::create_dir_all(dir)
                    .map_err(|e| Failure::Stop(format!("{}: {e}", dir.display())))?;
                let file = dir.join("input.part");
                let written = (|| {
                    let mut out = std::fs::File::create(&file)?;
                    let mut body = response
                        .into_body()
                        .into_with_config()
                        .limit(pipeline.max_download)
                        .reader();
                    std::io::copy(&mut body, &mut out)?;
                    out.sync_all()
                })();
                if let Err(e) = written {
                    let _ = std::fs::remove_file(&file);
                    let text = e.to_string();
                    return Err(if text.contains("limit") {
                        Failure::Stop(format!(
                            "the body is larger than max_download = {} bytes",
                            pipeline.max_download
                        ))
                    } else {
                        Failure::Retry(format!("reading the body: {text}"))
                    });
                }
                return Ok(Got::New {
                    file,
                    etag,
                    modified,
                });
            }
            429 | 500..=599 => return Err(Failure::Retry(format!("the server answered {status}"))),
            _ => return Err(Failure::Stop(format!("the server answered {status}"))),
        }
    }
    Err(Failure::Stop(format!(
        "more than {MAX_REDIRECTS} redirects"
    )))
}

/// Refuses `url` if its host is in `deny` (by name, or by any address it resolves to).
fn check_host(url: &str, deny: &[String]) -> Result<(), String> {
    let iri = oxiri::Iri::parse(url).map_err(|e| format!("{url}: {e}"))?;
    let authority = iri.authority().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.strip_prefix('[') {
        Some(v6) => {
            let (host, rest) = v6.split_once(']').unwrap_or((v6, ""));
            (host, rest.strip_prefix(':'))
        }
        None => match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        },
    };
    let port: u16 = port
        .and_then(|p| p.parse().ok())
        .unwrap_or(if iri.scheme() == "https" { 443 } else { 80 });
    let refused = || format!("{host} is in [pipeline] fetch_deny");
    if deny.iter().any(|d| d.eq_ignore_ascii_case(host)) {
        return Err(refused());
    }
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => (host, port)
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve {host}: {e}"))?
            .map(|a| a.ip())
            .collect(),
    };
    for ip in addresses {
        if deny.iter().any(|d| denies(d, ip)) {
            return Err(format!("{host} ({ip}) is in [pipeline] fetch_deny"));
        }
    }
    Ok(())
}

/// Whether the entry `entry` of `fetch_deny` covers `ip`.
fn denies(entry: &str, ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    if entry == "private" {
        return match ip {
            IpAddr::V4(v4) => {
                v4.is_loopback()
                    || v4.is_private()
                    || v4.is_link_local()
                    || v4.is_unspecified()
                    || v4.is_broadcast()
                    // Shared address space (carrier-grade NAT), 100.64.0.0/10.
                    || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
            }
            IpAddr::V6(v6) => {
                v6.is_loopback()
                    || v6.is_unspecified()
                    || (v6.segments()[0] & 0xfe00) == 0xfc00
                    || (v6.segments()[0] & 0xffc0) == 0xfe80
            }
        };
    }
    let (net, bits) = match entry.split_once('/') {
        Some((net, bits)) => (net, bits.parse::<u32>().ok()),
        None => (entry, None),
    };
    let Ok(net) = net.parse::<IpAddr>() else {
        return false;
    };
    match (net, ip) {
        (IpAddr::V4(net), IpAddr::V4(ip)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(net) & mask == u32::from(ip) & mask
        }
        (IpAddr::V6(net), IpAddr::V6(ip)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(net) & mask == u128::from(ip) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deny_list_covers_private_ranges_cidrs_and_names() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "100.64.0.1",
        ] {
            assert!(denies("private", ip(private)), "{private}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1::1", "100.128.0.1"] {
            assert!(!denies("private", ip(public)), "{public}");
        }
        assert!(denies("203.0.113.0/24", ip("203.0.113.7")));
        assert!(!denies("203.0.113.0/24", ip("203.0.114.7")));
        assert!(denies("2001:db8::/32", ip("2001:db8::5")));
        assert!(denies("198.51.100.9", ip("198.51.100.9")));
        let deny = vec!["private".to_owned()];
        assert!(check_host("http://127.0.0.1:8080/a.csv", &deny).is_err());
        assert!(check_host("http://[::1]/a.csv", &deny).is_err());
        assert!(check_host("http://localhost/a.csv", &deny).is_err());
        assert!(check_host("http://127.0.0.1/a.csv", &[]).is_ok());
        assert!(check_host("http://Example.ORG/a.csv", &["example.org".to_owned()]).is_err());
    }
}
