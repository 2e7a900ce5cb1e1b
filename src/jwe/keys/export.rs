//! PEM and DER export of JWE keys, named as the signature keys' exporters are:
//! [`EncryptingKey::to_spki_der`] and [`to_pem`](EncryptingKey::to_pem) (`PUBLIC KEY`),
//! [`DecryptingKey::to_pkcs8_der`] and [`to_pkcs8_pem`](DecryptingKey::to_pkcs8_pem)
//! (`PRIVATE KEY`). Each reads back with `from_public_der`/`from_public_pem` and
//! `from_private_der`/`from_private_pem`. A shared secret has no such form.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};

use super::{DecryptingKey, EncryptingKey, PrivateMaterial, PublicMaterial, rejected};
use crate::error::{Error, KeyError};
use crate::jwe::ecdh::{EcdhCurve, X25519_PKCS8_PREFIX};
use crate::keys::formats::{SecretBytes, pem};

/// The error for a shared secret (`dir`, AES key wrap, PBES2), which has no PKCS#8 or SPKI form.
fn secret_has_no_der() -> Error {
    KeyError::KeyTypeMismatch {
        expected: "an RSA, EC or X25519 key",
        found: "shared secret",
    }
    .into()
}

impl EncryptingKey {
    /// The public key as a DER `SubjectPublicKeyInfo` (RFC 5280 §4.1.2.7; RFC 8410 for
    /// X25519), the body of a `PUBLIC KEY` PEM block, as
    /// [`from_public_der`](Self::from_public_der) reads it.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for a shared secret, which has no public form.
    ///
    /// # Examples
    /// ```
    /// use webtoken::jwe::{DecryptingKey, EcdhCurve, EncryptingKey, KeyAlgorithm};
    ///
    /// let key = DecryptingKey::generate_ec(EcdhCurve::X25519, KeyAlgorithm::EcdhEs)?;
    /// let der = key.encrypting_key()?.to_spki_der()?;
    /// let again = EncryptingKey::from_public_der(&der, KeyAlgorithm::EcdhEs)?;
    /// assert_eq!(again.to_spki_der()?, der);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        match &self.material {
            PublicMaterial::Secret(_) | PublicMaterial::Dir { .. } => Err(secret_has_no_der()),
            PublicMaterial::Rsa { spki, .. } => Ok(spki.clone()),
            PublicMaterial::Ec { curve, public } => Ok(curve.to_spki(public)),
        }
    }

    /// The public key as a `PUBLIC KEY` PEM block (64-character lines, LF), as
    /// [`from_public_pem`](Self::from_public_pem) reads it.
    ///
    /// # Errors
    /// As [`to_spki_der`](Self::to_spki_der).
    ///
    /// # Examples
    /// ```
    /// use webtoken::jwe::{DecryptingKey, EcdhCurve, EncryptingKey, KeyAlgorithm};
    ///
    /// let key = DecryptingKey::generate_ec(EcdhCurve::P256, KeyAlgorithm::EcdhEsA128Kw)?;
    /// let pem = key.encrypting_key()?.to_pem()?;
    /// assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    /// EncryptingKey::from_public_pem(&pem, KeyAlgorithm::EcdhEsA128Kw)?;
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn to_pem(&self) -> Result<String, Error> {
        Ok(pem::encode("PUBLIC KEY", &self.to_spki_der()?))
    }
}

impl DecryptingKey {
    /// The private key as DER PKCS#8 v1 (RFC 5208; RFC 8410 for X25519), the body of a
    /// `PRIVATE KEY` PEM block, as [`from_private_der`](Self::from_private_der) reads it. An
    /// RSA key read from PKCS#1 is written as PKCS#8.
    ///
    /// The returned bytes are the private key: store them as carefully as the key itself.
    ///
    /// # Errors
    /// [`KeyError::KeyTypeMismatch`] for a shared secret (export it with
    /// [`to_private_jwk_json`](Self::to_private_jwk_json)), [`Error::Key`] when the
    /// cryptographic library cannot write the key.
    ///
    /// # Examples
    /// ```
    /// use webtoken::jwe::{DecryptingKey, EcdhCurve, KeyAlgorithm};
    ///
    /// let key = DecryptingKey::generate_ec(EcdhCurve::P384, KeyAlgorithm::EcdhEs)?;
    /// let again = DecryptingKey::from_private_der(&key.to_pkcs8_der()?, KeyAlgorithm::EcdhEs)?;
    /// assert_eq!(again.thumbprint()?, key.thumbprint()?);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, Error> {
        match &self.material {
            PrivateMaterial::Secret(_) | PrivateMaterial::Dir { .. } => Err(secret_has_no_der()),
            PrivateMaterial::Rsa { pkcs8, .. } => Ok(pkcs8.0.clone()),
            PrivateMaterial::Ec {
                curve: EcdhCurve::X25519,
                key,
                ..
            } => {
                let seed = Self::ec_private_bytes(key, EcdhCurve::X25519)
                    .ok_or_else(|| rejected("the X25519 key cannot be exported"))?;
                Ok([&X25519_PKCS8_PREFIX[..], &seed.0].concat())
            }
            PrivateMaterial::Ec { curve, key, .. } => {
                let der: Pkcs8V1Der<'static> = key
                    .as_der()
                    .map_err(|_| rejected(format!("the {curve} key cannot be exported")))?;
                Ok(der.as_ref().to_vec())
            }
        }
    }

    /// The private key as a `PRIVATE KEY` PEM block (PKCS#8, 64-character lines, LF), as
    /// [`from_private_pem`](Self::from_private_pem) reads it.
    ///
    /// The returned string is the private key: store it as carefully as the key itself.
    ///
    /// # Errors
    /// As [`to_pkcs8_der`](Self::to_pkcs8_der).
    ///
    /// # Examples
    /// ```
    /// use webtoken::jwe::{DecryptingKey, EcdhCurve, KeyAlgorithm};
    ///
    /// let key = DecryptingKey::generate_ec(EcdhCurve::P256, KeyAlgorithm::EcdhEs)?;
    /// let pem = key.to_pkcs8_pem()?;
    /// assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    /// let again = DecryptingKey::from_private_pem(&pem, KeyAlgorithm::EcdhEs)?;
    /// assert_eq!(again.thumbprint()?, key.thumbprint()?);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn to_pkcs8_pem(&self) -> Result<String, Error> {
        let der = SecretBytes(self.to_pkcs8_der()?);
        Ok(pem::encode("PRIVATE KEY", &der.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwe::{ContentEncryption, KeyAlgorithm};

    fn round_trip(key: &DecryptingKey) {
        let algorithm = key.algorithm();
        let der = key.to_pkcs8_der().unwrap();
        let pem = key.to_pkcs8_pem().unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
        assert!(pem.ends_with("-----END PRIVATE KEY-----\n"));
        assert!(pem.lines().all(|line| line.len() <= 64));
        for again in [
            DecryptingKey::from_private_der(&der, algorithm).unwrap(),
            DecryptingKey::from_private_pem(&pem, algorithm).unwrap(),
        ] {
            assert_eq!(again.thumbprint().unwrap(), key.thumbprint().unwrap());
            assert_eq!(again.to_pkcs8_der().unwrap(), der, "{algorithm}");
            assert_eq!(again.curve(), key.curve());
        }
        let public = key.encrypting_key().unwrap();
        let spki = public.to_spki_der().unwrap();
        let public_pem = public.to_pem().unwrap();
        assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        for again in [
            EncryptingKey::from_public_der(&spki, algorithm).unwrap(),
            EncryptingKey::from_public_pem(&public_pem, algorithm).unwrap(),
        ] {
            assert_eq!(again.to_spki_der().unwrap(), spki);
            assert_eq!(again.thumbprint().unwrap(), public.thumbprint().unwrap());
        }
        // A private key is no public key, and the other way round.
        assert!(EncryptingKey::from_public_pem(&pem, algorithm).is_err());
        assert!(DecryptingKey::from_private_pem(&public_pem, algorithm).is_err());
        // What the exported public key encrypts, the re-read private key decrypts.
        let header = crate::jwe::JweHeader::new(ContentEncryption::A128Gcm);
        let token = crate::jwe::encrypt(
            &header,
            b"exported",
            &EncryptingKey::from_public_pem(&public_pem, algorithm).unwrap(),
        )
        .unwrap();
        let again = DecryptingKey::from_private_pem(&pem, algorithm).unwrap();
        let options = crate::jwe::DecryptOptions::new().with_algorithms([algorithm]);
        let plain = crate::jwe::decrypt(&token, &again, &options).unwrap();
        assert_eq!(plain.plaintext(), b"exported");
    }

    #[test]
    fn every_curve_exports_pkcs8_and_spki_that_read_back() {
        for curve in EcdhCurve::ALL {
            for algorithm in [KeyAlgorithm::EcdhEs, KeyAlgorithm::EcdhEsA256Kw] {
                round_trip(&DecryptingKey::generate_ec(curve, algorithm).unwrap());
            }
        }
    }

    #[test]
    fn rsa_exports_pkcs8_and_spki_that_read_back() {
        let pem = include_str!("../../../tests/data/keys/rsa2048.pkcs1.pem");
        let key = DecryptingKey::from_private_pem(pem, KeyAlgorithm::RsaOaep256).unwrap();
        round_trip(&key);
        // PKCS#1 in, PKCS#8 out, the same key.
        let der = key.to_pkcs8_der().unwrap();
        let spki = include_bytes!("../../../tests/data/keys/rsa2048.spki.der");
        let again = DecryptingKey::from_private_der(&der, KeyAlgorithm::RsaOaep).unwrap();
        assert_eq!(again.encrypting_key().unwrap().to_spki_der().unwrap(), spki);
    }

    #[test]
    fn a_shared_secret_has_no_pkcs8_or_spki() {
        let keys = [
            DecryptingKey::secret([1u8; 16], KeyAlgorithm::A128Kw).unwrap(),
            DecryptingKey::dir([1u8; 32], ContentEncryption::A256Gcm).unwrap(),
            DecryptingKey::secret(b"password", KeyAlgorithm::Pbes2Hs256A128Kw).unwrap(),
        ];
        for key in keys {
            for err in [
                key.to_pkcs8_der().unwrap_err(),
                key.to_pkcs8_pem().unwrap_err(),
                key.encrypting_key().unwrap().to_spki_der().unwrap_err(),
                key.encrypting_key().unwrap().to_pem().unwrap_err(),
            ] {
                assert_eq!(
                    err.to_string(),
                    "expected an RSA, EC or X25519 key, found shared secret",
                    "{key:?}"
                );
            }
        }
    }
}
