//! The HTTP handlers; each one reads its input, calls the token service and shapes the answer.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::{Value, json};
use webtoken::Token;

use crate::AppState;
use crate::error::{ApiError, bounded};
use crate::extract::{AccessToken, JsonBody};
use crate::passwords::CheckError;
use crate::tokens::{TokenError, TokenPair, Verified};

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
        .ok_or(ApiError::InvalidCredentials)?;
    tracing::info!(user = %username, "login");
    Ok(no_store(state.tokens().login(&username)?))
}

/// `POST /token/refresh`: a new token pair for a refresh token, which is spent.
pub(crate) async fn refresh(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<RefreshRequest>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(no_store(state.tokens().refresh(&request.refresh_token)?))
}

/// `POST /token/verify`: in the manner of token introspection (RFC 7662), always 200 with
/// `active` telling whether the token is valid, and its claims when it is.
pub(crate) async fn verify(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<VerifyRequest>,
) -> Json<Value> {
    Json(match state.tokens().introspect(&request.token) {
        Ok(Verified::Access(token)) => active("access", &token),
        Ok(Verified::Refresh(token)) => active("refresh", &token),
        Err(error) => {
            let reason = match &error {
                TokenError::Invalid(e) => e.kind().as_str(),
                TokenError::Revoked | TokenError::Reused => "revoked",
                TokenError::Internal(_) => "server_error",
            };
            json!({
                "active": false,
                "error": reason,
                "error_description": bounded(&error.to_string()),
            })
        }
    })
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
pub(crate) async fn me(AccessToken(token): AccessToken) -> Json<Value> {
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
