//! The UniFFI surface: a thin exported layer over the core for Python, Kotlin and Swift.
//!
//! Every exported method is a one-line delegation to the core (plus conversion). Objects are
//! `Send + Sync`; async methods run on tokio (`async_runtime = "tokio"`), so reqwest works from
//! asyncio, coroutines and Swift tasks. Hot paths in Python (webhook verify, request sign) go
//! through the C ABI of the same library instead, to skip UniFFI's marshalling cost.

// The exported error's shape is what UniFFI can carry (flat fields, no boxing); errors are the
// cold path, so its size does not matter here.
#![allow(clippy::result_large_err)]

mod client;
mod error;
mod signing;

pub use client::*;
pub use error::PersonaError;
pub use signing::*;

/// The library version.
#[uniffi::export]
pub fn version() -> String {
    persona_core::VERSION.to_owned()
}

/// A `Persona-Signature` value (`t=<timestamp>,v1=<hex>`) for `body`: for tests and local servers
/// that play Persona's part.
#[uniffi::export]
pub fn sign_webhook(secret: String, body: Vec<u8>, timestamp: i64) -> Result<String, PersonaError> {
    Ok(persona_core::webhook::sign_webhook(
        secret, &body, timestamp,
    )?)
}
