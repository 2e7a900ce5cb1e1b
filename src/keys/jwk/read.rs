//! Strict reading of JWK JSON: one JWK object's members in one pass (member names unique at
//! every depth, through the [`crate::json`] helpers), and a JWK Set document as found. The
//! meaning of the members is [`parse`](super::parse)'s business; this module only reads.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{KeyType, PRIVATE_MEMBERS};
use crate::json::{self, LenientSeed, Name, Rejected, SeenNames, Skip, Strictness};

/// The members webtoken reads as strings, in the order of [`Members::strings`].
const STRING_MEMBERS: [&str; 18] = [
    "kty", "kid", "use", "alg", "crv", "n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y", "k",
    "pub", "priv",
];

/// The members of one JWK object, read in one pass with the [`crate::json`] helpers (member
/// names unique at every depth): each member webtoken interprets in its slot (a string, or the
/// JSON type found instead, reported when the member is parsed), the others kept as they were.
#[derive(Default)]
pub(super) struct Members {
    pub(super) strings: [Option<Result<String, Rejected>>; STRING_MEMBERS.len()],
    pub(super) key_ops: Option<Value>,
    pub(super) oth: bool,
    pub(super) other: Map<String, Value>,
}

impl Members {
    /// Reads the members of a JSON object.
    pub(super) fn read<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let strict = Strictness::default();
        let mut seen = SeenNames::default();
        let mut members = Self::default();
        while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
            if !seen.insert(&name, None) {
                return Err(json::duplicate(&name));
            }
            if let Some(slot) = members.slot(&name) {
                *slot = Some(map.next_value_seed(strict.seed(LenientSeed::<String>::new()))?);
            } else if name == "key_ops" {
                members.key_ops = Some(map.next_value_seed(strict.seed(PhantomData::<Value>))?);
            } else if name == "oth" {
                map.next_value_seed(strict.seed(PhantomData::<Skip>))?;
                members.oth = true;
            } else {
                let value = map.next_value_seed(strict.seed(PhantomData::<Value>))?;
                members.other.insert(name.into_owned(), value);
            }
        }
        Ok(members)
    }

    /// The slot of a member read as a string.
    pub(super) fn slot(&mut self, name: &str) -> Option<&mut Option<Result<String, Rejected>>> {
        let slot = STRING_MEMBERS.iter().position(|m| *m == name)?;
        Some(&mut self.strings[slot])
    }

    pub(super) fn peek(&self, name: &str) -> Option<&Result<String, Rejected>> {
        let slot = STRING_MEMBERS.iter().position(|m| *m == name)?;
        self.strings[slot].as_ref()
    }

    /// Whether the member is present (whatever its JSON type).
    pub(super) fn contains(&self, name: &str) -> bool {
        match name {
            "oth" => self.oth,
            "key_ops" => self.key_ops.is_some(),
            _ => self.peek(name).is_some(),
        }
    }

    /// The member's value when it is a string, without taking it.
    pub(super) fn peek_string(&self, name: &str) -> Option<&str> {
        self.peek(name)?.as_deref().ok()
    }

    /// The key type and `kid` the object names (when they are strings), and whether an
    /// asymmetric key has private members: what the set-level rules look at, whether or not
    /// the entry parses.
    pub(super) fn summary(&self) -> (Option<KeyType>, Option<String>, bool) {
        let kty = self.peek_string("kty").and_then(KeyType::from_name);
        let key_id = self.peek_string("kid").map(str::to_owned);
        let private = matches!(
            kty,
            Some(KeyType::Rsa | KeyType::Ec | KeyType::Okp | KeyType::Akp)
        ) && PRIVATE_MEMBERS.iter().any(|m| self.contains(m));
        (kty, key_id, private)
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
