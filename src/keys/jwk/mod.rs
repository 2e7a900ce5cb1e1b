//! JSON Web Keys (RFC 7517) for the key types of RFC 7518 §6 (`RSA`, `EC`, `oct`), RFC 8037
//! §2 (`OKP` Ed25519) and RFC 9964 (`AKP` ML-DSA), JWK Sets chosen by `kid` (RFC 7517 §5, RFC 8725 §3.10), and RFC 7638
//! thumbprints.
//!
//! # Parsing
//! Parsing is strict: `kty` and `crv` are exact and case-sensitive, every binary member is
//! canonical unpadded `base64url`, EC coordinates and private scalars have their fixed length
//! (RFC 7518 §6.2.1.2, §6.2.2.1), RSA integers have no leading zero octet (RFC 7518 §2,
//! `Base64urlUInt`), Ed25519 keys are 32 bytes, member names are unique, members of another key
//! type are refused, `use` and `key_ops` must agree (RFC 7517 §4.3), and `alg` must be a JWS
//! algorithm webtoken implements that fits the key's type and curve. `x5c`, `x5t`, `x5t#S256`,
//! `x5u` and unknown members are kept, written back when the key is serialized, and never used.
//!
//! The cryptographic checks (point on the curve, RSA modulus size and exponent, HMAC secret
//! length) run when a key is converted with [`Jwk::to_verifying_key`] or
//! [`Jwk::to_signing_key`], and when a [`JwkSet`] is loaded.
//!
//! # Key sets
//! See [`JwkSet`] for the loading rules (what is refused, what is skipped) and the lookup rules.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::VerifyingKey;
use super::kind::{self, Curve, KeyKind, MlDsa};
use crate::algorithm::{Algorithm, AlgorithmFamily, AlgorithmSet};
use crate::base64url;
use crate::error::{Error, KeyError};
use crate::keys::KeyErrorCategory;

mod convert;
mod parse;
mod read;
mod serialize;
mod set;
mod usage;

pub use set::{JwkSet, SkippedKey};

/// The key types (`kty`, RFC 7518 §6.1 and RFC 8037 §2) webtoken reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// `RSA`: RS256..RS512 and PS256..PS512.
    Rsa,
    /// `EC`: P-256 (ES256), P-384 (ES384), P-521 (ES512), secp256k1 (ES256K).
    Ec,
    /// `OKP`: Ed25519 (`EdDSA`, `Ed25519`).
    Okp,
    /// `oct`: an HMAC secret (HS256..HS512).
    Oct,
    /// `AKP`: an ML-DSA key (RFC 9964), whose `alg` names the parameter set.
    Akp,
}

impl KeyType {
    /// The exact `kty` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::Ec => "EC",
            Self::Okp => "OKP",
            Self::Oct => "oct",
            Self::Akp => "AKP",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "RSA" => Self::Rsa,
            "EC" => Self::Ec,
            "OKP" => Self::Okp,
            "oct" => Self::Oct,
            "AKP" => Self::Akp,
            _ => return None,
        })
    }

    /// The key-material members that belong to this key type.
    fn members(self) -> &'static [&'static str] {
        match self {
            Self::Rsa => &["n", "e", "d", "p", "q", "dp", "dq", "qi", "oth"],
            Self::Ec => &["crv", "x", "y", "d"],
            Self::Okp => &["crv", "x", "d"],
            Self::Oct => &["k"],
            Self::Akp => &["pub", "priv"],
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every key-material member name of every supported key type.
const MATERIAL_MEMBERS: [&str; 15] = [
    "n", "e", "d", "p", "q", "dp", "dq", "qi", "oth", "crv", "x", "y", "k", "pub", "priv",
];

/// The private members of asymmetric keys (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2; RFC 9964).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "priv"];

/// Secret bytes: compared and cloned, never printed.
#[derive(Clone, PartialEq, Eq)]
struct Secret(Vec<u8>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The CRT members of an RSA private key (RFC 7518 §6.3.2.2 to §6.3.2.6).
#[derive(Clone, Debug, PartialEq, Eq)]
struct RsaCrt {
    p: Secret,
    q: Secret,
    dp: Secret,
    dq: Secret,
    qi: Secret,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct RsaPrivate {
    d: Secret,
    crt: Option<RsaCrt>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Material {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
        private: Option<Box<RsaPrivate>>,
    },
    Ec {
        curve: Curve,
        x: Vec<u8>,
        y: Vec<u8>,
        d: Option<Secret>,
    },
    Ed25519 {
        x: [u8; 32],
        d: Option<Secret>,
    },
    Oct {
        k: Secret,
    },
    MlDsa {
        set: MlDsa,
        public: Vec<u8>,
        seed: Option<Secret>,
    },
}

impl Material {
    const fn key_type(&self) -> KeyType {
        match self {
            Self::Rsa { .. } => KeyType::Rsa,
            Self::Ec { .. } => KeyType::Ec,
            Self::Ed25519 { .. } => KeyType::Okp,
            Self::Oct { .. } => KeyType::Oct,
            Self::MlDsa { .. } => KeyType::Akp,
        }
    }

    /// The kind of key, whose row of the [`kind`] table says the rest.
    const fn kind(&self) -> KeyKind {
        match self {
            Self::Rsa { .. } => KeyKind::Rsa,
            Self::Ec { curve, .. } => KeyKind::Ec(*curve),
            Self::Ed25519 { .. } => KeyKind::Ed25519,
            Self::Oct { .. } => KeyKind::Hmac,
            Self::MlDsa { set, .. } => KeyKind::MlDsa(*set),
        }
    }

    const fn family(&self) -> AlgorithmFamily {
        self.kind().family()
    }

    const fn description(&self) -> &'static str {
        self.kind().jwk_name()
    }

    /// The algorithms this key material can serve, before any `alg` restriction. A key without
    /// `alg` is never used for HS* unless it is an `oct` key (CVE-2026-44699).
    fn algorithms(&self) -> AlgorithmSet {
        self.kind().algorithms()
    }

    /// The one algorithm the material implies by itself (EC and OKP keys, by curve).
    const fn implied_algorithm(&self) -> Option<Algorithm> {
        self.kind().implied_algorithm()
    }

    fn is_private(&self) -> bool {
        match self {
            Self::Rsa { private, .. } => private.is_some(),
            Self::Ec { d, .. } | Self::Ed25519 { d, .. } => d.is_some(),
            Self::MlDsa { seed, .. } => seed.is_some(),
            Self::Oct { .. } => true,
        }
    }
}

/// A JSON Web Key (RFC 7517): an RSA, EC (P-256, P-384, P-521, secp256k1), OKP (Ed25519), AKP
/// (ML-DSA, RFC 9964) or `oct` key, public or
/// private, with its `kid`, `use`, `key_ops` and `alg`.
///
/// A `Jwk` is parsed strictly (see [Parsing](#parsing) below) with
/// [`Jwk::from_json`] or serde, and converted with [`to_verifying_key`](Self::to_verifying_key)
/// or [`to_signing_key`](Self::to_signing_key). Its `alg`, when present, binds the key to that
/// one algorithm (RFC 8725 §3.1). As a [`KeySource`](crate::KeySource) a single `Jwk` is used whatever the token's
/// `kid` says.
///
/// `Debug` never prints key material; serializing a private JWK writes its private members.
///
/// ```
/// use webtoken::keys::Jwk;
/// use webtoken::Algorithm;
///
/// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
/// assert_eq!(jwk.thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
/// let key = jwk.to_verifying_key()?; // bound to EdDSA by its curve
/// assert_eq!(key.algorithm(), Algorithm::EdDsa);
///
/// // kty is case-sensitive; X25519 is a key-agreement curve:
/// assert!(Jwk::from_json(r#"{"kty":"okp","crv":"Ed25519","x":"AA"}"#).is_err());
/// assert!(Jwk::from_json(r#"{"kty":"OKP","crv":"X25519",
///     "x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}"#).is_err());
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// # Parsing
/// Parsing is strict: `kty` and `crv` are exact and case-sensitive, every binary member is
/// canonical unpadded `base64url`, EC coordinates and private scalars have their fixed length
/// (RFC 7518 §6.2.1.2, §6.2.2.1), RSA integers have no leading zero octet (RFC 7518 §2,
/// `Base64urlUInt`), Ed25519 keys are 32 bytes, member names are unique, members of another key
/// type are refused, `use` and `key_ops` must agree (RFC 7517 §4.3), and `alg` must be a JWS
/// algorithm webtoken implements that fits the key's type and curve. `x5c`, `x5t`, `x5t#S256`,
/// `x5u` and unknown members are kept, written back when the key is serialized, and never used.
///
/// The cryptographic checks (point on the curve, RSA modulus size and exponent, HMAC secret
/// length) run when a key is converted with [`Jwk::to_verifying_key`] or
/// [`Jwk::to_signing_key`], and when a [`JwkSet`] is loaded.
#[derive(Clone)]
pub struct Jwk {
    material: Material,
    key_id: Option<String>,
    key_use: Option<String>,
    key_ops: Option<Vec<String>>,
    algorithm: Option<Algorithm>,
    /// `x5c`, `x5t`, `x5t#S256`, `x5u` and unknown members, kept as they were.
    other: Map<String, Value>,
    /// The verifying keys for every algorithm this JWK may serve, built on first use.
    verifying: OnceLock<Result<Arc<[VerifyingKey]>, KeyError>>,
}

impl PartialEq for Jwk {
    fn eq(&self, other: &Self) -> bool {
        self.material == other.material
            && self.key_id == other.key_id
            && self.key_use == other.key_use
            && self.key_ops == other.key_ops
            && self.algorithm == other.algorithm
            && self.other == other.other
    }
}

impl Eq for Jwk {}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kty", &self.key_type().as_str())
            .field("crv", &self.curve())
            .field("kid", &self.key_id)
            .field("alg", &self.algorithm)
            .field("use", &self.key_use)
            .field("key_ops", &self.key_ops)
            .field("private", &self.is_private())
            .finish_non_exhaustive()
    }
}

/// A parse failure, and whether it means "not a key webtoken can use" (unsupported `kty`, `crv`
/// or `alg`) rather than "a broken key".
struct ParseFault {
    error: KeyError,
    unsupported: bool,
}

impl From<KeyError> for ParseFault {
    fn from(error: KeyError) -> Self {
        Self {
            error,
            unsupported: false,
        }
    }
}

fn unsupported(error: KeyError) -> ParseFault {
    ParseFault {
        error,
        unsupported: true,
    }
}

fn jwk_error(reason: impl Into<Cow<'static, str>>) -> KeyError {
    KeyError::invalid(KeyErrorCategory::Jwk, reason)
}

fn set_error(reason: impl Into<Cow<'static, str>>) -> KeyError {
    KeyError::invalid(KeyErrorCategory::JwkSet, reason)
}

/// An attacker-chosen string made safe to put in an error message: escaped and cut short.
struct Shown<'a>(&'a str);

impl Shown<'_> {
    /// Escaped and cut short, without quotes: for the `found` fields of key errors.
    fn bare(&self) -> String {
        const MAX: usize = 40;
        let mut out: String = self
            .0
            .chars()
            .take(MAX)
            .flat_map(char::escape_debug)
            .collect();
        if self.0.chars().nth(MAX).is_some() {
            out.push_str("...");
        }
        out
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 40;
        match self.0.char_indices().nth(MAX) {
            Some((cut, _)) => write!(f, "{:?}...", &self.0[..cut]),
            None => write!(f, "{:?}", self.0),
        }
    }
}

impl Jwk {
    fn from_material(
        material: Material,
        algorithm: Option<Algorithm>,
        key_id: Option<String>,
    ) -> Self {
        Self {
            material,
            key_id,
            key_use: None,
            key_ops: None,
            algorithm,
            other: Map::new(),
            verifying: OnceLock::new(),
        }
    }

    /// An `oct` JWK holding an HMAC secret, bound to `algorithm` (its `alg`). This is the one
    /// way to export a secret as a JWK: keys built with [`SigningKey::hmac`](crate::SigningKey::hmac) do not keep the
    /// secret and cannot export it.
    ///
    /// ```
    /// use webtoken::{keys::{generate_hmac_secret, Jwk}, Algorithm};
    ///
    /// let secret = generate_hmac_secret(Algorithm::Hs256)?;
    /// let jwk = Jwk::from_hmac_secret(&secret, Algorithm::Hs256)?;
    /// assert_eq!(jwk.algorithm(), Some(Algorithm::Hs256));
    /// assert!(jwk.is_private());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not HS256, HS384 or HS512;
    /// [`KeyError::WeakSecret`] when the secret is shorter than the hash output.
    pub fn from_hmac_secret(secret: impl AsRef<[u8]>, algorithm: Algorithm) -> Result<Self, Error> {
        let secret = secret.as_ref();
        // Runs the family and minimum-length rules of RFC 7518 §3.2.
        VerifyingKey::hmac(secret, algorithm)?;
        Ok(Self::from_material(
            Material::Oct {
                k: Secret(secret.to_vec()),
            },
            Some(algorithm),
            None,
        ))
    }

    /// The key type (`kty`).
    ///
    /// ```
    /// use webtoken::keys::{Jwk, KeyType};
    ///
    /// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert_eq!(jwk.key_type(), KeyType::Okp);
    /// assert_eq!(jwk.key_type().as_str(), "OKP");
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn key_type(&self) -> KeyType {
        self.material.key_type()
    }

    /// The curve (`crv`) of an EC or OKP key: `"P-256"`, `"P-384"`, `"P-521"`, `"secp256k1"` or
    /// `"Ed25519"`.
    pub fn curve(&self) -> Option<&'static str> {
        match &self.material {
            Material::Ec { curve, .. } => Some(curve.jwk_crv()),
            Material::Ed25519 { .. } => Some(kind::ED25519_CRV),
            Material::Rsa { .. } | Material::Oct { .. } | Material::MlDsa { .. } => None,
        }
    }

    /// The key id (`kid`).
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    ///
    /// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519","kid":"ed-2025",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert_eq!(jwk.key_id(), Some("ed-2025"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// The algorithm the key is bound to (`alg`), if the JWK names one.
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    /// use webtoken::Algorithm;
    ///
    /// let jwk = Jwk::from_hmac_secret([7u8; 48], Algorithm::Hs384)?;
    /// assert_eq!(jwk.algorithm(), Some(Algorithm::Hs384));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.algorithm
    }

    /// The intended use (`use`): `"sig"`, `"enc"` or another registered value.
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    ///
    /// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519","use":"sig",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert_eq!(jwk.key_use(), Some("sig"));
    /// // A key for encryption never verifies a signature.
    /// let enc = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519","use":"enc",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert!(enc.to_verifying_key().is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn key_use(&self) -> Option<&str> {
        self.key_use.as_deref()
    }

    /// The permitted operations (`key_ops`).
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    ///
    /// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519","key_ops":["verify"],
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert_eq!(jwk.key_operations(), Some(&["verify".to_owned()][..]));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn key_operations(&self) -> Option<&[String]> {
        self.key_ops.as_deref()
    }

    /// A member that webtoken keeps without interpreting it (`x5c`, `x5t`, `x5t#S256`, `x5u`, or
    /// any unknown member). Such members are never used to select or trust a key.
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    ///
    /// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519","issuer":"https://id.example",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert_eq!(jwk.other_member("issuer").and_then(|v| v.as_str()), Some("https://id.example"));
    /// assert!(serde_json::to_string(&jwk).unwrap().contains(r#""issuer":"https://id.example""#));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn other_member(&self, name: &str) -> Option<&Value> {
        self.other.get(name)
    }

    /// Whether the JWK holds private material: `d` for RSA, EC and OKP keys, `priv` for AKP
    /// keys; always for `oct`.
    pub fn is_private(&self) -> bool {
        self.material.is_private()
    }

    /// The public JWK: the same key without its private members.
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    ///
    /// // RFC 8037 Appendix A.1's private key.
    /// let private = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519","kid":"ed",
    ///     "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// let public = private.to_public()?;
    /// assert!(private.is_private() && !public.is_private());
    /// assert_eq!(public.thumbprint(), private.thumbprint());
    /// assert!(!serde_json::to_string(&public).unwrap().contains(r#""d""#));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyErrorCategory::Jwk`] for an `oct` key, which has no public part.
    pub fn to_public(&self) -> Result<Self, Error> {
        let material = match &self.material {
            Material::Rsa { n, e, .. } => Material::Rsa {
                n: n.clone(),
                e: e.clone(),
                private: None,
            },
            Material::Ec { curve, x, y, .. } => Material::Ec {
                curve: *curve,
                x: x.clone(),
                y: y.clone(),
                d: None,
            },
            Material::Ed25519 { x, .. } => Material::Ed25519 { x: *x, d: None },
            Material::MlDsa { set, public, .. } => Material::MlDsa {
                set: *set,
                public: public.clone(),
                seed: None,
            },
            Material::Oct { .. } => {
                return Err(jwk_error("an oct key is a secret and has no public part").into());
            }
        };
        Ok(Self {
            material,
            verifying: OnceLock::new(),
            ..self.clone()
        })
    }

    /// Sets the key id (`kid`).
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let jwk = SigningKey::generate(Algorithm::Es256)?.to_public_jwk()?.with_key_id("2025-06");
    /// assert_eq!(jwk.key_id(), Some("2025-06"));
    /// assert_eq!(jwk.to_verifying_key()?.key_id(), Some("2025-06"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    #[must_use]
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self.verifying = OnceLock::new();
        self
    }

    /// Sets the key id (`kid`) to the key's RFC 7638 [thumbprint](Self::thumbprint), a common
    /// way to give keys stable, collision-free ids.
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    ///
    /// let jwk = Jwk::from_json(r#"{"kty":"EC","crv":"P-256",
    ///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#)?
    ///     .with_thumbprint_kid();
    /// assert_eq!(jwk.key_id(), Some(jwk.thumbprint().as_str()));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    #[must_use]
    pub fn with_thumbprint_kid(self) -> Self {
        let thumbprint = self.thumbprint();
        self.with_key_id(thumbprint)
    }

    /// Binds the key to one algorithm (sets `alg`), for example an RSA key to `PS256`.
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` does not fit the key's type or curve, or
    /// the JWK is already bound to another algorithm.
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Result<Self, Error> {
        let fits = self.material.algorithms().contains(algorithm)
            && self.algorithm.is_none_or(|bound| bound == algorithm);
        if !fits {
            return Err(KeyError::AlgorithmMismatch {
                algorithm,
                key: self.bound_description(),
            }
            .into());
        }
        self.algorithm = Some(algorithm);
        self.verifying = OnceLock::new();
        Ok(self)
    }

    fn bound_description(&self) -> Cow<'static, str> {
        match self.algorithm {
            Some(bound) => format!("{} bound to {bound}", self.material.description()).into(),
            None => self.material.description().into(),
        }
    }

    /// The RFC 7638 JWK thumbprint: the SHA-256 digest of the required members in
    /// lexicographic order without whitespace, as unpadded `base64url`.
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    ///
    /// // RFC 8037 Appendix A.3
    /// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert_eq!(jwk.thumbprint(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn thumbprint(&self) -> String {
        base64url::encode(Sha256::digest(self.thumbprint_input().as_bytes()))
    }

    /// Checks `use` and `key_ops` allow `op` (`"verify"` or `"sign"`).
    fn check_operation(&self, op: &str) -> Result<(), KeyError> {
        usage::check_usage(self.key_use.as_deref(), self.key_ops.as_deref(), Some(op))
    }

    /// The algorithms this JWK may be used with: its `alg`, or every algorithm its type and
    /// curve allow (an RSA JWK without `alg`: RS256..PS512; an `oct` JWK: HS256..HS512; EC
    /// JWKs: the algorithm of their curve; an Ed25519 OKP JWK: `EdDSA` and `Ed25519`, the two
    /// names of its algorithm, RFC 9864). An `alg` binds the key to exactly that name.
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    /// use webtoken::{Algorithm, AlgorithmSet};
    ///
    /// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert_eq!(
    ///     jwk.algorithms(),
    ///     AlgorithmSet::from_iter([Algorithm::EdDsa, Algorithm::Ed25519])
    /// );
    /// let bound = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519","alg":"Ed25519",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert_eq!(bound.algorithms(), AlgorithmSet::only(Algorithm::Ed25519));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn algorithms(&self) -> AlgorithmSet {
        match self.algorithm {
            Some(alg) => AlgorithmSet::only(alg),
            None => self.material.algorithms(),
        }
    }

    fn resolve_algorithm(&self, what: &str) -> Result<Algorithm, KeyError> {
        self.algorithm
            .or_else(|| self.material.implied_algorithm())
            .ok_or_else(|| {
                jwk_error(format!(
                    "{} without alg fits several algorithms; name one with {what}_for",
                    self.material.description()
                ))
            })
    }

    fn check_algorithm(&self, algorithm: Algorithm) -> Result<(), KeyError> {
        if self.algorithms().contains(algorithm) {
            Ok(())
        } else {
            Err(KeyError::AlgorithmMismatch {
                algorithm,
                key: self.bound_description(),
            })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
