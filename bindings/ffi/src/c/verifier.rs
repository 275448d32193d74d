//! `persona_request_verifier_*`.

use std::collections::HashMap;
use std::ffi::{CString, c_char};

use super::boundary::{
    FfiError, bytes_arg, free_handle, guard, guard_value, str_arg, wire_str_arg, write_handle,
};
use super::result::persona_result::{self, PERSONA_ERR_INVALID_ARGUMENT};
use persona_core::verifier::RequestVerifier;

/// One key id and one of its secrets. Repeat a key id with another secret to accept both
/// during a rotation.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct persona_key {
    /// NUL-terminated key id.
    pub key_id: *const c_char,
    /// NUL-terminated secret.
    pub secret: *const c_char,
}

/// One HTTP header as received (name matched case-insensitively).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct persona_header {
    /// NUL-terminated header name.
    pub name: *const c_char,
    /// NUL-terminated header value.
    pub value: *const c_char,
}

/// Verifies `v1`-signed requests (opaque). Thread-safe: share one handle across threads.
#[derive(Debug)]
pub struct persona_request_verifier {
    inner: RequestVerifier,
    /// Stable C copies of the configured key ids, handed out by `verify`.
    key_ids: HashMap<String, CString>,
}

/// Creates a verifier accepting `keys` (`keys_len` entries; at least one), a tolerance in seconds
/// (0 = same second only) and a replay cache of `replay_cache_capacity` nonces (0 = off).
///
/// On success writes a new handle to `*out`; the caller owns it and must free it with
/// `persona_request_verifier_free`. Secrets are copied.
///
/// # Safety
/// `keys` points to `keys_len` entries whose strings are NUL-terminated; `out` is writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_request_verifier_new(
    keys: *const persona_key,
    keys_len: usize,
    tolerance_secs: u64,
    replay_cache_capacity: usize,
    out: *mut *mut persona_request_verifier,
) -> persona_result {
    guard(|| {
        check_not_null!(keys, out);
        if keys_len == 0 {
            return Err(FfiError::new(
                PERSONA_ERR_INVALID_ARGUMENT,
                "`keys_len` is 0",
            ));
        }
        // SAFETY: `keys_len` readable entries per the contract.
        let entries = unsafe { std::slice::from_raw_parts(keys, keys_len) };
        let mut builder = RequestVerifier::builder().tolerance_secs(tolerance_secs);
        if replay_cache_capacity > 0 {
            builder = builder.replay_cache(replay_cache_capacity);
        }
        let mut key_ids = HashMap::new();
        for entry in entries {
            // SAFETY: NUL-terminated per the contract.
            let (key_id, secret) = unsafe {
                (
                    str_arg(entry.key_id, "keys[].key_id")?,
                    str_arg(entry.secret, "keys[].secret")?,
                )
            };
            builder = builder.key(key_id, secret);
            if !key_ids.contains_key(key_id) {
                let c_key_id = CString::new(key_id).map_err(|_| {
                    FfiError::new(PERSONA_ERR_INVALID_ARGUMENT, "key id contains NUL")
                })?;
                key_ids.insert(key_id.to_owned(), c_key_id);
            }
        }
        let inner = builder.build()?;
        // SAFETY: out checked non-NULL.
        unsafe { write_handle(out, persona_request_verifier { inner, key_ids }) };
        Ok(())
    })
}

/// Verifies a request: `method`, `url` (absolute or origin-form `/path?query`), the received
/// headers (`headers_len` entries; NULL allowed when 0), the exact body bytes (`body` may be NULL
/// when `body_len` is 0), and `now` (unix seconds; NULL = system clock). Header names and values
/// are wire data: bytes that are not UTF-8 are not a caller error; they make the header malformed.
///
/// Returns `PERSONA_OK` when valid, or the reason (`PERSONA_ERR_MISSING_HEADER`,
/// `..._MALFORMED_HEADER`, `..._UNKNOWN_KEY`, `..._SIGNATURE_MISMATCH`,
/// `..._TIMESTAMP_OUT_OF_TOLERANCE`, `..._REPLAYED_NONCE`, `..._REPLAY_CACHE_FULL`).
/// On `PERSONA_OK`, if `key_id_out` is not NULL, `*key_id_out` is set to the authenticated key id:
/// borrowed from the verifier, valid until `persona_request_verifier_free`; do not free it.
///
/// # Safety
/// `verifier` is a live handle; strings are NUL-terminated; `headers` points to `headers_len`
/// entries; `body` points to `body_len` bytes; `now` is NULL or readable; `key_id_out` is NULL or
/// writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn persona_request_verifier_verify(
    verifier: *const persona_request_verifier,
    method: *const c_char,
    url: *const c_char,
    headers: *const persona_header,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    now: *const i64,
    key_id_out: *mut *const c_char,
) -> persona_result {
    guard(|| {
        check_not_null!(verifier);
        if headers_len > 0 {
            check_not_null!(headers);
        }
        // SAFETY: caller contract.
        let (verifier, method, url, body) = unsafe {
            (
                &*verifier,
                str_arg(method, "method")?,
                str_arg(url, "url")?,
                bytes_arg(body, body_len, "body")?,
            )
        };
        let entries = if headers_len == 0 {
            &[][..]
        } else {
            // SAFETY: `headers_len` readable entries per the contract.
            unsafe { std::slice::from_raw_parts(headers, headers_len) }
        };
        let pairs = entries
            .iter()
            .map(|h| {
                // SAFETY: NUL-terminated per the contract.
                unsafe {
                    Ok((
                        wire_str_arg(h.name, "headers[].name")?,
                        wire_str_arg(h.value, "headers[].value")?,
                    ))
                }
            })
            .collect::<Result<Vec<_>, FfiError>>()?;
        // SAFETY: NULL or readable per the contract.
        let now = unsafe { now.as_ref() }
            .copied()
            .unwrap_or_else(persona_core::clock::unix_now);
        let verified = verifier.inner.verify_at(
            method,
            url,
            pairs.iter().map(|(n, v)| (n.as_ref(), v.as_ref())),
            body,
            now,
        )?;
        if !key_id_out.is_null() {
            if let Some(key_id) = verifier.key_ids.get(&verified.key_id) {
                // SAFETY: non-NULL and writable per the contract.
                unsafe { *key_id_out = key_id.as_ptr() };
            }
        }
        Ok(())
    })
}

/// Frees a verifier. NULL is a no-op. Key id pointers it handed out become invalid.
///
/// # Safety
/// `verifier` is NULL or a handle from `persona_request_verifier_new` not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_request_verifier_free(verifier: *mut persona_request_verifier) {
    // SAFETY: caller contract.
    guard_value((), || unsafe { free_handle(verifier) });
}
