//! Persona-style idempotency: the first response for a key is stored and replayed; the same key
//! with different parameters is refused; a key whose first request is still running is refused.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// A stored response.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Status.
    pub status: u16,
    /// JSON body.
    pub body: serde_json::Value,
}

#[derive(Debug)]
enum Entry {
    InProgress {
        fingerprint: [u8; 32],
    },
    Done {
        fingerprint: [u8; 32],
        response: Stored,
    },
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

/// Identifies "the same parameters": method, target and body bytes.
pub fn fingerprint(method: &str, target: &str, body: &[u8]) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in [method.as_bytes(), b"\n", target.as_bytes(), b"\n", body] {
        hash.update(part);
    }
    hash.finalize().into()
}

impl Idempotency {
    /// Claims `key` for a request with this fingerprint.
    pub fn claim(&self, key: &str, fingerprint: [u8; 32]) -> Claim {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match entries.get(key) {
            None => {
                entries.insert(key.to_owned(), Entry::InProgress { fingerprint });
                Claim::Process
            }
            Some(Entry::Done {
                fingerprint: seen,
                response,
            }) if *seen == fingerprint => Claim::Replay(response.clone()),
            Some(Entry::InProgress { fingerprint: seen }) if *seen == fingerprint => {
                Claim::InProgress
            }
            Some(_) => Claim::Mismatch,
        }
    }

    /// Stores the response of a claimed key.
    pub fn complete(&self, key: &str, response: Stored) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = entries.get_mut(key) {
            let fingerprint = match entry {
                Entry::InProgress { fingerprint } | Entry::Done { fingerprint, .. } => *fingerprint,
            };
            *entry = Entry::Done {
                fingerprint,
                response,
            };
        }
    }
}
