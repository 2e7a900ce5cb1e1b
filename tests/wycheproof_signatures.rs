//! Wycheproof ECDSA (P1363 for P-256, P-384, P-521 and secp256k1, and the DER file as a
//! negative set), RSA PKCS#1 v1.5, RSA-PSS, Ed25519 and ML-DSA-44/65/87 vectors through
//! webtoken's own key loading (the group's SPKI PEM or DER, JWK, raw ML-DSA key) and
//! `VerifyingKey::verify`, the path `decode` uses, with the overrides of
//! `tests/data/README.md`. ES512, ES256K and ML-DSA need the `aws-lc-rs` feature: other builds
//! say that they skip those files, and check the key is refused with the error naming it.

mod common;

use serde_json::Value;
use webtoken::{Algorithm, Error, VerifyingKey};

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

/// What a case must do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Accept,
    Reject,
    Either,
}

#[derive(Default, Debug)]
struct Tally {
    accepted: usize,
    rejected: usize,
}

/// Runs every test of `file` with keys bound to `algorithm`; `expect` maps a test (and its
/// group) to the verdict webtoken must give.
fn run(
    file: &str,
    algorithm: Algorithm,
    expect: impl Fn(&Value, &Value) -> Expect,
) -> Option<Tally> {
    let dir = common::wycheproof_dir(file)?;
    let text = std::fs::read_to_string(dir.join(file)).expect("wycheproof file");
    let doc: Value = serde_json::from_str(&text).expect("json");
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for group in doc["testGroups"].as_array().expect("groups") {
        let pem = group["publicKeyPem"].as_str().expect("publicKeyPem");
        let key = VerifyingKey::from_pem(pem, Some(algorithm));
        for test in group["tests"].as_array().expect("tests") {
            let id = test["tcId"].as_u64().expect("tcId");
            let want = expect(group, test);
            let verdict = match &key {
                Ok(key) => key.verify(
                    &hex(test["msg"].as_str().expect("msg")),
                    &hex(test["sig"].as_str().expect("sig")),
                ),
                Err(e) => Err(Error::Key(match e {
                    Error::Key(k) => k.clone(),
                    other => panic!("{file}: unexpected {other}"),
                })),
            };
            match (&verdict, want) {
                (Ok(()), Expect::Accept | Expect::Either) => tally.accepted += 1,
                (Err(Error::InvalidSignature | Error::Key(_)), Expect::Reject | Expect::Either) => {
                    tally.rejected += 1;
                }
                _ => failures.push(format!(
                    "tcId {id} ({}): expected {want:?}, got {verdict:?}",
                    test["comment"]
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{file}:\n{}", failures.join("\n"));
    eprintln!("{file}: {tally:?}");
    Some(tally)
}

fn labelled(_: &Value, test: &Value) -> Expect {
    match test["result"].as_str() {
        Some("valid") => Expect::Accept,
        Some("acceptable") => Expect::Either,
        _ => Expect::Reject,
    }
}

#[test]
fn ecdsa_p1363_files_verify_as_es256_and_es384() {
    for (file, alg) in [
        ("ecdsa_secp256r1_sha256_p1363_test.json", Algorithm::Es256),
        ("ecdsa_secp384r1_sha384_p1363_test.json", Algorithm::Es384),
    ] {
        if let Some(t) = run(file, alg, labelled) {
            assert!(t.accepted > 150 && t.rejected > 80, "{file}: {t:?}");
        }
    }
}

#[test]
fn der_encoded_ecdsa_signatures_are_never_accepted_as_es256() {
    // JWS uses r || s (RFC 7518 §3.4): every DER blob is refused, even the valid ones.
    if let Some(t) = run(
        "ecdsa_secp256r1_sha256_test.json",
        Algorithm::Es256,
        |_, _| Expect::Reject,
    ) {
        assert_eq!(t.accepted, 0);
        assert!(t.rejected > 400);
    }
}

#[test]
fn rsa_pkcs1_files_verify_as_rs256_rs384_rs512() {
    for bits in [2048, 3072, 4096] {
        for (sha, alg) in [
            (256, Algorithm::Rs256),
            (384, Algorithm::Rs384),
            (512, Algorithm::Rs512),
        ] {
            let file = format!("rsa_signature_{bits}_sha{sha}_test.json");
            if let Some(t) = run(&file, alg, labelled) {
                assert!(t.accepted > 0 && t.rejected > 0, "{file}: {t:?}");
            }
        }
    }
}

#[test]
fn rsa_pss_files_verify_as_ps256_ps384_ps512() {
    for (file, alg) in [
        ("rsa_pss_2048_sha256_mgf1_32_test.json", Algorithm::Ps256),
        ("rsa_pss_3072_sha256_mgf1_32_test.json", Algorithm::Ps256),
        ("rsa_pss_4096_sha256_mgf1_32_test.json", Algorithm::Ps256),
        ("rsa_pss_2048_sha384_mgf1_48_test.json", Algorithm::Ps384),
        ("rsa_pss_4096_sha384_mgf1_48_test.json", Algorithm::Ps384),
        ("rsa_pss_4096_sha512_mgf1_64_test.json", Algorithm::Ps512),
    ] {
        if let Some(t) = run(file, alg, labelled) {
            assert!(t.accepted > 0 && t.rejected > 0, "{file}: {t:?}");
        }
    }
}

#[test]
fn pss_with_salt_length_zero_is_refused_by_ps256() {
    // RFC 7518 §3.5 fixes the salt length to the hash length. tcId 69 ("s_len changed to
    // 32", labelled invalid) is a genuine salt-32 signature and is rightly accepted.
    let expect = |_: &Value, test: &Value| {
        if test["tcId"] == 69 {
            Expect::Accept
        } else {
            Expect::Reject
        }
    };
    if let Some(t) = run(
        "rsa_pss_2048_sha256_mgf1_0_test.json",
        Algorithm::Ps256,
        expect,
    ) {
        assert_eq!(t.accepted, 1);
    }
}

#[test]
fn ed25519_file_verifies_as_eddsa() {
    if let Some(t) = run("ed25519_test.json", Algorithm::EdDsa, labelled) {
        assert_eq!(t.accepted, 88);
        assert_eq!(t.rejected, 63);
    }
}

/// Says why `algorithm`'s vectors are not run in this build, and checks the build refuses the
/// group's key with the error that names the feature. `true` when they must be skipped.
fn skipped_without_aws_lc_rs(file: &str, algorithm: Algorithm) -> bool {
    if algorithm.is_available() {
        return false;
    }
    eprintln!(
        "{file}: skipped: {algorithm} needs webtoken's `aws-lc-rs` feature (this build uses {})",
        webtoken::keys::BACKEND
    );
    if let Some(dir) = common::wycheproof_dir(file) {
        let text = std::fs::read_to_string(dir.join(file)).expect("wycheproof file");
        let doc: Value = serde_json::from_str(&text).expect("json");
        let der = hex(doc["testGroups"][0]["publicKeyDer"]
            .as_str()
            .expect("publicKeyDer"));
        let err = VerifyingKey::from_spki_der(&der, Some(algorithm)).expect_err("unavailable");
        assert!(err.to_string().contains("`aws-lc-rs`"), "{file}: {err}");
    }
    true
}

#[test]
fn ecdsa_p1363_files_verify_as_es512_and_es256k() {
    for (file, alg, accepted, rejected) in [
        (
            "ecdsa_secp521r1_sha512_p1363_test.json",
            Algorithm::Es512,
            231,
            87,
        ),
        (
            "ecdsa_secp256k1_sha256_p1363_test.json",
            Algorithm::Es256K,
            167,
            85,
        ),
    ] {
        if skipped_without_aws_lc_rs(file, alg) {
            continue;
        }
        if let Some(t) = run(file, alg, labelled) {
            assert_eq!((t.accepted, t.rejected), (accepted, rejected), "{file}");
        }
    }
}

/// The same files through the group's JWK (`publicKeyJwk`: P-521 coordinates of 66 bytes,
/// `crv` `secp256k1`), the path a JWK Set takes.
#[test]
fn ecdsa_p1363_files_verify_through_their_jwks() {
    for (file, alg) in [
        ("ecdsa_secp521r1_sha512_p1363_test.json", Algorithm::Es512),
        ("ecdsa_secp256k1_sha256_p1363_test.json", Algorithm::Es256K),
    ] {
        if skipped_without_aws_lc_rs(file, alg) {
            continue;
        }
        let Some(dir) = common::wycheproof_dir(file) else {
            continue;
        };
        let text = std::fs::read_to_string(dir.join(file)).expect("wycheproof file");
        let doc: Value = serde_json::from_str(&text).expect("json");
        let mut checked = 0;
        for group in doc["testGroups"].as_array().expect("groups") {
            // A few groups have keys the JWK format cannot carry (Wycheproof writes null).
            if group["publicKeyJwk"].is_null() {
                continue;
            }
            let jwk =
                webtoken::keys::Jwk::from_json(&group["publicKeyJwk"].to_string()).expect("jwk");
            let key = jwk.to_verifying_key().expect("key");
            assert_eq!(key.algorithm(), alg);
            let pem = VerifyingKey::from_pem(group["publicKeyPem"].as_str().expect("pem"), None)
                .expect("pem key");
            assert_eq!(key.to_spki_der().unwrap(), pem.to_spki_der().unwrap());
            for test in group["tests"].as_array().expect("tests") {
                let verdict = key.verify(
                    &hex(test["msg"].as_str().expect("msg")),
                    &hex(test["sig"].as_str().expect("sig")),
                );
                assert_eq!(
                    verdict.is_ok(),
                    test["result"] == "valid",
                    "{file} tcId {}",
                    test["tcId"]
                );
                checked += 1;
            }
        }
        let total = doc["numberOfTests"].as_u64().expect("count");
        assert!(checked * 10 > total * 9, "{file}: {checked} of {total}");
        eprintln!("{file}: {checked} of {total} cases through the JWK");
    }
}

/// ML-DSA (FIPS 204) verification vectors, with each group's key read both raw (the JWK
/// `pub`) and as SPKI DER. JWS uses the empty context (RFC 9964): cases without a context, or
/// with an empty one, must get their label; a signature made under a non-empty context must
/// never verify through webtoken, whatever its label.
#[test]
fn ml_dsa_files_verify_with_the_empty_context() {
    for (file, alg, tests) in [
        ("mldsa_44_verify_test.json", Algorithm::MlDsa44, 180),
        ("mldsa_65_verify_test.json", Algorithm::MlDsa65, 210),
        ("mldsa_87_verify_test.json", Algorithm::MlDsa87, 241),
    ] {
        if skipped_without_aws_lc_rs(file, alg) {
            continue;
        }
        let Some(dir) = common::wycheproof_dir(file) else {
            continue;
        };
        let text = std::fs::read_to_string(dir.join(file)).expect("wycheproof file");
        let doc: Value = serde_json::from_str(&text).expect("json");
        let (mut checked, mut accepted, mut with_context) = (0, 0, 0);
        let mut failures = Vec::new();
        for group in doc["testGroups"].as_array().expect("groups") {
            let raw = VerifyingKey::ml_dsa(&hex(group["publicKey"].as_str().expect("pk")), alg);
            let der = VerifyingKey::from_spki_der(
                &hex(group["publicKeyDer"].as_str().expect("der")),
                Some(alg),
            );
            assert_eq!(
                raw.is_ok(),
                der.is_ok(),
                "{file}: raw and SPKI keys disagree"
            );
            // And as an AKP JWK (RFC 9964), whose SPKI export is the group's.
            let jwk = serde_json::json!({"kty": "AKP", "alg": alg.as_str(),
                "pub": b64url(&hex(group["publicKey"].as_str().expect("pk")))});
            let from_jwk = webtoken::keys::Jwk::from_json(&jwk.to_string())
                .and_then(|jwk| jwk.to_verifying_key());
            assert_eq!(
                raw.is_ok(),
                from_jwk.is_ok(),
                "{file}: raw and JWK keys disagree"
            );
            if let Ok(from_jwk) = &from_jwk {
                assert_eq!(
                    from_jwk.to_spki_der().unwrap(),
                    hex(group["publicKeyDer"].as_str().expect("der"))
                );
            }
            for test in group["tests"].as_array().expect("tests") {
                checked += 1;
                let id = test["tcId"].as_u64().expect("tcId");
                let context = test.get("ctx").and_then(Value::as_str).unwrap_or("");
                let want = test["result"] == "valid" && context.is_empty();
                with_context += usize::from(!context.is_empty());
                let (msg, sig) = (
                    hex(test["msg"].as_str().expect("msg")),
                    hex(test["sig"].as_str().expect("sig")),
                );
                let got = match (&raw, &der) {
                    (Ok(raw), Ok(der)) => {
                        let a = raw.verify(&msg, &sig).is_ok();
                        assert_eq!(a, der.verify(&msg, &sig).is_ok(), "{file} tcId {id}");
                        a
                    }
                    _ => false,
                };
                accepted += usize::from(got);
                if got != want {
                    failures.push(format!("tcId {id} ({}): got {got}", test["comment"]));
                }
            }
        }
        assert!(failures.is_empty(), "{file}:\n{}", failures.join("\n"));
        assert_eq!(checked, tests, "{file}");
        assert_eq!(with_context, 7, "{file}");
        eprintln!("{file}: {accepted} accepted of {checked}");
    }
}
