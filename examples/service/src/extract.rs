//! Extractors: [`AccessToken`] yields the verified claims of an `Authorization: Bearer` access
//! token (RFC 6750 §2.1), [`JsonBody`] a JSON request body whose rejections are API errors.

use axum::Json;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use webtoken::Token;

use crate::AppState;
use crate::error::ApiError;
use crate::tokens::AccessClaims;

/// A verified access token: handlers that take it run only for requests that carry one.
///
/// A missing header (or another scheme) is a 401 with a bare `Bearer` challenge; a malformed
/// header a 400 `invalid_request`; a token that does not verify as an access token (a refresh
/// token included) a 401 `invalid_token`.
#[derive(Debug)]
pub struct AccessToken(pub Token<AccessClaims>);

impl<S> FromRequestParts<S> for AccessToken
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers)?;
        let state = AppState::from_ref(state);
        Ok(Self(state.tokens().verify_access(token)?))
    }
}

/// The token of the request's single `Authorization: Bearer <token>` header.
fn bearer_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(if headers.contains_key(AUTHORIZATION) {
            ApiError::BadAuthorization("more than one Authorization header".into())
        } else {
            ApiError::MissingToken
        });
    };
    let value = value.to_str().map_err(|_| {
        ApiError::BadAuthorization("the Authorization header is not visible ASCII".into())
    })?;
    let (scheme, credentials) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::MissingToken);
    }
    let token = credentials.trim_start_matches(' ');
    if is_b64token(token) {
        Ok(token)
    } else {
        Err(ApiError::BadAuthorization(
            "expected Authorization: Bearer <token>".into(),
        ))
    }
}

/// RFC 6750 §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// A JSON request body; bad JSON, a missing field or a wrong type is a 400 `invalid_request`,
/// a body over the limit a 413, a missing `Content-Type: application/json` a 415.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(request, state).await?;
        Ok(Self(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(values: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(AUTHORIZATION, HeaderValue::from_bytes(v).unwrap());
        }
        headers
    }

    #[test]
    fn reads_bearer_tokens_by_rfc_6750() {
        assert_eq!(
            bearer_token(&with(&[b"Bearer abc.def.ghi"])).unwrap(),
            "abc.def.ghi"
        );
        assert_eq!(bearer_token(&with(&[b"bearer  a+/=="])).unwrap(), "a+/==");
        for missing in [&[][..], &[&b"Basic dXNlcjpwdw=="[..]], &[&b"Token"[..]]] {
            assert!(matches!(
                bearer_token(&with(missing)),
                Err(ApiError::MissingToken)
            ));
        }
        for garbled in [
            &[&b"Bearer"[..]][..],
            &[&b"Bearer "[..]],
            &[&b"Bearer a b"[..]],
            &[&b"Bearer =="[..]],
            &[&b"Bearer a\"b"[..]],
            &[&b"Bearer \xff"[..]],
            &[&b"Bearer a"[..], &b"Bearer a"[..]],
        ] {
            assert!(
                matches!(
                    bearer_token(&with(garbled)),
                    Err(ApiError::BadAuthorization(_))
                ),
                "{garbled:?}"
            );
        }
    }
}
