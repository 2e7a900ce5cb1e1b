//! Criterion benchmarks: every webtoken operation next to its floor, the same primitives called
//! by hand in this binary (base64 `URL_SAFE_NO_PAD`, HMAC-SHA256 over the same library webtoken
//! uses, a typed `serde_json` parse; raw sign/verify of the backend webtoken runs on (ring, or
//! aws-lc-rs with `--features aws-lc-rs`) for the asymmetric algorithms).
//!
//! Run: `cargo bench -p webtoken-benches --bench jwt -- --warm-up-time 1 --measurement-time 3`
//! Groups: `sign/{alg}` and `verify/{alg}` for HS256, RS256, PS256, ES256, ES384 and EdDSA, and
//! with `--features aws-lc-rs` also ES512, ES256K and ML-DSA-44/65/87 (and for them
//! `verify_predecoded/{alg}`, the raw verify without decoding the signature segment),
//! `verify/hs256_borrowed` (`decode_borrowed`), `decode/hs256_full`, `base64url/{encode,decode}/{size}`,
//! `hostile64k/{shape}` (hostile 64 KiB tokens decoded to their error, beside `plain`); in each, `webtoken` is the crate and
//! `floor` the hand-made equivalent. `sh benches/medians.sh` prints medians and ratios.
//!
//! `WEBTOKEN_PAIRED=1 cargo bench -p webtoken-benches --bench jwt` runs the same webtoken/floor
//! pairs interleaved instead (alternating 1 ms blocks, 101 rounds) and prints the median
//! per-round ratio: on a shared machine, where load moves criterion's sequential medians by
//! 10-30%, this settles ratios near 1 that criterion cannot.

#![allow(missing_docs, clippy::missing_panics_doc, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, KeyInit as _, Mac};
// The floors use the same backend as webtoken's asymmetric algorithms (the `aws-lc-rs` feature).
#[cfg(feature = "aws-lc-rs")]
use aws_lc_rs::{
    rand::SystemRandom,
    signature::{self as sig, KeyPair as _},
};
#[cfg(not(feature = "aws-lc-rs"))]
use ring::{
    rand::SystemRandom,
    signature::{self as sig, KeyPair as _},
};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use webtoken::{Algorithm, Audience, Header, SigningKey, Token, VerifyingKey};

const SECRET: &[u8; 32] = b"bench secret of thirty-two bytes";

// ---------------------------------------------------------------------------------------------
// The floor: the same work, by hand, with nothing but the primitives.

#[derive(Serialize)]
struct FloorHeaderOut {
    alg: &'static str,
    typ: &'static str,
}

#[derive(Deserialize)]
struct FloorHeaderIn<'a> {
    alg: &'a str,
    typ: Option<&'a str>,
    kid: Option<&'a str>,
}

/// Two allocations: one JSON scratch buffer and the token.
fn floor_sign(mac: &Hmac<Sha256>, claims: &FloorClaims) -> String {
    let mut json = Vec::with_capacity(512);
    serde_json::to_writer(
        &mut json,
        &FloorHeaderOut {
            alg: "HS256",
            typ: "JWT",
        },
    )
    .unwrap();
    let mut out = String::with_capacity(512);
    URL_SAFE_NO_PAD.encode_string(&json, &mut out);
    out.push('.');
    json.clear();
    serde_json::to_writer(&mut json, claims).unwrap();
    URL_SAFE_NO_PAD.encode_string(&json, &mut out);
    let mut mac = mac.clone();
    mac.update(out.as_bytes());
    let tag = mac.finalize().into_bytes();
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(tag, &mut out);
    out
}

/// Split, decode and parse the header, check `alg` (and `kid` and `typ` when `full` gives
/// them), verify the tag in constant time; returns the payload segment.
#[inline]
fn floor_verify_signature<'t>(
    mac: &Hmac<Sha256>,
    token: &'t str,
    buf: &mut [u8],
    full: Option<(&str, &str)>,
) -> Option<&'t str> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (header, payload) = signing_input.split_once('.')?;
    let n = URL_SAFE_NO_PAD.decode_slice(header, buf).ok()?;
    let h: FloorHeaderIn<'_> = serde_json::from_slice(&buf[..n]).ok()?;
    if h.alg != "HS256" {
        return None;
    }
    if let Some((kid, typ)) = full {
        if h.kid != Some(kid) || h.typ != Some(typ) {
            return None;
        }
    }
    let mut tag = [0u8; 32];
    let n = URL_SAFE_NO_PAD.decode_slice(signature, &mut tag).ok()?;
    let mut mac = mac.clone();
    mac.update(signing_input.as_bytes());
    mac.verify_slice(&tag[..n]).ok()?;
    Some(payload)
}

/// [`floor_verify_signature`], then decode and parse the payload into the typed struct, check
/// `exp`, `iss` and `aud`.
fn floor_verify(mac: &Hmac<Sha256>, token: &str, now: i64) -> Option<FloorClaims> {
    let mut buf = [0u8; 1024];
    let payload = floor_verify_signature(mac, token, &mut buf, None)?;
    let n = URL_SAFE_NO_PAD.decode_slice(payload, &mut buf).ok()?;
    let c: FloorClaims = serde_json::from_slice(&buf[..n]).ok()?;
    (now < c.exp + 60 && c.iss == "https://id.example.com" && c.aud == "https://api.example.com")
        .then_some(c)
}

/// [`floor_verify`] with what `decode/hs256_full` configures: the header's `kid` and `typ`
/// checked, and the issuer one of two (the required claims are non-optional fields of
/// [`FloorClaims`], so serde checks their presence).
fn floor_verify_full(mac: &Hmac<Sha256>, token: &str, now: i64) -> Option<FloorClaims> {
    let mut buf = [0u8; 1024];
    let payload = floor_verify_signature(mac, token, &mut buf, Some(("2025-01", "JWT")))?;
    let n = URL_SAFE_NO_PAD.decode_slice(payload, &mut buf).ok()?;
    let c: FloorClaims = serde_json::from_slice(&buf[..n]).ok()?;
    let issuers = ["https://id.example.com", "https://other-id.example.com"];
    (now < c.exp + 60 && issuers.contains(&c.iss.as_str()) && c.aud == "https://api.example.com")
        .then_some(c)
}

/// The custom claims of [`Custom`], borrowed (`decode_borrowed`).
#[derive(Deserialize)]
struct BorrowedCustom<'a> {
    name: &'a str,
    roles: Vec<&'a str>,
}

/// [`FloorClaims`] borrowing what [`BorrowedCustom`] borrows (the registered claims stay owned,
/// as in webtoken's `Claims`).
#[derive(Deserialize)]
struct FloorClaimsBorrowed<'a> {
    iss: String,
    #[allow(dead_code)]
    sub: String,
    aud: String,
    exp: i64,
    #[allow(dead_code)]
    iat: i64,
    name: &'a str,
    roles: Vec<&'a str>,
}

/// [`floor_verify`] into [`FloorClaimsBorrowed`], the payload decoded into `buf`.
fn floor_verify_borrowed<'b>(
    mac: &Hmac<Sha256>,
    token: &str,
    now: i64,
    buf: &'b mut [u8; 1024],
) -> Option<FloorClaimsBorrowed<'b>> {
    let payload = floor_verify_signature(mac, token, &mut buf[..], None)?;
    let n = URL_SAFE_NO_PAD.decode_slice(payload, &mut buf[..]).ok()?;
    let c: FloorClaimsBorrowed<'b> = serde_json::from_slice(&buf[..n]).ok()?;
    (now < c.exp + 60 && c.iss == "https://id.example.com" && c.aud == "https://api.example.com")
        .then_some(c)
}

// ---------------------------------------------------------------------------------------------

fn hs256(runner: &mut Runner<'_>) {
    let key = SigningKey::hmac(SECRET, Algorithm::Hs256).unwrap();
    let verifying = VerifyingKey::hmac(SECRET, Algorithm::Hs256).unwrap();
    let mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    let header = Header::new();
    let claims = claims();
    let fclaims = floor_claims();
    let validation = validation();

    let token = webtoken::encode(&header, &claims, &key).unwrap();
    // Nobody does less work: the floor writes the same bytes and accepts the same token.
    assert_eq!(floor_sign(&mac, &fclaims), token);
    assert!(floor_verify(&mac, &token, NOW + 10).is_some());
    let decoded: Token<Custom> = webtoken::decode(&token, &verifying, &validation).unwrap();
    assert_eq!(decoded.claims().custom, claims.custom);
    eprintln!("hs256 token: {} bytes", token.len());

    runner.pair(
        "sign/hs256",
        &mut || {
            black_box(webtoken::encode(black_box(&header), black_box(&claims), &key).unwrap());
        },
        &mut || {
            black_box(floor_sign(&mac, black_box(&fclaims)));
        },
    );
    runner.pair(
        "verify/hs256",
        &mut || {
            black_box(
                webtoken::decode::<Custom>(black_box(&token), &verifying, &validation).unwrap(),
            );
        },
        &mut || {
            black_box(floor_verify(&mac, black_box(&token), NOW + 10).unwrap());
        },
    );

    // Claims that borrow from the payload (`decode_borrowed`, one buffer reused), against a
    // floor that borrows the same fields.
    let mut buffer = Vec::new();
    let borrowed = webtoken::decode_borrowed::<BorrowedCustom<'_>>(
        &token,
        &verifying,
        &validation,
        &mut buffer,
    )
    .unwrap();
    assert_eq!(borrowed.claims().custom.roles, claims.custom.roles);
    assert_eq!(borrowed.claims().custom.name, claims.custom.name);
    let mut floor_buf = [0u8; 1024];
    let floor = floor_verify_borrowed(&mac, &token, NOW + 10, &mut floor_buf).unwrap();
    assert_eq!((floor.name, floor.roles.len()), ("Ada Lovelace", 3));
    runner.pair(
        "verify/hs256_borrowed",
        &mut || {
            let t = webtoken::decode_borrowed::<BorrowedCustom<'_>>(
                black_box(&token),
                &verifying,
                &validation,
                &mut buffer,
            )
            .unwrap();
            black_box(t.claims().custom.name.len() + t.claims().custom.roles.len());
        },
        &mut || {
            let mut buf = [0u8; 1024];
            let c = floor_verify_borrowed(&mac, black_box(&token), NOW + 10, &mut buf).unwrap();
            black_box(c.name.len() + c.roles.len());
        },
    );

    // Everything a careful service configures: a kid-routed key, explicit typing, a one-of
    // issuer list, required custom claims and an algorithm allow-list.
    let key_full = key.clone().with_key_id("2025-01");
    let token_full = webtoken::encode(&header, &claims, &key_full).unwrap();
    let verifying_full = verifying.clone().with_key_id("2025-01");
    let validation_full = validation
        .clone()
        .with_algorithms([Algorithm::Hs256])
        .with_issuer("https://other-id.example.com")
        .with_type("JWT")
        .require("sub")
        .require("iat")
        .require("roles");
    let full: Token<Custom> =
        webtoken::decode(&token_full, &verifying_full, &validation_full).unwrap();
    assert_eq!(
        full.claims().audience,
        Some(Audience::Single("https://api.example.com".into()))
    );
    runner.pair(
        "decode/hs256_full",
        &mut || {
            black_box(
                webtoken::decode::<Custom>(
                    black_box(&token_full),
                    &verifying_full,
                    &validation_full,
                )
                .unwrap(),
            );
        },
        &mut || {
            black_box(floor_verify_full(&mac, black_box(&token_full), NOW + 10).unwrap());
        },
    );
}

fn base64url(c: &mut Criterion) {
    for size in [32usize, 256, 1024, 8192] {
        let data: Vec<u8> = (0..size)
            .map(|i| u8::try_from(i * 31 % 251).unwrap())
            .collect();
        let encoded = URL_SAFE_NO_PAD.encode(&data);
        let mut g = c.benchmark_group("base64url/encode");
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_with_input(BenchmarkId::new("webtoken", size), &data, |b, d| {
            b.iter(|| webtoken::base64url::encode(black_box(d)));
        });
        g.bench_with_input(BenchmarkId::new("floor", size), &data, |b, d| {
            b.iter(|| URL_SAFE_NO_PAD.encode(black_box(d)));
        });
        g.finish();
        let mut g = c.benchmark_group("base64url/decode");
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_with_input(BenchmarkId::new("webtoken", size), &encoded, |b, e| {
            b.iter(|| webtoken::base64url::decode(black_box(e)).unwrap());
        });
        g.bench_with_input(BenchmarkId::new("floor", size), &encoded, |b, e| {
            b.iter(|| URL_SAFE_NO_PAD.decode(black_box(e)).unwrap());
        });
        g.finish();
    }
}

type RawSign<'a> = Box<dyn Fn(&[u8]) -> Vec<u8> + 'a>;
type RawVerify<'a> = Box<dyn Fn(&[u8], &[u8]) -> bool + 'a>;

#[cfg(feature = "aws-lc-rs")]
fn ecdsa_pair(alg: &'static sig::EcdsaSigningAlgorithm, pkcs8: &[u8]) -> sig::EcdsaKeyPair {
    sig::EcdsaKeyPair::from_pkcs8(alg, pkcs8).unwrap()
}

#[cfg(not(feature = "aws-lc-rs"))]
fn ecdsa_pair(alg: &'static sig::EcdsaSigningAlgorithm, pkcs8: &[u8]) -> sig::EcdsaKeyPair {
    sig::EcdsaKeyPair::from_pkcs8(alg, pkcs8, &SystemRandom::new()).unwrap()
}

#[cfg(feature = "aws-lc-rs")]
fn rsa_modulus_len(pair: &sig::RsaKeyPair) -> usize {
    pair.public_modulus_len()
}

#[cfg(not(feature = "aws-lc-rs"))]
fn rsa_modulus_len(pair: &sig::RsaKeyPair) -> usize {
    pair.public().modulus_len()
}

/// Sign and verify through webtoken beside the backend's raw operation over the same input.
#[allow(clippy::too_many_lines)] // one setup block per algorithm, then one loop
fn asymmetric(runner: &mut Runner<'_>) {
    let rng = SystemRandom::new();
    let claims = claims();
    let validation = validation();
    let header = Header::new();

    let p256_doc =
        sig::EcdsaKeyPair::generate_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let p256_pair = ecdsa_pair(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, p256_doc.as_ref());
    let p256_public = sig::UnparsedPublicKey::new(
        &sig::ECDSA_P256_SHA256_FIXED,
        p256_pair.public_key().as_ref().to_vec(),
    );
    let p256_key = SigningKey::from_pkcs8_der(p256_doc.as_ref(), None).unwrap();
    let p256_verifying = VerifyingKey::ecdsa_point(p256_pair.public_key().as_ref()).unwrap();

    let ed25519_doc = sig::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let ed25519_pair = sig::Ed25519KeyPair::from_pkcs8(ed25519_doc.as_ref()).unwrap();
    let ed25519_public =
        sig::UnparsedPublicKey::new(&sig::ED25519, ed25519_pair.public_key().as_ref().to_vec());
    let ed25519_key = SigningKey::from_pkcs8_der(ed25519_doc.as_ref(), None).unwrap();
    let ed25519_verifying = VerifyingKey::ed25519(ed25519_pair.public_key().as_ref()).unwrap();

    let rsa_der = include_bytes!("../tests/data/keys/rsa2048.pkcs1.der");
    let rsa_pair = sig::RsaKeyPair::from_der(rsa_der).unwrap();
    let rsa_public = sig::UnparsedPublicKey::new(
        &sig::RSA_PKCS1_2048_8192_SHA256,
        rsa_pair.public_key().as_ref().to_vec(),
    );
    let rsa_key = SigningKey::rsa_der(rsa_der, Algorithm::Rs256).unwrap();
    let rsa_verifying = rsa_key.verifying_key().unwrap();
    let pss_public = sig::UnparsedPublicKey::new(
        &sig::RSA_PSS_2048_8192_SHA256,
        rsa_pair.public_key().as_ref().to_vec(),
    );
    let pss_key = SigningKey::rsa_der(rsa_der, Algorithm::Ps256).unwrap();
    let pss_verifying = pss_key.verifying_key().unwrap();

    let p384_doc =
        sig::EcdsaKeyPair::generate_pkcs8(&sig::ECDSA_P384_SHA384_FIXED_SIGNING, &rng).unwrap();
    let p384_pair = ecdsa_pair(&sig::ECDSA_P384_SHA384_FIXED_SIGNING, p384_doc.as_ref());
    let p384_public = sig::UnparsedPublicKey::new(
        &sig::ECDSA_P384_SHA384_FIXED,
        p384_pair.public_key().as_ref().to_vec(),
    );
    let p384_key = SigningKey::from_pkcs8_der(p384_doc.as_ref(), None).unwrap();
    let p384_verifying = VerifyingKey::ecdsa_point(p384_pair.public_key().as_ref()).unwrap();

    let cases: [(&str, &SigningKey, &VerifyingKey, RawSign<'_>, RawVerify<'_>); 5] = [
        (
            "rs256",
            &rsa_key,
            &rsa_verifying,
            Box::new(|m| {
                let mut out = vec![0; rsa_modulus_len(&rsa_pair)];
                rsa_pair
                    .sign(&sig::RSA_PKCS1_SHA256, &rng, m, &mut out)
                    .unwrap();
                out
            }),
            Box::new(|m, s| rsa_public.verify(m, s).is_ok()),
        ),
        (
            "ps256",
            &pss_key,
            &pss_verifying,
            Box::new(|m| {
                let mut out = vec![0; rsa_modulus_len(&rsa_pair)];
                rsa_pair
                    .sign(&sig::RSA_PSS_SHA256, &rng, m, &mut out)
                    .unwrap();
                out
            }),
            Box::new(|m, s| pss_public.verify(m, s).is_ok()),
        ),
        (
            "es384",
            &p384_key,
            &p384_verifying,
            Box::new(|m| p384_pair.sign(&rng, m).unwrap().as_ref().to_vec()),
            Box::new(|m, s| p384_public.verify(m, s).is_ok()),
        ),
        (
            "es256",
            &p256_key,
            &p256_verifying,
            Box::new(|m| p256_pair.sign(&rng, m).unwrap().as_ref().to_vec()),
            Box::new(|m, s| p256_public.verify(m, s).is_ok()),
        ),
        (
            "eddsa",
            &ed25519_key,
            &ed25519_verifying,
            Box::new(|m| ed25519_pair.sign(m).as_ref().to_vec()),
            Box::new(|m, s| ed25519_public.verify(m, s).is_ok()),
        ),
    ];
    for (name, key, verifying, raw_sign, raw_verify) in cases {
        let token = webtoken::encode(&header, &claims, key).unwrap();
        let (signing_input, signature) = token.rsplit_once('.').unwrap();
        let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        assert!(raw_verify(signing_input.as_bytes(), &signature));
        webtoken::decode::<Custom>(&token, verifying, &validation).unwrap();

        runner.pair(
            &format!("sign/{name}"),
            &mut || {
                black_box(webtoken::encode(black_box(&header), black_box(&claims), key).unwrap());
            },
            &mut || {
                black_box(raw_sign(black_box(signing_input.as_bytes())));
            },
        );
        runner.pair(
            &format!("verify/{name}"),
            &mut || {
                black_box(
                    webtoken::decode::<Custom>(black_box(&token), verifying, &validation).unwrap(),
                );
            },
            &mut || {
                assert!(raw_verify(black_box(signing_input.as_bytes()), &signature));
            },
        );
    }
}

/// ES512, ES256K and ML-DSA-44/65/87 (aws-lc-rs only): sign and verify through webtoken beside
/// aws-lc-rs's raw calls over the same signing input. The floors verify with a
/// `ParsedPublicKey` (the key parsed once), as webtoken does.
///
/// `verify/{alg}`'s floor Base64Url-decodes the token's signature segment (base64's
/// `URL_SAFE_NO_PAD`) before the raw verify: a hand-written verifier has the token, not the
/// signature's bytes, and an ML-DSA signature is 3.2-6.2 KB of Base64Url. The earlier floor,
/// the raw verify of bytes decoded once outside the loop, stays as `verify_predecoded/{alg}`
/// (its ratio also counts the decoding, and the header and claims, as webtoken's overhead).
#[cfg(feature = "aws-lc-rs")]
fn aws_lc_only(runner: &mut Runner<'_>) {
    let rng = SystemRandom::new();
    let claims = claims();
    let validation = validation();
    let header = Header::new();
    let mut cases: Vec<(&str, SigningKey, VerifyingKey, RawSign<'_>, RawVerify<'_>)> = Vec::new();
    for (name, signing, verification) in [
        (
            "es512",
            &sig::ECDSA_P521_SHA512_FIXED_SIGNING,
            &sig::ECDSA_P521_SHA512_FIXED,
        ),
        (
            "es256k",
            &sig::ECDSA_P256K1_SHA256_FIXED_SIGNING,
            &sig::ECDSA_P256K1_SHA256_FIXED,
        ),
    ] {
        let doc = sig::EcdsaKeyPair::generate_pkcs8(signing, &rng).unwrap();
        let pair = ecdsa_pair(signing, doc.as_ref());
        let public = sig::ParsedPublicKey::new(verification, pair.public_key().as_ref()).unwrap();
        let key = SigningKey::from_pkcs8_der(doc.as_ref(), None).unwrap();
        let verifying = key.verifying_key().unwrap();
        let rng = &rng;
        cases.push((
            name,
            key,
            verifying,
            Box::new(move |m| pair.sign(rng, m).unwrap().as_ref().to_vec()),
            Box::new(move |m, s| public.verify_sig(m, s).is_ok()),
        ));
    }
    for (name, signing, verification) in [
        ("ml-dsa-44", &sig::ML_DSA_44_SIGNING, &sig::ML_DSA_44),
        ("ml-dsa-65", &sig::ML_DSA_65_SIGNING, &sig::ML_DSA_65),
        ("ml-dsa-87", &sig::ML_DSA_87_SIGNING, &sig::ML_DSA_87),
    ] {
        let seed = [7u8; 32];
        let pair = sig::PqdsaKeyPair::from_seed(signing, &seed).unwrap();
        let public = sig::ParsedPublicKey::new(verification, pair.public_key().as_ref()).unwrap();
        let key = SigningKey::from_pkcs8_der(pair.to_pkcs8v1().unwrap().as_ref(), None).unwrap();
        let verifying = key.verifying_key().unwrap();
        cases.push((
            name,
            key,
            verifying,
            Box::new(move |m| {
                let mut out = vec![0; signing.signature_len()];
                pair.sign(m, &mut out).unwrap();
                out
            }),
            Box::new(move |m, s| public.verify_sig(m, s).is_ok()),
        ));
    }
    for (name, key, verifying, raw_sign, raw_verify) in &cases {
        let token = webtoken::encode(&header, &claims, key).unwrap();
        let (signing_input, encoded_signature) = token.rsplit_once('.').unwrap();
        let signature = URL_SAFE_NO_PAD.decode(encoded_signature).unwrap();
        assert!(raw_verify(signing_input.as_bytes(), &signature));
        webtoken::decode::<Custom>(&token, verifying, &validation).unwrap();
        runner.pair(
            &format!("sign/{name}"),
            &mut || {
                black_box(webtoken::encode(black_box(&header), black_box(&claims), key).unwrap());
            },
            &mut || {
                black_box(raw_sign(black_box(signing_input.as_bytes())));
            },
        );
        runner.pair(
            &format!("verify/{name}"),
            &mut || {
                black_box(
                    webtoken::decode::<Custom>(black_box(&token), verifying, &validation).unwrap(),
                );
            },
            &mut || {
                let signature = URL_SAFE_NO_PAD
                    .decode(black_box(encoded_signature))
                    .unwrap();
                assert!(raw_verify(black_box(signing_input.as_bytes()), &signature));
            },
        );
        runner.pair(
            &format!("verify_predecoded/{name}"),
            &mut || {
                black_box(
                    webtoken::decode::<Custom>(black_box(&token), verifying, &validation).unwrap(),
                );
            },
            &mut || {
                assert!(raw_verify(black_box(signing_input.as_bytes()), &signature));
            },
        );
    }
}

/// Header JSON of about `budget` bytes: `head`, then `item(i)` for i = 0, 1, … joined by
/// `sep` while they fit, then `tail`.
fn filled(
    budget: usize,
    head: &str,
    sep: &str,
    tail: &str,
    item: impl Fn(usize) -> String,
) -> String {
    let mut json = String::from(head);
    for i in 0.. {
        let next = item(i);
        if json.len() + sep.len() + next.len() + tail.len() > budget {
            break;
        }
        if i > 0 {
            json.push_str(sep);
        }
        json.push_str(&next);
    }
    json.push_str(tail);
    json
}

/// Hostile shapes of a 64 KiB HS256 token (the default size limit), each with a wrong
/// signature, beside a plain token of the same size: what an attacker can make webtoken do
/// before the signature check. Every one of them decodes to an error. Except for
/// `crit_names_48k`, the header is just under 16 KiB (webtoken's header limit) and a payload
/// pads the token to 64 KiB.
#[allow(clippy::too_many_lines)] // one table of shapes
fn hostile_tokens() -> Vec<(&'static str, String)> {
    const LIMIT: usize = 64 * 1024;
    // Header JSON that fits the limit with a `{}` payload and a 43-character signature.
    const BUDGET: usize = (LIMIT - 100) / 4 * 3;
    // Header JSON just under webtoken's header limit (`header::MAX_HEADER_BYTES`, 16 KiB): the
    // shapes below fill it, and a payload pads the token to 64 KiB.
    const HEADER: usize = 16 * 1024 - 64;
    let bad_signature = "A".repeat(43);
    let token = |header: &str, payload: &str| {
        let payload = if payload == "{}" {
            // Pad to the size limit: the payload is decoded (not parsed) before the signature.
            let room = (LIMIT - 100 - header.len().div_ceil(3) * 4) / 4 * 3;
            format!(r#"{{"pad":"{}"}}"#, "p".repeat(room.saturating_sub(12)))
        } else {
            payload.to_owned()
        };
        let t = format!(
            "{}.{}.{bad_signature}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(&payload)
        );
        assert!(t.len() <= LIMIT, "{} bytes", t.len());
        t
    };
    let plain_payload = format!(r#"{{"data":"{}"}}"#, "a".repeat(BUDGET - 60));
    let deep = |open: &str, close: &str, depth: usize| open.repeat(depth) + &close.repeat(depth);
    vec![
        (
            "plain",
            token(r#"{"alg":"HS256","typ":"JWT"}"#, &plain_payload),
        ),
        (
            // The original finding: ~7,600 distinct `crit` names in a 48 KiB header.
            "crit_names_48k",
            token(
                &filled(BUDGET, r#"{"alg":"HS256","crit":["#, ",", "]}", |i| {
                    format!("\"{i:x}\"")
                }),
                "{}",
            ),
        ),
        (
            "crit_names",
            token(
                &filled(HEADER, r#"{"alg":"HS256","crit":["#, ",", "]}", |i| {
                    format!("\"c{i}\"")
                }),
                "{}",
            ),
        ),
        (
            "crit_present",
            token(
                &{
                    // Two fifths of the budget list names in `crit`, the rest holds them.
                    let crit = filled(
                        HEADER * 2 / 5,
                        r#"{"alg":"HS256","crit":["#,
                        ",",
                        "]",
                        |i| format!("\"c{i}\""),
                    );
                    let n = crit.matches("\"c").count();
                    let mut h = crit;
                    for i in 0..n {
                        std::fmt::Write::write_fmt(&mut h, format_args!(",\"c{i}\":0")).unwrap();
                    }
                    h + "}"
                },
                "{}",
            ),
        ),
        (
            "many_members",
            token(
                &filled(HEADER, r#"{"alg":"HS256","#, ",", "}", |i| {
                    format!("\"m{i}\":0")
                }),
                "{}",
            ),
        ),
        (
            "escaped_members",
            token(
                &filled(HEADER, r#"{"alg":"HS256","#, ",", "}", |i| {
                    format!("\"\\u006d{i}\":0")
                }),
                "{}",
            ),
        ),
        (
            "deep_objects",
            token(
                &filled(HEADER, r#"{"alg":"HS256","#, ",", "}", |i| {
                    format!("\"d{i}\":{}0{}", "{\"a\":".repeat(100), "}".repeat(100))
                }),
                "{}",
            ),
        ),
        (
            "nested_arrays",
            token(
                &filled(HEADER, r#"{"alg":"HS256","#, ",", "}", |i| {
                    format!("\"n{i}\":{}", deep("[", "]", 100))
                }),
                "{}",
            ),
        ),
        (
            "many_arrays",
            token(
                &filled(HEADER, r#"{"alg":"HS256","x":["#, ",", "]}", |_| {
                    "[]".to_string()
                }),
                "{}",
            ),
        ),
        (
            "long_kid",
            token(
                &format!(r#"{{"alg":"HS256","kid":"{}"}}"#, "k".repeat(HEADER - 30)),
                "{}",
            ),
        ),
        (
            "escaped_kid",
            token(
                &format!(
                    r#"{{"alg":"HS256","kid":"{}"}}"#,
                    "\\u006b".repeat((HEADER - 30) / 6)
                ),
                "{}",
            ),
        ),
        (
            "long_name",
            token(
                &format!(r#"{{"alg":"HS256","{}":0}}"#, "n".repeat(HEADER - 30)),
                "{}",
            ),
        ),
        (
            "long_number",
            token(
                &format!(r#"{{"alg":"HS256","x":{}}}"#, "1".repeat(HEADER - 30)),
                "{}",
            ),
        ),
        (
            "long_crit_name",
            token(
                &format!(
                    r#"{{"alg":"HS256","crit":["{}"]}}"#,
                    "c".repeat(HEADER - 30)
                ),
                "{}",
            ),
        ),
        (
            "kid_object",
            token(
                &filled(HEADER, r#"{"alg":"HS256","kid":{"#, ",", "}}", |i| {
                    format!("\"k{i}\":0")
                }),
                "{}",
            ),
        ),
    ]
}

/// Hostile 64 KiB shapes, each decoded to its error (see [`hostile_tokens`]).
fn hostile(c: &mut Criterion) {
    let verifying = VerifyingKey::hmac(SECRET, Algorithm::Hs256).unwrap();
    let validation = validation();
    let mut g = c.benchmark_group("hostile64k");
    for (name, token) in hostile_tokens() {
        let err = webtoken::decode::<Custom>(&token, &verifying, &validation).unwrap_err();
        eprintln!(
            "{name:16} {:>6} bytes -> {:?}: {} message bytes",
            token.len(),
            err.kind(),
            err.to_string().len()
        );
        g.bench_function(name, |b| {
            b.iter(|| {
                webtoken::decode::<Custom>(black_box(&token), &verifying, &validation).unwrap_err()
            });
        });
    }
    g.finish();
}

/// Where each webtoken/floor pair goes: two criterion benchmarks in one group, or the paired
/// runner.
enum Runner<'c> {
    Criterion(&'c mut Criterion),
    Paired,
}

impl Runner<'_> {
    fn pair(&mut self, group: &str, webtoken: &mut dyn FnMut(), floor: &mut dyn FnMut()) {
        match self {
            Self::Criterion(c) => {
                let mut g = c.benchmark_group(group);
                g.bench_function("webtoken", |b| b.iter(&mut *webtoken));
                g.bench_function("floor", |b| b.iter(&mut *floor));
                g.finish();
            }
            Self::Paired => print_paired(group, webtoken, floor),
        }
    }
}

include!("common/claims.rs");
include!("common/paired.rs");

/// Prints a paired run of webtoken against its floor.
fn print_paired(group: &str, webtoken: &mut dyn FnMut(), floor: &mut dyn FnMut()) {
    let p = paired(webtoken, floor);
    println!(
        "{group:24} webtoken {:>12}  floor {:>12}  webtoken/floor {:.3} (quartiles {:.3}-{:.3})",
        micros(p.first),
        micros(p.second),
        p.ratio,
        p.ratio_q1,
        p.ratio_q3,
    );
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

/// `cargo bench -p webtoken-benches --bench jwt` runs criterion (its arguments, such as a filter,
/// work as usual); with `WEBTOKEN_PAIRED=1` set, the same pairs go through the paired runner
/// instead.
fn main() {
    if std::env::var_os("WEBTOKEN_PAIRED").is_some() {
        println!(
            "paired: {PAIRED_ROUNDS} rounds of ~{PAIRED_BLOCK:?} per side; median of webtoken/floor per round"
        );
        hs256(&mut Runner::Paired);
        asymmetric(&mut Runner::Paired);
        #[cfg(feature = "aws-lc-rs")]
        aws_lc_only(&mut Runner::Paired);
        return;
    }
    let mut c = config().configure_from_args();
    hs256(&mut Runner::Criterion(&mut c));
    base64url(&mut c);
    hostile(&mut c);
    asymmetric(&mut Runner::Criterion(&mut c));
    #[cfg(feature = "aws-lc-rs")]
    aws_lc_only(&mut Runner::Criterion(&mut c));
    c.final_summary();
}
