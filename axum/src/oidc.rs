//! OpenID Connect discovery (OpenID Connect Discovery 1.0 §4): the provider's metadata, of
//! which the authorizer needs `issuer` and `jwks_uri`.

use serde::Deserialize;

use crate::error::InitError;
use crate::http::{HttpConfig, HttpFetcher};

/// The provider metadata that discovery reads (other members are ignored).
///
/// ```no_run
/// use webtoken_axum::{HttpConfig, ProviderMetadata};
///
/// # async fn run() -> Result<(), webtoken_axum::InitError> {
/// let metadata = ProviderMetadata::discover("https://id.example", &HttpConfig::new()).await?;
/// assert_eq!(metadata.issuer, "https://id.example");
/// println!("keys at {}", metadata.jwks_uri);
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// `issuer`: equal to the issuer the document was fetched for.
    pub issuer: String,
    /// `jwks_uri`: the provider's JWK Set.
    pub jwks_uri: String,
    /// `id_token_signing_alg_values_supported`, if given.
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
}

impl ProviderMetadata {
    /// Fetches `{issuer}/.well-known/openid-configuration` with the limits of `http` and checks
    /// that the document's `issuer` is exactly `issuer` (a provider that answers for another
    /// issuer, or a document an attacker placed, is refused) and that `jwks_uri` may be
    /// fetched under `http`.
    ///
    /// # Errors
    /// [`InitError::Url`] when the issuer or `jwks_uri` may not be fetched;
    /// [`InitError::Discovery`] when the document cannot be fetched, is not the JSON expected,
    /// or names another issuer.
    pub async fn discover(issuer: &str, http: &HttpConfig) -> Result<Self, InitError> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let fetcher = HttpFetcher::new(&url, *http)?;
        let document = fetcher
            .get()
            .await
            .map_err(|e| InitError::Discovery(e.message().to_owned()))?;
        let metadata: Self = serde_json::from_str(document.body())
            .map_err(|e| InitError::Discovery(format!("{url}: not provider metadata: {e}")))?;
        if metadata.issuer != issuer {
            return Err(InitError::Discovery(format!(
                "{url} names the issuer {:?}, not {issuer:?}",
                crate::error::bounded_description(&metadata.issuer)
            )));
        }
        http.check_url(&metadata.jwks_uri)?;
        Ok(metadata)
    }
}
