//! The `v1` request verifier's header parsing (Authorization, timestamp, nonce, signature
//! entries) on arbitrary header values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use persona::RequestVerifier;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // Four header values separated by newlines; missing ones stay empty.
    let mut parts = text.splitn(5, '\n');
    let mut next = || parts.next().unwrap_or("");
    let headers = [
        ("Authorization", next()),
        ("Persona-Timestamp", next()),
        ("Persona-Nonce", next()),
        ("Persona-Signature", next()),
    ];
    let url = next();
    let verifier = RequestVerifier::builder().key("kid", "fuzz-secret").replay_cache(64).build().unwrap();
    let _ = verifier.verify_at("POST", url, headers.iter().map(|(n, v)| (*n, *v)), data, 1_700_000_000);
});
