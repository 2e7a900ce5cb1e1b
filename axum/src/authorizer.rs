//! An [`Authorizer`]: where the keys come from, how tokens are validated, which claims checks
//! follow, and where a request's token is found.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use webtoken::jwks::{AsyncFetch, StorePolicy};
use webtoken::keys::JwkSet;
use webtoken::{Claims, ErrorKind, KeySource, KeyStore, Token, Validation};

use crate::error::{AuthError, InitError, bounded_description};
use crate::http::{HttpConfig, HttpFetcher};
use crate::oidc::ProviderMetadata;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Decodes tokens with some keys: a fixed key source, or a key store that fetches.
trait Keys<T>: Send + Sync {
    fn decode<'a>(
        &'a self,
        token: &'a str,
        validation: &'a Validation,
    ) -> BoxFuture<'a, Result<Token<T>, webtoken::Error>>;

    /// Whether the last fetch of the keys failed (never, for fixed keys).
    fn fetch_failed(&self) -> Option<String>;
}

/// Fixed keys: a key, a JWK Set, or any [`KeySource`] of the application.
struct Fixed<K>(K);

impl<T: DeserializeOwned + Send + 'static, K: KeySource + Send + Sync> Keys<T> for Fixed<K> {
    fn decode<'a>(
        &'a self,
        token: &'a str,
        validation: &'a Validation,
    ) -> BoxFuture<'a, Result<Token<T>, webtoken::Error>> {
        Box::pin(std::future::ready(webtoken::decode(
            token, &self.0, validation,
        )))
    }

    fn fetch_failed(&self) -> Option<String> {
        None
    }
}

impl<T: DeserializeOwned + Send + 'static, F: AsyncFetch + 'static> Keys<T> for KeyStore<F> {
    fn decode<'a>(
        &'a self,
        token: &'a str,
        validation: &'a Validation,
    ) -> BoxFuture<'a, Result<Token<T>, webtoken::Error>> {
        Box::pin(self.decode_async(token, validation))
    }

    fn fetch_failed(&self) -> Option<String> {
        self.status().last_error
    }
}

type CheckFn<T> = Box<dyn Fn(&Claims<T>) -> bool + Send + Sync>;

/// A claims check: refuses a valid token with 403 `insufficient_scope` when it returns false.
struct Check<T> {
    scope: Option<String>,
    check: CheckFn<T>,
}

struct Inner<T> {
    name: String,
    keys: Arc<dyn Keys<T>>,
    validation: Validation,
    checks: Vec<Arc<Check<T>>>,
    cookie: Option<String>,
    realm: Option<String>,
}

/// Configuring an authorizer that has clones copies its settings first (the keys, and so a
/// key store's cache, stay shared).
impl<T> Clone for Inner<T> {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            keys: Arc::clone(&self.keys),
            validation: self.validation.clone(),
            checks: self.checks.clone(),
            cookie: self.cookie.clone(),
            realm: self.realm.clone(),
        }
    }
}

/// Validates bearer tokens into `Token<T>`: keys, a webtoken [`Validation`], claims checks,
/// and where the token is found. Cheap to clone (one `Arc`).
///
/// `T` is the type of your own claims beside the registered ones (`()` for none,
/// `serde_json::Map<String, serde_json::Value>` to keep them untyped); handlers receive
/// [`webtoken::Claims<T>`] through [`JwtClaims`](crate::JwtClaims).
///
/// | key source | constructor |
/// |---|---|
/// | one key (PEM, DER, JWK, HMAC secret) | [`from_keys`](Self::from_keys)`(VerifyingKey::from_pem(..)?, ..)` |
/// | a JWK Set document | [`from_jwks_json`](Self::from_jwks_json) |
/// | any `KeySource` of yours | [`from_keys`](Self::from_keys) |
/// | a JWKS URL, fetched and cached | [`from_jwks_url`](Self::from_jwks_url), [`from_jwks_url_with`](Self::from_jwks_url_with) |
/// | OpenID Connect discovery | [`from_oidc`](Self::from_oidc), [`from_oidc_with`](Self::from_oidc_with) |
/// | a webtoken `KeyStore` of yours | [`from_key_store`](Self::from_key_store) |
///
/// ```
/// use std::time::Duration;
/// use webtoken::{Algorithm, Claims, Header, SigningKey, Validation, VerifyingKey};
/// use webtoken_axum::Authorizer;
///
/// #[derive(Clone, serde::Deserialize, serde::Serialize)]
/// struct Scopes { scope: String }
///
/// let secret = [7u8; 32];
/// let authorizer = Authorizer::<Scopes>::from_keys(
///     VerifyingKey::hmac(&secret, Algorithm::Hs256)?,
///     Validation::new().with_issuer("https://id.example"),
/// )
/// .check_scope("read", |claims| claims.custom.scope.split(' ').any(|s| s == "read"))
/// .with_cookie("access_token");
///
/// let claims = Claims::new(Scopes { scope: "read write".into() })
///     .with_issuer("https://id.example")
///     .expires_in(Duration::from_secs(60));
/// let jwt = webtoken::encode(&Header::new(), &claims, &SigningKey::hmac(&secret, Algorithm::Hs256)?)?;
/// let token = block_on(authorizer.authorize(&jwt)).expect("valid");
/// assert_eq!(token.claims().custom.scope, "read write");
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// # Ok::<(), webtoken::Error>(())
/// ```
pub struct Authorizer<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for Authorizer<T> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T> fmt::Debug for Authorizer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorizer")
            .field("name", &self.inner.name)
            .field("validation", &self.inner.validation)
            .field("checks", &self.inner.checks.len())
            .field("cookie", &self.inner.cookie)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + 'static> Authorizer<T> {
    fn with_keys(keys: Arc<dyn Keys<T>>, validation: Validation, name: &str) -> Self {
        Self {
            inner: Arc::new(Inner {
                name: name.to_owned(),
                keys,
                validation,
                checks: Vec::new(),
                cookie: None,
                realm: None,
            }),
        }
    }

    /// Verifies with fixed keys: a [`VerifyingKey`](webtoken::VerifyingKey) (from PEM, DER, a
    /// JWK or an HMAC secret), a [`JwkSet`], or any [`KeySource`] of the application.
    pub fn from_keys(keys: impl KeySource + Send + Sync + 'static, validation: Validation) -> Self {
        Self::with_keys(Arc::new(Fixed(keys)), validation, "keys")
    }

    /// Verifies with the keys of a JWK Set document (read once, as
    /// [`JwkSet::from_json`]).
    ///
    /// # Errors
    /// [`InitError::Keys`] when the document is not an acceptable JWK Set.
    pub fn from_jwks_json(document: &str, validation: Validation) -> Result<Self, InitError> {
        Ok(Self::with_keys(
            Arc::new(Fixed(JwkSet::from_json(document)?)),
            validation,
            "jwks",
        ))
    }

    /// Verifies with a webtoken key store of yours (any async fetcher); configure its policy
    /// and spawner before.
    pub fn from_key_store<F: AsyncFetch + 'static>(
        store: KeyStore<F>,
        validation: Validation,
    ) -> Self {
        Self::with_keys(Arc::new(store), validation, "key-store")
    }

    /// Verifies with the JWK Set at `url`, fetched by the built-in [`HttpFetcher`] with the
    /// default [`HttpConfig`] into a key store with the default [`StorePolicy`]: fetched on the
    /// first request, refetched for an unknown `kid` (at most once per cooldown), refreshed in
    /// the background (a tokio task) once older than `max_age` or the document's
    /// `Cache-Control: max-age`.
    ///
    /// # Errors
    /// [`InitError::Url`] for a URL that may not be fetched, [`InitError::Client`].
    pub fn from_jwks_url(url: &str, validation: Validation) -> Result<Self, InitError> {
        Self::from_jwks_url_with(
            url,
            validation,
            HttpConfig::default(),
            StorePolicy::default(),
        )
    }

    /// As [`from_jwks_url`](Self::from_jwks_url), with this HTTP configuration and store
    /// policy.
    ///
    /// # Errors
    /// As [`from_jwks_url`](Self::from_jwks_url).
    pub fn from_jwks_url_with(
        url: &str,
        validation: Validation,
        http: HttpConfig,
        policy: StorePolicy,
    ) -> Result<Self, InitError> {
        let fetcher = HttpFetcher::new(url, http)?;
        Ok(Self::from_key_store(http_store(fetcher, policy), validation).named("jwks-url"))
    }

    /// OpenID Connect discovery: fetches `{issuer}/.well-known/openid-configuration`, checks
    /// that its `issuer` is exactly `issuer`, and verifies with the JWK Set at its `jwks_uri`
    /// (as [`from_jwks_url`](Self::from_jwks_url)). Tokens must carry `iss` = `issuer`: it is
    /// added to `validation`.
    ///
    /// # Errors
    /// [`InitError::Discovery`] when the document cannot be fetched or read or names another
    /// issuer; [`InitError::Url`] for an issuer or `jwks_uri` that may not be fetched.
    pub async fn from_oidc(issuer: &str, validation: Validation) -> Result<Self, InitError> {
        Self::from_oidc_with(
            issuer,
            validation,
            HttpConfig::default(),
            StorePolicy::default(),
        )
        .await
    }

    /// As [`from_oidc`](Self::from_oidc), with this HTTP configuration (for the discovery
    /// document and the JWK Set) and store policy.
    ///
    /// # Errors
    /// As [`from_oidc`](Self::from_oidc).
    pub async fn from_oidc_with(
        issuer: &str,
        validation: Validation,
        http: HttpConfig,
        policy: StorePolicy,
    ) -> Result<Self, InitError> {
        let metadata = ProviderMetadata::discover(issuer, &http).await?;
        let fetcher = HttpFetcher::new(&metadata.jwks_uri, http)?;
        Ok(Self::from_key_store(
            http_store(fetcher, policy),
            validation.with_issuer(metadata.issuer),
        )
        .named("oidc"))
    }

    /// The settings to change: this handle's own (copied if it has clones, whose settings,
    /// and layers made before, stay as they were).
    fn inner_mut(&mut self) -> &mut Inner<T> {
        Arc::make_mut(&mut self.inner)
    }

    /// Names this authorizer in traces (`authorizer` field); by default its key source
    /// (`keys`, `jwks`, `jwks-url`, `oidc`, `key-store`).
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.inner_mut().name = name.into();
        self
    }

    /// Adds a claims check: a valid token whose claims fail it is refused with 403
    /// `insufficient_scope`. Checks run in order, after the token is verified.
    #[must_use]
    pub fn check(mut self, check: impl Fn(&Claims<T>) -> bool + Send + Sync + 'static) -> Self {
        self.inner_mut().checks.push(Arc::new(Check {
            scope: None,
            check: Box::new(check),
        }));
        self
    }

    /// As [`check`](Self::check), naming the scope it requires in the 403 challenge
    /// (`scope="..."`, RFC 6750 §3).
    #[must_use]
    pub fn check_scope(
        mut self,
        scope: impl Into<String>,
        check: impl Fn(&Claims<T>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.inner_mut().checks.push(Arc::new(Check {
            scope: Some(scope.into()),
            check: Box::new(check),
        }));
        self
    }

    /// Also takes the token from the cookie `name` when the request has no
    /// `Authorization: Bearer` header (the header wins). Protect such routes against
    /// cross-site requests (SameSite cookies, CSRF tokens): a browser sends cookies by itself.
    #[must_use]
    pub fn with_cookie(mut self, name: impl Into<String>) -> Self {
        self.inner_mut().cookie = Some(name.into());
        self
    }

    /// Names `realm` in the `WWW-Authenticate` challenges.
    #[must_use]
    pub fn with_realm(mut self, realm: impl Into<String>) -> Self {
        self.inner_mut().realm = Some(realm.into());
        self
    }

    /// The name used in traces.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    pub(crate) fn cookie(&self) -> Option<&str> {
        self.inner.cookie.as_deref()
    }

    pub(crate) fn realm(&self) -> Option<String> {
        self.inner.realm.clone()
    }

    /// Verifies `token` and runs the claims checks.
    ///
    /// # Errors
    /// [`AuthError::InvalidToken`] (401), [`AuthError::InsufficientScope`] (403), or
    /// [`AuthError::KeysUnavailable`] (503) when the token's key is unknown and the key store's
    /// last fetch failed.
    pub async fn authorize(&self, token: &str) -> Result<Token<T>, AuthError> {
        let inner = &*self.inner;
        let verified = inner.keys.decode(token, &inner.validation).await;
        let token = match verified {
            Ok(token) => token,
            Err(error) => return Err(self.refusal(&error)),
        };
        for check in &inner.checks {
            if !(check.check)(token.claims()) {
                tracing::info!(
                    authorizer = %inner.name,
                    scope = check.scope.as_deref().unwrap_or("-"),
                    "token refused by a claims check"
                );
                return Err(AuthError::InsufficientScope {
                    scope: check.scope.clone(),
                    realm: inner.realm.clone(),
                });
            }
        }
        Ok(token)
    }

    /// The answer for a token webtoken refused; logs the kind (never the token's contents).
    fn refusal(&self, error: &webtoken::Error) -> AuthError {
        let inner = &*self.inner;
        let kind = error.kind();
        if kind == ErrorKind::UnknownKey {
            if let Some(fetch_error) = inner.keys.fetch_failed() {
                // The provider's failure, not the token's: the fetch error is ours to log.
                tracing::warn!(
                    authorizer = %inner.name,
                    fetch_error = %bounded_description(&fetch_error),
                    "token refused: its key is unknown and the JWK Set could not be fetched"
                );
                return AuthError::KeysUnavailable;
            }
        }
        tracing::info!(authorizer = %inner.name, kind = kind.as_str(), "token refused");
        // Unknown keys are described without the store's reason (it can name the provider's
        // URL and errors); every other message quotes the token only escaped and cut.
        let description = if kind == ErrorKind::UnknownKey {
            "unknown_key: no key of the issuer verifies this token".to_owned()
        } else {
            bounded_description(&format!("{}: {error}", kind.as_str()))
        };
        AuthError::InvalidToken {
            kind,
            description,
            realm: inner.realm.clone(),
        }
    }
}

/// A key store for the built-in fetcher, refreshing in tokio tasks when a runtime is there.
fn http_store(fetcher: HttpFetcher, policy: StorePolicy) -> KeyStore<HttpFetcher> {
    KeyStore::new(fetcher)
        .with_policy(policy)
        .with_spawner(|refresh| {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                drop(runtime.spawn(refresh));
            }
            // Without a runtime the refresh future is dropped unrun: the store records the
            // attempt as cancelled and the next lookup after the cooldown tries again.
        })
}
