//! `use` and `key_ops` (RFC 7517 §4.2, §4.3), checked in one place.

use super::{Shown, jwk_error};
use crate::error::KeyError;

/// Key operations that belong to `use: "sig"` (RFC 7517 §4.3).
const SIG_OPS: [&str; 2] = ["sign", "verify"];
/// Key operations that belong to `use: "enc"` (RFC 7517 §4.3).
const ENC_OPS: [&str; 6] = [
    "encrypt",
    "decrypt",
    "wrapKey",
    "unwrapKey",
    "deriveKey",
    "deriveBits",
];

/// The one check of a JWK's `use` and `key_ops`.
///
/// Always: when both are present and `use` is `sig` or `enc`, every operation in `key_ops`
/// belongs to that use (RFC 7517 §4.3: they must agree). This is the whole check when a JWK is
/// parsed (`op` is `None`).
///
/// With `op` (`"verify"` or `"sign"`, when a key is about to be used): also that `use`, when
/// present, is `sig`, and that `key_ops`, when present, lists `op` (RFC 7517 §4.2, §4.3).
pub(super) fn check_usage(
    key_use: Option<&str>,
    key_ops: Option<&[String]>,
    op: Option<&str>,
) -> Result<(), KeyError> {
    let ops_of_use: Option<&[&str]> = match key_use {
        Some("sig") => Some(&SIG_OPS),
        Some("enc") => Some(&ENC_OPS),
        _ => None,
    };
    if let (Some(key_use), Some(allowed), Some(ops)) = (key_use, ops_of_use, key_ops) {
        if let Some(stray) = ops.iter().find(|o| !allowed.contains(&o.as_str())) {
            return Err(jwk_error(format!(
                "use {} and key_ops {} disagree (RFC 7517 §4.3)",
                Shown(key_use),
                Shown(stray)
            )));
        }
    }
    let Some(op) = op else {
        return Ok(());
    };
    if let Some(key_use) = key_use.filter(|u| *u != "sig") {
        return Err(jwk_error(format!(
            "JWK use is {}, not \"sig\": it is not a signature key",
            Shown(key_use)
        )));
    }
    if key_ops.is_some_and(|ops| !ops.iter().any(|o| o == op)) {
        return Err(jwk_error(format!("JWK key_ops does not include {op:?}")));
    }
    Ok(())
}
