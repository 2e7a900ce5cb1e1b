//! RS256/384/512 (RSASSA-PKCS1-v1_5) and PS256/384/512 (RSASSA-PSS) over the asymmetric
//! backend ([`super::backend`]; RFC 7518 §3.3 and §3.5): 2048- to 8192-bit moduli for
//! verification, PSS salt = hash length.

use super::backend::signature;
use super::backend::{self, rand};

use super::SignatureBuf;
use crate::algorithm::Algorithm;
use crate::error::{Error, KeyError};
use crate::keys::KeyErrorCategory;

/// The smallest modulus accepted (RFC 7518 §3.3).
pub(crate) const MIN_BITS: usize = 2048;
/// The largest modulus ring and aws-lc-rs verify with.
pub(crate) const MAX_BITS: usize = 8192;

/// An RSA public key, validated once: `n` and `e` without leading zero bytes.
pub(crate) struct RsaPublicKey {
    n: Vec<u8>,
    e: Vec<u8>,
    /// The PKCS#1 `RSAPublicKey` encoding, for the backend's verification.
    der: Vec<u8>,
    /// One prepared key per RS*/PS* algorithm (see [`backend::Prepared`]).
    prepared: [backend::Prepared; 6],
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

fn bit_len(be: &[u8]) -> usize {
    match be.first() {
        Some(&first) => (be.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
        None => 0,
    }
}

impl RsaPublicKey {
    pub(crate) fn new(n: &[u8], e: &[u8]) -> Result<Self, KeyError> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        let bits = bit_len(n);
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return Err(KeyError::RsaModulusSize { bits });
        }
        if n.last().is_some_and(|b| b & 1 == 0) {
            return Err(KeyError::invalid(
                KeyErrorCategory::Rejected,
                "RSA modulus is even",
            ));
        }
        // ring and aws-lc-rs accept 3 <= e < 2^33 with e odd; refuse anything else at construction so the
        // error is a key error rather than a failed signature later.
        if e.len() > 5 || bit_len(e) > 33 {
            return Err(KeyError::RsaExponent {
                reason: "larger than 2^33",
            });
        }
        let mut value: u64 = 0;
        for &b in e {
            value = (value << 8) | u64::from(b);
        }
        if value < 3 {
            return Err(KeyError::RsaExponent {
                reason: "smaller than 3",
            });
        }
        if value & 1 == 0 {
            return Err(KeyError::RsaExponent { reason: "even" });
        }
        Ok(Self {
            n: n.to_vec(),
            e: e.to_vec(),
            der: super::formats::pkcs1::write_rsa_public(n, e),
            prepared: Default::default(),
        })
    }

    pub(crate) fn from_key_pair(pair: &backend::rsa::KeyPair) -> Result<Self, KeyError> {
        use backend::signature::KeyPair as _;
        let components: backend::rsa::PublicKeyComponents<Vec<u8>> = pair.public_key().into();
        Self::new(&components.n, &components.e)
    }

    /// The modulus, big-endian without leading zeros.
    #[allow(dead_code)] // used by JWK export
    pub(crate) fn modulus(&self) -> &[u8] {
        &self.n
    }

    /// The public exponent, big-endian without leading zeros.
    #[allow(dead_code)] // used by JWK export
    pub(crate) fn exponent(&self) -> &[u8] {
        &self.e
    }

    pub(crate) fn verify(
        &self,
        algorithm: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        let (slot, params) = verification_params(algorithm).ok_or(Error::InvalidSignature)?;
        self.prepared[slot]
            .verify(params, &self.der, message, signature)
            .map_err(|_| Error::InvalidSignature)
    }
}

fn verification_params(algorithm: Algorithm) -> Option<(usize, &'static signature::RsaParameters)> {
    Some(match algorithm {
        Algorithm::Rs256 => (0, &signature::RSA_PKCS1_2048_8192_SHA256),
        Algorithm::Rs384 => (1, &signature::RSA_PKCS1_2048_8192_SHA384),
        Algorithm::Rs512 => (2, &signature::RSA_PKCS1_2048_8192_SHA512),
        Algorithm::Ps256 => (3, &signature::RSA_PSS_2048_8192_SHA256),
        Algorithm::Ps384 => (4, &signature::RSA_PSS_2048_8192_SHA384),
        Algorithm::Ps512 => (5, &signature::RSA_PSS_2048_8192_SHA512),
        _ => return None,
    })
}

fn signing_padding(algorithm: Algorithm) -> Option<&'static dyn signature::RsaEncoding> {
    Some(match algorithm {
        Algorithm::Rs256 => &signature::RSA_PKCS1_SHA256,
        Algorithm::Rs384 => &signature::RSA_PKCS1_SHA384,
        Algorithm::Rs512 => &signature::RSA_PKCS1_SHA512,
        Algorithm::Ps256 => &signature::RSA_PSS_SHA256,
        Algorithm::Ps384 => &signature::RSA_PSS_SHA384,
        Algorithm::Ps512 => &signature::RSA_PSS_SHA512,
        _ => return None,
    })
}

pub(crate) fn sign(
    pair: &backend::rsa::KeyPair,
    algorithm: Algorithm,
    message: &[u8],
) -> Result<SignatureBuf, Error> {
    let padding = signing_padding(algorithm).ok_or(KeyError::AlgorithmMismatch {
        algorithm,
        key: "RSA key".into(),
    })?;
    let mut buf = SignatureBuf::zeroed(backend::rsa_modulus_len(pair));
    pair.sign(
        padding,
        &rand::SystemRandom::new(),
        message,
        buf.as_mut_slice(),
    )
    .map_err(|_| KeyError::Random)?;
    Ok(buf)
}

/// Checks that the parts of a two-prime RSA private key belong together, so that a key whose
/// `d`, CRT exponents or coefficient do not match is refused when it is built instead of
/// signing wrongly (or failing with a misleading error) later:
///
/// - `p > 1`, `q > 1` and `n = p·q`;
/// - `0 < qi < p` and `qi·q ≡ 1 (mod p)`;
/// - `e·dp ≡ 1 (mod p−1)` and `e·dq ≡ 1 (mod q−1)`, with `dp < p−1` and `dq < q−1`;
/// - `dp = d mod (p−1)` and `dq = d mod (q−1)`.
///
/// Together the last two mean `d·e ≡ 1 (mod λ(n))` (and so also hold for a `d` computed
/// modulo φ(n)). Primality of `p` and `q` is not checked. The error names the part that does
/// not fit, as far as it can be told: with `n = p·q` holding, a wrong `dp` fails its own check
/// and a wrong `d` fails only the last one.
///
/// Done with [`Uint`], webtoken's own arithmetic, so that both backends refuse the same keys.
/// Cost: a few products and remainders of numbers of the modulus' size, quadratic in its
/// length: about 0.15 ms for 2048 bits and 0.5 ms for 4096 in release builds, most of an RSA
/// key's build time.
#[allow(clippy::many_single_char_names)] // the RFC 8017 names
pub(crate) fn check_private_parts(parts: &PrivateKeyParts<'_>) -> Result<(), KeyError> {
    let inconsistent = |reason: &'static str| {
        KeyError::invalid(
            KeyErrorCategory::Rejected,
            format!("the RSA private key is inconsistent: {reason}"),
        )
    };
    // Bound the work before any arithmetic: n of at most MAX_BITS, every other part no longer
    // than n (a JWK's members are not size-checked before this runs).
    let n_len = strip_leading_zeros(parts.n).len();
    let bits = bit_len(strip_leading_zeros(parts.n));
    if bits > MAX_BITS {
        return Err(KeyError::RsaModulusSize { bits });
    }
    for (name, part) in [
        ("e", parts.e),
        ("d", parts.d),
        ("p", parts.p),
        ("q", parts.q),
        ("dp", parts.dp),
        ("dq", parts.dq),
        ("qi", parts.qi),
    ] {
        if strip_leading_zeros(part).len() > n_len {
            return Err(KeyError::invalid(
                KeyErrorCategory::Rejected,
                format!("the RSA private key is inconsistent: {name} is longer than n"),
            ));
        }
    }
    let one = Uint::from_u64(1);
    let n = Uint::from_be(parts.n);
    let e = Uint::from_be(parts.e);
    let d = Uint::from_be(parts.d);
    let p = Uint::from_be(parts.p);
    let q = Uint::from_be(parts.q);
    let dp = Uint::from_be(parts.dp);
    let dq = Uint::from_be(parts.dq);
    let qi = Uint::from_be(parts.qi);
    if p <= one || q <= one {
        return Err(inconsistent("p and q must be greater than 1"));
    }
    if p.mul(&q) != n {
        return Err(inconsistent("n is not p·q (n, p or q is wrong)"));
    }
    if qi.is_zero() || qi >= p || qi.mul(&q).rem(&p) != one {
        return Err(inconsistent("qi is not the inverse of q modulo p"));
    }
    let p1 = p.minus_one();
    let q1 = q.minus_one();
    if dp >= p1 || e.mul(&dp).rem(&p1) != one {
        return Err(inconsistent("dp is not the inverse of e modulo p-1"));
    }
    if dq >= q1 || e.mul(&dq).rem(&q1) != one {
        return Err(inconsistent("dq is not the inverse of e modulo q-1"));
    }
    if d.rem(&p1) != dp || d.rem(&q1) != dq {
        return Err(inconsistent(
            "d does not match dp and dq (d mod (p-1) != dp or d mod (q-1) != dq), so d·e is not \
             1 modulo lcm(p-1, q-1)",
        ));
    }
    Ok(())
}

/// The parts of a two-prime RSA private key (RFC 8017 §A.1.2), big-endian; leading zero bytes
/// are ignored.
#[derive(Clone, Copy)]
pub(crate) struct PrivateKeyParts<'a> {
    pub(crate) n: &'a [u8],
    pub(crate) e: &'a [u8],
    pub(crate) d: &'a [u8],
    pub(crate) p: &'a [u8],
    pub(crate) q: &'a [u8],
    pub(crate) dp: &'a [u8],
    pub(crate) dq: &'a [u8],
    pub(crate) qi: &'a [u8],
}

/// An unsigned integer of any size as little-endian 32-bit limbs without high zero limbs: only
/// what the key checks need (compare, multiply, subtract one, remainder). Not constant time:
/// it runs once per key, when the key is built. The sizes are bounded by the key parsers
/// (moduli of at most 8192 bits for signing keys, 16384-bit products).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Uint(Vec<u32>);

impl Uint {
    fn from_be(bytes: &[u8]) -> Self {
        let mut limbs: Vec<u32> = bytes
            .rchunks(4)
            .map(|chunk| chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
            .collect();
        Self::normalize(&mut limbs);
        Self(limbs)
    }

    fn from_u64(value: u64) -> Self {
        Self::from_be(&value.to_be_bytes())
    }

    fn normalize(limbs: &mut Vec<u32>) {
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn bits(&self) -> usize {
        match self.0.last() {
            Some(&top) => self.0.len() * 32 - top.leading_zeros() as usize,
            None => 0,
        }
    }

    fn bit(&self, index: usize) -> bool {
        self.0
            .get(index / 32)
            .is_some_and(|limb| (limb >> (index % 32)) & 1 == 1)
    }

    fn mul(&self, other: &Self) -> Self {
        let mut out = vec![0u32; self.0.len() + other.0.len()];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in other.0.iter().enumerate() {
                // At most (2^32 - 1)^2 + 2·(2^32 - 1) = 2^64 - 1: no overflow.
                let (low, high) =
                    split(u64::from(a) * u64::from(b) + u64::from(out[i + j]) + carry);
                out[i + j] = low;
                carry = high;
            }
            // out[i + other.len()] has not been written by this row yet; carry < 2^32.
            out[i + other.0.len()] = split(carry).0;
        }
        Self::normalize(&mut out);
        Self(out)
    }

    /// `self - 1`; zero stays zero (never asked: callers check `> 1` first).
    fn minus_one(&self) -> Self {
        let mut limbs = self.0.clone();
        for limb in &mut limbs {
            let (value, borrow) = limb.overflowing_sub(1);
            *limb = value;
            if !borrow {
                break;
            }
        }
        Self::normalize(&mut limbs);
        Self(limbs)
    }

    /// `self mod modulus` by binary long division: one shift and at most one subtraction per
    /// bit of `self`. A zero modulus gives zero (never asked: callers check `> 1` first).
    fn rem(&self, modulus: &Self) -> Self {
        if modulus.is_zero() {
            return Self(Vec::new());
        }
        let width = modulus.0.len() + 1;
        let mut r = vec![0u32; width];
        for index in (0..self.bits()).rev() {
            // r = 2r + bit; r < 2·modulus fits in `width` limbs.
            let mut carry = u32::from(self.bit(index));
            for limb in &mut r {
                let next = *limb >> 31;
                *limb = (*limb << 1) | carry;
                carry = next;
            }
            if !less_than(&r, &modulus.0) {
                let mut borrow = false;
                for (i, limb) in r.iter_mut().enumerate() {
                    let m = modulus.0.get(i).copied().unwrap_or(0);
                    let (v1, b1) = limb.overflowing_sub(m);
                    let (v2, b2) = v1.overflowing_sub(u32::from(borrow));
                    *limb = v2;
                    borrow = b1 || b2;
                }
            }
        }
        Self::normalize(&mut r);
        Self(r)
    }
}

/// The low 32 bits of `value`, and the high 32 bits as the next carry.
#[allow(clippy::cast_possible_truncation)] // the truncation is the point
const fn split(value: u64) -> (u32, u64) {
    (value as u32, value >> 32)
}

/// `a < b` for little-endian limb slices of any lengths (high zero limbs allowed).
fn less_than(a: &[u32], b: &[u32]) -> bool {
    let len = a.len().max(b.len());
    for i in (0..len).rev() {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x < y;
        }
    }
    false
}

impl PartialOrd for Uint {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Uint {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if less_than(&self.0, &other.0) {
            std::cmp::Ordering::Less
        } else if self == other {
            std::cmp::Ordering::Equal
        } else {
            std::cmp::Ordering::Greater
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_algorithm_parses_the_key_once_on_aws_lc_rs() {
        let der = include_bytes!("../../tests/data/keys/rsa2048.pkcs1.der");
        let pair = key_pair_from_der_for_test(der);
        let public = RsaPublicKey::from_key_pair(&pair).unwrap();
        for (alg, slot) in [(Algorithm::Rs256, 0), (Algorithm::Ps512, 5)] {
            let sig = sign(&pair, alg, b"msg").unwrap();
            public.verify(alg, b"msg", sig.as_slice()).unwrap();
            assert!(public.verify(alg, b"msh", sig.as_slice()).is_err());
            assert_eq!(
                public.prepared[slot].is_parsed(),
                cfg!(feature = "aws-lc-rs")
            );
        }
        assert!(!public.prepared[1].is_parsed());
    }

    fn key_pair_from_der_for_test(der: &[u8]) -> backend::rsa::KeyPair {
        backend::rsa::KeyPair::from_der(der).unwrap()
    }

    #[test]
    fn bit_length_ignores_leading_zero_bits() {
        assert_eq!(bit_len(&[0x01, 0x00]), 9);
        assert_eq!(bit_len(&[0x80]), 8);
        assert_eq!(bit_len(&[]), 0);
    }

    #[test]
    fn refuses_small_moduli_and_bad_exponents() {
        let mut n = vec![0xff; 128];
        assert!(matches!(
            RsaPublicKey::new(&n, &[1, 0, 1]),
            Err(KeyError::RsaModulusSize { bits: 1024 })
        ));
        n = vec![0xff; 256];
        assert!(RsaPublicKey::new(&n, &[1, 0, 1]).is_ok());
        assert!(matches!(
            RsaPublicKey::new(&n, &[1]),
            Err(KeyError::RsaExponent { .. })
        ));
        assert!(matches!(
            RsaPublicKey::new(&n, &[4]),
            Err(KeyError::RsaExponent { .. })
        ));
        let mut even = n.clone();
        even[255] = 0xfe;
        assert!(RsaPublicKey::new(&even, &[3]).is_err());
    }
}

#[cfg(test)]
mod uint_tests {
    use super::*;

    fn from_u128(v: u128) -> Uint {
        Uint::from_be(&v.to_be_bytes())
    }

    /// A deterministic stream of test numbers (xorshift), of every size up to 128 bits.
    fn numbers() -> impl Iterator<Item = u128> {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..4000).map(move |i| {
            let v = (u128::from(next()) << 64) | u128::from(next());
            v >> (i % 128)
        })
    }

    #[test]
    fn arithmetic_agrees_with_u128() {
        let values: Vec<u128> = numbers().collect();
        for pair in values.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let (x, y) = (from_u128(a), from_u128(b));
            assert_eq!(x.cmp(&y), a.cmp(&b), "{a} {b}");
            let (small_a, small_b) = (a >> 64, b >> 64);
            assert_eq!(
                from_u128(small_a).mul(&from_u128(small_b)),
                from_u128(small_a * small_b),
                "{small_a} * {small_b}"
            );
            if b != 0 {
                assert_eq!(x.rem(&y), from_u128(a % b), "{a} % {b}");
            }
            if a != 0 {
                assert_eq!(x.minus_one(), from_u128(a - 1), "{a} - 1");
            }
        }
    }

    #[test]
    #[allow(clippy::many_single_char_names)]
    fn large_products_reduce_to_zero_and_remainders_round_trip() {
        // (a·b) mod a = 0 and (a·b + r) mod a = r for numbers of RSA size.
        let der = include_bytes!("../../tests/data/keys/rsa2048.pkcs1.der");
        let key = crate::keys::der::parse_rsa_private(der).unwrap();
        let (p, q, n) = (
            Uint::from_be(key.p),
            Uint::from_be(key.q),
            Uint::from_be(key.n),
        );
        assert_eq!(p.mul(&q), n);
        assert!(n.rem(&p).is_zero() && n.rem(&q).is_zero());
        let r = Uint::from_be(key.dp);
        assert!(r < p);
        // n + r, added limb by limb.
        let mut sum = n.clone();
        let mut carry = 0u64;
        for i in 0..sum.0.len() {
            let t = u64::from(sum.0[i]) + u64::from(r.0.get(i).copied().unwrap_or(0)) + carry;
            (sum.0[i], carry) = split(t);
        }
        if carry > 0 {
            sum.0.push(1);
        }
        assert_eq!(sum.rem(&p), r);
        assert_eq!(Uint::from_be(&[0, 0, 1]), Uint::from_u64(1));
        assert!(Uint::from_be(&[]).is_zero());
    }

    #[test]
    fn the_fixture_key_is_consistent_and_each_changed_part_is_named() {
        let der = include_bytes!("../../tests/data/keys/rsa2048.pkcs1.der");
        let k = crate::keys::der::parse_rsa_private(der).unwrap();
        let parts = [k.n, k.e, k.d, k.p, k.q, k.dp, k.dq, k.qi];
        let check = |p: &[Vec<u8>]| {
            check_private_parts(&PrivateKeyParts {
                n: &p[0],
                e: &p[1],
                d: &p[2],
                p: &p[3],
                q: &p[4],
                dp: &p[5],
                dq: &p[6],
                qi: &p[7],
            })
        };
        let original: Vec<Vec<u8>> = parts.iter().map(|x| x.to_vec()).collect();
        check(&original).unwrap();
        for (index, named) in [
            (0, "n is not p·q"),
            (1, "dp is not the inverse of e"),
            (2, "d does not match dp and dq"),
            (3, "n is not p·q"),
            (4, "n is not p·q"),
            (5, "dp is not the inverse of e"),
            (6, "dq is not the inverse of e"),
            (7, "qi is not the inverse of q"),
        ] {
            let mut changed = original.clone();
            let last = changed[index].len() - 1;
            changed[index][last] ^= 0x02;
            let err = check(&changed).unwrap_err().to_string();
            assert!(err.contains(named), "part {index}: {err}");
        }
        // dp + (p - 1) is congruent but not reduced.
        let mut changed = original.clone();
        changed[5] = {
            let p1 = Uint::from_be(k.p).minus_one();
            let dp = Uint::from_be(k.dp);
            let mut sum = dp.0.clone();
            sum.resize(p1.0.len() + 1, 0);
            let mut carry = 0u64;
            for (i, limb) in sum.iter_mut().enumerate() {
                let t = u64::from(*limb) + u64::from(p1.0.get(i).copied().unwrap_or(0)) + carry;
                (*limb, carry) = split(t);
            }
            sum.iter().rev().flat_map(|l| l.to_be_bytes()).collect()
        };
        assert!(
            check(&changed)
                .unwrap_err()
                .to_string()
                .contains("dp is not")
        );
        // Oversized parts are refused before any arithmetic (a 1 MiB p would take minutes).
        let mut changed = original.clone();
        changed[3] = vec![0xff; 1 << 20];
        let err = check(&changed).unwrap_err().to_string();
        assert!(err.contains("p is longer than n"), "{err}");
        let mut changed = original;
        changed[0] = vec![0xff; 1 << 20];
        assert!(matches!(
            check(&changed),
            Err(KeyError::RsaModulusSize { bits }) if bits == 8 << 20
        ));
    }
}
