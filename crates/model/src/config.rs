//! The configuration file `kulturnetz.toml` (DESIGN §4).

use serde::{Deserialize, Deserializer};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// What the site publishes and under which IRIs.
    pub site: SiteConfig,
    /// Where the data lives.
    #[serde(default)]
    pub store: StoreConfig,
    /// How the server answers.
    #[serde(default)]
    pub server: ServerConfig,
    /// The sources to ingest, each into its own named graph.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
    /// The folder the file was read from: relative paths resolve against it.
    #[serde(skip)]
    pub root: PathBuf,
}

/// `[site]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Every minted IRI starts with it.
    pub base_iri: String,
    /// The title of the site's catalog.
    #[serde(default)]
    pub title: String,
    /// Who publishes the data.
    #[serde(default)]
    pub publisher: String,
    /// The licence of the data unless a source says otherwise.
    #[serde(default)]
    pub license: Option<String>,
}

/// `[store]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// The folder of the embedded store.
    #[serde(default = "default_store_path")]
    pub path: PathBuf,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            path: default_store_path(),
        }
    }
}

fn default_store_path() -> PathBuf {
    PathBuf::from("data/store")
}

/// `[server]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// The address to listen on.
    pub bind: String,
    /// The longest a query may run before it is cancelled (answered with 504).
    #[serde(deserialize_with = "duration")]
    pub query_timeout: Duration,
    /// The most solutions or triples a query may return; more is answered with an error.
    pub max_result_rows: u64,
    /// The largest body of a SPARQL request (query or update), in bytes.
    pub max_request_body: u64,
    /// The largest body of a Graph Store Protocol upload, in bytes.
    pub max_upload_body: u64,
    /// How many queries run at the same time.
    pub max_concurrent_queries: usize,
    /// How many queries may wait for a slot; beyond that the answer is 503.
    pub max_queued_queries: usize,
    /// Whether the default graph of a query is the union of all graphs (the data of every
    /// source) when the request names no dataset. Off, it is the store's own default graph.
    pub union_default_graph: bool,
    /// Hosts that `SERVICE` and `LOAD` may reach; empty: none.
    pub service_allow: Vec<String>,
    /// Connections open at once; more wait until one closes.
    pub max_connections: usize,
    /// The longest a connection may take to send a request's head, and the longest a kept-alive
    /// connection may stay idle between requests; then it is closed.
    #[serde(deserialize_with = "duration")]
    pub header_read_timeout: Duration,
    /// The URL the public reaches the server at, such as `https://daten.kultur.example/` behind
    /// a proxy that terminates TLS: every absolute link the server writes starts with it.
    /// Unset: `http://` and the request's `Host` header.
    pub public_url: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:7878".into(),
            query_timeout: Duration::from_secs(30),
            max_result_rows: 100_000,
            max_request_body: 1 << 20,
            max_upload_body: 256 << 20,
            max_concurrent_queries: 8,
            max_queued_queries: 64,
            union_default_graph: true,
            service_allow: Vec::new(),
            public_url: None,
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(30),
        }
    }
}

/// One `[[source]]`.
#[derive(Debug, Clone, Deserialize)]
pub struct SourceConfig {
    /// The source's identifier: its graph is `{base_iri}graph/{id}`.
    pub id: String,
    /// The connector that reads it (`rdf`, …).
    pub kind: String,
    /// The input file, relative to the configuration file.
    pub path: PathBuf,
    /// A human title.
    #[serde(default)]
    pub title: Option<String>,
    /// The licence of this source's data.
    #[serde(default)]
    pub license: Option<String>,
    /// The rejected records tolerated before the source fails (a count, or a share like `"1%"`).
    #[serde(default)]
    pub max_rejected: Tolerance,
    /// Options for the connector, which parses them itself.
    #[serde(flatten)]
    pub options: toml::Table,
}

/// How many rejected records a source may have before it fails.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tolerance {
    /// At most this many.
    Count(u64),
    /// At most this share (0.0 to 1.0) of all records.
    Share(f64),
}

impl Default for Tolerance {
    fn default() -> Self {
        Self::Share(0.01)
    }
}

impl Tolerance {
    /// Whether `rejected` of `total` records is within the tolerance.
    pub fn allows(self, rejected: u64, total: u64) -> bool {
        match self {
            Self::Count(max) => rejected <= max,
            #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
            Self::Share(share) => rejected == 0 || (rejected as f64) <= share * (total as f64),
        }
    }
}

impl fmt::Display for Tolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Count(c) => write!(f, "{c}"),
            Self::Share(s) => write!(f, "{}%", s * 100.),
        }
    }
}

impl<'de> Deserialize<'de> for Tolerance {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Count(u64),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Count(c) => Ok(Self::Count(c)),
            Raw::Text(t) => {
                let t = t.trim();
                if let Some(p) = t.strip_suffix('%') {
                    match f64::from_str(p.trim()) {
                        Ok(p) if (0.0..=100.0).contains(&p) => Ok(Self::Share(p / 100.)),
                        _ => Err(serde::de::Error::custom(format!(
                            "expected a share from 0% to 100%, found {t:?}"
                        ))),
                    }
                } else {
                    u64::from_str(t).map(Self::Count).map_err(|_| {
                        serde::de::Error::custom(format!(
                            "expected a count or a share like \"1%\", found {t:?}"
                        ))
                    })
                }
            }
        }
    }
}

fn duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let text = String::deserialize(deserializer)?;
    humantime::parse_duration(&text).map_err(|_| {
        serde::de::Error::custom(format!("expected a duration like \"30s\", found {text:?}"))
    })
}

/// A configuration that cannot be read or is not valid.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Reads and checks the configuration file at `path`.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        let mut config = Self::from_str_at(&text, path)?;
        config.root = path
            .parent()
            .map(Path::to_owned)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(config)
    }

    /// Parses and checks a configuration; `path` is only used in error messages.
    pub fn from_str_at(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let invalid = |offset: usize, message: String| {
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message,
            }
        };
        let config: Self = toml::from_str(text).map_err(|e| {
            invalid(
                e.span().map_or(0, |s| s.start),
                e.message().trim_end_matches('\n').to_owned(),
            )
        })?;
        let find = |needle: &str| text.find(needle).unwrap_or(0);
        if let Err(e) = oxiri::Iri::parse(config.site.base_iri.as_str()) {
            return Err(invalid(
                find("base_iri"),
                format!(
                    "base_iri {:?} is not an absolute IRI: {e}",
                    config.site.base_iri
                ),
            ));
        }
        if let Some(url) = &config.server.public_url {
            let valid = oxiri::Iri::parse(url.as_str())
                .is_ok_and(|iri| matches!(iri.scheme(), "http" | "https") && iri.query().is_none());
            if !valid {
                return Err(invalid(
                    find("public_url"),
                    format!(
                        "public_url {url:?} is not an absolute http or https URL without a query"
                    ),
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for source in &config.sources {
            let at = find(&format!("\"{}\"", source.id));
            if source.id.is_empty()
                || !source
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(invalid(
                    at,
                    format!(
                        "source id {:?} must be non-empty and use only ASCII letters, digits, '-' and '_'",
                        source.id
                    ),
                ));
            }
            if source.id == "meta" {
                return Err(invalid(
                    at,
                    "source id \"meta\" is reserved for pipeline metadata".into(),
                ));
            }
            if !seen.insert(&source.id) {
                return Err(invalid(
                    at,
                    format!("source id {:?} is used twice", source.id),
                ));
            }
        }
        Ok(config)
    }

    /// The minter of this site's IRIs.
    pub fn minter(&self) -> crate::Minter {
        crate::Minter::new(&self.site.base_iri)
            .unwrap_or_else(|_| unreachable!("base_iri was checked when the config was read"))
    }

    /// `path` resolved against the configuration file's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_owned()
        } else {
            self.root.join(path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_str_at(text, Path::new("kulturnetz.toml"))
    }

    #[test]
    fn reads_the_design_example() {
        let config = parse(
            r#"
[site]
base_iri = "https://daten.kultur.example/"
title = "Kulturdaten"
[server]
query_timeout = "2s"
service_allow = ["query.wikidata.org"]
[[source]]
id = "ontology"
kind = "rdf"
path = "ontologies/kulturnetz.ttl"
max_rejected = 3
[[source]]
id = "b"
kind = "rdf"
path = "b.ttl"
max_rejected = "1.5%"
format = "turtle"
"#,
        )
        .unwrap();
        assert_eq!(config.server.query_timeout, Duration::from_secs(2));
        assert_eq!(config.sources[0].max_rejected, Tolerance::Count(3));
        assert_eq!(config.sources[1].max_rejected, Tolerance::Share(0.015));
        assert_eq!(config.sources[1].options["format"].as_str(), Some("turtle"));
        assert!(config.server.union_default_graph);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let err = parse(
            "[site]\nbase_iri = \"https://x.example/\"\n[server]\nquery_timeout = \"soon\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("kulturnetz.toml:4:17: "), "{err}");
        assert!(
            err.contains("expected a duration like \"30s\", found \"soon\""),
            "{err}"
        );

        let err = parse("[site]\nbase_iri = \"x\"\n").unwrap_err().to_string();
        assert!(
            err.starts_with("kulturnetz.toml:2:1: base_iri \"x\" is not an absolute IRI"),
            "{err}"
        );

        let err = parse("[site]\nbase_iri = \"https://x.example/\"\n[[source]]\nid = \"a\"\nkind = \"rdf\"\npath = \"a\"\n[[source]]\nid = \"a\"\nkind = \"rdf\"\npath = \"b\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "kulturnetz.toml:4:6: source id \"a\" is used twice");
    }

    #[test]
    fn tolerance() {
        assert!(Tolerance::Share(0.01).allows(1, 100));
        assert!(!Tolerance::Share(0.01).allows(2, 100));
        assert!(Tolerance::Share(0.0).allows(0, 0));
        assert!(!Tolerance::Count(0).allows(1, 1000));
    }
}
