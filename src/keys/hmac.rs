//! HS256/HS384/HS512: HMAC with SHA-2 over `hmac` + `sha2` (RFC 7518 §3.2).
//!
//! The secret must be at least as long as the hash output; the keyed state (inner and outer
//! pads already absorbed) is computed once, when the key is built, and cloned per operation.

use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};

use super::SignatureBuf;
use crate::algorithm::Algorithm;
use crate::error::{Error, KeyError};

/// A keyed HMAC state for one algorithm.
#[derive(Clone)]
pub(crate) enum HmacKey {
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
    Sha512(Hmac<Sha512>),
}

/// The minimum secret length for an HMAC algorithm: the hash output size (RFC 7518 §3.2).
pub(crate) const fn min_secret_len(algorithm: Algorithm) -> usize {
    match algorithm {
        Algorithm::Hs384 => 48,
        Algorithm::Hs512 => 64,
        _ => 32,
    }
}

impl HmacKey {
    /// Builds the keyed state; `algorithm` must be of the HMAC family (checked by the caller).
    pub(crate) fn new(algorithm: Algorithm, secret: &[u8]) -> Result<Self, KeyError> {
        let min_len = min_secret_len(algorithm);
        if secret.len() < min_len {
            return Err(KeyError::WeakSecret {
                algorithm,
                min_len,
                len: secret.len(),
            });
        }
        // `new_from_slice` accepts keys of any length for HMAC, so these cannot fail.
        let invalid = |_| KeyError::Rejected {
            reason: "HMAC key rejected".into(),
        };
        Ok(match algorithm {
            Algorithm::Hs256 => Self::Sha256(Hmac::new_from_slice(secret).map_err(invalid)?),
            Algorithm::Hs384 => Self::Sha384(Hmac::new_from_slice(secret).map_err(invalid)?),
            Algorithm::Hs512 => Self::Sha512(Hmac::new_from_slice(secret).map_err(invalid)?),
            other => {
                return Err(KeyError::AlgorithmMismatch {
                    algorithm: other,
                    key: "HMAC secret".into(),
                });
            }
        })
    }

    pub(crate) fn sign(&self, message: &[u8]) -> SignatureBuf {
        fn tag<M: Mac + Clone>(mac: &M, message: &[u8]) -> SignatureBuf {
            let mut mac = mac.clone();
            mac.update(message);
            SignatureBuf::from_slice(&mac.finalize().into_bytes())
        }
        match self {
            Self::Sha256(m) => tag(m, message),
            Self::Sha384(m) => tag(m, message),
            Self::Sha512(m) => tag(m, message),
        }
    }

    /// Constant-time verification of a full-length tag (never truncated).
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        fn check<M: Mac + Clone>(mac: &M, message: &[u8], signature: &[u8]) -> Result<(), Error> {
            let mut mac = mac.clone();
            mac.update(message);
            mac.verify_slice(signature)
                .map_err(|_| Error::InvalidSignature)
        }
        match self {
            Self::Sha256(m) => check(m, message, signature),
            Self::Sha384(m) => check(m, message, signature),
            Self::Sha512(m) => check(m, message, signature),
        }
    }
}
