//! SEC1 `ECPrivateKey` (RFC 5915 §3), alone (an `EC PRIVATE KEY` PEM block, RFC 5915 §4) or
//! inside PKCS#8 (RFC 5915 §1, RFC 5480): read into its parts, and written. Which curves are
//! supported is the caller's to say ([`Oids`]); imports nothing from `keys` outside `formats`.

use super::algorithm::{self, Oids, StructureError};
use super::der::{
    Reader, TAG_CONTEXT_0, TAG_CONTEXT_1, TAG_OCTET_STRING, bit_string, der_error, parse_whole,
    sequence, tlv, unsigned_integer,
};

/// An EC private key: the namedCurve OID, the fixed-length scalar and the public point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EcPrivateKey<'a> {
    /// The namedCurve OID.
    pub(crate) curve: &'a [u8],
    /// The private scalar, of the curve's length.
    pub(crate) d: &'a [u8],
    /// The public point as found.
    pub(crate) point: &'a [u8],
}

/// Parses a SEC1 `ECPrivateKey`. The named-curve parameters are required here (RFC 5915 §3:
/// implementations "MUST always include" them), and so is the public key.
pub(crate) fn parse(der: &[u8], oids: Oids) -> Result<EcPrivateKey<'_>, StructureError> {
    let (d, point, curve) = parse_whole(der, "ECPrivateKey", |r| read_inner(r, None, oids))?;
    let curve = curve
        .ok_or_else(|| der_error("ECPrivateKey without curve parameters; use the PKCS#8 form"))?;
    let point = point.ok_or(StructureError::MissingEcPublicKey)?;
    Ok(EcPrivateKey { curve, d, point })
}

/// Reads an `ECPrivateKey` that is the whole of `reader`'s data into the scalar and the public
/// point if present; `expected` is the curve the enclosing PKCS#8 names, which the optional
/// parameters must repeat.
#[allow(clippy::type_complexity)]
pub(crate) fn read_in_pkcs8<'a>(
    mut reader: Reader<'a>,
    expected: &'a [u8],
    oids: Oids,
) -> Result<(&'a [u8], Option<&'a [u8]>), StructureError> {
    let (d, point, _) = read_inner(&mut reader, Some(expected), oids)?;
    reader.finish("ECPrivateKey")?;
    Ok((d, point))
}

#[allow(clippy::type_complexity)]
fn read_inner<'a>(
    reader: &mut Reader<'a>,
    expected: Option<&'a [u8]>,
    oids: Oids,
) -> Result<(&'a [u8], Option<&'a [u8]>, Option<&'a [u8]>), StructureError> {
    let mut seq = reader.sequence("ECPrivateKey")?;
    if seq.small_unsigned("ECPrivateKey version")? != 1 {
        return Err(der_error("ECPrivateKey version must be 1").into());
    }
    let d = seq.octet_string("ECPrivateKey privateKey")?;
    let curve = match seq.read_optional(TAG_CONTEXT_0, "ECPrivateKey parameters")? {
        Some(params) => {
            let mut params = seq.nested(params)?;
            let curve = algorithm::read_named_curve(&mut params, oids)?;
            params.finish("ECPrivateKey parameters")?;
            if expected.is_some_and(|e| e != curve) {
                return Err(der_error(
                    "the curve in ECPrivateKey differs from the one in PrivateKeyInfo",
                )
                .into());
            }
            Some(curve)
        }
        None => expected,
    };
    let point = match seq.read_optional(TAG_CONTEXT_1, "ECPrivateKey publicKey")? {
        Some(public) => {
            let mut public = seq.nested(public)?;
            let point = public.bit_string("ECPrivateKey publicKey")?;
            public.finish("ECPrivateKey publicKey")?;
            Some(point)
        }
        None => None,
    };
    seq.finish("ECPrivateKey")?;
    if let Some(curve) = curve {
        if let Some(expected) = (oids.scalar_len)(curve) {
            if d.len() != expected {
                return Err(StructureError::ScalarLength {
                    curve: curve.to_vec(),
                    expected,
                    len: d.len(),
                });
            }
        }
    }
    Ok((d, point, curve))
}

/// An `ECPrivateKey` holding the scalar and the public point, without curve parameters (the
/// curve is named once, in the enclosing PKCS#8 `AlgorithmIdentifier`), as OpenSSL and ring
/// write it.
pub(crate) fn write_without_parameters(d: &[u8], point: &[u8]) -> Vec<u8> {
    sequence(&[
        &unsigned_integer(&[1]),
        &tlv(TAG_OCTET_STRING, d),
        &tlv(TAG_CONTEXT_1, &bit_string(point)),
    ])
}
