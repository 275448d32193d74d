//! The UniFFI surface: the API client (and its error), from which the Python, Kotlin and Swift
//! bindings are generated.
//!
//! Every exported method is a one-line delegation to the core (plus conversion). Objects are
//! `Send + Sync`; async methods run on the core's one tokio runtime, so reqwest works from
//! asyncio, coroutines and Swift tasks. Signing and webhook verification are not here: every
//! language calls them through the C ABI of the same library (one FFI per surface), which skips
//! UniFFI's per-argument marshalling on the paths that run on every request.

// The exported error's shape is what UniFFI can carry (flat fields, no boxing); errors are the
// cold path, so its size does not matter here.
#![allow(clippy::result_large_err)]

mod client;
mod credentials;
mod error;
mod records;

pub use client::*;
pub use credentials::Credentials;
pub use error::PersonaError;
pub use records::*;

/// The library version.
#[uniffi::export]
pub fn version() -> String {
    persona_core::VERSION.to_owned()
}
