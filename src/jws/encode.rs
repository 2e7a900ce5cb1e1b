//! Signing: the header (with `alg` from the key) and the payload are serialized, encoded and
//! signed into one pre-sized buffer (RFC 7515 §5.1, compact serialization §7.1).

use serde::Serialize;

use crate::base64url;
use crate::error::Error;
use crate::header::{AlgField, Header, ParsedHeader};
use crate::keys::SigningKey;

/// Serializes `value` as JSON into `stack` when it fits, else into `heap`.
fn to_json<'b, V: Serialize + ?Sized>(
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
    *heap = serde_json::to_vec(value).map_err(|e| Error::Serialize {
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
fn header_part<'b>(
    header: &Header,
    key: &SigningKey,
    stack: &'b mut [u8],
    heap: &'b mut Vec<u8>,
) -> Result<HeaderPart<'b>, Error> {
    let keyed = header.for_key(key);
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
pub(crate) fn assemble(
    header: HeaderPart<'_>,
    payload: &[u8],
    key: &SigningKey,
) -> Result<String, Error> {
    let signature_len = key
        .algorithm()
        .signature_len()
        .unwrap_or(crate::keys::MAX_SIGNATURE_LEN);
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

/// Signs `claims` as a compact JWT.
///
/// The header's `alg` is the key's algorithm, whatever `header` holds; when the header has no
/// `kid` and the key has one ([`SigningKey::with_key_id`]), the key's is written.
///
/// ```
/// use std::time::Duration;
/// use webtoken::{Algorithm, Claims, Header, SigningKey};
///
/// let key = SigningKey::hmac(Algorithm::Hs256, [1u8; 32])?;
/// let claims = Claims::new(()).with_subject("user-42").expires_in(Duration::from_secs(60));
/// let jwt = webtoken::encode(&Header::new(), &claims, &key)?;
/// assert!(jwt.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.")); // {"alg":"HS256","typ":"JWT"}
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// # Errors
/// [`Error::Serialize`] when the claims cannot be serialized as JSON, [`Error::Malformed`] when
/// the header is past a limit of [`header`](crate::header) (more than 16 KiB of JSON, values
/// nested too deep or too many), which `decode` would refuse, [`Error::Key`] when signing fails
/// (only when the system random number generator fails).
pub fn encode<C: Serialize + ?Sized>(
    header: &Header,
    claims: &C,
    key: &SigningKey,
) -> Result<String, Error> {
    let mut header_stack = [0u8; 256];
    let mut header_heap = Vec::new();
    let header = header_part(header, key, &mut header_stack, &mut header_heap)?;
    let mut payload_stack = [0u8; 1024];
    let mut payload_heap = Vec::new();
    let payload = to_json(claims, &mut payload_stack, &mut payload_heap, "claims")?;
    assemble(header, payload, key)
}

/// Signs arbitrary payload bytes as a compact JWS (RFC 7515), with `alg` from the key.
///
/// # Errors
/// As for [`encode`].
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
pub fn sign_with_header_json(
    header_json: &str,
    payload: &[u8],
    key: &SigningKey,
) -> Result<String, Error> {
    let parsed = ParsedHeader::parse(header_json.as_bytes())?;
    match parsed.alg {
        AlgField::Known(alg) if alg == key.algorithm() => {}
        AlgField::Known(alg) => {
            return Err(Error::AlgorithmNotAllowed {
                reason: crate::error::AlgorithmRejection::KeyMismatch {
                    found: alg,
                    key_algorithm: Some(key.algorithm()),
                    key_family: key.algorithm().family(),
                },
            });
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
}
