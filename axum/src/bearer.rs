//! Finding the token of a request: the `Authorization: Bearer` header (RFC 6750 §2.1) or,
//! when an authorizer names one, a cookie.

use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, COOKIE};

/// What a request carries.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found<'a> {
    /// A token.
    Token(&'a str),
    /// No token (no header, or another scheme; no cookie).
    Missing,
    /// A malformed header or cookie: webtoken-axum's own text, never the token.
    Malformed(&'static str),
}

/// The token of the request's single `Authorization: Bearer <token>` header. Its length is
/// the server's to bound (hyper's header limits); a token over webtoken's size limit is then
/// refused by `decode` (`token_too_large`) before anything of it is decoded.
pub(crate) fn from_header(headers: &HeaderMap) -> Found<'_> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = match (values.next(), values.next()) {
        (None, _) => return Found::Missing,
        (Some(_), Some(_)) => return Found::Malformed("more than one Authorization header"),
        (Some(value), None) => value,
    };
    let Ok(value) = value.to_str() else {
        return Found::Malformed("the Authorization header is not visible ASCII");
    };
    let (scheme, credentials) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Found::Missing;
    }
    let token = credentials.trim_start_matches(' ');
    if is_b64token(token) {
        Found::Token(token)
    } else {
        Found::Malformed("expected Authorization: Bearer <token>")
    }
}

/// The value of the first cookie called `name` in the request's `Cookie` headers
/// (RFC 6265 §4.2.1: `name=value` pairs separated by `; `; a quoted value is unquoted).
pub(crate) fn from_cookie<'a>(headers: &'a HeaderMap, name: &str) -> Found<'a> {
    for header in headers.get_all(COOKIE) {
        let Ok(header) = header.to_str() else {
            continue;
        };
        for pair in header.split(';') {
            let Some((key, value)) = pair.split_once('=') else {
                continue;
            };
            if key.trim() != name {
                continue;
            }
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            return if is_b64token(value) {
                Found::Token(value)
            } else {
                Found::Malformed("the token cookie does not hold a token")
            };
        }
    }
    Found::Missing
}

/// RFC 6750 §2.1: `b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: &axum::http::HeaderName, values: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(name.clone(), HeaderValue::from_bytes(v).unwrap());
        }
        headers
    }

    #[test]
    fn bearer_headers_by_rfc_6750() {
        let h = with(&AUTHORIZATION, &[b"Bearer abc.def.ghi"]);
        assert_eq!(from_header(&h), Found::Token("abc.def.ghi"));
        let h = with(&AUTHORIZATION, &[b"bearer  a+/=="]);
        assert_eq!(from_header(&h), Found::Token("a+/=="));
        for missing in [&[][..], &[&b"Basic dXNlcjpwdw=="[..]], &[&b"Token"[..]]] {
            assert_eq!(from_header(&with(&AUTHORIZATION, missing)), Found::Missing);
        }
        for garbled in [
            &[&b"Bearer"[..]][..],
            &[&b"Bearer "[..]],
            &[&b"Bearer a b"[..]],
            &[&b"Bearer =="[..]],
            &[&b"Bearer a\"b"[..]],
            &[&b"Bearer \xff"[..]],
            &[&b"Bearer a"[..], &b"Bearer a"[..]],
        ] {
            assert!(
                matches!(
                    from_header(&with(&AUTHORIZATION, garbled)),
                    Found::Malformed(_)
                ),
                "{garbled:?}"
            );
        }
    }

    #[test]
    fn cookies_by_name() {
        let h = with(&COOKIE, &[b"a=1; at=x.y.z; b=2"]);
        assert_eq!(from_cookie(&h, "at"), Found::Token("x.y.z"));
        let h = with(&COOKIE, &[b"a=1", b"at=\"x.y.z\""]);
        assert_eq!(from_cookie(&h, "at"), Found::Token("x.y.z"));
        let h = with(&COOKIE, &[b"xat=1; a=2"]);
        assert_eq!(from_cookie(&h, "at"), Found::Missing);
        let h = with(&COOKIE, &[b"at=a b"]);
        assert!(matches!(from_cookie(&h, "at"), Found::Malformed(_)));
        assert_eq!(from_cookie(&HeaderMap::new(), "at"), Found::Missing);
    }
}
