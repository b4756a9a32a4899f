//! Time limits of queries evaluated on their connection's thread: that thread is busy until
//! the engine returns, so the cancellation at the time limit is fired from here, one thread
//! for the whole process.
//!
//! The engine notices a cancellation when it next reads the store, which is within
//! milliseconds for most queries, and the handler answers 504 itself. It does not notice while
//! it sorts or joins in memory; a query still running [`GRACE`] after its deadline is then
//! answered from here: 504 written on the connection's socket, which is then shut down, so that
//! the client hears at the time limit while the engine finishes in vain (its answer goes
//! nowhere). Whichever of the two answers first is the only one ([`Late::answer`]).
//!
//! Watching a query takes a lock and an insertion into an ordered map; the watchdog's thread is
//! woken only when a new deadline comes before the time it wakes by itself anyway, so a steady
//! flow of queries with the same time limit, one after another or overlapping, wakes it about
//! once per time limit, not once per query (waking another thread costs more than a small
//! query, on a machine whose cores were idle).

use crate::error::ApiError;
use kulturnetz_store::Cancel;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// How long after its deadline a query that has not stopped is answered from here.
pub(crate) const GRACE: Duration = Duration::from_millis(500);

/// The deadlines of the queries being evaluated.
pub(crate) struct Watchdog {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    running: Mutex<Running>,
    earlier: Condvar,
}

#[derive(Default)]
struct Running {
    next: u64,
    deadlines: BTreeMap<(Instant, u64), Action>,
    /// When the watchdog's thread wakes by itself next (`None`: only when woken).
    wake_at: Option<Instant>,
}

enum Action {
    /// At the deadline: cancel, and keep the late answer for [`GRACE`] later.
    Cancel(Cancel, Option<Arc<Late>>),
    /// [`GRACE`] after the deadline: answer, unless the handler did.
    Answer(Arc<Late>),
}

/// The answer to a query that may come too late from its handler: the 504 the handler would
/// send, written out whole, closing the connection.
pub(crate) struct Late {
    socket: Arc<TcpStream>,
    timeout: Duration,
    /// The request was a `HEAD`: the response has no body.
    head: bool,
    answered: AtomicBool,
}

impl Late {
    /// The 504 for a query with `timeout`, to be written on `socket` if the handler has not
    /// answered by then.
    pub(crate) fn new(socket: Arc<TcpStream>, timeout: Duration, head: bool) -> Arc<Self> {
        Arc::new(Self {
            socket,
            timeout,
            head,
            answered: AtomicBool::new(false),
        })
    }

    /// Built only when it is sent: most queries never need it.
    fn response(&self) -> Vec<u8> {
        let body = format!("{}\n", ApiError::Timeout(self.timeout));
        let mut response = format!(
            "HTTP/1.1 504 Gateway Timeout\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        if !self.head {
            response.extend_from_slice(body.as_bytes());
        }
        response
    }

    /// Claims the answer: `true` for the first caller only. The handler calls it when the
    /// engine returns; `false` means the client has had its 504 and the connection is closed.
    pub(crate) fn answer(&self) -> bool {
        !self.answered.swap(true, Ordering::AcqRel)
    }

    fn send(&self) {
        if self.answer() {
            let mut socket = &*self.socket;
            if let Err(e) = socket.write_all(&self.response()) {
                tracing::debug!("cannot answer a query past its time limit: {e}");
            }
            let _ = self.socket.shutdown(Shutdown::Both);
        }
    }
}

/// A watched query: it leaves the watch when dropped, however its evaluation ended.
pub(crate) struct Watched {
    inner: Arc<Inner>,
    key: (Instant, u64),
}

impl Watchdog {
    /// The process's watchdog; its thread starts with the first watched query.
    pub(crate) fn global() -> &'static Self {
        static WATCHDOG: OnceLock<Watchdog> = OnceLock::new();
        WATCHDOG.get_or_init(|| {
            let inner = Arc::new(Inner::default());
            let watching = Arc::clone(&inner);
            std::thread::Builder::new()
                .name("kulturnetz-watchdog".into())
                .spawn(move || watching.run())
                .expect("cannot start the watchdog thread");
            Self { inner }
        })
    }

    /// Fires `cancel` at `deadline`, and sends `late` [`GRACE`] after it, unless the returned
    /// guard is dropped before.
    pub(crate) fn watch(
        &self,
        deadline: Instant,
        cancel: Cancel,
        late: Option<Arc<Late>>,
    ) -> Watched {
        let mut running = self.inner.lock();
        let key = (deadline, running.next);
        running.next += 1;
        let sooner = running.wake_at.is_none_or(|wake| deadline < wake);
        if sooner {
            running.wake_at = Some(deadline);
        }
        running.deadlines.insert(key, Action::Cancel(cancel, late));
        drop(running);
        if sooner {
            self.inner.earlier.notify_one();
        }
        Watched {
            inner: Arc::clone(&self.inner),
            key,
        }
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Running> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn run(&self) {
        let mut running = self.lock();
        loop {
            let now = Instant::now();
            let mut answers = Vec::new();
            while let Some(entry) = running.deadlines.first_entry() {
                if entry.key().0 > now {
                    break;
                }
                let (deadline, id) = *entry.key();
                match entry.remove() {
                    Action::Cancel(cancel, late) => {
                        cancel.cancel();
                        if let Some(late) = late {
                            running
                                .deadlines
                                .insert((deadline + GRACE, id), Action::Answer(late));
                        }
                    }
                    Action::Answer(late) => answers.push(late),
                }
            }
            if !answers.is_empty() {
                // Writing may block on a slow client: not while holding the lock.
                drop(running);
                for late in answers {
                    late.send();
                }
                running = self.lock();
                continue;
            }
            running.wake_at = running.deadlines.first_key_value().map(|((at, _), _)| *at);
            running = match running.wake_at {
                Some(deadline) => {
                    let wait = deadline.saturating_duration_since(now);
                    self.earlier
                        .wait_timeout(running, wait)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                None => self
                    .earlier
                    .wait(running)
                    .unwrap_or_else(PoisonError::into_inner),
            };
        }
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        let (deadline, id) = self.key;
        let mut running = self.inner.lock();
        running.deadlines.remove(&self.key);
        running.deadlines.remove(&(deadline + GRACE, id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;
    use std::net::TcpListener;

    #[test]
    fn fires_at_the_deadline_and_not_after_the_guard_is_dropped() {
        let watchdog = Watchdog::global();
        let late = Cancel::default();
        let soon = Cancel::default();
        let dropped = Cancel::default();
        let start = Instant::now();
        let _late = watchdog.watch(start + Duration::from_secs(3600), late.clone(), None);
        let _soon = watchdog.watch(start + Duration::from_millis(100), soon.clone(), None);
        drop(watchdog.watch(start + Duration::from_millis(50), dropped.clone(), None));
        while !soon.is_cancelled() {
            assert!(start.elapsed() < Duration::from_secs(5), "never fired");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(start.elapsed() >= Duration::from_millis(100));
        assert!(!dropped.is_cancelled());
        assert!(!late.is_cancelled());
    }

    /// A query still running after the grace period is answered on its socket, once; one whose
    /// handler answered first is not.
    #[test]
    fn answers_once_for_a_query_that_does_not_stop() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let server = Arc::new(server);
        let start = Instant::now();
        let stuck = Late::new(Arc::clone(&server), Duration::from_secs(1), false);
        let _stuck = Watchdog::global().watch(
            start + Duration::from_millis(50),
            Cancel::default(),
            Some(Arc::clone(&stuck)),
        );
        let mut heard = String::new();
        client.read_to_string(&mut heard).unwrap();
        assert!(
            heard.starts_with("HTTP/1.1 504 Gateway Timeout\r\n"),
            "{heard}"
        );
        assert!(heard.contains("\r\nconnection: close\r\n"), "{heard}");
        assert!(
            heard.ends_with(
                "\r\n\r\nthe query ran longer than the time limit of 1s and was cancelled\n"
            ),
            "{heard}"
        );
        assert!(start.elapsed() >= Duration::from_millis(50) + GRACE);
        assert!(!stuck.answer(), "the handler must not answer again");

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let handled = Late::new(Arc::new(server), Duration::from_secs(1), false);
        let watched = Watchdog::global().watch(
            Instant::now() + Duration::from_millis(10),
            Cancel::default(),
            Some(Arc::clone(&handled)),
        );
        assert!(handled.answer(), "the handler answers first");
        drop(watched);
        std::thread::sleep(GRACE + Duration::from_millis(100));
        // Nothing was written and the connection is open: the read waits.
        client
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let error = client.read(&mut [0; 8]).unwrap_err();
        assert!(
            matches!(
                error.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{error}"
        );
    }
}
