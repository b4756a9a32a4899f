//! `kulturnetz validate --shapes FILE [--report FILE] DATA`: one data file checked against one
//! shapes file with `kulturnetz-shacl`, the report written as Turtle.

use anyhow::{Context as _, Result};
use kulturnetz_shacl::{Shapes, ValidationReport, validate, vocab::sh};
use oxrdf::Graph;
use oxrdfio::{RdfFormat, RdfParseError, RdfParser, RdfSerializer};
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

/// The files cannot be used as they are: missing, of an unknown format, not parseable, or shapes
/// that are not well-formed. Exit code 2, like a usage error: nothing was validated.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct InputError(String);

/// Validates `data` against `shapes`, writes the report (to `report`, else standard output) and
/// returns it.
pub(crate) fn validate_file(
    shapes: &Path,
    data: &Path,
    report: Option<&Path>,
) -> Result<ValidationReport> {
    let shapes_graph = read_graph(shapes)?;
    let shapes = Shapes::from_graph(&shapes_graph)
        .map_err(|e| InputError(format!("{}: {e}", shapes.display())))?;
    let data_graph = read_graph(data)?;
    let result = validate(&shapes, &data_graph).context("validation failed")?;
    match report {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("{}: cannot write", path.display()))?;
            write_report(&result, BufWriter::new(file))
                .with_context(|| format!("{}: cannot write", path.display()))?;
        }
        None => write_report(&result, std::io::stdout().lock())?,
    }
    Ok(result)
}

/// The one line that sums a report up, after the data file's name.
pub(crate) fn summary(report: &ValidationReport) -> String {
    let counts = format!(
        "{}, {}",
        plural(report.focus_nodes(), "focus node"),
        plural(report.shapes(), "shape")
    );
    if report.conforms() {
        return format!("conforms ({counts})");
    }
    let violations = report.count(sh::VIOLATION);
    let warnings = report.count(sh::WARNING);
    let infos = report.count(sh::INFO);
    let other = report.results().len() - violations - warnings - infos;
    let mut parts = vec![plural(violations, "violation")];
    if warnings > 0 {
        parts.push(plural(warnings, "warning"));
    }
    if infos > 0 {
        parts.push(plural(infos, "info"));
    }
    if other > 0 {
        parts.push(format!("{other} of other severities"));
    }
    format!("does not conform: {} ({counts})", parts.join(", "))
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Reads an RDF file of any format (by its extension) into one graph, graph names dropped. The
/// base IRI is the file's `file:` URI, as other SHACL processors read their files.
fn read_graph(path: &Path) -> Result<Graph> {
    let format = path
        .extension()
        .and_then(|e| e.to_str())
        .and_then(RdfFormat::from_extension)
        .ok_or_else(|| {
            InputError(format!(
                "{}: unknown RDF format: name the file .ttl, .nt, .nq, .trig, .rdf or .jsonld",
                path.display()
            ))
        })?;
    let file = File::open(path).map_err(|e| InputError(format!("{}: {e}", path.display())))?;
    let parser = RdfParser::from_format(format)
        .with_base_iri(file_uri(path)?)
        .map_err(|e| InputError(format!("{}: no base IRI for it: {e}", path.display())))?;
    let mut graph = Graph::new();
    for quad in parser.for_reader(BufReader::new(file)) {
        let quad = quad.map_err(|e| match e {
            RdfParseError::Syntax(e) => {
                let at = e
                    .location()
                    .map(|r| format!("{}:{}:", r.start.line + 1, r.start.column + 1))
                    .unwrap_or_default();
                InputError(format!(
                    "{}:{at} {}",
                    path.display(),
                    syntax_message(&e.to_string())
                ))
            }
            RdfParseError::Io(e) => InputError(format!("{}: {e}", path.display())),
        })?;
        graph.insert(oxrdf::TripleRef::new(
            quad.subject.as_ref(),
            quad.predicate.as_ref(),
            quad.object.as_ref(),
        ));
    }
    Ok(graph)
}

/// The parser's message without the position it repeats, lower-cased at the start as our
/// messages are.
fn syntax_message(message: &str) -> String {
    let message = message
        .split_once(": ")
        .filter(|(head, _)| head.starts_with("Parser error at") || head.starts_with("error at"))
        .map_or(message, |(_, rest)| rest);
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The `file:` URI of a path: absolute, each byte outside the unreserved characters and `/`
/// percent-encoded (as Python's `pathlib` writes it).
fn file_uri(path: &Path) -> Result<String> {
    let absolute = std::path::absolute(path)
        .map_err(|e| InputError(format!("{}: not a usable path: {e}", path.display())))?;
    let mut uri = String::from("file://");
    for b in absolute.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(uri)
}

fn write_report(report: &ValidationReport, out: impl std::io::Write) -> std::io::Result<()> {
    let mut serializer = RdfSerializer::from_format(RdfFormat::Turtle)
        .with_prefix("sh", sh::NAMESPACE)
        .map_err(std::io::Error::other)?
        .with_prefix("xsd", "http://www.w3.org/2001/XMLSchema#")
        .map_err(std::io::Error::other)?
        .for_writer(out);
    for triple in &report.to_triples() {
        serializer.serialize_triple(triple)?;
    }
    serializer.finish()?.flush()
}
