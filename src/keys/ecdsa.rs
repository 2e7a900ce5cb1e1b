//! ES256 (P-256) and ES384 (P-384) over ring with fixed-length `r || s` signatures
//! (RFC 7518 §3.4); DER-encoded signatures are never accepted.

use ring::signature::{self, EcdsaKeyPair, UnparsedPublicKey};

use super::SignatureBuf;
use crate::algorithm::Algorithm;
use crate::error::{Error, KeyError};

/// A public point on P-256 or P-384, checked to be on the curve when built.
pub(crate) struct EcPublicKey {
    point: Vec<u8>,
    verify: &'static signature::EcdsaVerificationAlgorithm,
}

/// The algorithm an uncompressed point of this length belongs to.
pub(crate) fn algorithm_for_point_len(len: usize) -> Result<Algorithm, KeyError> {
    match len {
        65 => Ok(Algorithm::Es256),
        97 => Ok(Algorithm::Es384),
        _ => Err(KeyError::Rejected {
            reason: format!("an uncompressed P-256 or P-384 point has 65 or 97 bytes, got {len}")
                .into(),
        }),
    }
}

impl EcPublicKey {
    pub(crate) fn new(algorithm: Algorithm, point: &[u8]) -> Result<Self, KeyError> {
        let (verify, agreement, len) = match algorithm {
            Algorithm::Es256 => (
                &signature::ECDSA_P256_SHA256_FIXED,
                &ring::agreement::ECDH_P256,
                65,
            ),
            Algorithm::Es384 => (
                &signature::ECDSA_P384_SHA384_FIXED,
                &ring::agreement::ECDH_P384,
                97,
            ),
            other => {
                return Err(KeyError::AlgorithmMismatch {
                    algorithm: other,
                    key: "EC key".into(),
                });
            }
        };
        if point.len() != len || point[0] != 0x04 {
            return Err(KeyError::Rejected {
                reason: format!(
                    "{algorithm} needs an uncompressed point of {len} bytes starting with 0x04"
                )
                .into(),
            });
        }
        check_on_curve(agreement, point)?;
        Ok(Self {
            point: point.to_vec(),
            verify,
        })
    }

    /// The uncompressed point `0x04 || x || y`.
    #[allow(dead_code)] // used by JWK export
    pub(crate) fn point(&self) -> &[u8] {
        &self.point
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        UnparsedPublicKey::new(self.verify, &self.point)
            .verify(message, signature)
            .map_err(|_| Error::InvalidSignature)
    }
}

/// ring validates a peer's public point fully (on the curve, not the identity) before ECDH;
/// an ephemeral agreement is the way to run that validation when the key is built, so that an
/// off-curve point is a key error instead of a signature failure on every token.
fn check_on_curve(
    algorithm: &'static ring::agreement::Algorithm,
    point: &[u8],
) -> Result<(), KeyError> {
    let rng = ring::rand::SystemRandom::new();
    let private = ring::agreement::EphemeralPrivateKey::generate(algorithm, &rng)
        .map_err(|_| KeyError::Random)?;
    let peer = ring::agreement::UnparsedPublicKey::new(algorithm, point);
    ring::agreement::agree_ephemeral(private, &peer, |_| ()).map_err(|_| KeyError::Rejected {
        reason: "the EC point is not on the curve".into(),
    })
}

pub(crate) fn sign(pair: &EcdsaKeyPair, message: &[u8]) -> Result<SignatureBuf, Error> {
    let sig = pair
        .sign(&ring::rand::SystemRandom::new(), message)
        .map_err(|_| KeyError::Random)?;
    Ok(SignatureBuf::from_slice(sig.as_ref()))
}
