//! [`KeyError`]: what can go wrong when a key is built, parsed or used.

use std::borrow::Cow;
use std::fmt;

use crate::algorithm::Algorithm;
use crate::message::{Message, Untrusted};

/// A key that could not be built, parsed or used.
///
/// [`Error::Key`](crate::Error::Key) carries it; its kind is `invalid_key`.
///
/// ```
/// use webtoken::keys::{KeyError, KeyErrorCategory};
/// use webtoken::{Algorithm, Error, ErrorKind, SigningKey, VerifyingKey};
///
/// let err = SigningKey::hmac(b"too short", Algorithm::Hs256).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidKey);
/// assert_eq!(err.to_string(), "HS256 needs a secret of at least 32 bytes, got 9");
/// assert!(matches!(err, Error::Key(KeyError::WeakSecret { min_len: 32, len: 9, .. })));
///
/// let err = VerifyingKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n", None).unwrap_err();
/// let Error::Key(key_error) = err else { panic!() };
/// assert_eq!(key_error.category(), Some(KeyErrorCategory::Pem));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// An HMAC secret shorter than the hash output (RFC 7518 §3.2).
    #[error("{algorithm} needs a secret of at least {min_len} bytes, got {len}")]
    WeakSecret {
        /// The algorithm the secret was meant for.
        algorithm: Algorithm,
        /// The minimum length, in bytes.
        min_len: usize,
        /// The length that was given, in bytes.
        len: usize,
    },
    /// An RSA modulus outside 2048..=8192 bits (RFC 7518 §3.3).
    #[error("RSA modulus has {bits} bits, expected 2048 to 8192")]
    RsaModulusSize {
        /// The modulus size in bits.
        bits: usize,
    },
    /// An RSA public exponent that is not acceptable (even, below 3 or too large).
    #[error("RSA public exponent (e) is not acceptable: {reason}")]
    RsaExponent {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The key was meant for an algorithm of another family or curve.
    #[error("{key} cannot be used for {algorithm}")]
    AlgorithmMismatch {
        /// The algorithm that was asked for.
        algorithm: Algorithm,
        /// What the key is (`"P-256 EC key"`, `"RSA key"`, …).
        key: Cow<'static, str>,
    },
    /// A key that cannot be read, or that webtoken refuses or does not support: broken PEM,
    /// DER or JWK, an unsupported key type or curve, a key that fails the checks (see
    /// [the checks](crate::keys#checks-when-a-key-is-built)). [`InvalidKey::category`] says
    /// which; the message says why.
    #[error("{0}")]
    Invalid(InvalidKey),
    /// A key that holds only public material was asked to sign.
    #[error("a public key cannot sign")]
    PublicKeyOnly,
    /// The system random number generator failed.
    #[error("the system random number generator failed")]
    Random,
    /// The key can serve several algorithms and none was named (an RSA key is used with
    /// RS256..RS512 or PS256..PS512: the caller must choose one).
    #[error("{key} can be used with several algorithms; name the one to bind it to")]
    AlgorithmRequired {
        /// What the key is (`"RSA key"`).
        key: &'static str,
    },
    /// A constructor for one kind of key was given another kind (an RSA key to an EC
    /// constructor, an HMAC secret where a public key is needed, …).
    #[error("expected {expected}, found {found}")]
    KeyTypeMismatch {
        /// The kind of key the constructor or method works with.
        expected: &'static str,
        /// The kind of key that was given.
        found: &'static str,
    },
}

impl KeyError {
    /// A [`KeyError::Invalid`] of this category with this detail.
    pub(crate) fn invalid(
        category: KeyErrorCategory,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self::Invalid(InvalidKey::new(category, detail))
    }

    /// A PEM block whose label is not one the constructor reads.
    pub(crate) fn pem_label(expected: &'static str, found: impl Into<Cow<'static, str>>) -> Self {
        Self::Invalid(InvalidKey(Box::new(Inner {
            category: KeyErrorCategory::PemLabel,
            detail: found.into(),
            expected,
            offset: None,
        })))
    }

    /// The category of an [`Invalid`](Self::Invalid) error, `None` for the other variants.
    pub fn category(&self) -> Option<KeyErrorCategory> {
        match self {
            Self::Invalid(e) => Some(e.category()),
            _ => None,
        }
    }
}

/// What kind of [`InvalidKey`] an error is. More categories may be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyErrorCategory {
    /// PEM armour that cannot be read.
    Pem,
    /// A PEM block whose label is not one the constructor reads ([`InvalidKey::detail`] is the
    /// label found).
    PemLabel,
    /// DER that cannot be read, or that does not hold the expected structure
    /// ([`InvalidKey::offset`] says where, when known).
    Der,
    /// A key type (algorithm OID, JWK `kty`) that webtoken does not support
    /// ([`InvalidKey::detail`] names it).
    UnsupportedKeyType,
    /// An elliptic curve that webtoken does not support ([`InvalidKey::detail`] names it).
    UnsupportedCurve,
    /// Key material refused by webtoken's checks or by the cryptographic library (a point not
    /// on the curve, parts that do not belong together, an HMAC secret that is a key, …).
    Rejected,
    /// A JWK that cannot be read or used.
    Jwk,
    /// A JWK Set that cannot be used (duplicate `kid`s, secrets mixed with public keys, …).
    JwkSet,
    /// An operation webtoken does not offer for this key (generating RSA keys, exporting a key
    /// whose private parts are not known, …); the message says what to do instead.
    Unsupported,
    /// A key for an algorithm this build does not provide: ES512 (P-521), ES256K (secp256k1)
    /// and ML-DSA-* need the `aws-lc-rs` cargo feature ([`InvalidKey::detail`] names the
    /// algorithm; see [`Algorithm::is_available`](crate::Algorithm::is_available)). A JWK Set
    /// skips such entries.
    Unavailable,
}

/// The detail of a [`KeyError::Invalid`]: a [category](Self::category), a message, and for
/// DER the byte offset of the fault when known.
///
/// ```
/// use webtoken::keys::KeyErrorCategory;
/// use webtoken::keys::KeyError;
/// use webtoken::{Error, VerifyingKey};
///
/// let err = VerifyingKey::from_spki_der(&[0x30, 0x03, 0x02], None).unwrap_err();
/// let Error::Key(KeyError::Invalid(invalid)) = err else { panic!("{err:?}") };
/// assert_eq!(invalid.category(), KeyErrorCategory::Der);
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// Boxed, as serde_json's error is, so that a `KeyError` (and every `Result` carrying one)
/// stays small.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidKey(Box<Inner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    category: KeyErrorCategory,
    /// The reason, or what was found (label, key type, curve), or the operation.
    detail: Cow<'static, str>,
    /// For [`KeyErrorCategory::PemLabel`]: the labels accepted.
    expected: &'static str,
    offset: Option<usize>,
}

impl InvalidKey {
    /// An error of `category` with this detail (see [`detail`](Self::detail)), for code that
    /// reports its own key problems as webtoken errors. `PemLabel` errors built here name no
    /// expected labels.
    ///
    /// ```
    /// use webtoken::keys::{InvalidKey, KeyErrorCategory};
    /// use webtoken::keys::KeyError;
    ///
    /// let err = KeyError::Invalid(InvalidKey::new(KeyErrorCategory::Rejected, "not ES256"));
    /// assert_eq!(err.to_string(), "key rejected: not ES256");
    /// ```
    pub fn new(category: KeyErrorCategory, detail: impl Into<Cow<'static, str>>) -> Self {
        Self(Box::new(Inner {
            category,
            detail: detail.into(),
            expected: "",
            offset: None,
        }))
    }

    /// What kind of error this is.
    pub fn category(&self) -> KeyErrorCategory {
        self.0.category
    }

    /// For [`KeyErrorCategory::Der`]: the byte offset, in the DER given to the constructor
    /// (for PEM, in the decoded body), of the element found wrong or of the data that should not
    /// be there; also for structures nested in an OCTET or BIT STRING. `None` for other
    /// categories and for faults found in a structure's meaning rather than its encoding (an
    /// unknown version, mismatched curves).
    pub fn offset(&self) -> Option<usize> {
        self.0.offset
    }

    /// The variable part of the message, unescaped: the reason (PEM, DER, JWK, rejected keys),
    /// what was found (a PEM label, key type or curve) or the operation (unsupported). May
    /// quote the input: escape it before showing it (the `Display` output does).
    pub fn detail(&self) -> &str {
        &self.0.detail
    }
}

impl fmt::Display for InvalidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let detail = self.0.detail.as_ref();
        match self.0.category {
            KeyErrorCategory::Pem => write!(f, "invalid PEM: {}", Message(detail)),
            KeyErrorCategory::PemLabel => write!(
                f,
                "PEM label {} is not accepted here, expected {}",
                Untrusted(detail),
                self.0.expected
            ),
            KeyErrorCategory::Der => write!(f, "invalid DER: {}", Message(detail)),
            KeyErrorCategory::UnsupportedKeyType => {
                write!(f, "unsupported key type {}", Message(detail))
            }
            KeyErrorCategory::UnsupportedCurve => {
                write!(f, "unsupported curve {}", Message(detail))
            }
            KeyErrorCategory::Rejected => write!(f, "key rejected: {}", Message(detail)),
            KeyErrorCategory::Jwk => write!(f, "invalid JWK: {}", Message(detail)),
            KeyErrorCategory::JwkSet => write!(f, "invalid JWK Set: {}", Message(detail)),
            KeyErrorCategory::Unsupported => write!(f, "{} is not supported", Message(detail)),
            KeyErrorCategory::Unavailable => write!(
                f,
                "{} needs webtoken's `aws-lc-rs` cargo feature (this build uses {}, which does \
                 not implement it)",
                Message(detail),
                if cfg!(feature = "aws-lc-rs") {
                    "aws-lc-rs"
                } else {
                    "ring"
                }
            ),
        }
    }
}

impl std::error::Error for InvalidKey {}

impl From<super::formats::der::DerError> for KeyError {
    fn from(error: super::formats::der::DerError) -> Self {
        let mut invalid = InvalidKey::new(KeyErrorCategory::Der, error.reason);
        invalid.0.offset = error.offset;
        Self::Invalid(invalid)
    }
}
