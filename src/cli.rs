//! The command line: clap types only.

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

impl Cli {
    /// Parses the command line; `convert --help` lists the kinds of the connectors' registry.
    pub(crate) fn parse_with_kinds() -> Self {
        let mut kinds = String::from("Kinds:\n");
        for c in kulturnetz_connectors::CONNECTORS {
            kinds.push_str(&format!("  {:<9} {}\n", c.kind(), c.description()));
        }
        let command = Self::command().mut_subcommand("convert", |convert| {
            convert.after_long_help(kinds.clone()).after_help(kinds)
        });
        let mut matches = command.get_matches();
        Self::from_arg_matches_mut(&mut matches).unwrap_or_else(|e| e.exit())
    }
}

/// Kulturnetz: ingest cultural open data into RDF and serve it over SPARQL.
#[derive(Debug, Parser)]
#[command(
    name = "kulturnetz",
    version,
    about,
    long_about = None,
    after_help = "Start here:
  kulturnetz init museum            a new site in museum/: configuration, sample data, mapping
  kulturnetz serve                  ingest kulturnetz.toml's sources, serve at http://127.0.0.1:7878/
  kulturnetz ingest --report r.json convert and publish what changed, with a JSON report
  kulturnetz query 'SELECT * { ?s ?p ?o } LIMIT 10' --format csv

Writes over HTTP (SPARQL Update, Graph Store PUT/POST/DELETE) need the server started with
KULTURNETZ_WRITE_TOKEN set, and requests sending `Authorization: Bearer <token>`.
Exit codes: 0 ok, 1 data problems (a source failed), 2 usage or configuration errors."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// How progress and log lines are written to standard error: `text` for people (a progress
    /// bar per source on a terminal), `json` for a log collector (one JSON object per line, level
    /// info and up unless RUST_LOG says otherwise).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "text",
        env = "KULTURNETZ_LOG_FORMAT"
    )]
    pub(crate) log_format: LogFormat,
}

/// See [`Cli::log_format`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Ingest the sources that changed, then serve SPARQL at http://127.0.0.1:7878/.
    Serve(ServeArgs),
    /// Run the pipeline: convert every source that changed and publish it in its own graph.
    Ingest(IngestArgs),
    /// Run a SPARQL query against the store and print the results.
    Query(QueryArgs),
    /// Load RDF files into the store (into --graph, else each statement's own graph).
    Load(LoadArgs),
    /// Write the whole store as gzipped N-Quads (`all.nq.gz`) with its SHA-256 sum.
    Dump(DumpArgs),
    /// Run an RML or YARRRML mapping on its own and write the RDF it makes.
    Map(MapArgs),
    /// Run one connector on one file and write N-Quads (`convert --help` lists the kinds).
    Convert(ConvertArgs),
    /// Start a site for a new institution: a configuration, a sample CSV of holdings with its
    /// mapping, SHACL shapes and a README, ready to serve.
    Init(InitArgs),
    /// Check the configured sources against their SHACL shapes without publishing, or one RDF
    /// file against one shapes file.
    Validate(ValidateArgs),
    /// Rebuild the search indexes (full text and places, in `search/` beside the store) from
    /// the store.
    Reindex(ReindexArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ReindexArgs {
    #[command(flatten)]
    pub(crate) config: StoreArg,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The folder to write into, created if missing. It may hold other files; if one of the
    /// files `init` writes exists already, it writes nothing and exits with 2.
    #[arg(value_name = "DIR", default_value = ".")]
    pub(crate) dir: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct ConfigArg {
    /// The configuration file.
    #[arg(
        long,
        short = 'c',
        default_value = "kulturnetz.toml",
        value_name = "FILE"
    )]
    pub(crate) config: PathBuf,
}

/// For the commands that need only a store: a configuration if there is one, else a store.
#[derive(Debug, Args)]
pub(crate) struct StoreArg {
    /// The configuration file (default: kulturnetz.toml if there is one; without one, the
    /// command works on the store alone, with default settings).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// The store's folder (overrides `[store] path`; without a configuration: data/store).
    #[arg(long, value_name = "DIR")]
    pub(crate) store: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    pub(crate) config: StoreArg,
    /// The address to listen on (overrides `[server] bind`); port 0 picks a free port.
    #[arg(long, value_name = "ADDR")]
    pub(crate) bind: Option<String>,
    /// Serve what the store holds without ingesting first.
    #[arg(long)]
    pub(crate) no_ingest: bool,
}

#[derive(Debug, Args)]
pub(crate) struct IngestArgs {
    #[command(flatten)]
    pub(crate) config: ConfigArg,
    /// Only this source (repeatable).
    #[arg(long = "source", value_name = "ID")]
    pub(crate) sources: Vec<String>,
    /// Ingest even the sources that did not change.
    #[arg(long)]
    pub(crate) force: bool,
    /// Publish this source even though its records fell further than `max_shrink` allows
    /// (confirms a run that held it; repeatable).
    #[arg(long = "accept-shrink", value_name = "ID")]
    pub(crate) accept_shrink: Vec<String>,
    /// Also write the report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,
    /// Leave the dumps as they are (by default an ingest that published something writes them
    /// again into `dumps/` beside the store's folder).
    #[arg(long)]
    pub(crate) no_dumps: bool,
}

#[derive(Debug, Args)]
pub(crate) struct QueryArgs {
    #[command(flatten)]
    pub(crate) config: StoreArg,
    /// The query, or @FILE to read it from a file.
    pub(crate) query: String,
    /// The output format (default: json for SELECT/ASK, ttl for CONSTRUCT/DESCRIBE).
    #[arg(long, value_enum)]
    pub(crate) format: Option<Format>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Json,
    Xml,
    Csv,
    Tsv,
    Ttl,
    Nt,
    Nq,
    Trig,
    Rdfxml,
    Jsonld,
}

impl Format {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Xml => "xml",
            Self::Csv => "csv",
            Self::Tsv => "tsv",
            Self::Ttl => "ttl",
            Self::Nt => "nt",
            Self::Nq => "nq",
            Self::Trig => "trig",
            Self::Rdfxml => "rdfxml",
            Self::Jsonld => "jsonld",
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct LoadArgs {
    #[command(flatten)]
    pub(crate) config: StoreArg,
    /// RDF files (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD; by extension).
    #[arg(required = true, value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,
    /// Load every triple into this named graph.
    #[arg(long, value_name = "IRI")]
    pub(crate) graph: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct DumpArgs {
    #[command(flatten)]
    pub(crate) config: StoreArg,
    /// The folder to write into (default: `dumps/` beside the store's folder, which `serve`
    /// publishes at /dumps/).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct MapArgs {
    /// The mapping: RML in Turtle, or YARRRML (`.yaml`, `.yml`). Its sources are read relative
    /// to its folder (a legacy relative `rml:source` not found there, from the working
    /// directory).
    #[arg(value_name = "MAPPING")]
    pub(crate) mapping: PathBuf,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// The output format.
    #[arg(long, default_value = "nq", value_parser = ["nq", "nt", "ttl", "trig", "jsonld"])]
    pub(crate) format: String,
    /// The base IRI of relative IRIs (where a triples map has no `rml:baseIRI`).
    #[arg(long, value_name = "IRI", default_value = kulturnetz_rml::DEFAULT_BASE_IRI)]
    pub(crate) base: String,
    /// Write a record's quads even when an earlier record of its triples map made them already.
    #[arg(long)]
    pub(crate) keep_duplicates: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ConvertArgs {
    /// The connector: one of the kinds listed below.
    #[arg(value_name = "KIND")]
    pub(crate) kind: String,
    /// The input file.
    #[arg(value_name = "INPUT")]
    pub(crate) input: PathBuf,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// A connector option, as in a `[[source]]` of the configuration (repeatable), e.g.
    /// `--option window_start=2026-01-01` or `--option mapping=museen.yarrrml.yaml`.
    #[arg(long = "option", value_name = "KEY=VALUE")]
    pub(crate) options: Vec<String>,
    /// Also write every rejected record to this file, one JSON object a line: where it is, why,
    /// and the record as the input has it (as an ingest keeps them in
    /// data/rejected/{source}.jsonl; no file when nothing is rejected).
    #[arg(long, value_name = "FILE")]
    pub(crate) rejected: Option<PathBuf>,
    /// The base of minted IRIs.
    #[arg(
        long,
        value_name = "IRI",
        default_value = "https://daten.kultur.example/"
    )]
    pub(crate) base: String,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Without --shapes: converts the configured sources (or those named with --source) and \
validates each against its shapes, as `ingest` would, without publishing anything. \
With --shapes FILE DATA: validates one data file against one shapes file and writes the SHACL report.\n\n\
Exit codes: 0 the data conforms, 1 it does not (the report says why) or a source failed, \
2 a file is missing, of an unknown format, not parseable, or the shapes are not well-formed."
)]
pub(crate) struct ValidateArgs {
    /// The configuration file (without --shapes).
    #[arg(
        long,
        short = 'c',
        default_value = "kulturnetz.toml",
        value_name = "FILE",
        conflicts_with = "shapes"
    )]
    pub(crate) config: PathBuf,
    /// Only this source (repeatable; without --shapes).
    #[arg(long = "source", value_name = "ID", conflicts_with = "shapes")]
    pub(crate) sources: Vec<String>,
    /// The shapes graph: SHACL Core shapes in any RDF format (by extension).
    #[arg(long, value_name = "FILE", requires = "data")]
    pub(crate) shapes: Option<PathBuf>,
    /// Write the report to this file: the validation report as Turtle with --shapes (else to
    /// standard output), the sources' report as JSON without.
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,
    /// The data graph: an RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD; by
    /// extension; graph names are ignored). Relative IRIs resolve against its `file:` URI.
    #[arg(value_name = "DATA", requires = "shapes")]
    pub(crate) data: Option<PathBuf>,
}
