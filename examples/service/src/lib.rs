//! A token service built on `webtoken`, on axum and tokio: password login, ES256 access and
//! refresh tokens with mutually exclusive validation rules, refresh-token rotation with reuse
//! detection, a protected route, a JWK Set endpoint and signing-key rotation.
//!
//! | route | what |
//! | --- | --- |
//! | `POST /token` | `{"username","password"}` → access token (15 min, `typ: at+jwt`) and refresh token (1 day, `typ: refresh+jwt`) |
//! | `POST /token/refresh` | `{"refresh_token"}` → a new pair; the presented refresh token is spent |
//! | `POST /token/verify` | `{"token"}` → `{"active": bool, ...}` |
//! | `GET /me` | the claims of the `Authorization: Bearer` access token |
//! | `GET /.well-known/jwks.json` | the public signing keys, `kid` = RFC 7638 thumbprint |
//! | `GET /healthz` | 200 when the process serves and its session store answers, else 503 |
//!
//! Sessions live in memory ([`store::MemoryStore`]) or, for replicas, in Redis
//! ([`store::RedisStore`]), where the signing-key schedule is kept too ([`shared_keys`]).
//!
//! The binary (`cargo run -p webtoken-service`) reads [`Config`] from the environment; tests
//! build an [`AppState`] with their own clock and call [`serve`] on a port of their own.

pub mod config;
pub mod error;
pub mod extract;
pub mod keyring;
pub mod passwords;
pub mod proxy;
mod routes;
pub mod server;
pub mod shared_keys;
pub mod store;
pub mod tokens;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use webtoken::{Clock, SigningKey};

pub use config::Config;
pub use extract::AccessToken;
pub use keyring::KeyRing;
pub use passwords::{PasswordChecks, UserStore};
pub use proxy::TrustedProxies;
pub use server::Limits;
pub use tokens::{Settings, TokenService};

/// The largest request body accepted, in bytes; larger bodies get a 413.
pub const BODY_LIMIT: usize = 16 * 1024;

/// What every handler shares: the token service, the user table and the limit on concurrent
/// password checks.
#[derive(Clone, Debug)]
pub struct AppState {
    tokens: Arc<TokenService>,
    users: Arc<UserStore>,
    password_checks: Arc<PasswordChecks>,
    trusted_proxies: Arc<TrustedProxies>,
}

impl AppState {
    /// The state of a service that signs with `signing_key` (ES256) and reads the time from
    /// `clock`.
    ///
    /// # Errors
    /// When the key is not an ES256 key.
    pub fn new(
        settings: Settings,
        signing_key: SigningKey,
        users: UserStore,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, webtoken::Error> {
        Ok(Self::from_service(
            TokenService::new(settings, signing_key, clock)?,
            users,
        ))
    }

    /// The state of a service built by the caller (shared keys and sessions, say).
    pub fn from_service(tokens: TokenService, users: UserStore) -> Self {
        Self {
            tokens: Arc::new(tokens),
            users: Arc::new(users),
            password_checks: Arc::new(PasswordChecks::default()),
            trusted_proxies: Arc::new(TrustedProxies::default()),
        }
    }

    /// The same state believing `X-Forwarded-For` from `proxies` (by default from nobody).
    #[must_use]
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    /// The proxies whose `X-Forwarded-For` is believed.
    pub fn trusted_proxies(&self) -> &TrustedProxies {
        &self.trusted_proxies
    }

    /// The same state with `checks` bounding the concurrent password checks (by default
    /// one per core, [`PasswordChecks::default`]).
    #[must_use]
    pub fn with_password_checks(mut self, checks: PasswordChecks) -> Self {
        self.password_checks = Arc::new(checks);
        self
    }

    /// The limiter of concurrent password checks (its counters are for monitoring and tests).
    pub fn password_checks(&self) -> Arc<PasswordChecks> {
        Arc::clone(&self.password_checks)
    }

    /// The token service (for key rotation and housekeeping).
    pub fn tokens(&self) -> &TokenService {
        &self.tokens
    }

    /// The user table.
    pub fn users(&self) -> Arc<UserStore> {
        Arc::clone(&self.users)
    }
}

/// The service's routes, with the request body limit.
pub fn router(state: AppState) -> Router {
    let protected = Router::new()
        .route("/me", get(routes::me))
        .route_layer(extract::access_layer(&state));
    Router::new()
        .route("/token", post(routes::login))
        .route("/token/refresh", post(routes::refresh))
        .route("/token/verify", post(routes::verify))
        .merge(protected)
        .route("/.well-known/jwks.json", get(routes::jwks))
        .route("/healthz", get(routes::healthz))
        .fallback(routes::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Serves the [`router`] on `listener` with the default [`Limits`] until `shutdown`
/// completes, then lets in-flight requests finish (graceful shutdown).
///
/// # Errors
/// An I/O error from the listener.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with_limits(listener, state, Limits::default(), shutdown).await
}

/// As [`serve`], with the given timeouts and connection cap.
///
/// # Errors
/// An I/O error from the listener.
pub async fn serve_with_limits(
    listener: TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve_with(listener, router(state), limits, shutdown).await
}
