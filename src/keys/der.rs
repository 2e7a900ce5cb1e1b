//! The keys side of the DER key structures: what the OIDs in SPKI (RFC 5280 §4.1.2.7), PKCS#8
//! (RFC 5208, RFC 5958), SEC1 `ECPrivateKey` (RFC 5915) and X.509 certificates mean for keys
//! (through the [`kind`](super::kind) table), the parts those structures hold as keys take
//! them, the writers needed to export keys, and the shapes [`key_structure`] recognises in HMAC
//! secrets. The structures themselves, and PKCS#1 (RFC 8017 App. A.1), are read and written by
//! the leaf modules of [`formats`](super::formats), whose errors become [`KeyError`]s here.

use super::formats::algorithm::{self, KeyAlgorithm, KeyType, Oids, StructureError};
use super::formats::der::describe_oid;
use super::formats::pkcs1::{self, write_rsa_public};
use super::formats::{cert, pkcs8, sec1, shape, spki};
use super::kind::{Curve, MlDsa, oid};
use crate::error::KeyError;
use crate::keys::KeyErrorCategory;

pub(crate) use super::formats::pkcs1::RsaPrivateKey as RsaPrivateDer;

/// The key type each key-algorithm OID of the [`kind`](super::kind) table names.
fn key_type(algorithm: &[u8]) -> Option<KeyType> {
    match algorithm {
        oid::RSA_ENCRYPTION => Some(KeyType::Rsa),
        oid::EC_PUBLIC_KEY => Some(KeyType::Ec),
        oid::ED25519 => Some(KeyType::Ed25519),
        _ if MlDsa::from_oid(algorithm).is_some() => Some(KeyType::MlDsa),
        _ => None,
    }
}

/// The scalar length of a supported namedCurve.
fn scalar_len(named_curve: &[u8]) -> Option<usize> {
    Curve::from_oid(named_curve).map(Curve::coordinate_len)
}

/// What webtoken supports, for the parsers of [`formats`](super::formats).
const OIDS: Oids = Oids {
    key_type,
    scalar_len,
};

/// The ML-DSA parameter set of a key-algorithm OID (the parsers only pass OIDs that
/// [`key_type`] named ML-DSA).
fn ml_dsa_from_oid(content: &[u8]) -> Result<MlDsa, KeyError> {
    MlDsa::from_oid(content).ok_or_else(|| {
        KeyError::invalid(KeyErrorCategory::UnsupportedKeyType, describe_oid(content))
    })
}

/// The curve of a namedCurve OID, or the error that names the OID.
fn curve_from_oid(content: &[u8]) -> Result<Curve, KeyError> {
    Curve::from_oid(content)
        .ok_or_else(|| KeyError::invalid(KeyErrorCategory::UnsupportedCurve, describe_oid(content)))
}

impl From<StructureError> for KeyError {
    fn from(error: StructureError) -> Self {
        match error {
            StructureError::Der(der) => der.into(),
            StructureError::UnsupportedKeyType(described) => {
                KeyError::invalid(KeyErrorCategory::UnsupportedKeyType, described)
            }
            StructureError::ExplicitCurve => KeyError::invalid(
                KeyErrorCategory::UnsupportedCurve,
                "explicit or implicit curve parameters (only named curves are supported)"
                    .to_owned(),
            ),
            StructureError::UnsupportedCurve(described) => {
                KeyError::invalid(KeyErrorCategory::UnsupportedCurve, described)
            }
            StructureError::MultiPrimeRsa => KeyError::invalid(
                KeyErrorCategory::UnsupportedKeyType,
                "multi-prime RSA key".to_owned(),
            ),
            StructureError::MissingEcPublicKey => KeyError::invalid(
                KeyErrorCategory::Rejected,
                "the EC private key does not include its public key, which is needed to use it \
                 (OpenSSL always writes it; re-export the key with `openssl ec`)",
            ),
            StructureError::MlDsaPrivateKey(reason) => {
                KeyError::invalid(KeyErrorCategory::Rejected, reason)
            }
            StructureError::Ed25519SeedLength(len) => KeyError::invalid(
                KeyErrorCategory::Rejected,
                format!("an Ed25519 private key has 32 bytes, got {len}"),
            ),
            StructureError::ScalarLength {
                curve,
                expected,
                len,
            } => {
                let name = Curve::from_oid(&curve).map_or_else(
                    || describe_oid(&curve).into(),
                    |c| std::borrow::Cow::Borrowed(c.key_name()),
                );
                KeyError::invalid(
                    KeyErrorCategory::Rejected,
                    format!("a {name} private scalar has {expected} bytes, got {len}"),
                )
            }
        }
    }
}

/// The public key held by a `SubjectPublicKeyInfo`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PublicKeyDer<'a> {
    /// Modulus and public exponent, big-endian without leading zeros.
    Rsa { n: &'a [u8], e: &'a [u8] },
    /// An EC point as found (ring checks it is uncompressed and on the curve).
    Ec { curve: Curve, point: &'a [u8] },
    /// The 32 raw bytes of an Ed25519 public key (length checked later).
    Ed25519 { public: &'a [u8] },
    /// A raw ML-DSA public key (length checked later).
    MlDsa { set: MlDsa, public: &'a [u8] },
}

impl<'a> PublicKeyDer<'a> {
    fn from_parts(key: spki::PublicKey<'a>) -> Result<Self, KeyError> {
        Ok(match key {
            spki::PublicKey::Rsa { n, e } => Self::Rsa { n, e },
            spki::PublicKey::Ec { curve, point } => Self::Ec {
                curve: curve_from_oid(curve)?,
                point,
            },
            spki::PublicKey::Ed25519 { public } => Self::Ed25519 { public },
            spki::PublicKey::MlDsa { oid, public } => Self::MlDsa {
                set: ml_dsa_from_oid(oid)?,
                public,
            },
        })
    }
}

/// A private key read from PKCS#8 or SEC1.
#[derive(Debug)]
pub(crate) enum PrivateKeyDer<'a> {
    /// A PKCS#1 RSA key.
    Rsa(RsaPrivateDer<'a>),
    /// An EC key: the fixed-length scalar and the public point (required: ring cannot derive
    /// it, and OpenSSL always writes it).
    Ec {
        curve: Curve,
        d: &'a [u8],
        point: &'a [u8],
    },
    /// An Ed25519 key: the 32-byte seed and, from a PKCS#8 v2 document, the public key.
    Ed25519 {
        seed: &'a [u8],
        public: Option<&'a [u8]>,
    },
    /// An ML-DSA key: the 32-byte seed, the expanded key when the document holds it too, and
    /// from a PKCS#8 v2 document the public key.
    MlDsa {
        set: MlDsa,
        seed: &'a [u8],
        expanded: Option<&'a [u8]>,
        public: Option<&'a [u8]>,
    },
}

impl<'a> PrivateKeyDer<'a> {
    fn from_ec(key: sec1::EcPrivateKey<'a>) -> Result<Self, KeyError> {
        Ok(Self::Ec {
            curve: curve_from_oid(key.curve)?,
            d: key.d,
            point: key.point,
        })
    }
}

/// Parses a DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7).
pub(crate) fn parse_spki(der: &[u8]) -> Result<PublicKeyDer<'_>, KeyError> {
    PublicKeyDer::from_parts(spki::parse(der, OIDS)?)
}

/// Parses a PKCS#1 `RSAPublicKey` (RFC 8017 §A.1.1) into `(n, e)`.
pub(crate) fn parse_rsa_public(der: &[u8]) -> Result<(&[u8], &[u8]), KeyError> {
    Ok(pkcs1::parse_rsa_public(der)?)
}

/// Parses an X.509 `Certificate` (RFC 5280 §4.1) and returns the public key of its
/// `subjectPublicKeyInfo`. Nothing else is checked: not the signature, the validity period,
/// the extensions or any chain.
pub(crate) fn parse_certificate(der: &[u8]) -> Result<PublicKeyDer<'_>, KeyError> {
    PublicKeyDer::from_parts(cert::parse(der, OIDS)?)
}

/// Parses a PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2); only version 0 (two primes).
pub(crate) fn parse_rsa_private(der: &[u8]) -> Result<RsaPrivateDer<'_>, KeyError> {
    Ok(pkcs1::parse_rsa_private(der)?)
}

/// Parses a PKCS#8 `PrivateKeyInfo` (RFC 5208) or `OneAsymmetricKey` v2 (RFC 5958).
pub(crate) fn parse_pkcs8(der: &[u8]) -> Result<PrivateKeyDer<'_>, KeyError> {
    match pkcs8::parse(der, OIDS)? {
        pkcs8::PrivateKey::Rsa(key) => Ok(PrivateKeyDer::Rsa(key)),
        pkcs8::PrivateKey::Ec(key) => PrivateKeyDer::from_ec(key),
        pkcs8::PrivateKey::Ed25519 { seed, public } => Ok(PrivateKeyDer::Ed25519 { seed, public }),
        pkcs8::PrivateKey::MlDsa {
            oid,
            seed,
            expanded,
            public,
        } => Ok(PrivateKeyDer::MlDsa {
            set: ml_dsa_from_oid(oid)?,
            seed,
            expanded,
            public,
        }),
    }
}

/// Parses a SEC1 `ECPrivateKey` (RFC 5915) as found in an `EC PRIVATE KEY` PEM block. The
/// named-curve parameters are required here (RFC 5915 §3: implementations "MUST always include"
/// them), and so is the public key.
pub(crate) fn parse_sec1(der: &[u8]) -> Result<PrivateKeyDer<'_>, KeyError> {
    PrivateKeyDer::from_ec(sec1::parse(der, OIDS)?)
}

/// A `SubjectPublicKeyInfo` for an RSA public key.
pub(crate) fn write_spki_rsa(n: &[u8], e: &[u8]) -> Vec<u8> {
    spki::write(
        &algorithm::write(oid::RSA_ENCRYPTION, KeyAlgorithm::Rsa),
        &write_rsa_public(n, e),
    )
}

/// A `SubjectPublicKeyInfo` for an uncompressed EC point.
pub(crate) fn write_spki_ec(curve: Curve, point: &[u8]) -> Vec<u8> {
    spki::write(&ec_algorithm(curve), point)
}

/// A `SubjectPublicKeyInfo` for an Ed25519 public key.
pub(crate) fn write_spki_ed25519(public: &[u8]) -> Vec<u8> {
    spki::write(&ed25519_algorithm(), public)
}

/// A `SubjectPublicKeyInfo` for an ML-DSA public key (RFC 9881 §4).
pub(crate) fn write_spki_ml_dsa(set: MlDsa, public: &[u8]) -> Vec<u8> {
    spki::write(
        &algorithm::write(set.row().oid, KeyAlgorithm::MlDsa { oid: set.row().oid }),
        public,
    )
}

/// A PKCS#8 v1 document for an ML-DSA key in the `seed` form (RFC 9881 §6).
pub(crate) fn write_pkcs8_ml_dsa(set: MlDsa, seed: &[u8]) -> Vec<u8> {
    pkcs8::write_v1(
        &algorithm::write(set.row().oid, KeyAlgorithm::MlDsa { oid: set.row().oid }),
        &pkcs8::write_ml_dsa_seed(seed),
    )
}

fn ec_algorithm(curve: Curve) -> Vec<u8> {
    algorithm::write(oid::EC_PUBLIC_KEY, KeyAlgorithm::Ec { curve: curve.oid() })
}

fn ed25519_algorithm() -> Vec<u8> {
    algorithm::write(oid::ED25519, KeyAlgorithm::Ed25519)
}

/// A PKCS#8 v1 document for an RSA key (the `RSAPrivateKey` inside).
pub(crate) fn write_pkcs8_rsa(parts: [&[u8]; 8]) -> Vec<u8> {
    pkcs8::write_v1(
        &algorithm::write(oid::RSA_ENCRYPTION, KeyAlgorithm::Rsa),
        &pkcs1::write_rsa_private(parts),
    )
}

/// A PKCS#8 v1 document for an EC key: the `ECPrivateKey` holds the scalar and the public
/// point (the curve is named once, in the `AlgorithmIdentifier`), as OpenSSL and ring write it.
pub(crate) fn write_pkcs8_ec(curve: Curve, d: &[u8], point: &[u8]) -> Vec<u8> {
    pkcs8::write_v1(
        &ec_algorithm(curve),
        &sec1::write_without_parameters(d, point),
    )
}

/// A PKCS#8 v1 document for an Ed25519 key from its seed (RFC 8410 §7).
pub(crate) fn write_pkcs8_ed25519(seed: &[u8]) -> Vec<u8> {
    pkcs8::write_v1(&ed25519_algorithm(), &pkcs8::write_curve_private_key(seed))
}

/// Key-algorithm OIDs (content octets) that mark an `AlgorithmIdentifier` as a key's, for
/// [`key_structure`]: the keys webtoken reads and those it refuses but that exist in the wild.
const KEY_OIDS: &[&[u8]] = &[
    oid::RSA_ENCRYPTION,
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a], // RSASSA-PSS
    oid::EC_PUBLIC_KEY,
    &[0x2b, 0x81, 0x04, 0x01, 0x0c], // id-ecDH
    &[0x2b, 0x65, 0x6e],             // X25519
    &[0x2b, 0x65, 0x6f],             // X448
    oid::ED25519,
    &[0x2b, 0x65, 0x71],                                     // Ed448
    &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01],             // DSA
    &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x03, 0x01], // dhKeyAgreement
    &[0x2a, 0x86, 0x48, 0xce, 0x3e, 0x02, 0x01],             // X9.42 DH
    &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x11], // ML-DSA-44
    &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12], // ML-DSA-65
    &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x13], // ML-DSA-87
    &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x01], // ML-KEM-512
    &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x02], // ML-KEM-768
    &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x03], // ML-KEM-1024
];

fn is_key_oid(oid: &[u8]) -> bool {
    KEY_OIDS.contains(&oid)
}

/// What kind of key or certificate `der` is, when the whole input is exactly one well-formed
/// DER structure of a key (see [`shape::key_structure`]), a key OID being one of [`KEY_OIDS`].
/// Used to refuse key bytes as HMAC secrets.
pub(crate) fn key_structure(der: &[u8]) -> Option<&'static str> {
    shape::key_structure(der, is_key_oid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::formats::der::{
        MAX_DEPTH, Reader, TAG_OCTET_STRING, TAG_OID, TAG_SEQUENCE, bit_string, sequence, tlv,
        unsigned_integer,
    };

    fn err_offset<T: std::fmt::Debug>(r: Result<T, KeyError>) -> Option<usize> {
        match r {
            Err(KeyError::Invalid(invalid)) if invalid.category() == KeyErrorCategory::Der => {
                invalid.offset()
            }
            other => panic!("expected a DER error, got {other:?}"),
        }
    }

    #[test]
    fn der_errors_carry_the_byte_offset_in_the_input() {
        // SEQUENCE { SEQUENCE { OID 2a 80 (truncated) } }: the OID element starts at byte 4.
        let truncated_oid = [0x30, 0x06, 0x30, 0x04, 0x06, 0x02, 0x2a, 0x80];
        assert_eq!(err_offset(parse_spki(&truncated_oid)), Some(4));
        // Trailing data is placed where it starts.
        let spki = include_bytes!("../../tests/data/keys/rsa2048.spki.der");
        let mut trailing = spki.to_vec();
        trailing.push(0);
        assert_eq!(err_offset(parse_spki(&trailing)), Some(spki.len()));
        // A structure inside an OCTET STRING (PKCS#8's CurvePrivateKey, at byte 14 of an
        // Ed25519 PrivateKeyInfo) is placed in the outer input, not in its own.
        let mut pkcs8 = vec![
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        pkcs8.extend_from_slice(&[7; 32]);
        assert!(parse_pkcs8(&pkcs8).is_ok());
        pkcs8[15] = 0x21;
        assert_eq!(err_offset(parse_pkcs8(&pkcs8)), Some(14));
        // Errors found by the structure code rather than the reader have no offset.
        let mut version = pkcs8.clone();
        version[15] = 0x20;
        version[4] = 0x05;
        assert_eq!(err_offset(parse_pkcs8(&version)), None);
    }

    fn err_reason<T: std::fmt::Debug, E: Into<KeyError>>(r: Result<T, E>) -> String {
        match r.map_err(Into::into) {
            Err(KeyError::Invalid(invalid)) if invalid.category() == KeyErrorCategory::Der => {
                invalid.detail().to_owned()
            }
            other => panic!("expected a DER error, got {other:?}"),
        }
    }

    #[test]
    fn reads_short_and_long_form_lengths() {
        let mut r = Reader::new(&[0x04, 0x02, 0xaa, 0xbb]);
        assert_eq!(r.read_any().unwrap(), (0x04, &[0xaa, 0xbb][..]));
        assert!(r.is_empty());

        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(7u8, 0x80));
        let mut r = Reader::new(&long);
        assert_eq!(r.read_any().unwrap().1.len(), 0x80);

        let mut long = vec![0x04, 0x82, 0x01, 0x00];
        long.extend(std::iter::repeat_n(7u8, 0x100));
        assert_eq!(Reader::new(&long).read_any().unwrap().1.len(), 0x100);
    }

    #[test]
    fn rejects_long_form_length_that_fits_short_form() {
        let reason = err_reason(Reader::new(&[0x04, 0x81, 0x01, 0xaa]).read_any());
        assert!(reason.contains("minimally"), "{reason}");
    }

    #[test]
    fn rejects_long_form_length_with_leading_zero_byte() {
        let mut data = vec![0x04, 0x82, 0x00, 0x80];
        data.extend(std::iter::repeat_n(0u8, 0x80));
        let reason = err_reason(Reader::new(&data).read_any());
        assert!(reason.contains("minimally"), "{reason}");
    }

    #[test]
    fn rejects_length_beyond_input() {
        let reason = err_reason(Reader::new(&[0x30, 0x05, 0x02, 0x01]).read_any());
        assert!(reason.contains("past the end"), "{reason}");
        let reason = err_reason(Reader::new(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).read_any());
        assert!(reason.contains("past the end"), "{reason}");
        // A length whose own bytes are cut off.
        assert!(Reader::new(&[0x30, 0x82, 0x01]).read_any().is_err());
    }

    #[test]
    fn rejects_indefinite_length() {
        let reason = err_reason(Reader::new(&[0x30, 0x80, 0x00, 0x00]).read_any());
        assert!(reason.contains("indefinite"), "{reason}");
    }

    #[test]
    fn rejects_lengths_longer_than_four_bytes_and_multi_byte_tags() {
        assert!(
            Reader::new(&[0x04, 0x85, 1, 0, 0, 0, 0])
                .read_any()
                .is_err()
        );
        assert!(Reader::new(&[0x04, 0xff]).read_any().is_err());
        assert!(Reader::new(&[0x1f, 0x81, 0x00, 0x00]).read_any().is_err());
        assert!(Reader::new(&[]).read_any().is_err());
        assert!(Reader::new(&[0x30]).read_any().is_err());
    }

    #[test]
    fn bounds_nesting_depth() {
        let mut reader = Reader::new(&[]);
        for _ in 0..MAX_DEPTH {
            reader = reader.nested(&[]).unwrap();
        }
        let reason = err_reason(reader.nested(&[]));
        assert!(reason.contains("deeply"), "{reason}");
    }

    #[test]
    fn deeply_nested_input_is_refused_without_recursion() {
        // 100 000 nested SEQUENCEs, built inside out with minimal lengths.
        let mut data: Vec<u8> = Vec::new();
        for _ in 0..100_000 {
            data = tlv(TAG_SEQUENCE, &data);
        }
        assert!(
            matches!(parse_spki(&data), Err(KeyError::Invalid(invalid)) if invalid.category() == KeyErrorCategory::Der)
        );
        assert!(
            matches!(parse_pkcs8(&data), Err(KeyError::Invalid(invalid)) if invalid.category() == KeyErrorCategory::Der)
        );
        assert!(matches!(
            parse_certificate(&data),
            Err(KeyError::Invalid(invalid)) if invalid.category() == KeyErrorCategory::Der
        ));
        assert!(
            matches!(parse_sec1(&data), Err(KeyError::Invalid(invalid)) if invalid.category() == KeyErrorCategory::Der)
        );
    }

    #[test]
    fn integers_must_be_minimal_and_non_negative() {
        let read = |bytes: &[u8]| Reader::new(bytes).unsigned("x").map(<[u8]>::to_vec);
        assert_eq!(read(&[0x02, 0x01, 0x00]).unwrap(), Vec::<u8>::new());
        assert_eq!(read(&[0x02, 0x01, 0x7f]).unwrap(), vec![0x7f]);
        assert_eq!(read(&[0x02, 0x02, 0x00, 0x80]).unwrap(), vec![0x80]);
        assert!(err_reason(read(&[0x02, 0x02, 0x00, 0x7f])).contains("minimally"));
        assert!(err_reason(read(&[0x02, 0x01, 0x80])).contains("negative"));
        assert!(err_reason(read(&[0x02, 0x00])).contains("empty"));
    }

    #[test]
    fn oids_must_be_well_formed() {
        let read = |bytes: &[u8]| Reader::new(bytes).oid("x").map(<[u8]>::to_vec);
        assert!(read(&[0x06, 0x03, 0x2b, 0x65, 0x70]).is_ok());
        assert!(read(&[0x06, 0x00]).is_err());
        assert!(read(&[0x06, 0x02, 0x2b, 0x85]).is_err());
        assert!(read(&[0x06, 0x03, 0x2b, 0x80, 0x01]).is_err());
    }

    #[test]
    fn describes_oids_with_names() {
        assert_eq!(
            describe_oid(&[0x2b, 0x81, 0x04, 0x00, 0x23]),
            "1.3.132.0.35 (P-521)"
        );
        assert_eq!(
            describe_oid(oid::RSA_ENCRYPTION),
            "1.2.840.113549.1.1.1 (rsaEncryption)"
        );
        assert_eq!(describe_oid(&[0x2a, 0x03]), "1.2.3");
        assert!(describe_oid(&[0xff; 20]).contains("oversized"));
    }

    #[test]
    fn writers_round_trip_through_the_reader() {
        let n: Vec<u8> = std::iter::once(0xc1)
            .chain(std::iter::repeat_n(0x11, 255))
            .collect();
        let spki = write_spki_rsa(&n, &[1, 0, 1]);
        assert_eq!(
            parse_spki(&spki).unwrap(),
            PublicKeyDer::Rsa {
                n: &n,
                e: &[1, 0, 1]
            }
        );

        let point = [4u8; 65];
        let spki = write_spki_ec(Curve::P256, &point);
        assert_eq!(
            parse_spki(&spki).unwrap(),
            PublicKeyDer::Ec {
                curve: Curve::P256,
                point: &point
            }
        );

        let pkcs8 = write_pkcs8_ec(Curve::P384, &[9; 48], &[4; 97]);
        match parse_pkcs8(&pkcs8).unwrap() {
            PrivateKeyDer::Ec { curve, d, point } => {
                assert_eq!(
                    (curve, d, point),
                    (Curve::P384, &[9u8; 48][..], &[4u8; 97][..])
                );
            }
            other => panic!("{other:?}"),
        }

        let pkcs8 = write_pkcs8_ed25519(&[5; 32]);
        assert!(matches!(
            parse_pkcs8(&pkcs8).unwrap(),
            PrivateKeyDer::Ed25519 {
                seed: [5, ..],
                public: None
            }
        ));

        let parts: [&[u8]; 8] = [
            &n,
            &[1, 0, 1],
            &[2; 256],
            &[3; 128],
            &[5; 128],
            &[7; 128],
            &[11; 128],
            &[13; 128],
        ];
        let pkcs8 = write_pkcs8_rsa(parts);
        match parse_pkcs8(&pkcs8).unwrap() {
            PrivateKeyDer::Rsa(k) => {
                assert_eq!([k.n, k.e, k.d, k.p, k.q, k.dp, k.dq, k.qi], parts);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn writes_integers_minimally() {
        assert_eq!(unsigned_integer(&[]), [0x02, 0x01, 0x00]);
        assert_eq!(unsigned_integer(&[0, 0, 0x7f]), [0x02, 0x01, 0x7f]);
        assert_eq!(unsigned_integer(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        let long = tlv(TAG_OCTET_STRING, &[0; 300]);
        assert_eq!(long.get(..4), Some(&[0x04, 0x82, 0x01, 0x2c][..]));
    }

    #[test]
    fn spki_rejects_unsupported_types_and_extra_data() {
        // Ed448 SPKI (1.3.101.113).
        let ed448 = spki_with_oid(&[0x2b, 0x65, 0x71], None, &[0; 57]);
        assert!(matches!(
            parse_spki(&ed448),
            Err(KeyError::Invalid(invalid)) if invalid.category() == KeyErrorCategory::UnsupportedKeyType && invalid.detail().contains("Ed448")
        ));
        // brainpoolP256r1 (1.3.36.3.3.2.8.1.1.7).
        let brainpool = spki_with_oid(
            oid::EC_PUBLIC_KEY,
            Some(&[0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07]),
            &[4; 65],
        );
        assert!(matches!(
            parse_spki(&brainpool),
            Err(KeyError::Invalid(invalid)) if invalid.category() == KeyErrorCategory::UnsupportedCurve && invalid.detail().contains("brainpoolP256r1")
        ));
        // P-521 is in the table: the structure parses in every build.
        let p521 = spki_with_oid(oid::EC_PUBLIC_KEY, Some(oid::P521), &[4; 133]);
        assert!(matches!(
            parse_spki(&p521),
            Ok(PublicKeyDer::Ec {
                curve: Curve::P521,
                ..
            })
        ));
        // One byte after the SPKI.
        let mut extra = write_spki_ed25519(&[1; 32]);
        extra.push(0);
        assert!(
            matches!(parse_spki(&extra), Err(KeyError::Invalid(invalid)) if invalid.category() == KeyErrorCategory::Der)
        );
        // A BIT STRING with unused bits.
        let mut spki = write_spki_ed25519(&[1; 32]);
        let at = spki.len() - 33;
        spki[at] = 1;
        assert!(
            matches!(parse_spki(&spki), Err(KeyError::Invalid(invalid)) if invalid.category() == KeyErrorCategory::Der)
        );
        // rsaEncryption without its NULL parameters.
        let rsa = spki_with_oid(
            oid::RSA_ENCRYPTION,
            None,
            &write_rsa_public(&[0xc1; 256], &[3]),
        );
        assert!(
            matches!(parse_spki(&rsa), Err(KeyError::Invalid(invalid)) if invalid.category() == KeyErrorCategory::Der)
        );
    }

    fn spki_with_oid(alg: &[u8], param: Option<&[u8]>, key: &[u8]) -> Vec<u8> {
        let alg_id = match param {
            Some(p) => sequence(&[&tlv(TAG_OID, alg), &tlv(TAG_OID, p)]),
            None => sequence(&[&tlv(TAG_OID, alg)]),
        };
        sequence(&[&alg_id, &bit_string(key)])
    }

    #[test]
    fn never_panics_on_truncations_or_byte_flips_of_valid_structures() {
        let inputs = [
            write_spki_rsa(&[0xc1; 256], &[1, 0, 1]),
            write_pkcs8_ec(Curve::P256, &[9; 32], &[4; 65]),
            write_pkcs8_ed25519(&[5; 32]),
            write_pkcs8_rsa([
                &[0xc1; 256],
                &[3],
                &[2; 256],
                &[3; 128],
                &[5; 128],
                &[7; 128],
                &[11; 128],
                &[13; 128],
            ]),
        ];
        for input in &inputs {
            for cut in 0..input.len() {
                let prefix = &input[..cut];
                let _ = parse_spki(prefix);
                let _ = parse_pkcs8(prefix);
                let _ = parse_sec1(prefix);
                let _ = parse_certificate(prefix);
                let _ = parse_rsa_private(prefix);
            }
            for i in 0..input.len() {
                for bit in [0x01u8, 0x80, 0xff] {
                    let mut copy = input.clone();
                    copy[i] ^= bit;
                    let _ = parse_spki(&copy);
                    let _ = parse_pkcs8(&copy);
                    let _ = parse_sec1(&copy);
                    let _ = parse_certificate(&copy);
                }
            }
        }
    }
}
