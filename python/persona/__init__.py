"""libpersona: Persona webhooks, `v1` request signing and the Persona API client.

>>> import persona
>>> persona.webhooks.verify(header, raw_body, secrets=["wbhsec_..."])        # the signature only
>>> event = persona.webhooks.verify_event(header, raw_body, secrets=["wbhsec_..."])  # and the event
>>> signer = persona.RequestSigner("kid_...", secret)
>>> headers = signer.sign("POST", "https://api.withpersona.com/api/v1/inquiries", body)
>>> with persona.Client(api_key="persona_sandbox_...") as client:
...     inquiry = client.inquiries.create({"inquiry-template-id": "itmpl_..."})

Importing is cheap: webhooks and signing call the library's C ABI directly; the API client
(``Client``/``AsyncClient``) loads its UniFFI bindings on first use.
"""

from ._errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    InternalError,
    InvalidInputError,
    InvalidPayloadError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    PersonaError,
    RateLimitError,
    RequestVerificationError,
    ServerError,
    TimeoutError,
    UnexpectedResponseError,
    ValidationError,
    WebhookVerificationError,
)
from ._signing import RequestSigner, RequestVerifier
from . import webhooks
from .webhooks import Event, WebhookVerifier

__version__ = "0.1.0"

__all__ = [
    "APIError",
    "AsyncClient",
    "BinaryResponse",
    "AuthenticationError",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "Event",
    "InternalError",
    "InvalidInputError",
    "InvalidPayloadError",
    "NetworkError",
    "NotFoundError",
    "PermissionDeniedError",
    "PersonaError",
    "RateLimitError",
    "RequestSigner",
    "RequestVerificationError",
    "RequestVerifier",
    "Response",
    "ServerError",
    "SimulateAction",
    "TimeoutError",
    "UnexpectedResponseError",
    "ValidationError",
    "WebhookVerificationError",
    "WebhookVerifier",
    "webhooks",
]


def __getattr__(name: str):
    # The client pulls in the UniFFI bindings (and asyncio): load them only when asked.
    if name == "events":
        # Webhook event names (constants) and the resource each carries, from Persona's document.
        from . import _event_names

        return _event_names
    if name == "models":
        # The typed models the core reads (they live in the client's UniFFI bindings). Imported
        # by name: `from . import models` would ask this hook for `models` again.
        import importlib

        return importlib.import_module(".models", __name__)
    if name == "SimulateAction":
        # Sandbox simulate actions (an open enum from Persona's document), for inquiries.simulate.
        from ._native.persona import SimulateAction

        return SimulateAction
    if name in ("Client", "AsyncClient", "Response", "BinaryResponse"):
        from . import _client

        return getattr(_client, name)
    raise AttributeError(f"module 'persona' has no attribute {name!r}")
