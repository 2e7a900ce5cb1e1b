//! [`DecryptingKeySet`]: several decryption keys, chosen by `kid` (key rotation, several
//! algorithms), read from a JWK Set.

use serde_json::{Map, Value};

use super::algorithm::{ContentEncryption, KeyAlgorithm};
use super::jwk::read_object;
use super::keys::{DecryptingKey, key_error};
use super::{DecryptionKeys, not_allowed};
use crate::Algorithm;
use crate::error::{Error, KeyError, UnknownKeyError};
use crate::keys::{KeyErrorCategory, SkippedKey};
use crate::message::Untrusted;

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
    skipped: Vec<SkippedKey>,
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
        Ok(Self {
            keys,
            skipped: Vec::new(),
        })
    }

    /// The keys of a JWK Set (`{"keys":[...]}`) of private JWKs, each bound to the JWE
    /// key-management algorithm its `alg` names (or, for a `dir` key, the `enc` it names).
    ///
    /// Entries that are well-formed but **not for JWE decryption** are skipped and recorded in
    /// [`skipped`](Self::skipped), as a [`JwkSet`](crate::keys::JwkSet) skips encryption keys: a
    /// `use` other than `enc`, `key_ops` without a decryption operation, an `alg` that is a
    /// JWS algorithm or no algorithm webtoken implements, no `alg` at all (the key could not be
    /// bound; unless `use` is `enc`, which is then an error), an unknown `kty` or curve. Any
    /// other entry that cannot be read is an error. A token whose `kid` names a skipped entry
    /// gets [`Error::UnknownKey`].
    ///
    /// ```
    /// use webtoken::jwe::DecryptingKeySet;
    ///
    /// let jwks = r#"{"keys":[
    ///   {"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODw","alg":"A128KW","kid":"enc-1"},
    ///   {"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODw","alg":"HS256","kid":"sig-1"}
    /// ]}"#;
    /// let set = DecryptingKeySet::from_jwks_json(jwks)?;
    /// assert_eq!(set.keys().len(), 1);                           // the signing key is skipped ...
    /// assert_eq!(set.skipped()[0].key_id(), Some("sig-1")); // ... and recorded
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Key`] for a document that is not a JWK Set, an entry that is not a JSON
    /// object, an encryption entry that is not a usable decryption key, or a duplicate `kid`.
    pub fn from_jwks_json(json: &str) -> Result<Self, Error> {
        let members = read_object(json)?;
        let Some(Value::Array(entries)) = members.get("keys") else {
            return Err(key_error(
                KeyErrorCategory::JwkSet,
                "keys must be an array of JWKs",
            ));
        };
        let mut keys = Vec::with_capacity(entries.len());
        let mut skipped = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            let Value::Object(entry) = entry else {
                return Err(key_error(
                    KeyErrorCategory::JwkSet,
                    format!("key {index} is not a JSON object"),
                ));
            };
            let key_id = entry.get("kid").and_then(Value::as_str).map(str::to_owned);
            if let Some(reason) = not_for_decryption(entry) {
                skipped.push(SkippedKey::new(index, key_id, reason));
                continue;
            }
            match DecryptingKey::from_jwk_members(entry, None) {
                Ok(key) => keys.push(key),
                Err(Error::Key(reason))
                    if matches!(
                        reason.category(),
                        Some(
                            KeyErrorCategory::UnsupportedKeyType
                                | KeyErrorCategory::UnsupportedCurve
                        )
                    ) =>
                {
                    skipped.push(SkippedKey::new(index, key_id, reason));
                }
                Err(e) => {
                    let context = match &key_id {
                        Some(kid) => format!("key {index} (kid {})", Untrusted(kid)),
                        None => format!("key {index}"),
                    };
                    return Err(key_error(
                        KeyErrorCategory::JwkSet,
                        format!("{context}: {e}"),
                    ));
                }
            }
        }
        let mut set = Self::new(keys)?;
        set.skipped = skipped;
        Ok(set)
    }

    /// The entries [`from_jwks_json`](Self::from_jwks_json) left out, and why.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// The keys.
    pub fn keys(&self) -> &[DecryptingKey] {
        &self.keys
    }
}

/// Why a well-formed entry is not a decryption key, or `None` when it is meant to be one
/// (it is then read, and refused if it cannot be).
fn not_for_decryption(entry: &Map<String, Value>) -> Option<KeyError> {
    let skip = |reason: String| Some(KeyError::invalid(KeyErrorCategory::JwkSet, reason));
    let usage = entry.get("use").and_then(Value::as_str);
    if let Some(usage) = usage.filter(|&u| u != "enc") {
        return skip(format!("use is {}, not enc", Untrusted(usage)));
    }
    if let Some(Value::Array(ops)) = entry.get("key_ops") {
        let decrypts = ops
            .iter()
            .filter_map(Value::as_str)
            .any(|op| matches!(op, "decrypt" | "unwrapKey" | "deriveKey" | "deriveBits"));
        if !decrypts {
            return skip("key_ops has no decryption operation".into());
        }
    }
    match entry.get("alg").and_then(Value::as_str) {
        Some(alg) if KeyAlgorithm::from_name(alg).is_some() => None,
        Some(alg) if ContentEncryption::from_name(alg).is_some() => None,
        Some(alg) if alg.parse::<Algorithm>().is_ok() => skip(format!(
            "alg {} is a signature algorithm (JWS), not a key-management one",
            Untrusted(alg)
        )),
        Some(alg) => skip(format!(
            "alg {} is no JWE key-management algorithm webtoken implements",
            Untrusted(alg)
        )),
        // An encryption key that cannot be bound is a mistake to report, not to skip.
        None if usage == Some("enc") => None,
        None if entry.contains_key("alg") => None,
        None => skip(
            "the JWK has no alg, so no key-management algorithm to bind it to (and no use: \
             enc)"
                .into(),
        ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwe::{DecryptOptions, EcdhCurve, JweHeader, decrypt, encrypt};

    fn jwk(key: &DecryptingKey, edit: impl FnOnce(&mut Map<String, Value>)) -> Value {
        let Value::Object(mut members) =
            serde_json::from_str(&key.to_private_jwk_json().unwrap()).unwrap()
        else {
            unreachable!()
        };
        edit(&mut members);
        Value::Object(members)
    }

    fn set(entries: &[Value]) -> Result<DecryptingKeySet, Error> {
        DecryptingKeySet::from_jwks_json(&serde_json::json!({ "keys": entries }).to_string())
    }

    #[test]
    fn entries_that_are_not_decryption_keys_are_skipped_and_listed() {
        let ec = DecryptingKey::generate_ec(EcdhCurve::P256, KeyAlgorithm::EcdhEs).unwrap();
        let kept = DecryptingKey::generate_ec(EcdhCurve::P256, KeyAlgorithm::EcdhEs)
            .unwrap()
            .with_key_id("enc");
        let set_str = |m: &mut Map<String, Value>, name: &str, value: Value| {
            m.insert(name.into(), value);
        };
        let entries = vec![
            // A signing key with no `use`: its alg is a JWS one.
            jwk(&ec, |m| {
                m.remove("use");
                set_str(m, "alg", "ES256".into());
                set_str(m, "kid", "sig-alg".into());
            }),
            jwk(&ec, |m| {
                set_str(m, "use", "sig".into());
                set_str(m, "kid", "sig-use".into());
            }),
            jwk(&ec, |m| {
                set_str(m, "key_ops", serde_json::json!(["sign"]));
                set_str(m, "kid", "sig-ops".into());
            }),
            // No alg and no use: nothing to bind it to.
            jwk(&ec, |m| {
                m.remove("use");
                m.remove("alg");
                set_str(m, "kid", "no-alg".into());
            }),
            jwk(&ec, |m| {
                set_str(m, "alg", "XYZ-99".into());
                set_str(m, "kid", "unknown-alg".into());
            }),
            // Kinds no key-management algorithm fits.
            serde_json::json!({"kty":"OKP","crv":"Ed25519","alg":"ECDH-ES","d":"AA","x":"AA",
                               "kid":"ed25519"}),
            serde_json::json!({"kty":"XYZ","alg":"A128KW","kid":"xyz"}),
            jwk(&kept, |_| {}),
        ];
        let set = set(&entries).unwrap();
        assert_eq!(set.keys().len(), 1);
        assert_eq!(set.keys()[0].key_id(), Some("enc"));
        let skipped: Vec<(usize, Option<&str>)> = set
            .skipped()
            .iter()
            .map(|s| (s.index(), s.key_id()))
            .collect();
        assert_eq!(
            skipped,
            [
                (0, Some("sig-alg")),
                (1, Some("sig-use")),
                (2, Some("sig-ops")),
                (3, Some("no-alg")),
                (4, Some("unknown-alg")),
                (5, Some("ed25519")),
                (6, Some("xyz")),
            ]
        );
        let reasons: Vec<String> = set.skipped().iter().map(ToString::to_string).collect();
        assert!(
            reasons[0].contains("alg \"ES256\" is a signature algorithm"),
            "{reasons:?}"
        );
        assert!(
            reasons[1].contains("use is \"sig\", not enc"),
            "{reasons:?}"
        );
        assert!(
            reasons[2].contains("key_ops has no decryption operation"),
            "{reasons:?}"
        );
        assert!(reasons[3].contains("has no alg"), "{reasons:?}");
        assert!(reasons[5].contains("unsupported curve"), "{reasons:?}");
        assert!(reasons[6].contains("unsupported key type"), "{reasons:?}");
        assert!(
            reasons[0].starts_with("key 0 (kid \"sig-alg\"): "),
            "{reasons:?}"
        );

        // The kept key decrypts; a token naming a skipped key finds none.
        let public = kept.encrypting_key().unwrap();
        let header = JweHeader::new(crate::jwe::ContentEncryption::A128Gcm);
        let token = encrypt(&header, b"x", &public).unwrap();
        let options = DecryptOptions::new().with_algorithms([KeyAlgorithm::EcdhEs]);
        assert_eq!(decrypt(&token, &set, &options).unwrap().plaintext(), b"x");
        let other = ec.encrypting_key().unwrap().with_key_id("sig-alg");
        let token = encrypt(&header, b"x", &other).unwrap();
        assert!(matches!(
            decrypt(&token, &set, &options),
            Err(Error::UnknownKey(UnknownKeyError::NotFound { kid: Some(kid) })) if kid == "sig-alg"
        ));
    }

    #[test]
    fn an_encryption_entry_that_cannot_be_used_is_an_error() {
        let ec = DecryptingKey::generate_ec(EcdhCurve::P256, KeyAlgorithm::EcdhEs).unwrap();
        let no_alg = jwk(&ec, |m| {
            m.remove("alg");
            m.insert("kid".into(), "k".into());
        });
        let text = set(&[no_alg]).unwrap_err().to_string();
        assert!(text.contains("key 0 (kid \"k\")"), "{text}");
        assert!(text.contains("has no alg"), "{text}");
        let bad_point = jwk(&ec, |m| {
            m.insert("x".into(), "AAAA".into());
        });
        let text = set(&[bad_point]).unwrap_err().to_string();
        assert!(text.starts_with("invalid JWK Set: key 0: "), "{text}");
        let wrong_length = serde_json::json!({"kty":"oct","k":"AAAA","alg":"A128KW"});
        assert!(set(&[wrong_length]).is_err());
        assert!(set(&[Value::from(1)]).is_err());
        let key = jwk(&ec, |m| {
            m.insert("kid".into(), "same".into());
        });
        assert!(set(&[key.clone(), key]).is_err());
    }

    #[test]
    fn a_set_built_from_keys_skips_nothing() {
        let key = DecryptingKey::generate_secret(
            KeyAlgorithm::A128Kw,
            crate::jwe::ContentEncryption::A128Gcm,
        )
        .unwrap();
        assert!(DecryptingKeySet::new([key]).unwrap().skipped().is_empty());
    }
}
