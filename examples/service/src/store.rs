//! Where refresh sessions live: one small trait, [`SessionStore`], with two implementations.
//!
//! - [`MemoryStore`]: a map in the process (the embedded default; sessions die with it).
//! - [`RedisStore`]: Redis, shared by every replica. Rotation is one Lua script run atomically
//!   by Redis ([`ROTATE_SCRIPT`]), so of N concurrent refreshes of one token, on any replicas,
//!   exactly one finds its `jti` current; the others see reuse and delete the session, which
//!   revokes it for every replica at once. Each session key carries a TTL of the refresh
//!   token's lifetime plus the leeway, so Redis forgets sessions nobody can refresh any more.
//!
//! A session record is only the `jti` of the one refresh token that may be used next; the
//! subject and everything else is in the signed token.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use redis::aio::ConnectionManager;
use webtoken::{Clock, NumericDate};

/// What the store methods return: a boxed future, so that the trait can be used as
/// `Arc<dyn SessionStore>`.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// The store could not be reached or did not answer in time. Nothing was recorded (or, for a
/// rotation whose answer was lost, the client cannot know; the token is then either still
/// usable or spent, never both).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the session store is unavailable: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// The outcome of [`SessionStore::rotate`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rotation {
    /// The presented `jti` was current; the next one now is.
    Rotated,
    /// The presented `jti` was not current: reuse. The session has been deleted.
    Reused,
    /// No such session (never created, expired, or revoked).
    Unknown,
}

/// Refresh sessions: which refresh token (`jti`) of a session may be used next.
pub trait SessionStore: fmt::Debug + Send + Sync {
    /// Records a new session whose current refresh token is `jti`, forgotten after `ttl`.
    fn create<'a>(&'a self, session: &'a str, jti: &'a str, ttl: Duration) -> StoreFuture<'a, ()>;

    /// Atomically: when `presented` is the session's current `jti`, makes `next` current
    /// (for `ttl` more) and answers [`Rotation::Rotated`]; when it is another one, deletes the
    /// session and answers [`Rotation::Reused`]; without a session, [`Rotation::Unknown`].
    fn rotate<'a>(
        &'a self,
        session: &'a str,
        presented: &'a str,
        next: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, Rotation>;

    /// Whether `jti` is the session's current refresh token (a read; changes nothing).
    fn is_current<'a>(&'a self, session: &'a str, jti: &'a str) -> StoreFuture<'a, bool>;

    /// Whether the store answers (for `/healthz`).
    fn check(&self) -> StoreFuture<'_, ()>;

    /// A short name for logs and `/healthz`: `memory` or `redis`.
    fn kind(&self) -> &'static str;

    /// Drops expired sessions the store does not expire by itself (the memory store).
    fn prune(&self) {}
}

/// Sessions in a map in this process, expired by the service's clock.
#[derive(Debug)]
pub struct MemoryStore {
    sessions: Mutex<HashMap<String, MemorySession>>,
    clock: Arc<dyn Clock>,
}

#[derive(Debug)]
struct MemorySession {
    current_jti: String,
    expires_at: NumericDate,
}

impl MemoryStore {
    /// An empty store reading the time from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            sessions: Mutex::new(HashMap::new()),
            clock,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, MemorySession>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn live<'m>(
        map: &'m mut HashMap<String, MemorySession>,
        session: &str,
        now: NumericDate,
    ) -> Option<&'m mut MemorySession> {
        if map.get(session).is_some_and(|s| s.expires_at < now) {
            map.remove(session);
        }
        map.get_mut(session)
    }
}

impl SessionStore for MemoryStore {
    fn create<'a>(&'a self, session: &'a str, jti: &'a str, ttl: Duration) -> StoreFuture<'a, ()> {
        let expires_at = self.clock.now().saturating_add(ttl);
        self.lock().insert(
            session.to_owned(),
            MemorySession {
                current_jti: jti.to_owned(),
                expires_at,
            },
        );
        Box::pin(async { Ok(()) })
    }

    fn rotate<'a>(
        &'a self,
        session: &'a str,
        presented: &'a str,
        next: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, Rotation> {
        let now = self.clock.now();
        let mut map = self.lock();
        let outcome = match Self::live(&mut map, session, now) {
            None => Rotation::Unknown,
            Some(record) if record.current_jti == presented => {
                next.clone_into(&mut record.current_jti);
                record.expires_at = now.saturating_add(ttl);
                Rotation::Rotated
            }
            Some(_) => {
                map.remove(session);
                Rotation::Reused
            }
        };
        Box::pin(async move { Ok(outcome) })
    }

    fn is_current<'a>(&'a self, session: &'a str, jti: &'a str) -> StoreFuture<'a, bool> {
        let now = self.clock.now();
        let current =
            Self::live(&mut self.lock(), session, now).is_some_and(|s| s.current_jti == jti);
        Box::pin(async move { Ok(current) })
    }

    fn check(&self) -> StoreFuture<'_, ()> {
        Box::pin(async { Ok(()) })
    }

    fn kind(&self) -> &'static str {
        "memory"
    }

    fn prune(&self) {
        let now = self.clock.now();
        self.lock().retain(|_, s| s.expires_at >= now);
    }
}

/// The rotation, run by Redis as one atomic step. `KEYS[1]`: the session key; `ARGV[1]`: the
/// presented `jti`; `ARGV[2]`: the next `jti`; `ARGV[3]`: the TTL in milliseconds.
/// Returns 1 (rotated), 2 (reuse: session deleted) or 0 (no session).
pub const ROTATE_SCRIPT: &str = r"
local current = redis.call('GET', KEYS[1])
if not current then
  return 0
end
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
redis.call('DEL', KEYS[1])
return 2
";

/// Sessions in Redis, shared by every replica; each call bounded by a timeout.
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    rotate: Arc<redis::Script>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// Runs a Redis command future with `timeout`, turning both failures into [`StoreError`].
pub(crate) async fn bounded<T>(
    timeout: Duration,
    future: impl Future<Output = redis::RedisResult<T>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(timeout, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(StoreError(error.to_string())),
        Err(_) => Err(StoreError(format!(
            "no answer from Redis within {} ms",
            timeout.as_millis()
        ))),
    }
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl RedisStore {
    /// A store on `connection` whose keys start with `prefix` (`{prefix}session:{sid}`),
    /// each command given at most `timeout`.
    pub fn new(
        connection: ConnectionManager,
        prefix: impl Into<String>,
        timeout: Duration,
    ) -> Self {
        Self {
            connection,
            prefix: prefix.into(),
            timeout,
            rotate: Arc::new(redis::Script::new(ROTATE_SCRIPT)),
        }
    }

    fn key(&self, session: &str) -> String {
        format!("{}session:{session}", self.prefix)
    }
}

impl SessionStore for RedisStore {
    fn create<'a>(&'a self, session: &'a str, jti: &'a str, ttl: Duration) -> StoreFuture<'a, ()> {
        let mut connection = self.connection.clone();
        let key = self.key(session);
        Box::pin(async move {
            let mut command = redis::cmd("SET");
            command.arg(key).arg(jti).arg("PX").arg(millis(ttl));
            bounded(self.timeout, command.query_async::<()>(&mut connection)).await
        })
    }

    fn rotate<'a>(
        &'a self,
        session: &'a str,
        presented: &'a str,
        next: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, Rotation> {
        let mut connection = self.connection.clone();
        let key = self.key(session);
        Box::pin(async move {
            let mut invocation = self.rotate.key(key);
            invocation.arg(presented).arg(next).arg(millis(ttl));
            let outcome: i64 =
                bounded(self.timeout, invocation.invoke_async(&mut connection)).await?;
            match outcome {
                1 => Ok(Rotation::Rotated),
                2 => Ok(Rotation::Reused),
                0 => Ok(Rotation::Unknown),
                other => Err(StoreError(format!("the rotation script answered {other}"))),
            }
        })
    }

    fn is_current<'a>(&'a self, session: &'a str, jti: &'a str) -> StoreFuture<'a, bool> {
        let mut connection = self.connection.clone();
        let key = self.key(session);
        Box::pin(async move {
            let mut command = redis::cmd("GET");
            command.arg(key);
            let current: Option<String> =
                bounded(self.timeout, command.query_async(&mut connection)).await?;
            Ok(current.as_deref() == Some(jti))
        })
    }

    fn check(&self) -> StoreFuture<'_, ()> {
        let mut connection = self.connection.clone();
        Box::pin(async move {
            let pong: String = bounded(
                self.timeout,
                redis::cmd("PING").query_async(&mut connection),
            )
            .await?;
            if pong == "PONG" {
                Ok(())
            } else {
                Err(StoreError(format!("PING answered {pong:?}")))
            }
        })
    }

    fn kind(&self) -> &'static str {
        "redis"
    }
}

/// Connects to Redis at `url` with a connection manager that reconnects by itself after
/// Redis restarts, each connection attempt and each answer bounded by `timeout`.
///
/// # Errors
/// When the URL is not a Redis URL or Redis cannot be reached now.
pub async fn connect(url: &str, timeout: Duration) -> Result<ConnectionManager, StoreError> {
    let client = redis::Client::open(url).map_err(|e| StoreError(e.to_string()))?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(timeout)
        .set_response_timeout(timeout)
        .set_number_of_retries(1)
        .set_max_delay(1000);
    bounded(
        timeout.saturating_mul(3),
        ConnectionManager::new_with_config(client, config),
    )
    .await
}
