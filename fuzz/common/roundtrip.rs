// Target `roundtrip`: claims and a header built from structured input (via `arbitrary`) are
// encoded, then decoded under a policy they satisfy, and must come back equal.

use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use serde_json::{Map, Value};
use webtoken::{
    Algorithm, Audience, Claims, Header, NumericDate, SigningKey, Validation, VerifyingKey,
};

/// Header names the typed builders own (and `b64`, which changes the signing input).
const RESERVED_HEADER: [&str; 12] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "b64",
];

#[derive(Arbitrary, Debug)]
enum CustomValue {
    Bool(bool),
    Int(i64),
    Text(String),
    List(Vec<String>),
}

#[derive(Arbitrary, Debug)]
struct Input {
    algorithm: u8,
    secret: [u8; 64],
    now: u32,
    lifetime: Option<u32>,
    not_before_age: Option<u32>,
    issued_at_age: Option<u32>,
    issuer: Option<String>,
    subject: Option<String>,
    audience: Option<(String, Option<Vec<String>>)>,
    jwt_id: Option<String>,
    custom: Vec<(String, CustomValue)>,
    key_id: Option<String>,
    token_type: Option<String>,
    content_type: Option<String>,
    extra: Vec<(String, String)>,
}

/// A header `encode` refused as malformed is one `decode` refuses too.
fn assert_decode_refuses(header: &webtoken::Header, algorithm: Algorithm, e: &webtoken::Error) {
    let mut json = serde_json::to_value(header).expect("header serializes");
    json["alg"] = Value::from(algorithm.as_str());
    let json = serde_json::to_vec(&json).expect("header serializes");
    let unsigned = format!("{}.e30.AAAA", webtoken::base64url::encode(&json));
    let refused = webtoken::UntrustedToken::parse_with_limit(&unsigned, usize::MAX);
    assert!(
        refused.is_err_and(|d| d.kind() == webtoken::ErrorKind::Malformed),
        "encode refused a header decode accepts: {e}"
    );
}

/// Both HMAC keys for `secret`, or `None` when both constructors refuse it. A secret of the
/// hash length is refused only when it is a key in some form (PEM, SSH or PuTTY armour, JSON
/// with `kty`, DER): then both must refuse it, as `invalid_key`, with the same message.
fn hmac_keys(algorithm: Algorithm, secret: &[u8]) -> Option<(SigningKey, VerifyingKey)> {
    match (
        SigningKey::hmac(secret, algorithm),
        VerifyingKey::hmac(secret, algorithm),
    ) {
        (Ok(signing), Ok(verifying)) => Some((signing, verifying)),
        (Err(a), Err(b)) => {
            assert_eq!(a.kind(), webtoken::ErrorKind::InvalidKey, "{a}");
            assert_eq!(a.to_string(), b.to_string());
            None
        }
        (a, b) => panic!(
            "the signing and verifying constructors disagree: {:?} / {:?}",
            a.err(),
            b.err()
        ),
    }
}

pub(crate) fn run(data: &[u8]) {
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let (algorithm, secret_len) = match input.algorithm % 3 {
        0 => (Algorithm::Hs256, 32),
        1 => (Algorithm::Hs384, 48),
        _ => (Algorithm::Hs512, 64),
    };
    let secret = &input.secret[..secret_len];
    let now = i64::from(input.now);
    let ago = |age: u32| NumericDate::from_secs(now - i64::from(age));
    let mut validation = Validation::new()
        .with_algorithms([algorithm])
        .with_leeway(Duration::ZERO)
        .with_fixed_time(NumericDate::from_secs(now));

    let custom: Map<String, Value> = input
        .custom
        .into_iter()
        .filter(|(name, _)| !webtoken::REGISTERED_CLAIMS.contains(&name.as_str()))
        .map(|(name, value)| {
            let value = match value {
                CustomValue::Bool(b) => Value::from(b),
                CustomValue::Int(i) => Value::from(i),
                CustomValue::Text(s) => Value::from(s),
                CustomValue::List(v) => Value::from(v),
            };
            (name, value)
        })
        .collect();
    let mut claims = Claims::new(custom);
    if let Some(life) = input.lifetime {
        let exp = NumericDate::from_secs(now + 1 + i64::from(life));
        claims = claims.with_expires_at(exp);
    } else {
        validation = validation.allow_missing_expiry();
    }
    claims.not_before = input.not_before_age.map(ago);
    claims.issued_at = input.issued_at_age.map(ago);
    claims.jwt_id = input.jwt_id;
    if let Some(issuer) = input.issuer {
        validation = validation.with_issuer(issuer.clone());
        claims = claims.with_issuer(issuer);
    }
    if let Some(subject) = input.subject {
        validation = validation.with_subject(subject.clone());
        claims = claims.with_subject(subject);
    }
    if let Some((first, rest)) = input.audience {
        validation = validation.with_audience(first.clone());
        claims = claims.with_audience(match rest {
            None => Audience::Single(first),
            Some(rest) => Audience::Many(std::iter::once(first).chain(rest).collect()),
        });
    }

    let mut header = Header::empty();
    if let Some(key_id) = input.key_id {
        header = header.with_key_id(key_id);
    }
    if let Some(token_type) = input.token_type {
        header = header.with_type(token_type);
    }
    if let Some(content_type) = input.content_type {
        header = header.with_content_type(content_type);
    }
    for (name, value) in input.extra {
        if !RESERVED_HEADER.contains(&name.as_str()) {
            header = header.with_extra(name, value);
        }
    }

    let Some((signing_key, verifying_key)) = hmac_keys(algorithm, secret) else {
        return;
    };
    let token = match webtoken::encode(&header, &claims, &signing_key) {
        Ok(token) => token,
        // A header past a limit of the header (`webtoken::MAX_HEADER_BYTES`…) (16 KiB of JSON, nesting, number of
        // values) is refused when encoding, as decoding would refuse it.
        Err(e) if e.kind() == webtoken::ErrorKind::Malformed => {
            assert_decode_refuses(&header, algorithm, &e);
            return;
        }
        Err(e) => panic!("claims serialize: {e}"),
    };
    let decoded = webtoken::decode::<Map<String, Value>>(&token, &verifying_key, &validation)
        .unwrap_or_else(|e| panic!("refused its own token {token}: {e}"));
    assert_eq!(decoded.claims(), &claims);
    let got = decoded.header();
    assert_eq!(got.algorithm(), Some(algorithm));
    assert_eq!(got.key_id(), header.key_id());
    assert_eq!(got.token_type(), header.token_type());
    assert_eq!(got.content_type(), header.content_type());
    assert_eq!(got.extra(), header.extra());
    let verified = webtoken::jws::verify(&token, &verifying_key, &validation).expect("verifies");
    let json = serde_json::to_vec(&claims).expect("claims serialize");
    assert_eq!(
        verified.payload(),
        json.as_slice(),
        "encode wrote other JSON than serde_json"
    );
}
