//! Exported signing objects: webhook verifier, request signer, request verifier.

use std::sync::Arc;

use super::PersonaError;

/// A verified Persona webhook event.
#[derive(Debug, Clone, uniffi::Record)]
pub struct WebhookEvent {
    pub id: String,
    pub name: String,
    pub created_at: Option<String>,
    /// `attributes.payload` as raw JSON text.
    pub payload_json: String,
}

/// The four headers of a `v1` signature, plus the canonical request for debugging.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SignedHeaders {
    pub authorization: String,
    pub timestamp: String,
    pub nonce: String,
    pub signature: String,
    pub canonical_request: String,
}

/// One key id and one of its secrets (repeat the key id to accept several secrets).
#[derive(Clone, uniffi::Record)]
pub struct KeyEntry {
    pub key_id: String,
    pub secret: String,
}

impl std::fmt::Debug for KeyEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyEntry")
            .field("key_id", &self.key_id)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

/// A received HTTP header.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// Verifies Persona webhooks.
#[derive(Debug, uniffi::Object)]
pub struct WebhookVerifier(persona_core::WebhookVerifier);

#[uniffi::export]
impl WebhookVerifier {
    /// Accepts any of `secrets` (rotation); tolerance in seconds (300 is Persona's usual).
    #[uniffi::constructor]
    pub fn new(secrets: Vec<String>, tolerance_secs: u64) -> Result<Arc<Self>, PersonaError> {
        Ok(Arc::new(Self(
            persona_core::WebhookVerifier::new(secrets)?.with_tolerance_secs(tolerance_secs),
        )))
    }

    /// Verifies the `Persona-Signature` value against the raw body (`now`: unix seconds).
    pub fn verify(
        &self,
        header: String,
        body: Vec<u8>,
        now: Option<i64>,
    ) -> Result<(), PersonaError> {
        Ok(self.0.verify_at(
            &header,
            &body,
            now.unwrap_or_else(persona_core::clock::unix_now),
        )?)
    }

    /// Verifies, then reads the event.
    pub fn verify_event(
        &self,
        header: String,
        body: Vec<u8>,
        now: Option<i64>,
    ) -> Result<WebhookEvent, PersonaError> {
        let event = self.0.verify_event_at(
            &header,
            &body,
            now.unwrap_or_else(persona_core::clock::unix_now),
        )?;
        Ok(WebhookEvent {
            id: event.id,
            name: event.name,
            created_at: event.created_at,
            payload_json: event.payload_json,
        })
    }
}

/// Signs `v1` requests.
#[derive(Debug, uniffi::Object)]
pub struct RequestSigner(persona_core::RequestSigner);

#[uniffi::export]
impl RequestSigner {
    #[uniffi::constructor]
    pub fn new(key_id: String, secret: String) -> Result<Arc<Self>, PersonaError> {
        Ok(Arc::new(Self(persona_core::RequestSigner::new(
            key_id, secret,
        )?)))
    }

    /// Signs; `timestamp`/`nonce` default to now / a random nonce.
    pub fn sign(
        &self,
        method: String,
        url: String,
        body: Vec<u8>,
        timestamp: Option<i64>,
        nonce: Option<String>,
    ) -> Result<SignedHeaders, PersonaError> {
        let signed = self
            .0
            .sign_with(&method, &url, &body, timestamp, nonce.as_deref())?;
        let [authorization, timestamp, nonce, signature] =
            signed.headers().map(|(_, v)| v.to_owned());
        Ok(SignedHeaders {
            authorization,
            timestamp,
            nonce,
            signature,
            canonical_request: signed.canonical_request().to_owned(),
        })
    }
}

/// Verifies `v1`-signed requests.
#[derive(Debug, uniffi::Object)]
pub struct RequestVerifier(persona_core::RequestVerifier);

#[uniffi::export]
impl RequestVerifier {
    /// `replay_cache_capacity` 0 turns the replay cache off.
    #[uniffi::constructor]
    pub fn new(
        keys: Vec<KeyEntry>,
        tolerance_secs: u64,
        replay_cache_capacity: u64,
    ) -> Result<Arc<Self>, PersonaError> {
        let mut builder = persona_core::RequestVerifier::builder().tolerance_secs(tolerance_secs);
        for key in keys {
            builder = builder.key(key.key_id, key.secret);
        }
        if replay_cache_capacity > 0 {
            builder =
                builder.replay_cache(usize::try_from(replay_cache_capacity).unwrap_or(usize::MAX));
        }
        Ok(Arc::new(Self(builder.build()?)))
    }

    /// Returns the authenticated key id.
    pub fn verify(
        &self,
        method: String,
        url: String,
        headers: Vec<Header>,
        body: Vec<u8>,
        now: Option<i64>,
    ) -> Result<String, PersonaError> {
        let now = now.unwrap_or_else(persona_core::clock::unix_now);
        let pairs = headers.iter().map(|h| (h.name.as_str(), h.value.as_str()));
        Ok(self.0.verify_at(&method, &url, pairs, &body, now)?.key_id)
    }
}
