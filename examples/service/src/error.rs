//! Errors as HTTP responses: a JSON body `{"error": ..., "error_description": ...}` with the
//! codes of RFC 6749 §5.2 and RFC 6750 §3.1, and the `WWW-Authenticate` challenge on 401.
//! The protected routes' own refusals (no, malformed or invalid access token) come from
//! webtoken-axum's layer in the same shape ([`crate::extract::access_layer`]).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::header::{RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use webtoken_axum::{bearer_challenge, bounded_description};

use crate::server::BodyTimeout;
use crate::tokens::TokenError;

/// The realm named in `WWW-Authenticate` challenges.
pub const REALM: &str = "webtoken-service";

/// An error a handler answers with.
#[derive(Debug)]
pub enum ApiError {
    /// 400 `invalid_request`: bad JSON, missing or mistyped fields, a malformed header.
    BadRequest(String),
    /// 401 `invalid_token`: the token is bad, expired, revoked or of the wrong kind.
    InvalidToken(String),
    /// 401 `invalid_grant`: unknown user or wrong password (which one is not said).
    InvalidCredentials,
    /// 404 `not_found`.
    NotFound,
    /// Any other status the request body was refused with (408, 413, 415).
    Rejected(StatusCode, String),
    /// 503 `temporarily_unavailable` with `Retry-After`: too many logins are waiting for a
    /// password check.
    Busy,
    /// 503 `temporarily_unavailable` with `Retry-After`: the session store (Redis) cannot
    /// be reached, so no session can be started or rotated.
    Unavailable,
    /// 500 `server_error`; the detail is logged, not sent.
    Internal,
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if caused_by_body_timeout(&rejection) {
            return Self::Rejected(StatusCode::REQUEST_TIMEOUT, BodyTimeout.to_string());
        }
        match rejection.status() {
            status @ (StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE) => {
                Self::Rejected(status, rejection.body_text())
            }
            _ => Self::BadRequest(rejection.body_text()),
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Internal(reason) => {
                tracing::error!(%reason, "token service failure");
                Self::Internal
            }
            TokenError::Unavailable(error) => {
                tracing::warn!(%error, "session store unavailable");
                Self::Unavailable
            }
            other => Self::InvalidToken(other.to_string()),
        }
    }
}

/// Whether the body could not be read because it did not arrive in time.
fn caused_by_body_timeout(rejection: &JsonRejection) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(error) = source {
        if error.is::<BodyTimeout>() {
            return true;
        }
        source = error.source();
    }
    false
}

/// The `WWW-Authenticate` value of the service's own 401 answers, worded as webtoken-axum's
/// layer words those of `/me`.
fn challenge(error: Option<(&str, &str)>) -> HeaderValue {
    HeaderValue::from_str(&bearer_challenge(Some(REALM), error))
        .unwrap_or(HeaderValue::from_static("Bearer"))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, description, www_authenticate) = match self {
            Self::BadRequest(d) => (StatusCode::BAD_REQUEST, "invalid_request", d, None),
            Self::InvalidToken(d) => {
                let header = challenge(Some(("invalid_token", &d)));
                (StatusCode::UNAUTHORIZED, "invalid_token", d, Some(header))
            }
            Self::InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                "invalid_grant",
                "unknown user or wrong password".to_owned(),
                Some(challenge(None)),
            ),
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "no such resource".to_owned(),
                None,
            ),
            Self::Rejected(status, d) => (status, "invalid_request", d, None),
            Self::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "too many logins at once; retry shortly".to_owned(),
                None,
            ),
            Self::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "the session store is unavailable; retry shortly".to_owned(),
                None,
            ),
            Self::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "internal error".to_owned(),
                None,
            ),
        };
        let body =
            Json(json!({ "error": code, "error_description": bounded_description(&description) }));
        let mut response = (status, body).into_response();
        if let Some(value) = www_authenticate {
            response.headers_mut().insert(WWW_AUTHENTICATE, value);
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_name_the_realm_and_fit_a_quoted_string() {
        let header = challenge(Some(("invalid_token", "kid \"x\" unknown")));
        assert_eq!(
            header,
            "Bearer realm=\"webtoken-service\", error=\"invalid_token\", \
             error_description=\"kid 'x' unknown\""
        );
        assert_eq!(challenge(None), "Bearer realm=\"webtoken-service\"");
    }
}
