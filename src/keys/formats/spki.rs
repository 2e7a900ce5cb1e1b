//! `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7; RSA per RFC 3279 §2.3.1, EC per RFC 5480, Ed25519
//! per RFC 8410 §4): read into the public key's parts, and written. Imports nothing from `keys`
//! outside `formats`.

use super::algorithm::{self, KeyAlgorithm, Oids, StructureError};
use super::der::{Reader, bit_string, parse_whole, parse_whole_within, sequence};
use super::pkcs1;

/// The public key held by a `SubjectPublicKeyInfo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PublicKey<'a> {
    /// Modulus and public exponent, big-endian without leading zeros.
    Rsa { n: &'a [u8], e: &'a [u8] },
    /// The namedCurve OID, and the EC point as found (not checked here).
    Ec { curve: &'a [u8], point: &'a [u8] },
    /// The raw bytes of an Ed25519 public key (length not checked here).
    Ed25519 { public: &'a [u8] },
    /// The key-algorithm OID and the raw ML-DSA public key (length not checked here).
    MlDsa { oid: &'a [u8], public: &'a [u8] },
}

/// Parses a DER `SubjectPublicKeyInfo`; nothing may follow it.
pub(crate) fn parse(der: &[u8], oids: Oids) -> Result<PublicKey<'_>, StructureError> {
    parse_whole(der, "SubjectPublicKeyInfo", |r| read(r, oids))
}

/// Reads a `SubjectPublicKeyInfo` (also the one inside a certificate).
pub(crate) fn read<'a>(
    outer: &mut Reader<'a>,
    oids: Oids,
) -> Result<PublicKey<'a>, StructureError> {
    let mut spki = outer.sequence("SubjectPublicKeyInfo")?;
    let algorithm = algorithm::read(&mut spki, oids)?;
    let key = spki.bit_string("subjectPublicKey")?;
    spki.finish("SubjectPublicKeyInfo")?;
    Ok(match algorithm {
        KeyAlgorithm::Rsa => {
            let (n, e) = parse_whole_within(&spki, key, "RSAPublicKey", pkcs1::read_rsa_public)?;
            PublicKey::Rsa { n, e }
        }
        KeyAlgorithm::Ec { curve } => PublicKey::Ec { curve, point: key },
        KeyAlgorithm::Ed25519 => PublicKey::Ed25519 { public: key },
        KeyAlgorithm::MlDsa { oid } => PublicKey::MlDsa { oid, public: key },
    })
}

/// A `SubjectPublicKeyInfo` from an encoded `AlgorithmIdentifier` and the bytes of the
/// `subjectPublicKey` BIT STRING.
pub(crate) fn write(algorithm_identifier: &[u8], public_key: &[u8]) -> Vec<u8> {
    sequence(&[algorithm_identifier, &bit_string(public_key)])
}
