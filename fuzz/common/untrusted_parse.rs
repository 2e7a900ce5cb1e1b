// Target `untrusted_parse`: any bytes as a compact token, read without a key.

use serde_json::{Map, Value};
use webtoken::UntrustedToken;

pub(crate) fn run(data: &[u8]) {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = UntrustedToken::parse(token);
    if let Ok(untrusted) = &parsed {
        assert_eq!(
            token.matches('.').count(),
            2,
            "parsed a token without three segments"
        );
        let _ = (
            untrusted.algorithm_name(),
            untrusted.algorithm().map_err(|e| e.kind()),
        );
    }
    match webtoken::dangerous::decode_unverified::<Map<String, Value>>(token) {
        Ok((header, _claims)) => {
            let untrusted = parsed.expect("decode_unverified read what parse refused");
            assert_eq!(&header, untrusted.header());
        }
        Err(e) => drop((e.kind(), e.to_string())),
    }
}
