//! The JWS layer (RFC 7515, compact serialization): sign and verify arbitrary payload bytes.
//! The JWT functions [`encode`](crate::encode) and [`decode`](crate::decode) are a typed step
//! on top: claims are parsed and validated only after this layer has verified the signature.
//!
//! - `compact.rs`: the token taken apart (size, shape, Base64Url; steps 1–3).
//! - `verify.rs`: [`verify`], and the steps 1–9 that `decode` runs first, in order.
//! - `sign.rs`: [`sign`], [`sign_with_header_json`], and the assembly that `encode` uses.

mod compact;
mod sign;
mod verify;

pub(crate) use compact::{Segments, parse_header, split, with_decoded};
pub(crate) use sign::{assemble, header_part, to_json};
pub use sign::{sign, sign_with_header_json};
pub(crate) use verify::verify_then;
pub use verify::{Verified, verify};
