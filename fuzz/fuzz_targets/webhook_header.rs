//! Persona webhook header parser and verifier on arbitrary header text and body bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use persona::WebhookVerifier;
use persona::webhook::header;

fuzz_target!(|data: &[u8]| {
    // First line: the header; the rest: the body.
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let Ok(text) = std::str::from_utf8(&data[..split]) else { return };
    let body = data.get(split + 1..).unwrap_or_default();
    if let Ok(sets) = header::parse(text) {
        assert!(!sets.is_empty() && sets.len() <= header::MAX_SETS);
    }
    let verifier = WebhookVerifier::new(["fuzz-secret"]).unwrap();
    let _ = verifier.verify_at(text, body, 1_700_000_000);
    let _ = verifier.verify_event_at(text, body, 1_700_000_000);
});
