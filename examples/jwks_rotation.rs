//! Verify tokens against an identity provider's JWK Set through the caching key store, and
//! follow a key rotation: the provider (a local HTTP server here) starts signing with a new key,
//! and the first token with the new `kid` makes the store refetch the set once. Then the
//! provider withdraws the old key: once the set is older than `max_age`, the next lookup still
//! answers at once and refreshes the set in the background, after which the old key is refused.
//!
//! Run with `cargo run --example jwks_rotation`.

#[path = "support/loopback_http.rs"]
mod loopback_http;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use webtoken::jwks::{KeyStore, StorePolicy};
use webtoken::{Algorithm, Claims, Header, SigningKey, Validation};

fn jwks(keys: &[&SigningKey]) -> Result<String, webtoken::Error> {
    let keys = keys
        .iter()
        .map(|k| {
            k.to_public_jwk()
                .map(webtoken::keys::Jwk::with_thumbprint_kid)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(serde_json::json!({ "keys": keys }).to_string())
}

fn issue(key: &SigningKey, subject: &str) -> Result<String, webtoken::Error> {
    let claims = Claims::new(())
        .with_issuer("https://id.example")
        .with_subject(subject)
        .expires_in(Duration::from_secs(300));
    webtoken::encode(&Header::new(), &claims, key)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The provider's first key; its kid is its RFC 7638 thumbprint.
    let old = SigningKey::generate(Algorithm::Es256)?;
    let old = old.clone().with_key_id(old.thumbprint()?);
    let published = Arc::new(Mutex::new(jwks(&[&old])?));
    // Four requests: the first fetch, the refetch for the new kid, the background refresh and
    // the refetch for the withdrawn kid.
    let (url, server) = loopback_http::serve(published.clone(), 4)?;
    println!("provider publishes its JWK Set at {url}");

    // The relying service: a key store with no cooldown and a short max_age, so the demo needs
    // little waiting.
    let mut policy = StorePolicy::default();
    policy.cooldown = Duration::ZERO;
    policy.max_age = Duration::from_secs(1);
    let store = KeyStore::new(move || loopback_http::get(&url)).with_policy(policy);
    let validation = Validation::new()
        .with_algorithms([Algorithm::Es256])
        .with_issuer("https://id.example");

    let token = webtoken::decode::<()>(&issue(&old, "alice")?, &store, &validation)?;
    println!(
        "verified alice's token (kid {}), fetches so far: {}",
        token.header().key_id().unwrap_or("-"),
        store.status().fetches
    );

    // Rotation: the provider publishes a new key next to the old one and signs with it.
    let new = SigningKey::generate(Algorithm::Es256)?;
    let new = new.clone().with_key_id(new.thumbprint()?);
    *published.lock().map_err(|_| "lock poisoned")? = jwks(&[&new, &old])?;
    let token = webtoken::decode::<()>(&issue(&new, "bob")?, &store, &validation)?;
    println!(
        "verified bob's token signed with the new key (kid {}) after one refetch: fetches = {}",
        token.header().key_id().unwrap_or("-"),
        store.status().fetches
    );

    // Tokens signed with the old key stay valid while the provider still publishes it.
    webtoken::decode::<()>(&issue(&old, "carol")?, &store, &validation)?;
    println!("a token signed with the old key still verifies from the cached set");

    // The provider withdraws the old key. Once the set is older than max_age, a lookup of a
    // key it holds answers at once and refreshes it on a background thread.
    *published.lock().map_err(|_| "lock poisoned")? = jwks(&[&new])?;
    std::thread::sleep(Duration::from_millis(2100));
    webtoken::decode::<()>(&issue(&new, "dave")?, &store, &validation)?;
    println!("dave's token verified at once from the stale set; a background refresh started");
    let deadline = Instant::now() + Duration::from_secs(10);
    while store.status().fetching {
        if Instant::now() > deadline {
            return Err("the background refresh did not finish".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let Err(refused) = webtoken::decode::<()>(&issue(&old, "erin")?, &store, &validation) else {
        return Err("the withdrawn key was still accepted".into());
    };
    println!("after the refresh, a token signed with the withdrawn key is refused: {refused}");
    println!("fetches: {}", store.status().fetches);
    server.join().map_err(|_| "server thread panicked")?;
    Ok(())
}
