//! Persona's rate limit (<https://docs.withpersona.com/rate-limiting>): "up to 300 requests per
//! minute … The count resets at the start of the next minute", over with `429 Too Many
//! Requests`; `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` ("the number of
//! seconds until the current rate limit window resets") on every authenticated response
//! (<https://docs.withpersona.com/api-reference/rate-limits/list-all-rate-limits>). It runs before
//! idempotency, as Persona's does ("rate limiters are executed before the API's idempotency
//! layer", <https://docs.withpersona.com/errors>), so a 429 is never stored for a key.

use std::sync::Mutex;

/// Persona's default limit per minute.
pub const PERSONA_DEFAULT: u32 = 300;

/// One counter per minute of the clock.
#[derive(Debug)]
pub struct RateLimit {
    limit: u32,
    window: Mutex<(i64, u32)>,
}

/// What the limiter decided for one request: the headers' values, and whether it is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub limit: u32,
    pub remaining: u32,
    pub reset: i64,
    pub refused: bool,
}

impl RateLimit {
    pub fn new(limit: u32) -> Self {
        Self {
            limit,
            window: Mutex::new((i64::MIN, 0)),
        }
    }

    /// Counts one request made at `now` (unix seconds).
    pub fn take(&self, now: i64) -> Decision {
        let minute = now.div_euclid(60);
        let mut window = self.window.lock().unwrap_or_else(|p| p.into_inner());
        if window.0 != minute {
            *window = (minute, 0);
        }
        let refused = window.1 >= self.limit;
        if !refused {
            window.1 += 1;
        }
        Decision {
            limit: self.limit,
            remaining: self.limit - window.1,
            reset: (minute + 1) * 60 - now,
            refused,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_minute_and_resets_at_the_next() {
        let limiter = RateLimit::new(2);
        let start = 1_700_000_080; // 40 s into a minute (1_700_000_040 is a whole minute)
        assert_eq!(
            limiter.take(start),
            Decision {
                limit: 2,
                remaining: 1,
                reset: 20,
                refused: false
            }
        );
        assert!(!limiter.take(start + 1).refused);
        let third = limiter.take(start + 2);
        assert!(third.refused);
        assert_eq!((third.remaining, third.reset), (0, 18));
        let next_minute = limiter.take(start + 20);
        assert_eq!((next_minute.refused, next_minute.remaining), (false, 1));
    }
}
