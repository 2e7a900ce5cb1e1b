//! Replays the committed corpus of the JWE fuzz targets (`fuzz/corpus/jwe_decrypt/`,
//! `fuzz/corpus/jwe_header/`) on stable, through the targets' own code, and checks that the
//! raw-mode seeds (tokens made with the fixed keys) decrypt.
#![cfg(feature = "jwe")]

mod jwe_decrypt {
    include!("../fuzz/common/jwe_decrypt.rs");

    /// Whether `token` decrypts with a fixed key (for the seed check).
    pub(crate) fn seed_decrypts(token: &str) -> bool {
        decrypts(token).is_some_and(|p| p.starts_with(MARKER))
    }
}
mod jwe_header {
    include!("../fuzz/common/jwe_header.rs");
}

use std::fs;
use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs = Vec::new();
    for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let data = fs::read(entry.expect("entry").path()).expect("corpus file");
        run(&data);
        inputs.push(data);
    }
    assert!(!inputs.is_empty(), "no corpus for {target}");
    inputs
}

#[test]
fn jwe_decrypt_corpus_replays_and_its_tokens_decrypt() {
    let inputs = replay("jwe_decrypt", jwe_decrypt::run);
    let tokens = inputs
        .iter()
        .filter(|d| d.first().is_some_and(|m| m % 2 == 0))
        .filter_map(|d| std::str::from_utf8(&d[1..]).ok())
        .filter(|t| jwe_decrypt::seed_decrypts(t))
        .count();
    assert!(tokens >= 4, "{tokens} seed tokens decrypt");
}

#[test]
fn jwe_header_corpus_replays() {
    replay("jwe_header", jwe_header::run);
}

/// A few runs of the mutate mode over every key and edit kind, beyond the corpus.
#[test]
fn jwe_decrypt_mutations_never_decrypt() {
    for selector in 0u8..16 {
        for edit in 0u8..4 {
            for at in [0u8, 1, 64, 128, 200, 255] {
                let data = [1, selector, at, 0x5a, edit, 0, b'p', b'l'];
                jwe_decrypt::run(&data);
            }
        }
    }
}

/// Writes the seed corpus: one token per fixed key (and each `enc` it serves), raw mode.
/// Run with `cargo test --features jwe --test jwe_fuzz_corpus -- --ignored` after changing the
/// fixed keys; the files are committed.
#[test]
#[ignore = "writes fuzz/corpus; run by hand"]
fn write_seed_corpus() {
    use webtoken::jwe::{self, ContentEncryption, JweHeader, KeyAlgorithm};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let keys = [
        webtoken::jwe::DecryptingKey::secret([0x42; 16], KeyAlgorithm::A128Kw).unwrap(),
        webtoken::jwe::DecryptingKey::secret([0x43; 32], KeyAlgorithm::Dir).unwrap(),
    ];
    let mut n = 0;
    let mut write = |name: &str, data: Vec<u8>| {
        fs::write(dir.join(name).join(format!("seed-{n:02}")), data).unwrap();
        n += 1;
    };
    for enc in ContentEncryption::ALL {
        for (i, key) in keys.iter().enumerate() {
            if i == 1 && enc != ContentEncryption::A256Gcm {
                continue;
            }
            let header = JweHeader::new(enc).with_key_id("k").with_type("JWT");
            let token = jwe::encrypt(
                &header,
                b"webtoken-fuzz:seed",
                &key.encrypting_key().unwrap(),
            )
            .unwrap();
            write("jwe_decrypt", [&[0u8][..], token.as_bytes()].concat());
        }
    }
    for json in [
        r#"{"alg":"ECDH-ES","enc":"A128GCM","epk":{"kty":"EC","crv":"P-256","x":"UVw9brnjlrkE0_7Kf1T9zQzB6Ze_N13KUVrQpsO0A18","y":"RTa-OlDzGPv5pUdZAqIhUCvvDVfgjFOyzApW8X2fk1Q"},"apu":"QWxpY2U","apv":"Qm9i"}"#,
        r#"{"alg":"ECDH-ES+A128KW","enc":"A128CBC-HS256","epk":{"kty":"OKP","crv":"X25519","x":"E75P6uryBMf9M1j8nAByGIHRdCeBKCJ-xnTzf3_pe20"}}"#,
        r#"{"alg":"A128KW","enc":"A128CBC-HS256","kid":"k","typ":"JWT","cty":"JWT"}"#,
        r#"{"alg":"dir","enc":"A256GCM","crit":["exp"],"exp":1}"#,
        r#"{"alg":"A128KW","enc":"A128GCM","zip":"DEF"}"#,
        r#"{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2s":"AAAAAAAAAAAAAAAAAAAAAA","p2c":4294967295}"#,
        r#"{"alg":"A128KW","alg":"A128KW","enc":"A128GCM","x":[[[{"a":1,"a":2}]]]}"#,
    ] {
        write("jwe_header", json.as_bytes().to_vec());
    }
    for seed in [
        [1u8, 0, 10, 7, 0, b'x'],
        [1, 1, 200, 1, 1, b'y'],
        [1, 2, 100, 3, 2, b'z'],
        [1, 3, 30, 0, 3, b'w'],
    ] {
        write("jwe_decrypt", seed.to_vec());
    }
}
