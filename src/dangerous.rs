//! The one way to read claims without checking the signature. For debugging tools only: nothing
//! read here may be trusted.

use serde::de::DeserializeOwned;

use crate::claims::Claims;
use crate::error::Error;
use crate::header::Header;
use crate::jwt::{UntrustedToken, parse_claims};

/// Reads a token's header and claims WITHOUT verifying the signature or validating any claim.
///
/// Anyone can forge such a token; never use what this returns for authentication or
/// authorization. The shape checks still apply (size limit, Base64Url, JSON objects, duplicate
/// names, registered claim types).
///
/// ```
/// use webtoken::{Algorithm, ErrorKind, Validation, VerifyingKey};
///
/// // {"alg":"HS256"}.{"sub":"alice"}, with a signature nobody made.
/// let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln";
/// let (header, claims) = webtoken::dangerous::decode_unverified::<()>(jwt)?;
/// assert_eq!(header.algorithm(), Some(Algorithm::Hs256));
/// assert_eq!(claims.subject.as_deref(), Some("alice"));
///
/// // What it reads is not evidence of anything: decode refuses the same token.
/// let key = VerifyingKey::hmac(b"a 32-byte secret, for examples!!", Algorithm::Hs256)?;
/// let err = webtoken::decode::<()>(jwt, &key, &Validation::new()).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::InvalidSignature);
/// # Ok::<(), webtoken::Error>(())
/// ```
///
/// # Errors
/// [`Error::TokenTooLarge`], [`Error::Malformed`] or [`Error::Claim`] for wrongly typed claims.
pub fn decode_unverified<T: DeserializeOwned>(token: &str) -> Result<(Header, Claims<T>), Error> {
    let untrusted = UntrustedToken::parse(token)?;
    let claims = parse_claims(untrusted.payload_segment(), None)?;
    Ok((untrusted.header().clone(), claims))
}
