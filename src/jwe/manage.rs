//! Key management (RFC 7518 §4): the content encryption key (CEK) made and delivered by the
//! encrypting key, and recovered by the decrypting key.
//!
//! Every recovery failure is [`Error::DecryptionFailed`]. RSA-OAEP never fails here: when the
//! encrypted key does not decrypt to a CEK of the right length, a random CEK takes its place
//! (RFC 7516 §11.5), and the content's tag check then fails like any other forgery.

use aws_lc_rs::aead::LessSafeKey;
use aws_lc_rs::key_wrap::{AES_128, AES_256, KeyEncryptionKey, KeyWrap};
use aws_lc_rs::rsa::{OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm};
use serde_json::Value;

use super::algorithm::{ContentEncryption, KeyAlgorithm};
use super::content::ContentKey;
use super::ecdh::{self, EcdhCurve};
use super::header::JweHeader;
use super::keys::{AgreementKey, DecryptingKey, EncryptingKey, PrivateMaterial, PublicMaterial};
use crate::error::{Error, KeyError, MalformedError};
use crate::keys::formats::SecretBytes;

/// What the encrypting side sends: the CEK to encrypt with, the JWE Encrypted Key, and for
/// ECDH-ES the ephemeral public key (`epk`).
pub(crate) struct Delivery<'k> {
    pub(crate) cek: Cek<'k>,
    pub(crate) encrypted_key: Vec<u8>,
    pub(crate) epk: Option<Value>,
    /// PBES2's `p2s` and `p2c`.
    pub(crate) pbes2: Option<(Vec<u8>, u32)>,
}

/// The CEK of one token: fresh (made, unwrapped or derived for it), or a `dir` key's own, with
/// its prepared AES-GCM key (borrowed from the key: no copy of the secret, no key schedule).
pub(crate) enum Cek<'k> {
    Fresh(SecretBytes),
    Dir {
        cek: &'k SecretBytes,
        gcm: Option<&'k LessSafeKey>,
    },
}

impl Cek<'_> {
    /// The key for the content encryption.
    pub(crate) fn content_key(&self) -> ContentKey<'_> {
        match self {
            Self::Fresh(cek) => ContentKey {
                cek: &cek.0,
                gcm: None,
            },
            Self::Dir { cek, gcm } => ContentKey {
                cek: &cek.0,
                gcm: *gcm,
            },
        }
    }
}

/// PBES2's key-wrap key (RFC 7518 §4.8.1.1): PBKDF2 over the password, with the salt
/// `UTF8(alg) || 0x00 || p2s` and `count` iterations (checked by the caller).
fn pbes2_kek(
    algorithm: KeyAlgorithm,
    password: &[u8],
    p2s: &[u8],
    count: u32,
) -> Result<SecretBytes, Error> {
    let prf = if algorithm == KeyAlgorithm::Pbes2Hs256A128Kw {
        aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256
    } else {
        aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA512
    };
    let iterations = std::num::NonZeroU32::new(count).ok_or(Error::DecryptionFailed)?;
    let salt = [algorithm.as_str().as_bytes(), &[0], p2s].concat();
    let mut kek = SecretBytes(vec![0; algorithm.wrap_key_len().unwrap_or(16)]);
    aws_lc_rs::pbkdf2::derive(prf, iterations, &salt, password, &mut kek.0);
    Ok(kek)
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
pub(crate) fn deliver<'k>(
    key: &'k EncryptingKey,
    enc: ContentEncryption,
    header: &JweHeader,
    fixed_cek: Option<&[u8]>,
    fixed_ephemeral: Option<&DecryptingKey>,
    fixed_salt: Option<&[u8]>,
) -> Result<Delivery<'k>, Error> {
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
        (
            PublicMaterial::Dir {
                cek,
                enc: bound,
                gcm,
            },
            _,
        ) => {
            if *bound != enc {
                return Err(KeyError::Invalid(crate::keys::InvalidKey::new(
                    crate::keys::KeyErrorCategory::Rejected,
                    format!("a dir key bound to {bound} cannot encrypt {enc}"),
                ))
                .into());
            }
            Ok(Delivery {
                cek: Cek::Dir {
                    cek,
                    gcm: gcm.as_ref(),
                },
                encrypted_key: Vec::new(),
                epk: None,
                pbes2: None,
            })
        }
        (PublicMaterial::Secret(password), algorithm) if algorithm.is_pbes2() => {
            let salt = match fixed_salt {
                Some(salt) => salt.to_vec(),
                None => random(16)?.0.clone(),
            };
            let kek = pbes2_kek(algorithm, &password.0, &salt, key.pbes2_iterations)?;
            let cek = cek()?;
            let encrypted_key = wrap(&kek.0, &cek.0)?;
            let pbes2 = Some((salt, key.pbes2_iterations));
            Ok(Delivery {
                cek: Cek::Fresh(cek),
                encrypted_key,
                epk: None,
                pbes2,
            })
        }
        (PublicMaterial::Secret(secret), _) => {
            let cek = cek()?;
            let encrypted_key = wrap(&secret.0, &cek.0)?;
            Ok(Delivery {
                cek: Cek::Fresh(cek),
                encrypted_key,
                epk: None,
                pbes2: None,
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
                cek: Cek::Fresh(cek),
                encrypted_key: out,
                epk: None,
                pbes2: None,
            })
        }
        (PublicMaterial::Ec { curve, public }, algorithm) => {
            let ephemeral = match fixed_ephemeral {
                Some(DecryptingKey {
                    material:
                        PrivateMaterial::Ec {
                            curve: c,
                            key,
                            public,
                        },
                    ..
                }) if c == curve => Some((key, public.clone())),
                _ => None,
            };
            deliver_ecdh(*curve, public, algorithm, enc, header, ephemeral, cek)
        }
    }
}

/// ECDH-ES: an ephemeral key (fresh, or fixed for test vectors), the agreement, the Concat KDF;
/// the derived key is the CEK (`ECDH-ES`) or wraps a fresh one.
fn deliver_ecdh(
    curve: EcdhCurve,
    public: &[u8],
    algorithm: KeyAlgorithm,
    enc: ContentEncryption,
    header: &JweHeader,
    fixed: Option<(&AgreementKey, Vec<u8>)>,
    cek: impl FnOnce() -> Result<SecretBytes, Error>,
) -> Result<Delivery<'static>, Error> {
    let (ephemeral, ephemeral_public) = if let Some((key, public)) = fixed {
        (EphemeralRef::Borrowed(key), public)
    } else {
        let (private, public) = ecdh::ephemeral(curve)?;
        (EphemeralRef::Owned(private), public)
    };
    let z = ecdh::agree(ephemeral.get(), curve, public)?;
    let derived = derive(&z.0, algorithm, enc, header);
    let epk = Some(Value::Object(curve.public_jwk(&ephemeral_public)));
    if algorithm == KeyAlgorithm::EcdhEs {
        return Ok(Delivery {
            cek: Cek::Fresh(derived),
            encrypted_key: Vec::new(),
            epk,
            pbes2: None,
        });
    }
    let cek = cek()?;
    let encrypted_key = wrap(&derived.0, &cek.0)?;
    Ok(Delivery {
        cek: Cek::Fresh(cek),
        encrypted_key,
        epk,
        pbes2: None,
    })
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
pub(crate) fn recover<'k>(
    key: &'k DecryptingKey,
    enc: ContentEncryption,
    header: &JweHeader,
    encrypted_key: &[u8],
) -> Result<Cek<'k>, Error> {
    let cek = match (&key.material, key.algorithm) {
        (
            PrivateMaterial::Dir {
                cek,
                enc: bound,
                gcm,
            },
            _,
        ) => {
            must_be_empty(encrypted_key, KeyAlgorithm::Dir)?;
            if *bound != enc {
                return Err(Error::DecryptionFailed);
            }
            return Ok(Cek::Dir {
                cek,
                gcm: gcm.as_ref(),
            });
        }
        (PrivateMaterial::Secret(password), algorithm) if algorithm.is_pbes2() => {
            // `p2s` and `p2c` were checked against the options before any cryptography.
            let (Some(salt), Some(count)) = (&header.pbes2_salt, header.pbes2_count) else {
                return Err(Error::DecryptionFailed);
            };
            let count = u32::try_from(count).map_err(|_| Error::DecryptionFailed)?;
            let kek = pbes2_kek(algorithm, &password.0, salt, count)?;
            unwrap(&kek.0, encrypted_key, enc)
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
                return Ok(Cek::Fresh(derived));
            }
            unwrap(&derived.0, encrypted_key, enc)
        }
    };
    cek.map(Cek::Fresh)
}
