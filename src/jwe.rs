//! Encrypted tokens: JWE compact serialization (RFC 7516, algorithms of RFC 7518 §4–5 and
//! RFC 8037 for X25519), and nested JWTs (signed, then encrypted). Cargo feature `jwe`, built on
//! the aws-lc-rs backend.
//!
//! ```
//! use webtoken::jwe::{self, ContentEncryption, DecryptOptions, DecryptingKey, EcdhCurve, JweHeader, KeyAlgorithm};
//!
//! // The recipient's key pair; the sender needs only the public half.
//! let recipient = DecryptingKey::generate_ec(EcdhCurve::P256, KeyAlgorithm::EcdhEs)?;
//! let sender = recipient.encrypting_key()?;
//!
//! let token = jwe::encrypt(&JweHeader::new(ContentEncryption::A256Gcm), b"secret", &sender)?;
//! let decrypted = jwe::decrypt(&token, &recipient, &DecryptOptions::new())?;
//! assert_eq!(decrypted.plaintext(), b"secret");
//! # Ok::<(), webtoken::Error>(())
//! ```
//!
//! ## What is checked, in order
//! 1. Size ([`DecryptOptions::with_max_token_size`], 64 KiB by default), then one pass over the
//!    token: the Base64Url alphabet and exactly four dots (a JWS is refused by name), a
//!    non-empty header of at most [`MAX_HEADER_BYTES`](crate::MAX_HEADER_BYTES) once decoded.
//! 2. The protected header: one JSON object, no duplicate names at any depth, the caps of a JWS
//!    header; linear in its length.
//! 3. `alg` in the allow-list (the key's own algorithm when none is set), `enc` in its
//!    allow-list: before any cryptography. `RSA1_5`, `A*GCMKW` and `none` are never accepted;
//!    `PBES2-*` only when [`DecryptOptions::with_pbes2`] enables it, with a password key, and
//!    then `p2c` must be within its limit (10,000 by default, never above 1,200,000) and `p2s`
//!    at least 8 bytes, checked before PBKDF2 runs.
//! 4. `crit` (webtoken implements no extension, so any name is refused), `zip` (refused:
//!    compressed plaintext is not supported), registered parameters' types; then `typ` where a
//!    [`Validation`](crate::Validation) asks for one.
//! 5. The key, by `kid` and `alg`; it must be bound to `alg`, and a `dir` key to `enc` (a
//!    `dir` key is the CEK of one `enc`, never of two that share a length).
//! 6. The segments' Base64Url and exact lengths: IV 96 bits for GCM, 128 bits for CBC, the tag
//!    of `enc`; an empty encrypted key for `dir` and `ECDH-ES`.
//! 7. The CEK: unwrapped (AES key wrap), decrypted (RSA-OAEP: on any failure a random CEK of the
//!    right length is used instead, RFC 7516 §11.5), or agreed (ECDH-ES: `epk` on the key's
//!    curve and on the curve, an all-zero X25519 secret refused, Concat KDF with `apu`/`apv`).
//! 8. The content: the tag over the received header segment (for CBC-HMAC compared in
//!    constant time before any byte is decrypted), then the plaintext, released only when all
//!    of this passed.
//!
//! Steps 7 and 8 fail with [`crate::Error::DecryptionFailed`]: one
//! kind, one message, whatever failed.
//!
//! ## Who sent it?
//! Encryption hides the claims; it does not say who wrote them. RSA-OAEP and ECDH-ES use the
//! recipient's public key, so **anyone** can encrypt a token to it. Where the sender matters,
//! sign then encrypt: a [nested JWT](crate::encrypt_signed) is verified with the sender's
//! key after it is decrypted ([`decrypt_verified`]). `dir` and AES
//! key wrap authenticate the holders of the shared secret, as HMAC does.
//!
//! ## Not supported
//! The JSON serialization, `zip`, `RSA1_5` (Bleichenbacher's oracle), `A*GCMKW`, and the A192
//! variants. PBES2 (password-based; `p2c` lets the sender choose the recipient's cost) exists
//! but is off unless enabled.

mod algorithm;
mod compact;
mod content;
pub mod dangerous;
mod ecdh;
mod header;
mod jwk;
mod jwt;
mod keys;
mod manage;
mod set;
#[cfg(test)]
mod wycheproof_tests;

pub use algorithm::{ContentEncryption, KeyAlgorithm};
pub use ecdh::EcdhCurve;
pub use header::JweHeader;
pub use jwt::{decrypt_claims, decrypt_verified, encrypt_claims, encrypt_signed};
pub use keys::{DEFAULT_PBES2_ITERATIONS, DecryptingKey, EncryptingKey, MAX_PBES2_ITERATIONS};
pub use set::DecryptingKeySet;

use crate::base64url;
use crate::error::{AlgorithmRejection, Error, MalformedError};
use crate::keys::formats::SecretBytes;
use crate::validation::DEFAULT_MAX_TOKEN_SIZE;

/// The decrypting side's policy: which `alg` and `enc` are accepted, and how long a token may
/// be.
///
/// ```
/// use webtoken::jwe::{ContentEncryption, DecryptOptions, KeyAlgorithm};
///
/// let options = DecryptOptions::new()
///     .with_algorithms([KeyAlgorithm::EcdhEs])
///     .with_encryptions([ContentEncryption::A128Gcm, ContentEncryption::A256Gcm]);
/// assert!(options.allows_encryption(ContentEncryption::A256Gcm));
/// assert!(!options.allows_encryption(ContentEncryption::A128CbcHs256));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecryptOptions {
    algorithms: Vec<KeyAlgorithm>,
    encryptions: Vec<ContentEncryption>,
    max_token_size: usize,
    /// The most PBKDF2 iterations accepted; `None`: PBES2 is refused.
    pbes2_max_iterations: Option<u32>,
}

impl Default for DecryptOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl DecryptOptions {
    /// Every `enc` webtoken implements, `alg` limited to the algorithms of the keys, and a size
    /// limit of 64 KiB.
    pub fn new() -> Self {
        Self {
            algorithms: Vec::new(),
            encryptions: ContentEncryption::ALL.to_vec(),
            max_token_size: DEFAULT_MAX_TOKEN_SIZE,
            pbes2_max_iterations: None,
        }
    }

    /// Accept the PBES2 (password) algorithms, for keys built with a password, with at most
    /// `max_iterations` PBKDF2 iterations (`p2c`): [`DEFAULT_PBES2_ITERATIONS`] is a sound
    /// choice, and any value above [`MAX_PBES2_ITERATIONS`] counts as that. Off by default:
    /// `p2c` is chosen by whoever made the token and costs the recipient its whole count
    /// before anything can be checked.
    ///
    /// ```
    /// use webtoken::jwe::{DecryptOptions, MAX_PBES2_ITERATIONS};
    ///
    /// assert_eq!(DecryptOptions::new().pbes2_max_iterations(), None);
    /// let options = DecryptOptions::new().with_pbes2(u32::MAX);
    /// assert_eq!(options.pbes2_max_iterations(), Some(MAX_PBES2_ITERATIONS));
    /// ```
    #[must_use]
    pub fn with_pbes2(mut self, max_iterations: u32) -> Self {
        self.pbes2_max_iterations = Some(max_iterations.min(MAX_PBES2_ITERATIONS));
        self
    }

    /// The most PBKDF2 iterations accepted, when PBES2 is enabled.
    pub fn pbes2_max_iterations(&self) -> Option<u32> {
        self.pbes2_max_iterations
    }

    /// Accept only these key-management algorithms (and always only those of the keys).
    #[must_use]
    pub fn with_algorithms(mut self, algorithms: impl IntoIterator<Item = KeyAlgorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Accept only these content encryptions.
    #[must_use]
    pub fn with_encryptions(
        mut self,
        encryptions: impl IntoIterator<Item = ContentEncryption>,
    ) -> Self {
        self.encryptions = encryptions.into_iter().collect();
        self
    }

    /// Refuse tokens longer than `bytes` before reading them.
    #[must_use]
    pub fn with_max_token_size(mut self, bytes: usize) -> Self {
        self.max_token_size = bytes;
        self
    }

    /// Whether `enc` is accepted.
    pub fn allows_encryption(&self, enc: ContentEncryption) -> bool {
        self.encryptions.contains(&enc)
    }

    /// The size limit, in bytes.
    pub fn max_token_size(&self) -> usize {
        self.max_token_size
    }

    fn allows_algorithm(
        &self,
        algorithm: KeyAlgorithm,
        keys: &(impl DecryptionKeys + ?Sized),
    ) -> bool {
        (self.algorithms.is_empty() || self.algorithms.contains(&algorithm))
            && (!algorithm.is_pbes2() || self.pbes2_max_iterations.is_some())
            && keys.has_algorithm(algorithm)
    }
}

/// Where decryption keys come from: one [`DecryptingKey`], or a [`DecryptingKeySet`] that
/// chooses by `kid`.
pub trait DecryptionKeys {
    /// The key for a token with this `kid` and `alg`. The key returned must be bound to `alg`.
    ///
    /// # Errors
    /// [`Error::UnknownKey`] when none matches.
    fn find_decrypting_key(
        &self,
        kid: Option<&str>,
        algorithm: KeyAlgorithm,
    ) -> Result<&DecryptingKey, Error>;

    /// Whether some key is bound to `algorithm` (the default `alg` allow-list).
    fn has_algorithm(&self, algorithm: KeyAlgorithm) -> bool;
}

impl DecryptionKeys for DecryptingKey {
    fn find_decrypting_key(
        &self,
        _kid: Option<&str>,
        algorithm: KeyAlgorithm,
    ) -> Result<&DecryptingKey, Error> {
        if algorithm == self.algorithm {
            Ok(self)
        } else {
            Err(not_allowed(algorithm))
        }
    }

    fn has_algorithm(&self, algorithm: KeyAlgorithm) -> bool {
        self.algorithm == algorithm
    }
}

fn not_allowed(algorithm: KeyAlgorithm) -> Error {
    AlgorithmRejection::NotAllowed {
        found: algorithm.as_str().to_owned(),
    }
    .into()
}

/// A decrypted token: its protected header and its plaintext.
#[derive(Clone, Debug, PartialEq)]
pub struct Decrypted {
    header: JweHeader,
    plaintext: Vec<u8>,
}

impl Decrypted {
    /// The protected header (authenticated with the content).
    pub fn header(&self) -> &JweHeader {
        &self.header
    }

    /// The plaintext.
    pub fn plaintext(&self) -> &[u8] {
        &self.plaintext
    }

    /// The header and the plaintext, by value.
    pub fn into_parts(self) -> (JweHeader, Vec<u8>) {
        (self.header, self.plaintext)
    }
}

/// Encrypts `plaintext` to the holder of `key`'s private half (or of the shared secret).
///
/// A fresh CEK and IV are drawn for every call, so two encryptions of the same plaintext
/// differ. `alg` is the key's; `kid` is the header's, else the key's.
///
/// # Errors
/// [`Error::Serialize`] for a header that sets a registered parameter through
/// [`JweHeader::with_extra`]; [`Error::Key`] when a `dir` key is bound to another `enc`, or
/// the random generator fails.
pub fn encrypt(header: &JweHeader, plaintext: &[u8], key: &EncryptingKey) -> Result<String, Error> {
    encrypt_with(header, plaintext, key, &Fixed::default())
}

/// Values that [`dangerous`] fixes for test vectors; empty in every other use.
#[derive(Default)]
pub(crate) struct Fixed<'a> {
    pub(crate) cek: Option<&'a [u8]>,
    pub(crate) iv: Option<&'a [u8]>,
    pub(crate) ephemeral: Option<&'a DecryptingKey>,
    pub(crate) header_json: Option<&'a str>,
    pub(crate) pbes2_salt: Option<&'a [u8]>,
}

pub(crate) fn encrypt_with(
    header: &JweHeader,
    plaintext: &[u8],
    key: &EncryptingKey,
    fixed: &Fixed<'_>,
) -> Result<String, Error> {
    let enc = header.encryption;
    let delivery = manage::deliver(
        key,
        enc,
        header,
        fixed.cek,
        fixed.ephemeral,
        fixed.pbes2_salt,
    )?;
    let mut json = Vec::with_capacity(128);
    if let Some(fixed) = fixed.header_json {
        json.extend_from_slice(fixed.as_bytes());
    } else {
        let (pbes2_salt, pbes2_count) = match &delivery.pbes2 {
            Some((salt, count)) => (Some(salt.as_slice()), Some(u64::from(*count))),
            None => (header.pbes2_salt.as_deref(), header.pbes2_count),
        };
        let written = header::Written {
            key_id: header.key_id.as_deref().or(key.key_id.as_deref()),
            ephemeral_key: delivery.epk.as_ref(),
            pbes2_salt,
            pbes2_count,
        };
        header.write_json(key.algorithm, &written, &mut json)?;
    }
    let mut iv = SecretBytes(vec![0; enc.iv_len()]);
    match fixed.iv {
        Some(fixed) => iv.0.copy_from_slice(fixed),
        None => aws_lc_rs::rand::fill(&mut iv.0).map_err(|_| crate::error::KeyError::Random)?,
    }
    // The token is written once into a buffer of its exact size, the protected header first
    // (it is the AAD).
    let size = [
        json.len(),
        delivery.encrypted_key.len(),
        iv.0.len(),
        content::ciphertext_len(enc, plaintext.len()),
        enc.tag_len(),
    ]
    .iter()
    .map(|&len| base64url::encoded_len(len) + 1)
    .sum::<usize>()
        - 1;
    let mut out = Vec::with_capacity(size);
    base64url::append_encoded(&json, &mut out);
    let sealed = content::encrypt_keyed(enc, delivery.cek.content_key(), &iv.0, &out, plaintext)?;
    for part in [
        &delivery.encrypted_key,
        &iv.0,
        &sealed.ciphertext,
        &sealed.tag,
    ] {
        out.push(b'.');
        base64url::append_encoded(part, &mut out);
    }
    debug_assert_eq!(out.len(), size);
    // Base64url and dots only: always UTF-8.
    Ok(String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Reads the protected header of a compact JWE **without decrypting it**: for routing only (to
/// choose a key set by `kid`, or to log `alg` and `enc`). Nothing in it is authenticated until
/// [`decrypt`] succeeds. The size limit, the shape, the header's strict parsing and `crit`/`zip`
/// are checked as `decrypt` checks them; `alg` and `enc` must name implemented algorithms.
///
/// ```
/// use webtoken::jwe::{self, ContentEncryption, DecryptingKey, JweHeader, KeyAlgorithm};
///
/// let key = DecryptingKey::generate_secret(KeyAlgorithm::A256Kw, ContentEncryption::A256Gcm)?;
/// let token = jwe::encrypt(
///     &JweHeader::new(ContentEncryption::A256Gcm).with_key_id("2026-01"),
///     b"x",
///     &key.encrypting_key()?,
/// )?;
/// let header = jwe::untrusted_header(&token)?;
/// assert_eq!(header.key_id(), Some("2026-01"));
/// assert_eq!(header.algorithm(), Some(KeyAlgorithm::A256Kw));
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// # Errors
/// [`Error::TokenTooLarge`] (64 KiB), [`Error::Malformed`], [`Error::AlgorithmNotAllowed`] for
/// an `alg` or `enc` webtoken does not implement, [`Error::UnsupportedCriticalHeader`].
pub fn untrusted_header(token: &str) -> Result<JweHeader, Error> {
    let parts = compact::split(token, DEFAULT_MAX_TOKEN_SIZE)?;
    let parsed = compact::with_decoded(parts.header, "header", header::parse)??;
    let algorithm = parsed.key_algorithm()?;
    let enc = parsed.content_encryption()?;
    if let Some(fault) = parsed.fault {
        return Err(fault);
    }
    let mut header = parsed.header;
    header.algorithm = Some(algorithm);
    header.encryption = enc;
    Ok(header)
}

/// Decrypts a compact JWE with `keys`, under `options`: the checks of the
/// [module documentation](self), in that order.
///
/// The plaintext is returned as bytes; for claims use [`crate::decrypt`], which validates them
/// as `decode` does.
///
/// # Errors
/// The [`Error`] of the first check that fails; every key-unwrap and content failure is
/// [`Error::DecryptionFailed`].
pub fn decrypt(
    token: &str,
    keys: &(impl DecryptionKeys + ?Sized),
    options: &DecryptOptions,
) -> Result<Decrypted, Error> {
    decrypt_with(token, keys, options, |_| Ok(()))
}

pub(crate) fn decrypt_with(
    token: &str,
    keys: &(impl DecryptionKeys + ?Sized),
    options: &DecryptOptions,
    check_type: impl FnOnce(Option<&str>) -> Result<(), Error>,
) -> Result<Decrypted, Error> {
    // Step 1: size, alphabet, dots, header size.
    let parts = compact::split(token, options.max_token_size)?;
    // Step 2: the header.
    let parsed = compact::with_decoded(parts.header, "header", header::parse)??;
    // Step 3: alg and enc allow-lists, before any cryptography.
    let algorithm = parsed.key_algorithm()?;
    if !options.allows_algorithm(algorithm, keys) {
        return Err(not_allowed(algorithm));
    }
    let enc = parsed.content_encryption()?;
    if !options.allows_encryption(enc) {
        return Err(AlgorithmRejection::EncryptionNotAllowed {
            found: enc.as_str().to_owned(),
        }
        .into());
    }
    // Step 4: crit, zip, parameter types; typ.
    if let Some(fault) = parsed.fault {
        return Err(fault);
    }
    let mut header = parsed.header;
    if let Some(max) = options
        .pbes2_max_iterations
        .filter(|_| algorithm.is_pbes2())
    {
        check_pbes2(&header, max)?;
    }
    header.algorithm = Some(algorithm);
    header.encryption = enc;
    check_type(header.token_type.as_deref())?;
    // Step 5: the key.
    let key = keys.find_decrypting_key(header.key_id.as_deref(), algorithm)?;
    if key.algorithm != algorithm {
        return Err(not_allowed(algorithm));
    }
    if !key.serves(enc) {
        return Err(AlgorithmRejection::EncryptionNotAllowed {
            found: enc.as_str().to_owned(),
        }
        .into());
    }
    // Step 6: the other segments and their lengths, decoded into one buffer: the encrypted
    // key, the IV, then the ciphertext and the tag side by side (AES-GCM opens them in place).
    let size = [parts.encrypted_key, parts.iv, parts.ciphertext, parts.tag]
        .iter()
        .map(|segment| base64url::decoded_len(segment.len()).unwrap_or(0))
        .sum();
    let mut buffer = Vec::with_capacity(size);
    let encrypted_key = compact::decode_append(parts.encrypted_key, "encrypted key", &mut buffer)?;
    let iv = compact::decode_append(parts.iv, "initialization vector", &mut buffer)?;
    let ciphertext = compact::decode_append(parts.ciphertext, "ciphertext", &mut buffer)?;
    let tag = compact::decode_append(parts.tag, "authentication tag", &mut buffer)?;
    check_len(
        "initialization vector",
        &buffer[iv.clone()],
        enc.iv_len(),
        enc,
    )?;
    check_len("authentication tag", &buffer[tag], enc.tag_len(), enc)?;
    // Step 7: the CEK.
    let cek = manage::recover(key, enc, &header, &buffer[encrypted_key])?;
    // Step 8: the content, authenticated with the received header segment; the plaintext is
    // left where the ciphertext was, and moved to the buffer's start.
    let (head, in_out) = buffer.split_at_mut(ciphertext.start);
    let len = content::decrypt_in_place(
        enc,
        cek.content_key(),
        &head[iv],
        parts.header.as_bytes(),
        in_out,
        ciphertext.len(),
    )?;
    buffer.truncate(ciphertext.start + len);
    buffer.drain(..ciphertext.start);
    let plaintext = buffer;
    Ok(Decrypted { header, plaintext })
}

/// PBES2's parameters, before any cryptography: `p2s` of at least 8 bytes (RFC 7518
/// §4.8.1.1), `p2c` of at most `max` iterations.
fn check_pbes2(header: &JweHeader, max: u32) -> Result<(), Error> {
    let fault = |parameter, reason: String| -> Error {
        MalformedError::Header {
            parameter,
            reason: reason.into(),
        }
        .into()
    };
    match header.pbes2_salt.as_deref() {
        None => return Err(fault("p2s", "is missing (PBES2 needs a salt)".into())),
        Some(salt) if salt.len() < 8 => {
            return Err(fault(
                "p2s",
                format!("is {} bytes, fewer than 8", salt.len()),
            ));
        }
        Some(_) => {}
    }
    match header.pbes2_count {
        None => Err(fault(
            "p2c",
            "is missing (PBES2 needs an iteration count)".into(),
        )),
        Some(count) if count > u64::from(max) => Err(fault(
            "p2c",
            format!("is {count}, above the limit of {max} iterations"),
        )),
        Some(_) => Ok(()),
    }
}

fn check_len(
    segment: &'static str,
    bytes: &[u8],
    len: usize,
    enc: ContentEncryption,
) -> Result<(), Error> {
    if bytes.len() == len {
        return Ok(());
    }
    Err(MalformedError::SegmentLength {
        segment,
        reason: format!("must be {len} bytes for {enc}, found {}", bytes.len()).into(),
    }
    .into())
}
