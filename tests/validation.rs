//! Table-driven claim validation with a fixed clock, and the typed Claims API.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use webtoken::{
    Algorithm, ClaimError, Claims, Error, ErrorKind, FixedClock, Header, NumericDate, SigningKey,
    Validation, VerifyingKey,
};

const NOW: i64 = 1_700_000_000;
const SECRET: [u8; 32] = [0x42; 32];

fn sign(claims: &Value) -> String {
    let key = SigningKey::hmac(SECRET, Algorithm::Hs256).expect("key");
    webtoken::encode(&Header::new(), claims, &key).expect("encode")
}

fn check(claims: &Value, validation: Validation) -> Result<(), Error> {
    let key = VerifyingKey::hmac(SECRET, Algorithm::Hs256).expect("key");
    let validation = validation.with_fixed_time(NumericDate::from_secs(NOW));
    webtoken::decode::<Value>(&sign(claims), &key, &validation).map(|_| ())
}

#[test]
#[allow(clippy::too_many_lines)] // one row per rule reads best as one table
fn validation_table() {
    let v = Validation::new;
    let exp_ok = NOW + 600;
    let rows: Vec<(&str, Value, Validation, Option<ErrorKind>)> = vec![
        ("valid", json!({"exp": exp_ok}), v(), None),
        ("exp missing", json!({}), v(), Some(ErrorKind::MissingClaim)),
        ("exp optional", json!({}), v().allow_missing_expiry(), None),
        (
            "exp == now is expired (leeway 0)",
            json!({"exp": NOW}),
            v().with_leeway(Duration::ZERO),
            Some(ErrorKind::Expired),
        ),
        (
            "exp now+1",
            json!({"exp": NOW + 1}),
            v().with_leeway(Duration::ZERO),
            None,
        ),
        ("within default leeway", json!({"exp": NOW - 59}), v(), None),
        (
            "at the leeway edge",
            json!({"exp": NOW - 60}),
            v(),
            Some(ErrorKind::Expired),
        ),
        (
            "fractional exp just ahead",
            json!({"exp": 1_700_000_000.5}),
            v().with_leeway(Duration::ZERO),
            None,
        ),
        (
            "fractional exp just behind",
            json!({"exp": 1_699_999_999.5}),
            v().with_leeway(Duration::ZERO),
            Some(ErrorKind::Expired),
        ),
        (
            "exp as string",
            json!({"exp": "1700000600"}),
            v(),
            Some(ErrorKind::InvalidClaim),
        ),
        (
            "exp as string, optional",
            json!({"exp": "1"}),
            v().allow_missing_expiry(),
            Some(ErrorKind::InvalidClaim),
        ),
        (
            "exp null",
            json!({"exp": null}),
            v(),
            Some(ErrorKind::InvalidClaim),
        ),
        (
            "exp beyond i64",
            json!({"exp": 18_446_744_073_709_551_615u64}),
            v(),
            Some(ErrorKind::InvalidClaim),
        ),
        (
            "exp i64::MIN",
            json!({"exp": i64::MIN}),
            v(),
            Some(ErrorKind::Expired),
        ),
        ("exp i64::MAX", json!({"exp": i64::MAX}), v(), None),
        (
            "nbf future",
            json!({"exp": exp_ok, "nbf": NOW + 61}),
            v(),
            Some(ErrorKind::NotYetValid),
        ),
        (
            "nbf within leeway",
            json!({"exp": exp_ok, "nbf": NOW + 60}),
            v(),
            None,
        ),
        (
            "nbf now",
            json!({"exp": exp_ok, "nbf": NOW}),
            v().with_leeway(Duration::ZERO),
            None,
        ),
        (
            "iat future",
            json!({"exp": exp_ok, "iat": NOW + 3600}),
            v(),
            Some(ErrorKind::NotYetValid),
        ),
        (
            "iat past",
            json!({"exp": exp_ok, "iat": NOW - 3600}),
            v(),
            None,
        ),
        (
            "iss ok",
            json!({"exp": exp_ok, "iss": "a"}),
            v().with_issuer("b").with_issuer("a"),
            None,
        ),
        (
            "iss wrong",
            json!({"exp": exp_ok, "iss": "c"}),
            v().with_issuer("a"),
            Some(ErrorKind::InvalidIssuer),
        ),
        (
            "iss missing",
            json!({"exp": exp_ok}),
            v().with_issuer("a"),
            Some(ErrorKind::MissingClaim),
        ),
        (
            "iss array",
            json!({"exp": exp_ok, "iss": ["a"]}),
            v().with_issuer("a"),
            Some(ErrorKind::InvalidClaim),
        ),
        (
            "sub ok",
            json!({"exp": exp_ok, "sub": "u"}),
            v().with_subject("u"),
            None,
        ),
        (
            "sub wrong",
            json!({"exp": exp_ok, "sub": "U"}),
            v().with_subject("u"),
            Some(ErrorKind::InvalidSubject),
        ),
        (
            "aud string",
            json!({"exp": exp_ok, "aud": "api"}),
            v().with_audience("api"),
            None,
        ),
        (
            "aud array",
            json!({"exp": exp_ok, "aud": ["x", "api"]}),
            v().with_audience("api"),
            None,
        ),
        (
            "aud one of",
            json!({"exp": exp_ok, "aud": "b"}),
            v().with_audience("a").with_audience("b"),
            None,
        ),
        (
            "aud mismatch",
            json!({"exp": exp_ok, "aud": ["x"]}),
            v().with_audience("api"),
            Some(ErrorKind::InvalidAudience),
        ),
        (
            "aud empty array",
            json!({"exp": exp_ok, "aud": []}),
            v().with_audience("api"),
            Some(ErrorKind::InvalidAudience),
        ),
        (
            "aud missing",
            json!({"exp": exp_ok}),
            v().with_audience("api"),
            Some(ErrorKind::MissingClaim),
        ),
        (
            "aud not configured",
            json!({"exp": exp_ok, "aud": "api"}),
            v(),
            Some(ErrorKind::InvalidAudience),
        ),
        (
            "aud check skipped",
            json!({"exp": exp_ok, "aud": "api"}),
            v().insecure_skip_audience_check(),
            None,
        ),
        (
            "aud number",
            json!({"exp": exp_ok, "aud": 5}),
            v().with_audience("api"),
            Some(ErrorKind::InvalidClaim),
        ),
        (
            "aud mixed array",
            json!({"exp": exp_ok, "aud": ["api", 5]}),
            v().with_audience("api"),
            Some(ErrorKind::InvalidClaim),
        ),
        (
            "custom required present",
            json!({"exp": exp_ok, "tenant": "t"}),
            v().require("tenant"),
            None,
        ),
        (
            "custom required absent",
            json!({"exp": exp_ok}),
            v().require("tenant"),
            Some(ErrorKind::MissingClaim),
        ),
        (
            "jti required",
            json!({"exp": exp_ok}),
            v().require("jti"),
            Some(ErrorKind::MissingClaim),
        ),
        (
            "jti wrong type",
            json!({"exp": exp_ok, "jti": 1}),
            v(),
            Some(ErrorKind::InvalidClaim),
        ),
        // Check order: type errors before missing, before time, before iss/aud.
        (
            "type before time",
            json!({"exp": NOW - 1000, "sub": 1}),
            v(),
            Some(ErrorKind::InvalidClaim),
        ),
        (
            "missing before time",
            json!({"exp": NOW - 1000}),
            v().with_issuer("a"),
            Some(ErrorKind::MissingClaim),
        ),
        (
            "time before issuer",
            json!({"exp": NOW - 1000, "iss": "x"}),
            v().with_issuer("a"),
            Some(ErrorKind::Expired),
        ),
    ];
    let mut failures = Vec::new();
    for (name, claims, validation, expected) in rows {
        let got = check(&claims, validation).map_err(|e| e.kind());
        let want = expected.map_or(Ok(()), Err);
        if got != want {
            failures.push(format!("{name}: expected {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn messages_name_what_was_expected_and_found() {
    let err = check(
        &json!({"exp": NOW + 5, "aud": ["x", "y"]}),
        Validation::new().with_audience("api"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"audience (aud) ["x", "y"] does not contain "api""#
    );
    let err = check(
        &json!({"exp": NOW + 5, "iss": "evil"}),
        Validation::new().with_issuer("a").with_issuer("b"),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"issuer (iss) "evil" is not accepted, expected one of "a", "b""#
    );
    let err = check(&json!({"exp": NOW - 100}), Validation::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "token expired at 1699999900 (now is 1700000000, leeway 60 s)"
    );
    let err = check(&json!({"exp": NOW + 5, "aud": "api"}), Validation::new()).unwrap_err();
    assert!(
        err.to_string().contains("Validation::with_audience"),
        "{err}"
    );
    let err = check(&json!({"exp": "soon"}), Validation::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "claim exp is invalid: expected a NumericDate (a JSON number of seconds), found a string"
    );
    assert!(matches!(
        err,
        Error::Claim(ClaimError::InvalidType { claim: "exp", .. })
    ));
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Profile {
    name: String,
    roles: Vec<String>,
}

#[test]
fn custom_claims_see_only_their_own_members() {
    let key = SigningKey::hmac(SECRET, Algorithm::Hs256).expect("key");
    let clock = FixedClock(NumericDate::from_secs(NOW));
    let claims = Claims::new(Profile {
        name: "Ada".into(),
        roles: vec!["admin".into()],
    })
    .with_subject("user-1")
    .with_issuer("https://id.example")
    .with_audience(["api", "billing"])
    .with_jwt_id("j1")
    .expires_in_with_clock(Duration::from_secs(900), &clock);
    let jwt = webtoken::encode(&Header::new().with_key_id("k1"), &claims, &key).expect("encode");

    let validation = Validation::new()
        .with_issuer("https://id.example")
        .with_audience("billing")
        .with_fixed_time(NumericDate::from_secs(NOW + 10));
    let token = webtoken::decode::<Profile>(&jwt, &key.verifying_key().expect("vk"), &validation)
        .expect("decode");
    assert_eq!(token.claims(), &claims);
    assert_eq!(token.claims().name, "Ada"); // Deref to the custom claims
    assert_eq!(token.header().key_id(), Some("k1"));
    assert_eq!(token.header().algorithm(), Some(Algorithm::Hs256));
    assert_eq!(token.claims().issued_at, Some(NumericDate::from_secs(NOW)));
    assert_eq!(
        token.claims().expires_at,
        Some(NumericDate::from_secs(NOW + 900))
    );
}

#[test]
fn custom_type_errors_come_after_every_registered_check() {
    // The custom type fails (roles missing), but the token is also expired: expired wins.
    let claims = json!({"exp": NOW - 1000, "name": "Ada"});
    let key = VerifyingKey::hmac(SECRET, Algorithm::Hs256).expect("key");
    let v = Validation::new().with_fixed_time(NumericDate::from_secs(NOW));
    let err = webtoken::decode::<Profile>(&sign(&claims), &key, &v).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expired);
    // A valid token whose custom claims do not fit the type: invalid_claim naming serde's reason.
    let claims = json!({"exp": NOW + 1000, "name": "Ada"});
    let err = webtoken::decode::<Profile>(&sign(&claims), &key, &v).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidClaim);
    assert!(err.to_string().contains("roles"), "{err}");
    // A registered claim after the failing member is still type-checked first.
    let claims = json!({"name": 5, "exp": "late"});
    let err = webtoken::decode::<Profile>(&sign(&claims), &key, &v).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Claim(ClaimError::InvalidType { claim: "exp", .. })
        ),
        "{err}"
    );
    // And a duplicate after the failing member is malformed.
    let token = webtoken::jws::sign(
        &Header::new(),
        br#"{"name":5,"exp":1700000600,"exp":1700000600}"#,
        &SigningKey::hmac(SECRET, Algorithm::Hs256).expect("key"),
    )
    .expect("sign");
    let err = webtoken::decode::<Profile>(&token, &key, &v).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed);
}

#[test]
fn claims_round_trip_through_serde_with_unit_and_value_custom_types() {
    let claims: Claims = serde_json::from_str(r#"{"sub":"a","exp":1.5,"x":[1]}"#).expect("parse");
    assert_eq!(claims.subject.as_deref(), Some("a"));
    assert_eq!(
        claims.expires_at.map(NumericDate::subsec_nanos),
        Some(500_000_000)
    );
    let claims: Claims<Value> = serde_json::from_str(r#"{"sub":"a","x":[1]}"#).expect("parse");
    assert_eq!(claims.custom, json!({"x": [1]}));
    assert_eq!(
        serde_json::to_value(&claims).expect("ser"),
        json!({"sub":"a","x":[1]})
    );
    assert!(serde_json::from_str::<Claims>(r#"{"sub":"a","sub":"b"}"#).is_err());
    assert!(serde_json::from_str::<Claims>(r#"{"exp":"1"}"#).is_err());
}

#[test]
fn the_verdict_never_depends_on_which_claims_the_custom_type_reads() {
    // Found by fuzzing: `()` skipped an out-of-range number that a map refuses.
    let key = SigningKey::hmac(SECRET, Algorithm::Hs256).expect("key");
    let token = webtoken::jws::sign(&Header::new(), br#"{"exp":1700000600,"x":[1e400]}"#, &key)
        .expect("sign");
    let vk = VerifyingKey::hmac(SECRET, Algorithm::Hs256).expect("key");
    let v = Validation::new().with_fixed_time(NumericDate::from_secs(NOW));
    let unit = webtoken::decode::<()>(&token, &vk, &v).unwrap_err();
    let map = webtoken::decode::<Value>(&token, &vk, &v).unwrap_err();
    assert_eq!(unit.kind(), ErrorKind::Malformed);
    assert_eq!(map.kind(), ErrorKind::Malformed);
}

#[test]
fn encode_refuses_custom_claims_that_use_registered_names() {
    // Found by fuzzing: a custom `sub` next to Claims::subject wrote a duplicate member.
    let key = SigningKey::hmac(SECRET, Algorithm::Hs256).expect("key");
    let claims = Claims::new(json!({"sub": "admin"})).with_subject("user-1");
    let err = webtoken::encode(&Header::new(), &claims, &key).unwrap_err();
    assert!(
        err.to_string().contains("registered claim \"sub\""),
        "{err}"
    );
    let claims = Claims::new(json!({"iss": "x"}));
    assert!(webtoken::encode(&Header::new(), &claims, &key).is_err());
}
