"""The exception hierarchy: one ``PersonaError`` with one subclass per kind of failure."""

from __future__ import annotations

import builtins

# Annotations only (strings, under `from __future__ import annotations`): `typing` costs ~10 ms
# of a fresh interpreter's start, so it is never imported at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, List, Optional


class PersonaError(Exception):
    """Base of every libpersona error. ``code`` is the stable code shared by all languages."""

    code: str = "persona_error"

    def __init__(self, message: str, *, code: Optional[str] = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.status: Optional[int] = details.get("status")
        self.request_id: Optional[str] = details.get("request_id")
        self.errors: List[dict] = details.get("errors") or []
        self.retry_after: Optional[float] = details.get("retry_after")
        self.idempotency_key: Optional[str] = details.get("idempotency_key")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class InvalidInputError(PersonaError, ValueError):
    """An argument was invalid (``invalid_key_id``, ``invalid_nonce``, ``invalid_url``, ...)."""


class ConfigurationError(PersonaError):
    """Credentials or settings are missing or inconsistent."""

    code = "configuration"


class RequestVerificationError(PersonaError):
    """A ``v1``-signed request was rejected (``signature_mismatch``, ``replayed_nonce``, ...)."""


class WebhookVerificationError(PersonaError):
    """A webhook was rejected (``missing_header``, ``no_matching_signature``, ...)."""


class InvalidPayloadError(PersonaError):
    """A verified webhook body is not a Persona event."""

    code = "invalid_payload"


class APIError(PersonaError):
    """The Persona API answered with an error status (``status``, ``request_id``, ``errors``)."""


class AuthenticationError(APIError):
    code = "authentication"


class PermissionDeniedError(APIError):
    code = "permission_denied"


class NotFoundError(APIError):
    code = "not_found"


class ConflictError(APIError):
    """409, or an Idempotency-Key reused with different parameters."""

    code = "conflict"


class ValidationError(APIError):
    """400/422: see ``errors`` (title, details, pointer) for every problem."""

    code = "validation"


class RateLimitError(APIError):
    """429: wait ``retry_after`` seconds."""

    code = "rate_limited"


class ServerError(APIError):
    """5xx. For a POST, retrying with ``idempotency_key`` replays Persona's stored response."""

    code = "server"


class NetworkError(PersonaError):
    """The request could not be completed; a POST can be retried with ``idempotency_key``."""

    code = "network"


class TimeoutError(PersonaError, builtins.TimeoutError):
    """A per-request timeout or the total deadline passed."""

    code = "timeout"


class UnexpectedResponseError(PersonaError):
    code = "unexpected_response"


class InternalError(PersonaError):
    """A bug inside libpersona (a caught Rust panic); the process is unaffected."""

    code = "internal"


def invalid_argument(name: str, reason: str) -> InvalidInputError:
    """A bad argument, worded as the library words its own (``invalid_argument`` everywhere)."""
    return InvalidInputError(f"invalid argument `{name}`: {reason}", code="invalid_argument")


API_ERRORS = {
    "authentication": AuthenticationError,
    "permission_denied": PermissionDeniedError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "validation": ValidationError,
    "rate_limited": RateLimitError,
    "server": ServerError,
}


# The library's error kinds (``persona_last_error_kind``, and UniFFI's error variants in
# snake_case) to the exception raised for each: the one place this package maps them.
_BY_KIND = {
    "invalid_input": InvalidInputError,
    "configuration": ConfigurationError,
    "request_rejected": RequestVerificationError,
    "webhook_rejected": WebhookVerificationError,
    "invalid_payload": InvalidPayloadError,
    "api": APIError,
    "network": NetworkError,
    "timeout": TimeoutError,
    "unexpected_response": UnexpectedResponseError,
    "internal": InternalError,
}


def from_native(kind: str, code: str, message: str, **details: Any) -> PersonaError:
    """The exception for an error the library reported: its class from ``kind``, its ``code`` and
    message verbatim (the same in every language)."""
    cls = API_ERRORS.get(code, APIError) if kind == "api" else _BY_KIND.get(kind, InternalError)
    return cls(message, code=code, **details)
