//! `persona_client_*`: the API client over the C ABI, blocking, JSON in / JSON out.

use std::ffi::c_char;

use serde_json::{Value, json};

use super::boundary::{
    FfiError, OutText, free_handle, guard, guard_value, opt_text_arg, text_arg, write_handle,
};
use super::result::persona_result;
use persona_core::client::{BlockingClient, Client, ListParams, RequestOptions};
use persona_core::credentials::{ApiKey, Credentials, Environment, KeyPair};
use persona_core::error::PersonaError;

/// A Persona API client (opaque). Thread-safe: share one handle across threads.
#[derive(Debug)]
pub struct persona_client {
    inner: BlockingClient,
}

/// A string returned by the library (opaque): JSON text.
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
/// `"persona_version"`, `"expected_environment"` (`"sandbox"`/`"production"`),
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

fn list_params(params: &Value) -> ListParams {
    ListParams {
        page_size: params
            .get("page_size")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok()),
        after: config_str(params, "after").map(str::to_owned),
        filters: params
            .get("filters")
            .and_then(Value::as_object)
            .map(|f| {
                f.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (format!("filter[{k}]"), v.to_owned())))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn page_json<T>(page: persona_core::client::Page<T>, to_json: impl Fn(&T) -> Value) -> Value {
    json!({ "data": page.data.iter().map(to_json).collect::<Vec<_>>(), "next_cursor": page.next_cursor })
}

async fn call(client: Client, operation: &str, params: Value) -> Result<Value, PersonaError> {
    let options = RequestOptions {
        idempotency_key: config_str(&params, "idempotency_key").map(str::to_owned),
        ..RequestOptions::default()
    };
    let attributes = params
        .get("attributes")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let id = || {
        config_str(&params, "id").ok_or_else(|| {
            PersonaError::invalid_argument("params_json", "needs a string `id` for this operation")
        })
    };
    let inquiries = client.inquiries();
    let accounts = client.accounts();
    Ok(match operation {
        "inquiries.create" => inquiries
            .create(attributes, Some(options))
            .await?
            .resource
            .to_json(),
        "inquiries.retrieve" => inquiries.retrieve(id()?).await?.resource.to_json(),
        "inquiries.update" => inquiries
            .update(id()?, attributes)
            .await?
            .resource
            .to_json(),
        "inquiries.list" => page_json(inquiries.list_page(&list_params(&params)).await?, |i| {
            i.resource.to_json()
        }),
        "inquiries.approve" => inquiries.approve(id()?).await?.resource.to_json(),
        "inquiries.decline" => inquiries.decline(id()?).await?.resource.to_json(),
        "inquiries.expire" => inquiries.expire(id()?).await?.resource.to_json(),
        "inquiries.redact" => inquiries.redact(id()?).await?.resource.to_json(),
        "inquiries.resume" => json!({ "session_token": inquiries.resume(id()?).await? }),
        "inquiries.simulate" => {
            let actions: Vec<String> = params
                .get("actions")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
            inquiries
                .simulate(id()?, &actions)
                .await?
                .resource
                .to_json()
        }
        "accounts.create" => accounts
            .create(attributes, Some(options))
            .await?
            .resource
            .to_json(),
        "accounts.retrieve" => accounts.retrieve(id()?).await?.resource.to_json(),
        "accounts.update" => accounts.update(id()?, attributes).await?.resource.to_json(),
        "verifications.retrieve" => client.verifications().retrieve(id()?).await?.to_json(),
        "events.retrieve" => client.events().retrieve(id()?).await?.to_json(),
        "webhooks.retrieve" => client.webhooks().retrieve(id()?).await?.to_json(),
        _ => {
            return Err(PersonaError::invalid_argument(
                "operation",
                "is not one of the operations persona_client_call lists",
            ));
        }
    })
}

fn json_string(value: &Value) -> persona_string {
    // serde_json escapes U+0000 inside strings: the text has no NUL before its terminator.
    persona_string {
        text: OutText::new(&value.to_string()),
    }
}

/// Runs one API operation, blocking: `operation` (`operation_len` bytes) is one of `inquiries.create`,
/// `inquiries.retrieve`, `inquiries.update`, `inquiries.list`, `inquiries.approve`,
/// `inquiries.decline`, `inquiries.expire`, `inquiries.redact`, `inquiries.resume`,
/// `inquiries.simulate`, `accounts.create`, `accounts.retrieve`, `accounts.update`,
/// `verifications.retrieve`, `events.retrieve`, `webhooks.retrieve`. `params_json`
/// (`params_json_len` bytes; NULL = `{}`) holds `id`, `attributes`, `idempotency_key`, `actions` (array), `page_size`, `after`,
/// `filters` (object) as the operation needs. Results are the JSON:API resource object (lists:
/// `{"data": [...], "next_cursor": ...}`).
///
/// Errors: `PERSONA_ERR_API` (status, request id and Persona's messages in the last error
/// message), `PERSONA_ERR_NETWORK`, `PERSONA_ERR_TIMEOUT`, `PERSONA_ERR_INVALID_ARGUMENT`.
/// On success writes a new string to `*out`; the caller owns it and must free it with
/// `persona_string_free`.
///
/// # Safety
/// `client` is a live handle; `operation` and `params_json` (unless NULL) point to their lengths
/// in bytes; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_client_call(
    client: *const persona_client,
    operation: *const u8,
    operation_len: usize,
    params_json: *const u8,
    params_json_len: usize,
    out: *mut *mut persona_string,
) -> persona_result {
    guard(|| {
        check_not_null!(client, out);
        // SAFETY: caller contract.
        let (client, operation, params) = unsafe {
            (
                &(*client).inner,
                text_arg(operation, operation_len, "operation")?,
                opt_text_arg(params_json, params_json_len, "params_json")?,
            )
        };
        let params = match params {
            Some(text) => parse_json(text, "params_json")?,
            None => json!({}),
        };
        if !params.is_object() {
            return Err(invalid("params_json", "must be a JSON object"));
        }
        let operation = operation.to_owned();
        let result = client.run(move |c| async move { call(c, &operation, params).await })?;
        let string = json_string(&result);
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
