//! Key management (RFC 7518 §4): the content encryption key (CEK) made and delivered by the
//! encrypting key, and recovered by the decrypting key.
//!
//! Every recovery failure is [`Error::DecryptionFailed`]. RSA-OAEP never fails here: when the
//! encrypted key does not decrypt to a CEK of the right length, a random CEK takes its place
//! (RFC 7516 §11.5), and the content's tag check then fails like any other forgery.

use aws_lc_rs::key_wrap::{AES_128, AES_256, KeyEncryptionKey, KeyWrap};
use aws_lc_rs::rsa::{OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm};
use serde_json::Value;

use super::algorithm::{ContentEncryption, KeyAlgorithm};
use super::ecdh;
use super::header::JweHeader;
use super::keys::{AgreementKey, DecryptingKey, EncryptingKey, PrivateMaterial, PublicMaterial};
use crate::error::{Error, KeyError, MalformedError};
use crate::keys::formats::SecretBytes;

/// What the encrypting side sends: the CEK to encrypt with, the JWE Encrypted Key, and for
/// ECDH-ES the ephemeral public key (`epk`).
pub(crate) struct Delivery {
    pub(crate) cek: SecretBytes,
    pub(crate) encrypted_key: Vec<u8>,
    pub(crate) epk: Option<Value>,
}

fn random(len: usize) -> Result<SecretBytes, Error> {
    let mut bytes = SecretBytes(vec![0; len]);
    aws_lc_rs::rand::fill(&mut bytes.0).map_err(|_| KeyError::Random)?;
    Ok(bytes)
}

fn oaep(algorithm: KeyAlgorithm) -> &'static OaepAlgorithm {
    if algorithm == KeyAlgorithm::RsaOaep {
        &OAEP_SHA1_MGF1SHA1
    } else {
        &OAEP_SHA256_MGF1SHA256
    }
}

pub(super) fn wrap(kek: &[u8], cek: &[u8]) -> Result<Vec<u8>, Error> {
    let cipher = if kek.len() == 16 { &AES_128 } else { &AES_256 };
    let kek = KeyEncryptionKey::new(cipher, kek).map_err(|_| Error::DecryptionFailed)?;
    let mut out = vec![0; cek.len() + 8];
    let len = kek
        .wrap(cek, &mut out)
        .map_err(|_| Error::DecryptionFailed)?
        .len();
    out.truncate(len);
    Ok(out)
}

fn unwrap(kek: &[u8], encrypted_key: &[u8], enc: ContentEncryption) -> Result<SecretBytes, Error> {
    if encrypted_key.len() != enc.key_len() + 8 {
        return Err(Error::DecryptionFailed);
    }
    let out = unwrap_any(kek, encrypted_key)?;
    if out.0.len() != enc.key_len() {
        return Err(Error::DecryptionFailed);
    }
    Ok(out)
}

/// RFC 3394 unwrap of any length (the caller checks the length it needs).
pub(super) fn unwrap_any(kek: &[u8], encrypted_key: &[u8]) -> Result<SecretBytes, Error> {
    let cipher = if kek.len() == 16 { &AES_128 } else { &AES_256 };
    let kek = KeyEncryptionKey::new(cipher, kek).map_err(|_| Error::DecryptionFailed)?;
    let mut out = SecretBytes(vec![0; encrypted_key.len()]);
    let len = kek
        .unwrap(encrypted_key, &mut out.0)
        .map_err(|_| Error::DecryptionFailed)?
        .len();
    out.0.truncate(len);
    Ok(out)
}

/// RSA-OAEP decryption of an encrypted key (no label): the plaintext, or `None` for any
/// failure, which the caller must not distinguish from a CEK of the wrong length.
pub(super) fn oaep_decrypt(
    private: &aws_lc_rs::rsa::OaepPrivateDecryptingKey,
    algorithm: KeyAlgorithm,
    encrypted_key: &[u8],
) -> Option<SecretBytes> {
    if encrypted_key.len() != private.key_size_bytes() {
        return None;
    }
    let mut out = SecretBytes(vec![0; private.min_output_size()]);
    let len = private
        .decrypt(oaep(algorithm), encrypted_key, &mut out.0, None)
        .ok()?
        .len();
    out.0.truncate(len);
    Some(out)
}

/// The Concat KDF's output for an ECDH-ES algorithm: the CEK itself (`ECDH-ES`, AlgorithmID
/// `enc`) or the key-wrap key (AlgorithmID `alg`).
fn derive(
    z: &[u8],
    algorithm: KeyAlgorithm,
    enc: ContentEncryption,
    header: &JweHeader,
) -> SecretBytes {
    let (id, len) = match algorithm.wrap_key_len() {
        Some(len) => (algorithm.as_str(), len),
        None => (enc.as_str(), enc.key_len()),
    };
    let apu = header.party_u.as_deref().unwrap_or_default();
    let apv = header.party_v.as_deref().unwrap_or_default();
    ecdh::concat_kdf(z, id, apu, apv, len)
}

/// The encrypting side: a fresh CEK (or `fixed_cek`, for test vectors), delivered as the key's
/// algorithm says. For `dir` the CEK is the key; for `ECDH-ES` it is derived.
pub(crate) fn deliver(
    key: &EncryptingKey,
    enc: ContentEncryption,
    header: &JweHeader,
    fixed_cek: Option<&[u8]>,
    fixed_ephemeral: Option<&DecryptingKey>,
) -> Result<Delivery, Error> {
    let cek = || match fixed_cek {
        Some(cek) if cek.len() == enc.key_len() => Ok(SecretBytes(cek.to_vec())),
        Some(_) => Err(Error::from(KeyError::Invalid(
            crate::keys::InvalidKey::new(
                crate::keys::KeyErrorCategory::Rejected,
                format!("the CEK of {enc} is {} bytes", enc.key_len()),
            ),
        ))),
        None => random(enc.key_len()),
    };
    match (&key.material, key.algorithm) {
        (PublicMaterial::Secret(secret), KeyAlgorithm::Dir) => {
            if secret.0.len() != enc.key_len() {
                return Err(KeyError::Invalid(crate::keys::InvalidKey::new(
                    crate::keys::KeyErrorCategory::Rejected,
                    format!(
                        "a dir secret of {} bytes cannot encrypt {enc}, which needs {}",
                        secret.0.len(),
                        enc.key_len()
                    ),
                ))
                .into());
            }
            Ok(Delivery {
                cek: SecretBytes(secret.0.clone()),
                encrypted_key: Vec::new(),
                epk: None,
            })
        }
        (PublicMaterial::Secret(secret), _) => {
            let cek = cek()?;
            let encrypted_key = wrap(&secret.0, &cek.0)?;
            Ok(Delivery {
                cek,
                encrypted_key,
                epk: None,
            })
        }
        (PublicMaterial::Rsa { key: public, .. }, algorithm) => {
            let cek = cek()?;
            let mut out = vec![0; public.ciphertext_size()];
            let len = public
                .encrypt(oaep(algorithm), &cek.0, &mut out, None)
                .map_err(|_| KeyError::Random)?
                .len();
            out.truncate(len);
            Ok(Delivery {
                cek,
                encrypted_key: out,
                epk: None,
            })
        }
        (PublicMaterial::Ec { curve, public }, algorithm) => {
            let (ephemeral, ephemeral_public) = match fixed_ephemeral {
                Some(DecryptingKey {
                    material:
                        PrivateMaterial::Ec {
                            curve: c,
                            key,
                            public,
                        },
                    ..
                }) if c == curve => (EphemeralRef::Borrowed(key), public.clone()),
                _ => {
                    let (private, public) = ecdh::ephemeral(*curve)?;
                    (EphemeralRef::Owned(private), public)
                }
            };
            let z = ecdh::agree(ephemeral.get(), *curve, public)?;
            let derived = derive(&z.0, algorithm, enc, header);
            let epk = Value::Object(curve.public_jwk(&ephemeral_public));
            if algorithm == KeyAlgorithm::EcdhEs {
                return Ok(Delivery {
                    cek: derived,
                    encrypted_key: Vec::new(),
                    epk: Some(epk),
                });
            }
            let cek = cek()?;
            let encrypted_key = wrap(&derived.0, &cek.0)?;
            Ok(Delivery {
                cek,
                encrypted_key,
                epk: Some(epk),
            })
        }
    }
}

enum EphemeralRef<'a> {
    Owned(AgreementKey),
    Borrowed(&'a AgreementKey),
}

impl EphemeralRef<'_> {
    fn get(&self) -> &AgreementKey {
        match self {
            Self::Owned(key) => key,
            Self::Borrowed(key) => key,
        }
    }
}

fn must_be_empty(encrypted_key: &[u8], algorithm: KeyAlgorithm) -> Result<(), Error> {
    if encrypted_key.is_empty() {
        Ok(())
    } else {
        Err(MalformedError::SegmentLength {
            segment: "encrypted key",
            reason: format!("must be empty for {algorithm}").into(),
        }
        .into())
    }
}

/// The decrypting side: the CEK, of exactly `enc`'s length. `header` is the token's protected
/// header (for `epk`, `apu`, `apv`).
pub(crate) fn recover(
    key: &DecryptingKey,
    enc: ContentEncryption,
    header: &JweHeader,
    encrypted_key: &[u8],
) -> Result<SecretBytes, Error> {
    match (&key.material, key.algorithm) {
        (PrivateMaterial::Secret(secret), KeyAlgorithm::Dir) => {
            must_be_empty(encrypted_key, KeyAlgorithm::Dir)?;
            if secret.0.len() != enc.key_len() {
                return Err(Error::DecryptionFailed);
            }
            Ok(SecretBytes(secret.0.clone()))
        }
        (PrivateMaterial::Secret(secret), _) => unwrap(&secret.0, encrypted_key, enc),
        (PrivateMaterial::Rsa { key: private, .. }, algorithm) => {
            // RFC 7516 §11.5: whatever goes wrong, continue with a random CEK of the right
            // length, so that the answer is the content's tag failure in every case.
            let mut cek = random(enc.key_len())?;
            if let Some(plain) = oaep_decrypt(private, algorithm, encrypted_key) {
                if plain.0.len() == enc.key_len() {
                    cek.0.copy_from_slice(&plain.0);
                }
            }
            Ok(cek)
        }
        (
            PrivateMaterial::Ec {
                curve,
                key: private,
                ..
            },
            algorithm,
        ) => {
            let public = ecdh::read_epk(header.ephemeral_key.as_ref(), *curve)?;
            let z = ecdh::agree(private, *curve, &public)?;
            let derived = derive(&z.0, algorithm, enc, header);
            if algorithm == KeyAlgorithm::EcdhEs {
                must_be_empty(encrypted_key, algorithm)?;
                return Ok(derived);
            }
            unwrap(&derived.0, encrypted_key, enc)
        }
    }
}
