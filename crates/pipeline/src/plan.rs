//! The first stage: what a source's output depends on, its fingerprint, and whether it changed
//! since the last ingest.

use crate::provenance::{self, Stored};
use kulturnetz_connectors::{Connector, ConnectorError, Context};
use kulturnetz_model::{Config, Minter, SourceConfig};
use kulturnetz_store::{Backend, StoreError};
use oxrdf::NamedNode;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Options that name files, resolved relative to the configuration file.
const PATH_OPTIONS: &[&str] = &["mapping"];

/// A source that is to be converted.
pub(crate) struct Plan {
    /// The source's named graph.
    pub(crate) graph: NamedNode,
    /// Its input file.
    pub(crate) path: PathBuf,
    /// The input's name in messages and diagnostics (as configured).
    pub(crate) name: String,
    /// The hex SHA-256 of what decides its output.
    pub(crate) fingerprint: String,
    /// The accepted records of the published graph, if there is one.
    pub(crate) published_accepted: Option<u64>,
}

/// What the plan decided.
pub(crate) enum Planned {
    /// Convert and publish.
    Run(Plan),
    /// The fingerprint is the one of the published graph: nothing to do.
    Unchanged(Stored),
    /// The source cannot be ingested (its input or a file it depends on cannot be read).
    Failed(String),
}

/// The connector's context: the source id, the minter and its options, with the paths among them
/// resolved relative to the configuration, as `path` is.
pub(crate) fn context<'a>(
    config: &Config,
    source: &'a SourceConfig,
    minter: &'a Minter,
) -> Context<'a> {
    let mut options = source.options.clone();
    for key in PATH_OPTIONS {
        if let Some(toml::Value::String(p)) = options.get_mut(*key) {
            *p = config.resolve(Path::new(p.as_str())).display().to_string();
        }
    }
    Context::new(&source.id, minter).with_options(options)
}

/// Where a source's input is: its file, or the cached copy of what its `url` gave.
pub(crate) struct InputFile {
    /// The file.
    pub(crate) path: PathBuf,
    /// Its name in messages and diagnostics: the configured path, or the URL.
    pub(crate) name: String,
}

impl InputFile {
    /// The configured file of `source`.
    pub(crate) fn configured(config: &Config, source: &SourceConfig) -> Self {
        Self {
            path: config.resolve(&source.path),
            name: source.path.display().to_string(),
        }
    }
}

/// Fingerprints `source` and compares it with the published one (unless `force`).
pub(crate) fn plan(
    backend: &dyn Backend,
    source: &SourceConfig,
    input: InputFile,
    connector: &dyn Connector,
    cx: &Context<'_>,
    validation: &str,
    force: bool,
) -> Result<Planned, StoreError> {
    let graph = cx.minter.graph(&source.id);
    let InputFile { path, name } = input;
    if let Err(e) = File::open(&path) {
        return Ok(Planned::Failed(format!(
            "{}: source {:?}: cannot read its path {:?} ({}): {e}",
            source.at.value("path"),
            source.id,
            name,
            path.display()
        )));
    }
    let dependencies = match connector.dependencies(cx) {
        Ok(d) => d,
        Err(ConnectorError::Option { key, message }) => {
            return Ok(Planned::Failed(format!(
                "{}: source {:?}: option {key:?}: {message}",
                source.at.value(&key),
                source.id
            )));
        }
        Err(e) => return Ok(Planned::Failed(format!("{name}: {e}"))),
    };
    let fingerprint = match fingerprint(&path, &dependencies, source, connector, validation) {
        Ok(f) => f,
        Err(e) => return Ok(Planned::Failed(format!("{name}: cannot read: {e}"))),
    };
    let previous = provenance::stored(backend, &cx.minter.meta_graph(), &graph)?;
    if !force && previous.fingerprint.as_deref() == Some(fingerprint.as_str()) {
        return Ok(Planned::Unchanged(previous));
    }
    Ok(Planned::Run(Plan {
        graph,
        path,
        name,
        fingerprint,
        published_accepted: previous.fingerprint.is_some().then_some(previous.accepted),
    }))
}

/// The version of what an ingest writes besides the graph, the rejected-records file: part of
/// every fingerprint, and bumped when that file changes, so that the next ingest converts each
/// source once more and rewrites it (2: each record with its text, `Diagnostic::raw`).
const REJECTED_FORMAT: u32 = 2;

/// The hex SHA-256 of what decides a source's output: its input, settings, connector version
/// and validation (and the format of the rejected-records file).
fn fingerprint(
    path: &Path,
    dependencies: &[PathBuf],
    source: &SourceConfig,
    connector: &dyn Connector,
    validation: &str,
) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    hasher.update(format!(
        "{}\0{}\0{REJECTED_FORMAT}\0",
        connector.kind(),
        connector.version()
    ));
    // How the source is validated, and its shapes: new shapes validate it again.
    hasher.update(validation);
    hasher.update([0]);
    hasher.update(toml::to_string(&source.options).unwrap_or_default());
    hasher.update([0]);
    let mut buf = vec![0; 1 << 16];
    for file in std::iter::once(path).chain(dependencies.iter().map(PathBuf::as_path)) {
        let mut file = File::open(file)?;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        hasher.update([0]);
    }
    Ok(kulturnetz_model::hex(&hasher.finalize()))
}
