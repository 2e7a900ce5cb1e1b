//! [`KeyError`]: what can go wrong when a key is built, parsed or used.

use std::borrow::Cow;

use crate::algorithm::Algorithm;
use crate::error::{Message, Untrusted};

/// A key that could not be built, parsed or used.
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
    /// PEM armour that cannot be read.
    #[error("invalid PEM: {}", Message(reason))]
    Pem {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// A PEM block whose label is not one this constructor reads.
    #[error(
        "PEM label {} is not accepted here, expected {expected}",
        Untrusted(found)
    )]
    PemLabel {
        /// The labels that are accepted.
        expected: &'static str,
        /// The label that was found.
        found: String,
    },
    /// DER that cannot be read, or that does not hold the expected structure.
    #[error("invalid DER: {}", Message(reason))]
    Der {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// A key type (algorithm OID, JWK `kty`) that webtoken does not support.
    #[error("unsupported key type {}", Message(found))]
    UnsupportedKeyType {
        /// The key type that was found.
        found: String,
    },
    /// An elliptic curve that webtoken does not support.
    #[error("unsupported curve {}", Message(found))]
    UnsupportedCurve {
        /// The curve that was found.
        found: String,
    },
    /// The cryptographic library refused the key material (bad point, inconsistent key pair, …).
    #[error("key rejected: {}", Message(reason))]
    Rejected {
        /// Why the key was refused.
        reason: Cow<'static, str>,
    },
    /// A JWK that cannot be read or used.
    #[error("invalid JWK: {}", Message(reason))]
    Jwk {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// A JWK Set that cannot be used (duplicate `kid`s, secrets mixed with public keys, …).
    #[error("invalid JWK Set: {}", Message(reason))]
    JwkSet {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
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
    /// An operation webtoken does not offer for this key (generating RSA keys, exporting a key
    /// whose private parts are not known, …); the message says what to do instead.
    #[error("{} is not supported", Message(operation))]
    Unsupported {
        /// What was asked, and the alternative when there is one.
        operation: Cow<'static, str>,
    },
}

impl From<super::formats::der::DerError> for KeyError {
    fn from(error: super::formats::der::DerError) -> Self {
        Self::Der {
            reason: error.reason,
        }
    }
}
