//! What a store is told ([`StorePolicy`]), what it tells ([`StoreStatus`]), and the cached set
//! it answers from ([`CachedKeys`]).

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use crate::algorithm::Algorithm;
use crate::error::{Error, UnknownKeyError};
use crate::keys::{JwkSet, KeySource, VerifyingKey};
use crate::time::NumericDate;

/// When the store refreshes, and what it accepts.
///
/// | setting | default | meaning |
/// |---|---|---|
/// | `max_age` | 10 min | a set older than this is refreshed in the background by the next lookup (async: with a spawner), by the next miss, or by `refresh`; a document's own `max-age` ([`FetchedDocument::with_max_age`](super::FetchedDocument::with_max_age)) shortens it, never below `cooldown` |
/// | `cooldown` | 30 s | at most one fetch per cooldown window, whatever triggers it |
/// | `max_stale` | 24 h | how long past `max_age` a set is still served |
/// | `max_document_size` | 256 KiB | larger documents are refused |
/// | `max_keys` | 64 | sets with more entries are refused |
/// | `wait_for_fetch` | 10 s | how long a lookup waits for a fetch another caller started |
///
/// Lookups of keys in a usable set never wait for a fetch, whatever the set's age; see
/// [`KeyStore`] for who refreshes the set, and when.
///
/// The struct is `#[non_exhaustive]`: build it from the defaults with the `with_*` methods.
///
/// ```
/// use std::time::Duration;
/// use webtoken::KeyStore;
/// use webtoken::jwks::{FetchError, StorePolicy};
///
/// let policy = StorePolicy::new()
///     .with_max_age(Duration::from_secs(300))
///     .with_cooldown(Duration::from_secs(10))
///     .with_max_document_size(64 * 1024);
/// assert_eq!(policy.max_keys, 64); // a default
/// let store = KeyStore::new(|| Ok::<_, FetchError>(String::from(r#"{"keys":[]}"#))).with_policy(policy);
/// assert_eq!(store.policy().cooldown, Duration::from_secs(10));
/// ```
///
/// [`KeyStore`]: super::KeyStore
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StorePolicy {
    /// A set older than this is due for a refresh. A lookup of a key it holds answers from it
    /// at once and starts the refresh in the background (a blocking lookup on a thread; an
    /// async one only through [`KeyStore::with_spawner`]); a lookup of a `kid` it does not
    /// hold refreshes it in the caller, as do [`KeyStore::refresh`] and
    /// [`KeyStore::refresh_async`]. The cooldown applies to all of them.
    ///
    /// [`KeyStore::with_spawner`]: super::KeyStore::with_spawner
    /// [`KeyStore::refresh`]: super::KeyStore::refresh
    /// [`KeyStore::refresh_async`]: super::KeyStore::refresh_async
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

impl StorePolicy {
    /// The default policy (see the table above).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`max_age`](Self::max_age).
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Sets [`cooldown`](Self::cooldown).
    #[must_use]
    pub fn with_cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// Sets [`max_stale`](Self::max_stale).
    #[must_use]
    pub fn with_max_stale(mut self, max_stale: Duration) -> Self {
        self.max_stale = max_stale;
        self
    }

    /// Sets [`max_document_size`](Self::max_document_size), in bytes.
    #[must_use]
    pub fn with_max_document_size(mut self, bytes: usize) -> Self {
        self.max_document_size = bytes;
        self
    }

    /// Sets [`max_keys`](Self::max_keys).
    #[must_use]
    pub fn with_max_keys(mut self, max_keys: usize) -> Self {
        self.max_keys = max_keys;
        self
    }

    /// Sets [`wait_for_fetch`](Self::wait_for_fetch).
    #[must_use]
    pub fn with_wait_for_fetch(mut self, wait: Duration) -> Self {
        self.wait_for_fetch = wait;
        self
    }
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

/// A set and when it was fetched.
#[derive(Debug)]
pub(super) struct Snapshot {
    pub(super) set: JwkSet,
    pub(super) fetched_at: NumericDate,
    /// How long the set stays fresh: `max_age`, or the server's `max-age` within the policy.
    pub(super) max_age: Duration,
}

/// The store's current set as a [`KeySource`] that never fetches.
#[derive(Debug, Clone)]
pub struct CachedKeys {
    pub(super) snapshot: Option<Arc<Snapshot>>,
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
