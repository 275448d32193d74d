//! The panic boundary, argument checks and the per-thread last error message.

use std::cell::RefCell;
use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::result::persona_result::{self, *};
use persona_core::error::PersonaError;

/// A failed call: the code to return and the message `persona_last_error_message` will give.
pub(crate) struct FfiError {
    pub(crate) code: persona_result,
    pub(crate) message: String,
}

impl FfiError {
    pub(crate) fn new(code: persona_result, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<PersonaError> for FfiError {
    fn from(error: PersonaError) -> Self {
        // PersonaError messages never contain secrets or header values (see src/error.rs).
        Self::new(persona_result::from(&error), error.to_string())
    }
}

/// Payload of `persona_debug_trigger_panic`, recognised to give a clearer message.
#[cfg(feature = "test-hooks")]
pub(crate) struct DeliberatePanic;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

fn set_last_error(message: String) {
    LAST_ERROR.with(|slot| *slot.borrow_mut() = message);
}

/// Runs an entry point's body: a panic becomes `PERSONA_ERR_PANIC` instead of unwinding into C,
/// an error is recorded as this thread's last error.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), FfiError>) -> persona_result {
    // AssertUnwindSafe: on panic we return an error and the caller's handles were not mutated
    // mid-way (every mutating entry point writes out-params only after its body succeeded).
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => PERSONA_OK,
        Ok(Err(error)) => {
            set_last_error(error.message);
            error.code
        }
        Err(payload) => {
            #[cfg(feature = "test-hooks")]
            if payload.is::<DeliberatePanic>() {
                set_last_error(
                    "deliberate panic (persona_debug_trigger_panic) caught at the C boundary"
                        .into(),
                );
                return PERSONA_ERR_PANIC;
            }
            let _ = payload;
            let message = "internal error: libpersona panicked (a bug; please report it)";
            set_last_error(message.to_owned());
            PERSONA_ERR_PANIC
        }
    }
}

/// Runs an infallible accessor: a panic yields `fallback` instead of unwinding into C.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Returns `PERSONA_ERR_NULL_ARGUMENT` (naming the parameter) from the enclosing body if NULL.
macro_rules! check_not_null {
    ($($ptr:ident),+ $(,)?) => {
        $(
            if $ptr.is_null() {
                return Err($crate::c::boundary::FfiError::new(
                    $crate::c::result::persona_result::PERSONA_ERR_NULL_ARGUMENT,
                    concat!("argument `", stringify!($ptr), "` is NULL"),
                ));
            }
        )+
    };
}

/// A required NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid for `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, FfiError> {
    if ptr.is_null() {
        return Err(FfiError::new(
            PERSONA_ERR_NULL_ARGUMENT,
            format!("argument `{name}` is NULL"),
        ));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes).map_err(|_| {
        FfiError::new(
            PERSONA_ERR_INVALID_UTF8,
            format!("argument `{name}` is not valid UTF-8"),
        )
    })
}

/// An optional NUL-terminated UTF-8 string argument (NULL gives `None`).
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, FfiError> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { str_arg(ptr, name) }.map(Some)
    }
}

/// Wire text (header names and values): bytes that are not UTF-8 become U+FFFD, which no
/// signature grammar accepts, so such a header is rejected as malformed rather than as a
/// caller error.
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn wire_str_arg<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<std::borrow::Cow<'a, str>, FfiError> {
    if ptr.is_null() {
        return Err(FfiError::new(
            PERSONA_ERR_NULL_ARGUMENT,
            format!("argument `{name}` is NULL"),
        ));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    Ok(String::from_utf8_lossy(
        unsafe { CStr::from_ptr(ptr) }.to_bytes(),
    ))
}

/// A byte buffer given as pointer + length; the pointer may be NULL only when `len` is 0.
///
/// # Safety
/// When `len > 0`, `ptr` points to `len` readable bytes that stay valid for `'a`.
pub(crate) unsafe fn bytes_arg<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], FfiError> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(FfiError::new(
            PERSONA_ERR_NULL_ARGUMENT,
            format!("argument `{name}` is NULL but its length is {len}"),
        ));
    }
    if len > isize::MAX as usize {
        return Err(FfiError::new(
            PERSONA_ERR_INVALID_ARGUMENT,
            format!("argument `{name}` is too long"),
        ));
    }
    // SAFETY: non-NULL, `len` readable bytes per the caller's contract, len ≤ isize::MAX.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Copies `text` plus a NUL into `buf`, or fails with `PERSONA_ERR_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `buf` is non-NULL and points to `buf_len` writable bytes.
pub(crate) unsafe fn copy_to_buffer(
    text: &str,
    buf: *mut c_char,
    buf_len: usize,
) -> Result<(), FfiError> {
    let needed = text.len() + 1;
    if buf_len < needed {
        return Err(FfiError::new(
            PERSONA_ERR_BUFFER_TOO_SMALL,
            format!("buffer of {buf_len} bytes is too small; {needed} needed"),
        ));
    }
    // SAFETY: buf has at least `needed` writable bytes; the regions cannot overlap (ours is a
    // Rust-owned string).
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
        *buf.add(text.len()) = 0;
    }
    Ok(())
}

/// Length in bytes (excluding the NUL) of this thread's last error message; 0 if none.
#[unsafe(no_mangle)]
pub extern "C" fn persona_last_error_length() -> usize {
    guard_value(0, || LAST_ERROR.with(|slot| slot.borrow().len()))
}

/// Copies this thread's last error message and a NUL into `buf` (`buf_len` bytes).
///
/// Returns `PERSONA_ERR_BUFFER_TOO_SMALL` (writing nothing) unless
/// `buf_len > persona_last_error_length()`. The message never contains a secret. The caller owns
/// `buf`. Reading the message does not clear it.
///
/// # Safety
/// `buf` is NULL or points to `buf_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn persona_last_error_message(
    buf: *mut c_char,
    buf_len: usize,
) -> persona_result {
    // This function must not overwrite the message it reports, so errors here are not recorded.
    catch_unwind(AssertUnwindSafe(|| {
        if buf.is_null() {
            return PERSONA_ERR_NULL_ARGUMENT;
        }
        LAST_ERROR.with(|slot| {
            // SAFETY: buf is non-NULL with buf_len writable bytes per the contract.
            match unsafe { copy_to_buffer(&slot.borrow(), buf, buf_len) } {
                Ok(()) => PERSONA_OK,
                Err(error) => error.code,
            }
        })
    }))
    .unwrap_or(PERSONA_ERR_PANIC)
}

/// Moves `value` to the heap and writes the pointer to `*out`.
///
/// # Safety
/// `out` is non-NULL and writable.
pub(crate) unsafe fn write_handle<T>(out: *mut *mut T, value: T) {
    // SAFETY: per the contract.
    unsafe { *out = Box::into_raw(Box::new(value)) };
}

/// Frees a handle made by [`write_handle`]; NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or came from [`write_handle`] for the same `T` and was not freed before.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: per the contract. A panic in Drop is caught by the caller's guard.
        drop(unsafe { Box::from_raw(ptr) });
    }
}
