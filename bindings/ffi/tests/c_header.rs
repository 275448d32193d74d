//! Fails when the committed C header differs from what cbindgen generates from `src/c`.
//! Regenerate with `bindings/ffi/generate-header.sh` (sets `PERSONA_BLESS=1`).

// Test code: a failed unwrap or panic is a failed test, with its location.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn committed_header_matches_cbindgen() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).unwrap();
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(root.join("src/c/mod.rs"))
        .generate()
        .expect("cbindgen failed")
        .write(&mut generated);
    let generated = String::from_utf8(generated).unwrap();
    let header_path = root.join("include/persona.h");
    if std::env::var_os("PERSONA_BLESS").is_some() {
        std::fs::write(&header_path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&header_path).unwrap_or_default();
    assert!(
        committed == generated,
        "bindings/ffi/include/persona.h is stale: run bindings/ffi/generate-header.sh and commit the result"
    );
}
