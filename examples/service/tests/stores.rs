//! One suite of session-store tests, run against both stores: [`MemoryStore`] and
//! [`RedisStore`] on a real `redis-server` started for the test (a missing `redis-server` is
//! a failure with an install hint).

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use webtoken::SystemClock;
use webtoken_service::store::{self, MemoryStore, RedisStore, Rotation, SessionStore};

const TTL: Duration = Duration::from_secs(60);

/// What every store must do. `tag` keeps the session ids of runs apart.
async fn suite(store: Arc<dyn SessionStore>, tag: &str) {
    let s1 = format!("{tag}-s1");
    store.check().await.unwrap();
    store.create(&s1, "j1", TTL).await.unwrap();
    assert!(store.is_current(&s1, "j1").await.unwrap());
    assert!(!store.is_current(&s1, "j0").await.unwrap());

    // Rotation moves the session on; the old jti is then reuse, which revokes the session.
    assert_eq!(
        store.rotate(&s1, "j1", "j2", TTL).await.unwrap(),
        Rotation::Rotated
    );
    assert!(store.is_current(&s1, "j2").await.unwrap());
    assert!(!store.is_current(&s1, "j1").await.unwrap());
    assert_eq!(
        store.rotate(&s1, "j1", "j3", TTL).await.unwrap(),
        Rotation::Reused
    );
    assert!(!store.is_current(&s1, "j2").await.unwrap(), "revoked");
    assert_eq!(
        store.rotate(&s1, "j2", "j4", TTL).await.unwrap(),
        Rotation::Unknown
    );
    assert_eq!(
        store
            .rotate(&format!("{tag}-none"), "a", "b", TTL)
            .await
            .unwrap(),
        Rotation::Unknown
    );

    // Concurrent rotations of one jti: exactly one wins, and the losers' reuse revokes it.
    let s2 = format!("{tag}-s2");
    store.create(&s2, "k0", TTL).await.unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (store, barrier, s2) = (Arc::clone(&store), Arc::clone(&barrier), s2.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let next = format!("k{}", i + 1);
                (store.rotate(&s2, "k0", &next, TTL).await.unwrap(), next)
            })
        })
        .collect();
    let mut rotated = Vec::new();
    for task in tasks {
        let (outcome, next) = task.await.unwrap();
        match outcome {
            Rotation::Rotated => rotated.push(next),
            Rotation::Reused | Rotation::Unknown => {}
        }
    }
    assert_eq!(rotated.len(), 1, "exactly one rotation wins: {rotated:?}");
    assert!(
        !store.is_current(&s2, &rotated[0]).await.unwrap(),
        "the reuse by the losers revoked the session"
    );

    // Records expire with their TTL.
    let s3 = format!("{tag}-s3");
    store
        .create(&s3, "e1", Duration::from_secs(1))
        .await
        .unwrap();
    assert!(store.is_current(&s3, "e1").await.unwrap());
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(!store.is_current(&s3, "e1").await.unwrap());
    assert_eq!(
        store.rotate(&s3, "e1", "e2", TTL).await.unwrap(),
        Rotation::Unknown
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store() {
    suite(Arc::new(MemoryStore::new(Arc::new(SystemClock))), "memory").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_store() {
    let dir = common::TempDir::new("store");
    let mut redis = common::Redis::start(dir.path());
    let timeout = Duration::from_secs(2);
    let connection = store::connect(&redis.url(), timeout).await.unwrap();
    let store = Arc::new(RedisStore::new(connection, "test:", timeout));
    suite(Arc::clone(&store) as Arc<dyn SessionStore>, "redis").await;

    // The TTL is the one asked for, on the prefixed key.
    store
        .create("ttl", "j", Duration::from_secs(90))
        .await
        .unwrap();
    let mut plain = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_tokio_connection()
        .await
        .unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg("test:session:ttl")
        .query_async(&mut plain)
        .await
        .unwrap();
    assert!((85_000..=90_000).contains(&ttl), "{ttl}");

    // Redis down: an error, in bounded time, never an answer.
    redis.stop();
    let started = std::time::Instant::now();
    assert!(store.check().await.is_err());
    assert!(store.rotate("ttl", "j", "k", TTL).await.is_err());
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A server binary that is not installed fails the test that needs it, saying how to install
/// it; it is never a silent skip.
#[test]
#[should_panic(expected = "apt-get install -y no-such-package")]
fn a_missing_server_binary_is_a_failure_with_an_install_hint() {
    common::require("no-such-server-binary", "no-such-package");
}
