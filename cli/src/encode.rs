//! `jwt encode`: the claims from the claims JSON and the claim flags, checked against each
//! other, signed with the header of `--alg`, `--kid`, `--typ` and `--header`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use webtoken::{Algorithm, ErrorKind, SigningKey};

use crate::args::{ClaimArgs, EncodeArgs, TimeSpec};
use crate::failure::Failure;
use crate::input::read_input;
use crate::keys::{load_key, signing_algorithm, signing_key};
use crate::output::print_line;

pub(crate) fn encode(args: &EncodeArgs) -> Result<(), Failure> {
    let input = load_key(&args.key)?;
    let algorithm = match args.alg {
        Some(algorithm) => algorithm,
        None => signing_algorithm(&input)?,
    };
    let key = signing_key(&input, algorithm, args.kid.as_deref())?;
    let header = header_json(args, algorithm, &key)?;
    let (claims, order) = claims(&args.claims)?;
    let payload = if args.claims.keep_order {
        in_order(&claims, &order)
    } else {
        serde_json::to_string(&claims).map_err(|e| Failure::Io(e.to_string()))?
    };
    let token = webtoken::jws::sign_with_header_json(&header, payload.as_bytes(), &key)
        .map_err(|e| Failure::from(e).into_input())?;
    // Never print a token that `verify` would refuse for its shape or claim types. What is
    // wrong is the input given here, so exit 2.
    webtoken::dangerous::decode_unverified::<serde::de::IgnoredAny>(&token)
        .map_err(|e| Failure::from(e).into_input())?;
    print_line(&token)
}

/// The header: `--header`'s parameters, then `alg`, `kid` and `typ` (default `JWT`).
fn header_json(
    args: &EncodeArgs,
    algorithm: Algorithm,
    key: &SigningKey,
) -> Result<String, Failure> {
    let mut header = args.header.clone().unwrap_or_default();
    let alg = algorithm.as_str();
    if header.get("alg").is_some_and(|v| v != alg) {
        return Err(Failure::usage(format!(
            "--header sets alg to another algorithm than --alg {alg}"
        )));
    }
    header.insert("alg".into(), alg.into());
    if let Some(kid) = args.kid.as_deref().or(key.key_id()) {
        if args.kid.is_some() || !header.contains_key("kid") {
            header.insert("kid".into(), kid.into());
        }
    }
    if let Some(typ) = &args.typ {
        header.insert("typ".into(), typ.as_str().into());
    } else if !header.contains_key("typ") && !args.no_typ {
        header.insert("typ".into(), "JWT".into());
    }
    serde_json::to_string(&header).map_err(|e| Failure::Io(format!("cannot write JSON: {e}")))
}

/// The claims JSON (or `{}` when only flags give claims), the claim flags, then `iat` and
/// `--exp` where no claim is given already; and the names in the order they were given.
pub(crate) fn claims(args: &ClaimArgs) -> Result<(Map<String, Value>, Vec<String>), Failure> {
    let (mut claims, order) = if args.claims_json.is_none() && args.has_claim_flags() {
        (Map::new(), Vec::new())
    } else {
        parse_claims(&read_input(args.claims_json.as_ref(), "claims")?)?
    };
    let mut sources: Vec<(String, String)> = order
        .iter()
        .map(|name| (name.clone(), "the claims JSON".to_owned()))
        .collect();
    let now = unix_now();
    let mut set = |name: &str, value: Value, source: String| {
        if let Some(present) = claims.get(name) {
            if *present == value {
                return Ok(());
            }
            let earlier = sources
                .iter()
                .find(|(claim, _)| claim == name)
                .map_or("the claims JSON", |(_, source)| source.as_str());
            return Err(Failure::usage(format!(
                "{source} sets {name} to {}, but {earlier} sets it to {}; give it once",
                shown(&value),
                shown(present)
            )));
        }
        claims.insert(name.to_owned(), value);
        sources.push((name.to_owned(), source));
        Ok(())
    };
    for (name, value) in &args.claim {
        set(name, value.clone(), format!("-P {name}=…"))?;
    }
    let strings = [("iss", &args.iss), ("sub", &args.sub), ("jti", &args.jti)];
    for (name, value) in strings {
        if let Some(value) = value {
            set(name, value.as_str().into(), format!("--{name}"))?;
        }
    }
    match args.aud.as_slice() {
        [] => {}
        [one] => set("aud", one.as_str().into(), "--aud".into())?,
        several => set("aud", several.into(), "--aud".into())?,
    }
    if let Some(nbf) = args.nbf {
        set("nbf", at(nbf, now, "--nbf")?.into(), "--nbf".into())?;
    }
    let mut order: Vec<String> = sources.into_iter().map(|(name, _)| name).collect();
    let mut default = |name: &str, value: i64| {
        if !claims.contains_key(name) {
            claims.insert(name.to_owned(), value.into());
            order.push(name.to_owned());
        }
    };
    if !args.no_iat {
        default("iat", now);
    }
    if let Some(exp) = args.exp {
        // A claim given in the claims JSON or by -P wins over --exp (docs/cli.md).
        default("exp", at(exp, now, "--exp")?);
    }
    Ok((claims, order))
}

/// The claims as a JSON object with its members in `order` (each name once).
pub(crate) fn in_order(claims: &Map<String, Value>, order: &[String]) -> String {
    let members: Vec<String> = order
        .iter()
        .filter_map(|name| {
            Some(format!(
                "{}:{}",
                Value::from(name.as_str()),
                claims.get(name)?
            ))
        })
        .collect();
    format!("{{{}}}", members.join(","))
}

/// A value for a message: compact JSON, cut after 40 characters.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

fn at(time: TimeSpec, now: i64, flag: &str) -> Result<i64, Failure> {
    match time {
        TimeSpec::At(at) => Ok(at),
        TimeSpec::FromNow(secs) => now
            .checked_add(secs)
            .ok_or_else(|| Failure::usage(format!("{flag} is too far from now"))),
    }
}

/// The claims JSON: unusable input (exit 2) unless it is a UTF-8 JSON object; and its member
/// names in the order they appear (a repeated name where it first appears; its last value
/// counts, as in the object).
fn parse_claims(text: &[u8]) -> Result<(Map<String, Value>, Vec<String>), Failure> {
    let malformed = |reason: String| Failure::Input(ErrorKind::Malformed, reason);
    let text = std::str::from_utf8(text).map_err(|_| malformed("claims are not UTF-8".into()))?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(claims)) => {
            let names = serde_json::from_str::<Names>(text)
                .map_err(|e| malformed(format!("claims are not JSON: {e}")))?;
            let mut seen = std::collections::HashSet::with_capacity(claims.len());
            let order = names
                .0
                .into_iter()
                .filter(|n| seen.insert(n.clone()))
                .collect();
            Ok((claims, order))
        }
        Ok(other) => Err(Failure::Input(
            ErrorKind::InvalidClaim,
            format!("claims must be a JSON object, found {}", json_type(&other)),
        )),
        Err(e) => Err(malformed(format!("claims are not JSON: {e}"))),
    }
}

/// The member names of a JSON object, in document order (values skipped).
struct Names(Vec<String>);

impl<'de> serde::Deserialize<'de> for Names {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Names;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Names, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = map.next_key::<String>()? {
                    map.next_value::<serde::de::IgnoredAny>()?;
                    names.push(name);
                }
                Ok(Names(names))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn unix_now() -> i64 {
    let signed = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(after) => signed(after),
        Err(before) => -signed(before.duration()),
    }
}
