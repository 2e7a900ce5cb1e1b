//! Hostile encrypted tokens: each default of issue 16 (allow-lists before cryptography, PBES2
//! and `zip` refused, ECDH-ES `epk` checks, one error for every decryption failure, exact
//! lengths, `crit`, size limits before decoding), truncated and extended segments, flipped
//! bits, and concurrent use.
#![cfg(feature = "jwe")]

use webtoken::jwe::dangerous::{FixedValues, encrypt_with_fixed_values};
use webtoken::jwe::{
    self, ContentEncryption, DecryptOptions, DecryptingKey, EcdhCurve, JweHeader, KeyAlgorithm,
};
use webtoken::{Error, ErrorKind, base64url};

const ENC: ContentEncryption = ContentEncryption::A128CbcHs256;

fn kw_key() -> DecryptingKey {
    DecryptingKey::secret([0x11; 16], KeyAlgorithm::A128Kw).expect("key")
}

/// A token whose protected header is exactly `json`, encrypted for `key`.
fn with_header(json: &str, key: &DecryptingKey, enc: ContentEncryption) -> String {
    encrypt_with_fixed_values(
        &JweHeader::new(enc),
        b"{\"sub\":\"x\"}",
        &key.encrypting_key().expect("public"),
        &FixedValues {
            header_json: Some(json),
            ..FixedValues::default()
        },
    )
    .expect("forged token")
}

fn replace_header(token: &str, json: &str) -> String {
    let rest = token.split_once('.').expect("dot").1;
    format!("{}.{rest}", base64url::encode(json))
}

fn decrypt(token: &str, key: &DecryptingKey) -> Result<Vec<u8>, Error> {
    jwe::decrypt(token, key, &DecryptOptions::new()).map(|d| d.plaintext().to_vec())
}

fn segments(token: &str) -> Vec<String> {
    token.split('.').map(str::to_owned).collect()
}

#[test]
fn alg_and_enc_outside_the_allow_lists_are_refused_before_any_cryptography() {
    let key = kw_key();
    let good = jwe::encrypt(&JweHeader::new(ENC), b"x", &key.encrypting_key().unwrap()).unwrap();
    // Garbage after the header: had any cryptography run, the error would be decryption_failed.
    let garbage = |json: &str| {
        let parts = segments(&replace_header(&good, json));
        format!("{}.AAAA.AAAA.AAAA.AAAA", parts[0])
    };
    for (json, kind) in [
        (
            r#"{"alg":"none","enc":"A128CBC-HS256"}"#,
            ErrorKind::AlgorithmNotAllowed,
        ),
        (
            r#"{"alg":"RSA1_5","enc":"A128CBC-HS256"}"#,
            ErrorKind::AlgorithmNotAllowed,
        ),
        (
            r#"{"alg":"a128kw","enc":"A128CBC-HS256"}"#,
            ErrorKind::AlgorithmNotAllowed,
        ),
        (
            r#"{"alg":"A256KW","enc":"A128CBC-HS256"}"#,
            ErrorKind::AlgorithmNotAllowed,
        ),
        (
            r#"{"alg":"dir","enc":"A128CBC-HS256"}"#,
            ErrorKind::AlgorithmNotAllowed,
        ),
        (
            r#"{"alg":"ECDH-ES","enc":"A128CBC-HS256"}"#,
            ErrorKind::AlgorithmNotAllowed,
        ),
        (
            r#"{"alg":"A128GCMKW","enc":"A128CBC-HS256"}"#,
            ErrorKind::AlgorithmNotAllowed,
        ),
        (
            r#"{"alg":"A128KW","enc":"A192GCM"}"#,
            ErrorKind::AlgorithmNotAllowed,
        ),
        (
            r#"{"alg":"A128KW","enc":"none"}"#,
            ErrorKind::AlgorithmNotAllowed,
        ),
        (r#"{"alg":"A128KW"}"#, ErrorKind::Malformed),
        (r#"{"enc":"A128GCM"}"#, ErrorKind::Malformed),
        (
            r#"{"alg":["A128KW"],"enc":"A128GCM"}"#,
            ErrorKind::Malformed,
        ),
    ] {
        let err = decrypt(&garbage(json), &key).unwrap_err();
        assert_eq!(err.kind(), kind, "{json}: {err}");
    }
    // enc outside a configured allow-list, alg outside a configured one.
    let options = DecryptOptions::new().with_encryptions([ContentEncryption::A256Gcm]);
    let err = jwe::decrypt(&good, &key, &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"content encryption (enc) "A128CBC-HS256" is not allowed"#
    );
    let options = DecryptOptions::new().with_algorithms([KeyAlgorithm::EcdhEs]);
    let err = jwe::decrypt(&good, &key, &options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlgorithmNotAllowed);
    // A dir key serves only the enc of its length: refused before cryptography.
    let dir = DecryptingKey::secret([1u8; 32], KeyAlgorithm::Dir).unwrap();
    let token = replace_header(
        &jwe::encrypt(
            &JweHeader::new(ContentEncryption::A256Gcm),
            b"x",
            &dir.encrypting_key().unwrap(),
        )
        .unwrap(),
        r#"{"alg":"dir","enc":"A128GCM"}"#,
    );
    assert_eq!(
        decrypt(&token, &dir).unwrap_err().kind(),
        ErrorKind::AlgorithmNotAllowed
    );
}

#[test]
fn pbes2_is_never_accepted_whatever_p2c() {
    let key = kw_key();
    for p2c in ["1000", "4294967295", "-1", "\"x\""] {
        let json = format!(
            r#"{{"alg":"PBES2-HS256+A128KW","enc":"A128CBC-HS256","p2s":"AAAAAAAAAAAAAAAAAAAAAA","p2c":{p2c}}}"#
        );
        let token = format!("{}.AAAA.AAAA.AAAA.AAAA", base64url::encode(&json));
        let started = std::time::Instant::now();
        let err = decrypt(&token, &key).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlgorithmNotAllowed, "{p2c}");
        // Not a timing test: a 4-billion-round PBKDF2 would not return at all.
        assert!(started.elapsed().as_secs() < 60);
        let options = DecryptOptions::new().with_algorithms(KeyAlgorithm::ALL);
        assert!(jwe::decrypt(&token, &key, &options).is_err());
    }
    assert!(KeyAlgorithm::from_name("PBES2-HS256+A128KW").is_none());
}

#[test]
fn zip_and_crit_are_refused() {
    let key = kw_key();
    let zip = with_header(
        r#"{"alg":"A128KW","enc":"A128CBC-HS256","zip":"DEF"}"#,
        &key,
        ENC,
    );
    let err = decrypt(&zip, &key).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed);
    assert!(err.to_string().contains("zip"), "{err}");
    let crit = with_header(
        r#"{"alg":"A128KW","enc":"A128CBC-HS256","crit":["exp"],"exp":1}"#,
        &key,
        ENC,
    );
    assert_eq!(
        decrypt(&crit, &key).unwrap_err().kind(),
        ErrorKind::UnsupportedCriticalHeader
    );
    for bad in ["[]", r#""exp""#, r#"["enc"]"#, "[1]"] {
        let json = format!(r#"{{"alg":"A128KW","enc":"A128CBC-HS256","crit":{bad}}}"#);
        let token = with_header(&json, &key, ENC);
        assert_eq!(
            decrypt(&token, &key).unwrap_err().kind(),
            ErrorKind::Malformed,
            "{bad}"
        );
    }
    // Unknown non-critical parameters are kept, not refused.
    let extra = with_header(
        r#"{"alg":"A128KW","enc":"A128CBC-HS256","x-note":[1,{"a":2}]}"#,
        &key,
        ENC,
    );
    let decrypted = jwe::decrypt(&extra, &key, &DecryptOptions::new()).unwrap();
    assert!(decrypted.header().extra().contains_key("x-note"));
    // Duplicate names, at the top and nested.
    for json in [
        r#"{"alg":"A128KW","alg":"A128KW","enc":"A128CBC-HS256"}"#,
        r#"{"alg":"A128KW","enc":"A128CBC-HS256","x":{"a":1,"a":1}}"#,
    ] {
        let token = replace_header(
            &with_header(r#"{"alg":"A128KW","enc":"A128CBC-HS256"}"#, &key, ENC),
            json,
        );
        assert_eq!(
            decrypt(&token, &key).unwrap_err().kind(),
            ErrorKind::Malformed,
            "{json}"
        );
    }
}

#[test]
fn ecdh_epk_must_be_on_the_key_curve_and_on_the_curve() {
    let key = DecryptingKey::generate_ec(EcdhCurve::P256, KeyAlgorithm::EcdhEs).unwrap();
    let good = jwe::encrypt(&JweHeader::new(ENC), b"x", &key.encrypting_key().unwrap()).unwrap();
    let header: serde_json::Value =
        serde_json::from_slice(&base64url::decode(good.split('.').next().unwrap()).unwrap())
            .unwrap();
    let epk = &header["epk"];
    let other = DecryptingKey::generate_ec(EcdhCurve::P384, KeyAlgorithm::EcdhEs).unwrap();
    let p384: serde_json::Value =
        serde_json::from_str(&other.to_public_jwk_json().unwrap()).unwrap();
    let x25519 = DecryptingKey::generate_ec(EcdhCurve::X25519, KeyAlgorithm::EcdhEs).unwrap();
    let okp: serde_json::Value =
        serde_json::from_str(&x25519.to_public_jwk_json().unwrap()).unwrap();
    let mut off_curve = epk.clone();
    let y = base64url::decode(epk["y"].as_str().unwrap()).unwrap();
    let mut y2 = y.clone();
    y2[31] ^= 1;
    off_curve["y"] = base64url::encode(&y2).into();
    let mut short = epk.clone();
    short["x"] = base64url::encode(&y[..31]).into();
    let mut with_d = epk.clone();
    with_d["d"] = "AAAA".into();
    let mut zero = epk.clone();
    zero["x"] = base64url::encode([0u8; 32]).into();
    zero["y"] = base64url::encode([0u8; 32]).into();
    let cases = [
        (
            "P-384 epk",
            serde_json::json!({"kty":"EC","crv":"P-384","x":p384["x"],"y":p384["y"]}),
        ),
        (
            "X25519 epk",
            serde_json::json!({"kty":"OKP","crv":"X25519","x":okp["x"]}),
        ),
        ("off the curve", off_curve),
        ("short x", short),
        ("private epk", with_d),
        ("the point (0, 0)", zero),
        ("not an object", serde_json::json!("x")),
    ];
    for (what, epk) in cases {
        let json = serde_json::json!({"alg":"ECDH-ES","enc":"A128CBC-HS256","epk":epk}).to_string();
        let token = replace_header(&good, &json);
        let err = decrypt(&token, &key).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Malformed, "{what}: {err}");
        assert!(err.to_string().contains("epk"), "{what}: {err}");
    }
    // Without epk.
    let token = replace_header(&good, r#"{"alg":"ECDH-ES","enc":"A128CBC-HS256"}"#);
    assert!(
        decrypt(&token, &key)
            .unwrap_err()
            .to_string()
            .contains("epk")
    );
    // X25519 low-order points give an all-zero secret: refused.
    let low_order: [[u8; 32]; 3] = [
        [0; 32],
        {
            let mut p = [0; 32];
            p[0] = 1;
            p
        },
        {
            // 325606250916557431795983626356110631294008115727848805560023387167927233504 (order 8)
            let mut p = [0u8; 32];
            p[..32].copy_from_slice(&[
                0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f,
                0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16,
                0x5f, 0x49, 0xb8, 0x00,
            ]);
            p
        },
    ];
    let x_good = jwe::encrypt(
        &JweHeader::new(ENC),
        b"x",
        &x25519.encrypting_key().unwrap(),
    )
    .unwrap();
    for point in low_order {
        let json = serde_json::json!({"alg":"ECDH-ES","enc":"A128CBC-HS256",
            "epk":{"kty":"OKP","crv":"X25519","x":base64url::encode(point)}})
        .to_string();
        let err = decrypt(&replace_header(&x_good, &json), &x25519).unwrap_err();
        assert!(err.to_string().contains("epk"), "{err}");
    }
    // apu/apv enter the derivation: changing them (the header is authenticated anyway) fails.
    let with_info = jwe::encrypt(
        &JweHeader::new(ENC).with_party_info(b"Alice".to_vec(), b"Bob".to_vec()),
        b"x",
        &key.encrypting_key().unwrap(),
    )
    .unwrap();
    let decrypted = jwe::decrypt(&with_info, &key, &DecryptOptions::new()).unwrap();
    assert_eq!(decrypted.header().party_u_info(), Some(&b"Alice"[..]));
    assert_eq!(decrypted.header().party_v_info(), Some(&b"Bob"[..]));
}

#[test]
fn every_decryption_failure_is_one_kind_with_one_message() {
    let enc = ContentEncryption::A256Gcm;
    let keys = [
        DecryptingKey::secret([2u8; 32], KeyAlgorithm::A256Kw).unwrap(),
        DecryptingKey::generate_ec(EcdhCurve::P256, KeyAlgorithm::EcdhEsA128Kw).unwrap(),
        DecryptingKey::generate_rsa(2048, KeyAlgorithm::RsaOaep256).unwrap(),
        DecryptingKey::secret([3u8; 32], KeyAlgorithm::Dir).unwrap(),
    ];
    let mut failures = 0;
    for key in &keys {
        let token = jwe::encrypt(
            &JweHeader::new(enc),
            b"secret",
            &key.encrypting_key().unwrap(),
        )
        .unwrap();
        let parts = segments(&token);
        let mut variants = Vec::new();
        // Flip one bit in each byte of each segment after the header (the tag, the
        // ciphertext, the IV, the encrypted key): never accepted.
        for (index, part) in parts.iter().enumerate().skip(1) {
            let raw = base64url::decode(part).unwrap();
            for i in 0..raw.len() {
                let mut flipped = raw.clone();
                flipped[i] ^= 0x01;
                let mut p = parts.clone();
                p[index] = base64url::encode(&flipped);
                variants.push(p.join("."));
            }
        }
        // A modified header (the AAD): one more member.
        let header = String::from_utf8(base64url::decode(&parts[0]).unwrap()).unwrap();
        let mut p = parts.clone();
        p[0] = base64url::encode(header.replacen('}', r#","x-added":1}"#, 1));
        variants.push(p.join("."));
        for variant in variants {
            let err = decrypt(&variant, key).unwrap_err();
            match err.kind() {
                ErrorKind::DecryptionFailed => {
                    assert_eq!(err.to_string(), "decryption failed");
                    failures += 1;
                }
                // Flipping the encrypted key of `dir` (empty) is impossible; an IV of the right
                // length never changes shape. Nothing else may fail differently.
                other => panic!("{}: {other:?} {err}", key.algorithm()),
            }
        }
    }
    assert!(failures > 300, "{failures}");
    // RSA-OAEP: an encrypted key of the wrong length, or one that does not decrypt, continues
    // with a random CEK and fails like any other forgery.
    let rsa = &keys[2];
    let token = jwe::encrypt(
        &JweHeader::new(enc),
        b"secret",
        &rsa.encrypting_key().unwrap(),
    )
    .unwrap();
    let mut p = segments(&token);
    for ek in [
        String::new(),
        "AAAA".to_owned(),
        base64url::encode([0u8; 256]),
        base64url::encode([0xffu8; 257]),
    ] {
        p[1] = ek;
        let err = decrypt(&p.join("."), rsa).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DecryptionFailed);
        assert_eq!(err.to_string(), "decryption failed");
    }
    // AES key wrap: a wrapped key of the wrong length is the same failure.
    let kw = &keys[0];
    let token = jwe::encrypt(
        &JweHeader::new(enc),
        b"secret",
        &kw.encrypting_key().unwrap(),
    )
    .unwrap();
    let mut p = segments(&token);
    for ek in [
        String::new(),
        base64url::encode([0u8; 32]),
        base64url::encode([0u8; 48]),
    ] {
        p[1] = ek;
        assert_eq!(
            decrypt(&p.join("."), kw).unwrap_err().kind(),
            ErrorKind::DecryptionFailed
        );
    }
}

#[test]
fn lengths_are_exact() {
    let key = kw_key();
    let token = jwe::encrypt(&JweHeader::new(ENC), b"x", &key.encrypting_key().unwrap()).unwrap();
    let p = segments(&token);
    let with = |index: usize, value: Vec<u8>| {
        let mut q = p.clone();
        q[index] = base64url::encode(value);
        q.join(".")
    };
    let iv = base64url::decode(&p[2]).unwrap();
    let tag = base64url::decode(&p[4]).unwrap();
    for (token, what) in [
        (with(2, iv[..12].to_vec()), "initialization vector"),
        (
            with(2, [iv.clone(), vec![0]].concat()),
            "initialization vector",
        ),
        (with(2, Vec::new()), "initialization vector"),
        (with(4, tag[..15].to_vec()), "authentication tag"),
        (
            with(4, [tag.clone(), tag.clone()].concat()),
            "authentication tag",
        ),
        (with(4, Vec::new()), "authentication tag"),
    ] {
        let err = decrypt(&token, &key).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Malformed, "{what}");
        assert!(err.to_string().starts_with(what), "{err}");
    }
    // GCM: 96-bit IV only.
    let dir = DecryptingKey::secret([4u8; 16], KeyAlgorithm::Dir).unwrap();
    let gcm = jwe::encrypt(
        &JweHeader::new(ContentEncryption::A128Gcm),
        b"x",
        &dir.encrypting_key().unwrap(),
    )
    .unwrap();
    let mut q = segments(&gcm);
    q[2] = base64url::encode([0u8; 16]);
    assert_eq!(
        decrypt(&q.join("."), &dir).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    // dir and ECDH-ES carry no encrypted key.
    let mut q = segments(&gcm);
    q[1] = base64url::encode([0u8; 16]);
    let err = decrypt(&q.join("."), &dir).unwrap_err();
    assert!(err.to_string().contains("must be empty for dir"), "{err}");
}

#[test]
fn truncated_and_extended_tokens_are_refused() {
    let key = DecryptingKey::generate_ec(EcdhCurve::X25519, KeyAlgorithm::EcdhEsA256Kw).unwrap();
    let token = jwe::encrypt(
        &JweHeader::new(ENC),
        b"payload",
        &key.encrypting_key().unwrap(),
    )
    .unwrap();
    assert!(decrypt(&token, &key).is_ok());
    for end in 0..token.len() {
        assert!(decrypt(&token[..end], &key).is_err(), "truncated at {end}");
    }
    for suffix in ["A", "AA", ".", ".A", "=", " ", "\n"] {
        assert!(
            decrypt(&format!("{token}{suffix}"), &key).is_err(),
            "{suffix:?}"
        );
    }
    for prefix in ["A", " ", "."] {
        assert!(
            decrypt(&format!("{prefix}{token}"), &key).is_err(),
            "{prefix:?}"
        );
    }
    // Segments swapped.
    let p = segments(&token);
    let swapped = [
        p[0].clone(),
        p[1].clone(),
        p[2].clone(),
        p[4].clone(),
        p[3].clone(),
    ]
    .join(".");
    assert!(decrypt(&swapped, &key).is_err());
}

#[test]
fn size_limits_come_before_splitting_and_decoding() {
    let key = kw_key();
    let huge = "A".repeat(10 * 1024 * 1024);
    let err = decrypt(&format!("{huge}...."), &key).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenTooLarge);
    let dots = ".".repeat(1_000_000);
    assert_eq!(
        decrypt(&dots, &key).unwrap_err().kind(),
        ErrorKind::TokenTooLarge
    );
    let options = DecryptOptions::new().with_max_token_size(usize::MAX);
    let err = jwe::decrypt(&dots, &key, &options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed);
    // A header over 16 KiB is refused before it is decoded (it is not even valid Base64Url).
    let long_header = format!("{}!....", "A".repeat(30_000));
    let err = jwe::decrypt(&long_header, &key, &options).unwrap_err();
    assert!(err.to_string().contains("character outside"), "{err}");
    let long_header = format!("{}....", "A".repeat(30_000));
    let err = jwe::decrypt(&long_header, &key, &options).unwrap_err();
    assert!(err.to_string().contains("larger than the limit"), "{err}");
    // Deep nesting and many values in the header: malformed, quickly.
    let deep = format!(
        r#"{{"alg":"A128KW","enc":"A128CBC-HS256","x":{}1{}}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let token = format!("{}.AAAA.AAAA.AAAA.AAAA", base64url::encode(&deep));
    assert_eq!(
        decrypt(&token, &key).unwrap_err().kind(),
        ErrorKind::Malformed
    );
    let many = format!(
        r#"{{"alg":"A128KW","enc":"A128CBC-HS256","x":[{}0]}}"#,
        "0,".repeat(5000)
    );
    let token = format!("{}.AAAA.AAAA.AAAA.AAAA", base64url::encode(&many));
    assert_eq!(
        decrypt(&token, &key).unwrap_err().kind(),
        ErrorKind::Malformed
    );
}

#[test]
fn keys_are_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<DecryptingKey>();
    assert_send_sync::<jwe::EncryptingKey>();
    assert_send_sync::<jwe::DecryptingKeySet>();
    let key = std::sync::Arc::new(
        DecryptingKey::generate_ec(EcdhCurve::P256, KeyAlgorithm::EcdhEs).unwrap(),
    );
    let public = std::sync::Arc::new(key.encrypting_key().unwrap());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let key = key.clone();
            let public = public.clone();
            std::thread::spawn(move || {
                for j in 0..20 {
                    let text = format!("{i}-{j}");
                    let token =
                        jwe::encrypt(&JweHeader::new(ENC), text.as_bytes(), &public).unwrap();
                    assert_eq!(decrypt(&token, &key).unwrap(), text.as_bytes());
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}
