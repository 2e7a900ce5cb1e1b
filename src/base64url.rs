//! Strict, unpadded Base64Url (RFC 7515 §2, RFC 4648 §5) over the `base64` crate.
//!
//! Decoding accepts only the URL-safe alphabet, no `=` padding, no whitespace, and only the
//! canonical encoding (unused trailing bits must be zero), so that each byte string has exactly
//! one textual form and a token cannot be altered without changing its signature input.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The input is not canonical unpadded Base64Url.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not canonical unpadded base64url")]
pub struct DecodeError;

/// Encodes `bytes` as unpadded Base64Url.
///
/// ```
/// assert_eq!(webtoken::base64url::encode(b"\xfb\xff"), "-_8");
/// ```
pub fn encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Appends the unpadded Base64Url encoding of `bytes` to `out`.
pub fn encode_into(bytes: impl AsRef<[u8]>, out: &mut String) {
    URL_SAFE_NO_PAD.encode_string(bytes, out);
}

/// The exact length of the unpadded Base64Url encoding of `len` bytes.
pub const fn encoded_len(len: usize) -> usize {
    len / 3 * 4 + [0, 2, 3][len % 3]
}

/// The exact number of bytes that a canonical encoding of `encoded_len` characters decodes to,
/// or `None` for a length no canonical encoding has (`len % 4 == 1`).
pub const fn decoded_len(encoded_len: usize) -> Option<usize> {
    match encoded_len % 4 {
        1 => None,
        r => Some(encoded_len / 4 * 3 + [0, 0, 1, 2][r]),
    }
}

/// Decodes strict unpadded Base64Url.
///
/// # Errors
/// [`DecodeError`] for padding, whitespace, characters outside the URL-safe alphabet, an
/// impossible length, or non-zero unused trailing bits.
///
/// ```
/// use webtoken::base64url;
///
/// assert_eq!(base64url::decode("-_8")?, b"\xfb\xff");
/// assert!(base64url::decode("-_8=").is_err()); // padding
/// assert!(base64url::decode("+/8").is_err()); // standard alphabet
/// assert!(base64url::decode("-_9").is_err()); // non-canonical trailing bits
/// # Ok::<(), base64url::DecodeError>(())
/// ```
pub fn decode(encoded: impl AsRef<[u8]>) -> Result<Vec<u8>, DecodeError> {
    URL_SAFE_NO_PAD.decode(encoded).map_err(|_| DecodeError)
}

/// Decodes strict unpadded Base64Url into `out`, returning the number of bytes written.
///
/// # Errors
/// [`DecodeError`] as for [`decode`], and when `out` is shorter than [`decoded_len`].
pub fn decode_to_slice(encoded: impl AsRef<[u8]>, out: &mut [u8]) -> Result<usize, DecodeError> {
    let encoded = encoded.as_ref();
    match decoded_len(encoded.len()) {
        Some(n) if n <= out.len() => URL_SAFE_NO_PAD
            .decode_slice_unchecked(encoded, out)
            .map_err(|_| DecodeError),
        _ => Err(DecodeError),
    }
}

/// Whether `b` belongs to the Base64Url alphabet (`A-Z a-z 0-9 - _`).
///
/// Written without short-circuits so that a loop over many bytes compiles to vector code.
#[allow(clippy::needless_bitwise_bool)] // on purpose: branch-free
pub(crate) const fn is_alphabet(b: u8) -> bool {
    (b.wrapping_sub(b'A') < 26)
        | (b.wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'-')
        | (b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..data.len() {
            let e = encode(&data[..n]);
            assert_eq!(e.len(), encoded_len(n));
            assert_eq!(decoded_len(e.len()), Some(n));
            assert_eq!(decode(&e).unwrap(), &data[..n]);
            let mut buf = vec![0u8; n];
            assert_eq!(decode_to_slice(&e, &mut buf), Ok(n));
            assert_eq!(buf, &data[..n]);
        }
    }

    #[test]
    fn rejects_non_canonical_forms() {
        for bad in [
            "AB", "AAB", "A", "QQ=", "QQ==", "Q Q", "+w", "/w", "QQ\n", "Q.Q", "é",
        ] {
            assert_eq!(decode(bad), Err(DecodeError), "{bad:?}");
        }
        assert_eq!(decode("QQ").unwrap(), b"A");
    }

    #[test]
    fn decode_to_slice_checks_capacity() {
        let mut small = [0u8; 1];
        assert_eq!(decode_to_slice("QUI", &mut small), Err(DecodeError));
    }
}
