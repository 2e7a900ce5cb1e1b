//! Verification in the normative check order of SECURITY.md: size → structure → header → `alg`
//! allow-list → header parameters → `typ` → key → signature over the received bytes, and (JWT
//! layer) only then the payload and its claims.

use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::base64url;
use crate::claims::{Claims, ClaimsVisitor, Fault, ParseReport};
use crate::error::{AlgorithmRejection, ClaimError, Error, MalformedError};
use crate::header::{AlgField, Header, MAX_HEADER_BYTES, ParsedHeader};
use crate::json::StrictFault;
use crate::keys::{KeySource, MAX_SIGNATURE_LEN};
use crate::token::Token;
use crate::validation::Validation;

/// The three segments of a compact JWS, checked for shape only.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segments<'a> {
    pub(crate) signing_input: &'a str,
    pub(crate) header: &'a str,
    pub(crate) payload: &'a str,
    pub(crate) signature: &'a str,
}

/// Steps 1 and 2: the size limit, the alphabet, exactly two dots, a non-empty header.
///
/// This is the strict shape check for callers that do not decode every segment
/// ([`UntrustedToken`](crate::UntrustedToken)); `decode` gets the same verdicts from
/// [`with_decoded_token`], which lets the Base64Url decoder check the alphabet.
pub(crate) fn split(token: &str, max_size: usize) -> Result<Segments<'_>, Error> {
    check_size(token, max_size)?;
    let (first, second) = check_shape(token)?;
    Ok(Segments::at(token, first, second))
}

impl<'a> Segments<'a> {
    fn at(token: &'a str, first: usize, second: usize) -> Self {
        Segments {
            signing_input: &token[..second],
            header: &token[..first],
            payload: &token[first + 1..second],
            signature: &token[second + 1..],
        }
    }
}

/// Step 1: the size limit, checked before any byte of the token is read.
fn check_size(token: &str, max_size: usize) -> Result<(), Error> {
    if token.len() > max_size {
        return Err(Error::TokenTooLarge {
            size: token.len(),
            limit: max_size,
        });
    }
    Ok(())
}

/// The alphabet, exactly two dots and a non-empty header; returns the positions of the dots.
fn check_shape(token: &str) -> Result<(usize, usize), Error> {
    let bytes = token.as_bytes();
    // One branch-free pass over fixed-size chunks (which the compiler vectorizes) checks the
    // alphabet and counts the dots; the exact position is looked for only on the error path.
    let mut all_valid = true;
    let mut count = 0usize;
    for chunk in bytes.chunks(64) {
        let mut valid = true;
        let mut dots = 0u8;
        for &b in chunk {
            #[allow(clippy::needless_bitwise_bool)] // branch-free, so it vectorizes
            {
                valid &= base64url::is_alphabet(b) | (b == b'.');
            }
            dots += u8::from(b == b'.');
        }
        all_valid &= valid;
        count += usize::from(dots);
    }
    if !all_valid {
        let position = bytes
            .iter()
            .position(|&b| b != b'.' && !base64url::is_alphabet(b))
            .unwrap_or(0);
        return Err(MalformedError::InvalidCharacter { position }.into());
    }
    if count != 2 {
        return Err(MalformedError::SegmentCount { found: count + 1 }.into());
    }
    // Exactly two dots: `find`/`rfind` use the standard library's word-at-a-time search.
    let (Some(first), Some(second)) = (token.find('.'), token.rfind('.')) else {
        return Err(MalformedError::SegmentCount { found: count + 1 }.into());
    };
    if first == 0 {
        return Err(MalformedError::EmptyHeader.into());
    }
    Ok((first, second))
}

/// The positions of the first and the last dot, when they differ and the header is not empty.
/// Both searches stop after a short segment (the header, the signature); a dot between them is
/// found by the payload's decoder, and [`check_shape`] then reports the segment count.
fn find_dots(token: &str) -> Option<(usize, usize)> {
    let first = token.find('.')?;
    let last = token.rfind('.')?;
    (first > 0 && first < last).then_some((first, last))
}

/// A token after steps 1–3: split at its dots and each segment decoded, in one pass per
/// segment. A segment that is not Base64Url for a reason other than its alphabet (a length or
/// trailing bits no canonical encoding has) is reported at its own step, so the signature's and
/// the payload's are kept here until then.
pub(crate) struct DecodedToken<'t, 'b> {
    /// The signed bytes: the received header and payload segments and the dot between them.
    pub(crate) signing_input: &'t [u8],
    /// The decoded header.
    pub(crate) header: &'b [u8],
    /// The decoded signature, or the error that step 9 reports.
    pub(crate) signature: Result<&'b [u8], Error>,
    /// The decoded payload, or the error that step 10 reports.
    pub(crate) payload: Result<&'b [u8], Error>,
}

/// Decodes one segment of `token` into `buf`. When it does not decode (not canonical Base64Url,
/// or longer than `buf`), the token's shape error comes first (step 2, the outer `Err`), else
/// the segment's own error, for the caller to report at the segment's step (the inner `Err`).
fn decode_segment<'b>(
    token: &str,
    encoded: &str,
    buf: &'b mut [u8],
    segment_error: impl FnOnce() -> Error,
) -> Result<Result<&'b [u8], Error>, Error> {
    if let Ok(n) = base64url::decode_to_slice(encoded, buf) {
        return Ok(Ok(&buf[..n]));
    }
    check_shape(token)?;
    Ok(Err(segment_error()))
}

/// Steps 1–3 for `decode`: the size limit, then the token split at its dots and every segment
/// decoded into one scratch buffer, then `f` on the result.
///
/// The Base64Url decoder rejects every character outside the alphabet, so the token's bytes are
/// read once; only when a segment fails to decode does the strict scan of [`check_shape`] run,
/// to report the same error (and the same position) as it would have first.
pub(crate) fn with_decoded_token<R>(
    token: &str,
    max_size: usize,
    f: impl FnOnce(DecodedToken<'_, '_>) -> Result<R, Error>,
) -> Result<R, Error> {
    check_size(token, max_size)?;
    let (first, second) = match find_dots(token) {
        Some(dots) => dots,
        None => check_shape(token)?,
    };
    let segments = Segments::at(token, first, second);
    let header_len = base64url::decoded_len(segments.header.len()).unwrap_or(0);
    if header_len > MAX_HEADER_BYTES {
        // Step 3, without decoding a byte of it (a shape error of step 2 still comes first).
        check_shape(token)?;
        return Err(MalformedError::HeaderTooLarge {
            size: header_len,
            limit: MAX_HEADER_BYTES,
        }
        .into());
    }
    let payload_len = base64url::decoded_len(segments.payload.len()).unwrap_or(0);
    // An over-long signature is not decoded: no key verifies it (step 9 says so).
    let signature_len = base64url::decoded_len(segments.signature.len());
    let signature_too_long = signature_len.is_some_and(|n| n > MAX_SIGNATURE_LEN);
    let signature_buf_len = if signature_too_long {
        0
    } else {
        signature_len.unwrap_or(0)
    };
    with_scratch(header_len + signature_buf_len + payload_len, |buf| {
        let (header_buf, rest) = buf.split_at_mut(header_len);
        let (signature_buf, payload_buf) = rest.split_at_mut(signature_buf_len);
        let base64_error = |segment| -> Error { MalformedError::Base64 { segment }.into() };
        let header = decode_segment(token, segments.header, header_buf, || {
            base64_error("header")
        })??;
        let signature = decode_segment(token, segments.signature, signature_buf, || {
            if signature_too_long {
                Error::InvalidSignature
            } else {
                base64_error("signature")
            }
        })?;
        let payload = decode_segment(token, segments.payload, payload_buf, || {
            base64_error("payload")
        })?;
        f(DecodedToken {
            signing_input: segments.signing_input.as_bytes(),
            header,
            signature,
            payload,
        })
    })
}

/// Runs `f` on a zeroed scratch buffer of exactly `len` bytes: on the stack, in the smallest of
/// a few sizes that fits (so a 300-byte token does not zero kilobytes per call), else on the
/// heap.
fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    if len <= 128 {
        f(&mut [0u8; 128][..len])
    } else if len <= 512 {
        f(&mut [0u8; 512][..len])
    } else if len <= 4096 {
        f(&mut [0u8; 4096][..len])
    } else {
        f(&mut vec![0u8; len])
    }
}

/// Decodes a Base64Url segment into scratch space and hands the bytes to `f`.
fn with_decoded<R>(
    encoded: &str,
    segment: &'static str,
    f: impl FnOnce(&[u8]) -> Result<R, Error>,
) -> Result<R, Error> {
    let err = MalformedError::Base64 { segment };
    let len = base64url::decoded_len(encoded.len()).ok_or(err.clone())?;
    with_scratch(len, |buf| {
        let n = base64url::decode_to_slice(encoded, buf).map_err(|_| err)?;
        f(&buf[..n])
    })
}

/// Step 3: the header as parsed (not yet checked against any policy).
pub(crate) fn parse_header(segment: &str) -> Result<ParsedHeader, Error> {
    with_decoded(segment, "header", |bytes| Ok(ParsedHeader::parse(bytes)?))
}

/// Steps 4–9 on a decoded token. Returns the verified header.
fn verify_decoded<K: KeySource + ?Sized>(
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
            return Err(Error::AlgorithmNotAllowed {
                reason: AlgorithmRejection::NotAllowed {
                    found: name.clone(),
                },
            });
        }
        AlgField::Known(algorithm) => *algorithm,
    };
    // Step 5: the allow-list.
    if !validation.check_algorithm_allowed(algorithm) {
        return Err(Error::AlgorithmNotAllowed {
            reason: AlgorithmRejection::NotAllowed {
                found: algorithm.as_str().to_owned(),
            },
        });
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
        return Err(Error::AlgorithmNotAllowed {
            reason: AlgorithmRejection::KeyMismatch {
                found: algorithm,
                key_algorithm: Some(key.algorithm()),
                key_family: key.family(),
            },
        });
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

/// Verifies a compact JWS (steps 1–9), then hands its header and decoded payload (or the
/// payload's Base64Url error, step 10) to `then`.
pub(crate) fn verify_then<K: KeySource + ?Sized, R>(
    token: &str,
    keys: &K,
    validation: &Validation,
    then: impl FnOnce(Header, Result<&[u8], Error>) -> Result<R, Error>,
) -> Result<R, Error> {
    with_decoded_token(token, validation.max_token_size(), |decoded| {
        let parsed = ParsedHeader::parse(decoded.header)?;
        let header = verify_decoded(
            decoded.signing_input,
            decoded.signature,
            parsed,
            keys,
            validation,
        )?;
        then(header, decoded.payload)
    })
}

/// Decodes, verifies and validates a JWT, returning its header and typed claims.
///
/// This is the one call a service needs: it checks, in this order, the token's size, its shape
/// and encoding, the header, that `alg` is allowed and is the algorithm of the key (chosen by
/// `kid` when `keys` is a key set), `crit` and `typ`, the signature over the received bytes, and
/// only then parses the claims and validates them (types, required claims, `exp`/`nbf`/`iat`
/// with leeway, `iss`/`sub`/`aud`). The first failing check decides the error.
///
/// `T` receives the custom claims (those other than `iss`, `sub`, `aud`, `exp`, `nbf`, `iat`,
/// `jti`, which are in [`Claims`]); use `()` when there are none, or
/// `serde_json::Map<String, serde_json::Value>` to keep them untyped.
///
/// ```
/// use std::time::Duration;
/// use serde::{Deserialize, Serialize};
/// use webtoken::{Algorithm, Claims, Header, SigningKey, Validation, VerifyingKey};
///
/// #[derive(Serialize, Deserialize)]
/// struct Role { role: String }
///
/// let secret = [0x5a; 32];
/// let claims = Claims::new(Role { role: "admin".into() })
///     .with_subject("user-42")
///     .expires_in(Duration::from_secs(900));
/// let jwt = webtoken::encode(&Header::new(), &claims, &SigningKey::hmac(Algorithm::Hs256, secret)?)?;
///
/// let key = VerifyingKey::hmac(Algorithm::Hs256, secret)?;
/// let token = webtoken::decode::<Role>(&jwt, &key, &Validation::new())?;
/// assert_eq!(token.claims().subject.as_deref(), Some("user-42"));
/// assert_eq!(token.claims().custom.role, "admin");
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// # Errors
/// The [`Error`] of the first check that fails; [`Error::kind`] gives its stable category.
pub fn decode<T: DeserializeOwned>(
    token: &str,
    keys: &(impl KeySource + ?Sized),
    validation: &Validation,
) -> Result<Token<T>, Error> {
    verify_then(token, keys, validation, |header, payload| {
        let claims = parse_claims_bytes(payload?, Some(validation))?;
        Ok(Token::new(header, claims))
    })
}

/// [`decode`] for claim types that borrow from the payload: `&'a str` fields, or
/// `Cow<'a, str>` with `#[serde(borrow)]` (which borrows when a string has no escapes).
///
/// The decoded payload is kept in `buffer`, and the custom claims borrow from it, so they
/// allocate nothing for their strings; reuse one buffer across calls and the payload does not
/// allocate either. The checks and their order are exactly those of [`decode`]. The registered
/// claims in [`Claims`] are owned, as always.
///
/// ```
/// use std::borrow::Cow;
/// use std::time::Duration;
/// use serde::{Deserialize, Serialize};
/// use webtoken::{Algorithm, Claims, Header, SigningKey, Validation, VerifyingKey};
///
/// #[derive(Serialize, Deserialize)]
/// struct Profile<'a> {
///     name: &'a str,            // fails to decode when the JSON string has escapes
///     #[serde(borrow)]
///     email: Cow<'a, str>,      // borrows when it can, owns when it must
///     roles: Vec<&'a str>,
/// }
///
/// let secret = [0x5a; 32];
/// let profile = Profile { name: "Ada", email: "ada@example.com".into(), roles: vec!["admin"] };
/// let claims = Claims::new(profile).expires_in(Duration::from_secs(900));
/// let jwt = webtoken::encode(&Header::new(), &claims, &SigningKey::hmac(Algorithm::Hs256, secret)?)?;
///
/// let key = VerifyingKey::hmac(Algorithm::Hs256, secret)?;
/// let mut buffer = Vec::new(); // reuse it for the next token
/// let token = webtoken::decode_borrowed::<Profile<'_>>(&jwt, &key, &Validation::new(), &mut buffer)?;
/// assert_eq!(token.claims().custom.name, "Ada");
/// assert!(matches!(token.claims().custom.email, Cow::Borrowed("ada@example.com")));
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// # Errors
/// As [`decode`].
pub fn decode_borrowed<'b, T: Deserialize<'b>>(
    token: &str,
    keys: &(impl KeySource + ?Sized),
    validation: &Validation,
    buffer: &'b mut Vec<u8>,
) -> Result<Token<T>, Error> {
    let header = verify_then(token, keys, validation, |header, payload| {
        buffer.clear();
        buffer.extend_from_slice(payload?);
        Ok(header)
    })?;
    let payload: &'b [u8] = buffer;
    let claims = parse_claims_bytes(payload, Some(validation))?;
    Ok(Token::new(header, claims))
}

/// Steps 10–15: decode and parse the payload, then validate (when a validation is given).
pub(crate) fn parse_claims<T: DeserializeOwned>(
    payload_segment: &str,
    validation: Option<&Validation>,
) -> Result<Claims<T>, Error> {
    with_decoded(payload_segment, "payload", |bytes| {
        parse_claims_bytes(bytes, validation)
    })
}

fn parse_claims_bytes<'de, T: Deserialize<'de>>(
    bytes: &'de [u8],
    validation: Option<&Validation>,
) -> Result<Claims<T>, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| MalformedError::Json {
        segment: "payload",
        reason: "not UTF-8".into(),
    })?;

    let mut report = ParseReport::default();
    let parsed = parse_claims_text::<T>(text, &mut report);
    // A duplicate inside a value (at any depth) is malformed JSON (step 10), whatever the
    // custom type made of the error.
    if let Some(fault) = report.strict.take() {
        return Err(strict_error(&fault));
    }
    match parsed {
        Ok(claims) => {
            if let Some(fault) = report.fault {
                return Err(fault_error(fault));
            }
            if let Some(validation) = validation {
                validation.validate(&claims, Some(&report.seen))?;
            }
            Ok(claims)
        }
        Err(e) if !e.is_data() => Err(match report.fault {
            // A syntax error (including the nesting limit) or a duplicate: malformed.
            Some(Fault::Duplicate(name)) => fault_error(Fault::Duplicate(name)),
            _ => payload_json_error(&e),
        }),
        Err(custom_error) => {
            // Error path only: read the payload again without the custom type, so that a
            // malformed payload, a duplicate, a wrongly typed registered claim or a failed
            // validation is reported before the custom type's own error (check order).
            let mut rescan = ParseReport::default();
            let rescanned = parse_claims_text::<serde::de::IgnoredAny>(text, &mut rescan);
            if let Some(fault) = rescan.strict.take() {
                return Err(strict_error(&fault));
            }
            match rescanned {
                Err(e) => Err(match rescan.fault {
                    Some(Fault::Duplicate(name)) => fault_error(Fault::Duplicate(name)),
                    _ => payload_json_error(&e),
                }),
                Ok(registered) => {
                    if let Some(fault) = rescan.fault {
                        return Err(fault_error(fault));
                    }
                    if let Some(validation) = validation {
                        validation.validate(&registered, Some(&rescan.seen))?;
                    }
                    Err(ClaimError::Custom {
                        message: custom_error.to_string(),
                    }
                    .into())
                }
            }
        }
    }
}

fn parse_claims_text<'de, T: serde::Deserialize<'de>>(
    text: &'de str,
    report: &mut ParseReport<'de>,
) -> Result<Claims<T>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let claims = serde::Deserializer::deserialize_map(
        &mut de,
        ClaimsVisitor {
            report,
            marker: PhantomData,
        },
    )?;
    de.end()?;
    Ok(claims)
}

fn strict_error(fault: &StrictFault) -> Error {
    MalformedError::Json {
        segment: "payload",
        reason: fault.to_string(),
    }
    .into()
}

fn fault_error(fault: Fault) -> Error {
    match fault {
        fault @ Fault::Duplicate(_) => MalformedError::Json {
            segment: "payload",
            reason: fault.to_string(),
        }
        .into(),
        Fault::InvalidType { claim, reason } => ClaimError::InvalidType { claim, reason }.into(),
    }
}

fn payload_json_error(e: &serde_json::Error) -> Error {
    MalformedError::Json {
        segment: "payload",
        reason: e.to_string(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_checks_shape_before_anything_else() {
        assert!(matches!(
            split("a.b.c", 4),
            Err(Error::TokenTooLarge { size: 5, limit: 4 })
        ));
        let kinds = |t: &str| split(t, 1000).map(|_| ()).map_err(|e| e.to_string());
        assert!(kinds("a.b.c").is_ok());
        assert!(kinds("a.b.").is_ok());
        assert!(kinds("a..c").is_ok());
        assert_eq!(
            kinds(".b.c").unwrap_err(),
            "header segment is empty".to_owned()
        );
        for bad in [
            "", "abc", "a.b", "a.b.c.d", "a.b.c.", "a b.c.d", "a.b.c=", "a.b.c\n",
        ] {
            assert!(kinds(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn many_dots_do_not_allocate_per_segment() {
        let dots = ".".repeat(1_000_000);
        assert!(matches!(
            split(&dots, usize::MAX),
            Err(Error::Malformed(MalformedError::SegmentCount {
                found: 1_000_001
            }))
        ));
    }

    /// `decode` lets the Base64Url decoder check the alphabet and runs the strict scan only when
    /// a segment fails; every shape error must still come first, exactly as `split` reports it.
    #[test]
    fn decode_reports_shape_errors_exactly_as_the_strict_scan() {
        use crate::{Algorithm, VerifyingKey};
        let key = VerifyingKey::hmac(Algorithm::Hs256, [7u8; 32]).unwrap();
        let validation = Validation::new();
        // `alg: none` and a short signature: were the alphabet or the dots checked late, an
        // algorithm or signature error would win.
        let token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.c2lnbmF0dXJl";
        let mut cases = 0;
        for position in 0..=token.len() {
            for insert in ["+", "=", ".", " ", "é", "..", "A", "AA"] {
                let mut bad = token.to_owned();
                bad.insert_str(position, insert);
                for replace in [false, true] {
                    let t = if replace && position < token.len() {
                        let mut r = token.to_owned();
                        r.replace_range(position..=position, insert);
                        r
                    } else {
                        bad.clone()
                    };
                    let Err(expected) = split(&t, 1000) else {
                        continue;
                    };
                    let found = decode::<()>(&t, &key, &validation).unwrap_err();
                    assert_eq!(found.to_string(), expected.to_string(), "{t:?}");
                    cases += 1;
                }
            }
        }
        assert!(cases > 500, "{cases}");
    }

    #[test]
    fn base64_errors_of_signature_and_payload_keep_their_steps() {
        use crate::{Algorithm, SigningKey, VerifyingKey, jws};
        let signing = SigningKey::hmac(Algorithm::Hs256, [7u8; 32]).unwrap();
        let key = VerifyingKey::hmac(Algorithm::Hs256, [7u8; 32]).unwrap();
        let validation = Validation::new();
        let kind = |t: &str| decode::<()>(t, &key, &validation).unwrap_err().to_string();
        // A payload of impossible length (5 characters) that is correctly signed: step 10.
        let signed = jws::sign_with_header_json(r#"{"alg":"HS256"}"#, b"", &signing).unwrap();
        let (header, signature) = signed.split_once("..").unwrap();
        let input = format!("{header}.AAAAA");
        let mac = signing.sign(input.as_bytes()).unwrap();
        let token = format!("{input}.{}", crate::base64url::encode(mac));
        let base64 = |segment| Error::from(MalformedError::Base64 { segment }).to_string();
        assert_eq!(kind(&token), base64("payload"));
        // The same payload with a wrong signature: the signature (step 9) decides.
        assert_eq!(
            kind(&format!("{input}.{signature}")),
            Error::InvalidSignature.to_string()
        );
        // A signature of impossible length: step 9, after the header and key checks.
        assert_eq!(kind(&format!("{header}.e30.AAAAA")), base64("signature"));
    }
}
