//! # webtoken
//!
//! JSON Web Tokens (RFC 7519) signed as compact JWS (RFC 7515), built to be hard to misuse.
//!
//! ```
//! use std::time::Duration;
//! use serde::{Deserialize, Serialize};
//! use webtoken::{Algorithm, Claims, Header, SigningKey, Validation, VerifyingKey};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Session { role: String }
//!
//! let secret = webtoken::keys::generate_hmac_secret(Algorithm::Hs256)?;
//!
//! // Issue.
//! let key = SigningKey::hmac(&secret, Algorithm::Hs256)?;
//! let claims = Claims::new(Session { role: "admin".into() })
//!     .with_subject("user-42")
//!     .with_issuer("https://id.example")
//!     .with_audience("https://api.example")
//!     .expires_in(Duration::from_secs(900));
//! let jwt = webtoken::encode(&Header::new(), &claims, &key)?;
//!
//! // Verify: signature first, then exp/nbf/iat, iss and aud.
//! let key = VerifyingKey::hmac(&secret, Algorithm::Hs256)?;
//! let validation = Validation::new()
//!     .with_issuer("https://id.example")
//!     .with_audience("https://api.example");
//! let token = webtoken::decode::<Session>(&jwt, &key, &validation)?;
//! assert_eq!(token.claims().custom.role, "admin");
//! # Ok::<(), webtoken::Error>(())
//! ```
//!
//! ## Security model
//! - **The verifier picks the algorithm.** Every key is bound to one [`Algorithm`] when it is
//!   built; a token's `alg` must be that algorithm (and in the [`Validation`]'s allow-list when
//!   one is set). `none` does not exist. The header's `jwk`, `jku`, `x5u` and `x5c` are never
//!   used to find a key.
//! - **The signature is checked before the claims are parsed**, over the bytes received.
//! - **Strict parsing.** Exactly three segments of canonical unpadded Base64Url, UTF-8 JSON
//!   objects, no duplicate member names, registered claims of the right JSON type (a wrongly
//!   typed `exp` is an error, never "absent"), `crit` enforced, tokens over 64 KiB refused
//!   before decoding.
//! - **Secure defaults.** `exp` required, 60 s leeway, `nbf`/`iat` checked when present, a token
//!   with `aud` refused unless an audience is configured (RFC 7519 §4.1.3).
//! - **Weak keys are refused when built**: HMAC secrets shorter than the hash output, RSA
//!   moduli under 2048 bits. HMAC tags are compared in constant time.
//!
//! The order of the checks, and so which [`ErrorKind`] a token with several faults gets, is:
//! size, shape, header, `alg` allow-list, `crit`, `typ`, key, signature, payload JSON, claim
//! types, required claims, `exp`/`nbf`/`iat`, `iss`/`sub`/`aud`, custom claims.
//!
//! ## Algorithms
//! | `alg` | key | notes |
//! |---|---|---|
//! | HS256, HS384, HS512 | shared secret ≥ 32/48/64 bytes | hmac + sha2 |
//! | RS256, RS384, RS512 | RSA 2048–8192 bits (signing: up to 4096 on ring, 8192 on aws-lc-rs) | ring (or aws-lc-rs) |
//! | PS256, PS384, PS512 | RSA, salt = hash length | ring (or aws-lc-rs) |
//! | ES256, ES384 | P-256, P-384; `r‖s` signatures | ring (or aws-lc-rs) |
//! | EdDSA | Ed25519 (RFC 8037) | ring (or aws-lc-rs) |
//!
//! ## Cryptographic backend
//! The asymmetric algorithms (RS*, PS*, ES*, EdDSA) run on ring by default. With the
//! `aws-lc-rs` cargo feature they all run on aws-lc-rs instead (faster RSA signing and
//! Ed25519); the rule is decided at compile time, applies to every asymmetric key, and
//! enabling the feature alongside anything else never causes a runtime choice or panic. HMAC
//! always uses hmac + sha2. [`keys::BACKEND`] names the backend of the current build.

// Public modules hold what is theirs alone: the JWS layer, the JWK Set store, keys, the
// Base64Url helpers and the unverified reads. Everything else is private and has one path, at
// the root.
mod algorithm;
pub mod base64url;
mod claims;
pub mod dangerous;
mod error;
mod header;
mod json;
#[cfg(feature = "jwe")]
pub mod jwe;
pub mod jwks;
pub mod jws;
mod jwt;
pub mod keys;
mod message;
mod time;
mod validation;

pub use algorithm::{Algorithm, AlgorithmFamily, AlgorithmSet, UnknownAlgorithm};
pub use claims::{Audience, Claims, REGISTERED_CLAIMS};
pub use error::{
    AlgorithmRejection, ClaimError, CriticalHeaderError, Error, ErrorKind, MalformedError,
    SerializeError, TokenTypeError, TooLargeError, UnknownKeyError,
};
pub use header::{
    Header, MAX_CRITICAL_NAMES, MAX_HEADER_BYTES, MAX_HEADER_DEPTH, MAX_HEADER_VALUES,
};
#[cfg(feature = "jwe")]
pub use jwe::{
    decrypt_claims as decrypt, decrypt_verified, encrypt_claims as encrypt, encrypt_signed,
};
pub use jwks::KeyStore;
pub use jwt::{Token, UntrustedToken, decode, decode_borrowed, encode};
pub use keys::{KeySource, SigningKey, VerifyingKey};
pub use time::{Clock, FixedClock, NumericDate, SystemClock};
pub use validation::{DEFAULT_LEEWAY, DEFAULT_MAX_TOKEN_SIZE, Validation};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
