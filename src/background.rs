//! An output written on a thread of its own, so that copying what `convert` writes into the
//! kernel (a fifth of its time on an iCalendar feed) overlaps the conversion.

use std::io::{self, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// How much is gathered before it is handed to the writing thread.
const BLOCK: usize = 1 << 20;

/// Room reserved beyond [`BLOCK`], so that what is appended past it (a record's quads, a
/// serializer's buffer) seldom makes the block grow: growing copies it into fresh memory, and
/// the system's zeroing of fresh pages cost a tenth of converting an iCalendar feed.
const SLACK: usize = 128 << 10;

/// How many blocks may wait for the writing thread: enough that the conversion goes on while
/// the system frees an old output's pages (emptying a 100 MB file takes a tenth of a second).
const BACKLOG: usize = 32;

/// Hands blocks of about 1 MiB to a thread that writes them to the inner writer, in order.
/// An error of the inner writer comes back from the next `write` or from `flush`, as it was
/// (a closed pipe stays `BrokenPipe`). `flush` waits until everything is written; nothing may
/// be written after it.
pub(crate) struct BackgroundWriter {
    block: Vec<u8>,
    blocks: Option<SyncSender<Vec<u8>>>,
    /// Written blocks come back, to be filled again rather than allocated.
    spare: Receiver<Vec<u8>>,
    thread: Option<JoinHandle<io::Result<()>>>,
    /// The thread's error, kept to be given again to every later call (the first caller, a
    /// serializer, may keep it to itself).
    failed: Option<(io::ErrorKind, String)>,
}

impl BackgroundWriter {
    /// A writer to `inner`; `start` runs first on the writing thread (truncating a file, which
    /// frees the pages of an old one, takes time too).
    pub(crate) fn new<W: Write + Send + 'static>(
        mut inner: W,
        start: impl FnOnce(&mut W) -> io::Result<()> + Send + 'static,
    ) -> Self {
        let (blocks, incoming) = sync_channel::<Vec<u8>>(BACKLOG);
        let (give_back, spare) = sync_channel::<Vec<u8>>(3);
        let thread = std::thread::spawn(move || {
            start(&mut inner)?;
            for mut block in incoming {
                inner.write_all(&block)?;
                block.clear();
                let _ = give_back.try_send(block);
            }
            inner.flush()
        });
        Self {
            block: Vec::with_capacity(BLOCK + SLACK),
            blocks: Some(blocks),
            spare,
            thread: Some(thread),
            failed: None,
        }
    }

    /// Waits for the thread and gives its error, if it had one, now and on every later call.
    fn join(&mut self) -> io::Result<()> {
        self.blocks = None;
        if let Some(thread) = self.thread.take()
            && let Err(e) = thread
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the writing thread panicked")))
        {
            self.failed = Some((e.kind(), e.to_string()));
        }
        match &self.failed {
            Some((kind, message)) => Err(io::Error::new(*kind, message.clone())),
            None => Ok(()),
        }
    }

    fn send(&mut self) -> io::Result<()> {
        let next = self
            .spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BLOCK + SLACK));
        let block = std::mem::replace(&mut self.block, next);
        let sent = match &self.blocks {
            Some(blocks) => blocks.send(block).is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        // The thread stopped: at an error, or because the output was flushed already.
        self.join()?;
        Err(io::Error::other("written after the output was closed"))
    }
}

impl BackgroundWriter {
    /// Lets `f` append to the block being filled, so that a serializer writes into it without
    /// a copy; hands the block over once it is full.
    pub(crate) fn append(&mut self, f: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        f(&mut self.block);
        if self.block.len() >= BLOCK {
            self.send()?;
        }
        Ok(())
    }
}

impl Write for BackgroundWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.block.extend_from_slice(buf);
        if self.block.len() >= BLOCK {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.block.is_empty() {
            self.send()?;
        }
        self.join()
    }
}

impl Drop for BackgroundWriter {
    fn drop(&mut self) {
        let _ = self.join();
    }
}

/// A file that is emptied when it is first written to (or flushed), on whichever thread does
/// that: opened without truncating, so that an old output's pages are freed off the thread that
/// produces the new one.
pub(crate) struct EmptiedFirst {
    file: std::fs::File,
    emptied: bool,
}

impl EmptiedFirst {
    pub(crate) fn new(file: std::fs::File) -> Self {
        Self {
            file,
            emptied: false,
        }
    }

    fn empty(&mut self) -> io::Result<()> {
        if !self.emptied {
            empty(&self.file)?;
            self.emptied = true;
        }
        Ok(())
    }
}

/// Empties `file` if it is a regular file: a device (`/dev/null`) or a pipe cannot be
/// truncated and has nothing to empty.
pub(crate) fn empty(file: &std::fs::File) -> io::Result<()> {
    if file.metadata()?.is_file() {
        file.set_len(0)?;
    }
    Ok(())
}

impl Write for EmptiedFirst {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.empty()?;
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.empty()?;
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn everything_is_written_in_order_by_flush() {
        let shared = Shared::default();
        let mut out = BackgroundWriter::new(shared.clone(), |_| Ok(()));
        let mut expected = Vec::new();
        for i in 0..300_000u32 {
            let line = format!("{i}\n");
            out.write_all(line.as_bytes()).unwrap();
            expected.extend_from_slice(line.as_bytes());
        }
        out.flush().unwrap();
        assert_eq!(*shared.0.lock().unwrap(), expected);
    }

    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_inner_error_comes_back_as_it_was() {
        let mut out = BackgroundWriter::new(Closed, |_| Ok(()));
        let error = (0..10)
            .find_map(|_| out.write_all(&[b'x'; BLOCK]).err())
            .or_else(|| out.flush().err())
            .expect("an error");
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
        // And again to whoever writes or flushes next.
        assert_eq!(
            out.write_all(&[b'x'; BLOCK]).unwrap_err().kind(),
            io::ErrorKind::BrokenPipe
        );
        assert_eq!(out.flush().unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }
}
