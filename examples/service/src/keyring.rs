//! The service's signing keys: one current ES256 key that signs, and retired keys that only
//! verify until every token they signed has expired. All are published as a JWK Set whose
//! `kid`s are RFC 7638 thumbprints.

use std::borrow::Cow;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use webtoken::keys::{InvalidKey, Jwk, JwkSet, KeyErrorCategory};
use webtoken::{Algorithm, Error, KeySource, NumericDate, SigningKey, VerifyingKey};

/// One consistent view of the keys: what signs now and what verifies.
#[derive(Debug)]
pub struct KeySet {
    signing: SigningKey,
    retired: Vec<Retired>,
    published: JwkSet,
    published_json: String,
}

#[derive(Clone, Debug)]
struct Retired {
    jwk: Jwk,
    /// Past this time no token signed by the key can still be valid.
    until: NumericDate,
}

impl KeySet {
    fn build(signing: SigningKey, retired: Vec<Retired>) -> Result<Self, Error> {
        let mut jwks = vec![signing.to_public_jwk()?];
        jwks.extend(retired.iter().map(|r| r.jwk.clone()));
        let published = JwkSet::from_keys(jwks)?;
        let published_json = serde_json::to_string(&published).map_err(|e| {
            Error::Key(webtoken::KeyError::Invalid(InvalidKey::new(
                KeyErrorCategory::Jwk,
                e.to_string(),
            )))
        })?;
        Ok(Self {
            signing,
            retired,
            published,
            published_json,
        })
    }

    /// The key that signs new tokens (its key id is its thumbprint).
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    /// The public keys that verify: the current one first, then the retired ones.
    pub fn jwks(&self) -> &JwkSet {
        &self.published
    }

    /// [`jwks`](Self::jwks) serialized, as served at `/.well-known/jwks.json`.
    pub fn jwks_json(&self) -> &str {
        &self.published_json
    }

    /// The key ids of the retired keys still published.
    pub fn retired_key_ids(&self) -> impl Iterator<Item = &str> {
        self.retired.iter().filter_map(|r| r.jwk.key_id())
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
/// old key keeps verifying for `retain_for` (the longest token lifetime plus leeway).
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
    /// [`webtoken::KeyError`] when the key is not ES256 or has no public JWK.
    pub fn new(signing: SigningKey, retain_for: Duration) -> Result<Self, Error> {
        let set = KeySet::build(Self::check(signing)?, Vec::new())?;
        Ok(Self {
            state: RwLock::new(Arc::new(set)),
            retain_for,
        })
    }

    fn check(key: SigningKey) -> Result<SigningKey, Error> {
        if key.algorithm() != Algorithm::Es256 {
            return Err(Error::Key(webtoken::KeyError::Invalid(InvalidKey::new(
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

    /// Makes `next` the signing key. The previous key stops signing at once and keeps verifying
    /// (and stays published) until `now` + the retention period, when no token it signed can
    /// still be valid. Retired keys past their time are dropped.
    ///
    /// # Errors
    /// As [`new`](Self::new); the ring is unchanged on error.
    pub fn rotate(&self, next: SigningKey, now: NumericDate) -> Result<(), Error> {
        let next = Self::check(next)?;
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let mut retired: Vec<Retired> = state
            .retired
            .iter()
            .filter(|r| r.until >= now)
            .cloned()
            .collect();
        retired.insert(
            0,
            Retired {
                jwk: state.signing.to_public_jwk()?,
                until: now.saturating_add(self.retain_for),
            },
        );
        *state = Arc::new(KeySet::build(next, retired)?);
        Ok(())
    }

    /// Drops the retired keys whose tokens have all expired by `now`.
    ///
    /// # Errors
    /// Only if the remaining keys no longer form a JWK Set (they did before, so in practice
    /// never).
    pub fn prune(&self, now: NumericDate) -> Result<(), Error> {
        if self.current().retired.iter().all(|r| r.until >= now) {
            return Ok(());
        }
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let retired = state
            .retired
            .iter()
            .filter(|r| r.until >= now)
            .cloned()
            .collect();
        *state = Arc::new(KeySet::build(state.signing.clone(), retired)?);
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
    fn refuses_keys_of_other_algorithms() {
        let ed = SigningKey::generate(Algorithm::EdDsa).unwrap();
        assert!(KeyRing::new(ed, DAY).is_err());
    }
}
