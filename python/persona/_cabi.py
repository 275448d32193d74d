"""libpersona's C ABI through cffi (ABI mode, declarations generated from persona.h into
``_cffi_abi``): webhook verification and ``v1`` signing call it directly, one native call each,
without UniFFI's per-argument marshalling. The UniFFI client loads the same library file.

Strings cross as pointer + length (a NUL is an ordinary byte, judged by the library); errors are
built from the library's own code, kind and message (``persona_last_error_*``), so no table of
result numbers lives here.
"""

from __future__ import annotations

import os
import sys

from . import _errors
from ._cffi_abi import ffi

_NAMES = {"darwin": "libpersona.dylib", "win32": "persona.dll"}


def _library_path() -> str:
    override = os.environ.get("PERSONA_LIBRARY")
    if override:
        return override
    name = _NAMES.get(sys.platform, "libpersona.so")
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_native", name)


_path = _library_path()
lib = ffi.dlopen(_path)
NULL = ffi.NULL


def _load_speedups():
    """The wheel's library is also the CPython extension module ``persona._speedups`` (the
    webhook fast path; bindings/ffi/src/python). Loaded from the file cffi opened, so both share
    handles; ``None`` where it cannot be (another interpreter, or a library built without it),
    and the pure-Python paths serve alone."""
    if sys.implementation.name != "cpython" or "t" in getattr(sys, "abiflags", ""):
        return None  # another interpreter, or CPython's free-threaded ABI (another object layout)
    from importlib.machinery import ExtensionFileLoader, ModuleSpec

    name = "persona._speedups"
    loader = ExtensionFileLoader(name, _path)
    try:
        module = loader.create_module(ModuleSpec(name, loader, origin=_path))
    except ImportError:
        return None
    sys.modules[name] = module
    return module


speedups = _load_speedups()

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# size_t on this platform: replay cache capacities and lengths.
SIZE_MAX = 2 ** (8 * ffi.sizeof("size_t")) - 1


def _static_text(pointer) -> str:
    return ffi.string(pointer).decode("ascii") if pointer != NULL else ""


def error(result: int) -> _errors.PersonaError:
    """The exception for a failed call: the library's code, kind and message for this thread."""
    length = lib.persona_last_error_length()
    buffer = ffi.new("char[]", length + 1)
    if lib.persona_last_error_message(buffer, length + 1) == 0:
        message = ffi.string(buffer, length).decode("utf-8", "replace")
    else:
        message = f"libpersona call failed ({_static_text(lib.persona_result_name(result))})"
    code = _static_text(lib.persona_last_error_code()) or "internal"
    kind = _static_text(lib.persona_last_error_kind()) or "internal"
    return _errors.from_native(kind, code, message)


def table(ctype: str, rows):
    """A C array of ``ctype`` — a struct of (pointer, length) pairs: ``persona_str``,
    ``persona_key``, ``persona_header`` — with one row of byte strings per entry, filled in the
    header's field order. The pointers point into the byte strings, which the caller keeps alive
    for the call. No rows is NULL (with a length of 0, the empty array)."""
    if not rows:
        return NULL
    return ffi.new(
        f"{ctype}[]",
        [[field for data in row for field in (ffi.from_buffer("uint8_t[]", data), len(data))] for row in rows],
    )


def text(value, name: str) -> bytes:
    """A ``str`` argument as UTF-8 bytes (its length goes beside it; NULs included)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be str, not {type(value).__name__}")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise _errors.invalid_argument(name, "must be valid Unicode (no lone surrogates)") from None


def as_bytes(body) -> bytes:
    """``bytes`` as is; ``bytearray``/``memoryview`` copied once; anything else is a TypeError."""
    if type(body) is bytes:
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"body must be bytes, bytearray or memoryview, not {type(body).__name__}")


def integer(value, name: str, low: int, high: int) -> int:
    """An ``int`` argument within the C type's range: out of it is an error naming the parameter,
    never a silent wrap (2**64 + 20 is not 20)."""
    if type(value) is not int:
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise out_of_range(name, low, high)
    return value


def out_of_range(name: str, low: int = INT64_MIN, high: int = INT64_MAX) -> _errors.InvalidInputError:
    """The error for an ``int`` outside the C type's range (also what an ``OverflowError`` from
    cffi becomes on the paths that let cffi do the check)."""
    return _errors.invalid_argument(name, f"must be an integer from {low} to {high}")


def optional_time(value, name: str):
    """``None`` (NULL: the library reads the clock) or a pointer to an int64 of unix seconds."""
    if value is None:
        return NULL
    return ffi.new("int64_t *", integer(value, name, INT64_MIN, INT64_MAX))


class OwnsHandle:
    """Base for objects holding one C ABI handle, freed once when the object is collected.

    ``_address`` is the handle as a number, for ``persona._speedups`` (which cannot read a cffi
    pointer); it is 0 before the handle is freed, so the native path never uses a freed handle.
    """

    __slots__ = ("_handle", "_address")
    # The handle's free function, set by each subclass.
    _free = None

    def _own(self, handle) -> None:
        self._handle = handle
        self._address = int(ffi.cast("uintptr_t", handle))

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle is not None and handle != NULL:
            self._address = 0
            # Through the class, never module globals: at interpreter exit those may be gone.
            type(self)._free(handle)
            self._handle = None
