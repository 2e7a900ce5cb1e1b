//! The one table of key kinds and curves that the rest of [`keys`](super) reads: names (JWK
//! `kty`/`crv`, the names in messages), object identifiers, sizes, and the algorithms each
//! kind serves. The backend's identifiers for each curve are in [`backend`](super::backend).
//!
//! Adding a curve is a row here and an arm in `backend::ecdsa`; an ML-DSA parameter set is a
//! row of [`MlDsa`] and an arm in `backend::ml_dsa`. The parsers, the JWK code and the
//! exporters find them through the lookups below.
//!
//! This module imports nothing from the rest of `keys`.

use crate::algorithm::{Algorithm, AlgorithmFamily, AlgorithmSet};

/// Encoded object identifiers (the content octets, without tag and length).
pub(crate) mod oid {
    /// rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017).
    pub(crate) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480).
    pub(crate) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// secp256r1 / prime256v1 / P-256, 1.2.840.10045.3.1.7.
    pub(crate) const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// secp384r1 / P-384, 1.3.132.0.34.
    pub(crate) const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    /// secp521r1 / P-521, 1.3.132.0.35.
    pub(crate) const P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// secp256k1, 1.3.132.0.10 (SEC 2).
    pub(crate) const SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];
    /// id-ml-dsa-44, 2.16.840.1.101.3.4.3.17 (NIST; RFC 9881).
    pub(crate) const ML_DSA_44: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x11];
    /// id-ml-dsa-65, 2.16.840.1.101.3.4.3.18.
    pub(crate) const ML_DSA_65: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12];
    /// id-ml-dsa-87, 2.16.840.1.101.3.4.3.19.
    pub(crate) const ML_DSA_87: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x13];
    /// id-Ed25519, 1.3.101.112 (RFC 8410).
    pub(crate) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
}

/// The curves webtoken supports for ECDSA; each has one [`CurveRow`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Curve {
    /// P-256, for ES256.
    P256,
    /// P-384, for ES384.
    P384,
    /// P-521, for ES512 (aws-lc-rs only).
    P521,
    /// secp256k1, for ES256K (RFC 8812; aws-lc-rs only).
    Secp256k1,
}

/// Everything webtoken knows about one ECDSA curve.
#[derive(Debug)]
pub(crate) struct CurveRow {
    /// The JWK `crv` (RFC 7518 §6.2.1.1).
    pub(crate) jwk_crv: &'static str,
    /// The key's name in messages.
    pub(crate) key_name: &'static str,
    /// A JWK of this curve, in messages.
    pub(crate) jwk_name: &'static str,
    /// The namedCurve OID (RFC 5480 §2.1.1.1).
    pub(crate) oid: &'static [u8],
    /// The size of a scalar or of one coordinate, in bytes (a signature is twice this).
    pub(crate) coordinate_len: usize,
    /// The one algorithm a key on this curve serves.
    pub(crate) algorithm: Algorithm,
}

const P256: CurveRow = CurveRow {
    jwk_crv: "P-256",
    key_name: "P-256 EC key",
    jwk_name: "P-256 EC JWK",
    oid: oid::P256,
    coordinate_len: 32,
    algorithm: Algorithm::Es256,
};

const P384: CurveRow = CurveRow {
    jwk_crv: "P-384",
    key_name: "P-384 EC key",
    jwk_name: "P-384 EC JWK",
    oid: oid::P384,
    coordinate_len: 48,
    algorithm: Algorithm::Es384,
};

const P521: CurveRow = CurveRow {
    jwk_crv: "P-521",
    key_name: "P-521 EC key",
    jwk_name: "P-521 EC JWK",
    oid: oid::P521,
    coordinate_len: 66,
    algorithm: Algorithm::Es512,
};

const SECP256K1: CurveRow = CurveRow {
    jwk_crv: "secp256k1",
    key_name: "secp256k1 EC key",
    jwk_name: "secp256k1 EC JWK",
    oid: oid::SECP256K1,
    coordinate_len: 32,
    algorithm: Algorithm::Es256K,
};

/// What a constructor of "any EC key" expects, in messages.
pub(crate) const ANY_EC_KEY: &str = "a P-256, P-384, P-521 or secp256k1 EC key";

impl Curve {
    /// Every supported curve.
    pub(crate) const ALL: [Self; 4] = [Self::P256, Self::P384, Self::P521, Self::Secp256k1];

    /// The curve's row of the table.
    pub(crate) const fn row(self) -> &'static CurveRow {
        match self {
            Self::P256 => &P256,
            Self::P384 => &P384,
            Self::P521 => &P521,
            Self::Secp256k1 => &SECP256K1,
        }
    }

    /// The curve of a namedCurve OID.
    pub(crate) fn from_oid(content: &[u8]) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.row().oid == content)
    }

    /// The curve of a JWK `crv` (case-sensitive).
    pub(crate) fn from_jwk_crv(crv: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.row().jwk_crv == crv)
    }

    /// The curve of an ECDSA algorithm.
    pub(crate) fn for_algorithm(algorithm: Algorithm) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| c.row().algorithm == algorithm)
    }

    /// The curve whose uncompressed points (`0x04 || x || y`) have `len` bytes, among the
    /// NIST curves (P-256, P-384, P-521). secp256k1 points have the size of P-256 points, so
    /// the size alone never makes a point a secp256k1 key: such keys are named by their curve
    /// (`crv`, OID) or their algorithm.
    pub(crate) fn for_point_len(len: usize) -> Option<Self> {
        [Self::P256, Self::P384, Self::P521]
            .into_iter()
            .find(|c| c.point_len() == len)
    }

    /// The size of a scalar or coordinate, in bytes.
    pub(crate) const fn coordinate_len(self) -> usize {
        self.row().coordinate_len
    }

    /// The size of an uncompressed point, `0x04 || x || y`.
    pub(crate) const fn point_len(self) -> usize {
        1 + 2 * self.coordinate_len()
    }

    /// The algorithm the curve binds a key to.
    pub(crate) const fn algorithm(self) -> Algorithm {
        self.row().algorithm
    }

    /// The curve's namedCurve OID.
    pub(crate) const fn oid(self) -> &'static [u8] {
        self.row().oid
    }

    /// The JWK `crv`.
    pub(crate) const fn jwk_crv(self) -> &'static str {
        self.row().jwk_crv
    }

    /// A human name for error messages.
    pub(crate) const fn key_name(self) -> &'static str {
        self.row().key_name
    }

    /// `"P-256 or P-384 or P-521"` and `"65 or 97 or 133"`: the curves [`for_point_len`]
    /// knows and their point sizes, for messages.
    ///
    /// [`for_point_len`]: Self::for_point_len
    pub(crate) fn names_and_point_lens() -> (String, String) {
        let by_len = [Self::P256, Self::P384, Self::P521];
        let names: Vec<&str> = by_len.iter().map(|c| c.jwk_crv()).collect();
        let lens: Vec<String> = by_len.iter().map(|c| c.point_len().to_string()).collect();
        (names.join(" or "), lens.join(" or "))
    }
}

/// The JWK `crv` of Ed25519 keys (RFC 8037 §2).
pub(crate) const ED25519_CRV: &str = "Ed25519";
/// The size of an Ed25519 public key and of its seed.
pub(crate) const ED25519_LEN: usize = 32;

/// The ML-DSA parameter sets (FIPS 204); each has one [`MlDsaRow`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MlDsa {
    /// ML-DSA-44.
    P44,
    /// ML-DSA-65.
    P65,
    /// ML-DSA-87.
    P87,
}

/// Everything webtoken knows about one ML-DSA parameter set.
#[derive(Debug)]
pub(crate) struct MlDsaRow {
    /// The one algorithm a key of this parameter set serves (also its JWK `alg`, RFC 9964).
    pub(crate) algorithm: Algorithm,
    /// The key's name in messages.
    pub(crate) key_name: &'static str,
    /// A JWK of this parameter set, in messages.
    pub(crate) jwk_name: &'static str,
    /// The key-algorithm OID of SPKI and PKCS#8 (RFC 9881).
    pub(crate) oid: &'static [u8],
    /// The size of a public key, in bytes (the JWK `pub`).
    pub(crate) public_len: usize,
}

const ML_DSA_44: MlDsaRow = MlDsaRow {
    algorithm: Algorithm::MlDsa44,
    key_name: "ML-DSA-44 key",
    jwk_name: "ML-DSA-44 AKP JWK",
    oid: oid::ML_DSA_44,
    public_len: 1312,
};

const ML_DSA_65: MlDsaRow = MlDsaRow {
    algorithm: Algorithm::MlDsa65,
    key_name: "ML-DSA-65 key",
    jwk_name: "ML-DSA-65 AKP JWK",
    oid: oid::ML_DSA_65,
    public_len: 1952,
};

const ML_DSA_87: MlDsaRow = MlDsaRow {
    algorithm: Algorithm::MlDsa87,
    key_name: "ML-DSA-87 key",
    jwk_name: "ML-DSA-87 AKP JWK",
    oid: oid::ML_DSA_87,
    public_len: 2592,
};

/// The size of every ML-DSA private key seed (FIPS 204 `xi`; the JWK `priv`, RFC 9964).
pub(crate) const ML_DSA_SEED_LEN: usize = 32;

impl MlDsa {
    /// Every parameter set.
    pub(crate) const ALL: [Self; 3] = [Self::P44, Self::P65, Self::P87];

    /// The parameter set's row of the table.
    pub(crate) const fn row(self) -> &'static MlDsaRow {
        match self {
            Self::P44 => &ML_DSA_44,
            Self::P65 => &ML_DSA_65,
            Self::P87 => &ML_DSA_87,
        }
    }

    /// The parameter set of a key-algorithm OID.
    pub(crate) fn from_oid(content: &[u8]) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.row().oid == content)
    }

    /// The parameter set of an ML-DSA algorithm.
    pub(crate) fn for_algorithm(algorithm: Algorithm) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.row().algorithm == algorithm)
    }

    /// The algorithm the parameter set binds a key to.
    pub(crate) const fn algorithm(self) -> Algorithm {
        self.row().algorithm
    }

    /// The size of a public key, in bytes.
    pub(crate) const fn public_len(self) -> usize {
        self.row().public_len
    }
}

/// The kind of a key: its type and, for EC keys, its curve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// An HMAC secret (JWK `oct`).
    Hmac,
    /// An RSA key.
    Rsa,
    /// An ECDSA key on one curve.
    Ec(Curve),
    /// An Ed25519 key (JWK `OKP`).
    Ed25519,
    /// An ML-DSA key of one parameter set (JWK `AKP`).
    MlDsa(MlDsa),
}

impl KeyKind {
    /// The key's name in messages (`"RSA key"`, `"P-256 EC key"`, …).
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Hmac => "HMAC secret",
            Self::Rsa => "RSA key",
            Self::Ec(curve) => curve.key_name(),
            Self::Ed25519 => "Ed25519 key",
            Self::MlDsa(set) => set.row().key_name,
        }
    }

    /// A JWK of this kind, in messages (`"RSA JWK"`, `"P-256 EC JWK"`, …).
    pub(crate) const fn jwk_name(self) -> &'static str {
        match self {
            Self::Hmac => "oct JWK",
            Self::Rsa => "RSA JWK",
            Self::Ec(curve) => curve.row().jwk_name,
            Self::Ed25519 => "Ed25519 OKP JWK",
            Self::MlDsa(set) => set.row().jwk_name,
        }
    }

    /// The algorithm family of the kind.
    pub(crate) const fn family(self) -> AlgorithmFamily {
        match self {
            Self::Hmac => AlgorithmFamily::Hmac,
            Self::Rsa => AlgorithmFamily::Rsa,
            Self::Ec(_) => AlgorithmFamily::Ecdsa,
            Self::Ed25519 => AlgorithmFamily::EdDsa,
            Self::MlDsa(_) => AlgorithmFamily::MlDsa,
        }
    }

    /// The one algorithm a key of this kind is bound to by itself (EC by curve, ML-DSA by
    /// parameter set, Ed25519 under the name `EdDSA`); `None` when it serves several (RSA,
    /// HMAC) and one must be named.
    pub(crate) const fn implied_algorithm(self) -> Option<Algorithm> {
        match self {
            Self::Ec(curve) => Some(curve.algorithm()),
            Self::Ed25519 => Some(Algorithm::EdDsa),
            Self::MlDsa(set) => Some(set.algorithm()),
            Self::Hmac | Self::Rsa => None,
        }
    }

    /// Every algorithm a key of this kind can serve. A key is never used for HS* unless it is
    /// an HMAC secret (CVE-2026-44699). An Ed25519 key serves `EdDSA` and `Ed25519`, the two
    /// names of one algorithm (RFC 9864).
    pub(crate) fn algorithms(self) -> AlgorithmSet {
        match self {
            Self::Ed25519 => AlgorithmSet::family(AlgorithmFamily::EdDsa),
            _ => match self.implied_algorithm() {
                Some(algorithm) => AlgorithmSet::only(algorithm),
                None => AlgorithmSet::family(self.family()),
            },
        }
    }

    /// Whether this build can use keys of this kind (see [`Algorithm::is_available`]).
    pub(crate) const fn is_available(self) -> bool {
        match self.implied_algorithm() {
            Some(algorithm) => algorithm.is_available(),
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_curve_is_found_by_each_of_its_names() {
        for curve in Curve::ALL {
            assert_eq!(Curve::from_oid(curve.oid()), Some(curve));
            assert_eq!(Curve::from_jwk_crv(curve.jwk_crv()), Some(curve));
            assert_eq!(Curve::for_algorithm(curve.algorithm()), Some(curve));
            if curve != Curve::Secp256k1 {
                assert_eq!(Curve::for_point_len(curve.point_len()), Some(curve));
            }
            assert_eq!(
                KeyKind::Ec(curve).algorithms(),
                AlgorithmSet::only(curve.algorithm())
            );
        }
        assert_eq!(
            Curve::names_and_point_lens(),
            (
                "P-256 or P-384 or P-521".to_owned(),
                "65 or 97 or 133".to_owned()
            )
        );
        // secp256k1 points have P-256's size: the size never names secp256k1.
        assert_eq!(Curve::for_point_len(65), Some(Curve::P256));
        for set in MlDsa::ALL {
            assert_eq!(MlDsa::from_oid(set.row().oid), Some(set));
            assert_eq!(MlDsa::for_algorithm(set.algorithm()), Some(set));
            assert_eq!(
                KeyKind::MlDsa(set).algorithms(),
                AlgorithmSet::only(set.algorithm())
            );
        }
    }

    #[test]
    fn only_hmac_secrets_serve_hs() {
        for kind in [
            KeyKind::Rsa,
            KeyKind::Ec(Curve::P256),
            KeyKind::Ec(Curve::P384),
            KeyKind::Ec(Curve::P521),
            KeyKind::Ec(Curve::Secp256k1),
            KeyKind::Ed25519,
            KeyKind::MlDsa(MlDsa::P44),
        ] {
            assert!(!kind.algorithms().contains(Algorithm::Hs256), "{kind:?}");
        }
        assert_eq!(
            KeyKind::Hmac.algorithms(),
            AlgorithmSet::family(AlgorithmFamily::Hmac)
        );
    }
}
