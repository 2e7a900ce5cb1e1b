//! Signing and verifying keys, each bound to exactly one [`Algorithm`] when it is built
//! (RFC 8725 §3.1), and the [`KeySource`] seam through which `decode` finds a key.
//!
//! Keys are parsed once and hold the cryptographic library's precomputed state. Their `Debug`
//! output never shows key material.
//!
//! # Key files
//!
//! | file (PEM label or DER structure) | signing | verifying |
//! |---|---|---|
//! | `PRIVATE KEY` (PKCS#8 v1/v2: RSA, P-256, P-384, P-521, secp256k1, Ed25519, ML-DSA) | [`SigningKey::from_pem`], `rsa_pem`, `ecdsa_pem`, `ed25519_pem`; DER: [`SigningKey::from_pkcs8_der`] | the same `VerifyingKey` constructors (public half) |
//! | `RSA PRIVATE KEY` (PKCS#1) | [`SigningKey::rsa_pem`]; DER: [`SigningKey::rsa_der`] | [`VerifyingKey::rsa_pem`] (public half) |
//! | `EC PRIVATE KEY` (SEC1, with curve and public key) | [`SigningKey::ecdsa_pem`]; DER: [`SigningKey::from_sec1_der`] | [`VerifyingKey::ecdsa_pem`] (public half) |
//! | `PUBLIC KEY` (SPKI, also P-521, secp256k1 and ML-DSA) | — ([`KeyError::PublicKeyOnly`]) | [`VerifyingKey::from_pem`], `rsa_pem`, `ecdsa_pem`, `ed25519_pem`; DER: [`VerifyingKey::from_spki_der`] |
//! | `RSA PUBLIC KEY` (PKCS#1) | — | [`VerifyingKey::rsa_pem`]; DER: [`VerifyingKey::rsa_der`] |
//! | `CERTIFICATE` (X.509, **not validated**) | — | [`VerifyingKey::from_certificate_pem`]; DER: [`VerifyingKey::from_certificate_der`] |
//! | JWK (JSON, RFC 7517/8037/9964: `RSA`, `EC`, `OKP`, `AKP`, `oct`) | [`Jwk::to_signing_key`] | [`Jwk::to_verifying_key`]; a JWK Set ([`JwkSet`]) chooses by `kid` |
//!
//! The key type comes from the PEM label and the algorithm OID, never from guessing. RSA keys
//! need an explicit algorithm (`RS*` or `PS*`); EC and Ed25519 keys are bound by their curve.
//! Export with [`VerifyingKey::to_pem`] / [`VerifyingKey::to_spki_der`] and
//! [`SigningKey::to_pkcs8_pem`] / [`SigningKey::to_pkcs8_der`]; generate EC and Ed25519 keys
//! with [`SigningKey::generate`]. JWK export: [`VerifyingKey::to_jwk`],
//! [`SigningKey::to_public_jwk`], [`SigningKey::to_private_jwk`] (HMAC secrets only through
//! [`Jwk::from_hmac_secret`]), RFC 7638 thumbprints with [`Jwk::thumbprint`]. Encrypted PEM
//! keys, Ed448 and RSA-PSS-only (`id-RSASSA-PSS`) keys are refused.
//!
//! P-521 (`ES512`), secp256k1 (`ES256K`) and ML-DSA keys (`ML-DSA-44/65/87`, RFC 9964: JWK
//! `kty` `AKP`, SPKI and PKCS#8 with the seed) are read by every path above but can only be
//! built with the `aws-lc-rs` cargo feature; in a ring build they are
//! [`KeyErrorCategory::Unavailable`] errors (and skipped entries of a JWK Set).
//!
//! # Checks when a key is built
//!
//! Every constructor (raw bytes, PEM, DER, certificates, JWKs, key sets) refuses, with
//! [`KeyError`] (kind `invalid_key`) and a message naming the reason, the keys below. The
//! checks are webtoken's own, so both backends (ring, aws-lc-rs) refuse exactly the same keys.
//!
//! - **HMAC**: secrets shorter than the hash output ([`KeyError::WeakSecret`]), and secrets
//!   that are a key in any form ([`KeyErrorCategory::Rejected`]): PEM armour (`-----BEGIN ` anywhere),
//!   SSH2 or PuTTY armour, JSON starting with `{` that contains `"kty"` (a JWK or JWK Set), an
//!   OpenSSH public key line (`ssh-…`, `ecdsa-sha2-…`, `sk-…` followed by `AAAA…`), each also
//!   after a UTF-8 or UTF-16 byte order mark and leading whitespace and in UTF-16 without one;
//!   and DER that is, as a whole, one well-formed SPKI, X.509 certificate, PKCS#8 (plain or
//!   encrypted), PKCS#1 or SEC1 structure (with a known key OID or a modulus of at least 512
//!   bits), also as text that is only the base64 of one (a PEM body without its armour). A MAC keyed with a public key's bytes can be computed by anyone (algorithm
//!   confusion, CVE-2022-29217). A random secret never matches: every test needs several exact
//!   bytes in place.
//! - **Ed25519**: public keys that are not canonically encoded (`y >= p` with either sign bit,
//!   `x = 0` with the sign bit set) or are one of the eight points of small order (identity,
//!   order 2, 4 or 8), under which `R = identity, S = 0` verifies for many messages. Checked
//!   for raw keys, OKP JWKs, SPKI, certificates, a PKCS#8 v2 document's embedded public key and
//!   a private JWK's `x` (which must also match the seed). Not checked: that `y` is on the curve
//!   (such a key verifies nothing) and mixed-order points (no forgery with the cofactorless
//!   verification both backends do).
//! - **RSA**: moduli outside 2048..=8192 bits, even moduli, public exponents that are even,
//!   below 3 or above 2^33; private keys (JWK, PKCS#1, PKCS#8) whose parts do not belong
//!   together: `n = p·q`, `0 < qi < p` and `qi·q ≡ 1 (mod p)`, `e·dp ≡ 1 (mod p−1)` and
//!   `e·dq ≡ 1 (mod q−1)` with `dp`, `dq` reduced, `dp = d mod (p−1)` and `dq = d mod (q−1)`
//!   (together: `d·e ≡ 1 mod λ(n)`). The primality of `p` and `q` is not tested. These cost a
//!   few big-integer products and remainders, once: about 0.15 ms for a 2048-bit key and 0.5 ms
//!   for 4096 bits (release build).
//! - **ECDSA**: points not on the curve (or the identity); private keys whose public point does
//!   not match the scalar. The curve is named by the key (JWK `crv`, OID, algorithm), never
//!   guessed from a point's size (secp256k1 and P-256 points have the same size).
//! - **ML-DSA**: public keys of another length than their parameter set's; a seed whose public
//!   key is not the JWK's `pub` or the PKCS#8 v2 `publicKey`; a PKCS#8 `both` form whose
//!   expanded key is not the seed's; the `expandedKey` form alone (webtoken keeps the seed).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::algorithm::{Algorithm, AlgorithmFamily};
use crate::error::{AlgorithmRejection, Error};

pub(crate) mod backend;
pub(crate) mod build;
pub(crate) mod der;
mod der_io;
pub(crate) mod ecdsa;
pub(crate) mod eddsa;
pub(crate) mod error;
pub(crate) mod formats;
pub(crate) mod hmac;
mod jwk;
pub(crate) mod kind;
pub(crate) mod mldsa;
pub(crate) mod pem;
pub(crate) mod rsa;

pub use error::{InvalidKey, KeyError, KeyErrorCategory};
pub use jwk::{Jwk, JwkSet, KeyType, SkippedKey};

/// The library running the asymmetric algorithms (RS*, PS*, ES*, EdDSA) in this build:
/// `"aws-lc-rs"` when the `aws-lc-rs` cargo feature is enabled, `"ring"` otherwise.
///
/// The choice is made at compile time and applies to every asymmetric key; HMAC always runs on
/// the `hmac` and `sha2` crates.
///
/// ```
/// assert!(["ring", "aws-lc-rs"].contains(&webtoken::keys::BACKEND));
/// ```
pub const BACKEND: &str = backend::NAME;

/// The largest signature any supported algorithm produces: ML-DSA-87's 4627 bytes.
pub(crate) const MAX_SIGNATURE_LEN: usize = 4627;

/// The largest RSA signature: an 8192-bit modulus.
pub(crate) const MAX_RSA_SIGNATURE_LEN: usize = 1024;

/// The longest signature kept on the stack: ES384's 96 bytes, the longest of the algorithms
/// whose signing is cheap enough for a heap allocation to show (HMAC, ES256, ES384, EdDSA).
/// ES512's 132 bytes go to the heap with RSA and ML-DSA: a P-521 signature costs hundreds of
/// microseconds, and a larger array here would be zeroed on every HS256 signature.
const INLINE_SIGNATURE_LEN: usize = 96;

const _: () = assert!(matches!(
    Algorithm::Es384.signature_len(),
    Some(INLINE_SIGNATURE_LEN)
));

/// A signature: on the stack for HMAC, ES256, ES384 and EdDSA; on the heap for RSA, ES512 and
/// ML-DSA, whose signing costs far more than an allocation. Zeroing a 1 KiB array on every HMAC signature cost about
/// 3% of an HS256 encode.
pub(crate) enum SignatureBuf {
    Inline {
        bytes: [u8; INLINE_SIGNATURE_LEN],
        len: usize,
    },
    Heap(Vec<u8>),
}

impl SignatureBuf {
    pub(crate) fn zeroed(len: usize) -> Self {
        let len = len.min(MAX_SIGNATURE_LEN);
        if len <= INLINE_SIGNATURE_LEN {
            Self::Inline {
                bytes: [0; INLINE_SIGNATURE_LEN],
                len,
            }
        } else {
            Self::Heap(vec![0; len])
        }
    }

    pub(crate) fn from_slice(s: &[u8]) -> Self {
        let mut buf = Self::zeroed(s.len());
        let dst = buf.as_mut_slice();
        let len = dst.len();
        dst.copy_from_slice(&s[..len]);
        buf
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        match self {
            Self::Inline { bytes, len } => &mut bytes[..*len],
            Self::Heap(v) => v,
        }
    }

    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Self::Inline { bytes, len } => &bytes[..*len],
            Self::Heap(v) => v,
        }
    }
}

// The HMAC state is kept inline: keys are built once, and the hot path avoids an indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum SigningInner {
    Hmac(hmac::HmacKey),
    Rsa(Arc<backend::rsa::KeyPair>),
    Ecdsa(Arc<backend::signature::EcdsaKeyPair>),
    EdDsa(Arc<backend::signature::Ed25519KeyPair>),
    MlDsa(Arc<backend::MlDsaKeyPair>),
}

/// A key that signs tokens with exactly one [`Algorithm`].
///
/// Built from an HMAC secret or from a private key; the algorithm is fixed when the key is
/// built and written into every header it signs (`alg` is never taken from the caller's
/// [`Header`](crate::Header)).
///
/// ```
/// use webtoken::{Algorithm, SigningKey};
///
/// let key = SigningKey::hmac(b"a secret of at least thirty-two bytes!", Algorithm::Hs256)?;
/// assert_eq!(key.algorithm(), Algorithm::Hs256);
/// // A secret shorter than the hash output is refused (RFC 7518 §3.2):
/// assert!(SigningKey::hmac(b"short", Algorithm::Hs256).is_err());
/// # Ok::<(), webtoken::Error>(())
/// ```
#[derive(Clone)]
pub struct SigningKey {
    algorithm: Algorithm,
    key_id: Option<String>,
    inner: SigningInner,
    /// The private key's parts, kept when known so that the key can be exported (JWK, PEM).
    private: Option<Arc<PrivateParts>>,
}

/// The parts of a private key, big-endian unsigned integers without leading zeros unless a
/// fixed length is stated. Kept only to export the key again; never printed.
pub(crate) enum PrivateParts {
    /// RFC 7518 §6.3.2 members.
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
        d: Vec<u8>,
        p: Vec<u8>,
        q: Vec<u8>,
        dp: Vec<u8>,
        dq: Vec<u8>,
        qi: Vec<u8>,
    },
    /// The private scalar (fixed length: the curve's coordinate size) and the uncompressed
    /// public point.
    Ec { d: Vec<u8>, point: Vec<u8> },
    /// The 32-byte ML-DSA seed and the public key.
    MlDsa { seed: [u8; 32], public: Vec<u8> },
    /// The 32-byte seed and the 32-byte public key.
    Ed25519 {
        seed: [u8; 32],
        // Read by the JWK export (`x`); PKCS#8 v1 needs only the seed.
        #[allow(dead_code)]
        public: [u8; 32],
    },
}

#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum VerifyingInner {
    Hmac(hmac::HmacKey),
    Rsa(Arc<rsa::RsaPublicKey>),
    Ecdsa(Arc<ecdsa::EcPublicKey>),
    EdDsa(Arc<eddsa::Ed25519PublicKey>),
    MlDsa(Arc<mldsa::MlDsaPublicKey>),
}

/// A key that verifies tokens of exactly one [`Algorithm`].
///
/// ```
/// use webtoken::{Algorithm, VerifyingKey};
///
/// let key = VerifyingKey::hmac(&[0x42; 64], Algorithm::Hs512)?;
/// assert_eq!(key.algorithm(), Algorithm::Hs512);
/// // The key's Debug output never shows the secret:
/// assert!(!format!("{key:?}").contains("42"));
/// # Ok::<(), webtoken::Error>(())
/// ```
#[derive(Clone)]
pub struct VerifyingKey {
    algorithm: Algorithm,
    key_id: Option<String>,
    inner: VerifyingInner,
}

fn require_family(algorithm: Algorithm, family: AlgorithmFamily) -> Result<(), KeyError> {
    if algorithm.family() == family {
        Ok(())
    } else {
        Err(KeyError::AlgorithmMismatch {
            algorithm,
            key: family.name().into(),
        })
    }
}

impl SigningKey {
    /// An HMAC signing key for `HS256`, `HS384` or `HS512`.
    ///
    /// Use a random secret at least as long as the hash output (32, 48 or 64 bytes), for
    /// example from [`generate_hmac_secret`]; never a human password.
    ///
    /// # Errors
    /// [`KeyError::WeakSecret`] when the secret is shorter than the hash output,
    /// [`KeyErrorCategory::Rejected`] when the secret is a key in any form (PEM, DER, JWK, OpenSSH; see
    /// [the checks](crate::keys#checks-when-a-key-is-built)),
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not an HMAC algorithm.
    ///
    /// ```
    /// use webtoken::{Algorithm, ErrorKind, SigningKey};
    ///
    /// let secret = webtoken::keys::generate_hmac_secret(Algorithm::Hs256)?; // 32 random bytes
    /// let key = SigningKey::hmac(&secret, Algorithm::Hs256)?;
    /// assert_eq!(key.algorithm(), Algorithm::Hs256);
    ///
    /// // Refused when built: a short secret, a public key's bytes, a non-HMAC algorithm.
    /// let short = SigningKey::hmac(b"password", Algorithm::Hs256).unwrap_err();
    /// assert_eq!(short.kind(), ErrorKind::InvalidKey);
    /// let pem = include_str!("../tests/data/keys/rsa2048.spki.pem");
    /// assert!(SigningKey::hmac(pem, Algorithm::Hs256).is_err());
    /// assert!(SigningKey::hmac(&secret, Algorithm::Rs256).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn hmac(secret: impl AsRef<[u8]>, algorithm: Algorithm) -> Result<Self, Error> {
        require_family(algorithm, AlgorithmFamily::Hmac)?;
        Ok(Self::from_inner(
            algorithm,
            SigningInner::Hmac(hmac::HmacKey::new(algorithm, secret.as_ref())?),
        ))
    }

    fn from_inner(algorithm: Algorithm, inner: SigningInner) -> Self {
        Self {
            algorithm,
            key_id: None,
            inner,
            private: None,
        }
    }

    /// Records the private parts so that the key can be exported later.
    pub(crate) fn with_private_parts(mut self, parts: PrivateParts) -> Self {
        self.private = Some(Arc::new(parts));
        self
    }

    /// Attaches a key id: [`encode`](crate::encode) writes it as the header's `kid` when the
    /// header has none.
    ///
    /// ```
    /// use webtoken::{Algorithm, Claims, Header, SigningKey, UntrustedToken};
    ///
    /// let key = SigningKey::generate(Algorithm::Es256)?;
    /// let key = key.clone().with_key_id(key.thumbprint()?); // the RFC 7638 thumbprint as kid
    /// let jwt = webtoken::encode(&Header::new(), &Claims::new(()), &key)?;
    /// assert_eq!(UntrustedToken::parse(&jwt)?.header().key_id(), key.key_id());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    #[must_use]
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// The algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The key id attached with [`with_key_id`](Self::with_key_id).
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// Signs `message` (a JWS signing input) and returns the raw signature bytes.
    /// [`encode`](crate::encode) and [`jws::sign`](crate::jws::sign) call it for you.
    ///
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::hmac(b"a 32-byte secret, for examples!!", Algorithm::Hs256)?;
    /// let signature = key.sign(b"eyJhbGciOiJIUzI1NiJ9.e30")?;
    /// assert_eq!(signature.len(), 32);
    /// assert!(key.verifying_key()?.verify(b"eyJhbGciOiJIUzI1NiJ9.e30", &signature).is_ok());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::Random`] if the system random number generator fails (ECDSA and RSA-PSS
    /// signing need randomness).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        Ok(self.sign_to_buf(message)?.as_slice().to_vec())
    }

    pub(crate) fn sign_to_buf(&self, message: &[u8]) -> Result<SignatureBuf, Error> {
        match &self.inner {
            SigningInner::Hmac(k) => Ok(k.sign(message)),
            SigningInner::Rsa(k) => rsa::sign(k, self.algorithm, message),
            SigningInner::Ecdsa(k) => ecdsa::sign(k, message),
            SigningInner::EdDsa(k) => Ok(SignatureBuf::from_slice(k.sign(message).as_ref())),
            SigningInner::MlDsa(k) => mldsa::sign(k, self.algorithm, message),
        }
    }

    /// The public half of this key, bound to the same algorithm (for HMAC, the same secret).
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::{Algorithm, Claims, Header, SigningKey, Validation};
    ///
    /// let key = SigningKey::generate(Algorithm::EdDsa)?;
    /// let public = key.verifying_key()?; // what the verifying service gets
    /// assert_eq!(public.algorithm(), Algorithm::EdDsa);
    /// let claims = Claims::new(()).expires_in(Duration::from_secs(60));
    /// let jwt = webtoken::encode(&Header::new(), &claims, &key)?;
    /// assert!(webtoken::decode::<()>(&jwt, &public, &Validation::new()).is_ok());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError`] if the public key cannot be rebuilt (it always can for keys that signed).
    pub fn verifying_key(&self) -> Result<VerifyingKey, Error> {
        use backend::signature::KeyPair as _;
        let inner = match &self.inner {
            SigningInner::Hmac(k) => VerifyingInner::Hmac(k.clone()),
            SigningInner::Rsa(k) => {
                VerifyingInner::Rsa(Arc::new(rsa::RsaPublicKey::from_key_pair(k)?))
            }
            SigningInner::Ecdsa(k) => VerifyingInner::Ecdsa(Arc::new(ecdsa::EcPublicKey::new(
                self.algorithm,
                k.public_key().as_ref(),
            )?)),
            SigningInner::EdDsa(k) => VerifyingInner::EdDsa(Arc::new(
                eddsa::Ed25519PublicKey::new(k.public_key().as_ref())?,
            )),
            SigningInner::MlDsa(_) => match self.private.as_deref() {
                Some(PrivateParts::MlDsa { public, .. }) => VerifyingInner::MlDsa(Arc::new(
                    mldsa::MlDsaPublicKey::new(self.algorithm, public)?,
                )),
                _ => {
                    return Err(KeyError::invalid(
                        KeyErrorCategory::Rejected,
                        "the ML-DSA public key is not known",
                    )
                    .into());
                }
            },
        };
        Ok(VerifyingKey {
            algorithm: self.algorithm,
            key_id: self.key_id.clone(),
            inner,
        })
    }
}

impl VerifyingKey {
    /// An HMAC verifying key for `HS256`, `HS384` or `HS512`.
    ///
    /// # Errors
    /// [`KeyError::WeakSecret`] when the secret is shorter than the hash output,
    /// [`KeyErrorCategory::Rejected`] when the secret is a key in any form (PEM, DER, JWK, OpenSSH; see
    /// [the checks](crate::keys#checks-when-a-key-is-built)),
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not an HMAC algorithm.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::{Algorithm, Claims, ErrorKind, Header, SigningKey, Validation, VerifyingKey};
    ///
    /// let secret = b"a 32-byte secret, for examples!!";
    /// let claims = Claims::new(()).expires_in(Duration::from_secs(60));
    /// let signing = SigningKey::hmac(secret, Algorithm::Hs256)?;
    /// let jwt = webtoken::encode(&Header::new(), &claims, &signing)?;
    ///
    /// let key = VerifyingKey::hmac(secret, Algorithm::Hs256)?;
    /// assert!(webtoken::decode::<()>(&jwt, &key, &Validation::new()).is_ok());
    /// // The key is bound to HS256: the same secret as an HS512 key refuses the token.
    /// let hs512 = VerifyingKey::hmac([secret.as_slice(), secret].concat(), Algorithm::Hs512)?;
    /// let err = webtoken::decode::<()>(&jwt, &hs512, &Validation::new()).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::AlgorithmNotAllowed);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn hmac(secret: impl AsRef<[u8]>, algorithm: Algorithm) -> Result<Self, Error> {
        require_family(algorithm, AlgorithmFamily::Hmac)?;
        Ok(Self::from_inner(
            algorithm,
            VerifyingInner::Hmac(hmac::HmacKey::new(algorithm, secret.as_ref())?),
        ))
    }

    /// An RSA verifying key (`RS*` or `PS*`) from the big-endian modulus `n` and public exponent
    /// `e` (leading zero bytes are ignored).
    ///
    /// # Errors
    /// [`KeyError::RsaModulusSize`] outside 2048..=8192 bits, [`KeyError::RsaExponent`] for an
    /// unacceptable exponent (such as `e = 1`), [`KeyError::AlgorithmMismatch`] when
    /// `algorithm` is not an RSA algorithm.
    ///
    /// ```
    /// use webtoken::{Algorithm, ErrorKind, VerifyingKey};
    /// use webtoken::base64url;
    ///
    /// // The modulus and exponent of a 2048-bit key, as a JWK carries them.
    /// let der = include_bytes!("../tests/data/keys/rsa2048.spki.der");
    /// let jwk = VerifyingKey::rsa_der(der, Algorithm::Rs256)?.to_jwk()?;
    /// let jwk = serde_json::to_value(jwk).unwrap();
    /// let n = base64url::decode(jwk["n"].as_str().unwrap()).unwrap();
    /// let e = base64url::decode(jwk["e"].as_str().unwrap()).unwrap();
    /// assert_eq!(e, [1, 0, 1]); // 65537
    ///
    /// let key = VerifyingKey::rsa_components(&n, &e, Algorithm::Ps256)?;
    /// assert_eq!(key.algorithm(), Algorithm::Ps256);
    /// // 1024-bit moduli and e = 1 are refused.
    /// let err = VerifyingKey::rsa_components(&n[..128], &e, Algorithm::Ps256).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidKey);
    /// assert!(VerifyingKey::rsa_components(&n, &[1], Algorithm::Ps256).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn rsa_components(n: &[u8], e: &[u8], algorithm: Algorithm) -> Result<Self, Error> {
        require_family(algorithm, AlgorithmFamily::Rsa)?;
        Ok(Self::from_inner(
            algorithm,
            VerifyingInner::Rsa(Arc::new(rsa::RsaPublicKey::new(n, e)?)),
        ))
    }

    /// An ECDSA verifying key from an uncompressed SEC1 point (`0x04 || x || y`); the point's
    /// size fixes the NIST curve and so the algorithm (65 bytes: P-256/`ES256`, 97 bytes:
    /// P-384/`ES384`, 133 bytes: P-521/`ES512`). The point is checked to lie on the curve. A
    /// secp256k1 point has the size of a P-256 one: use
    /// [`ecdsa_point_for`](Self::ecdsa_point_for) with `ES256K`.
    ///
    /// # Errors
    /// [`KeyError`] when the bytes are not an uncompressed point on P-256, P-384 or P-521;
    /// [`KeyErrorCategory::Unavailable`] for P-521 without the `aws-lc-rs` feature.
    pub fn ecdsa_point(point: &[u8]) -> Result<Self, Error> {
        let algorithm = ecdsa::algorithm_for_point_len(point.len())?;
        Self::ecdsa_point_for(point, algorithm)
    }

    /// An ECDSA verifying key for `algorithm` (`ES256`, `ES384`, `ES512` or `ES256K`) from an
    /// uncompressed SEC1 point on that algorithm's curve, checked to lie on the curve.
    ///
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// // The P-256 base point is not on secp256k1: the curve comes from the algorithm.
    /// let p256_g = [
    ///     "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
    ///     "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
    /// ]
    /// .concat();
    /// let point: Vec<u8> = (0..65)
    ///     .map(|i| u8::from_str_radix(&p256_g[2 * i..2 * i + 2], 16).unwrap())
    ///     .collect();
    /// assert!(VerifyingKey::ecdsa_point_for(&point, Algorithm::Es256).is_ok());
    /// assert!(VerifyingKey::ecdsa_point_for(&point, Algorithm::Es256K).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not an ECDSA algorithm;
    /// [`KeyErrorCategory::Rejected`] when the point is not uncompressed, of the curve's size
    /// and on the curve; [`KeyErrorCategory::Unavailable`] for ES512 and ES256K without the
    /// `aws-lc-rs` feature.
    pub fn ecdsa_point_for(point: &[u8], algorithm: Algorithm) -> Result<Self, Error> {
        Ok(Self::from_inner(
            algorithm,
            VerifyingInner::Ecdsa(Arc::new(ecdsa::EcPublicKey::new(algorithm, point)?)),
        ))
    }

    /// An ML-DSA verifying key (`ML-DSA-44`, `ML-DSA-65` or `ML-DSA-87`) from its raw public
    /// key (FIPS 204 encoding, the JWK `pub`: 1312, 1952 or 2592 bytes).
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is not an ML-DSA algorithm,
    /// [`KeyErrorCategory::Rejected`] for a public key of another length,
    /// [`KeyErrorCategory::Unavailable`] without the `aws-lc-rs` feature.
    pub fn ml_dsa(public_key: &[u8], algorithm: Algorithm) -> Result<Self, Error> {
        Ok(Self::from_inner(
            algorithm,
            VerifyingInner::MlDsa(Arc::new(mldsa::MlDsaPublicKey::new(algorithm, public_key)?)),
        ))
    }

    /// An Ed25519 (`EdDSA`) verifying key from its 32 raw public bytes (the JWK `x`).
    ///
    /// # Errors
    /// [`KeyError`] when the key is not 32 bytes; [`KeyErrorCategory::Rejected`] when it is not
    /// canonically encoded or is a point of small order (see
    /// [the checks](crate::keys#checks-when-a-key-is-built)).
    ///
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey, base64url};
    ///
    /// // RFC 8037 Appendix A.1's public key (the JWK `x`).
    /// let x = base64url::decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap();
    /// let key = VerifyingKey::ed25519(&x)?;
    /// assert_eq!(key.algorithm(), Algorithm::EdDsa);
    /// // The thumbprint of RFC 8037 Appendix A.3.
    /// assert_eq!(key.thumbprint()?, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    /// assert!(VerifyingKey::ed25519(&x[..31]).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn ed25519(public_key: &[u8]) -> Result<Self, Error> {
        Ok(Self::from_inner(
            Algorithm::EdDsa,
            VerifyingInner::EdDsa(Arc::new(eddsa::Ed25519PublicKey::new(public_key)?)),
        ))
    }

    fn from_inner(algorithm: Algorithm, inner: VerifyingInner) -> Self {
        Self {
            algorithm,
            key_id: None,
            inner,
        }
    }

    /// Attaches a key id (used by key sets; a single key is used whatever the token's `kid`).
    ///
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// let key = VerifyingKey::hmac(b"a 32-byte secret, for examples!!", Algorithm::Hs256)?
    ///     .with_key_id("2025-01");
    /// assert_eq!(key.key_id(), Some("2025-01"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    #[must_use]
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// The algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The key id attached with [`with_key_id`](Self::with_key_id).
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// The same key material bound to another algorithm of the same family (for example an RSA
    /// key re-bound from `RS256` to `PS256`, or an Ed25519 key from `EdDSA` to `Ed25519`).
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` is of another family or, for ECDSA and
    /// ML-DSA, another curve or parameter set.
    pub fn rebind(&self, algorithm: Algorithm) -> Result<Self, Error> {
        if algorithm == self.algorithm {
            return Ok(self.clone());
        }
        match &self.inner {
            VerifyingInner::Rsa(_) if algorithm.family() == AlgorithmFamily::Rsa => Ok(Self {
                algorithm,
                ..self.clone()
            }),
            VerifyingInner::EdDsa(_) if algorithm.family() == AlgorithmFamily::EdDsa => Ok(Self {
                algorithm,
                ..self.clone()
            }),
            _ => Err(KeyError::AlgorithmMismatch {
                algorithm,
                key: self.description().into(),
            }
            .into()),
        }
    }

    /// The family of this key.
    pub fn family(&self) -> AlgorithmFamily {
        self.algorithm.family()
    }

    fn description(&self) -> &'static str {
        let kind = match &self.inner {
            VerifyingInner::Hmac(_) => kind::KeyKind::Hmac,
            VerifyingInner::Rsa(_) => kind::KeyKind::Rsa,
            // An EC key is bound to its curve's algorithm; the fallback is never taken.
            VerifyingInner::Ecdsa(_) => kind::KeyKind::Ec(
                kind::Curve::for_algorithm(self.algorithm).unwrap_or(kind::Curve::P256),
            ),
            VerifyingInner::EdDsa(_) => kind::KeyKind::Ed25519,
            // An ML-DSA key is bound to its parameter set's algorithm; the fallback is never
            // taken.
            VerifyingInner::MlDsa(_) => kind::KeyKind::MlDsa(
                kind::MlDsa::for_algorithm(self.algorithm).unwrap_or(kind::MlDsa::P44),
            ),
        };
        kind.name()
    }

    /// Verifies a raw signature over `message` (a JWS signing input) with this key's algorithm.
    ///
    /// HMAC tags are compared in constant time and must have the full length; ECDSA signatures
    /// must be the fixed-length `r || s` form of RFC 7518 §3.4 (never DER).
    ///
    /// # Errors
    /// [`Error::InvalidSignature`] when the signature does not verify, whatever the reason.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        match &self.inner {
            VerifyingInner::Hmac(k) => k.verify(message, signature),
            VerifyingInner::Rsa(k) => k.verify(self.algorithm, message, signature),
            VerifyingInner::Ecdsa(k) => k.verify(message, signature),
            VerifyingInner::EdDsa(k) => k.verify(message, signature),
            VerifyingInner::MlDsa(k) => k.verify(message, signature),
        }
    }

    /// Checks that this key may verify a token whose header says `algorithm`.
    pub(crate) fn check_algorithm(&self, algorithm: Algorithm) -> Result<(), Error> {
        if algorithm == self.algorithm {
            Ok(())
        } else {
            Err(Error::AlgorithmNotAllowed(
                AlgorithmRejection::KeyMismatch {
                    found: algorithm,
                    key_algorithm: Some(self.algorithm),
                    key_family: self.family(),
                },
            ))
        }
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Generates a random HMAC secret of the recommended length for `algorithm` (the hash output
/// size: 32, 48 or 64 bytes) with the operating system's random number generator.
///
/// ```
/// use webtoken::{keys::generate_hmac_secret, Algorithm, SigningKey};
///
/// let secret = generate_hmac_secret(Algorithm::Hs384)?;
/// assert_eq!(secret.len(), 48);
/// let key = SigningKey::hmac(&secret, Algorithm::Hs384)?;
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// # Errors
/// [`KeyError::AlgorithmMismatch`] when `algorithm` is not an HMAC algorithm,
/// [`KeyError::Random`] if the random number generator fails.
pub fn generate_hmac_secret(algorithm: Algorithm) -> Result<Vec<u8>, Error> {
    use backend::rand::SecureRandom as _;
    require_family(algorithm, AlgorithmFamily::Hmac)?;
    let mut secret = vec![0u8; hmac::min_secret_len(algorithm)];
    backend::rand::SystemRandom::new()
        .fill(&mut secret)
        .map_err(|_| KeyError::Random)?;
    Ok(secret)
}

/// Where [`decode`](crate::decode) finds the key for a token: a single [`VerifyingKey`], a key
/// set chosen by `kid`, or a caching key store.
///
/// Implementations must select keys only from material the application configured: the
/// token's `kid` is an opaque lookup string, and header parameters such as `jwk`, `jku`,
/// `x5u` and `x5c` must never be used (RFC 8725 §3.10).
///
/// webtoken implements it for [`VerifyingKey`], [`JwkSet`] and
/// [`KeyStore`](crate::jwks::KeyStore), and for references and `Arc`s of them. Your own, for
/// example keys by `kid` from a configuration file:
///
/// ```
/// use std::borrow::Cow;
/// use std::collections::HashMap;
/// use std::time::Duration;
/// use webtoken::keys::KeySource;
/// use webtoken::{Algorithm, Claims, Error, ErrorKind, Header, SigningKey, UnknownKeyError};
/// use webtoken::{Validation, VerifyingKey};
///
/// struct ByKid(HashMap<String, VerifyingKey>);
///
/// impl KeySource for ByKid {
///     fn find_key(
///         &self,
///         kid: Option<&str>,
///         algorithm: Algorithm,
///     ) -> Result<Cow<'_, VerifyingKey>, Error> {
///         let not_found = || UnknownKeyError::NotFound { kid: kid.map(str::to_owned) };
///         let key = kid.and_then(|kid| self.0.get(kid)).ok_or_else(not_found)?;
///         // The key decides the algorithm; the token's `alg` must agree with it.
///         key.find_key(kid, algorithm)
///     }
/// }
///
/// let signer = SigningKey::generate(Algorithm::Es256)?.with_key_id("a");
/// let keys = ByKid(HashMap::from([("a".to_owned(), signer.verifying_key()?)]));
/// let claims = Claims::new(()).expires_in(Duration::from_secs(60));
///
/// let jwt = webtoken::encode(&Header::new(), &claims, &signer)?;
/// assert!(webtoken::decode::<()>(&jwt, &keys, &Validation::new()).is_ok());
/// let jwt = webtoken::encode(&Header::new().with_key_id("b"), &claims, &signer)?;
/// let err = webtoken::decode::<()>(&jwt, &keys, &Validation::new()).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::UnknownKey);
/// # Ok::<(), webtoken::Error>(())
/// ```
pub trait KeySource {
    /// Returns the key that verifies a token with this `kid` and (already allow-listed)
    /// `algorithm`. The returned key's algorithm must equal `algorithm`.
    ///
    /// # Errors
    /// [`Error::UnknownKey`] when no key has this `kid` (or, without `kid`, when not exactly one
    /// key fits), [`Error::AlgorithmNotAllowed`] when the key found is bound to another
    /// algorithm.
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error>;
}

/// A single key is used whatever the token's `kid` says; the algorithm must be the key's own.
/// An Ed25519 key also verifies tokens under the other name of its algorithm (`EdDSA` and
/// `Ed25519`, RFC 9864), if the validation's allow-list admits it.
impl KeySource for VerifyingKey {
    fn find_key(
        &self,
        _key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        if algorithm != self.algorithm
            && matches!(self.inner, VerifyingInner::EdDsa(_))
            && algorithm.family() == AlgorithmFamily::EdDsa
        {
            return self.rebind(algorithm).map(Cow::Owned);
        }
        self.check_algorithm(algorithm)?;
        Ok(Cow::Borrowed(self))
    }
}

impl<K: KeySource + ?Sized> KeySource for &K {
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        (**self).find_key(key_id, algorithm)
    }
}

impl<K: KeySource + ?Sized> KeySource for Arc<K> {
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        (**self).find_key(key_id, algorithm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_secret_lengths_are_enforced() {
        for (alg, min) in [
            (Algorithm::Hs256, 32),
            (Algorithm::Hs384, 48),
            (Algorithm::Hs512, 64),
        ] {
            assert!(SigningKey::hmac(vec![1u8; min], alg).is_ok());
            let err = VerifyingKey::hmac(vec![1u8; min - 1], alg).unwrap_err();
            assert!(matches!(
                err,
                Error::Key(KeyError::WeakSecret { min_len, len, .. }) if min_len == min && len == min - 1
            ));
        }
        assert!(SigningKey::hmac(b"", Algorithm::Hs256).is_err());
    }

    #[test]
    fn hmac_constructor_refuses_other_families() {
        let err = SigningKey::hmac([0u8; 64], Algorithm::Rs256).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidKey);
    }

    #[test]
    fn sign_then_verify_and_tamper() {
        let key = SigningKey::hmac([9u8; 32], Algorithm::Hs256).unwrap();
        let sig = key.sign(b"abc").unwrap();
        let vk = key.verifying_key().unwrap();
        vk.verify(b"abc", &sig).unwrap();
        assert!(vk.verify(b"abd", &sig).is_err());
        assert!(vk.verify(b"abc", &sig[..31]).is_err());
        let mut longer = sig.clone();
        longer.push(0);
        assert!(vk.verify(b"abc", &longer).is_err());
    }

    #[test]
    fn generated_secrets_have_hash_length() {
        assert_eq!(generate_hmac_secret(Algorithm::Hs512).unwrap().len(), 64);
        assert!(generate_hmac_secret(Algorithm::EdDsa).is_err());
    }
}
