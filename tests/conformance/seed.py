"""Real ids for the conformance gate: objects made in the running sandbox through the API itself,
so that schemathesis reaches the operations that take an id with an id that exists (otherwise
every one of them only ever meets a 404).

How the objects come to exist is how they do at Persona: every create operation is sent a body
built from its request schema (required members, the document's examples); an inquiry is
simulated through its lifecycle with a passed verification (Persona creates the verification);
a workflow is triggered; every list is read for the objects Persona makes on its own (API logs,
events, sessions, their devices…). Each
path parameter of each operation is then given an id of a resource type that operation answers
(the types come from the document's schemas, as the sandbox's own table does).
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "api"))

import gen_sandbox  # noqa: E402  (the document's resource types per operation, one reading)
from gen_matrix import request_body  # noqa: E402  (bodies from the document's request schemas, one builder)
from generate import Document  # noqa: E402

DOCUMENT = ROOT / "api" / "persona-openapi.json"


def _call(base: str, api_key: str, method: str, path: str, query: str = "", body: str = "", headers=None):
    request = urllib.request.Request(
        base + path + ("?" + query if query else ""),
        method=method,
        data=body.encode() if body else None,
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        raw = error.read()
    try:
        return json.loads(raw)
    except ValueError:
        return {}


def _objects(answer) -> list[dict]:
    data = answer.get("data") if isinstance(answer, dict) else None
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    items += answer.get("included", []) if isinstance(answer, dict) else []
    return [item for item in items if isinstance(item, dict) and "id" in item and "type" in item]


def _multipart(base: str, api_key: str, path: str, body) -> dict:
    attributes = (body or {}).get("data", {}).get("attributes", {})
    boundary = "conformance-boundary"
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="data[attributes][{name}]"\r\n\r\n{value}\r\n'
        for name, value in attributes.items()
    )
    return _call(base, api_key, "POST", path, body=parts + f"--{boundary}--\r\n",
                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def path_parameters(base: str, api_key: str, admin_token: str = "") -> dict[str, dict[str, str]]:
    """operationId → {path parameter: an existing id} for every operation that takes ids."""
    document = Document(json.loads(DOCUMENT.read_text()))
    answers = {op_id: types for op_id, _status, types in gen_sandbox.operations_served(document)}

    ids: dict[str, list[str]] = {}

    def remember(answer) -> None:
        for item in _objects(answer):
            ids.setdefault(item["type"], []).append(item["id"])

    # Every create, with a body built from the document's own request schema and examples.
    for path, method, op, _ in document.operations():
        if method != "post" or "{" in path:
            continue
        body, media = request_body(document, op)
        if media == "application/json":
            remember(_call(base, api_key, "POST", path, body=json.dumps(body)))
        elif media == "multipart/form-data":
            remember(_multipart(base, api_key, path, body))

    # Persona's own objects: a verification from a simulated inquiry, its session, events.
    inquiry = _call(base, api_key, "POST", "/inquiries", body=json.dumps(
        {"data": {"attributes": {"inquiry-template-id": "itmpl_conformance"}}}))
    remember(inquiry)
    inquiry_id = (inquiry.get("data") or {}).get("id")
    if inquiry_id:
        remember(_call(base, api_key, "POST", f"/inquiries/{inquiry_id}/resume"))
        # One verification of every type the document names: the sandbox reads the type from
        # the template id (`vtmpl_selfie…`), as Persona reads it from the template.
        kinds = [t.removeprefix("verification/") for t in gen_sandbox.resource_types(document) if t.startswith("verification/")]
        remember(_call(base, api_key, "POST", f"/inquiries/{inquiry_id}/perform-simulate-actions", body=json.dumps(
            {"meta": {"simulate-actions": [{"type": "start_inquiry"}] + [
                {"type": "create_passed_verification", "data": {"verification-template-id": f"vtmpl_{kind}_conformance"}}
                for kind in kinds
            ]}})))
        remember(_call(base, api_key, "GET", f"/inquiries/{inquiry_id}", "include=verifications,sessions"))

    # A dashboard user's request is a user audit log; the sandbox's admin routes are its dashboard.
    if admin_token:
        _call(base.removesuffix("/api/v1"), admin_token, "GET", "/_sandbox/stats")
    # A workflow is configured in Persona's dashboard; triggering one makes a run.
    remember(_call(base, api_key, "POST", "/workflows/wfl_conformance/trigger", body=json.dumps({"data": {"attributes": {}}})))

    for path, method, op, _ in document.operations():
        if method == "get" and "{" not in path:
            remember(_call(base, api_key, "GET", path, "page[size]=100"))

    # A device is listed by the session it opened on (the filter the document requires).
    for session in ids.get("inquiry-session", []):
        remember(_call(base, api_key, "GET", "/devices", f"filter[inquiry-session-id]={session}"))

    out: dict[str, dict[str, str]] = {}
    for path, _method, op, parameters in document.operations():
        names = [p["name"] for p in parameters if p.get("in") == "path"]
        if not names:
            continue
        chosen = {}
        for index, name in enumerate(names):
            last = index == len(names) - 1
            # The last id is the operation's own resource; an earlier one names its parent.
            kinds = answers.get(op["operationId"], []) if last else []
            # A PDF's operation answers no type: the one its id names, of any kind.
            base_type = name.removesuffix("-id")
            kinds = kinds or [k for k in sorted(ids) if k == base_type or k.startswith(base_type + "/")]
            found = next((ids[kind][0] for kind in kinds if ids.get(kind)), None)
            if found is None and not last:
                break
            if found is not None:
                chosen[name] = found
        if chosen:
            out[op["operationId"]] = chosen
    return out


def schemathesis_config(parameters: dict[str, dict[str, str]]) -> str:
    """A schemathesis.toml giving each operation its ids."""
    lines = []
    for operation_id, values in sorted(parameters.items()):
        lines.append("[[operations]]")
        lines.append(f"include-operation-id = {json.dumps(operation_id)}")
        pairs = ", ".join(f"{json.dumps(name)} = {json.dumps(value)}" for name, value in values.items())
        lines.append(f"parameters = {{ {pairs} }}")
        lines.append("")
    return "\n".join(lines)
