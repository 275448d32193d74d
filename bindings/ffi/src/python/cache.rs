//! The module function's verifier cache: the `WebhookVerifier` that `webhooks._verifier` made for
//! the last secrets seen, with those secrets, compared by value on every call (a list may have
//! been mutated since; a new list of the same strings is the same secrets).

use std::ffi::c_long;
use std::ptr::null_mut;

use super::GilCell;
use super::cpython::*;

struct Cached {
    /// Strong references to the `str` secrets the verifier was made from.
    secrets: Vec<*mut PyObject>,
    tolerance: i64,
    /// A strong reference to the `WebhookVerifier`.
    verifier: *mut PyObject,
}

static CACHED: GilCell<Option<Cached>> = GilCell::new(None);

pub(super) enum Lookup {
    /// The cached verifier: a borrowed reference, to be counted before any Python code runs.
    Hit(*mut PyObject),
    /// Secrets of a form only webhooks.py handles (a generator, a set, a non-`str` item, none).
    Unsupported,
    /// Supported secrets, not the cached ones: their `str` items (borrowed).
    Miss(Vec<*mut PyObject>),
}

/// # Safety
/// The GIL is held and `secrets` is live.
pub(super) unsafe fn lookup(secrets: *mut PyObject, tolerance: i64) -> Lookup {
    // SAFETY: the contract above; items are read from a live tuple or list.
    unsafe {
        let items: Vec<*mut PyObject> = if is_exactly(secrets, &raw mut PyUnicode_Type) {
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
        if items.is_empty()
            || items
                .iter()
                .any(|item| !is_exactly(*item, &raw mut PyUnicode_Type))
        {
            return Lookup::Unsupported;
        }
        if let Some(cached) = CACHED.get().as_ref()
            && cached.tolerance == tolerance
            && cached.secrets.len() == items.len()
            && cached
                .secrets
                .iter()
                .zip(&items)
                .all(|(known, given)| known == given || PyUnicode_Compare(*known, *given) == 0)
        {
            return Lookup::Hit(cached.verifier);
        }
        Lookup::Miss(items)
    }
}

/// Asks webhooks.py (`verifier_for`) for the verifier of `items` and caches it; returns a new
/// reference to it. `None` with a Python exception set when webhooks.py refuses them (an empty
/// secret, a negative tolerance, ...).
///
/// # Safety
/// The GIL is held; `items` are the live `str` items of `secrets` (borrowed), `tolerance_given`
/// is the caller's argument if it passed one.
pub(super) unsafe fn remember(
    verifier_for: *mut PyObject,
    items: Vec<*mut PyObject>,
    secrets: *mut PyObject,
    tolerance_given: Option<*mut PyObject>,
    tolerance: i64,
) -> Option<*mut PyObject> {
    // SAFETY: the contract above; every object is counted as CPython requires.
    unsafe {
        Py_IncRef(verifier_for); // Python code below could run `setup` again
        for item in &items {
            Py_IncRef(*item); // the cache's references, taken before Python code runs
        }
        let release_items = |items: &[*mut PyObject]| items.iter().for_each(|i| Py_DecRef(*i));
        // A tuple of exactly the items checked, so that a list mutated meanwhile cannot give a
        // verifier for other secrets than the ones cached with it.
        let key = if is_exactly(secrets, &raw mut PyUnicode_Type) {
            Py_IncRef(secrets);
            secrets
        } else {
            let tuple = PyTuple_New(items.len() as Py_ssize_t);
            if !tuple.is_null() {
                for (index, item) in items.iter().enumerate() {
                    Py_IncRef(*item); // PyTuple_SetItem steals one
                    PyTuple_SetItem(tuple, index as Py_ssize_t, *item);
                }
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
        let verifier = if key.is_null() || tolerance_object.is_null() {
            null_mut()
        } else {
            PyObject_CallFunctionObjArgs(
                verifier_for,
                key,
                tolerance_object,
                null_mut::<PyObject>(),
            )
        };
        for object in [key, tolerance_object, verifier_for] {
            if !object.is_null() {
                Py_DecRef(object);
            }
        }
        if verifier.is_null() {
            release_items(&items);
            return None;
        }
        Py_IncRef(verifier); // the cache's; the caller's own is returned
        // Swapped in before the old entry is released: releasing runs Python code (a verifier's
        // finalizer), which must find the cache whole.
        let previous = CACHED.get().replace(Cached {
            secrets: items,
            tolerance,
            verifier,
        });
        if let Some(previous) = previous {
            release_items(&previous.secrets);
            Py_DecRef(previous.verifier);
        }
        Some(verifier)
    }
}

/// Drops the entry without releasing it (its objects belonged to a finalized runtime).
///
/// # Safety
/// The GIL is held.
pub(super) unsafe fn forget() {
    // SAFETY: the contract above.
    unsafe { std::mem::forget(CACHED.get().take()) };
}
