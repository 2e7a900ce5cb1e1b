//! The JWT level of JWE: claims encrypted as the plaintext ([`encrypt_claims`],
//! [`decrypt_claims`]), and nested JWTs, signed then encrypted ([`encrypt_signed`],
//! [`decrypt_verified`]). Claims are validated by the same [`Validation`] as `decode`'s.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{DecryptOptions, DecryptionKeys, EncryptingKey, JweHeader, decrypt_with, encrypt};
use crate::error::{Error, MalformedError, SerializeError};
use crate::header::Header;
use crate::jwt::{Token, parse_claims_bytes};
use crate::keys::{KeySource, SigningKey};
use crate::validation::Validation;

/// Whether `cty` says the plaintext is a JWT (RFC 7519 §5.2; compared case-insensitively, as
/// media types are).
fn is_nested(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|cty| cty.eq_ignore_ascii_case("JWT"))
}

/// Encrypts `claims` (any `Serialize`, usually [`Claims`](crate::Claims)) as the plaintext of
/// a compact JWE.
///
/// Nothing here says who wrote the claims when `key` is a public key (RSA-OAEP, ECDH-ES): use
/// [`encrypt_signed`] when the recipient must know.
///
/// ```
/// use std::time::Duration;
/// use webtoken::jwe::{ContentEncryption, DecryptOptions, DecryptingKey, JweHeader, KeyAlgorithm};
/// use webtoken::{Claims, Validation};
///
/// let key = DecryptingKey::generate_secret(KeyAlgorithm::Dir, ContentEncryption::A256Gcm)?;
/// let claims = Claims::new(()).with_subject("user-42").expires_in(Duration::from_secs(60));
/// let header = JweHeader::new(ContentEncryption::A256Gcm).with_type("JWT");
/// let token = webtoken::encrypt(&header, &claims, &key.encrypting_key()?)?;
///
/// let token = webtoken::decrypt::<()>(&token, &key, &DecryptOptions::new(), &Validation::new())?;
/// assert_eq!(token.claims().subject.as_deref(), Some("user-42"));
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// # Errors
/// [`Error::Serialize`] when the claims or the header cannot be serialized, and the errors of
/// [`jwe::encrypt`](super::encrypt).
pub fn encrypt_claims<C: Serialize + ?Sized>(
    header: &JweHeader,
    claims: &C,
    key: &EncryptingKey,
) -> Result<String, Error> {
    let plaintext = serde_json::to_vec(claims).map_err(|e| SerializeError {
        what: "claims",
        message: e.to_string(),
    })?;
    encrypt(header, &plaintext, key)
}

/// Decrypts a compact JWE whose plaintext is a claims set, then parses and validates the
/// claims exactly as [`decode`](crate::decode) does (types, required claims,
/// `exp`/`nbf`/`iat`, `iss`/`sub`/`aud`, the custom type).
///
/// The `typ` of the JWE header is checked against `validation`'s; the size limit is the
/// `options`' ([`DecryptOptions::with_max_token_size`]). The returned token's
/// [`Header`] holds the JWE's `kid`, `typ`, `cty` and unregistered parameters; its `alg` and
/// `enc` are the ones `options` and the key allowed, and [`jwe::decrypt`](super::decrypt) or
/// [`jwe::untrusted_header`](super::untrusted_header) give the whole JWE header. A token whose `cty` is `JWT` (a
/// nested JWT) is refused: decrypt it with [`decrypt_verified`], which verifies the signature.
///
/// # Errors
/// The [`Error`] of the first check that fails (see the [module documentation](super)).
pub fn decrypt_claims<T: DeserializeOwned>(
    token: &str,
    keys: &(impl DecryptionKeys + ?Sized),
    options: &DecryptOptions,
    validation: &Validation,
) -> Result<Token<T>, Error> {
    let decrypted = decrypt_with(token, keys, options, |typ| validation.check_type(typ))?;
    let (jwe_header, plaintext) = decrypted.into_parts();
    if is_nested(jwe_header.content_type()) {
        return Err(MalformedError::Header {
            parameter: "cty",
            reason: "is JWT: the plaintext is a signed token; decrypt and verify it with \
                     webtoken::decrypt_verified"
                .into(),
        }
        .into());
    }
    let claims = parse_claims_bytes(&plaintext, Some(validation))?;
    Ok(Token::new(to_header(jwe_header), claims))
}

/// The JWT header of a decrypted token, made from its JWE header (moved, not copied).
fn to_header(jwe: JweHeader) -> Header {
    let mut header = Header::empty();
    if let Some(kid) = jwe.key_id {
        header = header.with_key_id(kid);
    }
    if let Some(typ) = jwe.token_type {
        header = header.with_type(typ);
    } else {
        header = header.without_type();
    }
    if let Some(cty) = jwe.content_type {
        header = header.with_content_type(cty);
    }
    // Neither `alg` nor `enc` goes here (`Header` holds JWS parameters, and a JWE's are in its
    // `JweHeader`): building a map for `enc` cost a decryption three allocations.
    for (name, value) in jwe.extra {
        header = header.with_extra(name, value);
    }
    header
}

/// Signs `claims` with `signing_key` (a JWS under `jws_header`), then encrypts that token with
/// `encrypting_key` under `encryption_header`, whose `cty` is set to `JWT`: a nested JWT (RFC 7519
/// §5.2, §A.2). The recipient learns both that the claims are secret and who signed them.
///
/// ```
/// use std::time::Duration;
/// use webtoken::jwe::{ContentEncryption, DecryptOptions, DecryptingKey, EcdhCurve, JweHeader, KeyAlgorithm};
/// use webtoken::{Algorithm, Claims, Header, SigningKey, Validation};
///
/// let signer = SigningKey::hmac([9u8; 32], Algorithm::Hs256)?;
/// let recipient = DecryptingKey::generate_ec(EcdhCurve::X25519, KeyAlgorithm::EcdhEsA256Kw)?;
///
/// let claims = Claims::new(()).with_subject("user-42").expires_in(Duration::from_secs(60));
/// let token = webtoken::encrypt_signed(
///     &Header::new(), &claims, &signer,
///     &JweHeader::new(ContentEncryption::A256Gcm), &recipient.encrypting_key()?,
/// )?;
///
/// let token = webtoken::decrypt_verified::<()>(
///     &token, &recipient, &DecryptOptions::new(), &signer.verifying_key()?, &Validation::new(),
/// )?;
/// assert_eq!(token.claims().subject.as_deref(), Some("user-42"));
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// # Errors
/// The errors of [`encode`](crate::encode) and of [`jwe::encrypt`](super::encrypt).
pub fn encrypt_signed<C: Serialize + ?Sized>(
    jws_header: &Header,
    claims: &C,
    signing_key: &SigningKey,
    encryption_header: &JweHeader,
    encrypting_key: &EncryptingKey,
) -> Result<String, Error> {
    let signed = crate::encode(jws_header, claims, signing_key)?;
    let header = encryption_header.clone().with_content_type("JWT");
    encrypt(&header, signed.as_bytes(), encrypting_key)
}

/// Decrypts a nested JWT, then verifies the signed token inside it with `verifying_keys` and
/// validates its claims, exactly as [`decode`](crate::decode) does with `validation` (whose
/// `typ` check applies to the inner, signed token). Returns the inner token.
///
/// The JWE's `cty` must be `JWT`.
///
/// # Errors
/// The decryption's first failing check, then `decode`'s.
pub fn decrypt_verified<T: DeserializeOwned>(
    token: &str,
    decrypting_keys: &(impl DecryptionKeys + ?Sized),
    options: &DecryptOptions,
    verifying_keys: &(impl KeySource + ?Sized),
    validation: &Validation,
) -> Result<Token<T>, Error> {
    let decrypted = decrypt_with(token, decrypting_keys, options, |_| Ok(()))?;
    if !is_nested(decrypted.header().content_type()) {
        return Err(MalformedError::Header {
            parameter: "cty",
            reason: "must be JWT for a nested token (signed, then encrypted)".into(),
        }
        .into());
    }
    let inner = std::str::from_utf8(decrypted.plaintext()).map_err(|_| MalformedError::Json {
        segment: "payload",
        reason: "the nested token is not UTF-8".into(),
    })?;
    crate::decode(inner, verifying_keys, validation)
}
