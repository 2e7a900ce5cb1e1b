//! The key checks done when keys are built (issue 13): no key a forger can use is accepted.
//!
//! - Ed25519 public keys of small order and non-canonical encodings, through every path
//!   (raw bytes, JWK, PEM, DER, certificate, PKCS#8 v2 with an embedded public key, private JWK).
//! - HMAC secrets that are keys in any form (PEM, DER, JWK, OpenSSH), through `SigningKey::hmac`,
//!   `VerifyingKey::hmac` and `oct` JWKs.
//! - RSA private keys whose parts do not belong together, from JWK, PKCS#1 and PKCS#8.
//!
//! Every refusal is `invalid_key` with a message naming the reason.

#![allow(clippy::unwrap_used)] // test helpers: a failure is a test failure

use base64::Engine as _;
use serde_json::{Value, json};
use webtoken::keys::{Jwk, JwkSet};
use webtoken::{Algorithm, Error, ErrorKind, SigningKey, Validation, VerifyingKey};

fn b64(bytes: &[u8]) -> String {
    webtoken::base64url::encode(bytes)
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/data/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

/// Asserts an `invalid_key` error whose message contains `needle`.
#[track_caller]
fn assert_refused<T: std::fmt::Debug>(result: Result<T, Error>, needle: &str, what: &str) {
    match result {
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidKey, "{what}: {e}");
            assert!(
                e.to_string().contains(needle),
                "{what}: {e:?} lacks {needle:?}"
            );
        }
        Ok(key) => panic!("{what}: accepted: {key:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Ed25519

const P_LE: [u8; 32] = {
    let mut p = [0xff; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    p
};

fn hex32(hex: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

fn with_sign(mut y: [u8; 32]) -> [u8; 32] {
    y[31] |= 0x80;
    y
}

/// The eight points of small order, and how the error names each.
fn small_order_points() -> Vec<([u8; 32], &'static str)> {
    let mut one = [0u8; 32];
    one[0] = 1;
    let mut p_minus_1 = P_LE;
    p_minus_1[0] = 0xec;
    let y8 = hex32("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05");
    let y8_neg = hex32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
    vec![
        (one, "small order (the identity)"),
        (p_minus_1, "small order (order 2)"),
        ([0; 32], "small order (order 4)"),
        (with_sign([0; 32]), "small order (order 4)"),
        (y8, "small order (order 8)"),
        (with_sign(y8), "small order (order 8)"),
        (y8_neg, "small order (order 8)"),
        (with_sign(y8_neg), "small order (order 8)"),
    ]
}

/// Non-canonical encodings: of the small-order points (y = p, p + 1, x = 0 with the sign bit)
/// and of ordinary y values (y = p + 2 .. 2^255 - 1), with both sign bits.
fn non_canonical_points() -> Vec<([u8; 32], &'static str)> {
    let mut out = Vec::new();
    for low in [0xed_u8, 0xee, 0xef, 0xf0, 0xfe, 0xff] {
        let mut y = P_LE;
        y[0] = low;
        out.push((y, "not canonically encoded (y >= p)"));
        out.push((with_sign(y), "not canonically encoded (y >= p)"));
    }
    let mut one = [0u8; 32];
    one[0] = 1;
    let mut p_minus_1 = P_LE;
    p_minus_1[0] = 0xec;
    for y in [one, p_minus_1] {
        out.push((with_sign(y), "x = 0 with the sign bit set"));
    }
    out
}

fn bad_ed25519_points() -> Vec<([u8; 32], &'static str)> {
    let mut all = small_order_points();
    all.extend(non_canonical_points());
    all
}

fn spki_der(public: &[u8; 32]) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.extend_from_slice(public);
    der
}

fn pem(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A PKCS#8 v2 `OneAsymmetricKey` with `seed` and an embedded public key.
fn pkcs8_v2(seed: &[u8; 32], public: &[u8; 32]) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(seed);
    der.extend_from_slice(&[0x81, 0x21, 0x00]);
    der.extend_from_slice(public);
    der
}

const SEED: [u8; 32] = [7; 32];

fn honest_public() -> [u8; 32] {
    let key = SigningKey::ed25519_seed(&SEED).unwrap();
    let jwk = key.to_public_jwk().unwrap();
    let x = serde_json::to_value(&jwk).unwrap()["x"]
        .as_str()
        .unwrap()
        .to_owned();
    webtoken::base64url::decode(x).unwrap().try_into().unwrap()
}

#[test]
fn the_control_case_honest_keys_load_through_every_path() {
    let public = honest_public();
    VerifyingKey::ed25519(&public).unwrap();
    VerifyingKey::from_spki_der(&spki_der(&public), None).unwrap();
    VerifyingKey::from_pem(&pem("PUBLIC KEY", &spki_der(&public)), None).unwrap();
    SigningKey::from_pkcs8_der(&pkcs8_v2(&SEED, &public), None).unwrap();
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&public), "d": b64(&SEED)});
    Jwk::from_json(&jwk.to_string())
        .unwrap()
        .to_signing_key()
        .unwrap();
}

#[test]
fn forgery_under_the_identity_key_is_stopped_when_the_key_is_built() {
    // R = the identity's encoding, S = 0: [0]B = R + [k]A holds for every message when A is the
    // identity, so this "signature" verified any claims under that key before the check.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let mut signature = [0u8; 64];
    signature[..32].copy_from_slice(&identity);
    let header = b64(br#"{"alg":"EdDSA"}"#);
    let claims = b64(br#"{"sub":"admin","exp":4102444800}"#);
    let forged = format!("{header}.{claims}.{}", b64(&signature));
    let result = VerifyingKey::ed25519(&identity).and_then(|key| {
        webtoken::decode::<Value>(&forged, &key, &Validation::new())
            .map(|t| format!("forged token accepted: {:?}", t.claims()))
    });
    assert_refused(result, "small order (the identity)", "identity key");
}

#[test]
fn bad_ed25519_public_keys_are_refused_as_raw_bytes() {
    for (point, reason) in bad_ed25519_points() {
        assert_refused(
            VerifyingKey::ed25519(&point),
            reason,
            &format!("{point:02x?}"),
        );
    }
}

#[test]
fn bad_ed25519_public_keys_are_refused_from_spki_der_and_pem() {
    for (point, reason) in bad_ed25519_points() {
        let der = spki_der(&point);
        assert_refused(VerifyingKey::from_spki_der(&der, None), reason, "SPKI DER");
        assert_refused(
            VerifyingKey::from_spki_der(&der, None),
            reason,
            "from_spki_der",
        );
        let pem = pem("PUBLIC KEY", &der);
        assert_refused(VerifyingKey::from_pem(&pem, None), reason, "PEM");
        assert_refused(VerifyingKey::ed25519_pem(&pem), reason, "ed25519_pem");
    }
}

#[test]
fn bad_ed25519_public_keys_are_refused_from_a_certificate() {
    // The fixture certificate with its key replaced (certificates are not validated).
    let cert = fixture("ed25519.cert.pem");
    let cert = String::from_utf8(cert).unwrap();
    let honest = VerifyingKey::from_certificate_pem(&cert, None).unwrap();
    let spki = honest.to_spki_der().unwrap();
    let body: String = cert.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    let at = der
        .windows(32)
        .position(|w| w == &spki[12..])
        .expect("public key in the certificate");
    for (point, reason) in bad_ed25519_points() {
        let mut patched = der.clone();
        patched[at..at + 32].copy_from_slice(&point);
        assert_refused(
            VerifyingKey::from_certificate_der(&patched, None),
            reason,
            "certificate DER",
        );
        assert_refused(
            VerifyingKey::from_certificate_pem(&pem("CERTIFICATE", &patched), None),
            reason,
            "certificate PEM",
        );
    }
}

#[test]
fn bad_ed25519_public_keys_are_refused_from_jwks() {
    for (point, reason) in bad_ed25519_points() {
        let public = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&point)}).to_string();
        let jwk = Jwk::from_json(&public).unwrap();
        assert_refused(jwk.to_verifying_key(), reason, "public JWK");
        assert_refused(
            jwk.to_verifying_key_for(Algorithm::EdDsa),
            reason,
            "public JWK, EdDSA",
        );
        // In a set the key is refused when it is used.
        match JwkSet::from_json(&format!(r#"{{"keys":[{public}]}}"#)) {
            Ok(set) => {
                use webtoken::keys::KeySource as _;
                assert_refused(set.find_key(None, Algorithm::EdDsa), reason, "JWK Set");
            }
            Err(e) => assert_refused(Err::<(), _>(e), reason, "JWK Set"),
        }
        let private = json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&point), "d": b64(&SEED)});
        let jwk = Jwk::from_json(&private.to_string()).unwrap();
        assert_refused(jwk.to_signing_key(), reason, "private JWK");
    }
}

#[test]
fn bad_ed25519_public_keys_embedded_in_pkcs8_v2_are_refused() {
    for (point, reason) in bad_ed25519_points() {
        let der = pkcs8_v2(&SEED, &point);
        assert_refused(SigningKey::from_pkcs8_der(&der, None), reason, "PKCS#8 v2");
        assert_refused(
            SigningKey::from_pkcs8_der(&der, None),
            reason,
            "from_pkcs8_der",
        );
        let pem = pem("PRIVATE KEY", &der);
        assert_refused(SigningKey::ed25519_pem(&pem), reason, "PKCS#8 v2 PEM");
        assert_refused(
            VerifyingKey::ed25519_pem(&pem),
            reason,
            "PKCS#8 v2 PEM, public half",
        );
    }
}

// ---------------------------------------------------------------------------------------------
// HMAC secrets that are keys

const HMAC_REFUSAL: &str = "never an HMAC secret";

/// Every way the library takes an HMAC secret refuses `secret`, naming `what` it looks like.
#[track_caller]
fn assert_secret_refused(secret: &[u8], what: &str, name: &str) {
    for alg in [Algorithm::Hs256, Algorithm::Hs384, Algorithm::Hs512] {
        for (path, result) in [
            ("SigningKey::hmac", SigningKey::hmac(secret, alg).map(drop)),
            (
                "VerifyingKey::hmac",
                VerifyingKey::hmac(secret, alg).map(drop),
            ),
            (
                "Jwk::from_hmac_secret",
                Jwk::from_hmac_secret(secret, alg).map(drop),
            ),
        ] {
            let context = format!("{name} via {path} for {alg}");
            assert_refused(result, HMAC_REFUSAL, &context);
            assert_refused(VerifyingKey::hmac(secret, alg).map(drop), what, &context);
        }
        let oct = json!({"kty": "oct", "alg": alg.as_str(), "k": b64(secret)}).to_string();
        let jwk = Jwk::from_json(&oct).unwrap();
        assert_refused(
            jwk.to_verifying_key(),
            HMAC_REFUSAL,
            &format!("{name} as oct JWK"),
        );
        assert_refused(
            jwk.to_signing_key(),
            HMAC_REFUSAL,
            &format!("{name} as oct JWK"),
        );
    }
}

fn utf16(text: &[u8], little: bool, bom: bool) -> Vec<u8> {
    let text = std::str::from_utf8(text).unwrap();
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if little { &[0xff, 0xfe] } else { &[0xfe, 0xff] });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if little {
            unit.to_le_bytes()
        } else {
            unit.to_be_bytes()
        });
    }
    out
}

/// The text as saved by editors: plain, after a UTF-8 BOM, after whitespace, and as UTF-16
/// LE/BE with and without BOM.
fn text_variants(text: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut bom = vec![0xef, 0xbb, 0xbf];
    bom.extend_from_slice(text);
    let mut spaced = b"\r\n \t\n".to_vec();
    spaced.extend_from_slice(text);
    vec![
        ("plain".to_owned(), text.to_vec()),
        ("UTF-8 BOM".to_owned(), bom),
        ("leading whitespace".to_owned(), spaced),
        ("UTF-16 LE BOM".to_owned(), utf16(text, true, true)),
        ("UTF-16 BE BOM".to_owned(), utf16(text, false, true)),
        ("UTF-16 LE".to_owned(), utf16(text, true, false)),
        ("UTF-16 BE".to_owned(), utf16(text, false, false)),
    ]
}

fn key_fixtures(suffix: &str) -> Vec<String> {
    let dir = format!("{}/tests/data/keys", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(suffix))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "{suffix}");
    names
}

#[test]
fn pem_keys_and_certificates_are_refused_as_hmac_secrets_in_any_encoding() {
    for name in key_fixtures(".pem") {
        let text = fixture(&name);
        for (variant, bytes) in text_variants(&text) {
            assert_secret_refused(
                &bytes,
                "PEM armour (-----BEGIN ",
                &format!("{name}, {variant}"),
            );
        }
    }
    // The body alone, armour lines cut off (what is left of a PEM pasted into a config).
    for name in key_fixtures(".pem") {
        let text = String::from_utf8(fixture(&name)).unwrap();
        let body: String = text
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_secret_refused(
            body.as_bytes(),
            "a PEM body without its armour",
            &format!("{name}, body only"),
        );
    }
    // Text before the block (as `openssl x509 -text` or a PKCS#12 export writes).
    let mut described = b"Bag Attributes\n    localKeyID: 01\nsubject=CN = test\n".to_vec();
    described.extend_from_slice(&fixture("rsa2048.cert.pem"));
    assert_secret_refused(&described, "-----BEGIN CERTIFICATE-----", "described PEM");
}

#[test]
fn der_keys_and_certificates_are_refused_as_hmac_secrets() {
    for (name, what) in [
        ("rsa2048.spki.der", "an SPKI public key"),
        ("ed448.spki.der", "an SPKI public key"),
        ("rsa2048.cert.der", "an X.509 certificate"),
        ("rsa2048.pkcs8.der", "a PKCS#8 private key"),
        ("p256.pkcs8.der", "a PKCS#8 private key"),
        ("p384.pkcs8.der", "a PKCS#8 private key"),
        (
            "p256.pkcs8.encrypted.der",
            "an encrypted PKCS#8 private key",
        ),
        ("rsa2048.pkcs1.der", "a PKCS#1 RSA private key"),
        ("p256.sec1.der", "a SEC1 EC private key"),
        ("p384.sec1.der", "a SEC1 EC private key"),
    ] {
        assert_secret_refused(&fixture(name), what, name);
    }
    // PKCS#1 RSAPublicKey and an Ed25519 SPKI (44 bytes: within HS* secret sizes).
    let pem = String::from_utf8(fixture("rsa2048.pkcs1.pub.pem")).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let pkcs1 = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    assert_secret_refused(&pkcs1, "a PKCS#1 RSA public key", "RSAPublicKey");
    assert_secret_refused(
        &spki_der(&honest_public()),
        "an SPKI public key",
        "Ed25519 SPKI",
    );
    // Every key the library exports, as DER.
    let signing =
        SigningKey::from_pem(&String::from_utf8(fixture("p384.pkcs8.pem")).unwrap(), None).unwrap();
    assert_secret_refused(
        &signing.to_pkcs8_der().unwrap(),
        "PKCS#8",
        "exported PKCS#8",
    );
    let spki = signing.verifying_key().unwrap().to_spki_der().unwrap();
    assert_secret_refused(&spki, "SPKI", "exported SPKI");
}

#[test]
fn jwks_are_refused_as_hmac_secrets_in_any_encoding() {
    let rsa = VerifyingKey::from_pem(
        &String::from_utf8(fixture("rsa2048.spki.pem")).unwrap(),
        Some(Algorithm::Rs256),
    )
    .unwrap()
    .to_jwk()
    .unwrap();
    let rsa = serde_json::to_string_pretty(&rsa).unwrap();
    let ed = SigningKey::ed25519_seed(&SEED)
        .unwrap()
        .to_private_jwk()
        .unwrap();
    let ed = serde_json::to_string(&ed).unwrap();
    let set = format!(r#"{{"keys":[{ed}]}}"#);
    for (name, json) in [
        ("RSA public JWK", &rsa),
        ("Ed25519 private JWK", &ed),
        ("JWK Set", &set),
    ] {
        for (variant, bytes) in text_variants(json.as_bytes()) {
            assert_secret_refused(&bytes, "a JWK", &format!("{name}, {variant}"));
        }
    }
}

#[test]
fn openssh_keys_are_refused_as_hmac_secrets_in_any_encoding() {
    let sk = "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIA3Nor5OOyVy \
              ssh:";
    for (name, text, what) in [
        (
            "ed25519.openssh.pub",
            fixture("ed25519.openssh.pub"),
            "an OpenSSH public key (ssh-ed25519)",
        ),
        (
            "rsa2048.openssh.pub",
            fixture("rsa2048.openssh.pub"),
            "an OpenSSH public key (ssh-rsa)",
        ),
        (
            "p256.openssh.pub",
            fixture("p256.openssh.pub"),
            "an OpenSSH public key (ecdsa-sha2-nistp256)",
        ),
        (
            "sk key",
            sk.as_bytes().to_vec(),
            "(sk-ssh-ed25519@openssh.com)",
        ),
        (
            "ed25519.openssh.key",
            fixture("ed25519.openssh.key"),
            "-----BEGIN OPENSSH PRIVATE KEY-----",
        ),
    ] {
        for (variant, bytes) in text_variants(&text) {
            assert_secret_refused(&bytes, what, &format!("{name}, {variant}"));
        }
    }
}

#[test]
fn a_token_maced_with_a_public_key_is_stopped_when_the_key_is_built() {
    // The classic confusion: the verifier was given the PEM public key as an HS256 secret, and
    // the forger, who has the public key too, MACs any claims with it.
    let public_pem = fixture("rsa2048.spki.pem");
    let header = b64(br#"{"alg":"HS256"}"#);
    let claims = b64(br#"{"sub":"admin","exp":4102444800}"#);
    let input = format!("{header}.{claims}");
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &public_pem),
        input.as_bytes(),
    );
    let forged = format!("{input}.{}", b64(tag.as_ref()));
    let result = VerifyingKey::hmac(&public_pem, Algorithm::Hs256).and_then(|key| {
        webtoken::decode::<Value>(&forged, &key, &Validation::new())
            .map(|t| format!("forged token accepted: {:?}", t.claims()))
    });
    assert_refused(
        result,
        "PEM armour (-----BEGIN PUBLIC KEY-----)",
        "PEM public key",
    );
}

#[test]
fn random_and_text_secrets_are_still_accepted() {
    use ring::rand::SecureRandom as _;
    let rng = ring::rand::SystemRandom::new();
    let mut secret = [0u8; 64];
    for _ in 0..20_000 {
        rng.fill(&mut secret).unwrap();
        for alg in [Algorithm::Hs256, Algorithm::Hs384, Algorithm::Hs512] {
            VerifyingKey::hmac(secret, alg).unwrap();
        }
    }
    for text in [
        "a secret of at least thirty-two bytes, for tests only",
        "{\"note\": \"a JSON object that is not a key, used as a secret\"}",
        "ssh-ed25519 is the name of a key type, this is only a sentence",
    ] {
        SigningKey::hmac(text, Algorithm::Hs256).unwrap();
    }
}

// ---------------------------------------------------------------------------------------------
// RSA private keys whose parts do not belong together

const RSA_PARTS: [&str; 8] = ["n", "e", "d", "p", "q", "dp", "dq", "qi"];

/// The parts of `rsa2048.pkcs1.der`, read from its JWK export.
fn rsa_parts() -> Vec<Vec<u8>> {
    let key = SigningKey::rsa_der(&fixture("rsa2048.pkcs1.der"), Algorithm::Rs256).unwrap();
    let jwk = serde_json::to_value(key.to_private_jwk().unwrap()).unwrap();
    RSA_PARTS
        .iter()
        .map(|name| webtoken::base64url::decode(jwk[name].as_str().unwrap()).unwrap())
        .collect()
}

/// What the error names when each part is changed: n, p or q break n = p·q; a changed e breaks
/// e·dp ≡ 1 first.
fn rsa_reason(part: &str) -> &'static str {
    match part {
        "n" | "p" | "q" => "n is not p·q",
        "e" | "dp" => "dp is not the inverse of e modulo p-1",
        "dq" => "dq is not the inverse of e modulo q-1",
        "d" => "d does not match dp and dq",
        _ => "qi is not the inverse of q modulo p",
    }
}

fn der_integer(magnitude: &[u8]) -> Vec<u8> {
    let mut content = magnitude.to_vec();
    if content.first().is_none_or(|b| b & 0x80 != 0) {
        content.insert(0, 0);
    }
    der_tlv(0x02, &content)
}

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap());
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | u8::try_from(bytes.len()).unwrap());
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

fn pkcs1(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut content = der_integer(&[]);
    for part in parts {
        content.extend(der_integer(part));
    }
    der_tlv(0x30, &content)
}

fn pkcs8(pkcs1: &[u8]) -> Vec<u8> {
    let rsa_encryption = [
        0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
    ];
    let mut content = der_integer(&[]);
    content.extend_from_slice(&rsa_encryption);
    content.extend(der_tlv(0x04, pkcs1));
    der_tlv(0x30, &content)
}

fn rsa_jwk(parts: &[Vec<u8>]) -> Result<Jwk, Error> {
    let mut object = serde_json::Map::new();
    object.insert("kty".into(), "RSA".into());
    object.insert("alg".into(), "RS256".into());
    for (name, part) in RSA_PARTS.iter().zip(parts) {
        object.insert((*name).into(), b64(part).into());
    }
    Jwk::from_json(&Value::Object(object).to_string())
}

/// Every constructor that reads an RSA private key, on these parts.
fn rsa_private_paths(parts: &[Vec<u8>]) -> Vec<(&'static str, Result<SigningKey, Error>)> {
    let pkcs1 = pkcs1(parts);
    let pkcs8 = pkcs8(&pkcs1);
    let alg = Algorithm::Ps256;
    vec![
        ("JWK", rsa_jwk(parts).and_then(|jwk| jwk.to_signing_key())),
        ("PKCS#1 DER", SigningKey::rsa_der(&pkcs1, alg)),
        (
            "PKCS#1 PEM",
            SigningKey::rsa_pem(&pem("RSA PRIVATE KEY", &pkcs1), alg),
        ),
        ("PKCS#8 DER", SigningKey::from_pkcs8_der(&pkcs8, Some(alg))),
        ("PKCS#8 DER, rsa_der", SigningKey::rsa_der(&pkcs8, alg)),
        (
            "PKCS#8 PEM",
            SigningKey::from_pem(&pem("PRIVATE KEY", &pkcs8), Some(alg)),
        ),
    ]
}

#[test]
fn consistent_rsa_keys_load_through_every_path() {
    let parts = rsa_parts();
    // The rebuilt DER is the fixture, byte for byte.
    assert_eq!(pkcs1(&parts), fixture("rsa2048.pkcs1.der"));
    for (path, key) in rsa_private_paths(&parts) {
        let key = key.unwrap_or_else(|e| panic!("{path}: {e}"));
        let signature = key.sign(b"message").unwrap();
        key.verifying_key()
            .unwrap()
            .verify(b"message", &signature)
            .unwrap();
    }
    // Another valid d (d + λ(n)) is accepted too: the check is d·e ≡ 1 mod λ(n), not d's value.
    let text = String::from_utf8(fixture("rsa2048.other-d.jwk.json")).unwrap();
    let other = Jwk::from_json(&text).unwrap();
    assert_ne!(
        serde_json::to_value(&other).unwrap()["d"],
        b64(&parts[2]).as_str()
    );
    let key = other.to_signing_key().unwrap();
    let signature = key.sign(b"message").unwrap();
    key.verifying_key()
        .unwrap()
        .verify(b"message", &signature)
        .unwrap();
}

#[test]
fn each_inconsistent_rsa_part_is_refused_and_named_from_every_format() {
    let original = rsa_parts();
    for (index, part) in RSA_PARTS.iter().enumerate() {
        for change in [0x02_u8, 0x10] {
            let mut parts = original.clone();
            if *part == "e" {
                // Another valid public exponent: 65537 -> 65539 (odd, >= 3).
                parts[1] = vec![0x01, 0x00, 0x01 ^ change];
            } else {
                let last = parts[index].len() - 1;
                parts[index][last] ^= change;
            }
            for (path, result) in rsa_private_paths(&parts) {
                assert_refused(
                    result,
                    rsa_reason(part),
                    &format!("{part} changed (^{change:#04x}) via {path}"),
                );
            }
        }
    }
    // A d of zero and a qi of zero (DER only: a JWK member is never empty).
    for (index, part) in [(2, "d"), (7, "qi")] {
        let mut parts = original.clone();
        parts[index] = Vec::new();
        for (path, result) in rsa_private_paths(&parts).into_iter().skip(1) {
            assert_refused(result, rsa_reason(part), &format!("{part} = 0 via {path}"));
        }
    }
}

/// An EC private key whose embedded public point is in the hybrid form (`0x06`/`0x07`, X9.62)
/// is refused on both backends with the same message: aws-lc-rs would take it (ring does not),
/// and the key could then not be exported as a JWK. Found by the `der_differential` fuzz
/// target built with aws-lc-rs.
#[test]
fn ec_private_keys_with_a_hybrid_public_point_are_refused() {
    let key = SigningKey::generate(Algorithm::Es256).unwrap();
    let der = key.to_pkcs8_der().unwrap();
    // The uncompressed point ends the document: 0x04 || x || y, 65 bytes.
    let at = der.len() - 65;
    assert_eq!(der[at], 0x04);
    let y_odd = der[der.len() - 1] & 1;
    for prefix in [0x06 | y_odd, 0x06 | (y_odd ^ 1), 0x02, 0x00] {
        let mut hybrid = der.clone();
        hybrid[at] = prefix;
        assert_refused(
            SigningKey::from_pkcs8_der(&hybrid, None),
            "the EC public point is not uncompressed",
            &format!("PKCS#8 with point prefix {prefix:#04x}"),
        );
    }
    // The fuzz finding (also in fuzz/regressions/der_differential/): P-521, refused whether or
    // not the backend has the curve.
    let found = include_bytes!("data/keys/p521-pkcs8-hybrid-point.der");
    let err = SigningKey::from_pkcs8_der(found, None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidKey, "{err}");
}
