//! A document's own freshness lifetime (`Cache-Control: max-age`, handed over as
//! `FetchedDocument::with_max_age`) decides when the store refreshes, bounded by its policy:
//! never sooner than `cooldown`, never later than `max_age`.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

mod common;

use common::store::{TestClock, jwks, key, token, validation};
use webtoken::jwks::{Fetch, FetchError, FetchedDocument, StorePolicy};
use webtoken::{KeyStore, SigningKey};

/// Serves one set with a fixed `max-age` (or none), and counts its calls.
struct Provider {
    document: String,
    max_age: Option<Duration>,
    calls: Arc<AtomicUsize>,
}

impl Fetch for Provider {
    fn fetch(&self) -> Result<String, FetchError> {
        panic!("the store calls fetch_document")
    }

    fn fetch_document(&self) -> Result<FetchedDocument, FetchError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let document = FetchedDocument::new(self.document.clone());
        Ok(match self.max_age {
            Some(age) => document.with_max_age(age),
            None => document,
        })
    }
}

/// After how many seconds a store whose document says `max_age` fetches again (with
/// `max_stale` 0, a set past its freshness is not used: the next lookup fetches at once).
fn refetched_after(max_age: Option<Duration>) -> i64 {
    let k1: SigningKey = key("k1", 1);
    let calls = Arc::new(AtomicUsize::new(0));
    let clock = TestClock::new();
    let store = KeyStore::new(Provider {
        document: jwks(&[&k1]),
        max_age,
        calls: Arc::clone(&calls),
    })
    .with_policy(
        StorePolicy::new()
            .with_max_age(Duration::from_secs(600))
            .with_cooldown(Duration::from_secs(30))
            .with_max_stale(Duration::ZERO),
    )
    .with_clock(clock.clone());
    let jwt = token(&k1);
    webtoken::decode::<()>(&jwt, &store, &validation()).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    for elapsed in 1..=700 {
        clock.advance(1);
        webtoken::decode::<()>(&jwt, &store, &validation()).unwrap();
        if calls.load(Ordering::SeqCst) == 2 {
            return elapsed;
        }
    }
    panic!("no refetch within 700 s");
}

#[test]
fn a_document_max_age_within_the_policy_is_honoured() {
    assert_eq!(refetched_after(Some(Duration::from_secs(60))), 60);
    assert_eq!(refetched_after(Some(Duration::from_secs(300))), 300);
}

#[test]
fn a_document_max_age_is_bounded_by_cooldown_and_max_age() {
    // `no-cache` (0) or a very short max-age cannot make the store fetch more often than
    // once per cooldown; a very long one cannot keep a set past the policy's max_age.
    assert_eq!(refetched_after(Some(Duration::ZERO)), 30);
    assert_eq!(refetched_after(Some(Duration::from_secs(5))), 30);
    assert_eq!(refetched_after(Some(Duration::from_secs(86_400))), 600);
    assert_eq!(refetched_after(Some(Duration::MAX)), 600);
    assert_eq!(refetched_after(None), 600);
}
