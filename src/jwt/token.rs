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
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The validated claims.
    pub fn claims(&self) -> &Claims<T> {
        &self.claims
    }

    /// The validated claims, by value.
    pub fn into_claims(self) -> Claims<T> {
        self.claims
    }

    /// The header and the claims, by value.
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
    pub fn parse(token: &'a str) -> Result<Self, Error> {
        Self::parse_with_limit(token, DEFAULT_MAX_TOKEN_SIZE)
    }

    /// As [`parse`](Self::parse), with another size limit.
    ///
    /// # Errors
    /// [`Error::TokenTooLarge`] or [`Error::Malformed`].
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
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The unverified `alg` string, when it is a string.
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
