//! Configuration from the environment, with defaults for a local run, and the signing key file
//! (PKCS#8 PEM, generated on first start).

use std::fmt;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use webtoken::{Algorithm, SigningKey};

use crate::proxy::TrustedProxies;
use crate::server::Limits;
use crate::tokens::Settings;

/// `WEBTOKEN_SERVICE_LISTEN`: the address to listen on.
pub const LISTEN_VAR: &str = "WEBTOKEN_SERVICE_LISTEN";
/// `WEBTOKEN_SERVICE_KEY_FILE`: the ES256 private key (PKCS#8 PEM); created when absent.
pub const KEY_FILE_VAR: &str = "WEBTOKEN_SERVICE_KEY_FILE";
/// `WEBTOKEN_SERVICE_ISSUER`: the `iss` of every token.
pub const ISSUER_VAR: &str = "WEBTOKEN_SERVICE_ISSUER";
/// `WEBTOKEN_SERVICE_AUDIENCE`: the `aud` of access tokens.
pub const AUDIENCE_VAR: &str = "WEBTOKEN_SERVICE_AUDIENCE";
/// `WEBTOKEN_SERVICE_USERS`: the user table, `name:password` pairs separated by commas.
pub const USERS_VAR: &str = "WEBTOKEN_SERVICE_USERS";

/// `WEBTOKEN_SERVICE_HEADER_TIMEOUT`: seconds a client has to send a request head
/// (default 10).
pub const HEADER_TIMEOUT_VAR: &str = "WEBTOKEN_SERVICE_HEADER_TIMEOUT";
/// `WEBTOKEN_SERVICE_BODY_TIMEOUT`: seconds a client has to send a request body (default 10).
pub const BODY_TIMEOUT_VAR: &str = "WEBTOKEN_SERVICE_BODY_TIMEOUT";
/// `WEBTOKEN_SERVICE_IDLE_TIMEOUT`: seconds a kept-alive connection may stay idle
/// (default 60).
pub const IDLE_TIMEOUT_VAR: &str = "WEBTOKEN_SERVICE_IDLE_TIMEOUT";
/// `WEBTOKEN_SERVICE_MAX_CONNECTIONS`: connections served at once (default 512, lowered to
/// the file descriptor limit minus a margin).
pub const MAX_CONNECTIONS_VAR: &str = "WEBTOKEN_SERVICE_MAX_CONNECTIONS";
/// `WEBTOKEN_SERVICE_PASSWORD_CHECKS`: password checks run at once (default: the number of
/// cores).
pub const PASSWORD_CHECKS_VAR: &str = "WEBTOKEN_SERVICE_PASSWORD_CHECKS";

/// `WEBTOKEN_SERVICE_REDIS_URL`: Redis for sessions and the key schedule shared by replicas
/// (`redis://127.0.0.1:6379/0`); unset: sessions in memory, one key file.
pub const REDIS_URL_VAR: &str = "WEBTOKEN_SERVICE_REDIS_URL";
/// `WEBTOKEN_SERVICE_REDIS_PREFIX`: the prefix of every Redis key (default `webtoken:`).
pub const REDIS_PREFIX_VAR: &str = "WEBTOKEN_SERVICE_REDIS_PREFIX";
/// `WEBTOKEN_SERVICE_REDIS_TIMEOUT`: seconds a Redis command may take (default 1).
pub const REDIS_TIMEOUT_VAR: &str = "WEBTOKEN_SERVICE_REDIS_TIMEOUT";
/// `WEBTOKEN_SERVICE_KEY_DIR`: with Redis, the directory of private keys, one `<kid>.pem`
/// each (default `webtoken-service-keys`).
pub const KEY_DIR_VAR: &str = "WEBTOKEN_SERVICE_KEY_DIR";
/// `WEBTOKEN_SERVICE_KEY_POLL`: with Redis, seconds between reads of the key schedule
/// (default 10).
pub const KEY_POLL_VAR: &str = "WEBTOKEN_SERVICE_KEY_POLL";
/// `WEBTOKEN_SERVICE_KEY_ACTIVATION`: with Redis, seconds from `rotate-key` until the new
/// key signs (default twice the poll interval).
pub const KEY_ACTIVATION_VAR: &str = "WEBTOKEN_SERVICE_KEY_ACTIVATION";
/// `WEBTOKEN_SERVICE_ACCESS_LIFETIME`: seconds an access token lives (default 900).
pub const ACCESS_LIFETIME_VAR: &str = "WEBTOKEN_SERVICE_ACCESS_LIFETIME";
/// `WEBTOKEN_SERVICE_REFRESH_LIFETIME`: seconds a refresh token lives (default 86400).
pub const REFRESH_LIFETIME_VAR: &str = "WEBTOKEN_SERVICE_REFRESH_LIFETIME";
/// `WEBTOKEN_SERVICE_LEEWAY`: seconds of clock skew allowed (default 60).
pub const LEEWAY_VAR: &str = "WEBTOKEN_SERVICE_LEEWAY";
/// `WEBTOKEN_SERVICE_PBKDF2_ITERATIONS`: PBKDF2 rounds of the password hashes (default
/// 600000; at least 1000; lower it only for tests).
pub const PBKDF2_ITERATIONS_VAR: &str = "WEBTOKEN_SERVICE_PBKDF2_ITERATIONS";
/// `WEBTOKEN_SERVICE_TRUSTED_PROXIES`: comma-separated addresses or CIDR blocks of the
/// reverse proxies whose `X-Forwarded-For` is believed (default: none).
pub const TRUSTED_PROXIES_VAR: &str = "WEBTOKEN_SERVICE_TRUSTED_PROXIES";

/// Sessions and keys shared through Redis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shared {
    /// The Redis URL (credentials in it are not shown by `Debug` of [`Config`]).
    pub redis_url: String,
    /// The prefix of every key.
    pub prefix: String,
    /// The most a Redis command may take.
    pub timeout: Duration,
    /// The directory of private keys.
    pub key_dir: PathBuf,
    /// How often the key schedule is read.
    pub poll: Duration,
    /// How long after a rotation the new key signs.
    pub activation: Duration,
}

/// The demo user table used when `WEBTOKEN_SERVICE_USERS` is not set.
pub const DEMO_USERS: &str = "alice:wonderland,bob:builder";

/// The service's configuration.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Where to listen (default `127.0.0.1:8080`).
    pub listen: SocketAddr,
    /// The signing key file (default `webtoken-service-key.pem` in the working directory).
    pub key_file: PathBuf,
    /// `iss` of the tokens (default `http://localhost:8080`).
    pub issuer: String,
    /// `aud` of the access tokens (default `webtoken-service-api`).
    pub audience: String,
    /// `(name, password)` of each user.
    pub users: Vec<(String, String)>,
    /// Whether `users` is the built-in demo table.
    pub demo_users: bool,
    /// Timeouts and the connection cap.
    pub limits: Limits,
    /// Password checks run at once.
    pub password_checks: usize,
    /// With Redis: the shared sessions and keys.
    pub shared: Option<Shared>,
    /// Token lifetimes and leeway (with the issuer and audience above).
    pub access_lifetime: Duration,
    /// Lifetime of refresh tokens.
    pub refresh_lifetime: Duration,
    /// Allowed clock skew.
    pub leeway: Duration,
    /// PBKDF2 rounds.
    pub iterations: std::num::NonZeroU32,
    /// Whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
}

impl Config {
    /// The token [`Settings`] of this configuration.
    pub fn settings(&self) -> Settings {
        Settings {
            access_lifetime: self.access_lifetime,
            refresh_lifetime: self.refresh_lifetime,
            leeway: self.leeway,
            ..Settings::new(self.issuer.clone(), self.audience.clone())
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.users.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("key_file", &self.key_file)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("users", &names)
            .field("demo_users", &self.demo_users)
            .field("limits", &self.limits)
            .field("password_checks", &self.password_checks)
            .field(
                "redis",
                &self
                    .shared
                    .as_ref()
                    .map(|s| (&s.prefix, &s.key_dir, s.poll)),
            )
            .field("access_lifetime", &self.access_lifetime)
            .field("refresh_lifetime", &self.refresh_lifetime)
            .field("leeway", &self.leeway)
            .field("iterations", &self.iterations)
            .field("trusted_proxies", &self.trusted_proxies)
            .finish()
    }
}

/// A configuration value or the key file is not usable.
#[derive(Debug)]
pub enum ConfigError {
    /// An environment variable has a value that cannot be used.
    Invalid {
        /// The variable.
        variable: &'static str,
        /// Why.
        reason: String,
    },
    /// The key file could not be read or written.
    KeyFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid { variable, reason } => write!(f, "{variable}: {reason}"),
            Self::KeyFile { path, reason } => write!(f, "key file {}: {reason}", path.display()),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the configuration from the process environment.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the variable.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration from `lookup` (the environment, or a map in tests); unset and
    /// empty variables take their defaults.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming the variable.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let listen = get(LISTEN_VAR).unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen = listen.trim().parse().map_err(|e| ConfigError::Invalid {
            variable: LISTEN_VAR,
            reason: format!("{listen:?} is not an address such as 0.0.0.0:8080 ({e})"),
        })?;
        let (users, demo_users) = match get(USERS_VAR) {
            Some(list) => (parse_users(&list)?, false),
            None => (parse_users(DEMO_USERS)?, true),
        };
        let defaults = Limits::default();
        let seconds = |variable: &'static str, default: Duration| {
            get(variable).map_or(Ok(default), |value| parse_seconds(variable, &value))
        };
        let count = |variable: &'static str, default: usize| {
            get(variable).map_or(Ok(default), |value| parse_count(variable, &value))
        };
        let limits = Limits {
            header_timeout: seconds(HEADER_TIMEOUT_VAR, defaults.header_timeout)?,
            body_timeout: seconds(BODY_TIMEOUT_VAR, defaults.body_timeout)?,
            idle_timeout: seconds(IDLE_TIMEOUT_VAR, defaults.idle_timeout)?,
            max_connections: count(MAX_CONNECTIONS_VAR, defaults.max_connections)?,
        };
        let password_checks = count(PASSWORD_CHECKS_VAR, crate::passwords::default_limit())?;
        let whole = |variable: &'static str, default: u64| {
            get(variable).map_or(Ok(Duration::from_secs(default)), |value| {
                parse_count(variable, &value)
                    .ok()
                    .filter(|n| *n <= 86_400)
                    .map(|n| Duration::from_secs(n as u64))
                    .ok_or_else(|| ConfigError::Invalid {
                        variable,
                        reason: format!("{value:?} is not a whole number of seconds, 1 to 86400"),
                    })
            })
        };
        let shared = match get(REDIS_URL_VAR) {
            None => None,
            Some(redis_url) => {
                let poll = seconds(KEY_POLL_VAR, Duration::from_secs(10))?;
                Some(Shared {
                    redis_url,
                    prefix: get(REDIS_PREFIX_VAR).unwrap_or_else(|| "webtoken:".to_owned()),
                    timeout: seconds(REDIS_TIMEOUT_VAR, Duration::from_secs(1))?,
                    key_dir: get(KEY_DIR_VAR)
                        .map_or_else(|| PathBuf::from("webtoken-service-keys"), PathBuf::from),
                    activation: whole(KEY_ACTIVATION_VAR, (2 * poll.as_secs()).max(1))?,
                    poll,
                })
            }
        };
        let iterations = get(PBKDF2_ITERATIONS_VAR).map_or(
            Ok(crate::passwords::DEFAULT_ITERATIONS),
            |value| {
                value
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n >= 1000)
                    .and_then(std::num::NonZeroU32::new)
                    .ok_or_else(|| ConfigError::Invalid {
                        variable: PBKDF2_ITERATIONS_VAR,
                        reason: format!("{value:?} is not a whole number of at least 1000"),
                    })
            },
        )?;
        let trusted_proxies = get(TRUSTED_PROXIES_VAR)
            .map_or(Ok(TrustedProxies::default()), |list| {
                TrustedProxies::parse(&list)
            })
            .map_err(|reason| ConfigError::Invalid {
                variable: TRUSTED_PROXIES_VAR,
                reason,
            })?;
        Ok(Self {
            shared,
            access_lifetime: whole(ACCESS_LIFETIME_VAR, 900)?,
            refresh_lifetime: whole(REFRESH_LIFETIME_VAR, 86_400)?,
            leeway: whole(LEEWAY_VAR, 60)?,
            iterations,
            trusted_proxies,
            limits,
            password_checks,
            listen,
            key_file: get(KEY_FILE_VAR)
                .map_or_else(|| PathBuf::from("webtoken-service-key.pem"), PathBuf::from),
            issuer: get(ISSUER_VAR).unwrap_or_else(|| "http://localhost:8080".to_owned()),
            audience: get(AUDIENCE_VAR).unwrap_or_else(|| "webtoken-service-api".to_owned()),
            users,
            demo_users,
        })
    }
}

/// A positive number of seconds, fractions allowed (`0.5`), at most a day.
fn parse_seconds(variable: &'static str, value: &str) -> Result<Duration, ConfigError> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0 && *s <= 86_400.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| ConfigError::Invalid {
            variable,
            reason: format!("{value:?} is not a number of seconds between 0 and 86400"),
        })
}

/// A positive whole number.
fn parse_count(variable: &'static str, value: &str) -> Result<usize, ConfigError> {
    value
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ConfigError::Invalid {
            variable,
            reason: format!("{value:?} is not a positive whole number"),
        })
}

fn parse_users(list: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        variable: USERS_VAR,
        reason,
    };
    let mut users: Vec<(String, String)> = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let Some((name, password)) = entry.split_once(':') else {
            return Err(invalid("each entry must be name:password".into()));
        };
        if name.is_empty() || password.is_empty() {
            return Err(invalid("a name or a password is empty".into()));
        }
        if users.iter().any(|(n, _)| n == name) {
            return Err(invalid(format!("user {name:?} is listed twice")));
        }
        users.push((name.to_owned(), password.to_owned()));
    }
    Ok(users)
}

/// Whether [`load_or_generate_key`] read the key or made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOrigin {
    /// Read from the file.
    Loaded,
    /// Generated and written to the file (readable by the owner only).
    Generated,
}

/// Reads the ES256 signing key from `path`, or generates one and writes it there when the file
/// does not exist.
///
/// # Errors
/// [`ConfigError::KeyFile`] when the file cannot be read, written or parsed, or holds a key
/// other than ES256.
pub fn load_or_generate_key(path: &Path) -> Result<(SigningKey, KeyOrigin), ConfigError> {
    let fail = |reason: String| ConfigError::KeyFile {
        path: path.to_owned(),
        reason,
    };
    match std::fs::read_to_string(path) {
        Ok(pem) => {
            let key = SigningKey::from_pem(&pem, Some(Algorithm::Es256))
                .map_err(|e| fail(format!("not an ES256 private key: {e}")))?;
            Ok((key, KeyOrigin::Loaded))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SigningKey::generate(Algorithm::Es256).map_err(|e| fail(e.to_string()))?;
            let pem = key.to_pkcs8_pem().map_err(|e| fail(e.to_string()))?;
            write_private(path, pem.as_bytes()).map_err(|e| fail(e.to_string()))?;
            Ok((key, KeyOrigin::Generated))
        }
        Err(e) => Err(fail(e.to_string())),
    }
}

/// The permission bits of the key file when its group or others may access it (mode &
/// 0o077 != 0), which they must not: the file holds the private signing key. `None` when
/// only the owner can, or off Unix.
///
/// # Errors
/// When the file's metadata cannot be read.
pub fn exposed_key_mode(path: &Path) -> std::io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
        Ok((mode & 0o077 != 0).then_some(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(None)
    }
}

/// Creates `path` (never overwriting) with owner-only permissions on Unix.
pub(crate) fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_then_overrides() {
        let defaults = config(&[]).unwrap();
        assert_eq!(defaults.listen.to_string(), "127.0.0.1:8080");
        assert!(defaults.demo_users);
        assert_eq!(defaults.users.len(), 2);

        let set = config(&[
            (LISTEN_VAR, "0.0.0.0:9000"),
            (ISSUER_VAR, "https://id.example"),
            (AUDIENCE_VAR, "https://api.example"),
            (USERS_VAR, "carol:pa:ss, dave:x"),
            (KEY_FILE_VAR, "/run/secrets/key.pem"),
        ])
        .unwrap();
        assert_eq!(set.listen.port(), 9000);
        assert_eq!(set.issuer, "https://id.example");
        assert_eq!(set.users[0], ("carol".to_owned(), "pa:ss".to_owned()));
        assert!(!set.demo_users);
        assert!(
            !format!("{set:?}").contains("pa:ss"),
            "Debug hides passwords"
        );
    }

    #[test]
    fn limits_default_then_overrides() {
        let defaults = config(&[]).unwrap();
        assert_eq!(defaults.limits, Limits::default());
        assert_eq!(defaults.limits.header_timeout, Duration::from_secs(10));
        assert_eq!(defaults.limits.body_timeout, Duration::from_secs(10));
        assert_eq!(defaults.limits.idle_timeout, Duration::from_secs(60));
        assert_eq!(defaults.limits.max_connections, 512);
        assert!(defaults.password_checks >= 1);

        let set = config(&[
            (HEADER_TIMEOUT_VAR, "0.3"),
            (BODY_TIMEOUT_VAR, "2"),
            (IDLE_TIMEOUT_VAR, "30"),
            (MAX_CONNECTIONS_VAR, "16"),
            (PASSWORD_CHECKS_VAR, "3"),
        ])
        .unwrap();
        assert_eq!(set.limits.header_timeout, Duration::from_millis(300));
        assert_eq!(set.limits.body_timeout, Duration::from_secs(2));
        assert_eq!(set.limits.idle_timeout, Duration::from_secs(30));
        assert_eq!(set.limits.max_connections, 16);
        assert_eq!(set.password_checks, 3);
    }

    #[test]
    fn shared_mode_and_lifetimes() {
        let defaults = config(&[]).unwrap();
        assert!(defaults.shared.is_none());
        assert_eq!(
            defaults.settings().refresh_lifetime,
            Duration::from_secs(86_400)
        );
        let set = config(&[
            (REDIS_URL_VAR, "redis://127.0.0.1:1/"),
            (KEY_POLL_VAR, "3"),
            (ACCESS_LIFETIME_VAR, "5"),
            (LEEWAY_VAR, "1"),
            (PBKDF2_ITERATIONS_VAR, "1000"),
            (TRUSTED_PROXIES_VAR, "127.0.0.1, 10.0.0.0/8"),
        ])
        .unwrap();
        let shared = set.shared.as_ref().unwrap();
        assert_eq!(shared.poll, Duration::from_secs(3));
        assert_eq!(shared.activation, Duration::from_secs(6), "twice the poll");
        assert_eq!(shared.prefix, "webtoken:");
        assert_eq!(set.settings().access_lifetime, Duration::from_secs(5));
        assert_eq!(set.settings().leeway, Duration::from_secs(1));
        assert_eq!(set.iterations.get(), 1000);
        assert!(set.trusted_proxies.trusts("10.9.8.7".parse().unwrap()));
        assert!(
            !format!("{set:?}").contains("redis://"),
            "Debug hides the URL"
        );
    }

    #[test]
    fn refuses_unusable_values() {
        for (var, value) in [
            (LISTEN_VAR, "localhost"),
            (USERS_VAR, "nopassword"),
            (USERS_VAR, "a:1,a:2"),
            (USERS_VAR, ":pw"),
            (HEADER_TIMEOUT_VAR, "0"),
            (BODY_TIMEOUT_VAR, "-1"),
            (IDLE_TIMEOUT_VAR, "NaN"),
            (IDLE_TIMEOUT_VAR, "1e12"),
            (MAX_CONNECTIONS_VAR, "0"),
            (PASSWORD_CHECKS_VAR, "many"),
            (ACCESS_LIFETIME_VAR, "1.5"),
            (LEEWAY_VAR, "0"),
            (PBKDF2_ITERATIONS_VAR, "10"),
            (TRUSTED_PROXIES_VAR, "10.0.0.0/40"),
        ] {
            let err = config(&[(var, value)]).unwrap_err();
            assert!(err.to_string().starts_with(var), "{err}");
        }
    }

    #[test]
    fn generates_the_key_once_then_loads_it() {
        let dir = std::env::temp_dir().join(format!("webtoken-service-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("key.pem");
        let _ = std::fs::remove_file(&path);

        let (made, origin) = load_or_generate_key(&path).unwrap();
        assert_eq!(origin, KeyOrigin::Generated);
        let (read, origin) = load_or_generate_key(&path).unwrap();
        assert_eq!(origin, KeyOrigin::Loaded);
        assert_eq!(made.thumbprint().unwrap(), read.thumbprint().unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let permissions = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(permissions & 0o077, 0, "the key file is private");
            assert_eq!(exposed_key_mode(&path).unwrap(), None);
            let readable = std::fs::Permissions::from_mode(0o644);
            std::fs::set_permissions(&path, readable).unwrap();
            assert_eq!(exposed_key_mode(&path).unwrap(), Some(0o644));
        }

        std::fs::write(&path, "not a key").unwrap();
        assert!(matches!(
            load_or_generate_key(&path),
            Err(ConfigError::KeyFile { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
