//! Verification in the normative check order of SECURITY.md: size → structure → header → `alg`
//! allow-list → header parameters → `typ` → key → signature over the received bytes, and (JWT
//! layer) only then the payload and its claims.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;

use crate::base64url;
use crate::claims::{Claims, ClaimsVisitor, Fault, ParseReport};
use crate::error::{AlgorithmRejection, ClaimError, Error, MalformedError};
use crate::header::{AlgField, Header, ParsedHeader};
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
pub(crate) fn split(token: &str, max_size: usize) -> Result<Segments<'_>, Error> {
    if token.len() > max_size {
        return Err(Error::TokenTooLarge {
            size: token.len(),
            limit: max_size,
        });
    }
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
    Ok(Segments {
        signing_input: &token[..second],
        header: &token[..first],
        payload: &token[first + 1..second],
        signature: &token[second + 1..],
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

/// Steps 4–9 on a split token. Returns the verified header.
pub(crate) fn verify_segments<K: KeySource + ?Sized>(
    segments: &Segments<'_>,
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
    let signature_len = match base64url::decoded_len(segments.signature.len()) {
        Some(n) if n <= MAX_SIGNATURE_LEN => n,
        Some(_) => return Err(Error::InvalidSignature),
        None => {
            return Err(MalformedError::Base64 {
                segment: "signature",
            }
            .into());
        }
    };
    with_scratch(signature_len, |signature| {
        base64url::decode_to_slice(segments.signature, signature).map_err(|_| {
            MalformedError::Base64 {
                segment: "signature",
            }
        })?;
        key.verify(segments.signing_input.as_bytes(), signature)
    })?;
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

/// Verifies a compact JWS and returns its header and the still-encoded payload segment.
pub(crate) fn verify_compact<'t, K: KeySource + ?Sized>(
    token: &'t str,
    keys: &K,
    validation: &Validation,
) -> Result<(Header, &'t str), Error> {
    let segments = split(token, validation.max_token_size())?;
    let parsed = parse_header(segments.header)?;
    let header = verify_segments(&segments, parsed, keys, validation)?;
    Ok((header, segments.payload))
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
    let (header, payload) = verify_compact(token, keys, validation)?;
    let claims = parse_claims(payload, Some(validation))?;
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

fn parse_claims_bytes<T: DeserializeOwned>(
    bytes: &[u8],
    validation: Option<&Validation>,
) -> Result<Claims<T>, Error> {
    let text = std::str::from_utf8(bytes).map_err(|_| MalformedError::Json {
        segment: "payload",
        reason: "not UTF-8".into(),
    })?;

    let mut report = ParseReport::default();
    let parsed = parse_claims_text::<T>(text, &mut report);
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
            match parse_claims_text::<serde::de::IgnoredAny>(text, &mut rescan) {
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

fn fault_error(fault: Fault) -> Error {
    match fault {
        Fault::Duplicate(name) => MalformedError::Json {
            segment: "payload",
            reason: format!("duplicate member name {name:?}"),
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
}
