//! Parsing one JWK: its members read in one pass, then material, `use`/`key_ops` and `alg`,
//! each checked once.

use std::sync::OnceLock;

use serde_json::Value;

use super::MATERIAL_MEMBERS;
use super::read::{Members, StrictObject};
use super::usage::check_usage;
use super::{
    Jwk, KeyType, Material, ParseFault, RsaCrt, RsaPrivate, Secret, Shown, jwk_error, unsupported,
};
use crate::algorithm::Algorithm;
use crate::base64url;
use crate::error::{Error, KeyError};
use crate::keys::KeyErrorCategory;
use crate::keys::kind::{self, Curve, ML_DSA_SEED_LEN, MlDsa};

fn take_string(obj: &mut Members, name: &str) -> Result<Option<String>, KeyError> {
    match obj.slot(name).and_then(Option::take) {
        None => Ok(None),
        Some(Ok(s)) => Ok(Some(s)),
        Some(Err(_)) => Err(jwk_error(format!("member {name} is not a string"))),
    }
}

fn take_bytes(obj: &mut Members, name: &str) -> Result<Option<Vec<u8>>, KeyError> {
    match take_string(obj, name)? {
        None => Ok(None),
        Some(s) => base64url::decode(&s)
            .map(Some)
            .map_err(|_| jwk_error(format!("member {name} is not canonical unpadded base64url"))),
    }
}

fn require_bytes(obj: &mut Members, name: &str, kty: KeyType) -> Result<Vec<u8>, KeyError> {
    take_bytes(obj, name)?.ok_or_else(|| jwk_error(format!("{kty} key is missing member {name}")))
}

fn fixed_len(bytes: Vec<u8>, name: &str, len: usize, what: &str) -> Result<Vec<u8>, KeyError> {
    if bytes.len() == len {
        Ok(bytes)
    } else {
        Err(jwk_error(format!(
            "member {name} must be {len} bytes for {what}, got {}",
            bytes.len()
        )))
    }
}

/// A `Base64urlUInt` (RFC 7518 §2): non-empty, without leading zero octets.
fn uint(bytes: Vec<u8>, name: &str) -> Result<Vec<u8>, KeyError> {
    match bytes.first() {
        None => Err(jwk_error(format!("member {name} is empty"))),
        Some(0) if bytes.len() > 1 => Err(jwk_error(format!(
            "member {name} has a leading zero octet (RFC 7518 §2 Base64urlUInt)"
        ))),
        Some(_) => Ok(bytes),
    }
}

fn take_uint(obj: &mut Members, name: &str) -> Result<Option<Secret>, KeyError> {
    take_bytes(obj, name)?
        .map(|b| uint(b, name).map(Secret))
        .transpose()
}

#[allow(clippy::many_single_char_names)] // the RFC 7518 member names
fn parse_material(kty: KeyType, obj: &mut Members) -> Result<Material, ParseFault> {
    for name in MATERIAL_MEMBERS {
        if obj.contains(name) && !kty.members().contains(&name) {
            return Err(jwk_error(format!("member {name} does not belong to kty {kty}")).into());
        }
    }
    Ok(match kty {
        KeyType::Rsa => {
            let n = uint(require_bytes(obj, "n", kty)?, "n")?;
            let e = uint(require_bytes(obj, "e", kty)?, "e")?;
            if obj.contains("oth") {
                return Err(jwk_error("multi-prime RSA keys (oth) are not supported").into());
            }
            let d = take_uint(obj, "d")?;
            let crt = [
                take_uint(obj, "p")?,
                take_uint(obj, "q")?,
                take_uint(obj, "dp")?,
                take_uint(obj, "dq")?,
                take_uint(obj, "qi")?,
            ];
            let present = crt.iter().filter(|m| m.is_some()).count();
            let private = match (d, crt) {
                (None, _) if present > 0 => {
                    return Err(jwk_error("RSA key has CRT members (p, q, ...) but no d").into());
                }
                (None, _) => None,
                (Some(d), [Some(p), Some(q), Some(dp), Some(dq), Some(qi)]) => {
                    Some(Box::new(RsaPrivate {
                        d,
                        crt: Some(RsaCrt { p, q, dp, dq, qi }),
                    }))
                }
                (Some(d), _) if present == 0 => Some(Box::new(RsaPrivate { d, crt: None })),
                (Some(_), _) => {
                    return Err(jwk_error(
                        "RSA private key must have all of p, q, dp, dq and qi or none (RFC 7518 §6.3.2)",
                    )
                    .into());
                }
            };
            Material::Rsa { n, e, private }
        }
        KeyType::Ec => {
            let crv = take_string(obj, "crv")?
                .ok_or_else(|| jwk_error("EC key is missing member crv"))?;
            let Some(curve) = Curve::from_jwk_crv(&crv) else {
                return Err(unsupported(KeyError::invalid(
                    KeyErrorCategory::UnsupportedCurve,
                    Shown(&crv).bare(),
                )));
            };
            let len = curve.coordinate_len();
            let x = fixed_len(require_bytes(obj, "x", kty)?, "x", len, curve.jwk_crv())?;
            let y = fixed_len(require_bytes(obj, "y", kty)?, "y", len, curve.jwk_crv())?;
            let d = take_bytes(obj, "d")?
                .map(|d| fixed_len(d, "d", len, curve.jwk_crv()).map(Secret))
                .transpose()?;
            Material::Ec { curve, x, y, d }
        }
        KeyType::Okp => {
            let crv = take_string(obj, "crv")?
                .ok_or_else(|| jwk_error("OKP key is missing member crv"))?;
            if crv != kind::ED25519_CRV {
                return Err(unsupported(KeyError::invalid(
                    KeyErrorCategory::UnsupportedCurve,
                    Shown(&crv).bare(),
                )));
            }
            let len = kind::ED25519_LEN;
            let x = fixed_len(require_bytes(obj, "x", kty)?, "x", len, kind::ED25519_CRV)?;
            let mut public = [0u8; kind::ED25519_LEN];
            public.copy_from_slice(&x);
            let d = take_bytes(obj, "d")?
                .map(|d| fixed_len(d, "d", len, kind::ED25519_CRV).map(Secret))
                .transpose()?;
            Material::Ed25519 { x: public, d }
        }
        KeyType::Oct => Material::Oct {
            k: Secret(require_bytes(obj, "k", kty)?),
        },
        KeyType::Akp => {
            let set = ml_dsa_parameter_set(obj)?;
            let name = set.algorithm().as_str();
            let public = fixed_len(
                require_bytes(obj, "pub", kty)?,
                "pub",
                set.public_len(),
                name,
            )?;
            let seed = take_bytes(obj, "priv")?
                .map(|s| fixed_len(s, "priv", ML_DSA_SEED_LEN, name).map(Secret))
                .transpose()?;
            Material::MlDsa { set, public, seed }
        }
    })
}

/// The parameter set an `AKP` JWK's `alg` names: required (RFC 9964 §5), and one of the ML-DSA
/// algorithms. An `alg` webtoken does not implement makes the key unsupported (skipped in a
/// set), as for any key type.
fn ml_dsa_parameter_set(obj: &Members) -> Result<MlDsa, ParseFault> {
    let Some(name) = obj.peek_string("alg") else {
        return Err(jwk_error("AKP key is missing member alg (required by RFC 9964)").into());
    };
    let Some(algorithm) = Algorithm::from_name(name) else {
        return Err(unsupported(jwk_error(format!(
            "alg {} is not a JWS algorithm webtoken implements",
            Shown(name)
        ))));
    };
    MlDsa::for_algorithm(algorithm).ok_or_else(|| {
        KeyError::AlgorithmMismatch {
            algorithm,
            key: "AKP JWK".into(),
        }
        .into()
    })
}

fn parse_key_ops(value: Option<Value>) -> Result<Option<Vec<String>>, KeyError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let Value::Array(items) = value else {
        return Err(jwk_error("member key_ops is not an array of strings"));
    };
    let mut ops = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(op) = item else {
            return Err(jwk_error("member key_ops is not an array of strings"));
        };
        if ops.contains(&op) {
            return Err(jwk_error(format!(
                "member key_ops lists {} twice (RFC 7517 §4.3)",
                Shown(&op)
            )));
        }
        ops.push(op);
    }
    Ok(Some(ops))
}

impl Jwk {
    /// Parses one JWK from JSON text.
    ///
    /// # Errors
    /// [`KeyErrorCategory::UnsupportedKeyType`] / [`KeyErrorCategory::UnsupportedCurve`] for a `kty` or `crv`
    /// webtoken does not read (including `X25519`, `Ed448`, `P-521` and wrong-case names), and
    /// [`KeyErrorCategory::Jwk`] for anything else that is not a strict, consistent JWK (see the
    /// [parsing rules](Jwk#parsing)); an `alg` of another family or curve is
    /// [`KeyError::AlgorithmMismatch`].
    ///
    /// ```
    /// use webtoken::keys::{Jwk, KeyType};
    /// use webtoken::{Algorithm, ErrorKind};
    ///
    /// // RFC 7515 Appendix A.3's P-256 public key, bound to ES256.
    /// let jwk = Jwk::from_json(r#"{"kty":"EC","crv":"P-256","alg":"ES256","kid":"ec-1",
    ///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#)?;
    /// assert_eq!((jwk.key_type(), jwk.curve()), (KeyType::Ec, Some("P-256")));
    /// assert_eq!(jwk.to_verifying_key()?.algorithm(), Algorithm::Es256);
    ///
    /// // An `alg` that does not fit the key, a repeated member: refused.
    /// let err = Jwk::from_json(r#"{"kty":"EC","crv":"P-256","alg":"RS256",
    ///     "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    ///     "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidKey);
    /// assert!(Jwk::from_json(r#"{"kty":"oct","k":"AA","k":"AA"}"#).is_err());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let StrictObject(obj) =
            serde_json::from_str(json).map_err(|e| jwk_error(format!("not a JSON object: {e}")))?;
        Self::from_members(obj).map_err(|f| Error::Key(f.error))
    }

    pub(super) fn from_members(mut obj: Box<Members>) -> Result<Self, ParseFault> {
        let kty =
            take_string(&mut obj, "kty")?.ok_or_else(|| jwk_error("member kty is missing"))?;
        let key_type = KeyType::from_name(&kty).ok_or_else(|| {
            unsupported(KeyError::invalid(
                KeyErrorCategory::UnsupportedKeyType,
                Shown(&kty).bare(),
            ))
        })?;
        let material = parse_material(key_type, &mut obj)?;
        let key_id = take_string(&mut obj, "kid")?;
        let key_use = take_string(&mut obj, "use")?;
        let key_ops = parse_key_ops(obj.key_ops.take())?;
        check_usage(key_use.as_deref(), key_ops.as_deref(), None)?;
        let algorithm = match take_string(&mut obj, "alg")? {
            None => None,
            Some(name) => {
                let alg = Algorithm::from_name(&name).ok_or_else(|| {
                    unsupported(jwk_error(format!(
                        "alg {} is not a JWS algorithm webtoken implements",
                        Shown(&name)
                    )))
                })?;
                if !material.algorithms().contains(alg) {
                    return Err(KeyError::AlgorithmMismatch {
                        algorithm: alg,
                        key: material.description().into(),
                    }
                    .into());
                }
                Some(alg)
            }
        };
        Ok(Self {
            material,
            key_id,
            key_use,
            key_ops,
            algorithm,
            other: obj.other,
            verifying: OnceLock::new(),
        })
    }
}
