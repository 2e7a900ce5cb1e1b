//! Wycheproof's primitive vectors through the JWE code: this whole file is a `#[cfg(test)]`
//! module of `jwe.rs`, so its `unwrap`s run only in tests. Keys go through webtoken's own key
//! loading (`EncryptingKey::from_public_der`, `DecryptingKey::from_private_der`, the EC and
//! X25519 constructors); the operations are the ones `jwe::decrypt` runs. Cases outside what JWE
//! allows (IV and tag lengths, 192-bit keys, OAEP labels, other hashes) must be refused or are
//! counted as not applicable; the expected counts are for upstream commit `dac1dd47`.

use serde_json::Value;

use super::algorithm::{ContentEncryption, KeyAlgorithm};
use super::content;
use super::ecdh::{self, EcdhCurve};
use super::keys::{DecryptingKey, EncryptingKey, PrivateMaterial, PublicMaterial};
use super::manage;

fn load(name: &str) -> Option<Value> {
    let Some(dir) = std::env::var_os("WEBTOKEN_WYCHEPROOF_DIR") else {
        println!("SKIPPED {name}: WEBTOKEN_WYCHEPROOF_DIR is not set");
        return None;
    };
    let text = std::fs::read_to_string(std::path::Path::new(&dir).join(name)).unwrap();
    Some(serde_json::from_str(&text).unwrap())
}

fn hex(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn cases(doc: &Value) -> impl Iterator<Item = (&Value, &Value)> {
    doc["testGroups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["tests"].as_array().unwrap().iter().map(move |t| (g, t)))
}

/// Checks a verdict against a label; returns whether the case counted (not `acceptable`).
fn agree(ok: bool, test: &Value, file: &str) -> bool {
    match test["result"].as_str().unwrap() {
        "valid" => assert!(ok, "{file} tcId {} must pass", test["tcId"]),
        "invalid" => assert!(!ok, "{file} tcId {} must fail", test["tcId"]),
        _ => return false,
    }
    true
}

#[test]
fn aes_gcm() {
    let Some(doc) = load("aes_gcm_test.json") else {
        return;
    };
    let (mut checked, mut refused) = (0, 0);
    for (group, test) in cases(&doc) {
        let (key, iv, tag) = (hex(&test["key"]), hex(&test["iv"]), hex(&test["tag"]));
        let enc = match key.len() {
            16 => ContentEncryption::A128Gcm,
            32 => ContentEncryption::A256Gcm,
            _ => continue, // A192GCM is not implemented
        };
        let (aad, msg, ct) = (hex(&test["aad"]), hex(&test["msg"]), hex(&test["ct"]));
        let result = content::decrypt(enc, &key, &iv, &aad, &ct, &tag);
        if group["ivSize"] != 96 || group["tagSize"] != 128 {
            // JWE fixes a 96-bit IV and a 128-bit tag: anything else is refused.
            assert!(result.is_err(), "tcId {}", test["tcId"]);
            refused += 1;
            continue;
        }
        if agree(result.as_ref().is_ok_and(|p| *p == msg), test, "aes_gcm") {
            checked += 1;
        }
        if test["result"] == "valid" {
            let sealed = content::encrypt(enc, &key, &iv, &aad, &msg).unwrap();
            assert_eq!((sealed.ciphertext, sealed.tag), (ct, tag));
        }
    }
    println!("aes_gcm: {checked} checked, {refused} refused for their IV or tag length");
    assert_eq!((checked, refused), (133, 80));
}

#[test]
fn aes_cbc_pkcs5() {
    let Some(doc) = load("aes_cbc_pkcs5_test.json") else {
        return;
    };
    let mut checked = 0;
    for (_, test) in cases(&doc) {
        let (key, iv, msg, ct) = (
            hex(&test["key"]),
            hex(&test["iv"]),
            hex(&test["msg"]),
            hex(&test["ct"]),
        );
        let enc = match key.len() {
            16 => ContentEncryption::A128CbcHs256,
            32 => ContentEncryption::A256CbcHs512,
            _ => continue, // A192CBC-HS384 is not implemented
        };
        let result = content::cbc_decrypt(&key, &iv, &ct);
        if agree(
            result.as_ref().is_ok_and(|p| *p == msg),
            test,
            "aes_cbc_pkcs5",
        ) {
            checked += 1;
        }
        if test["result"] == "valid" {
            // The CBC half of A*CBC-HS*: the CEK is the MAC key, then this key.
            let cek = [vec![0u8; key.len()], key.clone()].concat();
            let sealed = content::encrypt(enc, &cek, &iv, b"", &msg).unwrap();
            assert_eq!(sealed.ciphertext, ct, "tcId {}", test["tcId"]);
        }
    }
    assert_eq!(checked, 144);
}

#[test]
fn aes_wrap() {
    let Some(doc) = load("aes_wrap_test.json") else {
        return;
    };
    let mut checked = 0;
    for (_, test) in cases(&doc) {
        let (key, msg, ct) = (hex(&test["key"]), hex(&test["msg"]), hex(&test["ct"]));
        let algorithm = match key.len() {
            16 => KeyAlgorithm::A128Kw,
            32 => KeyAlgorithm::A256Kw,
            _ => continue, // A192KW is not implemented
        };
        // Through the key constructor, which checks the length for the algorithm.
        let built = DecryptingKey::secret(&key, algorithm).unwrap();
        let PrivateMaterial::Secret(secret) = &built.material else {
            panic!("a secret");
        };
        let unwrapped = manage::unwrap_any(&secret.0, &ct);
        if agree(
            unwrapped.as_ref().is_ok_and(|p| p.0 == msg),
            test,
            "aes_wrap",
        ) {
            checked += 1;
        }
        if test["result"] == "valid" {
            assert_eq!(manage::wrap(&secret.0, &msg).unwrap(), ct);
        }
    }
    println!("aes_wrap: {checked} checked");
    assert_eq!(checked, 108);
}

/// The private scalar of a Wycheproof EC case at the curve's length (leading zeros removed or
/// added), or `None` when it does not fit.
fn scalar(bytes: &[u8], len: usize) -> Option<Vec<u8>> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
    (trimmed.len() <= len).then(|| [vec![0; len - trimmed.len()], trimmed].concat())
}

fn shared(private: &DecryptingKey, public: &EncryptingKey) -> Option<Vec<u8>> {
    let (PrivateMaterial::Ec { curve, key, .. }, PublicMaterial::Ec { public, .. }) =
        (&private.material, &public.material)
    else {
        return None;
    };
    ecdh::agree(key, *curve, public).ok().map(|z| z.0.clone())
}

#[test]
fn ecdh_nist_curves() {
    for (file, curve) in [
        ("ecdh_secp256r1_test.json", EcdhCurve::P256),
        ("ecdh_secp384r1_test.json", EcdhCurve::P384),
        ("ecdh_secp521r1_test.json", EcdhCurve::P521),
    ] {
        let Some(doc) = load(file) else {
            return;
        };
        let (mut checked, mut valid) = (0, 0);
        for (_, test) in cases(&doc) {
            let public =
                EncryptingKey::from_public_der(&hex(&test["public"]), KeyAlgorithm::EcdhEs);
            let private = scalar(&hex(&test["private"]), curve.coordinate_len())
                .and_then(|d| DecryptingKey::ec_private(curve, &d, KeyAlgorithm::EcdhEs).ok());
            let got = match (&private, &public) {
                (Some(private), Ok(public)) => shared(private, public),
                _ => None,
            };
            if agree(
                got.as_deref() == Some(hex(&test["shared"]).as_slice()),
                test,
                file,
            ) {
                checked += 1;
            }
            valid += usize::from(test["result"] == "valid");
        }
        println!("{file}: {checked} checked ({valid} valid)");
        let expected = match curve {
            EcdhCurve::P256 => 382,
            EcdhCurve::P384 => 817,
            _ => 688,
        };
        assert_eq!(checked, expected, "{file}");
    }
}

#[test]
fn x25519() {
    let Some(doc) = load("x25519_test.json") else {
        return;
    };
    let (mut checked, mut zero_refused) = (0, 0);
    for (_, test) in cases(&doc) {
        let expected = hex(&test["shared"]);
        let private = DecryptingKey::ec_private(
            EcdhCurve::X25519,
            &hex(&test["private"]),
            KeyAlgorithm::EcdhEs,
        )
        .unwrap();
        let public = EncryptingKey::ec_public(
            EcdhCurve::X25519,
            &hex(&test["public"]),
            KeyAlgorithm::EcdhEs,
        );
        let got = public.ok().and_then(|public| shared(&private, &public));
        if expected.iter().all(|&b| b == 0) {
            // An all-zero shared secret is refused, whatever the label.
            assert!(got.is_none(), "tcId {}", test["tcId"]);
            zero_refused += 1;
            continue;
        }
        if agree(got.as_deref() == Some(expected.as_slice()), test, "x25519") {
            checked += 1;
        }
    }
    println!("x25519: {checked} checked, {zero_refused} all-zero secrets refused");
    // Every labelled case is `valid` (264) or `acceptable` (254); 31 of the latter give zeros.
    assert_eq!((checked, zero_refused), (264, 31));
}

#[test]
fn rsa_oaep() {
    let mut total = 0;
    for file in [
        "rsa_oaep_2048_sha1_mgf1sha1_test.json",
        "rsa_oaep_2048_sha256_mgf1sha256_test.json",
        "rsa_oaep_3072_sha256_mgf1sha256_test.json",
        "rsa_oaep_misc_test.json",
    ] {
        let Some(doc) = load(file) else {
            return;
        };
        for group in doc["testGroups"].as_array().unwrap() {
            let algorithm = match (group["sha"].as_str(), group["mgfSha"].as_str()) {
                (Some("SHA-1"), Some("SHA-1")) => KeyAlgorithm::RsaOaep,
                (Some("SHA-256"), Some("SHA-256")) => KeyAlgorithm::RsaOaep256,
                _ => continue, // not a JWE algorithm
            };
            let key = DecryptingKey::from_private_der(&hex(&group["privateKeyPkcs8"]), algorithm);
            let Ok(key) = key else {
                // Only keys under 2048 bits are refused.
                assert!(group["keySize"].as_u64().unwrap() < 2048, "{file}");
                continue;
            };
            let PrivateMaterial::Rsa { key: private, .. } = &key.material else {
                panic!("RSA");
            };
            for test in group["tests"].as_array().unwrap() {
                if !hex(&test["label"]).is_empty() {
                    continue; // JWE uses no OAEP label
                }
                let got = manage::oaep_decrypt(private, algorithm, &hex(&test["ct"]));
                if agree(got.is_some_and(|p| p.0 == hex(&test["msg"])), test, file) {
                    total += 1;
                }
            }
        }
    }
    println!("rsa_oaep: {total} checked");
    assert_eq!(total, 108);
}
