//! The public error type and the typed reasons a signature is rejected.
//!
//! [`PersonaError`] is the one error every public function returns. Its variants are what a caller
//! can act on: fix an input, fix configuration, or reject a request/webhook (with a typed reason).
//! Each variant and reason has a stable snake_case [`code`](PersonaError::code) shared with the test
//! vectors and every language binding. No message ever contains a secret or a header value.

use std::borrow::Cow;
use std::fmt;

/// Which caller-supplied input was invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputField {
    /// Any other argument, by the name the caller knows it by (a tolerance, a capacity, a
    /// length, a value that is not text): one code, `invalid_argument`, on every surface.
    Argument(&'static str),
    /// A `v1` key id (1–128 chars of `[A-Za-z0-9._~-]`).
    KeyId,
    /// A secret (empty, or containing a NUL character).
    Secret,
    /// A nonce (8–128 chars of `[A-Za-z0-9._~-]`).
    Nonce,
    /// A timestamp (negative, or not decimal digits fitting i64).
    Timestamp,
    /// An HTTP method (not an RFC 9110 token).
    Method,
    /// A URL (unparseable, or not http/https).
    Url,
}

impl InputField {
    /// Stable code, e.g. `invalid_key_id`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Argument(_) => "invalid_argument",
            Self::KeyId => "invalid_key_id",
            Self::Secret => "invalid_secret",
            Self::Nonce => "invalid_nonce",
            Self::Timestamp => "invalid_timestamp",
            Self::Method => "invalid_method",
            Self::Url => "invalid_url",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Argument(name) => name,
            Self::KeyId => "key id",
            Self::Secret => "secret",
            Self::Nonce => "nonce",
            Self::Timestamp => "timestamp",
            Self::Method => "method",
            Self::Url => "URL",
        }
    }
}

impl fmt::Display for InputField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Argument(name) => write!(f, "argument `{name}`"),
            other => f.write_str(other.name()),
        }
    }
}

/// Why a `v1`-signed request was rejected. Checked in the order listed: the first that applies wins.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestRejection {
    /// A required header is absent or blank (lowercase header name).
    #[error("missing header `{0}`")]
    MissingHeader(&'static str),
    /// A header is duplicated or does not follow its grammar (lowercase header name).
    #[error("malformed header `{header}`: {reason}")]
    MalformedHeader {
        /// Lowercase header name.
        header: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The key id is well-formed but not configured on this verifier.
    #[error("unknown key id")]
    UnknownKey,
    /// No `v1` signature entry matches any secret of the key id.
    #[error("signature mismatch")]
    SignatureMismatch,
    /// The signature is authentic but the timestamp is too far from now.
    #[error("timestamp outside tolerance (now - timestamp = {skew_seconds} s)")]
    TimestampOutOfTolerance {
        /// `now - timestamp`, saturated to the i64 range: positive when the request is old.
        skew_seconds: i64,
    },
    /// This (key id, nonce) was already accepted within the tolerance window.
    #[error("nonce already used")]
    ReplayedNonce,
    /// The replay cache is full of unexpired nonces; the request is refused rather than risking a
    /// replay that a forgotten nonce would let through.
    #[error("replay cache full")]
    ReplayCacheFull,
}

impl RequestRejection {
    /// Stable code shared with the test vectors, e.g. `signature_mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingHeader(_) => "missing_header",
            Self::MalformedHeader { .. } => "malformed_header",
            Self::UnknownKey => "unknown_key",
            Self::SignatureMismatch => "signature_mismatch",
            Self::TimestampOutOfTolerance { .. } => "timestamp_out_of_tolerance",
            Self::ReplayedNonce => "replayed_nonce",
            Self::ReplayCacheFull => "replay_cache_full",
        }
    }
}

/// Why a Persona webhook was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// The `Persona-Signature` header is absent, empty or blank.
    #[error("missing Persona-Signature header")]
    MissingHeader,
    /// The header is too large or has no usable `t=…,v1=…` set.
    #[error("malformed Persona-Signature header: {0}")]
    MalformedHeader(&'static str),
    /// A signature matched, but its timestamp is too far from now.
    #[error("timestamp outside tolerance (now - t = {skew_seconds} s)")]
    TimestampOutOfTolerance {
        /// `now - t`, saturated to the i64 range: positive when the webhook is old.
        skew_seconds: i64,
    },
    /// No `v1` value matches any configured secret.
    #[error("no matching signature")]
    NoMatchingSignature,
}

impl WebhookRejection {
    /// Stable code shared with the test vectors, e.g. `no_matching_signature`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingHeader => "missing_header",
            Self::MalformedHeader(_) => "malformed_header",
            Self::TimestampOutOfTolerance { .. } => "timestamp_out_of_tolerance",
            Self::NoMatchingSignature => "no_matching_signature",
        }
    }
}

/// What kind of failure a Persona API response reports; each is something the caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 401: the API key or signature was refused; check credentials.
    Authentication,
    /// 403: the key lacks a permission (named in `errors` when Persona says which).
    PermissionDenied,
    /// 404: no such object.
    NotFound,
    /// 409, or Persona's 400 "idempotency error": an Idempotency-Key was reused with other
    /// parameters, or the object is in a conflicting state.
    Conflict,
    /// 400/422: the request was invalid; see every entry of `errors`.
    Validation,
    /// 429: rate limited; wait `retry_after` and try again.
    RateLimited,
    /// 5xx: Persona failed. For a POST, the same Idempotency-Key replays the stored response.
    Server,
    /// Any other status.
    Other,
}

impl ApiErrorKind {
    /// Stable code, e.g. `rate_limited`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Authentication => "authentication",
            Self::PermissionDenied => "permission_denied",
            Self::NotFound => "not_found",
            Self::Conflict => "conflict",
            Self::Validation => "validation",
            Self::RateLimited => "rate_limited",
            Self::Server => "server",
            Self::Other => "api_error",
        }
    }
}

/// One entry of a Persona error body's `errors[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiErrorDetail {
    /// `title`.
    pub title: Option<String>,
    /// `details`.
    pub details: Option<String>,
    /// `source.pointer` (e.g. `/data/attributes/name-first`).
    pub pointer: Option<String>,
}

/// An error response from the Persona API (or the sandbox). Never holds a key, secret or
/// Authorization header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// What the caller can do about it.
    pub kind: ApiErrorKind,
    /// HTTP status.
    pub status: u16,
    /// The response's `Request-Id` header, for Persona support.
    pub request_id: Option<String>,
    /// Every `errors[]` entry Persona sent.
    pub errors: Vec<ApiErrorDetail>,
    /// How long to wait before retrying (429), from `Retry-After` or `RateLimit-Reset`.
    pub retry_after: Option<std::time::Duration>,
    /// The Idempotency-Key the request carried (POSTs), so the caller can retry safely.
    pub idempotency_key: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {} {}", self.status, self.kind.code())?;
        for detail in &self.errors {
            let text = [detail.title.as_deref(), detail.details.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(": ");
            write!(f, "; {text}")?;
            if let Some(pointer) = &detail.pointer {
                write!(f, " ({pointer})")?;
            }
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        if let Some(key) = &self.idempotency_key {
            write!(f, " [idempotency key {key}]")?;
        }
        Ok(())
    }
}

/// The one public error type of libpersona.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PersonaError {
    /// An input the caller passed is invalid; fix the input.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// Which input.
        field: InputField,
        /// Why (never echoes the value, which may be sensitive).
        reason: Cow<'static, str>,
    },
    /// Credentials or settings are missing or inconsistent; fix the configuration.
    #[error("configuration error: {0}")]
    Configuration(String),
    /// A `v1`-signed request failed verification; reject the request (HTTP 401).
    #[error("request rejected: {0}")]
    RequestRejected(#[from] RequestRejection),
    /// A webhook failed verification; reject it (HTTP 400) and do not act on its body.
    #[error("webhook rejected: {0}")]
    WebhookRejected(#[from] WebhookRejection),
    /// A webhook verified, but its body is not a Persona event.
    #[error("webhook payload is not a Persona event: {0}")]
    InvalidPayload(String),
    /// The API answered with an error status.
    #[error("Persona API error: {0}")]
    Api(Box<ApiError>),
    /// The request could not be completed (connection refused/reset, DNS, TLS, body cut short),
    /// after every retry allowed. For a POST, retrying with the same idempotency key is safe.
    #[error("network error: {message}")]
    Network {
        /// What failed (never a header value).
        message: String,
        /// The POST's Idempotency-Key, to retry without duplicating a side effect.
        idempotency_key: Option<String>,
    },
    /// The per-request timeout or the total deadline passed.
    #[error("timed out: {message}")]
    Timeout {
        /// Which limit.
        message: String,
        /// The POST's Idempotency-Key, to retry without duplicating a side effect.
        idempotency_key: Option<String>,
    },
    /// A response did not have the expected shape.
    #[error("unexpected response: {0}")]
    UnexpectedResponse(String),
}

impl PersonaError {
    pub(crate) fn invalid(field: InputField, reason: &'static str) -> Self {
        Self::InvalidInput {
            field,
            reason: Cow::Borrowed(reason),
        }
    }

    /// An argument out of its domain (`invalid_argument`), named as the caller's API names it:
    /// `invalid argument `tolerance_secs`: must not be negative`.
    pub fn invalid_argument(name: &'static str, reason: &'static str) -> Self {
        Self::invalid(InputField::Argument(name), reason)
    }

    /// [`invalid_argument`](Self::invalid_argument) with a reason made at run time (which names
    /// what the call got wrong, never a value that may be sensitive).
    pub fn invalid_argument_because(name: &'static str, reason: String) -> Self {
        Self::InvalidInput {
            field: InputField::Argument(name),
            reason: Cow::Owned(reason),
        }
    }

    /// Which kind of failure this is, in snake_case: the variant, which is what each language's
    /// exception class is chosen by (`invalid_input`, `configuration`, `request_rejected`,
    /// `webhook_rejected`, `invalid_payload`, `api`, `network`, `timeout`, `unexpected_response`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidInput { .. } => "invalid_input",
            Self::Configuration(_) => "configuration",
            Self::RequestRejected(_) => "request_rejected",
            Self::WebhookRejected(_) => "webhook_rejected",
            Self::InvalidPayload(_) => "invalid_payload",
            Self::Api(_) => "api",
            Self::Network { .. } => "network",
            Self::Timeout { .. } => "timeout",
            Self::UnexpectedResponse(_) => "unexpected_response",
        }
    }

    /// Stable snake_case code for this error, shared by every language binding.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidInput { field, .. } => field.code(),
            Self::Configuration(_) => "configuration",
            Self::RequestRejected(reason) => reason.code(),
            Self::WebhookRejected(reason) => reason.code(),
            Self::InvalidPayload(_) => "invalid_payload",
            Self::Api(error) => error.kind.code(),
            Self::Network { .. } => "network",
            Self::Timeout { .. } => "timeout",
            Self::UnexpectedResponse(_) => "unexpected_response",
        }
    }
}
