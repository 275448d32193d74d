//! The async Persona API client.
//!
//! ```no_run
//! # async fn demo() -> Result<(), persona::PersonaError> {
//! use persona::client::Client;
//! let client = Client::builder().credentials_from_env()?.build()?;
//! let body = serde_json::json!({"data": {"attributes": {"inquiry-template-id": "itmpl_123"}}});
//! let inquiry = client.api().inquiries().create(persona::client::Call::new().body(body)).await?;
//! println!("{:?} {:?}", inquiry.id(), inquiry.attribute_str("status"));
//! # Ok(()) }
//! ```
//!
//! Every POST carries an Idempotency-Key (the caller's, or a UUIDv4 made once per logical call)
//! that every retry reuses, and each attempt re-sends the identical buffered body; see
//! [`retry`] for what is retried.

pub mod api;
mod blocking;
mod builder;
mod call_json;
mod document;
mod http;
pub mod operation;
pub mod operations;
mod pages;
mod reply;
pub mod retry;
mod simulate;
mod simulate_actions;

pub use blocking::{BlockingClient, BlockingPages};
pub use builder::ClientBuilder;
pub use document::related;
pub use http::{ApiResponse, RequestOptions};
pub use operation::{Call, FilterValue, Operation};
pub use pages::{Direction, Pages, next_cursor, previous_cursor};
pub use reply::{BinaryResponse, Reply};
/// The HTTP method type [`Client::request`] takes (reqwest's, re-exported).
pub use reqwest::Method;
pub use simulate::{SimulateAction, simulate_actions_body};

use std::sync::{Arc, RwLock};

use crate::credentials::{ApiKey, Credentials};
use crate::error::PersonaError;
use crate::signer::RequestSigner;

/// Default API base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.withpersona.com/api/v1";
/// `Persona-Version` sent unless overridden: the version of Persona's OpenAPI document the
/// operation table was generated from (pinned so responses keep the shape the types expect).
pub const DEFAULT_PERSONA_VERSION: &str = operations::API_VERSION;
/// The `persona_version` setting that sends no `Persona-Version` header (the API key's own
/// version applies); see [`ClientBuilder::persona_version`].
pub const PERSONA_VERSION_NONE: &str = "none";
/// `Key-Inflection` sent on every request; the typed models read kebab-case keys.
pub const KEY_INFLECTION: &str = "kebab";

/// How requests are authenticated.
pub(crate) enum Auth {
    /// `Authorization: Bearer <api key>` (Persona's scheme).
    Bearer(ApiKey),
    /// The four `v1` headers, re-signed on every attempt.
    Signed(RequestSigner),
}

impl Auth {
    pub(crate) fn from_credentials(credentials: &Credentials) -> Result<Self, PersonaError> {
        Ok(match credentials {
            Credentials::ApiKey(key) => Self::Bearer(key.clone()),
            Credentials::KeyPair(pair) => Self::Signed(RequestSigner::from_key_pair(pair)?),
        })
    }
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    /// `base_url`, parsed once.
    pub(crate) base: url::Url,
    /// `None`: no header (the key's dashboard version applies).
    pub(crate) persona_version: Option<String>,
    pub(crate) user_agent: reqwest::header::HeaderValue,
    pub(crate) auth: RwLock<Arc<Auth>>,
    pub(crate) retry: retry::RetryPolicy,
    pub(crate) request_timeout: std::time::Duration,
    pub(crate) total_timeout: std::time::Duration,
}

/// The Persona API client. Cheap to clone (shared connection pool); `Send + Sync`.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("persona_version", &self.inner.persona_version)
            .field("credentials", &"[REDACTED]")
            .field("retry", &self.inner.retry)
            .finish()
    }
}

impl Client {
    /// Starts a builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Replaces the credentials of a live client (thread-safe; in-flight requests finish with the
    /// old ones, every later attempt uses the new ones).
    pub fn set_credentials(&self, credentials: &Credentials) -> Result<(), PersonaError> {
        let auth = Arc::new(Auth::from_credentials(credentials)?);
        *self.inner.auth.write().unwrap_or_else(|p| p.into_inner()) = auth;
        Ok(())
    }

    pub(crate) fn auth(&self) -> Arc<Auth> {
        Arc::clone(&self.inner.auth.read().unwrap_or_else(|p| p.into_inner()))
    }
}
