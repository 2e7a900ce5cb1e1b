//! What the key store tests share: a settable clock, Ed25519 keys with a `kid`, their JWK Set,
//! a token signed by one of them, and a validation at the clock's start.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use webtoken::{Claims, Clock, Header, NumericDate, SigningKey, Validation};

pub(crate) const T0: i64 = 1_700_000_000;

/// A clock the test moves by hand.
#[derive(Debug)]
pub(crate) struct TestClock(AtomicI64);

impl TestClock {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self(AtomicI64::new(T0)))
    }
    pub(crate) fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> NumericDate {
        NumericDate::from_secs(self.0.load(Ordering::SeqCst))
    }
}

pub(crate) fn key(kid: &str, seed: u8) -> SigningKey {
    SigningKey::ed25519_seed(&[seed; 32])
        .unwrap()
        .with_key_id(kid)
}

pub(crate) fn jwks(keys: &[&SigningKey]) -> String {
    let keys: Vec<_> = keys.iter().map(|k| k.to_public_jwk().unwrap()).collect();
    serde_json::json!({ "keys": keys }).to_string()
}

pub(crate) fn token(key: &SigningKey) -> String {
    let claims = Claims::new(()).with_expires_at(NumericDate::from_secs(T0 + 1_000_000));
    webtoken::encode(&Header::new(), &claims, key).unwrap()
}

pub(crate) fn validation() -> Validation {
    Validation::new().with_fixed_time(NumericDate::from_secs(T0))
}
