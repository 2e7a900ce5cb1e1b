//! PKCS#1 (RFC 8017 App. A.1): the `RSAPublicKey` and two-prime `RSAPrivateKey` readers, and
//! their writers (used for SPKI and PKCS#8 export and for the backend's verification key).
//! Imports nothing from `keys` outside `formats`.

use super::algorithm::StructureError;
use super::der::{DerError, Reader, der_error, parse_whole, sequence, unsigned_integer};

/// Parses a PKCS#1 `RSAPublicKey` (RFC 8017 §A.1.1) into `(n, e)`.
pub(crate) fn parse_rsa_public(der: &[u8]) -> Result<(&[u8], &[u8]), DerError> {
    parse_whole(der, "RSAPublicKey", read_rsa_public)
}

/// Reads an `RSAPublicKey` into `(n, e)`, big-endian without leading zeros.
#[allow(clippy::type_complexity)]
pub(crate) fn read_rsa_public<'a>(
    outer: &mut Reader<'a>,
) -> Result<(&'a [u8], &'a [u8]), DerError> {
    let mut seq = outer.sequence("RSAPublicKey")?;
    let n = seq.unsigned("modulus")?;
    let e = seq.unsigned("publicExponent")?;
    seq.finish("RSAPublicKey")?;
    Ok((n, e))
}

/// A PKCS#1 `RSAPublicKey` from the big-endian modulus and exponent (leading zeros dropped).
pub(crate) fn write_rsa_public(n: &[u8], e: &[u8]) -> Vec<u8> {
    sequence(&[&unsigned_integer(n), &unsigned_integer(e)])
}

/// The parts of a two-prime PKCS#1 `RSAPrivateKey`, big-endian without leading zeros.
#[derive(Debug)]
pub(crate) struct RsaPrivateKey<'a> {
    pub(crate) n: &'a [u8],
    pub(crate) e: &'a [u8],
    pub(crate) d: &'a [u8],
    pub(crate) p: &'a [u8],
    pub(crate) q: &'a [u8],
    pub(crate) dp: &'a [u8],
    pub(crate) dq: &'a [u8],
    pub(crate) qi: &'a [u8],
    /// The whole `RSAPrivateKey` encoding, as ring reads it.
    pub(crate) pkcs1: &'a [u8],
}

/// Parses a PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2); only version 0 (two primes).
pub(crate) fn parse_rsa_private(der: &[u8]) -> Result<RsaPrivateKey<'_>, StructureError> {
    parse_whole(der, "RSAPrivateKey", |outer| read_rsa_private(outer, der))
}

/// Reads the `RSAPrivateKey` that is `der`, the whole of `outer`'s input.
pub(crate) fn read_rsa_private<'a>(
    outer: &mut Reader<'a>,
    der: &'a [u8],
) -> Result<RsaPrivateKey<'a>, StructureError> {
    let mut seq = outer.sequence("RSAPrivateKey")?;
    match seq.small_unsigned("RSAPrivateKey version")? {
        0 => {}
        1 => return Err(StructureError::MultiPrimeRsa),
        _ => return Err(der_error("unknown RSAPrivateKey version").into()),
    }
    let key = RsaPrivateKey {
        n: seq.unsigned("modulus")?,
        e: seq.unsigned("publicExponent")?,
        d: seq.unsigned("privateExponent")?,
        p: seq.unsigned("prime1")?,
        q: seq.unsigned("prime2")?,
        dp: seq.unsigned("exponent1")?,
        dq: seq.unsigned("exponent2")?,
        qi: seq.unsigned("coefficient")?,
        pkcs1: der,
    };
    seq.finish("RSAPrivateKey")?;
    Ok(key)
}

/// A two-prime `RSAPrivateKey` (version 0) from `[n, e, d, p, q, dp, dq, qi]`.
pub(crate) fn write_rsa_private(parts: [&[u8]; 8]) -> Vec<u8> {
    let mut fields = vec![unsigned_integer(&[0])];
    fields.extend(parts.iter().map(|p| unsigned_integer(p)));
    let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
    sequence(&refs)
}
