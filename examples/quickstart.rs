//! Issue an HS256 token for a user with custom claims, verify it, and show the errors a
//! tampered and an expired token get.
//!
//! Run with `cargo run --example quickstart`.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use webtoken::{
    Algorithm, Claims, FixedClock, Header, NumericDate, SigningKey, Validation, VerifyingKey,
};

/// The application's own claims, next to the registered ones.
#[derive(Debug, Serialize, Deserialize)]
struct Session {
    name: String,
    roles: Vec<String>,
}

fn main() -> Result<(), webtoken::Error> {
    // A random 32-byte secret; in a service it comes from a secret store, never from a password.
    let secret = webtoken::keys::generate_hmac_secret(Algorithm::Hs256)?;
    let signing_key = SigningKey::hmac(&secret, Algorithm::Hs256)?;
    let verifying_key = VerifyingKey::hmac(&secret, Algorithm::Hs256)?;

    // Issue a 15-minute access token for user 42.
    let claims = Claims::new(Session {
        name: "Ada Lovelace".into(),
        roles: vec!["admin".into(), "billing".into()],
    })
    .with_subject("user-42")
    .with_issuer("https://id.example")
    .with_audience("https://api.example")
    .expires_in(Duration::from_secs(15 * 60));
    let token = webtoken::encode(&Header::new(), &claims, &signing_key)?;
    println!("token:\n  {token}\n");

    // Verify it: signature first, then exp/nbf/iat, issuer and audience.
    let validation = Validation::new()
        .with_algorithms([Algorithm::Hs256])
        .with_issuer("https://id.example")
        .with_audience("https://api.example");
    let verified = webtoken::decode::<Session>(&token, &verifying_key, &validation)?;
    let c = verified.claims();
    println!("verified claims:");
    println!("  sub   = {}", c.subject.as_deref().unwrap_or("-"));
    println!("  iss   = {}", c.issuer.as_deref().unwrap_or("-"));
    println!(
        "  exp   = {}",
        c.expires_at.map_or("-".into(), |t| t.to_string())
    );
    println!("  name  = {}", c.custom.name);
    println!("  roles = {:?}\n", c.custom.roles);

    // A tampered token: one claim edited, signature kept.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut payload: serde_json::Value = serde_json::from_slice(
        &webtoken::base64url::decode(&parts[1]).expect("our own token's payload is base64url"),
    )
    .expect("our own token's payload is JSON");
    payload["roles"] = serde_json::json!(["admin", "superuser"]);
    parts[1] = webtoken::base64url::encode(payload.to_string());
    let tampered = parts.join(".");
    let err = webtoken::decode::<Session>(&tampered, &verifying_key, &validation)
        .expect_err("a tampered token is refused");
    println!("tampered token -> {}: {err}", err.kind());

    // An expired token: verified one hour after it expired.
    let later = Validation::new()
        .with_issuer("https://id.example")
        .with_audience("https://api.example")
        .with_clock(std::sync::Arc::new(FixedClock(
            c.expires_at
                .unwrap_or(NumericDate::UNIX_EPOCH)
                .saturating_add(Duration::from_secs(3600)),
        )));
    let err = webtoken::decode::<Session>(&token, &verifying_key, &later)
        .expect_err("an expired token is refused");
    println!("expired token  -> {}: {err}", err.kind());
    Ok(())
}
