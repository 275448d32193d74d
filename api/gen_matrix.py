"""The cross-language matrix (tests/vectors/matrix.json): every operation of the document called
through each language's typed method against a real sandbox, with a body built from the
document's request schema and ids of objects that exist.

The objects come from the sandbox's `POST /_sandbox/fixtures` (admin): one fresh object per
operation and path parameter, of the type the operation answers (or, for a parent id such as the
`inquiry-id` of `/inquiries/{inquiry-id}/approve`, the type the parameter names), so no call
depends on another's side effects (an approve and a decline each have their own inquiry). Each
call expects one of the success statuses the operation declares, except where the document cannot say what makes a
call succeed (`EXPECTED`, each with its reason).
"""

from __future__ import annotations

import json

import gen_sandbox

# Calls whose success needs something the document cannot express: a different outcome, and why.
EXPECTED = {
    "create-access-token": (
        400,
        "an authorization code is one create-authorization issued, usable once (RFC 6749 §4.1.2); "
        "the matrix has none to give",
    ),
}

# Bodies the document's schema allows but Persona refuses (sandbox/conformance-baseline.json
# says why): the smallest body Persona accepts instead.
BODIES = {
    "create-an-inquiry": {"data": {"attributes": {"inquiry-template-id": "itmpl_matrix"}}},
    "create-a-report": {"data": {"attributes": {"report-template-id": "rptp_matrix"}}},
    "create-a-case": {"data": {"attributes": {"case-template-id": "ctmpl_matrix"}}},
    "create-authorization": None,  # a form body: see FORMS
}
FORMS = {
    "create-authorization": [["client-id", "matrix"], ["response-type", "code"], ["scope", "read"]],
    "create-access-token": [["code", "matrix-unissued-code"], ["grant-type", "authorization_code"]],
}


def example(document, node, depth: int = 0):
    """A value valid against `node`: the document's example where it gives one, else the
    simplest value of its type, with an object's required members only."""
    # A `$ref` with siblings (`required` beside it) is both.
    node = {**document.resolve(node), **{k: v for k, v in node.items() if k != "$ref"}} if node else {}
    if depth > 12:
        return None
    if node.get("examples"):
        return node["examples"][0]
    if "example" in node:
        return node["example"]
    if "const" in node:
        return node["const"]
    if "enum" in node:
        return node["enum"][0]
    for key in ("oneOf", "anyOf"):
        for part in node.get(key, []):
            part = document.resolve(part)
            if part.get("type") != "null" and part.get("const", 0) is not None:
                return example(document, part, depth + 1)
    if "allOf" in node:
        merged = {}
        for part in node["allOf"]:
            value = example(document, part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        if merged or node.get("type") == "object":
            return merged
    kind = node.get("type")
    kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
    if kind == "object" or "properties" in node:
        properties = node.get("properties", {})
        return {name: example(document, properties.get(name, {}), depth + 1) for name in node.get("required", [])}
    return {"array": [], "string": "matrix", "integer": 1, "number": 1, "boolean": True}.get(kind)


def request_body(document, op):
    """`op`'s request body built by `example`, and its media type (JSON preferred)."""
    body = op.get("requestBody")
    if not body:
        return None, None
    content = document.resolve(body).get("content", {})
    for media in ("application/json", "multipart/form-data", "application/x-www-form-urlencoded"):
        if media in content:
            return example(document, content[media]["schema"]), media
    return None, None


def matrix(document) -> str:
    served = {op_id: (status, types) for op_id, status, types in gen_sandbox.operations_served(document)}
    prefixes = gen_sandbox.id_prefixes(document)
    types = list(gen_sandbox.resource_types(document))
    fixtures, calls = [], []
    for index, (path, method, op, parameters) in enumerate(document.operations()):
        op_id = op["operationId"]
        status, answers = served[op_id]
        names = [p["name"] for p in parameters if p.get("in") == "path"]
        call: dict = {"operation": op_id}
        values = {}
        for position, name in enumerate(names):
            base = name.removesuffix("-id")
            last = position == len(names) - 1
            kinds = (answers if last else []) or [t for t in types if t == base or t.startswith(base + "/")]
            if not kinds:
                # A dashboard object (a workflow): Persona's dashboard made it; any id names one.
                values[name] = f"{base[:3]}_matrix{index}"
                continue
            kind = kinds[0]
            fixture_id = f"{prefixes.get(kind, 'obj')}_mx{index}{'p' if not last else ''}"
            fixtures.append({"type": kind, "id": fixture_id})
            values[name] = fixture_id
        if values:
            call["path"] = values
        if op_id in FORMS:
            call["form"] = FORMS[op_id]
        elif op_id in BODIES:
            if BODIES[op_id] is not None:
                call["body"] = BODIES[op_id]
        else:
            body, media = request_body(document, op)
            if media == "application/json" and body is not None:
                call["body"] = body
        for filter_name in _required_filters(document, parameters):
            call.setdefault("filter", {})[filter_name] = f"matrix-{filter_name}"
        # Every success status the document declares (create-an-account declares 200 and 201).
        successes = sorted(int(code) for code in op.get("responses", {}) if code.startswith("2"))
        expect, why = EXPECTED.get(op_id, (successes or [status], None))
        entry = {"call": call, "status": expect if isinstance(expect, list) else [expect]}
        if why:
            entry["why"] = why
        calls.append(entry)
    return json.dumps(
        {
            "about": "Generated by api/generate.py (api/gen_matrix.py) from api/persona-openapi.json: "
            "every operation, called through each language's typed method against a sandbox "
            "holding `fixtures` (POST /_sandbox/fixtures), must answer one of `status`.",
            "fixtures": fixtures,
            "calls": calls,
        },
        indent=1,
        ensure_ascii=False,
        sort_keys=True,
    ) + "\n"


def _required_filters(document, parameters) -> list[str]:
    for parameter in parameters:
        if parameter.get("in") == "query" and parameter.get("name") == "filter" and parameter.get("required"):
            return list(document.resolve(parameter.get("schema", {})).get("required", []))
    return []
