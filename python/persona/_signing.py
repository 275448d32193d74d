"""The ``v1`` request scheme: :class:`RequestSigner` and :class:`RequestVerifier`."""

from __future__ import annotations

import ctypes
from typing import Dict, Iterable, Mapping, Optional, Sequence, Tuple, Union

from . import _cabi, _errors

Body = Union[bytes, bytearray, memoryview]
_HEADER_NAMES = ("Authorization", "Persona-Timestamp", "Persona-Nonce", "Persona-Signature")
_BUFFER = 384  # PERSONA_SIGNED_HEADERS_MAX


class RequestSigner(_cabi.OwnsHandle):
    """Signs requests with a key id + secret. Thread-safe; reuse one per process."""

    __slots__ = ("_hot_handle", "key_id", "__weakref__")

    def __init__(self, key_id: str, secret: str) -> None:
        handle = ctypes.c_void_p()
        code = _cabi.request_signer_new(_cabi.text(key_id, "key_id"), _cabi.text(secret, "secret"), ctypes.byref(handle))
        if code:
            raise _cabi.error(code)
        self._handle = handle.value
        self._hot_handle = None if _cabi.hot is None else _cabi.hot_ffi.cast("void *", handle.value)
        self.key_id = key_id

    def sign(
        self,
        method: str,
        url: str,
        body: Body = b"",
        *,
        timestamp: Optional[int] = None,
        nonce: Optional[str] = None,
    ) -> Dict[str, str]:
        """The four headers to add: Authorization, Persona-Timestamp, Persona-Nonce,
        Persona-Signature. ``timestamp``/``nonce`` default to now / a random nonce."""
        if type(body) is not bytes:
            body = _cabi.as_bytes(body)
        method_b, url_b = _cabi.text(method, "method"), _cabi.text(url, "url")
        nonce_b = None if nonce is None else _cabi.text(nonce, "nonce")
        hot = _cabi.hot
        if hot is not None:
            ffi = _cabi.hot_ffi
            if timestamp is None:
                timestamp_ptr = ffi.NULL
            elif type(timestamp) is int:
                timestamp_ptr = ffi.new("int64_t *", timestamp)
            else:
                raise TypeError("timestamp must be an int (unix seconds) or None")
            buffer = ffi.new("char[]", _BUFFER)
            code = hot.persona_request_signer_sign_headers(
                self._hot_handle, method_b, url_b, body, len(body), timestamp_ptr,
                ffi.NULL if nonce_b is None else nonce_b, buffer, _BUFFER,
            )
            raw = ffi.buffer(buffer)[:]
        else:
            buffer = ctypes.create_string_buffer(_BUFFER)
            code = _cabi.request_signer_sign_headers(
                self._handle, method_b, url_b, body, len(body),
                None if timestamp is None else _cabi.now_arg(timestamp), nonce_b, buffer, _BUFFER,
            )
            raw = buffer.raw
        if code:
            raise _cabi.error(code)
        # Four NUL-terminated values back to back (`.value` would stop at the first NUL).
        values = raw.split(b"\0", 4)[:4]
        return {name: value.decode("ascii") for name, value in zip(_HEADER_NAMES, values)}

    _free = staticmethod(_cabi.request_signer_free)

    def __repr__(self) -> str:
        return f"RequestSigner(key_id={self.key_id!r}, secret=[REDACTED])"


Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]]]


class RequestVerifier(_cabi.OwnsHandle):
    """Verifies ``v1``-signed requests (server or proxy side). Thread-safe.

    ``keys`` maps each key id to one secret or a list of secrets (rotation).
    """

    __slots__ = ("_key_ids", "tolerance", "__weakref__")

    def __init__(
        self,
        keys: Mapping[str, Union[str, Sequence[str]]],
        tolerance: int = 300,
        replay_cache: int = 0,
    ) -> None:
        entries = []
        for key_id, secrets in keys.items():
            for secret in [secrets] if isinstance(secrets, str) else secrets:
                entries.append(_cabi.Key(_cabi.text(key_id, "key_id"), _cabi.text(secret, "secret")))
        if type(tolerance) is not int or tolerance < 0 or type(replay_cache) is not int or replay_cache < 0:
            raise TypeError("tolerance and replay_cache must be non-negative ints")
        array = (_cabi.Key * max(len(entries), 1))(*entries)
        handle = ctypes.c_void_p()
        code = _cabi.request_verifier_new(array, len(entries), tolerance, replay_cache, ctypes.byref(handle))
        if code:
            raise _cabi.error(code)
        self._handle = handle.value
        self._key_ids = sorted(keys)
        self.tolerance = tolerance

    def verify(self, method: str, url: str, headers: Headers, body: Body = b"", now: Optional[int] = None) -> str:
        """Returns the authenticated key id, or raises :class:`persona.RequestVerificationError`."""
        if type(body) is not bytes:
            body = _cabi.as_bytes(body)
        pairs = list(headers.items() if isinstance(headers, Mapping) else headers)
        array = (_cabi.Header * max(len(pairs), 1))(
            *[_cabi.Header(_cabi.text(n, "header name"), _cabi.text(v, "header value")) for n, v in pairs]
        )
        key_id = ctypes.c_char_p()
        code = _cabi.request_verifier_verify(
            self._handle,
            _cabi.text(method, "method"),
            _cabi.text(url, "url"),
            array,
            len(pairs),
            body,
            len(body),
            _cabi.now_arg(now),
            ctypes.byref(key_id),
        )
        if code:
            raise _cabi.error(code, _errors.RequestVerificationError)
        return (key_id.value or b"").decode("ascii")

    _free = staticmethod(_cabi.request_verifier_free)

    def __repr__(self) -> str:
        return f"RequestVerifier(key_ids={self._key_ids!r}, secrets=[REDACTED], tolerance={self.tolerance})"
