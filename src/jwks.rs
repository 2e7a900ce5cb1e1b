//! A caching JWK Set key store that follows an identity provider's key rotation: it refetches
//! the set when a token names a `kid` it does not hold (at most once per cooldown), coalesces
//! concurrent fetches into one, answers lookups of keys it holds without ever waiting for a
//! fetch, keeps serving the last good set when fetches fail (for a bounded time), and never
//! lets a malformed or oversized document replace a good set. A set older than `max_age` is
//! refreshed by the next lookup that fetches anyway, or by [`KeyStore::refresh`] /
//! [`KeyStore::refresh_async`] called on a schedule of yours (see [`KeyStore`]).
//!
//! The store needs no HTTP client and no async runtime: the application supplies the fetcher,
//! blocking ([`Fetch`]) or async ([`AsyncFetch`]). The URL is the application's; nothing in a
//! token (`jku`, `x5u`) is ever fetched.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use crate::algorithm::Algorithm;
use crate::error::Error;
use crate::jwt::Token;
use crate::keys::{JwkSet, KeySource, VerifyingKey};
use crate::time::NumericDate;
use crate::time::{Clock, SystemClock};
use crate::validation::Validation;

/// A failed fetch of the JWK Set document, as the fetcher reports it.
///
/// Its `Display` is `fetching the JWK Set failed: MESSAGE`, with control characters of the
/// message escaped and a message longer than 160 characters cut (its full length in bytes
/// is given); [`message`](Self::message) returns it unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("fetching the JWK Set failed: {}", StoreUntrustedText(message))]
pub struct FetchError {
    message: String,
}

impl FetchError {
    /// A fetch error with this message (for example an I/O error or an HTTP status).
    pub fn new(message: impl fmt::Display) -> Self {
        Self {
            message: message.to_string(),
        }
    }

    /// The message, as given (not escaped).
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// A blocking fetcher: returns the JWK Set document (the body of the JWKS URL).
///
/// Any `Fn() -> Result<String, FetchError>` closure is a fetcher. It should use a timeout.
pub trait Fetch: Send + Sync {
    /// Fetches the document.
    ///
    /// # Errors
    /// A [`FetchError`] describing what failed.
    fn fetch(&self) -> Result<String, FetchError>;
}

impl<F: Fn() -> Result<String, FetchError> + Send + Sync> Fetch for F {
    fn fetch(&self) -> Result<String, FetchError> {
        self()
    }
}

/// An async fetcher: returns the JWK Set document (the body of the JWKS URL).
///
/// Any `Fn() -> impl Future<Output = Result<String, FetchError>> + Send` closure is one, so an
/// HTTP client of any runtime fits:
///
/// ```no_run
/// # async fn get(_: &str) -> Result<String, std::io::Error> { Ok(String::new()) }
/// use webtoken::jwks::{FetchError, KeyStore};
///
/// let store = KeyStore::new(|| async {
///     get("https://id.example/.well-known/jwks.json").await.map_err(FetchError::new)
/// });
/// # let _ = store;
/// ```
pub trait AsyncFetch: Send + Sync {
    /// Fetches the document.
    fn fetch(&self) -> impl Future<Output = Result<String, FetchError>> + Send;
}

impl<F, Fut> AsyncFetch for F
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<String, FetchError>> + Send,
{
    fn fetch(&self) -> impl Future<Output = Result<String, FetchError>> + Send {
        self()
    }
}

/// When the store refreshes, and what it accepts.
///
/// | setting | default | meaning |
/// |---|---|---|
/// | `max_age` | 10 min | a set older than this is refreshed by the next lookup that fetches anyway, or by `refresh` |
/// | `cooldown` | 30 s | at most one fetch per cooldown window, whatever triggers it |
/// | `max_stale` | 24 h | how long past `max_age` a set is still served |
/// | `max_document_size` | 256 KiB | larger documents are refused |
/// | `max_keys` | 64 | sets with more entries are refused |
/// | `wait_for_fetch` | 10 s | how long a lookup waits for a fetch another caller started |
///
/// Lookups of keys in a usable set never wait for a fetch, whatever the set's age; see
/// [`KeyStore`] for when the set is refreshed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StorePolicy {
    /// A set older than this is due for a refresh: the next lookup that has to fetch anyway
    /// (a `kid` the set does not hold) refreshes it, as do [`KeyStore::refresh`] and
    /// [`KeyStore::refresh_async`]; lookups of keys it holds still answer from it at once.
    pub max_age: Duration,
    /// The minimum time between two fetches (an unknown `kid` cannot make the store hammer
    /// the provider, CVE-2026-48524).
    pub cooldown: Duration,
    /// How long past `max_age` the set is still served (while fetches fail, or while no
    /// lookup or scheduled refresh refreshes it); after that every lookup fetches (within the
    /// cooldown), and fails with [`Error::UnknownKey`] or [`Error::UnknownKeyNotRefetched`]
    /// until a fetch succeeds.
    pub max_stale: Duration,
    /// The largest document accepted, in bytes.
    pub max_document_size: usize,
    /// The most entries a set may have.
    pub max_keys: usize,
    /// How long a lookup, blocking or async, waits for a fetch that another caller started
    /// (measured on the monotonic system clock, never the injected one).
    pub wait_for_fetch: Duration,
}

impl Default for StorePolicy {
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(600),
            cooldown: Duration::from_secs(30),
            max_stale: Duration::from_secs(24 * 3600),
            max_document_size: 256 * 1024,
            max_keys: 64,
            wait_for_fetch: Duration::from_secs(10),
        }
    }
}

/// A set and when it was fetched.
#[derive(Debug)]
struct Snapshot {
    set: JwkSet,
    fetched_at: NumericDate,
}

/// Bookkeeping of fetches, behind one mutex (never held while fetching).
#[derive(Debug, Default)]
struct FetchState {
    /// A fetch is running: set by `begin_fetch` together with the [`FetchGuard`] that alone
    /// clears it.
    in_flight: bool,
    /// Completed (or abandoned) fetch attempts; waiters compare it to know that a fetch ended.
    generation: u64,
    last_attempt: Option<NumericDate>,
    /// The last attempt's error, raw (escaped only when displayed).
    last_error: Option<String>,
    fetches: u64,
    wakers: Vec<Waker>,
}

/// What the store knows about its last fetches, for logs and health checks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoreStatus {
    /// When the current set was fetched, if there is one.
    pub fetched_at: Option<NumericDate>,
    /// When the last fetch was attempted.
    pub last_attempt: Option<NumericDate>,
    /// The error of the last fetch, if it failed, as the fetcher reported it (not escaped: use
    /// `{:?}` to log it). A fetch that panicked or was cancelled counts as failed.
    pub last_error: Option<String>,
    /// How many fetches were attempted.
    pub fetches: u64,
    /// How many keys the current set has.
    pub keys: usize,
}

/// A thread-safe, caching JWK Set key store; see the [module documentation](self).
///
/// Pass `&store` to [`decode`](crate::decode) (blocking fetcher) or call
/// [`decode_async`](Self::decode_async) (async fetcher).
///
/// # Lookups
/// - A lookup whose key is in the current set, while the set is usable (younger than
///   `max_age + max_stale`), is answered from the set at once: it never fetches and never
///   waits for a fetch, even when the set is older than `max_age`.
/// - Any other lookup (no set yet, a `kid` the set does not hold, a set past
///   `max_age + max_stale`) fetches the set in the calling thread or task, unless a fetch
///   ran less than `cooldown` ago, and then looks again. If another caller's fetch is
///   running, it waits for that one instead, for at most `wait_for_fetch`, blocking or async.
///   (An async wait is bounded by one timer thread, `webtoken-keystore-timer`, started at the
///   first such wait: the crate uses no async runtime. Without it the wait ends at once.)
///
/// # Staleness
/// A set older than `max_age` is not refreshed by lookups of keys it holds (they would have to
/// wait). It is refreshed by the next lookup that fetches anyway, or by
/// [`refresh`](Self::refresh) / [`refresh_async`](Self::refresh_async). To follow the
/// provider on schedule (for example to stop accepting a key it has withdrawn), call one of
/// them every `max_age` from a thread or task of your own. Without that, a set whose keys
/// keep being used is served until `max_age + max_stale`, after which every lookup fetches.
///
/// ```no_run
/// # fn http_get(_: &str) -> Result<String, std::io::Error> { Ok(String::new()) }
/// use std::sync::Arc;
/// use webtoken::jwks::{FetchError, KeyStore};
///
/// let store = Arc::new(KeyStore::new(|| {
///     http_get("https://id.example/.well-known/jwks.json").map_err(FetchError::new)
/// }));
/// let refresher = Arc::clone(&store);
/// std::thread::spawn(move || loop {
///     std::thread::sleep(refresher.policy().max_age);
///     let _ = refresher.refresh(); // a failure keeps the current set; see status()
/// });
/// ```
///
/// # Failures, panics and cancellation
/// - A failed fetch, or a refused document, keeps the current set; the error is kept in
///   [`status`](Self::status), and lookups of keys the set does not hold fail with
///   [`Error::UnknownKeyNotRefetched`], which says why (the escaped, truncated fetch error,
///   or the seconds until the cooldown allows the next fetch).
/// - A panic in a blocking fetcher unwinds to the caller whose lookup ran it; a panic in an
///   async fetcher's future unwinds out of the [`decode_async`](Self::decode_async) or
///   [`refresh_async`](Self::refresh_async) that polled it. Either way the attempt is
///   recorded as failed, the callers waiting for it are woken, and the next fetch is allowed
///   once the cooldown since that attempt has passed.
/// - Dropping a `decode_async` or `refresh_async` future while its fetch runs (a timeout, a
///   client that went away) ends the fetch in the same way.
/// - A fetch that never returns delays only the caller running it: others give up after
///   `wait_for_fetch`, but no other fetch starts until it ends. Give the fetcher a timeout.
/// - A poisoned lock is used as it is: every update of the store's state is complete before
///   any code that could panic runs.
///
/// ```
/// use webtoken::jwks::{FetchError, KeyStore};
/// use webtoken::{Claims, Header, SigningKey, Validation};
/// use std::time::Duration;
///
/// let key = SigningKey::ed25519_seed(&[7u8; 32])?.with_key_id("k1");
/// let jwks = format!(r#"{{"keys":[{}]}}"#, serde_json::to_string(&key.to_public_jwk()?).unwrap());
///
/// // A blocking fetcher; in a service it GETs the provider's JWKS URL with a timeout.
/// let store = KeyStore::new(move || Ok::<_, FetchError>(jwks.clone()));
///
/// let claims = Claims::new(()).expires_in(Duration::from_secs(60));
/// let jwt = webtoken::encode(&Header::new(), &claims, &key)?;
/// let token = webtoken::decode::<()>(&jwt, &store, &Validation::new())?;
/// assert_eq!(token.header().key_id(), Some("k1"));
/// assert_eq!(store.status().fetches, 1);
/// # Ok::<(), webtoken::Error>(())
/// ```
pub struct KeyStore<F> {
    fetcher: F,
    policy: StorePolicy,
    clock: Arc<dyn Clock>,
    current: RwLock<Option<Arc<Snapshot>>>,
    state: Mutex<FetchState>,
    done: Condvar,
}

impl<F> fmt::Debug for KeyStore<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("policy", &self.policy)
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every update under this lock is complete before anything that could panic runs (the
    // fetcher runs without it), so a poisoned lock holds consistent state: use it as it is.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What [`KeyStore::begin_fetch`] decided.
enum Begin<'a, F> {
    /// This caller fetches; the guard ends the attempt however the caller leaves.
    Started(FetchGuard<'a, F>),
    /// Another caller's fetch is running; its generation.
    InFlight(u64),
    /// The cooldown forbids a fetch until then.
    Cooldown(NumericDate),
}

/// How the attempt to get a newer set for a lookup ended.
#[derive(Clone, Copy, Debug)]
enum Attempt {
    /// A fetch ran (this caller's or one it waited for).
    Ended,
    /// The cooldown forbids a fetch until then.
    Cooldown(NumericDate),
    /// Another caller's fetch did not end within `wait_for_fetch`.
    TimedOut,
}

/// Marks a fetch in flight for as long as it lives. [`finish`](Self::finish) installs the
/// outcome; dropping it unfinished (the fetcher panicked, or the async caller was dropped)
/// records the attempt as failed. Either way `in_flight` is cleared and every waiter woken.
struct FetchGuard<'a, F> {
    store: &'a KeyStore<F>,
    armed: bool,
}

impl<F> FetchGuard<'_, F> {
    fn finish(mut self, document: Result<String, FetchError>) {
        self.armed = false;
        let outcome = match document {
            Ok(doc) => self.store.parse(&doc),
            Err(e) => Err(e.message),
        };
        self.store.end_fetch(outcome);
    }
}

impl<F> Drop for FetchGuard<'_, F> {
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

/// At most this many characters of a fetch error are shown in messages.
const SHOWN_ERROR_CHARS: usize = 160;

/// Displays text that came from outside (the fetcher's error, a server's response) safely:
/// control and bidirectional-formatting characters and `\` are escaped, and text longer than
/// [`SHOWN_ERROR_CHARS`] is cut, with its full length in bytes.
///
/// Private to the store: a shared helper in `error.rs` may replace it.
struct StoreUntrustedText<'a>(&'a str);

impl fmt::Display for StoreUntrustedText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        for (shown, c) in self.0.chars().enumerate() {
            if shown == SHOWN_ERROR_CHARS {
                return write!(f, "… ({} bytes in all)", self.0.len());
            }
            let formatting = matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}');
            if c == '\\' || c.is_control() || formatting {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

impl<F> KeyStore<F> {
    /// A store that fetches with `fetcher`, with the default [`StorePolicy`] and the system
    /// clock. Nothing is fetched until the first lookup.
    pub fn new(fetcher: F) -> Self {
        Self {
            fetcher,
            policy: StorePolicy::default(),
            clock: Arc::new(SystemClock),
            current: RwLock::new(None),
            state: Mutex::new(FetchState::default()),
            done: Condvar::new(),
        }
    }

    /// Replaces the policy.
    #[must_use]
    pub fn with_policy(mut self, policy: StorePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Uses `clock` for ages and cooldowns (for tests). `wait_for_fetch` is always measured
    /// on the monotonic system clock.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The policy in force.
    pub fn policy(&self) -> &StorePolicy {
        &self.policy
    }

    /// The current set, if one was fetched.
    pub fn current_set(&self) -> Option<JwkSet> {
        self.snapshot().map(|s| s.set.clone())
    }

    /// What the store knows about its fetches.
    pub fn status(&self) -> StoreStatus {
        let snapshot = self.snapshot();
        let state = lock(&self.state);
        StoreStatus {
            fetched_at: snapshot.as_ref().map(|s| s.fetched_at),
            last_attempt: state.last_attempt,
            last_error: state.last_error.clone(),
            fetches: state.fetches,
            keys: snapshot.map_or(0, |s| s.set.len()),
        }
    }

    fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The set to look keys up in, unless there is none or it is older than
    /// `max_age + max_stale`.
    fn usable(&self, now: NumericDate) -> Option<Arc<Snapshot>> {
        let snapshot = self.snapshot()?;
        let usable_until = snapshot
            .fetched_at
            .saturating_add(self.policy.max_age)
            .saturating_add(self.policy.max_stale);
        (now < usable_until).then_some(snapshot)
    }

    /// Starts a fetch if none is running and the cooldown allows one.
    fn begin_fetch(&self, now: NumericDate) -> Begin<'_, F> {
        let mut state = lock(&self.state);
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
        state.last_attempt = Some(now);
        state.fetches += 1;
        Begin::Started(FetchGuard {
            store: self,
            armed: true,
        })
    }

    /// Installs the outcome of a fetch, clears `in_flight` and wakes every waiter. Called only
    /// by [`FetchGuard`], once per attempt; it must not panic (it may run while unwinding).
    fn end_fetch(&self, outcome: Result<JwkSet, String>) {
        let error = match outcome {
            Ok(set) => {
                let snapshot = Arc::new(Snapshot {
                    set,
                    fetched_at: self.clock.now(),
                });
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(snapshot);
                None
            }
            Err(e) => Some(e),
        };
        let wakers = {
            let mut state = lock(&self.state);
            state.in_flight = false;
            state.generation = state.generation.wrapping_add(1);
            state.last_error = error;
            std::mem::take(&mut state.wakers)
        };
        self.done.notify_all();
        for waker in wakers {
            waker.wake();
        }
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

    /// Looks a key up in the current set, without fetching.
    fn lookup(
        snapshot: Option<&Arc<Snapshot>>,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<VerifyingKey, Error> {
        match snapshot {
            Some(s) => s.set.find_key(key_id, algorithm).map(Cow::into_owned),
            None => Err(Error::UnknownKey {
                kid: key_id.map(str::to_owned),
            }),
        }
    }

    /// A key source over the current set that never fetches.
    pub fn cached(&self) -> CachedKeys {
        CachedKeys {
            snapshot: self.usable(self.clock.now()),
        }
    }

    /// Turns an [`Error::UnknownKey`] after `attempt` into one that says why the set was not
    /// refetched, when there is a reason; other errors pass through.
    fn explain(&self, error: Error, attempt: Attempt) -> Error {
        let Error::UnknownKey { kid } = error else {
            return error;
        };
        let last_error = lock(&self.state).last_error.clone();
        let failed = last_error.as_deref().map(|e| {
            format!(
                "the last fetch of the JWK Set failed: {}",
                StoreUntrustedText(e)
            )
        });
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
            Some(reason) => Error::UnknownKeyNotRefetched { kid, reason },
            None => Error::UnknownKey { kid },
        }
    }

    /// The result of a refresh that ended with `attempt`.
    fn refresh_result(&self, attempt: Attempt) -> Result<(), FetchError> {
        if let Attempt::TimedOut = attempt {
            return Err(FetchError::new(format!(
                "a fetch in progress did not finish within {} ms",
                self.policy.wait_for_fetch.as_millis()
            )));
        }
        match &lock(&self.state).last_error {
            Some(e) => Err(FetchError::new(e)),
            None => Ok(()),
        }
    }

    /// Waits (blocking) until the fetch of `generation` ends, at most `wait_for_fetch`;
    /// whether it ended.
    fn wait_blocking(&self, generation: u64) -> bool {
        let state = lock(&self.state);
        let (state, _) = self
            .done
            .wait_timeout_while(state, self.policy.wait_for_fetch, |s| {
                s.generation == generation && s.in_flight
            })
            .unwrap_or_else(PoisonError::into_inner);
        state.generation != generation || !state.in_flight
    }
}

impl<F: Fetch> KeyStore<F> {
    /// Fetches now and waits for the result; if another caller's fetch is running, waits for
    /// that one instead (at most `wait_for_fetch`). Within the cooldown nothing is fetched and
    /// the outcome of the last fetch is returned.
    ///
    /// # Errors
    /// A [`FetchError`] when the fetch fails, the document is refused or the wait times out;
    /// the current set is kept.
    ///
    /// # Panics
    /// Only if the fetcher panics: the panic is passed on, after the attempt is recorded as
    /// failed.
    pub fn refresh(&self) -> Result<(), FetchError> {
        let attempt = self.fetch_blocking(self.clock.now());
        self.refresh_result(attempt)
    }

    fn fetch_blocking(&self, now: NumericDate) -> Attempt {
        match self.begin_fetch(now) {
            Begin::Started(guard) => {
                guard.finish(self.fetcher.fetch());
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

/// Blocking lookups: a key in the usable set is returned at once; otherwise the set is
/// refetched (within the cooldown) in this thread, or this thread waits (at most
/// `wait_for_fetch`) for a fetch that another started. See [`KeyStore`].
impl<F: Fetch> KeySource for KeyStore<F> {
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        let now = self.clock.now();
        match Self::lookup(self.usable(now).as_ref(), key_id, algorithm) {
            Err(Error::UnknownKey { .. }) => {}
            known => return known.map(Cow::Owned),
        }
        let attempt = self.fetch_blocking(now);
        let snapshot = self.usable(self.clock.now());
        Self::lookup(snapshot.as_ref(), key_id, algorithm)
            .map(Cow::Owned)
            .map_err(|e| self.explain(e, attempt))
    }
}

impl<F: AsyncFetch> KeyStore<F> {
    /// Decodes a token. A key in the usable set is used at once, without awaiting anything;
    /// otherwise the set is refetched with the async fetcher (within the cooldown), or the
    /// task waits (at most `wait_for_fetch`) for a fetch that another caller started. See
    /// [`KeyStore`] for staleness, failures and cancellation.
    ///
    /// # Errors
    /// As [`decode`](crate::decode); [`Error::UnknownKey`] or
    /// [`Error::UnknownKeyNotRefetched`] when no fetch could supply the key.
    pub async fn decode_async<T: DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<Token<T>, Error> {
        let now = self.clock.now();
        let first = crate::decode::<T>(token, &self.cached(), validation);
        if !matches!(first, Err(Error::UnknownKey { .. })) {
            return first;
        }
        let attempt = self.fetch_async(now).await;
        crate::decode::<T>(token, &self.cached(), validation).map_err(|e| self.explain(e, attempt))
    }

    /// Fetches now with the async fetcher and awaits the result; if another caller's fetch is
    /// running, waits for that one instead (at most `wait_for_fetch`). Within the cooldown
    /// nothing is fetched and the outcome of the last fetch is returned.
    ///
    /// # Errors
    /// A [`FetchError`] when the fetch fails, the document is refused or the wait times out;
    /// the current set is kept.
    pub async fn refresh_async(&self) -> Result<(), FetchError> {
        let attempt = self.fetch_async(self.clock.now()).await;
        self.refresh_result(attempt)
    }

    async fn fetch_async(&self, now: NumericDate) -> Attempt {
        match self.begin_fetch(now) {
            Begin::Started(guard) => {
                // If this future is dropped here, or the fetcher panics, the guard ends the
                // attempt.
                let document = self.fetcher.fetch().await;
                guard.finish(document);
                Attempt::Ended
            }
            Begin::Cooldown(allowed_at) => Attempt::Cooldown(allowed_at),
            Begin::InFlight(generation) => {
                let wait = FetchDone {
                    state: &self.state,
                    generation,
                    deadline: Instant::now().checked_add(self.policy.wait_for_fetch),
                    timer: None,
                };
                if wait.await {
                    Attempt::Ended
                } else {
                    Attempt::TimedOut
                }
            }
        }
    }
}

/// Resolves when the fetch of `generation` has ended (`true`) or the deadline has passed
/// (`false`).
struct FetchDone<'a> {
    state: &'a Mutex<FetchState>,
    generation: u64,
    /// `None` when `wait_for_fetch` is too large to add to the current instant: no bound.
    deadline: Option<Instant>,
    /// The timer registration, and the waker it wakes; cancelled when this is dropped.
    timer: Option<(timer::Key, Waker)>,
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

/// Bounds async waits without an async runtime: one background thread, started at the first
/// async wait for another caller's fetch, wakes each waiting task at its deadline.
mod timer {
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
}

/// The store's current set as a [`KeySource`] that never fetches.
#[derive(Debug, Clone)]
pub struct CachedKeys {
    snapshot: Option<Arc<Snapshot>>,
}

impl KeySource for CachedKeys {
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        match &self.snapshot {
            Some(s) => s.set.find_key(key_id, algorithm),
            None => Err(Error::UnknownKey {
                kid: key_id.map(str::to_owned),
            }),
        }
    }
}
