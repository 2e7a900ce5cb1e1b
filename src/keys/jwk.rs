//! JSON Web Keys (RFC 7517) for the key types of RFC 7518 §6 (`RSA`, `EC`, `oct`) and RFC 8037
//! §2 (`OKP` Ed25519), JWK Sets chosen by `kid` (RFC 7517 §5, RFC 8725 §3.10), and RFC 7638
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
use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::kind::{self, Curve, KeyKind};
use super::{
    KeySource, PrivateParts, SigningInner, SigningKey, VerifyingInner, VerifyingKey, backend,
};
use crate::algorithm::{Algorithm, AlgorithmFamily, AlgorithmSet};
use crate::base64url;
use crate::error::{AlgorithmRejection, Error, KeyError};

/// The key types (`kty`, RFC 7518 §6.1 and RFC 8037 §2) webtoken reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyType {
    /// `RSA`: RS256..RS512 and PS256..PS512.
    Rsa,
    /// `EC`: P-256 (ES256) and P-384 (ES384).
    Ec,
    /// `OKP`: Ed25519 (`EdDSA`).
    Okp,
    /// `oct`: an HMAC secret (HS256..HS512).
    Oct,
}

impl KeyType {
    /// The exact `kty` value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Rsa => "RSA",
            Self::Ec => "EC",
            Self::Okp => "OKP",
            Self::Oct => "oct",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "RSA" => Self::Rsa,
            "EC" => Self::Ec,
            "OKP" => Self::Okp,
            "oct" => Self::Oct,
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
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every key-material member name of every supported key type.
const MATERIAL_MEMBERS: [&str; 13] = [
    "n", "e", "d", "p", "q", "dp", "dq", "qi", "oth", "crv", "x", "y", "k",
];

/// The private members of asymmetric keys (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

/// Key operations that belong to `use: "sig"` (RFC 7517 §4.3).
const SIG_OPS: [&str; 2] = ["sign", "verify"];
/// Key operations that belong to `use: "enc"` (RFC 7517 §4.3).
const ENC_OPS: [&str; 6] = [
    "encrypt",
    "decrypt",
    "wrapKey",
    "unwrapKey",
    "deriveKey",
    "deriveBits",
];

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
}

impl Material {
    const fn key_type(&self) -> KeyType {
        match self {
            Self::Rsa { .. } => KeyType::Rsa,
            Self::Ec { .. } => KeyType::Ec,
            Self::Ed25519 { .. } => KeyType::Okp,
            Self::Oct { .. } => KeyType::Oct,
        }
    }

    /// The kind of key, whose row of the [`kind`] table says the rest.
    const fn kind(&self) -> KeyKind {
        match self {
            Self::Rsa { .. } => KeyKind::Rsa,
            Self::Ec { curve, .. } => KeyKind::Ec(*curve),
            Self::Ed25519 { .. } => KeyKind::Ed25519,
            Self::Oct { .. } => KeyKind::Hmac,
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
            Self::Oct { .. } => true,
        }
    }
}

/// A JSON Web Key (RFC 7517): an RSA, EC (P-256, P-384), OKP (Ed25519) or `oct` key, public or
/// private, with its `kid`, `use`, `key_ops` and `alg`.
///
/// A `Jwk` is parsed strictly (see the [module documentation](self)) with
/// [`Jwk::from_json`] or serde, and converted with [`to_verifying_key`](Self::to_verifying_key)
/// or [`to_signing_key`](Self::to_signing_key). Its `alg`, when present, binds the key to that
/// one algorithm (RFC 8725 §3.1). As a [`KeySource`] a single `Jwk` is used whatever the token's
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
    KeyError::Jwk {
        reason: reason.into(),
    }
}

fn set_error(reason: impl Into<Cow<'static, str>>) -> KeyError {
    KeyError::JwkSet {
        reason: reason.into(),
    }
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

fn take_string(obj: &mut Map<String, Value>, name: &str) -> Result<Option<String>, KeyError> {
    match obj.remove(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(jwk_error(format!("member {name} is not a string"))),
    }
}

fn take_bytes(obj: &mut Map<String, Value>, name: &str) -> Result<Option<Vec<u8>>, KeyError> {
    match take_string(obj, name)? {
        None => Ok(None),
        Some(s) => base64url::decode(&s)
            .map(Some)
            .map_err(|_| jwk_error(format!("member {name} is not canonical unpadded base64url"))),
    }
}

fn require_bytes(
    obj: &mut Map<String, Value>,
    name: &str,
    kty: KeyType,
) -> Result<Vec<u8>, KeyError> {
    take_bytes(obj, name)?.ok_or_else(|| jwk_error(format!("{kty} key is missing member {name}")))
}

fn fixed_len(bytes: Vec<u8>, name: &str, len: usize, what: &str) -> Result<Vec<u8>, KeyError> {
    if bytes.len() == len {
        Ok(bytes)
    } else {
        Err(jwk_error(format!(
            "member {name} must be {len} bytes for {what}, got {}",
            bytes.len()
        )))
    }
}

/// A `Base64urlUInt` (RFC 7518 §2): non-empty, without leading zero octets.
fn uint(bytes: Vec<u8>, name: &str) -> Result<Vec<u8>, KeyError> {
    match bytes.first() {
        None => Err(jwk_error(format!("member {name} is empty"))),
        Some(0) if bytes.len() > 1 => Err(jwk_error(format!(
            "member {name} has a leading zero octet (RFC 7518 §2 Base64urlUInt)"
        ))),
        Some(_) => Ok(bytes),
    }
}

fn take_uint(obj: &mut Map<String, Value>, name: &str) -> Result<Option<Secret>, KeyError> {
    take_bytes(obj, name)?
        .map(|b| uint(b, name).map(Secret))
        .transpose()
}

#[allow(clippy::many_single_char_names)] // the RFC 7518 member names
fn parse_material(kty: KeyType, obj: &mut Map<String, Value>) -> Result<Material, ParseFault> {
    for name in MATERIAL_MEMBERS {
        if obj.contains_key(name) && !kty.members().contains(&name) {
            return Err(jwk_error(format!("member {name} does not belong to kty {kty}")).into());
        }
    }
    Ok(match kty {
        KeyType::Rsa => {
            let n = uint(require_bytes(obj, "n", kty)?, "n")?;
            let e = uint(require_bytes(obj, "e", kty)?, "e")?;
            if obj.contains_key("oth") {
                return Err(jwk_error("multi-prime RSA keys (oth) are not supported").into());
            }
            let d = take_uint(obj, "d")?;
            let crt = [
                take_uint(obj, "p")?,
                take_uint(obj, "q")?,
                take_uint(obj, "dp")?,
                take_uint(obj, "dq")?,
                take_uint(obj, "qi")?,
            ];
            let present = crt.iter().filter(|m| m.is_some()).count();
            let private = match (d, crt) {
                (None, _) if present > 0 => {
                    return Err(jwk_error("RSA key has CRT members (p, q, ...) but no d").into());
                }
                (None, _) => None,
                (Some(d), [Some(p), Some(q), Some(dp), Some(dq), Some(qi)]) => {
                    Some(Box::new(RsaPrivate {
                        d,
                        crt: Some(RsaCrt { p, q, dp, dq, qi }),
                    }))
                }
                (Some(d), _) if present == 0 => Some(Box::new(RsaPrivate { d, crt: None })),
                (Some(_), _) => {
                    return Err(jwk_error(
                        "RSA private key must have all of p, q, dp, dq and qi or none (RFC 7518 §6.3.2)",
                    )
                    .into());
                }
            };
            Material::Rsa { n, e, private }
        }
        KeyType::Ec => {
            let crv = take_string(obj, "crv")?
                .ok_or_else(|| jwk_error("EC key is missing member crv"))?;
            let Some(curve) = Curve::from_jwk_crv(&crv) else {
                return Err(unsupported(KeyError::UnsupportedCurve {
                    found: Shown(&crv).bare(),
                }));
            };
            let len = curve.coordinate_len();
            let x = fixed_len(require_bytes(obj, "x", kty)?, "x", len, curve.jwk_crv())?;
            let y = fixed_len(require_bytes(obj, "y", kty)?, "y", len, curve.jwk_crv())?;
            let d = take_bytes(obj, "d")?
                .map(|d| fixed_len(d, "d", len, curve.jwk_crv()).map(Secret))
                .transpose()?;
            Material::Ec { curve, x, y, d }
        }
        KeyType::Okp => {
            let crv = take_string(obj, "crv")?
                .ok_or_else(|| jwk_error("OKP key is missing member crv"))?;
            if crv != kind::ED25519_CRV {
                return Err(unsupported(KeyError::UnsupportedCurve {
                    found: Shown(&crv).bare(),
                }));
            }
            let len = kind::ED25519_LEN;
            let x = fixed_len(require_bytes(obj, "x", kty)?, "x", len, kind::ED25519_CRV)?;
            let mut public = [0u8; kind::ED25519_LEN];
            public.copy_from_slice(&x);
            let d = take_bytes(obj, "d")?
                .map(|d| fixed_len(d, "d", len, kind::ED25519_CRV).map(Secret))
                .transpose()?;
            Material::Ed25519 { x: public, d }
        }
        KeyType::Oct => Material::Oct {
            k: Secret(require_bytes(obj, "k", kty)?),
        },
    })
}

fn parse_key_ops(value: Option<Value>) -> Result<Option<Vec<String>>, KeyError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let Value::Array(items) = value else {
        return Err(jwk_error("member key_ops is not an array of strings"));
    };
    let mut ops = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(op) = item else {
            return Err(jwk_error("member key_ops is not an array of strings"));
        };
        if ops.contains(&op) {
            return Err(jwk_error(format!(
                "member key_ops lists {} twice (RFC 7517 §4.3)",
                Shown(&op)
            )));
        }
        ops.push(op);
    }
    Ok(Some(ops))
}

fn check_use_and_ops(key_use: Option<&str>, key_ops: Option<&[String]>) -> Result<(), KeyError> {
    let (Some(key_use), Some(ops)) = (key_use, key_ops) else {
        return Ok(());
    };
    let allowed: &[&str] = match key_use {
        "sig" => &SIG_OPS,
        "enc" => &ENC_OPS,
        _ => return Ok(()),
    };
    if let Some(op) = ops.iter().find(|op| !allowed.contains(&op.as_str())) {
        return Err(jwk_error(format!(
            "use {} and key_ops {} disagree (RFC 7517 §4.3)",
            Shown(key_use),
            Shown(op)
        )));
    }
    Ok(())
}

impl Jwk {
    /// Parses one JWK from JSON text.
    ///
    /// # Errors
    /// [`KeyError::UnsupportedKeyType`] / [`KeyError::UnsupportedCurve`] for a `kty` or `crv`
    /// webtoken does not read (including `X25519`, `Ed448`, `P-521` and wrong-case names), and
    /// [`KeyError::Jwk`] for anything else that is not a strict, consistent JWK (see the
    /// [module documentation](self)); an `alg` of another family or curve is
    /// [`KeyError::AlgorithmMismatch`].
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let StrictObject(obj) =
            serde_json::from_str(json).map_err(|e| jwk_error(format!("not a JSON object: {e}")))?;
        Self::from_object(obj).map_err(|f| Error::Key(f.error))
    }

    fn from_object(mut obj: Map<String, Value>) -> Result<Self, ParseFault> {
        let kty =
            take_string(&mut obj, "kty")?.ok_or_else(|| jwk_error("member kty is missing"))?;
        let key_type = KeyType::from_name(&kty).ok_or_else(|| {
            unsupported(KeyError::UnsupportedKeyType {
                found: Shown(&kty).bare(),
            })
        })?;
        let material = parse_material(key_type, &mut obj)?;
        let key_id = take_string(&mut obj, "kid")?;
        let key_use = take_string(&mut obj, "use")?;
        let key_ops = parse_key_ops(obj.remove("key_ops"))?;
        check_use_and_ops(key_use.as_deref(), key_ops.as_deref())?;
        let algorithm = match take_string(&mut obj, "alg")? {
            None => None,
            Some(name) => {
                let alg = Algorithm::from_name(&name).ok_or_else(|| {
                    unsupported(jwk_error(format!(
                        "alg {} is not a JWS algorithm webtoken implements",
                        Shown(&name)
                    )))
                })?;
                if !material.algorithms().contains(alg) {
                    return Err(KeyError::AlgorithmMismatch {
                        algorithm: alg,
                        key: material.description().into(),
                    }
                    .into());
                }
                Some(alg)
            }
        };
        Ok(Self {
            material,
            key_id,
            key_use,
            key_ops,
            algorithm,
            other: obj,
            verifying: OnceLock::new(),
        })
    }

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
    /// way to export a secret as a JWK: keys built with [`SigningKey::hmac`] do not keep the
    /// secret and cannot export it.
    ///
    /// ```
    /// use webtoken::{keys::{generate_hmac_secret, Jwk}, Algorithm};
    ///
    /// let secret = generate_hmac_secret(Algorithm::Hs256)?;
    /// let jwk = Jwk::from_hmac_secret(Algorithm::Hs256, &secret)?;
    /// assert_eq!(jwk.algorithm(), Some(Algorithm::Hs256));
    /// assert!(jwk.is_private());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not HS256, HS384 or HS512;
    /// [`KeyError::WeakSecret`] when the secret is shorter than the hash output.
    pub fn from_hmac_secret(algorithm: Algorithm, secret: impl AsRef<[u8]>) -> Result<Self, Error> {
        let secret = secret.as_ref();
        // Runs the family and minimum-length rules of RFC 7518 §3.2.
        VerifyingKey::hmac(algorithm, secret)?;
        Ok(Self::from_material(
            Material::Oct {
                k: Secret(secret.to_vec()),
            },
            Some(algorithm),
            None,
        ))
    }

    /// The key type (`kty`).
    pub fn key_type(&self) -> KeyType {
        self.material.key_type()
    }

    /// The curve (`crv`) of an EC or OKP key: `"P-256"`, `"P-384"` or `"Ed25519"`.
    pub fn curve(&self) -> Option<&'static str> {
        match &self.material {
            Material::Ec { curve, .. } => Some(curve.jwk_crv()),
            Material::Ed25519 { .. } => Some(kind::ED25519_CRV),
            Material::Rsa { .. } | Material::Oct { .. } => None,
        }
    }

    /// The key id (`kid`).
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// The algorithm the key is bound to (`alg`), if the JWK names one.
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.algorithm
    }

    /// The intended use (`use`): `"sig"`, `"enc"` or another registered value.
    pub fn key_use(&self) -> Option<&str> {
        self.key_use.as_deref()
    }

    /// The permitted operations (`key_ops`).
    pub fn key_operations(&self) -> Option<&[String]> {
        self.key_ops.as_deref()
    }

    /// A member that webtoken keeps without interpreting it (`x5c`, `x5t`, `x5t#S256`, `x5u`, or
    /// any unknown member). Such members are never used to select or trust a key.
    pub fn other_member(&self, name: &str) -> Option<&Value> {
        self.other.get(name)
    }

    /// Whether the JWK holds private material: `d` for RSA, EC and OKP keys; always for `oct`.
    pub fn is_private(&self) -> bool {
        self.material.is_private()
    }

    /// The public JWK: the same key without its private members.
    ///
    /// # Errors
    /// [`KeyError::Jwk`] for an `oct` key, which has no public part.
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

    /// The exact JSON text RFC 7638 §3.2 hashes. Every value is `base64url` or a fixed name, so no
    /// JSON escaping is ever needed.
    fn thumbprint_input(&self) -> String {
        let b64 = |bytes: &[u8]| base64url::encode(bytes);
        match &self.material {
            Material::Rsa { n, e, .. } => {
                format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64(e), b64(n))
            }
            Material::Ec { curve, x, y, .. } => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                curve.jwk_crv(),
                b64(x),
                b64(y)
            ),
            Material::Ed25519 { x, .. } => {
                format!(
                    r#"{{"crv":"{}","kty":"OKP","x":"{}"}}"#,
                    kind::ED25519_CRV,
                    b64(x)
                )
            }
            Material::Oct { k } => format!(r#"{{"k":"{}","kty":"oct"}}"#, b64(&k.0)),
        }
    }

    /// Checks `use` and `key_ops` allow `op` (`"verify"` or `"sign"`), RFC 7517 §4.2-4.3.
    fn check_operation(&self, op: &str) -> Result<(), KeyError> {
        if let Some(key_use) = self.key_use.as_deref() {
            if key_use != "sig" {
                return Err(jwk_error(format!(
                    "JWK use is {}, not \"sig\": it is not a signature key",
                    Shown(key_use)
                )));
            }
        }
        if let Some(ops) = &self.key_ops {
            if !ops.iter().any(|o| o == op) {
                return Err(jwk_error(format!("JWK key_ops does not include {op:?}")));
            }
        }
        Ok(())
    }

    /// The algorithms this JWK may be used with: its `alg`, or every algorithm its type and
    /// curve allow (an RSA JWK without `alg`: RS256..PS512; an `oct` JWK: HS256..HS512; EC
    /// and OKP JWKs: the algorithm of their curve).
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    /// use webtoken::{Algorithm, AlgorithmSet};
    ///
    /// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert_eq!(jwk.algorithms(), AlgorithmSet::only(Algorithm::EdDsa));
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

    /// The verifying key for this JWK's algorithm: its `alg`, or for EC and OKP keys the
    /// algorithm of the curve. A private JWK gives its public half.
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    /// use webtoken::Algorithm;
    ///
    /// let jwk = Jwk::from_json(r#"{"kty":"EC","crv":"P-256","kid":"k1",
    ///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#)?;
    /// let key = jwk.to_verifying_key()?;
    /// assert_eq!(key.algorithm(), Algorithm::Es256);
    /// assert_eq!(key.key_id(), Some("k1"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::Jwk`] when an RSA or `oct` JWK has no `alg` (use
    /// [`to_verifying_key_for`](Self::to_verifying_key_for)), when `use` is not `sig` or
    /// `key_ops` lacks `verify`; the key constructors' errors when the material is unacceptable
    /// (point not on the curve, RSA modulus under 2048 bits or `e = 1`, weak HMAC secret).
    pub fn to_verifying_key(&self) -> Result<VerifyingKey, Error> {
        let algorithm = self.resolve_algorithm("to_verifying_key")?;
        self.to_verifying_key_for(algorithm)
    }

    /// The verifying key for `algorithm`, which must be the JWK's `alg` when it has one, and
    /// otherwise fit its type and curve (an RSA JWK without `alg` serves any of RS256..PS512).
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` does not fit; otherwise as
    /// [`to_verifying_key`](Self::to_verifying_key).
    pub fn to_verifying_key_for(&self, algorithm: Algorithm) -> Result<VerifyingKey, Error> {
        self.check_operation("verify")?;
        self.check_algorithm(algorithm)?;
        let key = match &self.material {
            Material::Rsa { n, e, .. } => VerifyingKey::rsa_components(algorithm, n, e)?,
            Material::Ec { x, y, .. } => {
                let mut point = Vec::with_capacity(1 + x.len() + y.len());
                point.push(0x04);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                VerifyingKey::ecdsa_point(&point)?
            }
            Material::Ed25519 { x, .. } => VerifyingKey::ed25519(x)?,
            Material::Oct { k } => VerifyingKey::hmac(algorithm, &k.0)?,
        };
        Ok(match &self.key_id {
            Some(kid) => key.with_key_id(kid.clone()),
            None => key,
        })
    }

    /// The verifying keys for every algorithm this JWK may serve, built once. An RSA key without
    /// `alg` is parsed once and re-bound to each RS*/PS* algorithm; an `oct` key without `alg`
    /// serves each HS* algorithm its secret is long enough for.
    fn verifying_keys(&self) -> Result<&[VerifyingKey], KeyError> {
        let built = self.verifying.get_or_init(|| {
            self.check_operation("verify")?;
            let mut keys: Vec<VerifyingKey> = Vec::new();
            let mut first_error = None;
            for algorithm in self.algorithms().iter() {
                let key = match keys.first() {
                    Some(rsa) if algorithm.family() == AlgorithmFamily::Rsa => {
                        rsa.rebind(algorithm)
                    }
                    _ => self.to_verifying_key_for(algorithm),
                };
                match key {
                    Ok(key) => keys.push(key),
                    Err(Error::Key(e)) => {
                        first_error.get_or_insert(e);
                    }
                    Err(other) => {
                        first_error.get_or_insert(KeyError::Rejected {
                            reason: other.to_string().into(),
                        });
                    }
                }
            }
            match first_error {
                Some(e) if keys.is_empty() => Err(e),
                _ => Ok(Arc::from(keys)),
            }
        });
        match built {
            Ok(keys) => Ok(keys),
            Err(e) => Err(e.clone()),
        }
    }

    fn mismatch(&self, algorithm: Algorithm) -> Error {
        Error::AlgorithmNotAllowed {
            reason: AlgorithmRejection::KeyMismatch {
                found: algorithm,
                key_algorithm: self.algorithm.or_else(|| self.material.implied_algorithm()),
                key_family: self.material.family(),
            },
        }
    }

    /// Finds the prepared key for `algorithm`: a mismatch when the JWK may not serve it.
    fn find_prepared(&self, algorithm: Algorithm) -> Result<Cow<'_, VerifyingKey>, Error> {
        if !self.algorithms().contains(algorithm) {
            return Err(self.mismatch(algorithm));
        }
        let keys = self.verifying_keys()?;
        match keys.iter().find(|k| k.algorithm() == algorithm) {
            Some(key) => Ok(Cow::Borrowed(key)),
            // Only an `oct` key without `alg` whose secret is too short for this HS* gets here;
            // building the key again reports why (`WeakSecret`).
            None => self.to_verifying_key_for(algorithm).map(Cow::Owned),
        }
    }

    /// The signing key for this JWK's algorithm: its `alg`, or for EC and OKP keys the
    /// algorithm of the curve. The key keeps its private parts, so
    /// [`SigningKey::to_private_jwk`] can export it again.
    ///
    /// ```
    /// use webtoken::keys::{Jwk, KeySource};
    /// use webtoken::Algorithm;
    ///
    /// // RFC 8037 Appendix A.1
    /// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// let signing = jwk.to_signing_key()?;
    /// let signature = signing.sign(b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc")?;
    ///
    /// let public = jwk.to_public()?;
    /// let key = public.find_key(None, Algorithm::EdDsa)?;
    /// key.verify(b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc", &signature)?;
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::PublicKeyOnly`] for a public JWK; [`KeyError::Jwk`] when an RSA or `oct` JWK
    /// has no `alg` (use [`to_signing_key_for`](Self::to_signing_key_for)), when `use` is not
    /// `sig` or `key_ops` lacks `sign`, or an RSA key lacks its CRT members; [`KeyError::Rejected`]
    /// when the private and public members do not belong together (for RSA, the message names
    /// the part), an OKP `x` is of small order or not canonical, or an `oct` secret is a key
    /// (see [the checks](crate::keys#checks-when-a-key-is-built)).
    pub fn to_signing_key(&self) -> Result<SigningKey, Error> {
        let algorithm = self.resolve_algorithm("to_signing_key")?;
        self.to_signing_key_for(algorithm)
    }

    /// The signing key for `algorithm`, which must be the JWK's `alg` when it has one, and
    /// otherwise fit its type and curve.
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` does not fit; otherwise as
    /// [`to_signing_key`](Self::to_signing_key).
    pub fn to_signing_key_for(&self, algorithm: Algorithm) -> Result<SigningKey, Error> {
        if !self.is_private() {
            return Err(KeyError::PublicKeyOnly.into());
        }
        self.check_operation("sign")?;
        self.check_algorithm(algorithm)?;
        let key = match &self.material {
            Material::Oct { k } => SigningKey::hmac(algorithm, &k.0)?,
            Material::Rsa { n, e, private } => {
                rsa_signing_key(algorithm, n, e, private.as_deref())?
            }
            Material::Ec { curve, x, y, d } => ec_signing_key(*curve, x, y, d.as_ref())?,
            Material::Ed25519 { x, d } => ed25519_signing_key(x, d.as_ref())?,
        };
        Ok(match &self.key_id {
            Some(kid) => key.with_key_id(kid.clone()),
            None => key,
        })
    }
}

fn rejected(what: &str, e: &backend::error::KeyRejected) -> KeyError {
    KeyError::Rejected {
        reason: format!("{what} ({e})").into(),
    }
}

fn rsa_signing_key(
    algorithm: Algorithm,
    n: &[u8],
    e: &[u8],
    private: Option<&RsaPrivate>,
) -> Result<SigningKey, Error> {
    let Some(private) = private else {
        return Err(KeyError::PublicKeyOnly.into());
    };
    let Some(crt) = &private.crt else {
        return Err(jwk_error("an RSA private JWK without p, q, dp, dq and qi cannot sign").into());
    };
    super::rsa::check_private_parts(&super::rsa::PrivateKeyParts {
        n,
        e,
        d: &private.d.0,
        p: &crt.p.0,
        q: &crt.q.0,
        dp: &crt.dp.0,
        dq: &crt.dq.0,
        qi: &crt.qi.0,
    })?;
    let components = backend::rsa::KeyPairComponents {
        public_key: backend::rsa::PublicKeyComponents { n, e },
        d: private.d.0.as_slice(),
        p: crt.p.0.as_slice(),
        q: crt.q.0.as_slice(),
        dP: crt.dp.0.as_slice(),
        dQ: crt.dq.0.as_slice(),
        qInv: crt.qi.0.as_slice(),
    };
    let pair = backend::rsa::KeyPair::from_components(&components)
        .map_err(|e| rejected("not a usable RSA private key", &e))?;
    let bits = backend::rsa_modulus_len(&pair) * 8;
    if bits < super::rsa::MIN_BITS {
        return Err(KeyError::RsaModulusSize { bits }.into());
    }
    let parts = PrivateParts::Rsa {
        n: n.to_vec(),
        e: e.to_vec(),
        d: private.d.0.clone(),
        p: crt.p.0.clone(),
        q: crt.q.0.clone(),
        dp: crt.dp.0.clone(),
        dq: crt.dq.0.clone(),
        qi: crt.qi.0.clone(),
    };
    Ok(
        SigningKey::from_inner(algorithm, SigningInner::Rsa(Arc::new(pair)))
            .with_private_parts(parts),
    )
}

fn ec_signing_key(
    curve: Curve,
    x: &[u8],
    y: &[u8],
    d: Option<&Secret>,
) -> Result<SigningKey, Error> {
    let d = d.ok_or(KeyError::PublicKeyOnly)?;
    let signing = backend::ecdsa(curve).signing;
    let mut point = Vec::with_capacity(1 + x.len() + y.len());
    point.push(0x04);
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    let pair = backend::ecdsa_key_pair(signing, &d.0, &point)
        .map_err(|e| rejected("EC private key d does not match x and y, or is invalid", &e))?;
    let parts = PrivateParts::Ec {
        d: d.0.clone(),
        point,
    };
    Ok(
        SigningKey::from_inner(curve.algorithm(), SigningInner::Ecdsa(Arc::new(pair)))
            .with_private_parts(parts),
    )
}

fn ed25519_signing_key(x: &[u8; 32], d: Option<&Secret>) -> Result<SigningKey, Error> {
    let d = d.ok_or(KeyError::PublicKeyOnly)?;
    super::eddsa::check_public_key(x)?;
    let pair = backend::signature::Ed25519KeyPair::from_seed_and_public_key(&d.0, x)
        .map_err(|e| rejected("Ed25519 private key d does not match x", &e))?;
    let mut seed = [0u8; 32];
    if d.0.len() != seed.len() {
        return Err(jwk_error("member d must be 32 bytes for Ed25519").into());
    }
    seed.copy_from_slice(&d.0);
    let parts = PrivateParts::Ed25519 { seed, public: *x };
    Ok(
        SigningKey::from_inner(Algorithm::EdDsa, SigningInner::EdDsa(Arc::new(pair)))
            .with_private_parts(parts),
    )
}

/// A single JWK is used whatever the token's `kid` says (as a single [`VerifyingKey`] is); the
/// token's algorithm must be the JWK's `alg`, or fit its type and curve when it has none. The
/// verifying keys are built on first use and kept.
impl KeySource for Jwk {
    fn find_key(
        &self,
        _key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        self.check_operation("verify")?;
        self.find_prepared(algorithm)
    }
}

/// Strips leading zero octets, keeping one octet for zero (RFC 7518 §2 `Base64urlUInt`).
fn minimal(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    bytes[start..].to_vec()
}

fn split_point(algorithm: Algorithm, point: &[u8]) -> Result<(Curve, Vec<u8>, Vec<u8>), KeyError> {
    // An EC key is bound to its curve's algorithm; the fallback is never taken.
    let curve = Curve::for_algorithm(algorithm).unwrap_or(Curve::P256);
    let len = curve.coordinate_len();
    match point.split_first() {
        Some((0x04, xy)) if xy.len() == 2 * len => {
            Ok((curve, xy[..len].to_vec(), xy[len..].to_vec()))
        }
        _ => Err(KeyError::Rejected {
            reason: "the EC public point is not uncompressed".into(),
        }),
    }
}

impl VerifyingKey {
    /// The public JWK of this key, with `alg` set to the key's algorithm and `kid` to its key id.
    ///
    /// ```
    /// use webtoken::keys::{Jwk, VerifyingKey};
    ///
    /// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// let exported = jwk.to_verifying_key()?.to_jwk()?;
    /// assert_eq!(exported.thumbprint(), jwk.thumbprint());
    /// assert_eq!(exported.algorithm(), Some(webtoken::Algorithm::EdDsa));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::Jwk`] for an HMAC key: its secret is not kept and is never exported by this
    /// method (see [`Jwk::from_hmac_secret`]).
    pub fn to_jwk(&self) -> Result<Jwk, Error> {
        let material = match &self.inner {
            VerifyingInner::Rsa(k) => Material::Rsa {
                n: k.modulus().to_vec(),
                e: k.exponent().to_vec(),
                private: None,
            },
            VerifyingInner::Ecdsa(k) => {
                let (curve, x, y) = split_point(self.algorithm, k.point())?;
                Material::Ec {
                    curve,
                    x,
                    y,
                    d: None,
                }
            }
            VerifyingInner::EdDsa(k) => Material::Ed25519 {
                x: *k.as_bytes(),
                d: None,
            },
            VerifyingInner::Hmac(_) => {
                return Err(jwk_error(
                    "an HMAC key does not export its secret; build the JWK with Jwk::from_hmac_secret",
                )
                .into());
            }
        };
        Ok(Jwk::from_material(
            material,
            Some(self.algorithm),
            self.key_id.clone(),
        ))
    }

    /// The RFC 7638 thumbprint of this key's public JWK (see [`Jwk::thumbprint`]).
    ///
    /// # Errors
    /// As [`to_jwk`](Self::to_jwk): HMAC keys have no exportable thumbprint.
    pub fn thumbprint(&self) -> Result<String, Error> {
        Ok(self.to_jwk()?.thumbprint())
    }
}

impl SigningKey {
    /// The public JWK of this key (see [`VerifyingKey::to_jwk`]).
    ///
    /// # Errors
    /// [`KeyError::Jwk`] for an HMAC key, which has no public part.
    pub fn to_public_jwk(&self) -> Result<Jwk, Error> {
        self.verifying_key()?.to_jwk()
    }

    /// The private JWK of this key, **including its private members**: handle the result as
    /// the secret it is. `alg` is set to the key's algorithm and `kid` to its key id.
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    ///
    /// let private = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// let exported = private.to_signing_key()?.to_private_jwk()?;
    /// assert!(exported.is_private());
    /// assert_eq!(exported.thumbprint(), private.thumbprint());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::Jwk`] for an HMAC key (use [`Jwk::from_hmac_secret`]) and for a key built
    /// without keeping its private parts.
    pub fn to_private_jwk(&self) -> Result<Jwk, Error> {
        let material = match self.private.as_deref() {
            Some(PrivateParts::Rsa {
                n,
                e,
                d,
                p,
                q,
                dp,
                dq,
                qi,
            }) => Material::Rsa {
                n: minimal(n),
                e: minimal(e),
                private: Some(Box::new(RsaPrivate {
                    d: Secret(minimal(d)),
                    crt: Some(RsaCrt {
                        p: Secret(minimal(p)),
                        q: Secret(minimal(q)),
                        dp: Secret(minimal(dp)),
                        dq: Secret(minimal(dq)),
                        qi: Secret(minimal(qi)),
                    }),
                })),
            },
            Some(PrivateParts::Ec { d, point }) => {
                let (curve, x, y) = split_point(self.algorithm, point)?;
                if d.len() != curve.coordinate_len() {
                    return Err(KeyError::Rejected {
                        reason: "the EC private scalar has the wrong length".into(),
                    }
                    .into());
                }
                Material::Ec {
                    curve,
                    x,
                    y,
                    d: Some(Secret(d.clone())),
                }
            }
            Some(PrivateParts::Ed25519 { seed, public }) => Material::Ed25519 {
                x: *public,
                d: Some(Secret(seed.to_vec())),
            },
            None if matches!(self.inner, SigningInner::Hmac(_)) => {
                return Err(jwk_error(
                    "an HMAC key does not export its secret; build the JWK with Jwk::from_hmac_secret",
                )
                .into());
            }
            None => {
                return Err(jwk_error(
                    "this signing key was built without keeping its private parts",
                )
                .into());
            }
        };
        Ok(Jwk::from_material(
            material,
            Some(self.algorithm),
            self.key_id.clone(),
        ))
    }

    /// The RFC 7638 thumbprint of this key's public JWK (see [`Jwk::thumbprint`]).
    ///
    /// # Errors
    /// As [`to_public_jwk`](Self::to_public_jwk).
    pub fn thumbprint(&self) -> Result<String, Error> {
        Ok(self.to_public_jwk()?.thumbprint())
    }
}

// ---------------------------------------------------------------------------------------------
// serde

impl Serialize for Jwk {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let b64 = |bytes: &[u8]| base64url::encode(bytes);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kty", self.key_type().as_str())?;
        if let Some(kid) = &self.key_id {
            map.serialize_entry("kid", kid)?;
        }
        if let Some(key_use) = &self.key_use {
            map.serialize_entry("use", key_use)?;
        }
        if let Some(ops) = &self.key_ops {
            map.serialize_entry("key_ops", ops)?;
        }
        if let Some(alg) = self.algorithm {
            map.serialize_entry("alg", alg.as_str())?;
        }
        match &self.material {
            Material::Rsa { n, e, private } => {
                map.serialize_entry("n", &b64(n))?;
                map.serialize_entry("e", &b64(e))?;
                if let Some(private) = private {
                    map.serialize_entry("d", &b64(&private.d.0))?;
                    if let Some(crt) = &private.crt {
                        map.serialize_entry("p", &b64(&crt.p.0))?;
                        map.serialize_entry("q", &b64(&crt.q.0))?;
                        map.serialize_entry("dp", &b64(&crt.dp.0))?;
                        map.serialize_entry("dq", &b64(&crt.dq.0))?;
                        map.serialize_entry("qi", &b64(&crt.qi.0))?;
                    }
                }
            }
            Material::Ec { curve, x, y, d } => {
                map.serialize_entry("crv", curve.jwk_crv())?;
                map.serialize_entry("x", &b64(x))?;
                map.serialize_entry("y", &b64(y))?;
                if let Some(d) = d {
                    map.serialize_entry("d", &b64(&d.0))?;
                }
            }
            Material::Ed25519 { x, d } => {
                map.serialize_entry("crv", kind::ED25519_CRV)?;
                map.serialize_entry("x", &b64(x))?;
                if let Some(d) = d {
                    map.serialize_entry("d", &b64(&d.0))?;
                }
            }
            Material::Oct { k } => map.serialize_entry("k", &b64(&k.0))?,
        }
        for (name, value) in &self.other {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Jwk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let StrictObject(obj) = StrictObject::deserialize(deserializer)?;
        Self::from_object(obj).map_err(|f| de::Error::custom(f.error))
    }
}

/// A JSON object whose member names are unique (`serde_json` alone lets the last duplicate win).
/// Wrong JSON types are reported without echoing the value.
struct StrictObject(Map<String, Value>);

/// What a JSON value turned out to be, when an object was wanted.
enum MaybeObject {
    Object(Map<String, Value>),
    Other(&'static str),
}

struct ObjectVisitor;

macro_rules! not_an_object {
    ($($method:ident($ty:ty) => $what:literal;)*) => {
        $(fn $method<E: de::Error>(self, _: $ty) -> Result<Self::Value, E> {
            Ok(MaybeObject::Other($what))
        })*
    };
}

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = MaybeObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    not_an_object! {
        visit_bool(bool) => "a boolean";
        visit_i64(i64) => "a number";
        visit_u64(u64) => "a number";
        visit_f64(f64) => "a number";
        visit_str(&str) => "a string";
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(MaybeObject::Other("null"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(MaybeObject::Other("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if out.contains_key(&name) {
                return Err(de::Error::custom(format_args!(
                    "duplicate member {}",
                    Shown(&name)
                )));
            }
            let value: Value = map.next_value()?;
            out.insert(name, value);
        }
        Ok(MaybeObject::Object(out))
    }
}

impl<'de> Deserialize<'de> for MaybeObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObjectVisitor)
    }
}

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match MaybeObject::deserialize(deserializer)? {
            MaybeObject::Object(obj) => Ok(Self(obj)),
            MaybeObject::Other(what) => Err(de::Error::custom(format_args!(
                "expected a JSON object, found {what}"
            ))),
        }
    }
}

/// The `keys` member of a JWK Set, as found.
enum RawKeys {
    Array(Vec<MaybeObject>),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for RawKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeysVisitor;
        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = RawKeys;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of JWKs")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element::<MaybeObject>()? {
                    keys.push(key);
                }
                Ok(RawKeys::Array(keys))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(RawKeys::Other("an object"))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(RawKeys::Other("a boolean"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(RawKeys::Other("a number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(RawKeys::Other("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(RawKeys::Other("a number"))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(RawKeys::Other("a string"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(RawKeys::Other("null"))
            }
        }
        deserializer.deserialize_any(KeysVisitor)
    }
}

/// A JWK Set document as found: the `keys` member (if any); other members are ignored
/// (RFC 7517 §5).
struct RawSet {
    keys: Option<RawKeys>,
}

impl<'de> Deserialize<'de> for RawSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SetVisitor;
        impl<'de> Visitor<'de> for SetVisitor {
            type Value = RawSet;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JWK Set object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut keys = None;
                let mut seen = HashSet::new();
                while let Some(name) = map.next_key::<String>()? {
                    if !seen.insert(name.clone()) {
                        return Err(de::Error::custom(format_args!(
                            "duplicate member {}",
                            Shown(&name)
                        )));
                    }
                    if name == "keys" {
                        keys = Some(map.next_value::<RawKeys>()?);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(RawSet { keys })
            }
        }
        deserializer.deserialize_map(SetVisitor)
    }
}

// ---------------------------------------------------------------------------------------------
// JWK Set

/// A JWK that a [`JwkSet`] left out when it was loaded, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedKey {
    index: usize,
    key_id: Option<String>,
    reason: KeyError,
}

impl SkippedKey {
    /// The entry's position in the set's `keys` array.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The entry's `kid`, if it had one.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// Why the entry is not usable for verifying JWS signatures.
    pub fn reason(&self) -> &KeyError {
        &self.reason
    }
}

impl fmt::Display for SkippedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key_id {
            Some(kid) => write!(
                f,
                "key {} (kid {}): {}",
                self.index,
                Shown(kid),
                self.reason
            ),
            None => write!(f, "key {}: {}", self.index, self.reason),
        }
    }
}

/// A JWK Set (RFC 7517 §5, `{"keys":[...]}`) for **verifying** tokens: the key is chosen by the
/// token's `kid`.
///
/// # Loading
/// [`JwkSet::from_json`] and serde apply these rules ([`JwkSet::from_keys`] all but the one on
/// mixing secrets with public keys). The whole set is refused ([`KeyError::JwkSet`], kind `invalid_key`) when:
/// * the document is not an object, `keys` is missing or not an array, an entry is not an
///   object, or a member name is repeated;
/// * two entries share a `kid` (a lookup must never be ambiguous);
/// * `oct` secrets are mixed with asymmetric keys (a published set that holds a secret is a
///   leak, and mixing invites algorithm confusion; [`JwkSet::from_keys`] allows an application
///   to combine its own secret with public keys);
/// * an RSA, EC or OKP entry has private members (`d`, `p`, `q`, ...): a verification set holds
///   public keys only. The members are not silently stripped, because a published private key
///   is an incident the operator must hear about. To verify with your own private keys, convert
///   them with [`Jwk::to_public`] and use [`JwkSet::from_keys`];
/// * an entry of a supported type is broken: bad `base64url`, wrong lengths, a point not on the
///   curve, an RSA modulus under 2048 bits or `e = 1`, an HMAC secret shorter than the hash, an
///   `alg` of another family or curve, `use` and `key_ops` that disagree.
///
/// Entries that are well-formed but **not for JWS verification by webtoken** are skipped and
/// recorded in [`skipped`](Self::skipped): an unknown `kty` (such as future post-quantum keys),
/// a curve webtoken does not implement (`P-521`, `secp256k1`, `X25519`, `Ed448`), an `alg` that
/// is not an implemented JWS algorithm (`RSA-OAEP`, `ES512`, `A256GCM`), `use` other than `sig`
/// or `key_ops` without `verify`. Real JWKS endpoints publish such keys next to signature keys
/// (Keycloak lists its `RSA-OAEP` encryption key, Azure AD carries `x5c` chains, many providers
/// add keys during a rotation); refusing the whole set would break every token of the issuer. A
/// token whose `kid` names a skipped entry gets [`Error::UnknownKey`].
///
/// Every usable entry's verifying keys are built at load: an RSA key without `alg` is parsed
/// once and serves RS256..PS512, an `oct` key without `alg` serves each HS* its secret is long
/// enough for. EC and OKP keys are bound by their curve; a key without `alg` is never used for
/// HS* unless it is an `oct` key (CVE-2026-44699).
///
/// # Lookup ([`KeySource`])
/// * a token with `kid`: the entry with exactly that `kid` (case-sensitive, no normalization);
///   none is [`Error::UnknownKey`]; an entry whose `alg`, type or curve does not fit the token's
///   algorithm is [`Error::AlgorithmNotAllowed`] (`KeyMismatch`);
/// * a token without `kid`: the one key of the set that fits the token's algorithm; none or
///   several is [`Error::UnknownKey`].
///
/// ```
/// use webtoken::keys::{JwkSet, KeySource};
/// use webtoken::{Algorithm, ErrorKind};
///
/// let jwks = JwkSet::from_json(r#"{"keys":[
///   {"kty":"EC","crv":"P-256","kid":"ec-1","use":"sig",
///    "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///    "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
///   {"kty":"RSA","kid":"enc-1","use":"enc","alg":"RSA-OAEP","e":"AQAB",
///    "n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"}
/// ]}"#)?;
/// assert_eq!(jwks.len(), 1);                 // the encryption key is skipped ...
/// assert_eq!(jwks.skipped()[0].key_id(), Some("enc-1")); // ... and recorded
///
/// let key = jwks.find_key(Some("ec-1"), Algorithm::Es256)?;
/// assert_eq!(key.algorithm(), Algorithm::Es256);
/// let err = jwks.find_key(Some("other"), Algorithm::Es256).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::UnknownKey);
/// let err = jwks.find_key(Some("ec-1"), Algorithm::Es384).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::AlgorithmNotAllowed);
///
/// // Two keys with one kid: refused.
/// let dup = r#"{"keys":[{"kty":"oct","kid":"a","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"},
///                       {"kty":"oct","kid":"a","k":"AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}]}"#;
/// assert_eq!(JwkSet::from_json(dup).unwrap_err().kind(), ErrorKind::InvalidKey);
/// # Ok::<(), webtoken::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JwkSet {
    keys: Vec<Jwk>,
    skipped: Vec<SkippedKey>,
}

struct Entry {
    index: usize,
    kty: Option<KeyType>,
    key_id: Option<String>,
    private: bool,
    object: Map<String, Value>,
}

fn kid_context(index: usize, key_id: Option<&str>) -> String {
    match key_id {
        Some(kid) => format!("key {index} (kid {})", Shown(kid)),
        None => format!("key {index}"),
    }
}

impl JwkSet {
    /// Parses and checks a JWK Set document, and builds the verifying keys of its usable
    /// entries. See [Loading](Self#loading) for what is refused and what is skipped.
    ///
    /// # Errors
    /// [`KeyError::JwkSet`] naming the rule that was broken and the entry (index and `kid`).
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let raw: RawSet = serde_json::from_str(json)
            .map_err(|e| set_error(format!("not a JWK Set document: {e}")))?;
        Self::from_raw(raw).map_err(Error::Key)
    }

    fn from_raw(raw: RawSet) -> Result<Self, KeyError> {
        let entries = match raw.keys {
            None => return Err(set_error("member keys is missing")),
            Some(RawKeys::Other(what)) => {
                return Err(set_error(format!(
                    "member keys must be an array, found {what}"
                )));
            }
            Some(RawKeys::Array(entries)) => entries,
        };
        let mut objects = Vec::with_capacity(entries.len());
        for (index, entry) in entries.into_iter().enumerate() {
            match entry {
                MaybeObject::Object(obj) => objects.push(Self::inspect(index, obj)),
                MaybeObject::Other(what) => {
                    return Err(set_error(format!(
                        "key {index} must be a JSON object, found {what}"
                    )));
                }
            }
        }
        Self::check_entries(&objects, true)?;
        let mut set = Self::default();
        for entry in objects {
            let (index, key_id) = (entry.index, entry.key_id.clone());
            match Jwk::from_object(entry.object) {
                Ok(jwk) => set.add(index, jwk)?,
                Err(ParseFault {
                    error,
                    unsupported: true,
                }) => set.skipped.push(SkippedKey {
                    index,
                    key_id,
                    reason: error,
                }),
                Err(ParseFault { error, .. }) => {
                    return Err(set_error(format!(
                        "{}: {error}",
                        kid_context(index, key_id.as_deref())
                    )));
                }
            }
        }
        Ok(set)
    }

    fn inspect(index: usize, object: Map<String, Value>) -> Entry {
        let kty = match object.get("kty") {
            Some(Value::String(s)) => KeyType::from_name(s),
            _ => None,
        };
        let key_id = match object.get("kid") {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let private = matches!(kty, Some(KeyType::Rsa | KeyType::Ec | KeyType::Okp))
            && PRIVATE_MEMBERS.iter().any(|m| object.contains_key(*m));
        Entry {
            index,
            kty,
            key_id,
            private,
            object,
        }
    }

    /// The set-level rules: no private members, unique `kid`s and, for a document, no `oct`
    /// next to asymmetric keys.
    fn check_entries(entries: &[Entry], refuse_mixed: bool) -> Result<(), KeyError> {
        if let Some(e) = entries.iter().find(|e| e.private) {
            return Err(set_error(format!(
                "{} has private key members; a verification key set must hold public keys only",
                kid_context(e.index, e.key_id.as_deref())
            )));
        }
        let secrets = entries.iter().any(|e| e.kty == Some(KeyType::Oct));
        let asymmetric = entries
            .iter()
            .any(|e| matches!(e.kty, Some(KeyType::Rsa | KeyType::Ec | KeyType::Okp)));
        if refuse_mixed && secrets && asymmetric {
            return Err(set_error("the set mixes oct secrets with asymmetric keys"));
        }
        let mut seen = HashSet::new();
        for e in entries {
            if let Some(kid) = &e.key_id {
                if !seen.insert(kid.as_str()) {
                    return Err(set_error(format!(
                        "kid {} is used by more than one key",
                        Shown(kid)
                    )));
                }
            }
        }
        Ok(())
    }

    /// Adds a parsed entry: skipped when not for verification, refused when its keys do not
    /// build.
    fn add(&mut self, index: usize, jwk: Jwk) -> Result<(), KeyError> {
        let context = || kid_context(index, jwk.key_id());
        if let Err(reason) = jwk.check_operation("verify") {
            self.skipped.push(SkippedKey {
                index,
                key_id: jwk.key_id.clone(),
                reason,
            });
            return Ok(());
        }
        jwk.verifying_keys()
            .map_err(|e| set_error(format!("{}: {e}", context())))?;
        self.keys.push(jwk);
        Ok(())
    }

    /// Builds a set from JWKs the application assembled itself: refused for duplicate `kid`s,
    /// private asymmetric keys, or keys that do not build; keys whose `use`/`key_ops` exclude
    /// verification are skipped.
    ///
    /// Unlike a JWK Set *document* ([`from_json`](Self::from_json)), such a set may hold `oct`
    /// secrets next to asymmetric keys (say, an internal HS256 secret and an identity
    /// provider's RSA keys): every key stays bound to its own family, so a token can never make
    /// an RSA key act as an HMAC secret (SECURITY.md §0.1).
    ///
    /// ```
    /// use webtoken::keys::{Jwk, JwkSet};
    ///
    /// let private = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519","kid":"ed",
    ///     "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert!(JwkSet::from_keys([private.clone()]).is_err()); // private members
    /// let jwks = JwkSet::from_keys([private.to_public()?])?;
    /// assert!(jwks.get("ed").is_some());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::JwkSet`] naming the rule that was broken.
    pub fn from_keys(keys: impl IntoIterator<Item = Jwk>) -> Result<Self, Error> {
        let keys: Vec<Jwk> = keys.into_iter().collect();
        let entries: Vec<Entry> = keys
            .iter()
            .enumerate()
            .map(|(index, jwk)| Entry {
                index,
                kty: Some(jwk.key_type()),
                key_id: jwk.key_id.clone(),
                private: jwk.key_type() != KeyType::Oct && jwk.is_private(),
                object: Map::new(),
            })
            .collect();
        Self::check_entries(&entries, false)?;
        let mut set = Self::default();
        for (index, jwk) in keys.into_iter().enumerate() {
            set.add(index, jwk)?;
        }
        Ok(set)
    }

    /// The usable key with exactly this `kid`.
    pub fn get(&self, key_id: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.key_id() == Some(key_id))
    }

    /// The usable keys, in the order of the document.
    pub fn iter(&self) -> std::slice::Iter<'_, Jwk> {
        self.keys.iter()
    }

    /// The number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no usable key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The entries that were left out at load because they are not for JWS verification by
    /// webtoken (see [Loading](Self#loading)); worth a log line.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }
}

impl<'a> IntoIterator for &'a JwkSet {
    type Item = &'a Jwk;
    type IntoIter = std::slice::Iter<'a, Jwk>;

    fn into_iter(self) -> Self::IntoIter {
        self.keys.iter()
    }
}

/// Writes `{"keys":[...]}` with the usable keys; skipped entries are not written.
impl Serialize for JwkSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("keys", &self.keys)?;
        map.end()
    }
}

/// Reads a JWK Set with the rules of [`JwkSet::from_json`].
impl<'de> Deserialize<'de> for JwkSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawSet::deserialize(deserializer)?;
        Self::from_raw(raw).map_err(de::Error::custom)
    }
}

impl KeySource for JwkSet {
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        if let Some(kid) = key_id {
            let jwk = self.get(kid).ok_or_else(|| Error::UnknownKey {
                kid: Some(kid.to_owned()),
            })?;
            return jwk.find_prepared(algorithm);
        }
        let mut found = None;
        for jwk in &self.keys {
            if !jwk.algorithms().contains(algorithm) {
                continue;
            }
            let Ok(keys) = jwk.verifying_keys() else {
                continue;
            };
            if let Some(key) = keys.iter().find(|k| k.algorithm() == algorithm) {
                if found.is_some() {
                    return Err(Error::UnknownKey { kid: None });
                }
                found = Some(key);
            }
        }
        found
            .map(Cow::Borrowed)
            .ok_or(Error::UnknownKey { kid: None })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const EC_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    const EC_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    #[test]
    fn shown_escapes_and_truncates() {
        assert_eq!(Shown("a\"b").to_string(), r#""a\"b""#);
        let long = "x".repeat(100);
        assert!(Shown(&long).to_string().ends_with("..."));
        assert!(Shown(&long).to_string().len() < 50);
        assert_eq!(Shown("P-521\n").bare(), "P-521\\n");
        assert_eq!(Shown(&long).bare().len(), 43);
    }

    #[test]
    fn duplicate_members_are_refused() {
        let json =
            format!(r#"{{"kty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}","crv":"P-384"}}"#);
        let err = Jwk::from_json(&json).unwrap_err();
        assert!(
            err.to_string().contains("duplicate member \"crv\""),
            "{err}"
        );
    }

    #[test]
    fn escaped_duplicate_member_names_collide() {
        let json =
            format!(r#"{{"kty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}","\u0063rv":"P-384"}}"#);
        assert!(Jwk::from_json(&json).is_err());
    }

    #[test]
    fn minimal_keeps_one_octet_for_zero() {
        assert_eq!(minimal(&[0, 0, 1, 0]), vec![1, 0]);
        assert_eq!(minimal(&[0, 0]), vec![0]);
        assert_eq!(minimal(&[]), Vec::<u8>::new());
    }

    #[test]
    fn cached_keys_are_reused() {
        let json = format!(r#"{{"kty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}"}}"#);
        let jwk = Jwk::from_json(&json).unwrap();
        let a = jwk.find_key(None, Algorithm::Es256).unwrap();
        let b = jwk.find_key(None, Algorithm::Es256).unwrap();
        assert!(matches!((a, b), (Cow::Borrowed(a), Cow::Borrowed(b)) if std::ptr::eq(a, b)));
    }
}
