//! The panic boundary, argument reading and the per-thread last error.
//!
//! Every string crosses the boundary as pointer + length, never NUL-terminated: a NUL inside a
//! secret or a header reaches the core, which refuses it (a C string would have cut it short and
//! verified, or signed with, what came before the NUL).

use std::borrow::Cow;
use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::result::persona_result::{self, *};
use persona_core::error::PersonaError;

/// A failed call: the number to return, and what `persona_last_error_*` will report.
pub(crate) struct FfiError {
    pub(crate) result: persona_result,
    /// The stable code (the core's, or `invalid_argument`/`buffer_too_small`/`internal` for
    /// conditions only the C boundary has).
    code: &'static str,
    /// The kind: the core's, or `invalid_input` / `internal`.
    kind: &'static str,
    message: String,
}

impl FfiError {
    /// A bad argument that only C can pass (NULL, not UTF-8, a length that cannot be): code
    /// `invalid_argument`, as for every other bad argument.
    pub(crate) fn argument(result: persona_result, message: impl Into<String>) -> Self {
        let core = PersonaError::invalid_argument("", "");
        Self {
            result,
            code: core.code(),
            kind: core.kind(),
            message: message.into(),
        }
    }
}

impl From<PersonaError> for FfiError {
    fn from(error: PersonaError) -> Self {
        // PersonaError messages never contain secrets or header values (see src/error.rs).
        Self {
            result: persona_result::from(&error),
            code: error.code(),
            kind: error.kind(),
            message: error.to_string(),
        }
    }
}

/// Payload of `persona_debug_trigger_panic`, recognised to give a clearer message.
#[cfg(feature = "test-hooks")]
pub(crate) struct DeliberatePanic;

/// This thread's last error, like errno: meaningful right after a call returned an error.
struct LastError {
    code: &'static str,
    kind: &'static str,
    message: String,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = const {
        RefCell::new(LastError { code: "", kind: "", message: String::new() })
    };
}

fn set_last_error(code: &'static str, kind: &'static str, message: String) {
    // Total: while the thread is being torn down the slot may be gone, and a slot already
    // borrowed cannot be written; the error is then not recorded, which beats aborting the
    // process from a function that must not unwind.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut last) = slot.try_borrow_mut() {
            *last = LastError {
                code,
                kind,
                message,
            };
        }
    });
}

/// Runs an entry point's body: a panic becomes `PERSONA_ERR_PANIC` instead of unwinding into C,
/// an error is recorded as this thread's last error.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), FfiError>) -> persona_result {
    // AssertUnwindSafe: on panic we return an error and the caller's handles were not mutated
    // mid-way (every mutating entry point writes out-params only after its body succeeded).
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => PERSONA_OK,
        Ok(Err(error)) => {
            set_last_error(error.code, error.kind, error.message);
            error.result
        }
        Err(payload) => {
            #[cfg(feature = "test-hooks")]
            let message = if payload.is::<DeliberatePanic>() {
                "deliberate panic (persona_debug_trigger_panic) caught at the C boundary"
            } else {
                crate::PANIC_MESSAGE
            };
            #[cfg(not(feature = "test-hooks"))]
            let message = crate::PANIC_MESSAGE;
            // Leaked, not dropped: a payload's destructor could panic again, here, outside
            // `catch_unwind`, and abort the caller's process. A panic is a bug; its few bytes
            // are the cheaper loss.
            std::mem::forget(payload);
            set_last_error(crate::INTERNAL, crate::INTERNAL, message.to_owned());
            PERSONA_ERR_PANIC
        }
    }
}

/// Runs an infallible accessor: a panic yields `fallback` instead of unwinding into C.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|payload| {
        std::mem::forget(payload); // as in `guard`: its destructor must not run here
        fallback
    })
}

/// Returns `PERSONA_ERR_NULL_ARGUMENT` (naming the parameter) from the enclosing body if NULL.
macro_rules! check_not_null {
    ($($ptr:ident),+ $(,)?) => {
        $(
            if $ptr.is_null() {
                return Err($crate::c::boundary::FfiError::argument(
                    $crate::c::result::persona_result::PERSONA_ERR_NULL_ARGUMENT,
                    concat!("argument `", stringify!($ptr), "` is NULL"),
                ));
            }
        )+
    };
}

/// An array given as pointer + length (bytes, or `persona_str`/`persona_key`/`persona_header`
/// entries); the pointer may be NULL only when `len` is 0, which is the empty array.
///
/// # Safety
/// When `len > 0`, `ptr` points to `len` readable, initialized `T`s that stay valid for `'a`.
pub(crate) unsafe fn slice_arg<'a, T>(
    ptr: *const T,
    len: usize,
    name: &str,
) -> Result<&'a [T], FfiError> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(FfiError::argument(
            PERSONA_ERR_NULL_ARGUMENT,
            format!("argument `{name}` is NULL but its length is {len}"),
        ));
    }
    if len.saturating_mul(std::mem::size_of::<T>()) > isize::MAX as usize {
        return Err(FfiError::argument(
            PERSONA_ERR_INVALID_ARGUMENT,
            format!("argument `{name}` is longer than any buffer can be"),
        ));
    }
    // SAFETY: non-NULL, `len` readable values per the caller's contract, within isize::MAX bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A byte buffer given as pointer + length (see [`slice_arg`]).
///
/// # Safety
/// As [`slice_arg`].
pub(crate) unsafe fn bytes_arg<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], FfiError> {
    // SAFETY: forwarded contract.
    unsafe { slice_arg(ptr, len, name) }
}

/// A UTF-8 text argument given as pointer + length (NUL bytes included, as any other byte).
///
/// # Safety
/// As [`bytes_arg`].
pub(crate) unsafe fn text_arg<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a str, FfiError> {
    // SAFETY: forwarded contract.
    let bytes = unsafe { bytes_arg(ptr, len, name)? };
    std::str::from_utf8(bytes).map_err(|_| {
        FfiError::argument(
            PERSONA_ERR_INVALID_UTF8,
            format!("argument `{name}` is not valid UTF-8"),
        )
    })
}

/// An optional text argument: a NULL pointer means "not given" (whatever the length).
///
/// # Safety
/// As [`bytes_arg`].
pub(crate) unsafe fn opt_text_arg<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<Option<&'a str>, FfiError> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { text_arg(ptr, len, name) }.map(Some)
    }
}

/// Wire text (header names and values): bytes that are not UTF-8 become U+FFFD, which no
/// signature grammar accepts, so such a header is rejected as malformed rather than as a caller
/// error.
///
/// # Safety
/// As [`bytes_arg`].
pub(crate) unsafe fn wire_text_arg<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<Cow<'a, str>, FfiError> {
    // SAFETY: forwarded contract.
    Ok(String::from_utf8_lossy(unsafe {
        bytes_arg(ptr, len, name)?
    }))
}

/// A tolerance in seconds: C passes it signed, so that a negative value (a bug in the caller, or
/// `-1` meant as "off") is refused instead of becoming a huge window.
pub(crate) fn tolerance_arg(tolerance_secs: i64) -> Result<u64, FfiError> {
    u64::try_from(tolerance_secs).map_err(|_| {
        PersonaError::invalid_argument("tolerance_secs", "must not be negative").into()
    })
}

/// Copies `parts` into `buf`, each followed by a NUL, or fails with
/// `PERSONA_ERR_BUFFER_TOO_SMALL` (writing nothing).
///
/// # Safety
/// `buf` is non-NULL and points to `buf_len` writable bytes.
pub(crate) unsafe fn copy_to_buffer(
    parts: &[&str],
    buf: *mut c_char,
    buf_len: usize,
) -> Result<(), FfiError> {
    let needed = parts.iter().map(|part| part.len() + 1).sum::<usize>();
    if buf_len < needed {
        return Err(FfiError {
            result: PERSONA_ERR_BUFFER_TOO_SMALL,
            code: "buffer_too_small",
            kind: PersonaError::invalid_argument("", "").kind(),
            message: format!("buffer of {buf_len} bytes is too small; {needed} needed"),
        });
    }
    let mut at = buf.cast::<u8>();
    for part in parts {
        // SAFETY: the parts and their NULs add up to `needed` <= `buf_len` writable bytes; the
        // regions cannot overlap (the parts are Rust-owned strings).
        unsafe {
            std::ptr::copy_nonoverlapping(part.as_ptr(), at, part.len());
            at = at.add(part.len());
            *at = 0;
            at = at.add(1);
        }
    }
    Ok(())
}

/// Text a handle hands out: the bytes and a NUL after them, so C can read it as a string, while
/// the length (which may count NUL bytes inside) says where it really ends.
pub(crate) struct OutText(Box<[u8]>);

impl std::fmt::Debug for OutText {
    /// Its length only: handed-out text can be a payload with personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OutText({} bytes)", self.len())
    }
}

impl OutText {
    pub(crate) fn new(text: &str) -> Self {
        Self::from_bytes(text.as_bytes())
    }

    /// Any bytes (a file an operation answered), NUL-terminated too; a NUL inside is data, so
    /// the length is the only way to read them.
    pub(crate) fn from_bytes(data: &[u8]) -> Self {
        let mut bytes = Vec::with_capacity(data.len() + 1);
        bytes.extend_from_slice(data);
        bytes.push(0);
        Self(bytes.into_boxed_slice())
    }

    /// The text, NUL-terminated; valid while `self` lives.
    pub(crate) fn as_ptr(&self) -> *const c_char {
        self.0.as_ptr().cast()
    }

    /// Its length in bytes, without the final NUL.
    pub(crate) fn len(&self) -> usize {
        self.0.len() - 1
    }

    /// Writes the length (without the final NUL) to `len_out` when not NULL; returns the text.
    ///
    /// # Safety
    /// `len_out` is NULL or writable.
    pub(crate) unsafe fn hand_out(&self, len_out: *mut usize) -> *const c_char {
        if !len_out.is_null() {
            // SAFETY: non-NULL and writable per the contract.
            unsafe { *len_out = self.len() };
        }
        self.as_ptr()
    }
}

/// Length in bytes (excluding the NUL) of this thread's last error message; 0 if none.
#[unsafe(no_mangle)]
pub extern "C" fn persona_last_error_length() -> usize {
    guard_value(0, || LAST_ERROR.with(|slot| slot.borrow().message.len()))
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
    // This function must not overwrite the error it reports, so its own errors are not recorded.
    catch_unwind(AssertUnwindSafe(|| {
        if buf.is_null() {
            return PERSONA_ERR_NULL_ARGUMENT;
        }
        LAST_ERROR.with(|slot| {
            // SAFETY: buf is non-NULL with buf_len writable bytes per the contract.
            match unsafe { copy_to_buffer(&[&slot.borrow().message], buf, buf_len) } {
                Ok(()) => PERSONA_OK,
                Err(error) => error.result,
            }
        })
    }))
    .unwrap_or(PERSONA_ERR_PANIC)
}

/// The stable code of this thread's last error, the same in every language (`missing_header`,
/// `invalid_argument`, `not_found`, `internal`, ...); `""` if none.
///
/// Static storage: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn persona_last_error_code() -> *const c_char {
    static_text(guard_value("", || {
        LAST_ERROR.with(|slot| slot.borrow().code)
    }))
}

/// The kind of this thread's last error, which each language picks its exception type by:
/// `invalid_input`, `configuration`, `request_rejected`, `webhook_rejected`, `invalid_payload`,
/// `api`, `network`, `timeout`, `unexpected_response` or `internal`; `""` if none.
///
/// Static storage: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn persona_last_error_kind() -> *const c_char {
    static_text(guard_value("", || {
        LAST_ERROR.with(|slot| slot.borrow().kind)
    }))
}

/// A NUL-terminated copy of a static code, made once per distinct code and kept for the process:
/// codes and kinds are a small fixed set, so this never grows past it.
fn static_text(text: &'static str) -> *const c_char {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static INTERNED: OnceLock<Mutex<HashMap<&'static str, &'static std::ffi::CStr>>> =
        OnceLock::new();
    guard_value(c"".as_ptr(), || {
        let mut interned = INTERNED
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let text = *interned.entry(text).or_insert_with(|| {
            let owned = std::ffi::CString::new(text).unwrap_or_default();
            Box::leak(owned.into_boxed_c_str())
        });
        text.as_ptr()
    })
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
