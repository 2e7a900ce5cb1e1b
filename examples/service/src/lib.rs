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
//!
//! The binary (`cargo run -p webtoken-service`) reads [`Config`] from the environment; tests
//! build an [`AppState`] with their own clock and call [`serve`] on a port of their own.

pub mod config;
pub mod error;
pub mod extract;
pub mod keyring;
pub mod passwords;
mod routes;
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
pub use passwords::UserStore;
pub use tokens::{Settings, TokenService};

/// The largest request body accepted, in bytes; larger bodies get a 413.
pub const BODY_LIMIT: usize = 16 * 1024;

/// What every handler shares: the token service and the user table.
#[derive(Clone, Debug)]
pub struct AppState {
    tokens: Arc<TokenService>,
    users: Arc<UserStore>,
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
        Ok(Self {
            tokens: Arc::new(TokenService::new(settings, signing_key, clock)?),
            users: Arc::new(users),
        })
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
    Router::new()
        .route("/token", post(routes::login))
        .route("/token/refresh", post(routes::refresh))
        .route("/token/verify", post(routes::verify))
        .route("/me", get(routes::me))
        .route("/.well-known/jwks.json", get(routes::jwks))
        .fallback(routes::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

/// Serves the [`router`] on `listener` until `shutdown` completes, then lets in-flight
/// requests finish (graceful shutdown).
///
/// # Errors
/// An I/O error from the listener.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
