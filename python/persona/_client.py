"""``persona.Client`` (sync) and ``persona.AsyncClient`` (asyncio), over the UniFFI bindings.

Blocking calls release the GIL (they run on the library's own runtime), so threads sharing one
``Client`` overlap. Every POST carries one Idempotency-Key for all its retries.
"""

from __future__ import annotations

import functools


class _LazyJson:
    """`json` on first use: it costs a fresh interpreter ~8 ms (with `re`), and a client needs it
    only when a request is made. The first attribute read replaces this stand-in with the module."""

    def __getattr__(self, name):
        import json as module

        globals()["json"] = module
        return getattr(module, name)


json = _LazyJson()

# Annotations only (strings, under `from __future__ import annotations`): `typing` costs a fresh
# interpreter milliseconds, so it is never imported at run time.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, AsyncIterator, Dict, Iterator, Optional

from . import _errors
from ._native import persona as _ffi

if not hasattr(_ffi, "BlockingClient"):
    # The core build (`maturin build --no-default-features`): the library has no client (no
    # tokio, reqwest or TLS stack); webhooks and signing work, the client does not exist.
    raise ImportError(
        "this libpersona is the core build (webhook verification and v1 signing only, built "
        "with --no-default-features): it has no API client; install the full build for persona.Client"
    )

__all__ = ["Client", "AsyncClient", "Response", "BinaryResponse"]


def _kind(variant: str) -> str:
    """UniFFI's error variant (``InvalidInput``) as the library's kind (``invalid_input``)."""
    return "".join("_" + c.lower() if c.isupper() else c for c in variant).lstrip("_")


def _convert(error: "_ffi.PersonaError") -> _errors.PersonaError:
    details: Dict[str, Any] = {}
    if isinstance(error, _ffi.PersonaError.Api):
        details = {
            "status": error.status,
            "request_id": error.request_id,
            "errors": [{"title": d.title, "details": d.details, "pointer": d.pointer} for d in error.errors],
            "retry_after": None if error.retry_after_ms is None else error.retry_after_ms / 1000,
        }
    if getattr(error, "idempotency_key", None) is not None:
        details["idempotency_key"] = error.idempotency_key
    return _errors.from_native(_kind(type(error).__name__), error.code, error.detail, **details)


def _translate(function):
    """Re-raises UniFFI errors as the public ``persona.PersonaError`` hierarchy."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except _ffi.PersonaError as error:
            raise _convert(error) from None
        except _ffi.InternalError as error:
            raise _errors.InternalError(str(error)) from None

    return wrapper


def _translate_async(function):
    @functools.wraps(function)
    async def wrapper(*args, **kwargs):
        try:
            return await function(*args, **kwargs)
        except _ffi.PersonaError as error:
            raise _convert(error) from None
        except _ffi.InternalError as error:
            raise _errors.InternalError(str(error)) from None

    return wrapper


def _simulate_body(actions: Any) -> Dict[str, Any]:
    """The body of ``perform-simulate-actions`` for ``actions`` (SimulateAction values or names),
    by the library's rule."""
    if isinstance(actions, (str, bytes)):
        raise TypeError("actions must be a list of SimulateAction values or action names, not one string")
    items = [_ffi.SimulateAction.OTHER(name=action) if isinstance(action, str) else action for action in actions]
    return json.loads(_translate(_ffi.simulate_actions_body)(items))


def _model(document_json: str) -> Any:
    """The typed model of a document's primary data (the core's rule), unwrapped from UniFFI's
    ``Resource`` variant."""
    resource = _translate(_ffi.document_model)(document_json)
    return None if resource is None else resource.value


class Response:
    """What an operation answered: the whole JSON document (``body``; ``data``, ``included``,
    ``meta`` and ``links`` as properties), the HTTP status, ``request_id`` and the ``attempts`` it
    took. Prints its status and the primary resource's type and id only (bodies hold personal
    data)."""

    __slots__ = ("status", "request_id", "attempts", "body", "next_cursor", "previous_cursor", "_body_json")

    def __init__(self, reply: Any) -> None:
        self.status: int = reply.status
        self.request_id: Optional[str] = reply.request_id
        self.attempts: int = reply.attempts
        self._body_json: str = reply.body_json or "null"
        self.body: Any = json.loads(self._body_json)
        #: A list's ``page_after`` for the next page (``links.next``), or None on the last.
        self.next_cursor: Optional[str] = reply.next_cursor
        #: A list's ``page_before`` for the previous page (``links.prev``), or None on the first.
        self.previous_cursor: Optional[str] = reply.previous_cursor

    def _member(self, name: str) -> Any:
        return self.body.get(name) if isinstance(self.body, dict) else None

    @property
    def data(self) -> Any:
        """``data``: one resource object, or a list of them."""
        return self._member("data")

    @property
    def included(self) -> list:
        """``included``: the related resources asked for with ``include``."""
        return self._member("included") or []

    @property
    def meta(self) -> Any:
        return self._member("meta")

    @property
    def links(self) -> Any:
        """``links`` (``next``/``prev`` of a list)."""
        return self._member("links")

    @property
    def id(self) -> Optional[str]:
        """The primary resource's ``id`` (``None`` for a list)."""
        data = self.data
        return data.get("id") if isinstance(data, dict) else None

    @property
    def attributes(self) -> Dict[str, Any]:
        """The primary resource's ``attributes``, every one as sent (``{}`` for a list)."""
        data = self.data
        return data.get("attributes") or {} if isinstance(data, dict) else {}

    def related(self, relationship: str, resource: Optional[Dict[str, Any]] = None) -> list:
        """The ``included`` resources a relationship of ``resource`` (default: the primary one)
        points to, in the relationship's order (at most one for a to-one relationship). Only what
        the call asked for with ``include`` can be found. The library's rule, as in every language."""
        texts = _translate(_ffi.related_resources)(
            self._body_json, relationship, None if resource is None else json.dumps(resource)
        )
        return [json.loads(text) for text in texts]

    def model(self) -> Any:
        """The primary resource read into its typed model (:mod:`persona.models`): an ``Inquiry``
        for an inquiry, an ``UntypedResource`` for a type without a model; ``None`` without data.
        A list is an :class:`InvalidInputError`: use :meth:`models`. Read by the library's core,
        as in every language."""
        return _model(self._body_json)

    def models(self) -> list:
        """Every resource of the primary ``data`` read into its typed model (a list's items)."""
        return [resource.value for resource in _translate(_ffi.document_models)(self._body_json)]

    def __repr__(self) -> str:
        data = self.data
        if isinstance(data, dict):
            return f"Response(status={self.status}, type={data.get('type')!r}, id={data.get('id')!r})"
        count = len(data) if isinstance(data, list) else 0
        return f"Response(status={self.status}, items={count})"


class BinaryResponse:
    """A file an operation answered (the ``print`` operations' PDFs): ``content``,
    ``content_type``, ``status``, ``request_id``."""

    __slots__ = ("status", "request_id", "attempts", "content", "content_type")

    def __init__(self, reply: Any) -> None:
        self.status: int = reply.status
        self.request_id: Optional[str] = reply.request_id
        self.attempts: int = reply.attempts
        self.content: bytes = bytes(reply.bytes or b"")
        self.content_type: Optional[str] = reply.content_type

    def __repr__(self) -> str:
        return f"BinaryResponse(status={self.status}, content_type={self.content_type!r}, size={len(self.content)})"


def _reply(reply: Any):
    return Response(reply) if reply.bytes is None else BinaryResponse(reply)


def _turn_page(response: Response, page: Dict[str, Any], backward: bool) -> bool:
    """Moves ``page`` to the one after ``response`` along the walk (the library's cursors);
    ``False`` at the end: no link onward, or one that does not move."""
    key = "before" if backward else "after"
    cursor = response.previous_cursor if backward else response.next_cursor
    if cursor is None or cursor == page.get(key):
        return False
    page[key] = cursor
    return True


def _pages(call, operation_id: str, arguments: Dict[str, Any], backward: bool) -> Iterator[Response]:
    """The pages of a list call, one request each, along ``links.next`` (or ``links.prev`` when
    ``backward``), until a page has no link onward or one that does not move."""
    page = dict(arguments.get("page") or {})
    while True:
        response = call(operation_id, dict(arguments, page=page))
        yield response
        if not _turn_page(response, page, backward):
            return


async def _apages(call, operation_id: str, arguments: Dict[str, Any], backward: bool) -> AsyncIterator[Response]:
    """:func:`_pages` for :class:`AsyncClient`."""
    page = dict(arguments.get("page") or {})
    while True:
        response = await call(operation_id, dict(arguments, page=page))
        yield response
        if not _turn_page(response, page, backward):
            return


def _call_json(arguments: Dict[str, Any]) -> str:
    """A generated method's arguments as the library's call JSON (unset ones left out)."""
    call = {name: value for name, value in arguments.items() if value is not None}
    if "form" in call:
        call["form"] = [[name, value] for name, value in call["form"].items()]
    page = call.get("page")
    if page is not None:
        page = {name: value for name, value in page.items() if value is not None}
        if page:
            call["page"] = page
        else:
            del call["page"]
    return json.dumps(call)


def _credentials(api_key, key_id, secret) -> "_ffi.Credentials":
    if api_key is not None and key_id is None and secret is None:
        return _translate(_ffi.Credentials.api_key)(api_key)
    if api_key is None and key_id is not None and secret is not None:
        return _translate(_ffi.Credentials.key_pair)(key_id, secret)
    if api_key is None and key_id is None and secret is None:
        return _translate(_ffi.Credentials.from_env)()
    raise _errors.ConfigurationError(
        "configuration error: give api_key, or key_id and secret, or neither (environment)", code="configuration"
    )


def _config(base_url, persona_version, expected_environment, timeout, total_timeout, max_retries):
    ms = lambda seconds: None if seconds is None else int(seconds * 1000)  # noqa: E731
    return _ffi.ClientConfig(
        base_url=base_url,
        persona_version=persona_version,
        expected_environment=expected_environment,
        request_timeout_ms=ms(timeout),
        total_timeout_ms=ms(total_timeout),
        max_retries=max_retries,
        binding="python",
    )


class _Closed:
    def __getattr__(self, name: str):
        raise _errors.ConfigurationError("this client is closed", code="client_closed")


# ---------------------------------------------------------------------------------------- sync


class _Groups:
    """``client.api`` (the generated methods, built on first use) and ``client.<group>`` as its
    shorthand, for both clients: each names its generated class and its page walker."""

    _api_class = ""
    _walk_pages = None
    _api = None

    @property
    def api(self):
        """Every operation of Persona's API as a method, by group: ``client.api.inquiries.retrieve
        ("inq_…")`` (coroutines on :class:`AsyncClient`). Generated from Persona's OpenAPI
        document (see :mod:`persona._api`)."""
        if self._api is None:
            from . import _api

            self._api = getattr(_api, self._api_class)(self._call, functools.partial(self._walk_pages, self._call))
        return self._api

    def __getattr__(self, name: str):
        # ``client.inquiries`` is ``client.api.inquiries``: the groups are the generated ones.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.api, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(type(self.api).__slots__))


class Client(_Groups):
    """The blocking Persona client. Use as a context manager; safe to share across threads.

    Credentials: ``api_key=`` (Persona's bearer key), or ``key_id=`` + ``secret=`` (``v1``
    signing), or neither (``PERSONA_API_KEY`` / ``PERSONA_API_KEY_ID`` + ``PERSONA_API_KEY_SECRET``).

    ``persona_version``: the ``Persona-Version`` header (default: the version the operations were
    generated for); ``"none"`` sends no header, so the API key's dashboard version applies.
    ``client.api`` has every operation of Persona's API as a method.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        key_id: Optional[str] = None,
        secret: Optional[str] = None,
        base_url: Optional[str] = None,
        persona_version: Optional[str] = None,
        expected_environment: Optional[str] = None,
        timeout: Optional[float] = None,
        total_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
    ) -> None:
        credentials = _credentials(api_key, key_id, secret)
        config = _config(base_url, persona_version, expected_environment, timeout, total_timeout, max_retries)
        self._ffi = _translate(_ffi.BlockingClient)(credentials, config)
        self.base_url = base_url

    _api_class = "Api"
    _walk_pages = staticmethod(_pages)

    @_translate
    def _call(self, operation_id: str, arguments: Dict[str, Any]):
        return _reply(self._ffi.call(operation_id, _call_json(arguments)))

    @_translate
    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Dict[str, str]] = None,
        json_body: Any = None,
        idempotency_key: Optional[str] = None,
    ) -> Any:
        """Any endpoint (``path`` relative to the base URL, e.g. ``/reports/rep_1``); returns the JSON."""
        pairs = [_ffi.QueryParam(name=k, value=v) for k, v in (query or {}).items()]
        body = None if json_body is None else json.dumps(json_body)
        return json.loads(self._ffi.request(method, path, pairs, body, idempotency_key).body_json)

    def close(self) -> None:
        """Releases the client; later calls raise :class:`persona.ConfigurationError`."""
        self._ffi = _Closed()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, credentials=[REDACTED])"


# --------------------------------------------------------------------------------------- async


class AsyncClient(_Groups):
    """The asyncio Persona client (same options as :class:`Client`); ``async with`` it."""

    def __init__(self, **options: Any) -> None:
        known = ("api_key", "key_id", "secret", "base_url", "persona_version", "expected_environment", "timeout", "total_timeout", "max_retries")
        unknown = set(options) - set(known)
        if unknown:
            raise TypeError(f"unexpected options: {sorted(unknown)}")
        credentials = _credentials(*(options.get(name) for name in known[:3]))
        config = _config(*(options.get(name) for name in known[3:]))
        self._ffi = _translate(_ffi.Client)(credentials, config)
        self.base_url = options.get("base_url")

    _api_class = "AsyncApi"
    _walk_pages = staticmethod(_apages)

    @_translate_async
    async def _call(self, operation_id: str, arguments: Dict[str, Any]):
        return _reply(await self._ffi.call(operation_id, _call_json(arguments)))

    @_translate_async
    async def request(self, method: str, path: str, *, query: Optional[Dict[str, str]] = None, json_body: Any = None, idempotency_key: Optional[str] = None) -> Any:
        pairs = [_ffi.QueryParam(name=k, value=v) for k, v in (query or {}).items()]
        body = None if json_body is None else json.dumps(json_body)
        return json.loads((await self._ffi.request(method, path, pairs, body, idempotency_key)).body_json)

    async def close(self) -> None:
        self._ffi = _Closed()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"AsyncClient(base_url={self.base_url!r}, credentials=[REDACTED])"
