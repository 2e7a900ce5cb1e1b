//! A caching JWK Set key store that follows an identity provider's key rotation: it refetches
//! the set when a token names a `kid` it does not hold (at most once per cooldown), coalesces
//! concurrent fetches into one, answers lookups of keys it holds without ever waiting for a
//! fetch, keeps serving the last good set when fetches fail (for a bounded time), and never
//! lets a malformed or oversized document replace a good set. A set older than `max_age` is
//! refreshed in the background by the first lookup that finds it so (stale-while-revalidate:
//! that lookup does not wait); async lookups do so only with a spawner (see [`KeyStore`]).
//!
//! The store needs no HTTP client and no async runtime: the application supplies the fetcher,
//! blocking ([`Fetch`]) or async ([`AsyncFetch`]; [`BoxedAsyncFetcher`] gives it a type to
//! name), and may hand over the response's `Cache-Control: max-age` ([`FetchedDocument`]). The
//! URL is the application's; nothing in a token (`jku`, `x5u`) is ever fetched.

// The store by concern, each submodule using items of this module and of the submodules listed
// before it only, never of one listed after it: the fetchers (`fetch`), what the store is told
// and tells (`policy`), the thread that bounds async waits (`timer`), the shared state and the
// guard of each fetch (`state`), waiting for another caller's fetch (`wait`), and fetching a
// newer set, in the caller or in the background (`refresh`). The public items are re-exported
// here: `webtoken::jwks::*` is their one path.
mod fetch;
mod policy;
mod refresh;
mod state;
mod timer;
mod wait;

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};

use serde::de::DeserializeOwned;

use crate::algorithm::Algorithm;
use crate::error::{Error, UnknownKeyError};
use crate::jwt::Token;
use crate::keys::{JwkSet, KeySource, VerifyingKey};
use crate::time::{Clock, NumericDate, SystemClock};
use crate::validation::Validation;

pub use fetch::{
    AsyncFetch, BoxFetchFuture, BoxedAsyncFetcher, Fetch, FetchError, FetchedDocument,
    RefreshFuture,
};
pub use policy::{CachedKeys, StorePolicy, StoreStatus};

use policy::Snapshot;
use state::{Begin, FetchGuard, FetchState, Shared};

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
///   [`Error::UnknownKey`]: [`UnknownKeyError::NotRefetched`] says why (the escaped, truncated fetch error,
///   or the seconds until the cooldown allows the next fetch).
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
            .saturating_add(snapshot.max_age)
            .saturating_add(self.policy.max_stale);
        (now < usable_until).then_some(snapshot)
    }

    /// Whether `snapshot` is older than its `max_age` (the policy's, or the document's own
    /// within the policy): due for a refresh.
    fn is_stale(snapshot: Option<&Arc<Snapshot>>, now: NumericDate) -> bool {
        snapshot.is_some_and(|s| now >= s.fetched_at.saturating_add(s.max_age))
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
                if Self::is_stale(snapshot.as_ref(), now) {
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
    /// As [`decode`](crate::decode); [`Error::UnknownKey`] (`NotFound`, or
    /// [`NotRefetched`](crate::UnknownKeyError::NotRefetched)) when no fetch could supply the key.
    pub async fn decode_async<T: DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<Token<T>, Error> {
        let now = self.clock.now();
        let snapshot = self.usable(now);
        let stale = Self::is_stale(snapshot.as_ref(), now);
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
                let document = AsyncFetch::fetch_document(&guard.store.shared.fetcher).await;
                guard.finish(document);
            }));
        }));
        self
    }
}
