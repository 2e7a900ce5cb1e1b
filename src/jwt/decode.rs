//! `decode`, in the check order of SECURITY.md §4. The JWS layer runs steps 1–9 top to bottom
//! in `jws::verify_then` (jws/verify.rs); this file runs steps 10–15 top to bottom in
//! [`parse_claims_bytes`]:
//!
//! | step | check | where |
//! |---|---|---|
//! | 1, 2 | size; shape (alphabet, two dots, non-empty header) | jws/compact.rs, `with_decoded_token` |
//! | 3 | header: Base64Url, ≤ 16 KiB, one JSON object, no duplicates | jws/compact.rs; header/parse.rs, `ParsedHeader::parse` |
//! | 4, 5 | `alg` present, a string, allow-listed | jws/verify.rs, `verify_header_key_signature` |
//! | 6 | `crit`, `b64`, parameter types | header/parse.rs, `ParsedHeader::check_parameters` |
//! | 7 | `typ` | validation.rs, `Validation::check_type` |
//! | 8 | key by `kid`, bound to `alg` | jws/verify.rs (`KeySource::find_key`) |
//! | 9 | signature over the received bytes | jws/verify.rs (`VerifyingKey::verify`) |
//! | 10 | payload: Base64Url, UTF-8, one JSON object, no duplicates at any depth | here |
//! | 11 | registered claims' JSON types | here (read by claims.rs's `ClaimsVisitor`) |
//! | 12–14 | required claims; `exp`/`nbf`/`iat`; `iss`/`sub`/`aud` | validation.rs, `Validation::validate` |
//! | 15 | the custom claims' own type | here |

use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::claims::{Claims, ClaimsVisitor, Fault, ParseReport};
use crate::error::{ClaimError, Error, MalformedError};
use crate::json::StrictFault;
use crate::jws;
use crate::keys::KeySource;
use crate::validation::Validation;

use super::Token;

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
/// let jwt = webtoken::encode(&Header::new(), &claims, &SigningKey::hmac(secret, Algorithm::Hs256)?)?;
///
/// let key = VerifyingKey::hmac(secret, Algorithm::Hs256)?;
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
    jws::verify_then(token, keys, validation, |header, payload| {
        let claims = parse_claims_bytes(payload?, Some(validation))?;
        Ok(Token::new(header, claims))
    })
    .map_err(name_encrypted)
}

/// A token of five segments is an encrypted token (JWE): say so, and name the entry point that
/// reads it, instead of only counting its segments.
pub(crate) fn name_encrypted(error: Error) -> Error {
    match error {
        Error::Malformed(MalformedError::SegmentCount { found: 5 }) => {
            MalformedError::EncryptedToken.into()
        }
        other => other,
    }
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
/// let jwt = webtoken::encode(&Header::new(), &claims, &SigningKey::hmac(secret, Algorithm::Hs256)?)?;
///
/// let key = VerifyingKey::hmac(secret, Algorithm::Hs256)?;
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
    let header = jws::verify_then(token, keys, validation, |header, payload| {
        buffer.clear();
        buffer.extend_from_slice(payload?);
        Ok(header)
    })
    .map_err(name_encrypted)?;
    let payload: &'b [u8] = buffer;
    let claims = parse_claims_bytes(payload, Some(validation))?;
    Ok(Token::new(header, claims))
}

/// Steps 10–15 on a payload segment: decode it, parse it, then validate (when a validation is
/// given).
pub(crate) fn parse_claims<T: DeserializeOwned>(
    payload_segment: &str,
    validation: Option<&Validation>,
) -> Result<Claims<T>, Error> {
    jws::with_decoded(payload_segment, "payload", |bytes| {
        parse_claims_bytes(bytes, validation)
    })
}

pub(crate) fn parse_claims_bytes<'de, T: Deserialize<'de>>(
    bytes: &'de [u8],
    validation: Option<&Validation>,
) -> Result<Claims<T>, Error> {
    // Step 10: the payload is UTF-8 JSON (its Base64Url was checked by the JWS layer).
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
            // Step 10 (a duplicate name) or 11 (a registered claim of the wrong type).
            if let Some(fault) = report.fault {
                return Err(fault_error(fault));
            }
            // Steps 12–14: required claims, then `exp`/`nbf`/`iat`, then `iss`/`sub`/`aud`.
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
                    // Step 15: everything else passed; the custom type's own error.
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

    /// `decode` lets the Base64Url decoder check the alphabet and runs the strict scan only when
    /// a segment fails; every shape error must still come first, exactly as `split` reports it.
    #[test]
    fn decode_reports_shape_errors_exactly_as_the_strict_scan() {
        use crate::{Algorithm, VerifyingKey};
        let key = VerifyingKey::hmac([7u8; 32], Algorithm::Hs256).unwrap();
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
                    let Err(expected) = jws::split(&t, 1000).map_err(name_encrypted) else {
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
        let signing = SigningKey::hmac([7u8; 32], Algorithm::Hs256).unwrap();
        let key = VerifyingKey::hmac([7u8; 32], Algorithm::Hs256).unwrap();
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
