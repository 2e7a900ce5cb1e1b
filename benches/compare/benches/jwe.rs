//! JWE through webtoken, josekit and jwt-simple (feature `jwe`): encrypt the typical claims
//! `{"iss","sub","aud","iat","exp","name","roles":[..]}` into a compact JWE, and decrypt one
//! (key management, content decryption, `exp`, `iss`, `aud`) into a typed struct.
//!
//! Pairs (every key from `tests/data/keys`, read and parsed once before anything is timed):
//! `dir` + `A256GCM`, `ECDH-ES` (P-256) + `A256GCM` and `RSA-OAEP-256` (RSA 2048) + `A256GCM`
//! with webtoken and josekit (jwt-simple has none of the three), and `A256KW` + `A256GCM`,
//! `ECDH-ES+A256KW` (P-256) + `A256GCM` and `RSA-OAEP` + `A256GCM` with all three. Before
//! anything is timed, every crate's token decrypts in every other crate of its row, and a
//! token with a changed tag character is refused by each, so no crate is measured doing less.
//!
//! Each crate does what its API needs for typed claims: webtoken borrows the claims and a
//! `Validation`; josekit takes a `JwtPayload` (built from the typed claims through
//! `serde_json::Value` on each call), validates it with a `JwtPayloadValidator` and is turned
//! back into the typed struct; jwt-simple takes its `JWTClaims` and `DecryptionOptions` by
//! value (one clone each per call).
//!
//! Run from `benches/compare`: `WEBTOKEN_PAIRED=1 cargo bench --features jwe --bench jwe`
//! (every peer against webtoken, interleaved; prints a Markdown table), or without the
//! variable for criterion (`jwe_{encrypt,decrypt}/{pair}/{crate}`).

#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::Criterion;
use josekit::jwe::{JweDecrypter, JweEncrypter};
use serde::{Deserialize, Serialize};
use webtoken::jwe::{
    ContentEncryption, DecryptOptions, DecryptingKey, EncryptingKey, KeyAlgorithm,
};

const ISS: &str = "https://id.example.com";
const AUD: &str = "https://api.example.com";
const SUB: &str = "user-1234567890";
const KEYS: &str = "../../tests/data/keys";
const SECRET: &[u8; 32] = b"jwe bench secret, 32 bytes long!";

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn key_file(name: &str) -> String {
    std::fs::read_to_string(format!("{KEYS}/{name}")).unwrap()
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

/// The whole claims set as one struct (josekit).
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

type Encrypt<'a> = Box<dyn Fn() -> String + 'a>;
type Decrypt<'a> = Box<dyn Fn(&str) -> Result<String, String> + 'a>;

/// One crate's side of a row: encrypt the claims, decrypt a token to the claims' `name`.
struct Side<'a> {
    name: &'static str,
    encrypt: Encrypt<'a>,
    decrypt: Decrypt<'a>,
}

/// The shared state of every closure: claims and validations, built once.
struct Fixture {
    webtoken_claims: webtoken::Claims<Custom>,
    validation: webtoken::Validation,
    options: DecryptOptions,
    full: Full,
    simple_options: jwt_simple::prelude::DecryptionOptions,
}

impl Fixture {
    fn new() -> Self {
        let now = now();
        Self {
            webtoken_claims: webtoken::Claims::new(custom())
                .with_issuer(ISS)
                .with_subject(SUB)
                .with_audience(AUD)
                .with_issued_at(webtoken::NumericDate::from_secs(now))
                .with_expires_at(webtoken::NumericDate::from_secs(now + 900)),
            validation: webtoken::Validation::new()
                .with_issuer(ISS)
                .with_audience(AUD),
            options: DecryptOptions::new(),
            full: Full {
                iss: ISS.into(),
                sub: SUB.into(),
                aud: AUD.into(),
                exp: now + 900,
                iat: now,
                name: custom().name,
                roles: custom().roles,
            },
            simple_options: jwt_simple::prelude::DecryptionOptions {
                claim_options: Some(jwt_simple::prelude::VerificationOptions {
                    allowed_issuers: Some(HashSet::from([ISS.to_owned()])),
                    allowed_audiences: Some(HashSet::from([AUD.to_owned()])),
                    ..Default::default()
                }),
                ..Default::default()
            },
        }
    }
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

fn webtoken_side(
    f: &Fixture,
    encrypting: EncryptingKey,
    decrypting: DecryptingKey,
    enc: ContentEncryption,
) -> Side<'_> {
    let header = webtoken::jwe::JweHeader::new(enc);
    Side {
        name: "webtoken",
        encrypt: Box::new(move || {
            webtoken::jwe::encrypt_claims(&header, &f.webtoken_claims, &encrypting).unwrap()
        }),
        decrypt: Box::new(move |token| {
            webtoken::jwe::decrypt_claims::<Custom>(token, &decrypting, &f.options, &f.validation)
                .map(|t| t.into_claims().custom.name)
                .map_err(|e| e.to_string())
        }),
    }
}

fn josekit_side<'a>(
    f: &'a Fixture,
    encrypter: Box<dyn JweEncrypter>,
    decrypter: Box<dyn JweDecrypter>,
    enc: &str,
) -> Side<'a> {
    let mut header = josekit::jwe::JweHeader::new();
    header.set_content_encryption(enc);
    Side {
        name: "josekit",
        encrypt: Box::new(move || {
            let serde_json::Value::Object(map) = serde_json::to_value(&f.full).unwrap() else {
                unreachable!()
            };
            let payload = josekit::jwt::JwtPayload::from_map(map).unwrap();
            josekit::jwt::encode_with_encrypter(&payload, &header, &*encrypter).unwrap()
        }),
        decrypt: Box::new(move |token| {
            let (payload, _) = josekit::jwt::decode_with_decrypter(token, &*decrypter)
                .map_err(|e| e.to_string())?;
            let mut validator = josekit::jwt::JwtPayloadValidator::new();
            validator.set_base_time(SystemTime::now());
            validator.set_issuer(ISS);
            validator.set_audience(AUD);
            validator.validate(&payload).map_err(|e| e.to_string())?;
            let full: Full =
                serde_json::from_value(serde_json::Value::Object(payload.claims_set().clone()))
                    .unwrap();
            Ok(full.name)
        }),
    }
}

macro_rules! simple_side {
    ($f:expr, $encrypting:expr, $decrypting:expr) => {{
        let f: &Fixture = $f;
        let encrypting = $encrypting;
        let decrypting = $decrypting;
        Side {
            name: "jwt-simple",
            encrypt: Box::new(move || encrypting.encrypt(simple_claims()).unwrap()),
            decrypt: Box::new(move |token| {
                decrypting
                    .decrypt_token::<Custom>(token, Some(f.simple_options.clone()))
                    .map(|c| c.custom.name)
                    .map_err(|e| e.to_string())
            }),
        }
    }};
}

/// The rows: a pair's name and its sides, webtoken first.
#[allow(clippy::too_many_lines)]
fn rows(f: &Fixture) -> Vec<(&'static str, Vec<Side<'_>>)> {
    use josekit::jwe::{A256KW, Dir, ECDH_ES, ECDH_ES_A256KW, RSA_OAEP, RSA_OAEP_256};
    use jwt_simple::prelude::{
        A256KWKey, EcdhEsA256KWDecryptionKey, EcdhEsA256KWEncryptionKey, RsaOaepDecryptionKey,
        RsaOaepEncryptionKey,
    };
    let p256_private = key_file("p256.pkcs8.pem");
    let p256_public = key_file("p256.spki.pem");
    let rsa_private = key_file("rsa2048.pkcs8.pem");
    let rsa_public = key_file("rsa2048.spki.pem");
    let gcm = ContentEncryption::A256Gcm;
    let ours = |alg: KeyAlgorithm, private: &str, public: &str| {
        (
            EncryptingKey::from_public_pem(public, alg).unwrap(),
            DecryptingKey::from_private_pem(private, alg).unwrap(),
        )
    };
    let secret = |alg| {
        (
            EncryptingKey::secret(SECRET, alg).unwrap(),
            DecryptingKey::secret(SECRET, alg).unwrap(),
        )
    };
    let side = |(e, d): (EncryptingKey, DecryptingKey)| webtoken_side(f, e, d, gcm);
    vec![
        (
            "dir_a256gcm",
            vec![
                side(secret(KeyAlgorithm::Dir)),
                josekit_side(
                    f,
                    Box::new(Dir.encrypter_from_bytes(SECRET).unwrap()),
                    Box::new(Dir.decrypter_from_bytes(SECRET).unwrap()),
                    "A256GCM",
                ),
            ],
        ),
        (
            "ecdh_es_p256_a256gcm",
            vec![
                side(ours(KeyAlgorithm::EcdhEs, &p256_private, &p256_public)),
                josekit_side(
                    f,
                    Box::new(ECDH_ES.encrypter_from_pem(&p256_public).unwrap()),
                    Box::new(ECDH_ES.decrypter_from_pem(&p256_private).unwrap()),
                    "A256GCM",
                ),
            ],
        ),
        (
            "rsa_oaep_256_a256gcm",
            vec![
                side(ours(KeyAlgorithm::RsaOaep256, &rsa_private, &rsa_public)),
                josekit_side(
                    f,
                    Box::new(RSA_OAEP_256.encrypter_from_pem(&rsa_public).unwrap()),
                    Box::new(RSA_OAEP_256.decrypter_from_pem(&rsa_private).unwrap()),
                    "A256GCM",
                ),
            ],
        ),
        (
            "a256kw_a256gcm",
            vec![
                side(secret(KeyAlgorithm::A256Kw)),
                josekit_side(
                    f,
                    Box::new(A256KW.encrypter_from_bytes(SECRET).unwrap()),
                    Box::new(A256KW.decrypter_from_bytes(SECRET).unwrap()),
                    "A256GCM",
                ),
                simple_side!(
                    f,
                    A256KWKey::from_bytes(SECRET).unwrap(),
                    A256KWKey::from_bytes(SECRET).unwrap()
                ),
            ],
        ),
        (
            "ecdh_es_a256kw_p256_a256gcm",
            vec![
                side(ours(
                    KeyAlgorithm::EcdhEsA256Kw,
                    &p256_private,
                    &p256_public,
                )),
                josekit_side(
                    f,
                    Box::new(ECDH_ES_A256KW.encrypter_from_pem(&p256_public).unwrap()),
                    Box::new(ECDH_ES_A256KW.decrypter_from_pem(&p256_private).unwrap()),
                    "A256GCM",
                ),
                simple_side!(
                    f,
                    EcdhEsA256KWEncryptionKey::from_pem(&p256_public).unwrap(),
                    EcdhEsA256KWDecryptionKey::from_pem(&p256_private).unwrap()
                ),
            ],
        ),
        (
            "rsa_oaep_a256gcm",
            vec![
                side(ours(KeyAlgorithm::RsaOaep, &rsa_private, &rsa_public)),
                josekit_side(
                    f,
                    Box::new(RSA_OAEP.encrypter_from_pem(&rsa_public).unwrap()),
                    Box::new(RSA_OAEP.decrypter_from_pem(&rsa_private).unwrap()),
                    "A256GCM",
                ),
                simple_side!(
                    f,
                    RsaOaepEncryptionKey::from_pem(&rsa_public).unwrap(),
                    RsaOaepDecryptionKey::from_pem(&rsa_private).unwrap()
                ),
            ],
        ),
    ]
}

/// Changes one character in the middle of the last segment (the tag).
fn tamper(token: &str) -> String {
    let at = token.rfind('.').unwrap() + 6;
    let mut bytes = token.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

/// Every side's token decrypts in every side of the row, to the same claims; a changed tag is
/// refused by every side.
fn cross_check(pair: &str, sides: &[Side<'_>]) {
    for writer in sides {
        let token = (writer.encrypt)();
        assert_eq!(
            token.split('.').count(),
            5,
            "{pair}: {} wrote {token}",
            writer.name
        );
        let bad = tamper(&token);
        for reader in sides {
            let read = (reader.decrypt)(&token);
            assert_eq!(
                read.as_deref(),
                Ok("Ada Lovelace"),
                "{pair}: {} cannot read {}'s token",
                reader.name,
                writer.name
            );
            assert!(
                (reader.decrypt)(&bad).is_err(),
                "{pair}: {} accepts {}'s token with a changed tag",
                reader.name,
                writer.name
            );
        }
    }
}

include!("../../common/paired.rs");

fn main() {
    let fixture = Fixture::new();
    let rows = rows(&fixture);
    for (pair, sides) in &rows {
        cross_check(pair, sides);
    }
    if std::env::var_os("WEBTOKEN_PAIRED").is_some() {
        println!("paired: {PAIRED_ROUNDS} rounds of ~{PAIRED_BLOCK:?} per side");
        println!("| operation | crate | its median | webtoken's median | x webtoken | quartiles |");
        println!("|---|---|---|---|---|---|");
        for (pair, sides) in &rows {
            let (ours, peers) = sides.split_first().unwrap();
            for (operation, decrypting) in [("encrypt", false), ("decrypt", true)] {
                let token = (ours.encrypt)();
                for peer in peers {
                    let run = |side: &Side<'_>| {
                        if decrypting {
                            black_box((side.decrypt)(black_box(&token)).unwrap());
                        } else {
                            black_box((side.encrypt)());
                        }
                    };
                    let p = paired(&mut || run(peer), &mut || run(ours));
                    println!(
                        "| {pair} {operation} | {} | {} | {} | {:.2} | {:.2}-{:.2} |",
                        peer.name,
                        micros(p.first),
                        micros(p.second),
                        p.ratio,
                        p.ratio_q1,
                        p.ratio_q3
                    );
                }
            }
        }
        return;
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for (pair, sides) in &rows {
        let token = (sides[0].encrypt)();
        let mut g = c.benchmark_group(format!("jwe_encrypt/{pair}"));
        for side in sides {
            g.bench_function(side.name, |b| b.iter(|| black_box((side.encrypt)())));
        }
        g.finish();
        let mut g = c.benchmark_group(format!("jwe_decrypt/{pair}"));
        for side in sides {
            g.bench_function(side.name, |b| {
                b.iter(|| black_box((side.decrypt)(black_box(&token)).unwrap()));
            });
        }
        g.finish();
    }
    c.final_summary();
}
