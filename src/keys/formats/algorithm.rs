//! The key `AlgorithmIdentifier` of SPKI and PKCS#8 (RFC 5280 §4.1.1.2): rsaEncryption with NULL
//! parameters (RFC 3279 §2.3.1), id-ecPublicKey with a namedCurve (RFC 5480 §2.1.1), id-Ed25519
//! without parameters (RFC 8410 §3), id-ml-dsa-* without parameters (RFC 9881 §2); and
//! [`StructureError`], the errors of the key structures.
//!
//! Which OID names which key type, and which curves are supported, is the caller's to say
//! ([`Oids`]): this module imports nothing from `keys` outside `formats`, and returns OIDs as
//! their content octets.

use super::der::{DerError, Reader, TAG_NULL, TAG_OID, describe_oid, sequence, tlv};

/// The key types whose structures are read here (each has its own parameters and private-key
/// encoding).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyType {
    /// rsaEncryption: NULL parameters, a PKCS#1 key inside.
    Rsa,
    /// id-ecPublicKey: a namedCurve, an `ECPrivateKey` inside.
    Ec,
    /// id-Ed25519: no parameters, a `CurvePrivateKey` inside.
    Ed25519,
    /// id-ml-dsa-44/65/87: no parameters, an `ML-DSA-PrivateKey` inside (RFC 9881 §6).
    MlDsa,
}

/// What the caller knows of object identifiers (content octets): the structures are read
/// here, the caller says what their OIDs mean, at the point where each is read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Oids {
    /// The key type a key-algorithm OID names; `None` for one that is not supported.
    pub(crate) key_type: fn(&[u8]) -> Option<KeyType>,
    /// The length of a private scalar on the curve a namedCurve OID names; `None` for a curve
    /// that is not supported.
    pub(crate) scalar_len: fn(&[u8]) -> Option<usize>,
}

/// What a key `AlgorithmIdentifier` names; the curve is its namedCurve OID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyAlgorithm<'a> {
    /// rsaEncryption.
    Rsa,
    /// id-ecPublicKey on a supported named curve.
    Ec {
        /// The namedCurve OID.
        curve: &'a [u8],
    },
    /// id-Ed25519.
    Ed25519,
    /// An ML-DSA parameter set.
    MlDsa {
        /// The key-algorithm OID, which names the parameter set.
        oid: &'a [u8],
    },
}

/// A key structure that could not be read, or that holds what the caller does not support.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StructureError {
    /// Not DER of the structure.
    Der(DerError),
    /// A key-algorithm OID the caller does not support, described (`1.3.101.113 (Ed448)`).
    UnsupportedKeyType(String),
    /// Explicit or implicit curve parameters instead of a namedCurve.
    ExplicitCurve,
    /// A namedCurve the caller does not support, described.
    UnsupportedCurve(String),
    /// A multi-prime `RSAPrivateKey` (version 1).
    MultiPrimeRsa,
    /// An EC private key without its public key.
    MissingEcPublicKey,
    /// An Ed25519 `CurvePrivateKey` that is not 32 bytes long; its length.
    Ed25519SeedLength(usize),
    /// An `ML-DSA-PrivateKey` (RFC 9881 §6) that webtoken does not read: why.
    MlDsaPrivateKey(&'static str),
    /// An EC private scalar of the wrong length for its curve.
    ScalarLength {
        /// The namedCurve OID.
        curve: Vec<u8>,
        /// The curve's scalar length.
        expected: usize,
        /// The length found.
        len: usize,
    },
}

impl From<DerError> for StructureError {
    fn from(error: DerError) -> Self {
        Self::Der(error)
    }
}

/// Reads a key `AlgorithmIdentifier`.
pub(crate) fn read<'a>(
    reader: &mut Reader<'a>,
    oids: Oids,
) -> Result<KeyAlgorithm<'a>, StructureError> {
    let mut alg = reader.sequence("AlgorithmIdentifier")?;
    let algorithm = alg.oid("key algorithm")?;
    let key = match (oids.key_type)(algorithm) {
        Some(KeyType::Rsa) => {
            alg.null("rsaEncryption parameters")?;
            KeyAlgorithm::Rsa
        }
        Some(KeyType::Ec) => KeyAlgorithm::Ec {
            curve: read_named_curve(&mut alg, oids)?,
        },
        Some(KeyType::Ed25519) => KeyAlgorithm::Ed25519,
        Some(KeyType::MlDsa) => KeyAlgorithm::MlDsa { oid: algorithm },
        None => return Err(StructureError::UnsupportedKeyType(describe_oid(algorithm))),
    };
    alg.finish("AlgorithmIdentifier")?;
    Ok(key)
}

/// Reads `ECParameters` (RFC 5480 §2.1.1), which must be a supported namedCurve, and returns
/// its OID.
pub(crate) fn read_named_curve<'a>(
    reader: &mut Reader<'a>,
    oids: Oids,
) -> Result<&'a [u8], StructureError> {
    if reader.peek_tag() != Some(TAG_OID) {
        return Err(StructureError::ExplicitCurve);
    }
    let curve = reader.oid("namedCurve")?;
    if (oids.scalar_len)(curve).is_none() {
        return Err(StructureError::UnsupportedCurve(describe_oid(curve)));
    }
    Ok(curve)
}

/// A key `AlgorithmIdentifier` for the key-algorithm OID `oid`, with the parameters of
/// `algorithm`.
pub(crate) fn write(oid: &[u8], algorithm: KeyAlgorithm<'_>) -> Vec<u8> {
    match algorithm {
        KeyAlgorithm::Rsa => sequence(&[&tlv(TAG_OID, oid), &tlv(TAG_NULL, &[])]),
        KeyAlgorithm::Ec { curve } => sequence(&[&tlv(TAG_OID, oid), &tlv(TAG_OID, curve)]),
        KeyAlgorithm::Ed25519 | KeyAlgorithm::MlDsa { .. } => sequence(&[&tlv(TAG_OID, oid)]),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// id-Ed25519, rsaEncryption, id-ecPublicKey and P-256, for the leaf modules' own tests.
    pub(crate) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    pub(crate) const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    pub(crate) const EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    pub(crate) const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

    /// A caller that supports RSA, Ed25519 and EC on P-256 only.
    pub(crate) const TEST_OIDS: Oids = Oids {
        key_type: |oid| match oid {
            RSA => Some(KeyType::Rsa),
            EC => Some(KeyType::Ec),
            ED25519 => Some(KeyType::Ed25519),
            _ => None,
        },
        scalar_len: |oid| (oid == P256).then_some(32),
    };

    #[test]
    fn algorithm_identifiers_round_trip_and_unknown_oids_are_named() {
        for (oid, algorithm) in [
            (RSA, KeyAlgorithm::Rsa),
            (EC, KeyAlgorithm::Ec { curve: P256 }),
            (ED25519, KeyAlgorithm::Ed25519),
        ] {
            let der = write(oid, algorithm);
            let mut reader = Reader::new(&der);
            assert_eq!(read(&mut reader, TEST_OIDS), Ok(algorithm));
            assert!(reader.is_empty());
        }
        let ed448 = sequence(&[&tlv(TAG_OID, &[0x2b, 0x65, 0x71])]);
        assert_eq!(
            read(&mut Reader::new(&ed448), TEST_OIDS),
            Err(StructureError::UnsupportedKeyType(
                "1.3.101.113 (Ed448)".to_owned()
            ))
        );
        let p384 = write(
            EC,
            KeyAlgorithm::Ec {
                curve: &[0x2b, 0x81, 0x04, 0x00, 0x22],
            },
        );
        assert_eq!(
            read(&mut Reader::new(&p384), TEST_OIDS),
            Err(StructureError::UnsupportedCurve(
                "1.3.132.0.34 (P-384)".to_owned()
            ))
        );
        let explicit = sequence(&[&tlv(TAG_OID, EC), &sequence(&[])]);
        assert_eq!(
            read(&mut Reader::new(&explicit), TEST_OIDS),
            Err(StructureError::ExplicitCurve)
        );
    }
}
