//! The one place that names the library running the asymmetric algorithms (RS*, PS*, ES*,
//! EdDSA, ML-DSA-*): aws-lc-rs when the `aws-lc-rs` cargo feature is on, ring otherwise. The
//! rule is fixed at compile time, so there is no runtime choice and nothing to panic about;
//! ring stays a dependency either way for what is not asymmetric.
//!
//! ring has no P-521 signing, no secp256k1 and no ML-DSA: under ring the arms for them return
//! [`unavailable`] (a [`KeyErrorCategory::Unavailable`] error naming the feature), and the
//! ML-DSA key pair type is uninhabited, so no key of those kinds can exist in such a build.
//!
//! The family modules import `signature`, `rand`, `rsa`, `error` and (ring only) `agreement`
//! from here.
//! The two APIs agree except where an adapter below says otherwise.

#[cfg(feature = "aws-lc-rs")]
pub(crate) use aws_lc_rs::{error, rand, rsa, signature};
#[cfg(not(feature = "aws-lc-rs"))]
pub(crate) use ring::{agreement, error, rand, rsa, signature};

use super::kind::{Curve, KeyKind, MlDsa};
use crate::error::KeyError;
use crate::keys::KeyErrorCategory;

/// The error for a key of `kind` in a build whose backend does not implement its algorithm.
pub(crate) fn unavailable(kind: KeyKind) -> KeyError {
    let algorithm = kind.implied_algorithm().map_or("", |a| a.as_str());
    KeyError::invalid(
        KeyErrorCategory::Unavailable,
        format!("{algorithm} ({})", kind.name()),
    )
}

/// Refuses a key of `kind` when this build cannot use it (see [`unavailable`]).
pub(crate) fn require(kind: KeyKind) -> Result<(), KeyError> {
    if kind.is_available() {
        Ok(())
    } else {
        Err(unavailable(kind))
    }
}

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
    /// ECDH on the same curve, used only by ring to validate public points
    /// ([`check_ec_point`]); aws-lc-rs validates them when it parses the verification key.
    #[cfg(not(feature = "aws-lc-rs"))]
    pub(crate) agreement: &'static agreement::Algorithm,
}

/// The backend's identifiers for `curve`; [`unavailable`] for a curve the backend lacks (only
/// ever with ring: aws-lc-rs has them all, hence the lint).
#[cfg_attr(feature = "aws-lc-rs", allow(clippy::unnecessary_wraps))]
pub(crate) fn ecdsa(curve: Curve) -> Result<EcdsaIds, KeyError> {
    #[cfg(feature = "aws-lc-rs")]
    {
        Ok(match curve {
            Curve::P256 => EcdsaIds {
                signing: &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                verification: &signature::ECDSA_P256_SHA256_FIXED,
            },
            Curve::P384 => EcdsaIds {
                signing: &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                verification: &signature::ECDSA_P384_SHA384_FIXED,
            },
            Curve::P521 => EcdsaIds {
                signing: &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
                verification: &signature::ECDSA_P521_SHA512_FIXED,
            },
            Curve::Secp256k1 => EcdsaIds {
                signing: &signature::ECDSA_P256K1_SHA256_FIXED_SIGNING,
                verification: &signature::ECDSA_P256K1_SHA256_FIXED,
            },
        })
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        match curve {
            Curve::P256 => Ok(EcdsaIds {
                signing: &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                verification: &signature::ECDSA_P256_SHA256_FIXED,
                agreement: &agreement::ECDH_P256,
            }),
            Curve::P384 => Ok(EcdsaIds {
                signing: &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                verification: &signature::ECDSA_P384_SHA384_FIXED,
                agreement: &agreement::ECDH_P384,
            }),
            Curve::P521 | Curve::Secp256k1 => Err(unavailable(KeyKind::Ec(curve))),
        }
    }
}

/// The backend's identifiers for one ML-DSA parameter set (aws-lc-rs only).
#[cfg(feature = "aws-lc-rs")]
pub(crate) struct MlDsaIds {
    /// Signing (pure ML-DSA, empty context).
    pub(crate) signing: &'static signature::PqdsaSigningAlgorithm,
    /// Verification (pure ML-DSA, empty context).
    pub(crate) verification: &'static signature::PqdsaVerificationAlgorithm,
}

/// The backend's identifiers for `set`.
#[cfg(feature = "aws-lc-rs")]
pub(crate) fn ml_dsa(set: MlDsa) -> MlDsaIds {
    match set {
        MlDsa::P44 => MlDsaIds {
            signing: &signature::ML_DSA_44_SIGNING,
            verification: &signature::ML_DSA_44,
        },
        MlDsa::P65 => MlDsaIds {
            signing: &signature::ML_DSA_65_SIGNING,
            verification: &signature::ML_DSA_65,
        },
        MlDsa::P87 => MlDsaIds {
            signing: &signature::ML_DSA_87_SIGNING,
            verification: &signature::ML_DSA_87,
        },
    }
}

/// An ML-DSA key pair: aws-lc-rs's.
#[cfg(feature = "aws-lc-rs")]
pub(crate) type MlDsaKeyPair = signature::PqdsaKeyPair;

/// An ML-DSA key pair: none can exist with ring (the type has no values).
#[cfg(not(feature = "aws-lc-rs"))]
#[derive(Debug)]
pub(crate) enum MlDsaKeyPair {}

/// The ML-DSA key pair of a 32-byte seed (FIPS 204 `ML-DSA.KeyGen_internal`), with its public
/// key; [`unavailable`] with ring.
pub(crate) fn ml_dsa_from_seed(
    set: MlDsa,
    seed: &[u8],
) -> Result<(MlDsaKeyPair, Vec<u8>), KeyError> {
    #[cfg(feature = "aws-lc-rs")]
    {
        use signature::KeyPair as _;
        let pair = signature::PqdsaKeyPair::from_seed(ml_dsa(set).signing, seed).map_err(|e| {
            KeyError::invalid(
                KeyErrorCategory::Rejected,
                format!("not a usable {} seed ({e})", set.algorithm()),
            )
        })?;
        let public = pair.public_key().as_ref().to_vec();
        Ok((pair, public))
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        let _ = seed;
        Err(unavailable(KeyKind::MlDsa(set)))
    }
}

/// Whether `expanded` is the expanded private key (FIPS 204 `skEncode`) of `pair`, compared in
/// constant time.
pub(crate) fn ml_dsa_expanded_is(pair: &MlDsaKeyPair, expanded: &[u8]) -> bool {
    #[cfg(feature = "aws-lc-rs")]
    {
        use aws_lc_rs::encoding::AsRawBytes as _;
        pair.private_key().as_raw_bytes().is_ok_and(|raw| {
            let raw: &[u8] = raw.as_ref();
            raw.len() == expanded.len()
                && aws_lc_rs::constant_time::verify_slices_are_equal(raw, expanded).is_ok()
        })
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        let _ = expanded;
        match *pair {}
    }
}

/// Signs `message` with an ML-DSA key pair into `out` (its algorithm's signature length).
pub(crate) fn ml_dsa_sign(
    pair: &MlDsaKeyPair,
    message: &[u8],
    out: &mut [u8],
) -> Result<(), error::Unspecified> {
    #[cfg(feature = "aws-lc-rs")]
    {
        pair.sign(message, out).map(|_| ())
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        let _ = (message, out);
        match *pair {}
    }
}

/// Generates a 32-byte ML-DSA seed with the system random number generator; [`unavailable`]
/// with ring (no seed is made for a key that cannot be built).
pub(crate) fn ml_dsa_generate_seed(set: MlDsa) -> Result<[u8; 32], KeyError> {
    use rand::SecureRandom as _;
    require(KeyKind::MlDsa(set))?;
    let mut seed = [0u8; 32];
    rand::SystemRandom::new()
        .fill(&mut seed)
        .map_err(|_| KeyError::Random)?;
    Ok(seed)
}

/// The verification algorithm of `set`, for [`Prepared::verify`]; [`unavailable`] with ring.
#[cfg(feature = "aws-lc-rs")]
#[allow(clippy::unnecessary_wraps)] // the signature of the ring build's function
pub(crate) fn ml_dsa_verification(
    set: MlDsa,
) -> Result<&'static dyn signature::VerificationAlgorithm, KeyError> {
    Ok(ml_dsa(set).verification)
}

/// The verification algorithm of `set`, for [`Prepared::verify`]; [`unavailable`] with ring.
#[cfg(not(feature = "aws-lc-rs"))]
pub(crate) fn ml_dsa_verification(
    set: MlDsa,
) -> Result<&'static dyn signature::VerificationAlgorithm, KeyError> {
    Err(unavailable(KeyKind::MlDsa(set)))
}

/// Generates an RSA private key of `bits` (2048, 3072 or 4096) and returns it as PKCS#8 v1
/// DER; [`unavailable`]-like `Unsupported` error with ring, which cannot generate RSA keys.
pub(crate) fn rsa_generate_pkcs8(bits: usize) -> Result<Vec<u8>, KeyError> {
    #[cfg(feature = "aws-lc-rs")]
    {
        use aws_lc_rs::encoding::AsDer as _;
        let size = match bits {
            2048 => rsa::KeySize::Rsa2048,
            3072 => rsa::KeySize::Rsa3072,
            4096 => rsa::KeySize::Rsa4096,
            _ => return Err(rsa_bits_error(bits)),
        };
        let pair = rsa::KeyPair::generate(size).map_err(|_| KeyError::Random)?;
        let der: aws_lc_rs::encoding::Pkcs8V1Der<'static> =
            pair.as_der().map_err(|_| KeyError::Random)?;
        Ok(der.as_ref().to_vec())
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        if !matches!(bits, 2048 | 3072 | 4096) {
            return Err(rsa_bits_error(bits));
        }
        Err(KeyError::invalid(
            KeyErrorCategory::Unavailable,
            "generating RSA keys",
        ))
    }
}

fn rsa_bits_error(bits: usize) -> KeyError {
    KeyError::invalid(
        KeyErrorCategory::Unsupported,
        format!("generating {bits}-bit RSA keys (choose 2048, 3072 or 4096 bits)"),
    )
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

/// Checks that `point` is a valid public point (on the curve, not the identity) for the
/// curve of `ids`, so that an off-curve point is a key error when the key is built instead of a
/// signature failure on every token.
///
/// ring exposes no point validation for signature keys but validates a peer's point fully for
/// ECDH, inside an agreement with an ephemeral key; aws-lc-rs validates the point
/// (`EC_POINT_oct2point` and `EC_KEY_check_key`) when it parses a verification key, which
/// covers secp256k1, for which it has no ECDH.
pub(crate) fn check_ec_point(ids: &EcdsaIds, point: &[u8]) -> Result<(), KeyError> {
    let off_curve = |_| {
        KeyError::invalid(
            KeyErrorCategory::Rejected,
            "the EC point is not on the curve",
        )
    };
    #[cfg(feature = "aws-lc-rs")]
    {
        signature::ParsedPublicKey::new(ids.verification, point)
            .map(|_| ())
            .map_err(off_curve)
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        let peer = agreement::UnparsedPublicKey::new(ids.agreement, point);
        let private =
            agreement::EphemeralPrivateKey::generate(ids.agreement, &rand::SystemRandom::new())
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
            #[cfg(not(feature = "aws-lc-rs"))]
            std::any::type_name::<agreement::EphemeralPrivateKey>(),
            #[cfg(feature = "aws-lc-rs")]
            std::any::type_name::<signature::PqdsaKeyPair>(),
        ] {
            assert!(
                type_name.starts_with(crate_name),
                "{type_name} under {NAME}"
            );
        }
    }
}
