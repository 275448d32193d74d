//! `persona_webhook_verifier_*`, `persona_webhook_event_*` and `persona_webhook_sign`.

use std::ffi::c_char;

use super::boundary::{
    FfiError, OutText, bytes_arg, copy_to_buffer, free_handle, guard, guard_value, slice_arg,
    text_arg, tolerance_arg, write_handle,
};
use super::result::persona_result;
use persona_core::webhook::{WebhookEvent, WebhookVerifier, sign_webhook};

/// Bytes (including the NUL) that always suffice for `persona_webhook_sign`'s output:
/// `t=` + up to 19 digits + `,v1=` + 64 hex + NUL = 90.
pub const PERSONA_WEBHOOK_HEADER_MAX: usize = 96;

/// One string given as pointer + length (UTF-8, not NUL-terminated; a NUL byte is an ordinary
/// byte that the library judges like any other).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct persona_str {
    /// The bytes (may be NULL when `len` is 0).
    pub ptr: *const u8,
    /// Their number.
    pub len: usize,
}

/// Verifies Persona webhooks (opaque). Thread-safe: share one handle across threads.
#[derive(Debug)]
pub struct persona_webhook_verifier {
    inner: WebhookVerifier,
}

/// A verified webhook event (opaque).
#[derive(Debug)]
pub struct persona_webhook_event {
    id: OutText,
    name: OutText,
    created_at: Option<OutText>,
    payload_json: OutText,
}

/// Creates a verifier accepting any of `secrets` (`secrets_len` entries, at least one, none empty
/// or containing NUL; used verbatim) with a tolerance in seconds (0 = the same second only; 300
/// is the usual value; negative is `PERSONA_ERR_INVALID_ARGUMENT`).
///
/// On success writes a new handle to `*out`; the caller owns it and must free it with
/// `persona_webhook_verifier_free`. Secrets are copied; the caller may wipe its copies.
///
/// # Safety
/// `secrets` points to `secrets_len` entries (may be NULL when 0) whose bytes are readable; `out`
/// is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_verifier_new(
    secrets: *const persona_str,
    secrets_len: usize,
    tolerance_secs: i64,
    out: *mut *mut persona_webhook_verifier,
) -> persona_result {
    guard(|| {
        check_not_null!(out);
        // SAFETY: `secrets_len` readable entries per the contract.
        let entries = unsafe { slice_arg(secrets, secrets_len, "secrets")? };
        let secrets = entries
            .iter()
            // SAFETY: each entry's bytes are readable per the contract.
            .map(|s| unsafe { text_arg(s.ptr, s.len, "secrets[]") })
            .collect::<Result<Vec<&str>, FfiError>>()?;
        let tolerance = tolerance_arg(tolerance_secs)?;
        let inner = WebhookVerifier::new(secrets)?.with_tolerance_secs(tolerance);
        // SAFETY: out checked non-NULL.
        unsafe { write_handle(out, persona_webhook_verifier { inner }) };
        Ok(())
    })
}

/// The checked arguments of a verify call.
struct VerifyInputs<'a> {
    verifier: &'a WebhookVerifier,
    header: std::borrow::Cow<'a, str>,
    body: &'a [u8],
}

/// # Safety
/// As `persona_webhook_verifier_verify`.
unsafe fn verify_inputs<'a>(
    verifier: *const persona_webhook_verifier,
    header: *const u8,
    header_len: usize,
    body: *const u8,
    body_len: usize,
) -> Result<VerifyInputs<'a>, FfiError> {
    check_not_null!(verifier);
    // An absent header (NULL) is the empty value, which the core judges `missing_header`.
    let header_len = if header.is_null() { 0 } else { header_len };
    // SAFETY: caller contract (NULL only with length 0, as just arranged). Wire data: bytes that
    // are not UTF-8 become U+FFFD, which no set accepts.
    let header = unsafe { super::boundary::wire_text_arg(header, header_len, "header")? };
    // SAFETY: caller contract.
    let body = unsafe { bytes_arg(body, body_len, "body")? };
    Ok(VerifyInputs {
        // SAFETY: a live handle per the contract.
        verifier: unsafe { &(*verifier).inner },
        header,
        body,
    })
}

/// The clock: `*now` when given, else the system clock.
///
/// # Safety
/// `now` is NULL or readable.
pub(crate) unsafe fn now_arg(now: *const i64) -> i64 {
    // SAFETY: NULL or readable per the contract.
    unsafe { now.as_ref() }
        .copied()
        .unwrap_or_else(persona_core::clock::unix_now)
}

/// Verifies a webhook's signature: `header` is the `Persona-Signature` value (`header_len`
/// bytes; NULL means the header was absent and gives `PERSONA_ERR_MISSING_HEADER`), `body` the
/// raw body bytes exactly as received (may be NULL when `body_len` is 0), `now` unix seconds
/// (NULL = the system clock). Header bytes that are not UTF-8 are wire data, not a caller error:
/// no signature set can match them.
///
/// Returns `PERSONA_OK`, or `PERSONA_ERR_MISSING_HEADER`, `..._MALFORMED_HEADER`,
/// `..._TIMESTAMP_OUT_OF_TOLERANCE` or `..._NO_MATCHING_SIGNATURE`. The body is not read as an
/// event: `persona_webhook_verifier_verify_event` does both.
///
/// # Safety
/// `verifier` is a live handle; `header` is NULL or points to `header_len` bytes; `body` points
/// to `body_len` bytes; `now` is NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_verifier_verify(
    verifier: *const persona_webhook_verifier,
    header: *const u8,
    header_len: usize,
    body: *const u8,
    body_len: usize,
    now: *const i64,
) -> persona_result {
    // SAFETY: `now` is NULL or readable; the rest is this function's contract, forwarded.
    unsafe {
        persona_webhook_verifier_verify_at(
            verifier,
            header,
            header_len,
            body,
            body_len,
            now_arg(now),
        )
    }
}

/// Like `persona_webhook_verifier_verify` with `now` passed by value (unix seconds): one pointer
/// less per call for callers where that matters (Python, JNA).
///
/// # Safety
/// As `persona_webhook_verifier_verify`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_verifier_verify_at(
    verifier: *const persona_webhook_verifier,
    header: *const u8,
    header_len: usize,
    body: *const u8,
    body_len: usize,
    now: i64,
) -> persona_result {
    guard(|| {
        // SAFETY: forwarded contract.
        let inputs = unsafe { verify_inputs(verifier, header, header_len, body, body_len)? };
        Ok(inputs
            .verifier
            .verify_at(&inputs.header, inputs.body, now)?)
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
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn persona_webhook_verifier_verify_event(
    verifier: *const persona_webhook_verifier,
    header: *const u8,
    header_len: usize,
    body: *const u8,
    body_len: usize,
    now: *const i64,
    out: *mut *mut persona_webhook_event,
) -> persona_result {
    guard(|| {
        check_not_null!(out);
        // SAFETY: forwarded contract.
        let (inputs, now) = unsafe {
            (
                verify_inputs(verifier, header, header_len, body, body_len)?,
                now_arg(now),
            )
        };
        let event: WebhookEvent =
            inputs
                .verifier
                .verify_event_at(&inputs.header, inputs.body, now)?;
        let handle = persona_webhook_event {
            id: OutText::new(&event.id),
            name: OutText::new(&event.name),
            created_at: event.created_at.as_deref().map(OutText::new),
            payload_json: OutText::new(&event.payload_json),
        };
        // SAFETY: out checked non-NULL.
        unsafe { write_handle(out, handle) };
        Ok(())
    })
}

/// Reads one field of an event handle without letting a panic cross the boundary.
///
/// # Safety
/// `event` is NULL or a live handle; `len_out` is NULL or writable.
unsafe fn event_field(
    event: *const persona_webhook_event,
    len_out: *mut usize,
    field: fn(&persona_webhook_event) -> Option<&OutText>,
) -> *const c_char {
    guard_value(std::ptr::null(), || {
        // SAFETY: `event` is NULL or a live handle (this function's contract).
        match unsafe { event.as_ref() }.and_then(field) {
            // SAFETY: `len_out` is NULL or writable (this function's contract).
            Some(text) => unsafe { text.hand_out(len_out) },
            None => std::ptr::null(),
        }
    })
}

/// The event id (e.g. `evt_...`), NUL-terminated; its length is written to `*len_out` when
/// `len_out` is not NULL (JSON strings may hold U+0000, so a NUL may come before the end: read
/// `*len_out` bytes to get all of it).
///
/// Borrowed: valid until `persona_webhook_event_free(event)`; do not free it. NULL if `event` is
/// NULL.
///
/// # Safety
/// `event` is NULL or a live handle; `len_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_event_id(
    event: *const persona_webhook_event,
    len_out: *mut usize,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { event_field(event, len_out, |e| Some(&e.id)) }
}

/// The event name (e.g. `inquiry.completed`); as `persona_webhook_event_id`.
///
/// # Safety
/// As `persona_webhook_event_id`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_event_name(
    event: *const persona_webhook_event,
    len_out: *mut usize,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { event_field(event, len_out, |e| Some(&e.name)) }
}

/// The event's `created-at` as sent, or NULL when the event has none (`*len_out` untouched).
/// Otherwise as `persona_webhook_event_id`.
///
/// # Safety
/// As `persona_webhook_event_id`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_event_created_at(
    event: *const persona_webhook_event,
    len_out: *mut usize,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { event_field(event, len_out, |e| e.created_at.as_ref()) }
}

/// The event's `data.attributes.payload` as raw JSON text, exactly as received (`null` when
/// absent); as `persona_webhook_event_id`.
///
/// # Safety
/// As `persona_webhook_event_id`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_event_payload_json(
    event: *const persona_webhook_event,
    len_out: *mut usize,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { event_field(event, len_out, |e| Some(&e.payload_json)) }
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
/// is 0) signed with `secret` (`secret_len` bytes) at `timestamp` (unix seconds, ≥ 0). For tests
/// and local servers.
///
/// # Safety
/// `secret` points to `secret_len` bytes; `body` points to `body_len` bytes; `buf` points to
/// `buf_len` writable bytes. The caller owns `buf`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_webhook_sign(
    secret: *const u8,
    secret_len: usize,
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
                text_arg(secret, secret_len, "secret")?,
                bytes_arg(body, body_len, "body")?,
            )
        };
        let header = sign_webhook(secret, body, timestamp)?;
        // SAFETY: buf non-NULL with buf_len writable bytes per the contract.
        unsafe { copy_to_buffer(&[&header], buf, buf_len) }
    })
}
