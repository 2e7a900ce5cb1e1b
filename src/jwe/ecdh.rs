//! ECDH-ES key agreement (RFC 7518 §4.6, RFC 8037 §3.2 for X25519) on aws-lc-rs: the curve
//! table of JWE, the ephemeral key (`epk`) written and read, and the Concat KDF (NIST SP
//! 800-56A §5.8.1 as profiled by RFC 7518 §4.6.2).
//!
//! The `epk` of a token must name the recipient key's curve and be a point on it (aws-lc-rs
//! checks the point when it parses it); an X25519 agreement that yields all zeros (a low-order
//! point) is refused.

use std::fmt;

use aws_lc_rs::agreement::{
    self, ECDH_P256, ECDH_P384, ECDH_P521, PrivateKey, UnparsedPublicKey, X25519,
};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::base64url;
use crate::error::{Error, MalformedError};
use crate::keys::formats::SecretBytes;

/// The curves of ECDH-ES.
///
/// ```
/// use webtoken::jwe::EcdhCurve;
///
/// assert_eq!(EcdhCurve::from_name("P-521"), Some(EcdhCurve::P521));
/// assert_eq!(EcdhCurve::X25519.as_str(), "X25519");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcdhCurve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1).
    P521,
    /// X25519 (RFC 7748, RFC 8037).
    X25519,
}

/// One row of the curve table.
struct Row {
    curve: EcdhCurve,
    name: &'static str,
    /// The length of one coordinate (and of the private scalar), in bytes.
    coordinate_len: usize,
    agreement: &'static agreement::Algorithm,
    /// The DER of a `SubjectPublicKeyInfo` up to the key's bytes (the uncompressed point for
    /// the NIST curves, the 32-byte key for X25519).
    spki_prefix: &'static [u8],
}

const TABLE: [Row; 4] = [
    Row {
        curve: EcdhCurve::P256,
        name: "P-256",
        coordinate_len: 32,
        agreement: &ECDH_P256,
        spki_prefix: &[
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ],
    },
    Row {
        curve: EcdhCurve::P384,
        name: "P-384",
        coordinate_len: 48,
        agreement: &ECDH_P384,
        spki_prefix: &[
            0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x05, 0x2b, 0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00,
        ],
    },
    Row {
        curve: EcdhCurve::P521,
        name: "P-521",
        coordinate_len: 66,
        agreement: &ECDH_P521,
        spki_prefix: &[
            0x30, 0x81, 0x9b, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
            0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23, 0x03, 0x81, 0x86, 0x00,
        ],
    },
    Row {
        curve: EcdhCurve::X25519,
        name: "X25519",
        coordinate_len: 32,
        agreement: &X25519,
        spki_prefix: &[
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00,
        ],
    },
];

/// The DER of an X25519 PKCS#8 v1 `PrivateKeyInfo` up to the 32-byte private key.
pub(crate) const X25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
];

impl EcdhCurve {
    /// Every curve.
    pub const ALL: [EcdhCurve; 4] = [Self::P256, Self::P384, Self::P521, Self::X25519];

    fn row(self) -> &'static Row {
        match self {
            Self::P256 => &TABLE[0],
            Self::P384 => &TABLE[1],
            Self::P521 => &TABLE[2],
            Self::X25519 => &TABLE[3],
        }
    }

    /// The JWK `crv` name.
    pub fn as_str(self) -> &'static str {
        self.row().name
    }

    /// The curve with this exact JWK `crv` name.
    pub fn from_name(name: &str) -> Option<Self> {
        TABLE.iter().find(|r| r.name == name).map(|r| r.curve)
    }

    /// The length of a coordinate and of a private scalar, in bytes.
    pub(crate) fn coordinate_len(self) -> usize {
        self.row().coordinate_len
    }

    pub(crate) fn agreement(self) -> &'static agreement::Algorithm {
        self.row().agreement
    }

    /// The JWK key type: `EC` for the NIST curves, `OKP` for X25519.
    pub(crate) fn key_type(self) -> &'static str {
        if self == Self::X25519 { "OKP" } else { "EC" }
    }

    /// The length of the public key bytes (uncompressed point, or the X25519 key).
    pub(crate) fn public_len(self) -> usize {
        if self == Self::X25519 {
            32
        } else {
            1 + 2 * self.coordinate_len()
        }
    }

    /// The curve and public key bytes of a `SubjectPublicKeyInfo`, when it is one of the table.
    pub(crate) fn from_spki(der: &[u8]) -> Option<(Self, &[u8])> {
        TABLE.iter().find_map(|row| {
            let key = der.strip_prefix(row.spki_prefix)?;
            (key.len() == row.curve.public_len()).then_some((row.curve, key))
        })
    }

    /// The `SubjectPublicKeyInfo` of a public key.
    pub(crate) fn to_spki(self, public: &[u8]) -> Vec<u8> {
        [self.row().spki_prefix, public].concat()
    }

    /// The public key as JWK members (`kty`, `crv`, `x`, and `y` for the NIST curves), in the
    /// lexicographic order of RFC 7638.
    pub(crate) fn public_jwk(self, public: &[u8]) -> Map<String, Value> {
        let mut jwk = Map::new();
        jwk.insert("crv".into(), self.as_str().into());
        jwk.insert("kty".into(), self.key_type().into());
        if self == Self::X25519 {
            jwk.insert("x".into(), base64url::encode(public).into());
        } else {
            let (x, y) = public[1..].split_at(self.coordinate_len());
            jwk.insert("x".into(), base64url::encode(x).into());
            jwk.insert("y".into(), base64url::encode(y).into());
        }
        jwk
    }

    /// The public key bytes of JWK members `x` (and `y`), each of the exact length.
    pub(crate) fn public_from_jwk(self, x: &[u8], y: Option<&[u8]>) -> Option<Vec<u8>> {
        let len = self.coordinate_len();
        if x.len() != len {
            return None;
        }
        if self == Self::X25519 {
            return y.is_none().then(|| x.to_vec());
        }
        let y = y.filter(|y| y.len() == len)?;
        Some([&[0x04][..], x, y].concat())
    }

    /// Whether `public` is a valid public key of this curve (a point on it, not infinity).
    pub(crate) fn check_public(self, public: &[u8]) -> bool {
        let parsed: Result<agreement::ParsedPublicKey, _> =
            (&UnparsedPublicKey::new(self.agreement(), public)).try_into();
        parsed.is_ok() && public.len() == self.public_len()
    }
}

impl fmt::Display for EcdhCurve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn epk_error(reason: &'static str) -> Error {
    MalformedError::Header {
        parameter: "epk",
        reason: reason.into(),
    }
    .into()
}

/// Reads a token's `epk`: a public JWK on `curve`, with exactly the members of such a key.
pub(crate) fn read_epk(epk: Option<&Value>, curve: EcdhCurve) -> Result<Vec<u8>, Error> {
    let Some(Value::Object(members)) = epk else {
        return Err(epk_error(
            "is missing (ECDH-ES needs the ephemeral public key)",
        ));
    };
    let string = |name: &str| match members.get(name) {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    if string("kty") != Some(curve.key_type()) || string("crv") != Some(curve.as_str()) {
        return Err(epk_error(
            "is not a key on the curve of the recipient's key",
        ));
    }
    if members.contains_key("d") {
        return Err(epk_error("must not hold a private key"));
    }
    let coordinate = |name: &str| string(name).and_then(|s| base64url::decode(s).ok());
    let x = coordinate("x").ok_or_else(|| epk_error("has no valid x coordinate"))?;
    let y = match (curve, members.contains_key("y")) {
        (EcdhCurve::X25519, false) => None,
        (EcdhCurve::X25519, true) => return Err(epk_error("must not have y for X25519")),
        _ => Some(coordinate("y").ok_or_else(|| epk_error("has no valid y coordinate"))?),
    };
    let public = curve
        .public_from_jwk(&x, y.as_deref())
        .ok_or_else(|| epk_error("has coordinates of the wrong length for its curve"))?;
    if !curve.check_public(&public) {
        return Err(epk_error("is not a point on its curve"));
    }
    Ok(public)
}

/// The shared secret Z of `private` and the peer's `public` key bytes. An X25519 secret of
/// all zeros is refused; on the NIST curves the point was checked on parsing, and an x of
/// zero is a legitimate secret.
pub(crate) fn agree(
    private: &PrivateKey,
    curve: EcdhCurve,
    public: &[u8],
) -> Result<SecretBytes, Error> {
    let peer = UnparsedPublicKey::new(curve.agreement(), public);
    let z = agreement::agree(private, peer, (), |z| Ok(SecretBytes(z.to_vec())))
        .map_err(|()| epk_error("is not a point on its curve"))?;
    // RFC 7748 §6.1: an X25519 result of all zeros comes from a low-order point. (A NIST
    // curve's x-coordinate may be zero legitimately; its points were checked when parsed.)
    if curve == EcdhCurve::X25519 && z.0.iter().fold(0u8, |acc, b| acc | b) == 0 {
        return Err(epk_error(
            "gives an all-zero shared secret (a low-order point)",
        ));
    }
    Ok(z)
}

/// A fresh ephemeral key on `curve`: the private key and its public key bytes.
pub(crate) fn ephemeral(curve: EcdhCurve) -> Result<(PrivateKey, Vec<u8>), Error> {
    let private =
        PrivateKey::generate(curve.agreement()).map_err(|_| crate::error::KeyError::Random)?;
    let public = private
        .compute_public_key()
        .map_err(|_| crate::error::KeyError::Random)?
        .as_ref()
        .to_vec();
    Ok((private, public))
}

/// The Concat KDF of RFC 7518 §4.6.2: `keydatalen` bytes from SHA-256 over a round counter, Z
/// and OtherInfo (AlgorithmID, PartyUInfo, PartyVInfo, each length-prefixed, and SuppPubInfo,
/// the key length in bits).
pub(crate) fn concat_kdf(
    z: &[u8],
    algorithm_id: &str,
    apu: &[u8],
    apv: &[u8],
    key_len: usize,
) -> SecretBytes {
    let prefixed = |data: &[u8]| {
        let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        [&len.to_be_bytes()[..], data].concat()
    };
    let bits = u32::try_from(key_len * 8).unwrap_or(u32::MAX);
    let other_info = [
        prefixed(algorithm_id.as_bytes()),
        prefixed(apu),
        prefixed(apv),
        bits.to_be_bytes().to_vec(),
    ]
    .concat();
    let mut out = Vec::with_capacity(key_len.div_ceil(32) * 32);
    let mut counter = 1u32;
    while out.len() < key_len {
        let mut hash = Sha256::new();
        hash.update(counter.to_be_bytes());
        hash.update(z);
        hash.update(&other_info);
        out.extend_from_slice(&hash.finalize());
        counter += 1;
    }
    out.truncate(key_len);
    SecretBytes(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7518 Appendix C: ECDH-ES with A128GCM, Alice and Bob, apu "Alice", apv "Bob".
    #[test]
    fn rfc7518_appendix_c() {
        let d = |s: &str| base64url::decode(s).unwrap();
        let bob_d = d("VEmDZpDXXK8p8N0Cndsxs924q6nS1RXFASRl6BfUqdw");
        let epk = serde_json::json!({"kty":"EC","crv":"P-256",
            "x":"gI0GAILBdu7T53akrFmMyGcsF3n5dO7MmwNBHKW5SV0",
            "y":"SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFpps"});
        let bob = PrivateKey::from_private_key(&ECDH_P256, &bob_d).unwrap();
        let public = read_epk(Some(&epk), EcdhCurve::P256).unwrap();
        let z = agree(&bob, EcdhCurve::P256, &public).unwrap();
        assert_eq!(
            z.0,
            [
                158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156, 251, 49,
                110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196
            ]
        );
        let key = concat_kdf(&z.0, "A128GCM", b"Alice", b"Bob", 16);
        assert_eq!(base64url::encode(&key.0), "VqqN6vgjbSBcIijNcacQGg");
        // Refused on another curve.
        assert!(read_epk(Some(&epk), EcdhCurve::P384).is_err());
        // A point off the curve.
        let mut off = epk.clone();
        off["y"] = "SLW_xSffzlPWrHEVI30DHM_4egVwt3NQqeUD7nMFppq".into();
        assert!(read_epk(Some(&off), EcdhCurve::P256).is_err());
    }

    #[test]
    fn x25519_low_order_points_are_refused() {
        let private = PrivateKey::generate(&X25519).unwrap();
        // The all-zero point and the point of order 8 from RFC 7748 §6.1's discussion.
        for point in [[0u8; 32], {
            let mut p = [0u8; 32];
            p[0] = 1;
            p
        }] {
            assert!(agree(&private, EcdhCurve::X25519, &point).is_err());
        }
    }
}
