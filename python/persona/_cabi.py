"""The hot paths: direct ctypes calls into libpersona's C ABI (the same library the UniFFI
bindings load), so verifying a webhook or signing a request does not pay UniFFI's marshalling."""

from __future__ import annotations

import ctypes
import os
import sys
from ctypes import POINTER, byref, c_char_p, c_int, c_int64, c_size_t, c_uint64, c_void_p

from typing import Any

from . import _errors

_NAMES = {"darwin": "libpersona.dylib", "win32": "persona.dll"}


def _library_path() -> str:
    override = os.environ.get("PERSONA_LIBRARY")
    if override:
        return override
    name = _NAMES.get(sys.platform, "libpersona.so")
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_native", name)


lib = ctypes.CDLL(_library_path())

# The two hot calls also go through cffi's ABI mode (about half of ctypes' per-call cost) when
# cffi is installed; `hot` is None otherwise and callers use ctypes. Same library, same handles.
try:
    from ._cffi_hot import ffi as hot_ffi

    hot = hot_ffi.dlopen(_library_path())
except ImportError:  # pragma: no cover - cffi is a declared dependency
    hot_ffi = hot = None


def _fn(name, restype, *argtypes):
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = argtypes
    return function


class Key(ctypes.Structure):
    _fields_ = [("key_id", c_char_p), ("secret", c_char_p)]


class Header(ctypes.Structure):
    _fields_ = [("name", c_char_p), ("value", c_char_p)]


last_error_message = _fn("persona_last_error_message", c_int, c_char_p, c_size_t)
last_error_length = _fn("persona_last_error_length", c_size_t)
webhook_verifier_new = _fn("persona_webhook_verifier_new", c_int, POINTER(c_char_p), c_size_t, c_uint64, POINTER(c_void_p))
webhook_verifier_verify = _fn("persona_webhook_verifier_verify", c_int, c_void_p, c_char_p, c_char_p, c_size_t, POINTER(c_int64))
webhook_verifier_free = _fn("persona_webhook_verifier_free", None, c_void_p)
webhook_sign = _fn("persona_webhook_sign", c_int, c_char_p, c_char_p, c_size_t, c_int64, c_char_p, c_size_t)
request_signer_new = _fn("persona_request_signer_new", c_int, c_char_p, c_char_p, POINTER(c_void_p))
request_signer_free = _fn("persona_request_signer_free", None, c_void_p)
request_signer_sign_headers = _fn(
    "persona_request_signer_sign_headers",
    c_int,
    c_void_p, c_char_p, c_char_p, c_char_p, c_size_t, POINTER(c_int64), c_char_p, c_char_p, c_size_t,
)
request_verifier_new = _fn("persona_request_verifier_new", c_int, POINTER(Key), c_size_t, c_uint64, c_size_t, POINTER(c_void_p))
request_verifier_verify = _fn(
    "persona_request_verifier_verify",
    c_int,
    c_void_p, c_char_p, c_char_p, POINTER(Header), c_size_t, c_char_p, c_size_t, POINTER(c_int64), POINTER(c_char_p),
)
request_verifier_free = _fn("persona_request_verifier_free", None, c_void_p)

# Result codes (bindings/c/persona.h) → (exception class, stable code).
_INPUT = {10: "invalid_key_id", 11: "invalid_secret", 12: "invalid_nonce", 13: "invalid_timestamp", 14: "invalid_url", 15: "invalid_method"}
_REJECTION = {
    20: "missing_header",
    21: "malformed_header",
    22: "unknown_key",
    23: "signature_mismatch",
    24: "timestamp_out_of_tolerance",
    25: "replayed_nonce",
    26: "replay_cache_full",
    30: "no_matching_signature",
}


def _message() -> str:
    size = last_error_length() + 1
    buffer = ctypes.create_string_buffer(size)
    if last_error_message(buffer, size) != 0:
        return "unknown error"
    return buffer.value.decode("utf-8", "replace")


def error(code: int, rejection: type = _errors.PersonaError) -> _errors.PersonaError:
    """The exception for a failed call (``rejection``: the class for signature rejections)."""
    message = _message()
    if code in _INPUT:
        return _errors.InvalidInputError(message, code=_INPUT[code])
    if code in _REJECTION:
        return rejection(message, code=_REJECTION[code])
    if code == 31:
        return _errors.InvalidPayloadError(message)
    if code in (2,):
        return _errors.InvalidInputError(message, code="invalid_utf8")
    if code == 5:
        return _errors.ConfigurationError(message)
    return _errors.InternalError(message, code="internal")


def now_arg(now):
    """``None`` → NULL (the library reads the clock), else a pointer to an int64."""
    if now is None:
        return None
    if type(now) is not int:
        raise TypeError("now must be an int (unix seconds) or None")
    return byref(c_int64(now))


def as_bytes(body) -> bytes:
    """``bytes`` as is; ``bytearray``/``memoryview`` copied once; anything else is a TypeError."""
    if type(body) is bytes:
        return body
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"body must be bytes, bytearray or memoryview, not {type(body).__name__}")


def text(value, name: str) -> bytes:
    """A ``str`` argument as UTF-8 for the C ABI (no NUL: C strings end there)."""
    if type(value) is not str:
        raise TypeError(f"{name} must be str, not {type(value).__name__}")
    if "\0" in value:
        raise _errors.InvalidInputError(f"{name} contains a NUL character", code="invalid_input")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise _errors.InvalidInputError(f"{name} is not valid Unicode", code="invalid_utf8") from None


class OwnsHandle:
    """Base for objects holding one C ABI handle, freed once when the object is collected."""

    __slots__ = ("_handle",)
    # The handle's free function, set by each subclass (a staticmethod).
    _free: Any = None

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle:
            # Through the class, never module globals: at interpreter exit those may be gone.
            type(self)._free(handle)
            self._handle = None
