//! The DER constructors and exporters of [`SigningKey`] and [`VerifyingKey`]: PKCS#8, PKCS#1,
//! SEC1, SPKI and certificates in, PKCS#8 and SPKI out.

use super::build::{
    Want, parse_rsa_private_any, parse_rsa_public_any, signing_key_from_private,
    verifying_key_from_public,
};
use super::der::{
    PrivateKeyDer, PublicKeyDer, parse_certificate, parse_pkcs8, parse_rsa_private,
    parse_rsa_public, parse_sec1, parse_spki, write_pkcs8_ec, write_pkcs8_ed25519,
    write_pkcs8_ml_dsa, write_pkcs8_rsa, write_spki_ec, write_spki_ed25519, write_spki_ml_dsa,
    write_spki_rsa,
};
use super::kind::Curve;
use super::{PrivateParts, SigningInner, SigningKey, VerifyingInner, VerifyingKey};
use crate::algorithm::Algorithm;
use crate::error::{Error, KeyError};
use crate::keys::KeyErrorCategory;

impl SigningKey {
    /// An RSA signing key (`RS*` or `PS*`) from a DER-encoded PKCS#8 `PrivateKeyInfo` or a
    /// PKCS#1 `RSAPrivateKey` (told apart by their structure). The private parts are kept for
    /// export.
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not an RSA algorithm or the DER
    /// holds another kind of key, [`KeyErrorCategory::Der`] for malformed DER,
    /// [`KeyError::RsaModulusSize`] under 2048 bits, [`KeyError::RsaExponent`], and
    /// [`KeyErrorCategory::Rejected`] for keys whose parts do not belong together (the message names
    /// the part; see [the checks](crate::keys#checks-when-a-key-is-built)) and keys the backend
    /// refuses (ring signs with at most 4096-bit keys).
    ///
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let der = include_bytes!("../../tests/data/keys/rsa2048.pkcs1.der");
    /// let key = SigningKey::rsa_der(der, Algorithm::Ps256)?;
    /// assert_eq!(key.algorithm(), Algorithm::Ps256);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn rsa_der(der: &[u8], algorithm: Algorithm) -> Result<Self, Error> {
        let want = Want::Rsa(algorithm).check()?;
        signing_key_from_private(&parse_rsa_private_any(der)?, want)
    }

    /// An RSA signing key from a DER PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2) only, bound to
    /// `algorithm` (RS256..RS512 or PS256..PS512). [`rsa_der`](Self::rsa_der) also reads
    /// PKCS#8.
    ///
    /// # Errors
    /// As [`rsa_der`](Self::rsa_der); a PKCS#8 document is malformed DER here.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let der = include_bytes!("../../tests/data/keys/rsa2048.pkcs1.der");
    /// let key = SigningKey::from_pkcs1_der(der, Algorithm::Rs256)?;
    /// assert_eq!(key.algorithm(), Algorithm::Rs256);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_pkcs1_der(der: &[u8], algorithm: Algorithm) -> Result<Self, Error> {
        let want = Want::Rsa(algorithm).check()?;
        signing_key_from_private(&PrivateKeyDer::Rsa(parse_rsa_private(der)?), want)
    }

    /// An Ed25519 (`EdDSA`) signing key from its 32-byte seed (the JWK `d`).
    ///
    /// # Errors
    /// [`KeyError`] when the seed is not 32 bytes.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey, base64url};
    ///
    /// // RFC 8037 Appendix A.1: the seed `d` and, derived from it, the public key `x`.
    /// let d = base64url::decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A").unwrap();
    /// let key = SigningKey::ed25519_seed(&d)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDsa);
    /// let jwk = serde_json::to_value(key.to_public_jwk()?).unwrap();
    /// assert_eq!(jwk["x"], "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    /// assert!(SigningKey::ed25519_seed(&d[..16]).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ed25519_seed(seed: &[u8]) -> Result<Self, Error> {
        signing_key_from_private(
            &PrivateKeyDer::Ed25519 { seed, public: None },
            Want::Ed25519,
        )
    }

    /// A signing key from a DER-encoded PKCS#8 private key (`PrivateKeyInfo`, RFC 5208, or
    /// `OneAsymmetricKey` v2, RFC 5958) holding an RSA, EC (P-256, P-384, P-521, secp256k1), Ed25519 or ML-DSA key; the key
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

    /// A P-256, P-384, P-521 or secp256k1 signing key from a DER-encoded SEC1 `ECPrivateKey` (RFC 5915), the
    /// body of an `EC PRIVATE KEY` PEM block. The named curve and the public key must both be
    /// present (OpenSSL always writes them; ring cannot derive a public key from the scalar).
    ///
    /// # Errors
    /// [`KeyErrorCategory::Der`] for malformed DER or missing curve parameters,
    /// [`KeyErrorCategory::UnsupportedCurve`] for curves not in the table above (or explicit
    /// curve parameters), [`KeyErrorCategory::Rejected`] when the public key is missing or does not
    /// match the private scalar.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let der = include_bytes!("../../tests/data/keys/p256.sec1.der");
    /// let key = SigningKey::from_sec1_der(der)?;
    /// assert_eq!(key.algorithm(), Algorithm::Es256);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, Error> {
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
            PrivateParts::MlDsa { seed, .. } => write_pkcs8_ml_dsa(
                super::mldsa::parameter_set(self.algorithm, "ML-DSA key")?,
                seed,
            ),
        })
    }
}

impl VerifyingKey {
    /// A verifying key from a DER-encoded `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7, the body
    /// of a `PUBLIC KEY` PEM block) holding an RSA, EC (P-256, P-384, P-521, secp256k1), Ed25519 or ML-DSA key; the key type
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
    /// let key = VerifyingKey::rsa_der(der, Algorithm::Rs256)?;
    /// assert_eq!(key.algorithm(), Algorithm::Rs256);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn rsa_der(der: &[u8], algorithm: Algorithm) -> Result<Self, Error> {
        let want = Want::Rsa(algorithm).check()?;
        verifying_key_from_public(&parse_rsa_public_any(der)?, want)
    }

    /// An RSA verifying key from a DER PKCS#1 `RSAPublicKey` (RFC 8017 §A.1.1) only, bound to
    /// `algorithm` (RS256..RS512 or PS256..PS512). [`rsa_der`](Self::rsa_der) also reads SPKI.
    ///
    /// # Errors
    /// As [`rsa_der`](Self::rsa_der); an SPKI document is malformed DER here.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let spki = include_bytes!("../../tests/data/keys/rsa2048.spki.der");
    /// // An SPKI of a 2048-bit key carries the PKCS#1 RSAPublicKey from byte 24 on.
    /// let key = VerifyingKey::from_pkcs1_der(&spki[24..], Algorithm::Rs256)?;
    /// assert_eq!(key.to_spki_der()?, spki);
    /// assert!(VerifyingKey::from_pkcs1_der(spki, Algorithm::Rs256).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_pkcs1_der(der: &[u8], algorithm: Algorithm) -> Result<Self, Error> {
        let want = Want::Rsa(algorithm).check()?;
        let (n, e) = parse_rsa_public(der)?;
        verifying_key_from_public(&PublicKeyDer::Rsa { n, e }, want)
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
    /// let key = VerifyingKey::rsa_der(der, Algorithm::Rs256)?;
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
            VerifyingInner::MlDsa(k) => write_spki_ml_dsa(
                super::mldsa::parameter_set(self.algorithm, "ML-DSA key")?,
                k.as_bytes(),
            ),
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
