//! Constant-time standard Base64 (RFC 4648 §4, with `=` padding) for PEM bodies that hold
//! private keys: decoding, checking a line's characters, and encoding.
//!
//! The `base64` crate decodes through a 256-entry table indexed by each input character: the
//! cache lines it touches depend on the key being read. Here each character is classified and
//! decoded with branch-free arithmetic on its value (the method of RustCrypto's `base64ct`):
//! no table lookup, and no branch, indexed by or taken on secret data. Only public facts
//! decide branches: the input length, the number of `=` at the end (which the length of the
//! output reveals anyway), and whether the whole input was valid.
//!
//! What is accepted is exactly what `base64::engine::general_purpose::STANDARD` accepts:
//! canonical padded Base64, a length that is a multiple of 4, `=` only as the last one or two
//! characters, and zero padding bits. The unit tests compare the two on many random inputs.

/// The value of one Base64 character plus one (1..=64), or 0 for any other byte; computed
/// without branches or table lookups. `src` is widened to `i16`, and each range test
/// `((lo - 1 - src) & (src - (hi + 1))) >> 8` is `-1` (all bits set) exactly when
/// `lo <= src <= hi`, and 0 otherwise.
fn decode_6bits(src: u8) -> i16 {
    let src = i16::from(src);
    let mut ret: i16 = -1;
    // 'A'..='Z' → 0..=25
    ret += (((0x40 - src) & (src - 0x5b)) >> 8) & (src - 64);
    // 'a'..='z' → 26..=51
    ret += (((0x60 - src) & (src - 0x7b)) >> 8) & (src - 70);
    // '0'..='9' → 52..=61
    ret += (((0x2f - src) & (src - 0x3a)) >> 8) & (src + 5);
    // '+' → 62
    ret += (((0x2a - src) & (src - 0x2c)) >> 8) & 63;
    // '/' → 63
    ret += (((0x2e - src) & (src - 0x30)) >> 8) & 64;
    ret
}

/// `-1` (all bits set) when `a == b`, `0` otherwise, without a branch.
fn eq_mask(a: u8, b: u8) -> i16 {
    let x = i16::from(a ^ b);
    // x is 0..=255: x - 1 is negative only when x is 0.
    (x - 1) >> 8
}

/// Whether `byte` is a Base64 character or `=`, as a mask: `-1` yes, `0` no.
fn is_base64_or_pad(byte: u8) -> i16 {
    // decode_6bits is -1 for bytes outside the alphabet: `>> 8` keeps -1, turns 0..=63 to 0.
    !(decode_6bits(byte) >> 8) | eq_mask(byte, b'=')
}

/// One line of a PEM body, classified in constant time: whether it contains a `:` (a PEM
/// header), and whether it contains a byte that is neither Base64 nor `=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineClass {
    /// A `:` appears in the line.
    pub(crate) has_colon: bool,
    /// A byte outside the Base64 alphabet and `=` appears in the line.
    pub(crate) has_invalid: bool,
}

/// Classifies `line` reading every byte, with no branch on any of them.
pub(crate) fn classify_line(line: &[u8]) -> LineClass {
    let mut colon: i16 = 0;
    let mut invalid: i16 = 0;
    for &b in line {
        colon |= eq_mask(b, b':');
        invalid |= !is_base64_or_pad(b);
    }
    LineClass {
        has_colon: colon != 0,
        has_invalid: invalid != 0,
    }
}

/// The input was not canonical padded Base64.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct InvalidBase64;

/// The low byte of a value known to fit it.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn low_byte(value: i16) -> u8 {
    // Truncation is the point: the caller has shifted the wanted 8 bits into place.
    value as u8
}

/// Decodes canonical padded standard Base64 in constant time, appending the bytes to `out`
/// (which should be wiped by its owner when it holds secrets). On error, `out` may hold part
/// of the output.
///
/// # Errors
/// [`InvalidBase64`] when the input is not canonical padded Base64.
pub(crate) fn decode(input: &[u8], out: &mut Vec<u8>) -> Result<(), InvalidBase64> {
    if input.len() % 4 != 0 {
        return Err(InvalidBase64);
    }
    let Some((blocks, last)) = input.split_last_chunk::<4>() else {
        return Ok(());
    };
    // The number of `=` at the end. Public: the output length reveals it.
    let pad_last = eq_mask(last[3], b'=');
    let pad_both = pad_last & eq_mask(last[2], b'=');
    let padding = usize::from(pad_last != 0) + usize::from(pad_both != 0);

    out.reserve(blocks.len() / 4 * 3 + 3);
    let mut err: i16 = 0;
    for block in blocks.chunks_exact(4) {
        let c0 = decode_6bits(block[0]);
        let c1 = decode_6bits(block[1]);
        let c2 = decode_6bits(block[2]);
        let c3 = decode_6bits(block[3]);
        err |= (c0 | c1 | c2 | c3) >> 8;
        out.push(low_byte((c0 << 2) | (c1 >> 4)));
        out.push(low_byte((c1 << 4) | (c2 >> 2)));
        out.push(low_byte((c2 << 6) | c3));
    }
    let c0 = decode_6bits(last[0]);
    let c1 = decode_6bits(last[1]);
    match padding {
        0 => {
            let c2 = decode_6bits(last[2]);
            let c3 = decode_6bits(last[3]);
            err |= (c0 | c1 | c2 | c3) >> 8;
            out.push(low_byte((c0 << 2) | (c1 >> 4)));
            out.push(low_byte((c1 << 4) | (c2 >> 2)));
            out.push(low_byte((c2 << 6) | c3));
        }
        1 => {
            let c2 = decode_6bits(last[2]);
            err |= (c0 | c1 | c2) >> 8;
            // The two bits of c2 below the output must be zero (canonical encoding).
            err |= c2 & 0x03;
            out.push(low_byte((c0 << 2) | (c1 >> 4)));
            out.push(low_byte((c1 << 4) | (c2 >> 2)));
        }
        _ => {
            err |= (c0 | c1) >> 8;
            // The four bits of c1 below the output must be zero.
            err |= c1 & 0x0f;
            out.push(low_byte((c0 << 2) | (c1 >> 4)));
        }
    }
    if err == 0 { Ok(()) } else { Err(InvalidBase64) }
}

/// The Base64 character of a 6-bit value (0..=63), without branches or table lookups: the
/// offset from `'A'` is corrected by each range boundary the value is above.
fn encode_6bits(src: i16) -> u8 {
    let mut diff: i16 = 0x41;
    // above 25 ('Z'): 'a' follows
    diff += ((25 - src) >> 8) & 6;
    // above 51 ('z'): '0' follows
    diff -= ((51 - src) >> 8) & 0x4b;
    // above 61 ('9'): '+' follows
    diff -= ((61 - src) >> 8) & 15;
    // above 62 ('+'): '/' follows
    diff += ((62 - src) >> 8) & 3;
    low_byte(src + diff)
}

/// Encodes `input` as standard padded Base64 in constant time (the bytes may be a private
/// key being exported).
pub(crate) fn encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    let mut chunks = input.chunks_exact(3);
    for chunk in chunks.by_ref() {
        let (b0, b1, b2) = (
            i16::from(chunk[0]),
            i16::from(chunk[1]),
            i16::from(chunk[2]),
        );
        out.push(char::from(encode_6bits(b0 >> 2)));
        out.push(char::from(encode_6bits(((b0 << 4) | (b1 >> 4)) & 0x3f)));
        out.push(char::from(encode_6bits(((b1 << 2) | (b2 >> 6)) & 0x3f)));
        out.push(char::from(encode_6bits(b2 & 0x3f)));
    }
    match *chunks.remainder() {
        [b0] => {
            let b0 = i16::from(b0);
            out.push(char::from(encode_6bits(b0 >> 2)));
            out.push(char::from(encode_6bits((b0 << 4) & 0x3f)));
            out.push_str("==");
        }
        [b0, b1] => {
            let (b0, b1) = (i16::from(b0), i16::from(b1));
            out.push(char::from(encode_6bits(b0 >> 2)));
            out.push(char::from(encode_6bits(((b0 << 4) | (b1 >> 4)) & 0x3f)));
            out.push(char::from(encode_6bits((b1 << 2) & 0x3f)));
            out.push('=');
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;

    /// xorshift64*: reproducible inputs without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % n as u64).unwrap()
        }

        fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| self.next().to_le_bytes()[0]).collect()
        }
    }

    fn ours(input: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        decode(input, &mut out).ok().map(|()| out)
    }

    fn theirs(input: &[u8]) -> Option<Vec<u8>> {
        STANDARD.decode(input).ok()
    }

    #[test]
    fn every_byte_value_is_classified_as_the_alphabet_says() {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (value, &c) in ALPHABET.iter().enumerate() {
            assert_eq!(encode_6bits(i16::try_from(value).unwrap()), c);
        }
        for b in 0..=255u8 {
            let expected = ALPHABET
                .iter()
                .position(|&a| a == b)
                .map_or(-1, |i| i16::try_from(i).unwrap());
            assert_eq!(decode_6bits(b), expected, "byte {b:#04x}");
            let line = classify_line(&[b'A', b, b'A']);
            assert_eq!(line.has_colon, b == b':');
            assert_eq!(line.has_invalid, expected < 0 && b != b'=', "byte {b:#04x}");
        }
    }

    #[test]
    fn agrees_with_the_base64_crate_on_random_valid_input() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for len in 0..300 {
            for _ in 0..8 {
                let data = rng.bytes(len);
                let text = STANDARD.encode(&data);
                assert_eq!(encode(&data), text);
                assert_eq!(ours(text.as_bytes()), Some(data));
            }
        }
    }

    #[test]
    fn agrees_with_the_base64_crate_on_random_mangled_input() {
        const NEAR: &[u8] = b"AQgw+/=9z:-\n \x00\xff";
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        let mut accepted = 0;
        for _ in 0..50_000 {
            let len = rng.below(40);
            let mut text = STANDARD.encode(rng.bytes(len)).into_bytes();
            // Change one to three characters, drop or add one, or flip padding bits.
            for _ in 0..=rng.below(3) {
                match rng.below(4) {
                    0 if !text.is_empty() => {
                        let i = rng.below(text.len());
                        text[i] = NEAR[rng.below(NEAR.len())];
                    }
                    1 if !text.is_empty() => {
                        text.remove(rng.below(text.len()));
                    }
                    2 => text.insert(rng.below(text.len() + 1), NEAR[rng.below(NEAR.len())]),
                    _ => {
                        let i = rng.below(text.len().max(1));
                        if let Some(c) = text.get_mut(i) {
                            *c = b"ABCDEFGHIJKLMNOP"[rng.below(16)];
                        }
                    }
                }
            }
            let expected = theirs(&text);
            accepted += usize::from(expected.is_some());
            assert_eq!(
                ours(&text),
                expected,
                "input {:?}",
                String::from_utf8_lossy(&text)
            );
        }
        // Both outcomes were exercised.
        assert!(accepted > 1000 && accepted < 49_000, "{accepted}");
    }

    #[test]
    fn agrees_with_the_base64_crate_on_random_bytes_from_the_alphabet() {
        const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
        let mut rng = Rng(42);
        for _ in 0..50_000 {
            let len = 4 * rng.below(5);
            let mut text: Vec<u8> = (0..len).map(|_| CHARS[rng.below(64)]).collect();
            if len > 0 {
                for k in 1..=rng.below(3) {
                    text[len - k] = b'=';
                }
                if rng.below(8) == 0 {
                    text[rng.below(len)] = b'=';
                }
            }
            assert_eq!(
                ours(&text),
                theirs(&text),
                "input {:?}",
                String::from_utf8_lossy(&text)
            );
        }
    }

    #[test]
    fn refuses_what_the_base64_crate_refuses() {
        for bad in [
            &b"A"[..],
            b"AA",
            b"AAA",
            b"A===",
            b"====",
            b"AB==",
            b"AAB=",
            b"AA=A",
            b"QQ==QQ==",
            b"AAAA=",
        ] {
            assert_eq!(ours(bad), None, "{:?}", String::from_utf8_lossy(bad));
            assert_eq!(theirs(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(ours(b""), Some(Vec::new()));
        assert_eq!(ours(b"AA=="), Some(vec![0]));
        assert_eq!(ours(b"AAA="), Some(vec![0, 0]));
    }
}
