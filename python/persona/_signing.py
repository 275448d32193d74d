"""The ``v1`` request scheme: :class:`RequestSigner` and :class:`RequestVerifier`."""

from __future__ import annotations

# Annotations only (strings, under `from __future__ import annotations`): `typing` costs ~10 ms
# of a fresh interpreter's start, so it is never imported at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Iterable, Mapping, Optional, Sequence, Tuple, Union

    Body = Union[bytes, bytearray, memoryview]
    Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]]]

from . import _cabi
from ._cabi import NULL, ffi, lib

_BUFFER = lib.PERSONA_SIGNED_HEADERS_MAX
_sign_headers = lib.persona_request_signer_sign_headers
_new_uncleared = ffi.new_allocator(should_clear_after_alloc=False)


class RequestSigner(_cabi.OwnsHandle):
    """Signs requests with a key id + secret. Thread-safe; reuse one per process."""

    __slots__ = ("key_id", "__weakref__")

    def __init__(self, key_id: str, secret: str) -> None:
        key_id_b, secret_b = _cabi.text(key_id, "key_id"), _cabi.text(secret, "secret")
        out = ffi.new("persona_request_signer **")
        code = lib.persona_request_signer_new(key_id_b, len(key_id_b), secret_b, len(secret_b), out)
        if code:
            raise _cabi.error(code)
        self._handle = out[0]
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
        # Called per outgoing request: the argument handling is inlined (each helper call costs
        # more than the signature's MAC); anything unusual falls back to the checked helpers.
        if type(body) is not bytes:
            body = _cabi.as_bytes(body)
        try:
            method_b = method.encode()
            url_b = url.encode()
            nonce_b = NULL if nonce is None else nonce.encode()
        except (AttributeError, UnicodeEncodeError):
            # Not a str, or a lone surrogate: the error names the parameter.
            method_b, url_b = _cabi.text(method, "method"), _cabi.text(url, "url")
            nonce_b = NULL if nonce is None else _cabi.text(nonce, "nonce")
        if timestamp is None:
            timestamp_p = NULL
        elif type(timestamp) is int:
            try:
                timestamp_p = ffi.new("int64_t *", timestamp)
            except OverflowError:
                raise _cabi.out_of_range("timestamp") from None
        else:
            raise TypeError(f"timestamp must be an int, not {type(timestamp).__name__}")
        # Not zeroed: the library writes four NUL-terminated values and nothing after them is read.
        buffer = _new_uncleared("char[]", _BUFFER)
        code = _sign_headers(
            self._handle, method_b, len(method_b), url_b, len(url_b), body, len(body), timestamp_p,
            nonce_b, 0 if nonce_b is NULL else len(nonce_b), buffer, _BUFFER,
        )
        if code:
            raise _cabi.error(code)
        values = ffi.buffer(buffer)[:].split(b"\0", 4)
        return {
            "Authorization": values[0].decode("ascii"),
            "Persona-Timestamp": values[1].decode("ascii"),
            "Persona-Nonce": values[2].decode("ascii"),
            "Persona-Signature": values[3].decode("ascii"),
        }

    _free = lib.persona_request_signer_free

    def __repr__(self) -> str:
        return f"RequestSigner(key_id={self.key_id!r}, secret=[REDACTED])"


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
                entries.append((_cabi.text(key_id, "key_id"), _cabi.text(secret, "secret")))
        tolerance = _cabi.integer(tolerance, "tolerance", 0, _cabi.INT64_MAX)
        replay_cache = _cabi.integer(replay_cache, "replay_cache", 0, _cabi.SIZE_MAX)
        out = ffi.new("persona_request_verifier **")
        code = lib.persona_request_verifier_new(_cabi.table("persona_key", entries), len(entries), tolerance, replay_cache, out)
        if code:
            raise _cabi.error(code)
        self._handle = out[0]
        self._key_ids = sorted(keys)
        self.tolerance = tolerance

    def verify(self, method: str, url: str, headers: Headers, body: Body = b"", now: Optional[int] = None) -> str:
        """Returns the authenticated key id, or raises :class:`persona.RequestVerificationError`."""
        if type(body) is not bytes:
            body = _cabi.as_bytes(body)
        pairs = [
            (_cabi.text(name, "header name"), _cabi.text(value, "header value"))
            for name, value in (headers.items() if hasattr(headers, "items") else headers)
        ]
        method_b, url_b = _cabi.text(method, "method"), _cabi.text(url, "url")
        key_id = ffi.new("char **")
        code = lib.persona_request_verifier_verify(
            self._handle, method_b, len(method_b), url_b, len(url_b), _cabi.table("persona_header", pairs), len(pairs),
            body, len(body), _cabi.optional_time(now, "now"), key_id,
        )
        if code:
            raise _cabi.error(code)
        return ffi.string(key_id[0]).decode("ascii")

    _free = lib.persona_request_verifier_free

    def __repr__(self) -> str:
        return f"RequestVerifier(key_ids={self._key_ids!r}, secrets=[REDACTED], tolerance={self.tolerance})"
