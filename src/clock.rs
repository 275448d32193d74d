//! The current time as unix seconds: the one place that reads the system clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the unix epoch (negative if the clock is set before 1970).
pub fn unix_now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(elapsed) => i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// `now - then`, saturated to the i64 range (inputs are arbitrary caller/wire values).
pub(crate) fn skew(now: i64, then: i64) -> i64 {
    now.saturating_sub(then)
}

/// |now - then| ≤ tolerance, inclusive, computed without overflow.
pub(crate) fn within_tolerance(now: i64, then: i64, tolerance_secs: u64) -> bool {
    (i128::from(now) - i128::from(then)).unsigned_abs() <= u128::from(tolerance_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerance_is_inclusive_and_overflow_safe() {
        assert!(within_tolerance(100, 400, 300));
        assert!(within_tolerance(400, 100, 300));
        assert!(!within_tolerance(401, 100, 300));
        assert!(!within_tolerance(100, 401, 300));
        assert!(within_tolerance(5, 5, 0));
        assert!(!within_tolerance(5, 6, 0));
        assert!(within_tolerance(i64::MIN, i64::MAX, u64::MAX));
        assert!(!within_tolerance(i64::MIN, i64::MAX, u64::MAX - 1));
        assert!(within_tolerance(i64::MAX, i64::MAX, 0));
        assert_eq!(skew(i64::MIN, i64::MAX), i64::MIN);
    }

    #[test]
    fn now_is_recent() {
        assert!(unix_now() > 1_700_000_000);
    }
}
