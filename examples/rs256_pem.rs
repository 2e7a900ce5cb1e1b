//! Sign an RS256 token with an RSA private key in PEM and verify it with the public key PEM.
//!
//! ```sh
//! cargo run --example rs256_pem
//! ```
//!
//! The keys are the test fixtures in `tests/data/keys` (never use them for anything real).
//! Make your own with:
//!
//! ```sh
//! openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem
//! openssl pkey -in key.pem -pubout -out key.pub.pem
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};
use webtoken::{Algorithm, Claims, Header, SigningKey, Validation, VerifyingKey};

#[derive(Debug, Serialize, Deserialize)]
struct Role {
    role: String,
}

fn main() -> Result<(), webtoken::Error> {
    // RSA keys can serve RS256..RS512 and PS256..PS512, so the algorithm is named when the key
    // is loaded; the key is then bound to it.
    let private_pem = include_str!("../tests/data/keys/rsa2048.pkcs8.pem");
    let public_pem = include_str!("../tests/data/keys/rsa2048.spki.pem");
    let signing_key = SigningKey::rsa_pem(private_pem, Algorithm::Rs256)?.with_key_id("rsa2048");
    let verifying_key = VerifyingKey::rsa_pem(public_pem, Algorithm::Rs256)?;

    let claims = Claims::new(Role {
        role: "admin".into(),
    })
    .with_issuer("https://id.example")
    .with_subject("user-42")
    .with_audience("api")
    .expires_in(Duration::from_secs(900));
    let jwt = webtoken::encode(&Header::new(), &claims, &signing_key)?;
    println!("{jwt}");

    let validation = Validation::new()
        .with_algorithms([Algorithm::Rs256])
        .with_issuer("https://id.example")
        .with_audience("api");
    let token = webtoken::decode::<Role>(&jwt, &verifying_key, &validation)?;
    println!(
        "verified: sub={:?} role={:?}",
        token.claims().subject,
        token.claims().custom.role
    );
    Ok(())
}
