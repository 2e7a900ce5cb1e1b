//! The in-memory user table: salted PBKDF2-HMAC-SHA256 password hashes (RFC 8018 §5.2) checked
//! in constant time by `ring::pbkdf2::verify`.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Semaphore;

use ring::digest::SHA256_OUTPUT_LEN;
use ring::pbkdf2;
use ring::rand::{SecureRandom, SystemRandom};

const ALGORITHM: pbkdf2::Algorithm = pbkdf2::PBKDF2_HMAC_SHA256;
const SALT_LEN: usize = 16;

/// The iteration count used by the service: 600,000, OWASP's 2023 recommendation for
/// PBKDF2-HMAC-SHA256.
pub const DEFAULT_ITERATIONS: NonZeroU32 = match NonZeroU32::new(600_000) {
    Some(n) => n,
    None => unreachable!(),
};

/// The system random generator failed while making a salt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RandomError;

impl fmt::Display for RandomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the system random generator failed")
    }
}

impl std::error::Error for RandomError {}

/// One password, stored as a random per-user salt and the PBKDF2 output; never the password.
#[derive(Clone)]
pub struct PasswordHash {
    iterations: NonZeroU32,
    salt: [u8; SALT_LEN],
    hash: [u8; SHA256_OUTPUT_LEN],
}

impl PasswordHash {
    /// Hashes `password` with a fresh random salt.
    ///
    /// # Errors
    /// [`RandomError`] when no salt could be drawn.
    pub fn new(password: &str, iterations: NonZeroU32) -> Result<Self, RandomError> {
        let mut salt = [0; SALT_LEN];
        SystemRandom::new()
            .fill(&mut salt)
            .map_err(|_| RandomError)?;
        let mut hash = [0; SHA256_OUTPUT_LEN];
        pbkdf2::derive(ALGORITHM, iterations, &salt, password.as_bytes(), &mut hash);
        Ok(Self {
            iterations,
            salt,
            hash,
        })
    }

    /// Whether `password` is the one hashed (constant-time comparison).
    pub fn verify(&self, password: &str) -> bool {
        pbkdf2::verify(
            ALGORITHM,
            self.iterations,
            &self.salt,
            password.as_bytes(),
            &self.hash,
        )
        .is_ok()
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordHash")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

/// Users and their password hashes, built once at start-up.
#[derive(Clone, Debug)]
pub struct UserStore {
    users: HashMap<String, PasswordHash>,
    /// Checked for unknown user names so that they take as long as known ones (no user
    /// enumeration by timing).
    decoy: PasswordHash,
}

impl UserStore {
    /// Hashes every `(username, password)` pair with `iterations` PBKDF2 rounds.
    ///
    /// # Errors
    /// [`RandomError`] when no salt could be drawn.
    pub fn new<I, U, P>(credentials: I, iterations: NonZeroU32) -> Result<Self, RandomError>
    where
        I: IntoIterator<Item = (U, P)>,
        U: Into<String>,
        P: AsRef<str>,
    {
        let users = credentials
            .into_iter()
            .map(|(user, password)| {
                Ok((
                    user.into(),
                    PasswordHash::new(password.as_ref(), iterations)?,
                ))
            })
            .collect::<Result<_, RandomError>>()?;
        let decoy = PasswordHash::new("decoy", iterations)?;
        Ok(Self { users, decoy })
    }

    /// Whether `username` exists and `password` is theirs. Costs one PBKDF2 run either way:
    /// call it off the async executor (`spawn_blocking`).
    pub fn check(&self, username: &str, password: &str) -> bool {
        if let Some(hash) = self.users.get(username) {
            hash.verify(password)
        } else {
            let _ = self.decoy.verify(password);
            false
        }
    }

    /// The number of users.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether there are no users.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}

/// How long a login waits for a free password check before it is answered 503.
pub const DEFAULT_QUEUE_TIMEOUT: Duration = Duration::from_secs(5);

/// Bounds the password checks that run at once (each is a PBKDF2 run that keeps a core busy
/// for a while), so that a flood of logins cannot starve the other routes of CPU or fill the
/// blocking thread pool. Logins beyond the limit queue for at most the queue timeout.
#[derive(Debug)]
pub struct PasswordChecks {
    permits: Arc<Semaphore>,
    limit: usize,
    queue_timeout: Duration,
    running: AtomicUsize,
    peak: AtomicUsize,
}

impl PasswordChecks {
    /// At most `limit` (at least 1) checks at once; a login waits at most `queue_timeout`.
    pub fn new(limit: usize, queue_timeout: Duration) -> Self {
        let limit = limit.clamp(1, Semaphore::MAX_PERMITS);
        Self {
            permits: Arc::new(Semaphore::new(limit)),
            limit,
            queue_timeout,
            running: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// The number of checks allowed at once.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The largest number of checks that ran at the same time so far.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// Runs `check` on the blocking thread pool once a permit is free, holding the permit
    /// until it returns (even when the caller stops waiting for it).
    ///
    /// # Errors
    /// [`CheckError::Busy`] when no permit became free within the queue timeout (the check
    /// did not run), [`CheckError::Failed`] when the check panicked.
    pub async fn run<T, F>(self: &Arc<Self>, check: F) -> Result<T, CheckError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = tokio::time::timeout(
            self.queue_timeout,
            Arc::clone(&self.permits).acquire_owned(),
        )
        .await
        .map_err(|_| CheckError::Busy)?
        .map_err(|_| CheckError::Failed("the permit semaphore is closed".into()))?;
        let checks = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let running = checks.running.fetch_add(1, Ordering::SeqCst) + 1;
            checks.peak.fetch_max(running, Ordering::SeqCst);
            let _running = Running(&checks.running);
            check()
        })
        .await
        .map_err(|e| CheckError::Failed(e.to_string()))
    }
}

/// Counts a check as running until dropped (also when the check panics).
struct Running<'a>(&'a AtomicUsize);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One check per core ([`std::thread::available_parallelism`]), queueing for at most
/// [`DEFAULT_QUEUE_TIMEOUT`].
impl Default for PasswordChecks {
    fn default() -> Self {
        Self::new(default_limit(), DEFAULT_QUEUE_TIMEOUT)
    }
}

/// The number of cores available to the process (1 when unknown).
pub fn default_limit() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Why [`PasswordChecks::run`] did not return the check's result.
#[derive(Debug)]
pub enum CheckError {
    /// No permit within the queue timeout.
    Busy,
    /// The check panicked or could not be started.
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: NonZeroU32 = match NonZeroU32::new(1_000) {
        Some(n) => n,
        None => unreachable!(),
    };

    #[test]
    fn checks_passwords_against_salted_hashes() {
        let store = UserStore::new([("alice", "secret one"), ("bob", "secret one")], FAST).unwrap();
        assert!(store.check("alice", "secret one"));
        assert!(!store.check("alice", "secret two"));
        assert!(!store.check("carol", "secret one"));
        assert!(!store.check("", ""));
        // The same password gets a different salt, so a different hash, per user.
        assert_ne!(store.users["alice"].hash, store.users["bob"].hash);
    }

    #[test]
    fn debug_does_not_print_the_hash() {
        let hash = PasswordHash::new("pw", FAST).unwrap();
        let shown = format!("{hash:?}");
        assert!(!shown.contains("salt") && !shown.contains("hash:"));
    }
}
