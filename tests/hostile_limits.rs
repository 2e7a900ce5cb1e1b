//! Issue 13 ("earn the trust claim"): what a hostile token can make webtoken do.
//!
//! - duplicate member names are refused at every depth of the payload, whatever type reads
//!   the custom claims, and through `decode_borrowed` too;
//! - the header's caps (`crit` names, nesting depth, number of values) give `malformed`;
//! - every error message stays short and free of raw control characters, however long the
//!   attacker's strings are.
//!
//! The cost of the checks before the signature is covered by the `hostile64k` benchmark group
//! and by the step-counting unit tests in `src/header.rs` and `src/claims.rs`.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit as _, Mac};
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;
use webtoken::{Algorithm, Error, ErrorKind, UnknownKeyError, Validation, VerifyingKey};

const SECRET: &[u8; 32] = b"hostile limits secret, 32 bytes!";

fn key() -> VerifyingKey {
    VerifyingKey::hmac(SECRET, Algorithm::Hs256).unwrap()
}

/// No `exp` needed, and room for tokens larger than the default limit (the message tests
/// carry several 40 KB strings).
fn validation() -> Validation {
    Validation::new()
        .allow_missing_expiry()
        .with_max_token_size(1 << 20)
}

/// A correctly signed HS256 token with exactly this header and payload JSON.
fn signed(header: &str, payload: &str) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).unwrap();
    mac.update(input.as_bytes());
    let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{input}.{tag}")
}

/// The same token with a wrong signature.
fn unsigned(header: &str, payload: &str) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload),
        "A".repeat(43)
    )
}

const HS256: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Perm {
    admin: bool,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Typed {
    perm: Perm,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Listed {
    perms: Vec<Perm>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
enum Role {
    Admin { level: u8 },
    User,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct WithEnum {
    role: Role,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Borrowed<'a> {
    #[serde(borrow)]
    perm: BTreeMap<&'a str, bool>,
}

#[derive(Deserialize)]
struct Ids {
    ids: HashMap<u32, String>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Strict {
    n: u32,
    kind: Kind,
}

#[derive(Debug, Deserialize)]
enum Kind {
    A,
}

/// The verdict of every way of reading the custom claims on one payload.
fn kinds(payload: &str) -> Vec<(&'static str, Result<(), ErrorKind>)> {
    let token = signed(HS256, payload);
    let (k, v) = (key(), validation());
    let kind = |r: Result<(), Error>| r.map_err(|e| e.kind());
    let mut buffer = Vec::new();
    vec![
        (
            "Value",
            kind(webtoken::decode::<Value>(&token, &k, &v).map(drop)),
        ),
        (
            "HashMap",
            kind(webtoken::decode::<HashMap<String, Value>>(&token, &k, &v).map(drop)),
        ),
        ("()", kind(webtoken::decode::<()>(&token, &k, &v).map(drop))),
        (
            "IgnoredAny",
            kind(webtoken::decode::<serde::de::IgnoredAny>(&token, &k, &v).map(drop)),
        ),
        (
            "borrowed Value",
            kind(webtoken::decode_borrowed::<Value>(&token, &k, &v, &mut buffer).map(drop)),
        ),
    ]
}

fn assert_all_malformed(payload: &str) {
    for (reader, verdict) in kinds(payload) {
        assert_eq!(verdict, Err(ErrorKind::Malformed), "{reader}: {payload}");
    }
}

/// The finding: `{"perm":{"admin":false,"admin":true}}` was accepted, last wins.
#[test]
fn nested_duplicates_are_refused_whatever_reads_them() {
    for payload in [
        r#"{"perm":{"admin":false,"admin":true}}"#,
        r#"{"perm":{"admin":false,"\u0061dmin":true}}"#,
        r#"{"perm":{"\u0061dmin":false,"admin":true}}"#,
        r#"{"a":[{"x":1},{"y":{"z":[{"q":1,"q":1}]}}]}"#,
        r#"{"perms":[{"admin":false},{"admin":false,"admin":true}]}"#,
        r#"{"role":{"Admin":{"level":1,"level":9}}}"#,
        // Inside a registered claim of the wrong type: still malformed first (step 10).
        r#"{"aud":[{"a":1,"a":2}]}"#,
        r#"{"exp":{"a":1,"a":2}}"#,
    ] {
        assert_all_malformed(payload);
    }
    // Many members, the duplicate last (past the inline names, into the hash set).
    let mut members: Vec<String> = (0..200).map(|i| format!(r#""m{i}":{i}"#)).collect();
    members.push(r#""m\u0031\u0039\u0039":0"#.into());
    assert_all_malformed(&format!(r#"{{"perm":{{{}}}}}"#, members.join(",")));
}

#[test]
fn nested_duplicates_are_refused_for_typed_claims() {
    let (k, v) = (key(), validation());
    let typed = signed(HS256, r#"{"perm":{"admin":false,"admin":true}}"#);
    let err = webtoken::decode::<Typed>(&typed, &k, &v).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed, "{err}");
    assert!(
        err.to_string().contains("duplicate member name \"admin\""),
        "{err}"
    );
    let listed = signed(
        HS256,
        r#"{"perms":[{"admin":false},{"admin":false,"admin":true}]}"#,
    );
    let err = webtoken::decode::<Listed>(&listed, &k, &v).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed, "{err}");
    let with_enum = signed(HS256, r#"{"role":{"Admin":{"level":1,"level":9}}}"#);
    let err = webtoken::decode::<WithEnum>(&with_enum, &k, &v).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed, "{err}");
    let mut buffer = Vec::new();
    let borrowed = signed(HS256, r#"{"perm":{"admin":false,"admin":true}}"#);
    let err =
        webtoken::decode_borrowed::<Borrowed<'_>>(&borrowed, &k, &v, &mut buffer).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed, "{err}");
    // An ignored member's value is checked too.
    let ignored = signed(HS256, r#"{"perm":{"admin":true},"other":{"x":1,"x":2}}"#);
    let err = webtoken::decode::<Typed>(&ignored, &k, &v).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed, "{err}");
}

/// The same shapes without the duplicate still decode, by every reader.
#[test]
fn distinct_nested_names_still_decode() {
    for payload in [
        r#"{"perm":{"admin":false,"user":true}}"#,
        r#"{"a":[{"x":1},{"x":1}],"b":{"x":{"x":{"x":1}}}}"#,
        r#"{"perm":{"a":1,"\u0062":2}}"#,
    ] {
        for (reader, verdict) in kinds(payload) {
            assert_eq!(verdict, Ok(()), "{reader}: {payload}");
        }
    }
    let (k, v) = (key(), validation());
    let t = signed(
        HS256,
        r#"{"role":{"Admin":{"level":3}},"x":[1,{"y":null}]}"#,
    );
    let decoded = webtoken::decode::<WithEnum>(&t, &k, &v).unwrap();
    assert!(matches!(
        decoded.claims().custom.role,
        Role::Admin { level: 3 }
    ));
    let t = signed(HS256, r#"{"role":"User"}"#);
    webtoken::decode::<WithEnum>(&t, &k, &v).unwrap();
    let mut buffer = Vec::new();
    let t = signed(HS256, r#"{"perm":{"admin":true,"user":false}}"#);
    let decoded = webtoken::decode_borrowed::<Borrowed<'_>>(&t, &k, &v, &mut buffer).unwrap();
    assert_eq!(decoded.claims().custom.perm.len(), 2);
    // Numeric map keys still work (read as numbers by the map's key type).
    let t = signed(HS256, r#"{"ids":{"1":"a","2":"b"}}"#);
    let decoded = webtoken::decode::<Ids>(&t, &k, &v).unwrap();
    assert_eq!(decoded.claims().custom.ids[&2], "b");
}

fn header_kind(header: &str) -> ErrorKind {
    webtoken::decode::<Value>(&unsigned(header, "{}"), &key(), &validation())
        .unwrap_err()
        .kind()
}

fn header_message(header: &str) -> String {
    webtoken::decode::<Value>(&unsigned(header, "{}"), &key(), &validation())
        .unwrap_err()
        .to_string()
}

#[test]
fn header_caps_are_malformed() {
    let crit = |n: usize| {
        let names: Vec<String> = (0..n).map(|i| format!("\"c{i}\"")).collect();
        let members: Vec<String> = (0..n).map(|i| format!(",\"c{i}\":0")).collect();
        format!(
            r#"{{"alg":"HS256","crit":[{}]{}}}"#,
            names.join(","),
            members.concat()
        )
    };
    // At the cap: a valid `crit` of names webtoken does not implement.
    assert_eq!(header_kind(&crit(64)), ErrorKind::UnsupportedCriticalHeader);
    assert_eq!(header_kind(&crit(65)), ErrorKind::Malformed);
    assert!(header_message(&crit(65)).contains("lists more than 64 names"));

    let nested = |depth: usize| {
        format!(
            r#"{{"alg":"HS256","x":{}0{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    assert_eq!(header_kind(&nested(16)), ErrorKind::InvalidSignature);
    assert_eq!(header_kind(&nested(17)), ErrorKind::Malformed);
    assert!(header_message(&nested(17)).contains("nest deeper than 16 levels"));

    let values = |n: usize| {
        let members: Vec<String> = (0..n).map(|i| format!(",\"m{i}\":0")).collect();
        format!(r#"{{"alg":"HS256"{}}}"#, members.concat())
    };
    // `alg` and 255 others: 256 values.
    assert_eq!(header_kind(&values(255)), ErrorKind::InvalidSignature);
    assert_eq!(header_kind(&values(256)), ErrorKind::Malformed);
    assert!(header_message(&values(256)).contains("more than 256 members and array elements"));
    let elements = |n: usize| format!(r#"{{"alg":"HS256","x":[{}]}}"#, vec!["0"; n].join(","));
    assert_eq!(header_kind(&elements(254)), ErrorKind::InvalidSignature);
    assert_eq!(header_kind(&elements(255)), ErrorKind::Malformed);

    // The header's JSON is at most 16 KiB, refused before it is decoded.
    let sized = |n: usize| {
        let head = r#"{"alg":"HS256","x":""#;
        format!(r#"{head}{}"}}"#, "x".repeat(n - head.len() - 2))
    };
    assert_eq!(sized(16 * 1024).len(), 16 * 1024);
    assert_eq!(header_kind(&sized(16 * 1024)), ErrorKind::InvalidSignature);
    assert_eq!(header_kind(&sized(16 * 1024 + 1)), ErrorKind::Malformed);
    assert_eq!(
        header_message(&sized(16 * 1024 + 1)),
        "header is 16385 bytes, larger than the limit of 16384 bytes"
    );
    // A shape error of step 2 still comes first.
    let bad_shape = format!("{}!", unsigned(&sized(20_000), "{}"));
    let err = webtoken::decode::<Value>(&bad_shape, &key(), &validation()).unwrap_err();
    assert!(
        err.to_string().contains("outside the base64url alphabet"),
        "{err}"
    );
    // The same limit for the unverified reader.
    let err = webtoken::UntrustedToken::parse(&unsigned(&sized(20_000), "{}")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed);

    // Duplicates inside header values are refused too.
    assert_eq!(
        header_kind(r#"{"alg":"HS256","jwk":{"kty":"oct","kty":"RSA"}}"#),
        ErrorKind::Malformed
    );
    assert_eq!(
        header_kind(r#"{"alg":"HS256","x":[{"a":1,"\u0061":2}]}"#),
        ErrorKind::Malformed
    );
}

/// Some bound for every message, however large the token: a handful of quoted strings of 64
/// characters (each escaped character at most 10 bytes) and a reason of 256.
const MESSAGE_BOUND: usize = 4096;

fn assert_clean(what: &str, err: &Error) {
    let message = err.to_string();
    assert!(
        message.len() <= MESSAGE_BOUND,
        "{what}: {} bytes: {}…",
        message.len(),
        &message[..200]
    );
    assert!(
        !message.contains(['\u{1b}', '\r', '\n', '\0', '\u{7f}']),
        "{what}: {message:?}"
    );
}

/// `units` × 29 characters of hostile text: ESC sequences, CR/LF, quotes.
fn hostile(units: usize) -> String {
    "\u{1b}[2J\r\nFAKE LOG LINE \"quoted\"\t".repeat(units)
}

/// 40,600 characters of hostile text, for the payload.
fn hostile_text() -> String {
    hostile(1_400)
}

/// Escaped as JSON string content.
fn json_str(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap();
    quoted[1..quoted.len() - 1].to_owned()
}

#[test]
#[allow(clippy::too_many_lines)] // one list of error paths
fn every_message_is_bounded_and_escaped() {
    let t = json_str(&hostile_text());
    // In the header, which is at most 16 KiB: 2,900 characters, 3 times over at most.
    let h = json_str(&hostile(100));
    let k = key();
    let strict = validation()
        .with_issuer("https://issuer.example")
        .with_audience("https://api.example")
        .with_type("JWT");
    let mut cases: Vec<(&str, Result<(), Error>)> = Vec::new();
    let mut check = |what: &'static str, token: String, v: &Validation| {
        cases.push((what, webtoken::decode::<Value>(&token, &k, v).map(drop)));
    };
    // Before the signature.
    check(
        "alg not allowed",
        unsigned(&format!(r#"{{"alg":"{h}"}}"#), "{}"),
        &strict,
    );
    check(
        "kid type",
        unsigned(&format!(r#"{{"alg":"HS256","kid":1,"{h}":1}}"#), "{}"),
        &strict,
    );
    check(
        "typ",
        unsigned(&format!(r#"{{"alg":"HS256","typ":"{h}"}}"#), "{}"),
        &strict,
    );
    check(
        "crit registered",
        unsigned(&format!(r#"{{"alg":"HS256","crit":["{h}"]}}"#), "{}"),
        &strict,
    );
    check(
        "crit twice",
        unsigned(
            &format!(r#"{{"alg":"HS256","crit":["{h}","{h}"],"{h}":1}}"#),
            "{}",
        ),
        &strict,
    );
    check(
        "crit unsupported",
        unsigned(
            &format!(r#"{{"alg":"HS256","crit":["{h}"],"{h}":1}}"#),
            "{}",
        ),
        &strict,
    );
    check(
        "header duplicate",
        unsigned(&format!(r#"{{"alg":"HS256","{h}":1,"{h}":2}}"#), "{}"),
        &strict,
    );
    check(
        "header nested duplicate",
        unsigned(
            &format!(r#"{{"alg":"HS256","x":{{"{h}":1,"{h}":2}}}}"#),
            "{}",
        ),
        &strict,
    );
    check(
        "header syntax",
        unsigned(&format!(r#"{{"alg":"HS256","x":"{h}"x}}"#), "{}"),
        &strict,
    );
    check("header not json", unsigned(&hostile(100), "{}"), &strict);
    // After the signature.
    let typed = |payload: &str| signed(r#"{"alg":"HS256","typ":"JWT"}"#, payload);
    check(
        "iss",
        typed(&format!(r#"{{"iss":"{t}","aud":"https://api.example"}}"#)),
        &strict,
    );
    check(
        "aud list",
        typed(&format!(
            r#"{{"iss":"https://issuer.example","aud":[{}]}}"#,
            vec![format!("\"{t}\""); 3].join(",")
        )),
        &strict,
    );
    check(
        "aud many",
        typed(&format!(
            r#"{{"iss":"https://issuer.example","aud":[{}]}}"#,
            vec!["\"x\""; 8000].join(",")
        )),
        &strict,
    );
    check(
        "unexpected aud",
        typed(&format!(r#"{{"aud":["{t}","{t}"]}}"#)),
        &validation(),
    );
    check(
        "sub",
        typed(&format!(r#"{{"sub":"{t}"}}"#)),
        &validation().with_subject("someone"),
    );
    check(
        "payload duplicate",
        typed(&format!(r#"{{"{t}":1,"{t}":2}}"#)),
        &strict,
    );
    check(
        "payload nested duplicate",
        typed(&format!(r#"{{"a":{{"{t}":1,"{t}":2}}}}"#)),
        &strict,
    );
    check(
        "payload syntax",
        typed(&format!(r#"{{"a":"{t}"]"#)),
        &strict,
    );
    check("payload not json", typed(&hostile_text()), &strict);
    check("exp type", typed(&format!(r#"{{"exp":"{t}"}}"#)), &strict);
    check(
        "missing custom",
        typed(r#"{"iss":"https://issuer.example","aud":"https://api.example"}"#),
        &strict.clone().require(hostile_text()),
    );
    check("token too large", "a".repeat(200_000), &Validation::new());
    check("segments", format!("{t}.{t}"), &strict);
    // A key set's refusal quotes the token's kid (built here: a single key ignores kid).
    assert_clean(
        "unknown kid",
        &Error::UnknownKey(UnknownKeyError::NotFound {
            kid: Some(hostile_text()),
        }),
    );
    let expected = [
        ErrorKind::AlgorithmNotAllowed,
        ErrorKind::Malformed,
        ErrorKind::InvalidType,
        ErrorKind::Malformed,
        ErrorKind::Malformed,
        ErrorKind::UnsupportedCriticalHeader,
        ErrorKind::Malformed,
        ErrorKind::Malformed,
        ErrorKind::Malformed,
        ErrorKind::Malformed,
        ErrorKind::InvalidIssuer,
        ErrorKind::InvalidAudience,
        ErrorKind::InvalidAudience,
        ErrorKind::InvalidAudience,
        ErrorKind::InvalidSubject,
        ErrorKind::Malformed,
        ErrorKind::Malformed,
        ErrorKind::Malformed,
        ErrorKind::Malformed,
        ErrorKind::InvalidClaim,
        ErrorKind::MissingClaim,
        ErrorKind::TokenTooLarge,
        ErrorKind::Malformed,
    ];
    assert_eq!(cases.len(), expected.len());
    for ((what, result), kind) in cases.iter().zip(expected) {
        // Each case reaches the error path it is named after.
        assert_eq!(result.as_ref().map_err(Error::kind), Err(kind), "{what}");
        let err = result.as_ref().unwrap_err();
        assert_clean(what, err);
    }

    // The custom type's own serde message quotes the input.
    let v = validation();
    for payload in [
        format!(r#"{{"n":"{t}","kind":"A"}}"#),
        format!(r#"{{"n":1,"kind":"{t}"}}"#),
    ] {
        let err = webtoken::decode::<Strict>(&typed(&payload), &k, &v).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidClaim, "{err}");
        assert_clean("custom", &err);
    }
}

/// The format of a cut string: escaped, 64 characters, an ellipsis and the full length.
#[test]
fn long_strings_are_cut_with_their_length() {
    let kid = format!("\u{1b}{}", "k".repeat(10_000));
    let token = unsigned(&format!(r#"{{"alg":"{}"}}"#, json_str(&kid)), "{}");
    let message = webtoken::decode::<Value>(&token, &key(), &validation())
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        format!(
            "algorithm (alg) \"\\u{{1b}}{}…\" (10001 bytes) is not allowed",
            "k".repeat(63)
        )
    );
}
