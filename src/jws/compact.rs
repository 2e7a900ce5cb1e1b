//! The compact serialization (RFC 7515 §7.1) taken apart: steps 1–3 of SECURITY.md §4 (size,
//! shape, and each segment's Base64Url), in one pass over the token's bytes.

use crate::base64url;
use crate::error::{Error, MalformedError, TooLargeError};
use crate::header::{MAX_HEADER_BYTES, ParsedHeader};
use crate::keys::MAX_SIGNATURE_LEN;

/// The three segments of a compact JWS, checked for shape only.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Segments<'a> {
    pub(crate) signing_input: &'a str,
    pub(crate) header: &'a str,
    pub(crate) payload: &'a str,
    pub(crate) signature: &'a str,
}

/// Steps 1 and 2: the size limit, the alphabet, exactly two dots, a non-empty header.
///
/// This is the strict shape check for callers that do not decode every segment
/// ([`UntrustedToken`](crate::UntrustedToken)); `decode` gets the same verdicts from
/// [`with_decoded_token`], which lets the Base64Url decoder check the alphabet.
pub(crate) fn split(token: &str, max_size: usize) -> Result<Segments<'_>, Error> {
    check_size(token, max_size)?;
    let (first, second) = check_shape(token)?;
    Ok(Segments::at(token, first, second))
}

impl<'a> Segments<'a> {
    #[inline]
    fn at(token: &'a str, first: usize, second: usize) -> Self {
        Segments {
            signing_input: &token[..second],
            header: &token[..first],
            payload: &token[first + 1..second],
            signature: &token[second + 1..],
        }
    }
}

/// Step 1: the size limit, checked before any byte of the token is read.
#[inline]
fn check_size(token: &str, max_size: usize) -> Result<(), Error> {
    if token.len() > max_size {
        return Err(TooLargeError {
            size: token.len(),
            limit: max_size,
        }
        .into());
    }
    Ok(())
}

/// The alphabet, exactly two dots and a non-empty header; returns the positions of the dots.
fn check_shape(token: &str) -> Result<(usize, usize), Error> {
    let bytes = token.as_bytes();
    // One branch-free pass over fixed-size chunks (which the compiler vectorizes) checks the
    // alphabet and counts the dots; the exact position is looked for only on the error path.
    let mut all_valid = true;
    let mut count = 0usize;
    for chunk in bytes.chunks(64) {
        let mut valid = true;
        let mut dots = 0u8;
        for &b in chunk {
            #[allow(clippy::needless_bitwise_bool)] // branch-free, so it vectorizes
            {
                valid &= base64url::is_alphabet(b) | (b == b'.');
            }
            dots += u8::from(b == b'.');
        }
        all_valid &= valid;
        count += usize::from(dots);
    }
    if !all_valid {
        let position = bytes
            .iter()
            .position(|&b| b != b'.' && !base64url::is_alphabet(b))
            .unwrap_or(0);
        return Err(MalformedError::InvalidCharacter { position }.into());
    }
    if count != 2 {
        return Err(MalformedError::SegmentCount { found: count + 1 }.into());
    }
    // Exactly two dots: `find`/`rfind` use the standard library's word-at-a-time search.
    let (Some(first), Some(second)) = (token.find('.'), token.rfind('.')) else {
        return Err(MalformedError::SegmentCount { found: count + 1 }.into());
    };
    if first == 0 {
        return Err(MalformedError::EmptyHeader.into());
    }
    Ok((first, second))
}

/// How far from the end of a token [`find_dots`] looks for the last dot: more than any RSA
/// signature up to 4096 bits or ECDSA signature (683 characters at most), less than an ML-DSA
/// signature (3,227 to 6,170 characters).
const SIGNATURE_WINDOW: usize = 1024;

/// The positions of the first dot and of the dot that ends the payload, when they differ and the
/// header is not empty. Both searches stop after a short segment: the header, then the
/// signature when the last dot is within [`SIGNATURE_WINDOW`] of the end, else the payload
/// (searched forward, so the kilobytes of an ML-DSA signature are read once, by its decoder).
/// Any other dot is in a segment whose decoder refuses it, and [`check_shape`] then reports
/// the segment count.
#[inline]
fn find_dots(token: &str) -> Option<(usize, usize)> {
    let first = token.find('.')?;
    let window = token.len().saturating_sub(SIGNATURE_WINDOW);
    let last = match token.get(window..).and_then(|tail| tail.rfind('.')) {
        Some(last) => window + last,
        None => first + 1 + token[first + 1..].find('.')?,
    };
    (first > 0 && first < last).then_some((first, last))
}

/// A token after steps 1–3: split at its dots and each segment decoded, in one pass per
/// segment. A segment that is not Base64Url for a reason other than its alphabet (a length or
/// trailing bits no canonical encoding has) is reported at its own step, so the signature's and
/// the payload's are kept here until then.
pub(crate) struct DecodedToken<'t, 'b> {
    /// The signed bytes: the received header and payload segments and the dot between them.
    pub(crate) signing_input: &'t [u8],
    /// The decoded header.
    pub(crate) header: &'b [u8],
    /// The decoded signature, or the error that step 9 reports.
    pub(crate) signature: Result<&'b [u8], Error>,
    /// The decoded payload, or the error that step 10 reports.
    pub(crate) payload: Result<&'b [u8], Error>,
}

/// Decodes one segment of `token` into `buf`. When it does not decode (not canonical Base64Url,
/// or longer than `buf`), the token's shape error comes first (step 2, the outer `Err`), else
/// the segment's own error, for the caller to report at the segment's step (the inner `Err`).
fn decode_segment<'b>(
    token: &str,
    encoded: &str,
    buf: &'b mut [u8],
    segment_error: impl FnOnce() -> Error,
) -> Result<Result<&'b [u8], Error>, Error> {
    if let Ok(n) = base64url::decode_to_slice(encoded, buf) {
        return Ok(Ok(&buf[..n]));
    }
    check_shape(token)?;
    Ok(Err(segment_error()))
}

/// Steps 1–3 for `decode`: the size limit, then the token split at its dots and every segment
/// decoded into one scratch buffer, then `f` on the result.
///
/// The Base64Url decoder rejects every character outside the alphabet, so the token's bytes are
/// read once; only when a segment fails to decode does the strict scan of [`check_shape`] run,
/// to report the same error (and the same position) as it would have first.
pub(crate) fn with_decoded_token<R>(
    token: &str,
    max_size: usize,
    f: impl FnOnce(DecodedToken<'_, '_>) -> Result<R, Error>,
) -> Result<R, Error> {
    check_size(token, max_size)?;
    let (first, second) = match find_dots(token) {
        Some(dots) => dots,
        None => check_shape(token)?,
    };
    let segments = Segments::at(token, first, second);
    let header_len = base64url::decoded_len(segments.header.len()).unwrap_or(0);
    if header_len > MAX_HEADER_BYTES {
        // Step 3, without decoding a byte of it (a shape error of step 2 still comes first).
        check_shape(token)?;
        return Err(MalformedError::HeaderTooLarge {
            size: header_len,
            limit: MAX_HEADER_BYTES,
        }
        .into());
    }
    let payload_len = base64url::decoded_len(segments.payload.len()).unwrap_or(0);
    // An over-long signature is not decoded: no key verifies it (step 9 says so).
    let signature_len = base64url::decoded_len(segments.signature.len());
    let signature_too_long = signature_len.is_some_and(|n| n > MAX_SIGNATURE_LEN);
    let signature_buf_len = if signature_too_long {
        0
    } else {
        signature_len.unwrap_or(0)
    };
    with_scratch(header_len + signature_buf_len + payload_len, |buf| {
        let (header_buf, rest) = buf.split_at_mut(header_len);
        let (signature_buf, payload_buf) = rest.split_at_mut(signature_buf_len);
        let base64_error = |segment| -> Error { MalformedError::Base64 { segment }.into() };
        let header = decode_segment(token, segments.header, header_buf, || {
            base64_error("header")
        })??;
        let signature = decode_segment(token, segments.signature, signature_buf, || {
            if signature_too_long {
                Error::InvalidSignature
            } else {
                base64_error("signature")
            }
        })?;
        let payload = decode_segment(token, segments.payload, payload_buf, || {
            base64_error("payload")
        })?;
        f(DecodedToken {
            signing_input: segments.signing_input.as_bytes(),
            header,
            signature,
            payload,
        })
    })
}

/// Runs `f` on a zeroed scratch buffer of exactly `len` bytes: on the stack, in the smallest of
/// a few sizes that fits (so a 300-byte token does not zero kilobytes per call), else on the
/// heap.
fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    if len <= 128 {
        f(&mut [0u8; 128][..len])
    } else if len <= 512 {
        f(&mut [0u8; 512][..len])
    } else if len <= 4096 {
        f(&mut [0u8; 4096][..len])
    } else {
        f(&mut vec![0u8; len])
    }
}

/// Decodes a Base64Url segment into scratch space and hands the bytes to `f`.
pub(crate) fn with_decoded<R>(
    encoded: &str,
    segment: &'static str,
    f: impl FnOnce(&[u8]) -> Result<R, Error>,
) -> Result<R, Error> {
    let err = MalformedError::Base64 { segment };
    let len = base64url::decoded_len(encoded.len()).ok_or(err.clone())?;
    with_scratch(len, |buf| {
        let n = base64url::decode_to_slice(encoded, buf).map_err(|_| err)?;
        f(&buf[..n])
    })
}

/// Step 3: the header as parsed (not yet checked against any policy).
pub(crate) fn parse_header(segment: &str) -> Result<ParsedHeader, Error> {
    with_decoded(segment, "header", |bytes| Ok(ParsedHeader::parse(bytes)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_checks_shape_before_anything_else() {
        assert!(matches!(
            split("a.b.c", 4),
            Err(Error::TokenTooLarge(TooLargeError { size: 5, limit: 4 }))
        ));
        let kinds = |t: &str| split(t, 1000).map(|_| ()).map_err(|e| e.to_string());
        assert!(kinds("a.b.c").is_ok());
        assert!(kinds("a.b.").is_ok());
        assert!(kinds("a..c").is_ok());
        assert_eq!(
            kinds(".b.c").unwrap_err(),
            "header segment is empty".to_owned()
        );
        for bad in [
            "", "abc", "a.b", "a.b.c.d", "a.b.c.", "a b.c.d", "a.b.c=", "a.b.c\n",
        ] {
            assert!(kinds(bad).is_err(), "{bad:?}");
        }
    }

    /// Tokens with a signature longer than `SIGNATURE_WINDOW` (an ML-DSA one) and a dot too
    /// many anywhere: `decode`'s path reports the shape error `split` reports, and without the
    /// extra dot it finds the same three segments.
    #[test]
    fn long_signatures_split_as_check_shape_does() {
        let header = base64url::encode(br#"{"alg":"ML-DSA-44"}"#);
        let payload = base64url::encode(br#"{"sub":"x"}"#);
        let signature = base64url::encode(vec![7u8; 2420]);
        let token = format!("{header}.{payload}.{signature}");
        let segments = |t: &str| {
            with_decoded_token(t, usize::MAX, |d| {
                Ok((d.signing_input.len(), d.header.len(), d.signature?.len()))
            })
        };
        assert_eq!(
            segments(&token).unwrap(),
            (header.len() + 1 + payload.len(), 19, 2420)
        );
        let split = split(&token, usize::MAX).unwrap();
        assert_eq!(split.signature, signature);
        for position in [
            1,
            header.len() + 3,
            token.len() - signature.len() + 1,
            token.len() - 2000,
            token.len() - SIGNATURE_WINDOW - 1,
            token.len() - SIGNATURE_WINDOW + 1,
            token.len() - 1,
        ] {
            let mut broken = token.clone().into_bytes();
            broken.insert(position, b'.');
            let broken = String::from_utf8(broken).unwrap();
            let ours = segments(&broken).unwrap_err().to_string();
            let theirs = super::split(&broken, usize::MAX).unwrap_err().to_string();
            assert_eq!(ours, theirs, "dot at {position}");
            assert!(ours.ends_with("found 4"), "{ours}");
        }
    }

    #[test]
    fn many_dots_do_not_allocate_per_segment() {
        let dots = ".".repeat(1_000_000);
        assert!(matches!(
            split(&dots, usize::MAX),
            Err(Error::Malformed(MalformedError::SegmentCount {
                found: 1_000_001
            }))
        ));
    }
}
