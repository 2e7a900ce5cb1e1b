//! What the header and claims parsers share: reading JSON strictly, in one pass, without
//! letting a wrongly typed value stop the parse.
//!
//! - [`Strictness`] and its seeds: duplicate member names refused in every object at every
//!   depth ([`SeenNames`], linear in the number of members), nesting and value counts capped.
//! - [`Name`]: a member name, borrowed from the input when it has no escapes.
//! - [`Skip`]: a value parsed in full and thrown away.
//! - [`LenientSeed`]: a value of an expected JSON type, or what was found instead
//!   ([`Rejected`], "expected a string, found a number"), as data, so that the caller reports
//!   it in the documented check order.
//!
//! To read a JSON object with these from another parser (a JWK, say): read keys as
//! [`Name`], record them in a [`SeenNames`] (`insert(&name, None)` is `false` for a duplicate;
//! [`duplicate`] builds the message), read values through a [`Strictness`]'s
//! [`seed`](Strictness::seed) to refuse duplicates below, [`Skip`] the ones you ignore, and
//! [`LenientSeed`]`::<Cow<str>>` (or `String`) the ones that must be strings.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::message::Untrusted;

mod skip;
mod strict;

pub(crate) use skip::Skip;
#[cfg(test)]
pub(crate) use strict::take_steps;
pub(crate) use strict::{StrictFault, Strictness, count_steps};

/// The error of a duplicate member name: `duplicate member name "a"`.
pub(crate) fn duplicate<E: de::Error>(name: &str) -> E {
    E::custom(format_args!("duplicate member name {}", Untrusted(name)))
}

/// Member names seen so far: registered ones in a bit mask, the first few others in an inline
/// array of borrowed names (no allocation, nothing to drop, for a typical payload), then in a
/// hash set (so that a payload of many short names cannot make duplicate detection quadratic).
/// A name with escapes (owned) goes to the set at once, with the names before it, so that it
/// is compared with every other name as text.
#[derive(Default)]
pub(crate) struct SeenNames<'de> {
    registered: u8,
    inline: [&'de str; INLINE_NAMES],
    inline_len: usize,
    spilled: Option<HashSet<Cow<'de, str>>>,
}

pub(crate) const INLINE_NAMES: usize = 8;

impl<'de> SeenNames<'de> {
    /// Records `name`; `false` if it was seen before. A name the caller numbered (`slot`, below
    /// 8: a registered claim) is recorded as that bit only.
    #[allow(clippy::ptr_arg)] // the Cow is cloned into the set, keeping borrowed names borrowed
    #[inline]
    pub(crate) fn insert(&mut self, name: &Cow<'de, str>, slot: Option<u8>) -> bool {
        if let Some(slot) = slot {
            let bit = 1u8 << slot;
            let fresh = self.registered & bit == 0;
            self.registered |= bit;
            return fresh;
        }
        if self.spilled.is_none() {
            let inline = &self.inline[..self.inline_len];
            match name {
                Cow::Borrowed(borrowed) if self.inline_len < INLINE_NAMES => {
                    count_steps(self.inline_len.max(1));
                    if inline.contains(borrowed) {
                        return false;
                    }
                    self.inline[self.inline_len] = borrowed;
                    self.inline_len += 1;
                    return true;
                }
                _ => {
                    let set = inline.iter().map(|&n| Cow::Borrowed(n)).collect();
                    self.inline_len = 0;
                    self.spilled = Some(set);
                }
            }
        }
        count_steps(1);
        self.spilled
            .as_mut()
            .is_some_and(|set| set.insert(name.clone()))
    }

    /// Whether a member called `name` was present (`slot`: as numbered for [`insert`](Self::insert)).
    #[inline]
    pub(crate) fn contains(&self, name: &str, slot: Option<u8>) -> bool {
        if let Some(slot) = slot {
            return self.registered & (1 << slot) != 0;
        }
        match &self.spilled {
            Some(set) => set.contains(name),
            None => self.inline[..self.inline_len].contains(&name),
        }
    }
}

/// A map key that borrows from the input when it has no escapes.
pub(crate) struct Name<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Name<'de>, E> {
                Ok(Name(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// A JSON number as the parser gave it.
pub(crate) enum JsonNumber {
    I64(i64),
    U64(u64),
    F64(f64),
}

/// A value read without failing the parse on a wrong JSON type: each method returns `None`
/// for a type the value does not take (the default), else the value or why it is invalid.
pub(crate) trait Lenient<'de>: Sized {
    /// What the value should be, for messages: `"a string"`.
    const EXPECTED: &'static str;
    fn from_str_value(_v: &str) -> Option<Result<Self, Cow<'static, str>>> {
        None
    }
    /// A string borrowed from the input (no escapes); as [`from_str_value`](Self::from_str_value)
    /// unless the type can keep the borrow.
    fn from_borrowed_str(v: &'de str) -> Option<Result<Self, Cow<'static, str>>> {
        Self::from_str_value(v)
    }
    fn from_string(v: String) -> Option<Result<Self, Cow<'static, str>>> {
        Self::from_str_value(&v)
    }
    fn from_number(_n: &JsonNumber) -> Option<Result<Self, Cow<'static, str>>> {
        None
    }
    fn from_seq<A: SeqAccess<'de>>(
        mut seq: A,
    ) -> Result<Option<Result<Self, Cow<'static, str>>>, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(None)
    }
}

impl Lenient<'_> for String {
    const EXPECTED: &'static str = "a string";
    fn from_str_value(v: &str) -> Option<Result<Self, Cow<'static, str>>> {
        Some(Ok(v.to_owned()))
    }
    fn from_string(v: String) -> Option<Result<Self, Cow<'static, str>>> {
        Some(Ok(v))
    }
}

impl<'de> Lenient<'de> for Cow<'de, str> {
    const EXPECTED: &'static str = "a string";
    fn from_str_value(v: &str) -> Option<Result<Self, Cow<'static, str>>> {
        Some(Ok(Cow::Owned(v.to_owned())))
    }
    fn from_borrowed_str(v: &'de str) -> Option<Result<Self, Cow<'static, str>>> {
        Some(Ok(Cow::Borrowed(v)))
    }
    fn from_string(v: String) -> Option<Result<Self, Cow<'static, str>>> {
        Some(Ok(Cow::Owned(v)))
    }
}

/// Why a [`LenientSeed`] did not give a value.
#[derive(Debug)]
pub(crate) enum Rejected {
    /// The value had another JSON type (`found`: `"a number"`, `"null"`, …).
    WrongType {
        expected: &'static str,
        found: &'static str,
    },
    /// The type was right, the value is not (a NumericDate out of range, …).
    Invalid(Cow<'static, str>),
}

impl Rejected {
    /// The JSON type that was found (`"a number"`), for a wrong type.
    pub(crate) fn found(&self) -> &'static str {
        match self {
            Self::WrongType { found, .. } => found,
            Self::Invalid(_) => "an invalid value",
        }
    }

    /// `expected a string, found a number`, or the reason the value is invalid.
    pub(crate) fn into_reason(self) -> Cow<'static, str> {
        match self {
            Self::WrongType { expected, found } => {
                format!("expected {expected}, found {found}").into()
            }
            Self::Invalid(reason) => reason,
        }
    }
}

/// Reads a [`Lenient`] value: the value, or what was wrong with it, never a parse error for a
/// wrong type (the value is still parsed in full, so malformed JSON inside it is an error).
pub(crate) struct LenientSeed<V>(PhantomData<V>);

impl<V> LenientSeed<V> {
    pub(crate) fn new() -> Self {
        Self(PhantomData)
    }
}

impl<'de, V: Lenient<'de>> DeserializeSeed<'de> for LenientSeed<V> {
    type Value = Result<V, Rejected>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, V: Lenient<'de>> LenientSeed<V> {
    fn wrong(found: &'static str) -> Result<V, Rejected> {
        Err(Rejected::WrongType {
            expected: V::EXPECTED,
            found,
        })
    }

    fn or_wrong(
        value: Option<Result<V, Cow<'static, str>>>,
        found: &'static str,
    ) -> Result<V, Rejected> {
        match value {
            Some(value) => value.map_err(Rejected::Invalid),
            None => Self::wrong(found),
        }
    }
}

impl<'de, V: Lenient<'de>> Visitor<'de> for LenientSeed<V> {
    type Value = Result<V, Rejected>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(V::EXPECTED)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Self::wrong("a boolean"))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Self::or_wrong(
            V::from_number(&JsonNumber::I64(v)),
            "a number",
        ))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Self::or_wrong(
            V::from_number(&JsonNumber::U64(v)),
            "a number",
        ))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Self::or_wrong(
            V::from_number(&JsonNumber::F64(v)),
            "a number",
        ))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Self::or_wrong(V::from_borrowed_str(v), "a string"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Self::or_wrong(V::from_str_value(v), "a string"))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Self::or_wrong(V::from_string(v), "a string"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Self::wrong("null"))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Self::wrong("null"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Ok(match V::from_seq(seq)? {
            Some(value) => value.map_err(Rejected::Invalid),
            None => Self::wrong("an array"),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_key::<Skip>()?.is_some() {
            map.next_value::<Skip>()?;
        }
        Ok(Self::wrong("an object"))
    }
}
