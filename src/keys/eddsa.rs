//! EdDSA with Ed25519 over the asymmetric backend ([`super::backend`], RFC 8037); both ring and
//! aws-lc-rs reject non-canonical `S >= L` signatures.

use super::backend::signature;

use crate::error::{Error, KeyError};

/// An Ed25519 public key: 32 raw bytes.
pub(crate) struct Ed25519PublicKey {
    bytes: [u8; 32],
    prepared: super::backend::Prepared,
}

impl Ed25519PublicKey {
    pub(crate) fn new(bytes: &[u8]) -> Result<Self, KeyError> {
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Rejected {
            reason: format!("an Ed25519 public key has 32 bytes, got {}", bytes.len()).into(),
        })?;
        Ok(Self {
            bytes,
            prepared: super::backend::Prepared::default(),
        })
    }

    /// The 32 raw public bytes.
    #[allow(dead_code)] // used by JWK export
    pub(crate) fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    pub(crate) fn verify(&self, message: &[u8], sig: &[u8]) -> Result<(), Error> {
        self.prepared
            .verify(&signature::ED25519, &self.bytes, message, sig)
            .map_err(|_| Error::InvalidSignature)
    }
}
