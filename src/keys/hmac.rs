//! HS256/HS384/HS512: HMAC with SHA-2 over `hmac` + `sha2` (RFC 7518 §3.2).
//!
//! The secret must be at least as long as the hash output; the keyed state (inner and outer
//! pads already absorbed) is computed once, when the key is built, and cloned per operation.

use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq as _;

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
            if tags_equal(&mac.finalize().into_bytes(), signature) {
                Ok(())
            } else {
                Err(Error::InvalidSignature)
            }
        }
        match self {
            Self::Sha256(m) => check(m, message, signature),
            Self::Sha384(m) => check(m, message, signature),
            Self::Sha512(m) => check(m, message, signature),
        }
    }
}

/// Compares a computed tag with a received one in time that depends only on their lengths
/// (public: the algorithm's tag size and the token's signature length).
///
/// `hmac`'s own `verify_slice` compares through `subtle` byte by byte, an optimisation barrier
/// (a call and a volatile read) per byte: about 50 ns per HS256 check. This uses the same
/// `subtle` primitives on 64-bit words, so a 32-byte tag takes four barriers instead of 32.
fn tags_equal(computed: &[u8], received: &[u8]) -> bool {
    if computed.len() != received.len() {
        return false;
    }
    let word = |bytes: &[u8]| {
        let mut w = [0u8; 8];
        w.copy_from_slice(bytes);
        u64::from_ne_bytes(w)
    };
    let (a, b) = (computed.chunks_exact(8), received.chunks_exact(8));
    // The tag sizes (32, 48, 64) are whole words; the remainder is compared byte by byte.
    let mut equal = a.remainder().ct_eq(b.remainder());
    for (x, y) in a.zip(b) {
        equal &= word(x).ct_eq(&word(y));
    }
    equal.into()
}

#[cfg(test)]
mod tests {
    use super::tags_equal;

    #[test]
    fn tags_equal_finds_any_difference() {
        for len in [0, 1, 7, 8, 9, 32, 48, 64] {
            let tag: Vec<u8> = (0..len)
                .map(|i: usize| (i * 37 + 11).to_le_bytes()[0])
                .collect();
            assert!(tags_equal(&tag, &tag.clone()), "{len}");
            for i in 0..len {
                for bit in 0..8 {
                    let mut other = tag.clone();
                    other[i] ^= 1 << bit;
                    assert!(!tags_equal(&tag, &other), "{len} {i} {bit}");
                }
            }
            if len > 0 {
                assert!(!tags_equal(&tag, &tag[..len - 1]));
            }
            let mut longer = tag.clone();
            longer.push(0);
            assert!(!tags_equal(&tag, &longer));
        }
    }
}
