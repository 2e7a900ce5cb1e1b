// Target `base64url`: strict decoding never panics, accepts only canonical text, and agrees
// with decode_to_slice and with the `base64` crate's strict engine (webtoken's decoder is its
// own table-driven loop); encoding then decoding returns the input.

use base64::Engine as _;
use webtoken::base64url;

pub(crate) fn run(data: &[u8]) {
    let decoded = base64url::decode(data);
    let oracle = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(data);
    assert_eq!(
        decoded.as_deref().ok(),
        oracle.as_deref().ok(),
        "disagrees with the base64 crate"
    );
    if let Ok(bytes) = &decoded {
        assert_eq!(
            base64url::encode(bytes).as_bytes(),
            data,
            "accepted a non-canonical form"
        );
    }
    if let Some(len) = base64url::decoded_len(data.len()) {
        let mut exact = vec![0; len];
        let written = base64url::decode_to_slice(data, &mut exact).map(|n| &exact[..n]);
        assert_eq!(
            written.ok(),
            decoded.as_deref().ok(),
            "decode_to_slice disagrees with decode"
        );
        if let Some(short) = len.checked_sub(1) {
            assert!(base64url::decode_to_slice(data, &mut vec![0; short]).is_err());
        }
    }
    let encoded = base64url::encode(data);
    assert_eq!(encoded.len(), base64url::encoded_len(data.len()));
    assert_eq!(base64url::decode(&encoded).as_deref(), Ok(data));
}
