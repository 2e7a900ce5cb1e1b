//! The unit tests of `jwe/keys.rs` (this whole file is its `#[cfg(test)] mod tests`, so its
//! `unwrap`s run only in tests): reading JWE keys from PEM and DER, the messages for keys of the
//! wrong kind, label or size.

use super::*;
use crate::jwe::KeyAlgorithm as A;

const P256: &str = include_str!("../../../tests/data/keys/p256.pkcs8.pem");
const P256_SEC1: &str = include_str!("../../../tests/data/keys/p256.sec1.pem");
const P256_PUBLIC: &str = include_str!("../../../tests/data/keys/p256.spki.pem");
const RSA: &str = include_str!("../../../tests/data/keys/rsa2048.pkcs8.pem");
const RSA_PKCS1: &str = include_str!("../../../tests/data/keys/rsa2048.pkcs1.pem");
const RSA_PUBLIC: &str = include_str!("../../../tests/data/keys/rsa2048.spki.pem");

fn message(result: Result<impl fmt::Debug, Error>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn a_public_pem_where_a_private_key_is_expected_names_the_label_and_the_list() {
    for public in [P256_PUBLIC, RSA_PUBLIC] {
        for algorithm in [A::EcdhEs, A::RsaOaep, A::Dir] {
            let err = DecryptingKey::from_private_pem(public, algorithm).unwrap_err();
            assert_eq!(
                err.to_string(),
                "PEM label \"PUBLIC KEY\" is not accepted here, expected \
                 PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY"
            );
            let Error::Key(KeyError::Invalid(invalid)) = err else {
                panic!("{err:?}")
            };
            assert_eq!(invalid.category(), KeyErrorCategory::PemLabel);
            assert_eq!(invalid.detail(), "PUBLIC KEY");
        }
    }
    assert_eq!(
        message(EncryptingKey::from_public_pem(P256, A::EcdhEs)),
        "PEM label \"PRIVATE KEY\" is not accepted here, expected PUBLIC KEY, \
         RSA PUBLIC KEY"
    );
}

#[test]
fn a_long_pem_label_is_cut_but_the_expected_list_is_whole() {
    let label = "X".repeat(60);
    let pem = P256_PUBLIC.replace("PUBLIC KEY", &label);
    let text = message(DecryptingKey::from_private_pem(&pem, A::EcdhEs));
    assert!(
        text.ends_with(
            "is not accepted here, expected PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY"
        ),
        "{text}"
    );
    assert!(text.len() < 200, "{text}");
}

#[test]
fn a_key_of_the_wrong_kind_is_named_with_the_algorithm() {
    let cases: [(&str, A, &str); 8] = [
        (
            P256,
            A::Dir,
            "a P-256 key cannot be used for dir, which takes a shared secret",
        ),
        (
            P256_SEC1,
            A::A128Kw,
            "a P-256 key cannot be used for A128KW, which takes a shared secret",
        ),
        (
            P256,
            A::RsaOaep,
            "a P-256 key cannot be used for RSA-OAEP, which takes an RSA key",
        ),
        (
            P256,
            A::Pbes2Hs256A128Kw,
            "a P-256 key cannot be used for PBES2-HS256+A128KW, which takes a password",
        ),
        (
            RSA,
            A::Dir,
            "an RSA key cannot be used for dir, which takes a shared secret",
        ),
        (
            RSA_PKCS1,
            A::EcdhEs,
            "an RSA key cannot be used for ECDH-ES, which takes a P-256, P-384, P-521 or X25519 key",
        ),
        (
            RSA,
            A::EcdhEsA256Kw,
            "an RSA key cannot be used for ECDH-ES+A256KW, which takes a P-256, P-384, P-521 or \
             X25519 key",
        ),
        (
            RSA_PKCS1,
            A::A256Kw,
            "an RSA key cannot be used for A256KW, which takes a shared secret",
        ),
    ];
    for (pem, algorithm, expected) in cases {
        assert_eq!(
            message(DecryptingKey::from_private_pem(pem, algorithm)),
            format!("key rejected: {expected}")
        );
    }
    for (pem, algorithm, kind) in [
        (P256_PUBLIC, A::Dir, "a P-256 key"),
        (P256_PUBLIC, A::RsaOaep256, "a P-256 key"),
        (RSA_PUBLIC, A::EcdhEs, "an RSA key"),
        (RSA_PUBLIC, A::A128Kw, "an RSA key"),
    ] {
        let text = message(EncryptingKey::from_public_pem(pem, algorithm));
        assert!(
            text.starts_with(&format!(
                "key rejected: {kind} cannot be used for {algorithm}, "
            )),
            "{text}"
        );
    }
    let x25519 = DecryptingKey::generate_ec(EcdhCurve::X25519, A::EcdhEs).unwrap();
    let der = x25519.to_pkcs8_der().unwrap();
    assert_eq!(
        message(DecryptingKey::from_private_der(&der, A::RsaOaep)),
        "key rejected: an X25519 key cannot be used for RSA-OAEP, which takes an RSA key"
    );
}

#[test]
fn a_key_no_algorithm_reads_says_what_is_read() {
    for pem in [
        include_str!("../../../tests/data/keys/ed25519.pkcs8.pem"),
        include_str!("../../../tests/data/keys/secp256k1.pkcs8.pem"),
    ] {
        for algorithm in [A::EcdhEs, A::RsaOaep, A::Dir] {
            let text = message(DecryptingKey::from_private_pem(pem, algorithm));
            assert!(
                text.contains("not a PKCS#8, PKCS#1 or SEC1 private key"),
                "{text}"
            );
            assert!(
                text.ends_with(&format!("{algorithm} takes {}", takes(algorithm))),
                "{text}"
            );
        }
    }
    for der in [&b"\x30\x03\x02\x01\x01"[..], &[], &[0x30; 64]] {
        for algorithm in [A::EcdhEs, A::RsaOaep] {
            let text = message(EncryptingKey::from_public_der(der, algorithm));
            assert!(text.contains("not a public key webtoken reads"), "{text}");
        }
    }
}

#[test]
fn a_1024_bit_rsa_key_is_refused_for_its_size() {
    let private = include_str!("../../../tests/data/keys/rsa1024.pkcs8.pem");
    let der = pem::decode(private).unwrap().der;
    let public = include_str!("../../../tests/data/keys/rsa1024.spki.pem");
    let results = [
        DecryptingKey::from_private_pem(private, A::RsaOaep).map(|_| ()),
        DecryptingKey::from_private_der(&der.0, A::RsaOaep256).map(|_| ()),
        EncryptingKey::from_public_pem(public, A::RsaOaep).map(|_| ()),
    ];
    for result in results {
        assert!(
            matches!(
                result,
                Err(Error::Key(KeyError::RsaModulusSize { bits: 1024 }))
            ),
            "{result:?}"
        );
    }
    // The PKCS#1 body inside the PKCS#8, read as PKCS#1.
    let parts = rsa_parts(&der.0).unwrap();
    let refs: [&[u8]; 8] = std::array::from_fn(|i| parts[i].as_slice());
    let pkcs1 = pkcs1::write_rsa_private(refs);
    assert!(matches!(
        DecryptingKey::from_private_der(&pkcs1, A::RsaOaep),
        Err(Error::Key(KeyError::RsaModulusSize { bits: 1024 }))
    ));
    // And 2048 bits are read, from either form.
    DecryptingKey::from_private_pem(RSA, A::RsaOaep).unwrap();
    DecryptingKey::from_private_pem(RSA_PKCS1, A::RsaOaep).unwrap();
}

#[test]
fn bit_len_counts_from_the_first_set_bit() {
    assert_eq!(bit_len(&[]), 0);
    assert_eq!(bit_len(&[0, 0]), 0);
    assert_eq!(bit_len(&[0, 1]), 1);
    assert_eq!(bit_len(&[0x80, 0]), 16);
    assert_eq!(bit_len(&[0, 0x7f, 0xff]), 15);
}
