//! Encryption with values fixed by the caller, to reproduce published test vectors byte for
//! byte. **Never for real tokens**: a CEK or IV used twice under AES-GCM gives away the
//! plaintexts and lets anyone forge tokens, and a fixed ephemeral key removes ECDH-ES's
//! forward secrecy. [`jwe::encrypt`](super::encrypt) draws all of them fresh for every token.

use super::{DecryptingKey, EncryptingKey, Fixed, JweHeader, encrypt_with, header};
use crate::error::Error;
use crate::keys::{InvalidKey, KeyError, KeyErrorCategory};

/// The values to fix. Each `None` is drawn at random as usual.
#[derive(Debug, Default, Clone, Copy)]
pub struct FixedValues<'a> {
    /// The content encryption key (ignored for `dir`, whose CEK is the key, and `ECDH-ES`,
    /// whose CEK is derived).
    pub cek: Option<&'a [u8]>,
    /// The initialization vector.
    pub iv: Option<&'a [u8]>,
    /// The ephemeral key of ECDH-ES (on the recipient's curve).
    pub ephemeral: Option<&'a DecryptingKey>,
    /// The exact protected header JSON to write (it must name the key's `alg` and the
    /// header's `enc`; for ECDH-ES its `epk` must be the ephemeral key's). The AAD is its
    /// Base64Url encoding, so fixing it reproduces a vector's header bytes.
    pub header_json: Option<&'a str>,
}

/// [`jwe::encrypt`](super::encrypt) with the values of `fixed`.
///
/// # Errors
/// As `jwe::encrypt`; [`Error::Key`] when a fixed value has the wrong length or the fixed
/// header does not match the key and `header`.
pub fn encrypt_with_fixed_values(
    header: &JweHeader,
    plaintext: &[u8],
    key: &EncryptingKey,
    fixed: &FixedValues<'_>,
) -> Result<String, Error> {
    let refuse = |detail: &'static str| -> Error {
        KeyError::Invalid(InvalidKey::new(KeyErrorCategory::Rejected, detail)).into()
    };
    if fixed
        .iv
        .is_some_and(|iv| iv.len() != header.encryption().iv_len())
    {
        return Err(refuse("the fixed IV does not have the length of enc"));
    }
    if let Some(json) = fixed.header_json {
        let parsed = header::parse(json.as_bytes())?;
        if parsed.alg != key.algorithm().as_str() || parsed.enc != header.encryption().as_str() {
            return Err(refuse(
                "the fixed header's alg or enc is not the key's and the header's",
            ));
        }
    }
    encrypt_with(
        header,
        plaintext,
        key,
        &Fixed {
            cek: fixed.cek,
            iv: fixed.iv,
            ephemeral: fixed.ephemeral,
            header_json: fixed.header_json,
        },
    )
}
