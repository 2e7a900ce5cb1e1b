//! Extractors of the token verified by the [`AuthLayer`](crate::AuthLayer).

use std::convert::Infallible;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use webtoken::{Claims, Token};

use crate::error::AuthError;

/// The claims of the request's verified token: registered claims (`sub`, `iss`, `exp`, ...)
/// and your own `T`.
///
/// Needs the [`AuthLayer`](crate::AuthLayer) of an `Authorizer<T>` (same `T`) on the route;
/// without it the extractor answers 500 and logs the misconfiguration. `Option<JwtClaims<T>>`
/// is `None` on a route whose [optional](crate::AuthLayer::optional) layer let a request
/// without a token through.
#[derive(Clone, Debug)]
pub struct JwtClaims<T>(pub Claims<T>);

/// The request's verified token: its header (`kid`, `typ`, ...) and its claims. As
/// [`JwtClaims`], it needs the layer on the route.
#[derive(Clone, Debug)]
pub struct JwtToken<T>(pub Token<T>);

fn verified<T: Clone + Send + Sync + 'static>(parts: &Parts) -> Option<&Token<T>> {
    parts.extensions.get::<Token<T>>()
}

fn not_configured<T>() -> AuthError {
    tracing::error!(
        claims = std::any::type_name::<T>(),
        "a webtoken-axum extractor ran on a route without the AuthLayer of an Authorizer of this claims type"
    );
    AuthError::NotConfigured
}

impl<S: Send + Sync, T: Clone + Send + Sync + 'static> FromRequestParts<S> for JwtClaims<T> {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        verified::<T>(parts)
            .map(|token| Self(token.claims().clone()))
            .ok_or_else(not_configured::<T>)
    }
}

impl<S: Send + Sync, T: Clone + Send + Sync + 'static> OptionalFromRequestParts<S>
    for JwtClaims<T>
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Infallible> {
        Ok(verified::<T>(parts).map(|token| Self(token.claims().clone())))
    }
}

impl<S: Send + Sync, T: Clone + Send + Sync + 'static> FromRequestParts<S> for JwtToken<T> {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        verified::<T>(parts)
            .map(|token| Self(token.clone()))
            .ok_or_else(not_configured::<T>)
    }
}

impl<S: Send + Sync, T: Clone + Send + Sync + 'static> OptionalFromRequestParts<S> for JwtToken<T> {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Infallible> {
        Ok(verified::<T>(parts).map(|token| Self(token.clone())))
    }
}
