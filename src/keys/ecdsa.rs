//! ES256 (P-256), ES384 (P-384), ES512 (P-521) and ES256K (secp256k1, RFC 8812) over the
//! asymmetric backend ([`super::backend`]) with fixed-length `r || s` signatures (RFC 7518
//! §3.4); DER-encoded signatures are never accepted. P-521 and secp256k1 need aws-lc-rs.

use super::backend::signature::{self, EcdsaKeyPair};
use super::backend::{self, rand};

use std::sync::Arc;

use super::kind::Curve;
use super::{PrivateParts, SignatureBuf, SigningInner, SigningKey};
use crate::algorithm::Algorithm;
use crate::error::{Error, KeyError};
use crate::keys::KeyErrorCategory;

/// A public point on one of the curves of the [`kind`](super::kind) table, checked to be on
/// the curve when built.
pub(crate) struct EcPublicKey {
    point: Vec<u8>,
    verify: &'static signature::EcdsaVerificationAlgorithm,
    prepared: backend::Prepared,
}

/// The algorithm an uncompressed point of this length belongs to.
pub(crate) fn algorithm_for_point_len(len: usize) -> Result<Algorithm, KeyError> {
    if let Some(curve) = Curve::for_point_len(len) {
        return Ok(curve.algorithm());
    }
    let (names, lens) = Curve::names_and_point_lens();
    Err(KeyError::invalid(
        KeyErrorCategory::Rejected,
        format!("an uncompressed {names} point has {lens} bytes, got {len}"),
    ))
}

impl EcPublicKey {
    pub(crate) fn new(algorithm: Algorithm, point: &[u8]) -> Result<Self, KeyError> {
        let Some(curve) = Curve::for_algorithm(algorithm) else {
            return Err(KeyError::AlgorithmMismatch {
                algorithm,
                key: "EC key".into(),
            });
        };
        let ids = backend::ecdsa(curve)?;
        let len = curve.point_len();
        if point.len() != len || point.first() != Some(&0x04) {
            return Err(KeyError::invalid(
                KeyErrorCategory::Rejected,
                format!(
                    "{algorithm} needs an uncompressed point of {len} bytes starting with 0x04"
                ),
            ));
        }
        backend::check_ec_point(&ids, point)?;
        Ok(Self {
            point: point.to_vec(),
            verify: ids.verification,
            prepared: backend::Prepared::default(),
        })
    }

    /// The uncompressed point `0x04 || x || y`.
    #[allow(dead_code)] // used by JWK export
    pub(crate) fn point(&self) -> &[u8] {
        &self.point
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.prepared
            .verify(self.verify, &self.point, message, signature)
            .map_err(|_| Error::InvalidSignature)
    }
}

/// The one place that builds an ECDSA signing key: from the private scalar `d` and its
/// uncompressed public point on `curve` (the backend checks that they match), bound to the
/// curve's algorithm, keeping both for export. `refused` words the error when the backend
/// refuses them (the DER and JWK paths name the fault differently).
pub(crate) fn signing_key(
    curve: Curve,
    d: &[u8],
    point: &[u8],
    refused: impl FnOnce(backend::error::KeyRejected) -> KeyError,
) -> Result<SigningKey, KeyError> {
    // The public point a private key carries must be uncompressed (`0x04 || x || y`), on both
    // backends: aws-lc-rs would take the hybrid form (`0x06`/`0x07`) that ring refuses, and such
    // a key could then not be exported as a JWK.
    let uncompressed = matches!(point.split_first(),
        Some((0x04, xy)) if xy.len() == 2 * curve.coordinate_len());
    if !uncompressed {
        return Err(KeyError::invalid(
            KeyErrorCategory::Rejected,
            "the EC public point is not uncompressed",
        ));
    }
    let pair =
        backend::ecdsa_key_pair(backend::ecdsa(curve)?.signing, d, point).map_err(refused)?;
    let parts = PrivateParts::Ec {
        d: d.to_vec(),
        point: point.to_vec(),
    };
    Ok(
        SigningKey::from_inner(curve.algorithm(), SigningInner::Ecdsa(Arc::new(pair)))
            .with_private_parts(parts),
    )
}

pub(crate) fn sign(pair: &EcdsaKeyPair, message: &[u8]) -> Result<SignatureBuf, Error> {
    let sig = pair
        .sign(&rand::SystemRandom::new(), message)
        .map_err(|_| KeyError::Random)?;
    Ok(SignatureBuf::from_slice(sig.as_ref()))
}
