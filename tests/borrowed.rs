//! `decode_borrowed`: claims that borrow from the decoded payload, with the checks of `decode`.

#![allow(clippy::unwrap_used)]

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use webtoken::{
    Algorithm, Claims, ErrorKind, Header, NumericDate, SigningKey, Validation, VerifyingKey,
};

const NOW: i64 = 1_750_000_000;

#[derive(Serialize, Deserialize, Debug)]
struct Profile<'a> {
    name: &'a str,
    #[serde(borrow)]
    email: Cow<'a, str>,
    roles: Vec<&'a str>,
}

fn keys() -> (SigningKey, VerifyingKey) {
    let signing = SigningKey::hmac([9u8; 32], Algorithm::Hs256).unwrap();
    let verifying = signing.verifying_key().unwrap();
    (signing, verifying)
}

fn validation() -> Validation {
    Validation::new().with_fixed_time(NumericDate::from_secs(NOW))
}

fn token(name: &str, email: &str) -> String {
    let claims = Claims::new(Profile {
        name,
        email: email.into(),
        roles: vec!["admin", "ops"],
    })
    .with_subject("user-1")
    .with_expires_at(NumericDate::from_secs(NOW + 60));
    webtoken::encode(&Header::new(), &claims, &keys().0).unwrap()
}

#[test]
fn custom_claims_borrow_from_the_buffer() {
    let jwt = token("Ada", "ada@example.com");
    let mut buffer = Vec::new();
    let decoded =
        webtoken::decode_borrowed::<Profile<'_>>(&jwt, &keys().1, &validation(), &mut buffer)
            .unwrap();
    let claims = decoded.claims();
    assert_eq!(claims.subject.as_deref(), Some("user-1"));
    assert_eq!(claims.custom.roles, ["admin", "ops"]);
    let Cow::Borrowed(email) = claims.custom.email else {
        panic!("an email without escapes must be borrowed");
    };
    assert_eq!(email, "ada@example.com");
    let addresses =
        [claims.custom.name, email, claims.custom.roles[0]].map(|s| s.as_ptr() as usize);
    drop(decoded);
    let range = buffer.as_ptr_range();
    let range = range.start as usize..range.end as usize;
    assert!(
        addresses.iter().all(|a| range.contains(a)),
        "borrowed from the buffer"
    );
}

#[test]
fn a_string_with_escapes_is_owned_by_a_cow_and_refused_by_a_str() {
    let (_, key) = keys();
    let mut buffer = Vec::new();
    let jwt = token("Ada", "ada\"q\"@example.com");
    let decoded =
        webtoken::decode_borrowed::<Profile<'_>>(&jwt, &key, &validation(), &mut buffer).unwrap();
    assert!(
        matches!(decoded.claims().custom.email, Cow::Owned(ref e) if e == "ada\"q\"@example.com")
    );

    // A `&str` cannot hold an unescaped string: the custom type's own error, as `decode` would
    // report any error of the custom type.
    let jwt = token("A\"da", "ada@example.com");
    let err = webtoken::decode_borrowed::<Profile<'_>>(&jwt, &key, &validation(), &mut buffer)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidClaim, "{err}");
    assert!(err.to_string().contains("borrowed string"), "{err}");
}

#[test]
fn every_check_of_decode_still_applies() {
    let (_, key) = keys();
    let mut buffer = Vec::new();
    let jwt = token("Ada", "ada@example.com");
    // Expired.
    let late = Validation::new().with_fixed_time(NumericDate::from_secs(NOW + 3600));
    let err = webtoken::decode_borrowed::<Profile<'_>>(&jwt, &key, &late, &mut buffer).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expired);
    // Tampered payload: the signature fails before anything is read into the buffer.
    buffer.clear();
    buffer.extend_from_slice(b"left over");
    let mut parts: Vec<&str> = jwt.split('.').collect();
    let forged = webtoken::base64url::encode(br#"{"name":"Eve","email":"e","roles":[],"exp":1}"#);
    parts[1] = &forged;
    let err = webtoken::decode_borrowed::<Profile<'_>>(
        &parts.join("."),
        &key,
        &validation(),
        &mut buffer,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidSignature);
    assert_eq!(
        buffer, b"left over",
        "nothing unverified is written to the buffer"
    );
    // Another key.
    let other = VerifyingKey::hmac([1u8; 32], Algorithm::Hs256).unwrap();
    let err = webtoken::decode_borrowed::<Profile<'_>>(&jwt, &other, &validation(), &mut buffer)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidSignature);
}

#[test]
fn one_buffer_serves_token_after_token() {
    let (_, key) = keys();
    let mut buffer = Vec::new();
    let mut names = Vec::new();
    for name in ["Ada", "Grace", "Barbara"] {
        let jwt = token(name, "x@example.com");
        let decoded =
            webtoken::decode_borrowed::<Profile<'_>>(&jwt, &key, &validation(), &mut buffer)
                .unwrap();
        names.push(decoded.claims().custom.name.to_owned());
    }
    assert_eq!(names, ["Ada", "Grace", "Barbara"]);
}
