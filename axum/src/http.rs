//! The built-in fetcher of JWK Sets and discovery documents: one GET with a connect timeout, a
//! total timeout, a response size limit and a bounded number of redirects, over HTTPS (plain
//! HTTP only to loopback unless allowed), reading `Cache-Control: max-age`.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;

use reqwest::header::{ACCEPT, AGE, CACHE_CONTROL, CONTENT_LENGTH};
use reqwest::{Client, Url, redirect};
use url::Host;
use webtoken::jwks::{AsyncFetch, FetchError, FetchedDocument};

use crate::error::InitError;

/// How the built-in fetcher talks to the identity provider.
///
/// | setting | default |
/// |---|---|
/// | `connect_timeout` | 5 s |
/// | `timeout` (whole request, body included) | 10 s |
/// | `max_body` | 256 KiB (the key store's default document limit) |
/// | `max_redirects` | 3 (an `https` → `http` redirect is never followed) |
/// | `allow_insecure_http` | `false`: plain `http` only to loopback (`127.0.0.0/8`, `::1`, `localhost`) |
///
/// ```
/// use std::time::Duration;
/// use webtoken_axum::HttpConfig;
///
/// let config = HttpConfig::new().with_timeout(Duration::from_secs(3)).with_max_redirects(0);
/// assert_eq!(config.max_body, 256 * 1024);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpConfig {
    /// How long connecting (TCP and TLS) may take.
    pub connect_timeout: Duration,
    /// How long the whole request may take, from connecting to the last byte of the body.
    pub timeout: Duration,
    /// The largest response body accepted, in bytes; a larger one fails the fetch without
    /// being read further.
    pub max_body: usize,
    /// How many redirects are followed.
    pub max_redirects: usize,
    /// Whether plain `http` URLs to hosts other than loopback are allowed (never in
    /// production: anyone on the path could serve their own keys).
    pub allow_insecure_http: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_body: 256 * 1024,
            max_redirects: 3,
            allow_insecure_http: false,
        }
    }
}

impl HttpConfig {
    /// The defaults (see the table above).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`connect_timeout`](Self::connect_timeout).
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets [`timeout`](Self::timeout).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`max_body`](Self::max_body).
    #[must_use]
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Sets [`max_redirects`](Self::max_redirects).
    #[must_use]
    pub fn with_max_redirects(mut self, redirects: usize) -> Self {
        self.max_redirects = redirects;
        self
    }

    /// Sets [`allow_insecure_http`](Self::allow_insecure_http).
    #[must_use]
    pub fn with_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Parses `url` and checks that this configuration may fetch it.
    pub(crate) fn check_url(&self, url: &str) -> Result<Url, InitError> {
        let parsed = Url::parse(url).map_err(|e| InitError::Url(format!("{url:?}: {e}")))?;
        if self.allows(&parsed) {
            Ok(parsed)
        } else {
            Err(InitError::Url(format!(
                "{url:?}: only https, or http to a loopback address, is fetched"
            )))
        }
    }

    fn allows(&self, url: &Url) -> bool {
        match url.scheme() {
            "https" => true,
            "http" => self.allow_insecure_http || is_loopback(url),
            _ => false,
        }
    }

    fn client(&self) -> Result<Client, InitError> {
        let config = *self;
        let policy = redirect::Policy::custom(move |attempt| {
            let downgrade = attempt
                .previous()
                .last()
                .is_some_and(|from| from.scheme() == "https" && attempt.url().scheme() != "https");
            if attempt.previous().len() > config.max_redirects {
                attempt.error(format!("more than {} redirects", config.max_redirects))
            } else if downgrade || !config.allows(attempt.url()) {
                attempt.error("a redirect to a URL that may not be fetched")
            } else {
                attempt.follow()
            }
        });
        Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .redirect(policy)
            .build()
            .map_err(|e| InitError::Client(e.to_string()))
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// An [`AsyncFetch`] that GETs one URL with the limits of an [`HttpConfig`]: what
/// [`Authorizer::from_jwks_url`](crate::Authorizer::from_jwks_url) and
/// [`Authorizer::from_oidc`](crate::Authorizer::from_oidc) use. Its type can be named, so a
/// `KeyStore<HttpFetcher>` fits in a struct or in axum's state. Cloning it is cheap.
///
/// A response other than 2xx, a body over `max_body`, a body that is not UTF-8, a timeout or
/// too many redirects fail the fetch; the store keeps its current set. The document's
/// `Cache-Control: max-age` (less its `Age`; `no-cache` and `no-store` count as 0) is handed to
/// the store, which applies it within its policy (between `cooldown` and `max_age`).
///
/// ```
/// use webtoken::jwks::StorePolicy;
/// use webtoken::KeyStore;
/// use webtoken_axum::{HttpConfig, HttpFetcher};
///
/// let fetcher = HttpFetcher::new("https://id.example/.well-known/jwks.json", HttpConfig::new())?;
/// let store: KeyStore<HttpFetcher> = KeyStore::new(fetcher).with_policy(StorePolicy::new());
/// # let _ = store;
/// # Ok::<(), webtoken_axum::InitError>(())
/// ```
#[derive(Clone)]
pub struct HttpFetcher {
    url: Url,
    client: Client,
    max_body: usize,
    timeout: Duration,
}

impl fmt::Debug for HttpFetcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpFetcher")
            .field("url", &self.url.as_str())
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl HttpFetcher {
    /// A fetcher of `url`.
    ///
    /// # Errors
    /// [`InitError::Url`] when the URL does not parse or may not be fetched (not https, nor
    /// http to loopback unless allowed); [`InitError::Client`] when the client cannot be built.
    pub fn new(url: &str, config: HttpConfig) -> Result<Self, InitError> {
        Ok(Self {
            url: config.check_url(url)?,
            client: config.client()?,
            max_body: config.max_body,
            timeout: config.timeout,
        })
    }

    /// The URL fetched.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// GETs the URL: the body and its freshness lifetime.
    ///
    /// # Errors
    /// A [`FetchError`] naming the URL and what failed.
    pub async fn get(&self) -> Result<FetchedDocument, FetchError> {
        let url = self.url.as_str();
        let fail = |what: &dyn fmt::Display| FetchError::new(format!("GET {url}: {what}"));
        // reqwest's own timeout covers the request; this one bounds everything else too.
        let body = tokio::time::timeout(self.timeout, self.get_body())
            .await
            .map_err(|_| fail(&format!("no complete answer within {:?}", self.timeout)))?
            .map_err(|e| fail(&e))?;
        let max_age = body.1;
        let document = FetchedDocument::new(body.0);
        Ok(match max_age {
            Some(age) => document.with_max_age(age),
            None => document,
        })
    }

    async fn get_body(&self) -> Result<(String, Option<Duration>), String> {
        let mut response = self
            .client
            .get(self.url.clone())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| error_chain(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("HTTP status {status}"));
        }
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max_body as u64) {
            return Err(format!(
                "the body is {} bytes, larger than the limit of {}",
                declared.unwrap_or_default(),
                self.max_body
            ));
        }
        let max_age = freshness(response.headers());
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| error_chain(&e))? {
            if body.len() + chunk.len() > self.max_body {
                return Err(format!(
                    "the body is larger than the limit of {} bytes",
                    self.max_body
                ));
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
        Ok((body, max_age))
    }
}

/// The error and its sources, for a log line (reqwest's own `Display` omits the cause).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The response's freshness lifetime: `Cache-Control: max-age` less `Age`, 0 for `no-cache`
/// or `no-store`; `None` without either.
pub(crate) fn freshness(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let mut max_age = None;
    for value in headers.get_all(CACHE_CONTROL) {
        let Ok(value) = value.to_str() else {
            continue;
        };
        for directive in value.split(',') {
            let directive = directive.trim();
            let (name, arg) = directive.split_once('=').unwrap_or((directive, ""));
            if name.eq_ignore_ascii_case("no-cache") || name.eq_ignore_ascii_case("no-store") {
                return Some(Duration::ZERO);
            }
            if name.eq_ignore_ascii_case("max-age") {
                // Digits only (RFC 9111 §1.2.2); a value too large for u64 is "very long".
                let arg = arg.trim_matches('"');
                if !arg.is_empty() && arg.bytes().all(|b| b.is_ascii_digit()) {
                    max_age = Some(arg.parse::<u64>().unwrap_or(u64::MAX));
                }
            }
        }
    }
    let age = headers
        .get(AGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    max_age.map(|m| Duration::from_secs(m.saturating_sub(age)))
}

impl AsyncFetch for HttpFetcher {
    fn fetch(&self) -> impl Future<Output = Result<String, FetchError>> + Send {
        let this = self.clone();
        async move { this.get().await.map(|d| d.body().to_owned()) }
    }

    fn fetch_document(&self) -> impl Future<Output = Result<FetchedDocument, FetchError>> + Send {
        let this = self.clone();
        async move { this.get().await }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn cache_control_max_age() {
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(freshness(&headers(&[])), None);
        assert_eq!(
            freshness(&headers(&[("cache-control", "public, max-age=300")])),
            secs(300)
        );
        assert_eq!(
            freshness(&headers(&[("cache-control", "Max-Age=\"60\"")])),
            secs(60)
        );
        assert_eq!(
            freshness(&headers(&[
                ("cache-control", "max-age=300"),
                ("age", "100")
            ])),
            secs(200)
        );
        assert_eq!(
            freshness(&headers(&[("cache-control", "max-age=10"), ("age", "100")])),
            secs(0)
        );
        assert_eq!(
            freshness(&headers(&[("cache-control", "no-store, max-age=300")])),
            secs(0)
        );
        assert_eq!(
            freshness(&headers(&[("cache-control", "max-age=-1")])),
            None
        );
        assert_eq!(
            freshness(&headers(&[("cache-control", "max-age=1e3")])),
            None
        );
        assert_eq!(
            freshness(&headers(&[(
                "cache-control",
                "max-age=99999999999999999999999"
            )])),
            secs(u64::MAX)
        );
    }

    #[test]
    fn urls_must_be_https_or_loopback() {
        let config = HttpConfig::new();
        for ok in [
            "https://id.example/jwks",
            "http://127.0.0.1:8080/jwks",
            "http://127.3.4.5/jwks",
            "http://[::1]:9/jwks",
            "http://localhost/jwks",
        ] {
            assert!(config.check_url(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://id.example/jwks",
            "http://10.0.0.1/jwks",
            "ftp://id.example/jwks",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(
                matches!(config.check_url(refused), Err(InitError::Url(_))),
                "{refused}"
            );
        }
        assert!(
            config
                .with_insecure_http(true)
                .check_url("http://id.example/jwks")
                .is_ok()
        );
    }
}
