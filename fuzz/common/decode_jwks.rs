// Target `decode_jwks`: any bytes as a token, decoded against a fixed public JWK Set (the
// hostile corpus's rsa2048, ec-p256, ec-p384 and ed25519 keys) with HS256 also allow-listed.
// The set holds no secret, so accepting an HS* token is key confusion; an accepted token's
// claims must satisfy the policy. With webtoken's aws-lc-rs backend (fuzz/'s `aws-lc-rs`
// feature), the set also holds the public parts of tests/data/keys' P-521, secp256k1 and
// ML-DSA-44 keys and the policy allows ES512, ES256K and ML-DSA-44, so tokens reach those
// verifiers too.

use std::sync::LazyLock;
use std::time::Duration;

use serde_json::{Map, Value};
use webtoken::keys::JwkSet;
use webtoken::{Algorithm, AlgorithmFamily, NumericDate, Validation};

const NOW: i64 = 1_700_000_000;

/// Whether webtoken runs on aws-lc-rs (a ring build has no ML-DSA).
fn aws_lc_rs() -> bool {
    Algorithm::MlDsa44.is_available()
}

static JWKS: LazyLock<JwkSet> = LazyLock::new(|| {
    let mut set: Value = serde_json::from_str(include_str!("jwks.json")).expect("jwks.json");
    if aws_lc_rs() {
        let keys = set["keys"].as_array_mut().expect("a JWK Set");
        for (kid, jwk) in [
            ("ec-p521", include_str!("../../tests/data/keys/p521.jwk.json")),
            ("ec-secp256k1", include_str!("../../tests/data/keys/secp256k1.jwk.json")),
            ("ml-dsa-44", include_str!("../../tests/data/keys/mldsa44.jwk.json")),
        ] {
            let mut jwk: Map<String, Value> = serde_json::from_str(jwk).expect("a JWK");
            jwk.remove("d");
            jwk.remove("priv");
            jwk.insert("kid".into(), kid.into());
            keys.push(jwk.into());
        }
    }
    let set = JwkSet::from_json(&set.to_string()).expect("the fixed set loads");
    assert!(set.skipped().is_empty(), "a fixed key was skipped");
    set
});
static VALIDATION: LazyLock<Validation> = LazyLock::new(|| {
    use Algorithm::{EdDsa, Es256, Es256K, Es384, Es512, Hs256, MlDsa44, Ps256, Rs256};
    let mut algorithms = vec![Rs256, Ps256, Es256, Es384, EdDsa, Hs256];
    if aws_lc_rs() {
        algorithms.extend([Es512, Es256K, MlDsa44]);
    }
    Validation::new()
        .with_algorithms(algorithms)
        .with_leeway(Duration::ZERO)
        .with_issuer("https://issuer.example")
        .with_audience("https://api.example")
        .with_fixed_time(NumericDate::from_secs(NOW))
});

pub(crate) fn run(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    match webtoken::decode::<Map<String, Value>>(token, &*JWKS, &VALIDATION) {
        Ok(decoded) => {
            let algorithm = decoded
                .header()
                .algorithm()
                .expect("a verified header has alg");
            assert_ne!(
                algorithm.family(),
                AlgorithmFamily::Hmac,
                "HS* accepted with a public key"
            );
            let exp = decoded.claims().expires_at.expect("exp is required");
            assert!(
                NumericDate::from_secs(NOW) < exp,
                "accepted an expired token"
            );
        }
        Err(e) => drop((e.kind(), e.to_string())),
    }
}
