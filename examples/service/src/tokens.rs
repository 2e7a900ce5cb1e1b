//! Issuing and checking the service's two kinds of token, with mutually exclusive validation
//! rules (RFC 8725 §3.12): access tokens (`typ: at+jwt`, RFC 9068) for the API audience, and
//! refresh tokens (`typ: refresh+jwt`) whose audience is the refresh endpoint itself.
//!
//! Refresh tokens rotate: each belongs to a session (`sid`) that remembers the `jti` of the one
//! refresh token that may be used next. Presenting an older one is reuse, the sign of a stolen
//! token (OAuth 2.0 Security BCP, RFC 9700 §4.14.2): the whole session is revoked, so neither
//! the thief nor the victim can refresh again and the user must log in.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};
use webtoken::{Algorithm, Claims, Clock, Header, NumericDate, SigningKey, Token, Validation};

use crate::keyring::KeyRing;
use crate::store::{MemoryStore, Rotation, SessionStore, StoreError};

/// The `typ` of access tokens (RFC 9068 §2.1).
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
/// The `typ` of refresh tokens: anything but `at+jwt`, so neither is taken for the other.
pub const REFRESH_TOKEN_TYPE: &str = "refresh+jwt";
/// The `client_id` claim of access tokens (RFC 9068 §2.2): this service is its own client.
pub const CLIENT_ID: &str = "webtoken-service";
/// The scope granted at login.
pub const DEFAULT_SCOPE: &str = "profile";

/// Who issues tokens, for whom, and for how long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// `iss` of every token, checked on every token.
    pub issuer: String,
    /// `aud` of access tokens: the API that accepts them.
    pub audience: String,
    /// Lifetime of an access token (default 15 minutes).
    pub access_lifetime: Duration,
    /// Lifetime of a refresh token (default 1 day); each refresh starts a new one.
    pub refresh_lifetime: Duration,
    /// Allowed clock skew when checking `exp`, `nbf` and `iat` (default 60 seconds).
    pub leeway: Duration,
}

impl Settings {
    /// The given issuer and access-token audience, with the default lifetimes.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            access_lifetime: Duration::from_secs(15 * 60),
            refresh_lifetime: Duration::from_secs(24 * 60 * 60),
            leeway: Duration::from_secs(60),
        }
    }

    /// `aud` of refresh tokens: the refresh endpoint of the issuer, never the API audience.
    pub fn refresh_audience(&self) -> String {
        format!("{}/token/refresh", self.issuer.trim_end_matches('/'))
    }

    /// How long a retired signing key must keep verifying: the longest token lifetime plus
    /// the leeway.
    pub fn key_retention(&self) -> Duration {
        self.access_lifetime.max(self.refresh_lifetime) + self.leeway
    }
}

/// The custom claims of an access token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// `client_id` (RFC 9068 §2.2).
    pub client_id: String,
    /// `scope`: space-separated scopes granted.
    pub scope: String,
}

/// The custom claims of a refresh token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshClaims {
    /// `sid`: the login session the token belongs to.
    #[serde(rename = "sid")]
    pub session_id: String,
}

/// What `POST /token` and `POST /token/refresh` return (field names of RFC 6749 §5.1).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TokenPair {
    /// The access token.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The refresh token; it can be used once.
    pub refresh_token: String,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u64,
    /// The scope granted.
    pub scope: String,
}

/// Why a token was not accepted, or could not be issued.
#[derive(Debug)]
pub enum TokenError {
    /// The token failed verification (signature, `typ`, `aud`, expiry, ...).
    Invalid(webtoken::Error),
    /// The refresh token's session is gone: revoked, expired, or from before a restart.
    Revoked,
    /// A refresh token was used a second time; its session is now revoked.
    Reused,
    /// The session store could not be reached: nothing was issued.
    Unavailable(StoreError),
    /// The service could not sign or draw randomness.
    Internal(String),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(e) => write!(f, "{}: {e}", e.kind()),
            Self::Revoked => f.write_str("the refresh token has been revoked"),
            Self::Reused => f.write_str(
                "the refresh token was already used; the session is revoked, log in again",
            ),
            Self::Unavailable(error) => error.fmt(f),
            Self::Internal(reason) => write!(f, "token service failure: {reason}"),
        }
    }
}

impl std::error::Error for TokenError {}

impl From<StoreError> for TokenError {
    fn from(error: StoreError) -> Self {
        Self::Unavailable(error)
    }
}

/// A token that passed [`TokenService::introspect`].
#[derive(Debug)]
pub enum Verified {
    /// A valid access token.
    Access(Token<AccessClaims>),
    /// A valid, not yet used refresh token.
    Refresh(Token<RefreshClaims>),
}

/// Issues, verifies and rotates tokens; shared by all requests.
#[derive(Debug)]
pub struct TokenService {
    settings: Settings,
    keys: Arc<KeyRing>,
    sessions: Arc<dyn SessionStore>,
    clock: Arc<dyn Clock>,
    access: Validation,
    refresh: Validation,
    rng: SystemRandom,
}

impl TokenService {
    /// A service signing with `signing_key` (ES256), keeping its sessions in memory and
    /// reading the time from `clock`.
    ///
    /// # Errors
    /// When the key is not an ES256 key.
    pub fn new(
        settings: Settings,
        signing_key: SigningKey,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, webtoken::Error> {
        let keys = Arc::new(KeyRing::new(signing_key, settings.key_retention())?);
        let sessions = Arc::new(MemoryStore::new(Arc::clone(&clock)));
        Ok(Self::with_parts(settings, keys, sessions, clock))
    }

    /// A service signing with the keys of `keys` and keeping its sessions in `sessions` (in
    /// a deployment of replicas: both shared through Redis).
    pub fn with_parts(
        settings: Settings,
        keys: Arc<KeyRing>,
        sessions: Arc<dyn SessionStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let common = Validation::new()
            .with_algorithms([Algorithm::Es256])
            .with_issuer(settings.issuer.clone())
            .with_leeway(settings.leeway)
            .with_clock(Arc::clone(&clock))
            .require("sub")
            .require("iat")
            .require("jti");
        let access = common
            .clone()
            .with_audience(settings.audience.clone())
            .with_type(ACCESS_TOKEN_TYPE)
            .require("client_id");
        let refresh = common
            .with_audience(settings.refresh_audience())
            .with_type(REFRESH_TOKEN_TYPE)
            .require("sid");
        Self {
            keys,
            settings,
            sessions,
            clock,
            access,
            refresh,
            rng: SystemRandom::new(),
        }
    }

    /// The signing keys (for rotation).
    pub fn key_ring(&self) -> &KeyRing {
        &self.keys
    }

    /// A shared handle on the signing keys (for the verification of every request).
    pub fn key_ring_handle(&self) -> Arc<KeyRing> {
        Arc::clone(&self.keys)
    }

    /// The rules an access token must pass.
    pub fn access_validation(&self) -> &Validation {
        &self.access
    }

    /// The session store.
    pub fn sessions(&self) -> &dyn SessionStore {
        &*self.sessions
    }

    /// How long a session record is kept: the refresh token's lifetime plus the leeway.
    fn session_ttl(&self) -> Duration {
        self.settings.refresh_lifetime + self.settings.leeway
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The current time, from the service's clock.
    pub fn now(&self) -> NumericDate {
        self.clock.now()
    }

    /// Starts a session for `subject` (who has just proved who they are).
    ///
    /// # Errors
    /// [`TokenError::Internal`] when signing fails, [`TokenError::Unavailable`] when the
    /// session could not be recorded (then no token is handed out).
    pub async fn login(&self, subject: &str) -> Result<TokenPair, TokenError> {
        let session_id = self.random_id()?;
        let (pair, jti) = self.issue(subject, &session_id)?;
        self.sessions
            .create(&session_id, &jti, self.session_ttl())
            .await?;
        Ok(pair)
    }

    /// Trades a refresh token for a new access token and a new refresh token; the presented
    /// one can never be used again.
    ///
    /// # Errors
    /// [`TokenError::Invalid`] for a token that is not a valid refresh token (an access token
    /// included), [`TokenError::Revoked`] when its session is gone, [`TokenError::Reused`]
    /// when it was already used (the session is then revoked), [`TokenError::Unavailable`]
    /// when the session store cannot be reached.
    ///
    /// The new pair is signed first and handed out only when the store has atomically made
    /// its refresh token the session's current one ([`SessionStore::rotate`]).
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, TokenError> {
        let token = self.verify_refresh(refresh_token)?;
        let claims = token.claims();
        let (Some(subject), Some(jti)) = (&claims.subject, &claims.jwt_id) else {
            return Err(TokenError::Revoked);
        };
        let session_id = &claims.custom.session_id;
        let (pair, next_jti) = self.issue(subject, session_id)?;
        match self
            .sessions
            .rotate(session_id, jti, &next_jti, self.session_ttl())
            .await?
        {
            Rotation::Rotated => Ok(pair),
            Rotation::Unknown => Err(TokenError::Revoked),
            Rotation::Reused => {
                tracing::warn!(session = %session_id, "refresh token reuse: session revoked");
                Err(TokenError::Reused)
            }
        }
    }

    /// Verifies an access token; refresh tokens and everything else are refused.
    ///
    /// # Errors
    /// [`TokenError::Invalid`] with the reason.
    pub fn verify_access(&self, token: &str) -> Result<Token<AccessClaims>, TokenError> {
        let keys = self.keys.current();
        webtoken::decode(token, &*keys, &self.access).map_err(TokenError::Invalid)
    }

    /// Verifies a refresh token's signature and claims (not whether it was used already).
    ///
    /// # Errors
    /// [`TokenError::Invalid`] with the reason.
    pub fn verify_refresh(&self, token: &str) -> Result<Token<RefreshClaims>, TokenError> {
        let keys = self.keys.current();
        webtoken::decode(token, &*keys, &self.refresh).map_err(TokenError::Invalid)
    }

    /// Whether `token` is a valid access token, or a valid refresh token that can still be
    /// used. Looks only: using a spent refresh token here does not revoke its session.
    ///
    /// # Errors
    /// Why the token is not accepted: [`TokenError::Invalid`] with the reason given by the
    /// rules of the token's kind (access unless its `typ` is the refresh type), or
    /// [`TokenError::Revoked`] for a spent refresh token, [`TokenError::Unavailable`] when the
    /// session store cannot tell.
    pub async fn introspect(&self, token: &str) -> Result<Verified, TokenError> {
        let access_error = match self.verify_access(token) {
            Ok(token) => return Ok(Verified::Access(token)),
            Err(e) => e,
        };
        let refresh = match self.verify_refresh(token) {
            Ok(refresh) => refresh,
            // A refresh token that fails (say, expired) is reported by its own rules.
            Err(TokenError::Invalid(e)) if is_wrong_type(&access_error) => {
                return Err(TokenError::Invalid(e));
            }
            Err(_) => return Err(access_error),
        };
        let claims = refresh.claims();
        let Some(jti) = &claims.jwt_id else {
            return Err(TokenError::Revoked);
        };
        if self
            .sessions
            .is_current(&claims.custom.session_id, jti)
            .await?
        {
            Ok(Verified::Refresh(refresh))
        } else {
            Err(TokenError::Revoked)
        }
    }

    /// Forgets expired sessions (of the memory store; Redis expires its own) and retired keys
    /// whose tokens have all expired.
    pub fn prune(&self) {
        let now = self.now();
        self.sessions.prune();
        if let Err(e) = self.keys.prune(now) {
            tracing::error!(error = %e, "could not prune the key ring");
        }
    }

    /// Signs an access token and a refresh token for `subject` in `session_id`; returns them
    /// with the refresh token's `jti`.
    fn issue(&self, subject: &str, session_id: &str) -> Result<(TokenPair, String), TokenError> {
        let keys = self.keys.current();
        let key = keys.signing_key();
        let clock = &*self.clock;
        let access = Claims::new(AccessClaims {
            client_id: CLIENT_ID.to_owned(),
            scope: DEFAULT_SCOPE.to_owned(),
        })
        .with_issuer(self.settings.issuer.clone())
        .with_subject(subject)
        .with_audience(self.settings.audience.clone())
        .with_jwt_id(self.random_id()?)
        .expires_in_with_clock(self.settings.access_lifetime, clock);
        let refresh_jti = self.random_id()?;
        let refresh = Claims::new(RefreshClaims {
            session_id: session_id.to_owned(),
        })
        .with_issuer(self.settings.issuer.clone())
        .with_subject(subject)
        .with_audience(self.settings.refresh_audience())
        .with_jwt_id(refresh_jti.clone())
        .expires_in_with_clock(self.settings.refresh_lifetime, clock);
        let pair = TokenPair {
            access_token: sign(key, ACCESS_TOKEN_TYPE, &access)?,
            token_type: "Bearer".to_owned(),
            expires_in: self.settings.access_lifetime.as_secs(),
            refresh_token: sign(key, REFRESH_TOKEN_TYPE, &refresh)?,
            refresh_expires_in: self.settings.refresh_lifetime.as_secs(),
            scope: DEFAULT_SCOPE.to_owned(),
        };
        Ok((pair, refresh_jti))
    }

    /// 128 random bits, Base64url: a `jti` or a session id.
    fn random_id(&self) -> Result<String, TokenError> {
        let mut bytes = [0u8; 16];
        self.rng
            .fill(&mut bytes)
            .map_err(|_| TokenError::Internal("the system random generator failed".into()))?;
        Ok(webtoken::base64url::encode(bytes))
    }
}

fn sign<C: Serialize>(key: &SigningKey, typ: &str, claims: &C) -> Result<String, TokenError> {
    webtoken::encode(&Header::new().with_type(typ), claims, key)
        .map_err(|e| TokenError::Internal(e.to_string()))
}

fn is_wrong_type(error: &TokenError) -> bool {
    matches!(error, TokenError::Invalid(e) if e.kind() == webtoken::ErrorKind::InvalidType)
}
