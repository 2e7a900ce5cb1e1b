//! serde for [`Jwk`]: writing (and the RFC 7638 thumbprint input), and strict reading (unique
//! member names) of JWKs and sets.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::parse::Members;
use super::{Jwk, Material};
use crate::base64url;
use crate::json::{self, Name, SeenNames, Skip, Strictness};
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
        }
    }
}

impl<'de> Deserialize<'de> for Jwk {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let StrictObject(members) = StrictObject::deserialize(deserializer)?;
        Self::from_members(members).map_err(|f| de::Error::custom(f.error))
    }
}

/// A JSON object whose member names are unique at every depth (`serde_json` alone lets the
/// last duplicate win), read as the members of a JWK. Wrong JSON types are reported without
/// echoing the value.
pub(super) struct StrictObject(pub(super) Box<Members>);

/// What a JSON value turned out to be, when an object was wanted.
pub(super) enum MaybeObject {
    Object(Box<Members>),
    Other(&'static str),
}

struct ObjectVisitor;

macro_rules! not_an_object {
    ($($method:ident($ty:ty) => $what:literal;)*) => {
        $(fn $method<E: de::Error>(self, _: $ty) -> Result<Self::Value, E> {
            Ok(MaybeObject::Other($what))
        })*
    };
}

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = MaybeObject;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    not_an_object! {
        visit_bool(bool) => "a boolean";
        visit_i64(i64) => "a number";
        visit_u64(u64) => "a number";
        visit_f64(f64) => "a number";
        visit_str(&str) => "a string";
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(MaybeObject::Other("null"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(MaybeObject::Other("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Members::read(map).map(|members| MaybeObject::Object(Box::new(members)))
    }
}

impl<'de> Deserialize<'de> for MaybeObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ObjectVisitor)
    }
}

impl<'de> Deserialize<'de> for StrictObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match MaybeObject::deserialize(deserializer)? {
            MaybeObject::Object(obj) => Ok(Self(obj)),
            MaybeObject::Other(what) => Err(de::Error::custom(format_args!(
                "expected a JSON object, found {what}"
            ))),
        }
    }
}

/// The `keys` member of a JWK Set, as found.
pub(super) enum RawKeys {
    Array(Vec<MaybeObject>),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for RawKeys {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeysVisitor;
        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = RawKeys;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of JWKs")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element::<MaybeObject>()? {
                    keys.push(key);
                }
                Ok(RawKeys::Array(keys))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<Skip, Skip>()?.is_some() {}
                Ok(RawKeys::Other("an object"))
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(RawKeys::Other("a boolean"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(RawKeys::Other("a number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(RawKeys::Other("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(RawKeys::Other("a number"))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(RawKeys::Other("a string"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(RawKeys::Other("null"))
            }
        }
        deserializer.deserialize_any(KeysVisitor)
    }
}

/// A JWK Set document as found: the `keys` member (if any); other members are ignored
/// (RFC 7517 §5).
pub(super) struct RawSet {
    pub(super) keys: Option<RawKeys>,
}

impl<'de> Deserialize<'de> for RawSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SetVisitor;
        impl<'de> Visitor<'de> for SetVisitor {
            type Value = RawSet;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JWK Set object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut keys = None;
                let strict = Strictness::default();
                let mut seen = SeenNames::default();
                while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
                    if !seen.insert(&name, None) {
                        return Err(json::duplicate(&name));
                    }
                    if name == "keys" {
                        keys = Some(map.next_value::<RawKeys>()?);
                    } else {
                        map.next_value_seed(strict.seed(PhantomData::<Skip>))?;
                    }
                }
                Ok(RawSet { keys })
            }
        }
        deserializer.deserialize_map(SetVisitor)
    }
}
