//! RFC 7515 Appendix A, RFC 7520 §4, RFC 8037 Appendix A and RFC 9964's ML-DSA examples: every
//! example gets its expected verdict, and the deterministic signatures are reproduced byte for
//! byte.

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

/// RFC 9964's example key of `c`, from its all-zero seed (a seed-only PKCS#8 document, RFC 9881
/// §6): `Err` on a ring build, which has no ML-DSA.
fn rfc9964_signing_key(c: &Value) -> Result<SigningKey, webtoken::Error> {
    let oid_last = match alg(c) {
        Algorithm::MlDsa44 => 0x11,
        Algorithm::MlDsa65 => 0x12,
        Algorithm::MlDsa87 => 0x13,
        other => panic!("not ML-DSA: {other}"),
    };
    let seed_hex = c["seed_hex"].as_str().expect("seed_hex");
    let seed: Vec<u8> = (0..seed_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&seed_hex[i..i + 2], 16).expect("hex"))
        .collect();
    assert_eq!(seed, b64(&c["key"], "priv"), "the JWK's priv is the seed");
    let mut der = vec![0x30, 0x34, 0x02, 0x01, 0x00, 0x30, 0x0b, 0x06, 0x09];
    der.extend([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, oid_last]);
    der.extend([0x04, 0x22, 0x80, 0x20]);
    der.extend(&seed);
    SigningKey::from_pkcs8_der(&der, None)
}

#[test]
fn rfc9964_ml_dsa_example_keys_have_the_rfc_thumbprints() {
    for c in cases("rfc/rfc9964_ml_dsa.json") {
        let id = c["id"].as_str().expect("id");
        let algorithm = alg(&c);
        let key = match rfc9964_signing_key(&c) {
            Ok(key) => key,
            Err(err) if !algorithm.is_available() => {
                assert_eq!(err.kind(), ErrorKind::InvalidKey, "{id}");
                assert!(err.to_string().contains("`aws-lc-rs`"), "{id}: {err}");
                println!("{id}: skipped: ML-DSA needs the aws-lc-rs feature ({err})");
                continue;
            }
            Err(err) => panic!("{id}: {err}"),
        };
        assert_eq!(key.algorithm(), algorithm, "{id}");
        let public = key.to_public_jwk().expect("public JWK");
        assert_eq!(
            public.thumbprint(),
            c["thumbprint"].as_str().unwrap(),
            "{id}"
        );
        // The RFC's private JWK (its `pub` being the derived one, which the thumbprint
        // pins): it loads, bound to its algorithm, and a wrong `pub` is refused.
        let mut jwk: Map<String, Value> = serde_json::from_value(c["key"].clone()).unwrap();
        let public_json = serde_json::to_value(&public).unwrap();
        jwk.insert("pub".into(), public_json["pub"].clone());
        let private = webtoken::keys::Jwk::from_json(&Value::Object(jwk.clone()).to_string())
            .expect("the RFC's JWK");
        assert_eq!(
            private.thumbprint(),
            c["thumbprint"].as_str().unwrap(),
            "{id}"
        );
        let from_jwk = private.to_signing_key().expect("signing key");
        assert_eq!(from_jwk.algorithm(), algorithm, "{id}");
        let mut wrong = public_json["pub"].as_str().unwrap().to_owned();
        let first = wrong.remove(0);
        wrong.insert(0, if first == 'A' { 'B' } else { 'A' });
        jwk.insert("pub".into(), wrong.into());
        let mismatched = webtoken::keys::Jwk::from_json(&Value::Object(jwk).to_string())
            .and_then(|jwk| jwk.to_signing_key());
        assert!(mismatched.is_err(), "{id}: a pub of another seed accepted");
    }
}

#[test]
fn rfc9964_ml_dsa_44_and_65_jws_verify_with_aws_lc_rs() {
    let all = cases("rfc/rfc9964_ml_dsa.json");
    let with_tokens: Vec<&Value> = all.iter().filter(|c| !c["token"].is_null()).collect();
    assert_eq!(with_tokens.len(), 2);
    for c in with_tokens {
        let id = c["id"].as_str().expect("id");
        let token = c["token"].as_str().expect("token");
        let algorithm = alg(c);
        // Whatever the build, a key of another algorithm refuses the token by its `alg`.
        let hmac = webtoken::VerifyingKey::hmac([0u8; 64], Algorithm::Hs512).expect("key");
        let err = jws::verify(token, &hmac, &Validation::new()).unwrap_err();
        assert_eq!(fine_kind(&err), "KeyAlgorithmMismatch", "{id}");
        let Ok(signing) = rfc9964_signing_key(c) else {
            assert!(!algorithm.is_available(), "{id}");
            println!("{id}: skipped: ML-DSA needs the aws-lc-rs feature");
            continue;
        };
        let key = signing.verifying_key().expect("verifying key");
        let policy = Validation::new().with_algorithms([algorithm]);
        let verified = jws::verify(token, &key, &policy).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(
            verified.payload(),
            c["payload_text"].as_str().expect("payload").as_bytes()
        );
        assert_eq!(
            verified.header().key_id(),
            Some(c["thumbprint"].as_str().unwrap())
        );
        // The payload is text, not a claims set: malformed at the JWT layer, after the
        // signature check.
        let err = webtoken::decode::<Map<String, Value>>(token, &key, &policy).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Malformed, "{id}: {err}");
        // The signature's last character changed, or its first: refused.
        for at_end in [true, false] {
            let (signing_input, signature) = token.rsplit_once('.').unwrap();
            let mut signature = signature.to_owned();
            let i = if at_end { signature.len() - 1 } else { 0 };
            let old = signature.remove(i);
            signature.insert(i, if old == 'A' { 'B' } else { 'A' });
            let tampered = format!("{signing_input}.{signature}");
            let err = jws::verify(&tampered, &key, &policy).unwrap_err();
            assert!(
                matches!(fine_kind(&err), "InvalidSignature" | "MalformedToken"),
                "{id}: {err}"
            );
        }
        // The signature one character short (a length no signature has): refused.
        let short = &token[..token.len() - 4];
        assert!(jws::verify(short, &key, &policy).is_err(), "{id}");
        // The key of the other example (another parameter set) refuses it by its `alg`.
        let other = all
            .iter()
            .find(|o| o["id"] != c["id"] && !o["token"].is_null())
            .expect("other case");
        let other_key = rfc9964_signing_key(other)
            .and_then(|k| k.verifying_key())
            .expect("other key");
        let err = jws::verify(token, &other_key, &Validation::new()).unwrap_err();
        assert_eq!(fine_kind(&err), "KeyAlgorithmMismatch", "{id}");
        // ML-DSA signing is hedged: a new signature differs but verifies.
        let resigned =
            jws::sign(&webtoken::Header::empty(), verified.payload(), &signing).expect("sign");
        assert_ne!(resigned, token);
        jws::verify(&resigned, &key, &policy).expect("re-signed verifies");
    }
}
