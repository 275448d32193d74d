//! TLS for webhook deliveries to `https` URLs: rustls with the ring provider and the OS trust
//! store, the same choices as libpersona's API client (no OpenSSL, no process-wide provider).

use std::sync::Arc;

use rustls_platform_verifier::BuilderVerifierExt;

use crate::SandboxError;

/// A client configuration that trusts what the operating system trusts.
pub(crate) fn client_config() -> Result<rustls::ClientConfig, SandboxError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| SandboxError::Delivery(format!("TLS setup failed: {err}")))?
        .with_platform_verifier()
        .map(|builder| builder.with_no_client_auth())
        .map_err(|err| SandboxError::Delivery(format!("TLS trust store unavailable: {err}")))
}
