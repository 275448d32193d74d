//! A bounded memory of accepted (key id, nonce) pairs, so a captured request cannot be replayed.
//!
//! A nonce must be remembered for as long as a replay of its request could still pass the timestamp
//! check: until `timestamp + tolerance`. Entries are dropped after that. The capacity bounds memory;
//! when the cache is full of unexpired entries, [`ReplayCache::check_and_record`] refuses new
//! requests instead of evicting — forgetting a live nonce would re-open the replay window.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::Mutex;

use crate::error::RequestRejection;

type Entry = (String, String);

#[derive(Debug, Default)]
struct Inner {
    seen: HashSet<Entry>,
    by_expiry: BinaryHeap<Reverse<(i64, Entry)>>,
}

/// Thread-safe replay cache with a fixed capacity.
#[derive(Debug)]
pub struct ReplayCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl ReplayCache {
    /// A cache holding at most `capacity` (key id, nonce) pairs (at least 1).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Records (key id, nonce), to be kept until `expires_at` (unix seconds, inclusive).
    /// Fails if the pair is already recorded, or if the cache is full of unexpired pairs.
    pub fn check_and_record(
        &self,
        key_id: &str,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), RequestRejection> {
        // A poisoned lock only means another thread panicked mid-insert; the set is still usable.
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        while let Some(Reverse((expiry, _))) = inner.by_expiry.peek() {
            if *expiry >= now {
                break;
            }
            if let Some(Reverse((_, entry))) = inner.by_expiry.pop() {
                inner.seen.remove(&entry);
            }
        }
        let entry = (key_id.to_owned(), nonce.to_owned());
        if inner.seen.contains(&entry) {
            return Err(RequestRejection::ReplayedNonce);
        }
        if inner.seen.len() >= self.capacity {
            return Err(RequestRejection::ReplayCacheFull);
        }
        inner.seen.insert(entry.clone());
        inner.by_expiry.push(Reverse((expires_at, entry)));
        Ok(())
    }

    /// Number of pairs currently remembered.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .seen
            .len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_replays_until_expiry() {
        let cache = ReplayCache::new(10);
        assert!(cache.check_and_record("k", "n1", 100, 0).is_ok());
        assert_eq!(
            cache.check_and_record("k", "n1", 100, 50),
            Err(RequestRejection::ReplayedNonce)
        );
        assert_eq!(
            cache.check_and_record("k", "n1", 100, 100),
            Err(RequestRejection::ReplayedNonce)
        );
        // Same nonce under another key id is a different pair.
        assert!(cache.check_and_record("k2", "n1", 100, 0).is_ok());
        // After expiry the pair is forgotten (the timestamp check now rejects such a replay).
        assert!(cache.check_and_record("k", "n1", 300, 101).is_ok());
    }

    #[test]
    fn full_cache_fails_closed_then_recovers() {
        let cache = ReplayCache::new(2);
        cache.check_and_record("k", "a", 10, 0).unwrap();
        cache.check_and_record("k", "b", 20, 0).unwrap();
        assert_eq!(
            cache.check_and_record("k", "c", 30, 5),
            Err(RequestRejection::ReplayCacheFull)
        );
        assert_eq!(cache.len(), 2);
        cache.check_and_record("k", "c", 30, 11).unwrap();
        assert_eq!(cache.len(), 2);
    }
}
