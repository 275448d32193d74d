//! `webhook_verify`: `persona.webhooks.verify(header, body, secrets, tolerance=300, now=None)`
//! for the common case, and the hand-over to `webhooks.py` for every other one.
//!
//! The common case: `header` a `str` that is valid UTF-8, `body` exactly `bytes`, `secrets` a
//! `str` or a tuple/list of `str` equal to the last call's, `tolerance` and `now` exact ints (or
//! left out). The verifier for those secrets is the one `webhooks._verifier` made (kept here with
//! the secrets it was made from, compared by value each call: a list may have been mutated).

use std::ffi::{c_char, c_long};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::null_mut;

use super::cpython::*;
use super::{GilCell, raise_internal, raise_system_error};

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

/// The Python side's callables (strong references), given once by `setup`.
struct Callbacks {
    /// `webhooks._verifier(secrets, tolerance)`: the cached `WebhookVerifier`.
    verifier_for: *mut PyObject,
    /// `webhooks._verify_slow(...)`: the whole call, in Python, with `verify`'s signature.
    slow_verify: *mut PyObject,
    /// The Python `WebhookVerifier.verify`, the same for the method.
    slow_method: *mut PyObject,
    /// `webhooks._raise(code)`: raises the library's error for a failed call.
    raise_error: *mut PyObject,
    /// `"_address"`, interned: the attribute holding a `WebhookVerifier`'s handle.
    address_name: *mut PyObject,
}

/// The verifier for the last secrets seen, with those secrets (strong references to `str`s).
struct Cached {
    secrets: Vec<*mut PyObject>,
    tolerance: i64,
    /// The `WebhookVerifier` owning `handle` (a strong reference: the handle lives as long).
    verifier: *mut PyObject,
    handle: *const persona_webhook_verifier,
}

struct State {
    callbacks: Option<Callbacks>,
    cached: Option<Cached>,
}

static STATE: GilCell<State> = GilCell::new(State {
    callbacks: None,
    cached: None,
});

/// `setup(verifier_for, slow_verify, slow_method, raise_error)`: the Python side's callables.
pub(super) unsafe extern "C" fn setup(
    _module: *mut PyObject,
    args: *mut PyObject,
) -> *mut PyObject {
    let mut given = [null_mut::<PyObject>(); 4];
    let [verifier_for, slow_verify, slow_method, raise_error] = &mut given;
    // SAFETY: CPython calls this with the GIL held and `args` a tuple; the out-params are
    // pointers to locals, as PyArg_UnpackTuple expects.
    unsafe {
        if PyArg_UnpackTuple(
            args,
            c"setup".as_ptr(),
            4,
            4,
            verifier_for as *mut *mut PyObject,
            slow_verify as *mut *mut PyObject,
            slow_method as *mut *mut PyObject,
            raise_error as *mut *mut PyObject,
        ) == 0
        {
            return null_mut();
        }
        let address_name = PyUnicode_InternFromString(c"_address".as_ptr());
        if address_name.is_null() {
            return null_mut();
        }
        given.iter().for_each(|callable| Py_IncRef(*callable));
        let [verifier_for, slow_verify, slow_method, raise_error] = given;
        let previous = STATE.get().callbacks.replace(Callbacks {
            verifier_for,
            slow_verify,
            slow_method,
            raise_error,
            address_name,
        });
        if let Some(previous) = previous {
            let Callbacks {
                verifier_for,
                slow_verify,
                slow_method,
                raise_error,
                address_name,
            } = previous;
            for object in [
                verifier_for,
                slow_verify,
                slow_method,
                raise_error,
                address_name,
            ] {
                Py_DecRef(object);
            }
        }
        none()
    }
}

/// `persona.webhooks.verify(header, body, secrets, tolerance=300, now=None)`, METH_FASTCALL |
/// METH_KEYWORDS.
pub(super) unsafe extern "C" fn verify(
    _module: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: CPython's calling convention: the GIL is held, `args` holds `nargs` positional
    // values then one per name in `kwnames` (NULL when there are none).
    boundary(|| unsafe {
        let call = Call::new(None, args, nargs, kwnames)?;
        let Some(arguments) = bind(args, nargs, kwnames, FUNCTION) else {
            return call.hand_over();
        };
        let tolerance = match arguments.tolerance {
            None => DEFAULT_TOLERANCE,
            Some(tolerance) => match exact_i64(tolerance) {
                Some(value) => value,
                None => return call.hand_over(),
            },
        };
        // `owned`: a reference this call must release (a fresh verifier); a cached one is
        // borrowed, which holds because no Python code runs between the lookup and the call.
        let (handle, verifier, owned) = match cached(arguments.secrets, tolerance) {
            Lookup::Hit(handle, verifier) => (handle, verifier, false),
            Lookup::Unsupported => return call.hand_over(),
            Lookup::Miss(secrets) => {
                match remember(secrets, arguments.secrets, arguments.tolerance, tolerance) {
                    Ok((handle, verifier)) => (handle, verifier, true),
                    Err(()) => return None,
                }
            }
        };
        let result = call.verify(&arguments, handle, verifier);
        if owned {
            Py_DecRef(verifier);
        }
        result
    })
}

/// `WebhookVerifier.verify(self, header, body, now=None)`, METH_FASTCALL | METH_KEYWORDS, made a
/// method of the class by `verifier_method`.
pub(super) unsafe extern "C" fn verifier_verify(
    verifier: *mut PyObject,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: as `verify`; `verifier` is the instance (the method descriptor checked its type).
    boundary(|| unsafe {
        let call = Call::new(Some(verifier), args, nargs, kwnames)?;
        let Some(arguments) = bind(args, nargs, kwnames, METHOD) else {
            return call.hand_over();
        };
        let handle = handle_of(verifier);
        if handle.is_null() {
            PyErr_Clear(); // a verifier whose __init__ failed: webhooks.py says what is wrong
            return call.hand_over();
        }
        call.verify(&arguments, handle, verifier)
    })
}

/// `verifier_method(cls)`: `verifier_verify` as a method descriptor of `cls` (WebhookVerifier).
pub(super) unsafe extern "C" fn verifier_method(
    _module: *mut PyObject,
    class: *mut PyObject,
) -> *mut PyObject {
    // SAFETY: CPython calls METH_O functions with the GIL held and `class` live; the method
    // definition is a static.
    unsafe { PyDescr_NewMethod(class, &super::VERIFIER_VERIFY) }
}

/// Runs an entry point's body; a panic becomes `SystemError` instead of unwinding into CPython.
/// The body's `None` is a NULL return with an exception already set.
fn boundary(body: impl FnOnce() -> Option<*mut PyObject>) -> *mut PyObject {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Some(result)) => result,
        Ok(None) => null_mut(),
        Err(payload) => {
            std::mem::forget(payload); // its destructor could panic again, outside catch_unwind
            // SAFETY: entry points run with the GIL held.
            unsafe { raise_internal() }
        }
    }
}

/// One call as CPython passed it, to verify or to hand over to webhooks.py whole.
struct Call {
    /// The `WebhookVerifier` for the method; `None` for the module function.
    receiver: Option<*mut PyObject>,
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
    /// The Python implementation of the same function or method.
    slow: *mut PyObject,
}

/// The call's arguments, as the signatures bind them (`secrets` and `tolerance` for the function
/// only).
struct Arguments {
    header: *mut PyObject,
    body: *mut PyObject,
    secrets: *mut PyObject,
    tolerance: Option<*mut PyObject>,
    now: Option<*mut PyObject>,
}

impl Call {
    /// `None` (SystemError set) before `setup`.
    unsafe fn new(
        receiver: Option<*mut PyObject>,
        args: *const *mut PyObject,
        nargs: Py_ssize_t,
        kwnames: *mut PyObject,
    ) -> Option<Self> {
        // SAFETY: the GIL is held.
        let callbacks = unsafe { STATE.get().callbacks.as_ref() };
        let Some(callbacks) = callbacks else {
            // SAFETY: the GIL is held.
            unsafe { raise_system_error(c"persona._speedups.setup was not called") };
            return None;
        };
        let slow = match receiver {
            None => callbacks.slow_verify,
            Some(_) => callbacks.slow_method,
        };
        Some(Self {
            receiver,
            args,
            nargs,
            kwnames,
            slow,
        })
    }

    /// Verifies with `handle` (owned by `verifier`) when header, body and `now` take the fast
    /// path; hands the call over otherwise.
    unsafe fn verify(
        &self,
        arguments: &Arguments,
        handle: *const persona_webhook_verifier,
        verifier: *mut PyObject,
    ) -> Option<*mut PyObject> {
        // SAFETY (whole function): the GIL is held; the objects are live.
        unsafe {
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
                // The verifier, header and body stay alive while other threads run: the caller
                // holds the header and body, and this reference the verifier (whose handle this
                // is), even if another thread replaces the cached one meanwhile.
                Py_IncRef(verifier);
                let thread = PyEval_SaveThread();
                let result = call();
                PyEval_RestoreThread(thread);
                Py_DecRef(verifier);
                result
            } else {
                call()
            };
            if result == persona_result::PERSONA_OK {
                return Some(none());
            }
            raise(result as c_long)
        }
    }

    /// The whole call, handed to the Python implementation with the same arguments.
    unsafe fn hand_over(&self) -> Option<*mut PyObject> {
        // SAFETY: as `verify`; PyTuple_SetItem and PyDict_SetItem are given owned or counted
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

/// A signature's parameters after the receiver: how many are positional-only-by-use (header,
/// body and, for the function, secrets), and the names a keyword may take.
struct Signature {
    required: Py_ssize_t,
    /// The optional parameters in order: `tolerance` then `now` for the function, `now` for the
    /// method.
    optional: &'static [Optional],
}

#[derive(Clone, Copy, PartialEq)]
enum Optional {
    Tolerance,
    Now,
}

const FUNCTION: Signature = Signature {
    required: 3,
    optional: &[Optional::Tolerance, Optional::Now],
};
const METHOD: Signature = Signature {
    required: 2,
    optional: &[Optional::Now],
};

/// Binds positional and keyword arguments to the signature's parameters; `None` for anything
/// else (too few or many, a required one by keyword, an unknown or repeated name), which
/// webhooks.py then reports as Python would.
unsafe fn bind(
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
    signature: Signature,
) -> Option<Arguments> {
    // SAFETY: CPython's calling convention, as `verify`.
    unsafe {
        let most = signature.required + signature.optional.len() as Py_ssize_t;
        if nargs < signature.required || nargs > most {
            return None;
        }
        let arg = |index: Py_ssize_t| *args.offset(index);
        let mut arguments = Arguments {
            header: arg(0),
            body: arg(1),
            secrets: if signature.required > 2 {
                arg(2)
            } else {
                null_mut()
            },
            tolerance: None,
            now: None,
        };
        let mut set = |parameter: Optional, value| {
            let slot = match parameter {
                Optional::Tolerance => &mut arguments.tolerance,
                Optional::Now => &mut arguments.now,
            };
            slot.replace(value).is_none()
        };
        for (offset, parameter) in signature.optional.iter().enumerate() {
            let index = signature.required + offset as Py_ssize_t;
            if index < nargs {
                set(*parameter, arg(index));
            }
        }
        if !kwnames.is_null() {
            for index in 0..PyTuple_Size(kwnames) {
                let name = PyTuple_GetItem(kwnames, index);
                let parameter = if PyUnicode_CompareWithASCIIString(name, c"now".as_ptr()) == 0 {
                    Optional::Now
                } else if PyUnicode_CompareWithASCIIString(name, c"tolerance".as_ptr()) == 0 {
                    Optional::Tolerance
                } else {
                    return None;
                };
                if !signature.optional.contains(&parameter) || !set(parameter, arg(nargs + index)) {
                    return None;
                }
            }
        }
        Some(arguments)
    }
}

/// An exact `int` that fits in i64; `None` for anything else (webhooks.py then judges it).
unsafe fn exact_i64(object: *mut PyObject) -> Option<i64> {
    // SAFETY: the GIL is held and `object` is live.
    unsafe {
        if !is_exactly(object, &raw mut PyLong_Type) {
            return None;
        }
        let value = PyLong_AsLongLong(object);
        if value == -1 && !PyErr_Occurred().is_null() {
            PyErr_Clear(); // out of range: webhooks.py raises the library's error for it
            return None;
        }
        Some(value)
    }
}

enum Lookup {
    /// The cached verifier's handle and owner (borrowed: valid while the GIL is held).
    Hit(*const persona_webhook_verifier, *mut PyObject),
    /// Secrets of a form only webhooks.py handles (a generator, a set, a non-`str` item, ...).
    Unsupported,
    /// Supported secrets, not the cached ones: their `str` items (borrowed).
    Miss(Vec<*mut PyObject>),
}

unsafe fn cached(secrets: *mut PyObject, tolerance: i64) -> Lookup {
    // SAFETY: the GIL is held; items come from a live tuple or list.
    unsafe {
        let items = if is_exactly(secrets, &raw mut PyUnicode_Type) {
            vec![secrets]
        } else if is_exactly(secrets, &raw mut PyTuple_Type) {
            (0..PyTuple_Size(secrets))
                .map(|index| PyTuple_GetItem(secrets, index))
                .collect()
        } else if is_exactly(secrets, &raw mut PyList_Type) {
            (0..PyList_Size(secrets))
                .map(|index| PyList_GetItem(secrets, index))
                .collect()
        } else {
            return Lookup::Unsupported;
        };
        let items: Vec<*mut PyObject> = items;
        if items.is_empty()
            || items
                .iter()
                .any(|item| !is_exactly(*item, &raw mut PyUnicode_Type))
        {
            return Lookup::Unsupported; // webhooks.py raises for no secrets or a non-str one
        }
        if let Some(cached) = STATE.get().cached.as_ref()
            && cached.tolerance == tolerance
            && cached.secrets.len() == items.len()
            && cached
                .secrets
                .iter()
                .zip(&items)
                .all(|(known, given)| known == given || PyUnicode_Compare(*known, *given) == 0)
        {
            return Lookup::Hit(cached.handle, cached.verifier);
        }
        Lookup::Miss(items)
    }
}

/// Asks webhooks.py for the verifier of `items` and caches it; returns its handle and a new
/// reference to it (releasing the previous entry runs Python code, which could replace this one:
/// the caller's reference keeps the handle alive until its call is done). `Err` with a Python
/// exception set when webhooks.py refuses them (an empty secret, a negative tolerance, ...).
unsafe fn remember(
    items: Vec<*mut PyObject>,
    secrets: *mut PyObject,
    tolerance_given: Option<*mut PyObject>,
    tolerance: i64,
) -> Result<(*const persona_webhook_verifier, *mut PyObject), ()> {
    // SAFETY: the GIL is held; every object is live and counted as CPython requires.
    unsafe {
        let Some(verifier_for) = STATE.get().callbacks.as_ref().map(|c| c.verifier_for) else {
            raise_internal();
            return Err(());
        };
        for item in &items {
            Py_IncRef(*item); // the cache's references, taken before Python code runs
        }
        // A tuple of exactly the items checked above, so that a list mutated meanwhile cannot
        // give a verifier for other secrets than the ones cached with it.
        let key = if is_exactly(secrets, &raw mut PyUnicode_Type) {
            Py_IncRef(secrets);
            secrets
        } else {
            let tuple = PyTuple_New(items.len() as Py_ssize_t);
            if tuple.is_null() {
                items.iter().for_each(|item| Py_DecRef(*item));
                return Err(());
            }
            for (index, item) in items.iter().enumerate() {
                Py_IncRef(*item); // PyTuple_SetItem steals one
                PyTuple_SetItem(tuple, index as Py_ssize_t, *item);
            }
            tuple
        };
        let tolerance_object = match tolerance_given {
            Some(given) => {
                Py_IncRef(given);
                given
            }
            None => PyLong_FromLong(tolerance as c_long),
        };
        let verifier = if tolerance_object.is_null() {
            null_mut()
        } else {
            PyObject_CallFunctionObjArgs(
                verifier_for,
                key,
                tolerance_object,
                null_mut::<PyObject>(),
            )
        };
        Py_DecRef(key);
        if !tolerance_object.is_null() {
            Py_DecRef(tolerance_object);
        }
        let handle = if verifier.is_null() {
            null_mut()
        } else {
            handle_of(verifier)
        };
        if handle.is_null() {
            items.iter().for_each(|item| Py_DecRef(*item));
            if !verifier.is_null() {
                Py_DecRef(verifier);
            }
            return Err(());
        }
        Py_IncRef(verifier); // the cache's; the caller's own is returned
        // Swapped in before the old entry is released: releasing runs Python code (a verifier's
        // finalizer), which must find the state whole.
        let previous = STATE.get().cached.replace(Cached {
            secrets: items,
            tolerance,
            verifier,
            handle,
        });
        if let Some(previous) = previous {
            previous.secrets.iter().for_each(|item| Py_DecRef(*item));
            Py_DecRef(previous.verifier);
        }
        Ok((handle, verifier))
    }
}

/// The native handle a `WebhookVerifier` owns (its `_address`); NULL with an exception set if it
/// has none.
unsafe fn handle_of(verifier: *mut PyObject) -> *const persona_webhook_verifier {
    // SAFETY: the GIL is held and `verifier` is live.
    unsafe {
        let Some(name) = STATE.get().callbacks.as_ref().map(|c| c.address_name) else {
            raise_system_error(c"persona._speedups.setup was not called");
            return std::ptr::null();
        };
        let address = PyObject_GetAttr(verifier, name);
        if address.is_null() {
            return std::ptr::null();
        }
        let handle = PyLong_AsVoidPtr(address);
        Py_DecRef(address);
        handle.cast_const().cast()
    }
}

/// Raises the library's error for `result` through webhooks.py (which reads this thread's last
/// error from the library: nothing else has called it on this thread since). Always `None`: the
/// exception is set.
unsafe fn raise(result: c_long) -> Option<*mut PyObject> {
    // SAFETY: the GIL is held.
    unsafe {
        let Some(raise_error) = STATE.get().callbacks.as_ref().map(|c| c.raise_error) else {
            raise_system_error(c"persona._speedups.setup was not called");
            return None;
        };
        let code = PyLong_FromLong(result);
        if code.is_null() {
            return None;
        }
        let returned = PyObject_CallFunctionObjArgs(raise_error, code, null_mut::<PyObject>());
        Py_DecRef(code);
        if !returned.is_null() {
            Py_DecRef(returned);
            raise_system_error(c"webhooks._raise returned instead of raising");
        }
        None
    }
}
