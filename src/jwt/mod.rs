//! The JWT layer (RFC 7519) on top of [`jws`](crate::jws): [`encode`] signs claims as a JWS
//! payload; [`decode`] verifies the JWS first and only then parses and validates the claims.
//! [`Token`] is what a successful `decode` returns, [`UntrustedToken`] a token read for routing
//! before it is verified.

mod decode;
mod encode;
mod token;

pub(crate) use decode::parse_claims;
#[cfg(feature = "jwe")]
pub(crate) use decode::parse_claims_bytes;
pub use decode::{decode, decode_borrowed};
pub use encode::encode;
pub use token::{Token, UntrustedToken};
