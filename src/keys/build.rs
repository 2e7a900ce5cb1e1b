//! Keys built from parsed DER parts, and the DER constructors and exporters of [`SigningKey`]
//! and [`VerifyingKey`].

use std::sync::Arc;

use super::der::{
    PrivateKeyDer, PublicKeyDer, parse_certificate, parse_pkcs8, parse_rsa_private,
    parse_rsa_public, parse_sec1, parse_spki, write_pkcs8_ec, write_pkcs8_ed25519, write_pkcs8_rsa,
    write_spki_ec, write_spki_ed25519, write_spki_rsa,
};
use super::formats::der::{Reader, TAG_INTEGER, TAG_SEQUENCE};
use super::kind::{self, Curve, KeyKind};
use super::{PrivateParts, SigningInner, SigningKey, VerifyingInner, VerifyingKey, backend};
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
    /// A P-256 or P-384 key; the curve fixes the algorithm.
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
            (Self::Any(Some(algorithm)), _) if Some(algorithm) == natural => Ok(algorithm),
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
        }
    }
}

impl PrivateKeyDer<'_> {
    fn kind(&self) -> KeyKind {
        match self {
            Self::Rsa(_) => KeyKind::Rsa,
            Self::Ec { curve, .. } => KeyKind::Ec(*curve),
            Self::Ed25519 { .. } => KeyKind::Ed25519,
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
    };
    Ok(VerifyingKey::from_inner(algorithm, inner))
}

/// Builds a signing key from a parsed private key, keeping its parts for export.
pub(crate) fn signing_key_from_private(
    key: &PrivateKeyDer<'_>,
    want: Want,
) -> Result<SigningKey, Error> {
    let algorithm = want.check()?.algorithm_for(key.kind())?;
    let (inner, parts) = match key {
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
            (SigningInner::Rsa(Arc::new(pair)), parts)
        }
        PrivateKeyDer::Ec { curve, d, point } => {
            let pair = backend::ecdsa_key_pair(backend::ecdsa(*curve).signing, d, point)
                .map_err(rejected("EC private key"))?;
            let parts = PrivateParts::Ec {
                d: d.to_vec(),
                point: point.to_vec(),
            };
            (SigningInner::Ecdsa(Arc::new(pair)), parts)
        }
        PrivateKeyDer::Ed25519 { seed, public } => {
            use backend::signature::KeyPair as _;
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
            let public: [u8; 32] = pair.public_key().as_ref().try_into().map_err(|_| {
                KeyError::invalid(
                    KeyErrorCategory::Rejected,
                    "an Ed25519 public key has 32 bytes",
                )
            })?;
            // Never fails for a derived key (a clamped scalar times the base point has order
            // L); checked anyway so that every path to an Ed25519 key goes through it.
            super::eddsa::check_public_key(&public)?;
            (
                SigningInner::EdDsa(Arc::new(pair)),
                PrivateParts::Ed25519 { seed, public },
            )
        }
    };
    Ok(SigningKey::from_inner(algorithm, inner).with_private_parts(parts))
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
fn parse_rsa_public_any(der: &[u8]) -> Result<PublicKeyDer<'_>, KeyError> {
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
    let document = match (Curve::for_algorithm(algorithm), algorithm) {
        (Some(curve), _) => {
            backend::signature::EcdsaKeyPair::generate_pkcs8(backend::ecdsa(curve).signing, &rng)
        }
        (None, Algorithm::EdDsa) => backend::signature::Ed25519KeyPair::generate_pkcs8(&rng),
        (None, other) => {
            let operation = match other.family() {
                AlgorithmFamily::Rsa => {
                    "generating RSA keys (use `openssl genpkey -algorithm RSA -pkeyopt \
                     rsa_keygen_bits:2048 -out key.pem` and SigningKey::rsa_pem)"
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

/// Bytes that may hold private key material: overwritten with zeros when dropped.
///
/// Best effort without `unsafe` or a new dependency: the write is kept alive with
/// [`std::hint::black_box`], but copies made elsewhere (by the caller, by the allocator on
/// reallocation) are out of reach.
pub(crate) struct SecretBytes(pub(crate) Vec<u8>);

impl Drop for SecretBytes {
    fn drop(&mut self) {
        self.0.fill(0);
        std::hint::black_box(&mut self.0);
    }
}

impl SigningKey {
    /// A signing key from a DER-encoded PKCS#8 private key (`PrivateKeyInfo`, RFC 5208, or
    /// `OneAsymmetricKey` v2, RFC 5958) holding an RSA, P-256, P-384 or Ed25519 key; the key
    /// type is read from the document's algorithm OID.
    ///
    /// `algorithm` must be given for RSA keys (`RS256`..`PS512`); for EC and Ed25519 keys it
    /// may be `None` (the curve decides) or must match the curve.
    ///
    /// # Errors
    /// [`KeyErrorCategory::Der`] for malformed DER, [`KeyErrorCategory::UnsupportedKeyType`] /
    /// [`KeyErrorCategory::UnsupportedCurve`] (naming the OID) for other key types and curves,
    /// [`KeyError::AlgorithmRequired`] for an RSA key without `algorithm`,
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` does not fit the key,
    /// [`KeyError::RsaModulusSize`] / [`KeyError::RsaExponent`] for weak RSA keys, and
    /// [`KeyErrorCategory::Rejected`] when ring refuses the key (for example an EC key without its
    /// public point, or an RSA key over 4096 bits).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let generated = SigningKey::generate(Algorithm::EdDsa)?;
    /// let der = generated.to_pkcs8_der()?;
    /// let key = SigningKey::from_pkcs8_der(&der, None)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDsa);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_pkcs8_der(der: &[u8], algorithm: Option<Algorithm>) -> Result<Self, Error> {
        signing_key_from_private(&parse_pkcs8(der)?, Want::Any(algorithm))
    }

    /// A P-256 or P-384 signing key from a DER-encoded SEC1 `ECPrivateKey` (RFC 5915), the
    /// body of an `EC PRIVATE KEY` PEM block. The named curve and the public key must both be
    /// present (OpenSSL always writes them; ring cannot derive a public key from the scalar).
    ///
    /// # Errors
    /// [`KeyErrorCategory::Der`] for malformed DER or missing curve parameters,
    /// [`KeyErrorCategory::UnsupportedCurve`] for curves other than P-256 and P-384 (or explicit
    /// curve parameters), [`KeyErrorCategory::Rejected`] when the public key is missing or does not
    /// match the private scalar.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let der = include_bytes!("../../tests/data/keys/p256.sec1.der");
    /// let key = SigningKey::ecdsa_sec1_der(der)?;
    /// assert_eq!(key.algorithm(), Algorithm::Es256);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ecdsa_sec1_der(der: &[u8]) -> Result<Self, Error> {
        signing_key_from_private(&parse_sec1(der)?, Want::Ecdsa)
    }

    /// The private key as a DER PKCS#8 v1 `PrivateKeyInfo` (RFC 5208): RSA with its
    /// PKCS#1 `RSAPrivateKey`, EC with a SEC1 `ECPrivateKey` holding the public point, Ed25519
    /// with its seed (RFC 8410).
    ///
    /// The returned bytes are the private key: store them as carefully as the key itself.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for HMAC keys (a secret has no PKCS#8 form),
    /// [`KeyErrorCategory::Unsupported`] when the key was built without its private parts.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::Es256)?;
    /// let again = SigningKey::from_pkcs8_der(&key.to_pkcs8_der()?, None)?;
    /// let signature = again.sign(b"message")?;
    /// key.verifying_key()?.verify(b"message", &signature)?;
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, Error> {
        let Some(parts) = self.private.as_deref() else {
            return Err(match self.inner {
                SigningInner::Hmac(_) => KeyError::KeyTypeMismatch {
                    expected: "an RSA, EC or Ed25519 private key",
                    found: "HMAC secret",
                },
                _ => KeyError::invalid(
                    KeyErrorCategory::Unsupported,
                    "exporting a key built without its private parts",
                ),
            }
            .into());
        };
        Ok(match parts {
            PrivateParts::Rsa {
                n,
                e,
                d,
                p,
                q,
                dp,
                dq,
                qi,
            } => write_pkcs8_rsa([n, e, d, p, q, dp, dq, qi]),
            PrivateParts::Ec { d, point } => {
                let curve = Curve::for_algorithm(self.algorithm).ok_or(KeyError::invalid(
                    KeyErrorCategory::Unsupported,
                    "exporting an EC key bound to a non-ECDSA algorithm",
                ))?;
                write_pkcs8_ec(curve, d, point)
            }
            PrivateParts::Ed25519 { seed, .. } => write_pkcs8_ed25519(seed),
        })
    }
}

impl VerifyingKey {
    /// A verifying key from a DER-encoded `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7, the body
    /// of a `PUBLIC KEY` PEM block) holding an RSA, P-256, P-384 or Ed25519 key; the key type
    /// is read from the algorithm OID.
    ///
    /// `algorithm` must be given for RSA keys; for EC and Ed25519 keys it may be `None` (the
    /// curve decides) or must match the curve.
    ///
    /// # Errors
    /// [`KeyErrorCategory::Der`] for malformed DER, [`KeyErrorCategory::UnsupportedKeyType`] /
    /// [`KeyErrorCategory::UnsupportedCurve`] naming the OID, [`KeyError::AlgorithmRequired`],
    /// [`KeyError::AlgorithmMismatch`], [`KeyError::RsaModulusSize`],
    /// [`KeyError::RsaExponent`], or [`KeyErrorCategory::Rejected`] for an EC point that is not on
    /// the curve.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let der = include_bytes!("../../tests/data/keys/rsa2048.spki.der");
    /// let key = VerifyingKey::from_spki_der(der, Some(Algorithm::Ps256))?;
    /// assert_eq!(key.algorithm(), Algorithm::Ps256);
    /// // An RSA key serves several algorithms, so one must be named:
    /// assert!(VerifyingKey::from_spki_der(der, None).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_spki_der(der: &[u8], algorithm: Option<Algorithm>) -> Result<Self, Error> {
        verifying_key_from_public(&parse_spki(der)?, Want::Any(algorithm))
    }

    /// An RSA verifying key (`RS*` or `PS*`) from DER: a `SubjectPublicKeyInfo` or a PKCS#1
    /// `RSAPublicKey`.
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not an RSA algorithm or the key is
    /// not an RSA key, [`KeyErrorCategory::Der`] for malformed DER, [`KeyError::RsaModulusSize`] and
    /// [`KeyError::RsaExponent`] for weak keys.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let der = include_bytes!("../../tests/data/keys/rsa2048.spki.der");
    /// let key = VerifyingKey::rsa_der(Algorithm::Rs256, der)?;
    /// assert_eq!(key.algorithm(), Algorithm::Rs256);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn rsa_der(algorithm: Algorithm, der: &[u8]) -> Result<Self, Error> {
        let want = Want::Rsa(algorithm).check()?;
        verifying_key_from_public(&parse_rsa_public_any(der)?, want)
    }

    /// A P-256 (`ES256`) or P-384 (`ES384`) verifying key from a DER `SubjectPublicKeyInfo`;
    /// the curve fixes the algorithm. The point is checked to lie on the curve.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for keys that are not EC keys,
    /// [`KeyErrorCategory::UnsupportedCurve`] for other curves, [`KeyErrorCategory::Der`] for malformed DER,
    /// [`KeyErrorCategory::Rejected`] for a point that is compressed or not on the curve.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey, VerifyingKey};
    ///
    /// let spki = SigningKey::generate(Algorithm::Es384)?.verifying_key()?.to_spki_der()?;
    /// let key = VerifyingKey::ecdsa_der(&spki)?;
    /// assert_eq!(key.algorithm(), Algorithm::Es384);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ecdsa_der(der: &[u8]) -> Result<Self, Error> {
        verifying_key_from_public(&parse_spki(der)?, Want::Ecdsa)
    }

    /// An Ed25519 (`EdDSA`) verifying key from a DER `SubjectPublicKeyInfo` (RFC 8410).
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for keys that are not Ed25519 keys,
    /// [`KeyErrorCategory::UnsupportedKeyType`] for unknown OIDs (Ed448, X25519, …),
    /// [`KeyErrorCategory::Der`] for malformed DER.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey, VerifyingKey};
    ///
    /// let spki = SigningKey::generate(Algorithm::EdDsa)?.verifying_key()?.to_spki_der()?;
    /// assert_eq!(VerifyingKey::ed25519_der(&spki)?.algorithm(), Algorithm::EdDsa);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ed25519_der(der: &[u8]) -> Result<Self, Error> {
        verifying_key_from_public(&parse_spki(der)?, Want::Ed25519)
    }

    /// The public key inside a DER X.509 certificate (RFC 5280).
    ///
    /// **Only the key is used. The certificate is not validated in any way**: not its
    /// signature, issuer, validity period, key usage, extensions or chain of trust. Use this
    /// when the certificate itself was obtained from a trusted place (your configuration), as
    /// a container for the key; never for a certificate taken from a token's `x5c` header.
    ///
    /// # Errors
    /// The errors of [`from_spki_der`](Self::from_spki_der), and [`KeyErrorCategory::Der`] when the
    /// input is not a certificate.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let der = include_bytes!("../../tests/data/keys/rsa2048.cert.der");
    /// let key = VerifyingKey::from_certificate_der(der, Some(Algorithm::Rs256))?;
    /// assert_eq!(key.algorithm(), Algorithm::Rs256);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_certificate_der(der: &[u8], algorithm: Option<Algorithm>) -> Result<Self, Error> {
        verifying_key_from_public(&parse_certificate(der)?, Want::Any(algorithm))
    }

    /// The public key as a DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7; RFC 8410 for
    /// Ed25519), the body of a `PUBLIC KEY` PEM block.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for HMAC keys, which have no public form.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let der = include_bytes!("../../tests/data/keys/rsa2048.spki.der");
    /// let key = VerifyingKey::rsa_der(Algorithm::Rs256, der)?;
    /// assert_eq!(key.to_spki_der()?, der.to_vec());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        Ok(match &self.inner {
            VerifyingInner::Rsa(k) => write_spki_rsa(k.modulus(), k.exponent()),
            VerifyingInner::Ecdsa(k) => {
                let curve = Curve::for_algorithm(self.algorithm).ok_or(KeyError::invalid(
                    KeyErrorCategory::Unsupported,
                    "exporting an EC key bound to a non-ECDSA algorithm",
                ))?;
                write_spki_ec(curve, k.point())
            }
            VerifyingInner::EdDsa(k) => write_spki_ed25519(k.as_bytes()),
            VerifyingInner::Hmac(_) => {
                return Err(KeyError::KeyTypeMismatch {
                    expected: "a public key",
                    found: "HMAC secret",
                }
                .into());
            }
        })
    }
}
