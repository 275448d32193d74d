//! The exported error: one enum, each variant something the caller can act on. Kotlin and Swift
//! name it `PersonaException` / `PersonaError`; Python gets one exception class per variant.

use crate::error::{ApiErrorKind, PersonaError as CoreError};

/// One `errors[]` entry of a Persona error response.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ApiErrorDetail {
    /// `title`.
    pub title: Option<String>,
    /// `details`.
    pub details: Option<String>,
    /// `source.pointer`.
    pub pointer: Option<String>,
}

/// Every failure of libpersona. `code` fields carry the stable codes shared by all languages.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum PersonaError {
    /// An input was invalid (`invalid_key_id`, `invalid_nonce`, ...).
    #[error("{message}")]
    InvalidInput { code: String, message: String },
    /// Credentials or settings are missing or inconsistent.
    #[error("{message}")]
    Configuration { message: String },
    /// A `v1`-signed request failed verification (`signature_mismatch`, ...).
    #[error("{message}")]
    RequestRejected { code: String, message: String },
    /// A webhook failed verification (`no_matching_signature`, ...).
    #[error("{message}")]
    WebhookRejected { code: String, message: String },
    /// A verified webhook body is not a Persona event.
    #[error("{message}")]
    InvalidPayload { message: String },
    /// The API answered with an error status.
    #[error("{message}")]
    Api {
        /// `authentication`, `permission_denied`, `not_found`, `conflict`, `validation`,
        /// `rate_limited`, `server` or `api_error`.
        code: String,
        status: u16,
        request_id: Option<String>,
        errors: Vec<ApiErrorDetail>,
        retry_after_ms: Option<u64>,
        idempotency_key: Option<String>,
        message: String,
    },
    /// The request could not be completed over the network.
    #[error("{message}")]
    Network {
        message: String,
        idempotency_key: Option<String>,
    },
    /// A timeout or the total deadline passed.
    #[error("{message}")]
    Timeout {
        message: String,
        idempotency_key: Option<String>,
    },
    /// A response did not have the expected shape.
    #[error("{message}")]
    UnexpectedResponse { message: String },
    /// A bug inside libpersona (a caught panic).
    #[error("{message}")]
    Internal { message: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for PersonaError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Internal {
            message: error.reason,
        }
    }
}

impl From<CoreError> for PersonaError {
    fn from(error: CoreError) -> Self {
        let message = error.to_string();
        let code = error.code().to_owned();
        match error {
            CoreError::InvalidInput { .. } => Self::InvalidInput { code, message },
            CoreError::Configuration(_) => Self::Configuration { message },
            CoreError::RequestRejected(_) => Self::RequestRejected { code, message },
            CoreError::WebhookRejected(_) => Self::WebhookRejected { code, message },
            CoreError::InvalidPayload(_) => Self::InvalidPayload { message },
            CoreError::Api(api) => Self::Api {
                code: match api.kind {
                    ApiErrorKind::Other => "api_error".into(),
                    kind => kind.code().into(),
                },
                status: api.status,
                request_id: api.request_id.clone(),
                errors: api
                    .errors
                    .iter()
                    .map(|e| ApiErrorDetail {
                        title: e.title.clone(),
                        details: e.details.clone(),
                        pointer: e.pointer.clone(),
                    })
                    .collect(),
                retry_after_ms: api
                    .retry_after
                    .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                idempotency_key: api.idempotency_key.clone(),
                message,
            },
            CoreError::Network {
                idempotency_key, ..
            } => Self::Network {
                message,
                idempotency_key,
            },
            CoreError::Timeout {
                idempotency_key, ..
            } => Self::Timeout {
                message,
                idempotency_key,
            },
            CoreError::UnexpectedResponse(_) => Self::UnexpectedResponse { message },
        }
    }
}
