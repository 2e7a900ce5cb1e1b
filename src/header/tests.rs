//! The header's unit tests: this whole file is the `#[cfg(test)] mod tests` of `header.rs`,
//! so its `unwrap`s run only in tests.

use serde::de::Deserializer;

use super::parse::HeaderVisitor;
use super::*;
use crate::error::MalformedError;

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
