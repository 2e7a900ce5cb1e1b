//! Strict reading of nested JSON values, whatever type reads them.
//!
//! serde_json's own maps (`serde_json::Value`, `HashMap`, derived structs) keep the last of
//! two members with the same name. [`StrictSeed`] wraps the deserializer a value is read from,
//! so that every object at every depth goes through a [`SeenNames`] (an inline array, then a
//! hash set: linear in the number of members) and a duplicate is an error, also when escapes
//! hide it (`"a"` and `"\u0061"`). It also caps the nesting depth and, for the header, the
//! number of members and array elements.
//!
//! What the wrapper found is recorded in a [`Strictness`], so that the caller can report it as
//! malformed JSON rather than as whatever the reading type made of the error.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use super::SeenNames;
use crate::message::Untrusted;

/// What the strict reader refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StrictFault {
    /// Two members of one object have the same name (after unescaping).
    Duplicate(String),
    /// Objects and arrays nest deeper than the limit.
    TooDeep(usize),
    /// More members and array elements than the limit, at all depths together.
    TooMany(usize),
}

impl fmt::Display for StrictFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Duplicate(name) => write!(f, "duplicate member name {}", Untrusted(name)),
            Self::TooDeep(limit) => write!(f, "objects and arrays nest deeper than {limit} levels"),
            Self::TooMany(limit) => {
                write!(f, "holds more than {limit} members and array elements")
            }
        }
    }
}

/// The limits of one strict read, and the first fault it found.
pub(crate) struct Strictness {
    /// Members and array elements that may still be read.
    budget: Cell<usize>,
    /// The value of `budget` at the start (for the message).
    values: usize,
    /// How deep objects and arrays may nest below the value the seed reads.
    depth: usize,
    found: Cell<Option<StrictFault>>,
}

impl Default for Strictness {
    /// No limit but duplicates (the parser's own nesting limit still applies).
    fn default() -> Self {
        Self::new(usize::MAX, usize::MAX)
    }
}

impl Strictness {
    /// At most `depth` levels of objects and arrays, at most `values` members and elements.
    pub(crate) fn new(depth: usize, values: usize) -> Self {
        Self {
            budget: Cell::new(values),
            values,
            depth,
            found: Cell::new(None),
        }
    }

    /// The first fault found, if any (taken out).
    pub(crate) fn take(&self) -> Option<StrictFault> {
        self.found.take()
    }

    /// Records `fault` (the first one wins) and returns it as an error.
    fn fail<E: de::Error>(&self, fault: StrictFault) -> E {
        let err = E::custom(&fault);
        let first = self.found.take().unwrap_or(fault);
        self.found.set(Some(first));
        err
    }

    /// Counts one member or element against the budget.
    pub(crate) fn spend<E: de::Error>(&self) -> Result<(), E> {
        match self.budget.get().checked_sub(1) {
            Some(left) => {
                self.budget.set(left);
                Ok(())
            }
            None => Err(self.fail(StrictFault::TooMany(self.values))),
        }
    }

    /// A seed that reads `seed`'s value strictly, at the top of the depth limit.
    pub(crate) fn seed<S>(&self, seed: S) -> StrictSeed<'_, S> {
        StrictSeed {
            seed,
            ctx: self,
            depth: self.depth,
        }
    }

    /// A seed for the value of a member one level down (`depth` left).
    pub(crate) fn seed_at<S>(&self, seed: S, depth: usize) -> StrictSeed<'_, S> {
        StrictSeed {
            seed,
            ctx: self,
            depth,
        }
    }
}

/// Where a map key's text is put while it is read.
type KeySlot<'k, 'de> = Option<&'k mut Option<Cow<'de, str>>>;

/// A seed read through the strict deserializer.
pub(crate) struct StrictSeed<'c, S> {
    seed: S,
    ctx: &'c Strictness,
    depth: usize,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for StrictSeed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(StrictDe {
            de: deserializer,
            ctx: self.ctx,
            depth: self.depth,
            key: None,
        })
    }
}

/// A map key seed that records the key's text.
struct KeySeed<'c, 'k, 'de, S> {
    seed: S,
    ctx: &'c Strictness,
    depth: usize,
    slot: &'k mut Option<Cow<'de, str>>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<'_, '_, 'de, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(StrictDe {
            de: deserializer,
            ctx: self.ctx,
            depth: self.depth,
            key: Some(self.slot),
        })
    }
}

/// The deserializer handed to the reading type: each call goes to the inner deserializer with
/// the visitor wrapped.
struct StrictDe<'c, 'k, 'de, D> {
    de: D,
    ctx: &'c Strictness,
    depth: usize,
    key: KeySlot<'k, 'de>,
}

impl<'c, 'k, 'de, D> StrictDe<'c, 'k, 'de, D> {
    fn wrap<V>(
        visitor: V,
        ctx: &'c Strictness,
        depth: usize,
        key: KeySlot<'k, 'de>,
    ) -> StrictVisitor<'c, 'k, 'de, V> {
        StrictVisitor {
            visitor,
            ctx,
            depth,
            key,
        }
    }
}

macro_rules! forward_deserialize {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
                self.de.$method($($arg,)* Self::wrap(visitor, self.ctx, self.depth, self.key))
            }
        )*
    };
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for StrictDe<'_, '_, 'de, D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any(), deserialize_bool(), deserialize_i8(), deserialize_i16(),
        deserialize_i32(), deserialize_i64(), deserialize_i128(), deserialize_u8(),
        deserialize_u16(), deserialize_u32(), deserialize_u64(), deserialize_u128(),
        deserialize_f32(), deserialize_f64(), deserialize_char(), deserialize_str(),
        deserialize_string(), deserialize_bytes(), deserialize_byte_buf(),
        deserialize_option(), deserialize_unit(), deserialize_unit_struct(name: &'static str),
        deserialize_newtype_struct(name: &'static str), deserialize_seq(),
        deserialize_tuple(len: usize),
        deserialize_tuple_struct(name: &'static str, len: usize), deserialize_map(),
        deserialize_struct(name: &'static str, fields: &'static [&'static str]),
        deserialize_enum(name: &'static str, variants: &'static [&'static str]),
        deserialize_identifier(),
    }

    /// Ignored values are parsed and checked all the same (see `Skip`): the verdict on a
    /// payload must not depend on which members the reading type looks at.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.de
            .deserialize_any(Self::wrap(visitor, self.ctx, self.depth, self.key))
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

/// The reading type's visitor, given strict maps, sequences and enums.
struct StrictVisitor<'c, 'k, 'de, V> {
    visitor: V,
    ctx: &'c Strictness,
    depth: usize,
    key: KeySlot<'k, 'de>,
}

macro_rules! forward_visit {
    ($($method:ident($ty:ty) $(=> $record:expr)?),* $(,)?) => {
        $(
            fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
                $(
                    if let Some(slot) = self.key {
                        #[allow(clippy::redundant_closure_call)]
                        { *slot = Some(($record)(&v)); }
                    }
                )?
                self.visitor.$method(v)
            }
        )*
    };
}

impl<'de, V: Visitor<'de>> StrictVisitor<'_, '_, 'de, V> {
    /// One level down, or the depth fault.
    fn descend<E: de::Error>(&self) -> Result<usize, E> {
        self.depth
            .checked_sub(1)
            .ok_or_else(|| self.ctx.fail(StrictFault::TooDeep(self.ctx.depth)))
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for StrictVisitor<'_, '_, 'de, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.visitor.expecting(f)
    }

    forward_visit! {
        visit_bool(bool) => |v: &bool| Cow::Owned(v.to_string()),
        visit_i8(i8) => |v: &i8| Cow::Owned(v.to_string()),
        visit_i16(i16) => |v: &i16| Cow::Owned(v.to_string()),
        visit_i32(i32) => |v: &i32| Cow::Owned(v.to_string()),
        visit_i64(i64) => |v: &i64| Cow::Owned(v.to_string()),
        visit_i128(i128) => |v: &i128| Cow::Owned(v.to_string()),
        visit_u8(u8) => |v: &u8| Cow::Owned(v.to_string()),
        visit_u16(u16) => |v: &u16| Cow::Owned(v.to_string()),
        visit_u32(u32) => |v: &u32| Cow::Owned(v.to_string()),
        visit_u64(u64) => |v: &u64| Cow::Owned(v.to_string()),
        visit_u128(u128) => |v: &u128| Cow::Owned(v.to_string()),
        visit_f32(f32) => |v: &f32| Cow::Owned(v.to_string()),
        visit_f64(f64) => |v: &f64| Cow::Owned(v.to_string()),
        visit_char(char) => |v: &char| Cow::Owned(v.to_string()),
        visit_str(&str) => |v: &&str| Cow::Owned((*v).to_owned()),
        visit_borrowed_str(&'de str) => |v: &&'de str| Cow::Borrowed(*v),
        visit_string(String) => |v: &String| Cow::Owned(v.clone()),
        visit_bytes(&[u8]) => |v: &&[u8]| Cow::Owned(String::from_utf8_lossy(v).into_owned()),
        visit_borrowed_bytes(&'de [u8]) => |v: &&'de [u8]| Cow::Owned(String::from_utf8_lossy(v).into_owned()),
        visit_byte_buf(Vec<u8>) => |v: &Vec<u8>| Cow::Owned(String::from_utf8_lossy(v).into_owned()),
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.visitor.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_some(StrictDe {
            de: deserializer,
            ctx: self.ctx,
            depth: self.depth,
            key: None,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        self.visitor.visit_newtype_struct(StrictDe {
            de: deserializer,
            ctx: self.ctx,
            depth: self.depth,
            key: None,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let depth = self.descend()?;
        self.visitor.visit_seq(StrictSeq {
            seq,
            ctx: self.ctx,
            depth,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let depth = self.descend()?;
        self.visitor.visit_map(StrictMap {
            map,
            ctx: self.ctx,
            depth,
            seen: SeenNames::default(),
        })
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        let depth = self.descend()?;
        self.visitor.visit_enum(StrictEnum {
            data,
            ctx: self.ctx,
            depth,
        })
    }
}

struct StrictSeq<'c, A> {
    seq: A,
    ctx: &'c Strictness,
    depth: usize,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for StrictSeq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let element = self
            .seq
            .next_element_seed(self.ctx.seed_at(seed, self.depth))?;
        if element.is_some() {
            self.ctx.spend()?;
        }
        Ok(element)
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

struct StrictMap<'c, 'de, A> {
    map: A,
    ctx: &'c Strictness,
    depth: usize,
    seen: SeenNames<'de>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for StrictMap<'_, 'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let mut name = None;
        let key = self.map.next_key_seed(KeySeed {
            seed,
            ctx: self.ctx,
            depth: self.depth,
            slot: &mut name,
        })?;
        if key.is_some() {
            self.ctx.spend()?;
            if let Some(name) = name {
                if !self.seen.insert(&name, None) {
                    return Err(self.ctx.fail(StrictFault::Duplicate(name.into_owned())));
                }
            }
        }
        Ok(key)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.map.next_value_seed(self.ctx.seed_at(seed, self.depth))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

struct StrictEnum<'c, A> {
    data: A,
    ctx: &'c Strictness,
    depth: usize,
}

impl<'c, 'de, A: EnumAccess<'de>> EnumAccess<'de> for StrictEnum<'c, A> {
    type Error = A::Error;
    type Variant = StrictEnum<'c, A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, Self::Variant), A::Error> {
        let (value, data) = self.data.variant_seed(self.ctx.seed_at(seed, self.depth))?;
        Ok((
            value,
            StrictEnum {
                data,
                ctx: self.ctx,
                depth: self.depth,
            },
        ))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for StrictEnum<'_, A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.data.unit_variant()
    }

    fn newtype_variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<S::Value, A::Error> {
        self.data
            .newtype_variant_seed(self.ctx.seed_at(seed, self.depth))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.data.tuple_variant(
            len,
            StrictVisitor {
                visitor,
                ctx: self.ctx,
                depth: self.depth,
                key: None,
            },
        )
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.data.struct_variant(
            fields,
            StrictVisitor {
                visitor,
                ctx: self.ctx,
                depth: self.depth,
                key: None,
            },
        )
    }
}

/// Counts units of work of the checks that run before the signature (name comparisons, hash
/// set insertions, member lookups), so that tests can assert they stay linear without timing
/// anything. Nothing outside tests.
#[cfg(test)]
pub(crate) fn count_steps(n: usize) {
    STEPS.with(|steps| steps.set(steps.get() + n));
}

/// Counts nothing outside tests.
#[cfg(not(test))]
#[inline(always)]
pub(crate) fn count_steps(_: usize) {}

#[cfg(test)]
thread_local! {
    static STEPS: Cell<usize> = const { Cell::new(0) };
}

/// The steps counted on this thread since the last call.
#[cfg(test)]
pub(crate) fn take_steps() -> usize {
    STEPS.with(|steps| steps.replace(0))
}
