//! webtoken
#![forbid(unsafe_code)]
pub mod algorithm;
pub mod base64url;
pub mod claims;
pub mod error;
pub mod keys;
pub mod validation;
pub use algorithm::Algorithm;
pub use error::{Error, ErrorKind, KeyError};
pub use keys::{SigningKey, VerifyingKey};
