//! Webhook delivery, at least once like Persona: each event is POSTed to the configured URL,
//! signed `Persona-Signature: t=…,v1=…`, with the delivery headers Persona's OpenAPI document
//! declares for every webhook (`Persona-Webhook-Attempts-Made`, `Persona-Webhook-Attempts-Left`,
//! `Persona-Webhook-First-Attempted-At`, unix seconds), retried with exponential backoff until
//! a 200, 201, 202 or 204 ("return a 2xx status (200, 201, 202 or 204) within 5 seconds",
//! <https://docs.withpersona.com/2022-09-01/webhooks-best-practices/llms.txt>) or the attempts run out.

use std::time::Duration;

use persona::Secret;

use crate::SandboxError;

/// Attempts per event: the first and "up to 7 additional times with an exponential backoff"
/// (<https://docs.withpersona.com/quickstart-webhooks>: a first attempt carries
/// `Persona-Webhook-Attempts-Left: 7`). The backoff is compressed (100 ms doubling) for local use.
pub const MAX_ATTEMPTS: u32 = 8;

/// The statuses Persona counts as delivered.
fn delivered(status: reqwest::StatusCode) -> bool {
    matches!(status.as_u16(), 200 | 201 | 202 | 204)
}

/// Sends events to webhook URLs (one HTTP client for all).
pub struct Deliverer {
    http: reqwest::Client,
}

impl std::fmt::Debug for Deliverer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deliverer").finish_non_exhaustive()
    }
}

/// One delivery: where, signed with which secrets (several during a rotation). `Secret` prints
/// redacted.
#[derive(Debug)]
pub struct Delivery {
    pub url: String,
    pub secrets: Vec<Secret>,
}

impl Deliverer {
    /// The HTTP client deliveries use (http allowed: receivers under test run on loopback).
    pub fn new() -> Result<Self, SandboxError> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .tls_backend_preconfigured(crate::tls::client_config()?)
            .build()
            .map_err(|err| SandboxError::Delivery(err.to_string()))?;
        Ok(Self { http })
    }

    /// Delivers `event` in the background.
    pub fn enqueue(self: &std::sync::Arc<Self>, to: Delivery, event: serde_json::Value) {
        let this = std::sync::Arc::clone(self);
        tokio::spawn(async move { this.deliver(to, event).await });
    }

    async fn deliver(&self, to: Delivery, event: serde_json::Value) {
        let Ok(body) = serde_json::to_vec(&event) else {
            return;
        };
        let first_attempted_at = persona::clock::unix_now();
        for attempt in 1..=MAX_ATTEMPTS {
            // Signed per attempt, like Persona: a fresh `t` each time; during a secret rotation
            // "the Persona-Signature header will contain two space-separated sets of the
            // key-value pairs" (https://docs.withpersona.com/docs/webhooks-best-practices).
            let now = persona::clock::unix_now();
            let signatures: Result<Vec<String>, _> = to
                .secrets
                .iter()
                .map(|secret| persona::sign_webhook(secret.clone(), &body, now))
                .collect();
            let Ok(signatures) = signatures else {
                return;
            };
            let sent = self
                .http
                .post(&to.url)
                .header("Content-Type", "application/json")
                .header("Persona-Signature", signatures.join(" "))
                .header("Persona-Webhook-Attempts-Made", attempt.to_string())
                .header(
                    "Persona-Webhook-Attempts-Left",
                    (MAX_ATTEMPTS - attempt).to_string(),
                )
                .header(
                    "Persona-Webhook-First-Attempted-At",
                    first_attempted_at.to_string(),
                )
                .body(body.clone())
                .send()
                .await;
            if matches!(&sent, Ok(response) if delivered(response.status())) {
                return;
            }
            if attempt < MAX_ATTEMPTS {
                tokio::time::sleep(Duration::from_millis(100 * 2u64.pow(attempt - 1))).await;
            }
        }
    }
}
