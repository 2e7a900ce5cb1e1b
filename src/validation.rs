//! placeholder
use crate::claims::NumericDate;
/// A clock.
pub trait Clock: Send + Sync + std::fmt::Debug { /// now
 fn now(&self) -> NumericDate; }
/// system
#[derive(Debug)] pub struct SystemClock;
impl Clock for SystemClock { fn now(&self) -> NumericDate { NumericDate::now() } }
