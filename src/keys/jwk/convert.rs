//! Converting JWKs to keys, and keys to JWKs.

use std::borrow::Cow;
use std::sync::Arc;

use super::{Jwk, Material, RsaCrt, RsaPrivate, Secret, jwk_error};
use crate::algorithm::{Algorithm, AlgorithmFamily};
use crate::error::{AlgorithmRejection, Error, KeyError};
use crate::keys::KeyErrorCategory;
use crate::keys::kind::{Curve, MlDsa};
use crate::keys::{
    KeySource, PrivateParts, SigningInner, SigningKey, VerifyingInner, VerifyingKey, backend,
};

impl Jwk {
    /// The verifying key for this JWK's algorithm: its `alg`, or for EC and OKP keys the
    /// algorithm of the curve. A private JWK gives its public half.
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    /// use webtoken::Algorithm;
    ///
    /// let jwk = Jwk::from_json(r#"{"kty":"EC","crv":"P-256","kid":"k1",
    ///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#)?;
    /// let key = jwk.to_verifying_key()?;
    /// assert_eq!(key.algorithm(), Algorithm::Es256);
    /// assert_eq!(key.key_id(), Some("k1"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyErrorCategory::Jwk`] when an RSA or `oct` JWK has no `alg` (use
    /// [`to_verifying_key_for`](Self::to_verifying_key_for)), when `use` is not `sig` or
    /// `key_ops` lacks `verify`; the key constructors' errors when the material is unacceptable
    /// (point not on the curve, RSA modulus under 2048 bits or `e = 1`, weak HMAC secret).
    pub fn to_verifying_key(&self) -> Result<VerifyingKey, Error> {
        let algorithm = self.resolve_algorithm("to_verifying_key")?;
        self.to_verifying_key_for(algorithm)
    }

    /// The verifying key for `algorithm`, which must be the JWK's `alg` when it has one, and
    /// otherwise fit its type and curve (an RSA JWK without `alg` serves any of RS256..PS512).
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` does not fit; otherwise as
    /// [`to_verifying_key`](Self::to_verifying_key).
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    /// use webtoken::{Algorithm, VerifyingKey};
    ///
    /// // An RSA JWK without `alg`: the verifier says which RSA algorithm it expects.
    /// let der = include_bytes!("../../../tests/data/keys/rsa2048.spki.der");
    /// let jwk = VerifyingKey::rsa_der(der, Algorithm::Rs256)?.to_jwk()?;
    /// let json = serde_json::to_string(&jwk).unwrap().replace(r#""alg":"RS256","#, "");
    /// let unbound = Jwk::from_json(&json)?;
    /// assert_eq!(unbound.algorithm(), None);
    /// assert_eq!(unbound.to_verifying_key_for(Algorithm::Ps256)?.algorithm(), Algorithm::Ps256);
    /// assert!(unbound.to_verifying_key_for(Algorithm::Es256).is_err());
    /// // With `alg`, only that algorithm.
    /// assert!(jwk.to_verifying_key_for(Algorithm::Ps256).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn to_verifying_key_for(&self, algorithm: Algorithm) -> Result<VerifyingKey, Error> {
        self.check_operation("verify")?;
        self.build_verifying_key(algorithm)
    }

    /// The verifying key for `algorithm`, once `use` and `key_ops` have been checked.
    fn build_verifying_key(&self, algorithm: Algorithm) -> Result<VerifyingKey, Error> {
        self.check_algorithm(algorithm)?;
        let key = match &self.material {
            Material::Rsa { n, e, .. } => VerifyingKey::rsa_components(n, e, algorithm)?,
            Material::Ec { x, y, .. } => {
                let mut point = Vec::with_capacity(1 + x.len() + y.len());
                point.push(0x04);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                VerifyingKey::ecdsa_point_for(&point, algorithm)?
            }
            Material::Ed25519 { x, .. } => VerifyingKey::ed25519(x)?.rebind(algorithm)?,
            Material::Oct { k } => VerifyingKey::hmac(&k.0, algorithm)?,
            Material::MlDsa { public, .. } => VerifyingKey::ml_dsa(public, algorithm)?,
        };
        Ok(match &self.key_id {
            Some(kid) => key.with_key_id(kid.clone()),
            None => key,
        })
    }

    /// The verifying keys for every algorithm this JWK may serve, built once. An RSA key without
    /// `alg` is parsed once and re-bound to each RS*/PS* algorithm; an `oct` key without `alg`
    /// serves each HS* algorithm its secret is long enough for.
    ///
    /// `use` and `key_ops` are not checked here: the caller has checked them once (a
    /// [`JwkSet`](super::JwkSet) when the key is added, a single JWK at each lookup).
    pub(super) fn prepared_keys(&self) -> Result<&[VerifyingKey], KeyError> {
        let built = self.verifying.get_or_init(|| {
            let mut keys: Vec<VerifyingKey> = Vec::new();
            let mut first_error = None;
            for algorithm in self.algorithms().iter() {
                let key = match keys.first() {
                    Some(rsa) if algorithm.family() == AlgorithmFamily::Rsa => {
                        rsa.rebind(algorithm)
                    }
                    _ => self.build_verifying_key(algorithm),
                };
                match key {
                    Ok(key) => keys.push(key),
                    Err(Error::Key(e)) => {
                        first_error.get_or_insert(e);
                    }
                    Err(other) => {
                        first_error.get_or_insert(KeyError::invalid(
                            KeyErrorCategory::Rejected,
                            other.to_string(),
                        ));
                    }
                }
            }
            match first_error {
                Some(e) if keys.is_empty() => Err(e),
                _ => Ok(Arc::from(keys)),
            }
        });
        match built {
            Ok(keys) => Ok(keys),
            Err(e) => Err(e.clone()),
        }
    }

    fn mismatch(&self, algorithm: Algorithm) -> Error {
        Error::AlgorithmNotAllowed(AlgorithmRejection::KeyMismatch {
            found: algorithm,
            key_algorithm: self.algorithm.or_else(|| self.material.implied_algorithm()),
            key_family: self.material.family(),
        })
    }

    /// Finds the prepared key for `algorithm`: a mismatch when the JWK may not serve it. `use`
    /// and `key_ops` are the caller's to check.
    pub(super) fn find_prepared(
        &self,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        if !self.algorithms().contains(algorithm) {
            return Err(self.mismatch(algorithm));
        }
        let keys = self.prepared_keys()?;
        match keys.iter().find(|k| k.algorithm() == algorithm) {
            Some(key) => Ok(Cow::Borrowed(key)),
            // Only an `oct` key without `alg` whose secret is too short for this HS* gets here;
            // building the key again reports why (`WeakSecret`).
            None => self.build_verifying_key(algorithm).map(Cow::Owned),
        }
    }

    /// The signing key for this JWK's algorithm: its `alg`, or for EC and OKP keys the
    /// algorithm of the curve. The key keeps its private parts, so
    /// [`SigningKey::to_private_jwk`] can export it again.
    ///
    /// ```
    /// use webtoken::keys::{Jwk, KeySource};
    /// use webtoken::Algorithm;
    ///
    /// // RFC 8037 Appendix A.1
    /// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// let signing = jwk.to_signing_key()?;
    /// let signature = signing.sign(b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc")?;
    ///
    /// let public = jwk.to_public()?;
    /// let key = public.find_key(None, Algorithm::EdDsa)?;
    /// key.verify(b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc", &signature)?;
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::PublicKeyOnly`] for a public JWK; [`KeyErrorCategory::Jwk`] when an RSA or `oct` JWK
    /// has no `alg` (use [`to_signing_key_for`](Self::to_signing_key_for)), when `use` is not
    /// `sig` or `key_ops` lacks `sign`, or an RSA key lacks its CRT members; [`KeyErrorCategory::Rejected`]
    /// when the private and public members do not belong together (for RSA, the message names
    /// the part), an OKP `x` is of small order or not canonical, or an `oct` secret is a key
    /// (see [the checks](crate::keys#checks-when-a-key-is-built)).
    pub fn to_signing_key(&self) -> Result<SigningKey, Error> {
        let algorithm = self.resolve_algorithm("to_signing_key")?;
        self.to_signing_key_for(algorithm)
    }

    /// The signing key for `algorithm`, which must be the JWK's `alg` when it has one, and
    /// otherwise fit its type and curve.
    ///
    /// # Errors
    /// [`KeyError::AlgorithmMismatch`] when `algorithm` does not fit; otherwise as
    /// [`to_signing_key`](Self::to_signing_key).
    pub fn to_signing_key_for(&self, algorithm: Algorithm) -> Result<SigningKey, Error> {
        if !self.is_private() {
            return Err(KeyError::PublicKeyOnly.into());
        }
        self.check_operation("sign")?;
        self.check_algorithm(algorithm)?;
        let key = match &self.material {
            Material::Oct { k } => SigningKey::hmac(&k.0, algorithm)?,
            Material::Rsa { n, e, private } => {
                rsa_signing_key(algorithm, n, e, private.as_deref())?
            }
            Material::Ec { curve, x, y, d } => ec_signing_key(*curve, x, y, d.as_ref())?,
            Material::Ed25519 { x, d } => ed25519_signing_key(x, d.as_ref(), algorithm)?,
            Material::MlDsa { set, public, seed } => {
                let seed = seed.as_ref().ok_or(KeyError::PublicKeyOnly)?;
                crate::keys::mldsa::signing_key(*set, &seed.0, Some(public), None)?
            }
        };
        Ok(match &self.key_id {
            Some(kid) => key.with_key_id(kid.clone()),
            None => key,
        })
    }
}

fn rejected(what: &str, e: &backend::error::KeyRejected) -> KeyError {
    KeyError::invalid(KeyErrorCategory::Rejected, format!("{what} ({e})"))
}

fn rsa_signing_key(
    algorithm: Algorithm,
    n: &[u8],
    e: &[u8],
    private: Option<&RsaPrivate>,
) -> Result<SigningKey, Error> {
    let Some(private) = private else {
        return Err(KeyError::PublicKeyOnly.into());
    };
    let Some(crt) = &private.crt else {
        return Err(jwk_error("an RSA private JWK without p, q, dp, dq and qi cannot sign").into());
    };
    crate::keys::rsa::check_private_parts(&crate::keys::rsa::PrivateKeyParts {
        n,
        e,
        d: &private.d.0,
        p: &crt.p.0,
        q: &crt.q.0,
        dp: &crt.dp.0,
        dq: &crt.dq.0,
        qi: &crt.qi.0,
    })?;
    let components = backend::rsa::KeyPairComponents {
        public_key: backend::rsa::PublicKeyComponents { n, e },
        d: private.d.0.as_slice(),
        p: crt.p.0.as_slice(),
        q: crt.q.0.as_slice(),
        dP: crt.dp.0.as_slice(),
        dQ: crt.dq.0.as_slice(),
        qInv: crt.qi.0.as_slice(),
    };
    let pair = backend::rsa::KeyPair::from_components(&components)
        .map_err(|e| rejected("not a usable RSA private key", &e))?;
    let bits = backend::rsa_modulus_len(&pair) * 8;
    if bits < crate::keys::rsa::MIN_BITS {
        return Err(KeyError::RsaModulusSize { bits }.into());
    }
    let parts = PrivateParts::Rsa {
        n: n.to_vec(),
        e: e.to_vec(),
        d: private.d.0.clone(),
        p: crt.p.0.clone(),
        q: crt.q.0.clone(),
        dp: crt.dp.0.clone(),
        dq: crt.dq.0.clone(),
        qi: crt.qi.0.clone(),
    };
    Ok(
        SigningKey::from_inner(algorithm, SigningInner::Rsa(Arc::new(pair)))
            .with_private_parts(parts),
    )
}

fn ec_signing_key(
    curve: Curve,
    x: &[u8],
    y: &[u8],
    d: Option<&Secret>,
) -> Result<SigningKey, Error> {
    let d = d.ok_or(KeyError::PublicKeyOnly)?;
    let mut point = Vec::with_capacity(1 + x.len() + y.len());
    point.push(0x04);
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    Ok(crate::keys::ecdsa::signing_key(curve, &d.0, &point, |e| {
        rejected("EC private key d does not match x and y, or is invalid", &e)
    })?)
}

fn ed25519_signing_key(
    x: &[u8; 32],
    d: Option<&Secret>,
    algorithm: Algorithm,
) -> Result<SigningKey, Error> {
    let d = d.ok_or(KeyError::PublicKeyOnly)?;
    crate::keys::eddsa::check_public_key(x)?;
    let pair = backend::signature::Ed25519KeyPair::from_seed_and_public_key(&d.0, x)
        .map_err(|e| rejected("Ed25519 private key d does not match x", &e))?;
    let mut seed = [0u8; 32];
    if d.0.len() != seed.len() {
        return Err(jwk_error("member d must be 32 bytes for Ed25519").into());
    }
    seed.copy_from_slice(&d.0);
    Ok(crate::keys::eddsa::signing_key(pair, seed, algorithm)?)
}

/// A single JWK is used whatever the token's `kid` says (as a single [`VerifyingKey`] is); the
/// token's algorithm must be the JWK's `alg`, or fit its type and curve when it has none. The
/// verifying keys are built on first use and kept.
impl KeySource for Jwk {
    fn find_key(
        &self,
        _key_id: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Cow<'_, VerifyingKey>, Error> {
        self.check_operation("verify")?;
        self.find_prepared(algorithm)
    }
}

/// Strips leading zero octets, keeping one octet for zero (RFC 7518 §2 `Base64urlUInt`).
pub(super) fn minimal(bytes: &[u8]) -> Vec<u8> {
    let start = bytes
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(bytes.len().saturating_sub(1));
    bytes[start..].to_vec()
}

/// The parameter set of an ML-DSA key's algorithm (always found: such keys are bound to one).
fn ml_dsa_set(algorithm: Algorithm) -> Result<MlDsa, KeyError> {
    crate::keys::mldsa::parameter_set(algorithm, "ML-DSA key")
}

fn split_point(algorithm: Algorithm, point: &[u8]) -> Result<(Curve, Vec<u8>, Vec<u8>), KeyError> {
    // An EC key is bound to its curve's algorithm; the fallback is never taken.
    let curve = Curve::for_algorithm(algorithm).unwrap_or(Curve::P256);
    let len = curve.coordinate_len();
    match point.split_first() {
        Some((0x04, xy)) if xy.len() == 2 * len => {
            Ok((curve, xy[..len].to_vec(), xy[len..].to_vec()))
        }
        _ => Err(KeyError::invalid(
            KeyErrorCategory::Rejected,
            "the EC public point is not uncompressed",
        )),
    }
}

impl VerifyingKey {
    /// The public JWK of this key, with `alg` set to the key's algorithm and `kid` to its key id.
    ///
    /// ```
    /// use webtoken::keys::{Jwk, VerifyingKey};
    ///
    /// let jwk = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// let exported = jwk.to_verifying_key()?.to_jwk()?;
    /// assert_eq!(exported.thumbprint(), jwk.thumbprint());
    /// assert_eq!(exported.algorithm(), Some(webtoken::Algorithm::EdDsa));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyErrorCategory::Jwk`] for an HMAC key: its secret is not kept and is never exported by this
    /// method (see [`Jwk::from_hmac_secret`]).
    pub fn to_jwk(&self) -> Result<Jwk, Error> {
        let material = match &self.inner {
            VerifyingInner::Rsa(k) => Material::Rsa {
                n: k.modulus().to_vec(),
                e: k.exponent().to_vec(),
                private: None,
            },
            VerifyingInner::Ecdsa(k) => {
                let (curve, x, y) = split_point(self.algorithm, k.point())?;
                Material::Ec {
                    curve,
                    x,
                    y,
                    d: None,
                }
            }
            VerifyingInner::EdDsa(k) => Material::Ed25519 {
                x: *k.as_bytes(),
                d: None,
            },
            VerifyingInner::MlDsa(k) => Material::MlDsa {
                set: ml_dsa_set(self.algorithm)?,
                public: k.as_bytes().to_vec(),
                seed: None,
            },
            VerifyingInner::Hmac(_) => {
                return Err(jwk_error(
                    "an HMAC key does not export its secret; build the JWK with Jwk::from_hmac_secret",
                )
                .into());
            }
        };
        Ok(Jwk::from_material(
            material,
            Some(self.algorithm),
            self.key_id.clone(),
        ))
    }

    /// The RFC 7638 thumbprint of this key's public JWK (see [`Jwk::thumbprint`]).
    ///
    /// # Errors
    /// As [`to_jwk`](Self::to_jwk): HMAC keys have no exportable thumbprint.
    ///
    /// ```
    /// use webtoken::{Algorithm, VerifyingKey, base64url};
    ///
    /// // RFC 8037 Appendix A.1's public key and its thumbprint (Appendix A.3).
    /// let x = base64url::decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo").unwrap();
    /// let key = VerifyingKey::ed25519(&x)?;
    /// assert_eq!(key.thumbprint()?, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    /// let hmac = VerifyingKey::hmac([7u8; 32], Algorithm::Hs256)?;
    /// assert!(hmac.thumbprint().is_err()); // the secret is never exported
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn thumbprint(&self) -> Result<String, Error> {
        Ok(self.to_jwk()?.thumbprint())
    }
}

impl SigningKey {
    /// The public JWK of this key (see [`VerifyingKey::to_jwk`]).
    ///
    /// # Errors
    /// [`KeyErrorCategory::Jwk`] for an HMAC key, which has no public part.
    ///
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::Es384)?.with_key_id("es-1");
    /// let jwk = key.to_public_jwk()?;
    /// assert!(!jwk.is_private());
    /// assert_eq!((jwk.curve(), jwk.key_id()), (Some("P-384"), Some("es-1")));
    /// assert_eq!(jwk.algorithm(), Some(Algorithm::Es384));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn to_public_jwk(&self) -> Result<Jwk, Error> {
        self.verifying_key()?.to_jwk()
    }

    /// The private JWK of this key, **including its private members**: handle the result as
    /// the secret it is. `alg` is set to the key's algorithm and `kid` to its key id.
    ///
    /// ```
    /// use webtoken::keys::Jwk;
    ///
    /// let private = Jwk::from_json(r#"{"kty":"OKP","crv":"Ed25519",
    ///     "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#)?;
    /// let exported = private.to_signing_key()?.to_private_jwk()?;
    /// assert!(exported.is_private());
    /// assert_eq!(exported.thumbprint(), private.thumbprint());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyErrorCategory::Jwk`] for an HMAC key (use [`Jwk::from_hmac_secret`]) and for a key built
    /// without keeping its private parts.
    pub fn to_private_jwk(&self) -> Result<Jwk, Error> {
        let material = match self.private.as_deref() {
            Some(PrivateParts::Rsa {
                n,
                e,
                d,
                p,
                q,
                dp,
                dq,
                qi,
            }) => Material::Rsa {
                n: minimal(n),
                e: minimal(e),
                private: Some(Box::new(RsaPrivate {
                    d: Secret(minimal(d)),
                    crt: Some(RsaCrt {
                        p: Secret(minimal(p)),
                        q: Secret(minimal(q)),
                        dp: Secret(minimal(dp)),
                        dq: Secret(minimal(dq)),
                        qi: Secret(minimal(qi)),
                    }),
                })),
            },
            Some(PrivateParts::Ec { d, point }) => {
                let (curve, x, y) = split_point(self.algorithm, point)?;
                if d.len() != curve.coordinate_len() {
                    return Err(KeyError::invalid(
                        KeyErrorCategory::Rejected,
                        "the EC private scalar has the wrong length",
                    )
                    .into());
                }
                Material::Ec {
                    curve,
                    x,
                    y,
                    d: Some(Secret(d.clone())),
                }
            }
            Some(PrivateParts::Ed25519 { seed, public }) => Material::Ed25519 {
                x: *public,
                d: Some(Secret(seed.to_vec())),
            },
            Some(PrivateParts::MlDsa { seed, public }) => Material::MlDsa {
                set: ml_dsa_set(self.algorithm)?,
                public: public.clone(),
                seed: Some(Secret(seed.to_vec())),
            },
            None if matches!(self.inner, SigningInner::Hmac(_)) => {
                return Err(jwk_error(
                    "an HMAC key does not export its secret; build the JWK with Jwk::from_hmac_secret",
                )
                .into());
            }
            None => {
                return Err(jwk_error(
                    "this signing key was built without keeping its private parts",
                )
                .into());
            }
        };
        Ok(Jwk::from_material(
            material,
            Some(self.algorithm),
            self.key_id.clone(),
        ))
    }

    /// The RFC 7638 thumbprint of this key's public JWK (see [`Jwk::thumbprint`]).
    ///
    /// # Errors
    /// As [`to_public_jwk`](Self::to_public_jwk).
    ///
    /// ```
    /// use webtoken::{Algorithm, SigningKey};
    ///
    /// let key = SigningKey::generate(Algorithm::EdDsa)?;
    /// assert_eq!(key.thumbprint()?, key.verifying_key()?.thumbprint()?);
    /// assert_eq!(key.thumbprint()?.len(), 43); // base64url of a SHA-256
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn thumbprint(&self) -> Result<String, Error> {
        Ok(self.to_public_jwk()?.thumbprint())
    }
}
