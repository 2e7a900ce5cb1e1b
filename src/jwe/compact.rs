//! The JWE compact serialization (RFC 7516 §7.1) taken apart: size first, then one linear pass
//! for the alphabet and the dots, then the header's decoded size, before any segment is
//! decoded.

use std::ops::Range;

use crate::base64url;
use crate::error::{Error, MalformedError, TooLargeError};
use crate::header::MAX_HEADER_BYTES;

/// The five segments of a compact JWE, checked for shape only.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parts<'a> {
    pub(crate) header: &'a str,
    pub(crate) encrypted_key: &'a str,
    pub(crate) iv: &'a str,
    pub(crate) ciphertext: &'a str,
    pub(crate) tag: &'a str,
}

/// The size limit, the alphabet, exactly four dots, a non-empty header of at most
/// [`MAX_HEADER_BYTES`] once decoded. A token with two dots is a JWS and says so.
pub(crate) fn split(token: &str, max_size: usize) -> Result<Parts<'_>, Error> {
    if token.len() > max_size {
        return Err(TooLargeError {
            size: token.len(),
            limit: max_size,
        }
        .into());
    }
    let bytes = token.as_bytes();
    // One branch-free pass over fixed-size chunks with a byte-wide dot counter, which the
    // compiler vectorizes (as the JWS check does); a flat loop with a `usize` counter does not,
    // and cost ~20 instructions per byte, most of a small token's decryption overhead.
    let mut dots = 0usize;
    let mut valid = true;
    for chunk in bytes.chunks(64) {
        let mut chunk_valid = true;
        let mut chunk_dots = 0u8;
        for &b in chunk {
            #[allow(clippy::needless_bitwise_bool)] // branch-free, so it vectorizes
            {
                chunk_valid &= base64url::is_alphabet(b) | (b == b'.');
            }
            chunk_dots += u8::from(b == b'.');
        }
        valid &= chunk_valid;
        dots += usize::from(chunk_dots);
    }
    if !valid {
        let position = bytes
            .iter()
            .position(|&b| b != b'.' && !base64url::is_alphabet(b))
            .unwrap_or(0);
        return Err(MalformedError::InvalidCharacter { position }.into());
    }
    if dots == 2 {
        return Err(MalformedError::SignedToken.into());
    }
    if dots != 4 {
        return Err(MalformedError::JweSegmentCount { found: dots + 1 }.into());
    }
    // Exactly four dots: the first three found from the front and the last from the back, so
    // that the ciphertext (the long segment) is never scanned again.
    let dot = |b: &u8| *b == b'.';
    let first = bytes.iter().position(dot).unwrap_or(0);
    let second = first + 1 + bytes[first + 1..].iter().position(dot).unwrap_or(0);
    let third = second + 1 + bytes[second + 1..].iter().position(dot).unwrap_or(0);
    let fourth = bytes.iter().rposition(dot).unwrap_or(0);
    // Every index is at an ASCII dot, so every slice is on a character boundary.
    let parts = Parts {
        header: &token[..first],
        encrypted_key: &token[first + 1..second],
        iv: &token[second + 1..third],
        ciphertext: &token[third + 1..fourth],
        tag: &token[fourth + 1..],
    };
    if parts.header.is_empty() {
        return Err(MalformedError::EmptyHeader.into());
    }
    let header_len = base64url::decoded_len(parts.header.len()).unwrap_or(0);
    if header_len > MAX_HEADER_BYTES {
        return Err(MalformedError::HeaderTooLarge {
            size: header_len,
            limit: MAX_HEADER_BYTES,
        }
        .into());
    }
    Ok(parts)
}

/// Decodes one segment, naming it in the error.
pub(crate) fn decode(segment: &str, name: &'static str) -> Result<Vec<u8>, Error> {
    base64url::decode(segment).map_err(|_| MalformedError::Base64 { segment: name }.into())
}

/// The most decoded bytes [`with_decoded`] keeps on the stack.
const STACK_BYTES: usize = 256;

/// Decodes one segment (as [`decode`]) and hands it to `f`: on the stack when it is small (a
/// protected header nearly always is), on the heap otherwise.
pub(crate) fn with_decoded<R>(
    segment: &str,
    name: &'static str,
    f: impl FnOnce(&[u8]) -> R,
) -> Result<R, Error> {
    match base64url::decoded_len(segment.len()) {
        Some(len) if len <= STACK_BYTES => {
            let mut stack = [0u8; STACK_BYTES];
            let n = base64url::decode_to_slice(segment, &mut stack)
                .map_err(|_| MalformedError::Base64 { segment: name })?;
            Ok(f(&stack[..n]))
        }
        _ => Ok(f(&decode(segment, name)?)),
    }
}

/// Decodes one segment (as [`decode`]) onto the end of `out`, and returns where it lies there.
pub(crate) fn decode_append(
    segment: &str,
    name: &'static str,
    out: &mut Vec<u8>,
) -> Result<Range<usize>, Error> {
    let error = || MalformedError::Base64 { segment: name };
    let len = base64url::decoded_len(segment.len()).ok_or_else(error)?;
    let start = out.len();
    out.resize(start + len, 0);
    let Ok(n) = base64url::decode_to_slice(segment, &mut out[start..]) else {
        out.truncate(start);
        return Err(error().into());
    };
    out.truncate(start + n);
    Ok(start..start + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_on_the_stack_or_appended_reads_as_decode() {
        for len in [
            0,
            1,
            2,
            3,
            100,
            STACK_BYTES - 1,
            STACK_BYTES,
            STACK_BYTES + 1,
            5000,
        ] {
            let bytes: Vec<u8> = (0..len)
                .map(|i| u8::try_from(i * 7 % 256).unwrap())
                .collect();
            let text = base64url::encode(&bytes);
            assert_eq!(with_decoded(&text, "x", <[u8]>::to_vec).unwrap(), bytes);
            let mut out = b"prefix".to_vec();
            let range = decode_append(&text, "x", &mut out).unwrap();
            assert_eq!(&out[range.clone()], bytes.as_slice());
            assert_eq!((range.start, range.end, out.len()), (6, 6 + len, 6 + len));
        }
        for bad in ["A", "-_9", "AB=", "a b", &"A".repeat(STACK_BYTES * 2 + 1)] {
            let expected = decode(bad, "iv").unwrap_err().to_string();
            assert_eq!(
                with_decoded(bad, "iv", |_| ()).unwrap_err().to_string(),
                expected
            );
            let mut out = b"prefix".to_vec();
            let error = decode_append(bad, "iv", &mut out).unwrap_err().to_string();
            assert_eq!(error, expected);
            assert_eq!(out, b"prefix");
        }
    }

    #[test]
    fn shape() {
        let e = |t: &str| split(t, 1000).map(|_| ()).unwrap_err().to_string();
        assert!(split("a.b.c.d.e", 1000).is_ok());
        assert!(split("a....", 1000).is_ok());
        let parts = split("hh.k.iv.ccc.tt", 1000).unwrap();
        assert_eq!(
            [
                parts.header,
                parts.encrypted_key,
                parts.iv,
                parts.ciphertext,
                parts.tag
            ],
            ["hh", "k", "iv", "ccc", "tt"]
        );
        let parts = split("h....", 1000).unwrap();
        assert_eq!(
            [
                parts.header,
                parts.encrypted_key,
                parts.iv,
                parts.ciphertext,
                parts.tag
            ],
            ["h", "", "", "", ""]
        );
        let parts = split("h...c.", 1000).unwrap();
        assert_eq!([parts.iv, parts.ciphertext, parts.tag], ["", "c", ""]);
        assert!(e("a.b.c").contains("signed token (JWS)"));
        assert!(e("a.b.c.d").contains("5 segments"));
        assert!(e("a.b.c.d.e.f").contains("found 6"));
        assert!(e(".b.c.d.e").contains("empty"));
        assert!(e("a.b.c.d.e=").contains("byte 9"));
        assert!(
            split("a.b.c.d.e", 8)
                .unwrap_err()
                .to_string()
                .contains("larger")
        );
        let big = format!("{}....", "A".repeat(MAX_HEADER_BYTES / 3 * 4 + 8));
        assert!(e(&big).contains("larger than the limit"), "{}", e(&big));
        let dots = ".".repeat(100_000);
        assert!(
            split(&dots, usize::MAX)
                .unwrap_err()
                .to_string()
                .contains("found 100001")
        );
    }
}
