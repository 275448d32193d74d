//! `persona sandbox`: a local Persona-compatible server (think stripe-mock), the embedded default
//! that the demo, every language's tests and users run against — real HTTP over loopback.
//!
//! - Auth: the bearer key in `PERSONA_API_KEY`, and/or the key pair `PERSONA_API_KEY_ID` +
//!   `PERSONA_API_KEY_SECRET` (requests must then carry a valid `v1` signature; replay cache on).
//! - JSON:API bodies shaped like Persona's (kebab keys; `Key-Inflection: camel|snake` honoured),
//!   `Request-Id` headers, cursor pagination, Persona's error format; Persona's rate limit with its
//!   `RateLimit-*` headers when configured ([`SandboxConfig::rate_limit`]); `Persona-Version`
//!   checked against the versions Persona publishes.
//! - Idempotency like Persona: the first response for a key is stored and replayed; the same key
//!   with different parameters is an error; never a second object.
//! - Fault injection through `/_sandbox/faults` (see [`faults`]), and inquiry lifecycle events
//!   delivered as signed webhooks (see [`webhooks`]). The `/_sandbox/*` admin routes need the
//!   sandbox's admin token (`Authorization: Bearer …`), and a non-loopback address needs
//!   [`SandboxConfig::allow_non_loopback`].

#![forbid(unsafe_code)]

mod error;
pub mod faults;
mod fixtures;
mod generic;
mod idempotency;
mod inflection;
mod lifecycle;
mod rate_limit;
pub mod receiver;
mod routes;
mod schema;
mod server;
mod shape;
mod state;
mod store;
mod tls;
mod validate;
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
    /// Requests per minute before `429` ([`PERSONA_RATE_LIMIT`] is Persona's); `None`: no limit
    /// and no `RateLimit-*` headers (tests that make many requests).
    pub rate_limit: Option<u32>,
    /// The token `/_sandbox/*` requires (`Authorization: Bearer <token>`); `None`: a random one,
    /// read with [`SandboxHandle::admin_token`].
    pub admin_token: Option<Secret>,
    /// Allows binding an address other than loopback (the sandbox holds test data and fault
    /// injection: never exposed by accident).
    pub allow_non_loopback: bool,
}

/// Persona's default rate limit, requests per minute.
pub const PERSONA_RATE_LIMIT: u32 = rate_limit::PERSONA_DEFAULT;

impl SandboxConfig {
    /// Reads `PERSONA_API_KEY`, `PERSONA_API_KEY_ID` + `PERSONA_API_KEY_SECRET`,
    /// `PERSONA_WEBHOOK_SECRET` and `PERSONA_SANDBOX_ADMIN_TOKEN` (each optional, but at least one
    /// credential is required).
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
            rate_limit: None,
            admin_token: var("PERSONA_SANDBOX_ADMIN_TOKEN").map(Secret::new),
            allow_non_loopback: false,
        })
    }
}

/// Starts the sandbox on the current tokio runtime.
pub async fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
    if let Some(bind) = config.bind {
        if !bind.ip().is_loopback() && !config.allow_non_loopback {
            return Err(SandboxError::Config(format!(
                "{} is not a loopback address; the sandbox binds one only when allowed explicitly (--allow-non-loopback)",
                bind.ip()
            )));
        }
    }
    let state = Arc::new(state::State::new(&config)?);
    server::serve(config.bind, state).await
}
