//! The key store under failure: a fetcher that panics, an async fetch that is cancelled, a
//! fetch that never ends, a slow refresh while known keys are looked up, and what
//! `unknown_key` says when the store could not refetch. Every wait is bounded: a store that
//! wedges makes a test fail (within seconds), never hang.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

mod common;

use common::store::{TestClock, jwks, key, token, validation};
use webtoken::jwks::{FetchError, KeyStore, StorePolicy};
use webtoken::{Error, ErrorKind};

/// How long a test lets an operation run before it calls the store wedged.
const BOUND: Duration = Duration::from_secs(10);

/// max_age 600 s, cooldown 30 s, max_stale 3600 s, and this wait for another caller's fetch.
fn policy(wait_for_fetch: Duration) -> StorePolicy {
    let mut p = StorePolicy::default();
    p.max_age = Duration::from_secs(600);
    p.cooldown = Duration::from_secs(30);
    p.max_stale = Duration::from_secs(3600);
    p.wait_for_fetch = wait_for_fetch;
    p
}

fn verify<S: webtoken::KeySource>(store: &S, jwt: &str) -> Result<(), Error> {
    webtoken::decode::<()>(jwt, store, &validation()).map(|_| ())
}

/// Runs `f` on its own thread and returns its result, or fails the test if it takes longer
/// than [`BOUND`] (the store wedged) or panics.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(BOUND) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: still waiting after {BOUND:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

/// A minimal executor: polls a future on this thread until it completes, polling again only
/// when the future's waker is woken (so a wait that nothing wakes never ends).
fn block_on<F: Future>(future: F) -> F::Output {
    struct ThreadWaker(std::thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park();
    }
}

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// A waker that counts its wakes.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

type BoxedFetch = Pin<Box<dyn Future<Output = Result<String, FetchError>> + Send>>;

/// One scripted step of an async fetcher.
enum Step {
    Serve(String),
    Panic,
    /// A fetch that never completes (a provider that hangs; the caller must give up).
    Hang,
}

/// An async fetcher that plays `steps` in order, one per call, and counts its calls.
fn scripted_async(steps: Vec<Step>) -> (Arc<AtomicUsize>, impl Fn() -> BoxedFetch + Send + Sync) {
    let calls = Arc::new(AtomicUsize::new(0));
    let steps = Mutex::new(steps.into_iter());
    let counter = calls.clone();
    let fetch = move || -> BoxedFetch {
        counter.fetch_add(1, Ordering::SeqCst);
        match steps.lock().unwrap().next() {
            Some(Step::Serve(doc)) => Box::pin(async move { Ok(doc) }),
            Some(Step::Panic) => Box::pin(async { panic!("scripted fetcher panic") }),
            Some(Step::Hang) | None => Box::pin(std::future::pending()),
        }
    };
    (calls, fetch)
}

#[test]
fn a_panicking_blocking_fetcher_leaves_the_store_usable() {
    let k1 = key("k1", 1);
    let document = jwks(&[&k1]);
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let clock = TestClock::new();
    let store = Arc::new(
        KeyStore::new(move || {
            let call = counter.fetch_add(1, Ordering::SeqCst);
            assert!(call > 0, "scripted fetcher panic");
            Ok(document.clone())
        })
        .with_policy(policy(Duration::from_secs(60)))
        .with_clock(clock.clone()),
    );
    let jwt = token(&k1);

    // The panic reaches the caller whose lookup ran the fetcher.
    let first = panic::catch_unwind(AssertUnwindSafe(|| verify(&*store, &jwt)));
    assert!(first.is_err(), "the fetcher's panic is passed on");
    let status = store.status();
    assert_eq!(status.fetches, 1);
    assert!(status.last_error.unwrap().contains("the fetcher panicked"));

    // Within the cooldown the next lookup does not fetch and does not wait: it says why.
    let (s, j) = (store.clone(), jwt.clone());
    let err = within("lookup after the panic", move || verify(&*s, &j)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownKey);
    let message = err.to_string();
    assert!(message.contains("next fetch in 30 s"), "{message}");
    assert!(message.contains("the fetcher panicked"), "{message}");
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // After the cooldown the fetcher is called again and the store recovers.
    clock.advance(30);
    let (s, j) = (store.clone(), jwt.clone());
    within("lookup after the cooldown", move || verify(&*s, &j)).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(store.status().last_error, None);
}

#[test]
fn blocking_waiters_are_woken_when_the_fetcher_panics() {
    let k1 = key("k1", 1);
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = Mutex::new(release_rx);
    let store = Arc::new(
        KeyStore::new(move || -> Result<String, FetchError> {
            let _ = started_tx.send(());
            let _ = release_rx.lock().unwrap().recv_timeout(BOUND);
            panic!("scripted fetcher panic");
        })
        // Long enough that a waiter left to its timeout fails `within`.
        .with_policy(policy(Duration::from_secs(60)))
        .with_clock(TestClock::new()),
    );
    let jwt = token(&k1);
    let (s, j) = (store.clone(), jwt.clone());
    let fetching = std::thread::spawn(move || {
        panic::catch_unwind(AssertUnwindSafe(|| verify(&*s, &j))).is_err()
    });
    started_rx.recv_timeout(BOUND).unwrap();
    // The fetch is in flight: this lookup waits for it (or, if it comes late, finds it ended).
    let (s, j) = (store.clone(), jwt.clone());
    let waiter = std::thread::spawn(move || verify(&*s, &j));
    release_tx.send(()).unwrap();
    assert!(
        fetching.join().unwrap(),
        "the fetching thread saw the panic"
    );
    let err = within("waiter of a fetch that panicked", move || {
        waiter.join().unwrap()
    })
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownKey);
    assert!(err.to_string().contains("the fetcher panicked"), "{err}");
}

#[test]
fn a_panicking_async_fetcher_leaves_the_store_usable() {
    let k1 = key("k1", 1);
    let (calls, fetch) = scripted_async(vec![Step::Panic, Step::Serve(jwks(&[&k1]))]);
    let clock = TestClock::new();
    let store = Arc::new(
        KeyStore::new(fetch)
            .with_policy(policy(Duration::from_secs(60)))
            .with_clock(clock.clone()),
    );
    let jwt = token(&k1);
    let first = panic::catch_unwind(AssertUnwindSafe(|| {
        block_on(store.decode_async::<()>(&jwt, &validation()))
    }));
    assert!(first.is_err(), "the fetcher's panic is passed on");
    assert!(
        store
            .status()
            .last_error
            .unwrap()
            .contains("the fetcher panicked")
    );
    clock.advance(30);
    let (s, j) = (store.clone(), jwt.clone());
    within("decode_async after the panic", move || {
        block_on(s.decode_async::<()>(&j, &validation())).map(|_| ())
    })
    .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn a_cancelled_async_fetch_leaves_the_store_usable_and_wakes_its_waiters() {
    let k1 = key("k1", 1);
    let (calls, fetch) = scripted_async(vec![Step::Hang, Step::Serve(jwks(&[&k1]))]);
    let clock = TestClock::new();
    let store = Arc::new(
        KeyStore::new(fetch)
            .with_policy(policy(Duration::from_secs(60)))
            .with_clock(clock.clone()),
    );
    let jwt = token(&k1);
    let validation = validation();

    // Task A starts the fetch (which hangs); task B waits for it.
    let mut task_a = Box::pin(store.decode_async::<()>(&jwt, &validation));
    assert!(poll_once(task_a.as_mut()).is_pending());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let woken = Arc::new(CountingWaker::default());
    let b_waker = Waker::from(woken.clone());
    let mut task_b = Box::pin(store.decode_async::<()>(&jwt, &validation));
    assert!(
        task_b
            .as_mut()
            .poll(&mut Context::from_waker(&b_waker))
            .is_pending()
    );

    // A is dropped mid-fetch (a timeout, a client that went away): B is woken and ends.
    drop(task_a);
    assert!(
        woken.0.load(Ordering::SeqCst) >= 1,
        "the waiter was not woken"
    );
    let Poll::Ready(result) = task_b.as_mut().poll(&mut Context::from_waker(&b_waker)) else {
        panic!("the waiter is still waiting after the fetch was cancelled");
    };
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownKey);
    assert!(err.to_string().contains("it was cancelled"), "{err}");
    drop(task_b);

    // Within the cooldown nothing is fetched; after it the fetcher is called again.
    let mut task_c = Box::pin(store.decode_async::<()>(&jwt, &validation));
    let Poll::Ready(result) = poll_once(task_c.as_mut()) else {
        panic!("a lookup after the cancelled fetch waits");
    };
    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("next fetch in 30 s")
    );
    drop(task_c);
    clock.advance(30);
    let mut task_d = Box::pin(store.decode_async::<()>(&jwt, &validation));
    let Poll::Ready(result) = poll_once(task_d.as_mut()) else {
        panic!("the fetch after the cooldown did not run");
    };
    assert!(result.is_ok());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn async_waits_for_another_callers_fetch_are_bounded() {
    let k1 = key("k1", 1);
    let (_calls, fetch) = scripted_async(vec![Step::Hang]);
    let store = Arc::new(
        KeyStore::new(fetch)
            .with_policy(policy(Duration::from_millis(200)))
            .with_clock(TestClock::new()),
    );
    let jwt = token(&k1);
    let v = validation();
    // Task A's fetch hangs, and A is neither polled again nor dropped.
    let mut a = Box::pin(store.decode_async::<()>(&jwt, &v));
    assert!(poll_once(a.as_mut()).is_pending());
    let (s, j) = (store.clone(), jwt.clone());
    let err = within("an async wait for a hung fetch", move || {
        block_on(s.decode_async::<()>(&j, &validation())).map(|_| ())
    })
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownKey);
    assert!(
        err.to_string().contains("did not finish within 200 ms"),
        "{err}"
    );
    drop(a);
}

#[test]
fn known_keys_never_wait_for_a_slow_blocking_refresh() {
    let k1 = key("k1", 1);
    let k2 = key("k2", 2);
    let documents = Arc::new(Mutex::new(jwks(&[&k1])));
    let calls = Arc::new(AtomicUsize::new(0));
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = Mutex::new(release_rx);
    let (d, c) = (documents.clone(), calls.clone());
    let clock = TestClock::new();
    let store = Arc::new(
        KeyStore::new(move || {
            // Every fetch after the first is slow: it waits for the test to release it.
            if c.fetch_add(1, Ordering::SeqCst) > 0 {
                let _ = started_tx.send(());
                let _ = release_rx.lock().unwrap().recv_timeout(BOUND);
            }
            Ok(d.lock().unwrap().clone())
        })
        .with_policy(policy(Duration::from_secs(60)))
        .with_clock(clock.clone()),
    );
    let (old, new) = (token(&k1), token(&k2));
    verify(&*store, &old).unwrap();
    // (A stale set's background refresh is covered by tests/key_store_refresh.rs; here the set
    // is younger than max_age, past the cooldown.)
    clock.advance(60);

    // A token with a new kid makes a slow fetch; meanwhile k1 still answers at once.
    *documents.lock().unwrap() = jwks(&[&k1, &k2]);
    let (s, j) = (store.clone(), new.clone());
    let missing = std::thread::spawn(move || verify(&*s, &j));
    started_rx.recv_timeout(BOUND).unwrap();
    let (s, j) = (store.clone(), old.clone());
    within("known-key lookups during a fetch", move || {
        for _ in 0..8 {
            verify(&*s, &j).unwrap();
        }
    });
    release_tx.send(()).unwrap();
    missing.join().unwrap().unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn async_known_keys_never_wait_for_a_fetch() {
    let k1 = key("k1", 1);
    let k2 = key("k2", 2);
    let (calls, fetch) = scripted_async(vec![Step::Serve(jwks(&[&k1])), Step::Hang]);
    let clock = TestClock::new();
    let store = KeyStore::new(fetch)
        .with_policy(policy(Duration::from_secs(60)))
        .with_clock(clock.clone());
    let (old, new) = (token(&k1), token(&k2));
    let v = validation();
    assert!(block_on(store.decode_async::<()>(&old, &v)).is_ok());
    clock.advance(601);

    // Stale set, no fetch running: the first poll answers, and nothing is fetched.
    let mut known = Box::pin(store.decode_async::<()>(&old, &v));
    assert!(matches!(poll_once(known.as_mut()), Poll::Ready(Ok(_))));
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // A fetch for a new kid hangs; a known key still answers at the first poll.
    let mut missing = Box::pin(store.decode_async::<()>(&new, &v));
    assert!(poll_once(missing.as_mut()).is_pending());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let mut known = Box::pin(store.decode_async::<()>(&old, &v));
    assert!(matches!(poll_once(known.as_mut()), Poll::Ready(Ok(_))));
}

#[test]
fn unknown_key_says_that_the_fetch_failed_escaped_and_truncated() {
    let k1 = key("k1", 1);
    let hostile = format!("503 \u{1b}[2J\r\nX-Injected: yes {}", "y".repeat(5000));
    let reported = hostile.clone();
    let store = KeyStore::new(move || Err(FetchError::new(&reported)))
        .with_policy(policy(Duration::from_secs(60)))
        .with_clock(TestClock::new());
    let err = verify(&store, &token(&k1)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownKey);
    let message = err.to_string();
    assert!(
        message.contains("the last fetch of the JWK Set failed: 503 \\u{1b}[2J\\r\\nX-Injected"),
        "{message}"
    );
    assert!(!message.chars().any(char::is_control), "{message:?}");
    assert!(
        message.contains(&format!("… ({} bytes)", hostile.len())),
        "{message}"
    );
    assert!(message.len() < 400, "{} bytes", message.len());
}

#[test]
fn unknown_key_says_when_the_cooldown_allows_the_next_fetch() {
    let k1 = key("k1", 1);
    let k2 = key("k2", 2);
    let document = jwks(&[&k1]);
    let clock = TestClock::new();
    let store = KeyStore::new(move || Ok::<_, FetchError>(document.clone()))
        .with_policy(policy(Duration::from_secs(60)))
        .with_clock(clock.clone());
    verify(&store, &token(&k1)).unwrap();
    clock.advance(12);
    let err = verify(&store, &token(&k2)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownKey);
    let message = err.to_string();
    assert!(
        message.starts_with("no key found for kid \"k2\""),
        "{message}"
    );
    assert!(message.contains("next fetch in 18 s"), "{message}");
    // After a successful fetch that lacks the kid, the plain message.
    clock.advance(18);
    let err = verify(&store, &token(&k2)).unwrap_err();
    assert_eq!(err.to_string(), "no key found for kid \"k2\"");
}

#[test]
fn fetch_errors_are_prefixed_once_and_escaped() {
    let clock = TestClock::new();
    let store = KeyStore::new(|| Err(FetchError::new("bad\nline")))
        .with_policy(policy(Duration::from_secs(60)))
        .with_clock(clock);
    let err = store.refresh().unwrap_err();
    assert_eq!(err.to_string(), "fetching the JWK Set failed: bad\\nline");
    assert_eq!(err.message(), "bad\nline");
    let long = FetchError::new("z".repeat(1000)).to_string();
    assert!(long.ends_with("… (1000 bytes)"), "{long}");
    // The crate's free-text cut (256 characters), not the 1000 of the message.
    assert!(long.len() < 320, "{} bytes", long.len());
}
