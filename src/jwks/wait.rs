//! Waiting for a fetch that another caller started, at most `wait_for_fetch`: blocking, on the
//! store's condition variable, or async, as a future bounded by the thread of [`timer`].

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use super::state::FetchState;
use super::{KeyStore, lock, timer};

impl<F> KeyStore<F> {
    /// Waits (blocking) until the fetch of `generation` ends, at most `wait_for_fetch`;
    /// whether it ended.
    pub(super) fn wait_blocking(&self, generation: u64) -> bool {
        let state = lock(&self.shared.state);
        let (state, _) = self
            .shared
            .done
            .wait_timeout_while(state, self.policy.wait_for_fetch, |s| {
                s.generation == generation && s.in_flight
            })
            .unwrap_or_else(PoisonError::into_inner);
        state.generation != generation || !state.in_flight
    }
}

/// Resolves when the fetch of `generation` has ended (`true`) or the deadline has passed
/// (`false`).
pub(super) struct FetchDone<'a> {
    state: &'a Mutex<FetchState>,
    generation: u64,
    /// `None` when `wait_for_fetch` is too large to add to the current instant: no bound.
    deadline: Option<Instant>,
    /// The timer registration, and the waker it wakes; cancelled when this is dropped.
    timer: Option<(timer::Key, Waker)>,
}

impl<'a> FetchDone<'a> {
    /// Waits for the fetch of `generation` to end, at most `wait_for_fetch` from now.
    pub(super) fn new(
        state: &'a Mutex<FetchState>,
        generation: u64,
        wait_for_fetch: Duration,
    ) -> Self {
        Self {
            state,
            generation,
            deadline: Instant::now().checked_add(wait_for_fetch),
            timer: None,
        }
    }
}

impl Future for FetchDone<'_> {
    type Output = bool;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        {
            let mut state = lock(self.state);
            if state.generation != self.generation || !state.in_flight {
                return Poll::Ready(true);
            }
            if self.deadline.is_some_and(|d| Instant::now() >= d) {
                return Poll::Ready(false);
            }
            if !state.wakers.iter().any(|w| w.will_wake(cx.waker())) {
                state.wakers.push(cx.waker().clone());
            }
        }
        if let Some(deadline) = self.deadline {
            if !self
                .timer
                .as_ref()
                .is_some_and(|(_, w)| w.will_wake(cx.waker()))
            {
                if let Some((old, _)) = self.timer.take() {
                    timer::cancel(old);
                }
                match timer::wake_at(deadline, cx.waker().clone()) {
                    Some(key) => self.timer = Some((key, cx.waker().clone())),
                    // No timer thread: do not wait at all rather than without bound.
                    None => return Poll::Ready(false),
                }
            }
        }
        Poll::Pending
    }
}

impl Drop for FetchDone<'_> {
    fn drop(&mut self) {
        if let Some((key, _)) = self.timer.take() {
            timer::cancel(key);
        }
    }
}
