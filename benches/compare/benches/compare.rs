//! The same HS256 workload through every crate, in one criterion run: sign the typical claims
//! `{"sub","name","iss","aud","iat","exp","roles":[..]}`, and verify (signature, `exp`, `iss`,
//! `aud`) into a typed struct. Before measuring, every crate's token is checked to verify in
//! every other crate, so that no crate is measured doing less work.
//!
//! The asymmetric groups (`rs256_*`, `es256_*`, `eddsa_*`) run the same claims through every
//! crate that supports the algorithm, with the keys of `tests/data/keys` (RSA 2048, P-256,
//! Ed25519) parsed once, before anything is timed. webtoken runs them on ring, or on aws-lc-rs
//! with this package's `aws-lc-rs` feature: one backend per build, so two runs, each saved as a
//! criterion baseline named after the backend (see the README), which `table.sh` merges.
//!
//! Run from `benches/compare`: `cargo bench -- --warm-up-time 1 --measurement-time 3`, then
//! `sh table.sh` prints the medians and ratios; `WEBTOKEN_PAIRED=1 cargo bench` times every peer
//! against webtoken interleaved instead and prints the table itself.

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::Criterion;
use serde::{Deserialize, Serialize};

use jsonwebtoken_aws_lc as jwt_aws;
use jsonwebtoken_rust_crypto as jwt_rc;
use jwt_compact::AlgorithmExt as _;
use jwt_simple::prelude::MACLike as _;

const SECRET: &[u8; 32] = b"bench secret of thirty-two bytes";
const ISS: &str = "https://id.example.com";
const AUD: &str = "https://api.example.com";
const SUB: &str = "user-1234567890";

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// The application's claims next to the registered ones (webtoken, jwt-simple).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
struct Custom {
    name: String,
    roles: Vec<String>,
}

fn custom() -> Custom {
    Custom {
        name: "Ada Lovelace".into(),
        roles: vec!["admin".into(), "billing".into(), "support".into()],
    }
}

/// The whole claims set as one struct (jsonwebtoken).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
struct Full {
    iss: String,
    sub: String,
    aud: String,
    exp: i64,
    iat: i64,
    name: String,
    roles: Vec<String>,
}

/// What jwt-compact's `Claims<T>` leaves to `T` (it types only `exp`, `nbf`, `iat`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
struct CompactCustom {
    iss: String,
    sub: String,
    aud: String,
    name: String,
    roles: Vec<String>,
}

struct Crates {
    webtoken_sign: webtoken::SigningKey,
    webtoken_verify: webtoken::VerifyingKey,
    webtoken_validation: webtoken::Validation,
    webtoken_claims: webtoken::Claims<Custom>,
    rc_encoding: jwt_rc::EncodingKey,
    rc_decoding: jwt_rc::DecodingKey,
    rc_validation: jwt_rc::Validation,
    aws_encoding: jwt_aws::EncodingKey,
    aws_decoding: jwt_aws::DecodingKey,
    aws_validation: jwt_aws::Validation,
    full: Full,
    simple_key: jwt_simple::prelude::HS256Key,
    simple_options: jwt_simple::prelude::VerificationOptions,
    compact_key: jwt_compact::alg::Hs256Key,
    compact_time: jwt_compact::TimeOptions,
    compact_claims: jwt_compact::Claims<CompactCustom>,
}

impl Crates {
    fn new() -> Self {
        let now = now();
        let mut rc_validation = jwt_rc::Validation::new(jwt_rc::Algorithm::HS256);
        rc_validation.set_issuer(&[ISS]);
        rc_validation.set_audience(&[AUD]);
        let mut aws_validation = jwt_aws::Validation::new(jwt_aws::Algorithm::HS256);
        aws_validation.set_issuer(&[ISS]);
        aws_validation.set_audience(&[AUD]);
        let simple_options = jwt_simple::prelude::VerificationOptions {
            allowed_issuers: Some(HashSet::from([ISS.to_owned()])),
            allowed_audiences: Some(HashSet::from([AUD.to_owned()])),
            ..Default::default()
        };
        let compact_time = jwt_compact::TimeOptions::default();
        let mut compact_claims = jwt_compact::Claims::new(CompactCustom {
            iss: ISS.into(),
            sub: SUB.into(),
            aud: AUD.into(),
            name: custom().name,
            roles: custom().roles,
        });
        compact_claims.issued_at = chrono::DateTime::from_timestamp(now, 0);
        compact_claims.expiration = chrono::DateTime::from_timestamp(now + 900, 0);
        Self {
            webtoken_sign: webtoken::SigningKey::hmac(SECRET, webtoken::Algorithm::Hs256).unwrap(),
            webtoken_verify: webtoken::VerifyingKey::hmac(SECRET, webtoken::Algorithm::Hs256)
                .unwrap(),
            webtoken_validation: webtoken::Validation::new()
                .with_issuer(ISS)
                .with_audience(AUD),
            webtoken_claims: webtoken::Claims::new(custom())
                .with_issuer(ISS)
                .with_subject(SUB)
                .with_audience(AUD)
                .with_issued_at(webtoken::NumericDate::from_secs(now))
                .with_expires_at(webtoken::NumericDate::from_secs(now + 900)),
            rc_encoding: jwt_rc::EncodingKey::from_secret(SECRET),
            rc_decoding: jwt_rc::DecodingKey::from_secret(SECRET),
            rc_validation,
            aws_encoding: jwt_aws::EncodingKey::from_secret(SECRET),
            aws_decoding: jwt_aws::DecodingKey::from_secret(SECRET),
            aws_validation,
            full: Full {
                iss: ISS.into(),
                sub: SUB.into(),
                aud: AUD.into(),
                exp: now + 900,
                iat: now,
                name: custom().name,
                roles: custom().roles,
            },
            simple_key: jwt_simple::prelude::HS256Key::from_bytes(SECRET),
            simple_options,
            compact_key: jwt_compact::alg::Hs256Key::new(SECRET),
            compact_time,
            compact_claims,
        }
    }

    fn sign_webtoken(&self) -> String {
        webtoken::encode(
            &webtoken::Header::new(),
            &self.webtoken_claims,
            &self.webtoken_sign,
        )
        .unwrap()
    }

    fn sign_rust_crypto(&self) -> String {
        jwt_rc::encode(
            &jwt_rc::Header::new(jwt_rc::Algorithm::HS256),
            &self.full,
            &self.rc_encoding,
        )
        .unwrap()
    }

    fn sign_aws_lc(&self) -> String {
        jwt_aws::encode(
            &jwt_aws::Header::new(jwt_aws::Algorithm::HS256),
            &self.full,
            &self.aws_encoding,
        )
        .unwrap()
    }

    fn sign_simple(&self) -> String {
        let claims = jwt_simple::prelude::Claims::with_custom_claims(
            custom(),
            jwt_simple::prelude::Duration::from_secs(900),
        )
        .with_issuer(ISS)
        .with_subject(SUB)
        .with_audience(AUD);
        self.simple_key.authenticate(claims).unwrap()
    }

    fn sign_compact(&self) -> String {
        jwt_compact::alg::Hs256
            .token(
                &jwt_compact::Header::empty().with_token_type("JWT"),
                &self.compact_claims,
                &self.compact_key,
            )
            .unwrap()
    }

    /// Each verifier returns the typed claims' `name` and `roles` after checking the signature,
    /// `exp`, `iss` and `aud`.
    fn verify_webtoken(&self, token: &str) -> Option<(String, Vec<String>)> {
        let token =
            webtoken::decode::<Custom>(token, &self.webtoken_verify, &self.webtoken_validation)
                .ok()?;
        let c = token.into_claims().custom;
        Some((c.name, c.roles))
    }

    fn verify_rust_crypto(&self, token: &str) -> Option<(String, Vec<String>)> {
        let data = jwt_rc::decode::<Full>(token, &self.rc_decoding, &self.rc_validation).ok()?;
        Some((data.claims.name, data.claims.roles))
    }

    fn verify_aws_lc(&self, token: &str) -> Option<(String, Vec<String>)> {
        let data = jwt_aws::decode::<Full>(token, &self.aws_decoding, &self.aws_validation).ok()?;
        Some((data.claims.name, data.claims.roles))
    }

    fn verify_simple(&self, token: &str) -> Option<(String, Vec<String>)> {
        let claims = self
            .simple_key
            .verify_token::<Custom>(token, Some(self.simple_options.clone()))
            .ok()?;
        Some((claims.custom.name, claims.custom.roles))
    }

    fn verify_compact(&self, token: &str) -> Option<(String, Vec<String>)> {
        compact_verify(
            &jwt_compact::alg::Hs256,
            &self.compact_key,
            &self.compact_time,
            token,
        )
    }
}

type Sign = fn(&Crates) -> String;
type Verify = fn(&Crates, &str) -> Option<(String, Vec<String>)>;

const CRATES: [(&str, Sign, Verify); 5] = [
    ("webtoken", Crates::sign_webtoken, Crates::verify_webtoken),
    (
        "jsonwebtoken_rust_crypto",
        Crates::sign_rust_crypto,
        Crates::verify_rust_crypto,
    ),
    (
        "jsonwebtoken_aws_lc_rs",
        Crates::sign_aws_lc,
        Crates::verify_aws_lc,
    ),
    (
        "jwt_simple_pure_rust",
        Crates::sign_simple,
        Crates::verify_simple,
    ),
    ("jwt_compact", Crates::sign_compact, Crates::verify_compact),
];

/// `token` with the character at `at` changed to another Base64Url character.
fn tamper(token: &str, at: usize) -> String {
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

/// Every crate's token verifies in every crate, and a token with a flipped signature bit
/// verifies in none: nobody is measured doing less work.
fn cross_check(crates: &Crates) {
    let expected = (custom().name, custom().roles);
    for (signer, sign, _) in CRATES {
        let token = sign(crates);
        let tampered = tamper(&token, token.len() - 2);
        for (verifier, _, verify) in CRATES {
            assert_eq!(
                verify(crates, &token).as_ref(),
                Some(&expected),
                "{verifier} rejects {signer}'s token {token}"
            );
            assert!(
                verify(crates, &tampered).is_none(),
                "{verifier} accepts a tampered {signer} token"
            );
        }
        eprintln!(
            "{signer}: {} byte token verifies in every crate",
            token.len()
        );
    }
}

/// `name` and `roles`, borrowed from the payload.
#[derive(Deserialize)]
struct BorrowedCustom<'a> {
    name: &'a str,
    roles: Vec<&'a str>,
}

/// `Crates::verify_webtoken` through `decode_borrowed`: the same checks; the claims borrow from
/// `buffer`, reused across calls. Returns the number of roles and the name's length, so nothing
/// is copied out.
fn verify_webtoken_borrowed(
    crates: &Crates,
    token: &str,
    buffer: &mut Vec<u8>,
) -> Option<(usize, usize)> {
    let token = webtoken::decode_borrowed::<BorrowedCustom<'_>>(
        token,
        &crates.webtoken_verify,
        &crates.webtoken_validation,
        buffer,
    )
    .ok()?;
    let custom = &token.claims().custom;
    Some((custom.name.len(), custom.roles.len()))
}

/// The borrowed verifier accepts every crate's token with the expected claims and rejects a
/// tampered one.
fn check_borrowed(crates: &Crates, token: &str, buffer: &mut Vec<u8>) {
    let expected = custom();
    for (signer, sign, _) in CRATES {
        let token = sign(crates);
        let decoded = webtoken::decode_borrowed::<BorrowedCustom<'_>>(
            &token,
            &crates.webtoken_verify,
            &crates.webtoken_validation,
            buffer,
        )
        .unwrap_or_else(|e| panic!("webtoken_borrowed rejects {signer}'s token: {e}"));
        assert_eq!(decoded.claims().custom.name, expected.name);
        assert_eq!(decoded.claims().custom.roles, expected.roles);
    }
    let tampered = tamper(token, token.len() - 2);
    assert!(verify_webtoken_borrowed(crates, &tampered, buffer).is_none());
}

type Verified = Option<(String, Vec<String>)>;

/// One crate's way to sign the workload's claims and to verify a token into them, for one
/// algorithm, with its keys already parsed.
struct Asym<'a> {
    name: &'static str,
    sign: Box<dyn Fn() -> String + 'a>,
    verify: Box<dyn Fn(&str) -> Verified + 'a>,
}

const KEYS: &str = "../../tests/data/keys";

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!("{KEYS}/{name}")).unwrap()
}

/// The webtoken side, whichever backend this build has.
fn webtoken_asym<'a>(
    w: &'a Crates,
    alg: webtoken::Algorithm,
    private: &str,
    public: &str,
) -> Asym<'a> {
    let sign = webtoken::SigningKey::from_pem(&key_file(private), Some(alg)).unwrap();
    let verify = webtoken::VerifyingKey::from_pem(&key_file(public), Some(alg)).unwrap();
    Asym {
        name: "webtoken",
        sign: Box::new(move || {
            webtoken::encode(&webtoken::Header::new(), &w.webtoken_claims, &sign).unwrap()
        }),
        verify: Box::new(move |token| {
            let token = webtoken::decode::<Custom>(token, &verify, &w.webtoken_validation).ok()?;
            let c = token.into_claims().custom;
            Some((c.name, c.roles))
        }),
    }
}

/// Both jsonwebtoken backends: the same calls, two crates.
macro_rules! jsonwebtoken_asym {
    ($w:expr, $krate:ident, $name:literal, $alg:ident, $enc:ident, $dec:ident, $private:literal, $public:literal) => {{
        let w: &Crates = $w;
        let encoding = $krate::EncodingKey::$enc(key_file($private).as_bytes()).unwrap();
        let decoding = $krate::DecodingKey::$dec(key_file($public).as_bytes()).unwrap();
        let mut validation = $krate::Validation::new($krate::Algorithm::$alg);
        validation.set_issuer(&[ISS]);
        validation.set_audience(&[AUD]);
        let header = $krate::Header::new($krate::Algorithm::$alg);
        Asym {
            name: $name,
            sign: Box::new(move || $krate::encode(&header, &w.full, &encoding).unwrap()),
            verify: Box::new(move |token| {
                let data = $krate::decode::<Full>(token, &decoding, &validation).ok()?;
                Some((data.claims.name, data.claims.roles))
            }),
        }
    }};
}

/// jwt-simple's three key-pair types have the same shape under three traits.
macro_rules! jwt_simple_asym {
    ($w:expr, $pair:ident, $public_type:ident, $private:literal, $public:literal) => {{
        let w: &Crates = $w;
        let pair = jwt_simple::prelude::$pair::from_pem(&key_file($private)).unwrap();
        let public = jwt_simple::prelude::$public_type::from_pem(&key_file($public)).unwrap();
        Asym {
            name: "jwt_simple_pure_rust",
            sign: Box::new(move || pair.sign(simple_claims()).unwrap()),
            verify: Box::new(move |token| {
                let claims = public
                    .verify_token::<Custom>(token, Some(w.simple_options.clone()))
                    .ok()?;
                Some((claims.custom.name, claims.custom.roles))
            }),
        }
    }};
}

fn simple_claims() -> jwt_simple::prelude::JWTClaims<Custom> {
    jwt_simple::prelude::Claims::with_custom_claims(
        custom(),
        jwt_simple::prelude::Duration::from_secs(900),
    )
    .with_issuer(ISS)
    .with_subject(SUB)
    .with_audience(AUD)
}

/// jwt-compact's verification: signature, `exp`, then `iss`/`aud` by hand (its `Claims`
/// types only `exp`/`nbf`/`iat`).
fn compact_verify<A: jwt_compact::Algorithm>(
    alg: &A,
    key: &A::VerifyingKey,
    time: &jwt_compact::TimeOptions,
    token: &str,
) -> Verified {
    let untrusted = jwt_compact::UntrustedToken::new(token).ok()?;
    let token = alg
        .validator::<CompactCustom>(key)
        .validate(&untrusted)
        .ok()?;
    let claims = token.claims();
    claims.validate_expiration(time).ok()?;
    let custom = &claims.custom;
    if custom.iss != ISS || custom.aud != AUD {
        return None;
    }
    let (_, claims) = token.into_parts();
    Some((claims.custom.name, claims.custom.roles))
}

/// jwt-compact over any of its algorithms; `iss`/`aud` checked by hand as for HS256.
fn jwt_compact_asym<'a, A>(
    w: &'a Crates,
    alg: A,
    sign: A::SigningKey,
    verify: A::VerifyingKey,
) -> Asym<'a>
where
    A: jwt_compact::Algorithm + 'a,
    A::SigningKey: 'a,
    A::VerifyingKey: 'a,
{
    let alg = std::rc::Rc::new(alg);
    let verify_alg = std::rc::Rc::clone(&alg);
    Asym {
        name: "jwt_compact",
        sign: Box::new(move || {
            alg.token(
                &jwt_compact::Header::empty().with_token_type("JWT"),
                &w.compact_claims,
                &sign,
            )
            .unwrap()
        }),
        verify: Box::new(move |token| {
            compact_verify(&*verify_alg, &verify, &w.compact_time, token)
        }),
    }
}

/// Every crate for one asymmetric algorithm, keys parsed here, once.
fn asymmetric(w: &Crates) -> Vec<(&'static str, Vec<Asym<'_>>)> {
    use jwt_simple::prelude::{
        ECDSAP256KeyPairLike as _, ECDSAP256PublicKeyLike as _, EdDSAKeyPairLike as _,
        EdDSAPublicKeyLike as _, RSAKeyPairLike as _, RSAPublicKeyLike as _,
    };
    use rsa::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};

    let rs256 = vec![
        webtoken_asym(
            w,
            webtoken::Algorithm::Rs256,
            "rsa2048.pkcs8.pem",
            "rsa2048.spki.pem",
        ),
        jsonwebtoken_asym!(
            w,
            jwt_rc,
            "jsonwebtoken_rust_crypto",
            RS256,
            from_rsa_pem,
            from_rsa_pem,
            "rsa2048.pkcs8.pem",
            "rsa2048.spki.pem"
        ),
        jsonwebtoken_asym!(
            w,
            jwt_aws,
            "jsonwebtoken_aws_lc_rs",
            RS256,
            from_rsa_pem,
            from_rsa_pem,
            "rsa2048.pkcs8.pem",
            "rsa2048.spki.pem"
        ),
        jwt_simple_asym!(
            w,
            RS256KeyPair,
            RS256PublicKey,
            "rsa2048.pkcs8.pem",
            "rsa2048.spki.pem"
        ),
        jwt_compact_asym(
            w,
            jwt_compact::alg::Rsa::rs256(),
            rsa::RsaPrivateKey::from_pkcs8_pem(&key_file("rsa2048.pkcs8.pem")).unwrap(),
            rsa::RsaPublicKey::from_public_key_pem(&key_file("rsa2048.spki.pem")).unwrap(),
        ),
    ];
    let es256 = vec![
        webtoken_asym(
            w,
            webtoken::Algorithm::Es256,
            "p256.pkcs8.pem",
            "p256.spki.pem",
        ),
        jsonwebtoken_asym!(
            w,
            jwt_rc,
            "jsonwebtoken_rust_crypto",
            ES256,
            from_ec_pem,
            from_ec_pem,
            "p256.pkcs8.pem",
            "p256.spki.pem"
        ),
        jsonwebtoken_asym!(
            w,
            jwt_aws,
            "jsonwebtoken_aws_lc_rs",
            ES256,
            from_ec_pem,
            from_ec_pem,
            "p256.pkcs8.pem",
            "p256.spki.pem"
        ),
        jwt_simple_asym!(
            w,
            ES256KeyPair,
            ES256PublicKey,
            "p256.pkcs8.pem",
            "p256.spki.pem"
        ),
        jwt_compact_asym(
            w,
            jwt_compact::alg::Es256,
            p256::ecdsa::SigningKey::from_pkcs8_pem(&key_file("p256.pkcs8.pem")).unwrap(),
            p256::ecdsa::VerifyingKey::from_public_key_pem(&key_file("p256.spki.pem")).unwrap(),
        ),
    ];
    let eddsa = vec![
        webtoken_asym(
            w,
            webtoken::Algorithm::EdDsa,
            "ed25519.pkcs8.pem",
            "ed25519.spki.pem",
        ),
        jsonwebtoken_asym!(
            w,
            jwt_rc,
            "jsonwebtoken_rust_crypto",
            EdDSA,
            from_ed_pem,
            from_ed_pem,
            "ed25519.pkcs8.pem",
            "ed25519.spki.pem"
        ),
        jsonwebtoken_asym!(
            w,
            jwt_aws,
            "jsonwebtoken_aws_lc_rs",
            EdDSA,
            from_ed_pem,
            from_ed_pem,
            "ed25519.pkcs8.pem",
            "ed25519.spki.pem"
        ),
        jwt_simple_asym!(
            w,
            Ed25519KeyPair,
            Ed25519PublicKey,
            "ed25519.pkcs8.pem",
            "ed25519.spki.pem"
        ),
        jwt_compact_asym(
            w,
            jwt_compact::alg::Ed25519,
            ed25519_dalek::SigningKey::from_pkcs8_pem(&key_file("ed25519.pkcs8.pem")).unwrap(),
            ed25519_dalek::VerifyingKey::from_public_key_pem(&key_file("ed25519.spki.pem"))
                .unwrap(),
        ),
    ];
    vec![("rs256", rs256), ("es256", es256), ("eddsa", eddsa)]
}

/// The HS256 check for one asymmetric algorithm: every token verifies everywhere, a tampered
/// one nowhere. The tampering changes a signature character in the middle, which for RSA and
/// for ECDSA's `r || s` changes the value (the last character may hold only padding bits).
fn cross_check_asym(alg: &str, crates: &[Asym<'_>]) {
    let expected = (custom().name, custom().roles);
    for signer in crates {
        let token = (signer.sign)();
        let header: serde_json::Value =
            serde_json::from_slice(&base64_url_decode(token.split('.').next().unwrap())).unwrap();
        assert_eq!(
            header["alg"].as_str().unwrap().to_ascii_lowercase(),
            alg,
            "{} signs with {header}",
            signer.name
        );
        let signature_start = token.rfind('.').unwrap() + 1;
        let tampered = tamper(
            &token,
            signature_start + (token.len() - signature_start) / 2,
        );
        for verifier in crates {
            assert_eq!(
                (verifier.verify)(&token).as_ref(),
                Some(&expected),
                "{alg}: {} rejects {}'s token {token}",
                verifier.name,
                signer.name
            );
            assert!(
                (verifier.verify)(&tampered).is_none(),
                "{alg}: {} accepts a tampered {} token",
                verifier.name,
                signer.name
            );
        }
        eprintln!(
            "{alg} {}: {} byte token verifies in every crate, tampered in none",
            signer.name,
            token.len()
        );
    }
}

fn base64_url_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    out
}

/// Checks that every crate's tokens verify in every other, then runs the workload through
/// criterion, or, without `criterion`, through the paired runner.
fn compare(criterion: Option<&mut Criterion>) {
    eprintln!("webtoken backend: {}", webtoken::keys::BACKEND);
    assert_eq!(
        webtoken::keys::BACKEND,
        if cfg!(feature = "aws-lc-rs") {
            "aws-lc-rs"
        } else {
            "ring"
        },
        "webtoken's backend is not the one this package's features name"
    );
    let crates = Crates::new();
    cross_check(&crates);
    let asym = asymmetric(&crates);
    for (alg, impls) in &asym {
        cross_check_asym(alg, impls);
    }
    let Some(c) = criterion else {
        compare_paired(&crates, &asym);
        return;
    };

    let mut g = c.benchmark_group("hs256_sign");
    for (name, sign, _) in CRATES {
        g.bench_function(name, |b| b.iter(|| sign(black_box(&crates))));
    }
    g.finish();

    let token = crates.sign_webtoken();
    let mut buffer = Vec::new();
    check_borrowed(&crates, &token, &mut buffer);
    let mut g = c.benchmark_group("hs256_verify");
    for (name, _, verify) in CRATES {
        g.bench_function(name, |b| {
            b.iter(|| verify(&crates, black_box(&token)).unwrap());
        });
    }
    // The same verification into a claim type that borrows from the payload, which only
    // webtoken offers (`decode_borrowed`; every peer requires `DeserializeOwned`).
    g.bench_function("webtoken_borrowed", |b| {
        b.iter(|| verify_webtoken_borrowed(&crates, black_box(&token), &mut buffer).unwrap());
    });
    g.finish();

    for (alg, impls) in &asym {
        let mut g = c.benchmark_group(format!("{alg}_sign"));
        for imp in impls {
            g.bench_function(imp.name, |b| b.iter(|| (imp.sign)()));
        }
        g.finish();

        let token = (impls[0].sign)();
        let mut g = c.benchmark_group(format!("{alg}_verify"));
        for imp in impls {
            g.bench_function(imp.name, |b| {
                b.iter(|| (imp.verify)(black_box(&token)).unwrap());
            });
        }
        g.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

include!("../../common/paired.rs");

/// One row of the paired table: `peer` against webtoken's `ours`, interleaved.
fn paired_row(operation: &str, peer: &str, run_peer: &mut dyn FnMut(), ours: &mut dyn FnMut()) {
    let p = paired(run_peer, ours);
    println!(
        "| {operation} | {peer} | {} | {} | {:.2} | {:.2}-{:.2} |",
        micros(p.first),
        micros(p.second),
        p.ratio,
        p.ratio_q1,
        p.ratio_q3
    );
}

/// Every peer against webtoken, each pair timed interleaved ([`paired`]), as a Markdown table
/// of the median per-round ratio peer/webtoken. `decode_borrowed` is set against every peer
/// too, in its own rows.
fn compare_paired(crates: &Crates, asym: &[(&'static str, Vec<Asym<'_>>)]) {
    println!(
        "paired: {PAIRED_ROUNDS} rounds of ~{PAIRED_BLOCK:?} per side, webtoken on {}",
        webtoken::keys::BACKEND
    );
    println!("| operation | crate | its median | webtoken's median | x webtoken | quartiles |");
    println!("|---|---|---|---|---|---|");
    let (ours_name, sign_ours, verify_ours) = CRATES[0];
    assert_eq!(ours_name, "webtoken");
    let token = crates.sign_webtoken();
    let mut buffer = Vec::new();
    check_borrowed(crates, &token, &mut buffer);
    for (name, sign, _) in &CRATES[1..] {
        paired_row(
            "hs256_sign",
            name,
            &mut || {
                black_box(sign(black_box(crates)));
            },
            &mut || {
                black_box(sign_ours(black_box(crates)));
            },
        );
    }
    for (name, _, verify) in &CRATES[1..] {
        paired_row(
            "hs256_verify",
            name,
            &mut || {
                black_box(verify(crates, black_box(&token)).unwrap());
            },
            &mut || {
                black_box(verify_ours(crates, black_box(&token)).unwrap());
            },
        );
    }
    for (name, _, verify) in &CRATES[1..] {
        paired_row(
            "hs256_verify (webtoken_borrowed)",
            name,
            &mut || {
                black_box(verify(crates, black_box(&token)).unwrap());
            },
            &mut || {
                black_box(
                    verify_webtoken_borrowed(crates, black_box(&token), &mut buffer).unwrap(),
                );
            },
        );
    }
    for (alg, impls) in asym {
        let (ours, peers) = impls.split_first().unwrap();
        assert_eq!(ours.name, "webtoken");
        for peer in peers {
            paired_row(
                &format!("{alg}_sign"),
                peer.name,
                &mut || {
                    black_box((peer.sign)());
                },
                &mut || {
                    black_box((ours.sign)());
                },
            );
        }
        let token = (ours.sign)();
        for peer in peers {
            paired_row(
                &format!("{alg}_verify"),
                peer.name,
                &mut || {
                    black_box((peer.verify)(black_box(&token)).unwrap());
                },
                &mut || {
                    black_box((ours.verify)(black_box(&token)).unwrap());
                },
            );
        }
    }
}

/// `cargo bench` runs criterion (its arguments work as usual); with `WEBTOKEN_PAIRED=1` set,
/// every peer is timed against webtoken interleaved instead, which this shared host needs for
/// ratios it can repeat.
fn main() {
    if std::env::var_os("WEBTOKEN_PAIRED").is_some() {
        compare(None);
        return;
    }
    let mut c = config().configure_from_args();
    compare(Some(&mut c));
    c.final_summary();
}
