//! Verify tokens against a JWK Set, the key chosen by the token's `kid`: an issuer publishes
//! its public keys as `{"keys":[...]}` (as at `/.well-known/jwks.json`), a relying party loads
//! the document once and verifies every token with it.
//!
//! Run with `cargo run --example jwks`.

use std::time::Duration;

use serde_json::{Value, json};
use webtoken::keys::{JwkSet, SigningKey};
use webtoken::{Algorithm, Claims, Header, Validation};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // --- Issuer: two signing keys (the previous and the current one of a rotation). ---
    let previous = SigningKey::generate(Algorithm::Es256)?;
    let current = SigningKey::generate(Algorithm::EdDsa)?;
    // Key ids: the RFC 7638 thumbprints, stable and collision-free.
    let previous = previous.clone().with_key_id(previous.thumbprint()?);
    let current = current.clone().with_key_id(current.thumbprint()?);

    // The issuer publishes the public halves as a JWK Set document.
    let published = JwkSet::from_keys([previous.to_public_jwk()?, current.to_public_jwk()?])?;
    let document = serde_json::to_string_pretty(&published)?;
    println!("published JWK Set:\n{document}\n");

    // A token signed with the current (Ed25519) key: `encode` writes the key's kid into the header.
    let claims = Claims::new(json!({ "scope": "orders:read" }))
        .with_subject("user-42")
        .with_issuer("https://id.example")
        .with_audience("https://api.example")
        .expires_in(Duration::from_secs(300));
    let token = webtoken::encode(&Header::new(), &claims, &current)?;
    println!("token:\n  {token}\n");

    // --- Relying party: load the document once (strict; keys built at load), then verify. ---
    let jwks = JwkSet::from_json(&document)?;
    for skipped in jwks.skipped() {
        println!("note: skipped {skipped}");
    }
    let validation = Validation::new()
        .with_issuer("https://id.example")
        .with_audience("https://api.example");
    let verified = webtoken::decode::<Value>(&token, &jwks, &validation)?;
    println!(
        "verified with kid {}: sub = {}, scope = {}",
        verified.header().key_id().unwrap_or("-"),
        verified.claims().subject.as_deref().unwrap_or("-"),
        verified.claims().custom["scope"],
    );

    // A token from a key that is not in the set: unknown_key, never a fallback to another key.
    let stranger = SigningKey::generate(Algorithm::EdDsa)?.with_key_id("someone-else");
    let forged = webtoken::encode(&Header::new(), &claims, &stranger)?;
    match webtoken::decode::<Value>(&forged, &jwks, &validation) {
        Ok(_) => println!("unexpected: the forged token verified"),
        Err(e) => println!("token with kid \"someone-else\": error: {}: {e}", e.kind()),
    }
    Ok(())
}
