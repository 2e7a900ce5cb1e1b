//! `jwt encode`: the claims from the claims JSON and the claim flags, checked against each
//! other, signed with the header of `--alg`, `--kid`, `--typ` and `--header`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use webtoken::{Algorithm, ErrorKind, SigningKey};

use crate::args::{EncodeArgs, TimeSpec};
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
    let claims = claims(args)?;
    let payload = serde_json::to_vec(&claims).map_err(|e| Failure::Io(e.to_string()))?;
    let token = webtoken::jws::sign_with_header_json(&header, &payload, &key)
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
/// `--exp` where no claim is given already.
fn claims(args: &EncodeArgs) -> Result<Map<String, Value>, Failure> {
    let mut claims = if args.claims.is_none() && args.has_claim_flags() {
        Map::new()
    } else {
        parse_claims(&read_input(args.claims.as_ref(), "claims")?)?
    };
    let mut sources: Vec<(String, String)> = claims
        .keys()
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
    if !args.no_iat {
        claims.entry("iat").or_insert(now.into());
    }
    if let Some(exp) = args.exp {
        // A claim given in the claims JSON or by -P wins over --exp (docs/cli.md).
        let exp = at(exp, now, "--exp")?;
        claims.entry("exp").or_insert(exp.into());
    }
    Ok(claims)
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

/// The claims JSON: unusable input (exit 2) unless it is a UTF-8 JSON object.
fn parse_claims(text: &[u8]) -> Result<Map<String, Value>, Failure> {
    let malformed = |reason: String| Failure::Input(ErrorKind::Malformed, reason);
    let text = std::str::from_utf8(text).map_err(|_| malformed("claims are not UTF-8".into()))?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(claims)) => Ok(claims),
        Ok(other) => Err(Failure::Input(
            ErrorKind::InvalidClaim,
            format!("claims must be a JSON object, found {}", json_type(&other)),
        )),
        Err(e) => Err(malformed(format!("claims are not JSON: {e}"))),
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
