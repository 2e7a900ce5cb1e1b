//! Signing: the header (with `alg` from the key) and the payload are serialized, encoded and
//! signed into one pre-sized buffer (RFC 7515 §5.1, compact serialization §7.1).

use serde::ser::{Serialize, Serializer};

use crate::algorithm::Algorithm;
use crate::base64url;
use crate::error::{Error, SerializeError};
use crate::header::{AlgField, Header, ParsedHeader};
use crate::keys::SigningKey;

/// Serializes `value` as JSON into `stack` when it fits, else into `heap`.
pub(crate) fn to_json<'b, V: Serialize + ?Sized>(
    value: &V,
    stack: &'b mut [u8],
    heap: &'b mut Vec<u8>,
    what: &'static str,
) -> Result<&'b [u8], Error> {
    let mut writer = SliceWriter { buf: stack, len: 0 };
    // The writer fails once the slice is full; then the value goes to the heap instead.
    if serde_json::to_writer(&mut writer, value).is_ok() {
        let len = writer.len;
        return Ok(&stack[..len]);
    }
    *heap = serde_json::to_vec(value).map_err(|e| SerializeError {
        what,
        message: e.to_string(),
    })?;
    Ok(heap)
}

/// An `io::Write` into a fixed slice that, unlike `&mut [u8]`'s, is a bounds check and a copy
/// per write (serde_json writes in many small pieces, so this is measurably faster).
struct SliceWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl std::io::Write for SliceWriter<'_> {
    #[inline]
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.write_all(data).map(|()| data.len())
    }

    #[inline]
    fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        let end = self.len + data.len();
        match self.buf.get_mut(self.len..end) {
            Some(dst) => {
                dst.copy_from_slice(data);
                self.len = end;
                Ok(())
            }
            None => Err(std::io::ErrorKind::WriteZero.into()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A header ready to go into a token: its JSON, or already its Base64Url text.
#[derive(Clone, Copy)]
pub(crate) enum HeaderPart<'b> {
    Json(&'b [u8]),
    Encoded(&'static str),
}

/// The header for `key`: a constant for `{"alg":..,"typ":"JWT"}`, else its JSON, written by hand
/// for the common shapes or serialized.
#[inline]
pub(crate) fn header_part<'b>(
    header: &Header,
    key: &SigningKey,
    stack: &'b mut [u8],
    heap: &'b mut Vec<u8>,
) -> Result<HeaderPart<'b>, Error> {
    let keyed = KeyedHeader::new(header, key);
    if let Some(encoded) = keyed.common_encoded() {
        return Ok(HeaderPart::Encoded(encoded));
    }
    if let Some(len) = keyed.write_plain(stack) {
        return Ok(HeaderPart::Json(&stack[..len]));
    }
    let json = to_json(&keyed, stack, heap, "header")?;
    // The header shapes `write_plain` does not cover can break a limit of `header` (16 KiB
    // of JSON, nesting, number of values): a token `decode` would refuse as malformed is
    // refused here.
    ParsedHeader::parse(json)?;
    Ok(HeaderPart::Json(json))
}

/// Builds `base64url(header) . base64url(payload) . base64url(signature)`.
///
/// The token is assembled as bytes in one buffer of the final size and becomes a `String` once,
/// at the end: the encoder writes each segment in place, with no intermediate buffer per
/// segment.
#[inline]
pub(crate) fn assemble(
    header: HeaderPart<'_>,
    payload: &[u8],
    key: &SigningKey,
) -> Result<String, Error> {
    let signature_len = key
        .algorithm()
        .signature_len()
        .unwrap_or(crate::keys::MAX_RSA_SIGNATURE_LEN);
    let header_len = match header {
        HeaderPart::Json(json) => base64url::encoded_len(json.len()),
        HeaderPart::Encoded(text) => text.len(),
    };
    let mut out = Vec::with_capacity(
        header_len
            + base64url::encoded_len(payload.len())
            + base64url::encoded_len(signature_len)
            + 2,
    );
    match header {
        HeaderPart::Json(json) => base64url::append_encoded(json, &mut out),
        HeaderPart::Encoded(text) => out.extend_from_slice(text.as_bytes()),
    }
    out.push(b'.');
    base64url::append_encoded(payload, &mut out);
    let signature = key.sign_to_buf(&out)?;
    out.push(b'.');
    base64url::append_encoded(signature.as_slice(), &mut out);
    // Base64Url and '.' are ASCII, so this is always `Ok`; the fallback only avoids a panic path.
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Signs arbitrary payload bytes as a compact JWS (RFC 7515), with `alg` from the key.
///
/// ```
/// use webtoken::{jws, Algorithm, Header, SigningKey};
///
/// let key = SigningKey::hmac(b"a 32-byte secret, for examples!!", Algorithm::Hs256)?;
/// let jws = jws::sign(&Header::empty().with_content_type("text/plain"), b"hello", &key)?;
/// // {"alg":"HS256","cty":"text/plain"} . "hello" . the 32-byte tag
/// assert!(jws.starts_with("eyJhbGciOiJIUzI1NiIsImN0eSI6InRleHQvcGxhaW4ifQ.aGVsbG8."));
/// assert_eq!(jws.rsplit('.').next().unwrap().len(), 43);
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// # Errors
/// As for [`encode`](crate::encode).
pub fn sign(header: &Header, payload: &[u8], key: &SigningKey) -> Result<String, Error> {
    let mut stack = [0u8; 256];
    let mut heap = Vec::new();
    let header = header_part(header, key, &mut stack, &mut heap)?;
    assemble(header, payload, key)
}

/// Signs payload bytes under a header given as exact JSON text, byte for byte (for
/// interoperability tests and for reproducing published examples such as RFC 7515 A.1, whose
/// header contains a line break).
///
/// The header must be a JSON object without duplicate members whose `alg` is the key's
/// algorithm.
///
/// # Errors
/// [`Error::Malformed`] when the header is not such an object, [`Error::AlgorithmNotAllowed`]
/// when its `alg` is not the key's algorithm.
///
/// ```
/// use webtoken::{jws, Algorithm, SigningKey};
///
/// let key = SigningKey::hmac(b"a 32-byte secret, for examples!!", Algorithm::Hs256)?;
/// let jws = jws::sign_with_header_json(r#"{"typ":"JWT", "alg":"HS256"}"#, b"{}", &key)?;
/// assert!(jws.starts_with("eyJ0eXAiOiJKV1QiLCAiYWxnIjoiSFMyNTYifQ.e30.")); // as given, space too
/// assert!(jws::sign_with_header_json(r#"{"alg":"HS512"}"#, b"{}", &key).is_err());
/// # Ok::<(), webtoken::Error>(())
/// ```
pub fn sign_with_header_json(
    header_json: &str,
    payload: &[u8],
    key: &SigningKey,
) -> Result<String, Error> {
    let parsed = ParsedHeader::parse(header_json.as_bytes())?;
    match parsed.alg {
        AlgField::Known(alg) if alg == key.algorithm() => {}
        AlgField::Known(alg) => {
            return Err(Error::AlgorithmNotAllowed(
                crate::error::AlgorithmRejection::KeyMismatch {
                    found: alg,
                    key_algorithm: Some(key.algorithm()),
                    key_family: key.algorithm().family(),
                },
            ));
        }
        _ => {
            return Err(crate::error::MalformedError::Header {
                parameter: "alg",
                reason: "must name the signing key's algorithm".into(),
            }
            .into());
        }
    }
    parsed.check_parameters()?;
    assemble(HeaderPart::Json(header_json.as_bytes()), payload, key)
}

/// A header as it will be signed by a key: `alg` from the key, `kid` from the key when the
/// header has none. Serializes without copying the header.
struct KeyedHeader<'a> {
    header: &'a Header,
    algorithm: Algorithm,
    key_id: Option<&'a str>,
}

impl<'a> KeyedHeader<'a> {
    #[inline]
    pub(crate) fn new(header: &'a Header, key: &'a SigningKey) -> Self {
        KeyedHeader {
            header,
            algorithm: key.algorithm(),
            key_id: header.key_id().or(key.key_id()),
        }
    }
}

impl KeyedHeader<'_> {
    /// The Base64Url text of `{"alg":"<alg>","typ":"JWT"}`, the header nearly every token has,
    /// when this is that header (no `cty`, no `kid`, nothing else): a constant, so the common
    /// case neither writes nor encodes the header's JSON.
    fn common_encoded(&self) -> Option<&'static str> {
        let header = self.header;
        let common = header.is_basic()
            && header.content_type().is_none()
            && self.key_id.is_none()
            && header.token_type() == Some("JWT");
        common.then_some(match self.algorithm {
            Algorithm::Hs256 => "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
            Algorithm::Hs384 => "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9",
            Algorithm::Hs512 => "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9",
            Algorithm::Rs256 => "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9",
            Algorithm::Rs384 => "eyJhbGciOiJSUzM4NCIsInR5cCI6IkpXVCJ9",
            Algorithm::Rs512 => "eyJhbGciOiJSUzUxMiIsInR5cCI6IkpXVCJ9",
            Algorithm::Ps256 => "eyJhbGciOiJQUzI1NiIsInR5cCI6IkpXVCJ9",
            Algorithm::Ps384 => "eyJhbGciOiJQUzM4NCIsInR5cCI6IkpXVCJ9",
            Algorithm::Ps512 => "eyJhbGciOiJQUzUxMiIsInR5cCI6IkpXVCJ9",
            Algorithm::Es256 => "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9",
            Algorithm::Es384 => "eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCJ9",
            Algorithm::EdDsa => "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9",
            Algorithm::Es512 => "eyJhbGciOiJFUzUxMiIsInR5cCI6IkpXVCJ9",
            Algorithm::Es256K => "eyJhbGciOiJFUzI1NksiLCJ0eXAiOiJKV1QifQ",
            Algorithm::Ed25519 => "eyJhbGciOiJFZDI1NTE5IiwidHlwIjoiSldUIn0",
            Algorithm::MlDsa44 => "eyJhbGciOiJNTC1EU0EtNDQiLCJ0eXAiOiJKV1QifQ",
            Algorithm::MlDsa65 => "eyJhbGciOiJNTC1EU0EtNjUiLCJ0eXAiOiJKV1QifQ",
            Algorithm::MlDsa87 => "eyJhbGciOiJNTC1EU0EtODciLCJ0eXAiOiJKV1QifQ",
        })
    }

    /// Writes the JSON of the common header shapes (`alg` and any of `typ`, `cty`, `kid`, whose
    /// values need no JSON escape) straight into `out`, byte for byte what serde_json writes.
    /// `None` for any other header, or when `out` is too small: serialize it instead.
    fn write_plain(&self, out: &mut [u8]) -> Option<usize> {
        let header = self.header;
        if !header.is_basic() {
            return None;
        }
        let plain = |s: &str| s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
        let mut w = PlainWriter { out, len: 0 };
        w.push(b"{\"alg\":\"")?;
        w.push(self.algorithm.as_str().as_bytes())?;
        w.push(b"\"")?;
        for (name, value) in [
            (&b",\"typ\":\""[..], header.token_type()),
            (&b",\"cty\":\""[..], header.content_type()),
            (&b",\"kid\":\""[..], self.key_id),
        ] {
            if let Some(value) = value {
                if !plain(value) {
                    return None;
                }
                w.push(name)?;
                w.push(value.as_bytes())?;
                w.push(b"\"")?;
            }
        }
        w.push(b"}")?;
        Some(w.len)
    }
}

struct PlainWriter<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl PlainWriter<'_> {
    fn push(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self.len.checked_add(bytes.len())?;
        self.out.get_mut(self.len..end)?.copy_from_slice(bytes);
        self.len = end;
        Some(())
    }
}

impl Serialize for KeyedHeader<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.header
            .serialize_with(Some(self.algorithm), self.key_id, serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_falls_back_to_the_heap_for_large_values() {
        let big = "x".repeat(5000);
        let mut stack = [0u8; 16];
        let mut heap = Vec::new();
        let json = to_json(&big, &mut stack, &mut heap, "claims").unwrap();
        assert_eq!(json.len(), 5002);
        let mut stack = [0u8; 7];
        let json = to_json(&"abcde", &mut stack, &mut heap, "claims").unwrap();
        assert_eq!(json, b"\"abcde\"");
    }

    #[test]
    fn plain_header_writer_matches_serde_json() {
        let key = crate::keys::SigningKey::hmac([1u8; 48], Algorithm::Hs384).unwrap();
        let kid_key = key.clone().with_key_id("from-key");
        let headers = [
            Header::new(),
            Header::empty(),
            Header::new().with_type("at+jwt").with_key_id("k-1"),
            Header::new().with_type("custom/type"),
            Header::empty().with_content_type("JWT").with_key_id("é ü"),
            Header::new().with_key_id("needs \"escape\""),
            Header::new().with_key_id("tab\there"),
            Header::new().with_key_id("back\\slash"),
            Header::new().with_extra("x", 1),
        ];
        for header in &headers {
            for key in [&key, &kid_key] {
                let keyed = KeyedHeader::new(header, key);
                let serde = serde_json::to_vec(&keyed).unwrap();
                let mut buf = [0u8; 128];
                if let Some(n) = keyed.write_plain(&mut buf) {
                    assert_eq!(
                        std::str::from_utf8(&buf[..n]).unwrap(),
                        std::str::from_utf8(&serde).unwrap()
                    );
                } else {
                    assert!(
                        header.key_id().unwrap_or("").contains(['"', '\\', '\t'])
                            || !header.extra().is_empty(),
                        "{header:?}"
                    );
                }
                // Too small a buffer is a fallback, never a truncated header.
                assert!(keyed.write_plain(&mut [0u8; 8]).is_none());
            }
        }
    }

    /// The constants of `common_encoded` are the Base64Url of the JSON `write_plain` writes, and
    /// any other header gets none.
    #[test]
    fn common_encoded_headers_are_the_encoded_plain_json() {
        for algorithm in Algorithm::ALL {
            let key = crate::keys::SigningKey::hmac([7u8; 64], crate::Algorithm::Hs512).unwrap();
            let header = Header::new();
            let mut keyed = KeyedHeader::new(&header, &key);
            keyed.algorithm = algorithm;
            let mut json = [0u8; 64];
            let len = keyed.write_plain(&mut json).unwrap();
            assert_eq!(
                keyed.common_encoded(),
                Some(crate::base64url::encode(&json[..len]).as_str()),
                "{algorithm:?}"
            );
        }
        let key = crate::keys::SigningKey::hmac([7u8; 32], crate::Algorithm::Hs256).unwrap();
        let with_kid = key.clone().with_key_id("k");
        for (header, key) in [
            (Header::empty(), &key),
            (Header::new().with_key_id("k"), &key),
            (Header::new(), &with_kid),
            (Header::new().with_type("at+jwt"), &key),
            (Header::new().with_content_type("JWT"), &key),
            (Header::new().with_extra("x", 1), &key),
        ] {
            assert_eq!(
                KeyedHeader::new(&header, key).common_encoded(),
                None,
                "{header:?}"
            );
        }
    }
}
