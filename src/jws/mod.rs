//! The JWS layer (RFC 7515, compact serialization): sign and verify arbitrary payload bytes.
//! The JWT functions [`encode`](crate::encode) and [`decode`](crate::decode) are a typed step
//! on top: claims are parsed and validated only after this layer has verified the signature.

pub(crate) mod decode;
pub(crate) mod encode;

pub use encode::{sign, sign_with_header_json};

use crate::error::Error;
use crate::header::Header;
use crate::keys::KeySource;
use crate::validation::Validation;

/// A verified JWS: its header and its payload bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    header: Header,
    payload: Vec<u8>,
}

impl Verified {
    /// The verified header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The payload bytes (possibly empty).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The header and the payload, by value.
    pub fn into_parts(self) -> (Header, Vec<u8>) {
        (self.header, self.payload)
    }
}

/// Verifies a compact JWS whose payload is not (necessarily) a JSON claims set.
///
/// Runs the same checks as [`decode`](crate::decode) up to and including the signature — size,
/// shape, header, algorithm allow-list and key binding, `crit`, `typ` — using only those parts
/// of `validation`. The payload is not parsed; an empty payload is a valid JWS payload.
///
/// ```
/// use webtoken::{jws, Algorithm, Header, SigningKey, Validation, VerifyingKey};
///
/// let key = SigningKey::hmac(Algorithm::Hs256, [3u8; 32])?;
/// let jws = jws::sign(&Header::empty(), b"any bytes", &key)?;
/// let verified = jws::verify(&jws, &key.verifying_key()?, &Validation::new())?;
/// assert_eq!(verified.payload(), b"any bytes");
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// # Errors
/// The [`Error`] of the first check that fails.
pub fn verify(
    token: &str,
    keys: &(impl KeySource + ?Sized),
    validation: &Validation,
) -> Result<Verified, Error> {
    decode::verify_then(token, keys, validation, |header, payload| {
        Ok(Verified {
            header,
            payload: payload?.to_vec(),
        })
    })
}
