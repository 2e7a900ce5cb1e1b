// Target `decode_hs256`: any bytes as a token, decoded with the fixed HS256 key and policy.
// Accepting a token that the fixed key did not sign, or whose claims the policy forbids, fails.

include!("fixed.rs");

pub(crate) fn run(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let verified = webtoken::jws::verify(token, &*VERIFYING_KEY, &VALIDATION);
    if verified.is_ok() {
        assert_signed_with_fixed_key(token);
    }
    match webtoken::decode::<Custom>(token, &*VERIFYING_KEY, &VALIDATION) {
        Ok(decoded) => {
            assert_signed_with_fixed_key(token);
            assert_claims_valid(decoded.claims());
            let verified = verified.expect("decode accepted what jws::verify refused");
            assert_eq!(verified.header(), decoded.header());
        }
        Err(e) => drop((e.kind(), e.to_string())),
    }
}
