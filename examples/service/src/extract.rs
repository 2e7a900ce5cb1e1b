//! Extractors: [`AccessToken`] yields a verified access token, through webtoken-axum's layer
//! on the protected routes ([`access_layer`]); [`JsonBody`] a JSON request body whose
//! rejections are API errors.

use std::borrow::Cow;
use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use webtoken::{Algorithm, KeySource, VerifyingKey};
use webtoken_axum::{AuthLayer, Authorizer, JwtToken};

use crate::AppState;
use crate::error::{ApiError, REALM};
use crate::keyring::KeyRing;
use crate::tokens::AccessClaims;

/// A verified access token: handlers that take it run only for requests that carry one.
///
/// A missing header (or another scheme) is a 401 with a bare `Bearer` challenge; a malformed
/// header a 400 `invalid_request`; a token that does not verify as an access token (a refresh
/// token included) a 401 `invalid_token` (RFC 6750 §3.1, answered by webtoken-axum).
pub type AccessToken = JwtToken<AccessClaims>;

/// The service's signing keys as they are at each request: a rotation (local, or by another
/// replica through Redis) is seen by the next verification.
struct CurrentKeys(Arc<KeyRing>);

impl KeySource for CurrentKeys {
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, webtoken::Error> {
        let keys = self.0.current();
        keys.find_key(key_id, algorithm)
            .map(|key| Cow::Owned(key.into_owned()))
    }
}

/// The layer of the protected routes: access tokens by the service's own keys and access
/// validation rules (`typ: at+jwt`, the API audience, ...), challenges naming [`REALM`].
pub fn access_layer(state: &AppState) -> AuthLayer<AccessClaims> {
    let tokens = state.tokens();
    Authorizer::<AccessClaims>::from_keys(
        CurrentKeys(tokens.key_ring_handle()),
        tokens.access_validation().clone(),
    )
    .with_realm(REALM)
    .named("access")
    .layer()
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
