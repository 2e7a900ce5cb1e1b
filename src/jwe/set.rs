//! [`DecryptingKeySet`]: several decryption keys, chosen by `kid` (key rotation, several
//! algorithms), read from a JWK Set.

use serde_json::Value;

use super::algorithm::KeyAlgorithm;
use super::jwk::read_object;
use super::keys::{DecryptingKey, key_error};
use super::{DecryptionKeys, not_allowed};
use crate::error::{Error, UnknownKeyError};
use crate::keys::KeyErrorCategory;

/// Decryption keys chosen by the token's `kid` (and `alg`).
///
/// A token with a `kid` gets the key with that `kid`, which must be bound to the token's `alg`.
/// A token without `kid` gets the one key bound to its `alg`, when there is exactly one.
///
/// ```
/// use webtoken::jwe::{ContentEncryption, DecryptingKey, DecryptingKeySet, DecryptOptions, JweHeader, KeyAlgorithm};
///
/// let old = DecryptingKey::generate_secret(KeyAlgorithm::A256Kw, ContentEncryption::A256Gcm)?.with_key_id("2025");
/// let new = DecryptingKey::generate_secret(KeyAlgorithm::A256Kw, ContentEncryption::A256Gcm)?.with_key_id("2026");
/// let token = webtoken::jwe::encrypt(&JweHeader::new(ContentEncryption::A256Gcm), b"x", &old.encrypting_key()?)?;
/// let set = DecryptingKeySet::new([old, new])?;
/// assert_eq!(webtoken::jwe::decrypt(&token, &set, &DecryptOptions::new())?.plaintext(), b"x");
/// # Ok::<(), webtoken::Error>(())
/// ```
#[derive(Debug)]
pub struct DecryptingKeySet {
    keys: Vec<DecryptingKey>,
}

impl DecryptingKeySet {
    /// A set of keys. Two keys may not share a `kid`.
    ///
    /// # Errors
    /// [`Error::Key`] for a duplicate `kid`.
    pub fn new(keys: impl IntoIterator<Item = DecryptingKey>) -> Result<Self, Error> {
        let keys: Vec<DecryptingKey> = keys.into_iter().collect();
        let mut kids: Vec<&str> = keys.iter().filter_map(DecryptingKey::key_id).collect();
        kids.sort_unstable();
        if kids.windows(2).any(|w| w[0] == w[1]) {
            return Err(key_error(KeyErrorCategory::JwkSet, "two keys share a kid"));
        }
        Ok(Self { keys })
    }

    /// The keys of a JWK Set (`{"keys":[...]}`) of private JWKs; each must name its `alg`
    /// (JWE key management). Entries whose `use` is `sig` are skipped; any other entry that
    /// cannot be read is an error.
    ///
    /// # Errors
    /// [`Error::Key`] for a document that is not a JWK Set, an entry that is not a usable
    /// decryption key, or a duplicate `kid`.
    pub fn from_jwks_json(json: &str) -> Result<Self, Error> {
        let members = read_object(json)?;
        let Some(Value::Array(entries)) = members.get("keys") else {
            return Err(key_error(
                KeyErrorCategory::JwkSet,
                "keys must be an array of JWKs",
            ));
        };
        let mut keys = Vec::with_capacity(entries.len());
        for entry in entries {
            let Value::Object(entry) = entry else {
                return Err(key_error(
                    KeyErrorCategory::JwkSet,
                    "an entry is not a JSON object",
                ));
            };
            if entry.get("use").and_then(Value::as_str) == Some("sig") {
                continue;
            }
            keys.push(DecryptingKey::from_jwk_members(entry, None)?);
        }
        Self::new(keys)
    }

    /// The keys.
    pub fn keys(&self) -> &[DecryptingKey] {
        &self.keys
    }
}

impl DecryptionKeys for DecryptingKeySet {
    fn find_decrypting_key(
        &self,
        kid: Option<&str>,
        algorithm: KeyAlgorithm,
    ) -> Result<&DecryptingKey, Error> {
        let unknown = || UnknownKeyError::NotFound {
            kid: kid.map(str::to_owned),
        };
        if let Some(kid) = kid {
            let key = self
                .keys
                .iter()
                .find(|k| k.key_id() == Some(kid))
                .ok_or_else(unknown)?;
            if key.algorithm() != algorithm {
                return Err(not_allowed(algorithm));
            }
            return Ok(key);
        }
        let mut bound = self.keys.iter().filter(|k| k.algorithm() == algorithm);
        match (bound.next(), bound.next()) {
            (Some(key), None) => Ok(key),
            _ => Err(unknown().into()),
        }
    }

    fn has_algorithm(&self, algorithm: KeyAlgorithm) -> bool {
        self.keys.iter().any(|k| k.algorithm() == algorithm)
    }
}
