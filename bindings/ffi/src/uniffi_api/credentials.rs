//! Credentials as an opaque object: the secret never sits in a record, whose generated
//! `toString()`/`description`/`repr` would print it.

use std::sync::Arc;

use persona_core::credentials::{ApiKey, Credentials as CoreCredentials, KeyPair};

use super::PersonaError;

/// Persona's API key, or a `v1` key id + secret, or what the environment holds. Prints as
/// `Credentials([REDACTED])` in every language.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct Credentials(CoreCredentials);

impl Credentials {
    pub(crate) fn core(&self) -> &CoreCredentials {
        &self.0
    }
}

#[uniffi::export]
impl Credentials {
    /// Persona's API key (sent as `Authorization: Bearer`).
    #[uniffi::constructor]
    pub fn api_key(key: String) -> Result<Arc<Self>, PersonaError> {
        Ok(Arc::new(Self(CoreCredentials::ApiKey(ApiKey::new(key)?))))
    }

    /// A `v1` key id + secret: every request is signed.
    #[uniffi::constructor]
    pub fn key_pair(key_id: String, secret: String) -> Result<Arc<Self>, PersonaError> {
        Ok(Arc::new(Self(CoreCredentials::KeyPair(KeyPair::new(
            key_id, secret,
        )?))))
    }

    /// `PERSONA_API_KEY`, or `PERSONA_API_KEY_ID` + `PERSONA_API_KEY_SECRET` (and an optional
    /// `PERSONA_ENVIRONMENT`).
    #[uniffi::constructor]
    pub fn from_env() -> Result<Arc<Self>, PersonaError> {
        Ok(Arc::new(Self(CoreCredentials::from_env()?)))
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials([REDACTED])")
    }
}

impl std::fmt::Display for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials([REDACTED])")
    }
}
