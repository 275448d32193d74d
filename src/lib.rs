//! # libpersona
//!
//! One Rust core that authenticates, signs and verifies traffic for the Persona
//! identity-verification API, shipped to C (and, through the same library, to Python, Kotlin and
//! Swift).
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
//! 5. **Calling Persona** ([`client`], feature `client`): an async client with retries, one
//!    Idempotency-Key per logical POST, typed resources and pagination, plus a blocking facade.
//! 6. **Errors** ([`error`]): every function returns [`PersonaError`]; rejections carry a typed
//!    reason with a stable code shared by the test vectors and every language.
//!
//! The rules are written up in `docs/SIGNING.md`; `tests/vectors/` holds known answers produced by
//! an independent implementation, which every language's test suite runs.
//!
//! The C ABI (`bindings/c/`) is compiled into this same library; it is the one module that
//! opts out of the crate-wide lint against raw-pointer code, in its own file.

pub mod canonical;
#[cfg(feature = "client")]
pub mod client;
pub mod clock;
pub mod credentials;
pub mod error;
pub mod fields;
mod hex;
mod mac;
pub mod replay;
#[cfg(feature = "client")]
pub mod runtime;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod secret;
pub mod signer;
#[cfg(feature = "uniffi")]
pub mod uniffi_api;
pub mod verifier;
pub mod webhook;

/// The C ABI (`persona_*` functions, header `bindings/c/persona.h`). Rust callers use the safe API.
#[path = "../bindings/c/src/lib.rs"]
pub mod c_abi;

pub use credentials::{ApiKey, Credentials, Environment, KeyPair};
pub use error::{
    ApiError, ApiErrorDetail, ApiErrorKind, InputField, PersonaError, RequestRejection,
    WebhookRejection,
};
pub use secret::Secret;
pub use signer::{RequestSigner, SignedRequest};
pub use verifier::{RequestVerifier, RequestVerifierBuilder, VerifiedRequest};
pub use webhook::{WebhookEvent, WebhookVerifier, sign_webhook};

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("persona");

/// The library version (`CARGO_PKG_VERSION`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
