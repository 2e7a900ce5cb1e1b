//! Wycheproof HMAC-SHA-2 vectors through webtoken's own HS256/HS384/HS512 verification path,
//! with the overrides of `tests/data/README.md`: truncated tags are always rejected (JWS
//! never truncates MACs) and keys shorter than the hash output are refused when built.

mod common;

use serde_json::Value;
use webtoken::{Algorithm, Error, ErrorKind, SigningKey, VerifyingKey};

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn run_file(name: &str, algorithm: Algorithm, hash_bits: u64) {
    let Some(dir) = common::wycheproof_dir(name) else {
        return;
    };
    let text = std::fs::read_to_string(dir.join(name)).expect("wycheproof file");
    let file: Value = serde_json::from_str(&text).expect("json");
    let (mut accepted, mut rejected, mut weak_keys) = (0, 0, 0);
    for group in file["testGroups"].as_array().expect("groups") {
        let key_bits = group["keySize"].as_u64().expect("keySize");
        let tag_bits = group["tagSize"].as_u64().expect("tagSize");
        for t in group["tests"].as_array().expect("tests") {
            let id = t["tcId"].as_u64().expect("tcId");
            let key = hex(t["key"].as_str().expect("key"));
            let msg = hex(t["msg"].as_str().expect("msg"));
            let tag = hex(t["tag"].as_str().expect("tag"));
            let built = VerifyingKey::hmac(&key, algorithm);
            if key_bits < hash_bits {
                // Override: RFC 7518 §3.2 refuses keys shorter than the hash output.
                let err = built.expect_err("weak key must be refused");
                assert_eq!(err.kind(), ErrorKind::InvalidKey, "tcId {id}");
                assert!(SigningKey::hmac(&key, algorithm).is_err(), "tcId {id}");
                weak_keys += 1;
                continue;
            }
            let key = built.expect("full-size key");
            let verdict = key.verify(&msg, &tag);
            let expect_valid = tag_bits == hash_bits && t["result"] == "valid";
            if expect_valid {
                verdict.unwrap_or_else(|e| panic!("{name} tcId {id}: {e}"));
                // And the signing path produces the same tag.
                let signer =
                    SigningKey::hmac(hex(t["key"].as_str().expect("key")), algorithm).expect("key");
                assert_eq!(signer.sign(&msg).expect("sign"), tag, "{name} tcId {id}");
                accepted += 1;
            } else {
                assert!(
                    matches!(verdict, Err(Error::InvalidSignature)),
                    "{name} tcId {id} (tag {tag_bits} bits, {}) must be rejected",
                    t["result"]
                );
                rejected += 1;
            }
        }
    }
    eprintln!("{name}: {accepted} accepted, {rejected} rejected, {weak_keys} weak keys refused");
    assert!(accepted > 0 && rejected > 0 && weak_keys > 0);
}

#[test]
fn wycheproof_hmac_sha256_as_hs256() {
    run_file("hmac_sha256_test.json", Algorithm::Hs256, 256);
}

#[test]
fn wycheproof_hmac_sha384_as_hs384() {
    run_file("hmac_sha384_test.json", Algorithm::Hs384, 384);
}

#[test]
fn wycheproof_hmac_sha512_as_hs512() {
    run_file("hmac_sha512_test.json", Algorithm::Hs512, 512);
}
