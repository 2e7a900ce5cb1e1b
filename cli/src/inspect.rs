//! `jwt decode` (header and claims, not verified) and `jwt verify` (signature and claims).

use std::time::Duration;

use serde_json::Value;
use webtoken::{
    AlgorithmSet, DEFAULT_MAX_TOKEN_SIZE, ErrorKind, MAX_HEADER_BYTES, NumericDate, UntrustedToken,
    Validation,
};

use crate::args::{CheckArgs, DecodeArgs, VerifyArgs};
use crate::failure::Failure;
use crate::input::read_token;
use crate::keys::{load_key, own_algorithms, verifier};
use crate::output::{Output, with_dates};

pub(crate) fn decode(args: &DecodeArgs, output: Output) -> Result<(), Failure> {
    let token = read_token(args.token.as_ref())?;
    if UntrustedToken::is_encrypted(&token) {
        let header = encrypted_header(&token)?;
        output.note_line(
            "this is an encrypted token (JWE): its payload is encrypted and its header is not \
             authenticated until it is decrypted; jwt decrypt --key FILE shows its claims",
        );
        return output.header_only(&header);
    }
    // Size, shape, header, duplicate names and registered claim types; a token whose only
    // fault is a wrongly typed claim is shown anyway (that is what one debugs).
    if let Err(e) = webtoken::dangerous::decode_unverified::<serde::de::IgnoredAny>(&token) {
        if e.kind() != ErrorKind::InvalidClaim {
            return Err(e.into());
        }
        output.note_line(&format!(
            "verify would refuse this token: {}: {e}",
            e.kind()
        ));
    }
    let mut segments = token.split('.');
    let header = segment_json(segments.next(), "header")?;
    let claims = segment_json(segments.next(), "payload")?;
    output.warning_line("the signature was NOT verified; anyone can forge these claims");
    output.header_and_claims(&header, &with_dates(&claims, args.date.date))
}

/// The protected header of a token with five segments (a JWE), for `decode`: the size limit
/// first, the Base64Url alphabet of every segment, then the header segment as a JSON object of
/// at most `MAX_HEADER_BYTES`. Nothing is decrypted (no key is needed), so this works without
/// the `jwe` feature.
fn encrypted_header(token: &str) -> Result<Value, Failure> {
    let malformed = |message: String| Failure::Kind(ErrorKind::Malformed, message);
    if token.len() > DEFAULT_MAX_TOKEN_SIZE {
        return Err(Failure::Kind(
            ErrorKind::TokenTooLarge,
            format!(
                "token is {} bytes, more than the limit of {DEFAULT_MAX_TOKEN_SIZE}",
                token.len()
            ),
        ));
    }
    if let Some(at) = token
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
    {
        return Err(malformed(format!(
            "token contains a character outside the base64url alphabet at byte {at}"
        )));
    }
    let segment = token.split('.').next().unwrap_or_default();
    let bytes = webtoken::base64url::decode(segment)
        .map_err(|_| malformed("the encrypted token's header is not base64url".into()))?;
    if bytes.len() > MAX_HEADER_BYTES {
        return Err(malformed(format!(
            "the encrypted token's header is {} bytes, more than {MAX_HEADER_BYTES}",
            bytes.len()
        )));
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(header @ Value::Object(_)) => {
            // As the library refuses them in a JWS header: a value shown must be the one read.
            if serde_json::from_slice::<Unique>(&bytes).is_err() {
                return Err(malformed(
                    "the encrypted token's header has a duplicate member name".into(),
                ));
            }
            Ok(header)
        }
        _ => Err(malformed(
            "the encrypted token's header is not a JSON object".into(),
        )),
    }
}

/// Any JSON value whose objects (at every depth) have no repeated member name; deserializing
/// fails on the first repeat. Linear in the input (each name is hashed once); serde_json caps
/// the depth.
struct Unique;

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueVisitor)
    }
}

struct UniqueVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueVisitor {
    type Value = Unique;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_unit<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
        while seq.next_element::<Unique>()?.is_some() {}
        Ok(Unique)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(name) = map.next_key::<String>()? {
            if !seen.insert(name) {
                return Err(serde::de::Error::custom("duplicate member name"));
            }
            map.next_value::<Unique>()?;
        }
        Ok(Unique)
    }
}

/// A token segment, already checked by the parser, as JSON.
fn segment_json(segment: Option<&str>, name: &str) -> Result<Value, Failure> {
    let malformed = || Failure::Kind(ErrorKind::Malformed, format!("{name} is not JSON"));
    let bytes =
        webtoken::base64url::decode(segment.unwrap_or_default()).map_err(|_| malformed())?;
    serde_json::from_slice(&bytes).map_err(|_| malformed())
}

pub(crate) fn verify(args: &VerifyArgs, output: Output) -> Result<(), Failure> {
    let key = load_key(&args.key)?;
    let algorithms = if args.alg.is_empty() {
        own_algorithms(&key)?
    } else {
        args.alg.iter().copied().collect()
    };
    if algorithms.is_empty() {
        return Err(Failure::key(
            "the key serves no algorithm webtoken implements",
        ));
    }
    let verifier = verifier(key, algorithms)?;
    let validation = validation(&args.checks, Some(algorithms));
    let token = read_token(args.token.as_ref())?;
    webtoken::decode::<()>(&token, &verifier, &validation)?;
    let claims = segment_json(token.split('.').nth(1), "payload")?;
    output.json(&with_dates(&claims, args.checks.date.date))
}

/// The claim checks of `verify` and `decrypt`, and the accepted signing algorithms (for
/// `decrypt` of a token that is not nested, none: no signature is checked).
pub(crate) fn validation(args: &CheckArgs, algorithms: Option<AlgorithmSet>) -> Validation {
    let mut validation = Validation::new();
    if let Some(algorithms) = algorithms {
        validation = validation.with_algorithms(algorithms.iter());
    }
    if args.allow_missing_exp {
        // Before --require, so that `--require exp` still requires it.
        validation = validation.allow_missing_expiry();
    }
    for issuer in &args.iss {
        validation = validation.with_issuer(issuer);
    }
    for audience in &args.aud {
        validation = validation.with_audience(audience);
    }
    if let Some(subject) = &args.sub {
        validation = validation.with_subject(subject);
    }
    if let Some(typ) = &args.typ {
        validation = validation.with_type(typ);
    }
    if let Some(leeway) = args.leeway {
        validation = validation.with_leeway(Duration::from_secs(leeway));
    }
    if let Some(now) = args.now {
        validation = validation.with_fixed_time(NumericDate::from_secs(now));
    }
    for claim in &args.require {
        validation = validation.require(claim);
    }
    validation
}
