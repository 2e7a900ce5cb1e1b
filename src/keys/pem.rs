//! The PEM key constructors and exporters of [`SigningKey`] and [`VerifyingKey`]: what each
//! PEM label (RFC 7468 §5, §10, §13; OpenSSL's traditional `RSA …` and `EC PRIVATE KEY`,
//! RFC 5915 §4) means for keys, around the DER key formats of [`der`].
//!
//! The armour itself (one block, strict base64 body read in constant time) is read and written
//! by [`formats::pem`](super::formats::pem); see there for what is accepted. Here:
//! - The label must be one the constructor reads.
//! - The DER inside must be exactly one structure: trailing bytes are refused.
//!
//! The key type is taken from the label and the algorithm OID inside the DER, never guessed
//! from bytes that might be something else.

use super::build::{self, Want};
use super::der::{self, PrivateKeyDer, PublicKeyDer};
use super::formats::SecretBytes;
use super::formats::pem::{PemBlock, PemError, decode, encode};
use super::{SigningKey, VerifyingKey};
use crate::algorithm::Algorithm;
use crate::error::{Error, KeyError};
use crate::keys::KeyErrorCategory;

impl From<PemError> for KeyError {
    fn from(error: PemError) -> Self {
        KeyError::invalid(KeyErrorCategory::Pem, error.reason)
    }
}

/// `SubjectPublicKeyInfo` (RFC 7468 §13).
const PUBLIC_KEY: &str = "PUBLIC KEY";
/// PKCS#1 `RSAPublicKey` (OpenSSL's traditional label).
const RSA_PUBLIC_KEY: &str = "RSA PUBLIC KEY";
/// PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 7468 §10).
const PRIVATE_KEY: &str = "PRIVATE KEY";
/// PKCS#1 `RSAPrivateKey` (OpenSSL's traditional label).
const RSA_PRIVATE_KEY: &str = "RSA PRIVATE KEY";
/// SEC1 `ECPrivateKey` (RFC 5915 §4).
const EC_PRIVATE_KEY: &str = "EC PRIVATE KEY";
/// X.509 `Certificate` (RFC 7468 §5).
const CERTIFICATE: &str = "CERTIFICATE";

/// Key material read from a PEM block, before a key is built from it.
enum Parsed<'a> {
    Public(PublicKeyDer<'a>),
    Private(PrivateKeyDer<'a>),
}

/// Parses the block's DER according to its label, if the label is in `accepted`.
fn parse_block<'a>(
    block: &'a PemBlock,
    accepted: &[&str],
    expected: &'static str,
) -> Result<Parsed<'a>, KeyError> {
    let label = block.label.as_str();
    if !accepted.contains(&label) {
        if label.starts_with("ENCRYPTED") {
            return Err(KeyError::invalid(
                KeyErrorCategory::Pem,
                "encrypted private keys are not supported; decrypt with \
                 `openssl pkey -in key.pem -out plain.pem`",
            ));
        }
        return Err(KeyError::pem_label(expected, label.to_owned()));
    }
    let der = block.der.0.as_slice();
    Ok(match label {
        PUBLIC_KEY => Parsed::Public(der::parse_spki(der)?),
        RSA_PUBLIC_KEY => {
            let (n, e) = der::parse_rsa_public(der)?;
            Parsed::Public(PublicKeyDer::Rsa { n, e })
        }
        CERTIFICATE => Parsed::Public(der::parse_certificate(der)?),
        PRIVATE_KEY => Parsed::Private(der::parse_pkcs8(der)?),
        RSA_PRIVATE_KEY => Parsed::Private(PrivateKeyDer::Rsa(der::parse_rsa_private(der)?)),
        EC_PRIVATE_KEY => Parsed::Private(der::parse_sec1(der)?),
        _ => {
            return Err(KeyError::pem_label(expected, label.to_owned()));
        }
    })
}

fn verifying_from_pem(
    pem: &str,
    want: Want,
    accepted: &[&str],
    expected: &'static str,
) -> Result<VerifyingKey, Error> {
    let want = want.check()?;
    let block = decode(pem).map_err(KeyError::from)?;
    match parse_block(&block, accepted, expected)? {
        Parsed::Public(key) => build::verifying_key_from_public(&key, want),
        Parsed::Private(key) => build::signing_key_from_private(&key, want)?.verifying_key(),
    }
}

fn signing_from_pem(
    pem: &str,
    want: Want,
    accepted: &[&str],
    expected: &'static str,
) -> Result<SigningKey, Error> {
    let want = want.check()?;
    let block = decode(pem).map_err(KeyError::from)?;
    if matches!(
        block.label.as_str(),
        PUBLIC_KEY | RSA_PUBLIC_KEY | CERTIFICATE
    ) {
        return Err(KeyError::PublicKeyOnly.into());
    }
    match parse_block(&block, accepted, expected)? {
        Parsed::Private(key) => build::signing_key_from_private(&key, want),
        Parsed::Public(_) => Err(KeyError::PublicKeyOnly.into()),
    }
}

impl VerifyingKey {
    /// A verifying key from any supported PEM block; the key type comes from the label and
    /// the algorithm OID inside, never from guessing.
    ///
    /// Accepted labels: `PUBLIC KEY` (SPKI: RSA, P-256, P-384, P-521, secp256k1, Ed25519, ML-DSA), `RSA PUBLIC KEY`
    /// (PKCS#1), `CERTIFICATE` (X.509; **not validated**, see
    /// [`from_certificate_pem`](Self::from_certificate_pem)), and the private-key labels
    /// `PRIVATE KEY`, `RSA PRIVATE KEY` and `EC PRIVATE KEY`, whose public half is used.
    ///
    /// `algorithm` must be given for RSA keys (`RS256`..`PS512`: the key does not say which);
    /// for EC, Ed25519 and ML-DSA keys it may be `None` (P-256 → `ES256`, P-384 → `ES384`,
    /// P-521 → `ES512`, secp256k1 → `ES256K`, Ed25519 → `EdDSA`, ML-DSA by its OID) or must be
    /// that algorithm (or `Ed25519` for an Ed25519 key).
    ///
    /// # Errors
    /// [`KeyErrorCategory::Pem`] for broken armour (missing END line, bad base64, trailing data…),
    /// [`KeyErrorCategory::PemLabel`] for other labels, [`KeyErrorCategory::Der`] for malformed content,
    /// [`KeyErrorCategory::UnsupportedKeyType`] / [`KeyErrorCategory::UnsupportedCurve`] naming the OID,
    /// [`KeyError::AlgorithmRequired`] for an RSA key without `algorithm`,
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` does not fit the key, and the weak-key
    /// errors [`KeyError::RsaModulusSize`] and [`KeyError::RsaExponent`].
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let ec = include_str!("../../tests/data/keys/p384.spki.pem");
    /// assert_eq!(VerifyingKey::from_pem(ec, None)?.algorithm(), Algorithm::Es384);
    ///
    /// let rsa = include_str!("../../tests/data/keys/rsa2048.spki.pem");
    /// assert_eq!(VerifyingKey::from_pem(rsa, Some(Algorithm::Rs512))?.algorithm(), Algorithm::Rs512);
    /// // An EC key cannot be bound to an RSA algorithm:
    /// assert!(VerifyingKey::from_pem(ec, Some(Algorithm::Rs256)).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_pem(pem: &str, algorithm: Option<Algorithm>) -> Result<Self, Error> {
        verifying_from_pem(
            pem,
            Want::Any(algorithm),
            &[
                PUBLIC_KEY,
                RSA_PUBLIC_KEY,
                CERTIFICATE,
                PRIVATE_KEY,
                RSA_PRIVATE_KEY,
                EC_PRIVATE_KEY,
            ],
            "PUBLIC KEY, RSA PUBLIC KEY, CERTIFICATE, PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY",
        )
    }

    /// An RSA verifying key (`RS*` or `PS*`) from PEM: `PUBLIC KEY` (SPKI), `RSA PUBLIC KEY`
    /// (PKCS#1), or a private key (`PRIVATE KEY`, `RSA PRIVATE KEY`) whose public half is used.
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not an RSA algorithm or the PEM
    /// holds another kind of key, [`KeyError::RsaModulusSize`] outside 2048..=8192 bits,
    /// [`KeyError::RsaExponent`] for an exponent such as 1, and the PEM and DER errors of
    /// [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/rsa2048.pkcs1.pub.pem");
    /// let key = VerifyingKey::rsa_pem(pem, Algorithm::Ps384)?;
    /// assert_eq!(key.algorithm(), Algorithm::Ps384);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn rsa_pem(pem: &str, algorithm: Algorithm) -> Result<Self, Error> {
        verifying_from_pem(
            pem,
            Want::Rsa(algorithm),
            &[PUBLIC_KEY, RSA_PUBLIC_KEY, PRIVATE_KEY, RSA_PRIVATE_KEY],
            "PUBLIC KEY, RSA PUBLIC KEY, PRIVATE KEY or RSA PRIVATE KEY",
        )
    }

    /// A P-256 (`ES256`), P-384 (`ES384`), P-521 (`ES512`) or secp256k1 (`ES256K`) verifying
    /// key from PEM: `PUBLIC KEY`, or a private key (`PRIVATE KEY`, `EC PRIVATE KEY`) whose
    /// public half is used. The curve fixes the algorithm; the point is checked to lie on the
    /// curve.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for keys that are not EC keys,
    /// [`KeyErrorCategory::UnsupportedCurve`] for other curves (brainpool, …),
    /// [`KeyErrorCategory::Unavailable`] for P-521 and secp256k1 without the `aws-lc-rs`
    /// feature, and the PEM and DER errors of [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/p256.spki.pem");
    /// assert_eq!(VerifyingKey::ecdsa_pem(pem)?.algorithm(), Algorithm::Es256);
    /// let p521 = include_str!("../../tests/data/keys/p521.spki.pem");
    /// match VerifyingKey::ecdsa_pem(p521) {
    ///     Ok(key) => assert_eq!(key.algorithm(), Algorithm::Es512), // with aws-lc-rs
    ///     Err(err) => assert!(err.to_string().contains("`aws-lc-rs` cargo feature")),
    /// }
    /// let ed25519 = include_str!("../../tests/data/keys/ed25519.spki.pem");
    /// assert!(VerifyingKey::ecdsa_pem(ed25519).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ecdsa_pem(pem: &str) -> Result<Self, Error> {
        verifying_from_pem(
            pem,
            Want::Ecdsa,
            &[PUBLIC_KEY, PRIVATE_KEY, EC_PRIVATE_KEY],
            "PUBLIC KEY, PRIVATE KEY or EC PRIVATE KEY",
        )
    }

    /// An Ed25519 (`EdDSA`) verifying key from PEM: `PUBLIC KEY`, or a `PRIVATE KEY` whose
    /// public half is used.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for keys that are not Ed25519 keys,
    /// [`KeyErrorCategory::UnsupportedKeyType`] for Ed448 and other unknown OIDs, and the PEM and DER
    /// errors of [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/ed25519.spki.pem");
    /// assert_eq!(VerifyingKey::ed25519_pem(pem)?.algorithm(), Algorithm::EdDsa);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ed25519_pem(pem: &str) -> Result<Self, Error> {
        verifying_from_pem(
            pem,
            Want::Ed25519,
            &[PUBLIC_KEY, PRIVATE_KEY],
            "PUBLIC KEY or PRIVATE KEY",
        )
    }

    /// The public key inside a PEM X.509 `CERTIFICATE`.
    ///
    /// **Only the key is used. The certificate is not validated in any way**: not its
    /// signature, issuer, validity period, key usage, extensions or chain of trust. Use this
    /// when the certificate file itself comes from a trusted place (your configuration);
    /// never for certificates taken from a token's `x5c` header.
    ///
    /// # Errors
    /// [`KeyErrorCategory::PemLabel`] for labels other than `CERTIFICATE`, and the errors of
    /// [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/ed25519.cert.pem");
    /// let key = VerifyingKey::from_certificate_pem(pem, None)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDsa);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_certificate_pem(pem: &str, algorithm: Option<Algorithm>) -> Result<Self, Error> {
        verifying_from_pem(pem, Want::Any(algorithm), &[CERTIFICATE], "CERTIFICATE")
    }

    /// The public key as a `PUBLIC KEY` PEM block (SPKI, 64-character lines, LF endings).
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for HMAC keys, which have no public form.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/rsa2048.spki.pem");
    /// let key = VerifyingKey::rsa_pem(pem, Algorithm::Rs256)?;
    /// assert_eq!(key.to_pem()?, pem);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn to_pem(&self) -> Result<String, Error> {
        Ok(encode(PUBLIC_KEY, &self.to_spki_der()?))
    }
}

impl SigningKey {
    /// A signing key from any supported private-key PEM block: `PRIVATE KEY` (PKCS#8 v1 or
    /// v2 with an RSA, EC, Ed25519 or ML-DSA key), `RSA PRIVATE KEY` (PKCS#1) or
    /// `EC PRIVATE KEY` (SEC1). The key type comes from the label and the OID inside.
    ///
    /// `algorithm` must be given for RSA keys; for EC and Ed25519 keys it may be `None` (the
    /// curve decides) or must match the curve. The private parts are kept so that the key can
    /// be exported again ([`to_pkcs8_pem`](Self::to_pkcs8_pem)).
    ///
    /// # Errors
    /// [`KeyError::PublicKeyOnly`] for public keys and certificates, [`KeyErrorCategory::Pem`],
    /// [`KeyErrorCategory::PemLabel`] (also for `ENCRYPTED PRIVATE KEY`: decrypt it first),
    /// [`KeyErrorCategory::Der`], [`KeyErrorCategory::UnsupportedKeyType`], [`KeyErrorCategory::UnsupportedCurve`],
    /// [`KeyError::AlgorithmRequired`], [`KeyError::AlgorithmMismatch`], the weak-key errors,
    /// and [`KeyErrorCategory::Rejected`] when ring refuses the key (inconsistent key pair, EC key
    /// without its public point, RSA modulus over 4096 bits).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/ed25519.pkcs8.pem");
    /// let key = SigningKey::from_pem(pem, None)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDsa);
    /// let signature = key.sign(b"message")?;
    /// key.verifying_key()?.verify(b"message", &signature)?;
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_pem(pem: &str, algorithm: Option<Algorithm>) -> Result<Self, Error> {
        signing_from_pem(
            pem,
            Want::Any(algorithm),
            &[PRIVATE_KEY, RSA_PRIVATE_KEY, EC_PRIVATE_KEY],
            "PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY",
        )
    }

    /// An RSA signing key (`RS*` or `PS*`) from a `PRIVATE KEY` (PKCS#8) or `RSA PRIVATE KEY`
    /// (PKCS#1) PEM block. ring signs with 2048- to 4096-bit keys.
    ///
    /// webtoken cannot generate RSA keys (ring does not); make one with
    /// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem`.
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not an RSA algorithm or the PEM
    /// holds another kind of key, [`KeyError::RsaModulusSize`] for keys under 2048 bits,
    /// [`KeyError::RsaExponent`], [`KeyError::PublicKeyOnly`] for public keys,
    /// [`KeyErrorCategory::Rejected`] for keys ring refuses, and the PEM and DER errors of
    /// [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey, VerifyingKey};
    ///
    /// let key = SigningKey::rsa_pem(
    ///     include_str!("../../tests/data/keys/rsa2048.pkcs1.pem"),
    ///     Algorithm::Rs256,
    /// )?;
    /// let public = VerifyingKey::rsa_pem(
    ///     include_str!("../../tests/data/keys/rsa2048.spki.pem"),
    ///     Algorithm::Rs256,
    /// )?;
    /// public.verify(b"message", &key.sign(b"message")?)?;
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn rsa_pem(pem: &str, algorithm: Algorithm) -> Result<Self, Error> {
        signing_from_pem(
            pem,
            Want::Rsa(algorithm),
            &[PRIVATE_KEY, RSA_PRIVATE_KEY],
            "PRIVATE KEY or RSA PRIVATE KEY",
        )
    }

    /// A P-256 (`ES256`), P-384 (`ES384`), P-521 (`ES512`) or secp256k1 (`ES256K`) signing key
    /// from a `PRIVATE KEY` (PKCS#8) or
    /// `EC PRIVATE KEY` (SEC1) PEM block; the curve fixes the algorithm. The public key must
    /// be included (OpenSSL always writes it; ring cannot derive it from the private scalar).
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for keys that are not EC keys,
    /// [`KeyErrorCategory::UnsupportedCurve`] for other curves, [`KeyErrorCategory::Rejected`] when the
    /// public key is missing or does not match, [`KeyError::PublicKeyOnly`] for public keys,
    /// and the PEM and DER errors of [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/p256.sec1.pem");
    /// assert_eq!(SigningKey::ecdsa_pem(pem)?.algorithm(), Algorithm::Es256);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ecdsa_pem(pem: &str) -> Result<Self, Error> {
        signing_from_pem(
            pem,
            Want::Ecdsa,
            &[PRIVATE_KEY, EC_PRIVATE_KEY],
            "PRIVATE KEY or EC PRIVATE KEY",
        )
    }

    /// An Ed25519 (`EdDSA`) signing key from a `PRIVATE KEY` (PKCS#8 v1, or v2 whose public key
    /// must match the seed) PEM block.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for keys that are not Ed25519 keys,
    /// [`KeyErrorCategory::UnsupportedKeyType`] for Ed448 and other OIDs, [`KeyErrorCategory::Rejected`] when
    /// a v2 document's public key does not match the seed, and the PEM and DER errors of
    /// [`from_pem`](Self::from_pem).
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/ed25519.pkcs8.pem");
    /// assert_eq!(SigningKey::ed25519_pem(pem)?.algorithm(), Algorithm::EdDsa);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ed25519_pem(pem: &str) -> Result<Self, Error> {
        signing_from_pem(pem, Want::Ed25519, &[PRIVATE_KEY], "PRIVATE KEY")
    }

    /// The private key as a PKCS#8 `PRIVATE KEY` PEM block (64-character lines, LF endings);
    /// see [`to_pkcs8_der`](Self::to_pkcs8_der).
    ///
    /// The returned string is the private key: store it as carefully as the key itself.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for HMAC keys, [`KeyErrorCategory::Unsupported`] for keys
    /// built without their private parts.
    ///
    /// # Examples
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let pem = include_str!("../../tests/data/keys/p384.pkcs8.pem");
    /// let key = SigningKey::ecdsa_pem(pem)?;
    /// let exported = key.to_pkcs8_pem()?;
    /// assert_eq!(SigningKey::from_pem(&exported, None)?.algorithm(), Algorithm::Es384);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn to_pkcs8_pem(&self) -> Result<String, Error> {
        let der = SecretBytes(self.to_pkcs8_der()?);
        Ok(encode(PRIVATE_KEY, &der.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_panics_on_mangled_pem() {
        let pem = include_str!("../../tests/data/keys/p256.sec1.pem");
        for cut in 0..pem.len() {
            if let Some(prefix) = pem.get(..cut) {
                let _ = VerifyingKey::from_pem(prefix, None);
                let _ = SigningKey::from_pem(prefix, None);
            }
        }
        let bytes = pem.as_bytes();
        for i in 0..bytes.len() {
            for replacement in [b'-', b'\n', b'A', b'=', 0xff] {
                let mut copy = bytes.to_vec();
                copy[i] = replacement;
                if let Ok(s) = std::str::from_utf8(&copy) {
                    let _ = VerifyingKey::from_pem(s, None);
                    let _ = SigningKey::from_pem(s, None);
                }
            }
        }
    }
}
