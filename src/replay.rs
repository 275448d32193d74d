//! A bounded memory of accepted (key id, nonce) pairs, so a captured request cannot be replayed.
//!
//! A nonce must be remembered for as long as a replay of its request could still pass the timestamp
//! check: until `timestamp + tolerance`. The capacity bounds memory; when the cache is full of
//! unexpired entries, [`ReplayCache::check_and_record`] refuses new requests instead of evicting —
//! forgetting a live nonce would re-open the replay window.
//!
//! Cost stays flat as the cache grows (issue 14; figures in BENCHMARKS.md):
//! - **An entry is 24 bytes**: a 16-byte tag and its expiry, in a hash table (25 bytes per slot
//!   with the control byte, 28–57 bytes per entry as the table's load moves between 7/16 and 7/8).
//!   The tag is SipHash-2-4-128 of the length-prefixed key id and nonce, keyed with 128 random
//!   bits per cache, so nobody can aim a nonce at another's tag. A collision can only make a fresh
//!   nonce look replayed (a replay always has the same tag): with `n` entries remembered, a fresh
//!   nonce is refused by accident with probability `n / 2^128` (3·10⁻³² at 10⁷ entries).
//! - **Sharded**: the tag picks one of a power-of-two number of shards, each with its own lock
//!   and at most [`SHARD_ENTRIES`] entries, so threads rarely meet and no table grows past that.
//! - **Expiry is exact and incremental**: a remembered tag whose expiry has passed counts as
//!   absent (and is overwritten), so a nonce is forgotten the second it expires. Memory is given
//!   back by sweeping one shard at a time, once the shard's earliest entry has been expired for a
//!   sixteenth of its spread of expiries (at most [`MAX_SWEEP_DELAY`]), or at once when the shard is
//!   full. A sweep, like a table's growth, touches one shard: a few microseconds under its lock
//!   (BENCHMARKS.md), never the whole cache.
//!
//! The capacity is split evenly between the shards (a cache of up to [`SHARD_ENTRIES`] is one
//! shard, exact). A shard full of unexpired entries refuses (fail-closed, never an eviction), and
//! tags spread over shards only as evenly as chance allows: a large cache can start refusing at
//! about 85–90% of its capacity. Size it with that headroom over the nonces you expect to hold
//! (requests per second × twice the tolerance).

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::{Mutex, MutexGuard};

use siphasher::sip128::{Hasher128, SipHasher24};

use crate::error::RequestRejection;

/// The most entries one shard holds: the bound on a sweep's and a table growth's work under the
/// shard's lock (measured in BENCHMARKS.md as the worst single call).
pub const SHARD_ENTRIES: usize = 1024;

/// The longest an expired entry waits for its shard's sweep (seconds), whatever the spread.
pub const MAX_SWEEP_DELAY: i64 = 60;

/// The most shards a cache is split into (2¹⁵ × 1024 entries: 33 million; larger caches get
/// larger shards).
const MAX_SHARDS: usize = 1 << 15;

/// A (key id, nonce) pair's keyed 128-bit hash.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Tag([u64; 2]);

impl Hash for Tag {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Already uniformly random: the table hashes a tag by its first word, as is.
        state.write_u64(self.0[0]);
    }
}

/// Passes one `u64` through: the only thing `Tag` writes.
#[derive(Default)]
struct TagHasher(u64);

impl Hasher for TagHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not reached (`Tag` writes one u64); folded in anyway so that any use still hashes.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = word;
    }
}

#[derive(Default)]
struct Shard {
    /// Tag → expiry (unix seconds, inclusive).
    entries: HashMap<Tag, i64, BuildHasherDefault<TagHasher>>,
    /// No entry expires before this (exact after a sweep, a lower bound between sweeps).
    earliest: i64,
    /// No entry expires after this.
    latest: i64,
}

impl Shard {
    fn record(&mut self, tag: Tag, expires_at: i64) {
        if self.entries.is_empty() {
            self.earliest = expires_at;
            self.latest = expires_at;
        } else {
            self.earliest = self.earliest.min(expires_at);
            self.latest = self.latest.max(expires_at);
        }
        self.entries.insert(tag, expires_at);
    }

    /// Is a sweep worth its cost: has the earliest entry been expired for a sixteenth of the
    /// spread (so that about a sixteenth of the entries can go)?
    fn sweep_due(&self, now: i64) -> bool {
        let delay = (self.latest.saturating_sub(self.earliest) / 16).clamp(0, MAX_SWEEP_DELAY);
        !self.entries.is_empty() && now > self.earliest.saturating_add(delay)
    }

    /// Forgets every entry expired at `now` and recomputes the bounds.
    fn sweep(&mut self, now: i64) {
        self.entries.retain(|_, expiry| *expiry >= now);
        let (earliest, latest) = self
            .entries
            .values()
            .fold((i64::MAX, i64::MIN), |(low, high), &expiry| {
                (low.min(expiry), high.max(expiry))
            });
        self.earliest = earliest;
        self.latest = latest;
    }
}

/// A shard on its own cache lines, so threads locking neighbours do not slow each other.
#[repr(align(64))]
#[derive(Default)]
struct PaddedShard(Mutex<Shard>);

/// Thread-safe replay cache with a fixed capacity.
pub struct ReplayCache {
    capacity: usize,
    shard_capacity: usize,
    shards: Box<[PaddedShard]>,
    keys: (u64, u64),
}

impl fmt::Debug for ReplayCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The hash keys stay out: with them, nonces could be aimed at remembered tags.
        f.debug_struct("ReplayCache")
            .field("capacity", &self.capacity)
            .field("shards", &self.shards.len())
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl ReplayCache {
    /// A cache holding at most `capacity` (key id, nonce) pairs (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let shards = capacity
            .div_ceil(SHARD_ENTRIES)
            .next_power_of_two()
            .min(MAX_SHARDS);
        Self {
            capacity,
            shard_capacity: capacity.div_ceil(shards),
            shards: (0..shards).map(|_| PaddedShard::default()).collect(),
            keys: random_keys(),
        }
    }

    /// Records (key id, nonce), to be kept until `expires_at` (unix seconds, inclusive).
    /// Fails if the pair is already recorded and unexpired at `now`, or if its shard is full of
    /// unexpired pairs.
    pub fn check_and_record(
        &self,
        key_id: &str,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<(), RequestRejection> {
        let tag = self.tag(key_id, nonce);
        // `shards.len()` is a power of two; the second word picks the shard, the first the slot.
        let index = (tag.0[1] as usize) & (self.shards.len() - 1);
        let mut shard = lock(&self.shards[index]);
        if shard.sweep_due(now) {
            shard.sweep(now);
        }
        match shard.entries.get(&tag) {
            Some(&expiry) if expiry >= now => return Err(RequestRejection::ReplayedNonce),
            Some(_) => {} // expired: forgotten, overwritten below
            None => {
                if shard.entries.len() >= self.shard_capacity && shard.earliest < now {
                    shard.sweep(now);
                }
                if shard.entries.len() >= self.shard_capacity {
                    return Err(RequestRejection::ReplayCacheFull);
                }
            }
        }
        shard.record(tag, expires_at);
        Ok(())
    }

    /// Number of pairs currently held (expired pairs count until their shard is swept).
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| lock(shard).entries.len())
            .sum()
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pairs this cache holds at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The bytes its tables and shards hold (for monitoring; BENCHMARKS.md divides it by the
    /// entries). A table of `b` buckets holds `b` tag-and-expiry slots and `b + 16` control bytes.
    pub fn memory_bytes(&self) -> usize {
        let slot = std::mem::size_of::<(Tag, i64)>();
        let tables: usize = self
            .shards
            .iter()
            .map(|shard| match lock(shard).entries.capacity() {
                0 => 0,
                // The table's usable capacity is 7/8 of its buckets (all but one below 8).
                small @ 1..8 => (small + 1) * (slot + 1) + 16,
                capacity => capacity / 7 * 8 * (slot + 1) + 16,
            })
            .sum();
        tables + std::mem::size_of_val(&*self.shards)
    }

    fn tag(&self, key_id: &str, nonce: &str) -> Tag {
        let mut hasher = SipHasher24::new_with_keys(self.keys.0, self.keys.1);
        // Length-prefixed, so ("ab", "c") and ("a", "bc") are different pairs.
        hasher.write(&(key_id.len() as u64).to_le_bytes());
        hasher.write(key_id.as_bytes());
        hasher.write(nonce.as_bytes());
        let hash = hasher.finish128();
        Tag([hash.h1, hash.h2])
    }
}

fn lock(shard: &PaddedShard) -> MutexGuard<'_, Shard> {
    // A poisoned lock only means another thread panicked mid-insert; the table is still usable.
    shard.0.lock().unwrap_or_else(|p| p.into_inner())
}

/// 128 random key bits from the OS; std's per-process random hash keys if the OS refuses (the
/// tags then stay unpredictable to a remote sender, which is what the key is for).
fn random_keys() -> (u64, u64) {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_ok() {
        let (low, high) = bytes.split_at(8);
        let word = |half: &[u8]| u64::from_le_bytes(half.try_into().unwrap_or_default());
        return (word(low), word(high));
    }
    use std::hash::BuildHasher;
    let state = std::collections::hash_map::RandomState::new();
    (state.hash_one(0u8), state.hash_one(1u8))
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
        assert_eq!(
            cache.check_and_record("k", "n1", 300, 102),
            Err(RequestRejection::ReplayedNonce)
        );
    }

    #[test]
    fn pairs_are_length_prefixed() {
        let cache = ReplayCache::new(10);
        cache.check_and_record("ab", "cdefghij", 100, 0).unwrap();
        assert!(cache.check_and_record("a", "bcdefghij", 100, 0).is_ok());
        assert!(cache.check_and_record("abc", "defghij", 100, 0).is_ok());
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
        // "a" is gone; "b" and "c" are still held.
        assert_eq!(
            cache.check_and_record("k", "b", 40, 11),
            Err(RequestRejection::ReplayedNonce)
        );
    }

    #[test]
    fn capacity_is_shared_between_shards() {
        let capacity = 10 * SHARD_ENTRIES;
        let cache = ReplayCache::new(capacity);
        // Ten shards' worth rounds up to 16 shards.
        assert_eq!(cache.shards.len(), 16);
        assert_eq!(cache.shard_capacity, capacity / 16);
        assert_eq!(ReplayCache::new(usize::MAX).shards.len(), MAX_SHARDS);
    }

    #[test]
    fn a_large_cache_fails_closed_and_sweeps_by_shard() {
        let capacity = 4 * SHARD_ENTRIES;
        let cache = ReplayCache::new(capacity);
        assert_eq!(cache.shards.len(), 4);
        // Fill until the first refusal: every shard refuses only when it is full.
        let mut accepted = 0;
        let mut refused = 0;
        for n in 0..capacity * 2 {
            match cache.check_and_record("k", &format!("nonce-{n}"), 1_000 + (n % 100) as i64, 0) {
                Ok(()) => accepted += 1,
                Err(RequestRejection::ReplayCacheFull) => refused += 1,
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!(accepted, capacity);
        assert_eq!(refused, capacity);
        assert_eq!(cache.len(), capacity);
        // Every entry accepted is remembered.
        for n in 0..200 {
            let result = cache.check_and_record("k", &format!("nonce-{n}"), 2_000, 500);
            assert!(
                matches!(
                    result,
                    Err(RequestRejection::ReplayedNonce | RequestRejection::ReplayCacheFull)
                ),
                "{result:?}"
            );
        }
        // Once they expire, each shard sweeps when it is next used and room comes back.
        for n in 0..1_000 {
            cache
                .check_and_record("k", &format!("fresh-{n}"), 3_000, 1_200)
                .unwrap();
        }
        assert_eq!(cache.len(), 1_000);
    }

    #[test]
    fn sweeps_keep_memory_to_the_live_window() {
        let cache = ReplayCache::new(1 << 20);
        // A steady stream: 50 pairs a second, each kept 600 s; after 2000 s at most the live
        // window plus the sweep delay (600 + 60 s) is held, never the whole history.
        for second in 0..2_000i64 {
            for n in 0..50 {
                cache
                    .check_and_record("k", &format!("{second}-{n}"), second + 600, second)
                    .unwrap();
            }
        }
        let held = cache.len();
        assert!(held >= 600 * 50, "{held}");
        // (A shard is swept when next used: 512 shards at 50 a second see one every ~10 s.)
        assert!(held <= (600 + MAX_SWEEP_DELAY as usize + 30) * 50, "{held}");
    }

    #[test]
    fn memory_is_a_table_slot_and_a_control_byte_per_bucket() {
        let cache = ReplayCache::new(SHARD_ENTRIES);
        assert_eq!(cache.memory_bytes(), 64); // one empty shard
        for n in 0..896 {
            cache
                .check_and_record("k", &format!("n{n}"), 10, 0)
                .unwrap();
        }
        // 896 entries fill 1024 buckets to 7/8: 1024 × 25 + 16 bytes, plus the shard.
        assert_eq!(cache.memory_bytes(), 1024 * 25 + 16 + 64);
    }

    #[test]
    fn debug_shows_no_keys() {
        let cache = ReplayCache::new(3);
        let text = format!("{cache:?}");
        assert!(
            text.starts_with("ReplayCache { capacity: 3, shards: 1, len: 0"),
            "{text}"
        );
        assert!(!text.contains(&cache.keys.0.to_string()));
    }
}
