//! The JOSE header (RFC 7515 §4): typed registered parameters plus a map of extra ones.
//!
//! `alg` is never set by the caller: [`encode`](crate::encode) writes the signing key's
//! algorithm, and a decoded header carries the algorithm that was verified. Parsing rejects
//! duplicate member names (in nested objects too) and records wrongly typed registered
//! parameters so that [`decode`](crate::decode) can report them in the order of the security
//! policy.
//!
//! The header is read before the signature is checked, so what it may ask for is capped: at
//! most [`MAX_HEADER_BYTES`] of JSON, at most [`MAX_CRITICAL_NAMES`] names in `crit`, values nested at most [`MAX_HEADER_DEPTH`]
//! levels, at most [`MAX_HEADER_VALUES`] members and array elements in all. A header past a
//! cap is `malformed`. Within the caps, parsing and checking it is linear in its length.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::algorithm::Algorithm;

mod parse;

pub(crate) use parse::{AlgField, ParsedHeader};

/// A JOSE header.
///
/// ```
/// use webtoken::Header;
///
/// let header = Header::new().with_key_id("2024-06").with_type("at+jwt");
/// assert_eq!(header.key_id(), Some("2024-06"));
/// assert_eq!(header.token_type(), Some("at+jwt"));
/// assert_eq!(header.algorithm(), None); // written by `encode` from the key
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Header {
    algorithm: Option<Algorithm>,
    /// Borrowed for the common values (`JWT`, `at+jwt`), so neither building nor decoding the
    /// usual header allocates.
    token_type: Option<Cow<'static, str>>,
    content_type: Option<String>,
    key_id: Option<String>,
    /// The parameters few tokens carry, boxed so that the header moves cheaply through the
    /// decode pipeline. Never `Some` with every field empty.
    rare: Option<Box<RareParameters>>,
    extra: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct RareParameters {
    critical: Option<Vec<String>>,
    jwk_set_url: Option<String>,
    jwk: Option<Value>,
    x509_url: Option<String>,
    x509_chain: Option<Vec<String>>,
    x509_sha1_thumbprint: Option<String>,
    x509_sha256_thumbprint: Option<String>,
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rare = self.rare.as_deref();
        f.debug_struct("Header")
            .field("algorithm", &self.algorithm)
            .field("token_type", &self.token_type())
            .field("content_type", &self.content_type)
            .field("key_id", &self.key_id)
            .field("critical", &rare.and_then(|r| r.critical.as_ref()))
            .field("jwk_set_url", &rare.and_then(|r| r.jwk_set_url.as_ref()))
            .field("jwk", &rare.and_then(|r| r.jwk.as_ref()))
            .field("x509_url", &rare.and_then(|r| r.x509_url.as_ref()))
            .field("x509_chain", &rare.and_then(|r| r.x509_chain.as_ref()))
            .field(
                "x509_sha1_thumbprint",
                &rare.and_then(|r| r.x509_sha1_thumbprint.as_ref()),
            )
            .field(
                "x509_sha256_thumbprint",
                &rare.and_then(|r| r.x509_sha256_thumbprint.as_ref()),
            )
            .field("extra", &self.extra)
            .finish()
    }
}

/// `typ` values common enough to be kept without allocating.
fn common_type(token_type: &str) -> Option<&'static str> {
    ["JWT", "at+jwt"].into_iter().find(|t| *t == token_type)
}

/// The decoded header (its JSON) is at most this many bytes. Ample for any header a token
/// needs, an `x5c` chain of a few certificates included; it bounds what the header's JSON
/// costs before the signature is checked.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// At most this many names in `crit` (a header lists the extensions it uses; webtoken
/// implements none, so any list is refused, but a longer one is refused as malformed).
pub const MAX_CRITICAL_NAMES: usize = 64;

/// Objects and arrays inside header parameter values nest at most this deep (the header
/// object itself not counted): `{"x":[[1]]}` nests 2 levels.
pub const MAX_HEADER_DEPTH: usize = 16;

/// A header holds at most this many members and array elements, at all depths together
/// (the parameters themselves included).
pub const MAX_HEADER_VALUES: usize = 256;

/// The registered header parameter names of RFC 7515 §4.1 (which `crit` may not list).
pub(crate) const REGISTERED: [&str; 11] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];

impl Header {
    /// A header with `typ` set to `"JWT"` (RFC 7519 §5.1), the usual choice for JWTs.
    ///
    /// ```
    /// use webtoken::{Algorithm, Claims, Header, SigningKey, UntrustedToken};
    ///
    /// let key = SigningKey::hmac(b"a 32-byte secret, for examples!!", Algorithm::Hs256)?;
    /// let jwt = webtoken::encode(&Header::new(), &Claims::new(()), &key)?;
    /// // {"alg":"HS256","typ":"JWT"}
    /// assert!(jwt.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."));
    /// assert_eq!(UntrustedToken::parse(&jwt)?.header().token_type(), Some("JWT"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn new() -> Self {
        Self {
            token_type: Some(Cow::Borrowed("JWT")),
            ..Self::default()
        }
    }

    /// A header with no parameters at all (only `alg` will be written).
    ///
    /// ```
    /// use webtoken::{Algorithm, Claims, Header, SigningKey};
    ///
    /// let key = SigningKey::hmac(b"a 32-byte secret, for examples!!", Algorithm::Hs256)?;
    /// let jwt = webtoken::encode(&Header::empty(), &Claims::new(()), &key)?;
    /// assert!(jwt.starts_with("eyJhbGciOiJIUzI1NiJ9.")); // {"alg":"HS256"}
    /// assert_eq!(Header::empty().token_type(), None);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn empty() -> Self {
        Self::default()
    }

    /// Sets `typ`, the media type of the whole token (RFC 7515 §4.1.9). Use distinct types for
    /// distinct kinds of tokens, such as `"at+jwt"` for access tokens (RFC 9068, RFC 8725 §3.11).
    /// A verifier requires it with [`Validation::with_type`](crate::Validation::with_type).
    ///
    /// ```
    /// use webtoken::Header;
    ///
    /// let header = Header::new().with_type("at+jwt");
    /// assert_eq!(header.token_type(), Some("at+jwt"));
    /// ```
    #[must_use]
    pub fn with_type(mut self, token_type: impl Into<String>) -> Self {
        let token_type = token_type.into();
        self.token_type = Some(match common_type(&token_type) {
            Some(common) => Cow::Borrowed(common),
            None => Cow::Owned(token_type),
        });
        self
    }

    /// Removes `typ`.
    ///
    /// ```
    /// use webtoken::Header;
    ///
    /// assert_eq!(Header::new().without_type(), Header::empty());
    /// ```
    #[must_use]
    pub fn without_type(mut self) -> Self {
        self.token_type = None;
        self
    }

    /// Sets `cty`, the media type of the payload (RFC 7515 §4.1.10).
    ///
    /// ```
    /// use webtoken::Header;
    ///
    /// let header = Header::new().with_content_type("JWT"); // a nested JWT (RFC 7519 §5.2)
    /// assert_eq!(header.content_type(), Some("JWT"));
    /// ```
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Sets `kid`, the hint that tells the verifier which of its keys to use.
    ///
    /// A signing key with an id ([`SigningKey::with_key_id`](crate::SigningKey::with_key_id))
    /// writes its own `kid`, which is usually what you want.
    ///
    /// ```
    /// use webtoken::{Algorithm, Claims, Header, SigningKey, UntrustedToken};
    ///
    /// let key = SigningKey::hmac(b"a 32-byte secret, for examples!!", Algorithm::Hs256)?;
    /// let jwt = webtoken::encode(&Header::new().with_key_id("2025-01"), &Claims::new(()), &key)?;
    /// assert_eq!(UntrustedToken::parse(&jwt)?.header().key_id(), Some("2025-01"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    #[must_use]
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// Adds a parameter that is not registered (a public or private header parameter).
    ///
    /// Registered names (`alg`, `kid`, `crit`, …) are not accepted here; use the typed
    /// builders. Returns the header unchanged for such a name.
    ///
    /// ```
    /// use webtoken::Header;
    ///
    /// let header = Header::new()
    ///     .with_extra("tenant", "acme")
    ///     .with_extra("kid", "ignored: registered names have their own builders");
    /// assert_eq!(header.extra()["tenant"], "acme");
    /// assert_eq!(header.key_id(), None);
    /// assert!(!header.extra().contains_key("kid"));
    /// ```
    #[must_use]
    pub fn with_extra(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        let name = name.into();
        if !REGISTERED.contains(&name.as_str()) {
            self.extra.insert(name, value.into());
        }
        self
    }

    /// `alg`: the algorithm, when the header was decoded or encoded.
    ///
    /// ```
    /// use webtoken::{Algorithm, Claims, Header, SigningKey, UntrustedToken};
    ///
    /// assert_eq!(Header::new().algorithm(), None); // the signing key chooses
    /// let key = SigningKey::hmac([7u8; 48], Algorithm::Hs384)?; // HS384: 48 bytes at least
    /// let jwt = webtoken::encode(&Header::new(), &Claims::new(()), &key)?;
    /// assert_eq!(UntrustedToken::parse(&jwt)?.header().algorithm(), Some(Algorithm::Hs384));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.algorithm
    }

    /// `typ`: the media type of the token.
    #[inline]
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// `cty`: the media type of the payload.
    #[inline]
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// `kid`: the key id.
    #[inline]
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// `crit`: extensions the recipient must understand.
    pub fn critical(&self) -> Option<&[String]> {
        self.rare.as_ref().and_then(|r| r.critical.as_deref())
    }

    /// `jku`: a JWK Set URL. Informational only: webtoken never fetches it.
    pub fn jwk_set_url(&self) -> Option<&str> {
        self.rare.as_ref().and_then(|r| r.jwk_set_url.as_deref())
    }

    /// `jwk`: an embedded public key. Informational only: webtoken never verifies with it.
    pub fn jwk(&self) -> Option<&Value> {
        self.rare.as_ref().and_then(|r| r.jwk.as_ref())
    }

    /// `x5u`: an X.509 URL. Informational only: webtoken never fetches it.
    pub fn x509_url(&self) -> Option<&str> {
        self.rare.as_ref().and_then(|r| r.x509_url.as_deref())
    }

    /// `x5c`: an X.509 certificate chain (base64 DER). Informational only: never trusted.
    pub fn x509_chain(&self) -> Option<&[String]> {
        self.rare.as_ref().and_then(|r| r.x509_chain.as_deref())
    }

    /// `x5t`: the SHA-1 thumbprint of an X.509 certificate.
    pub fn x509_sha1_thumbprint(&self) -> Option<&str> {
        self.rare
            .as_ref()
            .and_then(|r| r.x509_sha1_thumbprint.as_deref())
    }

    /// `x5t#S256`: the SHA-256 thumbprint of an X.509 certificate.
    pub fn x509_sha256_thumbprint(&self) -> Option<&str> {
        self.rare
            .as_ref()
            .and_then(|r| r.x509_sha256_thumbprint.as_deref())
    }

    /// Parameters that are not registered, by name.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// Stores a rare string parameter, boxing the rare parameters only when there is one.
    fn set_rare(
        &mut self,
        value: Option<String>,
        slot: fn(&mut RareParameters) -> &mut Option<String>,
    ) {
        if value.is_some() {
            *slot(self.rare_mut()) = value;
        }
    }

    fn rare_mut(&mut self) -> &mut RareParameters {
        self.rare.get_or_insert_with(Box::default)
    }

    pub(crate) fn set_algorithm(&mut self, algorithm: Algorithm) {
        self.algorithm = Some(algorithm);
    }

    fn has_member(&self, name: &str) -> bool {
        match name {
            "alg" => self.algorithm.is_some(),
            "typ" => self.token_type.is_some(),
            "cty" => self.content_type.is_some(),
            "kid" => self.key_id.is_some(),
            "crit" => self.critical().is_some(),
            "jku" => self.jwk_set_url().is_some(),
            "jwk" => self.jwk().is_some(),
            "x5u" => self.x509_url().is_some(),
            "x5c" => self.x509_chain().is_some(),
            "x5t" => self.x509_sha1_thumbprint().is_some(),
            "x5t#S256" => self.x509_sha256_thumbprint().is_some(),
            other => self.extra.contains_key(other),
        }
    }
}

/// Written with `alg` first, then the registered parameters, then the extra ones.
impl Serialize for Header {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize_with(self.algorithm, self.key_id.as_deref(), serializer)
    }
}

impl Header {
    /// Whether the header has no parameter but `alg`, `typ`, `cty` and `kid` (the shapes
    /// signing writes by hand).
    #[inline]
    pub(crate) fn is_basic(&self) -> bool {
        self.rare.is_none() && self.extra.is_empty()
    }

    /// Serializes the header with this `alg` and `kid` (signing: the key's).
    pub(crate) fn serialize_with<S: Serializer>(
        &self,
        algorithm: Option<Algorithm>,
        key_id: Option<&str>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(alg) = algorithm {
            map.serialize_entry("alg", alg.as_str())?;
        }
        macro_rules! opt {
            ($name:literal, $field:expr) => {
                if let Some(v) = &$field {
                    map.serialize_entry($name, v)?;
                }
            };
        }
        opt!("typ", self.token_type);
        opt!("cty", self.content_type);
        if let Some(kid) = key_id {
            map.serialize_entry("kid", kid)?;
        }
        if let Some(rare) = &self.rare {
            opt!("jku", rare.jwk_set_url);
            opt!("jwk", rare.jwk);
            opt!("x5u", rare.x509_url);
            opt!("x5c", rare.x509_chain);
            opt!("x5t", rare.x509_sha1_thumbprint);
            opt!("x5t#S256", rare.x509_sha256_thumbprint);
            opt!("crit", rare.critical);
        }
        for (k, v) in &self.extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests;
