//! Helpers shared by the integration tests: reading the data files, building keys from the
//! JWKs printed in them, and naming errors in the vocabulary of `tests/data/README.md`.

#![allow(dead_code)]

pub(crate) mod store;

use std::path::PathBuf;

use serde_json::Value;
use webtoken::AlgorithmRejection;
use webtoken::{Algorithm, ClaimError, Error, MalformedError, SigningKey, VerifyingKey, base64url};

/// Reads a JSON file under `tests/data/`.
pub(crate) fn data(path: &str) -> Value {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path);
    let text = std::fs::read_to_string(&full)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", full.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", full.display()))
}

/// The Wycheproof directory, or `None` (and a clear message) when the variable is unset.
pub(crate) fn wycheproof_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("WEBTOKEN_WYCHEPROOF_DIR").map(PathBuf::from);
    if dir.is_none() {
        eprintln!(
            "SKIPPED {test}: WEBTOKEN_WYCHEPROOF_DIR is not set \
             (see tests/data/README.md, Wycheproof)"
        );
    }
    dir
}

/// Decodes a Base64Url JWK member.
pub(crate) fn b64(jwk: &Value, member: &str) -> Vec<u8> {
    let text = jwk[member]
        .as_str()
        .unwrap_or_else(|| panic!("JWK member {member} missing"));
    base64url::decode(text).unwrap_or_else(|_| panic!("JWK member {member} is not base64url"))
}

/// A verifying key from a JWK of the data files, bound to `algorithm` (RSA and oct keys) or by
/// curve (EC, OKP).
pub(crate) fn verifying_key(jwk: &Value, algorithm: Algorithm) -> Result<VerifyingKey, Error> {
    match jwk["kty"].as_str() {
        Some("oct") => VerifyingKey::hmac(b64(jwk, "k"), algorithm),
        Some("RSA") => VerifyingKey::rsa_components(&b64(jwk, "n"), &b64(jwk, "e"), algorithm),
        Some("EC") => {
            let mut point = vec![4u8];
            point.extend(b64(jwk, "x"));
            point.extend(b64(jwk, "y"));
            VerifyingKey::ecdsa_point_for(&point, algorithm)
        }
        Some("OKP") => VerifyingKey::ed25519(&b64(jwk, "x")),
        other => panic!("unexpected kty {other:?}"),
    }
}

/// A signing key for an HMAC JWK.
pub(crate) fn hmac_signing_key(jwk: &Value, algorithm: Algorithm) -> SigningKey {
    SigningKey::hmac(b64(jwk, "k"), algorithm).expect("valid HMAC key")
}

/// The error in the fine-grained vocabulary of `tests/data/README.md`.
pub(crate) fn fine_kind(error: &Error) -> &'static str {
    match error {
        Error::TokenTooLarge { .. } => "TokenTooLarge",
        Error::Malformed(MalformedError::Header { .. }) => "InvalidHeader",
        Error::Malformed(_) => "MalformedToken",
        Error::AlgorithmNotAllowed(AlgorithmRejection::KeyMismatch { .. }) => {
            "KeyAlgorithmMismatch"
        }
        Error::AlgorithmNotAllowed(_) => "AlgorithmNotAllowed",
        Error::UnsupportedCriticalHeader { .. } => "UnsupportedCriticalHeader",
        Error::InvalidType { .. } => "InvalidType",
        Error::UnknownKey(_) => "KeyNotFound",
        Error::InvalidSignature => "InvalidSignature",
        Error::Claim(c) => match c {
            ClaimError::Expired { .. } => "Expired",
            ClaimError::NotYetValid { .. } => "NotYetValid",
            ClaimError::IssuedInFuture { .. } => "IssuedInFuture",
            ClaimError::InvalidIssuer { .. } => "InvalidIssuer",
            ClaimError::InvalidSubject { .. } => "InvalidSubject",
            ClaimError::InvalidAudience { .. } | ClaimError::UnexpectedAudience { .. } => {
                "InvalidAudience"
            }
            ClaimError::Missing { .. } => "MissingRequiredClaim",
            _ => "InvalidClaimType",
        },
        Error::Key(_) => "InvalidKey",
        _ => "Other",
    }
}
