// Target `decode_hs256`: any bytes as a token, decoded with the fixed HS256 key and policy.
// Accepting a token that the fixed key did not sign, or whose claims the policy forbids, fails;
// so does `decode_borrowed` disagreeing with `decode`.

include!("fixed.rs");

pub(crate) fn run(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let verified = webtoken::jws::verify(token, &*VERIFYING_KEY, &VALIDATION);
    if verified.is_ok() {
        assert_signed_with_fixed_key(token);
    }
    let decoded = webtoken::decode::<Custom>(token, &*VERIFYING_KEY, &VALIDATION);
    // `decode_borrowed` runs the same checks: the same verdict, claims and error.
    let mut buffer = Vec::new();
    let borrowed =
        webtoken::decode_borrowed::<Custom>(token, &*VERIFYING_KEY, &VALIDATION, &mut buffer);
    assert_eq!(
        decoded.as_ref().map(|t| (t.header(), t.claims())).map_err(ToString::to_string),
        borrowed.as_ref().map(|t| (t.header(), t.claims())).map_err(ToString::to_string),
        "decode and decode_borrowed disagree"
    );
    match decoded {
        Ok(decoded) => {
            assert_signed_with_fixed_key(token);
            assert_claims_valid(decoded.claims());
            let verified = verified.expect("decode accepted what jws::verify refused");
            assert_eq!(verified.header(), decoded.header());
        }
        Err(e) => drop((e.kind(), e.to_string())),
    }
}
