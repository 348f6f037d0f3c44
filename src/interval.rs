//! The half-open interval, the one quantity both the model and its errors
//! speak of: a lifespan in time, or a window of memory inside a buffer.

use std::fmt;

/// A half-open interval `[lower, upper)`, used both for time (a lifespan) and
/// for space (a window inside a buffer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    /// First value inside the interval.
    pub lower: i64,
    /// First value past the interval (`upper >= lower`).
    pub upper: i64,
}

impl Interval {
    /// The interval `[lower, upper)`.
    pub const fn new(lower: i64, upper: i64) -> Self {
        Interval { lower, upper }
    }

    /// `upper - lower`; callers keep `lower <= upper`, so this is never negative.
    pub const fn len(&self) -> i64 {
        self.upper - self.lower
    }

    /// Whether the interval contains no value.
    pub const fn is_empty(&self) -> bool {
        self.upper <= self.lower
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {})", self.lower, self.upper)
    }
}
