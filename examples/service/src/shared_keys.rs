//! Signing keys shared by replicas: the private keys in a key directory, Redis holding only
//! the schedule (which `kid` signs from when, and until when each retired one verifies).
//!
//! - **Key directory** (`WEBTOKEN_SERVICE_KEY_DIR`): one PKCS#8 PEM file per key, named
//!   `<kid>.pem` (the RFC 7638 thumbprint), mode 0600 in a 0700 directory. A file is only
//!   used when its key's thumbprint is its name, so whoever can write the schedule cannot make
//!   a replica sign with a key it names wrongly.
//! - **Schedule in Redis**: two sorted sets, `{prefix}keys:from` (`kid` → Unix time from which
//!   it signs) and `{prefix}keys:until` (`kid` → Unix time after which it no longer verifies,
//!   set when a successor is scheduled). Redis never sees a private key.
//! - **Rotation** (`webtoken-service rotate-key`, [`SharedKeys::rotate`]): writes a new key
//!   file, then one Lua script ([`ROTATE_SCRIPT`]) schedules it to sign from now + the
//!   activation delay (by default twice the poll interval), retires every earlier key at
//!   that time + the retention (longest token lifetime + leeway) and forgets the keys past
//!   their time.
//! - **Replicas** poll the schedule every poll interval ([`SharedKeys::run`]): a new key is
//!   published in the JWKS (and verifies) at the first poll after the rotation, before any
//!   replica signs with it, and every replica switches to it at its `from` time by its own
//!   clock. So within *activation delay* of a rotation all replicas sign with the new key,
//!   and no replica ever meets a token signed by a key it has not loaded yet (as long as
//!   the poll interval, plus the Redis timeout, is shorter than the activation delay).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use redis::aio::ConnectionManager;
use webtoken::{Algorithm, Clock, NumericDate, SigningKey};

use crate::config::{ConfigError, exposed_key_mode, write_private};
use crate::keyring::{KeyEntry, KeyRing, KeySet};
use crate::store::{StoreError, bounded};

/// Schedules `ARGV[1]` to sign from `ARGV[2]`; every key scheduled before it that has no end
/// yet verifies until `ARGV[2]` + `ARGV[3]`; keys whose end is before `ARGV[4]` (now) are
/// forgotten and returned. `KEYS[1]`: the `from` set, `KEYS[2]`: the `until` set.
pub const ROTATE_SCRIPT: &str = r"
local keys = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, kid in ipairs(keys) do
  if kid ~= ARGV[1] and not redis.call('ZSCORE', KEYS[2], kid) then
    redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) + tonumber(ARGV[3]), kid)
  end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4])
for _, kid in ipairs(gone) do
  redis.call('ZREM', KEYS[1], kid)
  redis.call('ZREM', KEYS[2], kid)
end
return gone
";

/// Makes `ARGV[1]` the first key (signing from 0) when there is no key yet; 1 if it did.
pub const BOOTSTRAP_SCRIPT: &str = r"
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('ZADD', KEYS[1], 0, ARGV[1])
  return 1
end
return 0
";

/// `ZRANGE ... WITHSCORES` answers.
type Scores = Vec<(String, f64)>;

/// One key of the schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheduled {
    /// The key id (thumbprint), also the file name without `.pem`.
    pub kid: String,
    /// Unix time from which it signs.
    pub from: i64,
    /// Unix time after which it no longer verifies, once retired.
    pub until: Option<i64>,
}

/// What [`SharedKeys::rotate`] did.
#[derive(Clone, Debug)]
pub struct RotationReport {
    /// The new key.
    pub kid: String,
    /// Unix time from which it signs.
    pub signs_from: i64,
    /// Keys forgotten because their tokens have all expired (their files were deleted).
    pub forgotten: Vec<String>,
}

/// The directory of private keys, one `<kid>.pem` each.
#[derive(Clone, Debug)]
pub struct KeyDirectory {
    dir: PathBuf,
}

fn key_error(path: &Path, reason: impl std::fmt::Display) -> ConfigError {
    ConfigError::KeyFile {
        path: path.to_owned(),
        reason: reason.to_string(),
    }
}

/// A `kid` fit for a file name: a Base64url thumbprint, nothing else.
fn valid_kid(kid: &str) -> bool {
    !kid.is_empty()
        && kid.len() <= 128
        && kid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl KeyDirectory {
    /// The directory `dir`, created (mode 0700) when absent. Warns when group or others can
    /// enter it.
    ///
    /// # Errors
    /// When it cannot be created.
    pub fn open(dir: &Path) -> Result<Self, ConfigError> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| key_error(dir, e))?;
        if let Ok(Some(mode)) = exposed_key_mode(dir) {
            tracing::warn!(
                path = %dir.display(),
                mode = %format_args!("{mode:o}"),
                "the key directory is open to group or others: chmod 700 it"
            );
        }
        Ok(Self {
            dir: dir.to_owned(),
        })
    }

    /// The file of `kid`.
    pub fn path(&self, kid: &str) -> PathBuf {
        self.dir.join(format!("{kid}.pem"))
    }

    /// Reads the key `kid`, which must be an ES256 key whose thumbprint is `kid`.
    ///
    /// # Errors
    /// When the name is not a thumbprint, or the file is missing, unreadable, not an ES256
    /// key, or holds another key.
    pub fn load(&self, kid: &str) -> Result<SigningKey, ConfigError> {
        if !valid_kid(kid) {
            return Err(key_error(&self.dir, format!("{kid:?} is not a key id")));
        }
        let path = self.path(kid);
        let pem = std::fs::read_to_string(&path).map_err(|e| key_error(&path, e))?;
        let key = SigningKey::from_pem(&pem, Some(Algorithm::Es256))
            .map_err(|e| key_error(&path, format!("not an ES256 private key: {e}")))?;
        let thumbprint = key.thumbprint().map_err(|e| key_error(&path, e))?;
        if thumbprint != kid {
            return Err(key_error(
                &path,
                format!("holds the key {thumbprint}, not {kid}"),
            ));
        }
        if let Ok(Some(mode)) = exposed_key_mode(&path) {
            tracing::warn!(
                path = %path.display(),
                mode = %format_args!("{mode:o}"),
                "a key file is readable by group or others: chmod 600 it"
            );
        }
        Ok(key.with_key_id(kid))
    }

    /// Generates an ES256 key and writes it as `<kid>.pem` (mode 0600, never overwriting).
    ///
    /// # Errors
    /// When the key cannot be generated or written.
    pub fn generate(&self) -> Result<(String, SigningKey), ConfigError> {
        let key = SigningKey::generate(Algorithm::Es256).map_err(|e| key_error(&self.dir, e))?;
        let kid = key.thumbprint().map_err(|e| key_error(&self.dir, e))?;
        let pem = key.to_pkcs8_pem().map_err(|e| key_error(&self.dir, e))?;
        let path = self.path(&kid);
        write_private(&path, pem.as_bytes()).map_err(|e| key_error(&path, e))?;
        Ok((kid.clone(), key.with_key_id(kid)))
    }

    /// Deletes the file of `kid` (a key whose tokens have all expired).
    pub fn remove(&self, kid: &str) {
        if valid_kid(kid) {
            if let Err(error) = std::fs::remove_file(self.path(kid)) {
                tracing::warn!(kid, %error, "could not delete a forgotten key file");
            }
        }
    }
}

/// The shared key schedule in Redis and the key directory, for one replica or the
/// `rotate-key` command.
#[derive(Clone)]
pub struct SharedKeys {
    connection: ConnectionManager,
    prefix: String,
    timeout: Duration,
    directory: KeyDirectory,
}

impl std::fmt::Debug for SharedKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedKeys")
            .field("prefix", &self.prefix)
            .field("directory", &self.directory)
            .finish_non_exhaustive()
    }
}

fn to_secs(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

impl SharedKeys {
    /// The schedule under `prefix` on `connection`, the keys in `directory`.
    pub fn new(
        connection: ConnectionManager,
        prefix: impl Into<String>,
        timeout: Duration,
        directory: KeyDirectory,
    ) -> Self {
        Self {
            connection,
            prefix: prefix.into(),
            timeout,
            directory,
        }
    }

    fn signs_from_key(&self) -> String {
        format!("{}keys:from", self.prefix)
    }

    fn until_key(&self) -> String {
        format!("{}keys:until", self.prefix)
    }

    /// The schedule, read in one transaction.
    ///
    /// # Errors
    /// When Redis cannot be reached.
    pub async fn schedule(&self) -> Result<Vec<Scheduled>, StoreError> {
        let mut connection = self.connection.clone();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("ZRANGE")
            .arg(self.signs_from_key())
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES")
            .cmd("ZRANGE")
            .arg(self.until_key())
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES");
        let (from, until): (Scores, Scores) =
            bounded(self.timeout, pipe.query_async(&mut connection)).await?;
        let until: HashMap<String, f64> = until.into_iter().collect();
        #[allow(clippy::cast_possible_truncation)] // whole seconds written by this module
        Ok(from
            .into_iter()
            .map(|(kid, from)| Scheduled {
                until: until.get(&kid).map(|u| *u as i64),
                from: from as i64,
                kid,
            })
            .collect())
    }

    /// Makes sure there is a key: when the schedule is empty, generates one and claims the
    /// first place with it; when another replica claimed it first, deletes its own file.
    ///
    /// # Errors
    /// When Redis cannot be reached or the key cannot be written.
    pub async fn bootstrap(&self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if !self.schedule().await?.is_empty() {
            return Ok(());
        }
        let (kid, _) = self.directory.generate()?;
        let mut connection = self.connection.clone();
        let script = redis::Script::new(BOOTSTRAP_SCRIPT);
        let mut invocation = script.key(self.signs_from_key());
        invocation.arg(&kid);
        let claimed: i64 = bounded(self.timeout, invocation.invoke_async(&mut connection)).await?;
        if claimed == 1 {
            tracing::info!(%kid, "no shared signing key yet: generated the first one");
        } else {
            self.directory.remove(&kid);
        }
        Ok(())
    }

    /// Schedules a new key to sign from `now` + `activation_delay`; the keys before it verify
    /// until then + `retain_for`.
    ///
    /// # Errors
    /// When Redis cannot be reached or the key cannot be written (then the schedule is as it
    /// was, and a written key file is deleted).
    pub async fn rotate(
        &self,
        now: NumericDate,
        activation_delay: Duration,
        retain_for: Duration,
    ) -> Result<RotationReport, Box<dyn std::error::Error + Send + Sync>> {
        let (kid, _) = self.directory.generate()?;
        let signs_from = now.as_secs().saturating_add(to_secs(activation_delay));
        let mut connection = self.connection.clone();
        let script = redis::Script::new(ROTATE_SCRIPT);
        let mut invocation = script.key(self.signs_from_key());
        invocation
            .key(self.until_key())
            .arg(&kid)
            .arg(signs_from)
            .arg(to_secs(retain_for))
            .arg(now.as_secs());
        let forgotten: Vec<String> =
            match bounded(self.timeout, invocation.invoke_async(&mut connection)).await {
                Ok(forgotten) => forgotten,
                Err(error) => {
                    self.directory.remove(&kid);
                    return Err(error.into());
                }
            };
        for old in &forgotten {
            self.directory.remove(old);
        }
        Ok(RotationReport {
            kid,
            signs_from,
            forgotten,
        })
    }

    /// The key set of `schedule` at `now`, reading key files not yet in `cache`. A key whose
    /// file cannot be used is left out (and logged); `None` when no key is left.
    pub fn key_set(
        &self,
        schedule: &[Scheduled],
        cache: &mut HashMap<String, SigningKey>,
        now: NumericDate,
    ) -> Option<KeySet> {
        cache.retain(|kid, _| schedule.iter().any(|s| s.kid == *kid));
        let mut entries = Vec::with_capacity(schedule.len());
        for item in schedule {
            let key = match cache.get(&item.kid) {
                Some(key) => key.clone(),
                None => match self.directory.load(&item.kid) {
                    Ok(key) => {
                        cache.insert(item.kid.clone(), key.clone());
                        key
                    }
                    Err(error) => {
                        tracing::error!(kid = %item.kid, %error, "cannot load a scheduled key");
                        continue;
                    }
                },
            };
            entries.push(KeyEntry {
                key,
                signs_from: NumericDate::from_secs(item.from),
                verifies_until: item.until.map(NumericDate::from_secs),
            });
        }
        match KeySet::build(entries, now) {
            Ok(set) => Some(set),
            Err(error) => {
                tracing::error!(%error, "the shared key schedule has no usable key");
                None
            }
        }
    }

    /// Loads the schedule once into `ring`.
    ///
    /// # Errors
    /// When Redis cannot be reached or no scheduled key can be loaded.
    pub async fn load_into(
        &self,
        ring: &KeyRing,
        cache: &mut HashMap<String, SigningKey>,
        now: NumericDate,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let schedule = self.schedule().await?;
        let set = self
            .key_set(&schedule, cache, now)
            .ok_or("no usable key in the shared schedule")?;
        ring.replace(set);
        Ok(())
    }

    /// Keeps `ring` in step with the schedule: reads it every `poll`, and rebuilds the set at
    /// each scheduled change in between (a key starting to sign, a retired one expiring). When
    /// Redis cannot be reached, goes on with the schedule it last read.
    pub async fn run(self, ring: Arc<KeyRing>, clock: Arc<dyn Clock>, poll: Duration) {
        let mut cache = HashMap::new();
        let mut schedule: Option<Vec<Scheduled>> = None;
        let mut next_poll = tokio::time::Instant::now();
        loop {
            if tokio::time::Instant::now() >= next_poll {
                next_poll = tokio::time::Instant::now() + poll;
                match self.schedule().await {
                    Ok(read) if read.is_empty() => tracing::error!(
                        "the shared key schedule is empty (Redis lost its data?): keeping the \
                         keys loaded; run `webtoken-service rotate-key`"
                    ),
                    Ok(read) => schedule = Some(read),
                    Err(error) => {
                        tracing::warn!(%error, "cannot read the key schedule; keeping the last one");
                    }
                }
            }
            let now = clock.now();
            let mut wake = next_poll;
            if let Some(set) = schedule
                .as_deref()
                .and_then(|s| self.key_set(s, &mut cache, now))
            {
                let before = ring.current();
                if before.signing_key().key_id() != set.signing_key().key_id() {
                    tracing::info!(
                        kid = set.signing_key().key_id().unwrap_or("-"),
                        "now signing with this key"
                    );
                }
                if let Some(change) = set.next_change(now) {
                    let secs = change.as_secs().saturating_sub(now.as_secs()).max(0);
                    let at = tokio::time::Instant::now()
                        + Duration::from_secs(secs.unsigned_abs())
                            .saturating_sub(Duration::from_nanos(u64::from(now.subsec_nanos())));
                    wake = wake.min(at);
                }
                ring.replace(set);
            }
            tokio::time::sleep_until(
                wake.max(tokio::time::Instant::now() + Duration::from_millis(50)),
            )
            .await;
        }
    }
}
