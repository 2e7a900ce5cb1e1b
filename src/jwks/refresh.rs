//! Getting a newer set: fetching in the caller (blocking or async) or on a background thread,
//! and what a lookup or a refresh says when that brought no newer set.

use std::sync::mpsc;

use crate::error::{Error, UnknownKeyError};
use crate::message::Message;
use crate::time::NumericDate;

use super::fetch::{AsyncFetch, Fetch, FetchError};
use super::state::{Begin, FetchGuard};
use super::wait::FetchDone;
use super::{KeyStore, lock};

/// How the attempt to get a newer set for a lookup ended.
#[derive(Clone, Copy, Debug)]
pub(super) enum Attempt {
    /// A fetch ran (this caller's or one it waited for).
    Ended,
    /// The cooldown forbids a fetch until then.
    Cooldown(NumericDate),
    /// Another caller's fetch did not end within `wait_for_fetch`.
    TimedOut,
}

impl<F> KeyStore<F> {
    /// Turns an [`Error::UnknownKey`] after `attempt` into one that says why the set was not
    /// refetched, when there is a reason; other errors pass through.
    pub(super) fn explain(&self, error: Error, attempt: Attempt) -> Error {
        let Error::UnknownKey(UnknownKeyError::NotFound { kid }) = error else {
            return error;
        };
        let last_error = lock(&self.shared.state).last_error.clone();
        let failed = last_error
            .as_deref()
            .map(|e| format!("the last fetch of the JWK Set failed: {}", Message(e)));
        let reason = match attempt {
            Attempt::Ended => failed,
            Attempt::Cooldown(allowed_at) => {
                let wait = allowed_at
                    .as_secs()
                    .saturating_sub(self.clock.now().as_secs())
                    .max(1);
                let cooldown = format!(
                    "the JWK Set was not refetched: the cooldown allows the next fetch in {wait} s"
                );
                Some(match failed {
                    Some(failed) => format!("{cooldown}; {failed}"),
                    None => cooldown,
                })
            }
            Attempt::TimedOut => Some(format!(
                "a fetch of the JWK Set in progress did not finish within {} ms",
                self.policy.wait_for_fetch.as_millis()
            )),
        };
        match reason {
            Some(reason) => Error::UnknownKey(UnknownKeyError::NotRefetched { kid, reason }),
            None => Error::UnknownKey(UnknownKeyError::NotFound { kid }),
        }
    }

    /// The result of a refresh that ended with `attempt`.
    pub(super) fn refresh_result(&self, attempt: Attempt) -> Result<(), FetchError> {
        if let Attempt::TimedOut = attempt {
            return Err(FetchError::new(format!(
                "a fetch in progress did not finish within {} ms",
                self.policy.wait_for_fetch.as_millis()
            )));
        }
        match &lock(&self.shared.state).last_error {
            Some(e) => Err(FetchError::new(e)),
            None => Ok(()),
        }
    }
}

impl<F: Fetch> KeyStore<F> {
    pub(super) fn fetch_blocking(&self, now: NumericDate) -> Attempt {
        match self.begin_fetch(now) {
            Begin::Started(guard) => {
                guard.finish(Fetch::fetch_document(&self.shared.fetcher));
                Attempt::Ended
            }
            Begin::Cooldown(allowed_at) => Attempt::Cooldown(allowed_at),
            Begin::InFlight(generation) => {
                if self.wait_blocking(generation) {
                    Attempt::Ended
                } else {
                    Attempt::TimedOut
                }
            }
        }
    }
}

impl<F: Fetch + 'static> KeyStore<F> {
    /// Starts a refresh of a stale set on a background thread, if no fetch is running and the
    /// cooldown allows one. If the thread cannot be started the attempt is undone, and the
    /// next miss or `refresh` refreshes the set.
    pub(super) fn refresh_in_background(&self, now: NumericDate) {
        let Begin::Started(guard) = self.begin_fetch(now) else {
            return;
        };
        // The guard goes to the thread only once it runs: if it cannot be started, the guard
        // is still here to undo the attempt.
        let (hand_over, receive) = mpsc::sync_channel::<FetchGuard<F>>(1);
        let spawned = std::thread::Builder::new()
            .name("webtoken-keystore-refresh".to_owned())
            .spawn(move || {
                if let Ok(guard) = receive.recv() {
                    // A panic here unwinds this thread only; the guard records it.
                    let document = Fetch::fetch_document(&guard.store.shared.fetcher);
                    guard.finish(document);
                }
            });
        match spawned {
            Ok(_) => {
                if let Err(mpsc::SendError(guard)) = hand_over.send(guard) {
                    guard.abandon();
                }
            }
            Err(_) => guard.abandon(),
        }
    }
}

impl<F: AsyncFetch> KeyStore<F> {
    pub(super) async fn fetch_async(&self, now: NumericDate) -> Attempt {
        match self.begin_fetch(now) {
            Begin::Started(guard) => {
                // If this future is dropped here, or the fetcher panics, the guard ends the
                // attempt.
                let document = AsyncFetch::fetch_document(&self.shared.fetcher).await;
                guard.finish(document);
                Attempt::Ended
            }
            Begin::Cooldown(allowed_at) => Attempt::Cooldown(allowed_at),
            Begin::InFlight(generation) => {
                let wait =
                    FetchDone::new(&self.shared.state, generation, self.policy.wait_for_fetch);
                if wait.await {
                    Attempt::Ended
                } else {
                    Attempt::TimedOut
                }
            }
        }
    }
}
