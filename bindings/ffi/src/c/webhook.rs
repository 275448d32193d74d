//! `persona_webhook_verifier_*`, `persona_webhook_event_*` and `persona_webhook_sign`.

use std::ffi::{CString, c_char};

use super::boundary::{
    FfiError, bytes_arg, copy_to_buffer, free_handle, guard, guard_value, str_arg, write_handle,
};
use super::result::persona_result::{self, *};
use persona_core::error::{PersonaError, WebhookRejection};
use persona_core::webhook::{WebhookEvent, WebhookVerifier, sign_webhook};

/// Bytes (including the NUL) that always suffice for `persona_webhook_sign`'s output:
/// `t=` + up to 19 digits + `,v1=` + 64 hex + NUL = 90.
pub const PERSONA_WEBHOOK_HEADER_MAX: usize = 96;

/// Verifies Persona webhooks (opaque). Thread-safe: share one handle across threads.
#[derive(Debug)]
pub struct persona_webhook_verifier {
    inner: WebhookVerifier,
}

/// A verified webhook event (opaque).
#[derive(Debug)]
pub struct persona_webhook_event {
    id: CString,
    name: CString,
    created_at: CString,
    payload_json: CString,
}

/// Creates a verifier accepting any of `secrets` (`secrets_len` NUL-terminated strings, at least
/// one, none empty; used verbatim) with a tolerance in seconds (0 = same second only; 300 is the
/// usual value).
///
/// On success writes a new handle to `*out`; the caller owns it and must free it with
/// `persona_webhook_verifier_free`. Secrets are copied.
///
/// # Safety
/// `secrets` points to `secrets_len` NUL-terminated strings; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_verifier_new(
    secrets: *const *const c_char,
    secrets_len: usize,
    tolerance_secs: u64,
    out: *mut *mut persona_webhook_verifier,
) -> persona_result {
    guard(|| {
        check_not_null!(secrets, out);
        if secrets_len == 0 {
            return Err(FfiError::new(
                PERSONA_ERR_INVALID_ARGUMENT,
                "`secrets_len` is 0",
            ));
        }
        // SAFETY: `secrets_len` readable pointers per the contract.
        let pointers = unsafe { std::slice::from_raw_parts(secrets, secrets_len) };
        let secrets = pointers
            .iter()
            // SAFETY: NUL-terminated per the contract.
            .map(|&p| unsafe { str_arg(p, "secrets[]") })
            .collect::<Result<Vec<&str>, FfiError>>()?;
        let inner = WebhookVerifier::new(secrets)?.with_tolerance_secs(tolerance_secs);
        // SAFETY: out checked non-NULL.
        unsafe { write_handle(out, persona_webhook_verifier { inner }) };
        Ok(())
    })
}

/// # Safety
/// As `persona_webhook_verifier_verify`.
unsafe fn verify_inputs<'a>(
    verifier: *const persona_webhook_verifier,
    header: *const c_char,
    body: *const u8,
    body_len: usize,
    now: *const i64,
) -> Result<(&'a WebhookVerifier, String, &'a [u8], i64), FfiError> {
    check_not_null!(verifier);
    if header.is_null() {
        return Err(PersonaError::from(WebhookRejection::MissingHeader).into());
    }
    // SAFETY: caller contract. Non-UTF-8 header bytes become U+FFFD, which no set accepts.
    let header = String::from_utf8_lossy(unsafe { std::ffi::CStr::from_ptr(header) }.to_bytes())
        .into_owned();
    // SAFETY: caller contract.
    let body = unsafe { bytes_arg(body, body_len, "body")? };
    // SAFETY: NULL or readable per the contract.
    let now = unsafe { now.as_ref() }
        .copied()
        .unwrap_or_else(persona_core::clock::unix_now);
    // SAFETY: live handle per the contract.
    Ok((unsafe { &(*verifier).inner }, header, body, now))
}

/// Verifies a webhook: `header` is the `Persona-Signature` value (NULL means the header was
/// absent and gives `PERSONA_ERR_MISSING_HEADER`), `body` the raw body bytes exactly as received
/// (may be NULL when `body_len` is 0), `now` unix seconds (NULL = system clock). Header bytes that
/// are not UTF-8 are wire data, not a caller error: no signature set can match them.
///
/// Returns `PERSONA_OK`, or `PERSONA_ERR_MISSING_HEADER`, `..._MALFORMED_HEADER`,
/// `..._TIMESTAMP_OUT_OF_TOLERANCE` or `..._NO_MATCHING_SIGNATURE`.
///
/// # Safety
/// `verifier` is a live handle; `header` is NULL or NUL-terminated; `body` points to `body_len`
/// bytes; `now` is NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_verifier_verify(
    verifier: *const persona_webhook_verifier,
    header: *const c_char,
    body: *const u8,
    body_len: usize,
    now: *const i64,
) -> persona_result {
    guard(|| {
        // SAFETY: forwarded contract.
        let (verifier, header, body, now) =
            unsafe { verify_inputs(verifier, header, body, body_len, now)? };
        Ok(verifier.verify_at(&header, body, now)?)
    })
}

/// Like `persona_webhook_verifier_verify` with `now` passed by value (unix seconds): one less
/// allocation per call for callers where that matters (Python, JNA).
///
/// # Safety
/// As `persona_webhook_verifier_verify`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_verifier_verify_at(
    verifier: *const persona_webhook_verifier,
    header: *const c_char,
    body: *const u8,
    body_len: usize,
    now: i64,
) -> persona_result {
    guard(|| {
        // SAFETY: forwarded contract; `&now` is a valid pointer for the call.
        let (verifier, header, body, now) =
            unsafe { verify_inputs(verifier, header, body, body_len, &now)? };
        Ok(verifier.verify_at(&header, body, now)?)
    })
}

fn event_string(text: &str) -> Result<CString, FfiError> {
    CString::new(text).map_err(|_| {
        FfiError::new(
            PERSONA_ERR_INVALID_PAYLOAD,
            "event field contains a NUL character",
        )
    })
}

/// Verifies like `persona_webhook_verifier_verify`, then reads the Persona event from the body
/// (`PERSONA_ERR_INVALID_PAYLOAD` if it is not one).
///
/// On success writes a new handle to `*out`; the caller owns it and must free it with
/// `persona_webhook_event_free`.
///
/// # Safety
/// As `persona_webhook_verifier_verify`; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_verifier_verify_event(
    verifier: *const persona_webhook_verifier,
    header: *const c_char,
    body: *const u8,
    body_len: usize,
    now: *const i64,
    out: *mut *mut persona_webhook_event,
) -> persona_result {
    guard(|| {
        check_not_null!(out);
        // SAFETY: forwarded contract.
        let (verifier, header, body, now) =
            unsafe { verify_inputs(verifier, header, body, body_len, now)? };
        let event: WebhookEvent = verifier.verify_event_at(&header, body, now)?;
        let handle = persona_webhook_event {
            id: event_string(&event.id)?,
            name: event_string(&event.name)?,
            created_at: event_string(event.created_at.as_deref().unwrap_or(""))?,
            payload_json: event_string(&event.payload_json)?,
        };
        // SAFETY: out checked non-NULL.
        unsafe { write_handle(out, handle) };
        Ok(())
    })
}

/// Reads one field of an event handle without letting a panic cross the boundary.
fn event_field(
    event: *const persona_webhook_event,
    field: fn(&persona_webhook_event) -> &CString,
) -> *const c_char {
    guard_value(std::ptr::null(), || {
        // SAFETY: the exported getters' callers guarantee `event` is NULL or a live handle.
        unsafe { event.as_ref() }.map_or(std::ptr::null(), |e| field(e).as_ptr())
    })
}

/// The event id (e.g. `evt_...`).
///
/// Borrowed: valid until `persona_webhook_event_free(event)`; do not free it. NULL if `event` is
/// NULL.
///
/// # Safety
/// `event` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_event_id(
    event: *const persona_webhook_event,
) -> *const c_char {
    event_field(event, |e| &e.id)
}

/// The event name (e.g. `inquiry.completed`).
///
/// Borrowed: valid until `persona_webhook_event_free(event)`; do not free it. NULL if `event` is
/// NULL.
///
/// # Safety
/// `event` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_event_name(
    event: *const persona_webhook_event,
) -> *const c_char {
    event_field(event, |e| &e.name)
}

/// The event's `created-at` as sent, or `""` when absent.
///
/// Borrowed: valid until `persona_webhook_event_free(event)`; do not free it. NULL if `event` is
/// NULL.
///
/// # Safety
/// `event` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_event_created_at(
    event: *const persona_webhook_event,
) -> *const c_char {
    event_field(event, |e| &e.created_at)
}

/// The event's `attributes.payload` as raw JSON text (`null` when absent).
///
/// Borrowed: valid until `persona_webhook_event_free(event)`; do not free it. NULL if `event` is
/// NULL.
///
/// # Safety
/// `event` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_event_payload_json(
    event: *const persona_webhook_event,
) -> *const c_char {
    event_field(event, |e| &e.payload_json)
}

/// Frees an event. NULL is a no-op.
///
/// # Safety
/// `event` is NULL or a handle from `persona_webhook_verifier_verify_event` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_event_free(event: *mut persona_webhook_event) {
    // SAFETY: caller contract.
    guard_value((), || unsafe { free_handle(event) });
}

/// Frees a webhook verifier. NULL is a no-op.
///
/// # Safety
/// `verifier` is NULL or a handle from `persona_webhook_verifier_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_verifier_free(verifier: *mut persona_webhook_verifier) {
    // SAFETY: caller contract.
    guard_value((), || unsafe { free_handle(verifier) });
}

/// Writes a `Persona-Signature` value `t=<timestamp>,v1=<hex>` and a NUL into `buf` (`buf_len`
/// bytes; `PERSONA_WEBHOOK_HEADER_MAX` always suffices) for `body` (may be NULL when `body_len`
/// is 0) signed with `secret` at `timestamp` (unix seconds, ≥ 0). For tests and local servers.
///
/// # Safety
/// `secret` is NUL-terminated; `body` points to `body_len` bytes; `buf` points to `buf_len`
/// writable bytes. The caller owns `buf`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_sign(
    secret: *const c_char,
    body: *const u8,
    body_len: usize,
    timestamp: i64,
    buf: *mut c_char,
    buf_len: usize,
) -> persona_result {
    guard(|| {
        check_not_null!(buf);
        // SAFETY: caller contract.
        let (secret, body) = unsafe {
            (
                str_arg(secret, "secret")?,
                bytes_arg(body, body_len, "body")?,
            )
        };
        let header = sign_webhook(secret, body, timestamp)?;
        // SAFETY: buf non-NULL with buf_len writable bytes per the contract.
        unsafe { copy_to_buffer(&header, buf, buf_len) }
    })
}
