//! The canonical query on arbitrary input: never panics, always ASCII, idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use persona::canonical::{RequestTarget, canonical_query};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let canonical = canonical_query(text);
    assert!(canonical.is_ascii());
    // Canonicalizing a canonical query changes nothing.
    assert_eq!(canonical_query(&canonical), canonical);
    let _ = RequestTarget::parse(text);
});
