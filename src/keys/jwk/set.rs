//! JWK Sets: loading (what is refused, what is skipped) and lookup by `kid`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::read::{MaybeObject, RawKeys, RawSet};
use super::{Jwk, KeyType, ParseFault, Shown, set_error};
use crate::algorithm::Algorithm;
use crate::error::{Error, KeyError, UnknownKeyError};
use crate::keys::{KeyErrorCategory, KeySource, VerifyingKey};

/// A JWK that a [`JwkSet`] (or a JWE `DecryptingKeySet`) left out when it was loaded, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedKey {
    index: usize,
    key_id: Option<String>,
    reason: KeyError,
}

impl SkippedKey {
    /// The entry's position in the set's `keys` array.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The entry's `kid`, if it had one.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// Why the entry is not usable for verifying JWS signatures (or, in a JWE
    /// `DecryptingKeySet`, for decrypting).
    pub fn reason(&self) -> &KeyError {
        &self.reason
    }

    /// An entry skipped by the JWE key set, which skips as this set does.
    #[cfg(feature = "jwe")]
    pub(crate) fn new(index: usize, key_id: Option<String>, reason: KeyError) -> Self {
        Self {
            index,
            key_id,
            reason,
        }
    }
}

impl fmt::Display for SkippedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key_id {
            Some(kid) => write!(
                f,
                "key {} (kid {}): {}",
                self.index,
                Shown(kid),
                self.reason
            ),
            None => write!(f, "key {}: {}", self.index, self.reason),
        }
    }
}

/// A JWK Set (RFC 7517 §5, `{"keys":[...]}`) for **verifying** tokens: the key is chosen by the
/// token's `kid`.
///
/// # Loading
/// [`JwkSet::from_json`] and serde apply these rules ([`JwkSet::from_keys`] all but the one on
/// mixing secrets with public keys). The whole set is refused ([`KeyErrorCategory::JwkSet`](crate::keys::KeyErrorCategory::JwkSet), kind `invalid_key`) when:
/// * the document is not an object, `keys` is missing or not an array, an entry is not an
///   object, or a member name is repeated;
/// * two entries share a `kid` (a lookup must never be ambiguous);
/// * `oct` secrets are mixed with asymmetric keys (a published set that holds a secret is a
///   leak, and mixing invites algorithm confusion; [`JwkSet::from_keys`] allows an application
///   to combine its own secret with public keys);
/// * an RSA, EC or OKP entry has private members (`d`, `p`, `q`, ...): a verification set holds
///   public keys only. The members are not silently stripped, because a published private key
///   is an incident the operator must hear about. To verify with your own private keys, convert
///   them with [`Jwk::to_public`] and use [`JwkSet::from_keys`];
/// * an entry of a supported type is broken: bad `base64url`, wrong lengths, a point not on the
///   curve, an RSA modulus under 2048 bits or `e = 1`, an HMAC secret shorter than the hash, an
///   `alg` of another family or curve, `use` and `key_ops` that disagree.
///
/// Entries that are well-formed but **not for JWS verification by webtoken** are skipped and
/// recorded in [`skipped`](Self::skipped): an unknown `kty`, a curve webtoken does not
/// implement (`X25519`, `Ed448`, `brainpoolP256r1`), an `alg` that is not an implemented JWS
/// algorithm (`RSA-OAEP`, `A256GCM`), `use` other than `sig` or `key_ops` without `verify`,
/// and a well-formed key this build cannot use (P-521, secp256k1 and `AKP` ML-DSA keys without
/// the `aws-lc-rs` feature, [`KeyErrorCategory::Unavailable`](crate::keys::KeyErrorCategory::Unavailable)). Real JWKS endpoints publish such keys next to signature keys
/// (Keycloak lists its `RSA-OAEP` encryption key, Azure AD carries `x5c` chains, many providers
/// add keys during a rotation); refusing the whole set would break every token of the issuer. A
/// token whose `kid` names a skipped entry gets [`Error::UnknownKey`].
///
/// Every usable entry's verifying keys are built at load: an RSA key without `alg` is parsed
/// once and serves RS256..PS512, an `oct` key without `alg` serves each HS* its secret is long
/// enough for. EC and OKP keys are bound by their curve; a key without `alg` is never used for
/// HS* unless it is an `oct` key (CVE-2026-44699).
///
/// # Lookup ([`KeySource`])
/// * a token with `kid`: the entry with exactly that `kid` (case-sensitive, no normalization);
///   none is [`Error::UnknownKey`]; an entry whose `alg`, type or curve does not fit the token's
///   algorithm is [`Error::AlgorithmNotAllowed`] (`KeyMismatch`);
/// * a token without `kid`: the one key of the set that fits the token's algorithm; none or
///   several is [`Error::UnknownKey`].
///
/// ```
/// use webtoken::keys::{JwkSet, KeySource};
/// use webtoken::{Algorithm, ErrorKind};
///
/// let jwks = JwkSet::from_json(r#"{"keys":[
///   {"kty":"EC","crv":"P-256","kid":"ec-1","use":"sig",
///    "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///    "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
///   {"kty":"RSA","kid":"enc-1","use":"enc","alg":"RSA-OAEP","e":"AQAB",
///    "n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"}
/// ]}"#)?;
/// assert_eq!(jwks.len(), 1);                 // the encryption key is skipped ...
/// assert_eq!(jwks.skipped()[0].key_id(), Some("enc-1")); // ... and recorded
///
/// let key = jwks.find_key(Some("ec-1"), Algorithm::Es256)?;
/// assert_eq!(key.algorithm(), Algorithm::Es256);
/// let err = jwks.find_key(Some("other"), Algorithm::Es256).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::UnknownKey);
/// let err = jwks.find_key(Some("ec-1"), Algorithm::Es384).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::AlgorithmNotAllowed);
///
/// // Two keys with one kid: refused.
/// let dup = r#"{"keys":[{"kty":"oct","kid":"a","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"},
///                       {"kty":"oct","kid":"a","k":"AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"}]}"#;
/// assert_eq!(JwkSet::from_json(dup).unwrap_err().kind(), ErrorKind::InvalidKey);
/// # Ok::<(), webtoken::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JwkSet {
    keys: Vec<Jwk>,
    skipped: Vec<SkippedKey>,
}

/// What the set-level rules look at in one entry, whether or not it parses.
struct Entry {
    index: usize,
    kty: Option<KeyType>,
    key_id: Option<String>,
    private: bool,
}

fn kid_context(index: usize, key_id: Option<&str>) -> String {
    match key_id {
        Some(kid) => format!("key {index} (kid {})", Shown(kid)),
        None => format!("key {index}"),
    }
}

impl JwkSet {
    /// Parses and checks a JWK Set document, and builds the verifying keys of its usable
    /// entries. See [Loading](Self#loading) for what is refused and what is skipped.
    ///
    /// # Errors
    /// [`KeyErrorCategory::JwkSet`](crate::keys::KeyErrorCategory::JwkSet) naming the rule that was broken and the entry (index and `kid`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::keys::JwkSet;
    /// use webtoken::{Algorithm, Claims, Header, SigningKey, Validation};
    ///
    /// // What an identity provider publishes at its jwks_uri, and a token it issued.
    /// let signer = SigningKey::generate(Algorithm::Es256)?.with_key_id("2025-01");
    /// let jwks = JwkSet::from_keys([signer.to_public_jwk()?])?;
    /// let document = serde_json::to_string(&jwks).unwrap();
    /// let claims = Claims::new(()).expires_in(Duration::from_secs(60));
    /// let jwt = webtoken::encode(&Header::new(), &claims, &signer)?;
    ///
    /// let jwks = JwkSet::from_json(&document)?;
    /// assert_eq!(jwks.len(), 1);
    /// let token = webtoken::decode::<()>(&jwt, &jwks, &Validation::new())?;
    /// assert_eq!(token.header().key_id(), Some("2025-01"));
    /// assert!(JwkSet::from_json(r#"{"kyes":[]}"#).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let raw: RawSet = serde_json::from_str(json)
            .map_err(|e| set_error(format!("not a JWK Set document: {e}")))?;
        Self::from_raw(raw).map_err(Error::Key)
    }

    fn from_raw(raw: RawSet) -> Result<Self, KeyError> {
        let entries = match raw.keys {
            None => return Err(set_error("member keys is missing")),
            Some(RawKeys::Other(what)) => {
                return Err(set_error(format!(
                    "member keys must be an array, found {what}"
                )));
            }
            Some(RawKeys::Array(entries)) => entries,
        };
        // Each entry is read once: its summary for the set-level rules, and its parse.
        let mut objects = Vec::with_capacity(entries.len());
        let mut parsed = Vec::with_capacity(entries.len());
        for (index, entry) in entries.into_iter().enumerate() {
            match entry {
                MaybeObject::Object(members) => {
                    let (kty, key_id, private) = members.summary();
                    objects.push(Entry {
                        index,
                        kty,
                        key_id,
                        private,
                    });
                    parsed.push(Jwk::from_members(members));
                }
                MaybeObject::Other(what) => {
                    return Err(set_error(format!(
                        "key {index} must be a JSON object, found {what}"
                    )));
                }
            }
        }
        Self::check_entries(&objects, true)?;
        let mut set = Self::default();
        for (Entry { index, key_id, .. }, parsed) in objects.into_iter().zip(parsed) {
            match parsed {
                Ok(jwk) => set.add(index, jwk)?,
                Err(ParseFault {
                    error,
                    unsupported: true,
                }) => set.skipped.push(SkippedKey {
                    index,
                    key_id,
                    reason: error,
                }),
                Err(ParseFault { error, .. }) => {
                    return Err(set_error(format!(
                        "{}: {error}",
                        kid_context(index, key_id.as_deref())
                    )));
                }
            }
        }
        Ok(set)
    }

    /// The set-level rules: no private members, unique `kid`s and, for a document, no `oct`
    /// next to asymmetric keys.
    fn check_entries(entries: &[Entry], refuse_mixed: bool) -> Result<(), KeyError> {
        if let Some(e) = entries.iter().find(|e| e.private) {
            return Err(set_error(format!(
                "{} has private key members; a verification key set must hold public keys only",
                kid_context(e.index, e.key_id.as_deref())
            )));
        }
        let secrets = entries.iter().any(|e| e.kty == Some(KeyType::Oct));
        let asymmetric = entries.iter().any(|e| {
            matches!(
                e.kty,
                Some(KeyType::Rsa | KeyType::Ec | KeyType::Okp | KeyType::Akp)
            )
        });
        if refuse_mixed && secrets && asymmetric {
            return Err(set_error("the set mixes oct secrets with asymmetric keys"));
        }
        let mut seen = HashSet::new();
        for e in entries {
            if let Some(kid) = &e.key_id {
                if !seen.insert(kid.as_str()) {
                    return Err(set_error(format!(
                        "kid {} is used by more than one key",
                        Shown(kid)
                    )));
                }
            }
        }
        Ok(())
    }

    /// Adds a parsed entry: skipped when not for verification, refused when its keys do not
    /// build.
    fn add(&mut self, index: usize, jwk: Jwk) -> Result<(), KeyError> {
        if let Err(reason) = jwk.check_operation("verify") {
            self.skipped.push(SkippedKey {
                index,
                key_id: jwk.key_id.clone(),
                reason,
            });
            return Ok(());
        }
        // Checked once: the set's lookups use the prepared keys without checking again.
        match jwk.prepared_keys() {
            Ok(_) => {}
            // A well-formed key of a kind this build cannot use (ES512, ES256K, ML-DSA-*
            // without the `aws-lc-rs` feature): skipped like an unknown key type.
            Err(reason) if reason.category() == Some(KeyErrorCategory::Unavailable) => {
                self.skipped.push(SkippedKey {
                    index,
                    key_id: jwk.key_id.clone(),
                    reason,
                });
                return Ok(());
            }
            Err(e) => {
                return Err(set_error(format!(
                    "{}: {e}",
                    kid_context(index, jwk.key_id())
                )));
            }
        }
        self.keys.push(jwk);
        Ok(())
    }

    /// Builds a set from JWKs the application assembled itself: refused for duplicate `kid`s,
    /// private asymmetric keys, or keys that do not build; keys whose `use`/`key_ops` exclude
    /// verification are skipped.
    ///
    /// Unlike a JWK Set *document* ([`from_json`](Self::from_json)), such a set may hold `oct`
    /// secrets next to asymmetric keys (say, an internal HS256 secret and an identity
    /// provider's RSA keys): every key stays bound to its own family, so a token can never make
    /// an RSA key act as an HMAC secret (SECURITY.md §0.1).
    ///
    /// ```
    /// use webtoken::keys::{Jwk, JwkSet};
    ///
    /// let private = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519","kid":"ed",
    ///     "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// assert!(JwkSet::from_keys([private.clone()]).is_err()); // private members
    /// let jwks = JwkSet::from_keys([private.to_public()?])?;
    /// assert!(jwks.get("ed").is_some());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyErrorCategory::JwkSet`](crate::keys::KeyErrorCategory::JwkSet) naming the rule that was broken.
    pub fn from_keys(keys: impl IntoIterator<Item = Jwk>) -> Result<Self, Error> {
        let keys: Vec<Jwk> = keys.into_iter().collect();
        let entries: Vec<Entry> = keys
            .iter()
            .enumerate()
            .map(|(index, jwk)| Entry {
                index,
                kty: Some(jwk.key_type()),
                key_id: jwk.key_id.clone(),
                private: jwk.key_type() != KeyType::Oct && jwk.is_private(),
            })
            .collect();
        Self::check_entries(&entries, false)?;
        let mut set = Self::default();
        for (index, jwk) in keys.into_iter().enumerate() {
            set.add(index, jwk)?;
        }
        Ok(set)
    }

    /// The usable key with exactly this `kid`.
    ///
    /// ```
    /// use webtoken::keys::JwkSet;
    ///
    /// let jwks = JwkSet::from_json(r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"ed",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#)?;
    /// assert!(jwks.get("ed").is_some());
    /// assert!(jwks.get("ED").is_none()); // exact match
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn get(&self, key_id: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.key_id() == Some(key_id))
    }

    /// The usable keys, in the order of the document.
    ///
    /// ```
    /// use webtoken::keys::JwkSet;
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let keys = [
    ///     SigningKey::generate(Algorithm::Es256)?,
    ///     SigningKey::generate(Algorithm::EdDsa)?,
    /// ];
    /// let jwks = keys.iter().map(|k| Ok(k.to_public_jwk()?.with_thumbprint_kid()));
    /// let jwks = JwkSet::from_keys(jwks.collect::<Result<Vec<_>, webtoken::Error>>()?)?;
    /// let kids: Vec<_> = jwks.iter().filter_map(|jwk| jwk.key_id()).collect();
    /// assert_eq!(kids, [keys[0].thumbprint()?, keys[1].thumbprint()?]);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, Jwk> {
        self.keys.iter()
    }

    /// The number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no usable key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The entries that were left out at load because they are not for JWS verification by
    /// webtoken (see [Loading](Self#loading)); worth a log line.
    ///
    /// ```
    /// use webtoken::keys::JwkSet;
    ///
    /// // An X25519 key (key agreement, not signatures) beside an Ed25519 one.
    /// let jwks = JwkSet::from_json(r#"{"keys":[
    ///     {"kty":"OKP","crv":"X25519","kid":"x",
    ///      "x":"3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"},
    ///     {"kty":"OKP","crv":"Ed25519","kid":"ed",
    ///      "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#)?;
    /// assert_eq!(jwks.len(), 1);
    /// let skipped = &jwks.skipped()[0];
    /// assert_eq!((skipped.index(), skipped.key_id()), (0, Some("x")));
    /// assert!(skipped.reason().to_string().contains("X25519"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }
}

impl<'a> IntoIterator for &'a JwkSet {
    type Item = &'a Jwk;
    type IntoIter = std::slice::Iter<'a, Jwk>;

    fn into_iter(self) -> Self::IntoIter {
        self.keys.iter()
    }
}

/// Writes `{"keys":[...]}` with the usable keys; skipped entries are not written.
impl Serialize for JwkSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("keys", &self.keys)?;
        map.end()
    }
}

/// Reads a JWK Set with the rules of [`JwkSet::from_json`].
impl<'de> Deserialize<'de> for JwkSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawSet::deserialize(deserializer)?;
        Self::from_raw(raw).map_err(de::Error::custom)
    }
}

impl KeySource for JwkSet {
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        if let Some(kid) = key_id {
            let jwk = self.get(kid).ok_or_else(|| {
                Error::UnknownKey(UnknownKeyError::NotFound {
                    kid: Some(kid.to_owned()),
                })
            })?;
            return jwk.find_prepared(algorithm);
        }
        let mut found = None;
        for jwk in &self.keys {
            if !jwk.algorithms().contains(algorithm) {
                continue;
            }
            let Ok(keys) = jwk.prepared_keys() else {
                continue;
            };
            if let Some(key) = keys.iter().find(|k| k.algorithm() == algorithm) {
                if found.is_some() {
                    return Err(Error::UnknownKey(UnknownKeyError::NotFound { kid: None }));
                }
                found = Some(key);
            }
        }
        found
            .map(Cow::Borrowed)
            .ok_or(Error::UnknownKey(UnknownKeyError::NotFound { kid: None }))
    }
}
