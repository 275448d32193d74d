//! The exported error: one enum, each variant something the caller can act on. Kotlin and Swift
//! name it `PersonaException` / `PersonaError`; Python gets one exception class per variant.

use persona_core::error::PersonaError as CoreError;

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

/// Every failure of libpersona, one variant per kind (the core's `PersonaError` variants, plus
/// `Internal` for a caught panic). Every variant carries `code`, the stable code shared by all
/// languages, and `detail`, the core's message, word for word what the C ABI reports (not
/// `message`: UniFFI's Kotlin error classes already have a `message` property, and a field of
/// that name makes the generated code ambiguous under K2).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum PersonaError {
    /// An input was invalid (`invalid_argument`, `invalid_key_id`, `invalid_nonce`, ...).
    #[error("{detail}")]
    InvalidInput { code: String, detail: String },
    /// Credentials or settings are missing or inconsistent (`configuration`).
    #[error("{detail}")]
    Configuration { code: String, detail: String },
    /// A `v1`-signed request failed verification (`signature_mismatch`, ...).
    #[error("{detail}")]
    RequestRejected { code: String, detail: String },
    /// A webhook failed verification (`no_matching_signature`, ...).
    #[error("{detail}")]
    WebhookRejected { code: String, detail: String },
    /// A verified webhook body is not a Persona event (`invalid_payload`).
    #[error("{detail}")]
    InvalidPayload { code: String, detail: String },
    /// The API answered with an error status.
    #[error("{detail}")]
    Api {
        /// `authentication`, `permission_denied`, `not_found`, `conflict`, `validation`,
        /// `rate_limited`, `server` or `api_error`.
        code: String,
        status: u16,
        request_id: Option<String>,
        errors: Vec<ApiErrorDetail>,
        retry_after_ms: Option<u64>,
        idempotency_key: Option<String>,
        detail: String,
    },
    /// The request could not be completed over the network (`network`).
    #[error("{detail}")]
    Network {
        code: String,
        detail: String,
        idempotency_key: Option<String>,
    },
    /// A timeout or the total deadline passed (`timeout`).
    #[error("{detail}")]
    Timeout {
        code: String,
        detail: String,
        idempotency_key: Option<String>,
    },
    /// A response did not have the expected shape (`unexpected_response`).
    #[error("{detail}")]
    UnexpectedResponse { code: String, detail: String },
    /// A bug inside libpersona, e.g. a caught panic (`internal`).
    #[error("{detail}")]
    Internal { code: String, detail: String },
}

impl PersonaError {
    /// A bug inside libpersona: a panic, a cancelled task, a kind this version does not know.
    pub(crate) fn internal(detail: impl Into<String>) -> Self {
        Self::Internal {
            code: crate::INTERNAL.into(),
            detail: detail.into(),
        }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for PersonaError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::internal(error.reason)
    }
}

impl From<CoreError> for PersonaError {
    fn from(error: CoreError) -> Self {
        let detail = error.to_string();
        let code = error.code().to_owned();
        match error {
            CoreError::InvalidInput { .. } => Self::InvalidInput { code, detail },
            CoreError::Configuration(_) => Self::Configuration { code, detail },
            CoreError::RequestRejected(_) => Self::RequestRejected { code, detail },
            CoreError::WebhookRejected(_) => Self::WebhookRejected { code, detail },
            CoreError::InvalidPayload(_) => Self::InvalidPayload { code, detail },
            CoreError::Api(api) => Self::Api {
                code,
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
                detail,
            },
            CoreError::Network {
                idempotency_key, ..
            } => Self::Network {
                code,
                detail,
                idempotency_key,
            },
            CoreError::Timeout {
                idempotency_key, ..
            } => Self::Timeout {
                code,
                detail,
                idempotency_key,
            },
            CoreError::UnexpectedResponse(_) => Self::UnexpectedResponse { code, detail },
            // A kind this version does not know yet: still an error, never a success.
            _ => Self::Internal { code, detail },
        }
    }
}
