//! Wycheproof's JOSE encryption vectors (`json_web_encryption_test.json`) and the JWS/JWE
//! confusion set (`json_web_crypto_test.json`) through `jwe::decrypt`, with each group's
//! private JWK loaded by `DecryptingKey::from_jwk_json`. Every case agrees with its label,
//! except the documented overrides of `tests/data/README.md` ("Wycheproof, JWE"): valid cases
//! that use algorithms webtoken does not implement on purpose are refused.
#![cfg(feature = "jwe")]

use serde_json::Value;
use webtoken::jwe::{self, DecryptOptions, DecryptingKey};
use webtoken::{ErrorKind, Validation, VerifyingKey};

fn load(name: &str) -> Option<Value> {
    let Some(dir) = std::env::var_os("WEBTOKEN_WYCHEPROOF_DIR") else {
        println!("SKIPPED {name}: WEBTOKEN_WYCHEPROOF_DIR is not set");
        return None;
    };
    let path = std::path::Path::new(&dir).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(serde_json::from_str(&text).expect("json"))
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

/// The protected header of a compact token, when it decodes.
fn header(token: &str) -> Option<Value> {
    let first = token.split('.').next()?;
    let bytes = webtoken::base64url::decode(first).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Why webtoken refuses a case whatever its label: an algorithm it does not implement on
/// purpose, or `zip`.
fn not_implemented(token: &str) -> Option<&'static str> {
    let header = header(token)?;
    let alg = header["alg"].as_str().unwrap_or_default();
    let enc = header["enc"].as_str().unwrap_or_default();
    if alg == "RSA1_5" {
        return Some("RSA1_5 (Bleichenbacher)");
    }
    if alg.contains("GCMKW") {
        return Some("AES-GCM key wrap");
    }
    if alg.contains("192") || enc.contains("192") {
        return Some("192-bit AES");
    }
    if header.get("zip").is_some() {
        return Some("zip");
    }
    None
}

#[derive(Debug, Default)]
struct Tally {
    accepted: usize,
    rejected: usize,
    overridden: usize,
}

/// Runs one JWE case with `key` (None when the group's key is refused when loaded).
fn run_jwe_case(test: &Value, key: Option<&DecryptingKey>, tally: &mut Tally) {
    let id = test["tcId"].as_u64().expect("tcId");
    let valid = test["result"] == "valid";
    let token = match &test["jwe"] {
        Value::String(s) => s.clone(),
        other => other.to_string(), // JSON serialization: not a compact token
    };
    let reason = not_implemented(&token);
    let outcome = key.map(|key| jwe::decrypt(&token, key, &DecryptOptions::new()));
    match (valid && reason.is_none(), outcome) {
        (true, Some(Ok(decrypted))) => {
            // json_web_crypto_test.json gives no `pt`: its payloads are all "foo" (Zm9v).
            let expected = test["pt"].as_str().map_or_else(|| b"foo".to_vec(), hex);
            assert_eq!(decrypted.plaintext(), expected, "tcId {id}");
            tally.accepted += 1;
        }
        (true, other) => panic!("tcId {id} ({}) must decrypt: {other:?}", test["comment"]),
        (false, Some(Ok(_))) => panic!("tcId {id} ({}) must be refused", test["comment"]),
        (false, outcome) => {
            if valid {
                tally.overridden += 1;
            }
            if let Some(Err(error)) = &outcome {
                // The reason for a refusal is a typed kind, never a panic or a success.
                assert!(
                    matches!(
                        error.kind(),
                        ErrorKind::DecryptionFailed
                            | ErrorKind::Malformed
                            | ErrorKind::AlgorithmNotAllowed
                            | ErrorKind::UnknownKey
                            | ErrorKind::UnsupportedCriticalHeader
                    ),
                    "tcId {id}: {error}"
                );
                let comment = test["comment"].as_str().unwrap_or_default();
                if matches!(
                    comment,
                    "rejectsModifiedAuthenticationTag"
                        | "rejectsModifiedCiphertext"
                        | "rejectsModifiedIv"
                        | "rejectsModifiedEncryptedKey"
                ) {
                    assert_eq!(
                        error.kind(),
                        ErrorKind::DecryptionFailed,
                        "tcId {id}: {error}"
                    );
                }
                if comment == "rejectsInvalidCurvePoint" {
                    assert!(error.to_string().contains("epk"), "tcId {id}: {error}");
                }
                if reason.is_some_and(|r| r.starts_with("RSA1_5")) {
                    assert_eq!(error.kind(), ErrorKind::AlgorithmNotAllowed, "tcId {id}");
                }
            }
            tally.rejected += 1;
        }
    }
}

fn group_key(group: &Value) -> Option<DecryptingKey> {
    let private = group["private"].to_string();
    DecryptingKey::from_jwk_json(&private, None).ok()
}

#[test]
fn json_web_encryption_test_agrees_with_labels() {
    let Some(doc) = load("json_web_encryption_test.json") else {
        return;
    };
    let mut tally = Tally::default();
    let mut refused_keys = Vec::new();
    let mut count = 0;
    for group in doc["testGroups"].as_array().expect("groups") {
        let key = group_key(group);
        if key.is_none() {
            refused_keys.push(group["private"]["alg"].as_str().unwrap_or("?").to_owned());
        }
        for test in group["tests"].as_array().expect("tests") {
            run_jwe_case(test, key.as_ref(), &mut tally);
            count += 1;
        }
    }
    assert_eq!(
        count,
        usize::try_from(doc["numberOfTests"].as_u64().expect("count")).expect("count")
    );
    println!("json_web_encryption_test: {tally:?}; keys refused for {refused_keys:?}");
    // Upstream dac1dd47: 139 cases.
    assert_eq!(count, 139);
    assert_eq!(tally.accepted + tally.rejected, 139);
    // 65 valid cases: 37 decrypt; 28 use what webtoken does not implement on purpose (A192*
    // 13, RSA1_5 8, A*GCMKW 6, zip 1) and are refused.
    assert_eq!((tally.accepted, tally.overridden), (37, 28), "{tally:?}");
    // Every key refused is one of an algorithm webtoken does not implement on purpose.
    for alg in &refused_keys {
        assert!(
            alg == "RSA1_5" || alg.contains("GCMKW") || alg.contains("192"),
            "key for {alg} refused"
        );
    }
}

#[test]
fn json_web_crypto_test_keeps_jws_and_jwe_apart() {
    let Some(doc) = load("json_web_crypto_test.json") else {
        return;
    };
    let mut tally = Tally::default();
    let mut confusions = 0;
    // Any JWE key; a JWS given to decrypt must be refused before any key is used.
    let jwe_key = DecryptingKey::from_jwk_json(
        r#"{"kty":"oct","alg":"A256KW","k":"W1vBUI1-5HARc-qyT8hcYBt6q9sFNsztBrhlbl9W2CA"}"#,
        None,
    )
    .expect("key");
    let hmac = VerifyingKey::hmac([7u8; 32], webtoken::Algorithm::Hs256).expect("key");
    for group in doc["testGroups"].as_array().expect("groups") {
        let key = group_key(group);
        for test in group["tests"].as_array().expect("tests") {
            if let Some(jws) = test.get("jws") {
                let token = jws.as_str().map_or_else(|| jws.to_string(), str::to_owned);
                assert!(
                    jwe::decrypt(&token, &jwe_key, &DecryptOptions::new()).is_err(),
                    "tcId {}",
                    test["tcId"]
                );
                confusions += 1;
            } else {
                let token = test["jwe"]
                    .as_str()
                    .map_or_else(|| test["jwe"].to_string(), str::to_owned);
                // A JWE given to decode is malformed.
                let err = webtoken::decode::<()>(&token, &hmac, &Validation::new()).unwrap_err();
                assert!(
                    matches!(err.kind(), ErrorKind::Malformed | ErrorKind::TokenTooLarge),
                    "tcId {}: {err}",
                    test["tcId"]
                );
                run_jwe_case(test, key.as_ref(), &mut tally);
                confusions += 1;
            }
        }
    }
    println!("json_web_crypto_test: {confusions} cases, JWE part {tally:?}");
    assert_eq!((tally.accepted, tally.overridden), (2, 0), "{tally:?}");
    assert_eq!(
        confusions,
        usize::try_from(doc["numberOfTests"].as_u64().expect("count")).expect("count")
    );
}
