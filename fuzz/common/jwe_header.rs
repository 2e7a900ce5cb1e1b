// Target `jwe_header`: any bytes as the protected header of a JWE (Base64Url-encoded into a
// token with empty other segments), decrypted with each fixed key: never a panic, never a
// success, errors typed and bounded, whatever the JSON.

include!("jwe_fixed.rs");

use webtoken::jwe::{self, DecryptOptions};

pub(crate) fn run(data: &[u8]) {
    let token = format!("{}....", webtoken::base64url::encode(data));
    for key in JWE_KEYS.iter() {
        let options = DecryptOptions::new().with_max_token_size(usize::MAX);
        let error = jwe::decrypt(&token, key, &options).expect_err("no header makes empty segments decrypt");
        let message = error.to_string();
        assert!(message.len() < 1024, "unbounded message: {} bytes", message.len());
    }
}
