//! A bounded queue in front of query evaluation: a fixed number run, a fixed number wait, the
//! rest are told to come back later (503).
//!
//! A waiting query holds a [`Waiting`] guard, so that its place is given back however the wait
//! ends: with a slot, or abandoned because its time limit fired or its client went away (the
//! future is dropped mid-wait).

use crate::error::ApiError;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub(crate) struct Queue {
    running: Arc<Semaphore>,
    max_running: usize,
    waiting: AtomicUsize,
    max_waiting: usize,
}

impl Queue {
    pub(crate) fn new(max_running: usize, max_waiting: usize) -> Self {
        Self {
            running: Arc::new(Semaphore::new(max_running)),
            max_running,
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// A slot to run in, waiting if the queue has room, else [`ApiError::Busy`].
    pub(crate) async fn enter(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        if let Ok(permit) = Arc::clone(&self.running).try_acquire_owned() {
            return Ok(permit);
        }
        let _place = Waiting::join(self).ok_or(ApiError::Busy)?;
        Arc::clone(&self.running)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Busy)
    }

    /// How many queries run now, and how many wait.
    pub(crate) fn load(&self) -> (usize, usize) {
        let free = self.running.available_permits();
        (
            self.max_running.saturating_sub(free),
            self.waiting.load(Ordering::SeqCst),
        )
    }

    /// How many queries wait now.
    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }
}

/// A place in the waiting room, given back when dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn join(queue: &'a Queue) -> Option<Self> {
        let taken = queue
            .waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < queue.max_waiting).then_some(n + 1)
            });
        // `then`, not `then_some`: a guard built and dropped would give back a place never taken.
        taken.is_ok().then(|| Self(&queue.waiting))
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    // On paused time the clock moves only when every task waits, so the 5 ms sleep ends before
    // the 20 ms timeouts however loaded the machine is.
    #[tokio::test(start_paused = true)]
    async fn abandoned_waits_give_their_place_back() {
        let queue = Queue::new(1, 2);
        let running = queue.enter().await.unwrap();
        for _ in 0..5 {
            // Two waits that time out, and a third that is refused at once.
            let (a, b, c) = tokio::join!(
                tokio::time::timeout(Duration::from_millis(20), queue.enter()),
                tokio::time::timeout(Duration::from_millis(20), queue.enter()),
                async {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    queue.enter().await
                },
            );
            assert!(a.is_err() && b.is_err());
            assert!(matches!(c, Err(ApiError::Busy)));
            assert_eq!(queue.waiting(), 0);
        }
        // A wait still gets the slot once it is free.
        let waiter = async { queue.enter().await.map(drop) };
        let release = async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            drop(running);
        };
        let (waited, ()) = tokio::join!(waiter, release);
        assert!(waited.is_ok());
        assert_eq!(queue.waiting(), 0);
    }
}
