// Target `claims`: any bytes as the payload, signed with the fixed key so that they pass the
// signature and go through claim parsing and validation with the fixed clock and policy.

include!("fixed.rs");

static SIGNING_KEY: LazyLock<webtoken::SigningKey> = LazyLock::new(|| {
    webtoken::SigningKey::hmac(secret(), Algorithm::Hs256).expect("a 32-byte HS256 key")
});

pub(crate) fn run(payload: &[u8]) {
    let header = webtoken::Header::new();
    let token = webtoken::jws::sign(&header, payload, &SIGNING_KEY).expect("HS256 signs anything");
    assert_signed_with_fixed_key(&token);
    let decoded = webtoken::decode::<Custom>(&token, &*VERIFYING_KEY, &VALIDATION);
    let unit = webtoken::decode::<()>(&token, &*VERIFYING_KEY, &VALIDATION);
    // Map keeps every custom claim, () ignores them, yet both parse every value: the verdict
    // does not depend on the custom type (a skipped 1e400 is as malformed as a read one).
    assert_eq!(
        decoded.as_ref().map(|_| ()).map_err(webtoken::Error::kind),
        unit.as_ref().map(|_| ()).map_err(webtoken::Error::kind),
        "the verdict depends on the custom claims type"
    );
    let unverified = webtoken::dangerous::decode_unverified::<Custom>(&token);
    match decoded {
        Ok(decoded) => {
            let claims = decoded.claims();
            assert_claims_valid(claims);
            let json: Value = serde_json::from_slice(payload).expect("accepted payload is JSON");
            let member = |name: &str| json.get(name).and_then(Value::as_str);
            assert_eq!(member("iss"), claims.issuer.as_deref());
            assert_eq!(member("sub"), claims.subject.as_deref());
            assert_eq!(member("jti"), claims.jwt_id.as_deref());
            let (_, read) = unverified.expect("decode_unverified refused what decode accepted");
            assert_eq!(&read, claims);
        }
        Err(e) => drop((e.kind(), e.to_string())),
    }
}
