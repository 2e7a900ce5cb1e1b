//! ML-DSA-44, ML-DSA-65 and ML-DSA-87 (FIPS 204) as JWS algorithms (RFC 9964): pure ML-DSA with
//! an empty context, over aws-lc-rs ([`super::backend`]); ring has no ML-DSA, and a ring build
//! refuses every ML-DSA key with [`KeyErrorCategory::Unavailable`].
//!
//! A private key is its 32-byte seed (the JWK `priv`, PKCS#8's `seed` choice): the expanded
//! key is derived from it, and a key is only ever kept, exported and compared as the seed and
//! its public key. Public keys are checked for their parameter set's exact length; FIPS 204
//! encodings have no other invalid values (every `t1` packing decodes).

use std::sync::Arc;

use super::kind::{KeyKind, ML_DSA_SEED_LEN, MlDsa};
use super::{PrivateParts, SignatureBuf, SigningInner, SigningKey, backend};
use crate::algorithm::Algorithm;
use crate::error::{Error, KeyError};
use crate::keys::KeyErrorCategory;

/// The parameter set of an ML-DSA algorithm, or the mismatch error naming `key`.
pub(crate) fn parameter_set(algorithm: Algorithm, key: &'static str) -> Result<MlDsa, KeyError> {
    MlDsa::for_algorithm(algorithm).ok_or(KeyError::AlgorithmMismatch {
        algorithm,
        key: key.into(),
    })
}

/// An ML-DSA public key of one parameter set.
pub(crate) struct MlDsaPublicKey {
    bytes: Vec<u8>,
    verification: &'static dyn backend::signature::VerificationAlgorithm,
    prepared: backend::Prepared,
}

impl MlDsaPublicKey {
    pub(crate) fn new(algorithm: Algorithm, bytes: &[u8]) -> Result<Self, KeyError> {
        let set = parameter_set(algorithm, "ML-DSA key")?;
        let verification = backend::ml_dsa_verification(set)?;
        check_public_len(set, bytes)?;
        Ok(Self {
            bytes: bytes.to_vec(),
            verification,
            prepared: backend::Prepared::default(),
        })
    }

    /// The raw public key (the JWK `pub`).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.prepared
            .verify(self.verification, &self.bytes, message, signature)
            .map_err(|_| Error::InvalidSignature)
    }
}

fn check_public_len(set: MlDsa, bytes: &[u8]) -> Result<(), KeyError> {
    if bytes.len() == set.public_len() {
        Ok(())
    } else {
        Err(KeyError::invalid(
            KeyErrorCategory::Rejected,
            format!(
                "an {} public key has {} bytes, got {}",
                set.algorithm(),
                set.public_len(),
                bytes.len()
            ),
        ))
    }
}

/// The one place that builds an ML-DSA signing key: from its 32-byte seed, bound to the
/// parameter set's algorithm. `expected_public` (a JWK's `pub`, a PKCS#8 v2 `publicKey`) must
/// be the public key the seed derives.
pub(crate) fn signing_key(
    set: MlDsa,
    seed: &[u8],
    expected_public: Option<&[u8]>,
    expected_expanded: Option<&[u8]>,
) -> Result<SigningKey, KeyError> {
    backend::require(KeyKind::MlDsa(set))?;
    let seed: [u8; ML_DSA_SEED_LEN] = seed.try_into().map_err(|_| {
        KeyError::invalid(
            KeyErrorCategory::Rejected,
            format!(
                "an {} private key (seed) has {ML_DSA_SEED_LEN} bytes, got {}",
                set.algorithm(),
                seed.len()
            ),
        )
    })?;
    if let Some(expected) = expected_public {
        check_public_len(set, expected)?;
    }
    let (pair, public) = backend::ml_dsa_from_seed(set, &seed)?;
    if expected_public.is_some_and(|expected| expected != public.as_slice()) {
        return Err(KeyError::invalid(
            KeyErrorCategory::Rejected,
            format!(
                "the {} public key does not belong to the private key (seed)",
                set.algorithm()
            ),
        ));
    }
    if let Some(expected) = expected_expanded {
        if !backend::ml_dsa_expanded_is(&pair, expected) {
            return Err(KeyError::invalid(
                KeyErrorCategory::Rejected,
                format!(
                    "the {} expanded private key does not belong to the seed",
                    set.algorithm()
                ),
            ));
        }
    }
    Ok(
        SigningKey::from_inner(set.algorithm(), SigningInner::MlDsa(Arc::new(pair)))
            .with_private_parts(PrivateParts::MlDsa { seed, public }),
    )
}

/// Generates a new ML-DSA signing key from a random seed.
pub(crate) fn generate(set: MlDsa) -> Result<SigningKey, KeyError> {
    let seed = backend::ml_dsa_generate_seed(set)?;
    signing_key(set, &seed, None, None)
}

pub(crate) fn sign(
    pair: &backend::MlDsaKeyPair,
    algorithm: Algorithm,
    message: &[u8],
) -> Result<SignatureBuf, Error> {
    let mut buf = SignatureBuf::zeroed(algorithm.signature_len().unwrap_or(0));
    backend::ml_dsa_sign(pair, message, buf.as_mut_slice()).map_err(|_| KeyError::Random)?;
    Ok(buf)
}
