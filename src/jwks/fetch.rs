//! The fetchers the store calls, blocking ([`Fetch`]) or async ([`AsyncFetch`]), and the
//! error they report.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::message::Message;

/// A fetched JWK Set document, with how long its server said it stays fresh.
///
/// A fetcher returns the body as a `String` (which converts into this) or, when it knows the
/// response's freshness lifetime (HTTP `Cache-Control: max-age`), a document built with
/// [`with_max_age`](Self::with_max_age). The store then treats the set as due for a refresh
/// after that long instead of [`StorePolicy::max_age`](super::StorePolicy::max_age), bounded
/// to the policy: never sooner than `cooldown`, never later than `max_age`.
///
/// ```
/// use std::time::Duration;
/// use webtoken::jwks::FetchedDocument;
///
/// let document = FetchedDocument::new(r#"{"keys":[]}"#).with_max_age(Duration::from_secs(300));
/// assert_eq!(document.max_age(), Some(Duration::from_secs(300)));
/// assert_eq!(FetchedDocument::from(String::from("{}")).max_age(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedDocument {
    body: String,
    max_age: Option<Duration>,
}

impl FetchedDocument {
    /// A document without a freshness lifetime: the policy's `max_age` applies.
    pub fn new(body: impl Into<String>) -> Self {
        Self {
            body: body.into(),
            max_age: None,
        }
    }

    /// The same document, fresh for `max_age` according to its server.
    #[must_use]
    pub fn with_max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// The document's body.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// How long the server said the document stays fresh, if it said.
    pub fn max_age(&self) -> Option<Duration> {
        self.max_age
    }
}

impl From<String> for FetchedDocument {
    fn from(body: String) -> Self {
        Self::new(body)
    }
}

/// A failed fetch of the JWK Set document, as the fetcher reports it.
///
/// Its `Display` is `fetching the JWK Set failed: MESSAGE`, with control characters of the
/// message escaped and a long message cut (its full length in bytes is given), as every
/// message of the crate shows free text; [`message`](Self::message) returns it unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("fetching the JWK Set failed: {}", Message(message))]
pub struct FetchError {
    message: String,
}

impl FetchError {
    /// A fetch error with this message (for example an I/O error or an HTTP status).
    pub fn new(message: impl fmt::Display) -> Self {
        Self {
            message: message.to_string(),
        }
    }

    /// The message, as given (not escaped).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The message, as given, for the store to keep.
    pub(super) fn into_message(self) -> String {
        self.message
    }
}

/// A blocking fetcher: returns the JWK Set document (the body of the JWKS URL).
///
/// Any `Fn() -> Result<String, FetchError>` closure is a fetcher. It should use a timeout.
pub trait Fetch: Send + Sync {
    /// Fetches the document.
    ///
    /// # Errors
    /// A [`FetchError`] describing what failed.
    fn fetch(&self) -> Result<String, FetchError>;

    /// Fetches the document with its freshness lifetime, if known; what the store calls. By
    /// default [`fetch`](Self::fetch), without one.
    ///
    /// # Errors
    /// A [`FetchError`] describing what failed.
    fn fetch_document(&self) -> Result<FetchedDocument, FetchError> {
        self.fetch().map(FetchedDocument::from)
    }
}

impl<F: Fn() -> Result<String, FetchError> + Send + Sync> Fetch for F {
    fn fetch(&self) -> Result<String, FetchError> {
        self()
    }
}

/// An async fetcher: returns the JWK Set document (the body of the JWKS URL).
///
/// Any `Fn() -> impl Future<Output = Result<String, FetchError>> + Send` closure is one, so an
/// HTTP client of any runtime fits:
///
/// ```no_run
/// # async fn get(_: &str) -> Result<String, std::io::Error> { Ok(String::new()) }
/// use webtoken::jwks::{FetchError, KeyStore};
///
/// let store = KeyStore::new(|| async {
///     get("https://id.example/.well-known/jwks.json").await.map_err(FetchError::new)
/// });
/// # let _ = store;
/// ```
pub trait AsyncFetch: Send + Sync {
    /// Fetches the document.
    fn fetch(&self) -> impl Future<Output = Result<String, FetchError>> + Send;

    /// Fetches the document with its freshness lifetime, if known; what the store calls. By
    /// default [`fetch`](Self::fetch), without one.
    fn fetch_document(&self) -> impl Future<Output = Result<FetchedDocument, FetchError>> + Send {
        let fetch = self.fetch();
        async move { fetch.await.map(FetchedDocument::from) }
    }
}

impl<F, Fut> AsyncFetch for F
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = Result<String, FetchError>> + Send,
{
    fn fetch(&self) -> impl Future<Output = Result<String, FetchError>> + Send {
        self()
    }
}

/// The future of a boxed fetch: what [`BoxedAsyncFetcher::new`] accepts from its closure
/// (any `Send + 'static` future of a `Result<String, FetchError>` or of a
/// `Result<FetchedDocument, FetchError>` does too).
pub type BoxFetchFuture = Pin<Box<dyn Future<Output = Result<String, FetchError>> + Send>>;

/// The boxed future a [`BoxedAsyncFetcher`] runs.
type BoxDocumentFuture = Pin<Box<dyn Future<Output = Result<FetchedDocument, FetchError>> + Send>>;

/// A background refresh, handed to the spawner of
/// [`KeyStore::with_spawner`](super::KeyStore::with_spawner) to run to the end.
pub type RefreshFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// An async fetcher whose type can be named (a closure's cannot), for a `KeyStore` kept in a
/// struct or in a web framework's state: `KeyStore<BoxedAsyncFetcher>`. It wraps any closure
/// that returns a `Send + 'static` future of the document (`String`, or [`FetchedDocument`]
/// with its `Cache-Control: max-age`), boxing each future. Cloning it is a reference count.
///
/// A web service keeps the store in its shared state (for axum, `State<AppState>`) and
/// decodes with [`decode_async`](super::KeyStore::decode_async); `http_get` stands for your
/// HTTP client's GET, with a timeout:
///
/// ```
/// use webtoken::jwks::{BoxedAsyncFetcher, FetchError, FetchedDocument};
/// use webtoken::{KeyStore, Validation};
///
/// #[derive(Clone)]
/// struct AppState {
///     keys: KeyStore<BoxedAsyncFetcher>,
///     validation: Validation,
/// }
///
/// async fn subject(state: &AppState, jwt: &str) -> Result<String, webtoken::Error> {
///     let token = state.keys.decode_async::<()>(jwt, &state.validation).await?;
///     Ok(token.claims().subject.clone().unwrap_or_default())
/// }
///
/// async fn http_get(url: &str) -> Result<String, std::io::Error> {
///     Err(std::io::Error::other(format!("no network in this example: {url}")))
/// }
///
/// let fetcher = BoxedAsyncFetcher::new(|| async {
///     let body = http_get("https://id.example/.well-known/jwks.json").await.map_err(FetchError::new)?;
///     Ok::<_, FetchError>(FetchedDocument::new(body))
/// });
/// let state = AppState {
///     keys: KeyStore::new(fetcher),
///     validation: Validation::new().with_issuer("https://id.example"),
/// };
/// # let _ = subject(&state, "");
/// ```
#[derive(Clone)]
pub struct BoxedAsyncFetcher(Arc<dyn Fn() -> BoxDocumentFuture + Send + Sync>);

impl BoxedAsyncFetcher {
    /// Wraps a closure that returns a future of the document (a [`BoxFetchFuture`], an
    /// `async` block, ...): a `String`, or a [`FetchedDocument`].
    pub fn new<Fut, D>(fetch: impl Fn() -> Fut + Send + Sync + 'static) -> Self
    where
        Fut: Future<Output = Result<D, FetchError>> + Send + 'static,
        D: Into<FetchedDocument>,
    {
        Self(Arc::new(move || {
            let fetch = fetch();
            Box::pin(async move { fetch.await.map(Into::into) })
        }))
    }
}

impl fmt::Debug for BoxedAsyncFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoxedAsyncFetcher").finish_non_exhaustive()
    }
}

impl AsyncFetch for BoxedAsyncFetcher {
    fn fetch(&self) -> impl Future<Output = Result<String, FetchError>> + Send {
        let fetch = (self.0)();
        async move { fetch.await.map(|document| document.body) }
    }

    fn fetch_document(&self) -> impl Future<Output = Result<FetchedDocument, FetchError>> + Send {
        (self.0)()
    }
}
