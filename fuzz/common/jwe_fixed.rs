// The fixed keys of the JWE targets (shared with tests/jwe_fuzz_corpus.rs): one per kind of key
// management, built from constants so that the committed corpus, made with them, decrypts.

use std::sync::LazyLock;

use webtoken::jwe::{ContentEncryption, DecryptingKey, KeyAlgorithm};

/// What every plaintext the JWE targets encrypt starts with: a token that decrypts under a fixed
/// key must have been made by them, so it must carry it.
#[allow(dead_code)]
const MARKER: &[u8] = b"webtoken-fuzz:";

static JWE_KEYS: LazyLock<Vec<DecryptingKey>> = LazyLock::new(|| {
    let jwk = |json: &str| DecryptingKey::from_jwk_json(json, None).expect("a fixed JWE key");
    vec![
        DecryptingKey::secret([0x42; 16], KeyAlgorithm::A128Kw).expect("A128KW key"),
        DecryptingKey::secret([0x43; 32], KeyAlgorithm::Dir).expect("dir key"),
        // d = 1..=32 on P-256 and [7; 32] on X25519.
        jwk(r#"{"kty":"EC","crv":"P-256","alg":"ECDH-ES","d":"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA","x":"UVw9brnjlrkE0_7Kf1T9zQzB6Ze_N13KUVrQpsO0A18","y":"RTa-OlDzGPv5pUdZAqIhUCvvDVfgjFOyzApW8X2fk1Q"}"#),
        jwk(r#"{"kty":"OKP","crv":"X25519","alg":"ECDH-ES+A128KW","d":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc","x":"E75P6uryBMf9M1j8nAByGIHRdCeBKCJ-xnTzf3_pe20"}"#),
    ]
});

/// The content encryption each fixed key is used with by the generator of the corpus (any
/// `enc` the key serves decrypts, whatever this says).
#[allow(dead_code)]
const JWE_ENCRYPTIONS: [ContentEncryption; 4] = [
    ContentEncryption::A128CbcHs256,
    ContentEncryption::A256Gcm,
    ContentEncryption::A128Gcm,
    ContentEncryption::A256CbcHs512,
];
