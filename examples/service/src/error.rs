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

/// The longest error description sent to a client, in characters.
pub const MAX_DESCRIPTION: usize = 200;

/// `text` made safe to send: control characters escaped (`\n`, `\u{1b}`) and the whole cut to
/// [`MAX_DESCRIPTION`] characters, ending in `...` when cut. Error texts of the library can
/// quote the token, so they are as long as the client likes without this.
pub fn bounded(text: &str) -> String {
    let mut escaped = String::new();
    for c in text.chars() {
        if c.is_control() {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
        if escaped.len() > 4 * MAX_DESCRIPTION {
            break; // enough to decide: the rest is cut anyway
        }
    }
    if escaped.chars().count() <= MAX_DESCRIPTION {
        return escaped;
    }
    let mut cut: String = escaped.chars().take(MAX_DESCRIPTION - 3).collect();
    cut.push_str("...");
    cut
}

/// Makes `text` fit an RFC 6750 `error_description` quoted string (%x20-21 / %x23-5B /
/// %x5D-7E): quotes and backslashes become `'`, anything else outside printable ASCII `?`.
fn quotable(text: &str) -> String {
    text.chars()
        .take(MAX_DESCRIPTION)
        .map(|c| match c {
            '"' | '\\' => '\'',
            ' '..='~' => c,
            _ => '?',
        })
        .collect()
}

fn challenge(error: Option<(&str, &str)>) -> HeaderValue {
    let value = match error {
        None => format!("Bearer realm=\"{REALM}\""),
        Some((code, description)) => format!(
            "Bearer realm=\"{REALM}\", error=\"{code}\", error_description=\"{}\"",
            quotable(description)
        ),
    };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("Bearer"))
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
        let body = Json(json!({ "error": code, "error_description": bounded(&description) }));
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
    fn descriptions_are_bounded_and_escaped() {
        assert_eq!(bounded("short"), "short");
        assert_eq!(bounded("a\nb\u{1b}"), "a\\nb\\u{1b}");
        let exact = "x".repeat(MAX_DESCRIPTION);
        assert_eq!(bounded(&exact), exact);
        let long = bounded(&"\u{1}".repeat(100_000));
        assert_eq!(long.chars().count(), MAX_DESCRIPTION);
        assert!(long.ends_with("...") && !long.chars().any(char::is_control));
    }

    #[test]
    fn descriptions_fit_a_quoted_string() {
        assert_eq!(quotable("a \"b\" \\ é\n"), "a 'b' ' ??");
        let header = challenge(Some(("invalid_token", "kid \"x\" unknown")));
        assert_eq!(
            header,
            "Bearer realm=\"webtoken-service\", error=\"invalid_token\", \
             error_description=\"kid 'x' unknown\""
        );
    }
}
