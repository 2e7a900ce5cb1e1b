//! RS256/384/512 (RSASSA-PKCS1-v1_5) and PS256/384/512 (RSASSA-PSS) over the asymmetric
//! backend ([`super::backend`]; RFC 7518 §3.3 and §3.5): 2048- to 8192-bit moduli for
//! verification, PSS salt = hash length.

use super::backend::signature;
use super::backend::{self, rand};

use super::SignatureBuf;
use crate::algorithm::Algorithm;
use crate::error::{Error, KeyError};

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
            return Err(KeyError::Rejected {
                reason: "RSA modulus is even".into(),
            });
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
            der: super::der::write_rsa_public(n, e),
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
