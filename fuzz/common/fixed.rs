// The fixed key, clock and policy of the HS256 targets (shared with testkit/tests/fuzz_corpus.rs).
// The key is the hostile corpus's `hs256` (RFC 7520 §3.5) and the policy its default verifier,
// so that the seed tokens verify and the fuzzer starts from inputs that reach claim parsing.

use std::sync::LazyLock;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Map, Value};
use webtoken::{Algorithm, Claims, NumericDate, Validation, VerifyingKey};

/// Custom claims kept untyped, so that every payload member reaches the parser.
type Custom = Map<String, Value>;

const SECRET: &str = "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg";
const NOW: i64 = 1_700_000_000;
const ISSUER: &str = "https://issuer.example";
const AUDIENCE: &str = "https://api.example";

fn secret() -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(SECRET)
        .expect("the fixed secret is base64url")
}

static VERIFYING_KEY: LazyLock<VerifyingKey> =
    LazyLock::new(|| VerifyingKey::hmac(secret(), Algorithm::Hs256).expect("a 32-byte HS256 key"));
static VALIDATION: LazyLock<Validation> = LazyLock::new(|| {
    Validation::new()
        .with_algorithms([Algorithm::Hs256])
        .with_leeway(Duration::ZERO)
        .with_issuer(ISSUER)
        .with_audience(AUDIENCE)
        .with_fixed_time(NumericDate::from_secs(NOW))
});

/// The oracle for "never accepts a token it did not sign": the signature segment is exactly the
/// canonical base64url of HMAC-SHA256 over the received signing input, computed with ring
/// directly rather than through the crate.
fn assert_signed_with_fixed_key(token: &str) {
    let (signing_input, signature) = token.rsplit_once('.').expect("an accepted token has dots");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret());
    let tag = ring::hmac::sign(&key, signing_input.as_bytes());
    let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag.as_ref());
    assert_eq!(
        signature, expected,
        "accepted a token the fixed key did not sign"
    );
}

/// What an accepted token's claims must satisfy under [`VALIDATION`].
fn assert_claims_valid<T>(claims: &Claims<T>) {
    let now = NumericDate::from_secs(NOW);
    let exp = claims.expires_at.expect("exp is required");
    assert!(now < exp, "accepted an expired token: exp {exp}");
    assert!(
        claims.not_before.is_none_or(|nbf| nbf <= now),
        "accepted before nbf"
    );
    assert!(
        claims.issued_at.is_none_or(|iat| iat <= now),
        "accepted iat in the future"
    );
    assert_eq!(claims.issuer.as_deref(), Some(ISSUER));
    let aud = claims.audience.as_ref().expect("aud is required");
    assert!(aud.contains(AUDIENCE), "accepted a foreign audience");
}
