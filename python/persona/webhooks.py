"""Persona webhook verification (``Persona-Signature: t=…,v1=…``).

Pass the header value and the **raw** request body exactly as received — never re-serialized
JSON. ``verify`` checks the signature only (and raises :class:`persona.WebhookVerificationError`
with ``code`` when it must be rejected); ``verify_event`` checks it too, then returns the
:class:`Event` the library read from the body (:class:`persona.InvalidPayloadError` when the body
is not a Persona event). Both names mean the same in every language libpersona ships to.
"""

from __future__ import annotations

# Annotations only (strings, under `from __future__ import annotations`): `typing` costs ~10 ms
# of a fresh interpreter's start, so it is never imported at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterable, Optional, Union

    Body = Union[bytes, bytearray, memoryview]
    Secrets = Union[str, Iterable[str]]

from . import _cabi
from ._cabi import NULL, ffi, lib


__all__ = ["Event", "WebhookVerifier", "verify", "verify_event", "sign"]


class Event:
    """A verified Persona event, as the library read it from the body: ``id``, ``name``,
    ``created_at`` (``None`` when absent) and ``data.attributes.payload`` (``payload_json``, the
    raw JSON text; ``payload``, that text decoded)."""

    __slots__ = ("id", "name", "created_at", "payload_json", "_payload")

    def __init__(self, id: str, name: str, created_at: Optional[str], payload_json: str) -> None:
        self.id = id
        self.name = name
        self.created_at = created_at
        self.payload_json = payload_json

    @property
    def resource_type(self) -> Optional[str]:
        """The resource type the payload's ``data`` is, as Persona's document declares it for this
        event (``"inquiry"`` for ``inquiry.completed``); ``None`` for an event it does not list.
        The names: :mod:`persona.events`."""
        from . import _event_names

        return _event_names.RESOURCE_TYPES.get(self.name)

    @property
    def resource(self) -> Any:
        """The resource the event carries: the payload's ``data`` (``None`` when absent)."""
        payload = self.payload
        return payload.get("data") if isinstance(payload, dict) else None

    def model(self) -> Any:
        """The resource the event carries read into its typed model (:mod:`persona.models`):
        ``inquiry.completed`` → an ``Inquiry``; ``None`` when the payload has no data. Read by the
        library's core, as in every language (the first call loads the client's bindings)."""
        from ._client import _model

        return _model(self.payload_json)

    @property
    def payload(self) -> Any:
        """``data.attributes.payload`` decoded (``None`` when absent), once per event."""
        try:
            return self._payload
        except AttributeError:
            import json  # here, not at import: most handlers never decode a payload

            self._payload = json.loads(self.payload_json)
            return self._payload

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Event):
            return NotImplemented
        return (self.id, self.name, self.created_at, self.payload_json) == (
            other.id, other.name, other.created_at, other.payload_json,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        # Type and id only: the payload can hold personal data.
        return f"Event(id={self.id!r}, name={self.name!r})"


def _header(header: Optional[str]):
    """``None`` (the request had no header) is NULL; anything else its UTF-8 bytes. Wire data: a
    lone surrogate is passed through as bytes that are not UTF-8, which no signature matches."""
    if header is None:
        return NULL
    if type(header) is not str:
        raise TypeError(f"header must be str or None, not {type(header).__name__}")
    return header.encode("utf-8", "surrogatepass")


def _event_field(getter, event, length):
    pointer = getter(event, length)
    if pointer == NULL:
        return None
    return ffi.unpack(pointer, length[0]).decode("utf-8")


class WebhookVerifier(_cabi.OwnsHandle):
    """Verifies webhooks against one or more secrets (rotation). Thread-safe; make one per process.

    ``tolerance``: seconds a signature's ``t`` may differ from now, either way (0: the same
    second only, never "off").
    """

    __slots__ = ("tolerance", "__weakref__")

    def __init__(self, secrets: Secrets, tolerance: int = 300) -> None:
        secret_list = [secrets] if isinstance(secrets, str) else list(secrets)
        tolerance = _cabi.integer(tolerance, "tolerance", 0, _cabi.INT64_MAX)
        encoded = [(_cabi.text(secret, "secret"),) for secret in secret_list]
        out = ffi.new("persona_webhook_verifier **")
        code = lib.persona_webhook_verifier_new(_cabi.table("persona_str", encoded), len(encoded), tolerance, out)
        if code:
            raise _cabi.error(code)
        self._own(out[0])
        self.tolerance = tolerance

    def verify(self, header: Optional[str], body: Body, now: Optional[int] = None) -> None:
        """Checks the signature of ``body`` (raw bytes) against ``header`` (``None`` when absent),
        as of ``now`` (unix seconds; ``None`` = the clock). Raises
        :class:`persona.WebhookVerificationError` when the webhook must be rejected."""
        if type(body) is not bytes:
            body = _cabi.as_bytes(body)
        # Per webhook: `_header` inlined for the usual str.
        if type(header) is str:
            try:
                encoded = header.encode()
            except UnicodeEncodeError:
                encoded = header.encode("utf-8", "surrogatepass")
            size = len(encoded)
        elif header is None:  # the request had no header
            encoded, size = NULL, 0
        else:
            raise TypeError(f"header must be str or None, not {type(header).__name__}")
        if now is None:
            code = _verify(self._handle, encoded, size, body, len(body), NULL)
        elif type(now) is int:
            try:
                code = _verify_at(self._handle, encoded, size, body, len(body), now)
            except OverflowError:
                raise _cabi.out_of_range("now") from None
        else:
            raise TypeError(f"now must be an int (unix seconds) or None, not {type(now).__name__}")
        if code:
            raise _cabi.error(code)

    def verify_event(self, header: Optional[str], body: Body, now: Optional[int] = None) -> Event:
        """Checks the signature like :meth:`verify`, then returns the event the library read from
        the body (:class:`persona.InvalidPayloadError` if it is not a Persona event)."""
        if type(body) is not bytes:
            body = _cabi.as_bytes(body)
        encoded = _header(header)
        out = ffi.new("persona_webhook_event **")
        code = lib.persona_webhook_verifier_verify_event(
            self._handle, encoded, 0 if encoded is NULL else len(encoded), body, len(body),
            _cabi.optional_time(now, "now"), out,
        )
        if code:
            raise _cabi.error(code)
        event = out[0]
        try:
            length = ffi.new("size_t *")
            return Event(
                _event_field(lib.persona_webhook_event_id, event, length),
                _event_field(lib.persona_webhook_event_name, event, length),
                _event_field(lib.persona_webhook_event_created_at, event, length),
                _event_field(lib.persona_webhook_event_payload_json, event, length),
            )
        finally:
            lib.persona_webhook_event_free(event)

    _free = lib.persona_webhook_verifier_free

    def __repr__(self) -> str:
        return f"WebhookVerifier(secrets=[REDACTED], tolerance={self.tolerance})"


# Verifiers for the module-level functions, per (secrets, tolerance): a handler that passes the
# same secrets on every request pays for the key schedule once.
_cache: Dict[tuple, WebhookVerifier] = {}


def _verifier(secrets: Secrets, tolerance: int) -> WebhookVerifier:
    # Checked before the lookup: 300.0 == 300 would otherwise find the verifier made for 300.
    tolerance = _cabi.integer(tolerance, "tolerance", 0, _cabi.INT64_MAX)
    key = (secrets if isinstance(secrets, str) else tuple(secrets), tolerance)
    verifier = _cache.get(key)
    if verifier is None:
        # From the key, not `secrets`: a generator was used up making the key.
        verifier = WebhookVerifier(key[0], tolerance)
        if len(_cache) >= 16:
            _cache.clear()
        _cache[key] = verifier
    return verifier


_verify = lib.persona_webhook_verifier_verify
_verify_at = lib.persona_webhook_verifier_verify_at


def verify(header: Optional[str], body: Body, secrets: Secrets, tolerance: int = 300, now: Optional[int] = None) -> None:
    """Checks a Persona webhook's signature (see :meth:`WebhookVerifier.verify`).

    ``secrets`` is one secret or several (during a rotation). Verifiers are cached per
    (secrets, tolerance), so calling this per request costs only the verification.
    """
    _verify_method_slow(_verifier(secrets, tolerance), header, body, now)


# The Python definitions, kept under these names when the native ones replace them below.
_verify_slow = verify
_verify_method_slow = WebhookVerifier.verify


def _raise(code: int) -> None:
    raise _cabi.error(code)


def _use_speedups() -> bool:
    speedups = _cabi.speedups
    if speedups is None:
        return False
    try:
        speedups.setup(_verifier, _verify_slow, _verify_method_slow, _raise)
    except ImportError:
        return False  # a sub-interpreter: the module serves the main interpreter only
    return True


if _use_speedups():
    # The same function, native for the common case (the same secrets as the last call, a str
    # header and a bytes body: one C call, no Python frame); every other call, and every error,
    # goes through `_verify_slow`, the Python `WebhookVerifier.verify` and `_raise` above, which
    # define the behaviour. The docstrings are those above, repeated in
    # bindings/ffi/src/python/mod.rs.
    verify = _cabi.speedups.verify  # noqa: F811  (the same function, native)
    WebhookVerifier.verify = _cabi.speedups.verifier_method(WebhookVerifier)


def verify_event(header: Optional[str], body: Body, secrets: Secrets, tolerance: int = 300, now: Optional[int] = None) -> Event:
    """Checks a Persona webhook's signature and returns its event (see
    :meth:`WebhookVerifier.verify_event`)."""
    return _verifier(secrets, tolerance).verify_event(header, body, now)


def sign(secret: str, body: Body, timestamp: int) -> str:
    """A ``Persona-Signature`` value for ``body`` (for tests and local servers)."""
    timestamp = _cabi.integer(timestamp, "timestamp", _cabi.INT64_MIN, _cabi.INT64_MAX)
    body = _cabi.as_bytes(body)
    secret_b = _cabi.text(secret, "secret")
    size = lib.PERSONA_WEBHOOK_HEADER_MAX
    buffer = ffi.new("char[]", size)
    code = lib.persona_webhook_sign(secret_b, len(secret_b), body, len(body), timestamp, buffer, size)
    if code:
        raise _cabi.error(code)
    return ffi.string(buffer).decode("ascii")
