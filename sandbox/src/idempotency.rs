//! Persona's idempotency (<https://docs.withpersona.com/idempotence>): "All POST requests accept
//! idempotency keys"; Persona saves "the resulting status code and body of the first request …
//! regardless of whether it succeeded or failed … including 500 errors", "compares incoming
//! parameters to those of the original request and errors unless they're the same", and prunes
//! keys "after they're at least 24 hours old" (a pruned key starts a new request). A key whose
//! first request is still running is refused too. The docs name no status for either refusal;
//! the sandbox answers 409, Persona's status for a request that "conflicts with another request"
//! (<https://docs.withpersona.com/v2022-09-01/reference/errors>).
//!
//! "The same parameters" are compared as parameters, not bytes: the method, the path, the query
//! pairs in order, and the body as parsed JSON (so re-indented JSON is the same request; a body
//! that is not JSON is compared by its bytes).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// A stored response.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Status.
    pub status: u16,
    /// JSON body.
    pub body: serde_json::Value,
}

/// How long a key is kept.
pub const KEY_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug)]
enum State {
    InProgress,
    Done(Stored),
}

#[derive(Debug)]
struct Entry {
    fingerprint: [u8; 32],
    claimed: Instant,
    state: State,
}

/// What to do with a request carrying an Idempotency-Key.
#[derive(Debug)]
pub enum Claim {
    /// First time: process it, then [`Idempotency::complete`].
    Process,
    /// Seen with the same parameters: replay this.
    Replay(Stored),
    /// Seen with different parameters.
    Mismatch,
    /// The first request with this key has not finished.
    InProgress,
}

/// Keys → their first response.
#[derive(Debug, Default)]
pub struct Idempotency {
    entries: Mutex<HashMap<String, Entry>>,
}

/// Identifies "the same parameters": method, path, query pairs, and the body as parsed JSON.
pub fn fingerprint(method: &str, target: &str, body: &[u8]) -> [u8; 32] {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut hash = Sha256::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        hash.update(name.as_bytes());
        hash.update(b"=");
        hash.update(value.as_bytes());
        hash.update(b"&");
    }
    let canonical_body = serde_json::from_slice::<serde_json::Value>(body)
        .map(|json| json.to_string().into_bytes())
        .unwrap_or_else(|_| body.to_vec());
    for part in [
        method.as_bytes(),
        b"\n",
        path.as_bytes(),
        b"\n",
        &canonical_body[..],
    ] {
        hash.update(part);
    }
    hash.finalize().into()
}

impl Idempotency {
    /// Claims `key` for a request with this fingerprint.
    pub fn claim(&self, key: &str, fingerprint: [u8; 32]) -> Claim {
        self.claim_at(key, fingerprint, Instant::now())
    }

    fn claim_at(&self, key: &str, fingerprint: [u8; 32], now: Instant) -> Claim {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let expired = |entry: &Entry| now.duration_since(entry.claimed) >= KEY_LIFETIME;
        if entries.len() % 1024 == 0 {
            // Amortized pruning: at most one sweep per 1024 keys claimed.
            entries.retain(|_, entry| !expired(entry));
        }
        match entries.get(key) {
            Some(entry) if !expired(entry) => match &entry.state {
                _ if entry.fingerprint != fingerprint => Claim::Mismatch,
                State::Done(response) => Claim::Replay(response.clone()),
                State::InProgress => Claim::InProgress,
            },
            _ => {
                entries.insert(
                    key.to_owned(),
                    Entry {
                        fingerprint,
                        claimed: now,
                        state: State::InProgress,
                    },
                );
                Claim::Process
            }
        }
    }

    /// Stores the response of a claimed key.
    pub fn complete(&self, key: &str, response: Stored) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = entries.get_mut(key) {
            entry.state = State::Done(response);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn stored() -> Stored {
        Stored {
            status: 201,
            body: serde_json::json!({"data": {"id": "inq_1"}}),
        }
    }

    #[test]
    fn parameters_are_compared_as_parameters_and_keys_live_a_day() {
        let store = Idempotency::default();
        let start = Instant::now();
        let first = fingerprint("POST", "/api/v1/inquiries?a=1", br#"{"a": 1, "b": [1, 2]}"#);
        assert!(matches!(store.claim_at("k", first, start), Claim::Process));
        assert!(matches!(
            store.claim_at("k", first, start),
            Claim::InProgress
        ));
        store.complete("k", stored());
        // Re-indented JSON and an encoded query are the same parameters.
        let same = fingerprint("POST", "/api/v1/inquiries?a=%31", b"{\"a\":1,\"b\":[1,2]}");
        assert!(matches!(store.claim_at("k", same, start), Claim::Replay(_)));
        let other = fingerprint("POST", "/api/v1/inquiries?a=1", br#"{"a": 2, "b": [1, 2]}"#);
        assert!(matches!(store.claim_at("k", other, start), Claim::Mismatch));
        // After 24 hours the key is new again.
        let later = start + KEY_LIFETIME;
        assert!(matches!(store.claim_at("k", other, later), Claim::Process));
    }
}
