//! The tower layer: finds the request's token, tries each authorizer in turn, and either
//! passes the request on with the verified token in its extensions or answers for it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::de::DeserializeOwned;
use tower_layer::Layer;
use tower_service::Service;
use tracing::Instrument;
use webtoken::{ErrorKind, Token};

use crate::authorizer::Authorizer;
use crate::bearer::{self, Found};
use crate::error::AuthError;

/// A tower [`Layer`] that authorizes every request with one or several [`Authorizer`]s:
/// the first that validates the request's token wins, and the verified `Token<T>` goes into
/// the request's extensions for [`JwtClaims`](crate::JwtClaims) and
/// [`JwtToken`](crate::JwtToken) (or `Extension<Token<T>>`).
///
/// A request without a token gets a 401 (or, with [`optional`](Self::optional), passes on
/// without claims); a malformed `Authorization` header a 400; a token that no authorizer
/// validates the most telling refusal among them: a 403 from a claims check before a 401 for a
/// bad token, before a 503 when a JWK Set could not be fetched, before a 401 for an unknown
/// key. See [`AuthError`].
///
/// ```
/// use webtoken::{Algorithm, Validation, VerifyingKey};
/// use webtoken_axum::{AuthLayer, Authorizer};
///
/// // Tokens of either of two issuers, each with its own key.
/// let first = Authorizer::<()>::from_keys(
///     VerifyingKey::hmac(&[1u8; 32], Algorithm::Hs256)?,
///     Validation::new().with_issuer("https://one.example"),
/// );
/// let second = Authorizer::<()>::from_keys(
///     VerifyingKey::hmac(&[2u8; 32], Algorithm::Hs256)?,
///     Validation::new().with_issuer("https://two.example"),
/// );
/// let layer = AuthLayer::new([first, second]);
/// # let _ = layer;
/// # Ok::<(), webtoken::Error>(())
/// ```
pub struct AuthLayer<T> {
    authorizers: Arc<[Authorizer<T>]>,
    optional: bool,
}

impl<T> Clone for AuthLayer<T> {
    fn clone(&self) -> Self {
        Self {
            authorizers: Arc::clone(&self.authorizers),
            optional: self.optional,
        }
    }
}

impl<T> fmt::Debug for AuthLayer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthLayer")
            .field("authorizers", &self.authorizers)
            .field("optional", &self.optional)
            .finish()
    }
}

impl<T> AuthLayer<T> {
    /// A layer that tries `authorizers` in order.
    ///
    /// # Panics
    /// When `authorizers` is empty.
    pub fn new(authorizers: impl IntoIterator<Item = Authorizer<T>>) -> Self {
        let authorizers: Arc<[Authorizer<T>]> = authorizers.into_iter().collect();
        assert!(!authorizers.is_empty(), "an AuthLayer needs an authorizer");
        Self {
            authorizers,
            optional: false,
        }
    }

    /// Lets requests without any token through, without claims (`Option<JwtClaims<T>>` is
    /// then `None`); a malformed or invalid token is still refused.
    #[must_use]
    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
}

impl<T> Authorizer<T> {
    /// A layer with this authorizer alone.
    pub fn layer(&self) -> AuthLayer<T> {
        AuthLayer::new([self.clone()])
    }
}

impl<S, T> Layer<S> for AuthLayer<T> {
    type Service = AuthService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service of an [`AuthLayer`].
pub struct AuthService<S, T> {
    inner: S,
    layer: AuthLayer<T>,
}

impl<S: Clone, T> Clone for AuthService<S, T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            layer: self.layer.clone(),
        }
    }
}

impl<S: fmt::Debug, T> fmt::Debug for AuthService<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthService")
            .field("inner", &self.inner)
            .field("layer", &self.layer)
            .finish()
    }
}

impl<S, T> Service<Request> for AuthService<S, T>
where
    S: Service<Request, Response = Response> + Clone + Send + 'static,
    S::Future: Send,
    T: DeserializeOwned + Clone + Send + Sync + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        // Call the instance that was polled ready; keep a fresh clone for the next call.
        let fresh = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, fresh);
        let layer = self.layer.clone();
        let span = tracing::debug_span!(
            "webtoken_axum::authorize",
            authorizers = layer.authorizers.len()
        );
        Box::pin(
            async move {
                match authorize(&layer.authorizers, request.headers(), layer.optional).await {
                    Ok(Some(token)) => {
                        request.extensions_mut().insert(token);
                        inner.call(request).await
                    }
                    Ok(None) => inner.call(request).await,
                    Err(error) => Ok(error.response_for(request.headers())),
                }
            }
            .instrument(span),
        )
    }
}

/// The first authorizer's verified token, `None` for an optional layer without a token, or the
/// most telling refusal.
async fn authorize<T: DeserializeOwned + Send + 'static>(
    authorizers: &[Authorizer<T>],
    headers: &HeaderMap,
    optional: bool,
) -> Result<Option<Token<T>>, AuthError> {
    let realm = authorizers.first().and_then(Authorizer::realm);
    let header = bearer::from_header(headers);
    if let Found::Malformed(description) = header {
        tracing::info!(%description, "malformed request");
        return Err(AuthError::InvalidRequest {
            description: description.to_owned(),
            realm,
        });
    }
    let mut refusal: Option<AuthError> = None;
    for authorizer in authorizers {
        let token = match (&header, authorizer.cookie()) {
            (Found::Token(token), _) => *token,
            (_, Some(cookie)) => match bearer::from_cookie(headers, cookie) {
                Found::Token(token) => token,
                Found::Missing => continue,
                Found::Malformed(description) => {
                    tracing::info!(%description, "malformed request");
                    return Err(AuthError::InvalidRequest {
                        description: description.to_owned(),
                        realm,
                    });
                }
            },
            (_, None) => continue,
        };
        match authorizer.authorize(token).await {
            Ok(token) => {
                tracing::debug!(authorizer = authorizer.name(), "token accepted");
                return Ok(Some(token));
            }
            Err(error) => {
                if refusal.as_ref().is_none_or(|r| rank(&error) > rank(r)) {
                    refusal = Some(error);
                }
            }
        }
    }
    match refusal {
        Some(refusal) => Err(refusal),
        None if optional => Ok(None),
        None => {
            tracing::debug!("no token");
            Err(AuthError::MissingToken { realm })
        }
    }
}

/// How telling a refusal is: a failed claims check says the most (the token is genuine), an
/// unknown key the least (the token may be for another authorizer).
fn rank(error: &AuthError) -> u8 {
    match error {
        AuthError::InsufficientScope { .. } => 4,
        AuthError::InvalidToken { kind, .. } if *kind != ErrorKind::UnknownKey => 3,
        AuthError::KeysUnavailable => 2,
        AuthError::InvalidToken { .. } => 1,
        _ => 0,
    }
}
