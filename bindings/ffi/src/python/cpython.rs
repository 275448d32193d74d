//! The part of CPython's C API that the accelerator calls: the stable ABI (PEP 384) of CPython
//! ≥ 3.9 with the GIL (`PyUnicode_AsUTF8AndSize` joined the limited API in 3.10 and is exported
//! since 3.3). Declared here rather than through a bindings crate: a few functions and three
//! structs whose layout the stable ABI fixes (for builds without `Py_TRACE_REFS`, and not the
//! free-threaded ABI, which `persona/_cabi.py` never loads this into), and no build step has to
//! find a Python.
//!
//! The symbols stay undefined in `libpersona` and are bound by the dynamic loader when CPython
//! (which exports them) loads the library; only the wheel's build (feature `python`) has them.

#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]

use std::ffi::{c_char, c_int, c_void};

pub type Py_ssize_t = isize;

/// `PyObject`'s head as the stable ABI defines it for release builds: a reference count, then the
/// type. Only `ob_type` is read here; references are counted through `Py_IncRef`/`Py_DecRef`.
#[repr(C)]
pub struct PyObject {
    pub ob_refcnt: Py_ssize_t,
    pub ob_type: *mut PyObject,
}

pub type PyCFunction = unsafe extern "C" fn(*mut PyObject, *mut PyObject) -> *mut PyObject;
pub type PyCFunctionFast = unsafe extern "C" fn(
    *mut PyObject,
    *const *mut PyObject,
    Py_ssize_t,
    *mut PyObject,
) -> *mut PyObject;

#[repr(C)]
pub struct PyMethodDef {
    pub ml_name: *const c_char,
    pub ml_meth: Option<PyCFunction>,
    pub ml_flags: c_int,
    pub ml_doc: *const c_char,
}

// SAFETY: method tables are immutable statics of pointers to 'static strings and functions.
unsafe impl Sync for PyMethodDef {}

pub const METH_VARARGS: c_int = 0x0001;
pub const METH_KEYWORDS: c_int = 0x0002;
pub const METH_O: c_int = 0x0008;
pub const Py_TPFLAGS_TYPE_SUBCLASS: std::ffi::c_ulong = 1 << 31;
pub const METH_FASTCALL: c_int = 0x0080;

#[repr(C)]
pub struct PyModuleDef_Base {
    pub ob_base: PyObject,
    pub m_init: Option<unsafe extern "C" fn() -> *mut PyObject>,
    pub m_index: Py_ssize_t,
    pub m_copy: *mut PyObject,
}

#[repr(C)]
pub struct PyModuleDef {
    pub m_base: PyModuleDef_Base,
    pub m_name: *const c_char,
    pub m_doc: *const c_char,
    pub m_size: Py_ssize_t,
    pub m_methods: *const PyMethodDef,
    pub m_slots: *mut c_void,
    pub m_traverse: *mut c_void,
    pub m_clear: *mut c_void,
    pub m_free: *mut c_void,
}

/// `PYTHON_ABI_VERSION`: the module is built against the stable ABI.
pub const PYTHON_ABI_VERSION: c_int = 3;

unsafe extern "C" {
    pub static mut _Py_NoneStruct: PyObject;
    pub static mut PyUnicode_Type: PyObject;
    pub static mut PyBytes_Type: PyObject;
    pub static mut PyLong_Type: PyObject;
    pub static mut PyTuple_Type: PyObject;
    pub static mut PyList_Type: PyObject;
    pub static mut PyExc_SystemError: *mut PyObject;
    pub static mut PyExc_ImportError: *mut PyObject;
    pub static mut PyExc_RuntimeError: *mut PyObject;
    pub static mut PyExc_TypeError: *mut PyObject;

    pub fn PyModule_Create2(def: *mut PyModuleDef, api_version: c_int) -> *mut PyObject;
    pub fn Py_IncRef(object: *mut PyObject);
    pub fn Py_DecRef(object: *mut PyObject);
    pub fn PyUnicode_AsUTF8AndSize(text: *mut PyObject, size: *mut Py_ssize_t) -> *const c_char;
    pub fn PyUnicode_Compare(left: *mut PyObject, right: *mut PyObject) -> c_int;
    pub fn PyUnicode_CompareWithASCIIString(text: *mut PyObject, ascii: *const c_char) -> c_int;
    pub fn PyBytes_AsStringAndSize(
        bytes: *mut PyObject,
        buffer: *mut *mut c_char,
        size: *mut Py_ssize_t,
    ) -> c_int;
    pub fn PyLong_AsLongLong(integer: *mut PyObject) -> i64;
    pub fn PyLong_AsVoidPtr(integer: *mut PyObject) -> *mut c_void;
    pub fn PyLong_FromLong(value: std::ffi::c_long) -> *mut PyObject;
    pub fn PyTuple_New(size: Py_ssize_t) -> *mut PyObject;
    pub fn PyTuple_Size(tuple: *mut PyObject) -> Py_ssize_t;
    pub fn PyTuple_GetItem(tuple: *mut PyObject, index: Py_ssize_t) -> *mut PyObject;
    pub fn PyTuple_SetItem(tuple: *mut PyObject, index: Py_ssize_t, item: *mut PyObject) -> c_int;
    pub fn PyList_Size(list: *mut PyObject) -> Py_ssize_t;
    pub fn PyList_GetItem(list: *mut PyObject, index: Py_ssize_t) -> *mut PyObject;
    pub fn PyDict_New() -> *mut PyObject;
    pub fn PyDict_SetItem(dict: *mut PyObject, key: *mut PyObject, value: *mut PyObject) -> c_int;
    pub fn PyObject_Call(
        callable: *mut PyObject,
        args: *mut PyObject,
        kwargs: *mut PyObject,
    ) -> *mut PyObject;
    pub fn PyObject_CallFunctionObjArgs(callable: *mut PyObject, ...) -> *mut PyObject;
    pub fn PyObject_GetAttr(object: *mut PyObject, name: *mut PyObject) -> *mut PyObject;
    pub fn PyUnicode_InternFromString(text: *const c_char) -> *mut PyObject;
    pub fn PyDescr_NewMethod(class: *mut PyObject, method: *const PyMethodDef) -> *mut PyObject;
    pub fn PyArg_UnpackTuple(
        args: *mut PyObject,
        name: *const c_char,
        min: Py_ssize_t,
        max: Py_ssize_t,
        ...
    ) -> c_int;
    pub fn PyErr_Occurred() -> *mut PyObject;
    pub fn PyErr_Clear();
    pub fn PyErr_SetString(kind: *mut PyObject, message: *const c_char);
    pub fn PyType_GetFlags(class: *mut PyObject) -> std::ffi::c_ulong;
    pub fn PyInterpreterState_Get() -> *mut c_void;
    pub fn PyInterpreterState_GetID(interpreter: *mut c_void) -> i64;
    pub fn PyEval_SaveThread() -> *mut c_void;
    pub fn PyEval_RestoreThread(state: *mut c_void);
}

/// `Py_None`, a new reference.
///
/// # Safety
/// The caller holds the GIL.
pub unsafe fn none() -> *mut PyObject {
    // SAFETY: `_Py_NoneStruct` is CPython's `None`, alive for the interpreter's life.
    unsafe {
        let none = &raw mut _Py_NoneStruct;
        Py_IncRef(none);
        none
    }
}

/// Whether `object`'s type is exactly `kind` (no subclass), as `Py*_CheckExact`.
///
/// # Safety
/// `object` is a live object.
pub unsafe fn is_exactly(object: *mut PyObject, kind: *mut PyObject) -> bool {
    // SAFETY: a live object's head is readable.
    unsafe { (*object).ob_type == kind }
}
