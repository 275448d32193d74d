//! Everything the sandbox's handlers share.

use std::sync::Arc;

use serde_json::{Value, json};

use super::SandboxConfig;
use super::faults::Faults;
use super::idempotency::Idempotency;
use super::rate_limit::RateLimit;
use super::store::{Kind, Store, iso8601, new_id};
use super::webhooks::{Deliverer, Delivery};
use persona::{ApiKey, RequestVerifier, Secret};
use subtle::ConstantTimeEq;

use crate::SandboxError;

/// Shared sandbox state.
pub struct State {
    store: Store,
    pub(crate) faults: Faults,
    pub(crate) idempotency: Idempotency,
    pub(crate) rate_limit: Option<RateLimit>,
    oauth_codes: std::sync::Mutex<std::collections::HashMap<String, String>>,
    api_key: Option<ApiKey>,
    admin_token: Secret,
    verifier: Option<RequestVerifier>,
    deliverer: Arc<Deliverer>,
    /// Resources Persona processes after the request that made them (`lifecycle::settle`).
    processing: std::sync::Mutex<Vec<String>>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("api_key", &self.api_key.is_some())
            .field("key_pair", &self.verifier.is_some())
            .field("webhooks", &self.deliverer)
            .finish()
    }
}

impl State {
    pub fn new(config: &SandboxConfig) -> Result<Self, SandboxError> {
        if config.api_key.is_none() && config.key_pair.is_none() {
            return Err(SandboxError::Config(
                "the sandbox needs PERSONA_API_KEY, or PERSONA_API_KEY_ID and PERSONA_API_KEY_SECRET".into(),
            ));
        }
        let verifier = match &config.key_pair {
            Some((key_id, secret)) => Some(
                RequestVerifier::builder()
                    .key(key_id.clone(), secret.clone())
                    .replay_cache(100_000)
                    .build()?,
            ),
            None => None,
        };
        let store = Store::default();
        match (&config.webhook_url, &config.webhook_secret) {
            // The configured webhook is a webhook object like any created through the API.
            (Some(url), Some(secret)) => {
                url::Url::parse(url)
                    .map_err(|_| SandboxError::Config("webhook URL is invalid".into()))?;
                store.insert_other(json!({
                    "type": "webhook",
                    "id": "wbh_sandbox",
                    "attributes": {
                        "status": "enabled",
                        "url": url,
                        "enabled-events": ["*"],
                        "secret": secret.expose(),
                        "secrets": [{ "value": secret.expose(), "expires-at": null }],
                        "api-version": persona::client::DEFAULT_PERSONA_VERSION,
                        "api-key-inflection": "kebab",
                        "created-at": iso8601(persona::clock::unix_now()),
                    },
                }));
            }
            (Some(_), None) => {
                return Err(SandboxError::Config(
                    "--webhook-url needs PERSONA_WEBHOOK_SECRET to sign deliveries".into(),
                ));
            }
            _ => {}
        }
        Ok(Self {
            store,
            faults: Faults::default(),
            idempotency: Idempotency::default(),
            rate_limit: config.rate_limit.map(RateLimit::new),
            oauth_codes: std::sync::Mutex::default(),
            api_key: config.api_key.clone(),
            admin_token: config
                .admin_token
                .clone()
                .unwrap_or_else(|| Secret::new(new_id("sbx_admin"))),
            verifier,
            deliverer: Arc::new(Deliverer::new()?),
            processing: std::sync::Mutex::default(),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// OAuth codes issued and not yet exchanged, with their scope.
    pub fn oauth_codes(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, String>> {
        self.oauth_codes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The token the admin routes require.
    pub fn admin_token(&self) -> &Secret {
        &self.admin_token
    }

    /// Whether `authorization` is `Bearer <admin token>` (constant time).
    pub fn is_admin(&self, authorization: Option<&str>) -> bool {
        let expected = format!("Bearer {}", self.admin_token.expose());
        authorization
            .is_some_and(|given| bool::from(given.trim().as_bytes().ct_eq(expected.as_bytes())))
    }

    /// Checks the bearer key or the `v1` signature; the error is a short reason (no secrets).
    pub fn authenticate(
        &self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<(), String> {
        let find = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let signed = find("persona-signature").is_some();
        if let (Some(verifier), true) = (&self.verifier, signed) {
            return verifier
                .verify(
                    method,
                    target,
                    headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                    body,
                )
                .map(|_| ())
                .map_err(|err| err.code().to_owned());
        }
        if let (Some(key), Some(authorization)) = (&self.api_key, find("authorization")) {
            let expected = format!("Bearer {}", key.secret().expose());
            // Constant time: the comparison must not reveal how much of a guessed key was right.
            if bool::from(authorization.trim().as_bytes().ct_eq(expected.as_bytes())) {
                return Ok(());
            }
            return Err("invalid_api_key".into());
        }
        Err(if self.verifier.is_some() {
            "missing_signature".into()
        } else {
            "missing_api_key".into()
        })
    }

    /// Records an event about `object` and delivers it to every enabled webhook that listens
    /// for it (`enabled-events` names it, or `*`), signed with each of its live secrets.
    /// Marks `id` for processing after this request (`lifecycle::settle`).
    pub(crate) fn process_later(&self, id: &str) {
        if let Ok(mut processing) = self.processing.lock() {
            processing.push(id.to_owned());
        }
    }

    /// The ids marked by [`State::process_later`], taken.
    pub(crate) fn take_processing(&self) -> Vec<String> {
        self.processing
            .lock()
            .map(|mut processing| std::mem::take(&mut *processing))
            .unwrap_or_default()
    }

    pub fn emit(&self, name: &str, object: &Value) {
        let now = iso8601(persona::clock::unix_now());
        let event = json!({
            "type": "event",
            "id": new_id("evt"),
            "attributes": {
                "name": name,
                "created-at": now,
                "payload": { "data": object },
            },
        });
        // The webhooks listening first: an event nobody listens to is stored without a copy.
        let deliveries: Vec<Delivery> = self
            .store
            .of_type("webhook")
            .iter()
            .filter_map(|webhook| {
                let attributes = &webhook["attributes"];
                let listens = attributes["enabled-events"]
                    .as_array()
                    .is_some_and(|events| events.iter().any(|e| e == "*" || e == name));
                if attributes["status"] != "enabled" || !listens {
                    return None;
                }
                let url = attributes["url"].as_str()?;
                let secrets: Vec<Secret> = attributes["secrets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|secret| {
                        secret["expires-at"]
                            .as_str()
                            .is_none_or(|at| at > now.as_str())
                    })
                    .filter_map(|secret| secret["value"].as_str().map(Secret::new))
                    .collect();
                (!secrets.is_empty()).then(|| Delivery {
                    url: url.to_owned(),
                    secrets,
                })
            })
            .collect();
        if deliveries.is_empty() {
            self.store.insert_quiet(Kind::Event, event);
            return;
        }
        let event = self.store.insert(Kind::Event, event);
        for delivery in deliveries {
            self.deliverer
                .enqueue(delivery, json!({ "data": event.clone() }));
        }
    }
}
