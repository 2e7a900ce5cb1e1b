//! A caching JWK Set key store that follows an identity provider's key rotation: it refreshes
//! the set when it is older than a maximum age, refetches when a token names an unknown `kid`
//! (at most once per cooldown), coalesces concurrent refreshes into one fetch, keeps serving
//! the last good set when a fetch fails (for a bounded time), and never lets a malformed or
//! oversized document replace a good set.
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
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::{JwkSet, KeySource, VerifyingKey};
use crate::algorithm::Algorithm;
use crate::claims::NumericDate;
use crate::error::Error;
use crate::token::Token;
use crate::validation::{Clock, SystemClock, Validation};

/// A failed fetch of the JWK Set document, as the fetcher reports it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("fetching the JWK Set failed: {message}")]
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

    /// The message.
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
/// use webtoken::keys::store::{FetchError, KeyStore};
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
/// | `max_age` | 10 min | a set older than this is refreshed at the next lookup |
/// | `cooldown` | 30 s | at most one fetch per cooldown window, whatever triggers it |
/// | `max_stale` | 24 h | how long past `max_age` a set is still served while fetches fail |
/// | `max_document_size` | 256 KiB | larger documents are refused |
/// | `max_keys` | 64 | sets with more entries are refused |
/// | `wait_for_fetch` | 10 s | how long a lookup waits for a fetch another caller started |
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StorePolicy {
    /// A set older than this is refreshed at the next lookup.
    pub max_age: Duration,
    /// The minimum time between two fetches (an unknown `kid` cannot make the store hammer
    /// the provider, CVE-2026-48524).
    pub cooldown: Duration,
    /// How long past `max_age` the last good set is still served while fetches fail; after
    /// that, lookups fail with [`Error::UnknownKey`] until a fetch succeeds.
    pub max_stale: Duration,
    /// The largest document accepted, in bytes.
    pub max_document_size: usize,
    /// The most entries a set may have.
    pub max_keys: usize,
    /// How long a blocking lookup waits for a fetch that another thread started.
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
    in_flight: bool,
    /// Completed fetch attempts; waiters compare it to know that a fetch finished.
    generation: u64,
    last_attempt: Option<NumericDate>,
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
    /// The error of the last fetch, if it failed.
    pub last_error: Option<String>,
    /// How many fetches were attempted.
    pub fetches: u64,
    /// How many keys the current set has.
    pub keys: usize,
}

/// A thread-safe, caching JWK Set key store; see the [module documentation](self).
///
/// Lookups of known keys take a read lock only long enough to clone an `Arc`: they never wait
/// for a fetch. Pass `&store` to [`decode`](crate::decode) (blocking fetcher) or call
/// [`decode_async`](Self::decode_async) (async fetcher).
///
/// ```
/// use webtoken::keys::store::{FetchError, KeyStore};
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
    // A panic in another thread cannot leave this state inconsistent (each update is a
    // plain assignment), so a poisoned lock is used as it is.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why a lookup wants a fetch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Want {
    /// Nothing to fetch.
    Nothing,
    /// The set is missing or older than `max_age`.
    Refresh,
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

    /// Uses `clock` for ages and cooldowns (for tests).
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

    /// The set to look keys up in, if it is not too stale to use.
    fn usable(&self, now: NumericDate) -> (Option<Arc<Snapshot>>, Want) {
        let Some(snapshot) = self.snapshot() else {
            return (None, Want::Refresh);
        };
        let fresh_until = snapshot.fetched_at.saturating_add(self.policy.max_age);
        if now < fresh_until {
            return (Some(snapshot), Want::Nothing);
        }
        let usable_until = fresh_until.saturating_add(self.policy.max_stale);
        let snapshot = (now < usable_until).then_some(snapshot);
        (snapshot, Want::Refresh)
    }

    /// Whether the cooldown allows a fetch now; if so, marks a fetch in flight.
    /// `Err(generation)` when another fetch is in flight (wait for it).
    fn begin_fetch(&self, now: NumericDate) -> Result<bool, u64> {
        let mut state = lock(&self.state);
        if state.in_flight {
            return Err(state.generation);
        }
        if let Some(last) = state.last_attempt {
            if now < last.saturating_add(self.policy.cooldown) {
                return Ok(false);
            }
        }
        state.in_flight = true;
        state.last_attempt = Some(now);
        state.fetches += 1;
        Ok(true)
    }

    /// Installs the outcome of a fetch and wakes every waiter.
    fn finish_fetch(&self, document: Result<String, FetchError>, now: NumericDate) {
        let outcome = document
            .map_err(|e| e.to_string())
            .and_then(|doc| self.parse(&doc));
        let error = match outcome {
            Ok(set) => {
                let snapshot = Arc::new(Snapshot {
                    set,
                    fetched_at: now,
                });
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(snapshot);
                None
            }
            Err(e) => Some(e),
        };
        let wakers = {
            let mut state = lock(&self.state);
            state.in_flight = false;
            state.generation += 1;
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
            snapshot: self.usable(self.clock.now()).0,
        }
    }

    /// Waits (blocking) until the fetch of `generation` completes, at most `wait_for_fetch`.
    fn wait_blocking(&self, generation: u64) {
        let state = lock(&self.state);
        let _ = self
            .done
            .wait_timeout_while(state, self.policy.wait_for_fetch, |s| {
                s.generation == generation && s.in_flight
            });
    }
}

impl<F: Fetch> KeyStore<F> {
    /// Fetches now (subject to the cooldown) and waits for the result.
    ///
    /// # Errors
    /// A [`FetchError`] when the fetch fails or the document is refused; the current set is
    /// kept.
    pub fn refresh(&self) -> Result<(), FetchError> {
        self.fetch_blocking(self.clock.now());
        match &lock(&self.state).last_error {
            Some(e) => Err(FetchError::new(e)),
            None => Ok(()),
        }
    }

    fn fetch_blocking(&self, now: NumericDate) {
        match self.begin_fetch(now) {
            Ok(true) => {
                let document = self.fetcher.fetch();
                self.finish_fetch(document, self.clock.now());
            }
            Ok(false) => {}
            Err(generation) => self.wait_blocking(generation),
        }
    }
}

/// Blocking lookups: a missing or old set is refreshed, an unknown `kid` triggers one
/// refetch (within the cooldown), and concurrent misses wait for one shared fetch.
impl<F: Fetch> KeySource for KeyStore<F> {
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        let now = self.clock.now();
        let (snapshot, want) = self.usable(now);
        let first = Self::lookup(snapshot.as_ref(), key_id, algorithm);
        let miss = matches!(first, Err(Error::UnknownKey { .. }));
        if want == Want::Nothing && !miss {
            return first.map(Cow::Owned);
        }
        if !miss && snapshot.is_some() {
            // Known key in an old (but usable) set: refresh in this thread unless another
            // already is, and answer from the set we have.
            if let Ok(true) = self.begin_fetch(now) {
                let document = self.fetcher.fetch();
                self.finish_fetch(document, self.clock.now());
            }
            return first.map(Cow::Owned);
        }
        self.fetch_blocking(now);
        let (snapshot, _) = self.usable(self.clock.now());
        Self::lookup(snapshot.as_ref(), key_id, algorithm).map(Cow::Owned)
    }
}

impl<F: AsyncFetch> KeyStore<F> {
    /// Decodes a token, refreshing the set with the async fetcher when it is missing or old,
    /// or when the token names an unknown `kid` (subject to the cooldown). Concurrent tasks
    /// that miss share one fetch.
    ///
    /// # Errors
    /// As [`decode`](crate::decode); [`Error::UnknownKey`] when no fetch could supply the key.
    pub async fn decode_async<T: DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<Token<T>, Error> {
        let now = self.clock.now();
        let (snapshot, want) = self.usable(now);
        let keys = CachedKeys { snapshot };
        let first = crate::decode::<T>(token, &keys, validation);
        let miss = matches!(first, Err(Error::UnknownKey { .. }));
        if want == Want::Nothing && !miss {
            return first;
        }
        self.refresh_async_at(now).await;
        if !miss && keys.snapshot.is_some() {
            return first;
        }
        crate::decode::<T>(token, &self.cached(), validation)
    }

    /// Fetches now (subject to the cooldown) with the async fetcher, or waits for a fetch in
    /// flight.
    ///
    /// # Errors
    /// A [`FetchError`] when the fetch fails or the document is refused; the current set is
    /// kept.
    pub async fn refresh_async(&self) -> Result<(), FetchError> {
        self.refresh_async_at(self.clock.now()).await;
        match &lock(&self.state).last_error {
            Some(e) => Err(FetchError::new(e)),
            None => Ok(()),
        }
    }

    async fn refresh_async_at(&self, now: NumericDate) {
        match self.begin_fetch(now) {
            Ok(true) => {
                let document = self.fetcher.fetch().await;
                self.finish_fetch(document, self.clock.now());
            }
            Ok(false) => {}
            Err(generation) => {
                FetchDone {
                    state: &self.state,
                    generation,
                }
                .await;
            }
        }
    }
}

/// Resolves when the fetch of `generation` has completed.
struct FetchDone<'a> {
    state: &'a Mutex<FetchState>,
    generation: u64,
}

impl Future for FetchDone<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = lock(self.state);
        if state.generation != self.generation || !state.in_flight {
            return Poll::Ready(());
        }
        if !state.wakers.iter().any(|w| w.will_wake(cx.waker())) {
            state.wakers.push(cx.waker().clone());
        }
        Poll::Pending
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
