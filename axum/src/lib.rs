//! # webtoken-axum
//!
//! Bearer-token authorization for [axum] and tower on [webtoken]: a tower layer that verifies
//! the token of each request, extractors that hand handlers the typed claims, RFC 6750 errors,
//! and keys from a PEM, a JWK Set, a JWKS URL or OpenID Connect discovery, kept current by
//! webtoken's `KeyStore`.
//!
//! ```
//! use axum::{Router, routing::get};
//! use serde::{Deserialize, Serialize};
//! use webtoken::{Algorithm, Validation, VerifyingKey};
//! use webtoken_axum::{Authorizer, JwtClaims};
//!
//! #[derive(Clone, Debug, Deserialize, Serialize)]
//! struct Scopes {
//!     scope: String,
//! }
//!
//! async fn me(JwtClaims(claims): JwtClaims<Scopes>) -> String {
//!     format!("hello {}", claims.subject.unwrap_or_default())
//! }
//!
//! async fn greeting(claims: Option<JwtClaims<Scopes>>) -> &'static str {
//!     if claims.is_some() { "welcome back" } else { "welcome" }
//! }
//!
//! let authorizer = Authorizer::<Scopes>::from_keys(
//!     VerifyingKey::hmac(&[7u8; 32], Algorithm::Hs256)?,
//!     Validation::new().with_issuer("https://id.example").with_audience("https://api.example"),
//! )
//! .check_scope("read", |claims| claims.custom.scope.split(' ').any(|s| s == "read"));
//!
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .route_layer(authorizer.layer())
//!     // Routes where a token is optional: none passes, a bad one is still refused.
//!     .merge(Router::new().route("/", get(greeting)).route_layer(authorizer.layer().optional()));
//! # let _ = app;
//! # Ok::<(), webtoken::Error>(())
//! ```
//!
//! With an identity provider, `Authorizer::from_oidc("https://id.example", validation).await?`
//! finds its JWK Set by discovery; see [`Authorizer`] for every key source, and the crate's
//! README for the comparison with jwt-authorizer.
//!
//! [axum]: https://docs.rs/axum
//! [webtoken]: https://docs.rs/webtoken

mod authorizer;
mod bearer;
mod error;
mod extract;
mod http;
mod layer;
mod oidc;

pub use authorizer::Authorizer;
pub use error::{AuthError, InitError, MAX_DESCRIPTION, bearer_challenge, bounded_description};
pub use extract::{JwtClaims, JwtToken};
pub use http::{HttpConfig, HttpFetcher};
pub use layer::{AuthLayer, AuthService};
pub use oidc::ProviderMetadata;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
