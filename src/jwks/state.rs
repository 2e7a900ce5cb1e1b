//! What every clone of a store shares, the bookkeeping of fetches, and the guard that ends
//! each fetch attempt however it ends: starting a fetch, installing its outcome.

use std::sync::{Arc, Condvar, Mutex, PoisonError, RwLock};
use std::task::Waker;
use std::time::Duration;

use crate::keys::JwkSet;
use crate::time::NumericDate;

use super::fetch::{FetchError, FetchedDocument};
use super::policy::Snapshot;
use super::{KeyStore, lock};

/// What every clone of a store shares: the fetcher, the cached set and the fetch bookkeeping.
pub(super) struct Shared<F> {
    pub(super) fetcher: F,
    pub(super) current: RwLock<Option<Arc<Snapshot>>>,
    pub(super) state: Mutex<FetchState>,
    pub(super) done: Condvar,
}

/// Bookkeeping of fetches, behind one mutex (never held while fetching).
#[derive(Debug, Default)]
pub(super) struct FetchState {
    /// A fetch is running: set by `begin_fetch` together with the [`FetchGuard`] that alone
    /// clears it.
    pub(super) in_flight: bool,
    /// Completed (or abandoned) fetch attempts; waiters compare it to know that a fetch ended.
    pub(super) generation: u64,
    pub(super) last_attempt: Option<NumericDate>,
    /// The last attempt's error, raw (escaped only when displayed).
    pub(super) last_error: Option<String>,
    pub(super) fetches: u64,
    pub(super) wakers: Vec<Waker>,
}

/// What [`KeyStore::begin_fetch`] decided.
pub(super) enum Begin<F> {
    /// This caller fetches; the guard ends the attempt however the caller leaves.
    Started(FetchGuard<F>),
    /// Another caller's fetch is running; its generation.
    InFlight(u64),
    /// The cooldown forbids a fetch until then.
    Cooldown(NumericDate),
}

/// Marks a fetch in flight for as long as it lives. [`finish`](Self::finish) installs the
/// outcome; dropping it unfinished (the fetcher panicked, or the async caller was dropped)
/// records the attempt as failed. Either way `in_flight` is cleared and every waiter woken.
///
/// It owns a handle on the store, so a background refresh (a thread, or a future handed to the
/// spawner) can hold it.
pub(super) struct FetchGuard<F> {
    pub(super) store: KeyStore<F>,
    /// `last_attempt` before this attempt, restored by [`abandon`](Self::abandon).
    previous_attempt: Option<NumericDate>,
    armed: bool,
}

impl<F> FetchGuard<F> {
    pub(super) fn finish(mut self, document: Result<FetchedDocument, FetchError>) {
        self.armed = false;
        let outcome = match document {
            Ok(doc) => self
                .store
                .parse(doc.body())
                .map(|set| (set, self.store.fresh_for(doc.max_age()))),
            Err(e) => Err(e.into_message()),
        };
        self.store.end_fetch(outcome);
    }

    /// Undoes an attempt whose fetcher was never called (its background thread could not be
    /// started): no fetch is counted and the cooldown is as before, so the next miss or
    /// `refresh` fetches as if this lookup had not tried.
    pub(super) fn abandon(mut self) {
        self.armed = false;
        let wakers = {
            let mut state = lock(&self.store.shared.state);
            state.in_flight = false;
            state.generation = state.generation.wrapping_add(1);
            state.last_attempt = self.previous_attempt;
            state.fetches = state.fetches.saturating_sub(1);
            std::mem::take(&mut state.wakers)
        };
        self.store.shared.done.notify_all();
        for waker in wakers {
            waker.wake();
        }
    }
}

impl<F> Drop for FetchGuard<F> {
    fn drop(&mut self) {
        if self.armed {
            let why = if std::thread::panicking() {
                "the fetch did not complete: the fetcher panicked"
            } else {
                "the fetch did not complete: it was cancelled"
            };
            self.store.end_fetch(Err(why.to_owned()));
        }
    }
}

impl<F> KeyStore<F> {
    /// Starts a fetch if none is running and the cooldown allows one.
    pub(super) fn begin_fetch(&self, now: NumericDate) -> Begin<F> {
        let mut state = lock(&self.shared.state);
        if state.in_flight {
            return Begin::InFlight(state.generation);
        }
        if let Some(last) = state.last_attempt {
            let allowed_at = last.saturating_add(self.policy.cooldown);
            if now < allowed_at {
                return Begin::Cooldown(allowed_at);
            }
        }
        state.in_flight = true;
        let previous_attempt = state.last_attempt.replace(now);
        state.fetches += 1;
        Begin::Started(FetchGuard {
            store: self.clone(),
            previous_attempt,
            armed: true,
        })
    }

    /// Installs the outcome of a fetch, clears `in_flight` and wakes every waiter. Called only
    /// by [`FetchGuard`], once per attempt; it must not panic (it may run while unwinding).
    fn end_fetch(&self, outcome: Result<(JwkSet, Duration), String>) {
        let error = match outcome {
            Ok((set, max_age)) => {
                let snapshot = Arc::new(Snapshot {
                    set,
                    fetched_at: self.clock.now(),
                    max_age,
                });
                *self
                    .shared
                    .current
                    .write()
                    .unwrap_or_else(PoisonError::into_inner) = Some(snapshot);
                None
            }
            Err(e) => Some(e),
        };
        let wakers = {
            let mut state = lock(&self.shared.state);
            state.in_flight = false;
            state.generation = state.generation.wrapping_add(1);
            state.last_error = error;
            std::mem::take(&mut state.wakers)
        };
        self.shared.done.notify_all();
        for waker in wakers {
            waker.wake();
        }
    }

    /// How long a set stays fresh: the server's `max-age` when it gave one, bounded to
    /// `cooldown ..= max_age` of the policy; else the policy's `max_age`.
    fn fresh_for(&self, server_max_age: Option<Duration>) -> Duration {
        let policy = &self.policy;
        server_max_age.map_or(policy.max_age, |age| {
            age.clamp(policy.cooldown.min(policy.max_age), policy.max_age)
        })
    }

    /// Size limits and the rules of [`JwkSet::from_json`]; a bad document never replaces the
    /// current set.
    fn parse(&self, document: &str) -> Result<JwkSet, String> {
        if document.len() > self.policy.max_document_size {
            return Err(format!(
                "JWK Set document is {} bytes, larger than the limit of {}",
                document.len(),
                self.policy.max_document_size
            ));
        }
        let set = JwkSet::from_json(document).map_err(|e| e.to_string())?;
        let entries = set.len() + set.skipped().len();
        if entries > self.policy.max_keys {
            return Err(format!(
                "JWK Set has {entries} keys, more than the limit of {}",
                self.policy.max_keys
            ));
        }
        Ok(set)
    }
}
