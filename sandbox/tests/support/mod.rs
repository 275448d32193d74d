//! What the sandbox's tests and its client benchmark share: a plain reqwest client for loopback
//! HTTP (admin calls, hand-made requests, the benchmark's baseline). The workspace enables
//! reqwest without a built-in TLS provider, so one is passed explicitly; no roots are trusted,
//! since only plain HTTP to 127.0.0.1 is ever sent.

use std::sync::Arc;

#[allow(clippy::unwrap_used)] // fixed, valid configuration: a failure is a broken test setup
pub fn loopback_http() -> reqwest::Client {
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .no_proxy()
        .build()
        .unwrap()
}
