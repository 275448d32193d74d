//! # libpersona
//!
//! One Rust core that authenticates, signs and verifies traffic for the Persona
//! identity-verification API, shipped to C, Python, Kotlin and Swift through one
//! library built from it (`libpersona`, the `persona-ffi` crate).
//!
//! A walk through the crate, in the order a request meets it:
//!
//! 1. **Credentials** ([`credentials`]): Persona's bearer [`ApiKey`], or a [`KeyPair`] (key id +
//!    secret) for the `v1` request scheme. Every secret is a [`Secret`]: zeroized on drop and printed
//!    as `[REDACTED]`.
//! 2. **Signing a request** ([`signer`]): [`RequestSigner`] builds the `v1` canonical request
//!    ([`canonical`]) and returns the four headers to add. It touches no HTTP library.
//! 3. **Verifying a request** ([`verifier`]): [`RequestVerifier`] checks those headers on the
//!    receiving side — key rotation, a tolerance window and an optional replay cache ([`replay`]).
//! 4. **Webhooks** ([`webhook`]): [`WebhookVerifier`] checks Persona's real
//!    `Persona-Signature: t=…,v1=…` header (with secret rotation) and hands back the
//!    [`WebhookEvent`]; [`sign_webhook`] produces such headers for tests and the sandbox.
//! 5. **Calling Persona** (`client`, with the `client` feature, on by default): an async client with retries, one
//!    Idempotency-Key per logical POST, every operation of Persona's OpenAPI document as a typed
//!    method (`client.api()`), pagination both ways, plus a blocking facade.
//! 6. **Errors** ([`error`]): every function returns [`PersonaError`]; rejections carry a typed
//!    reason with a stable code shared by the test vectors and every language.
//!
//! The rules are written up in `docs/SIGNING.md`; `tests/vectors/` holds known answers produced by
//! an independent implementation, which every language's test suite runs.
//!
//! This crate is the core alone: memory-safe Rust only (the compiler enforces it below), no FFI
//! attributes, no server, no argument parser. The other products are their own crates in this
//! workspace: `persona-ffi` (`bindings/ffi/`: libpersona's C ABI and UniFFI exports),
//! `persona-sandbox` (`sandbox/`) and `persona-cli` (`cli/`: the `persona` binary). With the
//! `client` feature off, the crate needs no async runtime, HTTP or TLS stack (webhook
//! verification and `v1` signing only).

#![forbid(unsafe_code)]

pub mod canonical;
#[cfg(feature = "client")]
pub mod client;
pub mod clock;
pub mod credentials;
pub mod error;
pub mod fields;
mod hex;
mod mac;
pub mod model;
pub mod random;
pub mod replay;
#[cfg(feature = "client")]
pub mod runtime;
pub mod secret;
pub mod signer;
pub mod verifier;
pub mod webhook;

pub use credentials::{ApiKey, Credentials, Environment, KeyPair};
pub use error::{
    ApiError, ApiErrorDetail, ApiErrorKind, InputField, PersonaError, RequestRejection,
    WebhookRejection,
};
pub use secret::Secret;
pub use signer::{RequestSigner, SignedRequest};
pub use verifier::{RequestVerifier, RequestVerifierBuilder, VerifiedRequest};
pub use webhook::{WebhookEvent, WebhookVerifier, sign_webhook};

/// The library version (`CARGO_PKG_VERSION`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
