//! The service's signing keys: one current ES256 key that signs, and retired keys that only
//! verify until every token they signed has expired. All are published as a JWK Set whose
//! `kid`s are RFC 7638 thumbprints.

use std::borrow::Cow;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use webtoken::keys::{InvalidKey, JwkSet, KeyError, KeyErrorCategory};
use webtoken::{Algorithm, Error, KeySource, NumericDate, SigningKey, VerifyingKey};

/// One key of a [`KeySet`]: it signs from `signs_from` until a later key's `signs_from`
/// comes, and verifies (is published) until `verifies_until`, when every token it signed has
/// expired.
#[derive(Clone, Debug)]
pub struct KeyEntry {
    /// The ES256 private key; its `kid` is its RFC 7638 thumbprint.
    pub key: SigningKey,
    /// From when it signs (a key scheduled for later is published, and verifies, before).
    pub signs_from: NumericDate,
    /// Once retired: after this time no token it signed can still be valid.
    pub verifies_until: Option<NumericDate>,
}

/// One consistent view of the keys: what signs now and what verifies.
#[derive(Debug)]
pub struct KeySet {
    entries: Vec<KeyEntry>,
    signing: usize,
    published: JwkSet,
    published_json: String,
}

impl KeySet {
    /// The keys of `entries` that still verify at `now` (the others are dropped); the one that
    /// signs is the latest whose `signs_from` has come (or the earliest, if none has).
    ///
    /// # Errors
    /// When a key is not ES256, or when no key is left.
    pub fn build(entries: Vec<KeyEntry>, now: NumericDate) -> Result<Self, Error> {
        let mut entries = entries
            .into_iter()
            .filter(|e| e.verifies_until.is_none_or(|until| until >= now))
            .map(|mut e| {
                e.key = KeyRing::check(e.key)?;
                Ok(e)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        entries.sort_by_key(|e| e.signs_from);
        let signing = entries
            .iter()
            .rposition(|e| e.signs_from <= now)
            .unwrap_or(0);
        if entries.is_empty() {
            return Err(Error::Key(KeyError::Invalid(InvalidKey::new(
                KeyErrorCategory::Rejected,
                "no signing key",
            ))));
        }
        let mut jwks = Vec::with_capacity(entries.len());
        // The signing key first, then the others newest first.
        jwks.push(entries[signing].key.to_public_jwk()?);
        for (i, entry) in entries.iter().enumerate().rev() {
            if i != signing {
                jwks.push(entry.key.to_public_jwk()?);
            }
        }
        let published = JwkSet::from_keys(jwks)?;
        let published_json = serde_json::to_string(&published).map_err(|e| {
            Error::Key(KeyError::Invalid(InvalidKey::new(
                KeyErrorCategory::Jwk,
                e.to_string(),
            )))
        })?;
        Ok(Self {
            entries,
            signing,
            published,
            published_json,
        })
    }

    /// The key that signs new tokens (its key id is its thumbprint).
    pub fn signing_key(&self) -> &SigningKey {
        &self.entries[self.signing].key
    }

    /// The public keys that verify: the signing one first, then the others.
    pub fn jwks(&self) -> &JwkSet {
        &self.published
    }

    /// [`jwks`](Self::jwks) serialized, as served at `/.well-known/jwks.json`.
    pub fn jwks_json(&self) -> &str {
        &self.published_json
    }

    /// The key ids of the retired keys still published.
    pub fn retired_key_ids(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|e| e.verifies_until.is_some())
            .filter_map(|e| e.key.key_id())
    }

    /// The keys, oldest `signs_from` first.
    pub fn entries(&self) -> &[KeyEntry] {
        &self.entries
    }

    /// The next time after `now` at which this set changes by itself: a scheduled key starts
    /// signing, or a retired key stops verifying.
    pub fn next_change(&self, now: NumericDate) -> Option<NumericDate> {
        self.entries
            .iter()
            .flat_map(|e| {
                [
                    Some(e.signs_from),
                    e.verifies_until
                        .map(|u| u.saturating_add(Duration::from_secs(1))),
                ]
            })
            .flatten()
            .filter(|t| *t > now)
            .min()
    }
}

/// Verification picks the published key named by the token's `kid`; an unknown `kid` is an
/// error, never a fallback to another key.
impl KeySource for KeySet {
    fn find_key(
        &self,
        key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        self.published.find_key(key_id, algorithm)
    }
}

/// The service's key ring: swap in a new signing key with [`rotate`](Self::rotate) while the
/// old key keeps verifying for `retain_for` (the longest token lifetime plus leeway), or
/// [`replace`](Self::replace) the whole set (what replicas do with the schedule kept in
/// Redis, [`crate::shared_keys`]).
///
/// Readers take a cheap [`Arc`] snapshot ([`current`](Self::current)), so a rotation never
/// blocks or tears an in-flight verification.
#[derive(Debug)]
pub struct KeyRing {
    state: RwLock<Arc<KeySet>>,
    retain_for: Duration,
}

fn with_thumbprint_kid(key: SigningKey) -> Result<SigningKey, Error> {
    let kid = key.thumbprint()?;
    Ok(key.with_key_id(kid))
}

impl KeyRing {
    /// A ring whose only key is `signing` (an ES256 key); its `kid` becomes its thumbprint.
    ///
    /// # Errors
    /// [`webtoken::keys::KeyError`] when the key is not ES256 or has no public JWK.
    pub fn new(signing: SigningKey, retain_for: Duration) -> Result<Self, Error> {
        let entry = KeyEntry {
            key: signing,
            signs_from: NumericDate::from_secs(0),
            verifies_until: None,
        };
        let set = KeySet::build(vec![entry], NumericDate::from_secs(0))?;
        Ok(Self {
            state: RwLock::new(Arc::new(set)),
            retain_for,
        })
    }

    pub(crate) fn check(key: SigningKey) -> Result<SigningKey, Error> {
        if key.algorithm() != Algorithm::Es256 {
            return Err(Error::Key(KeyError::Invalid(InvalidKey::new(
                KeyErrorCategory::Rejected,
                format!("the service signs with ES256, not {}", key.algorithm()),
            ))));
        }
        with_thumbprint_kid(key)
    }

    /// The keys as they are now.
    pub fn current(&self) -> Arc<KeySet> {
        Arc::clone(&self.state.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// How long a retired key keeps verifying.
    pub fn retain_for(&self) -> Duration {
        self.retain_for
    }

    /// Puts `set` in place of the current keys.
    pub fn replace(&self, set: KeySet) {
        *self.state.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(set);
    }

    /// Makes `next` the signing key. The previous key stops signing at once and keeps verifying
    /// (and stays published) until `now` + the retention period, when no token it signed can
    /// still be valid. Retired keys past their time are dropped.
    ///
    /// # Errors
    /// As [`new`](Self::new); the ring is unchanged on error.
    pub fn rotate(&self, next: SigningKey, now: NumericDate) -> Result<(), Error> {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let mut entries = state.entries.clone();
        for entry in &mut entries {
            entry
                .verifies_until
                .get_or_insert(now.saturating_add(self.retain_for));
        }
        entries.push(KeyEntry {
            key: next,
            signs_from: now,
            verifies_until: None,
        });
        *state = Arc::new(KeySet::build(entries, now)?);
        Ok(())
    }

    /// Drops the retired keys whose tokens have all expired by `now`, and lets a key
    /// scheduled to sign from `now` or before take over.
    ///
    /// # Errors
    /// Only if the remaining keys no longer form a JWK Set (they did before, so in practice
    /// never).
    pub fn prune(&self, now: NumericDate) -> Result<(), Error> {
        let set = self.current();
        let expired = set
            .entries
            .iter()
            .any(|e| e.verifies_until.is_some_and(|until| until < now));
        let due = set
            .entries
            .iter()
            .rposition(|e| e.signs_from <= now)
            .unwrap_or(0);
        if !expired && due == set.signing {
            return Ok(());
        }
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        *state = Arc::new(KeySet::build(state.entries.clone(), now)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn rotation_retires_then_drops_the_old_key() {
        let first = SigningKey::generate(Algorithm::Es256).unwrap();
        let ring = KeyRing::new(first, DAY).unwrap();
        let old_kid = ring.current().signing_key().key_id().unwrap().to_owned();
        let t0 = NumericDate::from_secs(1_700_000_000);

        ring.rotate(SigningKey::generate(Algorithm::Es256).unwrap(), t0)
            .unwrap();
        let keys = ring.current();
        assert_ne!(keys.signing_key().key_id(), Some(old_kid.as_str()));
        assert_eq!(
            keys.retired_key_ids().collect::<Vec<_>>(),
            [old_kid.as_str()]
        );
        assert_eq!(keys.jwks().len(), 2);

        ring.prune(t0.saturating_add(DAY)).unwrap();
        assert_eq!(
            ring.current().jwks().len(),
            2,
            "kept until the last token expires"
        );
        ring.prune(t0.saturating_add(DAY + Duration::from_secs(1)))
            .unwrap();
        assert_eq!(ring.current().jwks().len(), 1);
        assert!(ring.current().jwks().get(&old_kid).is_none());
    }

    #[test]
    fn a_scheduled_key_is_published_before_it_signs() {
        let first = SigningKey::generate(Algorithm::Es256).unwrap();
        let next = SigningKey::generate(Algorithm::Es256).unwrap();
        let (first_kid, next_kid) = (first.thumbprint().unwrap(), next.thumbprint().unwrap());
        let t0 = NumericDate::from_secs(1_700_000_000);
        let at = |secs: u64| t0.saturating_add(Duration::from_secs(secs));
        let entries = vec![
            KeyEntry {
                key: first,
                signs_from: NumericDate::from_secs(0),
                verifies_until: Some(at(20 + 100)),
            },
            KeyEntry {
                key: next,
                signs_from: at(20),
                verifies_until: None,
            },
        ];
        let before = KeySet::build(entries.clone(), at(19)).unwrap();
        assert_eq!(before.signing_key().key_id(), Some(first_kid.as_str()));
        assert!(before.jwks().get(&next_kid).is_some(), "published ahead");
        assert_eq!(before.next_change(at(19)), Some(at(20)));
        let after = KeySet::build(entries.clone(), at(20)).unwrap();
        assert_eq!(after.signing_key().key_id(), Some(next_kid.as_str()));
        assert_eq!(after.jwks().len(), 2, "the old key still verifies");
        let later = KeySet::build(entries, at(121)).unwrap();
        assert_eq!(later.jwks().len(), 1);
        assert!(later.jwks().get(&first_kid).is_none());
    }

    #[test]
    fn refuses_keys_of_other_algorithms() {
        let ed = SigningKey::generate(Algorithm::EdDsa).unwrap();
        assert!(KeyRing::new(ed, DAY).is_err());
    }
}
