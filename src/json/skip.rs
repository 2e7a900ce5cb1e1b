//! Reading a JSON value only to check it and throw it away.
//!
//! serde's `IgnoredAny` lets serde_json skip a value without parsing it, so an out-of-range
//! number such as `1e400` in an ignored member would pass unnoticed while the same payload is
//! malformed for any type that reads it. `Skip` parses every value it skips, so the verdict on
//! a payload never depends on which claims the caller's type happens to read.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value parsed in full and discarded.
pub(crate) struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_key::<Skip>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(Skip)
    }
}

#[cfg(test)]
mod tests {
    use super::Skip;

    #[test]
    fn skipping_still_parses_every_value() {
        assert!(serde_json::from_str::<Skip>(r#"{"a":[1,"x",{"b":null}],"c":1.5}"#).is_ok());
        assert!(serde_json::from_str::<Skip>(r#"{"a":[1e400]}"#).is_err());
        assert!(serde_json::from_str::<Skip>(r#"{"a":"\ud800"}"#).is_err());
        assert!(serde_json::from_str::<serde::de::IgnoredAny>(r#"{"a":[1e400]}"#).is_ok());
    }
}
