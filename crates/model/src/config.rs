//! The configuration file `kulturnetz.toml` (DESIGN §4).

use crate::Location;
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
    /// How the pipeline runs.
    #[serde(default)]
    pub pipeline: PipelineConfig,
    /// The sources to ingest, each into its own named graph.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
    /// The folder the file was read from: relative paths resolve against it.
    #[serde(skip)]
    pub root: PathBuf,
    /// The file as the user named it, for messages (empty for a configuration without a file).
    #[serde(skip)]
    pub path: PathBuf,
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

/// `[pipeline]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineConfig {
    /// How far a source's accepted records may fall from one ingest to the next before it is
    /// held (not published, the previous graph kept) until the run is confirmed: a share like
    /// `"50%"` or a count. A fall to zero is always held. A source may set its own.
    pub max_shrink: Tolerance,
    /// When `serve` runs the pipeline again while it serves: `"24h"` (every so long after the
    /// last start) or `"03:30"` (every day at that local time). Unset: only on request.
    pub refresh: Option<Refresh>,
    /// Hosts sources are never fetched from: names, IP addresses, CIDR ranges like
    /// `"10.0.0.0/8"`, and `"private"` for every loopback, private and link-local range (the
    /// default).
    pub fetch_deny: Vec<String>,
    /// The longest a fetch may take, from connecting to the last byte.
    #[serde(deserialize_with = "duration")]
    pub fetch_timeout: Duration,
    /// The largest input a fetch downloads, in bytes.
    pub max_download: u64,
    /// How often a failed fetch is tried again (with a growing pause) before it gives up.
    pub fetch_retries: u32,
    /// The folder of the SHACL shapes sources are validated against (every `*.ttl` in it),
    /// unless a source names its own `shapes`. A missing folder means no shapes.
    pub shapes: PathBuf,
    /// How many sources are converted, validated and published at the same time; each holds
    /// its staged graph in memory until it is published. Default: the machine's cores, at most 4.
    pub jobs: usize,
    /// The data stewards' file of link overrides (CSV: `subject,kind,object,decision,reason`;
    /// `decision` is `pin` or `forbid`), read by the linking stage after every ingest that
    /// changed something. A missing file means no overrides.
    pub link_overrides: PathBuf,
}

impl PipelineConfig {
    /// The number of sources `jobs` lets run at once, at least one.
    pub fn jobs(&self) -> usize {
        self.jobs.max(1)
    }
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            max_shrink: Tolerance::Share(0.5),
            refresh: None,
            fetch_deny: vec!["private".into()],
            fetch_timeout: Duration::from_secs(60),
            max_download: 1 << 30,
            fetch_retries: 2,
            shapes: PathBuf::from("ontologies/shapes"),
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
            link_overrides: PathBuf::from("links/overrides.csv"),
        }
    }
}

/// `[pipeline] refresh`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// Every so long.
    Every(Duration),
    /// Every day at this hour and minute, local time.
    Daily {
        /// 0 to 23.
        hour: u8,
        /// 0 to 59.
        minute: u8,
    },
}

impl<'de> Deserialize<'de> for Refresh {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let text = text.trim();
        let invalid = || {
            serde::de::Error::custom(format!(
                "expected a duration like \"24h\" or a daily time like \"03:30\", found {text:?}"
            ))
        };
        if let Some((h, m)) = text.split_once(':') {
            let hour: u8 = h.parse().map_err(|_| invalid())?;
            let minute: u8 = m.parse().map_err(|_| invalid())?;
            if hour > 23 || minute > 59 || m.len() != 2 {
                return Err(invalid());
            }
            return Ok(Self::Daily { hour, minute });
        }
        match humantime::parse_duration(text) {
            Ok(d) if d >= Duration::from_secs(1) => Ok(Self::Every(d)),
            _ => Err(invalid()),
        }
    }
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
    /// The input file, relative to the configuration file (or, for a source with a `url`, its
    /// cached copy's name; empty then).
    #[serde(default)]
    pub path: PathBuf,
    /// Where the input is fetched from (`http` or `https`), instead of a `path`.
    #[serde(default)]
    pub url: Option<String>,
    /// A human title.
    #[serde(default)]
    pub title: Option<String>,
    /// The licence of this source's data.
    #[serde(default)]
    pub license: Option<String>,
    /// The rejected records tolerated before the source fails (a count, or a share like `"1%"`).
    #[serde(default)]
    pub max_rejected: Tolerance,
    /// This source's `[pipeline] max_shrink`.
    #[serde(default)]
    pub max_shrink: Option<Tolerance>,
    /// What SHACL validation does with this source: `gate` (the default), `warn` or `off`.
    #[serde(default)]
    pub validate: ValidateMode,
    /// The violations tolerated in `gate` mode (a count, or a share of the focus nodes like
    /// `"1%"`); 0 by default.
    #[serde(default = "no_violations")]
    pub max_violations: Tolerance,
    /// The shapes files this source is validated against, instead of `[pipeline] shapes`.
    #[serde(default)]
    pub shapes: Option<Vec<PathBuf>>,
    /// Options for the connector, which parses them itself.
    #[serde(flatten)]
    pub options: toml::Table,
    /// Where the source and each of its keys are written in the configuration file.
    #[serde(skip)]
    pub at: SourcePositions,
}

/// The keys every `[[source]]` has, whatever its kind; the rest are the connector's options.
pub const SOURCE_KEYS: &[&str] = &[
    "id",
    "kind",
    "path",
    "url",
    "title",
    "license",
    "max_rejected",
    "max_shrink",
    "validate",
    "max_violations",
    "shapes",
];

/// A source's `validate`: what SHACL validation of its staged graph decides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValidateMode {
    /// More violations than `max_violations` fail the source: its previous graph stays.
    #[default]
    Gate,
    /// The graph is published whatever the violations; the report says what they are.
    Warn,
    /// Not validated.
    Off,
}

impl fmt::Display for ValidateMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Gate => "gate",
            Self::Warn => "warn",
            Self::Off => "off",
        })
    }
}

fn no_violations() -> Tolerance {
    Tolerance::Count(0)
}

/// Where a `[[source]]` and its keys are written in the configuration file, so that a problem
/// found after the file was read (an unknown option, a missing input) names the line.
#[derive(Debug, Clone, Default)]
pub struct SourcePositions {
    /// The `[[source]]` header.
    table: Location,
    /// Each key: where the key is written, and where its value is.
    keys: Vec<(String, Location, Location)>,
}

impl SourcePositions {
    /// Where the source's table starts.
    pub fn table(&self) -> &Location {
        &self.table
    }

    /// Where `key` is written, or the table if it is not.
    pub fn key(&self, key: &str) -> &Location {
        self.keys
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or(&self.table, |(_, at, _)| at)
    }

    /// Where the value of `key` is written, or the table if it is not.
    pub fn value(&self, key: &str) -> &Location {
        self.keys
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or(&self.table, |(_, _, at)| at)
    }
}

/// An option a connector reads from its source's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionSpec {
    /// The key.
    pub key: &'static str,
    /// Whether a source of the connector's kind must set it.
    pub required: bool,
    /// What it means, in a few words.
    pub about: &'static str,
}

/// How many rejected records (or violations, or lost records) a source may have before it fails.
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

impl SourceConfig {
    /// How far this source's accepted records may fall before it is held.
    pub fn max_shrink(&self, config: &Config) -> Tolerance {
        self.max_shrink.unwrap_or(config.pipeline.max_shrink)
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
    /// The file is not valid (or, for a configuration without a file, a setting is not).
    #[error("{}{}{message}", path.display(), if path.as_os_str().is_empty() { String::new() } else { format!(":{line}:{column}: ") })]
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

impl ConfigError {
    /// The configuration is not valid at `at`.
    pub fn at(at: &Location, message: impl Into<String>) -> Self {
        #[expect(clippy::cast_possible_truncation, reason = "lines of a config file")]
        Self::Invalid {
            path: PathBuf::from(&at.file),
            line: at.line.unwrap_or(1) as usize,
            column: at.column.unwrap_or(1) as usize,
            message: message.into(),
        }
    }
}

impl Config {
    /// A configuration without a file: the defaults, a store at `store` and no sources. For the
    /// commands that need only a store (`load`, `query`, `dump`, `serve`).
    pub fn without_file(store: PathBuf) -> Self {
        Self {
            site: SiteConfig {
                base_iri: DEFAULT_BASE_IRI.into(),
                title: String::new(),
                publisher: String::new(),
                license: None,
            },
            store: StoreConfig { path: store },
            server: ServerConfig::default(),
            pipeline: PipelineConfig::default(),
            sources: Vec::new(),
            root: PathBuf::from("."),
            path: PathBuf::new(),
        }
    }

    /// Reads and checks the configuration file at `path`.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let bytes = std::fs::read(path).map_err(|source| ConfigError::Io {
            path: path.to_owned(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let hint = crate::text::utf16_hint(e.as_bytes());
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column =
                valid.len() - valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
            ConfigError::Invalid {
                path: path.to_owned(),
                line,
                column,
                message: match hint {
                    Some(hint) => format!("not valid UTF-8: {hint}"),
                    None => "not valid UTF-8 (a TOML file must be UTF-8)".into(),
                },
            }
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
        let mut config: Self = toml::from_str(text).map_err(|e| {
            invalid(
                e.span().map_or(0, |s| s.start),
                suggest(e.message().trim_end_matches('\n')),
            )
        })?;
        config.path = path.to_owned();
        let location = |offset: usize| {
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            Location::file(path.display().to_string()).with_position(line as u64, column as u64)
        };
        for (source, at) in config
            .sources
            .iter_mut()
            .zip(source_positions(text, &location))
        {
            source.at = at;
        }
        let find = |needle: &str| text.find(needle).unwrap_or(0);
        for (key, value) in [
            (
                "max_concurrent_queries",
                config.server.max_concurrent_queries,
            ),
            ("max_connections", config.server.max_connections),
        ] {
            if value == 0 {
                return Err(invalid(
                    find(key),
                    format!("{key} must be at least 1: with 0 no query could ever run"),
                ));
            }
        }
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
        let mut seen = std::collections::HashMap::new();
        for source in &config.sources {
            let at = source.at.value("id");
            if source.id.is_empty()
                || !source
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(ConfigError::at(
                    at,
                    format!(
                        "source id {:?} must be non-empty and use only ASCII letters, digits, '-' and '_'",
                        source.id
                    ),
                ));
            }
            if source.id == "meta" || source.id == "links" {
                return Err(ConfigError::at(
                    at,
                    format!(
                        "source id {:?} is reserved for the pipeline's own graph",
                        source.id
                    ),
                ));
            }
            match (&source.url, source.path.as_os_str().is_empty()) {
                (Some(_), false) => {
                    return Err(ConfigError::at(
                        source.at.key("url"),
                        format!("source {:?} has both a path and a url: give one", source.id),
                    ));
                }
                (None, true) => {
                    return Err(ConfigError::at(
                        source.at.table(),
                        format!(
                            "source {:?} needs a path (a file) or a url (fetched)",
                            source.id
                        ),
                    ));
                }
                (Some(url), true) => {
                    let valid = oxiri::Iri::parse(url.as_str())
                        .is_ok_and(|iri| matches!(iri.scheme(), "http" | "https"));
                    if !valid {
                        return Err(ConfigError::at(
                            source.at.value("url"),
                            format!("url {url:?} is not an absolute http or https URL"),
                        ));
                    }
                }
                (None, false) => {}
            }
            if let Some(first) = seen.insert(&source.id, at) {
                return Err(ConfigError::at(
                    at,
                    format!(
                        "source id {:?} is used twice (first at line {})",
                        source.id,
                        first.line.unwrap_or(1)
                    ),
                ));
            }
        }
        Ok(config)
    }

    /// Checks what only the connectors know: that each source's kind exists, that its keys are
    /// ones the kind reads, and that the options it needs are set. `kinds` lists every kind with
    /// its options. Errors name the line and suggest the nearest key or kind.
    pub fn check_sources(
        &self,
        kinds: &[(&'static str, &'static [OptionSpec])],
    ) -> Result<(), ConfigError> {
        for source in &self.sources {
            let Some((_, options)) = kinds.iter().find(|(kind, _)| *kind == source.kind) else {
                let known = kinds.iter().map(|(kind, _)| *kind);
                let mut message = format!("source {:?}: unknown kind {:?}", source.id, source.kind);
                if let Some(near) = crate::text::did_you_mean(&source.kind, known.clone()) {
                    message.push_str(&format!("; did you mean {near:?}?"));
                }
                message.push_str(&format!(
                    " (kinds: {})",
                    known.collect::<Vec<_>>().join(", ")
                ));
                return Err(ConfigError::at(source.at.value("kind"), message));
            };
            for key in source.options.keys() {
                if options.iter().any(|o| o.key == key) {
                    continue;
                }
                let known = SOURCE_KEYS
                    .iter()
                    .copied()
                    .chain(options.iter().map(|o| o.key));
                let mut message = format!("source {:?}: unknown key `{key}`", source.id);
                if let Some(near) = crate::text::did_you_mean(key, known) {
                    message.push_str(&format!("; did you mean `{near}`?"));
                }
                message.push_str(&format!(
                    " (keys of every source: {}; options of kind {:?}: {})",
                    SOURCE_KEYS.join(", "),
                    source.kind,
                    if options.is_empty() {
                        "none".to_owned()
                    } else {
                        options.iter().map(|o| o.key).collect::<Vec<_>>().join(", ")
                    }
                ));
                return Err(ConfigError::at(source.at.key(key), message));
            }
            if let Some(missing) = options
                .iter()
                .find(|o| o.required && !source.options.contains_key(o.key))
            {
                return Err(ConfigError::at(
                    source.at.table(),
                    format!(
                        "source {:?}: a source of kind {:?} needs `{} = \"…\"` ({})",
                        source.id, source.kind, missing.key, missing.about
                    ),
                ));
            }
        }
        Ok(())
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

/// The base IRI of a configuration without a file.
pub const DEFAULT_BASE_IRI: &str = "https://daten.kultur.example/";

/// A deserialiser's message about an unknown key, with the nearest expected key suggested:
/// "unknown field `licence`, expected one of `a`, `b`" becomes "unknown key `licence`; did you
/// mean `license`? (expected one of `a`, `b`)".
fn suggest(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_owned();
    };
    let Some((key, expected)) = rest.split_once("`, ") else {
        return message.to_owned();
    };
    let candidates = expected
        .trim_start_matches("expected one of ")
        .trim_start_matches("expected ")
        .split(", ")
        .map(|c| c.trim_matches('`'));
    let mut out = format!("unknown key `{key}`");
    if let Some(near) = crate::text::did_you_mean(key, candidates) {
        out.push_str(&format!("; did you mean `{near}`?"));
    }
    out.push_str(&format!(" ({expected})"));
    out
}

/// Where each `[[source]]` table of `text` and its keys are written, in order.
fn source_positions(text: &str, location: &dyn Fn(usize) -> Location) -> Vec<SourcePositions> {
    let Ok(document) = toml::de::DeTable::parse(text) else {
        return Vec::new();
    };
    let Some(sources) = document.get_ref().get("source") else {
        return Vec::new();
    };
    let toml::de::DeValue::Array(tables) = sources.get_ref() else {
        return Vec::new();
    };
    tables
        .iter()
        .map(|table| {
            let keys = match table.get_ref() {
                toml::de::DeValue::Table(t) => t
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.get_ref().to_string(),
                            location(k.span().start),
                            location(v.span().start),
                        )
                    })
                    .collect(),
                _ => Vec::new(),
            };
            // The span of an array-of-tables entry starts at its `[[source]]` header.
            SourcePositions {
                table: location(table.span().start),
                keys,
            }
        })
        .collect()
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
    fn the_link_overrides_file_and_the_reserved_graph_names() {
        let site = "[site]\nbase_iri = \"https://x.example/\"\n";
        let config = parse(site).unwrap();
        assert_eq!(
            config.pipeline.link_overrides,
            Path::new("links/overrides.csv")
        );
        let config = parse(&format!(
            "{site}[pipeline]\nlink_overrides = \"steward/links.csv\"\n"
        ))
        .unwrap();
        assert_eq!(
            config.pipeline.link_overrides,
            Path::new("steward/links.csv")
        );
        for id in ["meta", "links"] {
            let err = parse(&format!(
                "{site}[[source]]\nid = \"{id}\"\nkind = \"rdf\"\npath = \"a.ttl\"\n"
            ))
            .unwrap_err()
            .to_string();
            assert!(
                err.contains(&format!(
                    "source id \"{id}\" is reserved for the pipeline's own graph"
                )),
                "{err}"
            );
        }
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
        assert_eq!(
            err,
            "kulturnetz.toml:8:6: source id \"a\" is used twice (first at line 4)"
        );
    }

    const KINDS: &[(&str, &[OptionSpec])] = &[
        ("rdf", &[]),
        (
            "yarrrml",
            &[OptionSpec {
                key: "mapping",
                required: true,
                about: "the mapping file",
            }],
        ),
    ];

    fn source(keys: &str) -> String {
        format!("[site]\nbase_iri = \"https://x.example/\"\n\n[[source]]\nid = \"a\"\n{keys}")
    }

    #[test]
    fn unknown_keys_of_a_source_are_refused_with_the_nearest_key() {
        let config = parse(&source(
            "kind = \"rdf\"\npath = \"a.ttl\"\nlicence = \"https://x.example/l\"\n",
        ))
        .unwrap();
        let err = config.check_sources(KINDS).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "kulturnetz.toml:8:1: source \"a\": unknown key `licence`; did you mean `license`?"
            ),
            "{err}"
        );
        let config = parse(&source(
            "kind = \"rdf\"\npath = \"a.ttl\"\nmax_rejectd = 5\n",
        ))
        .unwrap();
        let err = config.check_sources(KINDS).unwrap_err().to_string();
        assert!(err.contains("did you mean `max_rejected`?"), "{err}");
        let config = parse(&source(
            "kind = \"rdf\"\npath = \"a.ttl\"\nmax_violation = 5\n",
        ))
        .unwrap();
        let err = config.check_sources(KINDS).unwrap_err().to_string();
        assert!(err.contains("did you mean `max_violations`?"), "{err}");
    }

    #[test]
    fn validation_is_a_gate_unless_a_source_says_otherwise() {
        let config = parse(&source(
            "kind = \"rdf\"\npath = \"a.ttl\"\n[[source]]\nid = \"b\"\nkind = \"rdf\"\npath = \"b.ttl\"\nvalidate = \"warn\"\nmax_violations = \"2%\"\nshapes = [\"s.ttl\"]\n",
        ))
        .unwrap();
        config.check_sources(KINDS).unwrap();
        let (a, b) = (&config.sources[0], &config.sources[1]);
        assert_eq!(a.validate, ValidateMode::Gate);
        assert_eq!(a.max_violations, Tolerance::Count(0));
        assert_eq!(a.shapes, None);
        assert_eq!(config.pipeline.shapes, Path::new("ontologies/shapes"));
        assert_eq!(b.validate, ValidateMode::Warn);
        assert_eq!(b.max_violations, Tolerance::Share(0.02));
        assert_eq!(b.shapes, Some(vec![PathBuf::from("s.ttl")]));
        let err = parse(&source(
            "kind = \"rdf\"\npath = \"a.ttl\"\nvalidate = \"strict\"\n",
        ))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("unknown variant `strict`, expected one of `gate`, `warn`, `off`"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_kind_and_a_missing_option_name_their_line() {
        let config = parse(&source("kind = \"yarrml\"\npath = \"a.csv\"\n")).unwrap();
        let err = config.check_sources(KINDS).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "kulturnetz.toml:6:8: source \"a\": unknown kind \"yarrml\"; did you mean \"yarrrml\"?"
            ),
            "{err}"
        );
        let config = parse(&source("kind = \"yarrrml\"\npath = \"a.csv\"\n")).unwrap();
        let err = config.check_sources(KINDS).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "kulturnetz.toml:4:1: source \"a\": a source of kind \"yarrrml\" needs `mapping"
            ),
            "{err}"
        );
        let config = parse(&source(
            "kind = \"yarrrml\"\npath = \"a.csv\"\nmapping = \"m.yaml\"\n",
        ))
        .unwrap();
        config.check_sources(KINDS).unwrap();
        assert_eq!(
            config.sources[0].at.value("path").to_string(),
            "kulturnetz.toml:7:8"
        );
    }

    #[test]
    fn unknown_keys_of_a_section_suggest_the_nearest() {
        let err =
            parse("[site]\nbase_iri = \"https://x.example/\"\n[server]\nmax_result_row = 5\n")
                .unwrap_err()
                .to_string();
        assert!(
            err.starts_with(
                "kulturnetz.toml:4:1: unknown key `max_result_row`; did you mean `max_result_rows`?"
            ),
            "{err}"
        );
        let err = parse("[site]\nbase_iri = \"https://x.example/\"\n[sever]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean `server`?"), "{err}");
    }

    #[test]
    fn no_query_slots_is_refused() {
        let err = parse(
            "[site]\nbase_iri = \"https://x.example/\"\n[server]\nmax_concurrent_queries = 0\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("kulturnetz.toml:4:1: max_concurrent_queries must be at least 1"),
            "{err}"
        );
    }

    #[test]
    fn a_utf16_file_says_so() {
        let dir = std::env::temp_dir().join(format!("kn-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("kulturnetz.toml");
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend("[site]\n".encode_utf16().flat_map(u16::to_le_bytes));
        std::fs::write(&file, bytes).unwrap();
        let err = Config::from_file(&file).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            err.contains(":1:1: not valid UTF-8: the file looks like UTF-16"),
            "{err}"
        );
    }

    #[test]
    fn refresh() {
        let refresh = |r: &str| {
            parse(&format!(
                "[site]\nbase_iri = \"https://x.example/\"\n[pipeline]\nrefresh = \"{r}\"\n"
            ))
            .map(|c| c.pipeline.refresh)
        };
        assert_eq!(
            refresh("24h").unwrap(),
            Some(Refresh::Every(Duration::from_secs(86400)))
        );
        assert_eq!(
            refresh("03:30").unwrap(),
            Some(Refresh::Daily {
                hour: 3,
                minute: 30
            })
        );
        for bad in ["25:00", "3:5", "0s", "soon"] {
            let err = refresh(bad).unwrap_err().to_string();
            assert!(
                err.contains("expected a duration like \"24h\""),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn tolerance() {
        assert!(Tolerance::Share(0.01).allows(1, 100));
        assert!(!Tolerance::Share(0.01).allows(2, 100));
        assert!(Tolerance::Share(0.0).allows(0, 0));
        assert!(!Tolerance::Count(0).allows(1, 1000));
    }
}
