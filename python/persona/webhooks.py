"""Persona webhook verification (``Persona-Signature: t=…,v1=…``).

Pass the header value and the **raw** request body exactly as received — never re-serialized
JSON. ``verify`` raises :class:`persona.WebhookVerificationError` (with ``code``) on failure and
returns the :class:`Event` on success.
"""

from __future__ import annotations

import ctypes
import json
from typing import Any, Dict, Iterable, Optional, Union

from . import _cabi, _errors

Body = Union[bytes, bytearray, memoryview]

__all__ = ["Event", "WebhookVerifier", "verify", "sign"]


class Event:
    """A verified event. Fields are read from the body on first access."""

    __slots__ = ("raw", "_data")

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self._data: Optional[Dict[str, Any]] = None

    def _event(self) -> Dict[str, Any]:
        if getattr(self, "_data", None) is None:
            try:
                data = json.loads(self.raw)["data"]
                if data.get("type", "event") != "event" or not isinstance(data["id"], str):
                    raise ValueError("not an event")
                data["attributes"]["name"]
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise _errors.InvalidPayloadError(f"webhook body is not a Persona event: {error}") from None
            self._data = data
        return self._data

    @property
    def id(self) -> str:
        return self._event()["id"]

    @property
    def name(self) -> str:
        return self._event()["attributes"]["name"]

    @property
    def created_at(self) -> Optional[str]:
        attributes = self._event()["attributes"]
        return attributes.get("created-at", attributes.get("created_at", attributes.get("createdAt")))

    @property
    def payload(self) -> Any:
        return self._event()["attributes"].get("payload")

    def __repr__(self) -> str:
        try:
            return f"Event(id={self.id!r}, name={self.name!r})"
        except _errors.PersonaError:
            return f"Event(<{len(self.raw)} bytes, not a Persona event>)"


class WebhookVerifier(_cabi.OwnsHandle):
    """Verifies webhooks against one or more secrets (rotation). Thread-safe."""

    __slots__ = ("_hot_handle", "_verify_at", "tolerance", "__weakref__")

    def __init__(self, secrets: Union[str, Iterable[str]], tolerance: int = 300) -> None:
        secret_list = [secrets] if isinstance(secrets, str) else list(secrets)
        if type(tolerance) is not int or tolerance < 0:
            raise TypeError("tolerance must be a non-negative int (seconds)")
        encoded = [_cabi.text(secret, "secret") for secret in secret_list]
        array = (ctypes.c_char_p * max(len(encoded), 1))(*encoded)
        handle = ctypes.c_void_p()
        code = _cabi.webhook_verifier_new(array, len(encoded), tolerance, ctypes.byref(handle))
        if code:
            raise _cabi.error(code, _errors.WebhookVerificationError)
        self._handle = handle.value
        self._hot_handle = None if _cabi.hot is None else _cabi.hot_ffi.cast("void *", handle.value)
        # Bound once: the per-call path does no module or library attribute lookups.
        self._verify_at = None if _cabi.hot is None else _cabi.hot.persona_webhook_verifier_verify_at
        self.tolerance = tolerance

    def verify(self, header: Optional[str], body: Body, now: Optional[int] = None) -> Event:
        """Verifies ``header`` (``None`` when absent) against the raw ``body``."""
        if type(body) is not bytes:
            body = _cabi.as_bytes(body)
        if header is None:
            encoded = None
        elif type(header) is str and "\0" not in header:
            encoded = header.encode("utf-8", "surrogatepass")
        else:
            encoded = _cabi.text(header, "header")
        if self._verify_at is not None:
            if type(now) is int:
                code = self._verify_at(self._hot_handle, _NULL if encoded is None else encoded, body, len(body), now)
            elif now is None:
                code = _cabi.hot.persona_webhook_verifier_verify(
                    self._hot_handle, _NULL if encoded is None else encoded, body, len(body), _NULL
                )
            else:
                raise TypeError("now must be an int (unix seconds) or None")
        else:
            code = _cabi.webhook_verifier_verify(self._handle, encoded, body, len(body), _cabi.now_arg(now))
        if code:
            raise _cabi.error(code, _errors.WebhookVerificationError)
        event = _new_event(Event)
        event.raw = body
        return event

    _free = staticmethod(_cabi.webhook_verifier_free)

    def __repr__(self) -> str:
        return f"WebhookVerifier(secrets=[REDACTED], tolerance={self.tolerance})"


_NULL = None if _cabi.hot_ffi is None else _cabi.hot_ffi.NULL
# Events are built without running __init__ on the hot path (same two fields).
_new_event = object.__new__

_cache: Dict[tuple, WebhookVerifier] = {}


def verify(
    header: Optional[str],
    body: Body,
    secrets: Union[str, Iterable[str]],
    tolerance: int = 300,
    now: Optional[int] = None,
) -> Event:
    """Verifies a Persona webhook and returns its event.

    ``secrets`` is one secret or several (during a rotation). Verifiers are cached per
    (secrets, tolerance), so calling this per request costs only the verification.
    """
    # Fast path: the same immutable secrets object as the previous call (a module-level constant,
    # typically). Only str/tuple qualify: a list could have been mutated since, and reusing its
    # verifier would keep accepting a removed secret.
    last = _last
    if secrets is last[0] and tolerance == last[1] and type(now) is int and type(body) is bytes and type(header) is str and "\0" not in header:
        # The common case, inlined: same secrets object, an explicit `now`, plain bytes and str.
        code = last[3](last[4], header.encode("utf-8", "surrogatepass"), body, len(body), now)
        if code:
            raise _cabi.error(code, _errors.WebhookVerificationError)
        event = _new_event(Event)
        event.raw = body
        return event
    if secrets is last[0] and tolerance == last[1]:
        return last[2].verify(header, body, now)
    key = (secrets if isinstance(secrets, str) else tuple(secrets), tolerance)
    verifier = _cache.get(key)
    if verifier is None:
        verifier = WebhookVerifier(secrets, tolerance)
        if len(_cache) >= 16:
            _cache.clear()
        _cache[key] = verifier
    if type(secrets) in (str, tuple) and verifier._verify_at is not None:
        _set_last((secrets, tolerance, verifier, verifier._verify_at, verifier._hot_handle))
    return verifier.verify(header, body, now)


_last: tuple = (object(), None, None, None, None)


def _set_last(entry: tuple) -> None:
    global _last
    _last = entry  # one reference assignment: readers see the old or the new entry, whole


def sign(secret: str, body: Body, timestamp: int) -> str:
    """A ``Persona-Signature`` value for ``body`` (for tests and local servers)."""
    if type(timestamp) is not int:
        raise TypeError("timestamp must be an int")
    body = _cabi.as_bytes(body)
    buffer = ctypes.create_string_buffer(96)
    code = _cabi.webhook_sign(_cabi.text(secret, "secret"), body, len(body), timestamp, buffer, 96)
    if code:
        raise _cabi.error(code, _errors.WebhookVerificationError)
    return buffer.value.decode("ascii")
