//! HS256/HS384/HS512: HMAC with SHA-2 over `hmac` + `sha2` (RFC 7518 §3.2).
//!
//! The secret must be at least as long as the hash output and must not be a key in any format
//! ([`key_material`]); the keyed state (inner and outer pads already absorbed) is computed once,
//! when the key is built, and cloned per operation.

use hmac::{Hmac, KeyInit as _, Mac};
use sha2::{Sha256, Sha384, Sha512};

use super::SignatureBuf;
use crate::algorithm::Algorithm;
use crate::error::{Error, KeyError};
use crate::keys::KeyErrorCategory;

/// A keyed HMAC state for one algorithm.
#[derive(Clone)]
pub(crate) enum HmacKey {
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
    Sha512(Hmac<Sha512>),
}

/// The minimum secret length for an HMAC algorithm: the hash output size (RFC 7518 §3.2).
pub(crate) const fn min_secret_len(algorithm: Algorithm) -> usize {
    match algorithm {
        Algorithm::Hs384 => 48,
        Algorithm::Hs512 => 64,
        _ => 32,
    }
}

/// What `secret` looks like when it is a public or private key (or certificate) in any form
/// rather than a secret: PEM armour, DER, a JWK or JWK Set, an OpenSSH or PuTTY key.
///
/// A MAC keyed with a public key's bytes can be computed by anyone who has the public key, which
/// is the classic algorithm-confusion forgery (CVE-2015-9235, CVE-2022-29217; RFC 8725 §3.1),
/// so such secrets are refused when the key is built. Text is looked at after a byte order mark
/// (UTF-8, UTF-16 LE or BE) and leading whitespace; UTF-16 text is decoded first, with or
/// without a byte order mark. Every test needs several exact bytes in place (eleven for PEM, a key
/// OID or a 512-bit modulus for DER, `"kty"` inside a JSON object, `AAAA` after an OpenSSH key
/// type), so a random secret is never taken for a key.
pub(crate) fn key_material(secret: &[u8]) -> Option<String> {
    if let Some(what) = super::der::key_structure(secret) {
        return Some(what.to_owned());
    }
    let text = text_view(secret);
    let text = text.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '\u{feff}');
    if let Some(at) = text.find("-----BEGIN ") {
        let label = text[at + 11..]
            .split("-----")
            .next()
            .unwrap_or_default()
            .chars()
            .take(40)
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .collect::<String>();
        return Some(format!("PEM armour (-----BEGIN {label}-----)"));
    }
    if text.starts_with("---- BEGIN SSH2 ") {
        return Some("an SSH2 (RFC 4716) public key".to_owned());
    }
    if text.starts_with("PuTTY-User-Key-File-") {
        return Some("a PuTTY private key".to_owned());
    }
    if text.starts_with('{') && text.contains("\"kty\"") {
        return Some("a JWK or JWK Set (JSON with \"kty\")".to_owned());
    }
    if let Some(kind) = openssh_public_key(text) {
        return Some(format!("an OpenSSH public key ({kind})"));
    }
    unarmoured_der(text).map(|what| format!("the base64 of {what}, a PEM body without its armour"))
}

/// What key structure `text` holds when it is nothing but base64 (standard or URL alphabet,
/// padding optional, line breaks allowed) of one: a PEM body whose `-----BEGIN` and `-----END`
/// lines were cut off. A random binary secret is never all base64 characters, and a base64
/// secret decodes to random bytes, which [`super::der::key_structure`] never takes for a key.
fn unarmoured_der(text: &str) -> Option<&'static str> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const CONFIG: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let text = text.trim_end();
    // The shortest key structure looked for, an Ed25519 SPKI, is 44 bytes: 60 characters.
    if text.len() < 60
        || !text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/-_=".contains(&b) || b.is_ascii_whitespace())
    {
        return None;
    }
    let compact: String = text
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect();
    let der = GeneralPurpose::new(&base64::alphabet::STANDARD, CONFIG)
        .decode(compact)
        .ok()?;
    super::der::key_structure(&der)
}

/// The key type of an OpenSSH public key line (`ssh-ed25519 AAAA... comment`): a known type
/// prefix, a space, then base64 of the key blob, which starts with a 32-bit length under 2^24
/// (`AAAA`).
fn openssh_public_key(text: &str) -> Option<&str> {
    const PREFIXES: [&str; 4] = ["ssh-", "ecdsa-sha2-", "sk-ssh-", "sk-ecdsa-sha2-"];
    let (kind, rest) = text.split_once(' ')?;
    (PREFIXES.iter().any(|p| kind.starts_with(p))
        && kind.len() <= 64
        && rest.trim_start_matches(' ').starts_with("AAAA"))
    .then_some(kind)
}

/// The secret as text for the checks above: UTF-16 (LE or BE, by byte order mark or by zero
/// bytes in the high half of the first two characters) decoded, anything else read as UTF-8
/// with invalid sequences replaced. Only used to recognise key formats.
fn text_view(secret: &[u8]) -> std::borrow::Cow<'_, str> {
    let utf16 = |bytes: &[u8], little: bool| {
        let units = bytes.chunks_exact(2).map(|pair| {
            let pair = [pair[0], pair[1]];
            if little {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect::<String>()
            .into()
    };
    match secret {
        [0xff, 0xfe, rest @ ..] => utf16(rest, true),
        [0xfe, 0xff, rest @ ..] => utf16(rest, false),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => utf16(secret, true),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => utf16(secret, false),
        _ => String::from_utf8_lossy(secret),
    }
}

impl HmacKey {
    /// Builds the keyed state; `algorithm` must be of the HMAC family (checked by the caller).
    pub(crate) fn new(algorithm: Algorithm, secret: &[u8]) -> Result<Self, KeyError> {
        if let Some(what) = key_material(secret) {
            return Err(KeyError::invalid(
                KeyErrorCategory::Rejected,
                format!(
                    "the HMAC secret is {what}: a key's bytes are never an HMAC secret (anyone \
                     holding the public key could sign); build the key from it with the PEM, DER \
                     or JWK constructors instead"
                ),
            ));
        }
        let min_len = min_secret_len(algorithm);
        if secret.len() < min_len {
            return Err(KeyError::WeakSecret {
                algorithm,
                min_len,
                len: secret.len(),
            });
        }
        // `new_from_slice` accepts keys of any length for HMAC, so these cannot fail.
        let invalid = |_| KeyError::invalid(KeyErrorCategory::Rejected, "HMAC key rejected");
        Ok(match algorithm {
            Algorithm::Hs256 => Self::Sha256(Hmac::new_from_slice(secret).map_err(invalid)?),
            Algorithm::Hs384 => Self::Sha384(Hmac::new_from_slice(secret).map_err(invalid)?),
            Algorithm::Hs512 => Self::Sha512(Hmac::new_from_slice(secret).map_err(invalid)?),
            other => {
                return Err(KeyError::AlgorithmMismatch {
                    algorithm: other,
                    key: "HMAC secret".into(),
                });
            }
        })
    }

    pub(crate) fn sign(&self, message: &[u8]) -> SignatureBuf {
        fn tag<M: Mac + Clone>(mac: &M, message: &[u8]) -> SignatureBuf {
            let mut mac = mac.clone();
            mac.update(message);
            SignatureBuf::from_slice(&mac.finalize().into_bytes())
        }
        match self {
            Self::Sha256(m) => tag(m, message),
            Self::Sha384(m) => tag(m, message),
            Self::Sha512(m) => tag(m, message),
        }
    }

    /// Constant-time verification of a full-length tag (never truncated).
    ///
    /// `Mac::verify_slice` refuses a tag of any other length than the hash output (public: the
    /// algorithm's tag size and the token's signature length), then compares in time that
    /// depends only on that length: `digest`'s `ctutils`/`cmov` compare a 64-bit word at a time
    /// with a conditional move (assembly on x86, x86-64 and AArch64) the optimiser cannot turn
    /// into a branch.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), Error> {
        fn check<M: Mac + Clone>(mac: &M, message: &[u8], signature: &[u8]) -> Result<(), Error> {
            let mut mac = mac.clone();
            mac.update(message);
            mac.verify_slice(signature)
                .map_err(|_| Error::InvalidSignature)
        }
        match self {
            Self::Sha256(m) => check(m, message, signature),
            Self::Sha384(m) => check(m, message, signature),
            Self::Sha512(m) => check(m, message, signature),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HmacKey;
    use crate::algorithm::Algorithm;
    use crate::error::Error;

    #[test]
    fn verify_refuses_any_other_tag() {
        let message = b"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0";
        for (algorithm, len) in [
            (Algorithm::Hs256, 32),
            (Algorithm::Hs384, 48),
            (Algorithm::Hs512, 64),
        ] {
            let key = HmacKey::new(algorithm, &[0x5a; 64]).unwrap();
            let tag = key.sign(message);
            let tag = tag.as_slice();
            assert_eq!(tag.len(), len);
            assert!(key.verify(message, tag).is_ok(), "{algorithm:?}");
            let refused = |candidate: &[u8]| {
                matches!(key.verify(message, candidate), Err(Error::InvalidSignature))
            };
            for i in 0..len {
                for bit in 0..8 {
                    let mut other = tag.to_vec();
                    other[i] ^= 1 << bit;
                    assert!(refused(&other), "{algorithm:?} {i} {bit}");
                }
            }
            // Truncated, extended and empty tags, and the tag of another message.
            assert!(refused(&tag[..len - 1]));
            assert!(refused(&tag[..len / 2]));
            assert!(refused(&[tag, &[0]].concat()));
            assert!(refused(&[]));
            assert!(refused(key.sign(b"another message").as_slice()));
        }
    }
}

#[cfg(test)]
mod key_material_tests {
    use super::key_material;
    use crate::keys::backend::rand::{SecureRandom as _, SystemRandom};

    #[test]
    fn random_secrets_are_never_taken_for_keys() {
        let rng = SystemRandom::new();
        let mut secret = [0u8; 64];
        for round in 0..60_000 {
            rng.fill(&mut secret).unwrap();
            let len = [32, 48, 64][round % 3];
            let secret = &mut secret[..len];
            assert_eq!(key_material(secret), None, "{secret:02x?}");
            // The worst case for the DER check: a SEQUENCE whose length covers the whole secret
            // and, inside, an INTEGER or SEQUENCE header.
            secret[0] = 0x30;
            secret[1] = u8::try_from(len - 2).unwrap();
            secret[2] = [0x02, 0x30][round % 2];
            assert_eq!(key_material(secret), None, "{secret:02x?}");
            // And for the text checks: a UTF-16 LE start.
            secret[1] = 0;
            secret[3] = 0;
            assert_eq!(key_material(secret), None, "{secret:02x?}");
        }
    }

    #[test]
    fn ssh2_and_putty_armour_are_keys() {
        let ssh2 = "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"test\"\nAAAAC3NzaC1lZDI1NTE5AAAAIA3Nor5OOyVy\n\
                    ---- END SSH2 PUBLIC KEY ----\n";
        let putty = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: test\n";
        assert_eq!(
            key_material(ssh2.as_bytes()).as_deref(),
            Some("an SSH2 (RFC 4716) public key")
        );
        assert_eq!(
            key_material(putty.as_bytes()).as_deref(),
            Some("a PuTTY private key")
        );
    }

    #[test]
    fn near_misses_are_secrets() {
        for secret in [
            &b"-----BEGIN"[..],                           // no space, no label
            b"ssh-ed25519 not-base64 and more text here", // no key blob
            b"{\"k\":\"abc\",\"kt\":\"oct\"} padding to 32 bytes",
            b"my-ssh-rsa AAAA is not at the start of the line",
            &[0x30, 0x03, 0x02, 0x01, 0x00], // a SEQUENCE, but not of a key
        ] {
            assert_eq!(key_material(secret), None, "{secret:?}");
        }
    }

    #[test]
    fn base64_secrets_are_secrets_and_unarmoured_keys_are_not() {
        use base64::Engine as _;
        let rng = SystemRandom::new();
        let mut secret = [0u8; 96];
        for round in 0..5_000 {
            rng.fill(&mut secret).unwrap();
            let len = [45, 48, 64, 96][round % 4];
            let standard = base64::engine::general_purpose::STANDARD.encode(&secret[..len]);
            let url = crate::base64url::encode(&secret[..len]);
            for text in [standard, url] {
                assert_eq!(key_material(text.as_bytes()), None, "{text}");
            }
        }
        let der = include_bytes!("../../tests/data/keys/rsa2048.spki.der");
        let body = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = body
            .as_bytes()
            .chunks(64)
            .map(|line| std::str::from_utf8(line).unwrap())
            .collect();
        for text in [
            body.clone(),
            lines.join("\n"),
            crate::base64url::encode(der),
        ] {
            let what = key_material(text.as_bytes()).unwrap();
            assert!(what.contains("base64 of an SPKI public key"), "{what}");
        }
    }
}
