//! Bounds async waits without an async runtime: one background thread, started at the first
//! async wait for another caller's fetch, wakes each waiting task at its deadline.

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::task::Waker;
use std::time::Instant;

use super::lock;

/// A registration: its deadline, and a number that makes it unique.
pub(super) type Key = (Instant, u64);

static QUEUE: Mutex<BTreeMap<Key, Waker>> = Mutex::new(BTreeMap::new());
static CHANGED: Condvar = Condvar::new();
static STARTED: OnceLock<bool> = OnceLock::new();
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Wakes `waker` at `deadline` unless [`cancel`]led first; `None` if the timer thread
/// could not be started.
pub(super) fn wake_at(deadline: Instant, waker: Waker) -> Option<Key> {
    let started = *STARTED.get_or_init(|| {
        std::thread::Builder::new()
            .name("webtoken-keystore-timer".to_owned())
            .spawn(run)
            .is_ok()
    });
    if !started {
        return None;
    }
    let key = (deadline, NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let earliest = {
        let mut queue = lock(&QUEUE);
        queue.insert(key, waker);
        queue
            .first_key_value()
            .is_some_and(|(first, _)| *first == key)
    };
    if earliest {
        CHANGED.notify_one();
    }
    Some(key)
}

/// Forgets a registration (its wait ended first).
pub(super) fn cancel(key: Key) {
    lock(&QUEUE).remove(&key);
}

fn run() {
    let mut queue = lock(&QUEUE);
    loop {
        let now = Instant::now();
        let mut due = Vec::new();
        while let Some(entry) = queue.first_entry() {
            if entry.key().0 > now {
                break;
            }
            due.push(entry.remove());
        }
        if !due.is_empty() {
            drop(queue);
            for waker in due {
                // An executor's waker that panics must not stop the timer.
                let _ = panic::catch_unwind(AssertUnwindSafe(|| waker.wake()));
            }
            queue = lock(&QUEUE);
            continue;
        }
        queue = match queue.first_key_value().map(|((deadline, _), _)| *deadline) {
            Some(next) => {
                CHANGED
                    .wait_timeout(queue, next.saturating_duration_since(now))
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
            None => CHANGED.wait(queue).unwrap_or_else(PoisonError::into_inner),
        };
    }
}
