//! Writing a claims set: the registered claims, then the custom claims flattened beside them.
//!
//! The custom claims go through a small serializer that accepts only maps and structs and
//! refuses registered claim names, so `encode` can never write a payload with a duplicate
//! member (which `decode` would refuse) or a registered claim the typed fields do not show.

use serde::ser::{self, Impossible, Serialize, SerializeMap, SerializeStruct, Serializer};

use super::{Claims, REGISTERED_CLAIMS};

impl<T: Serialize> Serialize for Claims<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        macro_rules! entry {
            ($name:literal, $field:expr) => {
                if let Some(value) = &$field {
                    map.serialize_entry($name, value)?;
                }
            };
        }
        entry!("iss", self.issuer);
        entry!("sub", self.subject);
        entry!("aud", self.audience);
        entry!("exp", self.expires_at);
        entry!("nbf", self.not_before);
        entry!("iat", self.issued_at);
        entry!("jti", self.jwt_id);
        self.custom.serialize(Custom { map: &mut map })?;
        map.end()
    }
}

fn registered<E: ser::Error>(name: &str) -> Result<(), E> {
    if REGISTERED_CLAIMS.contains(&name) {
        Err(E::custom(format_args!(
            "custom claims must not contain the registered claim {name:?}; set it with the \
             typed field of Claims"
        )))
    } else {
        Ok(())
    }
}

/// The `Serializer` methods for plain values that a serializer here does not write: each
/// ignores its value and returns `$result`.
macro_rules! plain_values {
    ($ok:ty, $error:ty, $result:expr; $($method:ident: $value:ty),* $(,)?) => {
        $(
            fn $method(self, _: $value) -> Result<$ok, $error> {
                $result
            }
        )*
    };
}

fn not_an_object<E: ser::Error>() -> E {
    E::custom("custom claims must serialize as a JSON object (a struct or a map), or as ()")
}

/// Serializes the custom claims into the claims set's own map.
struct Custom<'a, M> {
    map: &'a mut M,
}

impl<'a, M: SerializeMap> Serializer for Custom<'a, M> {
    type Ok = ();
    type Error = M::Error;
    type SerializeSeq = Impossible<(), M::Error>;
    type SerializeTuple = Impossible<(), M::Error>;
    type SerializeTupleStruct = Impossible<(), M::Error>;
    type SerializeTupleVariant = Impossible<(), M::Error>;
    type SerializeMap = CustomMap<'a, M>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), M::Error>;

    fn serialize_map(self, _len: Option<usize>) -> Result<CustomMap<'a, M>, M::Error> {
        Ok(CustomMap { map: self.map })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, M::Error> {
        Ok(self)
    }
    fn serialize_unit(self) -> Result<(), M::Error> {
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), M::Error> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), M::Error> {
        Ok(())
    }
    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<(), M::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &V,
    ) -> Result<(), M::Error> {
        value.serialize(self)
    }

    plain_values!((), M::Error, Err(not_an_object());
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_char: char,
        serialize_str: &str, serialize_bytes: &[u8]);
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), M::Error> {
        Err(not_an_object())
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<(), M::Error> {
        Err(not_an_object())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, M::Error> {
        Err(not_an_object())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, M::Error> {
        Err(not_an_object())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, M::Error> {
        Err(not_an_object())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, M::Error> {
        Err(not_an_object())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, M::Error> {
        Err(not_an_object())
    }
}

impl<M: SerializeMap> SerializeStruct for Custom<'_, M> {
    type Ok = ();
    type Error = M::Error;

    fn serialize_field<V: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &V,
    ) -> Result<(), M::Error> {
        registered(key)?;
        self.map.serialize_entry(key, value)
    }

    fn end(self) -> Result<(), M::Error> {
        Ok(())
    }
}

/// The custom claims as a map: each key is checked before it is written.
struct CustomMap<'a, M> {
    map: &'a mut M,
}

impl<M: SerializeMap> SerializeMap for CustomMap<'_, M> {
    type Ok = ();
    type Error = M::Error;

    fn serialize_key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(), M::Error> {
        // A key that is not a string is left for the JSON serializer to refuse.
        if let Ok(Some(name)) = key.serialize(KeyName) {
            registered(name)?;
        }
        self.map.serialize_key(key)
    }

    fn serialize_value<V: Serialize + ?Sized>(&mut self, value: &V) -> Result<(), M::Error> {
        self.map.serialize_value(value)
    }

    fn end(self) -> Result<(), M::Error> {
        Ok(())
    }
}

/// Tells whether a map key is one of the registered claim names, without allocating.
struct KeyName;

/// The error of [`KeyName`]; it never fails, so this is only a type for the trait.
#[derive(Debug)]
struct KeyNameError;

impl std::fmt::Display for KeyNameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unsupported map key")
    }
}

impl std::error::Error for KeyNameError {}

impl ser::Error for KeyNameError {
    fn custom<T: std::fmt::Display>(_msg: T) -> Self {
        KeyNameError
    }
}

/// Serializes a key into the registered name it equals, if any.
impl Serializer for KeyName {
    type Ok = Option<&'static str>;
    type Error = KeyNameError;
    type SerializeSeq = Impossible<Option<&'static str>, KeyNameError>;
    type SerializeTuple = Impossible<Option<&'static str>, KeyNameError>;
    type SerializeTupleStruct = Impossible<Option<&'static str>, KeyNameError>;
    type SerializeTupleVariant = Impossible<Option<&'static str>, KeyNameError>;
    type SerializeMap = Impossible<Option<&'static str>, KeyNameError>;
    type SerializeStruct = Impossible<Option<&'static str>, KeyNameError>;
    type SerializeStructVariant = Impossible<Option<&'static str>, KeyNameError>;

    fn serialize_str(self, v: &str) -> Result<Self::Ok, KeyNameError> {
        Ok(REGISTERED_CLAIMS.iter().copied().find(|r| *r == v))
    }
    fn serialize_char(self, _: char) -> Result<Self::Ok, KeyNameError> {
        Ok(None)
    }
    fn serialize_newtype_struct<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &V,
    ) -> Result<Self::Ok, KeyNameError> {
        value.serialize(self)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Self::Ok, KeyNameError> {
        self.serialize_str(variant)
    }
    plain_values!(Option<&'static str>, KeyNameError, Ok(None);
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_f32: f32, serialize_f64: f64, serialize_bytes: &[u8]);
    fn serialize_none(self) -> Result<Self::Ok, KeyNameError> {
        Ok(None)
    }
    fn serialize_some<V: Serialize + ?Sized>(self, value: &V) -> Result<Self::Ok, KeyNameError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Self::Ok, KeyNameError> {
        Ok(None)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok, KeyNameError> {
        Ok(None)
    }
    fn serialize_newtype_variant<V: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &V,
    ) -> Result<Self::Ok, KeyNameError> {
        Ok(None)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, KeyNameError> {
        Err(KeyNameError)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, KeyNameError> {
        Err(KeyNameError)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, KeyNameError> {
        Err(KeyNameError)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, KeyNameError> {
        Err(KeyNameError)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, KeyNameError> {
        Err(KeyNameError)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, KeyNameError> {
        Err(KeyNameError)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, KeyNameError> {
        Err(KeyNameError)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::json;

    use crate::Claims;

    #[derive(Serialize)]
    struct Role {
        role: &'static str,
    }

    #[derive(Serialize)]
    struct Sneaky {
        sub: &'static str,
    }

    #[test]
    fn registered_claims_come_first_then_custom_ones() {
        let claims = Claims::new(Role { role: "admin" }).with_subject("u");
        assert_eq!(
            serde_json::to_string(&claims).unwrap(),
            r#"{"sub":"u","role":"admin"}"#
        );
        let claims = Claims::new(json!({"x": 1})).with_issuer("i");
        assert_eq!(
            serde_json::to_string(&claims).unwrap(),
            r#"{"iss":"i","x":1}"#
        );
        assert_eq!(serde_json::to_string(&Claims::new(())).unwrap(), "{}");
        assert_eq!(
            serde_json::to_string(&Claims::new(None::<Role>)).unwrap(),
            "{}"
        );
    }

    #[test]
    fn custom_claims_may_not_use_registered_names() {
        let err = serde_json::to_string(&Claims::new(Sneaky { sub: "admin" })).unwrap_err();
        assert!(
            err.to_string().contains("registered claim \"sub\""),
            "{err}"
        );
        let map: BTreeMap<&str, i32> = [("exp", 1)].into();
        assert!(serde_json::to_string(&Claims::new(map)).is_err());
        assert!(serde_json::to_string(&Claims::new(json!({"jti": "x"}))).is_err());
    }

    #[test]
    fn custom_claims_must_be_an_object() {
        assert!(serde_json::to_string(&Claims::new(5)).is_err());
        assert!(serde_json::to_string(&Claims::new(json!("text"))).is_err());
        assert!(serde_json::to_string(&Claims::new(vec![1])).is_err());
    }
}
