//! A caching JWK Set key store that follows an identity provider's key rotation: it refetches
//! the set when a token names a `kid` it does not hold (at most once per cooldown), coalesces
//! concurrent fetches into one, answers lookups of keys it holds without ever waiting for a
//! fetch, keeps serving the last good set when fetches fail (for a bounded time), and never
//! lets a malformed or oversized document replace a good set. A set older than `max_age` is
//! refreshed in the background by the first lookup that finds it so (stale-while-revalidate:
//! that lookup does not wait); async lookups do so only with a spawner (see [`KeyStore`]).
//!
//! The store needs no HTTP client and no async runtime: the application supplies the fetcher,
//! blocking ([`Fetch`]) or async ([`AsyncFetch`]). The URL is the application's; nothing in a
//! token (`jku`, `x5u`) is ever fetched.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock, mpsc};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;

use crate::algorithm::Algorithm;
use crate::error::{Error, UnknownKeyError};
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

/// The future an async fetcher of type [`BoxedAsyncFetcher`] returns.
pub type BoxFetchFuture = Pin<Box<dyn Future<Output = Result<String, FetchError>> + Send>>;

/// A background refresh, handed to the spawner of [`KeyStore::with_spawner`] to run to the end.
pub type RefreshFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// An async fetcher whose type can be named (a closure's cannot), for a `KeyStore` kept in a
/// struct or in a web framework's state: `KeyStore<BoxedAsyncFetcher>`.
///
/// ```
/// use webtoken::jwks::{BoxedAsyncFetcher, FetchError, KeyStore};
///
/// struct AppState {
///     keys: KeyStore<BoxedAsyncFetcher>,
/// }
///
/// let fetcher = BoxedAsyncFetcher::new(|| {
///     Box::pin(async { Ok::<_, FetchError>(r#"{"keys":[]}"#.to_owned()) })
/// });
/// let state = AppState { keys: KeyStore::new(fetcher) };
/// # let _ = state.keys;
/// ```
#[derive(Clone)]
pub struct BoxedAsyncFetcher(Arc<dyn Fn() -> BoxFetchFuture + Send + Sync>);

impl BoxedAsyncFetcher {
    /// Wraps a closure that returns a boxed fetch future.
    pub fn new(fetch: impl Fn() -> BoxFetchFuture + Send + Sync + 'static) -> Self {
        Self(Arc::new(fetch))
    }
}

impl fmt::Debug for BoxedAsyncFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoxedAsyncFetcher").finish_non_exhaustive()
    }
}

impl AsyncFetch for BoxedAsyncFetcher {
    fn fetch(&self) -> impl Future<Output = Result<String, FetchError>> + Send {
        (self.0)()
    }
}

/// When the store refreshes, and what it accepts.
///
/// | setting | default | meaning |
/// |---|---|---|
/// | `max_age` | 10 min | a set older than this is refreshed in the background by the next lookup (async: with a spawner), by the next miss, or by `refresh` |
/// | `cooldown` | 30 s | at most one fetch per cooldown window, whatever triggers it |
/// | `max_stale` | 24 h | how long past `max_age` a set is still served |
/// | `max_document_size` | 256 KiB | larger documents are refused |
/// | `max_keys` | 64 | sets with more entries are refused |
/// | `wait_for_fetch` | 10 s | how long a lookup waits for a fetch another caller started |
///
/// Lookups of keys in a usable set never wait for a fetch, whatever the set's age; see
/// [`KeyStore`] for who refreshes the set, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StorePolicy {
    /// A set older than this is due for a refresh. A lookup of a key it holds answers from it
    /// at once and starts the refresh in the background (a blocking lookup on a thread; an
    /// async one only through [`KeyStore::with_spawner`]); a lookup of a `kid` it does not
    /// hold refreshes it in the caller, as do [`KeyStore::refresh`] and
    /// [`KeyStore::refresh_async`]. The cooldown applies to all of them.
    pub max_age: Duration,
    /// The minimum time between two fetches (an unknown `kid` cannot make the store hammer
    /// the provider, CVE-2026-48524).
    pub cooldown: Duration,
    /// How long past `max_age` the set is still served (while fetches fail, or, for async
    /// lookups without a spawner, while no miss or scheduled refresh refreshes it); after that
    /// every lookup fetches in the caller (within the cooldown), and fails with
    /// [`Error::UnknownKey`] (`NotFound` or `NotRefetched`) until a fetch succeeds.
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
    /// A fetch is running now: a caller's, or a background refresh.
    pub fetching: bool,
    /// How many keys the current set has.
    pub keys: usize,
}

/// A thread-safe, caching JWK Set key store; see the [module documentation](self).
///
/// Pass `&store` to [`decode`](crate::decode) (blocking fetcher) or call
/// [`decode_async`](Self::decode_async) (async fetcher). A store is cheap to [`Clone`]: clones
/// share the fetcher, the cached set and the fetch bookkeeping (one cache, at most one fetch at
/// a time, one cooldown), so a clone can go into each thread or a web framework's state.
/// The policy, clock and spawner are per handle, copied when cloning: configure the store
/// first, then clone it.
///
/// # Lookups
/// - A lookup whose key is in the current set, while the set is usable (younger than
///   `max_age + max_stale`), is answered from the set at once: it never waits for a fetch,
///   whatever the set's age.
/// - Any other lookup (no set yet, a `kid` the set does not hold, a set past
///   `max_age + max_stale`) fetches the set in the calling thread or task, unless a fetch
///   ran less than `cooldown` ago, and then looks again. If another caller's fetch is
///   running, it waits for that one instead, for at most `wait_for_fetch`, blocking or async.
///   (An async wait is bounded by one timer thread, `webtoken-keystore-timer`, started at the
///   first such wait: the crate uses no async runtime. Without it the wait ends at once.)
///
/// # Staleness: stale-while-revalidate
/// When a lookup answers from a set older than `max_age`, and no fetch is running and the
/// cooldown allows one, the set is refreshed in the background; the lookup itself returns at
/// once, with the key of the set it found:
/// - A blocking lookup ([`KeySource`]) starts a thread, `webtoken-keystore-refresh`, that
///   fetches and installs the set. (This is why [`KeySource`] needs `F: 'static`.) If the
///   thread cannot be started, the attempt is undone and nothing else changes: the next miss
///   or [`refresh`](Self::refresh) refreshes the set.
/// - An async lookup ([`decode_async`](Self::decode_async)) does the same only if the store
///   has a spawner ([`with_spawner`](Self::with_spawner), for example `tokio::spawn`). Without
///   one it never refreshes a set whose keys it finds: the next miss or
///   [`refresh_async`](Self::refresh_async) does, and a set whose keys keep being used is
///   otherwise served until `max_age + max_stale`, after which every lookup fetches. Give the
///   store a spawner, or call `refresh_async` every `max_age` from a task of yours.
///
/// Until the refresh installs a new set, lookups answer from the old one; once it does, a key
/// the provider has withdrawn is refused. A refresh that fails keeps the old set (until
/// `max_age + max_stale`), and the next background refresh starts once the cooldown allows.
///
/// # Failures, panics and cancellation
/// - A failed fetch, or a refused document, keeps the current set; the error is kept in
///   [`status`](Self::status), and lookups of keys the set does not hold fail with
///   [`Error::UnknownKey`]: [`UnknownKeyError::NotRefetched`] says why (the escaped, truncated
///   fetch error, or the seconds until the cooldown allows the next fetch).
/// - A panic in a blocking fetcher unwinds to the caller whose lookup ran it; a panic in an
///   async fetcher's future unwinds out of the [`decode_async`](Self::decode_async) or
///   [`refresh_async`](Self::refresh_async) that polled it. A panic in a background refresh
///   ends that thread or spawned task only (the panic hook prints it as usual); the lookup
///   that started it has already returned. Either way the attempt is recorded as failed (and
///   counted in [`status`](Self::status)), the callers waiting for it are woken, and the next
///   fetch is allowed once the cooldown since that attempt has passed.
/// - Dropping a `decode_async` or `refresh_async` future while its fetch runs (a timeout, a
///   client that went away), or an executor dropping a spawned refresh unrun, ends the fetch
///   in the same way.
/// - A fetch that never returns delays only the caller running it (none, for a background
///   refresh): others give up after
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
    shared: Arc<Shared<F>>,
    policy: StorePolicy,
    clock: Arc<dyn Clock>,
    /// Set by [`KeyStore::with_spawner`]: hands a started async refresh to the application's
    /// executor.
    spawner: Option<Arc<SpawnRefresh<F>>>,
}

/// Starts a background async refresh that holds this guard.
type SpawnRefresh<F> = dyn Fn(FetchGuard<F>) + Send + Sync;

/// What every clone of a store shares: the fetcher, the cached set and the fetch bookkeeping.
struct Shared<F> {
    fetcher: F,
    current: RwLock<Option<Arc<Snapshot>>>,
    state: Mutex<FetchState>,
    done: Condvar,
}

/// Clones share the fetcher, the cached set and the fetch bookkeeping (one cache, one fetch at a
/// time, one cooldown): cloning is a reference count, cheap enough for a web framework's state.
/// The policy, clock and spawner are copied: configure the store before cloning it.
impl<F> Clone for KeyStore<F> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            policy: self.policy.clone(),
            clock: Arc::clone(&self.clock),
            spawner: self.spawner.clone(),
        }
    }
}

impl<F> fmt::Debug for KeyStore<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyStore")
            .field("policy", &self.policy)
            .field("spawner", &self.spawner.is_some())
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
enum Begin<F> {
    /// This caller fetches; the guard ends the attempt however the caller leaves.
    Started(FetchGuard<F>),
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
///
/// It owns a handle on the store, so a background refresh (a thread, or a future handed to the
/// spawner) can hold it.
struct FetchGuard<F> {
    store: KeyStore<F>,
    /// `last_attempt` before this attempt, restored by [`abandon`](Self::abandon).
    previous_attempt: Option<NumericDate>,
    armed: bool,
}

impl<F> FetchGuard<F> {
    fn finish(mut self, document: Result<String, FetchError>) {
        self.armed = false;
        let outcome = match document {
            Ok(doc) => self.store.parse(&doc),
            Err(e) => Err(e.message),
        };
        self.store.end_fetch(outcome);
    }

    /// Undoes an attempt whose fetcher was never called (its background thread could not be
    /// started): no fetch is counted and the cooldown is as before, so the next miss or
    /// `refresh` fetches as if this lookup had not tried.
    fn abandon(mut self) {
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
            shared: Arc::new(Shared {
                fetcher,
                current: RwLock::new(None),
                state: Mutex::new(FetchState::default()),
                done: Condvar::new(),
            }),
            policy: StorePolicy::default(),
            clock: Arc::new(SystemClock),
            spawner: None,
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
        let state = lock(&self.shared.state);
        StoreStatus {
            fetched_at: snapshot.as_ref().map(|s| s.fetched_at),
            last_attempt: state.last_attempt,
            last_error: state.last_error.clone(),
            fetches: state.fetches,
            fetching: state.in_flight,
            keys: snapshot.map_or(0, |s| s.set.len()),
        }
    }

    fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.shared
            .current
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

    /// Whether `snapshot` is older than `max_age`: due for a refresh.
    fn is_stale(&self, snapshot: Option<&Arc<Snapshot>>, now: NumericDate) -> bool {
        snapshot.is_some_and(|s| now >= s.fetched_at.saturating_add(self.policy.max_age))
    }

    /// Starts a fetch if none is running and the cooldown allows one.
    fn begin_fetch(&self, now: NumericDate) -> Begin<F> {
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
    fn end_fetch(&self, outcome: Result<JwkSet, String>) {
        let error = match outcome {
            Ok(set) => {
                let snapshot = Arc::new(Snapshot {
                    set,
                    fetched_at: self.clock.now(),
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
            None => Err(Error::UnknownKey(UnknownKeyError::NotFound {
                kid: key_id.map(str::to_owned),
            })),
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
        let Error::UnknownKey(UnknownKeyError::NotFound { kid }) = error else {
            return error;
        };
        let last_error = lock(&self.shared.state).last_error.clone();
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
            Some(reason) => Error::UnknownKey(UnknownKeyError::NotRefetched { kid, reason }),
            None => Error::UnknownKey(UnknownKeyError::NotFound { kid }),
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
        match &lock(&self.shared.state).last_error {
            Some(e) => Err(FetchError::new(e)),
            None => Ok(()),
        }
    }

    /// Waits (blocking) until the fetch of `generation` ends, at most `wait_for_fetch`;
    /// whether it ended.
    fn wait_blocking(&self, generation: u64) -> bool {
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
                guard.finish(Fetch::fetch(&self.shared.fetcher));
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
    fn refresh_in_background(&self, now: NumericDate) {
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
                    let document = Fetch::fetch(&guard.store.shared.fetcher);
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

/// Blocking lookups: a key in the usable set is returned at once (and a set older than
/// `max_age` is refreshed on a background thread); otherwise the set is refetched (within the
/// cooldown) in this thread, or this thread waits (at most `wait_for_fetch`) for a fetch that
/// another started. See [`KeyStore`].
///
/// The fetcher must be `'static` because a background refresh thread holds a handle on the
/// store; [`refresh`](KeyStore::refresh) and [`cached`](KeyStore::cached) work with any fetcher.
impl<F: Fetch + 'static> KeySource for KeyStore<F> {
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        let now = self.clock.now();
        let snapshot = self.usable(now);
        match Self::lookup(snapshot.as_ref(), key_id, algorithm) {
            Err(Error::UnknownKey(UnknownKeyError::NotFound { .. })) => {}
            known => {
                if self.is_stale(snapshot.as_ref(), now) {
                    self.refresh_in_background(now);
                }
                return known.map(Cow::Owned);
            }
        }
        let attempt = self.fetch_blocking(now);
        let snapshot = self.usable(self.clock.now());
        Self::lookup(snapshot.as_ref(), key_id, algorithm)
            .map(Cow::Owned)
            .map_err(|e| self.explain(e, attempt))
    }
}

impl<F: AsyncFetch> KeyStore<F> {
    /// Decodes a token. A key in the usable set is used at once, without awaiting anything
    /// (and, with a [spawner](Self::with_spawner), a set older than `max_age` is refreshed in
    /// a spawned task); otherwise the set is refetched with the async fetcher (within the
    /// cooldown), or the task waits (at most `wait_for_fetch`) for a fetch that another caller
    /// started. See [`KeyStore`] for staleness, failures and cancellation.
    ///
    /// # Errors
    /// As [`decode`](crate::decode); [`Error::UnknownKey`] (`NotFound` or
    /// [`NotRefetched`](UnknownKeyError::NotRefetched)) when no fetch could supply the key.
    pub async fn decode_async<T: DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<Token<T>, Error> {
        let now = self.clock.now();
        let snapshot = self.usable(now);
        let stale = self.is_stale(snapshot.as_ref(), now);
        let first = crate::decode::<T>(token, &CachedKeys { snapshot }, validation);
        if !matches!(
            first,
            Err(Error::UnknownKey(UnknownKeyError::NotFound { .. }))
        ) {
            if stale {
                if let Some(spawn) = &self.spawner {
                    if let Begin::Started(guard) = self.begin_fetch(now) {
                        // The spawned future owns the guard: if the executor drops it unrun,
                        // the attempt ends as cancelled.
                        spawn(guard);
                    }
                }
            }
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
                let document = AsyncFetch::fetch(&self.shared.fetcher).await;
                guard.finish(document);
                Attempt::Ended
            }
            Begin::Cooldown(allowed_at) => Attempt::Cooldown(allowed_at),
            Begin::InFlight(generation) => {
                let wait = FetchDone {
                    state: &self.shared.state,
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

impl<F: AsyncFetch + 'static> KeyStore<F> {
    /// Lets [`decode_async`](Self::decode_async) refresh a set older than `max_age` in the
    /// background: when a lookup answers from such a set, no fetch is running and the
    /// cooldown allows one, the lookup passes a future that fetches and installs the set to
    /// `spawn` (for example `tokio::spawn`, whose handle you drop) and returns at once.
    ///
    /// Without a spawner, a stale set is refreshed only by the next lookup of a `kid` it does
    /// not hold or by [`refresh_async`](Self::refresh_async); known keys keep answering from it
    /// until `max_age + max_stale`. The blocking lookups ([`KeySource`]) need no spawner: they
    /// start a thread.
    ///
    /// The future ends the attempt however it ends: a failure or panic of the fetcher, or the
    /// executor dropping the future unrun, is recorded as a failed attempt (see
    /// [`status`](Self::status)) and the cooldown applies. If `spawn` itself panics, the panic
    /// reaches the `decode_async` caller. Applies to this handle and its later clones.
    ///
    /// ```
    /// use std::future::Future;
    /// use std::sync::Arc;
    /// use std::task::{Context, Poll, Wake, Waker};
    /// use webtoken::jwks::{FetchError, KeyStore, RefreshFuture};
    ///
    /// // A one-thread-per-task executor, as small as it gets; with tokio, pass
    /// // `|refresh| { tokio::spawn(refresh); }` instead.
    /// fn block_on<T>(future: impl Future<Output = T>) -> T {
    ///     struct Unpark(std::thread::Thread);
    ///     impl Wake for Unpark {
    ///         fn wake(self: Arc<Self>) {
    ///             self.0.unpark();
    ///         }
    ///     }
    ///     let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    ///     let mut future = std::pin::pin!(future);
    ///     loop {
    ///         if let Poll::Ready(v) = future.as_mut().poll(&mut Context::from_waker(&waker)) {
    ///             return v;
    ///         }
    ///         std::thread::park();
    ///     }
    /// }
    ///
    /// let store = KeyStore::new(|| async { Ok::<_, FetchError>(r#"{"keys":[]}"#.to_owned()) })
    ///     .with_spawner(|refresh: RefreshFuture| {
    ///         std::thread::spawn(move || block_on(refresh));
    ///     });
    /// assert_eq!(block_on(store.refresh_async()), Ok(()));
    /// ```
    #[must_use]
    pub fn with_spawner(mut self, spawn: impl Fn(RefreshFuture) + Send + Sync + 'static) -> Self {
        self.spawner = Some(Arc::new(move |guard: FetchGuard<F>| {
            spawn(Box::pin(async move {
                let document = AsyncFetch::fetch(&guard.store.shared.fetcher).await;
                guard.finish(document);
            }));
        }));
        self
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
            None => Err(Error::UnknownKey(UnknownKeyError::NotFound {
                kid: key_id.map(str::to_owned),
            })),
        }
    }
}
