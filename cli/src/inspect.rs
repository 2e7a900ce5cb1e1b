//! `jwt decode` (header and claims, not verified) and `jwt verify` (signature and claims).

use std::time::Duration;

use serde_json::Value;
use webtoken::{AlgorithmSet, ErrorKind, NumericDate, Validation};

use crate::args::{DecodeArgs, VerifyArgs};
use crate::failure::Failure;
use crate::input::read_token;
use crate::keys::{load_key, own_algorithms, verifier};
use crate::output::{Output, with_dates};

pub(crate) fn decode(args: &DecodeArgs, output: Output) -> Result<(), Failure> {
    let token = read_token(args.token.as_ref())?;
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
    let validation = validation(args, algorithms);
    let token = read_token(args.token.as_ref())?;
    webtoken::decode::<()>(&token, &verifier, &validation)?;
    let claims = segment_json(token.split('.').nth(1), "payload")?;
    output.json(&with_dates(&claims, args.date.date))
}

fn validation(args: &VerifyArgs, algorithms: AlgorithmSet) -> Validation {
    let mut validation = Validation::new().with_algorithms(algorithms.iter());
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
