//! `encode`: claims serialized as the payload of a compact JWS, signed by the JWS layer.

use serde::Serialize;

use crate::error::Error;
use crate::header::Header;
use crate::jws;
use crate::keys::SigningKey;

/// Signs `claims` as a compact JWT.
///
/// The header's `alg` is the key's algorithm, whatever `header` holds; when the header has no
/// `kid` and the key has one ([`SigningKey::with_key_id`]), the key's is written.
///
/// ```
/// use std::time::Duration;
/// use webtoken::{Algorithm, Claims, Header, SigningKey};
///
/// let key = SigningKey::hmac([1u8; 32], Algorithm::Hs256)?;
/// let claims = Claims::new(()).with_subject("user-42").expires_in(Duration::from_secs(60));
/// let jwt = webtoken::encode(&Header::new(), &claims, &key)?;
/// assert!(jwt.starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.")); // {"alg":"HS256","typ":"JWT"}
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// # Errors
/// [`Error::Serialize`] when the claims cannot be serialized as JSON, [`Error::Malformed`] when
/// the header is past a limit ([`MAX_HEADER_BYTES`](crate::MAX_HEADER_BYTES) of JSON, values
/// nested too deep or too many), which `decode` would refuse, [`Error::Key`] when signing fails
/// (only when the system random number generator fails).
pub fn encode<C: Serialize + ?Sized>(
    header: &Header,
    claims: &C,
    key: &SigningKey,
) -> Result<String, Error> {
    let mut header_stack = [0u8; 256];
    let mut header_heap = Vec::new();
    let header = jws::header_part(header, key, &mut header_stack, &mut header_heap)?;
    let mut payload_stack = [0u8; 1024];
    let mut payload_heap = Vec::new();
    let payload = jws::to_json(claims, &mut payload_stack, &mut payload_heap, "claims")?;
    jws::assemble(header, payload, key)
}
