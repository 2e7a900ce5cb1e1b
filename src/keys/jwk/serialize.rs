//! serde for [`Jwk`]: writing (and the RFC 7638 thumbprint input), and strict reading (unique
//! member names) of JWKs and sets.

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::read::StrictObject;
use super::{Jwk, Material};
use crate::base64url;
use crate::keys::kind::{self};

impl Serialize for Jwk {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let b64 = |bytes: &[u8]| base64url::encode(bytes);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("kty", self.key_type().as_str())?;
        if let Some(kid) = &self.key_id {
            map.serialize_entry("kid", kid)?;
        }
        if let Some(key_use) = &self.key_use {
            map.serialize_entry("use", key_use)?;
        }
        if let Some(ops) = &self.key_ops {
            map.serialize_entry("key_ops", ops)?;
        }
        if let Some(alg) = self.algorithm {
            map.serialize_entry("alg", alg.as_str())?;
        }
        match &self.material {
            Material::Rsa { n, e, private } => {
                map.serialize_entry("n", &b64(n))?;
                map.serialize_entry("e", &b64(e))?;
                if let Some(private) = private {
                    map.serialize_entry("d", &b64(&private.d.0))?;
                    if let Some(crt) = &private.crt {
                        map.serialize_entry("p", &b64(&crt.p.0))?;
                        map.serialize_entry("q", &b64(&crt.q.0))?;
                        map.serialize_entry("dp", &b64(&crt.dp.0))?;
                        map.serialize_entry("dq", &b64(&crt.dq.0))?;
                        map.serialize_entry("qi", &b64(&crt.qi.0))?;
                    }
                }
            }
            Material::Ec { curve, x, y, d } => {
                map.serialize_entry("crv", curve.jwk_crv())?;
                map.serialize_entry("x", &b64(x))?;
                map.serialize_entry("y", &b64(y))?;
                if let Some(d) = d {
                    map.serialize_entry("d", &b64(&d.0))?;
                }
            }
            Material::Ed25519 { x, d } => {
                map.serialize_entry("crv", kind::ED25519_CRV)?;
                map.serialize_entry("x", &b64(x))?;
                if let Some(d) = d {
                    map.serialize_entry("d", &b64(&d.0))?;
                }
            }
            Material::Oct { k } => map.serialize_entry("k", &b64(&k.0))?,
            Material::MlDsa { public, seed, .. } => {
                map.serialize_entry("pub", &b64(public))?;
                if let Some(seed) = seed {
                    map.serialize_entry("priv", &b64(&seed.0))?;
                }
            }
        }
        for (name, value) in &self.other {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl Jwk {
    /// The exact JSON text RFC 7638 §3.2 hashes. Every value is `base64url` or a fixed name, so no
    /// JSON escaping is ever needed.
    pub(super) fn thumbprint_input(&self) -> String {
        let b64 = |bytes: &[u8]| base64url::encode(bytes);
        match &self.material {
            Material::Rsa { n, e, .. } => {
                format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64(e), b64(n))
            }
            Material::Ec { curve, x, y, .. } => format!(
                r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
                curve.jwk_crv(),
                b64(x),
                b64(y)
            ),
            Material::Ed25519 { x, .. } => {
                format!(
                    r#"{{"crv":"{}","kty":"OKP","x":"{}"}}"#,
                    kind::ED25519_CRV,
                    b64(x)
                )
            }
            Material::Oct { k } => format!(r#"{{"k":"{}","kty":"oct"}}"#, b64(&k.0)),
            // RFC 9964 §7: alg, kty and pub, in that order.
            Material::MlDsa { set, public, .. } => format!(
                r#"{{"alg":"{}","kty":"AKP","pub":"{}"}}"#,
                set.algorithm(),
                b64(public)
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Jwk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let StrictObject(members) = StrictObject::deserialize(deserializer)?;
        Self::from_members(members).map_err(|f| de::Error::custom(f.error))
    }
}
