//! `persona sandbox`: a local Persona-compatible server (think stripe-mock), the embedded default
//! that the demo, every language's tests and users run against — real HTTP over loopback.
//!
//! - Auth: the bearer key in `PERSONA_API_KEY`, and/or the key pair `PERSONA_API_KEY_ID` +
//!   `PERSONA_API_KEY_SECRET` (requests must then carry a valid `v1` signature; replay cache on).
//! - JSON:API bodies shaped like Persona's (kebab keys; `Key-Inflection: camel|snake` honoured),
//!   `Request-Id` and `RateLimit-*` headers, cursor pagination, Persona's error format.
//! - Idempotency like Persona: the first response for a key is stored and replayed; the same key
//!   with different parameters is an error; never a second object.
//! - Fault injection through `/_sandbox/faults` (see [`faults`]), and inquiry lifecycle events
//!   delivered as signed webhooks (see [`webhooks`]).

#![forbid(unsafe_code)]

mod error;
pub mod faults;
mod idempotency;
mod inflection;
pub mod receiver;
mod routes;
mod server;
mod state;
mod store;
mod tls;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use persona::{ApiKey, Secret};

pub use error::SandboxError;
pub use receiver::{Delivery, WebhookReceiver};
pub use server::SandboxHandle;

/// What the sandbox accepts and where it sends webhooks.
#[derive(Debug, Clone, Default)]
pub struct SandboxConfig {
    /// Address to bind (default `127.0.0.1:0`: an ephemeral loopback port).
    pub bind: Option<SocketAddr>,
    /// Accepted bearer API key.
    pub api_key: Option<ApiKey>,
    /// Accepted `v1` key pair (key id, secret).
    pub key_pair: Option<(String, Secret)>,
    /// Where lifecycle events are POSTed, signed with `webhook_secret`.
    pub webhook_url: Option<String>,
    /// Secret for webhook signatures.
    pub webhook_secret: Option<Secret>,
}

impl SandboxConfig {
    /// Reads `PERSONA_API_KEY`, `PERSONA_API_KEY_ID` + `PERSONA_API_KEY_SECRET` and
    /// `PERSONA_WEBHOOK_SECRET` (each optional, but at least one credential is required).
    pub fn from_env() -> Result<Self, SandboxError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let api_key = var("PERSONA_API_KEY").map(ApiKey::new).transpose()?;
        let key_pair = match (var("PERSONA_API_KEY_ID"), var("PERSONA_API_KEY_SECRET")) {
            (Some(id), Some(secret)) => Some((id, Secret::new(secret))),
            (None, None) => None,
            _ => {
                return Err(SandboxError::Config(
                    "set both PERSONA_API_KEY_ID and PERSONA_API_KEY_SECRET, or neither".into(),
                ));
            }
        };
        Ok(Self {
            bind: None,
            api_key,
            key_pair,
            webhook_url: None,
            webhook_secret: var("PERSONA_WEBHOOK_SECRET").map(Secret::new),
        })
    }
}

/// Starts the sandbox on the current tokio runtime.
pub async fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
    let state = Arc::new(state::State::new(&config)?);
    server::serve(config.bind, state).await
}
