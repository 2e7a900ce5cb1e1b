//! Stale-while-revalidate: a lookup that finds its key in a set older than `max_age` answers at
//! once and refreshes the set in the background (a thread for blocking lookups, the spawner
//! for async ones), so a key the provider has withdrawn stops being accepted. Every test is
//! synchronised by channels and the store's own waits; nothing asserts on the wall clock, and
//! every wait is bounded.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

mod common;

use common::store::{T0, TestClock, jwks, key, token, validation};
use webtoken::jwks::{
    BoxFetchFuture, BoxedAsyncFetcher, FetchError, KeyStore, RefreshFuture, StorePolicy,
};
use webtoken::{Error, ErrorKind, NumericDate};

/// How long a test waits for something that should happen before it calls the store wedged.
const BOUND: Duration = Duration::from_secs(10);

/// max_age 600 s, cooldown 30 s, max_stale 3600 s, wait_for_fetch [`BOUND`].
fn policy() -> StorePolicy {
    let mut p = StorePolicy::default();
    p.max_age = Duration::from_secs(600);
    p.cooldown = Duration::from_secs(30);
    p.max_stale = Duration::from_secs(3600);
    p.wait_for_fetch = BOUND;
    p
}

fn verify<S: webtoken::KeySource>(store: &S, jwt: &str) -> Result<(), Error> {
    webtoken::decode::<()>(jwt, store, &validation()).map(|_| ())
}

/// Runs `f` on its own thread; fails the test if it takes longer than [`BOUND`] or panics.
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

/// What a scripted blocking fetch does (after the first, which serves the initial set).
#[derive(Clone)]
enum Then {
    /// Serve this document at once.
    Serve(String),
    /// Wait until the test releases it (or drops the release channel), then serve.
    ServeWhenReleased(String),
    Fail,
    Panic,
}

/// A blocking provider: its first call serves `first`; later calls follow `then`, in order
/// (the last one repeats). Every call reports on `called` with the calling thread's name.
struct Provider {
    calls: Arc<AtomicUsize>,
    called: mpsc::Receiver<Option<String>>,
    release: mpsc::Sender<()>,
}

fn provider(
    first: String,
    then: Vec<Then>,
) -> (
    Provider,
    impl Fn() -> Result<String, FetchError> + Send + Sync + 'static,
) {
    let calls = Arc::new(AtomicUsize::new(0));
    let (called_tx, called) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let called_tx = Mutex::new(called_tx);
    let release_rx = Mutex::new(release_rx);
    let counter = calls.clone();
    let fetch = move || {
        let call = counter.fetch_add(1, Ordering::SeqCst);
        let name = std::thread::current().name().map(str::to_owned);
        let _ = called_tx.lock().unwrap().send(name);
        if call == 0 {
            return Ok(first.clone());
        }
        match then[(call - 1).min(then.len() - 1)].clone() {
            Then::Serve(doc) => Ok(doc),
            Then::ServeWhenReleased(doc) => {
                // Err: the test dropped the sender (it ended, or failed); serve anyway.
                let _ = release_rx.lock().unwrap().recv();
                Ok(doc)
            }
            Then::Fail => Err(FetchError::new("provider down")),
            Then::Panic => panic!("scripted fetcher panic"),
        }
    };
    (
        Provider {
            calls,
            called,
            release,
        },
        fetch,
    )
}

impl Provider {
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
    /// Waits (bounded) for the next fetcher call; the name of the thread that made it.
    fn next_call(&self, what: &str) -> Option<String> {
        self.called
            .recv_timeout(BOUND)
            .unwrap_or_else(|e| panic!("{what}: the fetcher was not called ({e})"))
    }
}

fn store<F>(fetch: F, clock: &Arc<TestClock>) -> Arc<KeyStore<F>> {
    Arc::new(
        KeyStore::new(fetch)
            .with_policy(policy())
            .with_clock(clock.clone()),
    )
}

#[test]
fn a_known_kid_on_a_stale_set_answers_at_once_while_the_refresh_runs_in_the_background() {
    let (k1, k2) = (key("k1", 1), key("k2", 2));
    let (provider, fetch) = provider(
        jwks(&[&k1]),
        vec![Then::ServeWhenReleased(jwks(&[&k1, &k2]))],
    );
    let clock = TestClock::new();
    let store = store(fetch, &clock);
    let (old, new) = (token(&k1), token(&k2));
    verify(&*store, &old).unwrap();
    assert_eq!(
        provider.next_call("first lookup"),
        this_thread(),
        "a miss fetches in the caller"
    );
    clock.advance(601);

    // The set is stale: the lookup answers from it while the refresh it started is blocked.
    let (s, j) = (store.clone(), old.clone());
    within("a known kid on a stale set", move || verify(&*s, &j)).unwrap();
    let thread = provider.next_call("the background refresh");
    assert_eq!(thread.as_deref(), Some("webtoken-keystore-refresh"));
    assert_eq!(provider.calls(), 2);
    assert!(store.status().fetching);
    // More lookups during the refresh answer at once and start nothing.
    let (s, j) = (store.clone(), old.clone());
    within("known kids during the refresh", move || {
        for _ in 0..8 {
            verify(&*s, &j).unwrap();
        }
    });
    assert_eq!(provider.calls(), 2);
    assert_eq!(
        verify(&store.cached(), &new).unwrap_err().kind(),
        ErrorKind::UnknownKey,
        "the new set is not installed before the fetch ends"
    );

    // Released, the refresh installs the new set (refresh() waits for the fetch in flight).
    provider.release.send(()).unwrap();
    assert_eq!(store.refresh(), Ok(()));
    assert_eq!(provider.calls(), 2, "refresh() waited, it did not fetch");
    let status = store.status();
    assert!(!status.fetching);
    assert_eq!(status.fetched_at, Some(NumericDate::from_secs(T0 + 601)));
    verify(&*store, &new).unwrap();
    assert_eq!(provider.calls(), 2);
}

/// The name of the calling thread.
fn this_thread() -> Option<String> {
    std::thread::current().name().map(str::to_owned)
}

#[test]
fn a_withdrawn_key_is_refused_once_the_background_refresh_installs_the_new_set() {
    let (k1, k2) = (key("k1", 1), key("k2", 2));
    let (provider, fetch) = provider(jwks(&[&k1, &k2]), vec![Then::Serve(jwks(&[&k2]))]);
    let clock = TestClock::new();
    let store = store(fetch, &clock);
    let (withdrawn, kept) = (token(&k1), token(&k2));
    verify(&*store, &withdrawn).unwrap();
    provider.next_call("first lookup");

    // The provider withdraws k1. Past max_age, a lookup of k1 still answers from the old set,
    // and starts the refresh.
    clock.advance(601);
    verify(&*store, &withdrawn).unwrap();
    provider.next_call("the background refresh started by a known kid");
    assert_eq!(store.refresh(), Ok(()), "waits for the refresh in flight");
    assert_eq!(provider.calls(), 2);

    // From now on k1 is refused (and, within the cooldown, not refetched); k2 still verifies.
    let err = verify(&*store, &withdrawn).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownKey);
    assert!(err.to_string().contains("next fetch in 30 s"), "{err}");
    verify(&*store, &kept).unwrap();
    assert_eq!(provider.calls(), 2);
}

#[test]
fn a_panicking_background_refresh_is_recorded_and_leaves_the_store_usable() {
    let k1 = key("k1", 1);
    let (provider, fetch) = provider(jwks(&[&k1]), vec![Then::Panic, Then::Serve(jwks(&[&k1]))]);
    let clock = TestClock::new();
    let store = store(fetch, &clock);
    let jwt = token(&k1);
    verify(&*store, &jwt).unwrap();
    provider.next_call("first lookup");
    clock.advance(601);

    // The lookup answers; the refresh it started panics on its own thread.
    verify(&*store, &jwt).unwrap();
    provider.next_call("the background refresh");
    let err = store.refresh().unwrap_err();
    assert!(err.message().contains("the fetcher panicked"), "{err}");
    let status = store.status();
    assert_eq!(status.fetches, 2, "the panicked attempt is counted");
    assert!(!status.fetching);
    assert!(status.last_error.unwrap().contains("the fetcher panicked"));

    // The old set still serves; within the cooldown nothing is fetched; after it the next
    // lookup starts another refresh, which succeeds.
    let (s, j) = (store.clone(), jwt.clone());
    within("lookups after the panic", move || {
        for _ in 0..4 {
            verify(&*s, &j).unwrap();
        }
    });
    assert_eq!(provider.calls(), 2);
    clock.advance(30);
    verify(&*store, &jwt).unwrap();
    provider.next_call("the refresh after the cooldown");
    assert_eq!(store.refresh(), Ok(()));
    let status = store.status();
    assert_eq!(status.fetches, 3);
    assert_eq!(status.last_error, None);
    assert_eq!(status.fetched_at, Some(NumericDate::from_secs(T0 + 631)));
}

#[test]
fn concurrent_stale_lookups_start_one_background_refresh() {
    const THREADS: usize = 16;
    let k1 = key("k1", 1);
    let (provider, fetch) = provider(jwks(&[&k1]), vec![Then::ServeWhenReleased(jwks(&[&k1]))]);
    let clock = TestClock::new();
    let store = store(fetch, &clock);
    let jwt = token(&k1);
    verify(&*store, &jwt).unwrap();
    provider.next_call("first lookup");
    clock.advance(601);

    let start = Arc::new(Barrier::new(THREADS));
    let lookups: Vec<_> = (0..THREADS)
        .map(|_| {
            let (s, j, start) = (store.clone(), jwt.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                (0..4).map(|_| verify(&*s, &j)).collect::<Vec<_>>()
            })
        })
        .collect();
    within(
        "concurrent lookups of a known kid on a stale set",
        move || {
            for lookup in lookups {
                for result in lookup.join().unwrap() {
                    result.unwrap();
                }
            }
        },
    );
    // All answered while the one refresh is still blocked.
    provider.next_call("the background refresh");
    assert_eq!(provider.calls(), 2);
    provider.release.send(()).unwrap();
    assert_eq!(store.refresh(), Ok(()));
    assert_eq!(provider.calls(), 2);
    assert_eq!(store.status().fetches, 2);
}

#[test]
fn background_refreshes_respect_the_cooldown() {
    let k1 = key("k1", 1);
    let (provider, fetch) = provider(jwks(&[&k1]), vec![Then::Fail, Then::Serve(jwks(&[&k1]))]);
    let clock = TestClock::new();
    let store = store(fetch, &clock);
    let jwt = token(&k1);
    verify(&*store, &jwt).unwrap();
    provider.next_call("first lookup");
    clock.advance(601);
    verify(&*store, &jwt).unwrap();
    provider.next_call("the background refresh");
    assert!(store.refresh().is_err(), "the refresh failed");
    assert_eq!(provider.calls(), 2);

    // The set is still stale, but for 30 s no lookup starts another refresh.
    for _ in 0..29 {
        clock.advance(1);
        for _ in 0..3 {
            verify(&*store, &jwt).unwrap();
        }
    }
    assert!(!store.status().fetching);
    assert_eq!(provider.calls(), 2);
    clock.advance(1);
    verify(&*store, &jwt).unwrap();
    provider.next_call("the refresh once the cooldown allows it");
    assert_eq!(store.refresh(), Ok(()));
    assert_eq!(provider.calls(), 3);
    assert_eq!(
        store.status().fetched_at,
        Some(NumericDate::from_secs(T0 + 631))
    );
}

/// A minimal executor: polls a future on this thread until it completes, polling again only
/// when it is woken.
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

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// An async provider behind a nameable fetcher: serves the documents in order (the last one
/// repeats) and counts its calls.
fn async_provider(documents: Vec<String>) -> (Arc<AtomicUsize>, BoxedAsyncFetcher) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let fetcher = BoxedAsyncFetcher::new(move || -> BoxFetchFuture {
        let call = counter.fetch_add(1, Ordering::SeqCst);
        let document = documents[call.min(documents.len() - 1)].clone();
        Box::pin(async move { Ok(document) })
    });
    (calls, fetcher)
}

/// The store kept in an application's state: its type can be named.
struct AppState {
    keys: KeyStore<BoxedAsyncFetcher>,
}

#[test]
fn async_with_a_spawner_refreshes_a_stale_set_in_a_spawned_task() {
    let (k1, k2) = (key("k1", 1), key("k2", 2));
    let (calls, fetcher) = async_provider(vec![jwks(&[&k1, &k2]), jwks(&[&k2])]);
    let (spawned_tx, spawned) = mpsc::channel::<RefreshFuture>();
    let spawned_tx = Mutex::new(spawned_tx);
    let clock = TestClock::new();
    let state = AppState {
        keys: KeyStore::new(fetcher)
            .with_policy(policy())
            .with_clock(clock.clone())
            .with_spawner(move |refresh| spawned_tx.lock().unwrap().send(refresh).unwrap()),
    };
    let store = state.keys.clone();
    let (withdrawn, kept) = (token(&k1), token(&k2));
    let v = validation();
    assert!(block_on(store.decode_async::<()>(&withdrawn, &v)).is_ok());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(spawned.try_recv().is_err(), "a fresh set spawns nothing");

    // Stale: the lookup completes at its first poll and hands a refresh to the spawner.
    clock.advance(601);
    let mut lookup = pin!(store.decode_async::<()>(&withdrawn, &v));
    assert!(matches!(poll_once(lookup.as_mut()), Poll::Ready(Ok(_))));
    let refresh = spawned.try_recv().expect("a refresh was spawned");
    assert!(store.status().fetching);
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the fetch runs in the spawned task"
    );
    // A second stale lookup spawns nothing while that refresh is pending.
    assert!(block_on(store.decode_async::<()>(&withdrawn, &v)).is_ok());
    assert!(spawned.try_recv().is_err());

    // The executor runs the task: the new set is installed and k1 is refused.
    within("the spawned refresh", move || block_on(refresh));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let status = store.status();
    assert!(!status.fetching);
    assert_eq!(status.fetched_at, Some(NumericDate::from_secs(T0 + 601)));
    let err = block_on(state.keys.decode_async::<()>(&withdrawn, &v)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownKey);
    assert!(block_on(store.decode_async::<()>(&kept, &v)).is_ok());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn a_spawned_refresh_the_executor_drops_ends_as_cancelled() {
    let k1 = key("k1", 1);
    let (calls, fetcher) = async_provider(vec![jwks(&[&k1])]);
    let (spawned_tx, spawned) = mpsc::channel::<RefreshFuture>();
    let spawned_tx = Mutex::new(spawned_tx);
    let clock = TestClock::new();
    let store = KeyStore::new(fetcher)
        .with_policy(policy())
        .with_clock(clock.clone())
        .with_spawner(move |refresh| spawned_tx.lock().unwrap().send(refresh).unwrap());
    let jwt = token(&k1);
    let v = validation();
    assert!(block_on(store.decode_async::<()>(&jwt, &v)).is_ok());
    clock.advance(601);
    assert!(block_on(store.decode_async::<()>(&jwt, &v)).is_ok());
    // The executor shuts down without running it.
    drop(spawned.try_recv().expect("a refresh was spawned"));
    let status = store.status();
    assert!(!status.fetching, "dropping the task ended the attempt");
    assert!(status.last_error.unwrap().contains("it was cancelled"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // After the cooldown the next stale lookup spawns another, which runs.
    clock.advance(30);
    assert!(block_on(store.decode_async::<()>(&jwt, &v)).is_ok());
    block_on(spawned.try_recv().expect("a second refresh was spawned"));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(store.status().last_error, None);
}

#[test]
fn async_without_a_spawner_leaves_a_stale_set_to_the_next_miss_or_refresh_async() {
    let (k1, k2) = (key("k1", 1), key("k2", 2));
    let (calls, fetcher) = async_provider(vec![jwks(&[&k1, &k2]), jwks(&[&k2])]);
    let clock = TestClock::new();
    let store = KeyStore::new(fetcher)
        .with_policy(policy())
        .with_clock(clock.clone());
    let (withdrawn, kept) = (token(&k1), token(&k2));
    let v = validation();
    assert!(block_on(store.decode_async::<()>(&withdrawn, &v)).is_ok());
    clock.advance(601);
    // As documented: a known kid answers from the stale set at its first poll, starts
    // nothing, and the withdrawn key is still accepted...
    for _ in 0..4 {
        let mut lookup = pin!(store.decode_async::<()>(&withdrawn, &v));
        assert!(matches!(poll_once(lookup.as_mut()), Poll::Ready(Ok(_))));
    }
    assert!(!store.status().fetching);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // ...until refresh_async (or a miss) refreshes the set.
    assert_eq!(block_on(store.refresh_async()), Ok(()));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let err = block_on(store.decode_async::<()>(&withdrawn, &v)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownKey);
    assert!(block_on(store.decode_async::<()>(&kept, &v)).is_ok());
}
