//! RFC 7515 Appendix A, RFC 7520 §4 and RFC 8037 Appendix A: every example gets its expected
//! verdict, and the deterministic signatures are reproduced byte for byte.

mod common;

use common::{b64, data, fine_kind, hmac_signing_key, verifying_key};
use serde_json::{Map, Value};
use webtoken::{Algorithm, ErrorKind, NumericDate, SigningKey, Validation, jws};

/// Before the `exp` of RFC 7515 A.1–A.3 (1300819380).
const RFC7515_NOW: i64 = 1_300_819_000;

fn cases(file: &str) -> Vec<Value> {
    data(file)["cases"].as_array().expect("cases").clone()
}

fn case(file: &str, id: &str) -> Value {
    cases(file)
        .into_iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id}"))
}

fn alg(c: &Value) -> Algorithm {
    c["alg"]
        .as_str()
        .expect("alg")
        .parse()
        .expect("supported alg")
}

fn jwt_validation(algorithm: Algorithm) -> Validation {
    Validation::new()
        .with_algorithms([algorithm])
        .with_fixed_time(NumericDate::from_secs(RFC7515_NOW))
}

#[test]
fn rfc7515_a1_hs256_verifies_over_the_received_bytes_and_re_signs_byte_for_byte() {
    let c = case("rfc/rfc7515_appendix_a.json", "rfc7515-A.1");
    let token = c["token"].as_str().expect("token");
    let key = verifying_key(&c["verification_key"], Algorithm::Hs256).expect("key");

    let verified =
        webtoken::decode::<Map<String, Value>>(token, &key, &jwt_validation(Algorithm::Hs256))
            .expect("A.1 verifies");
    assert_eq!(verified.claims().issuer.as_deref(), Some("joe"));
    assert_eq!(
        verified.claims().expires_at,
        Some(NumericDate::from_secs(1_300_819_380))
    );
    assert_eq!(
        verified.claims().custom["http://example.com/is_root"],
        Value::Bool(true)
    );
    assert_eq!(verified.header().token_type(), Some("JWT"));

    // The header contains CR LF: re-signing the exact header and payload text reproduces it.
    let signing_key = hmac_signing_key(&c["key"], Algorithm::Hs256);
    let resigned = jws::sign_with_header_json(
        c["protected_header_json"].as_str().expect("header"),
        c["payload_text"].as_str().expect("payload").as_bytes(),
        &signing_key,
    )
    .expect("sign");
    assert_eq!(resigned, token);

    // With the real clock the token is long expired.
    let err = webtoken::decode::<()>(token, &key, &Validation::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expired);
}

#[test]
fn rfc7515_a2_rs256_and_a3_es256_verify() {
    for id in ["rfc7515-A.2", "rfc7515-A.3"] {
        let c = case("rfc/rfc7515_appendix_a.json", id);
        let key = verifying_key(&c["verification_key"], alg(&c)).expect("key");
        let token = webtoken::decode::<Map<String, Value>>(
            c["token"].as_str().expect("token"),
            &key,
            &jwt_validation(alg(&c)),
        )
        .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(token.claims().issuer.as_deref(), Some("joe"), "{id}");
        assert_eq!(token.header().algorithm(), Some(alg(&c)), "{id}");
    }
}

#[test]
fn rfc7515_a4_and_rfc7520_4_3_es512_verify_with_aws_lc_rs() {
    for (file, id) in [
        ("rfc/rfc7515_appendix_a.json", "rfc7515-A.4"),
        ("rfc/rfc7520_section4.json", "rfc7520-4.3"),
    ] {
        let c = case(file, id);
        let token = c["token"].as_str().expect("token");
        assert_eq!(alg(&c), Algorithm::Es512);
        // Whatever the build, a key of another algorithm refuses the token by its `alg`.
        let hmac = webtoken::VerifyingKey::hmac([0u8; 64], Algorithm::Hs512).expect("key");
        let err = jws::verify(token, &hmac, &Validation::new()).unwrap_err();
        assert_eq!(fine_kind(&err), "KeyAlgorithmMismatch", "{id}");
        let key = verifying_key(&c["verification_key"], Algorithm::Es512);
        if !Algorithm::Es512.is_available() {
            let err = key.expect_err("ES512 needs aws-lc-rs");
            assert!(err.to_string().contains("`aws-lc-rs`"), "{id}: {err}");
            println!("{id}: skipped: ES512 needs the aws-lc-rs feature ({err})");
            continue;
        }
        let key = key.expect("key");
        let verified = jws::verify(
            token,
            &key,
            &Validation::new().with_algorithms([Algorithm::Es512]),
        )
        .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(
            verified.payload(),
            c["payload_text"].as_str().expect("payload").as_bytes()
        );
        // One bit of the signature flipped: refused.
        let mut tampered = token.to_owned();
        let last = tampered.pop().expect("char");
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        assert!(
            jws::verify(&tampered, &key, &Validation::new()).is_err(),
            "{id}"
        );
    }
}

#[test]
fn rfc7515_a5_and_appendix_e_alg_none_are_never_accepted() {
    for id in ["rfc7515-A.5", "rfc7515-E"] {
        let c = case("rfc/rfc7515_appendix_a.json", id);
        let token = c["token"].as_str().expect("token");
        for algorithm in [Algorithm::Hs256, Algorithm::Hs512] {
            let key = webtoken::VerifyingKey::hmac([7u8; 64], algorithm).expect("key");
            for validation in [
                Validation::new(),
                Validation::new().with_algorithms(Algorithm::ALL),
            ] {
                let err = webtoken::decode::<()>(token, &key, &validation).unwrap_err();
                assert_eq!(fine_kind(&err), "AlgorithmNotAllowed", "{id}");
                let err = jws::verify(token, &key, &validation).unwrap_err();
                assert_eq!(fine_kind(&err), "AlgorithmNotAllowed", "{id}");
            }
        }
    }
}

#[test]
fn rfc7520_section4_signatures_verify_at_the_jws_level_and_fail_as_jwts() {
    for id in ["rfc7520-4.1", "rfc7520-4.2", "rfc7520-4.4"] {
        let c = case("rfc/rfc7520_section4.json", id);
        let algorithm = alg(&c);
        let token = c["token"].as_str().expect("token");
        let key = verifying_key(&c["verification_key"], algorithm).expect("key");
        let validation = Validation::new().with_algorithms([algorithm]);
        let verified =
            jws::verify(token, &key, &validation).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(
            verified.payload(),
            c["payload_text"].as_str().expect("payload").as_bytes(),
            "{id}"
        );
        assert_eq!(verified.header().key_id(), c["key"]["kid"].as_str(), "{id}");
        // The payload is English text, so the JWT layer refuses it after the signature check.
        let err = webtoken::decode::<()>(token, &key, &validation).unwrap_err();
        assert_eq!(fine_kind(&err), "MalformedToken", "{id}");
    }
}

#[test]
fn rfc7520_4_4_hs256_re_signs_byte_for_byte() {
    let c = case("rfc/rfc7520_section4.json", "rfc7520-4.4");
    let header = webtoken::Header::empty().with_key_id(c["key"]["kid"].as_str().expect("kid"));
    let token = jws::sign(
        &header,
        c["payload_text"].as_str().expect("payload").as_bytes(),
        &hmac_signing_key(&c["key"], Algorithm::Hs256),
    )
    .expect("sign");
    assert_eq!(token, c["token"].as_str().expect("token"));
}

#[test]
fn rfc7520_unsupported_detached_and_json_forms_are_rejected() {
    let expectations = [
        ("rfc7520-4.5", "InvalidSignature"),
        ("rfc7520-4.6", "MalformedToken"),
        ("rfc7520-4.7", "MalformedToken"),
    ];
    for (id, kind) in expectations {
        let c = case("rfc/rfc7520_section4.json", id);
        let key = webtoken::VerifyingKey::hmac(
            c["key"]
                .get("k")
                .map_or_else(|| vec![0u8; 32], |_| b64(&c["key"], "k")),
            Algorithm::Hs256,
        )
        .expect("key");
        let err = jws::verify(
            c["token"].as_str().expect("token"),
            &key,
            &Validation::new(),
        )
        .unwrap_err();
        assert_eq!(fine_kind(&err), kind, "{id}: {err}");
    }
}

#[test]
fn rfc8037_a4_ed25519_verifies_and_re_signs_byte_for_byte() {
    let c = case("rfc/rfc8037_appendix_a.json", "rfc8037-A.4");
    let token = c["token"].as_str().expect("token");
    let key = verifying_key(&c["verification_key"], Algorithm::EdDsa).expect("key");
    let verified = jws::verify(token, &key, &Validation::new()).expect("verifies");
    assert_eq!(verified.payload(), b"Example of Ed25519 signing");

    let signing = SigningKey::ed25519_seed(&b64(&c["key"], "d")).expect("seed");
    let resigned =
        jws::sign(&webtoken::Header::empty(), verified.payload(), &signing).expect("sign");
    assert_eq!(resigned, token);
}

#[test]
fn rfc7520_4_1_rs256_re_signs_byte_for_byte_and_4_2_ps384_signs_verifiably() {
    let c = case("rfc/rfc7520_section4.json", "rfc7520-4.1");
    let private = webtoken::keys::Jwk::from_json(&c["key"].to_string()).expect("jwk");
    let signing = private
        .to_signing_key_for(Algorithm::Rs256)
        .expect("rsa key");
    let header = webtoken::Header::empty().with_key_id(c["key"]["kid"].as_str().expect("kid"));
    let payload = c["payload_text"].as_str().expect("payload").as_bytes();
    let token = jws::sign(&header, payload, &signing).expect("sign");
    assert_eq!(token, c["token"].as_str().expect("token"));

    // PS384 is randomized: a fresh signature with the same key verifies with the public key.
    let c = case("rfc/rfc7520_section4.json", "rfc7520-4.2");
    let private = webtoken::keys::Jwk::from_json(&c["key"].to_string()).expect("jwk");
    let signing = private
        .to_signing_key_for(Algorithm::Ps384)
        .expect("rsa key");
    let token = jws::sign(&webtoken::Header::empty(), payload, &signing).expect("sign");
    let public = verifying_key(&c["verification_key"], Algorithm::Ps384).expect("key");
    let verified = jws::verify(&token, &public, &Validation::new()).expect("verifies");
    assert_eq!(verified.payload(), payload);
}
