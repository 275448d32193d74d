//! `persona_request_verifier_*`.

use std::collections::HashMap;
use std::ffi::c_char;

use std::borrow::Cow;

use super::boundary::{
    FfiError, OutText, bytes_arg, copy_to_buffer, free_handle, guard, guard_value, slice_arg,
    text_arg, tolerance_arg, wire_text_arg, write_handle,
};
use super::result::persona_result;
use super::webhook::now_arg;
use persona_core::verifier::RequestVerifier;

/// One key id and one of its secrets, each as pointer + length. Repeat a key id with another
/// secret to accept both during a rotation.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct persona_key {
    /// The key id's bytes.
    pub key_id: *const u8,
    /// Their number.
    pub key_id_len: usize,
    /// The secret's bytes.
    pub secret: *const u8,
    /// Their number.
    pub secret_len: usize,
}

/// One HTTP header as received (name matched case-insensitively), each part as pointer + length.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct persona_header {
    /// The name's bytes.
    pub name: *const u8,
    /// Their number.
    pub name_len: usize,
    /// The value's bytes.
    pub value: *const u8,
    /// Their number.
    pub value_len: usize,
}

/// Verifies `v1`-signed requests (opaque). Thread-safe: share one handle across threads.
#[derive(Debug)]
pub struct persona_request_verifier {
    inner: RequestVerifier,
    /// Stable C copies of the configured key ids, handed out by `verify`.
    key_ids: HashMap<String, OutText>,
}

/// Creates a verifier accepting `keys` (`keys_len` entries; at least one), a tolerance in seconds
/// (0 = the same second only; negative is `PERSONA_ERR_INVALID_ARGUMENT`) and a replay cache of
/// `replay_cache_capacity` nonces (0 = off).
///
/// On success writes a new handle to `*out`; the caller owns it and must free it with
/// `persona_request_verifier_free`. Secrets are copied; the caller may wipe its copies.
///
/// # Safety
/// `keys` points to `keys_len` entries (may be NULL when 0) whose bytes are readable; `out` is
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_request_verifier_new(
    keys: *const persona_key,
    keys_len: usize,
    tolerance_secs: i64,
    replay_cache_capacity: usize,
    out: *mut *mut persona_request_verifier,
) -> persona_result {
    guard(|| {
        check_not_null!(out);
        // SAFETY: `keys_len` readable entries per the contract.
        let entries = unsafe { slice_arg(keys, keys_len, "keys")? };
        let mut builder = RequestVerifier::builder().tolerance_secs(tolerance_arg(tolerance_secs)?);
        if replay_cache_capacity > 0 {
            builder = builder.replay_cache(replay_cache_capacity);
        }
        let mut key_ids = HashMap::new();
        for entry in entries {
            // SAFETY: readable per the contract.
            let (key_id, secret) = unsafe {
                (
                    text_arg(entry.key_id, entry.key_id_len, "keys[].key_id")?,
                    text_arg(entry.secret, entry.secret_len, "keys[].secret")?,
                )
            };
            builder = builder.key(key_id, secret);
            // Handed out by verify; the core refuses any key id with a NUL before we get there.
            key_ids
                .entry(key_id.to_owned())
                .or_insert_with(|| OutText::new(key_id));
        }
        let inner = builder.build()?;
        // SAFETY: out checked non-NULL.
        unsafe { write_handle(out, persona_request_verifier { inner, key_ids }) };
        Ok(())
    })
}

/// Verifies a request: `method`, `url` (absolute or origin-form `/path?query`), the received
/// headers (`headers_len` entries; NULL allowed when 0), the exact body bytes (`body` may be NULL
/// when `body_len` is 0), and `now` (unix seconds; NULL = system clock); every text with its
/// length in bytes. Header names and values are wire data: bytes that are not UTF-8 are not a
/// caller error; they make the header malformed.
///
/// Returns `PERSONA_OK` when valid, or the reason (`PERSONA_ERR_MISSING_HEADER`,
/// `..._MALFORMED_HEADER`, `..._UNKNOWN_KEY`, `..._SIGNATURE_MISMATCH`,
/// `..._TIMESTAMP_OUT_OF_TOLERANCE`, `..._REPLAYED_NONCE`, `..._REPLAY_CACHE_FULL`).
/// On `PERSONA_OK`, if `key_id_out` is not NULL, `*key_id_out` is set to the authenticated key id:
/// borrowed from the verifier, valid until `persona_request_verifier_free`; do not free it.
///
/// # Safety
/// `verifier` is a live handle; `method`, `url` and `body` point to their lengths in bytes;
/// `headers` points to `headers_len` entries whose bytes are readable; `now` is NULL or readable;
/// `key_id_out` is NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn persona_request_verifier_verify(
    verifier: *const persona_request_verifier,
    method: *const u8,
    method_len: usize,
    url: *const u8,
    url_len: usize,
    headers: *const persona_header,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    now: *const i64,
    key_id_out: *mut *const c_char,
) -> persona_result {
    guard(|| {
        check_not_null!(verifier);
        // SAFETY: caller contract.
        let (verifier, method, url, body) = unsafe {
            (
                &*verifier,
                text_arg(method, method_len, "method")?,
                text_arg(url, url_len, "url")?,
                bytes_arg(body, body_len, "body")?,
            )
        };
        // SAFETY: `headers_len` readable entries per the contract.
        let entries = unsafe { slice_arg(headers, headers_len, "headers")? };
        // One allocation: collecting into a Result<Vec> would grow the vector step by step.
        let mut pairs = Vec::with_capacity(entries.len());
        for h in entries {
            // SAFETY: readable per the contract.
            pairs.push(unsafe {
                (
                    wire_text_arg(h.name, h.name_len, "headers[].name")?,
                    wire_text_arg(h.value, h.value_len, "headers[].value")?,
                )
            });
        }
        // SAFETY: NULL or readable per the contract.
        let now = unsafe { now_arg(now) };
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

/// Bytes (including the NUL) that always suffice for the key id `persona_request_verifier_verify_packed`
/// writes: key ids are at most 128 characters.
pub const PERSONA_KEY_ID_MAX: usize = 129;

/// Verifies like `persona_request_verifier_verify`, with the headers packed into one buffer, for
/// callers where every FFI argument costs (JNA, where building a table of `persona_header`s cost
/// more than the verification): `headers` holds `headers_len` bytes of frames, each a header's
/// name then its value, every part as a 4-byte little-endian length then that many bytes (any
/// bytes: a NUL or newline is data, never a separator). Frames that do not add up to exactly
/// `headers_len` bytes are `PERSONA_ERR_INVALID_ARGUMENT`. The time is the system clock.
///
/// On `PERSONA_OK`, if `key_id_out` is not NULL, the authenticated key id and a NUL are written to
/// it (`key_id_out_len` bytes; `PERSONA_KEY_ID_MAX` always suffices).
///
/// # Safety
/// As `persona_request_verifier_verify`; `headers` points to `headers_len` readable bytes (NULL
/// allowed when 0); `key_id_out` is NULL or `key_id_out_len` writable bytes.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn persona_request_verifier_verify_packed(
    verifier: *const persona_request_verifier,
    method: *const u8,
    method_len: usize,
    url: *const u8,
    url_len: usize,
    headers: *const u8,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    key_id_out: *mut c_char,
    key_id_out_len: usize,
) -> persona_result {
    // SAFETY: forwarded contract.
    unsafe {
        verify_packed(
            verifier,
            [
                (method, method_len),
                (url, url_len),
                (headers, headers_len),
                (body, body_len),
            ],
            None,
            key_id_out,
            key_id_out_len,
        )
    }
}

/// `persona_request_verifier_verify_packed` as of `now` (unix seconds).
///
/// # Safety
/// As `persona_request_verifier_verify_packed`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn persona_request_verifier_verify_packed_at(
    verifier: *const persona_request_verifier,
    method: *const u8,
    method_len: usize,
    url: *const u8,
    url_len: usize,
    headers: *const u8,
    headers_len: usize,
    body: *const u8,
    body_len: usize,
    now: i64,
    key_id_out: *mut c_char,
    key_id_out_len: usize,
) -> persona_result {
    // SAFETY: forwarded contract.
    unsafe {
        verify_packed(
            verifier,
            [
                (method, method_len),
                (url, url_len),
                (headers, headers_len),
                (body, body_len),
            ],
            Some(now),
            key_id_out,
            key_id_out_len,
        )
    }
}

/// # Safety
/// The contract of `persona_request_verifier_verify_packed`; `parts` are method, url, headers and
/// body, each pointer + length.
unsafe fn verify_packed(
    verifier: *const persona_request_verifier,
    parts: [(*const u8, usize); 4],
    now: Option<i64>,
    key_id_out: *mut c_char,
    key_id_out_len: usize,
) -> persona_result {
    guard(|| {
        check_not_null!(verifier);
        let [
            (method, method_len),
            (url, url_len),
            (headers, headers_len),
            (body, body_len),
        ] = parts;
        // SAFETY: caller contract.
        let (verifier, method, url, packed, body) = unsafe {
            (
                &*verifier,
                text_arg(method, method_len, "method")?,
                text_arg(url, url_len, "url")?,
                bytes_arg(headers, headers_len, "headers")?,
                bytes_arg(body, body_len, "body")?,
            )
        };
        let pairs = unpack_headers(packed)?;
        let verified = verifier.inner.verify_at(
            method,
            url,
            pairs.iter().map(|(n, v)| (n.as_ref(), v.as_ref())),
            body,
            now.unwrap_or_else(persona_core::clock::unix_now),
        )?;
        if !key_id_out.is_null() {
            // SAFETY: `key_id_out_len` writable bytes per the contract.
            unsafe { copy_to_buffer(&[&verified.key_id], key_id_out, key_id_out_len)? };
        }
        Ok(())
    })
}

/// A header's name and value as text.
type HeaderText<'a> = (Cow<'a, str>, Cow<'a, str>);

/// The (name, value) pairs of packed header frames; the text of each is wire data (bytes that are
/// not UTF-8 make the header malformed, as in `persona_request_verifier_verify`).
fn unpack_headers(mut packed: &[u8]) -> Result<Vec<HeaderText<'_>>, FfiError> {
    fn part<'a>(packed: &mut &'a [u8]) -> Option<&'a [u8]> {
        let (length, rest) = packed.split_first_chunk::<4>()?;
        let length = usize::try_from(u32::from_le_bytes(*length)).ok()?;
        let (bytes, rest) = (rest.get(..length)?, rest.get(length..)?);
        *packed = rest;
        Some(bytes)
    }
    let malformed = || {
        FfiError::from(persona_core::PersonaError::invalid_argument(
            "headers",
            "must be frames of a 4-byte little-endian length and that many bytes, name then value, filling the buffer exactly",
        ))
    };
    let mut pairs = Vec::with_capacity(8);
    while !packed.is_empty() {
        let name = part(&mut packed).ok_or_else(malformed)?;
        let value = part(&mut packed).ok_or_else(malformed)?;
        pairs.push((
            String::from_utf8_lossy(name),
            String::from_utf8_lossy(value),
        ));
    }
    Ok(pairs)
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
