//! Every case of `tests/data/hostile/jws_hostile_cases.json` (tests/data/README.md, SECURITY.md §13) gets its
//! expected verdict and error kind through the public `decode` API.

mod common;

use common::{data, fine_kind, verifying_key};
use serde_json::{Map, Value};
use webtoken::keys::{Jwk, JwkSet};
use webtoken::{Algorithm, Error, KeySource, NumericDate, Validation};

/// How the harness builds the verifier's key source for a case.
enum Keys {
    Single(Box<webtoken::VerifyingKey>),
    /// `jwk:{...}`: that exact JWK.
    Jwk(Box<Jwk>),
    /// `jwks:[a,b]`: a set of the named catalogue keys (public halves), chosen by `kid`.
    Set(JwkSet),
}

impl Keys {
    fn source(&self) -> &dyn KeySource {
        match self {
            Self::Single(k) => &**k,
            Self::Jwk(k) => &**k,
            Self::Set(s) => s,
        }
    }
}

struct Outcome {
    id: String,
    expected: Vec<String>,
    accept: bool,
    got: Result<(), String>,
}

fn verifier_for(catalogue: &Value, case: &Value) -> Map<String, Value> {
    let mut v = catalogue["default_verifier"]
        .as_object()
        .expect("default verifier")
        .clone();
    if let Some(over) = case.get("verifier").and_then(Value::as_object) {
        for (k, val) in over {
            v.insert(k.clone(), val.clone());
        }
    }
    v
}

/// Builds the validation; `Err` with a fine kind when the configuration itself is refused
/// (an allow-list naming `none` cannot be built).
fn validation_for(v: &Map<String, Value>) -> Result<(Validation, Vec<Algorithm>), &'static str> {
    let mut algorithms = Vec::new();
    for name in v["allowed_algs"].as_array().expect("allowed_algs") {
        match name.as_str().expect("alg name").parse::<Algorithm>() {
            Ok(a) => algorithms.push(a),
            Err(_) => return Err("AlgorithmNotAllowed"),
        }
    }
    let mut validation = Validation::new()
        .with_algorithms(algorithms.iter().copied())
        .with_fixed_time(NumericDate::from_secs(v["now"].as_i64().expect("now")))
        .with_leeway(std::time::Duration::from_secs(
            v["leeway_seconds"].as_u64().expect("leeway"),
        ))
        .with_max_token_size(
            usize::try_from(v["max_token_bytes"].as_u64().expect("max")).expect("size"),
        );
    if let Some(iss) = v["expected_iss"].as_str() {
        validation = validation.with_issuer(iss);
    }
    if let Some(sub) = v["expected_sub"].as_str() {
        validation = validation.with_subject(sub);
    }
    if let Some(typ) = v["expected_typ"].as_str() {
        validation = validation.with_type(typ);
    }
    if let Some(auds) = v["expected_aud"].as_array() {
        for aud in auds {
            validation = validation.with_audience(aud.as_str().expect("aud"));
        }
    }
    let required: Vec<&str> = v["required_claims"]
        .as_array()
        .expect("required")
        .iter()
        .map(|c| c.as_str().expect("claim"))
        .collect();
    if !required.contains(&"exp") {
        validation = validation.allow_missing_expiry();
    }
    for claim in required {
        validation = validation.require(claim);
    }
    Ok((validation, algorithms))
}

fn keys_for(
    catalogue: &Value,
    v: &Map<String, Value>,
    algorithms: &[Algorithm],
) -> Result<Keys, Error> {
    let name = v["key"].as_str().expect("key");
    if let Some(json) = name.strip_prefix("jwk:") {
        return Ok(Keys::Jwk(Box::new(Jwk::from_json(json)?)));
    }
    if let Some(names) = name.strip_prefix("jwks:") {
        // The catalogue keys carry private members so tests can re-sign; a verification set
        // holds the public halves (secrets stay as they are). The application assembles this
        // set itself, so it may mix families (SECURITY.md §8.4).
        let mut keys = Vec::new();
        for n in names.trim_matches(['[', ']']).split(',') {
            let jwk = Jwk::from_json(&catalogue["keys"][n.trim()].to_string())?;
            keys.push(jwk.to_public().unwrap_or(jwk));
        }
        return Ok(Keys::Set(JwkSet::from_keys(keys)?));
    }
    let jwk = &catalogue["keys"][name];
    // A single RSA or HMAC key is bound to the first allowed algorithm; EC/OKP by curve.
    verifying_key(jwk, algorithms[0]).map(|k| Keys::Single(Box::new(k)))
}

/// The token of a case, building the `construct` ones that concern tokens.
fn token_for(case: &Value) -> Option<String> {
    if let Some(t) = case["token"].as_str() {
        return Some(t.to_owned());
    }
    match case["id"].as_str()? {
        "S-HUGE" => {
            let header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
            Some(format!("{header}.{}.c2ln", "A".repeat(10 * 1024 * 1024)))
        }
        "S-MANY-DOTS" => Some(".".repeat(1_000_000)),
        _ => None,
    }
}

fn run(case: &Value, catalogue: &Value) -> Option<Outcome> {
    let id = case["id"].as_str().expect("id").to_owned();
    let expected = &case["expected"];
    let accept = expected["verdict"] == "accept";
    let mut kinds: Vec<String> = expected["error_kind"]
        .as_str()
        .map(str::to_owned)
        .into_iter()
        .collect();
    if let Some(also) = expected["also_acceptable"].as_array() {
        kinds.extend(also.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    let v = verifier_for(catalogue, case);
    let outcome = |got| Outcome {
        id: id.clone(),
        expected: kinds.clone(),
        accept,
        got,
    };
    let (validation, algorithms) = match validation_for(&v) {
        Ok(x) => x,
        Err(kind) => return Some(outcome(Err(kind.to_owned()))),
    };
    let token = token_for(case)?;
    let keys = match keys_for(catalogue, &v, &algorithms) {
        Ok(keys) => keys,
        Err(e) => return Some(outcome(Err(fine_kind(&e).to_owned()))),
    };
    let result = decode_any(&token, &keys.source(), &validation);
    Some(outcome(result.map(|_| ()).map_err(|e| {
        // Every error message is one line and never echoes the token or key material.
        let message = e.to_string();
        assert!(
            !message.contains('\n'),
            "{id}: multi-line message {message:?}"
        );
        assert!(message.len() < 400, "{id}: long message {message:?}");
        fine_kind(&e).to_owned()
    })))
}

/// `decode`, checked against `decode_borrowed`: both must give the same verdict and error.
fn decode_any(
    token: &str,
    keys: &impl KeySource,
    validation: &Validation,
) -> Result<webtoken::Token<Map<String, Value>>, Error> {
    let owned = webtoken::decode::<Map<String, Value>>(token, keys, validation);
    let mut buffer = Vec::new();
    let borrowed =
        webtoken::decode_borrowed::<Map<String, Value>>(token, keys, validation, &mut buffer);
    assert_eq!(
        owned
            .as_ref()
            .map(|t| t.claims().clone())
            .map_err(ToString::to_string),
        borrowed
            .as_ref()
            .map(|t| t.claims().clone())
            .map_err(ToString::to_string),
        "decode and decode_borrowed disagree on {token:?}"
    );
    owned
}

#[test]
fn every_hostile_token_case_gets_its_expected_verdict_and_kind() {
    let catalogue = data("hostile/jws_hostile_cases.json");
    let cases = catalogue["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 245, "the catalogue has 245 cases");
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases {
        let Some(o) = run(case, &catalogue) else {
            continue;
        };
        ran += 1;
        let ok = match (&o.got, o.accept) {
            (Ok(()), true) => true,
            (Err(kind), false) => o.expected.iter().any(|k| k == kind),
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: expected {} {:?}, got {:?}",
                o.id,
                if o.accept { "accept" } else { "reject" },
                o.expected,
                o.got
            ));
        }
    }
    eprintln!("hostile cases run through decode: {ran}");
    // Every case but the 23 key-construction ones (K-*, run by tests/jwk.rs and
    // tests/key_formats.rs) goes through decode here; a case silently skipped fails this.
    assert_eq!(ran, 245 - 23, "cases run through decode");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_hmac_family_case_runs() {
    // The HS-family cases (default key hs256, or hs512) must all run here, none skipped.
    let catalogue = data("hostile/jws_hostile_cases.json");
    let mut missing = Vec::new();
    for case in catalogue["cases"].as_array().expect("cases") {
        let v = verifier_for(&catalogue, case);
        let key = v["key"].as_str().expect("key");
        let constructed_key = case.get("construct").is_some()
            && case["id"].as_str().is_some_and(|id| id.starts_with("K-"));
        if (key == "hs256" || key == "hs512") && !constructed_key && run(case, &catalogue).is_none()
        {
            missing.push(case["id"].as_str().unwrap_or("?").to_owned());
        }
    }
    assert!(missing.is_empty(), "HS cases not run: {missing:?}");
}

#[test]
fn weak_hmac_keys_are_refused_when_built() {
    use webtoken::{ErrorKind, SigningKey, VerifyingKey};
    // K-HMAC-31, K-HMAC-EMPTY, K-HMAC-47-HS384, K-HMAC-63-HS512.
    let short = |n: u8| (0..n).collect::<Vec<u8>>();
    for (alg, key) in [
        (Algorithm::Hs256, short(31)),
        (Algorithm::Hs256, Vec::new()),
        (Algorithm::Hs384, short(47)),
        (Algorithm::Hs512, short(63)),
    ] {
        assert_eq!(
            VerifyingKey::hmac(&key, alg).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
        assert_eq!(
            SigningKey::hmac(&key, alg).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
    }
}
