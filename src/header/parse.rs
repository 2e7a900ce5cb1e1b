//! Parsing a header (step 3 of SECURITY.md §4) into a [`ParsedHeader`], and its parameter
//! checks (step 6): the fast path for plain headers, the strict full parser for the rest.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::{
    Header, MAX_CRITICAL_NAMES, MAX_HEADER_BYTES, MAX_HEADER_DEPTH, MAX_HEADER_VALUES, REGISTERED,
    common_type,
};
use crate::algorithm::Algorithm;
use crate::error::{CriticalHeaderError, MalformedError};
use crate::json::{self, LenientSeed, Name, Strictness};
use crate::message::Untrusted;

/// The `alg` member as it was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AlgField {
    Missing,
    NotAString,
    Known(Algorithm),
    Unknown(String),
}

/// A header as parsed, before the policy checks of `decode`.
#[derive(Debug)]
pub(crate) struct ParsedHeader {
    pub(crate) header: Header,
    pub(crate) alg: AlgField,
    /// The first registered parameter with a wrong type or value (other than `alg`/`crit`).
    pub(super) fault: Option<(&'static str, Cow<'static, str>)>,
    /// `crit` as found, when it is not an array of strings.
    pub(super) crit_fault: Option<Cow<'static, str>>,
    /// `b64` as found (RFC 7797); webtoken never uses unencoded payloads.
    pub(super) b64: Option<Value>,
}

impl ParsedHeader {
    /// Parses the decoded header bytes: UTF-8, one JSON object, no duplicate names.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, MalformedError> {
        if bytes.len() > MAX_HEADER_BYTES {
            return Err(MalformedError::HeaderTooLarge {
                size: bytes.len(),
                limit: MAX_HEADER_BYTES,
            });
        }
        if let Some(parsed) = Self::parse_plain(bytes) {
            return Ok(parsed);
        }
        let json = |reason: String| MalformedError::Json {
            segment: "header",
            reason,
        };
        let text = std::str::from_utf8(bytes).map_err(|_| json("not UTF-8".into()))?;
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = de
            .deserialize_map(HeaderVisitor)
            .map_err(|e| json(e.to_string()))?;
        de.end().map_err(|e| json(e.to_string()))?;
        Ok(parsed)
    }

    /// The fast path for the headers nearly every token has: a JSON object without whitespace
    /// whose members are only `alg` (a supported algorithm), `typ` and `kid`, each at most once,
    /// with string values free of escapes and control characters. Such text has exactly one
    /// reading, the one the full parser gives it; anything else returns `None` and goes to the
    /// full parser.
    pub(super) fn parse_plain(bytes: &[u8]) -> Option<Self> {
        // The header webtoken writes, and most issuers: two comparisons, no member loop.
        let common = bytes
            .strip_prefix(br#"{"alg":""#)
            .and_then(|rest| rest.strip_suffix(br#"","typ":"JWT"}"#));
        let common = common.and_then(|name| std::str::from_utf8(name).ok());
        if let Some(algorithm) = common.and_then(Algorithm::from_name) {
            let header = Header {
                token_type: Some(Cow::Borrowed("JWT")),
                ..Header::default()
            };
            return Some(Self::plain(header, algorithm));
        }
        let mut rest = bytes.strip_prefix(b"{")?.strip_suffix(b"}")?;
        let mut header = Header::default();
        let mut alg = None;
        while !rest.is_empty() {
            let (name, value, tail) = plain_member(rest)?;
            match name {
                b"alg" if alg.is_none() => alg = Some(Algorithm::from_name(value)?),
                b"typ" if header.token_type.is_none() => {
                    header.token_type = Some(match common_type(value) {
                        Some(common) => Cow::Borrowed(common),
                        None => Cow::Owned(value.to_owned()),
                    });
                }
                b"kid" if header.key_id.is_none() => header.key_id = Some(value.to_owned()),
                _ => return None,
            }
            rest = match tail {
                [] => tail,
                [b',', more @ ..] if !more.is_empty() => more,
                _ => return None,
            };
        }
        Some(Self::plain(header, alg?))
    }

    /// A header that needs none of the later checks' records.
    fn plain(header: Header, algorithm: Algorithm) -> Self {
        Self {
            header,
            alg: AlgField::Known(algorithm),
            fault: None,
            crit_fault: None,
            b64: None,
        }
    }

    /// The semantic checks of step 6 (after the algorithm was allow-listed): `crit`, `b64`,
    /// types of `kid`/`typ`/`cty`/`x5*`/`jku`/`jwk`.
    pub(crate) fn check_parameters(&self) -> Result<(), crate::Error> {
        let header_err = |parameter: &'static str, reason: Cow<'static, str>| {
            crate::Error::Malformed(MalformedError::Header { parameter, reason })
        };
        if let Some(reason) = &self.crit_fault {
            return Err(header_err("crit", reason.clone()));
        }
        if let Some(crit) = self.header.critical() {
            if crit.is_empty() {
                return Err(header_err("crit", "must not be an empty list".into()));
            }
            if crit.len() > MAX_CRITICAL_NAMES {
                return Err(header_err(
                    "crit",
                    format!("lists more than {MAX_CRITICAL_NAMES} names").into(),
                ));
            }
            // One hash-set insertion and one member lookup per name: linear in the list.
            let mut listed = std::collections::HashSet::with_capacity(crit.len());
            for name in crit {
                json::count_steps(1);
                if REGISTERED.contains(&name.as_str()) {
                    return Err(header_err(
                        "crit",
                        format!("lists the registered parameter {}", Untrusted(name)).into(),
                    ));
                }
                if !listed.insert(name.as_str()) {
                    return Err(header_err(
                        "crit",
                        format!("lists {} twice", Untrusted(name)).into(),
                    ));
                }
            }
            for name in crit {
                json::count_steps(1);
                if name != "b64" && !self.header.has_member(name) {
                    return Err(header_err(
                        "crit",
                        format!("lists {}, which is not in the header", Untrusted(name)).into(),
                    ));
                }
            }
            // webtoken implements no extension, so any listed name is unsupported.
            if let Some(name) = crit.first() {
                return Err(CriticalHeaderError { name: name.clone() }.into());
            }
        }
        if let Some(b64) = &self.b64 {
            if b64 != &Value::Bool(true) {
                return Err(header_err(
                    "b64",
                    "unencoded payloads (RFC 7797) are not supported for JWTs".into(),
                ));
            }
        }
        if let Some((parameter, reason)) = &self.fault {
            return Err(header_err(parameter, reason.clone()));
        }
        Ok(())
    }
}

/// Splits `"name":"value"` off the front of `input`; `None` unless both are plain strings (no
/// backslash, no control character, valid UTF-8 for the value).
fn plain_member(input: &[u8]) -> Option<(&[u8], &str, &[u8])> {
    let input = input.strip_prefix(b"\"")?;
    let end = input.iter().position(|&b| b == b'"')?;
    let (name, input) = input.split_at(end);
    let input = input.strip_prefix(b"\":\"")?;
    let end = input.iter().position(|&b| b == b'"')?;
    let (value, input) = input.split_at(end);
    if value.iter().any(|&b| b < 0x20 || b == b'\\') || name.iter().any(|&b| b < 0x20 || b == b'\\')
    {
        return None;
    }
    Some((name, std::str::from_utf8(value).ok()?, &input[1..]))
}

pub(super) struct HeaderVisitor;

type HeaderFault = Option<(&'static str, Cow<'static, str>)>;

fn string_value<'de, A: MapAccess<'de>>(
    map: &mut A,
    strict: &Strictness,
    name: &'static str,
    fault: &mut HeaderFault,
) -> Result<Option<String>, A::Error> {
    match map.next_value_seed(strict.seed(LenientSeed::<Cow<'de, str>>::new()))? {
        Ok(s) => Ok(Some(s.into_owned())),
        Err(rejected) => {
            if fault.is_none() {
                let found = rejected.found();
                *fault = Some((name, format!("must be a string, found {found}").into()));
            }
            Ok(None)
        }
    }
}

/// The strings of a JSON array that holds only strings.
fn strings(value: Value) -> Option<Vec<String>> {
    let Value::Array(items) = value else {
        return None;
    };
    if !items.iter().all(Value::is_string) {
        return None;
    }
    Some(
        items
            .into_iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
    )
}

/// The strings of `crit` (when it is an array), and whether it was not an array of strings.
fn critical_names(value: Value) -> (Option<Vec<String>>, bool) {
    let Value::Array(items) = value else {
        return (None, true);
    };
    let mut fault = false;
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::String(s) => names.push(s),
            _ => fault = true,
        }
    }
    (Some(names), fault)
}

/// `typ`, borrowed from a static string for the common values.
fn type_value<'de, A: MapAccess<'de>>(
    map: &mut A,
    strict: &Strictness,
    fault: &mut HeaderFault,
) -> Result<Option<Cow<'static, str>>, A::Error> {
    match map.next_value_seed(strict.seed(LenientSeed::<Cow<'de, str>>::new()))? {
        Ok(s) => Ok(Some(match common_type(&s) {
            Some(common) => Cow::Borrowed(common),
            None => Cow::Owned(s.into_owned()),
        })),
        Err(rejected) => {
            if fault.is_none() {
                let found = rejected.found();
                *fault = Some(("typ", format!("must be a string, found {found}").into()));
            }
            Ok(None)
        }
    }
}

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = ParsedHeader;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ParsedHeader, A::Error> {
        let mut header = Header::default();
        let mut alg = AlgField::Missing;
        let mut fault: HeaderFault = None;
        let mut crit_fault = None;
        let mut b64 = None;
        let mut seen: u16 = 0;
        // Every value is read through the strict reader: duplicates refused in nested objects
        // too, nesting and the number of values capped, so that what the header costs before
        // the signature is checked stays small and linear in its length.
        let strict = Strictness::new(MAX_HEADER_DEPTH, MAX_HEADER_VALUES);

        while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
            strict.spend::<A::Error>()?;
            json::count_steps(1);
            let slot = REGISTERED
                .iter()
                .position(|r| *r == name.as_ref())
                .or((name == "b64").then_some(REGISTERED.len()));
            if let Some(i) = slot {
                let bit = 1u16 << i;
                if seen & bit != 0 {
                    return Err(json::duplicate(&name));
                }
                seen |= bit;
            }
            match name.as_ref() {
                "alg" => {
                    let value = LenientSeed::<Cow<'de, str>>::new();
                    alg = match map.next_value_seed(strict.seed(value))? {
                        Ok(s) => match Algorithm::from_name(&s) {
                            Some(known) => AlgField::Known(known),
                            None => AlgField::Unknown(s.into_owned()),
                        },
                        Err(_) => AlgField::NotAString,
                    }
                }
                "typ" => header.token_type = type_value(&mut map, &strict, &mut fault)?,
                "cty" => header.content_type = string_value(&mut map, &strict, "cty", &mut fault)?,
                "kid" => header.key_id = string_value(&mut map, &strict, "kid", &mut fault)?,
                "jku" => {
                    let v = string_value(&mut map, &strict, "jku", &mut fault)?;
                    header.set_rare(v, |r| &mut r.jwk_set_url);
                }
                "x5u" => {
                    let v = string_value(&mut map, &strict, "x5u", &mut fault)?;
                    header.set_rare(v, |r| &mut r.x509_url);
                }
                "x5t" => {
                    let v = string_value(&mut map, &strict, "x5t", &mut fault)?;
                    header.set_rare(v, |r| &mut r.x509_sha1_thumbprint);
                }
                "x5t#S256" => {
                    let v = string_value(&mut map, &strict, "x5t#S256", &mut fault)?;
                    header.set_rare(v, |r| &mut r.x509_sha256_thumbprint);
                }
                "crit" => {
                    let value = map.next_value_seed(strict.seed(PhantomData::<Value>))?;
                    let (names, fault) = critical_names(value);
                    if let Some(names) = names {
                        header.rare_mut().critical = Some(names);
                    }
                    if fault {
                        crit_fault = Some("must be an array of strings".into());
                    }
                }
                "jwk" => match map.next_value_seed(strict.seed(PhantomData::<Value>))? {
                    v @ Value::Object(_) => header.rare_mut().jwk = Some(v),
                    _ => {
                        fault.get_or_insert(("jwk", "must be a JSON object".into()));
                    }
                },
                "x5c" => match strings(map.next_value_seed(strict.seed(PhantomData::<Value>))?) {
                    Some(chain) => header.rare_mut().x509_chain = Some(chain),
                    None => {
                        fault.get_or_insert(("x5c", "must be an array of strings".into()));
                    }
                },
                "b64" => b64 = Some(map.next_value_seed(strict.seed(PhantomData::<Value>))?),
                _ => {
                    let value = map.next_value_seed(strict.seed(PhantomData::<Value>))?;
                    if header
                        .extra
                        .insert(name.clone().into_owned(), value)
                        .is_some()
                    {
                        return Err(json::duplicate(&name));
                    }
                }
            }
        }
        Ok(ParsedHeader {
            header,
            alg,
            fault,
            crit_fault,
            b64,
        })
    }
}
