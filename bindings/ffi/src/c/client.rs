//! `persona_client_*`: the API client over the C ABI, blocking, JSON in / JSON out.

use std::ffi::c_char;

use serde_json::{Value, json};

use super::boundary::{
    FfiError, OutText, free_handle, guard, guard_value, opt_text_arg, text_arg, write_handle,
};
use super::result::persona_result;
use persona_core::client::{BlockingClient, Call, Client, Reply, RequestOptions};
use persona_core::credentials::{ApiKey, Credentials, Environment, KeyPair};
use persona_core::error::PersonaError;

/// A Persona API client (opaque). Thread-safe: share one handle across threads.
#[derive(Debug)]
pub struct persona_client {
    inner: BlockingClient,
}

/// A string returned by the library (opaque): JSON text, or the bytes of a file an operation
/// answered (read those with `persona_string_len`: they can contain NUL).
pub struct persona_string {
    text: OutText,
}

impl std::fmt::Debug for persona_string {
    /// Its length only: a response body can hold personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "persona_string({} bytes)", self.text.len())
    }
}

/// A bad argument (`invalid_argument`, as on every surface), named as the C parameter.
fn invalid(name: &'static str, reason: &'static str) -> FfiError {
    PersonaError::invalid_argument(name, reason).into()
}

fn parse_json(text: &str, name: &'static str) -> Result<Value, FfiError> {
    serde_json::from_str(text).map_err(|_| invalid(name, "must be valid JSON"))
}

fn config_str<'a>(config: &'a Value, key: &str) -> Option<&'a str> {
    config.get(key).and_then(Value::as_str)
}

fn build_client(config: &Value) -> Result<Client, FfiError> {
    super::fork::watch(); // its Idempotency-Keys and nonces come from the per-thread CSPRNG
    let credentials = match (
        config_str(config, "api_key"),
        config_str(config, "key_id"),
        config_str(config, "secret"),
    ) {
        (Some(key), None, None) => Credentials::ApiKey(ApiKey::new(key)?),
        (None, Some(key_id), Some(secret)) => Credentials::KeyPair(KeyPair::new(key_id, secret)?),
        (None, None, None) => Credentials::from_env()?,
        _ => {
            return Err(PersonaError::Configuration(
                "config: give `api_key`, or `key_id` and `secret`, or neither (environment)".into(),
            )
            .into());
        }
    };
    let mut builder = Client::builder().credentials(credentials).binding("c");
    if let Some(base) = config_str(config, "base_url") {
        builder = builder.base_url(base);
    }
    if let Some(version) = config_str(config, "persona_version") {
        builder = builder.persona_version(version);
    }
    if let Some(environment) = config_str(config, "expected_environment") {
        builder = builder.expected_environment(Environment::parse(environment)?);
    }
    let millis = |key: &str| {
        config
            .get(key)
            .and_then(Value::as_u64)
            .map(std::time::Duration::from_millis)
    };
    if let Some(timeout) = millis("request_timeout_ms") {
        builder = builder.request_timeout(timeout);
    }
    if let Some(timeout) = millis("total_timeout_ms") {
        builder = builder.total_timeout(timeout);
    }
    if let Some(retries) = config.get("max_retries").and_then(Value::as_u64) {
        builder = builder.max_retries(u32::try_from(retries).unwrap_or(u32::MAX));
    }
    Ok(builder.build()?)
}

/// Creates a client from a JSON config object:
/// `{"base_url": "...", "api_key": "..."}` or `{"key_id": "...", "secret": "..."}` (neither: read
/// `PERSONA_API_KEY` / `PERSONA_API_KEY_ID` + `PERSONA_API_KEY_SECRET`), optional
/// `"persona_version"` (`"none"`: no header, the API key's dashboard version applies),
/// `"expected_environment"` (`"sandbox"`/`"production"`),
/// `"request_timeout_ms"`, `"total_timeout_ms"`, `"max_retries"`.
///
/// On success writes a new handle to `*out`; the caller owns it and must free it with
/// `persona_client_free`. Secrets are copied; wipe your config string after the call.
///
/// # Safety
/// `config_json` points to `config_json_len` bytes; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_client_new(
    config_json: *const u8,
    config_json_len: usize,
    out: *mut *mut persona_client,
) -> persona_result {
    guard(|| {
        check_not_null!(out);
        // SAFETY: caller contract.
        let config = parse_json(
            unsafe { text_arg(config_json, config_json_len, "config_json")? },
            "config_json",
        )?;
        if !config.is_object() {
            return Err(invalid("config_json", "must be a JSON object"));
        }
        let client = build_client(&config)?;
        // SAFETY: out checked non-NULL.
        unsafe {
            write_handle(
                out,
                persona_client {
                    inner: BlockingClient::new(client),
                },
            )
        };
        Ok(())
    })
}

/// Frees a client. NULL is a no-op.
///
/// # Safety
/// `client` is NULL or a handle from `persona_client_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_client_free(client: *mut persona_client) {
    // SAFETY: caller contract.
    guard_value((), || unsafe { free_handle(client) });
}

fn json_string(value: &Value) -> persona_string {
    // serde_json escapes U+0000 inside strings: the text has no NUL before its terminator.
    persona_string {
        text: OutText::new(&value.to_string()),
    }
}

/// Runs one operation of Persona's API, blocking. `operation` (`operation_len` bytes) is its
/// `operationId` in Persona's OpenAPI document (`create-an-inquiry`, `retrieve-an-inquiry`,
/// `inquiries-perform-simulate-actions`, ... — all 167, see `api/persona-openapi.json`).
/// `call_json` (`call_json_len` bytes; NULL = `{}`) holds the call's arguments:
/// `{"path": {"inquiry-id": "inq_1"}, "include": [...], "fields": {"inquiry": [...]},
/// "filter": {"status": "completed"}, "page": {"size": 10, "after": "..."}, "body": {...},
/// "form": [["name", "value"]], "idempotency_key": "...", "persona_version": "..."}`; anything
/// the operation does not declare is `PERSONA_ERR_INVALID_ARGUMENT`, before any request.
///
/// On success writes a new string to `*out` (the caller frees it with `persona_string_free`):
/// the whole JSON document the API answered (`data`, `included`, `meta`, `links`), or, for the
/// operations that answer a file (the `print` PDFs), the file's bytes — read those with
/// `persona_string_len`, as they can contain NUL.
///
/// Errors: `PERSONA_ERR_API` (status, request id and Persona's messages in the last error
/// message), `PERSONA_ERR_NETWORK`, `PERSONA_ERR_TIMEOUT`, `PERSONA_ERR_INVALID_ARGUMENT`.
///
/// # Safety
/// `client` is a live handle; `operation` and `call_json` (unless NULL) point to their lengths
/// in bytes; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_client_call(
    client: *const persona_client,
    operation: *const u8,
    operation_len: usize,
    call_json: *const u8,
    call_json_len: usize,
    out: *mut *mut persona_string,
) -> persona_result {
    guard(|| {
        check_not_null!(client, out);
        // SAFETY: caller contract.
        let (client, operation, call) = unsafe {
            (
                &(*client).inner,
                text_arg(operation, operation_len, "operation")?,
                opt_text_arg(call_json, call_json_len, "call_json")?,
            )
        };
        let call = match call {
            Some(text) => parse_json(text, "call_json")?,
            None => json!({}),
        };
        if !call.is_object() {
            return Err(invalid("call_json", "must be a JSON object"));
        }
        let call = Call::from_json(&call)?;
        let operation = operation.to_owned();
        let reply = client.run(move |c| async move { c.call_by_id(&operation, &call).await })?;
        let string = match reply {
            Reply::Json(response) => json_string(&response.body),
            Reply::Binary(file) => persona_string {
                text: OutText::from_bytes(&file.bytes),
            },
        };
        // SAFETY: out checked non-NULL.
        unsafe { write_handle(out, string) };
        Ok(())
    })
}

/// The raw escape hatch: `method` (`GET`, `POST`, ...), `path` relative to the base URL
/// (`/inquiries/inq_123`), optional `query_json` (object of strings) and `body_json`, optional
/// `idempotency_key` (POSTs get a fresh one when NULL); each text with its length in bytes. On
/// success writes the response body JSON to `*out` (caller frees it with `persona_string_free`).
///
/// # Safety
/// `client` is a live handle; each text points to its length in bytes, or is NULL where allowed;
/// `out` is writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn persona_client_request(
    client: *const persona_client,
    method: *const u8,
    method_len: usize,
    path: *const u8,
    path_len: usize,
    query_json: *const u8,
    query_json_len: usize,
    body_json: *const u8,
    body_json_len: usize,
    idempotency_key: *const u8,
    idempotency_key_len: usize,
    out: *mut *mut persona_string,
) -> persona_result {
    guard(|| {
        check_not_null!(client, out);
        // SAFETY: caller contract.
        let (client, method, path, query, body, key) = unsafe {
            (
                &(*client).inner,
                text_arg(method, method_len, "method")?,
                text_arg(path, path_len, "path")?,
                opt_text_arg(query_json, query_json_len, "query_json")?,
                opt_text_arg(body_json, body_json_len, "body_json")?,
                opt_text_arg(idempotency_key, idempotency_key_len, "idempotency_key")?,
            )
        };
        let method = persona_core::client::Method::from_bytes(method.as_bytes())
            .map_err(|_| invalid("method", "must be an HTTP method"))?;
        let query: Vec<(String, String)> = match query {
            Some(text) => parse_json(text, "query_json")?
                .as_object()
                .ok_or_else(|| invalid("query_json", "must be a JSON object"))?
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect(),
            None => Vec::new(),
        };
        let body = body.map(|text| parse_json(text, "body_json")).transpose()?;
        let options = RequestOptions {
            idempotency_key: key.map(str::to_owned),
            ..RequestOptions::default()
        };
        let path = path.to_owned();
        let response = client.run(move |c| async move {
            c.request(method, &path, &query, body.as_ref(), &options)
                .await
        })?;
        let string = json_string(&response.body);
        // SAFETY: out checked non-NULL.
        unsafe { write_handle(out, string) };
        Ok(())
    })
}

/// The string's NUL-terminated text, or NULL if `string` is NULL.
///
/// Borrowed: valid until `persona_string_free(string)`; do not free it.
///
/// # Safety
/// `string` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_string_ptr(string: *const persona_string) -> *const c_char {
    // SAFETY: caller contract.
    guard_value(std::ptr::null(), || {
        unsafe { string.as_ref() }.map_or(std::ptr::null(), |s| s.text.as_ptr())
    })
}

/// The string's length in bytes (excluding the NUL); 0 if `string` is NULL.
///
/// # Safety
/// `string` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_string_len(string: *const persona_string) -> usize {
    // SAFETY: caller contract.
    guard_value(0, || unsafe { string.as_ref() }.map_or(0, |s| s.text.len()))
}

/// Frees a string. NULL is a no-op.
///
/// # Safety
/// `string` is NULL or a handle returned by this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_string_free(string: *mut persona_string) {
    // SAFETY: caller contract.
    guard_value((), || unsafe { free_handle(string) });
}
