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
/// let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln";
/// let (header, claims) = webtoken::dangerous::decode_unverified::<()>(jwt)?;
/// assert_eq!(claims.subject.as_deref(), Some("alice"));
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
