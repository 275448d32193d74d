"""Persona's whole API from Python (issue 12): every operation of the core's table (generated
from Persona's OpenAPI document) is a method of ``client.api`` on both clients, and each sends
exactly the request its vector in tests/vectors/requests.json pins, against a capturing loopback
server; a create → simulate → webhook → retrieve flow runs on typed calls only."""

import asyncio
import http.server
import json
import os
import pathlib
import queue
import subprocess
import threading
import time

import pytest

import persona
from persona._native import persona as native

from conftest import API_KEY, ROOT, persona_binary

VECTORS = json.loads((ROOT / "tests" / "vectors" / "requests.json").read_text())
OPERATIONS = {operation.id: operation for operation in native.operations()}
PDF = b"%PDF-1.4 request vector"


def test_every_operation_is_a_typed_method_on_both_clients():
    sync, asynchronous = persona.Client(api_key=API_KEY), persona.AsyncClient(api_key=API_KEY)
    missing = []
    for operation in OPERATIONS.values():
        for client in (sync, asynchronous):
            group = getattr(client.api, operation.group, None)
            if not callable(getattr(group, operation.name, None)):
                missing.append(f"{type(client).__name__}.api.{operation.group}.{operation.name}")
    print(f"Python: {len(OPERATIONS) * 2 - len(missing)}/{len(OPERATIONS) * 2} typed operations (Client and AsyncClient)")
    assert not missing, missing
    assert len(OPERATIONS) == VECTORS["operations"] == 167


class Capture(http.server.BaseHTTPRequestHandler):
    requests: "queue.Queue" = queue.Queue()

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        Capture.requests.put((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self.headers, body))
        if self.path.split("?")[0].endswith("/print"):
            kind, answer = "application/pdf", PDF
        else:
            kind, answer = "application/json", b'{"data":{"type":"vector","id":"vec_1","attributes":{}},"included":[],"meta":{"m":1},"links":{}}'
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(answer)))
        self.send_header("Request-Id", "req_vec")
        self.end_headers()
        self.wfile.write(answer)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def capture():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def arguments(case):
    """A vector's call as the generated method's arguments."""
    call = case["call"]
    operation = OPERATIONS[call["operation"]]
    positional = [call["path"][name] for name in operation.path_params]
    keywords = {}
    for name in ("include", "fields", "filter", "body", "idempotency_key"):
        if name in call:
            keywords[name] = call[name]
    if "form" in call:
        keywords["form"] = dict(call["form"])
    for name, value in call.get("page", {}).items():
        keywords[f"page_{name}"] = value
    return operation, positional, keywords


def check(case, reply):
    method, target, headers, raw_headers, body = Capture.requests.get(timeout=5)
    want = case["request"]
    path, _, query = target.partition("?")
    name = case["name"]
    assert (method, path, query) == (want["method"], want["path"], want["query"]), name
    for header, value in want["headers"].items():
        assert raw_headers.get_all(header) == [value], (name, header)
    if want["method"] != "POST":
        assert "idempotency-key" not in headers, name
    assert body.decode() == want["body"], name
    if case["response"]["kind"] == "pdf":
        assert isinstance(reply, persona.BinaryResponse) and reply.content == PDF, name
    else:
        assert isinstance(reply, persona.Response) and reply.meta == {"m": 1} and reply.request_id == "req_vec", name


def test_every_operation_sends_the_request_its_vector_pins(capture):
    with persona.Client(api_key=API_KEY, base_url=capture + VECTORS["base_path"], max_retries=0) as client:
        replayed = set()
        for case in VECTORS["cases"]:
            operation, positional, keywords = arguments(case)
            method = getattr(getattr(client.api, operation.group), operation.name)
            check(case, method(*positional, **keywords))
            replayed.add(operation.id)
    print(f"Python: {len(replayed)}/{len(OPERATIONS)} operations replayed")
    assert replayed == set(OPERATIONS)


def test_the_async_client_sends_the_same_requests(capture):
    async def main():
        async with persona.AsyncClient(api_key=API_KEY, base_url=capture + VECTORS["base_path"], max_retries=0) as client:
            for case in VECTORS["cases"]:
                operation, positional, keywords = arguments(case)
                method = getattr(getattr(client.api, operation.group), operation.name)
                check(case, await method(*positional, **keywords))

    asyncio.run(main())


def test_arguments_an_operation_does_not_declare_are_refused(capture):
    with persona.Client(api_key=API_KEY, base_url=capture + VECTORS["base_path"]) as client:
        with pytest.raises(TypeError):
            client.api.inquiries.retrieve("inq_1", filter={"status": "x"})  # not a keyword of it
        with pytest.raises(persona.InvalidInputError) as error:
            client.api.inquiries.list(filter={"reference_id": "x"})  # Persona's name: reference-id
        assert error.value.code == "invalid_argument" and "reference-id" in str(error.value)
        with pytest.raises(persona.InvalidInputError):
            client.api.inquiries.retrieve("")
    assert Capture.requests.empty()


class Receiver(http.server.BaseHTTPRequestHandler):
    events: "queue.Queue" = queue.Queue()
    secret = "wbhsec_python-typed-flow"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            event = persona.webhooks.verify_event(self.headers.get("Persona-Signature"), body, Receiver.secret)
        except persona.WebhookVerificationError:
            self.send_response(400)
        else:
            Receiver.events.put(event)
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_create_simulate_webhook_retrieve_with_typed_calls_only():
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    env = dict(os.environ, PERSONA_API_KEY=API_KEY, PERSONA_WEBHOOK_SECRET=Receiver.secret)
    url = f"http://127.0.0.1:{receiver.server_address[1]}/webhooks"
    process = subprocess.Popen([persona_binary(), "sandbox", "--port", "0", "--webhook-url", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        origin = process.stdout.readline().split()[-1]
        with persona.Client(api_key=API_KEY, base_url=origin + "/api/v1") as client:
            inquiries = client.api.inquiries
            created = inquiries.create(body={"data": {"attributes": {"inquiry-template-id": "itmpl_python", "reference-id": "py-1"}}})
            inquiry_id = created.data["id"]
            # Typed actions, or names (an open enum): the body is the library's.
            simulated = inquiries.simulate(inquiry_id, [persona.SimulateAction.START_INQUIRY(), "complete_inquiry"])
            assert simulated.data["attributes"]["status"] == "completed"
            deadline, names = time.monotonic() + 10, []
            while "inquiry.completed" not in names and time.monotonic() < deadline:
                event = Receiver.events.get(timeout=max(0.1, deadline - time.monotonic()))
                assert inquiry_id in event.payload_json
                names.append(event.name)
            assert "inquiry.completed" in names, names
            # The typed payload: inquiry.completed carries an inquiry, read by the core.
            inquiry = event.model()
            assert isinstance(inquiry, persona.models.Inquiry) and inquiry.id == inquiry_id
            assert inquiry.status == persona.models.InquiryStatus.COMPLETED()
            assert inquiry.reference_id == "py-1"
            retrieved = inquiries.retrieve(inquiry_id).model()
            assert retrieved.status.is_completed() and retrieved.completed_at is not None
            assert repr(retrieved) == f"Inquiry(type=inquiry, id={inquiry_id})" == str(retrieved)
            assert repr(created).startswith("Response(status=201, type='inquiry'")
    finally:
        process.terminate()
        process.wait(timeout=10)
        receiver.shutdown()


class ListServer(http.server.BaseHTTPRequestHandler):
    """Ids 1..7 in pages of 3: page[after]=N gives the ids after N, page[before]=N those before
    N, with links.next / links.prev as Persona writes them."""

    def do_GET(self):
        import urllib.parse

        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        number = lambda key: int(query[key].removeprefix("inq_")) if key in query else None  # noqa: E731
        after, before = number("page[after]"), number("page[before]")
        if after is not None:
            ids = list(range(after + 1, 8))[:3]
        elif before is not None:
            ids = list(range(1, before))[-3:]
        else:
            ids = [1, 2, 3]
        link = lambda key, n: f"/api/v1/inquiries?page%5B{key}%5D=inq_{n}&page%5Bsize%5D=3"  # noqa: E731
        body = json.dumps({
            "data": [{"type": "inquiry", "id": f"inq_{n}"} for n in ids],
            "links": {"next": link("after", ids[-1]) if ids[-1] < 7 else None, "prev": link("before", ids[0]) if ids[0] > 1 else None},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_list_operations_page_forward_and_backward_on_both_clients():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ListServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    ids = lambda pages: [[item["id"] for item in page.data] for page in pages]  # noqa: E731
    try:
        with persona.Client(api_key=API_KEY, base_url=base) as client:
            forward = ids(client.api.inquiries.list_pages(page_size=3))
            assert forward == [["inq_1", "inq_2", "inq_3"], ["inq_4", "inq_5", "inq_6"], ["inq_7"]]
            backward = ids(client.api.inquiries.list_pages(page_size=3, page_before="inq_7", backward=True))
            assert backward == [["inq_4", "inq_5", "inq_6"], ["inq_1", "inq_2", "inq_3"]]
            first = client.api.inquiries.list(page_size=3)
            assert (first.next_cursor, first.previous_cursor) == ("inq_3", None)

        async def main():
            async with persona.AsyncClient(api_key=API_KEY, base_url=base) as client:
                return [[item["id"] for item in page.data] async for page in client.api.inquiries.list_pages(page_size=3)]

        assert asyncio.run(main()) == forward
    finally:
        server.shutdown()


def test_webhook_events_are_the_documents_and_open():
    body = json.dumps({"data": {"type": "event", "id": "evt_1", "attributes": {
        "name": "inquiry.completed", "payload": {"data": {"type": "inquiry", "id": "inq_1"}}}}}).encode()
    header = persona.webhooks.sign("s", body, 1)
    event = persona.webhooks.verify_event(header, body, "s", now=1)
    assert event.name == persona.events.INQUIRY_COMPLETED
    assert (event.resource_type, event.resource["id"]) == ("inquiry", "inq_1")
    assert len(persona.events.RESOURCE_TYPES) == 15
    other = json.dumps({"data": {"type": "event", "id": "evt_2", "attributes": {"name": "report/new.kind"}}}).encode()
    event = persona.webhooks.verify_event(persona.webhooks.sign("s", other, 1), other, "s", now=1)
    assert (event.name, event.resource_type, event.resource) == ("report/new.kind", None, None)


def test_simulate_sends_the_documents_body_and_refuses_an_action_without_its_data():
    from persona._client import _simulate_body

    actions = [persona.SimulateAction.START_INQUIRY(), "approve_inquiry", "a_new_action",
               persona.SimulateAction.CREATE_PASSED_VERIFICATION(verification_template_id="vtmpl_1")]
    assert _simulate_body(actions) == {"meta": {"simulate-actions": [
        {"type": "start_inquiry"}, {"type": "approve_inquiry"}, {"type": "a_new_action"},
        {"type": "create_passed_verification", "data": {"verification-template-id": "vtmpl_1"}}]}}
    with pytest.raises(persona.InvalidInputError) as error:
        _simulate_body(["create_failed_verification"])
    assert "verification-template-id" in str(error.value)
    with pytest.raises(TypeError):
        _simulate_body("start_inquiry")
