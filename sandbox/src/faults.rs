//! Fault injection: make the next N matching requests fail in a chosen way.
//!
//! `POST /_sandbox/faults` with a JSON rule:
//!
//! ```json
//! {"method": "POST", "path": "/api/v1/inquiries", "count": 2,
//!  "kind": "status", "status": 429, "retry_after": 1}
//! ```
//!
//! | `kind` | effect |
//! |---|---|
//! | `status` | answer `status` (429 with `retry_after`/`ratelimit_reset`, 500, 502, 503, 504) **before** processing; a 500 is stored for the request's Idempotency-Key, like Persona |
//! | `delay` | wait `delay_ms`, then process normally |
//! | `reset` | drop the connection **before** processing (nothing happens) |
//! | `lose_response` | process (the object **is** created), then drop the connection: the client never hears back |
//!
//! `method` and `path` (a prefix) are optional filters. `DELETE /_sandbox/faults` clears all rules.

use std::sync::Mutex;

use serde::Deserialize;

/// What a fault does.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer this status before processing.
    Status {
        /// HTTP status.
        status: u16,
        /// `Retry-After` seconds.
        #[serde(default)]
        retry_after: Option<u64>,
        /// `RateLimit-Reset` seconds.
        #[serde(default)]
        ratelimit_reset: Option<u64>,
    },
    /// Sleep, then process normally.
    Delay {
        /// Milliseconds.
        delay_ms: u64,
    },
    /// Drop the connection before processing.
    Reset,
    /// Process, then drop the connection.
    LoseResponse,
}

/// A rule: which requests, how many, what fault.
#[derive(Debug, Clone, Deserialize)]
pub struct FaultRule {
    /// Only this method (any if absent).
    #[serde(default)]
    pub method: Option<String>,
    /// Only paths starting with this (any if absent).
    #[serde(default)]
    pub path: Option<String>,
    /// How many matching requests fail (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// The fault.
    #[serde(flatten)]
    pub fault: Fault,
}

fn one() -> u32 {
    1
}

/// The active rules.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
}

impl Faults {
    /// Adds a rule.
    pub fn add(&self, rule: FaultRule) {
        self.rules
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(rule);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.rules.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Takes one use of the first rule matching this request, if any.
    pub fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().unwrap_or_else(|p| p.into_inner());
        let index = rules.iter().position(|rule| {
            rule.count > 0
                && rule
                    .method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && rule.path.as_deref().is_none_or(|p| path.starts_with(p))
        })?;
        rules[index].count -= 1;
        let fault = rules[index].fault.clone();
        if rules[index].count == 0 {
            rules.remove(index);
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_and_run_out() {
        let faults = Faults::default();
        let rule: FaultRule = serde_json::from_str(
            r#"{"method":"post","path":"/api/v1/inquiries","count":2,"kind":"status","status":503}"#,
        )
        .unwrap();
        faults.add(rule);
        assert_eq!(faults.take("GET", "/api/v1/inquiries"), None);
        assert!(matches!(
            faults.take("POST", "/api/v1/inquiries"),
            Some(Fault::Status { status: 503, .. })
        ));
        assert!(faults.take("POST", "/api/v1/inquiries/x").is_some());
        assert_eq!(faults.take("POST", "/api/v1/inquiries"), None);
    }
}
