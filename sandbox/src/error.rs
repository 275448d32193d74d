//! The sandbox's own error: what can stop it from starting. Requests it serves never fail this
//! way; they get Persona's error bodies.

use std::net::SocketAddr;

/// Why the sandbox (or its webhook receiver) could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The settings are incomplete or inconsistent (no credentials, a webhook URL without a
    /// secret, an unparseable URL).
    #[error("sandbox configuration: {0}")]
    Config(String),
    /// A credential or secret was refused by libpersona (empty, or an invalid key id).
    #[error("sandbox credentials: {0}")]
    Credentials(#[from] persona::PersonaError),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The HTTP client that delivers webhooks could not be set up (TLS trust store, ...).
    #[error("webhook delivery client: {0}")]
    Delivery(String),
}
