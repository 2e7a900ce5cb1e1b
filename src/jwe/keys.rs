//! JWE keys: [`EncryptingKey`] (a public key or a shared secret) and [`DecryptingKey`] (a
//! private key or a shared secret), each bound to one [`KeyAlgorithm`] when built, from raw
//! bytes, PEM or DER (JWK in `jwk.rs`), or generated; exported as PEM and DER in `keys/export.rs`.
//!
//! Checks when a key is built: a `dir` secret is 16, 32 or 64 bytes (the CEK of one `enc`),
//! an AES key-wrap secret 16 or 32 bytes as its algorithm says; RSA moduli are 2048 to 8192
//! bits; EC public keys are points on their curve; the key's family fits its algorithm.

use std::fmt;

mod export;
#[cfg(test)]
mod tests;

use aws_lc_rs::aead::LessSafeKey;
use aws_lc_rs::agreement::{self, PrivateKey};
use aws_lc_rs::encoding::{AsBigEndian, AsDer, Curve25519SeedBin, EcPrivateKeyBin};
use aws_lc_rs::rsa::{
    KeySize, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey,
};

use super::algorithm::{ContentEncryption, KeyAlgorithm};
use super::content::prepared_gcm_key;
use super::ecdh::{EcdhCurve, X25519_PKCS8_PREFIX};
use crate::error::{Error, KeyError};
use crate::keys::formats::{SecretBytes, pem, pkcs1, pkcs8, spki};
use crate::keys::{InvalidKey, KeyErrorCategory};

/// The DER `AlgorithmIdentifier` of rsaEncryption with NULL parameters.
pub(crate) const RSA_ALGORITHM_ID: [u8; 15] = [
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

pub(crate) fn key_error(
    category: KeyErrorCategory,
    detail: impl Into<std::borrow::Cow<'static, str>>,
) -> Error {
    KeyError::Invalid(InvalidKey::new(category, detail)).into()
}

fn rejected(detail: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    key_error(KeyErrorCategory::Rejected, detail)
}

/// The public (or shared) half of a key.
pub(crate) enum PublicMaterial {
    /// An AES key-wrap key or a PBES2 password.
    Secret(SecretBytes),
    /// A `dir` key: the CEK of exactly one `enc`.
    Dir {
        cek: SecretBytes,
        enc: ContentEncryption,
        /// For an AES-GCM `enc`, its aws-lc-rs key, built once here (`Send + Sync`).
        gcm: Option<LessSafeKey>,
    },
    Rsa {
        key: OaepPublicEncryptingKey,
        /// Its `SubjectPublicKeyInfo`, for export.
        spki: Vec<u8>,
    },
    Ec {
        curve: EcdhCurve,
        /// The uncompressed point, or the X25519 key.
        public: Vec<u8>,
    },
}

/// The private (or shared) half of a key.
pub(crate) enum PrivateMaterial {
    /// An AES key-wrap key or a PBES2 password.
    Secret(SecretBytes),
    /// A `dir` key: the CEK of exactly one `enc`.
    Dir {
        cek: SecretBytes,
        enc: ContentEncryption,
        /// For an AES-GCM `enc`, its aws-lc-rs key, built once here (`Send + Sync`).
        gcm: Option<LessSafeKey>,
    },
    Rsa {
        key: OaepPrivateDecryptingKey,
        /// Its PKCS#8 DER, for export and for the public half.
        pkcs8: SecretBytes,
    },
    Ec {
        curve: EcdhCurve,
        key: PrivateKey,
        public: Vec<u8>,
    },
}

/// A key that encrypts tokens for a recipient: its public key (RSA-OAEP, ECDH-ES) or the shared
/// secret (`dir`, AES key wrap), bound to one key-management algorithm.
///
/// ```
/// use webtoken::jwe::{ContentEncryption, DecryptingKey, EncryptingKey, JweHeader, KeyAlgorithm};
///
/// let secret = [7u8; 16];
/// let key = EncryptingKey::secret(&secret, KeyAlgorithm::A128Kw)?;
/// let token = webtoken::jwe::encrypt(&JweHeader::new(ContentEncryption::A128Gcm), b"hello", &key)?;
/// let key = DecryptingKey::secret(&secret, KeyAlgorithm::A128Kw)?;
/// let decrypted = webtoken::jwe::decrypt(&token, &key, &Default::default())?;
/// assert_eq!(decrypted.plaintext(), b"hello");
/// # Ok::<(), webtoken::Error>(())
/// ```
pub struct EncryptingKey {
    pub(crate) algorithm: KeyAlgorithm,
    pub(crate) key_id: Option<String>,
    pub(crate) material: PublicMaterial,
    /// The PBKDF2 iteration count (`p2c`) written by a PBES2 key.
    pub(crate) pbes2_iterations: u32,
}

/// The `p2c` a PBES2 encrypting key writes unless told otherwise, and the most a
/// [`DecryptOptions`](super::DecryptOptions) accepts unless told otherwise.
pub const DEFAULT_PBES2_ITERATIONS: u32 = 10_000;

/// The most PBKDF2 iterations webtoken ever runs for one token, whatever it is told (about a
/// second of one core; RFC 7518 §4.8.1.2 asks for at least 1,000).
pub const MAX_PBES2_ITERATIONS: u32 = 1_200_000;

/// A key that decrypts tokens: its private key (RSA-OAEP, ECDH-ES) or the shared secret
/// (`dir`, AES key wrap), bound to one key-management algorithm.
pub struct DecryptingKey {
    pub(crate) algorithm: KeyAlgorithm,
    pub(crate) key_id: Option<String>,
    pub(crate) material: PrivateMaterial,
}

impl fmt::Debug for EncryptingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptingKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for DecryptingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecryptingKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Checks a shared secret's length for `algorithm`.
fn check_secret(secret: &[u8], algorithm: KeyAlgorithm) -> Result<SecretBytes, Error> {
    let ok = match algorithm {
        KeyAlgorithm::Dir => matches!(secret.len(), 16 | 32 | 64),
        KeyAlgorithm::A128Kw => secret.len() == 16,
        KeyAlgorithm::A256Kw => secret.len() == 32,
        KeyAlgorithm::Pbes2Hs256A128Kw | KeyAlgorithm::Pbes2Hs512A256Kw => {
            (1..=1024).contains(&secret.len())
        }
        _ => {
            return Err(rejected(format!(
                "a shared secret cannot be used for {algorithm}"
            )));
        }
    };
    if !ok {
        let expected = match algorithm {
            KeyAlgorithm::Dir => "16, 32 or 64 (the CEK length of its enc)",
            KeyAlgorithm::A128Kw => "16",
            KeyAlgorithm::A256Kw => "32",
            _ => "1 to 1024 (a password)",
        };
        return Err(rejected(format!(
            "{algorithm} needs a secret of {expected} bytes, got {}",
            secret.len()
        )));
    }
    Ok(SecretBytes(secret.to_vec()))
}

/// The one `enc` a `dir` secret of this length can be: 16 bytes A128GCM, 64 bytes
/// A256CBC-HS512; 32 bytes is A256GCM or A128CBC-HS256, so the caller must say which.
fn dir_encryption(secret: &[u8]) -> Result<ContentEncryption, Error> {
    match secret.len() {
        16 => Ok(ContentEncryption::A128Gcm),
        64 => Ok(ContentEncryption::A256CbcHs512),
        32 => Err(rejected(
            "a 32-byte dir key could be A256GCM or A128CBC-HS256: bind it to one with \
             EncryptingKey::dir or DecryptingKey::dir",
        )),
        _ => check_secret(secret, KeyAlgorithm::Dir).map(|_| ContentEncryption::A128Gcm),
    }
}

/// A `dir` secret for exactly `enc`.
fn check_dir(secret: &[u8], enc: ContentEncryption) -> Result<SecretBytes, Error> {
    if secret.len() != enc.key_len() {
        return Err(rejected(format!(
            "a dir key for {enc} is its CEK, {} bytes, got {}",
            enc.key_len(),
            secret.len()
        )));
    }
    Ok(SecretBytes(secret.to_vec()))
}

/// The kinds of key an asymmetric key can be, as messages name them.
#[derive(Clone, Copy)]
enum KeyKind {
    Rsa,
    Ec(EcdhCurve),
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa => f.write_str("an RSA key"),
            Self::Ec(EcdhCurve::X25519) => f.write_str("an X25519 key"),
            Self::Ec(curve) => write!(f, "a {curve} key"),
        }
    }
}

/// What `algorithm` takes, for a key of the wrong kind.
fn takes(algorithm: KeyAlgorithm) -> &'static str {
    match algorithm {
        KeyAlgorithm::RsaOaep | KeyAlgorithm::RsaOaep256 => "an RSA key",
        a if a.is_ecdh() => "a P-256, P-384, P-521 or X25519 key",
        a if a.is_pbes2() => "a password",
        _ => "a shared secret",
    }
}

/// The key's kind fits `algorithm`; else an error naming both.
fn check_family(algorithm: KeyAlgorithm, kind: KeyKind) -> Result<(), Error> {
    let fits = match kind {
        KeyKind::Rsa => matches!(algorithm, KeyAlgorithm::RsaOaep | KeyAlgorithm::RsaOaep256),
        KeyKind::Ec(_) => algorithm.is_ecdh(),
    };
    if fits {
        Ok(())
    } else {
        Err(rejected(format!(
            "{kind} cannot be used for {algorithm}, which takes {}",
            takes(algorithm)
        )))
    }
}

/// The bit length of a big-endian unsigned integer.
fn bit_len(n: &[u8]) -> usize {
    let n = &n[n.iter().take_while(|&&b| b == 0).count()..];
    n.first()
        .map_or(0, |&b| n.len() * 8 - b.leading_zeros() as usize)
}

fn check_rsa_bits(bits: usize) -> Result<(), Error> {
    if (2048..=8192).contains(&bits) {
        Ok(())
    } else {
        Err(KeyError::RsaModulusSize { bits }.into())
    }
}

/// The public exponent: odd, at least 3, below 2^33 (as for signature keys). With e = 1,
/// OAEP would send the CEK in the clear.
fn check_rsa_exponent(spki: &[u8]) -> Result<(), Error> {
    let (_, e) = rsa_public_parts(spki).ok_or_else(|| rejected("not an RSA public key"))?;
    let e = e
        .iter()
        .skip_while(|&&b| b == 0)
        .copied()
        .collect::<Vec<u8>>();
    let reason = if e.len() > 5 || (e.len() == 5 && e[0] > 1) {
        Some("too large")
    } else if e.last().is_none_or(|b| b & 1 == 0) {
        Some("even")
    } else if e.len() == 1 && e[0] < 3 {
        Some("below 3")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(KeyError::RsaExponent { reason }.into()),
        None => Ok(()),
    }
}

fn decode_pem(text: &str, accepted: &'static str) -> Result<pem::PemBlock, Error> {
    let block = pem::decode(text).map_err(|e| key_error(KeyErrorCategory::Pem, e.reason))?;
    if !accepted.split(", ").any(|l| l == block.label) {
        // The label alone is the detail (quoted and cut when shown); the list is the error's.
        return Err(KeyError::pem_label(accepted, block.label).into());
    }
    Ok(block)
}

impl EncryptingKey {
    /// A shared secret for `A128KW` (16 bytes) or `A256KW` (32 bytes); for `dir` a CEK of 16
    /// bytes (A128GCM) or 64 bytes (A256CBC-HS512), or use [`dir`](Self::dir), which a 32-byte
    /// key needs; for PBES2 a password, written with [`DEFAULT_PBES2_ITERATIONS`] (see
    /// [`password`](Self::password)).
    ///
    /// # Errors
    /// [`Error::Key`] for another algorithm or another length.
    pub fn secret(secret: impl AsRef<[u8]>, algorithm: KeyAlgorithm) -> Result<Self, Error> {
        let secret = secret.as_ref();
        if algorithm == KeyAlgorithm::Dir {
            return Self::dir(secret, dir_encryption(secret)?);
        }
        Ok(Self {
            algorithm,
            key_id: None,
            pbes2_iterations: DEFAULT_PBES2_ITERATIONS,
            material: PublicMaterial::Secret(check_secret(secret, algorithm)?),
        })
    }

    /// A `dir` key: the CEK itself, bound to the one `enc` it serves (its length must be that
    /// `enc`'s CEK length).
    ///
    /// # Errors
    /// [`Error::Key`] for another length.
    pub fn dir(secret: impl AsRef<[u8]>, enc: ContentEncryption) -> Result<Self, Error> {
        Ok(Self {
            algorithm: KeyAlgorithm::Dir,
            key_id: None,
            pbes2_iterations: DEFAULT_PBES2_ITERATIONS,
            material: {
                let cek = check_dir(secret.as_ref(), enc)?;
                let gcm = prepared_gcm_key(enc, &cek.0);
                PublicMaterial::Dir { cek, enc, gcm }
            },
        })
    }

    /// An RSA (`RSA-OAEP`, `RSA-OAEP-256`) or EC/X25519 (ECDH-ES) public key from a DER
    /// `SubjectPublicKeyInfo`, or for RSA a PKCS#1 `RSAPublicKey`.
    ///
    /// # Errors
    /// [`Error::Key`] when the DER holds no such key, or the key does not fit `algorithm`.
    pub fn from_public_der(der: &[u8], algorithm: KeyAlgorithm) -> Result<Self, Error> {
        if let Some((curve, public)) = EcdhCurve::from_spki(der) {
            return Self::ec_public(curve, public, algorithm);
        }
        let spki = if rsa_public_parts(der).is_some() {
            der.to_vec()
        } else {
            spki::write(&RSA_ALGORITHM_ID, der)
        };
        let Some((n, _)) = rsa_public_parts(&spki) else {
            return Err(rejected(format!(
                "not a public key webtoken reads (a SubjectPublicKeyInfo of an RSA, P-256, \
                 P-384, P-521 or X25519 key, or a PKCS#1 RSA key); {algorithm} takes {}",
                takes(algorithm)
            )));
        };
        check_family(algorithm, KeyKind::Rsa)?;
        // Sized before the cryptographic library reads it, which refuses small moduli with
        // no reason given.
        check_rsa_bits(bit_len(n))?;
        check_rsa_exponent(&spki)?;
        let public = PublicEncryptingKey::from_der(&spki)
            .map_err(|_| rejected("not an RSA public key (SubjectPublicKeyInfo or PKCS#1)"))?;
        check_rsa_bits(public.key_size_bits())?;
        let key = OaepPublicEncryptingKey::new(public).map_err(|_| rejected("RSA key refused"))?;
        Ok(Self {
            algorithm,
            key_id: None,
            pbes2_iterations: DEFAULT_PBES2_ITERATIONS,
            material: PublicMaterial::Rsa { key, spki },
        })
    }

    /// As [`from_public_der`](Self::from_public_der), from PEM (`PUBLIC KEY` or
    /// `RSA PUBLIC KEY`).
    ///
    /// # Errors
    /// [`Error::Key`] for unreadable PEM, another label, or the errors of `from_public_der`.
    pub fn from_public_pem(pem: &str, algorithm: KeyAlgorithm) -> Result<Self, Error> {
        let block = decode_pem(pem, "PUBLIC KEY, RSA PUBLIC KEY")?;
        Self::from_public_der(&block.der.0, algorithm)
    }

    /// An EC or X25519 public key from its bytes (the uncompressed point, or the 32-byte
    /// X25519 key), checked to be on `curve`.
    pub(crate) fn ec_public(
        curve: EcdhCurve,
        public: &[u8],
        algorithm: KeyAlgorithm,
    ) -> Result<Self, Error> {
        check_family(algorithm, KeyKind::Ec(curve))?;
        if !curve.check_public(public) {
            return Err(rejected(format!("not a valid {curve} public key")));
        }
        Ok(Self {
            algorithm,
            key_id: None,
            pbes2_iterations: DEFAULT_PBES2_ITERATIONS,
            material: PublicMaterial::Ec {
                curve,
                public: public.to_vec(),
            },
        })
    }

    /// A password for `PBES2-HS256+A128KW` or `PBES2-HS512+A256KW`, writing `iterations` as
    /// `p2c` (at least 1,000, RFC 7518 §4.8.1.2; at most [`MAX_PBES2_ITERATIONS`]); the
    /// recipient must enable PBES2 ([`DecryptOptions::with_pbes2`](super::DecryptOptions::with_pbes2))
    /// with at least that many iterations.
    ///
    /// # Errors
    /// [`Error::Key`] for another algorithm, an empty password or an iteration count out of range.
    pub fn password(
        password: impl AsRef<[u8]>,
        algorithm: KeyAlgorithm,
        iterations: u32,
    ) -> Result<Self, Error> {
        if !algorithm.is_pbes2() {
            return Err(rejected(format!("{algorithm} does not use a password")));
        }
        if !(1000..=MAX_PBES2_ITERATIONS).contains(&iterations) {
            return Err(rejected(format!(
                "PBES2 needs 1000 to {MAX_PBES2_ITERATIONS} iterations, got {iterations}"
            )));
        }
        let key = Self::secret(password, algorithm)?;
        Ok(Self {
            pbes2_iterations: iterations,
            ..key
        })
    }

    /// The same key with a `kid`, written into the header of the tokens it encrypts (unless
    /// the header names one).
    #[must_use]
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// The key-management algorithm the key is bound to.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The key's `kid`, if set.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }
}

impl DecryptingKey {
    /// A shared secret, as for [`EncryptingKey::secret`] (a 32-byte `dir` key needs
    /// [`dir`](Self::dir)); for the PBES2 algorithms, the password (1 to 1024 bytes), used only
    /// when the options enable PBES2.
    ///
    /// # Errors
    /// [`Error::Key`] for another algorithm or another length.
    pub fn secret(secret: impl AsRef<[u8]>, algorithm: KeyAlgorithm) -> Result<Self, Error> {
        let secret = secret.as_ref();
        if algorithm == KeyAlgorithm::Dir {
            return Self::dir(secret, dir_encryption(secret)?);
        }
        Ok(Self {
            algorithm,
            key_id: None,
            material: PrivateMaterial::Secret(check_secret(secret, algorithm)?),
        })
    }

    /// A `dir` key bound to `enc`, as for [`EncryptingKey::dir`]: it decrypts only tokens
    /// whose `enc` is this one.
    ///
    /// # Errors
    /// [`Error::Key`] for another length.
    pub fn dir(secret: impl AsRef<[u8]>, enc: ContentEncryption) -> Result<Self, Error> {
        Ok(Self {
            algorithm: KeyAlgorithm::Dir,
            key_id: None,
            material: {
                let cek = check_dir(secret.as_ref(), enc)?;
                let gcm = prepared_gcm_key(enc, &cek.0);
                PrivateMaterial::Dir { cek, enc, gcm }
            },
        })
    }

    /// A private key from DER: PKCS#8 (RSA, EC, X25519), PKCS#1 `RSAPrivateKey` or SEC1
    /// `ECPrivateKey`.
    ///
    /// # Errors
    /// [`Error::Key`] when the DER holds no such key, or the key does not fit `algorithm`.
    pub fn from_private_der(der: &[u8], algorithm: KeyAlgorithm) -> Result<Self, Error> {
        if let Some(seed) = der.strip_prefix(&X25519_PKCS8_PREFIX[..]) {
            return Self::ec_private(EcdhCurve::X25519, seed, algorithm);
        }
        let pkcs8 = if pkcs1::parse_rsa_private(der).is_ok() {
            SecretBytes(pkcs8::write_v1(&RSA_ALGORITHM_ID, der))
        } else {
            SecretBytes(der.to_vec())
        };
        if rsa_parts(&pkcs8.0).is_some() {
            check_family(algorithm, KeyKind::Rsa)?;
            return Self::rsa_pkcs8(pkcs8, algorithm);
        }
        for curve in [EcdhCurve::P256, EcdhCurve::P384, EcdhCurve::P521] {
            if let Ok(key) = PrivateKey::from_private_key_der(curve.agreement(), der) {
                return Self::from_agreement_key(curve, key, algorithm);
            }
        }
        if PrivateDecryptingKey::from_pkcs8(&pkcs8.0).is_ok() {
            check_family(algorithm, KeyKind::Rsa)?;
            return Self::rsa_pkcs8(pkcs8, algorithm);
        }
        Err(rejected(format!(
            "not a PKCS#8, PKCS#1 or SEC1 private key webtoken reads (RSA, or EC on P-256, \
             P-384, P-521 or X25519); {algorithm} takes {}",
            takes(algorithm)
        )))
    }

    fn rsa_pkcs8(pkcs8: SecretBytes, algorithm: KeyAlgorithm) -> Result<Self, Error> {
        // Sized before the cryptographic library reads it, which refuses small moduli with
        // no reason given.
        if let Some(parts) = rsa_parts(&pkcs8.0) {
            check_rsa_bits(bit_len(&parts[0]))?;
        }
        let private = PrivateDecryptingKey::from_pkcs8(&pkcs8.0)
            .map_err(|_| rejected("not an RSA private key (PKCS#8 or PKCS#1)"))?;
        check_rsa_bits(private.key_size_bits())?;
        let key =
            OaepPrivateDecryptingKey::new(private).map_err(|_| rejected("RSA key refused"))?;
        Ok(Self {
            algorithm,
            key_id: None,
            material: PrivateMaterial::Rsa { key, pkcs8 },
        })
    }

    /// As [`from_private_der`](Self::from_private_der), from PEM (`PRIVATE KEY`,
    /// `RSA PRIVATE KEY` or `EC PRIVATE KEY`).
    ///
    /// # Errors
    /// [`Error::Key`] for unreadable PEM, another label, or the errors of `from_private_der`.
    pub fn from_private_pem(pem: &str, algorithm: KeyAlgorithm) -> Result<Self, Error> {
        let block = decode_pem(pem, "PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY")?;
        Self::from_private_der(&block.der.0, algorithm)
    }

    /// An EC or X25519 private key from its scalar (big-endian, of the curve's length) or
    /// X25519 private key bytes.
    pub(crate) fn ec_private(
        curve: EcdhCurve,
        scalar: &[u8],
        algorithm: KeyAlgorithm,
    ) -> Result<Self, Error> {
        let key = PrivateKey::from_private_key(curve.agreement(), scalar)
            .map_err(|_| rejected(format!("not a valid {curve} private key")))?;
        Self::from_agreement_key(curve, key, algorithm)
    }

    fn from_agreement_key(
        curve: EcdhCurve,
        key: PrivateKey,
        algorithm: KeyAlgorithm,
    ) -> Result<Self, Error> {
        check_family(algorithm, KeyKind::Ec(curve))?;
        let public = key
            .compute_public_key()
            .map_err(|_| rejected(format!("not a valid {curve} private key")))?
            .as_ref()
            .to_vec();
        Ok(Self {
            algorithm,
            key_id: None,
            material: PrivateMaterial::Ec { curve, key, public },
        })
    }

    /// A new random shared secret for `dir` (the CEK of `enc`, bound to it), `A128KW` or
    /// `A256KW` (`enc` is then only used for `dir`).
    ///
    /// # Errors
    /// [`Error::Key`] for another algorithm, or when the system's random generator fails.
    pub fn generate_secret(algorithm: KeyAlgorithm, enc: ContentEncryption) -> Result<Self, Error> {
        let len = match algorithm {
            KeyAlgorithm::Dir => enc.key_len(),
            other => other
                .wrap_key_len()
                .filter(|_| !other.is_ecdh() && !other.is_pbes2())
                .ok_or_else(|| rejected(format!("{algorithm} does not use a shared secret")))?,
        };
        let mut secret = SecretBytes(vec![0; len]);
        aws_lc_rs::rand::fill(&mut secret.0).map_err(|_| KeyError::Random)?;
        if algorithm == KeyAlgorithm::Dir {
            return Self::dir(&secret.0, enc);
        }
        Self::secret(&secret.0, algorithm)
    }

    /// A new random EC or X25519 key for an ECDH-ES algorithm.
    ///
    /// # Errors
    /// [`Error::Key`] for a non-ECDH algorithm, or when key generation fails.
    pub fn generate_ec(curve: EcdhCurve, algorithm: KeyAlgorithm) -> Result<Self, Error> {
        let key = PrivateKey::generate(curve.agreement()).map_err(|_| KeyError::Random)?;
        Self::from_agreement_key(curve, key, algorithm)
    }

    /// A new random RSA key of `bits` (2048, 3072 or 4096) for RSA-OAEP or RSA-OAEP-256.
    ///
    /// # Errors
    /// [`Error::Key`] for another size or algorithm, or when key generation fails.
    pub fn generate_rsa(bits: usize, algorithm: KeyAlgorithm) -> Result<Self, Error> {
        check_family(algorithm, KeyKind::Rsa)?;
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            _ => {
                return Err(rejected(
                    "RSA keys are generated with 2048, 3072 or 4096 bits",
                ));
            }
        };
        let key = PrivateDecryptingKey::generate(size).map_err(|_| KeyError::Random)?;
        let pkcs8 = key.as_der().map_err(|_| KeyError::Random)?;
        Self::rsa_pkcs8(SecretBytes(pkcs8.as_ref().to_vec()), algorithm)
    }

    /// The same key with a `kid`: a [key set](super::DecryptingKeySet) finds it by that `kid`.
    #[must_use]
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// The key-management algorithm the key is bound to.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The key's `kid`, if set.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// The curve of an ECDH-ES key.
    pub fn curve(&self) -> Option<EcdhCurve> {
        match &self.material {
            PrivateMaterial::Ec { curve, .. } => Some(*curve),
            _ => None,
        }
    }

    /// Whether this key can decrypt content encrypted with `enc`: a `dir` key serves only the
    /// `enc` it is bound to.
    pub(crate) fn serves(&self, enc: ContentEncryption) -> bool {
        match &self.material {
            PrivateMaterial::Dir { enc: bound, .. } => *bound == enc,
            _ => true,
        }
    }

    /// The key that encrypts for this one: its public half, or the same secret.
    ///
    /// # Errors
    /// [`Error::Key`] if the public half cannot be computed.
    pub fn encrypting_key(&self) -> Result<EncryptingKey, Error> {
        let key = match &self.material {
            PrivateMaterial::Secret(secret) => EncryptingKey::secret(&secret.0, self.algorithm)?,
            PrivateMaterial::Dir { cek, enc, .. } => EncryptingKey::dir(&cek.0, *enc)?,
            PrivateMaterial::Rsa { pkcs8, .. } => {
                let private = PrivateDecryptingKey::from_pkcs8(&pkcs8.0)
                    .map_err(|_| rejected("RSA key refused"))?;
                let spki = private
                    .public_key()
                    .as_der()
                    .map_err(|_| rejected("RSA key refused"))?;
                EncryptingKey::from_public_der(spki.as_ref(), self.algorithm)?
            }
            PrivateMaterial::Ec { curve, public, .. } => {
                EncryptingKey::ec_public(*curve, public, self.algorithm)?
            }
        };
        Ok(EncryptingKey {
            key_id: self.key_id.clone(),
            ..key
        })
    }

    /// The private scalar (or X25519 private key) of an EC key, for export.
    pub(crate) fn ec_private_bytes(key: &PrivateKey, curve: EcdhCurve) -> Option<SecretBytes> {
        if curve == EcdhCurve::X25519 {
            let seed: Curve25519SeedBin<'_> = key.as_be_bytes().ok()?;
            Some(SecretBytes(seed.as_ref().to_vec()))
        } else {
            let scalar: EcPrivateKeyBin<'_> = key.as_be_bytes().ok()?;
            Some(SecretBytes(scalar.as_ref().to_vec()))
        }
    }
}

/// The parts of an RSA key in PKCS#8 DER, for JWK export.
pub(crate) fn rsa_parts(pkcs8_der: &[u8]) -> Option<Vec<Vec<u8>>> {
    // The PKCS#8 that aws-lc-rs and `from_private_der` build: the RSA AlgorithmIdentifier,
    // then the PKCS#1 key in an OCTET STRING.
    let at = pkcs8_der
        .windows(RSA_ALGORITHM_ID.len())
        .position(|w| w == RSA_ALGORITHM_ID)?;
    let rest = &pkcs8_der[at + RSA_ALGORITHM_ID.len()..];
    let (&tag, rest) = rest.split_first()?;
    if tag != 0x04 {
        return None;
    }
    let (len, body) = der_length(rest)?;
    let pkcs1_der = body.get(..len)?;
    let key = pkcs1::parse_rsa_private(pkcs1_der).ok()?;
    Some(
        [key.n, key.e, key.d, key.p, key.q, key.dp, key.dq, key.qi]
            .iter()
            .map(|p| p.to_vec())
            .collect(),
    )
}

/// The modulus and exponent of an RSA `SubjectPublicKeyInfo`.
pub(crate) fn rsa_public_parts(spki: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = spki
        .windows(RSA_ALGORITHM_ID.len())
        .position(|w| w == RSA_ALGORITHM_ID)?;
    let rest = &spki[at + RSA_ALGORITHM_ID.len()..];
    let (&tag, rest) = rest.split_first()?;
    if tag != 0x03 {
        return None;
    }
    let (len, body) = der_length(rest)?;
    let bits = body.get(..len)?;
    let (&unused, pkcs1_der) = bits.split_first()?;
    if unused != 0 {
        return None;
    }
    pkcs1::parse_rsa_public(pkcs1_der).ok()
}

fn der_length(bytes: &[u8]) -> Option<(usize, &[u8])> {
    let (&first, rest) = bytes.split_first()?;
    if first < 0x80 {
        return Some((usize::from(first), rest));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 || rest.len() < n {
        return None;
    }
    let len = rest[..n]
        .iter()
        .fold(0usize, |acc, b| acc << 8 | usize::from(*b));
    Some((len, &rest[n..]))
}

/// The agreement key type, for the key-management code.
pub(crate) type AgreementKey = agreement::PrivateKey;
