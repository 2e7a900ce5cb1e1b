//! The key `AlgorithmIdentifier` of SPKI and PKCS#8 (RFC 5280 §4.1.1.2): rsaEncryption with NULL
//! parameters (RFC 3279 §2.3.1), id-ecPublicKey with a namedCurve (RFC 5480 §2.1.1), id-Ed25519
//! without parameters (RFC 8410 §3); and [`StructureError`], the errors of the key structures.
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
        KeyAlgorithm::Ed25519 => sequence(&[&tlv(TAG_OID, oid)]),
    }
}
