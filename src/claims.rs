//! The JWT claims set (RFC 7519 §4): typed registered claims (`iss`, `sub`, `aud`, `exp`, `nbf`,
//! `iat`, `jti`) next to the application's own serde type, plus [`NumericDate`] and [`Audience`].
//!
//! Parsing is strict and done in one pass: duplicate member names are refused in every object
//! at every depth, whatever type reads the custom claims (found with a hash set per object, so
//! linear in the payload's length), registered claims
//! of the wrong JSON type are never treated as absent (CVE-2026-25537), and the custom claims are
//! handed to the caller's type straight from the parser, without buffering.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

mod serialize;

#[cfg(test)]
use crate::json::take_steps;
use crate::json::{Lenient, LenientSeed, Name, SeenNames, Skip, Strictness};
use crate::time::{Clock, NumericDate, SystemClock};

/// The `aud` claim: one audience or several (RFC 7519 §4.1.3).
///
/// Matching is exact and case-sensitive.
///
/// ```
/// use webtoken::Audience;
///
/// let aud = Audience::from(["api", "billing"]);
/// assert!(aud.contains("api"));
/// assert!(!aud.contains("API"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    /// A single audience, written as a JSON string.
    Single(String),
    /// Several audiences, written as a JSON array of strings.
    Many(Vec<String>),
}

impl Audience {
    /// Whether `audience` is one of the values (exact match).
    ///
    /// ```
    /// use webtoken::Audience;
    ///
    /// assert!(Audience::from("https://api.example").contains("https://api.example"));
    /// assert!(!Audience::from("https://api.example").contains("https://api.example/"));
    /// ```
    pub fn contains(&self, audience: &str) -> bool {
        self.iter().any(|a| a == audience)
    }

    /// The audiences.
    ///
    /// ```
    /// use webtoken::Audience;
    ///
    /// let aud = Audience::from(["api", "billing"]);
    /// assert_eq!(aud.iter().collect::<Vec<_>>(), ["api", "billing"]);
    /// assert_eq!(Audience::from("api").iter().count(), 1);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let slice: &[String] = match self {
            Self::Single(s) => std::slice::from_ref(s),
            Self::Many(v) => v,
        };
        slice.iter().map(String::as_str)
    }

    pub(crate) fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }
}

impl From<&str> for Audience {
    fn from(s: &str) -> Self {
        Self::Single(s.to_owned())
    }
}

impl From<String> for Audience {
    fn from(s: String) -> Self {
        Self::Single(s)
    }
}

impl From<Vec<String>> for Audience {
    fn from(v: Vec<String>) -> Self {
        Self::Many(v)
    }
}

impl<const N: usize> From<[&str; N]> for Audience {
    fn from(v: [&str; N]) -> Self {
        Self::Many(v.iter().map(|s| (*s).to_owned()).collect())
    }
}

impl Serialize for Audience {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Single(s) => serializer.serialize_str(s),
            Self::Many(v) => v.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(LenientSeed::<Audience>::new())? {
            Ok(v) => Ok(v),
            Err(rejected) => Err(de::Error::custom(rejected.into_reason())),
        }
    }
}

/// A JWT claims set: the registered claims of RFC 7519 §4.1, typed, and the application's own
/// claims in `custom` (any serde type whose JSON form is an object, or `()` for none).
///
/// On the wire the custom claims sit beside the registered ones, as in
/// `{"sub":"user-42","exp":1700000900,"role":"admin"}`. A custom type never sees the registered
/// claims: they are read into the fields here, with strict types.
///
/// ```
/// use std::time::Duration;
/// use serde::{Deserialize, Serialize};
/// use webtoken::Claims;
///
/// #[derive(Serialize, Deserialize)]
/// struct Custom { role: String }
///
/// let claims = Claims::new(Custom { role: "admin".into() })
///     .with_subject("user-42")
///     .with_issuer("https://id.example")
///     .with_audience("api")
///     .expires_in(Duration::from_secs(900));
/// assert!(claims.expires_at.is_some() && claims.issued_at.is_some());
/// let json = serde_json::to_string(&claims)?;
/// assert!(json.starts_with(r#"{"iss":"https://id.example","sub":"user-42","aud":"api","exp":"#));
/// assert!(json.ends_with(r#""role":"admin"}"#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Claims<T = ()> {
    /// `iss`: who issued the token.
    pub issuer: Option<String>,
    /// `sub`: whom the token is about.
    pub subject: Option<String>,
    /// `aud`: who the token is meant for.
    pub audience: Option<Audience>,
    /// `exp`: the time from which the token must be refused.
    pub expires_at: Option<NumericDate>,
    /// `nbf`: the time before which the token must be refused.
    pub not_before: Option<NumericDate>,
    /// `iat`: when the token was issued.
    pub issued_at: Option<NumericDate>,
    /// `jti`: a unique identifier of the token (for revocation and replay detection).
    pub jwt_id: Option<String>,
    /// The application's own claims. Their names must not be registered claim names: those
    /// belong in the typed fields (serializing such claims fails).
    pub custom: T,
}

/// The names of the registered claims that [`Claims`] reads itself.
pub const REGISTERED_CLAIMS: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

impl<T> Claims<T> {
    /// Claims holding only `custom`; add registered claims with the `with_*` builders.
    ///
    /// `custom` is any serde type whose JSON form is an object: a struct of yours, `()` for
    /// none, or a `serde_json::Map` / `Value` to keep the claims untyped.
    ///
    /// ```
    /// use webtoken::Claims;
    ///
    /// let claims = Claims::new(serde_json::json!({ "role": "admin" }));
    /// assert_eq!(claims.subject, None);
    /// assert_eq!(serde_json::to_string(&claims)?, r#"{"role":"admin"}"#);
    /// assert_eq!(serde_json::to_string(&Claims::new(()))?, "{}");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn new(custom: T) -> Self {
        Self {
            issuer: None,
            subject: None,
            audience: None,
            expires_at: None,
            not_before: None,
            issued_at: None,
            jwt_id: None,
            custom,
        }
    }

    /// Sets `iss`.
    ///
    /// ```
    /// let claims = webtoken::Claims::new(()).with_issuer("https://id.example");
    /// assert_eq!(serde_json::to_string(&claims)?, r#"{"iss":"https://id.example"}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Sets `sub`.
    ///
    /// ```
    /// let claims = webtoken::Claims::new(()).with_subject("user-42");
    /// assert_eq!(claims.subject.as_deref(), Some("user-42"));
    /// assert_eq!(serde_json::to_string(&claims)?, r#"{"sub":"user-42"}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Sets `aud` (a string, or an array of strings).
    ///
    /// ```
    /// use webtoken::Claims;
    ///
    /// let one = Claims::new(()).with_audience("api");
    /// assert_eq!(serde_json::to_string(&one)?, r#"{"aud":"api"}"#);
    /// let two = Claims::new(()).with_audience(["api", "billing"]);
    /// assert_eq!(serde_json::to_string(&two)?, r#"{"aud":["api","billing"]}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn with_audience(mut self, audience: impl Into<Audience>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Sets `jti`.
    ///
    /// ```
    /// let claims = webtoken::Claims::new(()).with_jwt_id("4f1c2a");
    /// assert_eq!(serde_json::to_string(&claims)?, r#"{"jti":"4f1c2a"}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn with_jwt_id(mut self, jwt_id: impl Into<String>) -> Self {
        self.jwt_id = Some(jwt_id.into());
        self
    }

    /// Sets `exp`.
    ///
    /// ```
    /// use webtoken::{Claims, NumericDate};
    ///
    /// let claims = Claims::new(()).with_expires_at(NumericDate::from_secs(1_700_000_900));
    /// assert_eq!(serde_json::to_string(&claims)?, r#"{"exp":1700000900}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn with_expires_at(mut self, at: NumericDate) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// Sets `nbf`.
    ///
    /// ```
    /// use webtoken::{Claims, NumericDate};
    ///
    /// let claims = Claims::new(()).with_not_before(NumericDate::from_secs(1_700_000_000));
    /// assert_eq!(serde_json::to_string(&claims)?, r#"{"nbf":1700000000}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn with_not_before(mut self, at: NumericDate) -> Self {
        self.not_before = Some(at);
        self
    }

    /// Sets `iat`.
    ///
    /// ```
    /// use webtoken::{Claims, NumericDate};
    ///
    /// let claims = Claims::new(()).with_issued_at(NumericDate::from_secs(1_700_000_000));
    /// assert_eq!(serde_json::to_string(&claims)?, r#"{"iat":1700000000}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn with_issued_at(mut self, at: NumericDate) -> Self {
        self.issued_at = Some(at);
        self
    }

    /// Sets `iat` to now and `exp` to now + `lifetime` in whole seconds, reading the system
    /// clock.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::{Claims, NumericDate};
    ///
    /// let claims = Claims::new(()).expires_in(Duration::from_secs(15 * 60));
    /// let (iat, exp) = (claims.issued_at.unwrap(), claims.expires_at.unwrap());
    /// assert_eq!(exp.as_secs() - iat.as_secs(), 900);
    /// assert!(iat <= NumericDate::now());
    /// ```
    #[must_use]
    pub fn expires_in(self, lifetime: Duration) -> Self {
        self.expires_in_with_clock(lifetime, &SystemClock)
    }

    /// Sets `iat` to `clock`'s now and `exp` to now + `lifetime` (for tests and for services
    /// with their own time source).
    ///
    /// Both are whole seconds (the fraction of the current second and of `lifetime` is
    /// dropped), because many consumers accept only integer NumericDates.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::{Claims, FixedClock, NumericDate};
    ///
    /// let clock = FixedClock(NumericDate::from_secs_f64(1_700_000_000.75).unwrap());
    /// let claims = Claims::new(()).expires_in_with_clock(Duration::from_millis(60_500), &clock);
    /// assert_eq!(serde_json::to_string(&claims)?, r#"{"exp":1700000060,"iat":1700000000}"#);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn expires_in_with_clock(mut self, lifetime: Duration, clock: &dyn Clock) -> Self {
        let now = NumericDate::from_secs(clock.now().as_secs());
        self.issued_at = Some(now);
        self.expires_at = Some(now.saturating_add(Duration::from_secs(lifetime.as_secs())));
        self
    }

    /// Replaces the custom claims, keeping the registered ones.
    ///
    /// ```
    /// use webtoken::Claims;
    ///
    /// let claims = Claims::new(vec!["admin"]).with_subject("user-42");
    /// let claims = claims.map_custom(|roles| serde_json::json!({ "roles": roles }));
    /// assert_eq!(claims.subject.as_deref(), Some("user-42"));
    /// assert_eq!(claims.custom["roles"][0], "admin");
    /// ```
    pub fn map_custom<U>(self, f: impl FnOnce(T) -> U) -> Claims<U> {
        Claims {
            issuer: self.issuer,
            subject: self.subject,
            audience: self.audience,
            expires_at: self.expires_at,
            not_before: self.not_before,
            issued_at: self.issued_at,
            jwt_id: self.jwt_id,
            custom: f(self.custom),
        }
    }
}

impl<T> std::ops::Deref for Claims<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.custom
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Claims<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut report = ParseReport::default();
        let claims = deserializer.deserialize_map(ClaimsVisitor {
            report: &mut report,
            marker: PhantomData,
        })?;
        match report.fault {
            Some(fault) => Err(de::Error::custom(fault)),
            None => Ok(claims),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One-pass parsing machinery.

/// What the one-pass parser noticed besides the values themselves.
#[derive(Default)]
pub(crate) struct ParseReport<'de> {
    /// The first problem found: a duplicate member name or a wrongly typed registered claim.
    pub(crate) fault: Option<Fault>,
    /// The custom member names seen (for `required` checks on custom claims).
    pub(crate) seen: SeenNames<'de>,
    /// Duplicates found inside the members' values, at any depth.
    pub(crate) strict: Strictness,
}

/// A problem noticed while parsing claims, in check-order priority.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Fault {
    Duplicate(String),
    InvalidType {
        claim: &'static str,
        reason: Cow<'static, str>,
    },
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Duplicate(name) => {
                write!(
                    f,
                    "duplicate member name {}",
                    crate::message::Untrusted(name)
                )
            }
            Self::InvalidType { claim, reason } => write!(f, "claim {claim} is invalid: {reason}"),
        }
    }
}

/// A registered claim, numbered as in [`REGISTERED_CLAIMS`] (its bit in [`SeenNames`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Registered {
    Iss,
    Sub,
    Aud,
    Exp,
    Nbf,
    Iat,
    Jti,
}

impl Registered {
    /// One `match` (by length, then bytes) instead of a search through the names.
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "iss" => Self::Iss,
            "sub" => Self::Sub,
            "aud" => Self::Aud,
            "exp" => Self::Exp,
            "nbf" => Self::Nbf,
            "iat" => Self::Iat,
            "jti" => Self::Jti,
            _ => return None,
        })
    }
}

pub(crate) struct ClaimsVisitor<'r, 'de, T> {
    pub(crate) report: &'r mut ParseReport<'de>,
    pub(crate) marker: PhantomData<T>,
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for ClaimsVisitor<'_, 'de, T> {
    type Value = Claims<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object of claims")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Claims<T>, A::Error> {
        let mut access = ClaimsMap {
            inner: map,
            claims: Claims::new(()),
            report: self.report,
        };
        let custom = T::deserialize(CustomDeserializer { map: &mut access })?;
        // A custom visitor may stop early; read the rest so registered claims and duplicates
        // after that point are still seen.
        while de::MapAccess::next_key::<Skip>(&mut access)?.is_some() {
            de::MapAccess::next_value::<Skip>(&mut access)?;
        }
        Ok(access.claims.map_custom(|()| custom))
    }
}

/// The map access handed to the custom type: registered claims are taken out on the way.
struct ClaimsMap<'r, 'de, A> {
    inner: A,
    claims: Claims<()>,
    report: &'r mut ParseReport<'de>,
}

impl<'de, A: MapAccess<'de>> ClaimsMap<'_, 'de, A> {
    fn read<V: Lenient<'de>>(&mut self, claim: &'static str) -> Result<Option<V>, A::Error> {
        match self
            .inner
            .next_value_seed(self.report.strict.seed(LenientSeed::<V>::new()))?
        {
            Ok(v) => Ok(Some(v)),
            Err(rejected) => {
                if self.report.fault.is_none() {
                    self.report.fault = Some(Fault::InvalidType {
                        claim,
                        reason: rejected.into_reason(),
                    });
                }
                Ok(None)
            }
        }
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for ClaimsMap<'_, 'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            let Some(Name(name)) = self.inner.next_key::<Name<'de>>()? else {
                return Ok(None);
            };
            let registered = Registered::from_name(&name);
            if !self
                .report
                .seen
                .insert(&name, registered.map(|claim| claim as u8))
            {
                let fault = Fault::Duplicate(name.into_owned());
                let err = de::Error::custom(&fault);
                self.report.fault = Some(fault);
                return Err(err);
            }
            match registered {
                Some(Registered::Iss) => self.claims.issuer = self.read("iss")?,
                Some(Registered::Sub) => self.claims.subject = self.read("sub")?,
                Some(Registered::Aud) => self.claims.audience = self.read("aud")?,
                Some(Registered::Exp) => self.claims.expires_at = self.read("exp")?,
                Some(Registered::Nbf) => self.claims.not_before = self.read("nbf")?,
                Some(Registered::Iat) => self.claims.issued_at = self.read("iat")?,
                Some(Registered::Jti) => self.claims.jwt_id = self.read("jti")?,
                None => {
                    return seed
                        .deserialize(de::value::CowStrDeserializer::<A::Error>::new(name))
                        .map(Some);
                }
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        // Whatever type reads the value, its objects are checked for duplicates at every depth.
        self.inner.next_value_seed(self.report.strict.seed(seed))
    }
}

/// Presents the remaining (custom) members to the caller's type as a map.
struct CustomDeserializer<'m, M> {
    map: &'m mut M,
}

impl<'de, M: MapAccess<'de>> Deserializer<'de> for CustomDeserializer<'_, M> {
    type Error = M::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, M::Error> {
        visitor.visit_map(self.map)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, M::Error> {
        // `()` (no custom claims): the members are drained by the caller.
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, M::Error> {
        visitor.visit_unit()
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, M::Error> {
        visitor.visit_unit()
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, M::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, M::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf seq tuple tuple_struct map struct enum identifier
    }
}

// ---------------------------------------------------------------------------------------------
// The `aud` claim's lenient reader (see `json::Lenient`).

impl<'de> Lenient<'de> for Audience {
    const EXPECTED: &'static str = "a string or an array of strings";
    fn from_str_value(v: &str) -> Option<Result<Self, Cow<'static, str>>> {
        Some(Ok(Audience::Single(v.to_owned())))
    }
    fn from_string(v: String) -> Option<Result<Self, Cow<'static, str>>> {
        Some(Ok(Audience::Single(v)))
    }
    fn from_seq<A: SeqAccess<'de>>(
        mut seq: A,
    ) -> Result<Option<Result<Self, Cow<'static, str>>>, A::Error> {
        let mut values = Vec::new();
        let mut bad = false;
        while let Some(v) = seq.next_element_seed(LenientSeed::<String>::new())? {
            match v {
                Ok(s) => values.push(s),
                Err(_) => bad = true,
            }
        }
        Ok(Some(if bad {
            Err("aud array must hold only strings".into())
        } else {
            Ok(Audience::Many(values))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::INLINE_NAMES;

    /// Duplicate detection in nested objects does a bounded amount of work per member (an
    /// inline array of 8 names, then a hash set): 10,000 members cost at most a few steps
    /// each, where a pairwise scan would count 50 million.
    #[test]
    fn nested_duplicate_detection_is_linear() {
        let n = 10_000;
        let members: Vec<String> = (0..n).map(|i| format!(r#""m{i}":0"#)).collect();
        for dup in [false, true] {
            let mut members = members.clone();
            if dup {
                members.push(r#""m\u0039999":1"#.into());
            }
            let json = format!(r#"{{"x":{{{}}}}}"#, members.join(","));
            take_steps();
            let result = crate::jwt::parse_claims::<serde_json::Value>(
                &crate::base64url::encode(json.as_bytes()),
                None,
            );
            let steps = take_steps();
            assert_eq!(result.is_err(), dup);
            assert!(steps <= 3 * n, "{steps} steps for {n} members");
        }
    }

    #[test]
    fn registered_numbering_matches_the_public_list() {
        for (i, name) in REGISTERED_CLAIMS.iter().enumerate() {
            let claim = Registered::from_name(name).unwrap();
            assert_eq!(claim as usize, i, "{name}");
        }
        assert!(Registered::from_name("ISS").is_none());
    }

    /// Duplicates among custom names: plain, hidden by an escape (either one first), and past
    /// the inline names, where the set takes over.
    #[test]
    fn duplicate_custom_names_are_found_inline_escaped_and_spilled() {
        let names = |n: usize| (0..n).map(|i| format!(r#""c{i}":0"#)).collect::<Vec<_>>();
        let payload = |members: &[String]| {
            let json = format!("{{{}}}", members.join(","));
            crate::base64url::encode(json)
        };
        let is_duplicate = |members: &[String]| match crate::jwt::parse_claims::<serde_json::Value>(
            &payload(members),
            None,
        ) {
            Ok(_) => false,
            Err(e) => {
                assert!(e.to_string().contains("duplicate member name"), "{e}");
                true
            }
        };
        for n in [
            1,
            INLINE_NAMES - 1,
            INLINE_NAMES,
            INLINE_NAMES + 1,
            3 * INLINE_NAMES,
        ] {
            let mut members = names(n);
            assert!(!is_duplicate(&members), "{n}");
            // The first name again, at the end: plain and escaped.
            members.push(r#""c0":1"#.to_owned());
            assert!(is_duplicate(&members), "{n} plain");
            *members.last_mut().unwrap() = r#""\u0063\u0030":1"#.to_owned();
            assert!(is_duplicate(&members), "{n} escaped");
            // The escaped form first, the plain one last.
            members[0] = r#""\u0063\u0030":0"#.to_owned();
            *members.last_mut().unwrap() = r#""c0":1"#.to_owned();
            assert!(is_duplicate(&members), "{n} escaped first");
            // The last name again.
            let mut members = names(n);
            members.push(format!(r#""c{}":1"#, n - 1));
            assert!(is_duplicate(&members), "{n} last");
        }
        // A registered name hidden by an escape is still that name: a duplicate.
        assert!(is_duplicate(&[
            r#""iss":"a""#.into(),
            r#""\u0069ss":"b""#.into()
        ]));
        // `required` finds custom names wherever they were recorded.
        for n in [2, 3 * INLINE_NAMES] {
            let members = names(n);
            let last = format!("c{}", n - 1);
            let validation = crate::Validation::new()
                .allow_missing_expiry()
                .require(last)
                .require("c0");
            crate::jwt::parse_claims::<serde_json::Value>(&payload(&members), Some(&validation))
                .unwrap();
            let missing = crate::Validation::new()
                .allow_missing_expiry()
                .require("absent");
            assert!(
                crate::jwt::parse_claims::<serde_json::Value>(&payload(&members), Some(&missing))
                    .is_err()
            );
        }
    }
}
