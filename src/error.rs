//! Errors: one [`Error`] type with categories that say what the caller should do, and a stable
//! [`ErrorKind`] for logs, metrics and the `jwt` example's `error: KIND: message` lines.
//!
//! Messages are lowercase, name the wire term and never contain key material, expected
//! signatures or whole tokens (CVE-2019-7644). Strings from the input are shown escaped (as
//! [`str::escape_debug`] does: no raw control character, ESC, CR or LF) and cut after 64
//! characters with their full length, `"aaaa…" (65536 bytes)`; free-text reasons that quote
//! the input (serde's messages) after 256 characters; lists after 4 values. The length of a
//! message does not grow with the token. The fields keep the full values.

use std::borrow::Cow;
use std::fmt;

use crate::algorithm::{Algorithm, AlgorithmFamily};
use crate::message::{DisplayOpt, List, Message, OneOf, Untrusted};
use crate::time::NumericDate;

pub(crate) use crate::keys::error::KeyError;

/// Everything that can go wrong when encoding, decoding or verifying a token, or building a key.
///
/// Match on [`Error::kind`] for a stable, coarse category; the variants carry the detail
/// (expected versus found values) that a log line or an HTTP error body needs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token is longer than [`Validation::with_max_token_size`](crate::Validation::with_max_token_size)
    /// allows; it was refused before any decoding.
    #[error(transparent)]
    TokenTooLarge(#[from] TooLargeError),
    /// The token is not a well-formed JWS compact serialization, or its header is not
    /// acceptable (see [`MalformedError`]).
    #[error(transparent)]
    Malformed(#[from] MalformedError),
    /// The header's `alg` is not allowed by the validation, or does not match the algorithm
    /// the key is bound to.
    #[error(transparent)]
    AlgorithmNotAllowed(#[from] AlgorithmRejection),
    /// The header's `crit` names an extension webtoken does not implement (RFC 7515 §4.1.11).
    #[error(transparent)]
    UnsupportedCriticalHeader(#[from] CriticalHeaderError),
    /// The header's `typ` is not the type the validation requires (RFC 8725 §3.11).
    #[error(transparent)]
    InvalidType(#[from] TokenTypeError),
    /// No key of the key source matches the token (its `kid`, or its `alg` when it has no
    /// `kid`); a [`KeyStore`](crate::jwks::KeyStore) also says why it had no newer JWK Set
    /// to look in (see [`UnknownKeyError`]).
    #[error(transparent)]
    UnknownKey(#[from] UnknownKeyError),
    /// The signature does not verify with the key. On purpose, no detail is given.
    #[error("signature verification failed")]
    InvalidSignature,
    /// A claim is missing, wrongly typed, or fails validation (see [`ClaimError`]).
    #[error(transparent)]
    Claim(#[from] ClaimError),
    /// A key could not be built or used (see [`KeyError`]).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The header or the claims could not be serialized to JSON while encoding.
    #[error(transparent)]
    Serialize(#[from] SerializeError),
    /// An encrypted token (JWE) could not be decrypted: its key could not be unwrapped or
    /// agreed, or its ciphertext and tag do not authenticate. On purpose, every such failure is
    /// this one variant with one message, so that no answer tells them apart (RFC 7516 §11.5).
    #[cfg(feature = "jwe")]
    #[error("decryption failed")]
    DecryptionFailed,
}

impl Error {
    /// The stable category of this error.
    ///
    /// ```
    /// use webtoken::{ErrorKind, Validation, VerifyingKey, Algorithm};
    ///
    /// let key = VerifyingKey::hmac(&[7u8; 32], Algorithm::Hs256)?;
    /// let err = webtoken::decode::<()>("not a token", &key, &Validation::new()).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Malformed);
    /// assert_eq!(err.kind().as_str(), "malformed");
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::TokenTooLarge(_) => ErrorKind::TokenTooLarge,
            Self::Malformed(_) => ErrorKind::Malformed,
            Self::AlgorithmNotAllowed(_) => ErrorKind::AlgorithmNotAllowed,
            Self::UnsupportedCriticalHeader(_) => ErrorKind::UnsupportedCriticalHeader,
            Self::InvalidType(_) => ErrorKind::InvalidType,
            Self::UnknownKey(_) => ErrorKind::UnknownKey,
            Self::InvalidSignature => ErrorKind::InvalidSignature,
            Self::Claim(c) => c.kind(),
            Self::Key(_) => ErrorKind::InvalidKey,
            Self::Serialize(_) => ErrorKind::Serialize,
            #[cfg(feature = "jwe")]
            Self::DecryptionFailed => ErrorKind::DecryptionFailed,
        }
    }
}

/// The stable, coarse category of an [`Error`].
///
/// The `snake_case` names from [`ErrorKind::as_str`] are part of the public interface: the `jwt`
/// example prints them, and logs and metrics may key on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `malformed`: not a well-formed token, or an unacceptable header.
    Malformed,
    /// `algorithm_not_allowed`: `alg` not allowed, or not the algorithm of the key.
    AlgorithmNotAllowed,
    /// `invalid_signature`: the signature does not verify.
    InvalidSignature,
    /// `invalid_key`: the key is unusable (weak, malformed, wrong type).
    InvalidKey,
    /// `unknown_key`: no key matches the token's `kid`.
    UnknownKey,
    /// `expired`: `exp` is in the past (beyond the leeway).
    Expired,
    /// `not_yet_valid`: `nbf` or `iat` is in the future (beyond the leeway).
    NotYetValid,
    /// `invalid_issuer`: `iss` is not an accepted issuer.
    InvalidIssuer,
    /// `invalid_audience`: `aud` names none of the accepted audiences, or is unexpected.
    InvalidAudience,
    /// `invalid_subject`: `sub` is not the expected subject.
    InvalidSubject,
    /// `missing_claim`: a required claim is absent.
    MissingClaim,
    /// `invalid_claim`: a claim has the wrong JSON type or value, or the custom claims do not
    /// deserialize.
    InvalidClaim,
    /// `invalid_type`: the header's `typ` is not the required one.
    InvalidType,
    /// `unsupported_critical_header`: `crit` names an unsupported extension.
    UnsupportedCriticalHeader,
    /// `token_too_large`: the token exceeds the size limit.
    TokenTooLarge,
    /// `serialize`: the header or the claims could not be serialized as JSON while encoding.
    Serialize,
    /// `decryption_failed`: an encrypted token (JWE) could not be decrypted (its key did not
    /// unwrap, or its ciphertext did not authenticate); one kind for every such failure
    /// (`jwe` feature).
    #[cfg(feature = "jwe")]
    DecryptionFailed,
}

impl ErrorKind {
    /// Every kind, in the order of the documentation.
    #[cfg(not(feature = "jwe"))]
    pub const ALL: [ErrorKind; 16] = Self::BASE;

    /// Every kind, in the order of the documentation.
    #[cfg(feature = "jwe")]
    pub const ALL: [ErrorKind; 17] = {
        let mut all = [Self::DecryptionFailed; 17];
        let mut i = 0;
        while i < Self::BASE.len() {
            all[i] = Self::BASE[i];
            i += 1;
        }
        all
    };

    const BASE: [ErrorKind; 16] = [
        Self::Malformed,
        Self::AlgorithmNotAllowed,
        Self::InvalidSignature,
        Self::InvalidKey,
        Self::UnknownKey,
        Self::Expired,
        Self::NotYetValid,
        Self::InvalidIssuer,
        Self::InvalidAudience,
        Self::InvalidSubject,
        Self::MissingClaim,
        Self::InvalidClaim,
        Self::InvalidType,
        Self::UnsupportedCriticalHeader,
        Self::TokenTooLarge,
        Self::Serialize,
    ];

    /// The stable `snake_case` name of the kind (`"invalid_signature"`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::AlgorithmNotAllowed => "algorithm_not_allowed",
            Self::InvalidSignature => "invalid_signature",
            Self::InvalidKey => "invalid_key",
            Self::UnknownKey => "unknown_key",
            Self::Expired => "expired",
            Self::NotYetValid => "not_yet_valid",
            Self::InvalidIssuer => "invalid_issuer",
            Self::InvalidAudience => "invalid_audience",
            Self::InvalidSubject => "invalid_subject",
            Self::MissingClaim => "missing_claim",
            Self::InvalidClaim => "invalid_claim",
            Self::InvalidType => "invalid_type",
            Self::UnsupportedCriticalHeader => "unsupported_critical_header",
            Self::TokenTooLarge => "token_too_large",
            Self::Serialize => "serialize",
            #[cfg(feature = "jwe")]
            Self::DecryptionFailed => "decryption_failed",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a token's `alg` was refused ([`Error::AlgorithmNotAllowed`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AlgorithmRejection {
    /// The `alg` string is not in the validation's allow-list (this includes `none`, names in
    /// the wrong case and algorithms webtoken does not implement).
    NotAllowed {
        /// The token's `alg`, as sent.
        found: String,
    },
    /// The content encryption (`enc`) of an encrypted token (JWE) is not in the allow-list of
    /// the decryption (this includes names webtoken does not implement).
    #[cfg(feature = "jwe")]
    EncryptionNotAllowed {
        /// The token's `enc`, as sent.
        found: String,
    },
    /// The algorithm is allowed, but the key that was selected is bound to another algorithm
    /// (RFC 8725 §3.1: each key is used with exactly one algorithm).
    KeyMismatch {
        /// The token's algorithm.
        found: Algorithm,
        /// The algorithm the key is bound to, when it is bound to exactly one.
        key_algorithm: Option<Algorithm>,
        /// The key's family.
        key_family: AlgorithmFamily,
    },
}

impl fmt::Display for AlgorithmRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAllowed { found } => {
                write!(f, "algorithm (alg) {} is not allowed", Untrusted(found))
            }
            #[cfg(feature = "jwe")]
            Self::EncryptionNotAllowed { found } => write!(
                f,
                "content encryption (enc) {} is not allowed",
                Untrusted(found)
            ),
            Self::KeyMismatch {
                found,
                key_algorithm: Some(bound),
                ..
            } => write!(
                f,
                "algorithm (alg) {found} does not match the key, which is bound to {bound}"
            ),
            Self::KeyMismatch {
                found, key_family, ..
            } => write!(
                f,
                "algorithm (alg) {found} cannot be used with an {}",
                key_family.name()
            ),
        }
    }
}

impl std::error::Error for AlgorithmRejection {}

/// No key matches the token ([`Error::UnknownKey`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnknownKeyError {
    /// No key of the key source matches the token (its `kid`, or its `alg` when it has no
    /// `kid`).
    #[error("no key found for {}", match kid { Some(kid) => format!("kid {}", Untrusted(kid)), None => "a token without kid".to_owned() })]
    NotFound {
        /// The token's `kid`, if it had one.
        kid: Option<String>,
    },
    /// No key of a [`KeyStore`](crate::jwks::KeyStore) matches the token, and the store
    /// did not get a newer JWK Set to look in: its last fetch failed, the cooldown held the
    /// refetch back, or a fetch in progress did not finish in time.
    // `reason` is webtoken's own text, with the fetch error in it already escaped and cut.
    #[error("no key found for {}; {}", match kid { Some(kid) => format!("kid {}", Untrusted(kid)), None => "a token without kid".to_owned() }, reason)]
    NotRefetched {
        /// The token's `kid`, if it had one.
        kid: Option<String>,
        /// Why the set was not refetched (control characters escaped, long fetch errors
        /// truncated).
        reason: String,
    },
}

impl UnknownKeyError {
    /// The token's `kid`, if it had one.
    pub fn kid(&self) -> Option<&str> {
        match self {
            Self::NotFound { kid } | Self::NotRefetched { kid, .. } => kid.as_deref(),
        }
    }
}

/// A token longer than the size limit ([`Error::TokenTooLarge`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("token is {size} bytes, larger than the limit of {limit} bytes")]
pub struct TooLargeError {
    /// The size of the token, in bytes.
    pub size: usize,
    /// The configured limit, in bytes.
    pub limit: usize,
}

/// A `crit` that names an unsupported extension ([`Error::UnsupportedCriticalHeader`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("critical header parameter {} is not supported", Untrusted(name))]
pub struct CriticalHeaderError {
    /// The first unsupported name listed in `crit`.
    pub name: String,
}

/// A `typ` other than the required one ([`Error::InvalidType`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("token type (typ) is {found}, expected {}", Untrusted(expected), found = DisplayOpt(found.as_deref()))]
pub struct TokenTypeError {
    /// The type the validation requires.
    pub expected: String,
    /// The token's `typ`, if it had one.
    pub found: Option<String>,
}

/// The header or the claims could not be serialized as JSON ([`Error::Serialize`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("could not serialize {what} as JSON: {}", Message(message))]
pub struct SerializeError {
    /// `"header"` or `"claims"`.
    pub what: &'static str,
    /// The serializer's message.
    pub message: String,
}

/// What is wrong with the shape of a token or its header.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedError {
    /// The token does not have exactly three `.`-separated segments.
    #[error("token must have 3 segments separated by '.', found {found}")]
    SegmentCount {
        /// How many segments were found (counting stops early for long inputs).
        found: usize,
    },
    /// The token has the five segments of an encrypted token (JWE), but a signed token (JWS)
    /// was expected: `decode` and `jws::verify` read signed tokens only.
    #[error(
        "token has 5 segments: it is an encrypted token (JWE), not a signed one (JWS); \
         decrypt it with webtoken::decrypt or webtoken::jwe::decrypt (cargo feature jwe)"
    )]
    EncryptedToken,
    /// The token has the three segments of a signed token (JWS), but an encrypted token (JWE)
    /// was expected.
    #[cfg(feature = "jwe")]
    #[error(
        "token has 3 segments: it is a signed token (JWS), not an encrypted one (JWE); \
         verify it with webtoken::decode or webtoken::jws::verify"
    )]
    SignedToken,
    /// The encrypted token (JWE) does not have exactly five `.`-separated segments.
    #[cfg(feature = "jwe")]
    #[error("encrypted token (JWE) must have 5 segments separated by '.', found {found}")]
    JweSegmentCount {
        /// How many segments were found.
        found: usize,
    },
    /// A segment of an encrypted token (JWE) has the wrong length for its algorithms
    /// (initialization vector, authentication tag, an encrypted key where none belongs).
    #[cfg(feature = "jwe")]
    #[error("{segment} {reason}")]
    SegmentLength {
        /// `"initialization vector"`, `"authentication tag"`, `"encrypted key"`, ….
        segment: &'static str,
        /// What is wrong with it (`"must be 12 bytes for A256GCM, found 16"`).
        reason: Cow<'static, str>,
    },
    /// A byte outside the Base64Url alphabet and `.` appears in the token.
    #[error("token contains a character outside the base64url alphabet at byte {position}")]
    InvalidCharacter {
        /// The byte offset of the first offending byte.
        position: usize,
    },
    /// The header segment is empty.
    #[error("header segment is empty")]
    EmptyHeader,
    /// The header is longer than [`MAX_HEADER_BYTES`](crate::MAX_HEADER_BYTES) once
    /// decoded; it was refused before it was decoded or parsed.
    #[error("header is {size} bytes, larger than the limit of {limit} bytes")]
    HeaderTooLarge {
        /// The size of the decoded header, in bytes.
        size: usize,
        /// The limit, in bytes.
        limit: usize,
    },
    /// A segment is not canonical unpadded Base64Url.
    #[error("{segment} is not canonical unpadded base64url")]
    Base64 {
        /// `"header"`, `"payload"` or `"signature"`.
        segment: &'static str,
    },
    /// A segment is not UTF-8 JSON, not a JSON object, has duplicate member names, or nests too
    /// deeply.
    #[error("{segment} is not valid: {}", Message(reason))]
    Json {
        /// `"header"` or `"payload"`.
        segment: &'static str,
        /// What the JSON parser or the duplicate check found.
        reason: String,
    },
    /// A registered header parameter has the wrong JSON type or an invalid value
    /// (`alg` missing or not a string, `kid`/`typ`/`cty` not strings, malformed `crit`,
    /// `b64` present).
    #[error("header parameter {parameter} is invalid: {}", Message(reason))]
    Header {
        /// The header parameter's wire name.
        parameter: &'static str,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
}

/// A claim that is missing, wrongly typed, or fails validation.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimError {
    /// `exp` is not after the current time (plus leeway).
    #[error("token expired at {expired_at} (now is {now}, leeway {leeway_secs} s)")]
    Expired {
        /// The token's `exp`.
        expired_at: NumericDate,
        /// The validation's current time.
        now: NumericDate,
        /// The leeway that was applied, in seconds.
        leeway_secs: u64,
    },
    /// `nbf` is after the current time (plus leeway).
    #[error("token is not valid before {not_before} (now is {now}, leeway {leeway_secs} s)")]
    NotYetValid {
        /// The token's `nbf`.
        not_before: NumericDate,
        /// The validation's current time.
        now: NumericDate,
        /// The leeway that was applied, in seconds.
        leeway_secs: u64,
    },
    /// `iat` is after the current time (plus leeway).
    #[error(
        "token was issued in the future, at {issued_at} (now is {now}, leeway {leeway_secs} s)"
    )]
    IssuedInFuture {
        /// The token's `iat`.
        issued_at: NumericDate,
        /// The validation's current time.
        now: NumericDate,
        /// The leeway that was applied, in seconds.
        leeway_secs: u64,
    },
    /// `iss` is not one of the accepted issuers.
    #[error(
        "issuer (iss) {} is not accepted, expected {}",
        Untrusted(found),
        OneOf(expected)
    )]
    InvalidIssuer {
        /// The accepted issuers.
        expected: Vec<String>,
        /// The token's `iss`.
        found: String,
    },
    /// `sub` is not the expected subject.
    #[error(
        "subject (sub) {} is not accepted, expected {}",
        Untrusted(found),
        OneOf(expected)
    )]
    InvalidSubject {
        /// The accepted subjects.
        expected: Vec<String>,
        /// The token's `sub`.
        found: String,
    },
    /// `aud` names none of the accepted audiences.
    #[error("audience (aud) {} does not contain {}", List(found), OneOf(expected))]
    InvalidAudience {
        /// The accepted audiences.
        expected: Vec<String>,
        /// The token's `aud` values.
        found: Vec<String>,
    },
    /// The token carries `aud` but the validation names no audience (RFC 7519 §4.1.3).
    #[error(
        "token has audience (aud) {} but no audience is configured; call \
         Validation::with_audience to accept it",
        List(found)
    )]
    UnexpectedAudience {
        /// The token's `aud` values.
        found: Vec<String>,
    },
    /// A required claim is absent.
    #[error("required claim {} is missing", Message(claim))]
    Missing {
        /// The claim's wire name.
        claim: Cow<'static, str>,
    },
    /// A registered claim has the wrong JSON type or an unrepresentable value.
    #[error("claim {claim} is invalid: {}", Message(reason))]
    InvalidType {
        /// The claim's wire name.
        claim: &'static str,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
    /// The custom claims do not deserialize into the caller's type.
    #[error("custom claims do not match the expected type: {}", Message(message))]
    Custom {
        /// serde's message.
        message: String,
    },
}

impl ClaimError {
    /// The stable category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Expired { .. } => ErrorKind::Expired,
            Self::NotYetValid { .. } | Self::IssuedInFuture { .. } => ErrorKind::NotYetValid,
            Self::InvalidIssuer { .. } => ErrorKind::InvalidIssuer,
            Self::InvalidSubject { .. } => ErrorKind::InvalidSubject,
            Self::InvalidAudience { .. } | Self::UnexpectedAudience { .. } => {
                ErrorKind::InvalidAudience
            }
            Self::Missing { .. } => ErrorKind::MissingClaim,
            Self::InvalidType { .. } | Self::Custom { .. } => ErrorKind::InvalidClaim,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{AlgorithmRejection, Error, ErrorKind, UnknownKeyError};

    #[test]
    fn unknown_key_messages_and_kind() {
        let long = "a".repeat(70);
        let cases = [
            (
                UnknownKeyError::NotFound { kid: None },
                "no key found for a token without kid".to_owned(),
            ),
            (
                UnknownKeyError::NotFound {
                    kid: Some("k\n1".to_owned()),
                },
                r#"no key found for kid "k\n1""#.to_owned(),
            ),
            (
                UnknownKeyError::NotFound {
                    kid: Some(long.clone()),
                },
                format!("no key found for kid \"{}…\" (70 bytes)", &long[..64]),
            ),
            (
                UnknownKeyError::NotRefetched {
                    kid: None,
                    reason: "why".to_owned(),
                },
                "no key found for a token without kid; why".to_owned(),
            ),
            (
                UnknownKeyError::NotRefetched {
                    kid: Some(long.clone()),
                    reason: "why".to_owned(),
                },
                // The kid is cut as in every message, so a long one cannot grow it.
                format!("no key found for kid \"{}…\" (70 bytes); why", &long[..64]),
            ),
        ];
        for (detail, message) in cases {
            assert_eq!(detail.to_string(), message);
            let kid = detail.kid().map(str::to_owned);
            let error = Error::from(detail);
            assert_eq!(error.to_string(), message);
            assert_eq!(error.kind(), ErrorKind::UnknownKey);
            assert!(std::error::Error::source(&error).is_none());
            let Error::UnknownKey(detail) = error else {
                panic!("not UnknownKey");
            };
            assert_eq!(detail.kid(), kid.as_deref());
        }
    }

    #[test]
    fn algorithm_not_allowed_shows_its_reason() {
        let reason = AlgorithmRejection::NotAllowed {
            found: "none".to_owned(),
        };
        let error = Error::from(reason.clone());
        assert_eq!(error.to_string(), reason.to_string());
        assert_eq!(
            error.to_string(),
            r#"algorithm (alg) "none" is not allowed"#
        );
        assert_eq!(error.kind(), ErrorKind::AlgorithmNotAllowed);
        assert!(std::error::Error::source(&error).is_none());
    }
}
