//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) and the inputs of past crashes
//! (`fuzz/regressions/<target>/`) through the code the fuzz targets run (`fuzz/common/`), so
//! that a regression fails `cargo test -p webtoken-testkit` on the stable toolchain, without
//! nightly or libFuzzer.

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;

mod untrusted_parse {
    include!("../../fuzz/common/untrusted_parse.rs");
}
mod decode_hs256 {
    include!("../../fuzz/common/decode_hs256.rs");
}
mod claims {
    include!("../../fuzz/common/claims.rs");
}
mod base64url {
    include!("../../fuzz/common/base64url.rs");
}
mod roundtrip {
    include!("../../fuzz/common/roundtrip.rs");
}
mod decode_jwks {
    include!("../../fuzz/common/decode_jwks.rs");
}
mod jwk_set {
    include!("../../fuzz/common/jwk_set.rs");
}
mod pem {
    include!("../../fuzz/common/pem.rs");
}
mod key_store {
    include!("../../fuzz/common/key_store.rs");
}
// fuzz/ is not held to the workspace's lints (fuzz/Cargo.toml); these two pedantic ones fire
// in this target's helpers.
#[allow(clippy::needless_pass_by_value, clippy::format_collect)]
mod der_differential {
    include!("../../fuzz/common/der_differential.rs");
}

/// Runs `run` on every file of the target's corpus and regressions; reports each failing file.
fn replay(target: &str, run: fn(&[u8])) {
    // This package is testkit/ in the workspace; the corpus is the root's fuzz/.
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut inputs = 0;
    let mut failures = Vec::new();
    for dir in [
        fuzz.join("corpus").join(target),
        fuzz.join("regressions").join(target),
    ] {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("readable corpus directory").path();
            let data = fs::read(&path).expect("readable corpus file");
            inputs += 1;
            if panic::catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                failures.push(path.display().to_string());
            }
        }
    }
    assert!(inputs > 0, "no corpus for fuzz target {target}");
    assert!(failures.is_empty(), "{target} failed on {failures:#?}");
}

#[test]
fn untrusted_parse_corpus_replays() {
    replay("untrusted_parse", untrusted_parse::run);
}

#[test]
fn decode_hs256_corpus_replays() {
    replay("decode_hs256", decode_hs256::run);
}

#[test]
fn claims_corpus_replays() {
    replay("claims", claims::run);
}

#[test]
fn base64url_corpus_replays() {
    replay("base64url", base64url::run);
}

#[test]
fn roundtrip_corpus_replays() {
    replay("roundtrip", roundtrip::run);
}

#[test]
fn decode_jwks_corpus_replays() {
    replay("decode_jwks", decode_jwks::run);
}

#[test]
fn jwk_set_corpus_replays() {
    replay("jwk_set", jwk_set::run);
}

#[test]
fn pem_corpus_replays() {
    replay("pem", pem::run);
}

#[test]
fn key_store_corpus_replays() {
    replay("key_store", key_store::run);
}

#[test]
fn der_differential_corpus_replays() {
    replay("der_differential", der_differential::run);
}
