// Target `key_store`: a `KeyStore` driven by a scripted fetcher (both blocking and async) and
// a scripted sequence of operations: lookups of three kids (blocking, or async polled once and
// kept pending), polls and drops (cancellation) of pending lookups, clock advances, refreshes,
// and fetch outcomes (a set, an error with control characters, a malformed document, a panic,
// and for async a fetch that never completes). The store has a spawner: a background async
// refresh is polled once when spawned and, if pending, kept with the pending lookups (polled or
// dropped by the script). A blocking lookup that starts a background refresh thread is followed
// by a wait (bounded) until that fetch ends, so that runs stay deterministic. After every
// operation:
// - no panic escaped but the scripted fetcher's own (caught here with `catch_unwind`);
// - every kid of the last set served answers at once while the set is usable, without a fetch
//   while it is younger than max_age, with at most one (background) fetch once older;
// - fetches are at least a cooldown apart, and `status().fetches` counts every fetcher call;
// - error messages hold no control characters.
// At the end, with the pending lookups dropped and the cooldown passed, a refresh succeeds and
// every kid resolves: whatever happened, the store is not wedged.

use std::collections::VecDeque;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, Once, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use arbitrary::{Arbitrary, Unstructured};
use webtoken::jwks::{AsyncFetch, Fetch, FetchError, KeyStore, RefreshFuture, StorePolicy};
use webtoken::{Claims, Clock, Header, NumericDate, SigningKey, Validation};

const T0: i64 = 1_700_000_000;
const KIDS: usize = 3;
const ALL: u8 = 0b111;
/// The policy's `max_age`, `cooldown` and `max_stale`, in seconds.
const MAX_AGE: i64 = 600;
const COOLDOWN: i64 = 30;
const MAX_STALE: i64 = 3600;
const MAX_OPS: usize = 64;
const MAX_PENDING: usize = 8;

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Outcome {
    /// A valid set with the kids of this mask.
    Serve(u8),
    Fail,
    Malformed,
    Panic,
    /// Async: a fetch that never completes. Blocking: a failure.
    Hang,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Script(Outcome),
    Advance(u16),
    Lookup(u8),
    LookupAsync(u8),
    PollPending,
    DropPending(u8),
    Refresh,
    RefreshAsync,
}

/// The payload of the scripted fetcher's panics.
struct ScriptedPanic;

struct Fixture {
    tokens: Vec<String>,
    /// The JWK Set document of each mask of kids.
    documents: Vec<String>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let keys: Vec<SigningKey> = [1u8, 2, 3]
        .iter()
        .enumerate()
        .map(|(i, seed)| {
            SigningKey::ed25519_seed(&[*seed; 32])
                .expect("a fixed seed")
                .with_key_id(format!("k{i}"))
        })
        .collect();
    let claims = Claims::new(()).with_expires_at(NumericDate::from_secs(T0 + 100_000_000));
    let tokens = keys
        .iter()
        .map(|k| webtoken::encode(&Header::new(), &claims, k).expect("encodes"))
        .collect();
    let documents = (0..=ALL)
        .map(|mask| {
            let jwks: Vec<_> = keys
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, k)| k.to_public_jwk().expect("public JWK"))
                .collect();
            serde_json::json!({ "keys": jwks }).to_string()
        })
        .collect();
    Fixture { tokens, documents }
});

static VALIDATION: LazyLock<Validation> =
    LazyLock::new(|| Validation::new().with_fixed_time(NumericDate::from_secs(T0)));

#[derive(Debug)]
struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now(&self) -> NumericDate {
        NumericDate::from_secs(self.0.load(Ordering::SeqCst))
    }
}

#[derive(Default)]
struct Log {
    script: VecDeque<Outcome>,
    /// The clock at each fetcher call.
    calls: Vec<i64>,
    /// The mask of the last set served.
    served: Option<u8>,
}

fn lock(log: &Mutex<Log>) -> MutexGuard<'_, Log> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

struct Scripted {
    log: Arc<Mutex<Log>>,
    clock: Arc<TestClock>,
}

impl Scripted {
    fn next(&self) -> Outcome {
        let mut log = lock(&self.log);
        log.calls.push(self.clock.0.load(Ordering::SeqCst));
        let outcome = log.script.pop_front().unwrap_or(Outcome::Fail);
        if let Outcome::Serve(mask) = outcome {
            log.served = Some(mask & ALL);
        }
        outcome
    }
}

fn failure() -> FetchError {
    FetchError::new("scripted failure: \u{1b}[31m503\r\nX-Injected: yes\u{202e}")
}

impl Fetch for Scripted {
    fn fetch(&self) -> Result<String, FetchError> {
        match self.next() {
            Outcome::Serve(mask) => Ok(FIXTURE.documents[usize::from(mask & ALL)].clone()),
            Outcome::Fail | Outcome::Hang => Err(failure()),
            Outcome::Malformed => Ok(r#"{"keys":{}}"#.to_owned()),
            Outcome::Panic => panic::panic_any(ScriptedPanic),
        }
    }
}

impl AsyncFetch for Scripted {
    fn fetch(&self) -> impl Future<Output = Result<String, FetchError>> + Send {
        let outcome = self.next();
        async move {
            match outcome {
                Outcome::Serve(mask) => Ok(FIXTURE.documents[usize::from(mask & ALL)].clone()),
                Outcome::Fail => Err(failure()),
                Outcome::Malformed => Ok(r#"{"keys":{}}"#.to_owned()),
                Outcome::Panic => panic::panic_any(ScriptedPanic),
                Outcome::Hang => std::future::pending().await,
            }
        }
    }
}

/// Keeps the scripted panics quiet and lets them unwind (libFuzzer's hook aborts on any
/// panic); every other panic still reaches the previous hook.
fn quiet_scripted_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<ScriptedPanic>() {
                previous(info);
            }
        }));
    });
}

/// Runs `f`; a panic other than the scripted fetcher's is passed on. `None` if `f` panicked.
fn catch<T>(f: impl FnOnce() -> T) -> Option<T> {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(payload) if payload.is::<ScriptedPanic>() => None,
        Err(payload) => panic::resume_unwind(payload),
    }
}

/// Error messages come from the fetcher too: no control characters may reach them.
fn check_message(message: &str) {
    assert!(
        !message.chars().any(char::is_control),
        "control character in {message:?}"
    );
}

type Pending<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + 'a>>;

/// Polls a spawned background refresh once; `true` when it is done (completed or panicked).
fn poll_spawned(future: &mut RefreshFuture) -> bool {
    let mut cx = Context::from_waker(Waker::noop());
    !matches!(catch(|| future.as_mut().poll(&mut cx)), Some(Poll::Pending))
}

/// Polls once; `true` when the future is done (completed or panicked).
fn poll_once(future: &mut Pending<'_>) -> bool {
    let mut cx = Context::from_waker(Waker::noop());
    match catch(|| future.as_mut().poll(&mut cx)) {
        Some(Poll::Ready(result)) => {
            if let Err(message) = result {
                check_message(&message);
            }
            true
        }
        Some(Poll::Pending) => false,
        None => true,
    }
}

/// A store over the scripted fetcher, and the queue of its pending background async refreshes.
fn new_store(
    log: &Arc<Mutex<Log>>,
    clock: &Arc<TestClock>,
) -> (KeyStore<Scripted>, Arc<Mutex<Vec<RefreshFuture>>>) {
    let mut policy = StorePolicy::default();
    policy.max_age = Duration::from_secs(600);
    policy.cooldown = Duration::from_secs(30);
    policy.max_stale = Duration::from_secs(3600);
    // No real waiting: a lookup that finds another caller's fetch running gives up at once.
    policy.wait_for_fetch = Duration::ZERO;
    // Background async refreshes: polled once at once (the fetcher is called then, so
    // `status().fetches` still counts fetcher calls), kept while pending.
    let spawned: Arc<Mutex<Vec<RefreshFuture>>> = Arc::default();
    let queue = spawned.clone();
    let store = KeyStore::new(Scripted {
        log: Arc::clone(log),
        clock: Arc::clone(clock),
    })
    .with_policy(policy)
    .with_clock(clock.clone())
    .with_spawner(move |mut future| {
        if !poll_spawned(&mut future) {
            queue.lock().unwrap_or_else(PoisonError::into_inner).push(future);
        }
    });
    (store, spawned)
}

pub(crate) fn run(data: &[u8]) {
    quiet_scripted_panics();
    let mut u = Unstructured::new(data);
    let clock = Arc::new(TestClock(AtomicI64::new(T0)));
    let log = Arc::new(Mutex::new(Log::default()));
    let (store, spawned) = new_store(&log, &clock);
    let spawned_queue = || spawned.lock().unwrap_or_else(PoisonError::into_inner);
    let calls = || lock(&log).calls.len();
    let lookup = |kid: usize| lookup(&store, kid);

    let mut pending: Vec<Pending<'_>> = Vec::new();
    for _ in 0..MAX_OPS {
        let Ok(op) = Op::arbitrary(&mut u) else {
            break;
        };
        match op {
            Op::Script(outcome) => lock(&log).script.push_back(outcome),
            Op::Advance(secs) => {
                clock.0.fetch_add(i64::from(secs), Ordering::SeqCst);
            }
            Op::Lookup(kid) => {
                if let Some(Err(message)) = catch(|| lookup(usize::from(kid) % KIDS)) {
                    check_message(&message);
                }
            }
            Op::Refresh => {
                if let Some(Err(e)) = catch(|| store.refresh()) {
                    check_message(&e.to_string());
                }
            }
            Op::LookupAsync(kid) => {
                let token = &FIXTURE.tokens[usize::from(kid) % KIDS];
                let store = &store;
                let mut future: Pending<'_> = Box::pin(async move {
                    store
                        .decode_async::<()>(token, &VALIDATION)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                });
                if !poll_once(&mut future) && pending.len() < MAX_PENDING {
                    pending.push(future);
                }
            }
            Op::RefreshAsync => {
                let store = &store;
                let mut future: Pending<'_> = Box::pin(async move {
                    store.refresh_async().await.map_err(|e| e.to_string())
                });
                if !poll_once(&mut future) && pending.len() < MAX_PENDING {
                    pending.push(future);
                }
            }
            Op::PollPending => {
                pending.retain_mut(|future| !poll_once(future));
                let mut queued = std::mem::take(&mut *spawned_queue());
                queued.retain_mut(|future| !poll_spawned(future));
                spawned_queue().extend(queued);
            }
            Op::DropPending(i) if i & 0x80 != 0 && !spawned_queue().is_empty() => {
                // Cancellation of a background refresh (an executor shutting down).
                let dropped = spawned_queue().pop();
                drop(dropped);
            }
            Op::DropPending(i) => {
                if !pending.is_empty() {
                    let i = usize::from(i) % pending.len();
                    // Cancellation: the fetch this lookup runs, if any, must end with it.
                    drop(pending.swap_remove(i));
                }
            }
        }

        check(&store, &log, &clock);
    }

    // Whatever happened: with the lookups gone and the cooldown passed, the store recovers.
    drop(pending);
    let dropped = std::mem::take(&mut *spawned_queue());
    drop(dropped);
    clock.0.fetch_add(COOLDOWN, Ordering::SeqCst);
    {
        let mut log = lock(&log);
        log.script.clear();
        log.script.push_back(Outcome::Serve(ALL));
    }
    let before = calls();
    assert_eq!(store.refresh().map_err(|e| e.to_string()), Ok(()), "wedged");
    assert_eq!(calls(), before + 1);
    for kid in 0..KIDS {
        assert_eq!(lookup(kid), Ok(()), "k{kid} after recovery");
    }
    assert_eq!(calls(), before + 1);
}

/// A blocking lookup; if it started a background refresh thread, waits until that fetch ends
/// (it always does: a blocking `Hang` is a failure), so that nothing runs behind the script.
fn lookup(store: &KeyStore<Scripted>, kid: usize) -> Result<(), String> {
    let fetching_before = store.status().fetching;
    let result = webtoken::decode::<()>(&FIXTURE.tokens[kid], store, &VALIDATION)
        .map(|_| ())
        .map_err(|e| e.to_string());
    if !fetching_before {
        let deadline = Instant::now() + Duration::from_secs(10);
        while store.status().fetching {
            assert!(Instant::now() < deadline, "a background refresh never ended");
            std::thread::yield_now();
        }
    }
    result
}

/// The invariants that hold after every operation.
fn check(store: &KeyStore<Scripted>, log: &Mutex<Log>, clock: &TestClock) {
    // Fetches are a cooldown apart, and all counted.
    let times = lock(log).calls.clone();
    assert!(
        times.windows(2).all(|w| w[1] - w[0] >= COOLDOWN),
        "fetches closer than the cooldown: {times:?}"
    );
    let status = store.status();
    assert_eq!(status.fetches, times.len() as u64);
    // Every kid of the last set served answers at once while usable: without a fetch while the
    // set is younger than max_age, with at most one background fetch once it is older (which
    // may install another set: each kid is checked against the set in force before it).
    for kid in 0..KIDS {
        let served = lock(log).served;
        let Some(fetched_at) = store.status().fetched_at else {
            break;
        };
        let Some(mask) = served else {
            break;
        };
        let now = clock.0.load(Ordering::SeqCst);
        let age = now - fetched_at.as_secs();
        if mask & (1 << kid) == 0 || age >= MAX_AGE + MAX_STALE {
            continue;
        }
        let before = lock(log).calls.len();
        assert_eq!(lookup(store, kid), Ok(()), "known kid k{kid} refused");
        let fetched = lock(log).calls.len() - before;
        if age < MAX_AGE {
            assert_eq!(fetched, 0, "a known kid on a fresh set fetched");
        } else {
            assert!(fetched <= 1, "a known kid on a stale set fetched {fetched} times");
        }
    }
}
