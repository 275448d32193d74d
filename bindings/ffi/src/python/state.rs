//! What `webhooks.py` gives the module once (`setup`), and the one interpreter it serves.
//!
//! The state is process-wide (a single-phase module), so it serves the main interpreter only: a
//! sub-interpreter gets CPython's copy of the module without `PyInit` running again, and must not
//! install its own objects here or call the main interpreter's. `setup` refuses there, and
//! `webhooks.py` then uses its Python definitions.

use std::ffi::c_void;
use std::ptr::null_mut;

use super::cpython::*;
use super::{GilCell, raise, raise_system_error};

/// The Python side's objects (strong references).
pub(super) struct Callbacks {
    /// `webhooks._verifier(secrets, tolerance)`: the cached `WebhookVerifier`.
    pub(super) verifier_for: *mut PyObject,
    /// `webhooks._verify_slow`: `verify` in Python, with the same signature.
    pub(super) slow_verify: *mut PyObject,
    /// `webhooks._verify_method_slow`: `WebhookVerifier.verify` in Python.
    pub(super) slow_method: *mut PyObject,
    /// `webhooks._raise(code)`: raises the library's error for a failed call.
    pub(super) raise_error: *mut PyObject,
    /// `"_address"`, interned: the attribute holding a handle's address (0 once freed).
    pub(super) address_name: *mut PyObject,
    /// The interpreter `setup` ran in (the main one).
    interpreter: *mut c_void,
}

impl Callbacks {
    fn objects(&self) -> [*mut PyObject; 5] {
        [
            self.verifier_for,
            self.slow_verify,
            self.slow_method,
            self.raise_error,
            self.address_name,
        ]
    }
}

pub(super) static CALLBACKS: GilCell<Option<Callbacks>> = GilCell::new(None);

/// `setup(verifier_for, slow_verify, slow_method, raise_error)`.
///
/// # Safety
/// Called by CPython (METH_VARARGS) with the GIL held.
pub(super) unsafe fn setup(args: *mut PyObject) -> Option<*mut PyObject> {
    let mut given = [null_mut::<PyObject>(); 4];
    let [verifier_for, slow_verify, slow_method, raise_error] = &mut given;
    // SAFETY: the GIL is held and `args` is a tuple; the out-params point to locals, as
    // PyArg_UnpackTuple expects; every object is counted as CPython requires.
    unsafe {
        let interpreter = PyInterpreterState_Get();
        if PyInterpreterState_GetID(interpreter) != 0 {
            raise(
                PyExc_ImportError,
                c"persona._speedups serves the main interpreter only",
            );
            return None;
        }
        let unpacked = PyArg_UnpackTuple(
            args,
            c"setup".as_ptr(),
            4,
            4,
            verifier_for as *mut *mut PyObject,
            slow_verify as *mut *mut PyObject,
            slow_method as *mut *mut PyObject,
            raise_error as *mut *mut PyObject,
        );
        if unpacked == 0 {
            return None;
        }
        let address_name = PyUnicode_InternFromString(c"_address".as_ptr());
        if address_name.is_null() {
            return None;
        }
        given.iter().for_each(|object| Py_IncRef(*object));
        let [verifier_for, slow_verify, slow_method, raise_error] = given;
        // Swapped in before the old objects are released: releasing can run Python code.
        let previous = CALLBACKS.get().replace(Callbacks {
            verifier_for,
            slow_verify,
            slow_method,
            raise_error,
            address_name,
            interpreter,
        });
        if let Some(previous) = previous {
            previous
                .objects()
                .iter()
                .for_each(|object| Py_DecRef(*object));
        }
        Some(none())
    }
}

/// The callbacks, for a call in the interpreter they belong to; `None` with an exception set
/// otherwise. The reference is valid until Python code runs (which could call `setup` again):
/// copy out what outlives that, counted.
///
/// # Safety
/// The GIL is held.
pub(super) unsafe fn current() -> Option<&'static Callbacks> {
    // SAFETY: the GIL is held; the borrow ends before any Python code runs (the caller's
    // contract above).
    unsafe {
        let Some(callbacks) = CALLBACKS.get().as_ref() else {
            raise_system_error(c"persona._speedups.setup was not called");
            return None;
        };
        if PyInterpreterState_Get() != callbacks.interpreter {
            raise(
                PyExc_RuntimeError,
                c"persona._speedups serves the main interpreter only",
            );
            return None;
        }
        Some(callbacks)
    }
}

/// Forgets the state of a previous runtime (`Py_Finalize` then `Py_Initialize` in an embedding
/// process): its objects are gone with it, so they are dropped without a decref.
///
/// # Safety
/// The GIL is held, in `PyInit`.
pub(super) unsafe fn forget_previous_runtime() {
    // SAFETY: the GIL is held.
    unsafe {
        CALLBACKS.get().take();
        super::cache::forget();
    }
}
