//! JWE keys: [`EncryptingKey`] (a public key or a shared secret) and [`DecryptingKey`] (a
//! private key or a shared secret), each bound to one [`KeyAlgorithm`] when built, from raw
//! bytes, PEM or DER (JWK in `jwk.rs`), or generated.
//!
//! Checks when a key is built: a `dir` secret is 16, 32 or 64 bytes (the CEK of one `enc`),
//! an AES key-wrap secret 16 or 32 bytes as its algorithm says; RSA moduli are 2048 to 8192
//! bits; EC public keys are points on their curve; the key's family fits its algorithm.

use std::fmt;

use aws_lc_rs::agreement::{self, PrivateKey};
use aws_lc_rs::encoding::{AsBigEndian, AsDer, Curve25519SeedBin, EcPrivateKeyBin};
use aws_lc_rs::rsa::{
    KeySize, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey,
};

use super::algorithm::{ContentEncryption, KeyAlgorithm};
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
    Secret(SecretBytes),
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
    Secret(SecretBytes),
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
}

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
            _ => "32",
        };
        return Err(rejected(format!(
            "{algorithm} needs a secret of {expected} bytes, got {}",
            secret.len()
        )));
    }
    Ok(SecretBytes(secret.to_vec()))
}

fn check_family(algorithm: KeyAlgorithm, rsa: bool) -> Result<(), Error> {
    let fits = if rsa {
        matches!(algorithm, KeyAlgorithm::RsaOaep | KeyAlgorithm::RsaOaep256)
    } else {
        algorithm.is_ecdh()
    };
    if fits {
        Ok(())
    } else {
        let what = if rsa {
            "an RSA key"
        } else {
            "an EC or X25519 key"
        };
        Err(rejected(format!("{what} cannot be used for {algorithm}")))
    }
}

fn check_rsa_bits(bits: usize) -> Result<(), Error> {
    if (2048..=8192).contains(&bits) {
        Ok(())
    } else {
        Err(KeyError::RsaModulusSize { bits }.into())
    }
}

fn decode_pem(text: &str, accepted: &'static str) -> Result<pem::PemBlock, Error> {
    let block = pem::decode(text).map_err(|e| key_error(KeyErrorCategory::Pem, e.reason))?;
    if !accepted.split(", ").any(|l| l == block.label) {
        return Err(key_error(
            KeyErrorCategory::PemLabel,
            format!("{} (expected {accepted})", block.label),
        ));
    }
    Ok(block)
}

impl EncryptingKey {
    /// A shared secret for `dir` (16, 32 or 64 bytes: the CEK of an `enc` of that length),
    /// `A128KW` (16 bytes) or `A256KW` (32 bytes).
    ///
    /// # Errors
    /// [`Error::Key`] for another algorithm or another length.
    pub fn secret(secret: impl AsRef<[u8]>, algorithm: KeyAlgorithm) -> Result<Self, Error> {
        Ok(Self {
            algorithm,
            key_id: None,
            material: PublicMaterial::Secret(check_secret(secret.as_ref(), algorithm)?),
        })
    }

    /// An RSA (`RSA-OAEP`, `RSA-OAEP-256`) or EC/X25519 (ECDH-ES) public key from a DER
    /// `SubjectPublicKeyInfo`, or for RSA a PKCS#1 `RSAPublicKey`.
    ///
    /// # Errors
    /// [`Error::Key`] when the DER holds no such key, or the key does not fit `algorithm`.
    pub fn from_public_der(der: &[u8], algorithm: KeyAlgorithm) -> Result<Self, Error> {
        if algorithm.is_ecdh() {
            let (curve, public) = EcdhCurve::from_spki(der).ok_or_else(|| {
                rejected("not a SubjectPublicKeyInfo of a P-256, P-384, P-521 or X25519 key")
            })?;
            return Self::ec_public(curve, public, algorithm);
        }
        check_family(algorithm, true)?;
        let spki = match PublicEncryptingKey::from_der(der) {
            Ok(_) => der.to_vec(),
            Err(_) => spki::write(&RSA_ALGORITHM_ID, der),
        };
        let public = PublicEncryptingKey::from_der(&spki)
            .map_err(|_| rejected("not an RSA public key (SubjectPublicKeyInfo or PKCS#1)"))?;
        check_rsa_bits(public.key_size_bits())?;
        let key = OaepPublicEncryptingKey::new(public).map_err(|_| rejected("RSA key refused"))?;
        Ok(Self {
            algorithm,
            key_id: None,
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
        check_family(algorithm, false)?;
        if !curve.check_public(public) {
            return Err(rejected(format!("not a valid {curve} public key")));
        }
        Ok(Self {
            algorithm,
            key_id: None,
            material: PublicMaterial::Ec {
                curve,
                public: public.to_vec(),
            },
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

    /// The DER `SubjectPublicKeyInfo` of an RSA or EC/X25519 public key (`None` for a shared
    /// secret), as [`from_public_der`](Self::from_public_der) reads it.
    pub fn to_public_der(&self) -> Option<Vec<u8>> {
        match &self.material {
            PublicMaterial::Secret(_) => None,
            PublicMaterial::Rsa { spki, .. } => Some(spki.clone()),
            PublicMaterial::Ec { curve, public } => Some(curve.to_spki(public)),
        }
    }
}

impl DecryptingKey {
    /// A shared secret, as for [`EncryptingKey::secret`].
    ///
    /// # Errors
    /// [`Error::Key`] for another algorithm or another length.
    pub fn secret(secret: impl AsRef<[u8]>, algorithm: KeyAlgorithm) -> Result<Self, Error> {
        Ok(Self {
            algorithm,
            key_id: None,
            material: PrivateMaterial::Secret(check_secret(secret.as_ref(), algorithm)?),
        })
    }

    /// A private key from DER: PKCS#8 (RSA, EC, X25519), PKCS#1 `RSAPrivateKey` or SEC1
    /// `ECPrivateKey`.
    ///
    /// # Errors
    /// [`Error::Key`] when the DER holds no such key, or the key does not fit `algorithm`.
    pub fn from_private_der(der: &[u8], algorithm: KeyAlgorithm) -> Result<Self, Error> {
        if algorithm.is_ecdh() {
            if let Some(seed) = der.strip_prefix(&X25519_PKCS8_PREFIX[..]) {
                return Self::ec_private(EcdhCurve::X25519, seed, algorithm);
            }
            for curve in [EcdhCurve::P256, EcdhCurve::P384, EcdhCurve::P521] {
                if let Ok(key) = PrivateKey::from_private_key_der(curve.agreement(), der) {
                    return Self::from_agreement_key(curve, key, algorithm);
                }
            }
            return Err(rejected(
                "not a PKCS#8 or SEC1 private key on P-256, P-384, P-521, or X25519",
            ));
        }
        check_family(algorithm, true)?;
        let pkcs8 = if PrivateDecryptingKey::from_pkcs8(der).is_ok() {
            der.to_vec()
        } else {
            pkcs8::write_v1(&RSA_ALGORITHM_ID, der)
        };
        Self::rsa_pkcs8(SecretBytes(pkcs8), algorithm)
    }

    fn rsa_pkcs8(pkcs8: SecretBytes, algorithm: KeyAlgorithm) -> Result<Self, Error> {
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
        check_family(algorithm, false)?;
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

    /// A new random shared secret for `dir` (of the CEK length of `enc`), `A128KW` or
    /// `A256KW` (`enc` is then only used for `dir`).
    ///
    /// # Errors
    /// [`Error::Key`] for another algorithm, or when the system's random generator fails.
    pub fn generate_secret(algorithm: KeyAlgorithm, enc: ContentEncryption) -> Result<Self, Error> {
        let len = match algorithm {
            KeyAlgorithm::Dir => enc.key_len(),
            other => other
                .wrap_key_len()
                .filter(|_| !other.is_ecdh())
                .ok_or_else(|| rejected(format!("{algorithm} does not use a shared secret")))?,
        };
        let mut secret = SecretBytes(vec![0; len]);
        aws_lc_rs::rand::fill(&mut secret.0).map_err(|_| KeyError::Random)?;
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
        check_family(algorithm, true)?;
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

    /// Whether this key can decrypt content encrypted with `enc`: a `dir` secret serves only
    /// the `enc` whose CEK has its length.
    pub(crate) fn serves(&self, enc: ContentEncryption) -> bool {
        match (&self.material, self.algorithm) {
            (PrivateMaterial::Secret(secret), KeyAlgorithm::Dir) => secret.0.len() == enc.key_len(),
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
