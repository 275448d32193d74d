//! Binding a METH_FASTCALL | METH_KEYWORDS call to `verify`'s and `WebhookVerifier.verify`'s
//! parameters, for the forms the fast path takes; every other form (`None`) is handed to the
//! Python definition, which binds it — or reports it — as Python does.

use super::cpython::*;

/// The call's arguments (`secrets` and `tolerance` for the function only).
pub(super) struct Arguments {
    pub(super) header: *mut PyObject,
    pub(super) body: *mut PyObject,
    pub(super) secrets: *mut PyObject,
    pub(super) tolerance: Option<*mut PyObject>,
    pub(super) now: Option<*mut PyObject>,
}

/// The parameters after the receiver: `required` positional ones (header, body and, for the
/// function, secrets), then the optional ones in order, which a keyword may also name.
pub(super) struct Signature {
    required: Py_ssize_t,
    optional: &'static [Optional],
}

#[derive(Clone, Copy, PartialEq)]
enum Optional {
    Tolerance,
    Now,
}

/// `verify(header, body, secrets, tolerance=300, now=None)`.
pub(super) const FUNCTION: Signature = Signature {
    required: 3,
    optional: &[Optional::Tolerance, Optional::Now],
};

/// `WebhookVerifier.verify(self, header, body, now=None)`.
pub(super) const METHOD: Signature = Signature {
    required: 2,
    optional: &[Optional::Now],
};

/// Binds positional and keyword arguments; `None` for too few or many, a required one given by
/// keyword, or an unknown or repeated name.
///
/// # Safety
/// The GIL is held; `args` holds `nargs` positional values then one per name in `kwnames`
/// (NULL when there are none), as CPython passes them.
pub(super) unsafe fn bind(
    args: *const *mut PyObject,
    nargs: Py_ssize_t,
    kwnames: *mut PyObject,
    signature: &Signature,
) -> Option<Arguments> {
    // SAFETY: the contract above.
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
                std::ptr::null_mut()
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

/// An exact `int` (not a `bool`) that fits in i64; `None` for anything else, which the Python
/// definition then judges (a TypeError, or the library's out-of-range error).
///
/// # Safety
/// The GIL is held and `object` is live.
pub(super) unsafe fn exact_i64(object: *mut PyObject) -> Option<i64> {
    // SAFETY: the contract above.
    unsafe {
        if !is_exactly(object, &raw mut PyLong_Type) {
            return None;
        }
        let value = PyLong_AsLongLong(object);
        if value == -1 && !PyErr_Occurred().is_null() {
            PyErr_Clear();
            return None;
        }
        Some(value)
    }
}
