// Target `jwe_decrypt`: two modes, chosen by the first byte.
// - Raw: the rest is a token, decrypted with each fixed key. Whatever decrypts must carry the
//   marker every token of the generator carries: decryption never accepts what the fixed keys'
//   holders did not encrypt.
// - Mutate: the rest is a plaintext, encrypted with a fixed key, then changed by the input
//   (a bit flipped, a byte inserted or removed, the token cut). A changed token never decrypts.

include!("jwe_fixed.rs");

use webtoken::jwe::{self, DecryptOptions, JweHeader};

fn decrypts(token: &str) -> Option<Vec<u8>> {
    JWE_KEYS.iter().find_map(|key| {
        jwe::decrypt(token, key, &DecryptOptions::new())
            .map(|d| d.plaintext().to_vec())
            .map_err(|e| {
                // Typed and bounded, never a panic.
                let message = e.to_string();
                assert!(message.len() < 1024, "unbounded message: {} bytes", message.len());
            })
            .ok()
    })
}

pub(crate) fn run(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let Ok(token) = std::str::from_utf8(rest) else {
            return;
        };
        if let Some(plaintext) = decrypts(token) {
            assert!(plaintext.starts_with(MARKER), "accepted a token nobody encrypted");
        }
        return;
    }
    let Some((&selector, rest)) = rest.split_first() else {
        return;
    };
    let (edit, plaintext) = rest.split_at(rest.len().min(4));
    let key = &JWE_KEYS[usize::from(selector) % JWE_KEYS.len()];
    let enc = JWE_ENCRYPTIONS[usize::from(selector / 4) % JWE_ENCRYPTIONS.len()];
    let enc = if key.algorithm() == KeyAlgorithm::Dir { ContentEncryption::A256Gcm } else { enc };
    let message = [MARKER, plaintext].concat();
    let token = jwe::encrypt(&JweHeader::new(enc), &message, &key.encrypting_key().expect("public"))
        .expect("encrypt with a fixed key");
    assert_eq!(decrypts(&token).as_deref(), Some(message.as_slice()));
    let mut bytes = token.clone().into_bytes();
    let at = edit.first().map_or(0, |&b| usize::from(b) * bytes.len() / 256);
    let value = edit.get(1).copied().unwrap_or(0);
    match edit.get(2).copied().unwrap_or(0) % 4 {
        0 => bytes[at] ^= 1 << (value % 8),
        1 => bytes.insert(at, value),
        2 => drop(bytes.remove(at)),
        _ => bytes.truncate(at),
    }
    let Ok(changed) = String::from_utf8(bytes) else {
        return;
    };
    if changed != token {
        assert!(decrypts(&changed).is_none(), "a changed token decrypted: {changed}");
    }
}
