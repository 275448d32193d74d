"""Schemathesis hooks for the conformance gate (loaded through SCHEMATHESIS_HOOKS).

Persona's document declares the `Key-Inflection` header (camel, kebab, snake) on every
operation, yet spells every response schema in kebab-case only, with `additionalProperties:
false`. A camel or snake answer is what Persona sends, and no schema of the document can accept
it (see `key-inflection` in sandbox/conformance-baseline.json). So an answer to such a request is
spelled back in kebab-case — through the document's own property names, since `addressStreet1`
could be `address-street1` or `address-street-1` — and then checked like every other answer:
the gate still validates its shape, types and values.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import schemathesis
from schemathesis.core import NOT_SET
from schemathesis.core.transport import Response

DOCUMENT = Path(__file__).resolve().parents[2] / "api" / "persona-openapi.json"


def _property_names(node, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "properties" and isinstance(value, dict):
                out.update(value)
            _property_names(value, out)
    elif isinstance(node, list):
        for value in node:
            _property_names(value, out)
    return out


def _camel(kebab: str) -> str:
    head, *rest = kebab.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _back_to_kebab() -> dict[str, str]:
    names = _property_names(json.loads(DOCUMENT.read_text()), set())
    table: dict[str, str] = {}
    for name in sorted(names):
        if "-" in name:
            table.setdefault(_camel(name), name)
            table.setdefault(name.replace("-", "_"), name)
    return table


BACK_TO_KEBAB = _back_to_kebab()
# Keys the document does not name (an inquiry's own `fields`): Persona's rule, read backwards.
_UPPER = re.compile(r"(?<=[a-z0-9])([A-Z])")


def _kebab(key: str) -> str:
    known = BACK_TO_KEBAB.get(key)
    if known is not None:
        return known
    return _UPPER.sub(lambda m: "-" + m.group(1).lower(), key).replace("_", "-")


def _rekey(value):
    if isinstance(value, dict):
        return {_kebab(k): _rekey(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rekey(v) for v in value]
    return value


@schemathesis.hook
def after_call(context, case, response: Response) -> None:
    inflection = next(
        (v for k, v in (case.headers or {}).items() if k.lower() == "key-inflection"), None
    )
    if inflection not in ("camel", "snake"):
        return
    if not response.headers.get("content-type", [""])[0].startswith("application/json"):
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        return
    response.content = json.dumps(_rekey(body)).encode()
    response.content_size = len(response.content)
    response._deserialized = NOT_SET  # parse the new content, not the cached old one
