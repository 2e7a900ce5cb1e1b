//! Keys built from parsed DER parts (the one place that turns parts into a [`SigningKey`] or
//! [`VerifyingKey`] for PEM and DER input), and [`SigningKey::generate`].

use std::sync::Arc;

use super::der::{
    PrivateKeyDer, PublicKeyDer, parse_pkcs8, parse_rsa_private, parse_rsa_public, parse_spki,
};
use super::formats::SecretBytes;
use super::formats::der::{Reader, TAG_INTEGER, TAG_SEQUENCE};
use super::kind::{self, Curve, KeyKind, MlDsa};
use super::{
    PrivateParts, SigningInner, SigningKey, VerifyingInner, VerifyingKey, backend, ecdsa, eddsa,
    mldsa,
};
use crate::algorithm::{Algorithm, AlgorithmFamily};
use crate::error::{Error, KeyError};
use crate::keys::KeyErrorCategory;

/// What a constructor asks for: any supported key (with an optional algorithm), or one family.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Want {
    /// Any key type; the algorithm is required for RSA and must fit EC/Ed25519 keys.
    Any(Option<Algorithm>),
    /// An RSA key, bound to this (RSA) algorithm.
    Rsa(Algorithm),
    /// An EC key on a curve of the table; the curve fixes the algorithm.
    Ecdsa,
    /// An Ed25519 key.
    Ed25519,
}

impl Want {
    /// Checks what can be checked before any parsing: an RSA algorithm must be an RSA one.
    pub(crate) fn check(self) -> Result<Self, KeyError> {
        if let Self::Rsa(algorithm) = self {
            if algorithm.family() != AlgorithmFamily::Rsa {
                return Err(KeyError::AlgorithmMismatch {
                    algorithm,
                    key: "RSA key".into(),
                });
            }
        }
        Ok(self)
    }

    /// The algorithm a key of `kind` is bound to under this request.
    fn algorithm_for(self, kind: KeyKind) -> Result<Algorithm, KeyError> {
        let natural = kind.implied_algorithm();
        match (self, kind) {
            (Self::Rsa(algorithm), KeyKind::Rsa) => Ok(algorithm),
            (Self::Ecdsa, KeyKind::Ec(curve)) => Ok(curve.algorithm()),
            (Self::Ecdsa, _) => Err(KeyError::KeyTypeMismatch {
                expected: kind::ANY_EC_KEY,
                found: kind.name(),
            }),
            (Self::Ed25519, KeyKind::Ed25519) => Ok(Algorithm::EdDsa),
            (Self::Ed25519, _) => Err(KeyError::KeyTypeMismatch {
                expected: "an Ed25519 key",
                found: kind.name(),
            }),
            (Self::Any(None), _) => natural.ok_or(KeyError::AlgorithmRequired { key: kind.name() }),
            (Self::Any(Some(algorithm)), KeyKind::Rsa)
                if algorithm.family() == AlgorithmFamily::Rsa =>
            {
                Ok(algorithm)
            }
            // The kind's own algorithm, or for Ed25519 keys either of its names.
            (Self::Any(Some(algorithm)), _) if kind.algorithms().contains(algorithm) => {
                Ok(algorithm)
            }
            (Self::Rsa(algorithm) | Self::Any(Some(algorithm)), _) => {
                Err(KeyError::AlgorithmMismatch {
                    algorithm,
                    key: kind.name().into(),
                })
            }
        }
    }
}

impl PublicKeyDer<'_> {
    fn kind(&self) -> KeyKind {
        match self {
            Self::Rsa { .. } => KeyKind::Rsa,
            Self::Ec { curve, .. } => KeyKind::Ec(*curve),
            Self::Ed25519 { .. } => KeyKind::Ed25519,
            Self::MlDsa { set, .. } => KeyKind::MlDsa(*set),
        }
    }
}

impl PrivateKeyDer<'_> {
    fn kind(&self) -> KeyKind {
        match self {
            Self::Rsa(_) => KeyKind::Rsa,
            Self::Ec { curve, .. } => KeyKind::Ec(*curve),
            Self::Ed25519 { .. } => KeyKind::Ed25519,
            Self::MlDsa { set, .. } => KeyKind::MlDsa(*set),
        }
    }
}

fn rejected(what: &'static str) -> impl FnOnce(backend::error::KeyRejected) -> KeyError {
    move |e| {
        KeyError::invalid(
            KeyErrorCategory::Rejected,
            format!("not a usable {what} ({e})"),
        )
    }
}

/// Builds a verifying key from a parsed public key.
pub(crate) fn verifying_key_from_public(
    key: &PublicKeyDer<'_>,
    want: Want,
) -> Result<VerifyingKey, Error> {
    let algorithm = want.check()?.algorithm_for(key.kind())?;
    let inner = match *key {
        PublicKeyDer::Rsa { n, e } => {
            VerifyingInner::Rsa(Arc::new(super::rsa::RsaPublicKey::new(n, e)?))
        }
        PublicKeyDer::Ec { point, .. } => {
            VerifyingInner::Ecdsa(Arc::new(super::ecdsa::EcPublicKey::new(algorithm, point)?))
        }
        PublicKeyDer::Ed25519 { public } => {
            VerifyingInner::EdDsa(Arc::new(super::eddsa::Ed25519PublicKey::new(public)?))
        }
        PublicKeyDer::MlDsa { public, .. } => {
            VerifyingInner::MlDsa(Arc::new(mldsa::MlDsaPublicKey::new(algorithm, public)?))
        }
    };
    Ok(VerifyingKey::from_inner(algorithm, inner))
}

/// Builds a signing key from a parsed private key, keeping its parts for export.
pub(crate) fn signing_key_from_private(
    key: &PrivateKeyDer<'_>,
    want: Want,
) -> Result<SigningKey, Error> {
    let algorithm = want.check()?.algorithm_for(key.kind())?;
    match key {
        PrivateKeyDer::Rsa(k) => {
            // Size and exponent first, so that weak keys get their typed error.
            super::rsa::RsaPublicKey::new(k.n, k.e)?;
            super::rsa::check_private_parts(&super::rsa::PrivateKeyParts {
                n: k.n,
                e: k.e,
                d: k.d,
                p: k.p,
                q: k.q,
                dp: k.dp,
                dq: k.dq,
                qi: k.qi,
            })?;
            let pair =
                backend::rsa::KeyPair::from_der(k.pkcs1).map_err(rejected("RSA private key"))?;
            let parts = PrivateParts::Rsa {
                n: k.n.to_vec(),
                e: k.e.to_vec(),
                d: k.d.to_vec(),
                p: k.p.to_vec(),
                q: k.q.to_vec(),
                dp: k.dp.to_vec(),
                dq: k.dq.to_vec(),
                qi: k.qi.to_vec(),
            };
            Ok(
                SigningKey::from_inner(algorithm, SigningInner::Rsa(Arc::new(pair)))
                    .with_private_parts(parts),
            )
        }
        // EC and Ed25519 keys are bound by their curve: `algorithm` is the curve's (checked
        // by `algorithm_for` above), which is what the family builders bind them to.
        PrivateKeyDer::Ec { curve, d, point } => Ok(ecdsa::signing_key(
            *curve,
            d,
            point,
            rejected("EC private key"),
        )?),
        PrivateKeyDer::Ed25519 { seed, public } => {
            let pair = match public {
                Some(public) => {
                    // An embedded public key is checked before it is compared with the seed's,
                    // so that a small-order or non-canonical one is named as such.
                    if let Ok(embedded) = <&[u8; 32]>::try_from(*public) {
                        super::eddsa::check_public_key(embedded)?;
                    }
                    backend::signature::Ed25519KeyPair::from_seed_and_public_key(seed, public)
                }
                None => backend::signature::Ed25519KeyPair::from_seed_unchecked(seed),
            }
            .map_err(rejected("Ed25519 private key"))?;
            let seed: [u8; 32] = (*seed).try_into().map_err(|_| {
                KeyError::invalid(KeyErrorCategory::Rejected, "an Ed25519 seed has 32 bytes")
            })?;
            Ok(eddsa::signing_key(pair, seed, algorithm)?)
        }
        PrivateKeyDer::MlDsa {
            set,
            seed,
            expanded,
            public,
        } => Ok(mldsa::signing_key(*set, seed, *public, *expanded)?),
    }
}

/// Parses an RSA private key given as PKCS#8 or PKCS#1, told apart by structure: after the
/// version, PKCS#8 has an `AlgorithmIdentifier` (a SEQUENCE), PKCS#1 the modulus (an INTEGER).
pub(crate) fn parse_rsa_private_any(der: &[u8]) -> Result<PrivateKeyDer<'_>, KeyError> {
    let mut outer = Reader::new(der);
    let mut seq = outer.sequence("private key")?;
    seq.read(TAG_INTEGER, "version")?;
    if seq.peek_tag() == Some(TAG_SEQUENCE) {
        parse_pkcs8(der)
    } else {
        parse_rsa_private(der).map(PrivateKeyDer::Rsa)
    }
}

/// Parses an RSA public key given as SPKI or PKCS#1 `RSAPublicKey`, told apart by structure:
/// SPKI starts with an `AlgorithmIdentifier` (a SEQUENCE), PKCS#1 with the modulus.
pub(crate) fn parse_rsa_public_any(der: &[u8]) -> Result<PublicKeyDer<'_>, KeyError> {
    let mut outer = Reader::new(der);
    let seq = outer.sequence("public key")?;
    if seq.peek_tag() == Some(TAG_SEQUENCE) {
        parse_spki(der)
    } else {
        parse_rsa_public(der).map(|(n, e)| PublicKeyDer::Rsa { n, e })
    }
}

/// Generates a key pair with the asymmetric backend and reads it back through the PKCS#8 parser.
pub(crate) fn generate(algorithm: Algorithm) -> Result<SigningKey, Error> {
    let rng = backend::rand::SystemRandom::new();
    if let Some(set) = MlDsa::for_algorithm(algorithm) {
        return Ok(mldsa::generate(set)?);
    }
    let document = match (Curve::for_algorithm(algorithm), algorithm) {
        (Some(curve), _) => {
            backend::signature::EcdsaKeyPair::generate_pkcs8(backend::ecdsa(curve)?.signing, &rng)
        }
        (None, Algorithm::EdDsa | Algorithm::Ed25519) => {
            backend::signature::Ed25519KeyPair::generate_pkcs8(&rng)
        }
        (None, other) => {
            let operation = match other.family() {
                AlgorithmFamily::Rsa => {
                    "generating RSA keys with SigningKey::generate (use \
                     SigningKey::generate_rsa(bits, algorithm))"
                }
                _ => "generating HMAC keys as SigningKey (use keys::generate_hmac_secret)",
            };
            return Err(KeyError::invalid(KeyErrorCategory::Unsupported, operation).into());
        }
    }
    .map_err(|_| KeyError::Random)?;
    let document = SecretBytes(document.as_ref().to_vec());
    signing_key_from_private(&parse_pkcs8(&document.0)?, Want::Any(Some(algorithm)))
}

impl SigningKey {
    /// Generates a new private key for `ES256` (P-256), `ES384` (P-384), `EdDSA` or `Ed25519`
    /// (Ed25519), and with the `aws-lc-rs` feature `ES512` (P-521), `ES256K` (secp256k1) and
    /// `ML-DSA-44/65/87` (from a random 32-byte seed), with the operating system's random
    /// number generator. The key can be exported with [`to_pkcs8_pem`](Self::to_pkcs8_pem)
    /// and [`to_private_jwk`](Self::to_private_jwk).
    ///
    /// RSA keys: [`generate_rsa`](Self::generate_rsa). For HMAC use
    /// [`generate_hmac_secret`](super::generate_hmac_secret).
    ///
    /// # Errors
    /// [`KeyErrorCategory::Unsupported`] for RSA and HMAC algorithms,
    /// [`KeyErrorCategory::Unavailable`] for ES512, ES256K and ML-DSA-* without the `aws-lc-rs`
    /// feature, [`KeyError::Random`] if the random number generator fails.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::Es256)?;
    /// let pem = key.to_pkcs8_pem()?;
    /// assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    /// assert!(SigningKey::generate(Algorithm::Rs256).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn generate(algorithm: Algorithm) -> Result<Self, Error> {
        generate(algorithm)
    }

    /// Generates a new RSA private key of `bits` (2048, 3072 or 4096) bound to `algorithm`
    /// (`RS*` or `PS*`). Needs the `aws-lc-rs` feature: ring does not implement RSA key
    /// generation. The key passes the same checks as a loaded one and exports with
    /// [`to_pkcs8_pem`](Self::to_pkcs8_pem) and [`to_private_jwk`](Self::to_private_jwk).
    ///
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// match SigningKey::generate_rsa(2048, Algorithm::Ps256) {
    ///     Ok(key) => assert_eq!(key.algorithm(), Algorithm::Ps256),
    ///     // A ring build says which cargo feature generates RSA keys.
    ///     Err(err) => assert!(err.to_string().contains("aws-lc-rs")),
    /// }
    /// assert!(SigningKey::generate_rsa(1024, Algorithm::Rs256).is_err());
    /// assert!(SigningKey::generate_rsa(2048, Algorithm::Es256).is_err());
    /// ```
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not an RSA algorithm,
    /// [`KeyErrorCategory::Unsupported`] for another size, [`KeyErrorCategory::Unavailable`]
    /// without the `aws-lc-rs` feature, [`KeyError::Random`] if generation fails.
    pub fn generate_rsa(bits: usize, algorithm: Algorithm) -> Result<Self, Error> {
        Want::Rsa(algorithm).check()?;
        let document = SecretBytes(backend::rsa_generate_pkcs8(bits)?);
        signing_key_from_private(&parse_pkcs8(&document.0)?, Want::Rsa(algorithm))
    }
}
