//! Webhook delivery, at least once like Persona: each event is POSTed to the configured URL,
//! signed `Persona-Signature: t=…,v1=…`, with `Persona-Webhook-Attempts-Made` /
//! `-Remaining` headers, retried with exponential backoff until a 2xx or the attempts run out.

use std::time::Duration;

use persona::Secret;

use crate::SandboxError;

/// Attempts per event.
pub const MAX_ATTEMPTS: u32 = 5;

/// Sends events to one URL.
pub struct Deliverer {
    url: String,
    secret: Secret,
    http: reqwest::Client,
}

impl std::fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deliverer")
            .field("url", &self.url)
            .field("secret", &self.secret)
            .finish()
    }
}

impl Deliverer {
    /// A deliverer for `url` (http allowed: receivers under test run on loopback).
    pub fn new(url: &str, secret: Secret) -> Result<Self, SandboxError> {
        url::Url::parse(url).map_err(|_| SandboxError::Config("webhook URL is invalid".into()))?;
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .tls_backend_preconfigured(crate::tls::client_config()?)
            .build()
            .map_err(|err| SandboxError::Delivery(err.to_string()))?;
        Ok(Self {
            url: url.to_owned(),
            secret,
            http,
        })
    }

    /// The destination.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Delivers `event` in the background.
    pub fn enqueue(self: &std::sync::Arc<Self>, event: serde_json::Value) {
        let this = std::sync::Arc::clone(self);
        tokio::spawn(async move { this.deliver(event).await });
    }

    async fn deliver(&self, event: serde_json::Value) {
        let Ok(body) = serde_json::to_vec(&event) else {
            return;
        };
        for attempt in 1..=MAX_ATTEMPTS {
            // Signed per attempt, like Persona: a fresh `t` each time.
            let Ok(signature) =
                persona::sign_webhook(self.secret.clone(), &body, persona::clock::unix_now())
            else {
                return;
            };
            let sent = self
                .http
                .post(&self.url)
                .header("Content-Type", "application/json")
                .header("Persona-Signature", signature)
                .header("Persona-Webhook-Attempts-Made", attempt.to_string())
                .header(
                    "Persona-Webhook-Attempts-Remaining",
                    (MAX_ATTEMPTS - attempt).to_string(),
                )
                .body(body.clone())
                .send()
                .await;
            if matches!(&sent, Ok(response) if response.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100 * 2u64.pow(attempt - 1))).await;
        }
    }
}
