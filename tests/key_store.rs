//! The JWK Set key store's policy, rule by rule, with an injected clock and a counting fake
//! fetcher, plus one run over real loopback HTTP.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

#[path = "../examples/support/loopback_http.rs"]
mod loopback_http;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

mod common;

use common::store::{T0, TestClock, jwks, key, token, validation};
use webtoken::jwks::{FetchError, KeyStore, StorePolicy};
use webtoken::{ErrorKind, NumericDate, SigningKey};

/// A fetcher that serves whatever document the test sets, and counts its calls.
#[derive(Clone)]
struct FakeProvider {
    document: Arc<Mutex<Result<String, FetchError>>>,
    calls: Arc<AtomicUsize>,
    delay: Duration,
}

impl FakeProvider {
    fn new(keys: &[&SigningKey]) -> Self {
        Self {
            document: Arc::new(Mutex::new(Ok(jwks(keys)))),
            calls: Arc::new(AtomicUsize::new(0)),
            delay: Duration::ZERO,
        }
    }
    fn serve(&self, document: Result<String, FetchError>) {
        *self.document.lock().unwrap() = document;
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    fn fetcher(&self) -> impl Fn() -> Result<String, FetchError> + Send + Sync + use<> {
        let this = self.clone();
        move || {
            this.calls.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(this.delay);
            this.document.lock().unwrap().clone()
        }
    }
}

fn policy() -> StorePolicy {
    let mut p = StorePolicy::default();
    p.max_age = Duration::from_secs(600);
    p.cooldown = Duration::from_secs(30);
    p.max_stale = Duration::from_secs(3600);
    p
}

fn store(
    provider: &FakeProvider,
    clock: &Arc<TestClock>,
) -> KeyStore<impl webtoken::jwks::Fetch + use<>> {
    KeyStore::new(provider.fetcher())
        .with_policy(policy())
        .with_clock(clock.clone())
}

fn verify<S: webtoken::KeySource>(store: &S, jwt: &str) -> Result<(), ErrorKind> {
    webtoken::decode::<()>(jwt, store, &validation())
        .map(|_| ())
        .map_err(|e| e.kind())
}

#[test]
fn first_lookup_fetches_once_then_serves_from_the_cache() {
    let k1 = key("k1", 1);
    let provider = FakeProvider::new(&[&k1]);
    let clock = TestClock::new();
    let store = store(&provider, &clock);
    for _ in 0..10 {
        assert_eq!(verify(&store, &token(&k1)), Ok(()));
    }
    assert_eq!(provider.calls(), 1);
    assert_eq!(store.status().keys, 1);
}

#[test]
fn a_set_older_than_max_age_is_refreshed_by_a_miss_or_refresh() {
    let k1 = key("k1", 1);
    let k2 = key("k2", 2);
    let provider = FakeProvider::new(&[&k1]);
    let clock = TestClock::new();
    let store = store(&provider, &clock);
    assert_eq!(verify(&store, &token(&k1)), Ok(()));
    clock.advance(599);
    // Lookups of a key a fresh set holds answer from it and do not fetch.
    for _ in 0..5 {
        assert_eq!(verify(&store, &token(&k1)), Ok(()));
    }
    assert_eq!(provider.calls(), 1, "known keys on a fresh set never fetch");
    // Past max_age, a kid the set does not hold refreshes it in the caller.
    clock.advance(2);
    provider.serve(Ok(jwks(&[&k1, &k2])));
    assert_eq!(verify(&store, &token(&k2)), Ok(()));
    assert_eq!(provider.calls(), 2);
    assert_eq!(
        store.status().fetched_at,
        Some(NumericDate::from_secs(T0 + 601))
    );
    // So does a scheduled refresh.
    clock.advance(601);
    assert_eq!(store.refresh(), Ok(()));
    assert_eq!(provider.calls(), 3);
    assert_eq!(
        store.status().fetched_at,
        Some(NumericDate::from_secs(T0 + 1202))
    );
}

#[test]
fn clones_share_one_cache_and_one_cooldown() {
    let k1 = key("k1", 1);
    let k2 = key("k2", 2);
    let provider = FakeProvider::new(&[&k1]);
    let clock = TestClock::new();
    let store = store(&provider, &clock);
    let clone = store.clone();
    assert_eq!(verify(&clone, &token(&k1)), Ok(()));
    // The original sees the set its clone fetched, and the clone's cooldown.
    assert_eq!(verify(&store, &token(&k1)), Ok(()));
    assert_eq!(provider.calls(), 1);
    provider.serve(Ok(jwks(&[&k1, &k2])));
    assert_eq!(verify(&store, &token(&k2)), Err(ErrorKind::UnknownKey));
    assert_eq!(provider.calls(), 1, "the cooldown is shared");
    clock.advance(30);
    assert_eq!(verify(&store, &token(&k2)), Ok(()));
    assert_eq!(verify(&clone, &token(&k2)), Ok(()));
    assert_eq!(provider.calls(), 2);
    assert_eq!(clone.status(), store.status());
}

#[test]
fn an_unknown_kid_refetches_at_most_once_per_cooldown() {
    let k1 = key("k1", 1);
    let k2 = key("k2", 2);
    let provider = FakeProvider::new(&[&k1]);
    let clock = TestClock::new();
    let store = store(&provider, &clock);
    assert_eq!(verify(&store, &token(&k1)), Ok(()));
    clock.advance(31);
    // An attacker sends tokens with random kids: one refetch, then the cooldown holds.
    for i in 0..50 {
        let forged = key(&format!("random-{i}"), 9);
        assert_eq!(verify(&store, &token(&forged)), Err(ErrorKind::UnknownKey));
    }
    assert_eq!(provider.calls(), 2);
    // The provider rotates within the cooldown: the new kid is unknown until it ends.
    provider.serve(Ok(jwks(&[&k1, &k2])));
    assert_eq!(verify(&store, &token(&k2)), Err(ErrorKind::UnknownKey));
    assert_eq!(provider.calls(), 2);
    clock.advance(30);
    assert_eq!(verify(&store, &token(&k2)), Ok(()));
    assert_eq!(provider.calls(), 3);
}

#[test]
fn rotation_is_followed_after_one_refetch() {
    let k1 = key("k1", 1);
    let k2 = key("k2", 2);
    let provider = FakeProvider::new(&[&k1]);
    let clock = TestClock::new();
    let store = store(&provider, &clock);
    assert_eq!(verify(&store, &token(&k1)), Ok(()));
    clock.advance(60);
    provider.serve(Ok(jwks(&[&k2])));
    assert_eq!(verify(&store, &token(&k2)), Ok(()));
    assert_eq!(provider.calls(), 2);
    // The retired key is gone with the new set.
    assert_eq!(verify(&store, &token(&k1)), Err(ErrorKind::UnknownKey));
}

#[test]
fn concurrent_misses_share_one_fetch() {
    let k1 = key("k1", 1);
    let mut provider = FakeProvider::new(&[&k1]);
    provider.delay = Duration::from_millis(300);
    let clock = TestClock::new();
    let store = Arc::new(store(&provider, &clock));
    let jwt = token(&k1);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            let jwt = jwt.clone();
            std::thread::spawn(move || verify(&*store, &jwt))
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), Ok(()));
    }
    assert_eq!(provider.calls(), 1);
}

/// Waits, at most 10 s, until no fetch is in flight (a background refresh has ended).
fn wait_for_background_fetch<F>(store: &KeyStore<F>) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while store.status().fetching {
        assert!(
            std::time::Instant::now() < deadline,
            "the background refresh did not end within 10 s"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_failed_fetch_keeps_serving_the_last_good_set_until_max_stale() {
    let k1 = key("k1", 1);
    let provider = FakeProvider::new(&[&k1]);
    let clock = TestClock::new();
    let store = store(&provider, &clock);
    assert_eq!(verify(&store, &token(&k1)), Ok(()));
    provider.serve(Err(FetchError::new("connection refused")));
    clock.advance(601);
    assert!(store.refresh().is_err());
    assert_eq!(verify(&store, &token(&k1)), Ok(()), "stale but usable");
    assert_eq!(provider.calls(), 2);
    assert!(
        store
            .status()
            .last_error
            .unwrap()
            .contains("connection refused")
    );
    clock.advance(3000); // 3601 s past fetch: within max_age + max_stale (4200 s)
    // The stale but usable set answers at once; the lookup starts one background refresh
    // (the cooldown has passed), which fails and leaves the set in place.
    assert_eq!(verify(&store, &token(&k1)), Ok(()));
    wait_for_background_fetch(&store);
    assert_eq!(provider.calls(), 3);
    assert_eq!(
        verify(&store, &token(&k1)),
        Ok(()),
        "still stale but usable"
    );
    clock.advance(600); // 4201 s: too stale to trust, so the lookup fetches, and that fails
    assert_eq!(verify(&store, &token(&k1)), Err(ErrorKind::UnknownKey));
    assert_eq!(provider.calls(), 4);
    // Once the provider is back, the next lookup after the cooldown recovers.
    provider.serve(Ok(jwks(&[&k1])));
    clock.advance(31);
    assert_eq!(verify(&store, &token(&k1)), Ok(()));
    assert_eq!(store.status().last_error, None);
}

#[test]
fn a_malformed_or_oversized_set_never_replaces_a_good_one() {
    let k1 = key("k1", 1);
    let k2 = key("k2", 2);
    let provider = FakeProvider::new(&[&k1]);
    let clock = TestClock::new();
    let store = store(&provider, &clock);
    assert_eq!(verify(&store, &token(&k1)), Ok(()));
    let bad_documents = [
        "<html>503</html>".to_owned(),
        r#"{"keys":{}}"#.to_owned(),
        // Duplicate kid: refused by the JWK Set rules.
        jwks(&[&k2, &key("k2", 3)]),
        // More keys than the policy allows.
        jwks(
            &(0..65)
                .map(|i| key(&format!("k{i}"), 4))
                .collect::<Vec<_>>()
                .iter()
                .collect::<Vec<_>>(),
        ),
        // Larger than the document limit.
        format!(r#"{{"keys":[],"pad":"{}"}}"#, "x".repeat(300 * 1024)),
    ];
    for bad in bad_documents {
        provider.serve(Ok(bad));
        clock.advance(31);
        assert!(store.refresh().is_err());
        assert_eq!(verify(&store, &token(&k1)), Ok(()), "good set kept");
        assert_eq!(store.current_set().unwrap().len(), 1);
    }
}

/// A minimal executor: polls a future on this thread until it completes.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    struct ThreadWaker(std::thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park_timeout(Duration::from_millis(50));
    }
}

#[test]
fn async_fetchers_refresh_on_unknown_kid_and_share_one_fetch() {
    let k1 = key("k1", 1);
    let k2 = key("k2", 2);
    let provider = FakeProvider::new(&[&k1]);
    let clock = TestClock::new();
    let fetch = {
        let p = provider.clone();
        move || {
            let p = p.clone();
            async move {
                p.calls.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(200));
                p.document.lock().unwrap().clone()
            }
        }
    };
    let store = Arc::new(
        KeyStore::new(fetch)
            .with_policy(policy())
            .with_clock(clock.clone()),
    );
    let v = validation();
    assert!(block_on(store.decode_async::<()>(&token(&k1), &v)).is_ok());
    assert_eq!(provider.calls(), 1);
    clock.advance(60);
    provider.serve(Ok(jwks(&[&k1, &k2])));
    let jwt = token(&k2);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            let jwt = jwt.clone();
            std::thread::spawn(move || {
                block_on(store.decode_async::<()>(&jwt, &validation())).map(|_| ())
            })
        })
        .collect();
    for t in tasks {
        assert!(t.join().unwrap().is_ok());
    }
    assert_eq!(provider.calls(), 2);
}

#[test]
fn follows_rotation_over_real_loopback_http() {
    let k1 = key("k1", 1);
    let k2 = key("k2", 2);
    let body = Arc::new(Mutex::new(jwks(&[&k1])));
    let (url, server) = loopback_http::serve(body.clone(), 2).unwrap();
    let clock = TestClock::new();
    let store = KeyStore::new(move || loopback_http::get(&url))
        .with_policy(policy())
        .with_clock(clock.clone());
    assert_eq!(verify(&store, &token(&k1)), Ok(()), "{:?}", store.status());
    *body.lock().unwrap() = jwks(&[&k1, &k2]);
    clock.advance(31);
    assert_eq!(verify(&store, &token(&k2)), Ok(()), "{:?}", store.status());
    assert_eq!(store.status().fetches, 2);
    server.join().unwrap();
}
