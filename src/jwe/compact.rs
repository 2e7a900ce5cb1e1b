//! The JWE compact serialization (RFC 7516 §7.1) taken apart: size first, then one linear pass
//! for the alphabet and the dots, then the header's decoded size, before any segment is
//! decoded.

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
    let mut segments = token.split('.');
    let mut next = || segments.next().unwrap_or_default();
    let parts = Parts {
        header: next(),
        encrypted_key: next(),
        iv: next(),
        ciphertext: next(),
        tag: next(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape() {
        let e = |t: &str| split(t, 1000).map(|_| ()).unwrap_err().to_string();
        assert!(split("a.b.c.d.e", 1000).is_ok());
        assert!(split("a....", 1000).is_ok());
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
