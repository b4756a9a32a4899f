//! The convert stage: the connector runs over the source's input into the staged graph; rejected
//! records go to `data/rejected/{source}.jsonl`, each with its place, why, and the record as the
//! input has it (`Diagnostic::raw`).

use crate::Progress;
use crate::plan::Plan;
use kulturnetz_connectors::{Connector, ConnectorError, Context, Input, RecordSink, SinkError};
use kulturnetz_model::{Diagnostic, Location};
use kulturnetz_store::{Staging, StoreError};
use oxrdf::{QuadRef, TripleRef};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How many rejected records a report keeps in memory (all go to the rejected file).
const FIRST_DIAGNOSTICS: usize = 20;

/// The most characters of a message (or hint) the rejected file keeps: whole for any message a
/// person would read, cut for one that repeats a huge bad value.
const KEPT_MESSAGE_CHARS: usize = 64 << 10;

/// What the conversion did.
pub(crate) struct Converted {
    /// Records accepted.
    pub(crate) accepted: u64,
    /// Records rejected.
    pub(crate) rejected: u64,
    /// Triples staged.
    pub(crate) triples: u64,
    /// The first rejected records.
    pub(crate) first: Vec<Diagnostic>,
    /// The connector's notes on the whole input.
    pub(crate) notes: Vec<Diagnostic>,
    /// Why the source fails (its input cannot be read or is not its format; the rejected file
    /// cannot be written), if it does.
    pub(crate) failure: Option<String>,
}

/// Runs `connector` over the plan's input into `staging`. A store failure is returned as such;
/// everything that fails only this source is in [`Converted::failure`].
pub(crate) fn convert(
    plan: &Plan,
    connector: &dyn Connector,
    cx: &Context<'_>,
    staging: &mut dyn Staging,
    rejected_file: &Path,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Converted, StoreError> {
    let file = match File::open(&plan.path) {
        Ok(f) => f,
        Err(e) => {
            return Ok(Converted {
                accepted: 0,
                rejected: 0,
                triples: 0,
                first: Vec::new(),
                notes: Vec::new(),
                failure: Some(format!("{}: cannot read: {e}", plan.name)),
            });
        }
    };
    let read = Arc::new(AtomicU64::new(0));
    let total = file.metadata().ok().map(|m| m.len());
    let mut sink = StagingSink {
        staging,
        rejected: RejectLog::new(rejected_file),
        accepted: 0,
        rejected_count: 0,
        triples: 0,
        first: Vec::new(),
        notes: Vec::new(),
        progress: Reporter {
            read: Arc::clone(&read),
            total,
            last: None,
            callback: progress,
        },
    };
    let result = connector.convert(
        Input {
            name: &plan.name,
            reader: &mut BufReader::with_capacity(1 << 16, Counting { inner: file, read }),
        },
        cx,
        &mut sink,
    );
    // The store's error ends the ingest; the connector only saw that its sink stopped.
    let result = match result {
        Err(ConnectorError::Sink(e)) => match e.downcast::<StoreError>() {
            Ok(e) => return Err(e),
            Err(e) => Err(ConnectorError::Sink(e)),
        },
        result => result,
    };
    // The last word: where the conversion ended, whatever the interval.
    sink.report_progress();
    let failure = match (sink.rejected.finish(), result) {
        (Err(e), _) => Some(format!("{}: cannot write: {e}", rejected_file.display())),
        (Ok(()), Err(ConnectorError::Io { name, source })) => {
            Some(format!("{name}: cannot read: {source}"))
        }
        (Ok(()), Err(e)) => Some(e.to_string()),
        (Ok(()), Ok(())) => None,
    };
    Ok(Converted {
        accepted: sink.accepted,
        rejected: sink.rejected_count,
        triples: sink.triples,
        first: sink.first,
        notes: sink.notes,
        failure,
    })
}

/// A reader that counts the bytes read through it, for the progress of a conversion.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Hands the progress on: after the first records, then at most every [`PROGRESS_EVERY`], and
/// once at the end.
struct Reporter<'p> {
    read: Arc<AtomicU64>,
    total: Option<u64>,
    last: Option<Instant>,
    callback: &'p mut dyn FnMut(&Progress),
}

/// How often a conversion reports its progress.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// Counts records, stages accepted quads and logs rejected ones.
struct StagingSink<'s, 'p> {
    staging: &'s mut dyn Staging,
    rejected: RejectLog,
    accepted: u64,
    rejected_count: u64,
    triples: u64,
    first: Vec<Diagnostic>,
    notes: Vec<Diagnostic>,
    progress: Reporter<'p>,
}

impl StagingSink<'_, '_> {
    /// Reports the progress if it is time to (checked every 256 records).
    fn tick(&mut self) {
        let records = self.accepted + self.rejected_count;
        if !records.is_multiple_of(256)
            || self
                .progress
                .last
                .is_some_and(|last| last.elapsed() < PROGRESS_EVERY)
        {
            return;
        }
        self.report_progress();
    }

    fn report_progress(&mut self) {
        let records = self.accepted + self.rejected_count;
        self.progress.last = Some(Instant::now());
        (self.progress.callback)(&Progress {
            records,
            rejected: self.rejected_count,
            bytes: self.progress.read.load(Ordering::Relaxed),
            total: self.progress.total,
        });
    }
}

impl RecordSink for StagingSink<'_, '_> {
    fn accept(&mut self, _: &Location, quads: &[QuadRef<'_>]) -> Result<(), SinkError> {
        self.accepted += 1;
        self.tick();
        for q in quads {
            // Every source owns exactly one graph: graph names inside the input are folded in.
            self.staging
                .insert(TripleRef::new(q.subject, q.predicate, q.object))
                .map_err(SinkError::new)?;
            self.triples += 1;
        }
        Ok(())
    }

    fn reject(&mut self, diagnostic: Diagnostic) -> Result<(), SinkError> {
        self.rejected_count += 1;
        self.tick();
        self.rejected.write(&diagnostic);
        if self.first.len() < FIRST_DIAGNOSTICS {
            self.first.push(diagnostic);
        }
        Ok(())
    }

    fn note(&mut self, note: Diagnostic) -> Result<(), SinkError> {
        self.notes.push(note);
        Ok(())
    }
}

/// A rejected-records file (`data/rejected/{source}.jsonl`, or `kulturnetz convert --rejected`):
/// one diagnostic a line as JSON, each with the record as the input has it, written as records
/// are rejected. Messages and hints are kept up to 64 Ki characters, raw records up to
/// [`kulturnetz_model::RAW_RECORD_CHARS`]. A write error is kept and reported by
/// [`RejectLog::finish`], so that it does not hide the conversion's own result.
pub struct RejectLog {
    path: PathBuf,
    out: Option<BufWriter<File>>,
    error: Option<std::io::Error>,
}

impl RejectLog {
    /// A log that replaces the file at `path`: an old one is removed now, and the new one is
    /// created (with its folder) by the first rejected record, so that a run that rejects
    /// nothing leaves no file.
    pub fn new(path: &Path) -> Self {
        let _ = std::fs::remove_file(path);
        Self {
            path: path.to_owned(),
            out: None,
            error: None,
        }
    }

    /// Appends `diagnostic` (a failure is kept for [`RejectLog::finish`]).
    pub fn write(&mut self, diagnostic: &Diagnostic) {
        if self.error.is_some() {
            return;
        }
        let result = (|| {
            if self.out.is_none() {
                if let Some(parent) = self.path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                self.out = Some(BufWriter::new(File::create(&self.path)?));
            }
            if let Some(out) = &mut self.out {
                let cut = |text: &str| {
                    kulturnetz_model::text::clip(text, KEPT_MESSAGE_CHARS).into_owned()
                };
                if diagnostic.message.len() > KEPT_MESSAGE_CHARS
                    || diagnostic
                        .hint
                        .as_ref()
                        .is_some_and(|h| h.len() > KEPT_MESSAGE_CHARS)
                {
                    // The raw record is cut already (`Diagnostic::with_raw`).
                    let kept = Diagnostic {
                        message: cut(&diagnostic.message),
                        hint: diagnostic.hint.as_deref().map(cut),
                        ..diagnostic.clone()
                    };
                    serde_json::to_writer(&mut *out, &kept)?;
                } else {
                    serde_json::to_writer(&mut *out, diagnostic)?;
                }
                out.write_all(b"\n")?;
            }
            Ok::<_, std::io::Error>(())
        })();
        self.error = result.err();
    }

    /// Flushes the file; the first error of any write.
    pub fn finish(&mut self) -> std::io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(out) = &mut self.out {
            out.flush()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rejected_file_keeps_a_huge_message_only_up_to_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rejected/a.jsonl");
        let mut log = RejectLog::new(&path);
        let small = Diagnostic::new(Location::file("a.csv").with_record(1), "bad");
        let huge = Diagnostic::new(
            Location::file("a.csv").with_record(2),
            format!("bad value {}", "x".repeat(1 << 20)),
        )
        .with_raw("a,b,c");
        log.write(&small);
        log.write(&huge);
        log.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<Diagnostic> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0], small);
        assert_eq!(lines[1].location, huge.location);
        assert!(lines[1].message.starts_with("bad value xxx"));
        assert!(lines[1].message.chars().count() < KEPT_MESSAGE_CHARS + 40);
        assert!(lines[1].message.ends_with("(1048586 characters)"));
        assert_eq!(lines[1].raw.as_deref(), Some("a,b,c"));
    }
}
