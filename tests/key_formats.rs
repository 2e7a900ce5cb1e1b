//! Key formats through the public API: every fixture in `tests/data/keys` (made with OpenSSL,
//! see its README) loads and signs/verifies against its counterpart, and broken or unsupported
//! input is refused with a specific `KeyError`, never a panic.

use std::path::PathBuf;

use base64::Engine as _;
use webtoken::keys::KeyError;
use webtoken::keys::KeyErrorCategory;
use webtoken::{Algorithm, Error, ErrorKind, SigningKey, VerifyingKey};

const MESSAGE: &[u8] = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJrZXktZm9ybWF0cyJ9";

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/keys")
        .join(name)
}

fn pem(name: &str) -> String {
    std::fs::read_to_string(path(name)).expect("fixture")
}

fn der(name: &str) -> Vec<u8> {
    std::fs::read(path(name)).expect("fixture")
}

/// The `KeyError` inside an error, failing the test for anything else.
fn key_error<T: std::fmt::Debug>(result: Result<T, Error>) -> KeyError {
    match result {
        Err(Error::Key(e)) => e,
        other => panic!("expected a key error, got {other:?}"),
    }
}

/// Signs with `signing`, verifies with `verifying`, and checks that a changed message or
/// signature fails.
fn assert_round_trip(signing: &SigningKey, verifying: &VerifyingKey) {
    assert_eq!(signing.algorithm(), verifying.algorithm());
    let signature = signing.sign(MESSAGE).expect("sign");
    verifying.verify(MESSAGE, &signature).expect("verify");
    assert_eq!(
        verifying
            .verify(b"another message", &signature)
            .expect_err("a changed message must not verify")
            .kind(),
        ErrorKind::InvalidSignature
    );
    let mut tampered = signature.clone();
    tampered[0] ^= 1;
    assert!(verifying.verify(MESSAGE, &tampered).is_err());
    // The signing key's own public half agrees.
    signing
        .verifying_key()
        .expect("public half")
        .verify(MESSAGE, &signature)
        .expect("verify with public half");
}

const RSA_ALGORITHMS: [Algorithm; 6] = [
    Algorithm::Rs256,
    Algorithm::Rs384,
    Algorithm::Rs512,
    Algorithm::Ps256,
    Algorithm::Ps384,
    Algorithm::Ps512,
];

// ------------------------------------------------------------------------------------------
// RSA
// ------------------------------------------------------------------------------------------

#[test]
fn rsa2048_pkcs8_pem_signs_and_spki_pem_verifies_for_every_rsa_algorithm() {
    for alg in RSA_ALGORITHMS {
        let signing = SigningKey::rsa_pem(&pem("rsa2048.pkcs8.pem"), alg).expect("private");
        let verifying = VerifyingKey::rsa_pem(&pem("rsa2048.spki.pem"), alg).expect("public");
        assert_round_trip(&signing, &verifying);
    }
}

#[test]
fn rsa2048_pkcs1_private_pem_signs_and_pkcs1_public_pem_verifies() {
    let signing = SigningKey::rsa_pem(&pem("rsa2048.pkcs1.pem"), Algorithm::Rs256).unwrap();
    let verifying = VerifyingKey::rsa_pem(&pem("rsa2048.pkcs1.pub.pem"), Algorithm::Rs256).unwrap();
    assert_round_trip(&signing, &verifying);
}

#[test]
fn rsa2048_der_forms_load() {
    let alg = Algorithm::Ps512;
    let public = VerifyingKey::rsa_der(&der("rsa2048.spki.der"), alg).unwrap();
    for private in ["rsa2048.pkcs8.der", "rsa2048.pkcs1.der"] {
        assert_round_trip(&SigningKey::rsa_der(&der(private), alg).unwrap(), &public);
    }
    let from_pkcs8 = SigningKey::from_pkcs8_der(&der("rsa2048.pkcs8.der"), Some(alg)).unwrap();
    assert_round_trip(&from_pkcs8, &public);
    let spki = VerifyingKey::from_spki_der(&der("rsa2048.spki.der"), Some(alg)).unwrap();
    assert_round_trip(&from_pkcs8, &spki);
}

#[test]
fn rsa2048_certificate_pem_and_der_give_the_public_key() {
    let signing = SigningKey::rsa_pem(&pem("rsa2048.pkcs8.pem"), Algorithm::Rs256).unwrap();
    let from_pem =
        VerifyingKey::from_certificate_pem(&pem("rsa2048.cert.pem"), Some(Algorithm::Rs256))
            .unwrap();
    let from_der =
        VerifyingKey::from_certificate_der(&der("rsa2048.cert.der"), Some(Algorithm::Rs256))
            .unwrap();
    let from_any =
        VerifyingKey::from_pem(&pem("rsa2048.cert.pem"), Some(Algorithm::Rs256)).unwrap();
    for verifying in [from_pem, from_der, from_any] {
        assert_round_trip(&signing, &verifying);
    }
}

#[test]
fn rsa3072_and_rsa4096_keys_round_trip() {
    for bits in [3072, 4096] {
        let signing =
            SigningKey::rsa_pem(&pem(&format!("rsa{bits}.pkcs8.pem")), Algorithm::Rs384).unwrap();
        let verifying =
            VerifyingKey::rsa_pem(&pem(&format!("rsa{bits}.spki.pem")), Algorithm::Rs384).unwrap();
        assert_round_trip(&signing, &verifying);
        assert_eq!(signing.sign(MESSAGE).unwrap().len(), bits / 8);
    }
}

#[test]
fn private_key_pem_given_to_verifying_constructor_yields_its_public_half() {
    let signing = SigningKey::rsa_pem(&pem("rsa2048.pkcs8.pem"), Algorithm::Rs256).unwrap();
    for name in ["rsa2048.pkcs8.pem", "rsa2048.pkcs1.pem"] {
        let verifying = VerifyingKey::rsa_pem(&pem(name), Algorithm::Rs256).unwrap();
        assert_round_trip(&signing, &verifying);
    }
    let ec = SigningKey::ecdsa_pem(&pem("p256.pkcs8.pem")).unwrap();
    for name in ["p256.pkcs8.pem", "p256.sec1.pem"] {
        assert_round_trip(&ec, &VerifyingKey::ecdsa_pem(&pem(name)).unwrap());
        assert_round_trip(&ec, &VerifyingKey::from_pem(&pem(name), None).unwrap());
    }
    let ed = SigningKey::ed25519_pem(&pem("ed25519.pkcs8.pem")).unwrap();
    assert_round_trip(
        &ed,
        &VerifyingKey::ed25519_pem(&pem("ed25519.pkcs8.pem")).unwrap(),
    );
}

#[test]
fn rsa_key_without_an_algorithm_is_refused_with_algorithm_required() {
    let err = key_error(VerifyingKey::from_pem(&pem("rsa2048.spki.pem"), None));
    assert!(
        matches!(err, KeyError::AlgorithmRequired { key: "RSA key" }),
        "{err:?}"
    );
    let err = key_error(SigningKey::from_pem(&pem("rsa2048.pkcs1.pem"), None));
    assert!(matches!(err, KeyError::AlgorithmRequired { .. }), "{err:?}");
}

#[test]
fn rsa_constructor_refuses_a_non_rsa_algorithm_before_parsing() {
    let err = key_error(VerifyingKey::rsa_pem(
        &pem("rsa2048.spki.pem"),
        Algorithm::Hs256,
    ));
    assert!(
        matches!(
            err,
            KeyError::AlgorithmMismatch {
                algorithm: Algorithm::Hs256,
                ..
            }
        ),
        "{err:?}"
    );
    let err = key_error(SigningKey::rsa_pem("not even PEM", Algorithm::Es256));
    assert!(matches!(err, KeyError::AlgorithmMismatch { .. }), "{err:?}");
}

#[test]
fn rejects_1024_bit_rsa_keys_with_modulus_size() {
    let err = key_error(VerifyingKey::rsa_pem(
        &pem("rsa1024.spki.pem"),
        Algorithm::Rs256,
    ));
    assert_eq!(err, KeyError::RsaModulusSize { bits: 1024 });
    let err = key_error(SigningKey::rsa_pem(
        &pem("rsa1024.pkcs8.pem"),
        Algorithm::Rs256,
    ));
    assert_eq!(err, KeyError::RsaModulusSize { bits: 1024 });
    let err = key_error(VerifyingKey::rsa_pem(
        &pem("rsa1024.pkcs8.pem"),
        Algorithm::Rs256,
    ));
    assert_eq!(err, KeyError::RsaModulusSize { bits: 1024 });
}

/// The PKCS#1 `RSAPublicKey` of the 2048-bit fixture with its exponent replaced by `e`.
fn rsa_public_pem_with_exponent(e: u8) -> String {
    let der = base64_body(&pem("rsa2048.pkcs1.pub.pem"));
    // 30 82 01 0a | 02 82 01 01 00 <n: 256 bytes> | 02 03 01 00 01
    assert_eq!(&der[..4], &[0x30, 0x82, 0x01, 0x0a]);
    assert_eq!(&der[der.len() - 5..], &[0x02, 0x03, 0x01, 0x00, 0x01]);
    let n = &der[4..der.len() - 5];
    let mut body = n.to_vec();
    body.extend_from_slice(&[0x02, 0x01, e]);
    let mut out = vec![0x30, 0x82];
    out.extend_from_slice(&u16::try_from(body.len()).expect("short").to_be_bytes());
    out.extend_from_slice(&body);
    armour("RSA PUBLIC KEY", &out)
}

#[test]
fn rejects_rsa_exponent_one_and_even_exponents() {
    let err = key_error(VerifyingKey::rsa_pem(
        &rsa_public_pem_with_exponent(1),
        Algorithm::Rs256,
    ));
    assert!(matches!(err, KeyError::RsaExponent { .. }), "{err:?}");
    let err = key_error(VerifyingKey::rsa_pem(
        &rsa_public_pem_with_exponent(4),
        Algorithm::Rs256,
    ));
    assert!(matches!(err, KeyError::RsaExponent { .. }), "{err:?}");
    // The same construction with e = 3 is accepted, so the refusal is about the exponent.
    assert!(VerifyingKey::rsa_pem(&rsa_public_pem_with_exponent(3), Algorithm::Rs256).is_ok());
}

// ------------------------------------------------------------------------------------------
// EC
// ------------------------------------------------------------------------------------------

#[test]
fn p256_and_p384_load_from_every_format_and_bind_the_curve_algorithm() {
    for (name, alg) in [("p256", Algorithm::Es256), ("p384", Algorithm::Es384)] {
        let public = VerifyingKey::ecdsa_pem(&pem(&format!("{name}.spki.pem"))).unwrap();
        assert_eq!(public.algorithm(), alg);
        let cert =
            VerifyingKey::from_certificate_pem(&pem(&format!("{name}.cert.pem")), None).unwrap();
        let signers = [
            SigningKey::ecdsa_pem(&pem(&format!("{name}.pkcs8.pem"))).unwrap(),
            SigningKey::ecdsa_pem(&pem(&format!("{name}.sec1.pem"))).unwrap(),
            SigningKey::from_pem(&pem(&format!("{name}.sec1.pem")), Some(alg)).unwrap(),
            SigningKey::from_pkcs8_der(&der(&format!("{name}.pkcs8.der")), None).unwrap(),
            SigningKey::from_sec1_der(&der(&format!("{name}.sec1.der"))).unwrap(),
            SigningKey::from_pkcs8_der(&der(&format!("{name}.pkcs8.der")), None).unwrap(),
        ];
        for signing in &signers {
            assert_eq!(signing.algorithm(), alg);
            assert_round_trip(signing, &public);
            assert_round_trip(signing, &cert);
        }
    }
}

#[test]
fn ec_key_with_the_wrong_curve_algorithm_is_refused() {
    let err = key_error(VerifyingKey::from_pem(
        &pem("p256.spki.pem"),
        Some(Algorithm::Es384),
    ));
    assert!(
        matches!(&err, KeyError::AlgorithmMismatch { algorithm: Algorithm::Es384, key } if key == "P-256 EC key"),
        "{err:?}"
    );
    let err = key_error(SigningKey::from_pem(
        &pem("p384.pkcs8.pem"),
        Some(Algorithm::Es256),
    ));
    assert!(matches!(err, KeyError::AlgorithmMismatch { .. }), "{err:?}");
}

#[test]
fn ec_key_given_to_the_rsa_constructor_is_an_algorithm_mismatch() {
    let err = key_error(VerifyingKey::rsa_pem(
        &pem("p256.spki.pem"),
        Algorithm::Rs256,
    ));
    assert!(
        matches!(&err, KeyError::AlgorithmMismatch { algorithm: Algorithm::Rs256, key } if key == "P-256 EC key"),
        "{err:?}"
    );
    let err = key_error(SigningKey::rsa_pem(
        &pem("p256.pkcs8.pem"),
        Algorithm::Ps256,
    ));
    assert!(matches!(err, KeyError::AlgorithmMismatch { .. }), "{err:?}");
    // The EC-only label is not accepted by the RSA constructor at all.
    let err = key_error(SigningKey::rsa_pem(&pem("p256.sec1.pem"), Algorithm::Rs256));
    assert!(
        matches!(&err, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::PemLabel && invalid.detail() == "EC PRIVATE KEY"),
        "{err:?}"
    );
}

#[test]
fn rsa_and_ed25519_keys_given_to_the_ec_constructor_are_key_type_mismatches() {
    let err = key_error(VerifyingKey::ecdsa_pem(&pem("rsa2048.spki.pem")));
    assert_eq!(
        err,
        KeyError::KeyTypeMismatch {
            expected: "a P-256, P-384, P-521 or secp256k1 EC key",
            found: "RSA key"
        }
    );
    let err = key_error(SigningKey::ecdsa_pem(&pem("ed25519.pkcs8.pem")));
    assert!(
        matches!(
            err,
            KeyError::KeyTypeMismatch {
                found: "Ed25519 key",
                ..
            }
        ),
        "{err:?}"
    );
    let err = key_error(VerifyingKey::ed25519_pem(&pem("p256.spki.pem")));
    assert!(
        matches!(
            err,
            KeyError::KeyTypeMismatch {
                found: "P-256 EC key",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn p521_and_secp256k1_files_load_with_aws_lc_rs_and_name_the_feature_otherwise() {
    for (name, algorithm, curve) in [
        ("p521", Algorithm::Es512, "P-521"),
        ("secp256k1", Algorithm::Es256K, "secp256k1"),
    ] {
        let results = [
            VerifyingKey::ecdsa_pem(&pem(&format!("{name}.spki.pem"))).map(|k| k.algorithm()),
            VerifyingKey::from_pem(&pem(&format!("{name}.spki.pem")), None).map(|k| k.algorithm()),
            SigningKey::ecdsa_pem(&pem(&format!("{name}.pkcs8.pem"))).map(|k| k.algorithm()),
            SigningKey::from_pem(&pem(&format!("{name}.pkcs8.pem")), None).map(|k| k.algorithm()),
        ];
        for result in results {
            if algorithm.is_available() {
                assert_eq!(result.unwrap(), algorithm);
            } else {
                let err = key_error(result);
                assert_eq!(err.category(), Some(KeyErrorCategory::Unavailable));
                let text = err.to_string();
                assert!(text.contains(algorithm.as_str()), "{text}");
                assert!(text.contains(curve), "{text}");
                assert!(text.contains("`aws-lc-rs` cargo feature"), "{text}");
            }
        }
        // Bound by the curve in every build: another EC algorithm is a mismatch.
        let err = key_error(VerifyingKey::from_pem(
            &pem(&format!("{name}.spki.pem")),
            Some(Algorithm::Es256),
        ));
        assert!(matches!(err, KeyError::AlgorithmMismatch { .. }), "{err:?}");
    }
}

#[test]
fn rejects_explicit_curve_parameters() {
    let err = key_error(SigningKey::ecdsa_pem(&pem("p256.sec1.explicit.pem")));
    assert!(
        matches!(&err, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::UnsupportedCurve),
        "{err:?}"
    );
}

#[test]
fn rejects_sec1_key_without_its_public_key_with_a_clear_reason() {
    for name in ["p256.sec1.nopublic.pem", "p384.sec1.nopublic.pem"] {
        let err = key_error(SigningKey::ecdsa_pem(&pem(name)));
        assert!(
            matches!(&err, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::Rejected && invalid.detail().contains("public key")),
            "{err:?}"
        );
    }
}

// ------------------------------------------------------------------------------------------
// Ed25519 and other OKP types
// ------------------------------------------------------------------------------------------

#[test]
fn ed25519_loads_from_pkcs8_spki_and_certificate() {
    let signing = SigningKey::ed25519_pem(&pem("ed25519.pkcs8.pem")).unwrap();
    assert_eq!(signing.algorithm(), Algorithm::EdDsa);
    for verifying in [
        VerifyingKey::ed25519_pem(&pem("ed25519.spki.pem")).unwrap(),
        VerifyingKey::from_pem(&pem("ed25519.spki.pem"), Some(Algorithm::EdDsa)).unwrap(),
        VerifyingKey::from_certificate_pem(&pem("ed25519.cert.pem"), None).unwrap(),
    ] {
        assert_round_trip(&signing, &verifying);
    }
}

#[test]
fn rejects_ed448_as_unsupported_key_type_naming_the_oid() {
    let err = key_error(VerifyingKey::from_pem(&pem("ed448.spki.pem"), None));
    assert_eq!(err.category(), Some(KeyErrorCategory::UnsupportedKeyType));
    assert!(
        matches!(&err, KeyError::Invalid(invalid) if invalid.detail() == "1.3.101.113 (Ed448)")
    );
    let err = key_error(SigningKey::ed25519_pem(&pem("ed448.pkcs8.pem")));
    assert!(
        matches!(&err, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::UnsupportedKeyType),
        "{err:?}"
    );
}

// ------------------------------------------------------------------------------------------
// Generation and export
// ------------------------------------------------------------------------------------------

#[test]
fn generated_keys_export_pkcs8_pem_that_loads_back_and_verifies() {
    for alg in [Algorithm::Es256, Algorithm::Es384, Algorithm::EdDsa] {
        let generated = SigningKey::generate(alg).unwrap();
        assert_eq!(generated.algorithm(), alg);
        let pem = generated.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(pem.ends_with("-----END PRIVATE KEY-----\n"));
        assert!(pem.lines().all(|line| line.len() <= 64));
        let loaded = SigningKey::from_pem(&pem, None).unwrap();
        let public_pem = generated.verifying_key().unwrap().to_pem().unwrap();
        let public = VerifyingKey::from_pem(&public_pem, None).unwrap();
        assert_round_trip(&loaded, &public);
        assert_round_trip(&generated, &public);
        // Exporting again gives the same document.
        assert_eq!(loaded.to_pkcs8_pem().unwrap(), pem);
    }
}

#[test]
fn generating_rsa_or_hmac_keys_is_unsupported_and_says_what_to_do() {
    let err = key_error(SigningKey::generate(Algorithm::Rs256));
    assert!(
        matches!(&err, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::Unsupported && invalid.detail().contains("generate_rsa")),
        "{err:?}"
    );
    let err = key_error(SigningKey::generate(Algorithm::Hs256));
    assert!(
        matches!(&err, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::Unsupported && invalid.detail().contains("generate_hmac_secret")),
        "{err:?}"
    );
}

#[test]
fn exported_public_keys_match_openssl_byte_for_byte() {
    for (name, alg) in [
        ("rsa2048", Some(Algorithm::Rs256)),
        ("rsa4096", Some(Algorithm::Ps256)),
        ("p256", None),
        ("p384", None),
        ("ed25519", None),
    ] {
        let openssl = pem(&format!("{name}.spki.pem"));
        let key = VerifyingKey::from_pem(&openssl, alg).unwrap();
        assert_eq!(key.to_pem().unwrap(), openssl, "{name}");
    }
    let der_key = VerifyingKey::rsa_der(&der("rsa2048.spki.der"), Algorithm::Rs256).unwrap();
    assert_eq!(der_key.to_spki_der().unwrap(), der("rsa2048.spki.der"));
}

#[test]
fn exported_private_keys_match_openssl_pkcs8_for_rsa_and_ed25519() {
    // OpenSSL writes RSA and Ed25519 PKCS#8 v1 exactly as webtoken does.
    let rsa = SigningKey::rsa_pem(&pem("rsa2048.pkcs1.pem"), Algorithm::Rs256).unwrap();
    assert_eq!(rsa.to_pkcs8_pem().unwrap(), pem("rsa2048.pkcs8.pem"));
    let ed = SigningKey::ed25519_pem(&pem("ed25519.pkcs8.pem")).unwrap();
    assert_eq!(ed.to_pkcs8_pem().unwrap(), pem("ed25519.pkcs8.pem"));
    // EC: OpenSSL also repeats the curve inside ECPrivateKey; webtoken names it once. Both
    // load to the same key.
    let ec = SigningKey::ecdsa_pem(&pem("p256.sec1.pem")).unwrap();
    let again = SigningKey::from_pem(&ec.to_pkcs8_pem().unwrap(), None).unwrap();
    assert_round_trip(&again, &ec.verifying_key().unwrap());
}

#[test]
fn hmac_keys_have_no_pem_form() {
    let signing = SigningKey::hmac([7u8; 32], Algorithm::Hs256).unwrap();
    assert!(matches!(
        key_error(signing.to_pkcs8_pem()),
        KeyError::KeyTypeMismatch { .. }
    ));
    let verifying = VerifyingKey::hmac([7u8; 32], Algorithm::Hs256).unwrap();
    assert!(matches!(
        key_error(verifying.to_pem()),
        KeyError::KeyTypeMismatch { .. }
    ));
}

// ------------------------------------------------------------------------------------------
// Broken armour and labels (catalogue K-PEM-* in tests/data/README.md; rules: SECURITY.md §8.2)
// ------------------------------------------------------------------------------------------

fn base64_body(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("fixture base64")
}

fn armour(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[test]
fn hostile_catalogue_pem_cases_are_refused_as_invalid_key_with_a_specific_error() {
    let catalogue: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/data/hostile/jws_hostile_cases.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let cases: Vec<&serde_json::Value> = catalogue["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"].as_str().unwrap().starts_with("K-PEM-"))
        .collect();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let input = case["construct"].as_str().unwrap();
        assert_eq!(case["expected"]["error_kind"], "InvalidKey");
        for result in [
            VerifyingKey::rsa_pem(input, Algorithm::Rs256),
            VerifyingKey::from_pem(input, Some(Algorithm::Rs256)),
        ] {
            let error = result.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidKey, "{id}");
            let Error::Key(key_error) = error else {
                panic!("{id}")
            };
            let specific = match id {
                "K-PEM-BAD-BASE64" => {
                    matches!(&key_error, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::Pem && invalid.detail().contains("base64"))
                }
                "K-PEM-TRUNCATED" => {
                    matches!(&key_error, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::Pem && invalid.detail().contains("END line is missing"))
                }
                // The typed RSA constructor refuses the label; the detecting one reads the
                // label as a certificate and finds no certificate inside.
                "K-PEM-WRONG-LABEL" => {
                    matches!(
                        &key_error,
                        KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::PemLabel && invalid.detail() == "CERTIFICATE"
                    ) || matches!(&key_error, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::Der)
                }
                "K-PEM-EC-AS-RSA" => matches!(
                    &key_error,
                    KeyError::AlgorithmMismatch { algorithm: Algorithm::Rs256, key } if key == "P-256 EC key"
                ),
                "K-PEM-TRAILING-GARBAGE" => {
                    matches!(&key_error, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::Der && invalid.detail().contains("unexpected data after"))
                }
                other => panic!("unhandled case {other}"),
            };
            assert!(specific, "{id}: {key_error:?}");
        }
    }
}

#[test]
fn wrong_label_is_refused_per_constructor() {
    let spki = pem("p256.spki.pem");
    let err = key_error(SigningKey::ecdsa_pem(&spki));
    assert_eq!(err, KeyError::PublicKeyOnly);
    let err = key_error(SigningKey::from_pem(
        &pem("rsa2048.cert.pem"),
        Some(Algorithm::Rs256),
    ));
    assert_eq!(err, KeyError::PublicKeyOnly);
    let err = key_error(VerifyingKey::ecdsa_pem(
        &spki.replace("PUBLIC KEY", "OPENSSH PRIVATE KEY"),
    ));
    assert!(
        matches!(&err, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::PemLabel && invalid.detail() == "OPENSSH PRIVATE KEY"),
        "{err:?}"
    );
    let err = key_error(VerifyingKey::from_certificate_pem(&spki, None));
    assert!(
        err.category() == Some(KeyErrorCategory::PemLabel)
            && err.to_string().ends_with("expected CERTIFICATE"),
        "{err:?}"
    );
    // The SPKI body under a PKCS#8 label is a DER error, not a silently accepted key.
    let err = key_error(VerifyingKey::from_pem(
        &spki.replace("PUBLIC KEY", "PRIVATE KEY"),
        None,
    ));
    assert!(
        matches!(&err, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::Der),
        "{err:?}"
    );
}

#[test]
fn encrypted_private_keys_are_refused_with_advice() {
    let encrypted = armour("ENCRYPTED PRIVATE KEY", &der("p256.pkcs8.der"));
    let err = key_error(SigningKey::from_pem(&encrypted, None));
    assert!(
        matches!(&err, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::Pem && invalid.detail().contains("decrypt")),
        "{err:?}"
    );
}

#[test]
fn trailing_text_after_the_end_line_is_refused() {
    let pem = format!("{}trailing garbage\n", pem("ed25519.spki.pem"));
    let err = key_error(VerifyingKey::ed25519_pem(&pem));
    assert!(
        matches!(&err, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::Pem && invalid.detail().contains("after")),
        "{err:?}"
    );
}

#[test]
fn a_second_pem_block_is_refused() {
    let two = format!("{}{}", pem("p256.spki.pem"), pem("p384.spki.pem"));
    assert!(matches!(
        key_error(VerifyingKey::from_pem(&two, None)),
        KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::Pem
    ));
}

#[test]
fn truncated_der_inside_valid_armour_is_a_der_error() {
    let der = base64_body(&pem("rsa2048.pkcs8.pem"));
    let truncated = armour("PRIVATE KEY", &der[..der.len() - 1]);
    let err = key_error(SigningKey::rsa_pem(&truncated, Algorithm::Rs256));
    assert!(
        matches!(&err, KeyError::Invalid(invalid) if invalid.category() == KeyErrorCategory::Der),
        "{err:?}"
    );
}

#[test]
fn error_messages_never_contain_key_material() {
    let der = base64_body(&pem("p256.pkcs8.pem"));
    let mut broken = der.clone();
    broken.push(0);
    let messages = [
        key_error(SigningKey::ecdsa_pem(&armour("PRIVATE KEY", &broken))).to_string(),
        key_error(SigningKey::ecdsa_pem(&pem("p256.sec1.nopublic.pem"))).to_string(),
        key_error(SigningKey::rsa_pem(
            &pem("p256.pkcs8.pem"),
            Algorithm::Rs256,
        ))
        .to_string(),
    ];
    let body: String = pem("p256.pkcs8.pem")
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    for message in messages {
        assert!(!message.contains(&body[40..60]), "{message}");
        assert!(message.len() < 200, "{message}");
    }
    let key = SigningKey::from_pem(&pem("p256.pkcs8.pem"), None).unwrap();
    assert!(!format!("{key:?}").contains(&body[40..60]));
}

#[test]
fn no_input_panics_a_key_constructor() {
    // Every prefix and a set of byte substitutions of a few fixtures, through every PEM entry
    // point; and every prefix of the DER fixtures through every DER entry point.
    for name in ["rsa2048.pkcs1.pem", "p384.sec1.pem", "ed25519.cert.pem"] {
        let text = pem(name);
        for cut in (0..text.len()).step_by(7) {
            let prefix = &text[..cut];
            let _ = VerifyingKey::from_pem(prefix, Some(Algorithm::Rs256));
            let _ = SigningKey::from_pem(prefix, Some(Algorithm::Rs256));
        }
    }
    for name in [
        "rsa2048.cert.der",
        "p256.pkcs8.der",
        "p256.sec1.der",
        "rsa2048.pkcs1.der",
    ] {
        let bytes = der(name);
        let step = if bytes.len() > 400 { 3 } else { 1 };
        for cut in (0..bytes.len()).step_by(step) {
            let prefix = &bytes[..cut];
            let _ = VerifyingKey::from_certificate_der(prefix, None);
            let _ = VerifyingKey::from_spki_der(prefix, None);
            let _ = VerifyingKey::rsa_der(prefix, Algorithm::Rs256);
            let _ = SigningKey::from_pkcs8_der(prefix, None);
            let _ = SigningKey::from_sec1_der(prefix);
        }
        for i in 0..bytes.len().min(200) {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0x80;
            let _ = VerifyingKey::from_certificate_der(&flipped, None);
            let _ = SigningKey::from_pkcs8_der(&flipped, None);
            let _ = SigningKey::from_sec1_der(&flipped);
        }
    }
}

/// RFC 5958 §2: version v2 is set exactly when `publicKey` is present. A v2 document without
/// one was accepted before (found by the `der_differential` fuzz target, where RustCrypto's
/// `pkcs8` refuses it): the test fixtures with only the version byte changed to 1.
#[test]
fn pkcs8_v2_without_a_public_key_is_refused() {
    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
    let p256 = unhex(
        "308187020101301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420202d84c981cd8e46\
         d4e94ac156da6a4adc1636c8d50b9a84da6cd193b132d9b4a14403420004ce0f1b36b4fa106cf32f23d16017\
         bfcb01b2e845d759c13ea7a292d8089dd41c800cf5b47160f3bf034f93cac4d5f1eed4b95b7b0efa29a1a7db\
         bc73d653ee36",
    );
    let ed25519 = unhex(
        "302e020101300506032b65700422042016b8f8256f05b43d6c6552f53ddfc9a7fd501cfaf3324b96c41eae87\
         76225735",
    );
    for v2 in [&p256, &ed25519] {
        let err = SigningKey::from_pkcs8_der(v2, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidKey);
        assert!(err.to_string().contains("must have a publicKey"), "{err}");
        // The same bytes as v1 are a good key.
        let mut v1 = v2.clone();
        let version = v1.windows(3).position(|w| w == [2, 1, 1]).unwrap() + 2;
        v1[version] = 0;
        SigningKey::from_pkcs8_der(&v1, None).unwrap();
    }
}

/// `from_pkcs1_der` reads PKCS#1 only; `rsa_der` reads PKCS#1 and the other container.
#[test]
fn from_pkcs1_der_reads_pkcs1_only() {
    let pkcs1 = der("rsa2048.pkcs1.der");
    let pkcs8 = der("rsa2048.pkcs8.der");
    let a = SigningKey::from_pkcs1_der(&pkcs1, Algorithm::Ps256).unwrap();
    let b = SigningKey::rsa_der(&pkcs8, Algorithm::Ps256).unwrap();
    assert_eq!(
        a.verifying_key().unwrap().to_spki_der().unwrap(),
        b.verifying_key().unwrap().to_spki_der().unwrap()
    );
    let err = SigningKey::from_pkcs1_der(&pkcs8, Algorithm::Ps256).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidKey);
    let err = SigningKey::from_pkcs1_der(&pkcs1, Algorithm::Es256).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidKey);
    let spki = der("rsa2048.spki.der");
    let err = VerifyingKey::from_pkcs1_der(&spki, Algorithm::Rs256).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidKey);
}
