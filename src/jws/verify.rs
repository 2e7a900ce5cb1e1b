//! Verification of a compact JWS: steps 1–9 of the check order of SECURITY.md §4, top to
//! bottom in [`verify_then`]. The JWT layer continues with steps 10–15 (payload, claim types,
//! required claims, time, `iss`/`sub`/`aud`, custom claims) in `jwt/decode.rs`.

use crate::error::{AlgorithmRejection, Error, MalformedError};
use crate::header::{AlgField, Header, ParsedHeader};
use crate::keys::KeySource;
use crate::validation::Validation;

use super::compact::with_decoded_token;

/// A verified JWS: its header and its payload bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    header: Header,
    payload: Vec<u8>,
}

impl Verified {
    /// The verified header.
    ///
    /// ```
    /// use webtoken::{jws, Algorithm, Header, SigningKey, Validation};
    ///
    /// let key = SigningKey::hmac([3u8; 32], Algorithm::Hs256)?;
    /// let jws = jws::sign(&Header::empty().with_content_type("text/plain"), b"hi", &key)?;
    /// let verified = jws::verify(&jws, &key.verifying_key()?, &Validation::new())?;
    /// assert_eq!(verified.header().content_type(), Some("text/plain"));
    /// let (header, payload) = verified.into_parts();
    /// assert_eq!((header.algorithm(), payload), (Some(Algorithm::Hs256), b"hi".to_vec()));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
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
/// let key = SigningKey::hmac([3u8; 32], Algorithm::Hs256)?;
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
    verify_then(token, keys, validation, |header, payload| {
        Ok(Verified {
            header,
            payload: payload?.to_vec(),
        })
    })
}

/// Verifies a compact JWS, steps 1–9 in order, then hands its header and decoded payload (or
/// the payload's Base64Url error, which step 10 reports) to `then`.
pub(crate) fn verify_then<K: KeySource + ?Sized, R>(
    token: &str,
    keys: &K,
    validation: &Validation,
    then: impl FnOnce(Header, Result<&[u8], Error>) -> Result<R, Error>,
) -> Result<R, Error> {
    // Steps 1–3: size, shape, and every segment decoded (the header's size checked first).
    with_decoded_token(token, validation.max_token_size(), |decoded| {
        // Step 3: the header is one JSON object, without duplicate names.
        let parsed = ParsedHeader::parse(decoded.header)?;
        let header = verify_header_key_signature(
            decoded.signing_input,
            decoded.signature,
            parsed,
            keys,
            validation,
        )?;
        then(header, decoded.payload)
    })
}

/// Steps 4–9 on a decoded token. Returns the verified header.
fn verify_header_key_signature<K: KeySource + ?Sized>(
    signing_input: &[u8],
    signature: Result<&[u8], Error>,
    parsed: ParsedHeader,
    keys: &K,
    validation: &Validation,
) -> Result<Header, Error> {
    // Step 4: `alg` present and a string.
    let algorithm = match &parsed.alg {
        AlgField::Missing => return Err(header_error("alg", "is missing")),
        AlgField::NotAString => return Err(header_error("alg", "must be a string")),
        AlgField::Unknown(name) => {
            return Err(Error::AlgorithmNotAllowed(AlgorithmRejection::NotAllowed {
                found: name.clone(),
            }));
        }
        AlgField::Known(algorithm) => *algorithm,
    };
    // Step 5: the allow-list.
    if !validation.check_algorithm_allowed(algorithm) {
        return Err(Error::AlgorithmNotAllowed(AlgorithmRejection::NotAllowed {
            found: algorithm.as_str().to_owned(),
        }));
    }
    // Step 6: crit, b64 and parameter types.
    parsed.check_parameters()?;
    let mut header = parsed.header;
    // Step 7: typ.
    validation.check_type(header.token_type())?;
    // Step 8: the key, chosen by kid and bound to the algorithm.
    let key = keys.find_key(header.key_id(), algorithm)?;
    if key.algorithm() != algorithm {
        // A key source must only return a key bound to the algorithm it was asked for.
        return Err(Error::AlgorithmNotAllowed(
            AlgorithmRejection::KeyMismatch {
                found: algorithm,
                key_algorithm: Some(key.algorithm()),
                key_family: key.family(),
            },
        ));
    }
    // Step 9: the signature, over the received ASCII.
    key.verify(signing_input, signature?)?;
    header.set_algorithm(algorithm);
    Ok(header)
}

fn header_error(parameter: &'static str, reason: &'static str) -> Error {
    MalformedError::Header {
        parameter,
        reason: reason.into(),
    }
    .into()
}
