//! `persona._speedups`: the CPython extension module that the wheel's `libpersona` also is
//! (feature `python`), for the one call Python users make per webhook.
//!
//! Why: through cffi, `persona.webhooks.verify` paid ~0.4× of a five-line stdlib verifier in call
//! overhead alone (argument conversion, a Python-level verifier cache, the GIL released and
//! re-taken around a ~1 µs call). Here the common case — the same secrets as the last call, a
//! `str` header, a `bytes` body — is one C call from the interpreter into the same C ABI function
//! cffi calls, with the GIL kept for short bodies. Everything else (other argument types, errors,
//! a first call) is handed to the Python implementation in `persona/webhooks.py`, which stays the
//! definition of the behaviour; the module only shortcuts it.
//!
//! Python loads it from the library file cffi already opened (see `persona/_cabi.py`), so it
//! shares the handles cffi creates. The stable ABI only (see [`cpython`]): one build serves every
//! CPython ≥ 3.9 with a GIL; the main interpreter only (see [`state`]).
//!
//! - [`webhook`]: the two entry points and the hand-over to Python.
//! - [`arguments`]: binding fast-call arguments to their parameters.
//! - [`cache`]: the function's verifier for the last secrets, compared by value.
//! - [`state`]: the Python objects `setup` gives, and the interpreter they belong to.

#![allow(unsafe_code)] // the CPython C API is raw pointers and reference counts

mod arguments;
mod cache;
mod cpython;
mod state;
mod webhook;

use std::cell::UnsafeCell;
use std::ffi::{CStr, CString};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::null_mut;

use cpython::*;

/// State only touched with the GIL held, and never borrowed across a call into Python code
/// (which can let another thread take the GIL).
struct GilCell<T>(UnsafeCell<T>);

// SAFETY: every access happens with the GIL held (see the type's comment), which serializes them.
unsafe impl<T> Sync for GilCell<T> {}

impl<T> GilCell<T> {
    const fn new(value: T) -> Self {
        Self(UnsafeCell::new(value))
    }

    /// # Safety
    /// The GIL is held and no other reference from `get` is alive.
    #[allow(clippy::mut_from_ref)]
    unsafe fn get(&self) -> &mut T {
        // SAFETY: the caller's contract.
        unsafe { &mut *self.0.get() }
    }
}

static METHODS: [PyMethodDef; 4] = [
    PyMethodDef {
        ml_name: c"verify".as_ptr(),
        // SAFETY: CPython calls METH_FASTCALL | METH_KEYWORDS functions with this signature.
        ml_meth: Some(unsafe {
            std::mem::transmute::<PyCFunctionFast, PyCFunction>(webhook::verify)
        }),
        ml_flags: METH_FASTCALL | METH_KEYWORDS,
        // The docstring of `verify` in persona/webhooks.py, which this function stands in for.
        ml_doc: c"verify(header, body, secrets, tolerance=300, now=None)\n--\n\n\
Checks a Persona webhook's signature (see :meth:`WebhookVerifier.verify`).\n\n\
``secrets`` is one secret or several (during a rotation). Verifiers are cached per\n\
(secrets, tolerance), so calling this per request costs only the verification."
            .as_ptr(),
    },
    PyMethodDef {
        ml_name: c"verifier_method".as_ptr(),
        ml_meth: Some(webhook::verifier_method),
        ml_flags: METH_O,
        ml_doc: c"verifier_method(cls): WebhookVerifier.verify, native, as a method of cls."
            .as_ptr(),
    },
    PyMethodDef {
        ml_name: c"setup".as_ptr(),
        ml_meth: Some(setup),
        ml_flags: METH_VARARGS,
        ml_doc:
            c"setup(verifier_for, slow_verify, slow_method, raise_error): webhooks.py's objects."
                .as_ptr(),
    },
    PyMethodDef {
        ml_name: std::ptr::null(),
        ml_meth: None,
        ml_flags: 0,
        ml_doc: std::ptr::null(),
    },
];

/// `WebhookVerifier.verify`, bound to the class by `verifier_method`.
static VERIFIER_VERIFY: PyMethodDef = PyMethodDef {
    ml_name: c"verify".as_ptr(),
    // SAFETY: CPython calls METH_FASTCALL | METH_KEYWORDS methods with this signature.
    ml_meth: Some(unsafe {
        std::mem::transmute::<PyCFunctionFast, PyCFunction>(webhook::verifier_verify)
    }),
    ml_flags: METH_FASTCALL | METH_KEYWORDS,
    // The docstring of `WebhookVerifier.verify` in persona/webhooks.py.
    ml_doc: c"verify($self, header, body, now=None)\n--\n\n\
Checks the signature of ``body`` (raw bytes) against ``header`` (``None`` when absent),\n\
as of ``now`` (unix seconds; ``None`` = the clock). Raises\n\
:class:`persona.WebhookVerificationError` when the webhook must be rejected."
        .as_ptr(),
};

static MODULE: GilCell<PyModuleDef> = GilCell::new(PyModuleDef {
    m_base: PyModuleDef_Base {
        ob_base: PyObject {
            ob_refcnt: 1,
            ob_type: null_mut(),
        },
        m_init: None,
        m_index: 0,
        m_copy: null_mut(),
    },
    m_name: c"persona._speedups".as_ptr(),
    m_doc: c"libpersona's CPython fast paths (internal; use persona.webhooks).".as_ptr(),
    m_size: -1,
    m_methods: METHODS.as_ptr(),
    m_slots: null_mut(),
    m_traverse: null_mut(),
    m_clear: null_mut(),
    m_free: null_mut(),
});

/// The module's entry point, found by CPython's import machinery by name. Refused in a
/// sub-interpreter (see [`state`]).
///
/// # Safety
/// Called by CPython, with the GIL held, when `persona._speedups` is imported.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PyInit__speedups() -> *mut PyObject {
    // SAFETY: the GIL is held; CPython keeps the definition, a static, for the process's life.
    boundary(|| unsafe {
        if PyInterpreterState_GetID(PyInterpreterState_Get()) != 0 {
            raise(
                PyExc_ImportError,
                c"persona._speedups serves the main interpreter only",
            );
            return None;
        }
        // The main interpreter initializes a single-phase module once per runtime: anything
        // here is from a runtime finalized before this one.
        state::forget_previous_runtime();
        let module = PyModule_Create2(MODULE.get(), PYTHON_ABI_VERSION);
        (!module.is_null()).then_some(module)
    })
}

unsafe extern "C" fn setup(_module: *mut PyObject, args: *mut PyObject) -> *mut PyObject {
    // SAFETY: CPython calls METH_VARARGS functions with the GIL held and `args` a tuple.
    boundary(|| unsafe { state::setup(args) })
}

/// Runs an entry point's body: its `Some` is the result, its `None` a NULL return with the
/// exception already set; a panic becomes `SystemError` instead of unwinding into CPython.
fn boundary(body: impl FnOnce() -> Option<*mut PyObject>) -> *mut PyObject {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Some(result)) => result,
        Ok(None) => null_mut(),
        Err(payload) => {
            std::mem::forget(payload); // its destructor could panic again, outside catch_unwind
            let message = CString::new(crate::PANIC_MESSAGE).unwrap_or_default();
            // SAFETY: entry points run with the GIL held (the C ABI calls made without it catch
            // their own panics).
            unsafe { raise_system_error(&message) };
            null_mut()
        }
    }
}

/// Raises `SystemError` with `message` (a bug on this side).
///
/// # Safety
/// The GIL is held.
unsafe fn raise_system_error(message: &CStr) {
    // SAFETY: the GIL is held.
    unsafe { raise(PyExc_SystemError, message) }
}

/// Raises `kind` with `message`.
///
/// # Safety
/// The GIL is held; `kind` is one of CPython's exception types.
unsafe fn raise(kind: *mut PyObject, message: &CStr) {
    // SAFETY: the contract above.
    unsafe { PyErr_SetString(kind, message.as_ptr()) };
}
