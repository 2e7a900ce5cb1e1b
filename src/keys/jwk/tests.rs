//! The JWK module's unit tests: this whole file is the `#[cfg(test)] mod tests` of
//! `keys/jwk/mod.rs`, so its `unwrap`s run only in tests.

use super::convert::minimal;
use super::*;
use crate::keys::KeySource;

const EC_X: &str = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
const EC_Y: &str = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

#[test]
fn shown_escapes_and_truncates() {
    assert_eq!(Shown("a\"b").to_string(), r#""a\"b""#);
    let long = "x".repeat(100);
    assert!(Shown(&long).to_string().ends_with("..."));
    assert!(Shown(&long).to_string().len() < 50);
    assert_eq!(Shown("P-521\n").bare(), "P-521\\n");
    assert_eq!(Shown(&long).bare().len(), 43);
}

#[test]
fn duplicate_members_are_refused() {
    let json = format!(r#"{{"kty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}","crv":"P-384"}}"#);
    let err = Jwk::from_json(&json).unwrap_err();
    assert!(
        err.to_string().contains("duplicate member name \"crv\""),
        "{err}"
    );
}

#[test]
fn nested_duplicate_member_names_are_refused() {
    let json =
        format!(r#"{{"kty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}","ext":{{"a":1,"a":2}}}}"#);
    let err = Jwk::from_json(&json).unwrap_err();
    assert!(
        err.to_string().contains("duplicate member name \"a\""),
        "{err}"
    );
    let set = r#"{"keys":[],"meta":[{"b":1,"b":2}]}"#;
    let err = JwkSet::from_json(set).unwrap_err();
    assert!(
        err.to_string().contains("duplicate member name \"b\""),
        "{err}"
    );
}

#[test]
fn escaped_duplicate_member_names_collide() {
    let json =
        format!(r#"{{"kty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}","\u0063rv":"P-384"}}"#);
    assert!(Jwk::from_json(&json).is_err());
}

#[test]
fn minimal_keeps_one_octet_for_zero() {
    assert_eq!(minimal(&[0, 0, 1, 0]), vec![1, 0]);
    assert_eq!(minimal(&[0, 0]), vec![0]);
    assert_eq!(minimal(&[]), Vec::<u8>::new());
}

#[test]
fn cached_keys_are_reused() {
    let json = format!(r#"{{"kty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}"}}"#);
    let jwk = Jwk::from_json(&json).unwrap();
    let a = jwk.find_key(None, Algorithm::Es256).unwrap();
    let b = jwk.find_key(None, Algorithm::Es256).unwrap();
    assert!(matches!((a, b), (Cow::Borrowed(a), Cow::Borrowed(b)) if std::ptr::eq(a, b)));
}
