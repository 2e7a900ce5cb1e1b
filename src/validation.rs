//! What a verified token must also satisfy: the algorithm allow-list, `typ`, the size limit, and
//! the registered claims (RFC 7519 §4.1, RFC 8725 §3.8–3.12), with secure defaults.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use crate::algorithm::{Algorithm, AlgorithmSet};
use crate::claims::Claims;
use crate::error::{ClaimError, Error, TokenTypeError};
use crate::json::SeenNames;
use crate::time::{Clock, NumericDate};

#[derive(Clone, Debug)]
enum ClockSource {
    System,
    Fixed(NumericDate),
    Custom(Arc<dyn Clock>),
}

impl ClockSource {
    fn now(&self) -> NumericDate {
        match self {
            Self::System => NumericDate::now(),
            Self::Fixed(t) => *t,
            Self::Custom(c) => c.now(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AudiencePolicy {
    /// RFC 7519 §4.1.3: a token with `aud` is refused unless an audience is configured.
    Strict,
    /// `aud` is not looked at.
    Skip,
}

/// The rules a token must satisfy, built once per kind of token and reused.
///
/// Defaults (secure, RFC 8725):
/// - algorithms: those of the key (a key is bound to one algorithm); narrow or widen the
///   allow-list with [`with_algorithms`](Self::with_algorithms);
/// - `exp` is required and checked; `nbf` and `iat` are checked when present; leeway 60 s;
/// - `iss`, `sub` and `aud` are checked when configured, and are then required;
/// - a token that carries `aud` is refused when no audience is configured (RFC 7519 §4.1.3);
/// - `typ` is checked when configured; tokens larger than 64 KiB are refused.
///
/// ```
/// use std::time::Duration;
/// use webtoken::{Algorithm, Validation};
///
/// let access = Validation::new()
///     .with_algorithms([Algorithm::Es256])
///     .with_issuer("https://id.example")
///     .with_audience("https://api.example")
///     .with_type("at+jwt")
///     .with_leeway(Duration::from_secs(30));
/// assert!(access.algorithms().contains(Algorithm::Es256));
/// assert_eq!(access.leeway(), Duration::from_secs(30));
/// ```
///
/// The claim checks can be tried without a token, on [`Claims`] built by hand, with
/// [`validate_claims`](Self::validate_claims) and a fixed clock:
///
/// ```
/// use webtoken::{Claims, ErrorKind, NumericDate, Validation};
///
/// let claims = Claims::new(())
///     .with_issuer("https://id.example")
///     .with_expires_at(NumericDate::from_secs(1_700_000_900));
/// let at = |secs| Validation::new()
///     .with_issuer("https://id.example")
///     .with_fixed_time(NumericDate::from_secs(secs));
/// assert!(at(1_700_000_000).validate_claims(&claims).is_ok());
/// // Expired: 60 s of leeway after `exp`, then refused.
/// let err = at(1_700_000_960).validate_claims(&claims).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Expired);
/// ```
#[derive(Clone, Debug)]
pub struct Validation {
    algorithms: AlgorithmSet,
    leeway: Duration,
    required: Vec<Cow<'static, str>>,
    issuers: Vec<String>,
    audiences: Vec<String>,
    subjects: Vec<String>,
    audience_policy: AudiencePolicy,
    token_type: Option<String>,
    max_token_size: usize,
    clock: ClockSource,
}

/// The default limit on a token's size: 64 KiB.
pub const DEFAULT_MAX_TOKEN_SIZE: usize = 64 * 1024;

/// The default leeway for `exp`, `nbf` and `iat`: 60 seconds.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

impl Default for Validation {
    fn default() -> Self {
        Self::new()
    }
}

impl Validation {
    /// The secure defaults described on [`Validation`].
    ///
    /// ```
    /// use webtoken::{Claims, ErrorKind, NumericDate, Validation, DEFAULT_LEEWAY};
    ///
    /// let validation = Validation::new().with_fixed_time(NumericDate::from_secs(1_700_000_000));
    /// assert_eq!(validation.leeway(), DEFAULT_LEEWAY);
    /// assert!(validation.algorithms().is_empty()); // the key's algorithm decides
    ///
    /// // `exp` is required by default.
    /// let err = validation.validate_claims(&Claims::new(())).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::MissingClaim);
    /// // A token naming an audience is refused when no audience is configured.
    /// let claims = Claims::new(())
    ///     .with_expires_at(NumericDate::from_secs(1_700_000_900))
    ///     .with_audience("https://api.example");
    /// let err = validation.validate_claims(&claims).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidAudience);
    /// ```
    pub fn new() -> Self {
        Self {
            algorithms: AlgorithmSet::EMPTY,
            leeway: DEFAULT_LEEWAY,
            required: vec![Cow::Borrowed("exp")],
            issuers: Vec::new(),
            audiences: Vec::new(),
            subjects: Vec::new(),
            audience_policy: AudiencePolicy::Strict,
            token_type: None,
            max_token_size: DEFAULT_MAX_TOKEN_SIZE,
            clock: ClockSource::System,
        }
    }

    /// Sets the algorithm allow-list. A token whose `alg` is not listed is refused with
    /// [`Error::AlgorithmNotAllowed`] before any key is looked at; a listed algorithm must
    /// still be the one the selected key is bound to.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::{Algorithm, Claims, ErrorKind, Header, SigningKey, Validation, VerifyingKey};
    ///
    /// let secret = b"a 32-byte secret, for examples!!";
    /// let claims = Claims::new(()).expires_in(Duration::from_secs(60));
    /// let signing = SigningKey::hmac(secret, Algorithm::Hs256)?;
    /// let jwt = webtoken::encode(&Header::new(), &claims, &signing)?;
    /// let key = VerifyingKey::hmac(secret, Algorithm::Hs256)?;
    ///
    /// let only_es256 = Validation::new().with_algorithms([Algorithm::Es256]);
    /// let err = webtoken::decode::<()>(&jwt, &key, &only_es256).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::AlgorithmNotAllowed);
    /// let hs = Validation::new().with_algorithms([Algorithm::Hs256, Algorithm::Hs512]);
    /// assert!(webtoken::decode::<()>(&jwt, &key, &hs).is_ok());
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    #[must_use]
    pub fn with_algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Sets the leeway applied to `exp`, `nbf` and `iat` (clock skew between servers).
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::{Claims, NumericDate, Validation};
    ///
    /// // Expired 30 s ago: within the default 60 s, not within 10 s.
    /// let claims = Claims::new(()).with_expires_at(NumericDate::from_secs(1_700_000_000));
    /// let now = Validation::new().with_fixed_time(NumericDate::from_secs(1_700_000_030));
    /// assert!(now.clone().validate_claims(&claims).is_ok());
    /// let strict = now.with_leeway(Duration::from_secs(10));
    /// assert!(strict.validate_claims(&claims).is_err());
    /// ```
    #[must_use]
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Accepts tokens issued by `issuer` (`iss`, exact match); may be called several times to
    /// accept any of several issuers. Makes `iss` required.
    ///
    /// ```
    /// use webtoken::{Claims, ErrorKind, NumericDate, Validation};
    ///
    /// let validation = Validation::new()
    ///     .with_issuer("https://id.example")
    ///     .with_issuer("https://login.example")
    ///     .allow_missing_expiry();
    /// let from = |iss: &str| validation.validate_claims(&Claims::new(()).with_issuer(iss));
    /// assert!(from("https://login.example").is_ok());
    /// assert_eq!(from("https://id.example/").unwrap_err().kind(), ErrorKind::InvalidIssuer);
    /// // No `iss` at all: missing.
    /// let err = validation.validate_claims(&Claims::new(())).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::MissingClaim);
    /// ```
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        self
    }

    /// Accepts tokens meant for `audience` (one of `aud`'s values, exact match); may be called
    /// several times to accept any of several audiences. Makes `aud` required.
    ///
    /// ```
    /// use webtoken::{Claims, ErrorKind, Validation};
    ///
    /// let validation = Validation::new()
    ///     .with_audience("https://api.example")
    ///     .allow_missing_expiry();
    /// // `aud` may be one string or an array; one value must match.
    /// let both = Claims::new(()).with_audience(["https://api.example", "https://admin.example"]);
    /// assert!(validation.validate_claims(&both).is_ok());
    /// let other = Claims::new(()).with_audience("https://admin.example");
    /// let err = validation.validate_claims(&other).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidAudience);
    /// ```
    #[must_use]
    pub fn with_audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Accepts tokens about `subject` (`sub`, exact match); may be called several times.
    /// Makes `sub` required.
    ///
    /// ```
    /// use webtoken::{Claims, ErrorKind, Validation};
    ///
    /// let validation = Validation::new().with_subject("service-a").allow_missing_expiry();
    /// assert!(validation.validate_claims(&Claims::new(()).with_subject("service-a")).is_ok());
    /// let other = Claims::new(()).with_subject("service-b");
    /// let err = validation.validate_claims(&other).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidSubject);
    /// ```
    #[must_use]
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subjects.push(subject.into());
        self
    }

    /// Requires the header's `typ` to be `token_type` (RFC 8725 §3.11), compared without case
    /// and with an optional `application/` prefix ignored (RFC 7515 §4.1.9). A token without
    /// `typ` is refused.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::{Algorithm, Claims, ErrorKind, Header, SigningKey, Validation, VerifyingKey};
    ///
    /// let secret = b"a 32-byte secret, for examples!!";
    /// let signing = SigningKey::hmac(secret, Algorithm::Hs256)?;
    /// let key = VerifyingKey::hmac(secret, Algorithm::Hs256)?;
    /// let claims = Claims::new(()).expires_in(Duration::from_secs(60));
    /// let access = Validation::new().with_type("at+jwt");
    ///
    /// let at_jwt = Header::new().with_type("application/at+jwt");
    /// let jwt = webtoken::encode(&at_jwt, &claims, &signing)?;
    /// assert!(webtoken::decode::<()>(&jwt, &key, &access).is_ok());
    /// // An ID token or any plain JWT is not an access token.
    /// let jwt = webtoken::encode(&Header::new(), &claims, &signing)?; // typ "JWT"
    /// let err = webtoken::decode::<()>(&jwt, &key, &access).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidType);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    #[must_use]
    pub fn with_type(mut self, token_type: impl Into<String>) -> Self {
        self.token_type = Some(token_type.into());
        self
    }

    /// Makes any claim required, registered or custom.
    ///
    /// A custom claim is found by [`decode`](crate::decode), which sees the payload's member
    /// names; [`validate_claims`](Self::validate_claims) knows only the registered claims.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::{Algorithm, Claims, ErrorKind, Header, SigningKey, Validation, VerifyingKey};
    ///
    /// let secret = b"a 32-byte secret, for examples!!";
    /// let signing = SigningKey::hmac(secret, Algorithm::Hs256)?;
    /// let key = VerifyingKey::hmac(secret, Algorithm::Hs256)?;
    /// let validation = Validation::new().require("jti").require("scope");
    ///
    /// let claims = Claims::new(serde_json::json!({ "scope": "read" }))
    ///     .with_jwt_id("4f1c")
    ///     .expires_in(Duration::from_secs(60));
    /// let jwt = webtoken::encode(&Header::new(), &claims, &signing)?;
    /// assert!(webtoken::decode::<serde_json::Value>(&jwt, &key, &validation).is_ok());
    ///
    /// let jwt = webtoken::encode(&Header::new(), &claims.map_custom(|_| ()), &signing)?;
    /// let err = webtoken::decode::<()>(&jwt, &key, &validation).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::MissingClaim);
    /// assert!(err.to_string().contains("scope"));
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    #[must_use]
    pub fn require(mut self, claim: impl Into<String>) -> Self {
        let claim = claim.into();
        if !self.required.iter().any(|c| *c == claim) {
            self.required.push(Cow::Owned(claim));
        }
        self
    }

    /// Accepts tokens without `exp`. Such tokens never expire: prefer short-lived tokens.
    ///
    /// ```
    /// use webtoken::{Claims, Validation};
    ///
    /// let no_exp = Claims::new(()).with_subject("device-7");
    /// assert!(Validation::new().validate_claims(&no_exp).is_err());
    /// assert!(Validation::new().allow_missing_expiry().validate_claims(&no_exp).is_ok());
    /// ```
    #[must_use]
    pub fn allow_missing_expiry(mut self) -> Self {
        self.required.retain(|c| c != "exp");
        self
    }

    /// Stops checking `aud` altogether, including the RFC 7519 §4.1.3 rule that a token naming
    /// an audience is refused when none is configured. Only for services that check `aud`
    /// themselves.
    ///
    /// ```
    /// use webtoken::{Claims, Validation};
    ///
    /// let claims = Claims::new(()).with_audience("https://anything.example");
    /// let validation = Validation::new().allow_missing_expiry();
    /// assert!(validation.validate_claims(&claims).is_err());
    /// let unchecked = validation.insecure_skip_audience_check();
    /// assert!(unchecked.validate_claims(&claims).is_ok());
    /// ```
    #[must_use]
    pub fn insecure_skip_audience_check(mut self) -> Self {
        self.audience_policy = AudiencePolicy::Skip;
        self
    }

    /// Sets the largest token accepted, in bytes (default 64 KiB), checked before decoding.
    ///
    /// ```
    /// use webtoken::{Algorithm, ErrorKind, Validation, VerifyingKey};
    ///
    /// let key = VerifyingKey::hmac(b"a 32-byte secret, for examples!!", Algorithm::Hs256)?;
    /// let validation = Validation::new().with_max_token_size(4096);
    /// let huge = "a".repeat(4097); // refused before anything is decoded
    /// let err = webtoken::decode::<()>(&huge, &key, &validation).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::TokenTooLarge);
    /// # Ok::<(), webtoken::Error>(())
    /// ```
    #[must_use]
    pub fn with_max_token_size(mut self, bytes: usize) -> Self {
        self.max_token_size = bytes;
        self
    }

    /// Uses `clock` for the current time.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use webtoken::{FixedClock, NumericDate, Validation};
    ///
    /// let clock = Arc::new(FixedClock(NumericDate::from_secs(42)));
    /// let validation = Validation::new().with_clock(clock);
    /// assert_eq!(validation.now(), NumericDate::from_secs(42));
    /// ```
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = ClockSource::Custom(clock);
        self
    }

    /// Uses a fixed current time (for tests and for replaying old tokens).
    ///
    /// ```
    /// use webtoken::{Claims, NumericDate, Validation};
    ///
    /// let claims = Claims::new(()).with_expires_at(NumericDate::from_secs(1_000_000_000));
    /// let then = Validation::new().with_fixed_time(NumericDate::from_secs(999_999_000));
    /// assert_eq!(then.now(), NumericDate::from_secs(999_999_000));
    /// assert!(then.validate_claims(&claims).is_ok()); // expired long ago, valid back then
    /// assert!(Validation::new().validate_claims(&claims).is_err());
    /// ```
    #[must_use]
    pub fn with_fixed_time(mut self, now: NumericDate) -> Self {
        self.clock = ClockSource::Fixed(now);
        self
    }

    /// The algorithm allow-list (empty: the key's algorithm decides).
    pub fn algorithms(&self) -> AlgorithmSet {
        self.algorithms
    }

    /// The size limit, in bytes.
    pub fn max_token_size(&self) -> usize {
        self.max_token_size
    }

    /// The leeway.
    pub fn leeway(&self) -> Duration {
        self.leeway
    }

    /// The current time, as this validation's clock tells it.
    pub fn now(&self) -> NumericDate {
        self.clock.now()
    }

    pub(crate) fn check_algorithm_allowed(&self, algorithm: Algorithm) -> bool {
        self.algorithms.is_empty() || self.algorithms.contains(algorithm)
    }

    pub(crate) fn check_type(&self, found: Option<&str>) -> Result<(), Error> {
        let Some(expected) = &self.token_type else {
            return Ok(());
        };
        if found.is_some_and(|found| media_type_eq(expected, found)) {
            return Ok(());
        }
        Err(TokenTypeError {
            expected: expected.clone(),
            found: found.map(str::to_owned),
        }
        .into())
    }

    /// Checks registered claims against this validation (steps 12–14 of the check order:
    /// required claims, then times, then issuer, subject and audience).
    ///
    /// [`decode`](crate::decode) calls this for you; it is public for claims obtained elsewhere.
    /// A custom claim made required with [`require`](Self::require) is reported missing here:
    /// only `decode` sees the payload's member names.
    ///
    /// ```
    /// use webtoken::{Claims, ErrorKind, NumericDate, Validation};
    ///
    /// let validation = Validation::new()
    ///     .with_issuer("https://id.example")
    ///     .with_fixed_time(NumericDate::from_secs(1_700_000_000));
    /// let claims = Claims::new(())
    ///     .with_issuer("https://id.example")
    ///     .with_not_before(NumericDate::from_secs(1_700_000_600))
    ///     .with_expires_at(NumericDate::from_secs(1_700_000_900));
    /// let err = validation.validate_claims(&claims).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::NotYetValid); // 10 minutes early, 60 s of leeway
    /// ```
    ///
    /// # Errors
    /// [`Error::Claim`] with the first rule that fails.
    pub fn validate_claims<T>(&self, claims: &Claims<T>) -> Result<(), Error> {
        self.validate(claims, None)
    }

    pub(crate) fn validate<T>(
        &self,
        claims: &Claims<T>,
        seen: Option<&SeenNames<'_>>,
    ) -> Result<(), Error> {
        // Step 12: required claims (configured checks make their claim required).
        let present = |name: &str| match name {
            "iss" => claims.issuer.is_some(),
            "sub" => claims.subject.is_some(),
            "aud" => claims.audience.is_some(),
            "exp" => claims.expires_at.is_some(),
            "nbf" => claims.not_before.is_some(),
            "iat" => claims.issued_at.is_some(),
            "jti" => claims.jwt_id.is_some(),
            other => seen.is_some_and(|s| s.contains(other, None)),
        };
        let implied = [
            (!self.issuers.is_empty()).then_some("iss"),
            (!self.subjects.is_empty()).then_some("sub"),
            (!self.audiences.is_empty()).then_some("aud"),
        ];
        for name in self
            .required
            .iter()
            .map(AsRef::as_ref)
            .chain(implied.into_iter().flatten())
        {
            if !present(name) {
                return Err(ClaimError::Missing {
                    claim: Cow::Owned(name.to_owned()),
                }
                .into());
            }
        }

        // Step 13: times. Accept iff now < exp + leeway, nbf <= now + leeway, iat <= now + leeway.
        let now = self.clock.now();
        let leeway_secs = self.leeway.as_secs();
        if let Some(exp) = claims.expires_at {
            if now >= exp.saturating_add(self.leeway) {
                return Err(ClaimError::Expired {
                    expired_at: exp,
                    now,
                    leeway_secs,
                }
                .into());
            }
        }
        let late_now = now.saturating_add(self.leeway);
        if let Some(nbf) = claims.not_before {
            if late_now < nbf {
                return Err(ClaimError::NotYetValid {
                    not_before: nbf,
                    now,
                    leeway_secs,
                }
                .into());
            }
        }
        if let Some(iat) = claims.issued_at {
            if late_now < iat {
                return Err(ClaimError::IssuedInFuture {
                    issued_at: iat,
                    now,
                    leeway_secs,
                }
                .into());
            }
        }

        // Step 14: issuer, subject, audience (exact, case-sensitive, no normalization).
        if let (false, Some(iss)) = (self.issuers.is_empty(), &claims.issuer) {
            if !self.issuers.iter().any(|e| e == iss) {
                return Err(ClaimError::InvalidIssuer {
                    expected: self.issuers.clone(),
                    found: iss.clone(),
                }
                .into());
            }
        }
        if let (false, Some(sub)) = (self.subjects.is_empty(), &claims.subject) {
            if !self.subjects.iter().any(|e| e == sub) {
                return Err(ClaimError::InvalidSubject {
                    expected: self.subjects.clone(),
                    found: sub.clone(),
                }
                .into());
            }
        }
        if self.audience_policy == AudiencePolicy::Strict {
            match (&claims.audience, self.audiences.is_empty()) {
                (Some(aud), false) => {
                    if !self.audiences.iter().any(|e| aud.contains(e)) {
                        return Err(ClaimError::InvalidAudience {
                            expected: self.audiences.clone(),
                            found: aud.to_vec(),
                        }
                        .into());
                    }
                }
                (Some(aud), true) => {
                    return Err(ClaimError::UnexpectedAudience {
                        found: aud.to_vec(),
                    }
                    .into());
                }
                (None, _) => {}
            }
        }
        Ok(())
    }
}

/// RFC 7515 §4.1.9: media types compare without case, and `application/` may be omitted.
fn media_type_eq(a: &str, b: &str) -> bool {
    fn strip(s: &str) -> &str {
        const PREFIX: &str = "application/";
        match s.get(..PREFIX.len()) {
            Some(p) if p.eq_ignore_ascii_case(PREFIX) => &s[PREFIX.len()..],
            _ => s,
        }
    }
    strip(a).eq_ignore_ascii_case(strip(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_compare_like_rfc_7515() {
        assert!(media_type_eq("at+jwt", "application/at+jwt"));
        assert!(media_type_eq("at+jwt", "AT+JWT"));
        assert!(media_type_eq("Application/AT+jwt", "at+jwt"));
        assert!(!media_type_eq("at+jwt", "jwt"));
        assert!(!media_type_eq("at+jwt", "application/"));
        assert!(!media_type_eq("at+jwt", "é"));
    }
}
