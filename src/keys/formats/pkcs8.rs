//! PKCS#8 `PrivateKeyInfo` (RFC 5208) and `OneAsymmetricKey` v2 (RFC 5958), with an RSA
//! (PKCS#1), EC (SEC1, RFC 5915) or Ed25519 (`CurvePrivateKey`, RFC 8410 §7) key inside: read
//! into the key's parts, and written (v1). Which OIDs are supported is the caller's to say
//! ([`Oids`]); imports nothing from `keys` outside `formats`.

use super::algorithm::{self, KeyAlgorithm, Oids, StructureError};
use super::der::{
    TAG_CONTEXT_0, TAG_CONTEXT_1_PRIMITIVE, TAG_OCTET_STRING, bit_string_bytes, der_error,
    parse_whole, parse_whole_within, sequence, tlv, unsigned_integer,
};
use super::pkcs1::{self, RsaPrivateKey};
use super::sec1::{self, EcPrivateKey};

/// The length of an Ed25519 private key (its seed), RFC 8032 §5.1.5.
const ED25519_SEED_LEN: usize = 32;

/// The length of an ML-DSA seed (FIPS 204 `xi`), RFC 9881 §6.
const ML_DSA_SEED_LEN: usize = 32;

/// The `[0]` tag of the `seed` choice of `ML-DSA-PrivateKey` (implicit, primitive).
const TAG_CONTEXT_0_PRIMITIVE: u8 = 0x80;

/// A private key read from PKCS#8.
#[derive(Debug)]
pub(crate) enum PrivateKey<'a> {
    /// A PKCS#1 RSA key.
    Rsa(RsaPrivateKey<'a>),
    /// An EC key, with its public point (required: ring cannot derive it, and OpenSSL always
    /// writes it).
    Ec(EcPrivateKey<'a>),
    /// An Ed25519 key: the 32-byte seed and, from a v2 document, the public key.
    Ed25519 {
        seed: &'a [u8],
        public: Option<&'a [u8]>,
    },
    /// An ML-DSA key (RFC 9881 §6): the key-algorithm OID, the 32-byte seed, the expanded key
    /// when the `both` form holds it, and from a v2 document the public key.
    MlDsa {
        oid: &'a [u8],
        seed: &'a [u8],
        expanded: Option<&'a [u8]>,
        public: Option<&'a [u8]>,
    },
}

/// Parses a PKCS#8 `PrivateKeyInfo` (v1) or `OneAsymmetricKey` (v2); nothing may follow it.
pub(crate) fn parse(der: &[u8], oids: Oids) -> Result<PrivateKey<'_>, StructureError> {
    parse_whole(der, "PrivateKeyInfo", |outer| {
        let mut info = outer.sequence("PrivateKeyInfo")?;
        let version = info.small_unsigned("PrivateKeyInfo version")?;
        if version > 1 {
            return Err(der_error("unknown PrivateKeyInfo version").into());
        }
        let algorithm = algorithm::read(&mut info, oids)?;
        let private_key = info.octet_string("privateKey")?;
        // attributes [0] IMPLICIT SET OF Attribute: allowed and ignored.
        info.read_optional(TAG_CONTEXT_0, "attributes")?;
        // RFC 5958 §2: "If publicKey is present, then version is set to v2 else version is
        // set to v1", so a v2 document without it is not DER of that structure.
        let public_key = if version == 1 {
            let content = info
                .read_optional(TAG_CONTEXT_1_PRIMITIVE, "publicKey")?
                .ok_or_else(|| {
                    der_error("a PKCS#8 v2 (OneAsymmetricKey) must have a publicKey (RFC 5958 §2)")
                })?;
            Some(bit_string_bytes(content, "publicKey")?)
        } else {
            None
        };
        info.finish("PrivateKeyInfo")?;
        let inner = info.nested(private_key)?;
        match algorithm {
            KeyAlgorithm::Rsa => {
                if public_key.is_some() {
                    return Err(der_error("an RSA PrivateKeyInfo has no publicKey field").into());
                }
                parse_whole_within(&info, private_key, "RSAPrivateKey", |r| {
                    pkcs1::read_rsa_private(r, private_key)
                })
                .map(PrivateKey::Rsa)
            }
            KeyAlgorithm::Ec { curve } => {
                let (d, point) = sec1::read_in_pkcs8(inner, curve, oids)?;
                let point = match (point, public_key) {
                    (Some(point), None) | (None, Some(point)) => point,
                    (Some(a), Some(b)) if a == b => a,
                    (Some(_), Some(_)) => {
                        return Err(der_error("the two EC public keys in the PKCS#8 differ").into());
                    }
                    (None, None) => return Err(StructureError::MissingEcPublicKey),
                };
                Ok(PrivateKey::Ec(EcPrivateKey { curve, d, point }))
            }
            KeyAlgorithm::Ed25519 => {
                // CurvePrivateKey ::= OCTET STRING (RFC 8410 §7).
                let seed = parse_whole_within(&info, private_key, "CurvePrivateKey", |r| {
                    r.octet_string("CurvePrivateKey")
                })?;
                if seed.len() != ED25519_SEED_LEN {
                    return Err(StructureError::Ed25519SeedLength(seed.len()));
                }
                Ok(PrivateKey::Ed25519 {
                    seed,
                    public: public_key,
                })
            }
            KeyAlgorithm::MlDsa { oid } => {
                let (seed, expanded) =
                    parse_whole_within(&info, private_key, "ML-DSA-PrivateKey", read_ml_dsa)?;
                Ok(PrivateKey::MlDsa {
                    oid,
                    seed,
                    expanded,
                    public: public_key,
                })
            }
        }
    })
}

/// Reads an `ML-DSA-PrivateKey` (RFC 9881 §6): the `seed` form (`[0]`, 32 bytes) or the
/// `both` form (a SEQUENCE of the seed and the expanded key). The `expandedKey` form alone is
/// refused: webtoken keeps and exports a key as its seed.
fn read_ml_dsa<'a>(
    reader: &mut super::der::Reader<'a>,
) -> Result<(&'a [u8], Option<&'a [u8]>), StructureError> {
    let (seed, expanded) = match reader.peek_tag() {
        Some(TAG_CONTEXT_0_PRIMITIVE) => (reader.read(TAG_CONTEXT_0_PRIMITIVE, "seed")?, None),
        Some(super::der::TAG_SEQUENCE) => {
            let mut both = reader.sequence("ML-DSA-PrivateKey both")?;
            let seed = both.octet_string("seed")?;
            let expanded = both.octet_string("expandedKey")?;
            both.finish("ML-DSA-PrivateKey both")?;
            (seed, Some(expanded))
        }
        Some(TAG_OCTET_STRING) => {
            return Err(StructureError::MlDsaPrivateKey(
                "the expandedKey form without its seed is not read (export the key with its \
                 seed, for example `openssl pkey -provparam ml-dsa.output_formats=seed-only`)",
            ));
        }
        _ => {
            return Err(
                der_error("ML-DSA-PrivateKey must be a seed, an expandedKey or both").into(),
            );
        }
    };
    if seed.len() != ML_DSA_SEED_LEN {
        return Err(StructureError::MlDsaPrivateKey(
            "an ML-DSA seed has 32 bytes",
        ));
    }
    Ok((seed, expanded))
}

/// An `ML-DSA-PrivateKey` in the `seed` form (RFC 9881 §6).
pub(crate) fn write_ml_dsa_seed(seed: &[u8]) -> Vec<u8> {
    tlv(TAG_CONTEXT_0_PRIMITIVE, seed)
}

/// A PKCS#8 v1 `PrivateKeyInfo` from an encoded `AlgorithmIdentifier` and the encoded private
/// key it holds.
pub(crate) fn write_v1(algorithm_identifier: &[u8], private_key: &[u8]) -> Vec<u8> {
    sequence(&[
        &unsigned_integer(&[0]),
        algorithm_identifier,
        &tlv(TAG_OCTET_STRING, private_key),
    ])
}

/// An Ed25519 `CurvePrivateKey` (RFC 8410 §7) from its seed.
pub(crate) fn write_curve_private_key(seed: &[u8]) -> Vec<u8> {
    tlv(TAG_OCTET_STRING, seed)
}

#[cfg(test)]
mod tests {
    use super::super::algorithm::tests::{ED25519, P256, TEST_OIDS};
    use super::super::der::{TAG_OID, bit_string};
    use super::*;

    fn ed25519_v2(public: Option<&[u8]>) -> Vec<u8> {
        let mut fields = vec![
            unsigned_integer(&[1]),
            sequence(&[&tlv(TAG_OID, ED25519)]),
            tlv(TAG_OCTET_STRING, &write_curve_private_key(&[7; 32])),
        ];
        if let Some(public) = public {
            let mut field = bit_string(public);
            field[0] = TAG_CONTEXT_1_PRIMITIVE;
            fields.push(field);
        }
        let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
        sequence(&refs)
    }

    #[test]
    fn reads_raw_parts_without_knowing_the_keys() {
        let ec = write_v1(
            &algorithm::write(
                super::super::algorithm::tests::EC,
                KeyAlgorithm::Ec { curve: P256 },
            ),
            &sec1::write_without_parameters(&[9; 32], &[4; 65]),
        );
        match parse(&ec, TEST_OIDS) {
            Ok(PrivateKey::Ec(key)) => {
                assert_eq!(
                    (key.curve, key.d, key.point),
                    (P256, &[9u8; 32][..], &[4u8; 65][..])
                );
            }
            other => panic!("{other:?}"),
        }
        let short = write_v1(
            &algorithm::write(
                super::super::algorithm::tests::EC,
                KeyAlgorithm::Ec { curve: P256 },
            ),
            &sec1::write_without_parameters(&[9; 31], &[4; 65]),
        );
        assert_eq!(
            parse(&short, TEST_OIDS).map(|_| ()).unwrap_err(),
            StructureError::ScalarLength {
                curve: P256.to_vec(),
                expected: 32,
                len: 31
            }
        );
    }

    #[test]
    fn a_v2_document_needs_its_public_key() {
        assert!(matches!(
            parse(&ed25519_v2(Some(&[3; 32])), TEST_OIDS),
            Ok(PrivateKey::Ed25519 {
                seed: [7, ..],
                public: Some([3, ..])
            })
        ));
        match parse(&ed25519_v2(None), TEST_OIDS) {
            Err(StructureError::Der(error)) => {
                assert!(error.reason.contains("RFC 5958"), "{error:?}");
            }
            other => panic!("{other:?}"),
        }
    }
}
