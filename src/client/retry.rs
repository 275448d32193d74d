//! When to retry, and how long to wait: exponential backoff with full jitter, capped, honouring
//! `Retry-After` / `RateLimit-Reset`.
//!
//! What is retried (every attempt of a POST carries the same Idempotency-Key, so a retry never
//! creates a second object): connection failures and timeouts before a response; 429; 502, 503 and
//! 504. A 500 is retried only for reads: Persona stores the *first* response for an idempotency key,
//! including a 500, so retrying a POST would only replay it — the caller gets the error and the key.

use std::time::Duration;

/// Retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// First backoff ceiling; doubles per retry.
    pub base_delay: Duration,
    /// Largest backoff ceiling.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// Full jitter: uniform in `[0, min(max_delay, base_delay × 2^retry)]`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry.min(20)))
            .min(self.max_delay);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        // Uniform in [0, nanos]; at u64::MAX every u64 is in range (`nanos + 1` would overflow).
        let random = random_u64();
        Duration::from_nanos(nanos.checked_add(1).map_or(random, |span| random % span))
    }
}

fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    // Jitter needs no secrecy; if the OS has no randomness, no jitter is the safe fallback.
    if getrandom::fill(&mut bytes).is_err() {
        return u64::MAX;
    }
    u64::from_le_bytes(bytes)
}

/// Is a response with this status worth another attempt?
pub fn is_retryable_status(status: u16, is_post: bool) -> bool {
    match status {
        429 | 502 | 503 | 504 => true,
        500 => !is_post,
        _ => false,
    }
}

/// The wait a 429 asks for: `Retry-After` (delay-seconds) or `RateLimit-Reset` (seconds).
pub fn requested_wait(
    retry_after: Option<&str>,
    ratelimit_reset: Option<&str>,
) -> Option<Duration> {
    let seconds = |value: Option<&str>| {
        value
            .map(str::trim)
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_secs)
    };
    seconds(retry_after).or_else(|| seconds(ratelimit_reset))
}

/// A random UUIDv4, the default Idempotency-Key.
pub fn uuid_v4() -> Result<String, crate::PersonaError> {
    let mut b = [0u8; 16];
    // The nonce generator: a per-thread CSPRNG, no system call per POST.
    crate::random::fill(&mut b)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = crate::hex::encode(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_grows() {
        let policy = RetryPolicy::default();
        for retry in 0..30 {
            let ceiling = (policy.base_delay * 2u32.pow(retry.min(20))).min(policy.max_delay);
            assert!(policy.backoff(retry) <= ceiling);
        }
        let zero = RetryPolicy {
            base_delay: Duration::ZERO,
            ..policy
        };
        assert_eq!(zero.backoff(3), Duration::ZERO);
    }

    #[test]
    fn backoff_saturates_at_the_largest_durations() {
        // `random % (nanos + 1)` overflowed (and divided by zero in release) for these.
        for cap in [
            Duration::MAX,
            Duration::from_nanos(u64::MAX),
            Duration::from_secs(u64::MAX),
        ] {
            let policy = RetryPolicy {
                max_retries: 3,
                base_delay: cap,
                max_delay: cap,
            };
            for retry in [0, 1, 20, u32::MAX] {
                assert!(policy.backoff(retry) <= cap);
            }
        }
    }

    #[test]
    fn retryable_statuses() {
        for status in [429, 502, 503, 504] {
            assert!(is_retryable_status(status, true));
        }
        assert!(
            !is_retryable_status(500, true),
            "POST 500 is replayed by Persona, not retried"
        );
        assert!(is_retryable_status(500, false));
        for status in [400, 401, 403, 404, 409, 422] {
            assert!(!is_retryable_status(status, false));
        }
    }

    #[test]
    fn waits_and_keys() {
        assert_eq!(
            requested_wait(Some("2"), Some("9")),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            requested_wait(None, Some(" 3 ")),
            Some(Duration::from_secs(3))
        );
        assert_eq!(requested_wait(Some("soon"), None), None);
        let key = uuid_v4().unwrap();
        assert_eq!(key.len(), 36);
        assert_eq!(&key[14..15], "4");
        assert_ne!(key, uuid_v4().unwrap());
    }
}
