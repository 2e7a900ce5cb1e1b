//! What a client is told when a request is refused (RFC 6750 §3), and what a service is told
//! when an authorizer cannot be built.

use axum::body::Body;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use webtoken::ErrorKind;

/// The longest `error_description` sent to a client, in characters. A webtoken message quotes
/// strings from the token only escaped and cut (64 characters each), and the whole description
/// is cut again here, so what a client sees never grows with the token and never holds it.
pub const MAX_DESCRIPTION: usize = 160;

/// Why a request was refused; its [`IntoResponse`] is the RFC 6750 answer.
///
/// | variant | status | `WWW-Authenticate` |
/// |---|---|---|
/// | [`MissingToken`](Self::MissingToken) | 401 | `Bearer` (no error code, RFC 6750 §3.1) |
/// | [`InvalidRequest`](Self::InvalidRequest) | 400 | `Bearer error="invalid_request", ...` |
/// | [`InvalidToken`](Self::InvalidToken) | 401 | `Bearer error="invalid_token", error_description="..."` |
/// | [`InsufficientScope`](Self::InsufficientScope) | 403 | `Bearer error="insufficient_scope", ...` |
/// | [`KeysUnavailable`](Self::KeysUnavailable) | 503 (`Retry-After`) | none |
/// | [`NotConfigured`](Self::NotConfigured) | 500 | none |
///
/// The body is JSON, `{"error": ..., "error_description": ...}`. A gRPC request
/// (`content-type: application/grpc...`) gets HTTP 200 with `grpc-status` 16 (unauthenticated),
/// 7 (permission denied), 3 (invalid argument), 14 (unavailable) or 13 (internal) and
/// `grpc-message` instead, as gRPC clients expect.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthError {
    /// No token was sent: no `Authorization: Bearer` header (another scheme counts as none)
    /// and no configured cookie.
    MissingToken {
        /// The realm named in the challenge, if configured.
        realm: Option<String>,
    },
    /// The request is malformed: several `Authorization` headers, one that is not visible
    /// ASCII, or a bearer token that is not an RFC 6750 `b64token`.
    InvalidRequest {
        /// What is wrong (webtoken-axum's own text, never the token).
        description: String,
        /// The realm named in the challenge, if configured.
        realm: Option<String>,
    },
    /// The token was refused (signature, expiry, issuer, audience, unknown key, ...).
    InvalidToken {
        /// The webtoken error kind.
        kind: ErrorKind,
        /// `kind: message`, escaped and cut to [`MAX_DESCRIPTION`].
        description: String,
        /// The realm named in the challenge, if configured.
        realm: Option<String>,
    },
    /// The token is valid but a claims check of the authorizer refused it.
    InsufficientScope {
        /// The scope the check requires, when it named one.
        scope: Option<String>,
        /// The realm named in the challenge, if configured.
        realm: Option<String>,
    },
    /// The token names a key the authorizer does not hold and its JWK Set could not be
    /// fetched (the provider is down or too slow): the client may retry.
    KeysUnavailable,
    /// A claims extractor ran on a route without the authorization layer: a bug of the
    /// service, logged.
    NotConfigured,
}

impl AuthError {
    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MissingToken { .. } | Self::InvalidToken { .. } => StatusCode::UNAUTHORIZED,
            Self::InvalidRequest { .. } => StatusCode::BAD_REQUEST,
            Self::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            Self::KeysUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::NotConfigured => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error code of the body and the challenge: `invalid_request`, `invalid_token`,
    /// `insufficient_scope` (RFC 6750 §3.1), `unauthorized` for a missing token,
    /// `temporarily_unavailable` or `server_error`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingToken { .. } => "unauthorized",
            Self::InvalidRequest { .. } => "invalid_request",
            Self::InvalidToken { .. } => "invalid_token",
            Self::InsufficientScope { .. } => "insufficient_scope",
            Self::KeysUnavailable => "temporarily_unavailable",
            Self::NotConfigured => "server_error",
        }
    }

    /// The description a client sees.
    pub fn description(&self) -> String {
        match self {
            Self::MissingToken { .. } => {
                "this resource needs a bearer token: Authorization: Bearer <token>".to_owned()
            }
            Self::InvalidRequest { description, .. } | Self::InvalidToken { description, .. } => {
                description.clone()
            }
            Self::InsufficientScope { scope: Some(s), .. } => {
                bounded_description(&format!("the token does not grant the scope {s}"))
            }
            Self::InsufficientScope { scope: None, .. } => {
                "the token's claims do not allow this request".to_owned()
            }
            Self::KeysUnavailable => {
                "the keys to verify the token cannot be fetched now; retry shortly".to_owned()
            }
            Self::NotConfigured => "internal error".to_owned(),
        }
    }

    /// The `WWW-Authenticate` challenge, if the response has one.
    pub fn challenge(&self) -> Option<String> {
        let (realm, error) = match self {
            Self::MissingToken { realm } => (realm, None),
            Self::InvalidRequest { realm, .. } | Self::InvalidToken { realm, .. } => {
                (realm, Some(None))
            }
            Self::InsufficientScope { realm, scope } => (realm, Some(scope.as_deref())),
            Self::KeysUnavailable | Self::NotConfigured => return None,
        };
        let description = error.map(|_| self.description());
        let mut challenge = bearer_challenge(
            realm.as_deref(),
            description.as_deref().map(|d| (self.code(), d)),
        );
        if let Some(Some(scope)) = error {
            challenge.push_str(", scope=\"");
            challenge.push_str(&quotable(scope));
            challenge.push('"');
        }
        Some(challenge)
    }

    fn grpc_status(&self) -> &'static str {
        match self {
            Self::MissingToken { .. } | Self::InvalidToken { .. } => "16",
            Self::InvalidRequest { .. } => "3",
            Self::InsufficientScope { .. } => "7",
            Self::KeysUnavailable => "14",
            Self::NotConfigured => "13",
        }
    }

    /// The response for a request with these headers: gRPC for a gRPC request, else HTTP.
    pub fn response_for(&self, request_headers: &HeaderMap) -> Response {
        let grpc = request_headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/grpc"));
        if !grpc {
            return self.clone().into_response();
        }
        let mut response = Response::new(Body::empty());
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
        headers.insert("grpc-status", HeaderValue::from_static(self.grpc_status()));
        if let Ok(message) = HeaderValue::from_str(&percent_encode(&self.description())) {
            headers.insert("grpc-message", message);
        }
        response
    }
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.description())
    }
}

impl std::error::Error for AuthError {}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": self.code(),
            "error_description": self.description(),
        });
        let mut response = (
            self.status(),
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            body.to_string(),
        )
            .into_response();
        if let Some(challenge) = self.challenge() {
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert(WWW_AUTHENTICATE, value);
            }
        }
        if self == Self::KeysUnavailable {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

/// An RFC 6750 `WWW-Authenticate` value: `Bearer`, then `realm` and, for an error, its code
/// and description, each made to fit a quoted string (quotes and backslashes become `'`, other
/// characters outside printable ASCII `?`). For a service's own 401 answers (a refresh or logout
/// endpoint, say) that should read like the layer's.
///
/// ```
/// use webtoken_axum::bearer_challenge;
///
/// assert_eq!(bearer_challenge(None, None), "Bearer");
/// assert_eq!(
///     bearer_challenge(Some("api"), Some(("invalid_token", "kid \"x\" unknown"))),
///     "Bearer realm=\"api\", error=\"invalid_token\", error_description=\"kid 'x' unknown\""
/// );
/// ```
pub fn bearer_challenge(realm: Option<&str>, error: Option<(&str, &str)>) -> String {
    let mut params = Vec::new();
    if let Some(realm) = realm {
        params.push(format!("realm=\"{}\"", quotable(realm)));
    }
    if let Some((code, description)) = error {
        params.push(format!("error=\"{}\"", quotable(code)));
        params.push(format!("error_description=\"{}\"", quotable(description)));
    }
    if params.is_empty() {
        "Bearer".to_owned()
    } else {
        format!("Bearer {}", params.join(", "))
    }
}

/// `text` safe to send to a client: control characters escaped (`\n`, `\u{1b}`) and the
/// whole cut to [`MAX_DESCRIPTION`] characters, ending in `...` when cut. webtoken's error
/// texts can quote the token, so they are as long as the client likes without this.
///
/// ```
/// use webtoken_axum::{MAX_DESCRIPTION, bounded_description};
///
/// assert_eq!(bounded_description("a\nb"), "a\\nb");
/// let long = bounded_description(&"x".repeat(10_000));
/// assert_eq!(long.chars().count(), MAX_DESCRIPTION);
/// assert!(long.ends_with("..."));
/// ```
pub fn bounded_description(text: &str) -> String {
    let mut escaped = String::new();
    for c in text.chars() {
        if c.is_control() {
            escaped.extend(c.escape_default());
        } else {
            escaped.push(c);
        }
        if escaped.len() > 4 * MAX_DESCRIPTION {
            break;
        }
    }
    if escaped.chars().count() <= MAX_DESCRIPTION {
        return escaped;
    }
    let mut cut: String = escaped.chars().take(MAX_DESCRIPTION - 3).collect();
    cut.push_str("...");
    cut
}

/// `text` as the inside of an RFC 6750 quoted string (%x20-21 / %x23-5B / %x5D-7E): quotes and
/// backslashes become `'`, anything else outside printable ASCII `?`.
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

/// `grpc-message` is percent-encoded (gRPC over HTTP/2, "Responses").
fn percent_encode(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for b in text.bytes() {
        if (0x20..=0x7e).contains(&b) && b != b'%' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Why an authorizer could not be built: a key source that cannot be read, an unusable URL, a
/// failed or inconsistent OpenID Connect discovery.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// The keys could not be read (a PEM, a JWK Set document).
    #[error("the keys could not be read: {0}")]
    Keys(#[from] webtoken::Error),
    /// The URL is unusable: not http(s), or plain http to a host that is not loopback.
    #[error("unusable URL: {0}")]
    Url(String),
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
    /// OpenID Connect discovery failed: the document could not be fetched or read, or its
    /// `issuer` is not the configured one (OpenID Connect Discovery 1.0 §4.3).
    #[error("OpenID Connect discovery failed: {0}")]
    Discovery(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_follow_rfc_6750() {
        let missing = AuthError::MissingToken { realm: None };
        assert_eq!(missing.challenge().unwrap(), "Bearer");
        let missing = AuthError::MissingToken {
            realm: Some("api".into()),
        };
        assert_eq!(missing.challenge().unwrap(), "Bearer realm=\"api\"");
        let invalid = AuthError::InvalidToken {
            kind: ErrorKind::Expired,
            description: "expired: \"x\" \\ é".into(),
            realm: None,
        };
        assert_eq!(
            invalid.challenge().unwrap(),
            "Bearer error=\"invalid_token\", error_description=\"expired: 'x' ' ?\""
        );
        let scope = AuthError::InsufficientScope {
            scope: Some("write".into()),
            realm: None,
        };
        assert_eq!(scope.status(), StatusCode::FORBIDDEN);
        assert!(scope.challenge().unwrap().ends_with("scope=\"write\""));
        assert_eq!(AuthError::KeysUnavailable.challenge(), None);
    }

    #[test]
    fn descriptions_are_bounded() {
        let long = bounded_description(&"\u{1}".repeat(100_000));
        assert_eq!(long.chars().count(), MAX_DESCRIPTION);
        assert!(!long.chars().any(char::is_control));
        assert_eq!(bounded_description("a\nb"), "a\\nb");
        assert_eq!(percent_encode("a b%\n"), "a b%25%0A");
    }
}
