//! The JWE protected header (RFC 7516 §4): what a caller sets when encrypting, what a decrypted
//! token carried, and the strict, capped, linear parser that reads it before anything else.
//!
//! The same caps as for a JWS header apply ([`MAX_HEADER_BYTES`] checked before decoding,
//! [`MAX_HEADER_DEPTH`], [`MAX_HEADER_VALUES`], duplicate names refused at every depth). `zip`
//! is refused (compressed plaintext is not supported), and so is any `crit`: webtoken
//! implements no JWE extension.

use std::borrow::Cow;
use std::marker::PhantomData;

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::algorithm::{ContentEncryption, KeyAlgorithm};
use crate::base64url;
use crate::error::{AlgorithmRejection, CriticalHeaderError, Error, MalformedError};
use crate::header::{MAX_CRITICAL_NAMES, MAX_HEADER_BYTES, MAX_HEADER_DEPTH, MAX_HEADER_VALUES};
use crate::json::{LenientSeed, Name, Strictness};

/// The names a caller may not set through [`JweHeader::with_extra`]: webtoken writes them, or
/// refuses them.
const RESERVED: [&str; 20] = [
    "alg", "enc", "zip", "crit", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c", "kid", "typ",
    "cty", "jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256",
];

/// The protected header of an encrypted token (JWE).
///
/// When encrypting, build it with [`JweHeader::new`] and the `with_*` methods; `alg` (and for
/// ECDH-ES `epk`) are written from the key. A decrypted token's header has every registered
/// parameter that webtoken reads, and the others in [`extra`](Self::extra).
///
/// ```
/// use webtoken::jwe::{ContentEncryption, JweHeader};
///
/// let header = JweHeader::new(ContentEncryption::A256Gcm).with_key_id("k1").with_type("JWT");
/// assert_eq!(header.encryption(), ContentEncryption::A256Gcm);
/// assert_eq!(header.algorithm(), None); // written from the key
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct JweHeader {
    pub(crate) algorithm: Option<KeyAlgorithm>,
    pub(crate) encryption: ContentEncryption,
    pub(crate) key_id: Option<String>,
    pub(crate) token_type: Option<String>,
    pub(crate) content_type: Option<String>,
    /// `apu` and `apv`, decoded.
    pub(crate) party_u: Option<Vec<u8>>,
    pub(crate) party_v: Option<Vec<u8>>,
    /// `epk`, as found (a JWK object).
    pub(crate) ephemeral_key: Option<Value>,
    /// `p2s`, decoded, and `p2c` (PBES2).
    pub(crate) pbes2_salt: Option<Vec<u8>>,
    pub(crate) pbes2_count: Option<u64>,
    pub(crate) extra: Map<String, Value>,
}

impl JweHeader {
    /// A header for content encryption `enc`, without `typ`.
    pub fn new(encryption: ContentEncryption) -> Self {
        Self {
            algorithm: None,
            encryption,
            key_id: None,
            token_type: None,
            content_type: None,
            party_u: None,
            party_v: None,
            ephemeral_key: None,
            pbes2_salt: None,
            pbes2_count: None,
            extra: Map::new(),
        }
    }

    /// Sets `kid`.
    #[must_use]
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }

    /// Sets `typ`.
    #[must_use]
    pub fn with_type(mut self, token_type: impl Into<String>) -> Self {
        self.token_type = Some(token_type.into());
        self
    }

    /// Sets `cty` (`"JWT"` for a nested JWT, RFC 7519 §5.2).
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Sets `apu` and `apv` (ECDH-ES agreement PartyUInfo and PartyVInfo, RFC 7518 §4.6.1.2
    /// and §4.6.1.3), given as bytes; they are written Base64Url-encoded and enter the key
    /// derivation. Ignored by the other algorithms' key management, but still written and
    /// authenticated.
    #[must_use]
    pub fn with_party_info(mut self, apu: impl Into<Vec<u8>>, apv: impl Into<Vec<u8>>) -> Self {
        self.party_u = Some(apu.into());
        self.party_v = Some(apv.into());
        self
    }

    /// Adds a parameter that webtoken does not interpret. Registered JWE names (`alg`, `enc`,
    /// `zip`, `crit`, `epk`, `kid`, …) are refused when the token is encrypted; use the
    /// `with_*` methods.
    #[must_use]
    pub fn with_extra(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }

    /// The key-management algorithm: `None` on a header being built, the decrypted token's
    /// `alg` on a decrypted one.
    pub fn algorithm(&self) -> Option<KeyAlgorithm> {
        self.algorithm
    }

    /// The content encryption (`enc`).
    pub fn encryption(&self) -> ContentEncryption {
        self.encryption
    }

    /// `kid`.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// `typ`.
    pub fn token_type(&self) -> Option<&str> {
        self.token_type.as_deref()
    }

    /// `cty`.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// `apu`, decoded.
    pub fn party_u_info(&self) -> Option<&[u8]> {
        self.party_u.as_deref()
    }

    /// `apv`, decoded.
    pub fn party_v_info(&self) -> Option<&[u8]> {
        self.party_v.as_deref()
    }

    /// `epk` (ECDH-ES), as the JSON object it is.
    pub fn ephemeral_key(&self) -> Option<&Value> {
        self.ephemeral_key.as_ref()
    }

    /// The parameters webtoken does not interpret.
    pub fn extra(&self) -> &Map<String, Value> {
        &self.extra
    }

    /// The header's JSON, in a fixed order: `alg`, `enc`, `kid`, `typ`, `cty`, `epk`, `apu`,
    /// `apv`, then the extra parameters.
    #[cfg(test)]
    pub(crate) fn to_json(&self, algorithm: KeyAlgorithm) -> Result<String, Error> {
        let mut out = Vec::new();
        let written = Written {
            key_id: self.key_id.as_deref(),
            ephemeral_key: self.ephemeral_key.as_ref(),
            pbes2_salt: self.pbes2_salt.as_deref(),
            pbes2_count: self.pbes2_count,
        };
        self.write_json(algorithm, &written, &mut out)?;
        Ok(String::from_utf8(out).unwrap_or_default())
    }

    /// Appends the header's JSON to `out` (in the order of `to_json`), with `kid`, `epk`, `p2s`
    /// and `p2c` as `written` says (the encrypting key's values), without copying the header.
    pub(crate) fn write_json(
        &self,
        algorithm: KeyAlgorithm,
        written: &Written<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if let Some(name) = self.extra.keys().find(|n| RESERVED.contains(&n.as_str())) {
            return Err(crate::error::SerializeError {
                what: "header",
                message: format!(
                    "the JWE header parameter {name:?} cannot be set as an extra parameter"
                ),
            }
            .into());
        }
        out.extend_from_slice(br#"{"alg":""#);
        out.extend_from_slice(algorithm.as_str().as_bytes());
        out.extend_from_slice(br#"","enc":""#);
        out.extend_from_slice(self.encryption.as_str().as_bytes());
        out.push(b'"');
        for (name, value) in [
            ("kid", written.key_id),
            ("typ", self.token_type.as_deref()),
            ("cty", self.content_type.as_deref()),
        ] {
            if let Some(value) = value {
                put_name(name, out)?;
                put_json(value, out)?;
            }
        }
        if let Some(epk) = written.ephemeral_key {
            put_name("epk", out)?;
            put_json(epk, out)?;
        }
        for (name, value) in [
            ("apu", self.party_u.as_deref()),
            ("apv", self.party_v.as_deref()),
            ("p2s", written.pbes2_salt),
        ] {
            if let Some(value) = value {
                put_name(name, out)?;
                out.push(b'"');
                base64url::append_encoded(value, out);
                out.push(b'"');
            }
        }
        if let Some(count) = written.pbes2_count {
            put_name("p2c", out)?;
            put_json(&count, out)?;
        }
        for (name, value) in &self.extra {
            put_name(name, out)?;
            put_json(value, out)?;
        }
        out.push(b'}');
        Ok(())
    }
}

/// What the encrypting side writes into the header besides the caller's parameters.
pub(crate) struct Written<'a> {
    pub(crate) key_id: Option<&'a str>,
    pub(crate) ephemeral_key: Option<&'a Value>,
    pub(crate) pbes2_salt: Option<&'a [u8]>,
    pub(crate) pbes2_count: Option<u64>,
}

/// Appends `,"name":` (the name escaped as JSON).
fn put_name(name: &str, out: &mut Vec<u8>) -> Result<(), Error> {
    out.push(b',');
    put_json(name, out)?;
    out.push(b':');
    Ok(())
}

/// Appends `value` as compact JSON.
fn put_json(value: &(impl serde::Serialize + ?Sized), out: &mut Vec<u8>) -> Result<(), Error> {
    serde_json::to_writer(out, value).map_err(|e| {
        crate::error::SerializeError {
            what: "header",
            message: e.to_string(),
        }
        .into()
    })
}

/// A header as parsed: the `alg` and `enc` strings kept apart, to be checked against the
/// allow-lists before anything else is looked at.
#[derive(Debug)]
pub(crate) struct ParsedJweHeader {
    /// Borrowed from the algorithm's own name when webtoken implements it (no allocation).
    pub(crate) alg: Cow<'static, str>,
    pub(crate) enc: Cow<'static, str>,
    /// The rest, with `algorithm` not yet set and `encryption` a placeholder.
    pub(crate) header: JweHeader,
    /// The first registered parameter with a wrong type or value, reported after the
    /// allow-lists (as for a JWS header).
    pub(crate) fault: Option<Error>,
}

fn header_error(parameter: &'static str, reason: impl Into<Cow<'static, str>>) -> Error {
    MalformedError::Header {
        parameter,
        reason: reason.into(),
    }
    .into()
}

/// The header's one JSON object, read strictly.
fn read_object(bytes: &[u8]) -> Result<Map<String, Value>, Error> {
    if bytes.len() > MAX_HEADER_BYTES {
        return Err(MalformedError::HeaderTooLarge {
            size: bytes.len(),
            limit: MAX_HEADER_BYTES,
        }
        .into());
    }
    let json = |reason: String| -> Error {
        MalformedError::Json {
            segment: "header",
            reason,
        }
        .into()
    };
    let text = std::str::from_utf8(bytes).map_err(|_| json("not UTF-8".into()))?;
    let strict = Strictness::new(MAX_HEADER_DEPTH, MAX_HEADER_VALUES);
    let mut de = serde_json::Deserializer::from_str(text);
    let value = strict
        .seed(PhantomData::<Value>)
        .deserialize(&mut de)
        .map_err(|e| match strict.take() {
            Some(fault) => json(fault.to_string()),
            None => json(e.to_string()),
        })?;
    de.end().map_err(|e| json(e.to_string()))?;
    let Value::Object(members) = value else {
        return Err(json("not a JSON object".into()));
    };
    Ok(members)
}

/// The registered members a JWE header may hold, in the order of their slots in [`Members`].
const MEMBER_NAMES: [&str; 12] = [
    "alg", "enc", "kid", "typ", "cty", "apu", "apv", "p2s", "crit", "zip", "p2c", "epk",
];

/// The registered members read as strings; the others (`crit`, `zip`, `p2c`, `epk`) are read
/// as JSON values.
const STRING_MEMBERS: usize = 8;

/// A registered member as read.
enum Slot<'de> {
    Str(Cow<'de, str>),
    NotString,
    Value(Value),
}

/// A header object read by [`MembersVisitor`]: the registered members typed, only the unknown
/// ones kept as JSON values.
struct Members<'de> {
    slots: [Option<Slot<'de>>; MEMBER_NAMES.len()],
    extra: Map<String, Value>,
}

impl<'de> Members<'de> {
    fn remove(&mut self, name: &str) -> Option<Slot<'de>> {
        let i = MEMBER_NAMES.iter().position(|n| *n == name)?;
        self.slots[i].take()
    }
}

/// Reads the header object. It runs inside the strict reader (`Strictness::seed`), which checks
/// every object at every depth (duplicate names, nesting, the member count) exactly as when the
/// header is read as one JSON value; every member's value is read in full.
struct MembersVisitor;

impl<'de> DeserializeSeed<'de> for MembersVisitor {
    type Value = Members<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Members<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Members<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
        let mut members = Members {
            slots: Default::default(),
            extra: Map::new(),
        };
        while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
            match MEMBER_NAMES.iter().position(|n| *n == name) {
                Some(i) if i < STRING_MEMBERS => {
                    let value = map.next_value_seed(LenientSeed::<Cow<'de, str>>::new())?;
                    members.slots[i] = Some(value.map_or(Slot::NotString, Slot::Str));
                }
                Some(i) => members.slots[i] = Some(Slot::Value(map.next_value()?)),
                None => {
                    let value = map.next_value()?;
                    members.extra.insert(name.into_owned(), value);
                }
            }
        }
        Ok(members)
    }
}

/// The header's one JSON object, read strictly, its registered members typed.
fn read_members(bytes: &[u8]) -> Result<Members<'_>, Error> {
    if bytes.len() > MAX_HEADER_BYTES {
        return Err(MalformedError::HeaderTooLarge {
            size: bytes.len(),
            limit: MAX_HEADER_BYTES,
        }
        .into());
    }
    let json = |reason: String| -> Error {
        MalformedError::Json {
            segment: "header",
            reason,
        }
        .into()
    };
    let text = std::str::from_utf8(bytes).map_err(|_| json("not UTF-8".into()))?;
    if !text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .starts_with('{')
    {
        // Not an object: the JSON value's own error, or that it is not an object.
        return Err(read_object(bytes)
            .err()
            .unwrap_or_else(|| json("not a JSON object".into())));
    }
    let strict = Strictness::new(MAX_HEADER_DEPTH, MAX_HEADER_VALUES);
    let mut de = serde_json::Deserializer::from_str(text);
    let members = strict
        .seed(MembersVisitor)
        .deserialize(&mut de)
        .map_err(|e| match strict.take() {
            Some(fault) => json(fault.to_string()),
            None => json(e.to_string()),
        })?;
    de.end().map_err(|e| json(e.to_string()))?;
    Ok(members)
}

/// Parses the decoded protected header: at most [`MAX_HEADER_BYTES`], UTF-8, one JSON object,
/// no duplicate names at any depth, capped depth and member count; linear in its length.
pub(crate) fn parse(bytes: &[u8]) -> Result<ParsedJweHeader, Error> {
    if bytes.len() > MAX_HEADER_BYTES {
        return Err(MalformedError::HeaderTooLarge {
            size: bytes.len(),
            limit: MAX_HEADER_BYTES,
        }
        .into());
    }
    if let Some(parsed) = parse_plain(bytes) {
        return Ok(parsed);
    }
    parse_strict(bytes)
}

/// The strict parser, for any header: the registered members typed, the others kept as JSON
/// values; their checks in a fixed order, after the whole object was read.
fn parse_strict(bytes: &[u8]) -> Result<ParsedJweHeader, Error> {
    let mut members = read_members(bytes)?;
    let alg = match members.remove("alg") {
        None => return Err(header_error("alg", "is missing")),
        Some(Slot::Str(alg)) => algorithm_name(alg),
        Some(_) => return Err(header_error("alg", "must be a string")),
    };
    let enc = match members.remove("enc") {
        None => return Err(header_error("enc", "is missing")),
        Some(Slot::Str(enc)) => encryption_name(enc),
        Some(_) => return Err(header_error("enc", "must be a string")),
    };
    let mut fault = None;
    let mut note = |error: Error| {
        if fault.is_none() {
            fault = Some(error);
        }
    };
    if let Some(crit) = members.remove("crit") {
        note(match crit {
            Slot::Value(crit) => critical(&crit),
            Slot::Str(_) | Slot::NotString => critical(&Value::Null),
        });
    }
    if members.remove("zip").is_some() {
        note(header_error(
            "zip",
            "is not supported: compressed plaintext is refused",
        ));
    }
    let mut string = |name: &'static str, note: &mut dyn FnMut(Error)| match members.remove(name) {
        None => None,
        Some(Slot::Str(s)) => Some(s.into_owned()),
        Some(_) => {
            note(header_error(name, "must be a string"));
            None
        }
    };
    let key_id = string("kid", &mut note);
    let token_type = string("typ", &mut note);
    let content_type = string("cty", &mut note);
    let mut bytes = |name: &'static str, note: &mut dyn FnMut(Error)| {
        let text = string(name, note)?;
        let decoded = base64url::decode(&text).ok();
        if decoded.is_none() {
            note(header_error(name, "is not canonical unpadded base64url"));
        }
        decoded
    };
    let party_u = bytes("apu", &mut note);
    let party_v = bytes("apv", &mut note);
    let pbes2_salt = bytes("p2s", &mut note);
    let pbes2_count = match members.remove("p2c") {
        None => None,
        Some(Slot::Value(Value::Number(n))) if n.as_u64().is_some_and(|c| c > 0) => n.as_u64(),
        Some(_) => {
            note(header_error("p2c", "must be a positive integer"));
            None
        }
    };
    let ephemeral_key = match members.remove("epk") {
        None => None,
        Some(Slot::Value(epk @ Value::Object(_))) => Some(epk),
        Some(_) => {
            note(header_error("epk", "must be a JSON object (a JWK)"));
            None
        }
    };
    Ok(ParsedJweHeader {
        alg,
        enc,
        header: JweHeader {
            algorithm: None,
            encryption: ContentEncryption::A128Gcm,
            key_id,
            token_type,
            content_type,
            party_u,
            party_v,
            ephemeral_key,
            pbes2_salt,
            pbes2_count,
            extra: members.extra,
        },
        fault,
    })
}

/// `alg`, borrowed from the algorithm's name when webtoken implements it.
fn algorithm_name(alg: impl AsRef<str> + Into<String>) -> Cow<'static, str> {
    match KeyAlgorithm::from_name(alg.as_ref()) {
        Some(known) => Cow::Borrowed(known.as_str()),
        None => Cow::Owned(alg.into()),
    }
}

/// `enc`, borrowed from the algorithm's name when webtoken implements it.
fn encryption_name(enc: impl AsRef<str> + Into<String>) -> Cow<'static, str> {
    match ContentEncryption::from_name(enc.as_ref()) {
        Some(known) => Cow::Borrowed(known.as_str()),
        None => Cow::Owned(enc.into()),
    }
}

/// The fast path for the headers nearly every token has: a JSON object without whitespace whose
/// members are only `alg`, `enc`, `kid`, `typ` and `cty`, each at most once, `alg` and `enc`
/// present, every value a string free of escapes and control characters. Such text has exactly
/// one reading, the one the strict parser gives it (and no fault); anything else returns `None`
/// and goes to the strict parser.
fn parse_plain(bytes: &[u8]) -> Option<ParsedJweHeader> {
    let mut rest = bytes.strip_prefix(b"{")?.strip_suffix(b"}")?;
    let (mut alg, mut enc) = (None, None);
    let mut header = JweHeader::new(ContentEncryption::A128Gcm);
    while !rest.is_empty() {
        let (name, value, tail) = plain_member(rest)?;
        match name {
            b"alg" if alg.is_none() => alg = Some(algorithm_name(value)),
            b"enc" if enc.is_none() => enc = Some(encryption_name(value)),
            b"kid" if header.key_id.is_none() => header.key_id = Some(value.to_owned()),
            b"typ" if header.token_type.is_none() => header.token_type = Some(value.to_owned()),
            b"cty" if header.content_type.is_none() => {
                header.content_type = Some(value.to_owned());
            }
            _ => return None,
        }
        rest = match tail {
            [] => tail,
            [b',', more @ ..] if !more.is_empty() => more,
            _ => return None,
        };
    }
    Some(ParsedJweHeader {
        alg: alg?,
        enc: enc?,
        header,
        fault: None,
    })
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
    let plain = |text: &[u8]| text.iter().all(|&b| b >= 0x20 && b != b'\\');
    if !plain(value) || !plain(name) {
        return None;
    }
    Some((name, std::str::from_utf8(value).ok()?, &input[1..]))
}

/// `crit`: a non-empty array of at most [`MAX_CRITICAL_NAMES`] strings, none registered; any
/// name is then unsupported.
fn critical(crit: &Value) -> Error {
    let Value::Array(names) = crit else {
        return header_error("crit", "must be an array of strings");
    };
    if names.is_empty() {
        return header_error("crit", "must not be empty");
    }
    if names.len() > MAX_CRITICAL_NAMES {
        return header_error("crit", "lists too many names");
    }
    let mut first = None;
    for name in names {
        let Value::String(name) = name else {
            return header_error("crit", "must be an array of strings");
        };
        if RESERVED.contains(&name.as_str()) {
            return header_error("crit", "must not list registered header parameters");
        }
        first.get_or_insert(name);
    }
    CriticalHeaderError {
        name: first.cloned().unwrap_or_default(),
    }
    .into()
}

impl ParsedJweHeader {
    /// The `alg` as an implemented algorithm, or the allow-list error.
    pub(crate) fn key_algorithm(&self) -> Result<KeyAlgorithm, Error> {
        KeyAlgorithm::from_name(&self.alg).ok_or_else(|| {
            AlgorithmRejection::NotAllowed {
                found: self.alg.clone().into_owned(),
            }
            .into()
        })
    }

    /// The `enc` as an implemented algorithm, or the allow-list error.
    pub(crate) fn content_encryption(&self) -> Result<ContentEncryption, Error> {
        ContentEncryption::from_name(&self.enc).ok_or_else(|| {
            AlgorithmRejection::EncryptionNotAllowed {
                found: self.enc.clone().into_owned(),
            }
            .into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(json: &str) -> String {
        match parse(json.as_bytes()) {
            Ok(p) => p.fault.map_or_else(|| "ok".to_owned(), |e| e.to_string()),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn strict_parse() {
        assert_eq!(message(r#"{"alg":"dir","enc":"A128GCM"}"#), "ok");
        assert!(message(r#"{"alg":"dir","alg":"dir","enc":"A128GCM"}"#).contains("duplicate"));
        assert!(
            message(r#"{"alg":"dir","enc":"A128GCM","x":{"a":1,"a":2}}"#).contains("duplicate")
        );
        assert!(message(r#"{"enc":"A128GCM"}"#).contains("alg"));
        assert!(message(r#"{"alg":"dir"}"#).contains("enc"));
        assert!(message(r#"{"alg":1,"enc":"A128GCM"}"#).contains("must be a string"));
        assert!(message(r#"{"alg":"dir","enc":"A128GCM","zip":"DEF"}"#).contains("zip"));
        assert_eq!(
            message(r#"{"alg":"dir","enc":"A128GCM","crit":["exp"],"exp":1}"#),
            "critical header parameter \"exp\" is not supported"
        );
        assert!(message(r#"{"alg":"dir","enc":"A128GCM","crit":["enc"]}"#).contains("registered"));
        assert!(message(r#"{"alg":"dir","enc":"A128GCM","crit":[]}"#).contains("empty"));
        assert!(message(r#"{"alg":"dir","enc":"A128GCM","kid":3}"#).contains("kid"));
        assert!(message(r#"{"alg":"dir","enc":"A128GCM","apu":"a="}"#).contains("apu"));
        assert!(message(r#"{"alg":"dir","enc":"A128GCM","epk":"x"}"#).contains("epk"));
        assert!(message("[]").contains("object"));
        assert!(message("{\"alg\":\"dir\",\"enc\":\"A128GCM\"} x").contains("header"));
        let deep = format!(
            "{{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"x\":{}1{}}}",
            "[".repeat(40),
            "]".repeat(40)
        );
        assert!(message(&deep).contains("header"));
        let big = format!(
            "{{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"x\":\"{}\"}}",
            "a".repeat(MAX_HEADER_BYTES)
        );
        assert!(message(&big).contains("larger than the limit"));
    }

    /// The fast path reads exactly what the strict parser reads, and declines everything else.
    #[test]
    fn plain_path_agrees_with_the_strict_parser() {
        for json in [
            r#"{"alg":"dir","enc":"A256GCM"}"#,
            r#"{"enc":"A128CBC-HS256","alg":"A128KW"}"#,
            r#"{"alg":"dir","enc":"A256GCM","kid":"k1","typ":"JWT","cty":"JWT"}"#,
            r#"{"cty":"x","typ":"y","kid":"","enc":"A1","alg":"none"}"#,
            "{\"alg\":\"RSA1_5\",\"enc\":\"A256GCM\",\"kid\":\"\u{e9}t\u{e9} \u{1f600}\"}",
        ] {
            let plain = parse_plain(json.as_bytes()).expect(json);
            let strict = parse_strict(json.as_bytes()).unwrap();
            assert_eq!(plain.alg, strict.alg, "{json}");
            assert_eq!(plain.enc, strict.enc, "{json}");
            assert_eq!(plain.header, strict.header, "{json}");
            assert!(plain.fault.is_none() && strict.fault.is_none(), "{json}");
            let implemented = KeyAlgorithm::from_name(&plain.alg).is_some();
            assert_eq!(matches!(plain.alg, Cow::Borrowed(_)), implemented, "{json}");
        }
        for json in [
            r#"{"alg":"dir","alg":"dir","enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A128GCM","enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A128GCM","kid":"a","kid":"a"}"#,
            r#"{"alg":"dir","enc":"A128GCM","typ":"JWT","typ":"JWT"}"#,
            r#"{"alg":"dir","enc":"A128GCM","cty":"a","cty":"b"}"#,
            r#"{"alg":"dir"}"#,
            r#"{"enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A128GCM","x":"y"}"#,
            r#"{"alg":"dir","enc":"A128GCM","zip":"DEF"}"#,
            r#"{"alg":"dir","enc":"A128GCM","crit":"x"}"#,
            r#"{"alg":"dir","enc":"A128GCM","kid":3}"#,
            r#"{"alg":"dir","enc":"A128GCM","kid":"a\"b"}"#,
            r#"{"alg":"dir","enc":"A128GCM","kid":"\u0041"}"#,
            r#"{"al\u0067":"dir","enc":"A128GCM"}"#,
            "{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"a\tb\"}",
            r#"{ "alg":"dir","enc":"A128GCM"}"#,
            r#"{"alg":"dir", "enc":"A128GCM"}"#,
            r#"{"alg" :"dir","enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A128GCM",}"#,
            r#"{"alg":"dir",,"enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A128GCM"}}"#,
            r#"{{"alg":"dir","enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A128GCM""#,
            "{}",
            "",
        ] {
            assert!(parse_plain(json.as_bytes()).is_none(), "{json}");
        }
        let mut invalid = br#"{"alg":"dir","enc":"A128GCM","kid":""#.to_vec();
        invalid.extend_from_slice(b"\xff\"}");
        assert!(parse_plain(&invalid).is_none());
        assert!(parse(&invalid).is_err());
    }

    /// The parser before the typed reading: the whole header as one JSON value, then the
    /// registered members taken out (the oracle of `typed_reading_agrees_with_the_value_reading`).
    fn parse_as_value(bytes: &[u8]) -> Result<ParsedJweHeader, Error> {
        let mut members = read_object(bytes)?;
        let alg = match members.remove("alg") {
            None => return Err(header_error("alg", "is missing")),
            Some(Value::String(alg)) => algorithm_name(alg),
            Some(_) => return Err(header_error("alg", "must be a string")),
        };
        let enc = match members.remove("enc") {
            None => return Err(header_error("enc", "is missing")),
            Some(Value::String(enc)) => encryption_name(enc),
            Some(_) => return Err(header_error("enc", "must be a string")),
        };
        let mut fault = None;
        let mut note = |error: Error| {
            if fault.is_none() {
                fault = Some(error);
            }
        };
        if let Some(crit) = members.remove("crit") {
            note(critical(&crit));
        }
        if members.remove("zip").is_some() {
            note(header_error(
                "zip",
                "is not supported: compressed plaintext is refused",
            ));
        }
        let mut string =
            |name: &'static str, note: &mut dyn FnMut(Error)| match members.remove(name) {
                None => None,
                Some(Value::String(s)) => Some(s),
                Some(_) => {
                    note(header_error(name, "must be a string"));
                    None
                }
            };
        let key_id = string("kid", &mut note);
        let token_type = string("typ", &mut note);
        let content_type = string("cty", &mut note);
        let mut bytes = |name: &'static str, note: &mut dyn FnMut(Error)| {
            let text = string(name, note)?;
            let decoded = base64url::decode(&text).ok();
            if decoded.is_none() {
                note(header_error(name, "is not canonical unpadded base64url"));
            }
            decoded
        };
        let party_u = bytes("apu", &mut note);
        let party_v = bytes("apv", &mut note);
        let pbes2_salt = bytes("p2s", &mut note);
        let pbes2_count = match members.remove("p2c") {
            None => None,
            Some(Value::Number(n)) if n.as_u64().is_some_and(|c| c > 0) => n.as_u64(),
            Some(_) => {
                note(header_error("p2c", "must be a positive integer"));
                None
            }
        };
        let ephemeral_key = match members.remove("epk") {
            None => None,
            Some(epk @ Value::Object(_)) => Some(epk),
            Some(_) => {
                note(header_error("epk", "must be a JSON object (a JWK)"));
                None
            }
        };
        Ok(ParsedJweHeader {
            alg,
            enc,
            header: JweHeader {
                algorithm: None,
                encryption: ContentEncryption::A128Gcm,
                key_id,
                token_type,
                content_type,
                party_u,
                party_v,
                ephemeral_key,
                pbes2_salt,
                pbes2_count,
                extra: members,
            },
            fault,
        })
    }

    fn outcome(result: Result<ParsedJweHeader, Error>) -> String {
        match result {
            Ok(p) => format!(
                "{}|{}|{:?}|{}",
                p.alg,
                p.enc,
                p.header,
                p.fault.map_or_else(String::new, |e| e.to_string())
            ),
            Err(e) => format!("error: {e}"),
        }
    }

    /// Headers for `typed_reading_agrees_with_the_value_reading`: wrong types, duplicates at
    /// any depth and behind escapes, nesting and member caps at and past their limits,
    /// non-objects.
    fn parity_cases() -> Vec<String> {
        let deep = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        let nested = |n: usize| format!("{}1{}", r#"{"a":"#.repeat(n), "}".repeat(n));
        let many = |n: usize| format!("[{}]", vec!["0"; n].join(","));
        let base = r#""alg":"ECDH-ES","enc":"A256GCM""#;
        let mut cases: Vec<String> = [
            r#"{"alg":"dir","enc":"A128GCM"}"#,
            r#" {"alg" : "dir" , "enc":"A128GCM"} "#,
            r#"{"alg":"dir","enc":"A128GCM","x":{"a":1,"a":2}}"#,
            r#"{"alg":"dir","enc":"A128GCM","x":[{"a":1,"\u0061":2}]}"#,
            r#"{"alg":"dir","\u0061lg":"dir","enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A128GCM","kid":"a","kid":"a"}"#,
            r#"{"alg":"dir","enc":"A128GCM","u":1,"u":1}"#,
            r#"{"alg":"dir","enc":"A128GCM","epk":{"kty":"EC","kty":"EC"}}"#,
            r#"{"alg":"dir","enc":"A128GCM","kid":{"a":1,"a":2}}"#,
            r#"{"alg":{"a":1,"a":2},"enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A128GCM","zip":{"a":1,"a":2}}"#,
            r#"{"enc":"A128GCM"}"#,
            r#"{"alg":"dir"}"#,
            r#"{"alg":1,"enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":null}"#,
            r#"{"alg":"dir","enc":"A128GCM","zip":"DEF","kid":3}"#,
            r#"{"alg":"dir","enc":"A128GCM","kid":3,"zip":"DEF"}"#,
            r#"{"alg":"dir","enc":"A128GCM","epk":"x","crit":["exp"],"exp":1}"#,
            r#"{"alg":"dir","enc":"A128GCM","crit":["enc"]}"#,
            r#"{"alg":"dir","enc":"A128GCM","crit":[]}"#,
            r#"{"alg":"dir","enc":"A128GCM","crit":"exp"}"#,
            r#"{"alg":"dir","enc":"A128GCM","crit":[1]}"#,
            r#"{"alg":"dir","enc":"A128GCM","apu":"a=","apv":"AQ","p2s":7}"#,
            r#"{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2s":"AAAAAAAAAAA","p2c":1000}"#,
            r#"{"alg":"dir","enc":"A128GCM","p2c":0}"#,
            r#"{"alg":"dir","enc":"A128GCM","p2c":-1}"#,
            r#"{"alg":"dir","enc":"A128GCM","p2c":1.5}"#,
            r#"{"alg":"dir","enc":"A128GCM","p2c":"9"}"#,
            r#"{"alg":"dir","enc":"A128GCM","p2c":18446744073709551616}"#,
            r#"{"alg":"dir","enc":"A128GCM","typ":"JWT","cty":"\u004aWT","kid":"k\n"}"#,
            r#"{"alg":"A128KW","enc":"A128CBC-HS256","x":[1,{"b":null}],"y":"z"}"#,
            r#"{"alg":"d\u0069r","enc":"A128GCM"}"#,
            r#"{"alg":"RSA1_5","enc":"A128GCM"}"#,
            r#"{"alg":"dir","enc":"A128GCM"} x"#,
            r#"{"alg":"dir","enc":"A128GCM"}}"#,
            r#"{"alg":"dir","enc":"A128GCM","#,
            r#"{"alg":"dir","enc":"A128GCM",}"#,
            r#"{"alg":"dir","enc":"A128GCM","x":1e400}"#,
            "[]",
            "[{\"a\":1,\"a\":2}]",
            "\"x\"",
            "1",
            "null",
            " ",
            "",
            "{}",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        cases.push(format!(
            r#"{{"alg":"dir","enc":"A128GCM","kid":"\u00e9t\u00e9","x":"{}"}}"#,
            "\u{e9}"
        ));
        for n in [
            MAX_HEADER_DEPTH - 2,
            MAX_HEADER_DEPTH - 1,
            MAX_HEADER_DEPTH,
            MAX_HEADER_DEPTH + 1,
        ] {
            cases.push(format!("{{{base},\"x\":{}}}", deep(n)));
            cases.push(format!("{{{base},\"x\":{}}}", nested(n)));
            cases.push(format!("{{{base},\"epk\":{}}}", nested(n)));
            cases.push(format!("{{{base},\"kid\":{}}}", deep(n)));
        }
        for n in [
            MAX_HEADER_VALUES - 4,
            MAX_HEADER_VALUES - 3,
            MAX_HEADER_VALUES - 2,
            MAX_HEADER_VALUES,
        ] {
            cases.push(format!("{{{base},\"x\":{}}}", many(n)));
            cases.push(format!("{{{base},\"kid\":{}}}", many(n)));
        }
        let members: Vec<String> = (0..MAX_HEADER_VALUES)
            .map(|i| format!("\"m{i}\":0"))
            .collect();
        for n in [
            MAX_HEADER_VALUES - 3,
            MAX_HEADER_VALUES - 2,
            MAX_HEADER_VALUES - 1,
        ] {
            cases.push(format!("{{{base},{}}}", members[..n].join(",")));
        }
        cases
    }

    /// The typed strict reading gives every header the value reading's verdict: the same
    /// fields, the same first fault, the same error.
    #[test]
    fn typed_reading_agrees_with_the_value_reading() {
        let cases = parity_cases();
        let mut verdicts = std::collections::HashSet::new();
        for case in &cases {
            let typed = outcome(parse_strict(case.as_bytes()));
            assert_eq!(typed, outcome(parse_as_value(case.as_bytes())), "{case}");
            verdicts.insert(typed.split(':').next().map(str::to_owned));
        }
        let invalid = b"{\"alg\":\"dir\",\"enc\":\"A128GCM\",\"kid\":\"\xff\"}";
        assert_eq!(
            outcome(parse_strict(invalid)),
            outcome(parse_as_value(invalid))
        );
        // The cases reach both accepted headers and several kinds of refusal.
        assert!(verdicts.len() > 5, "{verdicts:?}");
    }

    #[test]
    fn header_json_order_and_reserved_names() {
        let header = JweHeader::new(ContentEncryption::A128CbcHs256);
        assert_eq!(
            header.to_json(KeyAlgorithm::A128Kw).unwrap(),
            r#"{"alg":"A128KW","enc":"A128CBC-HS256"}"#
        );
        let header = header
            .with_key_id("k")
            .with_type("JWT")
            .with_content_type("JWT");
        assert_eq!(
            header.to_json(KeyAlgorithm::Dir).unwrap(),
            r#"{"alg":"dir","enc":"A128CBC-HS256","kid":"k","typ":"JWT","cty":"JWT"}"#
        );
        for name in RESERVED {
            let h = JweHeader::new(ContentEncryption::A128Gcm).with_extra(name, 1);
            assert!(h.to_json(KeyAlgorithm::Dir).is_err(), "{name}");
        }
    }
}
