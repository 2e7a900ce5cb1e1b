//! Tokens on both sides of the trust boundary: [`UntrustedToken`] exposes only its header (to
//! route to a key), [`Token`] holds the header and claims of a verified, validated token.

use crate::algorithm::Algorithm;
use crate::claims::Claims;
use crate::error::{AlgorithmRejection, Error};
use crate::header::{AlgField, Header};
use crate::jws::{Segments, parse_header, split};
use crate::validation::DEFAULT_MAX_TOKEN_SIZE;

/// A verified and validated token: its header and its claims.
///
/// Only [`decode`](crate::decode) makes one, so holding a `Token` means every check passed.
///
/// ```
/// use std::time::Duration;
/// use webtoken::{Algorithm, Claims, Header, SigningKey, Token, Validation, VerifyingKey};
///
/// let secret = b"a 32-byte secret, for examples!!";
/// let claims = Claims::new(()).with_subject("user-42").expires_in(Duration::from_secs(60));
/// let signing = SigningKey::hmac(secret, Algorithm::Hs256)?;
/// let jwt = webtoken::encode(&Header::new(), &claims, &signing)?;
///
/// let key = VerifyingKey::hmac(secret, Algorithm::Hs256)?;
/// let token: Token = webtoken::decode(&jwt, &key, &Validation::new())?;
/// assert_eq!(token.header().algorithm(), Some(Algorithm::Hs256));
/// assert_eq!(token.claims().subject.as_deref(), Some("user-42"));
/// # Ok::<(), webtoken::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Token<T = ()> {
    header: Header,
    claims: Claims<T>,
}

impl<T> Token<T> {
    pub(crate) fn new(header: Header, claims: Claims<T>) -> Self {
        Self { header, claims }
    }

    /// The verified header (its `alg` is the algorithm that was verified).
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::{Algorithm, Claims, Header, SigningKey, Validation};
    ///
    /// let key = SigningKey::generate(Algorithm::EdDsa)?.with_key_id("ed-1");
    /// let claims = Claims::new(()).expires_in(Duration::from_secs(60));
    /// let jwt = webtoken::encode(&Header::new(), &claims, &key)?;
    /// let token = webtoken::decode::<()>(&jwt, &key.verifying_key()?, &Validation::new())?;
    /// assert_eq!(token.header().algorithm(), Some(Algorithm::EdDsa));
    /// assert_eq!(token.header().key_id(), Some("ed-1"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The validated claims: the registered ones as fields, yours in
    /// [`custom`](Claims::custom) (and through `Deref`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use serde::{Deserialize, Serialize};
    /// use webtoken::{Algorithm, Claims, Header, SigningKey, Validation, VerifyingKey};
    ///
    /// #[derive(Serialize, Deserialize)]
    /// struct Session { role: String }
    ///
    /// let secret = b"a 32-byte secret, for examples!!";
    /// let claims = Claims::new(Session { role: "admin".into() })
    ///     .expires_in(Duration::from_secs(60));
    /// let signing = SigningKey::hmac(secret, Algorithm::Hs256)?;
    /// let jwt = webtoken::encode(&Header::new(), &claims, &signing)?;
    /// let key = VerifyingKey::hmac(secret, Algorithm::Hs256)?;
    /// let token = webtoken::decode::<Session>(&jwt, &key, &Validation::new())?;
    /// assert_eq!(token.claims().custom.role, "admin");
    /// assert_eq!(token.claims().role, "admin"); // the same, through Deref
    /// assert!(token.claims().expires_at.is_some());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn claims(&self) -> &Claims<T> {
        &self.claims
    }

    /// The validated claims, by value.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::{Algorithm, Claims, Header, SigningKey, Validation, VerifyingKey};
    ///
    /// let secret = b"a 32-byte secret, for examples!!";
    /// let claims = Claims::new(()).with_subject("user-42").expires_in(Duration::from_secs(60));
    /// let signing = SigningKey::hmac(secret, Algorithm::Hs256)?;
    /// let jwt = webtoken::encode(&Header::new(), &claims, &signing)?;
    /// let key = VerifyingKey::hmac(secret, Algorithm::Hs256)?;
    /// let subject: Option<String> = webtoken::decode::<()>(&jwt, &key, &Validation::new())?
    ///     .into_claims()
    ///     .subject;
    /// assert_eq!(subject.as_deref(), Some("user-42"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn into_claims(self) -> Claims<T> {
        self.claims
    }

    /// The header and the claims, by value.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::{Algorithm, Claims, Header, SigningKey, Validation, VerifyingKey};
    ///
    /// let secret = b"a 32-byte secret, for examples!!";
    /// let claims = Claims::new(()).with_jwt_id("j-1").expires_in(Duration::from_secs(60));
    /// let signing = SigningKey::hmac(secret, Algorithm::Hs256)?;
    /// let jwt = webtoken::encode(&Header::new(), &claims, &signing)?;
    /// let key = VerifyingKey::hmac(secret, Algorithm::Hs256)?;
    /// let (header, claims) = webtoken::decode::<()>(&jwt, &key, &Validation::new())?.into_parts();
    /// assert_eq!(header.token_type(), Some("JWT"));
    /// assert_eq!(claims.jwt_id.as_deref(), Some("j-1"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn into_parts(self) -> (Header, Claims<T>) {
        (self.header, self.claims)
    }
}

/// A token whose shape and header were read, but whose signature was not checked.
///
/// Use it to route a token before verifying it, for example to pick an issuer's key set by
/// `kid` or to log the algorithm. Its claims are not reachable: verify with
/// [`decode`](crate::decode).
///
/// ```
/// use webtoken::UntrustedToken;
///
/// let jwt = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln";
/// let untrusted = UntrustedToken::parse(jwt)?;
/// assert_eq!(untrusted.header().key_id(), Some("k1"));
/// assert_eq!(untrusted.algorithm_name(), Some("HS256"));
/// # Ok::<(), webtoken::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct UntrustedToken<'a> {
    segments: Segments<'a>,
    header: Header,
    alg: AlgField,
}

impl<'a> UntrustedToken<'a> {
    /// Reads the shape of `token` (at most 64 KiB, three Base64Url segments) and parses its
    /// header.
    ///
    /// # Errors
    /// [`Error::TokenTooLarge`] or [`Error::Malformed`].
    ///
    /// ```
    /// use webtoken::{ErrorKind, UntrustedToken};
    ///
    /// // Route by issuer key set before verifying: only the header is read.
    /// let untrusted = UntrustedToken::parse("eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.e30.c2ln")?;
    /// assert_eq!(untrusted.header().key_id(), Some("k1"));
    /// // Not three Base64Url segments: malformed.
    /// let err = UntrustedToken::parse("eyJhbGciOiJFUzI1NiJ9.e30").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Malformed);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn parse(token: &'a str) -> Result<Self, Error> {
        Self::parse_with_limit(token, DEFAULT_MAX_TOKEN_SIZE)
    }

    /// As [`parse`](Self::parse), with another size limit.
    ///
    /// # Errors
    /// [`Error::TokenTooLarge`] or [`Error::Malformed`].
    ///
    /// ```
    /// use webtoken::{ErrorKind, UntrustedToken};
    ///
    /// let jwt = "eyJhbGciOiJFUzI1NiJ9.e30.c2ln";
    /// assert!(UntrustedToken::parse_with_limit(jwt, 64).is_ok());
    /// let err = UntrustedToken::parse_with_limit(jwt, 16).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::TokenTooLarge);
    /// ```
    pub fn parse_with_limit(token: &'a str, max_size: usize) -> Result<Self, Error> {
        let segments = split(token, max_size).map_err(super::decode::name_encrypted)?;
        let parsed = parse_header(segments.header)?;
        let mut header = parsed.header.clone();
        if let AlgField::Known(alg) = parsed.alg {
            header.set_algorithm(alg);
        }
        Ok(Self {
            segments,
            header,
            alg: parsed.alg,
        })
    }

    /// The unverified header. Its `algorithm()` is set when `alg` names a supported algorithm.
    ///
    /// ```
    /// use webtoken::{Algorithm, UntrustedToken};
    ///
    /// // {"alg":"RS256","kid":"2025-01","typ":"JWT"}
    /// let jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjIwMjUtMDEiLCJ0eXAiOiJKV1QifQ.e30.c2ln";
    /// let header = UntrustedToken::parse(jwt)?.header().clone();
    /// assert_eq!(header.algorithm(), Some(Algorithm::Rs256));
    /// assert_eq!(header.key_id(), Some("2025-01"));
    /// assert_eq!(header.token_type(), Some("JWT"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The unverified `alg` string, when it is a string.
    ///
    /// ```
    /// use webtoken::UntrustedToken;
    ///
    /// // {"alg":"none"}: readable here, never verifiable.
    /// let untrusted = UntrustedToken::parse("eyJhbGciOiJub25lIn0.e30.c2ln")?;
    /// assert_eq!(untrusted.algorithm_name(), Some("none"));
    /// assert_eq!(untrusted.header().algorithm(), None);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn algorithm_name(&self) -> Option<&str> {
        match &self.alg {
            AlgField::Known(a) => Some(a.as_str()),
            AlgField::Unknown(name) => Some(name),
            AlgField::Missing | AlgField::NotAString => None,
        }
    }

    /// The unverified `alg`, as a supported [`Algorithm`].
    ///
    /// # Errors
    /// [`Error::Malformed`] when `alg` is missing or not a string,
    /// [`Error::AlgorithmNotAllowed`] when it names no supported algorithm.
    ///
    /// ```
    /// use webtoken::{Algorithm, ErrorKind, UntrustedToken};
    ///
    /// let es256 = UntrustedToken::parse("eyJhbGciOiJFUzI1NiJ9.e30.c2ln")?; // {"alg":"ES256"}
    /// assert_eq!(es256.algorithm()?, Algorithm::Es256);
    /// let none = UntrustedToken::parse("eyJhbGciOiJub25lIn0.e30.c2ln")?; // {"alg":"none"}
    /// assert_eq!(none.algorithm().unwrap_err().kind(), ErrorKind::AlgorithmNotAllowed);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    pub fn algorithm(&self) -> Result<Algorithm, Error> {
        match &self.alg {
            AlgField::Known(a) => Ok(*a),
            AlgField::Unknown(name) => {
                Err(Error::AlgorithmNotAllowed(AlgorithmRejection::NotAllowed {
                    found: name.clone(),
                }))
            }
            AlgField::Missing | AlgField::NotAString => Err(crate::error::MalformedError::Header {
                parameter: "alg",
                reason: "is missing or not a string".into(),
            }
            .into()),
        }
    }

    /// Whether `token` has the shape of an encrypted token (JWE compact serialization: five
    /// segments) rather than a signed one (three). Only the dots are counted; nothing is
    /// decoded or trusted.
    ///
    /// ```
    /// use webtoken::UntrustedToken;
    ///
    /// assert!(UntrustedToken::is_encrypted("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y3Q.dGFn"));
    /// assert!(!UntrustedToken::is_encrypted("eyJhbGciOiJIUzI1NiJ9.e30.c2ln"));
    /// let err = UntrustedToken::parse("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y3Q.dGFn").unwrap_err();
    /// assert!(err.to_string().contains("encrypted token (JWE)"));
    /// ```
    pub fn is_encrypted(token: &str) -> bool {
        token.bytes().filter(|&b| b == b'.').count() == 4
    }

    /// The still-encoded payload segment.
    pub(crate) fn payload_segment(&self) -> &'a str {
        self.segments.payload
    }
}
