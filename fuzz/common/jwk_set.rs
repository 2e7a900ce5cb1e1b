// Target `jwk_set`: any bytes as a JWK and as a JWK Set; every key kept is turned into a
// verifying key for every algorithm, thumbprinted, and survives a JSON round trip.

use webtoken::Algorithm;
use webtoken::keys::{Jwk, JwkSet};

pub(crate) fn run(data: &[u8]) {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(jwk) = Jwk::from_json(json) {
        exercise(&jwk);
    }
    let Ok(set) = JwkSet::from_json(json) else {
        return;
    };
    for jwk in &set {
        exercise(jwk);
        if let Some(kid) = jwk.key_id() {
            assert_eq!(set.get(kid), Some(jwk), "kid lookup found another key");
        }
    }
    for skipped in set.skipped() {
        drop(skipped.to_string());
    }
}

fn exercise(jwk: &Jwk) {
    let _ = (jwk.thumbprint(), jwk.to_public(), jwk.to_signing_key());
    if let Ok(key) = jwk.to_verifying_key() {
        assert_eq!(
            Some(key.algorithm()),
            jwk.algorithm().or(Some(key.algorithm()))
        );
    }
    for algorithm in Algorithm::ALL {
        if let Ok(key) = jwk.to_verifying_key_for(algorithm) {
            assert_eq!(key.algorithm(), algorithm, "key bound to another algorithm");
        }
    }
    let json = serde_json::to_string(jwk).expect("a parsed JWK serializes");
    let again = Jwk::from_json(&json).expect("a serialized JWK parses");
    assert_eq!(&again, jwk, "JWK changed through JSON");
}
