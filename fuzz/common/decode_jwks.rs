// Target `decode_jwks`: any bytes as a token, decoded against a fixed public JWK Set (the
// hostile corpus's rsa2048, ec-p256, ec-p384 and ed25519 keys) with HS256 also allow-listed.
// The set holds no secret, so accepting an HS* token is key confusion; an accepted token's
// claims must satisfy the policy.

use std::sync::LazyLock;
use std::time::Duration;

use serde_json::{Map, Value};
use webtoken::keys::JwkSet;
use webtoken::{Algorithm, AlgorithmFamily, NumericDate, Validation};

const NOW: i64 = 1_700_000_000;

static JWKS: LazyLock<JwkSet> =
    LazyLock::new(|| JwkSet::from_json(include_str!("jwks.json")).expect("the fixed set loads"));
static VALIDATION: LazyLock<Validation> = LazyLock::new(|| {
    use Algorithm::{EdDsa, Es256, Es384, Hs256, Ps256, Rs256};
    Validation::new()
        .with_algorithms([Rs256, Ps256, Es256, Es384, EdDsa, Hs256])
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
