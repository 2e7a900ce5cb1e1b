//! The one place that names the library running the asymmetric algorithms (RS*, PS*, ES*,
//! EdDSA): aws-lc-rs when the `aws-lc-rs` cargo feature is on, ring otherwise. The rule is
//! fixed at compile time, so there is no runtime choice and nothing to panic about; ring stays
//! a dependency either way for what is not asymmetric.
//!
//! The family modules import `signature`, `rand`, `agreement`, `rsa` and `error` from here.
//! The two APIs agree except where an adapter below says otherwise.

#[cfg(feature = "aws-lc-rs")]
pub(crate) use aws_lc_rs::{agreement, error, rand, rsa, signature};
#[cfg(not(feature = "aws-lc-rs"))]
pub(crate) use ring::{agreement, error, rand, rsa, signature};

use super::kind::Curve;
use crate::error::KeyError;
use crate::keys::KeyErrorCategory;

/// The backend's name, as published in [`crate::keys::BACKEND`].
#[cfg(feature = "aws-lc-rs")]
pub(crate) const NAME: &str = "aws-lc-rs";
/// The backend's name, as published in [`crate::keys::BACKEND`].
#[cfg(not(feature = "aws-lc-rs"))]
pub(crate) const NAME: &str = "ring";

/// The length in bytes of the key pair's modulus (and of its signatures).
///
/// ring deprecated `public_modulus_len` for `public().modulus_len()`; aws-lc-rs has only the
/// former.
pub(crate) fn rsa_modulus_len(pair: &rsa::KeyPair) -> usize {
    #[cfg(feature = "aws-lc-rs")]
    {
        pair.public_modulus_len()
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        pair.public().modulus_len()
    }
}

/// The backend's identifiers for one ECDSA curve (see [`Curve`]'s table for the rest).
pub(crate) struct EcdsaIds {
    /// Signing with fixed-length `r || s` signatures (RFC 7518 §3.4).
    pub(crate) signing: &'static signature::EcdsaSigningAlgorithm,
    /// Verification of fixed-length `r || s` signatures.
    pub(crate) verification: &'static signature::EcdsaVerificationAlgorithm,
    /// ECDH on the same curve, used only to validate public points ([`check_ec_point`]).
    pub(crate) agreement: &'static agreement::Algorithm,
}

/// The backend's identifiers for `curve`.
pub(crate) fn ecdsa(curve: Curve) -> EcdsaIds {
    match curve {
        Curve::P256 => EcdsaIds {
            signing: &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            verification: &signature::ECDSA_P256_SHA256_FIXED,
            agreement: &agreement::ECDH_P256,
        },
        Curve::P384 => EcdsaIds {
            signing: &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            verification: &signature::ECDSA_P384_SHA384_FIXED,
            agreement: &agreement::ECDH_P384,
        },
    }
}

/// An ECDSA key pair from the private scalar and the uncompressed public point, which must
/// match. ring takes a random number generator here; aws-lc-rs does not.
pub(crate) fn ecdsa_key_pair(
    algorithm: &'static signature::EcdsaSigningAlgorithm,
    private_key: &[u8],
    public_point: &[u8],
) -> Result<signature::EcdsaKeyPair, error::KeyRejected> {
    #[cfg(feature = "aws-lc-rs")]
    {
        signature::EcdsaKeyPair::from_private_key_and_public_key(
            algorithm,
            private_key,
            public_point,
        )
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        signature::EcdsaKeyPair::from_private_key_and_public_key(
            algorithm,
            private_key,
            public_point,
            &rand::SystemRandom::new(),
        )
    }
}

/// Checks that `point` is a valid public point (on the curve, not the identity) for
/// `algorithm`, so that an off-curve point is a key error when the key is built instead of a
/// signature failure on every token.
///
/// Neither library exposes point validation for signature keys, but both validate a peer's
/// point fully for ECDH: ring inside an agreement with an ephemeral key, aws-lc-rs as soon as
/// the point is parsed.
pub(crate) fn check_ec_point(
    algorithm: &'static agreement::Algorithm,
    point: &[u8],
) -> Result<(), KeyError> {
    let off_curve = |_| {
        KeyError::invalid(
            KeyErrorCategory::Rejected,
            "the EC point is not on the curve",
        )
    };
    let peer = agreement::UnparsedPublicKey::new(algorithm, point);
    #[cfg(feature = "aws-lc-rs")]
    {
        agreement::ParsedPublicKey::try_from(&peer)
            .map(|_| ())
            .map_err(off_curve)
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        let private =
            agreement::EphemeralPrivateKey::generate(algorithm, &rand::SystemRandom::new())
                .map_err(|_| KeyError::Random)?;
        agreement::agree_ephemeral(private, &peer, |_| ()).map_err(off_curve)
    }
}

/// A public key prepared for repeated verification with one algorithm. aws-lc-rs parses the key
/// once, on first use, into a `ParsedPublicKey` and verifies with it from then on (parsing an
/// RSA key costs about a fifth of an RS256 verification); ring has no parsed form for
/// verification keys, so with ring each verification parses the bytes, as ring's own
/// `UnparsedPublicKey` does.
#[derive(Default)]
pub(crate) struct Prepared {
    #[cfg(feature = "aws-lc-rs")]
    parsed: std::sync::OnceLock<Option<signature::ParsedPublicKey>>,
}

impl Prepared {
    /// Verifies `sig` over `msg` with the key `bytes` (in the encoding `algorithm` expects),
    /// using the parsed key when the backend keeps one.
    #[cfg_attr(not(feature = "aws-lc-rs"), allow(clippy::unused_self))]
    pub(crate) fn verify(
        &self,
        algorithm: &'static dyn signature::VerificationAlgorithm,
        bytes: &[u8],
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), error::Unspecified> {
        #[cfg(feature = "aws-lc-rs")]
        {
            let parsed = self
                .parsed
                .get_or_init(|| signature::ParsedPublicKey::new(algorithm, bytes).ok());
            if let Some(parsed) = parsed {
                return parsed.verify_sig(msg, sig);
            }
        }
        signature::UnparsedPublicKey::new(algorithm, bytes).verify(msg, sig)
    }

    /// Whether a parsed key is kept (only ever with aws-lc-rs, after the first verification).
    #[cfg(test)]
    #[cfg_attr(not(feature = "aws-lc-rs"), allow(clippy::unused_self))]
    pub(crate) fn is_parsed(&self) -> bool {
        #[cfg(feature = "aws-lc-rs")]
        {
            matches!(self.parsed.get(), Some(Some(_)))
        }
        #[cfg(not(feature = "aws-lc-rs"))]
        {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_primitive_comes_from_the_backend_the_features_name() {
        let crate_name = if cfg!(feature = "aws-lc-rs") {
            "aws_lc_rs::"
        } else {
            "ring::"
        };
        assert_eq!(crate::keys::BACKEND, NAME);
        for type_name in [
            std::any::type_name::<rsa::KeyPair>(),
            std::any::type_name::<signature::EcdsaKeyPair>(),
            std::any::type_name::<signature::Ed25519KeyPair>(),
            std::any::type_name::<rand::SystemRandom>(),
            std::any::type_name::<agreement::EphemeralPrivateKey>(),
        ] {
            assert!(
                type_name.starts_with(crate_name),
                "{type_name} under {NAME}"
            );
        }
    }
}
