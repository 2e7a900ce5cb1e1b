//! JWE (feature `jwe`): the RFC 7516 Appendix A examples, round trips of every algorithm pair,
//! keys (formats, JWK, thumbprints, sets), and the JWT level (claims, nested JWTs).
#![cfg(feature = "jwe")]

use std::time::Duration;

use serde_json::Value;
use webtoken::jwe::dangerous::{FixedValues, encrypt_with_fixed_values};
use webtoken::jwe::{
    self, ContentEncryption, DecryptOptions, DecryptingKey, DecryptingKeySet, EcdhCurve,
    EncryptingKey, JweHeader, KeyAlgorithm,
};
use webtoken::{
    Algorithm, Claims, Error, ErrorKind, Header, SigningKey, UntrustedToken, Validation,
};

fn rfc_cases() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/jwe/rfc7516_appendix_a.json"
    ))
    .expect("read vectors");
    let doc: Value = serde_json::from_str(&text).expect("json");
    doc["cases"].as_array().expect("cases").clone()
}

fn case(id: &str) -> Value {
    rfc_cases()
        .into_iter()
        .find(|c| c["id"] == id)
        .expect("case")
}

fn bytes(v: &Value) -> Vec<u8> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|b| u8::try_from(b.as_u64().expect("byte")).expect("byte"))
        .collect()
}

#[test]
fn rfc7516_a1_rsa_oaep_a256gcm_decrypts() {
    let c = case("A.1");
    let key =
        DecryptingKey::from_jwk_json(&c["key"].to_string(), Some(KeyAlgorithm::RsaOaep)).unwrap();
    let decrypted = jwe::decrypt(c["token"].as_str().unwrap(), &key, &DecryptOptions::new())
        .expect("A.1 decrypts");
    assert_eq!(
        decrypted.plaintext(),
        c["plaintext"].as_str().unwrap().as_bytes()
    );
    assert_eq!(decrypted.header().algorithm(), Some(KeyAlgorithm::RsaOaep));
    assert_eq!(decrypted.header().encryption(), ContentEncryption::A256Gcm);
    // The same key bound to RSA-OAEP-256 refuses the token before any cryptography.
    let other = DecryptingKey::from_jwk_json(&c["key"].to_string(), Some(KeyAlgorithm::RsaOaep256))
        .unwrap();
    let err =
        jwe::decrypt(c["token"].as_str().unwrap(), &other, &DecryptOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlgorithmNotAllowed);
    // Re-encryption round-trips (OAEP is randomized, so not byte for byte).
    let token = jwe::encrypt(
        &JweHeader::new(ContentEncryption::A256Gcm),
        b"again",
        &key.encrypting_key().unwrap(),
    )
    .unwrap();
    assert_eq!(
        jwe::decrypt(&token, &key, &DecryptOptions::new())
            .unwrap()
            .plaintext(),
        b"again"
    );
}

#[test]
fn rfc7516_a2_rsa1_5_is_refused_before_any_cryptography() {
    let c = case("A.2");
    let key =
        DecryptingKey::from_jwk_json(&c["key"].to_string(), Some(KeyAlgorithm::RsaOaep)).unwrap();
    for options in [
        DecryptOptions::new(),
        DecryptOptions::new().with_algorithms(KeyAlgorithm::ALL),
    ] {
        let err = jwe::decrypt(c["token"].as_str().unwrap(), &key, &options).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlgorithmNotAllowed);
        assert_eq!(
            err.to_string(),
            r#"algorithm (alg) "RSA1_5" is not allowed"#
        );
    }
    assert!(KeyAlgorithm::from_name("RSA1_5").is_none());
}

#[test]
fn rfc7516_a3_a128kw_decrypts_and_reencrypts_byte_for_byte() {
    let c = case("A.3");
    let token = c["token"].as_str().unwrap();
    let key =
        DecryptingKey::from_jwk_json(&c["key"].to_string(), Some(KeyAlgorithm::A128Kw)).unwrap();
    let decrypted = jwe::decrypt(token, &key, &DecryptOptions::new()).unwrap();
    assert_eq!(decrypted.plaintext(), b"Live long and prosper.");
    let cek = bytes(&c["cek"]);
    let iv = bytes(&c["iv"]);
    let again = encrypt_with_fixed_values(
        &JweHeader::new(ContentEncryption::A128CbcHs256),
        b"Live long and prosper.",
        &key.encrypting_key().unwrap(),
        &FixedValues {
            cek: Some(&cek),
            iv: Some(&iv),
            ..FixedValues::default()
        },
    )
    .unwrap();
    assert_eq!(again, token);
    // A wrong fixed IV length is refused rather than used.
    assert!(
        encrypt_with_fixed_values(
            &JweHeader::new(ContentEncryption::A128CbcHs256),
            b"x",
            &key.encrypting_key().unwrap(),
            &FixedValues {
                iv: Some(&iv[..12]),
                ..FixedValues::default()
            },
        )
        .is_err()
    );
}

/// One decrypting key per key-management algorithm (and curve), for `enc`.
fn keys_for(enc: ContentEncryption) -> Vec<DecryptingKey> {
    let mut keys = vec![
        DecryptingKey::generate_secret(KeyAlgorithm::Dir, enc).expect("key"),
        DecryptingKey::generate_secret(KeyAlgorithm::A128Kw, enc).expect("key"),
        DecryptingKey::generate_secret(KeyAlgorithm::A256Kw, enc).expect("key"),
    ];
    for curve in EcdhCurve::ALL {
        for alg in [
            KeyAlgorithm::EcdhEs,
            KeyAlgorithm::EcdhEsA128Kw,
            KeyAlgorithm::EcdhEsA256Kw,
        ] {
            keys.push(DecryptingKey::generate_ec(curve, alg).expect("key"));
        }
    }
    keys
}

fn rsa_key(alg: KeyAlgorithm) -> DecryptingKey {
    let c = case("A.1");
    DecryptingKey::from_jwk_json(&c["key"].to_string(), Some(alg)).expect("key")
}

#[test]
fn every_algorithm_and_encryption_round_trips_and_two_encryptions_differ() {
    let mut pairs = 0;
    for enc in ContentEncryption::ALL {
        let mut keys = keys_for(enc);
        keys.push(rsa_key(KeyAlgorithm::RsaOaep));
        keys.push(rsa_key(KeyAlgorithm::RsaOaep256));
        for key in &keys {
            let public = key.encrypting_key().unwrap();
            let header = JweHeader::new(enc).with_type("JWT");
            let a = jwe::encrypt(&header, b"same plaintext", &public).unwrap();
            let b = jwe::encrypt(&header, b"same plaintext", &public).unwrap();
            assert_ne!(a, b, "{} {enc}", key.algorithm());
            // Neither the IV nor the ciphertext repeats.
            let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
            assert_ne!(pa[2], pb[2]);
            assert_ne!(pa[3], pb[3]);
            for token in [&a, &b] {
                let decrypted = jwe::decrypt(token, key, &DecryptOptions::new())
                    .unwrap_or_else(|e| panic!("{} {enc}: {e}", key.algorithm()));
                assert_eq!(decrypted.plaintext(), b"same plaintext");
                assert_eq!(decrypted.header().token_type(), Some("JWT"));
            }
            // Another key of the same algorithm cannot decrypt.
            let stranger = match key.curve() {
                Some(curve) => DecryptingKey::generate_ec(curve, key.algorithm()).unwrap(),
                None if matches!(
                    key.algorithm(),
                    KeyAlgorithm::RsaOaep | KeyAlgorithm::RsaOaep256
                ) =>
                {
                    DecryptingKey::generate_rsa(2048, key.algorithm()).unwrap()
                }
                None => DecryptingKey::generate_secret(key.algorithm(), enc).unwrap(),
            };
            let err = jwe::decrypt(&a, &stranger, &DecryptOptions::new()).unwrap_err();
            assert_eq!(
                err.kind(),
                ErrorKind::DecryptionFailed,
                "{}",
                key.algorithm()
            );
            assert_eq!(err.to_string(), "decryption failed");
            pairs += 1;
        }
    }
    assert_eq!(pairs, 4 * (3 + 12 + 2));
}

#[test]
fn an_empty_plaintext_and_a_large_one_round_trip() {
    let key =
        DecryptingKey::generate_secret(KeyAlgorithm::Dir, ContentEncryption::A128CbcHs256).unwrap();
    for len in [0usize, 1, 16, 40_000] {
        let plaintext = vec![0xa5; len];
        let token = jwe::encrypt(
            &JweHeader::new(ContentEncryption::A128CbcHs256),
            &plaintext,
            &key.encrypting_key().unwrap(),
        )
        .unwrap();
        let decrypted = jwe::decrypt(&token, &key, &DecryptOptions::new()).unwrap();
        assert_eq!(decrypted.plaintext(), plaintext.as_slice());
    }
}

#[test]
fn keys_are_checked_when_built() {
    use KeyAlgorithm::*;
    assert!(EncryptingKey::secret([0u8; 16], Dir).is_ok());
    assert!(EncryptingKey::secret([0u8; 64], Dir).is_ok());
    // 32 bytes could be A256GCM or A128CBC-HS256: the key must be bound to one.
    let err = DecryptingKey::secret([0u8; 32], Dir).unwrap_err();
    assert!(err.to_string().contains("DecryptingKey::dir"), "{err}");
    assert!(EncryptingKey::secret([0u8; 32], Dir).is_err());
    assert!(DecryptingKey::dir([0u8; 32], ContentEncryption::A128CbcHs256).is_ok());
    assert!(DecryptingKey::dir([0u8; 16], ContentEncryption::A128CbcHs256).is_err());
    let bound = EncryptingKey::dir([0u8; 32], ContentEncryption::A128CbcHs256).unwrap();
    assert!(jwe::encrypt(&JweHeader::new(ContentEncryption::A256Gcm), b"x", &bound).is_err());
    assert!(EncryptingKey::secret([0u8; 24], Dir).is_err());
    assert!(EncryptingKey::secret([0u8; 32], A128Kw).is_err());
    assert!(EncryptingKey::secret([0u8; 16], A256Kw).is_err());
    assert!(DecryptingKey::secret([0u8; 32], EcdhEs).is_err());
    assert!(DecryptingKey::secret([0u8; 32], RsaOaep).is_err());
    for err in [
        DecryptingKey::secret([0u8; 24], Dir).unwrap_err(),
        DecryptingKey::generate_ec(EcdhCurve::P256, RsaOaep).unwrap_err(),
        DecryptingKey::generate_rsa(2048, EcdhEs).unwrap_err(),
        DecryptingKey::generate_rsa(1024, RsaOaep).unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::InvalidKey, "{err}");
    }
    // A dir key cannot encrypt an enc of another CEK length.
    let key = EncryptingKey::secret([1u8; 16], Dir).unwrap();
    assert!(jwe::encrypt(&JweHeader::new(ContentEncryption::A256Gcm), b"x", &key).is_err());
}

#[test]
fn pem_and_der_keys_load_for_every_curve_and_rsa() {
    for curve in EcdhCurve::ALL {
        let key = DecryptingKey::generate_ec(curve, KeyAlgorithm::EcdhEs).unwrap();
        let der = key.encrypting_key().unwrap().to_spki_der().unwrap();
        let public = EncryptingKey::from_public_der(&der, KeyAlgorithm::EcdhEs).unwrap();
        let token =
            jwe::encrypt(&JweHeader::new(ContentEncryption::A128Gcm), b"hi", &public).unwrap();
        assert_eq!(
            jwe::decrypt(&token, &key, &DecryptOptions::new())
                .unwrap()
                .plaintext(),
            b"hi"
        );
        // A public DER is not a key for RSA-OAEP.
        assert!(EncryptingKey::from_public_der(&der, KeyAlgorithm::RsaOaep).is_err());
    }
    // OpenSSL-made fixtures of the crate's key directory.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/keys/");
    let read = |name: &str| std::fs::read_to_string(format!("{dir}{name}")).ok();
    if let (Some(private), Some(public)) = (read("rsa2048.pkcs8.pem"), read("rsa2048.spki.pem")) {
        let key = DecryptingKey::from_private_pem(&private, KeyAlgorithm::RsaOaep256).unwrap();
        let public = EncryptingKey::from_public_pem(&public, KeyAlgorithm::RsaOaep256).unwrap();
        let token =
            jwe::encrypt(&JweHeader::new(ContentEncryption::A256Gcm), b"rsa", &public).unwrap();
        assert_eq!(
            jwe::decrypt(&token, &key, &DecryptOptions::new())
                .unwrap()
                .plaintext(),
            b"rsa"
        );
    } else {
        panic!("the RSA fixtures of tests/data/keys are missing");
    }
    if let Some(pkcs1) = read("rsa2048.pkcs1.pem") {
        assert!(DecryptingKey::from_private_pem(&pkcs1, KeyAlgorithm::RsaOaep).is_ok());
    }
    if let Some(small) = read("rsa1024.pkcs8.pem") {
        let err = DecryptingKey::from_private_pem(&small, KeyAlgorithm::RsaOaep).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidKey, "{err}");
    }
    for (name, curve) in [
        ("p256.sec1.pem", EcdhCurve::P256),
        ("p256.pkcs8.pem", EcdhCurve::P256),
        ("p384.pkcs8.pem", EcdhCurve::P384),
        ("p521.pkcs8.pem", EcdhCurve::P521),
    ] {
        let pem = read(name).expect("fixture");
        assert_eq!(
            DecryptingKey::from_private_pem(&pem, KeyAlgorithm::EcdhEs)
                .unwrap()
                .curve(),
            Some(curve),
            "{name}"
        );
    }
    for (name, curve) in [
        ("p384.spki.pem", EcdhCurve::P384),
        ("p521.spki.pem", EcdhCurve::P521),
    ] {
        let pem = read(name).expect("fixture");
        assert!(
            EncryptingKey::from_public_pem(&pem, KeyAlgorithm::EcdhEsA256Kw).is_ok(),
            "{name} {curve}"
        );
    }
    for name in ["secp256k1.pkcs8.pem", "ed25519.pkcs8.pem"] {
        let pem = read(name).expect("fixture");
        assert!(
            DecryptingKey::from_private_pem(&pem, KeyAlgorithm::EcdhEs).is_err(),
            "{name}"
        );
    }
    if let Some(ec) = read("p256.sec1.pem") {
        assert_eq!(
            DecryptingKey::from_private_pem(&ec, KeyAlgorithm::EcdhEs)
                .unwrap()
                .curve(),
            Some(EcdhCurve::P256)
        );
    }
    let err = DecryptingKey::from_private_pem("not pem", KeyAlgorithm::EcdhEs).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidKey);
}

#[test]
fn jwk_export_import_and_thumbprints() {
    let mut keys = keys_for(ContentEncryption::A256Gcm);
    keys.push(rsa_key(KeyAlgorithm::RsaOaep256));
    for key in keys {
        let key = key.with_key_id("k1");
        let private = key.to_private_jwk_json().unwrap();
        let again = DecryptingKey::from_jwk_json(&private, None).unwrap();
        assert_eq!(again.algorithm(), key.algorithm());
        assert_eq!(again.key_id(), Some("k1"));
        assert_eq!(again.thumbprint().unwrap(), key.thumbprint().unwrap());
        let public = key.to_public_jwk_json().unwrap();
        let parsed: Value = serde_json::from_str(&public).unwrap();
        assert_eq!(parsed["use"], "enc");
        // A dir key names its enc (RFC 7520 §5.6), the others their algorithm.
        let alg = if key.algorithm() == KeyAlgorithm::Dir {
            "A256GCM"
        } else {
            key.algorithm().as_str()
        };
        assert_eq!(parsed["alg"], alg);
        let encrypting = EncryptingKey::from_jwk_json(&public, None).unwrap();
        let token = jwe::encrypt(
            &JweHeader::new(ContentEncryption::A256Gcm),
            b"jwk",
            &encrypting,
        )
        .unwrap();
        assert_eq!(
            jwe::decrypt(&token, &again, &DecryptOptions::new())
                .unwrap()
                .plaintext(),
            b"jwk"
        );
        if key.curve().is_some() || key.algorithm() == KeyAlgorithm::RsaOaep256 {
            // A private JWK is not an encrypting key.
            assert!(EncryptingKey::from_jwk_json(&private, None).is_err());
        }
    }
    // RFC 7638 §3.1: the thumbprint of RFC 7517 A.1's RSA key.
    let rsa = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RSA-OAEP"}"#;
    assert_eq!(
        EncryptingKey::from_jwk_json(rsa, None)
            .unwrap()
            .thumbprint()
            .unwrap(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    // use, key_ops, alg and duplicates.
    let oct = |extra: &str| format!(r#"{{"kty":"oct","k":"GawgguFyGrWKav7AX4VKUg"{extra}}}"#);
    assert!(DecryptingKey::from_jwk_json(&oct(""), Some(KeyAlgorithm::A128Kw)).is_ok());
    assert!(DecryptingKey::from_jwk_json(&oct(""), None).is_err());
    for bad in [
        r#","use":"sig""#,
        r#","key_ops":["sign"]"#,
        r#","key_ops":"decrypt""#,
        r#","alg":"A256KW""#,
        r#","alg":"RSA1_5""#,
        r#","k":"AAAA""#,
        r#","x":{"a":1,"a":2}"#,
    ] {
        let err = DecryptingKey::from_jwk_json(&oct(bad), Some(KeyAlgorithm::A128Kw)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidKey, "{bad}: {err}");
    }
    assert!(
        DecryptingKey::from_jwk_json(
            &oct(r#","key_ops":["unwrapKey"]"#),
            Some(KeyAlgorithm::A128Kw)
        )
        .is_ok()
    );
    // RSA parts that do not belong together, and weak public exponents, are refused.
    let rsa_jwk: Value = case("A.1")["key"].clone();
    for (member, value) in [
        ("n", {
            let mut n = webtoken::base64url::decode(rsa_jwk["n"].as_str().unwrap()).unwrap();
            n[100] ^= 1;
            webtoken::base64url::encode(n)
        }),
        ("d", rsa_jwk["dp"].as_str().unwrap().to_owned()),
        ("e", "Aw".to_owned()),
    ] {
        let mut bad = rsa_jwk.clone();
        bad[member] = value.into();
        let err = DecryptingKey::from_jwk_json(&bad.to_string(), Some(KeyAlgorithm::RsaOaep))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidKey, "{member}");
    }
    for e in ["AQ", "Ag", "AQAAAAAB", "BAAAAAE"] {
        let public = serde_json::json!({"kty":"RSA","n":rsa_jwk["n"],"e":e}).to_string();
        let err = EncryptingKey::from_jwk_json(&public, Some(KeyAlgorithm::RsaOaep)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidKey, "e = {e}: {err}");
    }
    // An EC JWK whose public point does not belong to d.
    let key = DecryptingKey::generate_ec(EcdhCurve::P256, KeyAlgorithm::EcdhEs).unwrap();
    let other = DecryptingKey::generate_ec(EcdhCurve::P256, KeyAlgorithm::EcdhEs).unwrap();
    let mut mixed: Value = serde_json::from_str(&key.to_private_jwk_json().unwrap()).unwrap();
    let theirs: Value = serde_json::from_str(&other.to_private_jwk_json().unwrap()).unwrap();
    mixed["d"] = theirs["d"].clone();
    assert!(DecryptingKey::from_jwk_json(&mixed.to_string(), None).is_err());
}

#[test]
fn a_key_set_serves_decryption_keys_by_kid() {
    let enc = ContentEncryption::A256Gcm;
    let a = DecryptingKey::generate_ec(EcdhCurve::P384, KeyAlgorithm::EcdhEs)
        .unwrap()
        .with_key_id("a");
    let b = DecryptingKey::generate_secret(KeyAlgorithm::A256Kw, enc)
        .unwrap()
        .with_key_id("b");
    let token_a =
        jwe::encrypt(&JweHeader::new(enc), b"to a", &a.encrypting_key().unwrap()).unwrap();
    let token_b =
        jwe::encrypt(&JweHeader::new(enc), b"to b", &b.encrypting_key().unwrap()).unwrap();
    let document = format!(
        r#"{{"keys":[{},{},{{"kty":"oct","k":"AAAA","use":"sig"}}]}}"#,
        a.to_private_jwk_json().unwrap(),
        b.to_private_jwk_json().unwrap()
    );
    let set = DecryptingKeySet::from_jwks_json(&document).unwrap();
    assert_eq!(set.keys().len(), 2);
    let options = DecryptOptions::new();
    assert_eq!(
        jwe::decrypt(&token_a, &set, &options).unwrap().plaintext(),
        b"to a"
    );
    assert_eq!(
        jwe::decrypt(&token_b, &set, &options).unwrap().plaintext(),
        b"to b"
    );
    // Without the kid: the one key of the algorithm.
    let anonymous = DecryptingKey::generate_ec(EcdhCurve::P384, KeyAlgorithm::EcdhEs).unwrap();
    let set2 = DecryptingKeySet::new([anonymous]).unwrap();
    let t = jwe::encrypt(
        &JweHeader::new(enc),
        b"x",
        &set2.keys()[0].encrypting_key().unwrap(),
    )
    .unwrap();
    assert!(jwe::decrypt(&t, &set2, &options).is_ok());
    // An unknown kid.
    let c = DecryptingKey::generate_secret(KeyAlgorithm::A256Kw, enc)
        .unwrap()
        .with_key_id("c");
    let token_c =
        jwe::encrypt(&JweHeader::new(enc), b"to c", &c.encrypting_key().unwrap()).unwrap();
    assert_eq!(
        jwe::decrypt(&token_c, &set, &options).unwrap_err().kind(),
        ErrorKind::UnknownKey
    );
    // A kid that names a key of another algorithm: refused before cryptography.
    let forged = jwe::encrypt(
        &JweHeader::new(enc).with_key_id("a"),
        b"x",
        &c.encrypting_key().unwrap(),
    )
    .unwrap();
    assert_eq!(
        jwe::decrypt(&forged, &set, &options).unwrap_err().kind(),
        ErrorKind::AlgorithmNotAllowed
    );
    // Duplicate kids are refused.
    let d1 = DecryptingKey::generate_secret(KeyAlgorithm::A256Kw, enc)
        .unwrap()
        .with_key_id("d");
    let d2 = DecryptingKey::generate_secret(KeyAlgorithm::A256Kw, enc)
        .unwrap()
        .with_key_id("d");
    assert!(DecryptingKeySet::new([d1, d2]).is_err());
}

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Role {
    role: String,
}

#[test]
fn claims_are_encrypted_and_validated_as_decode_does() {
    let key = DecryptingKey::generate_ec(EcdhCurve::P256, KeyAlgorithm::EcdhEsA128Kw).unwrap();
    let claims = Claims::new(Role {
        role: "admin".into(),
    })
    .with_subject("user-42")
    .with_issuer("https://id.example")
    .expires_in(Duration::from_secs(600));
    let header = JweHeader::new(ContentEncryption::A128Gcm).with_type("JWT");
    let token = webtoken::encrypt(&header, &claims, &key.encrypting_key().unwrap()).unwrap();
    let options = DecryptOptions::new();
    let validation = Validation::new().with_issuer("https://id.example");
    let decrypted = webtoken::decrypt::<Role>(&token, &key, &options, &validation).unwrap();
    assert_eq!(decrypted.claims().custom.role, "admin");
    assert_eq!(decrypted.header().token_type(), Some("JWT"));
    // The JWE's alg and enc are in its JweHeader, not in the JWT header.
    assert!(decrypted.header().extra().is_empty());
    assert_eq!(decrypted.header().algorithm(), None);
    let whole = webtoken::jwe::decrypt(&token, &key, &options).unwrap();
    assert_eq!(whole.header().encryption(), ContentEncryption::A128Gcm);
    // The same checks as decode: issuer, typ, expiry.
    let wrong_issuer = Validation::new().with_issuer("https://other.example");
    assert_eq!(
        webtoken::decrypt::<Role>(&token, &key, &options, &wrong_issuer)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidIssuer
    );
    assert_eq!(
        webtoken::decrypt::<Role>(
            &token,
            &key,
            &options,
            &Validation::new().with_type("at+jwt")
        )
        .unwrap_err()
        .kind(),
        ErrorKind::InvalidType
    );
    let expired = Claims::new(()).with_subject("x").expires_in(Duration::ZERO);
    let late = webtoken::encrypt(&header, &expired, &key.encrypting_key().unwrap()).unwrap();
    let later = Validation::new()
        .with_fixed_time(webtoken::NumericDate::now().saturating_add(Duration::from_secs(3600)));
    assert_eq!(
        webtoken::decrypt::<()>(&late, &key, &options, &later)
            .unwrap_err()
            .kind(),
        ErrorKind::Expired
    );
    // exp is required by default, as for decode.
    let no_exp =
        webtoken::encrypt(&header, &Claims::new(()), &key.encrypting_key().unwrap()).unwrap();
    assert_eq!(
        webtoken::decrypt::<()>(&no_exp, &key, &options, &Validation::new())
            .unwrap_err()
            .kind(),
        ErrorKind::MissingClaim
    );
    // A plaintext that is not a claims set.
    let text = jwe::encrypt(&header, b"not json", &key.encrypting_key().unwrap()).unwrap();
    assert_eq!(
        webtoken::decrypt::<()>(&text, &key, &options, &Validation::new())
            .unwrap_err()
            .kind(),
        ErrorKind::Malformed
    );
}

#[test]
fn nested_jwt_sign_then_encrypt_and_decrypt_then_verify() {
    let signer = SigningKey::hmac([3u8; 32], Algorithm::Hs256).unwrap();
    let recipient = DecryptingKey::generate_ec(EcdhCurve::X25519, KeyAlgorithm::EcdhEs).unwrap();
    let claims = Claims::new(Role {
        role: "reader".into(),
    })
    .with_subject("user-7")
    .expires_in(Duration::from_secs(60));
    let token = webtoken::encrypt_signed(
        &Header::new(),
        &claims,
        &signer,
        &JweHeader::new(ContentEncryption::A256Gcm),
        &recipient.encrypting_key().unwrap(),
    )
    .unwrap();
    assert!(UntrustedToken::is_encrypted(&token));
    let options = DecryptOptions::new();
    let verifier = signer.verifying_key().unwrap();
    let inner = webtoken::decrypt_verified::<Role>(
        &token,
        &recipient,
        &options,
        &verifier,
        &Validation::new().with_type("JWT"),
    )
    .unwrap();
    assert_eq!(inner.claims().custom.role, "reader");
    assert_eq!(inner.header().algorithm(), Some(Algorithm::Hs256));
    // The wrong signer's key: the inner signature fails.
    let other = webtoken::VerifyingKey::hmac([4u8; 32], Algorithm::Hs256).unwrap();
    assert_eq!(
        webtoken::decrypt_verified::<Role>(
            &token,
            &recipient,
            &options,
            &other,
            &Validation::new()
        )
        .unwrap_err()
        .kind(),
        ErrorKind::InvalidSignature
    );
    // A nested token given to decrypt (which does not verify) is refused, by name.
    let err =
        webtoken::decrypt::<Role>(&token, &recipient, &options, &Validation::new()).unwrap_err();
    assert!(err.to_string().contains("decrypt_verified"), "{err}");
    // An anyone-can-encrypt token that is not nested is refused by decrypt_verified.
    let plain = webtoken::encrypt(
        &JweHeader::new(ContentEncryption::A256Gcm),
        &claims,
        &recipient.encrypting_key().unwrap(),
    )
    .unwrap();
    let err = webtoken::decrypt_verified::<Role>(
        &plain,
        &recipient,
        &options,
        &verifier,
        &Validation::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("cty"), "{err}");
}

#[test]
fn decode_and_decrypt_name_each_other() {
    let key =
        DecryptingKey::generate_secret(KeyAlgorithm::Dir, ContentEncryption::A256Gcm).unwrap();
    let jwe_token = jwe::encrypt(
        &JweHeader::new(ContentEncryption::A256Gcm),
        b"{}",
        &key.encrypting_key().unwrap(),
    )
    .unwrap();
    let hmac = webtoken::VerifyingKey::hmac([1u8; 32], Algorithm::Hs256).unwrap();
    let err = webtoken::decode::<()>(&jwe_token, &hmac, &Validation::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed);
    assert!(err.to_string().contains("webtoken::decrypt"), "{err}");
    let err = UntrustedToken::parse(&jwe_token).unwrap_err();
    assert!(err.to_string().contains("encrypted token (JWE)"), "{err}");
    let signing = SigningKey::hmac([1u8; 32], Algorithm::Hs256).unwrap();
    let signed_token = webtoken::encode(
        &Header::new(),
        &Claims::new(()).expires_in(Duration::from_secs(60)),
        &signing,
    )
    .unwrap();
    let err = jwe::decrypt(&signed_token, &key, &DecryptOptions::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed);
    assert!(err.to_string().contains("webtoken::decode"), "{err}");
    let err = webtoken::decrypt::<()>(
        &signed_token,
        &key,
        &DecryptOptions::new(),
        &Validation::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("signed token (JWS)"), "{err}");
    assert!(!UntrustedToken::is_encrypted(&signed_token));
    let _: Error = err;
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn rfc7520_section5_examples() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/rfc/rfc7520_section5.json"
    ))
    .expect("read vectors");
    let doc: Value = serde_json::from_str(&text).expect("json");
    let cases = doc["cases"].as_array().expect("cases");
    let a128kw = cases
        .iter()
        .find(|c| c["alg"] == "A128KW")
        .map(|c| DecryptingKey::from_jwk_json(&c["key"].to_string(), None).unwrap())
        .unwrap();
    let (mut decrypted, mut reproduced, mut refused) = (0, 0, 0);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let token = case["token"].as_str().unwrap();
        let password = case["password"].as_str();
        let alg = KeyAlgorithm::from_name(case["alg"].as_str().unwrap());
        let key = match (password, alg) {
            (Some(password), Some(alg)) => DecryptingKey::secret(password, alg),
            _ => DecryptingKey::from_jwk_json(&case["key"].to_string(), None),
        };
        let options = if password.is_some() {
            // Off by default: the same token is refused without with_pbes2.
            let key = key.as_ref().unwrap();
            let err = jwe::decrypt(token, key, &DecryptOptions::new()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::AlgorithmNotAllowed, "{id}");
            DecryptOptions::new().with_pbes2(webtoken::jwe::DEFAULT_PBES2_ITERATIONS)
        } else {
            DecryptOptions::new()
        };
        match case["expected"].as_str().unwrap() {
            "accept" => {
                let key = key.unwrap_or_else(|e| panic!("{id}: {e}"));
                let plaintext = hex(case["plaintext_hex"].as_str().unwrap());
                let got =
                    jwe::decrypt(token, &key, &options).unwrap_or_else(|e| panic!("{id}: {e}"));
                assert_eq!(got.plaintext(), plaintext.as_slice(), "{id}");
                assert_eq!(got.header().key_id(), key.key_id(), "{id}");
                decrypted += 1;
                if let Some(iv) = case["iv"].as_str() {
                    let iv = webtoken::base64url::decode(iv).unwrap();
                    let cek = case["cek"]
                        .as_str()
                        .map(|c| webtoken::base64url::decode(c).unwrap());
                    let enc = ContentEncryption::from_name(case["enc"].as_str().unwrap()).unwrap();
                    let salt = case["p2s"]
                        .as_str()
                        .map(|s| webtoken::base64url::decode(s).unwrap());
                    let encrypting = match (password, case["p2c"].as_u64()) {
                        (Some(password), Some(count)) => EncryptingKey::password(
                            password,
                            key.algorithm(),
                            u32::try_from(count).unwrap(),
                        )
                        .unwrap(),
                        _ => key.encrypting_key().unwrap(),
                    };
                    let again = encrypt_with_fixed_values(
                        &JweHeader::new(enc),
                        &plaintext,
                        &encrypting,
                        &FixedValues {
                            cek: cek.as_deref(),
                            iv: Some(&iv),
                            header_json: case["protected_header_json"].as_str(),
                            pbes2_salt: salt.as_deref(),
                            ..FixedValues::default()
                        },
                    )
                    .unwrap();
                    assert_eq!(again, token, "{id}");
                    reproduced += 1;
                }
            }
            "AlgorithmNotAllowed" => {
                assert!(key.is_err(), "{id}: its key is not one webtoken builds");
                let err = jwe::decrypt(token, &a128kw, &options).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::AlgorithmNotAllowed, "{id}");
                refused += 1;
            }
            "MalformedToken" => {
                let err = jwe::decrypt(token, &key.unwrap(), &DecryptOptions::new()).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::Malformed, "{id}: {err}");
                refused += 1;
            }
            other => panic!("{id}: {other}"),
        }
    }
    assert_eq!((decrypted, reproduced, refused), (6, 3, 3));
    for skipped in doc["skipped"].as_array().unwrap() {
        println!("skipped {}: {}", skipped["id"], skipped["reason"]);
    }
}

#[test]
fn the_untrusted_header_routes_without_decrypting() {
    let key = DecryptingKey::generate_ec(EcdhCurve::P521, KeyAlgorithm::EcdhEsA256Kw)
        .unwrap()
        .with_key_id("issuer-a");
    let token = jwe::encrypt(
        &JweHeader::new(ContentEncryption::A128CbcHs256).with_type("JWT"),
        b"x",
        &key.encrypting_key().unwrap(),
    )
    .unwrap();
    let header = jwe::untrusted_header(&token).unwrap();
    assert_eq!(header.key_id(), Some("issuer-a"));
    assert_eq!(header.token_type(), Some("JWT"));
    assert_eq!(header.algorithm(), Some(KeyAlgorithm::EcdhEsA256Kw));
    assert_eq!(header.encryption(), ContentEncryption::A128CbcHs256);
    assert_eq!(header.ephemeral_key().unwrap()["crv"], "P-521");
    // The same refusals as decrypt, before any key is involved.
    let jws = "eyJhbGciOiJIUzI1NiJ9.e30.c2ln";
    assert_eq!(
        jwe::untrusted_header(jws).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    let rsa1_5 = case("A.2");
    assert_eq!(
        jwe::untrusted_header(rsa1_5["token"].as_str().unwrap())
            .unwrap_err()
            .kind(),
        ErrorKind::AlgorithmNotAllowed
    );
}
