//! Time limits of queries evaluated on their connection's thread: that thread is busy until
//! the engine returns, so the cancellation at the time limit is fired from here, one thread
//! for the whole process.
//!
//! Watching a query takes a lock and an insertion into an ordered map; the watchdog's thread is
//! woken only when a new deadline comes before every other, so a steady flow of queries with
//! the same time limit wakes it once per limit that actually runs out.

use kulturnetz_store::Cancel;
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::Instant;

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
    deadlines: BTreeMap<(Instant, u64), Cancel>,
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

    /// Fires `cancel` at `deadline` unless the returned guard is dropped before.
    pub(crate) fn watch(&self, deadline: Instant, cancel: Cancel) -> Watched {
        let mut running = self.inner.lock();
        let key = (deadline, running.next);
        running.next += 1;
        let first = running
            .deadlines
            .first_key_value()
            .is_none_or(|(first, _)| key < *first);
        running.deadlines.insert(key, cancel);
        drop(running);
        if first {
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
            while let Some(entry) = running.deadlines.first_entry() {
                if entry.key().0 > now {
                    break;
                }
                entry.remove().cancel();
            }
            running = match running.deadlines.first_key_value() {
                Some(((deadline, _), _)) => {
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
        self.inner.lock().deadlines.remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn fires_at_the_deadline_and_not_after_the_guard_is_dropped() {
        let watchdog = Watchdog::global();
        let late = Cancel::default();
        let soon = Cancel::default();
        let dropped = Cancel::default();
        let start = Instant::now();
        let _late = watchdog.watch(start + Duration::from_secs(3600), late.clone());
        let _soon = watchdog.watch(start + Duration::from_millis(100), soon.clone());
        drop(watchdog.watch(start + Duration::from_millis(50), dropped.clone()));
        while !soon.is_cancelled() {
            assert!(start.elapsed() < Duration::from_secs(5), "never fired");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(start.elapsed() >= Duration::from_millis(100));
        assert!(!dropped.is_cancelled());
        assert!(!late.is_cancelled());
    }
}
