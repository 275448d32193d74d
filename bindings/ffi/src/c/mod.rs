//! The C ABI of libpersona: `persona_<type>_<verb>` functions over opaque handles.
//!
//! Conventions (after rustls-ffi):
//! - Fallible functions return a [`persona_result`] number (stable, never reused). On failure,
//!   `persona_last_error_code` / `_kind` / `_message` give this thread's error: the core's stable
//!   code and kind, so no language keeps a table of numbers.
//! - Every string and body crosses as pointer + length, never NUL-terminated: a NUL byte inside a
//!   secret or a header reaches the core, which judges it like any other byte.
//! - Integers that have a domain (a tolerance) are passed signed and checked here, so a negative
//!   value is an error rather than a wrap to a huge one.
//! - Out-params are written only on success.
//! - Every entry point runs inside [`boundary::guard`] (a panic becomes `PERSONA_ERR_PANIC`,
//!   never an unwind into C) and checks its pointers and UTF-8 first.
//! - Handles are freed with their `_free` function, which accepts NULL.
//!
//! This module is the only code in the workspace allowed to use `unsafe`, and every `unsafe` block
//! reads caller memory whose validity the function's documented contract makes the caller
//! responsible for.

#![allow(non_camel_case_types)]
// The workspace denies `unsafe_code`; the C ABI is the one place that needs it (raw pointers from C).
#![allow(unsafe_code)]

#[macro_use]
mod boundary;
#[cfg(feature = "client")]
mod client;
pub(crate) mod fork;
mod result;
mod signer;
mod verifier;
mod webhook;

pub use boundary::{
    persona_last_error_code, persona_last_error_kind, persona_last_error_length,
    persona_last_error_message,
};
#[cfg(feature = "client")]
pub use client::*;
pub use result::{persona_result, persona_result_name};
pub use signer::*;
pub use verifier::*;
pub use webhook::*;

/// The library version as a NUL-terminated string, e.g. `"0.1.0"`.
///
/// Static storage: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn persona_version() -> *const std::ffi::c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Panics inside the library on purpose and returns what the boundary made of it.
///
/// For binding test suites, to prove a Rust panic surfaces as an error and the host survives.
/// Always returns `PERSONA_ERR_PANIC`.
///
/// Only in builds with the `test-hooks` feature (never a shipped library; the header declares it
/// under `PERSONA_TEST_HOOKS`).
#[cfg(feature = "test-hooks")]
#[unsafe(no_mangle)]
pub extern "C" fn persona_debug_trigger_panic() -> persona_result {
    boundary::guard(|| -> Result<(), boundary::FfiError> {
        // The default panic hook still prints a line to stderr; the host must survive it.
        #[allow(clippy::panic)] // the whole point of this entry point
        std::panic::panic_any(boundary::DeliberatePanic)
    })
}
