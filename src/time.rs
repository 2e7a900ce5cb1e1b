//! Time: [`NumericDate`] (RFC 7519 §2) and the [`Clock`] that validation and `expires_in` read.

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::{self, Deserialize, Deserializer};
use serde::{Serialize, Serializer};

use crate::json::{JsonNumber, Lenient, LenientSeed};

/// A JSON NumericDate (RFC 7519 §2): seconds since the Unix epoch, with an optional fraction.
///
/// Values come from JSON numbers only; anything outside the signed 64-bit range of seconds is
/// refused rather than wrapped or saturated.
///
/// ```
/// use webtoken::NumericDate;
///
/// let t = NumericDate::from_secs(1_700_000_000);
/// assert_eq!(t.as_secs(), 1_700_000_000);
/// assert!(NumericDate::from_secs_f64(1_700_000_000.5).unwrap() > t);
/// assert!(NumericDate::from_secs_f64(f64::NAN).is_none());
/// assert!(NumericDate::from_secs_f64(1.9e19).is_none()); // beyond i64 seconds
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NumericDate {
    secs: i64,
    nanos: u32,
}

impl NumericDate {
    /// The epoch, `1970-01-01T00:00:00Z`.
    pub const UNIX_EPOCH: Self = Self { secs: 0, nanos: 0 };

    /// A whole number of seconds since the epoch.
    ///
    /// ```
    /// use webtoken::NumericDate;
    ///
    /// let t = NumericDate::from_secs(1_700_000_000); // 2023-11-14T22:13:20Z
    /// assert_eq!((t.as_secs(), t.subsec_nanos()), (1_700_000_000, 0));
    /// assert_eq!(NumericDate::from_secs(0), NumericDate::UNIX_EPOCH);
    /// ```
    pub const fn from_secs(secs: i64) -> Self {
        Self { secs, nanos: 0 }
    }

    /// Seconds with a fraction; `None` when not finite or outside the `i64` range of seconds.
    ///
    /// ```
    /// use webtoken::NumericDate;
    ///
    /// let t = NumericDate::from_secs_f64(1_700_000_000.25).unwrap();
    /// assert_eq!((t.as_secs(), t.subsec_nanos()), (1_700_000_000, 250_000_000));
    /// assert_eq!(NumericDate::from_secs_f64(-0.5).unwrap().as_secs(), -1); // rounded down
    /// assert!(NumericDate::from_secs_f64(f64::INFINITY).is_none());
    /// ```
    pub fn from_secs_f64(secs: f64) -> Option<Self> {
        // -2^63 <= secs < 2^63, written as f64 bounds that are exact.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if !secs.is_finite() || !(-LIMIT..LIMIT).contains(&secs) {
            return None;
        }
        let whole = secs.floor();
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let nanos = (((secs - whole) * 1e9) as u32).min(999_999_999);
        #[allow(clippy::cast_possible_truncation)]
        Some(Self {
            secs: whole as i64,
            nanos,
        })
    }

    /// The current time of the system clock.
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use webtoken::NumericDate;
    ///
    /// let before = NumericDate::from_system_time(SystemTime::now());
    /// assert!(NumericDate::now() >= before);
    /// ```
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// Converts a [`SystemTime`], saturating at the `i64` range of seconds.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use webtoken::NumericDate;
    ///
    /// let t = NumericDate::from_system_time(UNIX_EPOCH + Duration::from_millis(1_500));
    /// assert_eq!((t.as_secs(), t.subsec_nanos()), (1, 500_000_000));
    /// let before_epoch = NumericDate::from_system_time(UNIX_EPOCH - Duration::from_millis(500));
    /// assert_eq!(before_epoch, NumericDate::from_secs_f64(-0.5).unwrap());
    /// ```
    pub fn from_system_time(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(d) => Self {
                secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                nanos: d.subsec_nanos(),
            },
            Err(e) => {
                let d = e.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                if d.subsec_nanos() == 0 {
                    Self::from_secs(-secs)
                } else {
                    Self {
                        secs: (-secs).saturating_sub(1),
                        nanos: 1_000_000_000 - d.subsec_nanos(),
                    }
                }
            }
        }
    }

    /// Whole seconds since the epoch (rounded down).
    pub const fn as_secs(self) -> i64 {
        self.secs
    }

    /// The fraction of a second, in nanoseconds.
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// This date plus `duration`, saturating at the end of the representable range.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::NumericDate;
    ///
    /// let issued = NumericDate::from_secs(1_700_000_000);
    /// assert_eq!(issued.saturating_add(Duration::from_secs(900)).as_secs(), 1_700_000_900);
    /// let end = NumericDate::from_secs(i64::MAX).saturating_add(Duration::from_secs(1));
    /// assert_eq!(end.as_secs(), i64::MAX);
    /// ```
    #[must_use]
    pub fn saturating_add(self, duration: Duration) -> Self {
        let secs = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
        let mut nanos = self.nanos + duration.subsec_nanos();
        let mut carry = 0;
        if nanos >= 1_000_000_000 {
            nanos -= 1_000_000_000;
            carry = 1;
        }
        match self
            .secs
            .checked_add(secs)
            .and_then(|s| s.checked_add(carry))
        {
            Some(secs) => Self { secs, nanos },
            None => Self {
                secs: i64::MAX,
                nanos: 999_999_999,
            },
        }
    }

    /// This date minus `duration`, saturating at the start of the representable range.
    ///
    /// ```
    /// use std::time::Duration;
    /// use webtoken::NumericDate;
    ///
    /// let t = NumericDate::from_secs(60).saturating_sub(Duration::from_millis(500));
    /// assert_eq!((t.as_secs(), t.subsec_nanos()), (59, 500_000_000));
    /// ```
    #[must_use]
    pub fn saturating_sub(self, duration: Duration) -> Self {
        let secs = i64::try_from(duration.as_secs()).unwrap_or(i64::MAX);
        let (mut nanos, mut borrow) = (self.nanos, 0);
        if nanos < duration.subsec_nanos() {
            nanos += 1_000_000_000;
            borrow = 1;
        }
        nanos -= duration.subsec_nanos();
        match self
            .secs
            .checked_sub(secs)
            .and_then(|s| s.checked_sub(borrow))
        {
            Some(secs) => Self { secs, nanos },
            None => Self::from_secs(i64::MIN),
        }
    }
}

impl fmt::Display for NumericDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            write!(f, "{}", self.secs)
        } else {
            let frac = format!("{:09}", self.nanos);
            write!(f, "{}.{}", self.secs, frac.trim_end_matches('0'))
        }
    }
}

impl From<SystemTime> for NumericDate {
    fn from(time: SystemTime) -> Self {
        Self::from_system_time(time)
    }
}

impl Serialize for NumericDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.nanos == 0 {
            serializer.serialize_i64(self.secs)
        } else {
            #[allow(clippy::cast_precision_loss)]
            serializer.serialize_f64(self.secs as f64 + f64::from(self.nanos) / 1e9)
        }
    }
}

/// Read with the lenient claim reader, so a wrongly typed `exp` reports what it found.
impl<'de> Deserialize<'de> for NumericDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_any(LenientSeed::<NumericDate>::new())? {
            Ok(v) => Ok(v),
            Err(rejected) => Err(de::Error::custom(rejected.into_reason())),
        }
    }
}

/// Parses a JSON number the strict way: integers in the `i64` range and finite fractions.
#[inline]
fn from_json_number(n: &JsonNumber) -> Result<NumericDate, Cow<'static, str>> {
    match *n {
        JsonNumber::I64(v) => Ok(NumericDate::from_secs(v)),
        JsonNumber::U64(v) => i64::try_from(v)
            .map(NumericDate::from_secs)
            .map_err(|_| "NumericDate is outside the 64-bit range of seconds".into()),
        JsonNumber::F64(v) => NumericDate::from_secs_f64(v)
            .ok_or_else(|| "NumericDate is outside the 64-bit range of seconds".into()),
    }
}

impl Lenient<'_> for NumericDate {
    const EXPECTED: &'static str = "a NumericDate (a JSON number of seconds)";
    fn from_number(n: &JsonNumber) -> Option<Result<Self, Cow<'static, str>>> {
        Some(from_json_number(n))
    }
}

/// A source of the current time, injectable for tests and for services with their own clock.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicI64, Ordering};
/// use webtoken::{Clock, NumericDate, Validation};
///
/// /// A clock the test moves by hand.
/// #[derive(Debug, Default)]
/// struct TestClock(AtomicI64);
///
/// impl Clock for TestClock {
///     fn now(&self) -> NumericDate {
///         NumericDate::from_secs(self.0.load(Ordering::Relaxed))
///     }
/// }
///
/// let clock = Arc::new(TestClock::default());
/// let validation = Validation::new().with_clock(clock.clone());
/// clock.0.store(1_700_000_000, Ordering::Relaxed);
/// assert_eq!(validation.now().as_secs(), 1_700_000_000);
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> NumericDate;
}

/// The operating system's clock, the one [`Validation::new`](crate::Validation::new) and
/// [`Claims::expires_in`](crate::Claims::expires_in) read.
///
/// ```
/// use webtoken::{Clock, NumericDate, SystemClock};
///
/// assert!(SystemClock.now() > NumericDate::from_secs(1_700_000_000));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NumericDate {
        NumericDate::now()
    }
}

/// A clock that always answers the same time.
///
/// ```
/// use webtoken::{Clock, FixedClock, NumericDate};
///
/// let clock = FixedClock(NumericDate::from_secs(1_700_000_000));
/// assert_eq!(clock.now().as_secs(), 1_700_000_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedClock(pub NumericDate);

impl Clock for FixedClock {
    fn now(&self) -> NumericDate {
        self.0
    }
}
