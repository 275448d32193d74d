//! One logical API call: build the URL, buffer the body once, then attempt/retry until success,
//! a non-retryable answer, the retry budget or the deadline.

use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use serde_json::Value;

use super::operation::Payload;
use super::retry::{is_retryable_status, requested_wait, uuid_v4};
use super::{Auth, Client, KEY_INFLECTION};
use crate::error::{ApiError, ApiErrorDetail, ApiErrorKind, PersonaError};

const KEY_INFLECTION_HEADER: HeaderName = HeaderName::from_static("key-inflection");
const PERSONA_VERSION: HeaderName = HeaderName::from_static("persona-version");
const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
const PERSONA_TIMESTAMP: HeaderName = HeaderName::from_static("persona-timestamp");
const PERSONA_NONCE: HeaderName = HeaderName::from_static("persona-nonce");
const PERSONA_SIGNATURE: HeaderName = HeaderName::from_static("persona-signature");

/// Per-call options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// Idempotency-Key for a POST (default: a UUIDv4 generated once for this call).
    pub idempotency_key: Option<String>,
    /// Overrides the client's `Persona-Version` for this call.
    pub persona_version: Option<String>,
}

/// A successful response. Prints its status, request id and attempts, never the body (which can
/// hold personal data).
#[derive(Clone)]
pub struct ApiResponse {
    /// HTTP status.
    pub status: u16,
    /// `Request-Id` header.
    pub request_id: Option<String>,
    /// Parsed JSON body (`Null` when empty).
    pub body: Value,
    /// Attempts it took (1 = no retry).
    pub attempts: u32,
}

impl ApiResponse {
    /// `data`: one resource object, or an array of them (`Null` when absent).
    pub fn data(&self) -> &Value {
        self.body.get("data").unwrap_or(&Value::Null)
    }

    /// The primary resource's `id` (`None` for a list).
    pub fn id(&self) -> Option<&str> {
        self.data().get("id").and_then(Value::as_str)
    }

    /// An attribute of the primary resource, as sent.
    pub fn attribute(&self, name: &str) -> Option<&Value> {
        self.data().get("attributes").and_then(|a| a.get(name))
    }

    /// A string attribute of the primary resource.
    pub fn attribute_str(&self, name: &str) -> Option<&str> {
        self.attribute(name).and_then(Value::as_str)
    }

    /// The primary `data` read into its typed model ([`crate::model::document_model`]): e.g.
    /// `Some(Resource::Inquiry(..))` for an inquiry; `None` without data; an error for a list.
    pub fn model(&self) -> Result<Option<crate::model::Resource>, PersonaError> {
        crate::model::document_model(&self.body)
    }

    /// Every resource of the primary `data` read into its typed model (a list's items, or the
    /// one resource).
    pub fn models(&self) -> Result<Vec<crate::model::Resource>, PersonaError> {
        crate::model::document_models(&self.body)
    }

    /// The `included` resources that a relationship of `resource` (default: the primary one)
    /// points to ([`super::related`]).
    pub fn related<'a>(
        &'a self,
        relationship: &str,
        resource: Option<&'a Value>,
    ) -> Vec<&'a Value> {
        super::document::related(&self.body, relationship, resource)
    }
}

impl std::fmt::Debug for ApiResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiResponse")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// Why an attempt failed, and whether another may succeed.
enum AttemptError {
    Retryable {
        error: PersonaError,
        wait: Option<Duration>,
    },
    Final(PersonaError),
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Maps an error response to [`ApiError`], keeping every `errors[]` entry.
fn api_error(
    status: u16,
    request_id: Option<String>,
    body: &[u8],
    retry_after: Option<Duration>,
    key: Option<&str>,
) -> PersonaError {
    let errors: Vec<ApiErrorDetail> = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("errors").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .map(|e| ApiErrorDetail {
            title: e.get("title").and_then(Value::as_str).map(str::to_owned),
            details: e.get("details").and_then(Value::as_str).map(str::to_owned),
            pointer: e
                .pointer("/source/pointer")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
        .collect();
    let mentions_idempotency = errors.iter().any(|e| {
        [&e.title, &e.details]
            .into_iter()
            .flatten()
            .any(|t| t.to_ascii_lowercase().contains("idempotency"))
    });
    let kind = match status {
        401 => ApiErrorKind::Authentication,
        403 => ApiErrorKind::PermissionDenied,
        404 => ApiErrorKind::NotFound,
        409 => ApiErrorKind::Conflict,
        400 if mentions_idempotency => ApiErrorKind::Conflict,
        400 | 422 => ApiErrorKind::Validation,
        429 => ApiErrorKind::RateLimited,
        500..=599 => ApiErrorKind::Server,
        _ => ApiErrorKind::Other,
    };
    PersonaError::Api(Box::new(ApiError {
        kind,
        status,
        request_id,
        errors,
        retry_after,
        idempotency_key: key.map(str::to_owned),
    }))
}

/// reqwest's error text can include the URL but never headers; we keep only its kind.
fn transport_error(err: &reqwest::Error, key: Option<&str>) -> PersonaError {
    let message = if err.is_connect() {
        "connection failed"
    } else if err.is_body() || err.is_decode() {
        "response body was cut short"
    } else if err.is_request() {
        "request could not be sent (connection closed or reset)"
    } else {
        "transport error"
    };
    PersonaError::Network {
        message: message.to_owned(),
        idempotency_key: key.map(str::to_owned),
    }
}

fn timeout_error(message: &str, key: Option<&str>) -> PersonaError {
    PersonaError::Timeout {
        message: message.to_owned(),
        idempotency_key: key.map(str::to_owned),
    }
}

/// A successful response before it is read as JSON or kept as bytes.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) bytes: bytes::Bytes,
    pub(crate) attempts: u32,
}

impl RawResponse {
    /// The body as JSON (`Null` when empty).
    pub(crate) fn into_json(self) -> Result<ApiResponse, PersonaError> {
        let body = if self.bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&self.bytes).map_err(|_| {
                PersonaError::UnexpectedResponse(format!("HTTP {} body is not JSON", self.status))
            })?
        };
        Ok(ApiResponse {
            status: self.status,
            request_id: self.request_id,
            body,
            attempts: self.attempts,
        })
    }
}

impl Client {
    /// The raw escape hatch: any endpoint, JSON in and out, with the same auth, retries,
    /// idempotency and errors as the typed calls. `path` is relative to the base URL
    /// (e.g. `/inquiries/inq_123`).
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
        options: &RequestOptions,
    ) -> Result<ApiResponse, PersonaError> {
        if !path.starts_with('/') || path.contains(['?', '#']) {
            return Err(PersonaError::Configuration(
                "path must start with `/` and carry no query or fragment (pass `query`)".into(),
            ));
        }
        let payload = body.map_or(Payload::None, Payload::Json);
        self.send(method, path, query, &payload, "application/json", options)
            .await?
            .into_json()
    }

    /// One logical call: the URL, the body buffered once, then attempts and retries.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        payload: &Payload<'_>,
        accept: &'static str,
        options: &RequestOptions,
    ) -> Result<RawResponse, PersonaError> {
        // The base URL was parsed once, by the builder; only the path is parsed here, and reqwest
        // takes the `Url` as is (a `&str` would be parsed again on every attempt).
        let mut url = self.inner.base.clone();
        let mut full_path = String::with_capacity(url.path().len() + path.len());
        full_path.push_str(url.path().trim_end_matches('/'));
        full_path.push_str(path);
        url.set_path(&full_path);
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        // Buffered once: every attempt sends identical bytes (and signs the same body).
        let (body_bytes, content_type) = match payload {
            Payload::None => (Vec::new(), None),
            Payload::Json(json) => (
                serde_json::to_vec(*json).map_err(|err| {
                    PersonaError::Configuration(format!("body is not serializable: {err}"))
                })?,
                Some("application/json"),
            ),
            Payload::Form(fields) => (
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields.iter())
                    .finish()
                    .into_bytes(),
                Some("application/x-www-form-urlencoded"),
            ),
        };
        let body = Body {
            bytes: bytes::Bytes::from(body_bytes),
            content_type,
            accept,
        };
        let is_post = method == Method::POST;
        let idempotency_key = match (&options.idempotency_key, is_post) {
            (Some(key), _) => Some(key.clone()),
            (None, true) => Some(uuid_v4()?),
            (None, false) => None,
        };
        let key = idempotency_key.as_deref();
        let deadline = Instant::now() + self.inner.total_timeout;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(timeout_error(
                    "total deadline passed before the call completed",
                    key,
                ));
            }
            // Boxed: the attempt's state (reqwest's and hyper's futures) is large, and every
            // caller's future would otherwise carry and move it.
            let outcome = tokio::time::timeout(
                self.inner.request_timeout.min(remaining),
                Box::pin(self.attempt(&method, &url, &body, key, options)),
            )
            .await
            .unwrap_or_else(|_| {
                Err(AttemptError::Retryable {
                    error: timeout_error("request timed out", key),
                    wait: None,
                })
            });
            match outcome {
                Ok(mut response) => {
                    response.attempts = attempt;
                    return Ok(response);
                }
                Err(AttemptError::Final(error)) => return Err(error),
                Err(AttemptError::Retryable { error, wait }) => {
                    if attempt > self.inner.retry.max_retries {
                        return Err(error);
                    }
                    let backoff = self.inner.retry.backoff(attempt - 1);
                    let pause = wait.map_or(backoff, |w| w.max(backoff));
                    let remaining = deadline.saturating_duration_since(Instant::now());
                    if pause >= remaining {
                        // Waiting would pass the deadline: report the last failure now.
                        return Err(error);
                    }
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &url::Url,
        body: &Body,
        idempotency_key: Option<&str>,
        options: &RequestOptions,
    ) -> Result<RawResponse, AttemptError> {
        let inner = &self.inner;
        let version = options
            .persona_version
            .as_deref()
            .or(inner.persona_version.as_deref());
        // Header names as statics: a name given as `&str` is parsed, and a non-standard one
        // allocated, on every request.
        let mut request = inner
            .http
            .request(method.clone(), url.clone())
            .header(ACCEPT, HeaderValue::from_static(body.accept))
            .header(
                KEY_INFLECTION_HEADER,
                HeaderValue::from_static(KEY_INFLECTION),
            )
            .header(USER_AGENT, inner.user_agent.clone());
        if let Some(version) = version {
            request = request.header(PERSONA_VERSION, version);
        }
        if let Some(key) = idempotency_key {
            request = request.header(IDEMPOTENCY_KEY, key);
        }
        if let Some(content_type) = body.content_type {
            // `Bytes`: every attempt shares the one buffer (no copy per attempt).
            request = request
                .header(CONTENT_TYPE, HeaderValue::from_static(content_type))
                .body(body.bytes.clone());
        }
        // Re-signed on every attempt: a fresh timestamp and nonce, so a retry is never a replay.
        match &*self.auth() {
            Auth::Bearer(key) => {
                request = request.bearer_auth(key.secret().expose());
            }
            Auth::Signed(signer) => {
                let signed = signer
                    .sign(method.as_str(), url.as_str(), &body.bytes)
                    .map_err(AttemptError::Final)?;
                let names = [
                    AUTHORIZATION,
                    PERSONA_TIMESTAMP,
                    PERSONA_NONCE,
                    PERSONA_SIGNATURE,
                ];
                for (name, (_, value)) in names.into_iter().zip(signed.headers()) {
                    request = request.header(name, value);
                }
            }
        }
        let response = request.send().await.map_err(|err| {
            // Nothing was received: safe to retry (a POST keeps its idempotency key).
            AttemptError::Retryable {
                error: transport_error(&err, idempotency_key),
                wait: None,
            }
        })?;
        let status = response.status().as_u16();
        let request_id = header(&response, "Request-Id");
        let content_type = header(&response, "Content-Type");
        // Persona sends RateLimit-* on every response; the reset time is a wait only for a 429.
        // Retry-After is honoured on 429 and 503 (where servers use it for maintenance).
        let wait = match status {
            429 => requested_wait(
                header(&response, "Retry-After").as_deref(),
                header(&response, "RateLimit-Reset").as_deref(),
            ),
            503 => requested_wait(header(&response, "Retry-After").as_deref(), None),
            _ => None,
        };
        let bytes = response
            .bytes()
            .await
            .map_err(|err| AttemptError::Retryable {
                error: transport_error(&err, idempotency_key),
                wait: None,
            })?;
        if (200..300).contains(&status) {
            return Ok(RawResponse {
                status,
                request_id,
                content_type,
                bytes,
                attempts: 1,
            });
        }
        let error = api_error(status, request_id, &bytes, wait, idempotency_key);
        if is_retryable_status(status, *method == Method::POST) {
            Err(AttemptError::Retryable { error, wait })
        } else {
            Err(AttemptError::Final(error))
        }
    }
}

/// What every attempt of one call sends besides the method and URL.
struct Body {
    bytes: bytes::Bytes,
    /// `None`: no body.
    content_type: Option<&'static str>,
    accept: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn relationships_resolve_to_included_resources() {
        let response = ApiResponse {
            status: 200,
            request_id: None,
            attempts: 1,
            body: json!({
                "data": {"type": "inquiry", "id": "inq_1", "attributes": {"status": "completed"},
                    "relationships": {
                        "verifications": {"data": [
                            {"type": "verification/government-id", "id": "ver_1"},
                            {"type": "verification/selfie", "id": "ver_2"}]},
                        "account": {"data": {"type": "account", "id": "act_1"}},
                        "template": {"data": null}}},
                "included": [
                    {"type": "verification/selfie", "id": "ver_2"},
                    {"type": "account", "id": "act_1"},
                    {"type": "verification/government-id", "id": "ver_9"}]
            }),
        };
        let ids = |values: Vec<&Value>| -> Vec<String> {
            values
                .iter()
                .map(|v| v["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        };
        assert_eq!(ids(response.related("verifications", None)), ["ver_2"]);
        assert_eq!(ids(response.related("account", None)), ["act_1"]);
        assert!(response.related("template", None).is_empty());
        assert!(response.related("missing", None).is_empty());
        assert_eq!(
            (response.id(), response.attribute_str("status")),
            (Some("inq_1"), Some("completed"))
        );
    }
}
