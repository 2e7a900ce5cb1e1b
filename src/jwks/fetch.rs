//! The fetchers the store calls, blocking ([`Fetch`]) or async ([`AsyncFetch`]), and the
//! error they report.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::message::Message;

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

/// The future an async fetcher of type [`BoxedAsyncFetcher`] returns.
pub type BoxFetchFuture = Pin<Box<dyn Future<Output = Result<String, FetchError>> + Send>>;

/// A background refresh, handed to the spawner of
/// [`KeyStore::with_spawner`](super::KeyStore::with_spawner) to run to the end.
pub type RefreshFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// An async fetcher whose type can be named (a closure's cannot), for a `KeyStore` kept in a
/// struct or in a web framework's state: `KeyStore<BoxedAsyncFetcher>`.
///
/// ```
/// use webtoken::jwks::{BoxedAsyncFetcher, FetchError, KeyStore};
///
/// struct AppState {
///     keys: KeyStore<BoxedAsyncFetcher>,
/// }
///
/// let fetcher = BoxedAsyncFetcher::new(|| {
///     Box::pin(async { Ok::<_, FetchError>(r#"{"keys":[]}"#.to_owned()) })
/// });
/// let state = AppState { keys: KeyStore::new(fetcher) };
/// # let _ = state.keys;
/// ```
#[derive(Clone)]
pub struct BoxedAsyncFetcher(Arc<dyn Fn() -> BoxFetchFuture + Send + Sync>);

impl BoxedAsyncFetcher {
    /// Wraps a closure that returns a boxed fetch future.
    pub fn new(fetch: impl Fn() -> BoxFetchFuture + Send + Sync + 'static) -> Self {
        Self(Arc::new(fetch))
    }
}

impl fmt::Debug for BoxedAsyncFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoxedAsyncFetcher").finish_non_exhaustive()
    }
}

impl AsyncFetch for BoxedAsyncFetcher {
    fn fetch(&self) -> impl Future<Output = Result<String, FetchError>> + Send {
        (self.0)()
    }
}
