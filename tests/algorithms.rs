//! ES512 (P-521), ES256K (secp256k1), ML-DSA-44/65/87 (RFC 9964), the `Ed25519` name
//! (RFC 9864) and RSA key generation: every key path, export, thumbprints, generation, the
//! binding of keys to their algorithm, and hostile keys and signatures.
//!
//! With the `aws-lc-rs` feature every path must build and round-trip; without it (ring) every
//! path must parse what it can and refuse to build the key with
//! `KeyErrorCategory::Unavailable`, naming the feature, and JWK Sets must skip such entries.

#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use webtoken::keys::{Jwk, JwkSet, KeyError, KeyErrorCategory};
use webtoken::{Algorithm, Error, ErrorKind, Header, SigningKey, Validation, VerifyingKey, jws};

/// The new algorithms and the stem of their fixtures in tests/data/keys/.
const NEW: [(Algorithm, &str); 5] = [
    (Algorithm::Es512, "p521"),
    (Algorithm::Es256K, "secp256k1"),
    (Algorithm::MlDsa44, "mldsa44"),
    (Algorithm::MlDsa65, "mldsa65"),
    (Algorithm::MlDsa87, "mldsa87"),
];

fn file(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/data/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn json_file(name: &str) -> Value {
    serde_json::from_str(&file(name)).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

fn key_error<T: std::fmt::Debug>(result: Result<T, Error>) -> KeyError {
    match result {
        Err(Error::Key(e)) => e,
        other => panic!("expected a key error, got {other:?}"),
    }
}

/// The error of a ring build for a key of `algorithm`.
fn assert_unavailable<T: std::fmt::Debug>(result: Result<T, Error>, algorithm: Algorithm) {
    let err = key_error(result);
    assert_eq!(
        err.category(),
        Some(KeyErrorCategory::Unavailable),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains(algorithm.as_str()), "{text}");
    assert!(text.contains("`aws-lc-rs` cargo feature"), "{text}");
    assert_eq!(
        Error::Key(err).kind(),
        ErrorKind::InvalidKey,
        "an invalid_key error"
    );
}

fn round_trip(signer: &SigningKey, verifier: &VerifyingKey) {
    let token = jws::sign(&Header::empty(), b"payload", signer).unwrap();
    let checked = jws::verify(&token, verifier, &Validation::new()).unwrap();
    assert_eq!(checked.payload(), b"payload");
    assert_eq!(checked.header().algorithm(), Some(signer.algorithm()));
}

#[test]
fn every_key_path_builds_with_aws_lc_rs_or_names_the_feature() {
    for (alg, stem) in NEW {
        let pkcs8 = file(&format!("{stem}.pkcs8.pem"));
        let spki = file(&format!("{stem}.spki.pem"));
        let jwk = Jwk::from_json(&file(&format!("{stem}.jwk.json"))).unwrap();
        let mut signers = vec![
            SigningKey::from_pem(&pkcs8, None),
            SigningKey::from_pem(&pkcs8, Some(alg)),
            jwk.to_signing_key(),
            SigningKey::generate(alg),
        ];
        let mut verifiers = vec![
            VerifyingKey::from_pem(&spki, None),
            VerifyingKey::from_pem(&spki, Some(alg)),
            VerifyingKey::from_pem(&pkcs8, None),
            jwk.to_verifying_key(),
        ];
        if alg.family() == webtoken::AlgorithmFamily::Ecdsa {
            let sec1 = file(&format!("{stem}.sec1.pem"));
            signers.push(SigningKey::ecdsa_pem(&sec1));
            signers.push(SigningKey::ecdsa_pem(&pkcs8));
            verifiers.push(VerifyingKey::ecdsa_pem(&spki));
            verifiers.push(VerifyingKey::ecdsa_pem(&sec1));
        }
        if !alg.is_available() {
            for signer in signers {
                assert_unavailable(signer, alg);
            }
            for verifier in verifiers {
                assert_unavailable(verifier, alg);
            }
            continue;
        }
        let signers: Vec<SigningKey> = signers.into_iter().map(Result::unwrap).collect();
        let verifiers: Vec<VerifyingKey> = verifiers.into_iter().map(Result::unwrap).collect();
        let generated = signers[3].verifying_key().unwrap();
        for signer in &signers {
            assert_eq!(signer.algorithm(), alg);
            let signature = signer.sign(b"m").unwrap();
            assert_eq!(Some(signature.len()), alg.signature_len(), "{alg}");
        }
        for verifier in &verifiers {
            assert_eq!(verifier.algorithm(), alg);
            round_trip(&signers[0], verifier);
            round_trip(&signers[2], verifier);
            // The generated key is another key: its tokens do not verify here.
            let token = jws::sign(&Header::empty(), b"x", &signers[3]).unwrap();
            assert_eq!(
                jws::verify(&token, verifier, &Validation::new())
                    .unwrap_err()
                    .kind(),
                ErrorKind::InvalidSignature
            );
        }
        round_trip(&signers[3], &generated);
    }
}

#[test]
fn keys_export_to_the_same_pem_and_jwk() {
    for (alg, stem) in NEW {
        if !alg.is_available() {
            continue;
        }
        let pkcs8 = file(&format!("{stem}.pkcs8.pem"));
        let spki = file(&format!("{stem}.spki.pem"));
        let signer = SigningKey::from_pem(&pkcs8, None).unwrap();
        // SPKI is canonical DER: byte for byte what OpenSSL (EC) or aws-lc-rs (ML-DSA) wrote.
        assert_eq!(
            signer.verifying_key().unwrap().to_pem().unwrap(),
            spki,
            "{alg}"
        );
        let exported = signer.to_pkcs8_pem().unwrap();
        if alg.family() == webtoken::AlgorithmFamily::MlDsa {
            // The seed form, byte for byte what aws-lc-rs writes.
            assert_eq!(exported, pkcs8, "{alg}");
        }
        let reloaded = SigningKey::from_pem(&exported, None).unwrap();
        assert_eq!(reloaded.to_pkcs8_pem().unwrap(), exported);
        round_trip(&reloaded, &VerifyingKey::from_pem(&spki, None).unwrap());
        // JWK export: the fixture's members, and back.
        let private = signer.to_private_jwk().unwrap();
        let fixture = json_file(&format!("{stem}.jwk.json"));
        let written: Value = serde_json::to_value(&private).unwrap();
        for member in ["kty", "crv", "x", "y", "d", "pub", "priv", "alg"] {
            assert_eq!(written.get(member), fixture.get(member), "{alg} {member}");
        }
        let public = signer.to_public_jwk().unwrap();
        assert!(!public.is_private());
        assert_eq!(public.to_verifying_key().unwrap().algorithm(), alg);
        assert_eq!(public.thumbprint(), signer.thumbprint().unwrap());
    }
}

/// RFC 7638 thumbprints, from the required members in lexicographic order: `crv`, `kty`, `x`,
/// `y` for EC keys; `alg`, `kty`, `pub` for AKP keys (RFC 9964). Thumbprints need no key to be
/// built, so ring builds compute them too.
#[test]
fn thumbprints_hash_the_required_members_in_order() {
    for (alg, stem) in NEW {
        let fixture = json_file(&format!("{stem}.jwk.json"));
        let input = if fixture["kty"] == "EC" {
            format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                fixture["crv"].as_str().unwrap(),
                fixture["x"].as_str().unwrap(),
                fixture["y"].as_str().unwrap()
            )
        } else {
            format!(
                r#"{{"alg":"{alg}","kty":"AKP","pub":"{}"}}"#,
                fixture["pub"].as_str().unwrap()
            )
        };
        let expected = b64(&Sha256::digest(input.as_bytes()));
        let jwk = Jwk::from_json(&fixture.to_string()).unwrap();
        assert_eq!(jwk.thumbprint(), expected, "{alg}");
        assert_eq!(jwk.to_public().unwrap().thumbprint(), expected, "{alg}");
    }
}

#[test]
fn jwk_sets_use_the_new_keys_with_aws_lc_rs_and_skip_them_otherwise() {
    let mut keys = vec![json!({"kty": "EC", "crv": "P-256", "kid": "p256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})];
    for (_, stem) in NEW {
        let public = Jwk::from_json(&file(&format!("{stem}.jwk.json")))
            .unwrap()
            .to_public()
            .unwrap()
            .with_key_id(stem);
        keys.push(serde_json::to_value(&public).unwrap());
    }
    let set = JwkSet::from_json(&json!({ "keys": keys }).to_string()).unwrap();
    if Algorithm::Es512.is_available() {
        assert_eq!(set.len(), 6);
        assert!(set.skipped().is_empty());
        for (alg, stem) in NEW {
            let signer = Jwk::from_json(&file(&format!("{stem}.jwk.json")))
                .unwrap()
                .to_signing_key()
                .unwrap()
                .with_key_id(stem);
            let token = jws::sign(&Header::empty(), b"set", &signer).unwrap();
            assert_eq!(
                jws::verify(&token, &set, &Validation::new())
                    .unwrap()
                    .header()
                    .algorithm(),
                Some(alg)
            );
        }
    } else {
        assert_eq!(set.len(), 1);
        let skipped: Vec<(usize, &str)> = set
            .skipped()
            .iter()
            .map(|s| (s.index(), s.key_id().unwrap()))
            .collect();
        assert_eq!(
            skipped,
            [
                (1, "p521"),
                (2, "secp256k1"),
                (3, "mldsa44"),
                (4, "mldsa65"),
                (5, "mldsa87")
            ]
        );
        for (s, (alg, _)) in set.skipped().iter().zip(NEW) {
            assert_eq!(s.reason().category(), Some(KeyErrorCategory::Unavailable));
            assert!(s.to_string().contains(alg.as_str()), "{s}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Keys stay bound

/// A token with the same payload and signature as `token` but another `alg`.
fn relabel(token: &str, alg: &str) -> String {
    relabel_with(token, &format!(r#"{{"alg":"{alg}"}}"#))
}

/// A token with the same payload and signature as `token` but the header `json`.
fn relabel_with(token: &str, json: &str) -> String {
    let mut parts = token.split('.');
    let (_, payload, signature) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    format!("{}.{payload}.{signature}", b64(json.as_bytes()))
}

fn assert_key_mismatch(result: Result<impl std::fmt::Debug, Error>) {
    match result {
        Err(Error::AlgorithmNotAllowed(rejection)) => {
            assert!(
                format!("{rejection:?}").contains("KeyMismatch"),
                "{rejection:?}"
            );
        }
        other => panic!("expected a key mismatch, got {other:?}"),
    }
}

#[test]
fn keys_never_verify_another_algorithm_of_their_family() {
    let relabellings = [
        (
            Algorithm::Es256K,
            "secp256k1",
            &["ES256", "ES384", "ES512"][..],
        ),
        (Algorithm::Es512, "p521", &["ES256", "ES384", "ES256K"][..]),
        (
            Algorithm::MlDsa44,
            "mldsa44",
            &["ML-DSA-65", "ML-DSA-87"][..],
        ),
        (
            Algorithm::MlDsa65,
            "mldsa65",
            &["ML-DSA-44", "ML-DSA-87"][..],
        ),
        (
            Algorithm::MlDsa87,
            "mldsa87",
            &["ML-DSA-44", "ML-DSA-65"][..],
        ),
    ];
    for (alg, stem, others) in relabellings {
        if !alg.is_available() {
            continue;
        }
        let jwk = Jwk::from_json(&file(&format!("{stem}.jwk.json"))).unwrap();
        let signer = jwk.to_signing_key().unwrap();
        let verifier = jwk.to_verifying_key().unwrap();
        let token = jws::sign(&Header::empty(), b"bound", &signer).unwrap();
        let public = jwk.to_public().unwrap().with_key_id("k");
        let set = JwkSet::from_keys([public.clone()]).unwrap();
        // Even an allow-list naming every algorithm does not widen the key.
        let everything = Validation::new().with_algorithms(Algorithm::ALL);
        for other in others {
            let forged = relabel(&token, other);
            assert_key_mismatch(jws::verify(&forged, &verifier, &everything));
            assert_key_mismatch(jws::verify(&forged, &public, &everything));
            // In a set, the `kid` finds the key, which refuses the algorithm; without `kid`
            // no key of the set fits it.
            let with_kid = relabel_with(&token, &format!(r#"{{"alg":"{other}","kid":"k"}}"#));
            assert_key_mismatch(jws::verify(&with_kid, &set, &everything));
            assert_eq!(
                jws::verify(&forged, &set, &everything).unwrap_err().kind(),
                ErrorKind::UnknownKey
            );
            let other: Algorithm = other.parse().unwrap();
            assert!(verifier.rebind(other).is_err(), "{alg} -> {other}");
            assert!(jwk.to_verifying_key_for(other).is_err(), "{alg} -> {other}");
        }
    }
}

/// ES256K and ES256 signatures have the same size, and both curves' points have 65 bytes: the
/// curve comes from the key's name (crv, OID, algorithm), never from a size.
#[test]
fn a_secp256k1_point_is_never_taken_for_a_p256_one() {
    let k1 = json_file("secp256k1.jwk.json");
    let mut point = vec![4u8];
    point.extend(unb64(k1["x"].as_str().unwrap()));
    point.extend(unb64(k1["y"].as_str().unwrap()));
    // By size alone the point is read as P-256, where it is not on the curve.
    let err = key_error(VerifyingKey::ecdsa_point(&point));
    assert_eq!(err.category(), Some(KeyErrorCategory::Rejected), "{err}");
    let err = key_error(VerifyingKey::ecdsa_point_for(&point, Algorithm::Es256));
    assert_eq!(err.category(), Some(KeyErrorCategory::Rejected), "{err}");
    // The same coordinates relabelled crv P-256 in a JWK: not on P-256.
    let relabelled = json!({"kty": "EC", "crv": "P-256", "x": k1["x"], "y": k1["y"]});
    let err = key_error(
        Jwk::from_json(&relabelled.to_string())
            .unwrap()
            .to_verifying_key(),
    );
    assert_eq!(err.category(), Some(KeyErrorCategory::Rejected), "{err}");
    // And a P-256 point relabelled secp256k1.
    let p256 = json!({"kty": "EC", "crv": "secp256k1",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
    let result = Jwk::from_json(&p256.to_string())
        .unwrap()
        .to_verifying_key();
    if Algorithm::Es256K.is_available() {
        let err = key_error(result);
        assert_eq!(err.category(), Some(KeyErrorCategory::Rejected), "{err}");
        assert!(err.to_string().contains("not on the curve"), "{err}");
    } else {
        assert_unavailable(result, Algorithm::Es256K);
    }
    if Algorithm::Es256K.is_available() {
        // An ES256K signature over a token relabelled ES256, given to a P-256 key: refused.
        let signer = Jwk::from_json(&k1.to_string())
            .unwrap()
            .to_signing_key()
            .unwrap();
        let token = jws::sign(&Header::empty(), b"k1", &signer).unwrap();
        let p256 = VerifyingKey::from_pem(&file("p256.spki.pem"), None).unwrap();
        let err = jws::verify(&relabel(&token, "ES256"), &p256, &Validation::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidSignature);
    }
}

#[test]
fn off_curve_points_and_wrong_lengths_are_refused_when_the_key_is_built() {
    for stem in ["p521", "secp256k1"] {
        let jwk = json_file(&format!("{stem}.jwk.json"));
        let alg: Algorithm = jwk["alg"].as_str().unwrap().parse().unwrap();
        let mut y = unb64(jwk["y"].as_str().unwrap());
        *y.last_mut().unwrap() ^= 1;
        let off = json!({"kty": "EC", "crv": jwk["crv"], "x": jwk["x"], "y": b64(&y)});
        let result = Jwk::from_json(&off.to_string()).unwrap().to_verifying_key();
        let private_off = json!({"kty": "EC", "crv": jwk["crv"], "x": jwk["x"], "y": b64(&y),
            "d": jwk["d"]});
        let private = Jwk::from_json(&private_off.to_string())
            .unwrap()
            .to_signing_key();
        if alg.is_available() {
            let err = key_error(result);
            assert!(
                err.to_string().contains("not on the curve"),
                "{stem}: {err}"
            );
            assert_eq!(
                key_error(private).category(),
                Some(KeyErrorCategory::Rejected)
            );
        } else {
            assert_unavailable(result, alg);
            assert_unavailable(private, alg);
        }
        // Coordinates of the wrong length are a JWK error in every build (P-521: 66 bytes).
        let x = unb64(jwk["x"].as_str().unwrap());
        for len in [x.len() - 1, x.len() + 1] {
            let mut resized = x.clone();
            resized.resize(len, 0);
            let bad = json!({"kty": "EC", "crv": jwk["crv"], "x": b64(&resized), "y": jwk["y"]});
            let err = key_error(Jwk::from_json(&bad.to_string()));
            assert_eq!(err.category(), Some(KeyErrorCategory::Jwk), "{stem}: {err}");
        }
    }
    // A point of the wrong size for the named algorithm.
    let p521 = json_file("p521.jwk.json");
    let mut point = vec![4u8];
    point.extend(unb64(p521["x"].as_str().unwrap()));
    point.extend(unb64(p521["y"].as_str().unwrap()));
    for alg in [Algorithm::Es256, Algorithm::Es384, Algorithm::Es256K] {
        assert!(VerifyingKey::ecdsa_point_for(&point, alg).is_err(), "{alg}");
    }
    assert!(VerifyingKey::ecdsa_point_for(&point, Algorithm::Rs256).is_err());
}

#[test]
fn a_jwk_whose_alg_disagrees_with_its_curve_or_parameter_set_is_refused_in_every_build() {
    let k1 = json_file("secp256k1.jwk.json");
    let p521 = json_file("p521.jwk.json");
    let ml44 = json_file("mldsa44.jwk.json");
    let p256 = json!({"kty": "EC", "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
    let with_alg = |mut jwk: Value, alg: &str| {
        jwk["alg"] = json!(alg);
        jwk
    };
    for jwk in [
        with_alg(k1.clone(), "ES256"),
        with_alg(p521.clone(), "ES384"),
        with_alg(p521.clone(), "ES256"),
        with_alg(p256.clone(), "ES256K"),
        with_alg(p256, "ES512"),
        with_alg(ml44.clone(), "ES256"),
        with_alg(k1, "ML-DSA-44"),
    ] {
        let err = key_error(Jwk::from_json(&jwk.to_string()));
        assert!(
            matches!(err, KeyError::AlgorithmMismatch { .. }),
            "{jwk}: {err:?}"
        );
    }
    // ML-DSA-44 material labelled ML-DSA-65: `pub` has the wrong length for the set named.
    let err = key_error(Jwk::from_json(
        &with_alg(ml44.clone(), "ML-DSA-65").to_string(),
    ));
    assert_eq!(err.category(), Some(KeyErrorCategory::Jwk), "{err}");
    assert!(err.to_string().contains("1952"), "{err}");
    // alg is required on an AKP key (RFC 9964).
    let mut no_alg = ml44.clone();
    no_alg.as_object_mut().unwrap().remove("alg");
    let err = key_error(Jwk::from_json(&no_alg.to_string()));
    assert!(err.to_string().contains("alg"), "{err}");
    // Members of another key type, and a seed of the wrong length.
    let mut with_x = ml44.clone();
    with_x["x"] = json!("AAAA");
    assert!(Jwk::from_json(&with_x.to_string()).is_err());
    let mut short_seed = ml44.clone();
    short_seed["priv"] = json!(b64(&[7; 31]));
    assert!(Jwk::from_json(&short_seed.to_string()).is_err());
    // A seed that does not derive `pub`.
    let mut other_seed = ml44;
    other_seed["priv"] = json!(b64(&[7; 32]));
    let result = Jwk::from_json(&other_seed.to_string())
        .unwrap()
        .to_signing_key();
    if Algorithm::MlDsa44.is_available() {
        let err = key_error(result);
        assert!(err.to_string().contains("does not belong"), "{err}");
    } else {
        assert_unavailable(result, Algorithm::MlDsa44);
    }
}

#[test]
fn signatures_of_the_wrong_length_are_invalid_signatures() {
    for (alg, stem) in NEW {
        if !alg.is_available() {
            continue;
        }
        let jwk = Jwk::from_json(&file(&format!("{stem}.jwk.json"))).unwrap();
        let signer = jwk.to_signing_key().unwrap();
        let verifier = jwk.to_verifying_key().unwrap();
        let sig = signer.sign(b"m").unwrap();
        let len = sig.len();
        verifier.verify(b"m", &sig).unwrap();
        for bad_len in [0, 1, len - 1, len + 1, 2 * len, 64, 132, 2420, 3309, 4627] {
            if bad_len == len {
                continue;
            }
            let mut bad = sig.clone();
            bad.resize(bad_len, 0);
            assert!(
                matches!(verifier.verify(b"m", &bad), Err(Error::InvalidSignature)),
                "{alg} {bad_len}"
            );
        }
        // Through the token path too, including a signature longer than any algorithm's.
        let token = jws::sign(&Header::empty(), b"m", &signer).unwrap();
        let (head, _) = token.rsplit_once('.').unwrap();
        for bad_len in [len - 1, len + 1, 4628, 6000] {
            let forged = format!("{head}.{}", b64(&vec![1u8; bad_len]));
            let err = jws::verify(&forged, &verifier, &Validation::new()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidSignature, "{alg} {bad_len}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ML-DSA private key forms (RFC 9881 §6)

#[test]
fn ml_dsa_pkcs8_seed_and_both_forms_are_read_and_the_expanded_form_alone_is_refused() {
    let seed_form = SigningKey::from_pem(&file("mldsa44.pkcs8.pem"), None);
    let both = SigningKey::from_pem(&file("mldsa44.pkcs8.both.pem"), None);
    let expanded = SigningKey::from_pem(&file("mldsa44.pkcs8.expanded.pem"), None);
    let err = key_error(expanded);
    assert!(err.to_string().contains("seed"), "{err}");
    if !Algorithm::MlDsa44.is_available() {
        assert_unavailable(seed_form, Algorithm::MlDsa44);
        assert_unavailable(both, Algorithm::MlDsa44);
        return;
    }
    let (seed_form, both) = (seed_form.unwrap(), both.unwrap());
    assert_eq!(
        both.to_pkcs8_pem().unwrap(),
        seed_form.to_pkcs8_pem().unwrap()
    );
    // The `both` form whose expanded key is not the seed's: refused.
    let pem = file("mldsa44.pkcs8.both.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let mut der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body).unwrap();
    let last = der.len() - 1;
    der[last] ^= 1;
    let err = key_error(SigningKey::from_pkcs8_der(&der, None));
    assert!(err.to_string().contains("does not belong"), "{err}");
    // Bound by the parameter set: another ML-DSA algorithm is a mismatch.
    let spki = file("mldsa44.spki.pem");
    let err = key_error(VerifyingKey::from_pem(&spki, Some(Algorithm::MlDsa65)));
    assert!(matches!(err, KeyError::AlgorithmMismatch { .. }), "{err:?}");
    let raw = unb64(json_file("mldsa44.jwk.json")["pub"].as_str().unwrap());
    assert!(VerifyingKey::ml_dsa(&raw, Algorithm::MlDsa44).is_ok());
    for other in [Algorithm::MlDsa65, Algorithm::MlDsa87, Algorithm::EdDsa] {
        assert!(VerifyingKey::ml_dsa(&raw, other).is_err(), "{other}");
    }
}

// ---------------------------------------------------------------------------------------------
// The `Ed25519` algorithm name (RFC 9864)

#[test]
fn ed25519_keys_serve_both_names_and_sign_with_the_one_chosen() {
    let pkcs8 = file("ed25519.pkcs8.pem");
    let spki = file("ed25519.spki.pem");
    let default = SigningKey::from_pem(&pkcs8, None).unwrap();
    assert_eq!(
        default.algorithm(),
        Algorithm::EdDsa,
        "EdDSA stays the default"
    );
    let named = SigningKey::from_pem(&pkcs8, Some(Algorithm::Ed25519)).unwrap();
    assert_eq!(named.algorithm(), Algorithm::Ed25519);
    assert_eq!(
        SigningKey::generate(Algorithm::Ed25519)
            .unwrap()
            .algorithm(),
        Algorithm::Ed25519
    );
    let verifier = VerifyingKey::from_pem(&spki, None).unwrap();
    assert_eq!(verifier.algorithm(), Algorithm::EdDsa);
    for signer in [&default, &named] {
        let token = jws::sign(&Header::empty(), b"ed", signer).unwrap();
        let header = jws::verify(&token, &verifier, &Validation::new())
            .unwrap()
            .header()
            .algorithm();
        assert_eq!(header, Some(signer.algorithm()));
    }
    // One algorithm under two names: the same (deterministic) signature bytes.
    assert_eq!(default.sign(b"m").unwrap(), named.sign(b"m").unwrap());
    // The allow-list still decides.
    let token = jws::sign(&Header::empty(), b"ed", &named).unwrap();
    let only_eddsa = Validation::new().with_algorithms([Algorithm::EdDsa]);
    assert_eq!(
        jws::verify(&token, &verifier, &only_eddsa)
            .unwrap_err()
            .kind(),
        ErrorKind::AlgorithmNotAllowed
    );
    // A JWK without alg serves both names; with alg, exactly that one.
    let x = verifier.to_jwk().unwrap();
    let x = serde_json::to_value(&x).unwrap();
    let no_alg = json!({"kty": "OKP", "crv": "Ed25519", "x": x["x"]});
    let jwk = Jwk::from_json(&no_alg.to_string()).unwrap();
    jws::verify(&token, &jwk, &Validation::new()).unwrap();
    let bound = Jwk::from_json(
        &json!({"kty": "OKP", "crv": "Ed25519", "x": x["x"],
        "alg": "EdDSA"})
        .to_string(),
    )
    .unwrap();
    assert_key_mismatch(jws::verify(&token, &bound, &Validation::new()));
    let bound = Jwk::from_json(
        &json!({"kty": "OKP", "crv": "Ed25519", "x": x["x"],
        "alg": "Ed25519"})
        .to_string(),
    )
    .unwrap();
    jws::verify(&token, &bound, &Validation::new()).unwrap();
    let old = jws::sign(&Header::empty(), b"ed", &default).unwrap();
    assert_key_mismatch(jws::verify(&old, &bound, &Validation::new()));
    // Never an EC or ML-DSA name.
    for other in [Algorithm::Es256, Algorithm::MlDsa44] {
        assert!(verifier.rebind(other).is_err());
        assert!(SigningKey::from_pem(&pkcs8, Some(other)).is_err());
    }
}

// ---------------------------------------------------------------------------------------------
// RSA key generation

#[test]
fn rsa_keys_are_generated_with_aws_lc_rs_and_refused_by_ring_with_the_feature_named() {
    for bits in [1024, 2047, 2049, 8192] {
        let err = key_error(SigningKey::generate_rsa(bits, Algorithm::Rs256));
        assert_eq!(err.category(), Some(KeyErrorCategory::Unsupported), "{err}");
    }
    let err = key_error(SigningKey::generate_rsa(2048, Algorithm::Es256));
    assert!(matches!(err, KeyError::AlgorithmMismatch { .. }), "{err:?}");
    let generated = SigningKey::generate_rsa(2048, Algorithm::Ps256);
    if webtoken::keys::BACKEND != "aws-lc-rs" {
        let err = key_error(generated);
        assert_eq!(err.category(), Some(KeyErrorCategory::Unavailable));
        assert!(
            err.to_string().contains("`aws-lc-rs` cargo feature"),
            "{err}"
        );
        return;
    }
    let key = generated.unwrap();
    assert_eq!(key.algorithm(), Algorithm::Ps256);
    let pem = key.to_pkcs8_pem().unwrap();
    let reloaded = SigningKey::rsa_pem(&pem, Algorithm::Rs256).unwrap();
    round_trip(&reloaded, &reloaded.verifying_key().unwrap());
    round_trip(&key, &key.verifying_key().unwrap());
    let jwk = key.to_private_jwk().unwrap();
    assert_eq!(jwk.to_signing_key().unwrap().algorithm(), Algorithm::Ps256);
    for (bits, alg) in [(3072, Algorithm::Rs384), (4096, Algorithm::Ps512)] {
        let key = SigningKey::generate_rsa(bits, alg).unwrap();
        let public = key.verifying_key().unwrap();
        let jwk = serde_json::to_value(public.to_jwk().unwrap()).unwrap();
        assert_eq!(unb64(jwk["n"].as_str().unwrap()).len() * 8, bits);
        round_trip(&key, &public);
    }
}
