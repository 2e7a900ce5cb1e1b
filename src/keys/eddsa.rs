//! EdDSA with Ed25519 over the asymmetric backend ([`super::backend`], RFC 8037); both ring and
//! aws-lc-rs reject non-canonical `S >= L` signatures.
//!
//! Public keys are checked when they are built ([`check_public_key`]), by webtoken itself so
//! that both backends refuse the same keys: a non-canonical encoding (`y >= p`, or `x = 0` with
//! the sign bit set) and the eight points of small order are refused. Under a small-order key
//! `A`, the signature `R = identity, S = 0` satisfies `[S]B = R + [k]A` whenever `k` is a
//! multiple of the order of `A` (always for the identity, for one message in two, four or eight
//! otherwise), so anyone can forge tokens for it.

use std::sync::Arc;

use super::backend::signature;
use super::{PrivateParts, SigningInner, SigningKey};
use crate::algorithm::Algorithm;

use crate::error::{Error, KeyError};
use crate::keys::KeyErrorCategory;

/// p = 2^255 - 19, little-endian.
const P: [u8; 32] = {
    let mut p = [0xff; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    p
};

/// The y-coordinates of the eight points of small order (little-endian, canonical): 0 (the two
/// points of order 4), 1 (the identity), p - 1 (order 2), and the two y-coordinates of the four
/// points of order 8 (libsodium's blocklist, `crypto_sign_ed25519` `has_small_order`).
const SMALL_ORDER_Y: [[u8; 32]; 5] = [
    [0; 32],
    {
        let mut one = [0; 32];
        one[0] = 1;
        one
    },
    {
        let mut p_minus_1 = P;
        p_minus_1[0] = 0xec;
        p_minus_1
    },
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
];

/// Whether the little-endian 255-bit `y` is at least p.
fn at_least_p(y: &[u8; 32]) -> bool {
    for (a, b) in y.iter().rev().zip(P.iter().rev()) {
        if a != b {
            return a > b;
        }
    }
    true
}

/// Refuses the Ed25519 public keys a forger could use or that have more than one encoding:
/// `y >= p` (with either sign bit), `x = 0` encoded with the sign bit set (`y = 1` or
/// `y = p - 1`), and the eight points of small order (identity, order 2, order 4, order 8).
/// Not checked: that `y` is on the curve at all (such a key verifies nothing) and points of
/// mixed order (a small-order component plus a large one; not a forgery with cofactorless
/// verification, which both backends do).
pub(crate) fn check_public_key(bytes: &[u8; 32]) -> Result<(), KeyError> {
    let mut y = *bytes;
    let sign = y[31] >> 7;
    y[31] &= 0x7f;
    if at_least_p(&y) {
        return Err(KeyError::invalid(
            KeyErrorCategory::Rejected,
            "the Ed25519 public key is not canonically encoded (y >= p)",
        ));
    }
    match SMALL_ORDER_Y.iter().position(|small| *small == y) {
        None => Ok(()),
        Some(1 | 2) if sign == 1 => Err(KeyError::invalid(
            KeyErrorCategory::Rejected,
            "the Ed25519 public key is not canonically encoded (x = 0 with the sign bit \
                     set) and is a point of small order",
        )),
        Some(index) => Err(KeyError::invalid(
            KeyErrorCategory::Rejected,
            format!(
                "the Ed25519 public key is a point of small order ({}), under which signatures \
                 can be forged",
                ["order 4", "the identity", "order 2", "order 8", "order 8"][index]
            ),
        )),
    }
}

/// An Ed25519 public key: 32 raw bytes.
pub(crate) struct Ed25519PublicKey {
    bytes: [u8; 32],
    prepared: super::backend::Prepared,
}

impl Ed25519PublicKey {
    pub(crate) fn new(bytes: &[u8]) -> Result<Self, KeyError> {
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| {
            KeyError::invalid(
                KeyErrorCategory::Rejected,
                format!("an Ed25519 public key has 32 bytes, got {}", bytes.len()),
            )
        })?;
        check_public_key(&bytes)?;
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

/// The one place that builds an Ed25519 signing key: from a key pair the backend built and
/// its 32-byte seed, bound to `algorithm` (`EdDSA` or `Ed25519`, checked by the callers), keeping the seed and the public key for export. The public key is
/// checked like any other; that never fails for a derived key (a clamped scalar times the base
/// point has order L), and every path to an Ed25519 key goes through the check.
pub(crate) fn signing_key(
    pair: signature::Ed25519KeyPair,
    seed: [u8; 32],
    algorithm: Algorithm,
) -> Result<SigningKey, KeyError> {
    use signature::KeyPair as _;
    let public: [u8; 32] = pair.public_key().as_ref().try_into().map_err(|_| {
        KeyError::invalid(
            KeyErrorCategory::Rejected,
            "an Ed25519 public key has 32 bytes",
        )
    })?;
    check_public_key(&public)?;
    Ok(
        SigningKey::from_inner(algorithm, SigningInner::EdDsa(Arc::new(pair)))
            .with_private_parts(PrivateParts::Ed25519 { seed, public }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eight points of small order, canonically encoded (y little-endian, sign bit = x's).
    pub(crate) fn small_order_points() -> Vec<([u8; 32], &'static str)> {
        let with_sign = |y: [u8; 32], sign: u8| {
            let mut p = y;
            p[31] |= sign << 7;
            p
        };
        let y = SMALL_ORDER_Y;
        vec![
            (y[1], "the identity"),
            (y[2], "order 2"),
            (y[0], "order 4"),
            (with_sign(y[0], 1), "order 4"),
            (y[3], "order 8"),
            (with_sign(y[3], 1), "order 8"),
            (y[4], "order 8"),
            (with_sign(y[4], 1), "order 8"),
        ]
    }

    /// The identity encoding: y = 1, x = 0.
    fn identity() -> [u8; 32] {
        SMALL_ORDER_Y[1]
    }

    #[test]
    fn order_8_y_values_are_negatives_of_each_other() {
        // y8 + (p - y8) = p, little-endian with carries.
        let mut carry = 0u16;
        for i in 0..32 {
            let sum = u16::from(SMALL_ORDER_Y[3][i]) + u16::from(SMALL_ORDER_Y[4][i]) + carry;
            assert_eq!(sum & 0xff, u16::from(P[i]), "byte {i}");
            carry = sum >> 8;
        }
        assert_eq!(carry, 0);
    }

    /// Each small-order point really is one for the backend: `R = identity, S = 0` verifies
    /// under it for some message within a few tries (one in 1, 2, 4 or 8 messages). This is the
    /// forgery the construction check prevents.
    #[test]
    fn every_blocked_point_is_a_forgery_key_for_the_backend_and_is_refused() {
        let mut forged = [0u8; 64];
        forged[..32].copy_from_slice(&identity());
        for (point, name) in small_order_points() {
            let key = signature::UnparsedPublicKey::new(&signature::ED25519, point);
            let hits = (0..64u32)
                .filter(|i| {
                    key.verify(format!("claims {i}").as_bytes(), &forged)
                        .is_ok()
                })
                .count();
            assert!(hits > 0, "{name} {point:02x?}: no forgery in 64 tries");
            let err = Ed25519PublicKey::new(&point).err().unwrap();
            assert!(err.to_string().contains("small order"), "{err}");
            assert!(err.to_string().contains(name), "{err}");
        }
    }

    #[test]
    fn non_canonical_encodings_are_refused() {
        let mut cases: Vec<[u8; 32]> = Vec::new();
        // y = p .. 2^255 - 1 (p + 0 is 0, p + 1 is 1: small order), both sign bits.
        for low in 0xed..=0xff_u8 {
            let mut y = P;
            y[0] = low;
            cases.push(y);
            y[31] |= 0x80;
            cases.push(y);
        }
        for y in &cases {
            let err = Ed25519PublicKey::new(y).err().unwrap();
            assert!(err.to_string().contains("y >= p"), "{y:02x?}: {err}");
        }
        // x = 0 with the sign bit: y = 1 and y = p - 1.
        for y in [SMALL_ORDER_Y[1], SMALL_ORDER_Y[2]] {
            let mut negative_zero = y;
            negative_zero[31] |= 0x80;
            let err = Ed25519PublicKey::new(&negative_zero).err().unwrap();
            assert!(err.to_string().contains("x = 0 with the sign bit"), "{err}");
        }
    }

    #[test]
    fn ordinary_keys_near_the_blocked_values_pass() {
        // p - 2 and 2 (y values next to the blocked ones) are not refused by the check.
        let mut p_minus_2 = P;
        p_minus_2[0] = 0xeb;
        let mut two = [0u8; 32];
        two[0] = 2;
        for y in [p_minus_2, two] {
            assert!(check_public_key(&y).is_ok(), "{y:02x?}");
        }
        // RFC 8037 A.2's public key.
        let x = crate::base64url::decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap();
        assert!(Ed25519PublicKey::new(&x).is_ok());
    }
}
