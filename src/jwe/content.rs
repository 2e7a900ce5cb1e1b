//! Content encryption (RFC 7518 §5): AES-GCM, and AES-CBC with HMAC-SHA-2 (§5.2), on
//! aws-lc-rs. Every length is checked by the caller before these run; every failure here is
//! [`Error::DecryptionFailed`], and no plaintext leaves a failed decryption.

use aws_lc_rs::aead::{AES_128_GCM, AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::cipher::{
    AES_128, AES_256, DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey,
    PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::hmac;
use aws_lc_rs::iv::FixedLength;

use super::algorithm::ContentEncryption;
use crate::error::Error;

/// The ciphertext and the authentication tag of an encryption.
pub(crate) struct Sealed {
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) tag: Vec<u8>,
}

/// The CEK as a key holds it: its bytes, and for a `dir` key of an AES-GCM `enc` the aws-lc-rs
/// key built once with the key (so that no token pays for the AES key schedule again).
#[derive(Clone, Copy)]
pub(crate) struct ContentKey<'a> {
    pub(crate) cek: &'a [u8],
    pub(crate) gcm: Option<&'a LessSafeKey>,
}

/// The AES-GCM key of `cek`, built once when a `dir` key for an AES-GCM `enc` is: `None` for
/// the other `enc`s (or a CEK of the wrong length, which the key's checks refuse first).
pub(crate) fn prepared_gcm_key(enc: ContentEncryption, cek: &[u8]) -> Option<LessSafeKey> {
    match enc {
        ContentEncryption::A128Gcm | ContentEncryption::A256Gcm if cek.len() == enc.key_len() => {
            gcm_key(enc, cek).ok()
        }
        _ => None,
    }
}

/// The ciphertext's length for a plaintext of `len` bytes: the same for AES-GCM, padded to the
/// next whole block (always adding one) for AES-CBC with PKCS#7.
pub(crate) const fn ciphertext_len(enc: ContentEncryption, len: usize) -> usize {
    match enc {
        ContentEncryption::A128Gcm | ContentEncryption::A256Gcm => len,
        ContentEncryption::A128CbcHs256 | ContentEncryption::A256CbcHs512 => (len / 16 + 1) * 16,
    }
}

#[cfg(test)]
/// Encrypts `plaintext` with `cek` and `iv` (of the lengths `enc` needs), authenticating `aad`.
pub(crate) fn encrypt(
    enc: ContentEncryption,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Sealed, Error> {
    encrypt_keyed(enc, ContentKey { cek, gcm: None }, iv, aad, plaintext)
}

/// [`encrypt`], with the key's prepared AES-GCM key when it has one.
pub(crate) fn encrypt_keyed(
    enc: ContentEncryption,
    key: ContentKey<'_>,
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Sealed, Error> {
    let cek = key.cek;
    debug_assert_eq!(cek.len(), enc.key_len());
    debug_assert_eq!(iv.len(), enc.iv_len());
    // Failures here are impossible with the lengths checked above; they are reported as a
    // decryption failure rather than a panic.
    let fail = |_| Error::DecryptionFailed;
    match enc {
        ContentEncryption::A128Gcm | ContentEncryption::A256Gcm => {
            let built;
            let key = if let Some(prepared) = key.gcm {
                prepared
            } else {
                built = gcm_key(enc, cek)?;
                &built
            };
            let nonce = Nonce::try_assume_unique_for_key(iv).map_err(fail)?;
            let mut in_out = plaintext.to_vec();
            let tag = key
                .seal_in_place_separate_tag(nonce, Aad::from(aad), &mut in_out)
                .map_err(fail)?;
            Ok(Sealed {
                ciphertext: in_out,
                tag: tag.as_ref().to_vec(),
            })
        }
        ContentEncryption::A128CbcHs256 | ContentEncryption::A256CbcHs512 => {
            let (mac_key, enc_key) = cek.split_at(cek.len() / 2);
            let cipher = if enc_key.len() == 16 {
                &AES_128
            } else {
                &AES_256
            };
            let key = UnboundCipherKey::new(cipher, enc_key).map_err(fail)?;
            let key = PaddedBlockEncryptingKey::cbc_pkcs7(key).map_err(fail)?;
            let iv16: [u8; 16] = iv.try_into().map_err(|_| Error::DecryptionFailed)?;
            let mut in_out = Vec::with_capacity(ciphertext_len(enc, plaintext.len()));
            in_out.extend_from_slice(plaintext);
            key.less_safe_encrypt(
                &mut in_out,
                EncryptionContext::Iv128(FixedLength::from(iv16)),
            )
            .map_err(fail)?;
            let tag = cbc_tag(enc, mac_key, aad, iv, &in_out);
            Ok(Sealed {
                ciphertext: in_out,
                tag,
            })
        }
    }
}

#[cfg(test)]
/// Decrypts and authenticates. The tag is checked first (for CBC-HMAC in constant time, before
/// any byte is decrypted); on any failure the buffer is wiped and [`Error::DecryptionFailed`]
/// returned.
pub(crate) fn decrypt(
    enc: ContentEncryption,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, Error> {
    decrypt_keyed(enc, ContentKey { cek, gcm: None }, iv, aad, ciphertext, tag)
}

/// [`decrypt`], with the key's prepared AES-GCM key when it has one.
#[cfg(test)]
pub(crate) fn decrypt_keyed(
    enc: ContentEncryption,
    key: ContentKey<'_>,
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, Error> {
    let mut in_out = Vec::with_capacity(ciphertext.len() + tag.len());
    in_out.extend_from_slice(ciphertext);
    in_out.extend_from_slice(tag);
    let len = decrypt_in_place(enc, key, iv, aad, &mut in_out, ciphertext.len())?;
    in_out.truncate(len);
    Ok(in_out)
}

/// [`decrypt_keyed`] in `in_out`, which holds the ciphertext (its first `ciphertext_len` bytes)
/// then the tag: the plaintext is left at its start, and its length returned. On any failure
/// the buffer is wiped.
pub(crate) fn decrypt_in_place(
    enc: ContentEncryption,
    key: ContentKey<'_>,
    iv: &[u8],
    aad: &[u8],
    in_out: &mut [u8],
    ciphertext_len: usize,
) -> Result<usize, Error> {
    let cek = key.cek;
    let tag_len = in_out.len().saturating_sub(ciphertext_len);
    if cek.len() != enc.key_len()
        || iv.len() != enc.iv_len()
        || ciphertext_len > in_out.len()
        || tag_len != enc.tag_len()
    {
        in_out.fill(0);
        return Err(Error::DecryptionFailed);
    }
    let fail = |_| Error::DecryptionFailed;
    match enc {
        ContentEncryption::A128Gcm | ContentEncryption::A256Gcm => {
            let built;
            let key = if let Some(prepared) = key.gcm {
                prepared
            } else {
                built = gcm_key(enc, cek)?;
                &built
            };
            let nonce = Nonce::try_assume_unique_for_key(iv).map_err(fail)?;
            let Ok(len) = key
                .open_in_place(nonce, Aad::from(aad), in_out)
                .map(|plaintext| plaintext.len())
            else {
                in_out.fill(0);
                return Err(Error::DecryptionFailed);
            };
            Ok(len)
        }
        ContentEncryption::A128CbcHs256 | ContentEncryption::A256CbcHs512 => {
            let (mac_key, enc_key) = cek.split_at(cek.len() / 2);
            let (ciphertext, tag) = in_out.split_at_mut(ciphertext_len);
            let expected = cbc_tag(enc, mac_key, aad, iv, ciphertext);
            // CRYPTO_memcmp: constant time in the contents; the lengths are public.
            if verify_slices_are_equal(&expected, tag).is_err() {
                in_out.fill(0);
                return Err(Error::DecryptionFailed);
            }
            cbc_decrypt_in_place(enc_key, iv, ciphertext)
        }
    }
}

/// AES-CBC decryption with PKCS#7 padding, for a ciphertext whose tag was checked: the
/// plaintext, or [`Error::DecryptionFailed`] (the buffer wiped).
#[cfg(test)]
pub(super) fn cbc_decrypt(enc_key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, Error> {
    let mut in_out = ciphertext.to_vec();
    let len = cbc_decrypt_in_place(enc_key, iv, &mut in_out)?;
    in_out.truncate(len);
    Ok(in_out)
}

/// [`cbc_decrypt`] in place: the plaintext's length (at the start of `in_out`), or
/// [`Error::DecryptionFailed`] with `in_out` wiped.
fn cbc_decrypt_in_place(enc_key: &[u8], iv: &[u8], in_out: &mut [u8]) -> Result<usize, Error> {
    let fail = |_| Error::DecryptionFailed;
    let cipher = match enc_key.len() {
        16 => &AES_128,
        32 => &AES_256,
        _ => return Err(Error::DecryptionFailed),
    };
    let key = UnboundCipherKey::new(cipher, enc_key).map_err(fail)?;
    let key = PaddedBlockDecryptingKey::cbc_pkcs7(key).map_err(fail)?;
    let iv16: [u8; 16] = iv.try_into().map_err(|_| Error::DecryptionFailed)?;
    if in_out.is_empty() || in_out.len() % 16 != 0 {
        return Err(Error::DecryptionFailed);
    }
    let Ok(len) = key
        .decrypt(in_out, DecryptionContext::Iv128(FixedLength::from(iv16)))
        .map(|plaintext| plaintext.len())
    else {
        in_out.fill(0);
        return Err(Error::DecryptionFailed);
    };
    Ok(len)
}

fn gcm_key(enc: ContentEncryption, cek: &[u8]) -> Result<LessSafeKey, Error> {
    let algorithm = if enc == ContentEncryption::A128Gcm {
        &AES_128_GCM
    } else {
        &AES_256_GCM
    };
    let key = UnboundKey::new(algorithm, cek).map_err(|_| Error::DecryptionFailed)?;
    Ok(LessSafeKey::new(key))
}

/// RFC 7518 §5.2.2.1 steps 5 and 6: HMAC over `AAD || IV || ciphertext || AL`, where AL is the
/// bit length of the AAD as a 64-bit big-endian number, truncated to the tag length.
fn cbc_tag(
    enc: ContentEncryption,
    mac_key: &[u8],
    aad: &[u8],
    iv: &[u8],
    ciphertext: &[u8],
) -> Vec<u8> {
    let algorithm = if enc == ContentEncryption::A128CbcHs256 {
        hmac::HMAC_SHA256
    } else {
        hmac::HMAC_SHA512
    };
    let key = hmac::Key::new(algorithm, mac_key);
    let mut context = hmac::Context::with_key(&key);
    context.update(aad);
    context.update(iv);
    context.update(ciphertext);
    let aad_bits = (aad.len() as u64).wrapping_mul(8);
    context.update(&aad_bits.to_be_bytes());
    let mut tag = context.sign().as_ref().to_vec();
    tag.truncate(enc.tag_len());
    tag
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7518 Appendix B.1: AES_128_CBC_HMAC_SHA_256.
    #[test]
    fn rfc7518_b1_cbc_hmac_vector() {
        let hex = |s: &str| -> Vec<u8> {
            let s: String = s.split_whitespace().collect();
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let key = hex("00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
            10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f");
        let plaintext = hex("41 20 63 69 70 68 65 72 20 73 79 73 74 65 6d 20
            6d 75 73 74 20 6e 6f 74 20 62 65 20 72 65 71 75
            69 72 65 64 20 74 6f 20 62 65 20 73 65 63 72 65
            74 2c 20 61 6e 64 20 69 74 20 6d 75 73 74 20 62
            65 20 61 62 6c 65 20 74 6f 20 66 61 6c 6c 20 69
            6e 74 6f 20 74 68 65 20 68 61 6e 64 73 20 6f 66
            20 74 68 65 20 65 6e 65 6d 79 20 77 69 74 68 6f
            75 74 20 69 6e 63 6f 6e 76 65 6e 69 65 6e 63 65");
        let iv = hex("1a f3 8c 2d c2 b9 6f fd d8 66 94 09 23 41 bc 04");
        let aad = hex("54 68 65 20 73 65 63 6f 6e 64 20 70 72 69 6e 63
            69 70 6c 65 20 6f 66 20 41 75 67 75 73 74 65 20
            4b 65 72 63 6b 68 6f 66 66 73");
        let tag = hex("65 2c 3f a3 6b 0a 7c 5b 32 19 fa b3 a3 0b c1 c4");
        let enc = ContentEncryption::A128CbcHs256;
        let sealed = encrypt(enc, &key, &iv, &aad, &plaintext).unwrap();
        assert_eq!(sealed.tag, tag);
        assert_eq!(
            decrypt(enc, &key, &iv, &aad, &sealed.ciphertext, &tag).unwrap(),
            plaintext
        );
        let mut bad = tag.clone();
        bad[15] ^= 1;
        assert!(decrypt(enc, &key, &iv, &aad, &sealed.ciphertext, &bad).is_err());
    }

    #[test]
    fn every_algorithm_round_trips_and_refuses_any_flip() {
        for enc in ContentEncryption::ALL {
            let cek = vec![7u8; enc.key_len()];
            let iv = vec![9u8; enc.iv_len()];
            for len in [0, 1, 15, 16, 17, 100] {
                let plaintext = vec![0x42u8; len];
                let sealed = encrypt(enc, &cek, &iv, b"aad", &plaintext).unwrap();
                assert_eq!(sealed.tag.len(), enc.tag_len());
                let ok = decrypt(enc, &cek, &iv, b"aad", &sealed.ciphertext, &sealed.tag);
                assert_eq!(ok.unwrap(), plaintext);
                assert!(decrypt(enc, &cek, &iv, b"aaD", &sealed.ciphertext, &sealed.tag).is_err());
                for i in 0..sealed.ciphertext.len() {
                    let mut c = sealed.ciphertext.clone();
                    c[i] ^= 0x80;
                    assert!(decrypt(enc, &cek, &iv, b"aad", &c, &sealed.tag).is_err());
                }
                for i in 0..sealed.tag.len() {
                    let mut t = sealed.tag.clone();
                    t[i] ^= 1;
                    assert!(decrypt(enc, &cek, &iv, b"aad", &sealed.ciphertext, &t).is_err());
                }
                let mut i2 = iv.clone();
                i2[0] ^= 1;
                assert!(decrypt(enc, &cek, &i2, b"aad", &sealed.ciphertext, &sealed.tag).is_err());
            }
        }
    }

    /// A `dir` key's prepared AES-GCM key seals and opens exactly as a key built per call.
    #[test]
    fn prepared_gcm_key_matches_a_key_built_per_call() {
        for enc in ContentEncryption::ALL {
            let cek = vec![3u8; enc.key_len()];
            let prepared = prepared_gcm_key(enc, &cek);
            let is_gcm = matches!(enc, ContentEncryption::A128Gcm | ContentEncryption::A256Gcm);
            assert_eq!(prepared.is_some(), is_gcm, "{enc}");
            assert!(prepared_gcm_key(enc, &cek[1..]).is_none(), "{enc}");
            let keyed = ContentKey {
                cek: &cek,
                gcm: prepared.as_ref(),
            };
            let iv = vec![5u8; enc.iv_len()];
            let sealed = encrypt_keyed(enc, keyed, &iv, b"aad", b"plaintext").unwrap();
            let by_hand = encrypt(enc, &cek, &iv, b"aad", b"plaintext").unwrap();
            assert_eq!(sealed.ciphertext, by_hand.ciphertext, "{enc}");
            assert_eq!(sealed.tag, by_hand.tag, "{enc}");
            let open = |tag: &[u8]| decrypt_keyed(enc, keyed, &iv, b"aad", &sealed.ciphertext, tag);
            assert_eq!(open(&sealed.tag).unwrap(), b"plaintext");
            let mut bad = sealed.tag.clone();
            bad[0] ^= 1;
            assert!(matches!(open(&bad), Err(Error::DecryptionFailed)), "{enc}");
            let wrong = decrypt_keyed(enc, keyed, &iv, b"aaD", &sealed.ciphertext, &sealed.tag);
            assert!(wrong.is_err(), "{enc}");
        }
    }

    /// One `dir` key (with its prepared AES-GCM key) used by several threads at once.
    #[test]
    fn a_dir_key_serves_several_threads() {
        use crate::jwe::{DecryptingKey, EncryptingKey, JweHeader};
        let secret = [9u8; 32];
        let enc = ContentEncryption::A256Gcm;
        let encrypting = std::sync::Arc::new(EncryptingKey::dir(secret, enc).unwrap());
        let decrypting = std::sync::Arc::new(DecryptingKey::dir(secret, enc).unwrap());
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let (encrypting, decrypting) = (encrypting.clone(), decrypting.clone());
                std::thread::spawn(move || {
                    for j in 0..50 {
                        let text = format!("{i}-{j}");
                        let token =
                            crate::jwe::encrypt(&JweHeader::new(enc), text.as_bytes(), &encrypting)
                                .unwrap();
                        let options = crate::jwe::DecryptOptions::new();
                        let out = crate::jwe::decrypt(&token, &*decrypting, &options).unwrap();
                        assert_eq!(out.plaintext(), text.as_bytes());
                        let mut forged = token.into_bytes();
                        let last = forged.len() - 2;
                        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
                        let forged = String::from_utf8(forged).unwrap();
                        assert!(crate::jwe::decrypt(&forged, &*decrypting, &options).is_err());
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
    }

    /// The size the token's buffer is made with is the ciphertext's real length.
    #[test]
    fn ciphertext_len_is_exact() {
        for enc in ContentEncryption::ALL {
            let cek = vec![1u8; enc.key_len()];
            let iv = vec![2u8; enc.iv_len()];
            for len in [0, 1, 15, 16, 17, 31, 32, 33, 1000] {
                let sealed = encrypt(enc, &cek, &iv, b"", &vec![0u8; len]).unwrap();
                assert_eq!(
                    ciphertext_len(enc, len),
                    sealed.ciphertext.len(),
                    "{enc} {len}"
                );
            }
        }
    }
}
