//! `persona_request_signer_*` and `persona_signed_request_*`.

use std::ffi::c_char;

use super::boundary::{
    FfiError, OutText, bytes_arg, free_handle, guard, guard_value, opt_text_arg, text_arg,
    write_handle,
};
use super::result::persona_result;
use persona_core::signer::RequestSigner;

/// Signs requests with one key id + secret (opaque). Thread-safe: one handle may be used from
/// several threads at once.
#[derive(Debug)]
pub struct persona_request_signer {
    inner: RequestSigner,
}

/// The four headers produced by one signing (opaque).
#[derive(Debug)]
pub struct persona_signed_request {
    names: [OutText; 4],
    values: [OutText; 4],
    canonical_request: OutText,
}

/// Checks the arguments shared by both sign entry points, then signs.
///
/// # Safety
/// As `persona_request_signer_sign`.
#[allow(clippy::too_many_arguments)]
unsafe fn sign_inputs(
    signer: *const persona_request_signer,
    method: *const u8,
    method_len: usize,
    url: *const u8,
    url_len: usize,
    body: *const u8,
    body_len: usize,
    timestamp: *const i64,
    nonce: *const u8,
    nonce_len: usize,
) -> Result<persona_core::signer::SignedRequest, FfiError> {
    check_not_null!(signer);
    // SAFETY: caller contract.
    let (signer, method, url, body, nonce) = unsafe {
        (
            &(*signer).inner,
            text_arg(method, method_len, "method")?,
            text_arg(url, url_len, "url")?,
            bytes_arg(body, body_len, "body")?,
            opt_text_arg(nonce, nonce_len, "nonce")?,
        )
    };
    // SAFETY: NULL or readable per the contract.
    let timestamp = unsafe { timestamp.as_ref() }.copied();
    Ok(signer.sign_with(method, url, body, timestamp, nonce)?)
}

/// Creates a signer for `key_id` (`key_id_len` bytes: 1-128 chars of `[A-Za-z0-9._~-]`) and
/// `secret` (`secret_len` bytes: non-empty, no NUL).
///
/// On success writes a new handle to `*out`; the caller owns it and must free it with
/// `persona_request_signer_free`. The secret is copied; the caller may wipe its copy.
///
/// # Safety
/// `key_id` and `secret` point to their lengths in bytes; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_request_signer_new(
    key_id: *const u8,
    key_id_len: usize,
    secret: *const u8,
    secret_len: usize,
    out: *mut *mut persona_request_signer,
) -> persona_result {
    guard(|| {
        check_not_null!(out);
        // SAFETY: caller contract.
        let (key_id, secret) = unsafe {
            (
                text_arg(key_id, key_id_len, "key_id")?,
                text_arg(secret, secret_len, "secret")?,
            )
        };
        let inner = RequestSigner::new(key_id, secret)?;
        super::fork::watch(); // before its first nonce
        // SAFETY: out checked non-NULL.
        unsafe { write_handle(out, persona_request_signer { inner }) };
        Ok(())
    })
}

/// Frees a signer. NULL is a no-op.
///
/// # Safety
/// `signer` is NULL or a handle from `persona_request_signer_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_request_signer_free(signer: *mut persona_request_signer) {
    // SAFETY: caller contract.
    guard_value((), || unsafe { free_handle(signer) });
}

/// Signs a request: `method` (e.g. "POST"), `url` (absolute http(s) URL or `/path?query`), the
/// exact body bytes (`body` may be NULL when `body_len` is 0), each with its length in bytes.
/// `timestamp` NULL means the current time; `nonce` NULL means a fresh random nonce.
///
/// On success writes a new handle to `*out`; the caller owns it and must free it with
/// `persona_signed_request_free`.
///
/// # Safety
/// `signer` is a live handle; `method`, `url`, `body` and `nonce` (unless NULL) point to their
/// lengths in bytes; `timestamp` is NULL or readable; `out` is writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn persona_request_signer_sign(
    signer: *const persona_request_signer,
    method: *const u8,
    method_len: usize,
    url: *const u8,
    url_len: usize,
    body: *const u8,
    body_len: usize,
    timestamp: *const i64,
    nonce: *const u8,
    nonce_len: usize,
    out: *mut *mut persona_signed_request,
) -> persona_result {
    guard(|| {
        check_not_null!(out);
        // SAFETY: forwarded contract.
        let signed = unsafe {
            sign_inputs(
                signer, method, method_len, url, url_len, body, body_len, timestamp, nonce,
                nonce_len,
            )?
        };
        let headers = signed.headers();
        let result = persona_signed_request {
            names: headers.map(|(name, _)| OutText::new(name)),
            values: headers.map(|(_, value)| OutText::new(value)),
            canonical_request: OutText::new(signed.canonical_request()),
        };
        // SAFETY: out checked non-NULL.
        unsafe { write_handle(out, result) };
        Ok(())
    })
}

/// Number of headers in a signed request (always 4; 0 if `request` is NULL).
///
/// # Safety
/// `request` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_signed_request_header_count(
    request: *const persona_signed_request,
) -> usize {
    // SAFETY: caller contract.
    guard_value(0, || {
        unsafe { request.as_ref() }.map_or(0, |r| r.names.len())
    })
}

/// Text borrowed from a signed request: what `field` picks, or NULL when `request` is NULL or
/// `field` finds nothing (an index out of range).
///
/// # Safety
/// `request` is NULL or a live handle.
unsafe fn signed_text(
    request: *const persona_signed_request,
    field: impl FnOnce(&persona_signed_request) -> Option<&OutText>,
) -> *const c_char {
    guard_value(std::ptr::null(), || {
        // SAFETY: `request` is NULL or a live handle (this function's contract).
        unsafe { request.as_ref() }
            .and_then(field)
            .map_or(std::ptr::null(), OutText::as_ptr)
    })
}

/// Name of header `index` (0: Authorization, 1: Persona-Timestamp, 2: Persona-Nonce,
/// 3: Persona-Signature), or NULL if `request` is NULL or `index` is out of range.
///
/// Borrowed: valid until `persona_signed_request_free(request)`; do not free it.
///
/// # Safety
/// `request` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_signed_request_header_name(
    request: *const persona_signed_request,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { signed_text(request, |r| r.names.get(index)) }
}

/// Value of header `index` (see `persona_signed_request_header_name`), or NULL.
///
/// Borrowed: valid until `persona_signed_request_free(request)`; do not free it.
///
/// # Safety
/// `request` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_signed_request_header_value(
    request: *const persona_signed_request,
    index: usize,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { signed_text(request, |r| r.values.get(index)) }
}

/// The canonical request that was signed (for debugging), or NULL if `request` is NULL.
///
/// Borrowed: valid until `persona_signed_request_free(request)`; do not free it.
///
/// # Safety
/// `request` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_signed_request_canonical_request(
    request: *const persona_signed_request,
) -> *const c_char {
    // SAFETY: forwarded contract.
    unsafe { signed_text(request, |r| Some(&r.canonical_request)) }
}

/// Frees a signed request. NULL is a no-op.
///
/// # Safety
/// `request` is NULL or a handle from `persona_request_signer_sign` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_signed_request_free(request: *mut persona_signed_request) {
    // SAFETY: caller contract.
    guard_value((), || unsafe { free_handle(request) });
}

/// Bytes (including NULs) that always suffice for `persona_request_signer_sign_headers`:
/// `Bearer ` + 128-char key id, a 19-digit timestamp, a 128-char nonce, `v1,` + 44, four NULs.
pub const PERSONA_SIGNED_HEADERS_MAX: usize = 384;

/// Signs like `persona_request_signer_sign`, but writes the four header values into `buf` in one
/// call, each followed by a NUL, in order: Authorization, Persona-Timestamp, Persona-Nonce,
/// Persona-Signature. `PERSONA_SIGNED_HEADERS_MAX` bytes always suffice. For callers where
/// every FFI call costs (Python, JNA). The caller owns `buf`.
///
/// # Safety
/// As `persona_request_signer_sign`; `buf` points to `buf_len` writable bytes.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn persona_request_signer_sign_headers(
    signer: *const persona_request_signer,
    method: *const u8,
    method_len: usize,
    url: *const u8,
    url_len: usize,
    body: *const u8,
    body_len: usize,
    timestamp: *const i64,
    nonce: *const u8,
    nonce_len: usize,
    buf: *mut c_char,
    buf_len: usize,
) -> persona_result {
    guard(|| {
        check_not_null!(buf);
        // SAFETY: forwarded contract.
        let signed = unsafe {
            sign_inputs(
                signer, method, method_len, url, url_len, body, body_len, timestamp, nonce,
                nonce_len,
            )?
        };
        let values = signed.headers().map(|(_, value)| value);
        // SAFETY: buf non-NULL with buf_len writable bytes.
        unsafe { super::boundary::copy_to_buffer(&values, buf, buf_len) }
    })
}
