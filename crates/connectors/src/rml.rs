//! Sources described by an RML or YARRRML mapping (<https://w3id.org/rml/core/spec>,
//! <https://rml.io/yarrrml/spec/>), run by `kulturnetz-rml`.
//!
//! Options: `mapping` (required), the mapping file. A mapping names its own source files,
//! relative to the mapping's folder; the source's `path` must be one of them. Unlike the other
//! connectors this one reads files, not the reader it is handed, because a mapping may join
//! several files and read a file twice (once for a join table); [`Connector::dependencies`]
//! lists them, so that a change to any of them, or to the mapping, is a change of the source.
//! Relative IRIs are resolved against the site's base IRI; blank nodes are the source's own.

use crate::{Connector, ConnectorError, Context, Input, RecordSink};
use kulturnetz_model::{Diagnostic, Location, OptionSpec};
use kulturnetz_rml::{Mapping, Output, RunError, Targets};
use oxrdf::{Quad, QuadRef};
use std::path::{Path, PathBuf};

/// RML in Turtle (`kind = "rml"`) or YARRRML (`kind = "yarrrml"`).
#[derive(Debug, Clone, Copy)]
pub struct Rml {
    kind: &'static str,
}

impl Rml {
    /// RML mappings in Turtle.
    pub const RML: Self = Self { kind: "rml" };
    /// YARRRML mappings.
    pub const YARRRML: Self = Self { kind: "yarrrml" };

    fn mapping(&self, cx: &Context<'_>) -> Result<Mapping, ConnectorError> {
        let Some(path) = cx.option_str("mapping")? else {
            return Err(ConnectorError::Option {
                key: "mapping".into(),
                message: format!("a source of kind {:?} needs a mapping file", self.kind),
            });
        };
        let path = Path::new(path);
        let is_yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        if is_yaml != (self.kind == "yarrrml") {
            return Err(ConnectorError::Option {
                key: "mapping".into(),
                message: format!(
                    "{} is {}, but the source's kind is {:?}",
                    path.display(),
                    if is_yaml { "YARRRML" } else { "not YARRRML" },
                    self.kind
                ),
            });
        }
        let mapping = Mapping::from_path(path).map_err(|e| ConnectorError::Option {
            key: "mapping".into(),
            message: e.to_string(),
        })?;
        Ok(mapping
            .with_base_iri(cx.minter.base())
            .with_blank_node_salt(cx.source_id))
    }
}

impl Connector for Rml {
    fn options(&self) -> &'static [OptionSpec] {
        &[OptionSpec {
            key: "mapping",
            required: true,
            about: "the mapping file, relative to the configuration",
        }]
    }

    fn kind(&self) -> &'static str {
        self.kind
    }

    fn description(&self) -> &'static str {
        if self.kind == "yarrrml" {
            "sources described by a YARRRML mapping (option `mapping`), run by kulturnetz-rml"
        } else {
            "sources described by an RML mapping in Turtle (option `mapping`), run by kulturnetz-rml"
        }
    }

    fn version(&self) -> u32 {
        1
    }

    fn dependencies(&self, cx: &Context<'_>) -> Result<Vec<PathBuf>, ConnectorError> {
        let mapping = self.mapping(cx)?;
        let mut files: Vec<PathBuf> = cx
            .option_str("mapping")?
            .map(PathBuf::from)
            .into_iter()
            .collect();
        files.extend(mapping.source_files().into_iter().map(Path::to_path_buf));
        Ok(files)
    }

    fn convert(
        &self,
        input: Input<'_>,
        cx: &Context<'_>,
        out: &mut dyn RecordSink,
    ) -> Result<(), ConnectorError> {
        let mapping = self.mapping(cx)?;
        let same = |p: &Path| {
            p.canonicalize()
                .ok()
                .is_some_and(|p| Path::new(input.name).canonicalize().is_ok_and(|i| i == p))
                || p.ends_with(input.name)
        };
        if !mapping.source_files().into_iter().any(same) {
            return Err(ConnectorError::Option {
                key: "path".into(),
                message: format!(
                    "{} is not a source of the mapping (it reads {})",
                    input.name,
                    mapping
                        .source_files()
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        let mut adapter = Adapter { out, failed: None };
        match mapping.run(&mut adapter) {
            Ok(_) => Ok(()),
            Err(RunError::Output(_)) => Err(adapter.failed.map_or_else(
                || {
                    ConnectorError::Sink(crate::SinkError::new(std::io::Error::other(
                        "the sink failed",
                    )))
                },
                ConnectorError::Sink,
            )),
            Err(RunError::Io { file, source }) => Err(ConnectorError::Io { name: file, source }),
            Err(e) => Err(ConnectorError::Format(Box::new(Diagnostic::new(
                Location::file(input.name),
                e.to_string(),
            )))),
        }
    }
}

struct Adapter<'a> {
    out: &'a mut dyn RecordSink,
    failed: Option<crate::SinkError>,
}

impl Output for Adapter<'_> {
    fn accept(&mut self, at: &Location, quads: &[(Quad, Targets)]) -> Result<(), String> {
        let quads: Vec<QuadRef<'_>> = quads.iter().map(|(q, _)| q.as_ref()).collect();
        self.out.accept(at, &quads).map_err(|e| {
            let message = e.to_string();
            self.failed = Some(e);
            message
        })
    }

    fn reject(&mut self, diagnostic: Diagnostic) -> Result<(), String> {
        self.out.reject(diagnostic).map_err(|e| {
            let message = e.to_string();
            self.failed = Some(e);
            message
        })
    }
}
