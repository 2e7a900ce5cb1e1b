//! JWE benchmarks (cargo feature `jwe`): webtoken's `encrypt_claims` and `decrypt_claims` next
//! to their floor, the same work written by hand on the primitives of aws-lc-rs (the backend of
//! webtoken's JWE): the header and claims JSON with typed `serde_json`, base64 `URL_SAFE_NO_PAD`,
//! and the key management and content encryption of each pair:
//!
//! - `dir` + `A256GCM`: AES-256-GCM seal/open with the shared key (the floor keeps its
//!   `LessSafeKey`, as a hand-written service would);
//! - `ECDH-ES` on P-256 + `A256GCM`: an ephemeral key pair, the agreement, the Concat KDF
//!   (SHA-256), the `epk` written and read as a JWK;
//! - `RSA-OAEP-256` (2048 bits) + `A256GCM`: a random CEK encrypted/decrypted with OAEP;
//! - `A128KW` + `A128CBC-HS256`: a random CEK wrapped with AES key wrap (aws-lc-rs's
//!   `KeyEncryptionKey` is consumed by one wrap, so both sides build it per token), AES-CBC and
//!   HMAC-SHA-256 (tag compared in constant time before decrypting).
//!
//! The decrypting floor checks what webtoken checks for the same token: `alg` and `enc`, the
//! segment lengths, the tag, then the typed claims and `exp`, `iss` and `aud`.
//!
//! Run: `cargo bench -p webtoken-benches --features jwe --bench jwe` (criterion, groups
//! `jwe_encrypt/{pair}` and `jwe_decrypt/{pair}`, each with `webtoken` and `floor`;
//! `sh benches/medians.sh` prints the ratios), or with `WEBTOKEN_PAIRED=1` the same pairs
//! interleaved (see `common/paired.rs`).

#![allow(missing_docs, clippy::missing_panics_doc, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::agreement::{self, ECDH_P256, PrivateKey, UnparsedPublicKey};
use aws_lc_rs::cipher::{
    AES_128, DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey,
    PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::digest;
use aws_lc_rs::encoding::{AsDer as _, EcPrivateKeyRfc5915Der, Pkcs8V1Der};
use aws_lc_rs::hmac;
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::key_wrap::{self, KeyEncryptionKey, KeyWrap as _};
use aws_lc_rs::rsa::{
    KeySize, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    PrivateDecryptingKey,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::Criterion;
use serde::{Deserialize, Serialize};
use webtoken::jwe::{
    ContentEncryption, DecryptOptions, DecryptingKey, EncryptingKey, JweHeader, KeyAlgorithm,
};

const DIR_KEY: &[u8; 32] = b"jwe bench dir key, 32 bytes long";
const KW_KEY: &[u8; 16] = b"jwe bench kw key";

// ---------------------------------------------------------------------------------------------
// The floor: a hand-written JWE on aws-lc-rs.

#[derive(Serialize)]
struct FloorEpkOut<'a> {
    kty: &'static str,
    crv: &'static str,
    x: &'a str,
    y: &'a str,
}

#[derive(Serialize)]
struct FloorHeaderOut<'a> {
    alg: &'static str,
    enc: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    epk: Option<FloorEpkOut<'a>>,
}

#[derive(Deserialize)]
struct FloorEpkIn<'a> {
    kty: &'a str,
    crv: &'a str,
    x: &'a str,
    y: &'a str,
}

#[derive(Deserialize)]
struct FloorHeaderIn<'a> {
    alg: &'a str,
    enc: &'a str,
    #[serde(borrow)]
    epk: Option<FloorEpkIn<'a>>,
}

/// The floor's keys: what a service holds, parsed once.
struct FloorKeys {
    dir: LessSafeKey,
    ec_private: PrivateKey,
    ec_public: Vec<u8>,
    rsa_public: OaepPublicEncryptingKey,
    rsa_private: OaepPrivateDecryptingKey,
}

#[derive(Clone, Copy, PartialEq)]
enum Pair {
    Dir,
    EcdhEs,
    RsaOaep256,
    A128KwCbc,
}

impl Pair {
    fn alg(self) -> &'static str {
        match self {
            Self::Dir => "dir",
            Self::EcdhEs => "ECDH-ES",
            Self::RsaOaep256 => "RSA-OAEP-256",
            Self::A128KwCbc => "A128KW",
        }
    }

    fn enc(self) -> &'static str {
        if self == Self::A128KwCbc {
            "A128CBC-HS256"
        } else {
            "A256GCM"
        }
    }
}

/// Concat KDF (RFC 7518 §4.6.2) for `ECDH-ES` with `A256GCM`, no `apu`/`apv`: one SHA-256
/// block.
fn concat_kdf_a256gcm(z: &[u8]) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(&1u32.to_be_bytes());
    ctx.update(z);
    ctx.update(&7u32.to_be_bytes());
    ctx.update(b"A256GCM");
    ctx.update(&0u32.to_be_bytes());
    ctx.update(&0u32.to_be_bytes());
    ctx.update(&256u32.to_be_bytes());
    ctx.finish().as_ref().try_into().unwrap()
}

/// The CBC-HMAC tag of RFC 7518 §5.2.2.1 for `A128CBC-HS256`.
fn cbc_tag(mac_key: &[u8], aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> [u8; 16] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, mac_key);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(aad);
    ctx.update(iv);
    ctx.update(ciphertext);
    ctx.update(&(aad.len() as u64 * 8).to_be_bytes());
    ctx.sign().as_ref()[..16].try_into().unwrap()
}

fn floor_encrypt(keys: &FloorKeys, pair: Pair, claims: &FloorClaims) -> String {
    let plaintext = serde_json::to_vec(claims).unwrap();
    let mut cek = [0u8; 32];
    let mut encrypted_key = Vec::new();
    let (mut x, mut y) = (String::new(), String::new());
    match pair {
        Pair::Dir => {}
        Pair::EcdhEs => {
            let ephemeral = PrivateKey::generate(&ECDH_P256).unwrap();
            let public = ephemeral.compute_public_key().unwrap();
            URL_SAFE_NO_PAD.encode_string(&public.as_ref()[1..33], &mut x);
            URL_SAFE_NO_PAD.encode_string(&public.as_ref()[33..], &mut y);
            let peer = UnparsedPublicKey::new(&ECDH_P256, &keys.ec_public);
            cek = agreement::agree(&ephemeral, peer, (), |z| Ok(concat_kdf_a256gcm(z))).unwrap();
        }
        Pair::RsaOaep256 => {
            aws_lc_rs::rand::fill(&mut cek).unwrap();
            let mut out = vec![0; keys.rsa_public.ciphertext_size()];
            let len = keys
                .rsa_public
                .encrypt(&OAEP_SHA256_MGF1SHA256, &cek, &mut out, None)
                .unwrap()
                .len();
            out.truncate(len);
            encrypted_key = out;
        }
        Pair::A128KwCbc => {
            aws_lc_rs::rand::fill(&mut cek).unwrap();
            let mut out = vec![0; 40];
            KeyEncryptionKey::new(&key_wrap::AES_128, KW_KEY)
                .unwrap()
                .wrap(&cek, &mut out)
                .unwrap();
            encrypted_key = out;
        }
    }
    let header = FloorHeaderOut {
        alg: pair.alg(),
        enc: pair.enc(),
        epk: (pair == Pair::EcdhEs).then(|| FloorEpkOut {
            kty: "EC",
            crv: "P-256",
            x: &x,
            y: &y,
        }),
    };
    let header_json = serde_json::to_vec(&header).unwrap();
    let mut out = String::with_capacity(1024);
    URL_SAFE_NO_PAD.encode_string(&header_json, &mut out);
    let aad_len = out.len();
    let mut body = plaintext;
    let (iv, tag): (&[u8], &[u8]);
    let (mut iv12, mut iv16) = ([0u8; 12], [0u8; 16]);
    let (gcm_tag, cbc);
    if pair == Pair::A128KwCbc {
        aws_lc_rs::rand::fill(&mut iv16).unwrap();
        let key = UnboundCipherKey::new(&AES_128, &cek[16..]).unwrap();
        let key = PaddedBlockEncryptingKey::cbc_pkcs7(key).unwrap();
        key.less_safe_encrypt(&mut body, EncryptionContext::Iv128(FixedLength::from(iv16)))
            .unwrap();
        cbc = cbc_tag(&cek[..16], &out.as_bytes()[..aad_len], &iv16, &body);
        (iv, tag) = (&iv16, &cbc);
    } else {
        aws_lc_rs::rand::fill(&mut iv12).unwrap();
        let fresh;
        let key = if pair == Pair::Dir {
            &keys.dir
        } else {
            fresh = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &cek).unwrap());
            &fresh
        };
        gcm_tag = key
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(iv12),
                Aad::from(&out.as_bytes()[..aad_len]),
                &mut body,
            )
            .unwrap();
        (iv, tag) = (&iv12, gcm_tag.as_ref());
    }
    for part in [&encrypted_key[..], iv, &body, tag] {
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(part, &mut out);
    }
    out
}

/// Decrypts a token of `pair` by hand: the header (`alg`, `enc`, `epk`), the segments'
/// lengths, the CEK, the tag, the plaintext, then the claims and `exp`, `iss`, `aud`.
fn floor_decrypt(keys: &FloorKeys, pair: Pair, token: &str, now: i64) -> Option<FloorClaims> {
    let mut parts = token.split('.');
    let (header_b64, ek_b64, iv_b64, ct_b64, tag_b64) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if parts.next().is_some() {
        return None;
    }
    let header_json = URL_SAFE_NO_PAD.decode(header_b64).ok()?;
    let header: FloorHeaderIn<'_> = serde_json::from_slice(&header_json).ok()?;
    if header.alg != pair.alg() || header.enc != pair.enc() {
        return None;
    }
    let encrypted_key = URL_SAFE_NO_PAD.decode(ek_b64).ok()?;
    let mut cek = [0u8; 32];
    match pair {
        Pair::Dir => {
            if !encrypted_key.is_empty() {
                return None;
            }
        }
        Pair::EcdhEs => {
            let epk = header.epk?;
            if !encrypted_key.is_empty() || epk.kty != "EC" || epk.crv != "P-256" {
                return None;
            }
            let mut point = [4u8; 65];
            if URL_SAFE_NO_PAD
                .decode_slice(epk.x, &mut point[1..33])
                .ok()?
                != 32
                || URL_SAFE_NO_PAD.decode_slice(epk.y, &mut point[33..]).ok()? != 32
            {
                return None;
            }
            let peer = UnparsedPublicKey::new(&ECDH_P256, &point);
            cek =
                agreement::agree(&keys.ec_private, peer, (), |z| Ok(concat_kdf_a256gcm(z))).ok()?;
        }
        Pair::RsaOaep256 => {
            let mut out = [0u8; 256];
            let plain = keys
                .rsa_private
                .decrypt(&OAEP_SHA256_MGF1SHA256, &encrypted_key, &mut out, None)
                .ok()?;
            cek = plain.try_into().ok()?;
        }
        Pair::A128KwCbc => {
            let mut out = [0u8; 40];
            let plain = KeyEncryptionKey::new(&key_wrap::AES_128, KW_KEY)
                .ok()?
                .unwrap(&encrypted_key, &mut out)
                .ok()?;
            cek = plain.try_into().ok()?;
        }
    }
    let iv = URL_SAFE_NO_PAD.decode(iv_b64).ok()?;
    let mut body = URL_SAFE_NO_PAD.decode(ct_b64).ok()?;
    let mut tag = [0u8; 16];
    if URL_SAFE_NO_PAD.decode_slice(tag_b64, &mut tag).ok()? != 16 {
        return None;
    }
    let plaintext = if pair == Pair::A128KwCbc {
        let iv16: [u8; 16] = iv.try_into().ok()?;
        let expected = cbc_tag(&cek[..16], header_b64.as_bytes(), &iv16, &body);
        aws_lc_rs::constant_time::verify_slices_are_equal(&expected, &tag).ok()?;
        let key = UnboundCipherKey::new(&AES_128, &cek[16..]).ok()?;
        let key = PaddedBlockDecryptingKey::cbc_pkcs7(key).ok()?;
        &*key
            .decrypt(&mut body, DecryptionContext::Iv128(FixedLength::from(iv16)))
            .ok()?
    } else {
        let iv12: [u8; 12] = iv.try_into().ok()?;
        body.extend_from_slice(&tag);
        let fresh;
        let key = if pair == Pair::Dir {
            &keys.dir
        } else {
            fresh = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &cek).ok()?);
            &fresh
        };
        &*key
            .open_in_place(
                Nonce::assume_unique_for_key(iv12),
                Aad::from(header_b64.as_bytes()),
                &mut body,
            )
            .ok()?
    };
    let c: FloorClaims = serde_json::from_slice(plaintext).ok()?;
    (now < c.exp + 60 && c.iss == "https://id.example.com" && c.aud == "https://api.example.com")
        .then_some(c)
}

// ---------------------------------------------------------------------------------------------

/// One pair's keys on both sides.
struct Setup {
    name: &'static str,
    pair: Pair,
    encrypting: EncryptingKey,
    decrypting: DecryptingKey,
    enc: ContentEncryption,
}

fn setups() -> (FloorKeys, Vec<Setup>) {
    let ec = PrivateKey::generate(&ECDH_P256).unwrap();
    let ec_der: EcPrivateKeyRfc5915Der<'_> = ec.as_der().unwrap();
    let rsa = PrivateDecryptingKey::generate(KeySize::Rsa2048).unwrap();
    let rsa_der: Pkcs8V1Der<'_> = rsa.as_der().unwrap();
    let rsa_decrypting =
        DecryptingKey::from_private_der(rsa_der.as_ref(), KeyAlgorithm::RsaOaep256).unwrap();
    let ec_decrypting =
        DecryptingKey::from_private_der(ec_der.as_ref(), KeyAlgorithm::EcdhEs).unwrap();
    let floor = FloorKeys {
        dir: LessSafeKey::new(UnboundKey::new(&AES_256_GCM, DIR_KEY).unwrap()),
        ec_public: ec.compute_public_key().unwrap().as_ref().to_vec(),
        ec_private: ec,
        rsa_public: OaepPublicEncryptingKey::new(rsa.public_key()).unwrap(),
        rsa_private: OaepPrivateDecryptingKey::new(rsa).unwrap(),
    };
    let setups = vec![
        Setup {
            name: "dir_a256gcm",
            pair: Pair::Dir,
            encrypting: EncryptingKey::dir(DIR_KEY, ContentEncryption::A256Gcm).unwrap(),
            decrypting: DecryptingKey::dir(DIR_KEY, ContentEncryption::A256Gcm).unwrap(),
            enc: ContentEncryption::A256Gcm,
        },
        Setup {
            name: "ecdh_es_p256_a256gcm",
            pair: Pair::EcdhEs,
            encrypting: ec_decrypting.encrypting_key().unwrap(),
            decrypting: ec_decrypting,
            enc: ContentEncryption::A256Gcm,
        },
        Setup {
            name: "rsa_oaep_256_a256gcm",
            pair: Pair::RsaOaep256,
            encrypting: rsa_decrypting.encrypting_key().unwrap(),
            decrypting: rsa_decrypting,
            enc: ContentEncryption::A256Gcm,
        },
        Setup {
            name: "a128kw_a128cbc_hs256",
            pair: Pair::A128KwCbc,
            encrypting: EncryptingKey::secret(KW_KEY, KeyAlgorithm::A128Kw).unwrap(),
            decrypting: DecryptingKey::secret(KW_KEY, KeyAlgorithm::A128Kw).unwrap(),
            enc: ContentEncryption::A128CbcHs256,
        },
    ];
    (floor, setups)
}

fn jwe(runner: &mut Runner<'_>) {
    let (floor, setups) = setups();
    let claims = claims();
    let fc = floor_claims();
    let validation = validation();
    let options = DecryptOptions::new();
    for s in &setups {
        let header = JweHeader::new(s.enc);
        // Both sides read each other's tokens, and write the same plaintext.
        let ours = webtoken::jwe::encrypt_claims(&header, &claims, &s.encrypting).unwrap();
        let theirs = floor_encrypt(&floor, s.pair, &fc);
        let read =
            webtoken::jwe::decrypt_claims::<Custom>(&theirs, &s.decrypting, &options, &validation)
                .unwrap();
        assert_eq!(read.claims().custom, claims.custom);
        let back = floor_decrypt(&floor, s.pair, &ours, NOW + 10).unwrap();
        assert_eq!(back.name, "Ada Lovelace");
        assert_eq!(
            webtoken::jwe::decrypt(&ours, &s.decrypting, &options)
                .unwrap()
                .plaintext(),
            serde_json::to_vec(&fc).unwrap(),
            "{}: webtoken and the floor encrypt different plaintexts",
            s.name
        );
        assert_eq!(ours.len(), theirs.len(), "{}: token lengths differ", s.name);

        runner.pair(
            &format!("jwe_encrypt/{}", s.name),
            &mut || {
                black_box(
                    webtoken::jwe::encrypt_claims(&header, black_box(&claims), &s.encrypting)
                        .unwrap(),
                );
            },
            &mut || {
                black_box(floor_encrypt(&floor, s.pair, black_box(&fc)));
            },
        );
        runner.pair(
            &format!("jwe_decrypt/{}", s.name),
            &mut || {
                black_box(
                    webtoken::jwe::decrypt_claims::<Custom>(
                        black_box(&ours),
                        &s.decrypting,
                        &options,
                        &validation,
                    )
                    .unwrap(),
                );
            },
            &mut || {
                black_box(floor_decrypt(&floor, s.pair, black_box(&ours), NOW + 10).unwrap());
            },
        );
    }
}

/// Where each webtoken/floor pair goes: two criterion benchmarks in one group, or the paired
/// runner.
enum Runner<'c> {
    Criterion(&'c mut Criterion),
    Paired,
    /// `WEBTOKEN_PROFILE=GROUP`: GROUP's webtoken side, then its floor, 2,000 calls each,
    /// nothing else timed (for `valgrind --tool=callgrind`, which counts instructions).
    Profile(String),
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
            Self::Profile(only) => {
                if only == group {
                    profile_webtoken(webtoken);
                    profile_floor(floor);
                }
            }
            Self::Paired => {
                let p = paired(webtoken, floor);
                println!(
                    "{group:34} webtoken {:>12}  floor {:>12}  webtoken/floor {:.3} (quartiles {:.3}-{:.3})",
                    micros(p.first),
                    micros(p.second),
                    p.ratio,
                    p.ratio_q1,
                    p.ratio_q3,
                );
            }
        }
    }
}

include!("common/claims.rs");
include!("common/paired.rs");

/// Named, never inlined, so that a profile shows each side's inclusive cost:
/// `valgrind --tool=callgrind --toggle-collect='jwe::profile_*' BENCH_BINARY` with
/// `WEBTOKEN_PROFILE=jwe_decrypt/dir_a256gcm` counts the 2,000 calls of each side only.
#[inline(never)]
fn profile_webtoken(f: &mut dyn FnMut()) {
    black_box("webtoken"); // two different bodies: never merged into one function
    for _ in 0..2000 {
        f();
    }
}

#[inline(never)]
fn profile_floor(f: &mut dyn FnMut()) {
    black_box("floor");
    for _ in 0..2000 {
        f();
    }
}

/// `cargo bench -p webtoken-benches --features jwe --bench jwe` runs criterion (a filter works
/// as usual); with `WEBTOKEN_PAIRED=1` the paired runner instead.
fn main() {
    if let Ok(group) = std::env::var("WEBTOKEN_PROFILE") {
        jwe(&mut Runner::Profile(group));
        return;
    }
    if std::env::var_os("WEBTOKEN_PAIRED").is_some() {
        println!(
            "paired: {PAIRED_ROUNDS} rounds of ~{PAIRED_BLOCK:?} per side; median of webtoken/floor per round"
        );
        jwe(&mut Runner::Paired);
        return;
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    jwe(&mut Runner::Criterion(&mut c));
    c.final_summary();
}
