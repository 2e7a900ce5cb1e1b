//! The JOSE header (RFC 7515 §4): typed registered parameters plus a map of extra ones.
//!
//! `alg` is never set by the caller: [`encode`](crate::encode) writes the signing key's
//! algorithm, and a decoded header carries the algorithm that was verified. Parsing rejects
//! duplicate member names (in nested objects too) and records wrongly typed registered
//! parameters so that [`decode`](crate::decode) can report them in the order of the security
//! policy.
//!
//! The header is read before the signature is checked, so what it may ask for is capped: at
//! most [`MAX_HEADER_BYTES`] of JSON, at most [`MAX_CRITICAL_NAMES`] names in `crit`, values nested at most [`MAX_HEADER_DEPTH`]
//! levels, at most [`MAX_HEADER_VALUES`] members and array elements in all. A header past a
//! cap is `malformed`. Within the caps, parsing and checking it is linear in its length.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::algorithm::Algorithm;
use crate::error::{MalformedError, Untrusted};
use crate::json::{self, LenientSeed, Name, Strictness};

/// A JOSE header.
///
/// ```
/// use webtoken::Header;
///
/// let header = Header::new().with_key_id("2024-06").with_type("at+jwt");
/// assert_eq!(header.key_id(), Some("2024-06"));
/// assert_eq!(header.token_type(), Some("at+jwt"));
/// assert_eq!(header.algorithm(), None); // written by `encode` from the key
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct Header {
    algorithm: Option<Algorithm>,
    /// Borrowed for the common values (`JWT`, `at+jwt`), so neither building nor decoding the
    /// usual header allocates.
    token_type: Option<Cow<'static, str>>,
    content_type: Option<String>,
    key_id: Option<String>,
    /// The parameters few tokens carry, boxed so that the header moves cheaply through the
    /// decode pipeline. Never `Some` with every field empty.
    rare: Option<Box<RareParameters>>,
    extra: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct RareParameters {
    critical: Option<Vec<String>>,
    jwk_set_url: Option<String>,
    jwk: Option<Value>,
    x509_url: Option<String>,
    x509_chain: Option<Vec<String>>,
    x509_sha1_thumbprint: Option<String>,
    x509_sha256_thumbprint: Option<String>,
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rare = self.rare.as_deref();
        f.debug_struct("Header")
            .field("algorithm", &self.algorithm)
            .field("token_type", &self.token_type())
            .field("content_type", &self.content_type)
            .field("key_id", &self.key_id)
            .field("critical", &rare.and_then(|r| r.critical.as_ref()))
            .field("jwk_set_url", &rare.and_then(|r| r.jwk_set_url.as_ref()))
            .field("jwk", &rare.and_then(|r| r.jwk.as_ref()))
            .field("x509_url", &rare.and_then(|r| r.x509_url.as_ref()))
            .field("x509_chain", &rare.and_then(|r| r.x509_chain.as_ref()))
            .field(
                "x509_sha1_thumbprint",
                &rare.and_then(|r| r.x509_sha1_thumbprint.as_ref()),
            )
            .field(
                "x509_sha256_thumbprint",
                &rare.and_then(|r| r.x509_sha256_thumbprint.as_ref()),
            )
            .field("extra", &self.extra)
            .finish()
    }
}

/// `typ` values common enough to be kept without allocating.
fn common_type(token_type: &str) -> Option<&'static str> {
    ["JWT", "at+jwt"].into_iter().find(|t| *t == token_type)
}

/// The decoded header (its JSON) is at most this many bytes. Ample for any header a token
/// needs, an `x5c` chain of a few certificates included; it bounds what the header's JSON
/// costs before the signature is checked.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// At most this many names in `crit` (a header lists the extensions it uses; webtoken
/// implements none, so any list is refused, but a longer one is refused as malformed).
pub const MAX_CRITICAL_NAMES: usize = 64;

/// Objects and arrays inside header parameter values nest at most this deep (the header
/// object itself not counted): `{"x":[[1]]}` nests 2 levels.
pub const MAX_HEADER_DEPTH: usize = 16;

/// A header holds at most this many members and array elements, at all depths together
/// (the parameters themselves included).
pub const MAX_HEADER_VALUES: usize = 256;

/// The registered header parameter names of RFC 7515 §4.1 (which `crit` may not list).
pub(crate) const REGISTERED: [&str; 11] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];

impl Header {
    /// A header with `typ` set to `"JWT"` (RFC 7519 §5.1), the usual choice for JWTs.
    pub fn new() -> Self {
        Self {
            token_type: Some(Cow::Borrowed("JWT")),
            ..Self::default()
        }
    }

    /// A header with no parameters at all (only `alg` will be written).
    pub fn empty() -> Self {
        Self::default()
    }

    /// Sets `typ`, the media type of the whole token (RFC 7515 §4.1.9). Use distinct types for
    /// distinct kinds of tokens, such as `"at+jwt"` for access tokens (RFC 9068, RFC 8725 §3.11).
    #[must_use]
    pub fn with_type(mut self, token_type: impl Into<String>) -> Self {
        let token_type = token_type.into();
        self.token_type = Some(match common_type(&token_type) {
            Some(common) => Cow::Borrowed(common),
            None => Cow::Owned(token_type),
        });
        self
    }

    /// Removes `typ`.
    #[must_use]
    pub fn without_type(mut self) -> Self {
        self.token_type = None;
        self
    }

    /// Sets `cty`, the media type of the payload (RFC 7515 §4.1.10).
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Sets `kid`, the hint that tells the verifier which of its keys to use.
    #[must_use]
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// Adds a parameter that is not registered (a public or private header parameter).
    ///
    /// Registered names (`alg`, `kid`, `crit`, …) are not accepted here; use the typed
    /// builders. Returns the header unchanged for such a name.
    #[must_use]
    pub fn with_extra(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        let name = name.into();
        if !REGISTERED.contains(&name.as_str()) {
            self.extra.insert(name, value.into());
        }
        self
    }

    /// `alg`: the algorithm, when the header was decoded or encoded.
    pub fn algorithm(&self) -> Option<Algorithm> {
        self.algorithm
    }

    /// `typ`: the media type of the token.
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// `cty`: the media type of the payload.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// `kid`: the key id.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// `crit`: extensions the recipient must understand.
    pub fn critical(&self) -> Option<&[String]> {
        self.rare.as_ref().and_then(|r| r.critical.as_deref())
    }

    /// `jku`: a JWK Set URL. Informational only: webtoken never fetches it.
    pub fn jwk_set_url(&self) -> Option<&str> {
        self.rare.as_ref().and_then(|r| r.jwk_set_url.as_deref())
    }

    /// `jwk`: an embedded public key. Informational only: webtoken never verifies with it.
    pub fn jwk(&self) -> Option<&Value> {
        self.rare.as_ref().and_then(|r| r.jwk.as_ref())
    }

    /// `x5u`: an X.509 URL. Informational only: webtoken never fetches it.
    pub fn x509_url(&self) -> Option<&str> {
        self.rare.as_ref().and_then(|r| r.x509_url.as_deref())
    }

    /// `x5c`: an X.509 certificate chain (base64 DER). Informational only: never trusted.
    pub fn x509_chain(&self) -> Option<&[String]> {
        self.rare.as_ref().and_then(|r| r.x509_chain.as_deref())
    }

    /// `x5t`: the SHA-1 thumbprint of an X.509 certificate.
    pub fn x509_sha1_thumbprint(&self) -> Option<&str> {
        self.rare
            .as_ref()
            .and_then(|r| r.x509_sha1_thumbprint.as_deref())
    }

    /// `x5t#S256`: the SHA-256 thumbprint of an X.509 certificate.
    pub fn x509_sha256_thumbprint(&self) -> Option<&str> {
        self.rare
            .as_ref()
            .and_then(|r| r.x509_sha256_thumbprint.as_deref())
    }

    /// Parameters that are not registered, by name.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// Stores a rare string parameter, boxing the rare parameters only when there is one.
    fn set_rare(
        &mut self,
        value: Option<String>,
        slot: fn(&mut RareParameters) -> &mut Option<String>,
    ) {
        if value.is_some() {
            *slot(self.rare_mut()) = value;
        }
    }

    fn rare_mut(&mut self) -> &mut RareParameters {
        self.rare.get_or_insert_with(Box::default)
    }

    pub(crate) fn set_algorithm(&mut self, algorithm: Algorithm) {
        self.algorithm = Some(algorithm);
    }

    fn has_member(&self, name: &str) -> bool {
        match name {
            "alg" => self.algorithm.is_some(),
            "typ" => self.token_type.is_some(),
            "cty" => self.content_type.is_some(),
            "kid" => self.key_id.is_some(),
            "crit" => self.critical().is_some(),
            "jku" => self.jwk_set_url().is_some(),
            "jwk" => self.jwk().is_some(),
            "x5u" => self.x509_url().is_some(),
            "x5c" => self.x509_chain().is_some(),
            "x5t" => self.x509_sha1_thumbprint().is_some(),
            "x5t#S256" => self.x509_sha256_thumbprint().is_some(),
            other => self.extra.contains_key(other),
        }
    }
}

/// Written with `alg` first, then the registered parameters, then the extra ones.
impl Serialize for Header {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize_with(self.algorithm, self.key_id.as_deref(), serializer)
    }
}

impl Header {
    /// Whether the header has no parameter but `alg`, `typ`, `cty` and `kid` (the shapes
    /// signing writes by hand).
    #[inline]
    pub(crate) fn is_basic(&self) -> bool {
        self.rare.is_none() && self.extra.is_empty()
    }

    /// Serializes the header with this `alg` and `kid` (signing: the key's).
    pub(crate) fn serialize_with<S: Serializer>(
        &self,
        algorithm: Option<Algorithm>,
        key_id: Option<&str>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(alg) = algorithm {
            map.serialize_entry("alg", alg.as_str())?;
        }
        macro_rules! opt {
            ($name:literal, $field:expr) => {
                if let Some(v) = &$field {
                    map.serialize_entry($name, v)?;
                }
            };
        }
        opt!("typ", self.token_type);
        opt!("cty", self.content_type);
        if let Some(kid) = key_id {
            map.serialize_entry("kid", kid)?;
        }
        if let Some(rare) = &self.rare {
            opt!("jku", rare.jwk_set_url);
            opt!("jwk", rare.jwk);
            opt!("x5u", rare.x509_url);
            opt!("x5c", rare.x509_chain);
            opt!("x5t", rare.x509_sha1_thumbprint);
            opt!("x5t#S256", rare.x509_sha256_thumbprint);
            opt!("crit", rare.critical);
        }
        for (k, v) in &self.extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing.

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
    fault: Option<(&'static str, Cow<'static, str>)>,
    /// `crit` as found, when it is not an array of strings.
    crit_fault: Option<Cow<'static, str>>,
    /// `b64` as found (RFC 7797); webtoken never uses unencoded payloads.
    b64: Option<Value>,
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
    fn parse_plain(bytes: &[u8]) -> Option<Self> {
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
                return Err(crate::Error::UnsupportedCriticalHeader { name: name.clone() });
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

struct HeaderVisitor;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<ParsedHeader, MalformedError> {
        ParsedHeader::parse(s.as_bytes())
    }

    #[test]
    fn parses_registered_and_extra_parameters() {
        let p = parse(r#"{"alg":"HS256","typ":"JWT","kid":"k1","x-custom":[1,2]}"#).unwrap();
        assert_eq!(p.alg, AlgField::Known(Algorithm::Hs256));
        assert_eq!(p.header.token_type(), Some("JWT"));
        assert_eq!(p.header.key_id(), Some("k1"));
        assert_eq!(p.header.extra()["x-custom"], serde_json::json!([1, 2]));
        p.check_parameters().unwrap();
    }

    #[test]
    fn rejects_duplicates_even_when_escaped() {
        assert!(parse(r#"{"alg":"HS256","alg":"none"}"#).is_err());
        assert!(parse(r#"{"alg":"HS256","\u0061lg":"none"}"#).is_err());
        assert!(parse(r#"{"alg":"HS256","x":1,"x":2}"#).is_err());
    }

    #[test]
    fn rejects_non_objects_and_trailing_data() {
        for bad in [
            r#"["HS256"]"#,
            r#""HS256""#,
            r#"{"alg":"HS256"}x"#,
            "\u{feff}{}",
            "{'a':1}",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(ParsedHeader::parse(b"{\"alg\":\"\xff\"}").is_err());
    }

    #[test]
    fn records_wrong_types_for_later_checks() {
        let p = parse(r#"{"alg":256}"#).unwrap();
        assert_eq!(p.alg, AlgField::NotAString);
        let p = parse(r#"{"alg":"HS256","kid":42}"#).unwrap();
        assert!(p.check_parameters().is_err());
    }

    #[test]
    fn crit_rules() {
        use crate::ErrorKind::{Malformed, UnsupportedCriticalHeader};
        let kind = |s: &str| parse(s).unwrap().check_parameters().unwrap_err().kind();
        assert_eq!(kind(r#"{"alg":"HS256","crit":[]}"#), Malformed);
        assert_eq!(kind(r#"{"alg":"HS256","crit":["alg"]}"#), Malformed);
        assert_eq!(kind(r#"{"alg":"HS256","crit":"x"}"#), Malformed);
        assert_eq!(kind(r#"{"alg":"HS256","crit":[1]}"#), Malformed);
        assert_eq!(kind(r#"{"alg":"HS256","crit":["x"]}"#), Malformed);
        assert_eq!(
            kind(r#"{"alg":"HS256","crit":["x"],"x":1}"#),
            UnsupportedCriticalHeader
        );
        assert_eq!(
            kind(r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#),
            UnsupportedCriticalHeader
        );
        assert_eq!(kind(r#"{"alg":"HS256","b64":false}"#), Malformed);
    }

    /// The `crit` checks (duplicates, registered names, presence in the header) do a bounded
    /// amount of work per listed name: a pairwise scan would count about n²/2 steps.
    #[test]
    fn crit_checks_are_linear() {
        use crate::json::take_steps;
        let header = |n: usize| {
            let names: Vec<String> = (0..n).map(|i| format!("\"c{i}\"")).collect();
            let members: Vec<String> = (0..n).map(|i| format!(",\"c{i}\":0")).collect();
            format!(
                r#"{{"alg":"HS256","crit":[{}]{}}}"#,
                names.join(","),
                members.concat()
            )
        };
        for n in [8, MAX_CRITICAL_NAMES] {
            let parsed = parse(&header(n)).unwrap();
            take_steps();
            let err = parsed.check_parameters().unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::UnsupportedCriticalHeader);
            let steps = take_steps();
            assert!(steps <= 2 * n, "{n} names: {steps} steps");
        }
        // The duplicate is found at the end of the list, with the same bound.
        let mut names: Vec<String> = (0..MAX_CRITICAL_NAMES - 1)
            .map(|i| format!("\"c{i}\""))
            .collect();
        names.push("\"c0\"".into());
        let parsed = parse(&format!(
            r#"{{"alg":"HS256","crit":[{}]}}"#,
            names.join(",")
        ))
        .unwrap();
        take_steps();
        let err = parsed.check_parameters().unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
        assert!(take_steps() <= 2 * MAX_CRITICAL_NAMES);
        // One more name than the cap: refused before any comparison.
        let parsed = parse(&header(MAX_CRITICAL_NAMES + 1)).unwrap();
        take_steps();
        let err = parsed.check_parameters().unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Malformed);
        assert_eq!(take_steps(), 0);
    }

    /// Parsing a header does a bounded amount of work per member and element, and stops at the
    /// value cap however long the header is.
    #[test]
    fn header_parsing_is_linear_and_capped() {
        use crate::json::take_steps;
        let members = |n: usize| {
            let m: Vec<String> = (0..n)
                .map(|i| format!(",\"m{i}\":{{\"a\":0,\"b\":0}}"))
                .collect();
            let m = m.concat();
            format!(r#"{{"alg":"HS256"{m}}}"#)
        };
        take_steps();
        parse(&members(80)).unwrap();
        let steps = take_steps();
        assert!(steps <= 4 * 81, "{steps}");
        // Far past the cap: refused, after no more work than the cap allows.
        assert!(parse(&members(5_000)).is_err());
        let steps = take_steps();
        assert!(steps <= 4 * MAX_HEADER_VALUES, "{steps}");
    }

    #[test]
    fn plain_fast_path_agrees_with_the_full_parser() {
        fn full(s: &str) -> Option<(Header, AlgField)> {
            let mut de = serde_json::Deserializer::from_str(s);
            let p = de.deserialize_map(HeaderVisitor).ok()?;
            de.end().ok()?;
            (p.fault.is_none() && p.crit_fault.is_none() && p.b64.is_none())
                .then_some((p.header, p.alg))
        }
        let cases = [
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"typ":"JWT","alg":"HS256"}"#,
            r#"{"alg":"ES384"}"#,
            r#"{"alg":"EdDSA","typ":"at+jwt","kid":"k-1 é"}"#,
            r#"{"kid":"","alg":"RS256","typ":"custom"}"#,
            r#"{"alg":"HS256","alg":"HS256"}"#,
            r#"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#,
            r#"{"alg":"none"}"#,
            r#"{"alg":"hs256"}"#,
            r#"{"typ":"JWT"}"#,
            "{}",
            r#"{"alg":"HS256",}"#,
            r#"{,"alg":"HS256"}"#,
            r#"{"alg":"HS256""typ":"JWT"}"#,
            r#"{"alg":"HS256","typ":"JW\u0054"}"#,
            r#"{"alg":"HS256","kid":"a\"b"}"#,
            r#"{"alg":"HS256","kid":"a\\"}"#,
            r#"{"alg":"HS256", "typ":"JWT"}"#,
            r#"{"alg":"HS256","typ":1}"#,
            r#"{"alg":"HS256","cty":"JWT"}"#,
            r#"{"alg":"HS256","x":"y"}"#,
            r#"{"\u0061lg":"HS256"}"#,
            r#"{"alg":"HS256"}}"#,
            r#"{{"alg":"HS256"}"#,
            r#"{"alg":"HS256","kid":"tab	"}"#,
            r#"{"alg":"HS256"#,
            "",
            "{",
            "}",
        ];
        for case in cases {
            let fast = ParsedHeader::parse_plain(case.as_bytes());
            if let Some(fast) = &fast {
                let (header, alg) = full(case).expect("the fast path accepts only valid headers");
                assert_eq!((&fast.header, &fast.alg), (&header, &alg), "{case}");
            }
            // Whatever path it takes, the public entry point gives the full parser's verdict.
            assert_eq!(
                parse(case).ok().map(|p| (p.header, p.alg)),
                {
                    let mut de = serde_json::Deserializer::from_str(case);
                    de.deserialize_map(HeaderVisitor)
                        .ok()
                        .filter(|_| de.end().is_ok())
                        .map(|p| (p.header, p.alg))
                },
                "{case}"
            );
        }
        // The common shape, for every algorithm, and near misses of it.
        for algorithm in Algorithm::ALL {
            let case = format!(r#"{{"alg":"{}","typ":"JWT"}}"#, algorithm.as_str());
            let fast = ParsedHeader::parse_plain(case.as_bytes()).unwrap();
            let (header, alg) = full(&case).unwrap();
            assert_eq!((&fast.header, &fast.alg), (&header, &alg), "{case}");
            assert_eq!(fast.alg, AlgField::Known(algorithm));
            assert_eq!(fast.header.token_type(), Some("JWT"));
        }
        for near in [
            r#"{"alg":"","typ":"JWT"}"#,
            r#"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#,
            r#"{"alg":"HS256","typ":"JWT","alg":"HS256","typ":"JWT"}"#,
            r#"{"alg":"HS256","typ":"JWT"}}"#,
            r#"{"alg":"HS256","typ":"JWT" }"#,
        ] {
            let fast = ParsedHeader::parse_plain(near.as_bytes());
            assert!(fast.is_none(), "{near}");
        }
        let fast = |s: &str| ParsedHeader::parse_plain(s.as_bytes()).is_some();
        assert!(fast(r#"{"alg":"HS256","typ":"JWT"}"#));
        assert!(fast(r#"{"typ":"JWT","alg":"HS256","kid":"k1"}"#));
        assert!(!fast(r#"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#));
        assert!(!fast(r#"{"alg":"none"}"#));
        assert!(!fast(r#"{"alg":"HS256"}}"#));
    }

    #[test]
    fn serializes_alg_first() {
        let mut h = Header::empty().with_key_id("k");
        h.set_algorithm(Algorithm::Hs256);
        assert_eq!(
            serde_json::to_string(&h).unwrap(),
            r#"{"alg":"HS256","kid":"k"}"#
        );
    }
}
