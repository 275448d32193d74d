//! `persona.webhooks.verify` and `WebhookVerifier.verify`: the common case verified here, every
//! other call handed whole to the Python definition of the same function.
//!
//! The common case: `header` a `str` that encodes to UTF-8, `body` exactly `bytes`, `now` an
//! exact int in i64 range or absent/`None`; for the function, `secrets` a `str` or a tuple/list of
//! `str` equal to the last call's, `tolerance` an exact int or absent.

use std::ffi::{c_char, c_long};
use std::ptr::null_mut;

use super::arguments::{Arguments, FUNCTION, METHOD, bind, exact_i64};
use super::cache::{self, Lookup};
use super::cpython::*;
use super::state::{self, Callbacks};
use super::{boundary, raise, raise_system_error};
use crate::c::{
    persona_result, persona_webhook_verifier, persona_webhook_verifier_verify,
    persona_webhook_verifier_verify_at,
};

/// Bodies from this size on are verified with the GIL released, so other threads run meanwhile.
/// Below it, handing the GIL over costs more than the MAC and threads slow each other down.
/// Measured with python/benches/bench_threads.py (Intel Xeon, 2 vCPUs), throughput of 2 and 8
/// threads against one: released at 4 KiB, 1.24x and 0.93x (held: 0.97x, 0.96x); at 8 KiB,
/// 1.60x and 1.59x (held: 0.98x); at 16 KiB, 1.92x.
const RELEASE_GIL_FROM: usize = 8 * 1024;

/// `tolerance`'s default, as `webhooks.verify` declares it.
const DEFAULT_TOLERANCE: i64 = 300;

/// `verify(header, body, secrets, tolerance=300, now=None)`: METH_FASTCALL | METH_KEYWORDS.
pub(super) unsafe extern "C" fn verify(
    _module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: CPython's calling convention: the GIL is held, `args` holds `nargs` positional
    // values then one per name in `kwnames` (NULL when there are none).
    boundary(|| unsafe {
        let callbacks = state::current()?;
        let call = Call::new(callbacks, callbacks.slow_verify, None, args, nargs, kwnames);
        let Some(arguments) = bind(args, nargs, kwnames, &FUNCTION) else {
            return call.hand_over();
        };
        let tolerance = match arguments.tolerance {
            None => DEFAULT_TOLERANCE,
            Some(tolerance) => match exact_i64(tolerance) {
                Some(value) => value,
                None => return call.hand_over(),
            },
        };
        let verifier = match cache::lookup(arguments.secrets, tolerance) {
            Lookup::Hit(verifier) => {
                Py_IncRef(verifier);
                verifier
            }
            Lookup::Unsupported => return call.hand_over(),
            Lookup::Miss(items) => cache::remember(
                call.verifier_for,
                items,
                arguments.secrets,
                arguments.tolerance,
                tolerance,
            )?,
        };
        let result = call.verify(&arguments, verifier);
        Py_DecRef(verifier); // after `verify` raised: a finalizer must not run before that
        result
    })
}

/// `WebhookVerifier.verify(self, header, body, now=None)`: METH_FASTCALL | METH_KEYWORDS, made a
/// method of the class by `verifier_method`.
pub(super) unsafe extern "C" fn verifier_verify(
    verifier: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: as `verify`; `verifier` is the instance (the method descriptor checked its type).
    boundary(|| unsafe {
        let callbacks = state::current()?;
        let call = Call::new(
            callbacks,
            callbacks.slow_method,
            Some(verifier),
            args,
            nargs,
            kwnames,
        );
        let Some(arguments) = bind(args, nargs, kwnames, &METHOD) else {
            return call.hand_over();
        };
        Py_IncRef(verifier);
        let result = call.verify(&arguments, verifier);
        Py_DecRef(verifier);
        result
    })
}

/// `verifier_method(cls)`: `verifier_verify` as a method descriptor of `cls` (WebhookVerifier).
pub(super) unsafe extern "C" fn verifier_method(
    _module: *mut PyObject,
    class: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: CPython calls METH_O functions with the GIL held and `class` live; the method
    // definition is a static.
    boundary(|| unsafe {
        if PyType_GetFlags((*class).ob_type) & Py_TPFLAGS_TYPE_SUBCLASS == 0 {
            raise(PyExc_TypeError, c"verifier_method() takes a class");
            return None;
        }
        let descriptor = PyDescr_NewMethod(class, &super::VERIFIER_VERIFY);
        (!descriptor.is_null()).then_some(descriptor)
    })
}

/// One call as CPython passed it, to verify or to hand over to the Python definition whole. Holds
/// its own references to the callables it may call (Python code run meanwhile could replace
/// them), released on drop.
struct Call {
    /// The Python definition of the same function or method.
    slow: *mut PyObject,
    verifier_for: *mut PyObject,
    raise_error: *mut PyObject,
    address_name: *mut PyObject,
    /// The `WebhookVerifier` for the method; `None` for the module function.
    receiver: Option<*mut PyObject>,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
}

impl Call {
    /// # Safety
    /// The GIL is held; the arguments are as CPython passed them.
    unsafe fn new(
        callbacks: &Callbacks,
        slow: *mut PyObject,
        receiver: Option<*mut PyObject>,
        args: *const *mut PyObject,
        nargs: Py_ssize_t,
        kwnames: *mut PyObject,
    ) -> Self {
        let call = Self {
            slow,
            verifier_for: callbacks.verifier_for,
            raise_error: callbacks.raise_error,
            address_name: callbacks.address_name,
            receiver,
            args,
            nargs,
            kwnames,
        };
        // SAFETY: the GIL is held; the objects are live (the callbacks hold them).
        call.owned()
            .iter()
            .for_each(|object| unsafe { Py_IncRef(*object) });
        call
    }

    fn owned(&self) -> [*mut PyObject; 4] {
        [
            self.slow,
            self.verifier_for,
            self.raise_error,
            self.address_name,
        ]
    }

    /// Verifies with `verifier`'s handle when header, body and `now` take the fast path; hands
    /// the call over otherwise.
    ///
    /// # Safety
    /// The GIL is held; `verifier` is a live object this call holds a reference to.
    unsafe fn verify(
        &self,
        arguments: &Arguments,
        verifier: *mut PyObject,
    ) -> Option<*mut PyObject> {
        // SAFETY (whole function): the GIL is held; the objects are live.
        unsafe {
            let Some(handle) = self.handle_of(verifier) else {
                return self.hand_over(); // freed, or never made: webhooks.py says what is wrong
            };
            if !is_exactly(arguments.header, &raw mut PyUnicode_Type)
                || !is_exactly(arguments.body, &raw mut PyBytes_Type)
            {
                return self.hand_over();
            }
            let mut header_len: Py_ssize_t = 0;
            let header = PyUnicode_AsUTF8AndSize(arguments.header, &mut header_len);
            if header.is_null() {
                // A lone surrogate: webhooks.py passes such a header on as bytes that match
                // nothing.
                PyErr_Clear();
                return self.hand_over();
            }
            let mut body: *mut c_char = null_mut();
            let mut body_len: Py_ssize_t = 0;
            if PyBytes_AsStringAndSize(arguments.body, &mut body, &mut body_len) != 0 {
                return None;
            }
            let now = match arguments.now {
                None => None,
                Some(now) if now == &raw mut _Py_NoneStruct => None,
                Some(now) => match exact_i64(now) {
                    Some(value) => Some(value),
                    None => return self.hand_over(),
                },
            };
            let (header, header_len) = (header.cast::<u8>(), header_len as usize);
            let (body, body_len) = (body.cast::<u8>().cast_const(), body_len as usize);
            let call = || match now {
                None => persona_webhook_verifier_verify(
                    handle,
                    header,
                    header_len,
                    body,
                    body_len,
                    std::ptr::null(),
                ),
                Some(now) => persona_webhook_verifier_verify_at(
                    handle, header, header_len, body, body_len, now,
                ),
            };
            let result = if body_len >= RELEASE_GIL_FROM {
                // What the call reads stays alive while other threads run: the caller holds the
                // header (and its cached UTF-8) and the body, immutable; this call holds a
                // reference to the verifier, whose handle is freed only with it. (The C ABI call
                // catches its own panics: nothing unwinds here without the GIL.)
                let thread = PyEval_SaveThread();
                let result = call();
                PyEval_RestoreThread(thread);
                result
            } else {
                call()
            };
            if result == persona_result::PERSONA_OK {
                return Some(none());
            }
            self.raise(result as c_long)
        }
    }

    /// The handle a `WebhookVerifier` owns (its `_address`); `None` when it has none (it was
    /// freed, which sets the address to 0, or its `__init__` failed).
    unsafe fn handle_of(&self, verifier: *mut PyObject) -> Option<*const persona_webhook_verifier> {
        // SAFETY: the GIL is held and `verifier` is live.
        unsafe {
            let address = PyObject_GetAttr(verifier, self.address_name);
            if address.is_null() {
                PyErr_Clear();
                return None;
            }
            let handle = PyLong_AsVoidPtr(address);
            Py_DecRef(address);
            if handle.is_null() {
                PyErr_Clear(); // 0, or not an int: either way not a handle
                return None;
            }
            Some(handle.cast_const().cast())
        }
    }

    /// Raises the library's error for `result` through webhooks.py (which reads this thread's
    /// last error from the library: nothing else has called it on this thread since). Always
    /// `None`: the exception is set.
    unsafe fn raise(&self, result: c_long) -> Option<*mut PyObject> {
        // SAFETY: the GIL is held.
        unsafe {
            let code = PyLong_FromLong(result);
            if code.is_null() {
                return None;
            }
            let returned =
                PyObject_CallFunctionObjArgs(self.raise_error, code, null_mut::<PyObject>());
            Py_DecRef(code);
            if !returned.is_null() {
                Py_DecRef(returned);
                raise_system_error(c"webhooks._raise returned instead of raising");
            }
            None
        }
    }

    /// The whole call, handed to the Python definition with the same arguments.
    unsafe fn hand_over(&self) -> Option<*mut PyObject> {
        // SAFETY: the GIL is held; PyTuple_SetItem and PyDict_SetItem are given owned or counted
        // references as their contracts say.
        unsafe {
            let first = Py_ssize_t::from(self.receiver.is_some());
            let positional = PyTuple_New(first + self.nargs);
            if positional.is_null() {
                return None;
            }
            let values = self
                .receiver
                .into_iter()
                .chain((0..self.nargs).map(|index| *self.args.offset(index)));
            for (index, value) in values.enumerate() {
                Py_IncRef(value);
                PyTuple_SetItem(positional, index as Py_ssize_t, value);
            }
            let mut keywords = null_mut();
            if !self.kwnames.is_null() {
                keywords = PyDict_New();
                if keywords.is_null() {
                    Py_DecRef(positional);
                    return None;
                }
                for index in 0..PyTuple_Size(self.kwnames) {
                    let name = PyTuple_GetItem(self.kwnames, index);
                    let value = *self.args.offset(self.nargs + index);
                    if PyDict_SetItem(keywords, name, value) != 0 {
                        Py_DecRef(positional);
                        Py_DecRef(keywords);
                        return None;
                    }
                }
            }
            let result = PyObject_Call(self.slow, positional, keywords);
            Py_DecRef(positional);
            if !keywords.is_null() {
                Py_DecRef(keywords);
            }
            (!result.is_null()).then_some(result)
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        // SAFETY: the GIL is held for the call's whole life (it lives inside an entry point).
        self.owned()
            .iter()
            .for_each(|object| unsafe { Py_DecRef(*object) });
    }
}
