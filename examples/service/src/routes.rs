//! The HTTP handlers; each one reads its input, calls the token service and shapes the answer.

use axum::Json;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};
use webtoken::Token;
use webtoken_axum::JwtToken;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{AccessToken, JsonBody};
use crate::passwords::CheckError;
use crate::proxy::ClientAddr;
use crate::tokens::{TokenError, TokenPair, Verified};
use webtoken_axum::bounded_description;

/// The body of `POST /token`.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginRequest {
    username: String,
    password: String,
}

/// The body of `POST /token/refresh`.
#[derive(Debug, Deserialize)]
pub(crate) struct RefreshRequest {
    refresh_token: String,
}

/// The body of `POST /token/verify`.
#[derive(Debug, Deserialize)]
pub(crate) struct VerifyRequest {
    token: String,
}

/// Token responses must not be cached (RFC 6749 §5.1).
fn no_store(pair: TokenPair) -> impl IntoResponse {
    (
        [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(pair),
    )
}

/// `POST /token`: checks the password off the async executor (PBKDF2 is deliberately slow),
/// at most [`PasswordChecks::limit`](crate::PasswordChecks::limit) at once, then starts a
/// session. A login that waits too long for its turn gets a 503 with `Retry-After`.
pub(crate) async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    JsonBody(request): JsonBody<LoginRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let users = state.users();
    let username = state
        .password_checks()
        .run(move || {
            users
                .check(&request.username, &request.password)
                .then_some(request.username)
        })
        .await
        .map_err(|e| match e {
            CheckError::Busy => ApiError::Busy,
            CheckError::Failed(reason) => {
                tracing::error!(%reason, "password check task failed");
                ApiError::Internal
            }
        })?
        .ok_or_else(|| {
            tracing::info!(%client, "login refused: unknown user or wrong password");
            ApiError::InvalidCredentials
        })?;
    let pair = state.tokens().login(&username).await?;
    tracing::info!(user = %username, %client, "login");
    Ok(no_store(pair))
}

/// `POST /token/refresh`: a new token pair for a refresh token, which is spent.
pub(crate) async fn refresh(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<RefreshRequest>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(no_store(
        state.tokens().refresh(&request.refresh_token).await?,
    ))
}

/// `POST /token/verify`: in the manner of token introspection (RFC 7662), always 200 with
/// `active` telling whether the token is valid, and its claims when it is; a 503 when the
/// session store cannot tell whether a refresh token is still usable.
pub(crate) async fn verify(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<VerifyRequest>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        match state.tokens().introspect(&request.token).await {
            Ok(Verified::Access(token)) => active("access", &token),
            Ok(Verified::Refresh(token)) => active("refresh", &token),
            Err(error @ TokenError::Unavailable(_)) => return Err(error.into()),
            Err(error) => {
                let reason = match &error {
                    TokenError::Invalid(e) => e.kind().as_str(),
                    TokenError::Revoked | TokenError::Reused => "revoked",
                    TokenError::Unavailable(_) | TokenError::Internal(_) => "server_error",
                };
                json!({
                    "active": false,
                    "error": reason,
                    "error_description": bounded_description(&error.to_string()),
                })
            }
        },
    ))
}

/// `GET /healthz`: 200 `{"status":"ok"}` when the process serves and its session store
/// answers; 503 `{"status":"unavailable", ...}` when the store (Redis) does not, so that a
/// load balancer or monitor can take the replica out or raise an alarm. Never cached.
pub(crate) async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let store = state.tokens().sessions();
    let keys = state.tokens().key_ring().current();
    let kid = keys.signing_key().key_id().unwrap_or("-").to_owned();
    let (status, body) = match store.check().await {
        Ok(()) => (
            StatusCode::OK,
            json!({ "status": "ok", "store": store.kind(), "kid": kid }),
        ),
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({
                "status": "unavailable",
                "store": store.kind(),
                "kid": kid,
                "error": "temporarily_unavailable",
                "error_description": bounded_description(&error.to_string()),
            }),
        ),
    };
    (
        status,
        [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(body),
    )
}

fn active<T: serde::Serialize>(token_use: &str, token: &Token<T>) -> Value {
    let mut body =
        json!({ "active": true, "token_use": token_use, "kid": token.header().key_id() });
    if let (Value::Object(body), Ok(Value::Object(claims))) =
        (&mut body, serde_json::to_value(token.claims()))
    {
        body.extend(claims);
    }
    body
}

/// `GET /me`: who the access token speaks for.
pub(crate) async fn me(JwtToken(token): AccessToken) -> Json<Value> {
    let claims = token.claims();
    Json(json!({
        "sub": claims.subject,
        "scope": claims.custom.scope,
        "client_id": claims.custom.client_id,
        "jti": claims.jwt_id,
        "exp": claims.expires_at,
        "kid": token.header().key_id(),
    }))
}

/// `GET /.well-known/jwks.json`: the public keys, current and retired, `kid` = RFC 7638
/// thumbprint. Cacheable for a few minutes; relying parties refetch on an unknown `kid`.
pub(crate) async fn jwks(State(state): State<AppState>) -> impl IntoResponse {
    let keys = state.tokens().key_ring().current();
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        keys.jwks_json().to_owned(),
    )
}

/// Any other path.
pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound
}
