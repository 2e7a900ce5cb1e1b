//! One tamper helper run for every algorithm: every single-bit flip of the signature, a swapped
//! header, an edited claim, a truncated or extended signature — each must be rejected, and
//! never reach claim validation.

mod common;

use std::time::Duration;

use serde_json::{Value, json};
use webtoken::{
    Algorithm, Claims, ErrorKind, Header, SigningKey, Validation, VerifyingKey, base64url,
};

fn key_pairs() -> Vec<(SigningKey, VerifyingKey)> {
    let rng = ring::rand::SystemRandom::new();
    let mut pairs = Vec::new();
    for (alg, len) in [
        (Algorithm::Hs256, 32),
        (Algorithm::Hs384, 48),
        (Algorithm::Hs512, 64),
    ] {
        let secret = vec![0xa5; len];
        pairs.push((
            SigningKey::hmac(&secret, alg).expect("hmac"),
            VerifyingKey::hmac(&secret, alg).expect("hmac"),
        ));
    }
    for signing in [
        &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &ring::signature::ECDSA_P384_SHA384_FIXED_SIGNING,
    ] {
        let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(signing, &rng).expect("gen");
        let key = SigningKey::from_pkcs8_der(pkcs8.as_ref(), None).expect("ec key");
        let public = key.verifying_key().expect("public");
        pairs.push((key, public));
    }
    let pkcs8 = ring::signature::Ed25519KeyPair::generate_pkcs8(&rng).expect("gen");
    let key = SigningKey::from_pkcs8_der(pkcs8.as_ref(), None).expect("ed key");
    let public = key.verifying_key().expect("public");
    pairs.push((key, public));
    pairs
}

fn segments(token: &str) -> [String; 3] {
    let parts: Vec<&str> = token.split('.').collect();
    [
        parts[0].to_owned(),
        parts[1].to_owned(),
        parts[2].to_owned(),
    ]
}

/// Every way of tampering with `token`, each named.
fn tampered(token: &str) -> Vec<(String, String)> {
    let [h, p, s] = segments(token);
    let sig = base64url::decode(&s).expect("sig");
    let mut out = Vec::new();
    for bit in 0..sig.len() * 8 {
        let mut flipped = sig.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        out.push((
            format!("signature bit {bit}"),
            format!("{h}.{p}.{}", base64url::encode(&flipped)),
        ));
    }
    out.push((
        "signature truncated".into(),
        format!("{h}.{p}.{}", base64url::encode(&sig[..sig.len() - 1])),
    ));
    let mut longer = sig.clone();
    longer.push(0);
    out.push((
        "signature extended".into(),
        format!("{h}.{p}.{}", base64url::encode(&longer)),
    ));
    out.push(("signature empty".into(), format!("{h}.{p}.")));

    // Swap in another header with the same alg (a different kid and typ).
    let mut header: Value =
        serde_json::from_slice(&base64url::decode(&h).expect("h")).expect("json");
    header["kid"] = json!("attacker");
    header["typ"] = json!("at+jwt");
    let swapped = base64url::encode(serde_json::to_vec(&header).expect("json"));
    out.push(("header swapped".into(), format!("{swapped}.{p}.{s}")));

    // Edit one claim.
    let mut claims: Value =
        serde_json::from_slice(&base64url::decode(&p).expect("p")).expect("json");
    claims["sub"] = json!("admin");
    let edited = base64url::encode(serde_json::to_vec(&claims).expect("json"));
    out.push(("claim edited".into(), format!("{h}.{edited}.{s}")));
    out
}

#[test]
fn every_tampered_token_is_rejected_for_every_algorithm() {
    let claims = Claims::new(json!({ "role": "user" }))
        .with_subject("user-42")
        .expires_in(Duration::from_secs(600));
    for (signing, verifying) in key_pairs() {
        let alg = signing.algorithm();
        let token = webtoken::encode(&Header::new(), &claims, &signing).expect("encode");
        let validation = Validation::new().with_algorithms([alg]);
        webtoken::decode::<Value>(&token, &verifying, &validation)
            .unwrap_or_else(|e| panic!("{alg}: untampered token refused: {e}"));
        let variants = tampered(&token);
        assert!(variants.len() > 256, "{alg}: too few variants");
        for (what, bad) in variants {
            let err = webtoken::decode::<Value>(&bad, &verifying, &validation)
                .expect_err(&format!("{alg}: {what} accepted"));
            assert_eq!(
                err.kind(),
                ErrorKind::InvalidSignature,
                "{alg}: {what}: {err}"
            );
        }
    }
}

#[test]
fn a_tampered_and_expired_token_is_an_invalid_signature_not_expired() {
    let key = SigningKey::hmac([1u8; 32], Algorithm::Hs256).expect("key");
    let claims = Claims::new(()).with_expires_at(webtoken::NumericDate::from_secs(1000));
    let token = webtoken::encode(&Header::new(), &claims, &key).expect("encode");
    let [h, p, _] = segments(&token);
    let forged = format!("{h}.{p}.{}", base64url::encode([0u8; 32]));
    let err = webtoken::decode::<()>(
        &forged,
        &key.verifying_key().expect("vk"),
        &Validation::new(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidSignature);
}

#[test]
fn a_key_of_one_algorithm_never_verifies_another() {
    let pairs = key_pairs();
    for (signing, _) in &pairs {
        let token = webtoken::encode(
            &Header::new(),
            &Claims::new(()).expires_in(Duration::from_secs(60)),
            signing,
        )
        .expect("encode");
        for (_, verifying) in &pairs {
            if verifying.algorithm() == signing.algorithm() {
                continue;
            }
            let err = webtoken::decode::<()>(&token, verifying, &Validation::new()).unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::AlgorithmNotAllowed,
                "{} token, {} key",
                signing.algorithm(),
                verifying.algorithm()
            );
        }
    }
}
