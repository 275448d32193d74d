"""The Python client against a real `persona sandbox` process over loopback."""

import asyncio
import threading
import time

import pytest

import persona
from conftest import API_KEY, KEY_ID, SECRET


def make_client(sandbox, **options):
    options.setdefault("api_key", API_KEY)
    return persona.Client(base_url=sandbox.base_url, **options)


TEMPLATE = {"inquiry-template-id": "itmpl_py"}


def body(**attributes):
    return {"data": {"attributes": dict(TEMPLATE, **attributes)}}


def test_inquiry_lifecycle_and_resources(sandbox):
    for credentials in ({"api_key": API_KEY}, {"key_id": KEY_ID, "secret": SECRET}):
        with persona.Client(base_url=sandbox.base_url, **credentials) as client:
            inquiry = client.inquiries.create(body=body(**{"reference-id": "py-1"}))
            assert inquiry.id.startswith("inq_") and inquiry.attributes["status"] == "created"
            assert client.inquiries.retrieve(inquiry.id).attributes["reference-id"] == "py-1"
            updated = client.inquiries.update(inquiry.id, body={"data": {"attributes": {"note": "n"}}})
            assert updated.attributes["note"] == "n"
            completed = client.inquiries.perform_simulate_actions(
                inquiry.id, body={"meta": {"simulate-actions": [{"type": "start_inquiry"}, {"type": "complete_inquiry"}]}}
            )
            assert completed.attributes["status"] == "completed"
            verification_id = completed.data["relationships"]["verifications"]["data"][0]["id"]
            assert client.verifications.retrieve(verification_id).attributes["status"] == "passed"
            assert client.inquiries.approve(inquiry.id).attributes["status"] == "approved"
            assert client.inquiries.resume(inquiry.id).meta["session-token"].startswith("sess_")
            account = client.accounts.create(body={"data": {"attributes": {"reference-id": "acct"}}})
            assert client.accounts.retrieve(account.id).attributes["reference-id"] == "acct"
            assert client.events.list().data[0]["type"] == "event"
            raw = client.request("GET", f"/inquiries/{inquiry.id}")
            assert raw["data"]["attributes"]["status"] == "approved"


def test_pagination_over_three_pages(sandbox):
    with make_client(sandbox) as client:
        reference = f"page-{time.time_ns()}"
        created = {client.inquiries.create(body=body(**{"reference-id": reference})).id for _ in range(7)}
        pages = list(client.inquiries.list_pages(page_size=3, filter={"reference-id": reference}))
        listed = [item["id"] for page in pages for item in page.data]
        assert [len(page.data) for page in pages] == [3, 3, 1]
        assert set(listed) == created and len(listed) == 7


def test_typed_errors(sandbox):
    with make_client(sandbox) as client:
        with pytest.raises(persona.NotFoundError) as error:
            client.inquiries.retrieve("inq_missing")
        assert error.value.status == 404 and error.value.request_id.startswith("req_")
        with pytest.raises(persona.ValidationError) as error:
            client.inquiries.create(body={"data": {"attributes": {}}})
        assert error.value.errors[0]["pointer"] == "/data/attributes/inquiry-template-id"
        client.inquiries.create(body=body(), idempotency_key="py-reuse-1")
        with pytest.raises(persona.ConflictError):
            client.inquiries.create(body={"data": {"attributes": {"inquiry-template-id": "other"}}}, idempotency_key="py-reuse-1")
    with persona.Client(base_url=sandbox.base_url, api_key="persona_sandbox_wrong") as client:
        with pytest.raises(persona.AuthenticationError) as error:
            client.inquiries.retrieve("inq_x")
        assert API_KEY not in str(error.value) and "wrong" not in repr(error.value)
    with pytest.raises(persona.ConfigurationError):
        persona.Client(base_url="http://example.com/api/v1", api_key=API_KEY)


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 429, "retry_after": 0},
        {"kind": "status", "status": 502},
        {"kind": "status", "status": 503},
        {"kind": "status", "status": 504},
        {"kind": "reset"},
        {"kind": "lose_response"},
    ],
    ids=lambda f: f"{f['kind']}-{f.get('status', '')}",
)
def test_faults_never_create_two_inquiries(sandbox, fault):
    with make_client(sandbox, key_id=None) as client:
        before = sandbox.inquiry_count()
        sandbox.inject(method="POST", path="/api/v1/inquiries", count=2, **fault)
        client.inquiries.create(body=body())
        assert sandbox.inquiry_count() == before + 1


def test_post_500_surfaces_with_its_idempotency_key(sandbox):
    with make_client(sandbox) as client:
        sandbox.inject(method="POST", path="/api/v1/inquiries", kind="status", status=500)
        with pytest.raises(persona.ServerError) as error:
            client.inquiries.create(body=body())
        assert error.value.status == 500 and error.value.idempotency_key


def test_async_client(sandbox):
    async def main():
        async with persona.AsyncClient(base_url=sandbox.base_url, key_id=KEY_ID, secret=SECRET) as client:
            before = sandbox.inquiry_count()
            sandbox.inject(method="POST", path="/api/v1/inquiries", kind="lose_response")
            created = await asyncio.gather(*(client.inquiries.create(body=body()) for _ in range(8)))
            assert len({i.id for i in created}) == 8 and sandbox.inquiry_count() == before + 8
            fetched = await client.inquiries.retrieve(created[0].id)
            assert fetched.id == created[0].id
            listed = [item async for page in client.inquiries.list_pages(page_size=4) for item in page.data]
            assert len(listed) >= 8
            with pytest.raises(persona.NotFoundError):
                await client.inquiries.retrieve("inq_missing")

    asyncio.run(main())


def test_sync_and_async_clients_share_one_runtime(sandbox):
    """Both clients run on libpersona's one tokio runtime (threads named `persona-runtime`); no
    second runtime (UniFFI's async-compat, or a default tokio one) is ever started."""
    import os

    with make_client(sandbox) as client:
        client.inquiries.create(body=body())

    async def main():
        async with persona.AsyncClient(base_url=sandbox.base_url, api_key=API_KEY) as client:
            await client.inquiries.create(body=body())

    asyncio.run(main())
    names = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/comm") as comm:
            names.append(comm.read().strip())
    assert "persona-runtime" in names, names
    assert not [n for n in names if n.startswith(("async-compat", "tokio-runtime"))], names


def test_threads_share_one_client_and_release_the_gil(sandbox):
    with make_client(sandbox) as client:
        # Each call waits 200 ms inside the sandbox: serial would take 16 × 0.2 s.
        sandbox.inject(method="GET", path="/api/v1/inquiries", kind="delay", delay_ms=200, count=16)
        results = []
        threads = [threading.Thread(target=lambda: results.append(client.inquiries.list(page_size=1))) for _ in range(16)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        assert len(results) == 16
        assert elapsed < 16 * 0.2 / 2, f"calls did not overlap: {elapsed:.2f}s"


def test_secrets_never_appear_in_repr_str_or_errors(sandbox):
    client = persona.Client(base_url=sandbox.base_url, key_id=KEY_ID, secret=SECRET)
    signer = persona.RequestSigner(KEY_ID, SECRET)
    verifier = persona.webhooks.WebhookVerifier(["wbhsec_SECRET_value"])
    texts = [repr(client), str(client), repr(signer), repr(verifier), repr(persona.RequestVerifier({KEY_ID: SECRET}))]
    try:
        persona.RequestSigner(KEY_ID, SECRET).sign("GET", "https://h/", nonce="bad")
    except persona.PersonaError as error:
        texts += [str(error), repr(error)]
    for text in texts:
        assert SECRET not in text and "wbhsec_SECRET_value" not in text and API_KEY not in text, text


def test_closed_client_raises(sandbox):
    client = make_client(sandbox)
    client.close()
    with pytest.raises(persona.PersonaError):
        client.inquiries.retrieve("inq_x")


def test_relationships_resolve_to_included_resources():
    import json
    from types import SimpleNamespace

    document = {
        "data": {
            "type": "inquiry", "id": "inq_1", "attributes": {"status": "completed"},
            "relationships": {
                "verifications": {"data": [{"type": "verification/government-id", "id": "ver_1"}, {"type": "verification/selfie", "id": "ver_2"}]},
                "account": {"data": {"type": "account", "id": "act_1"}},
                "template": {"data": None},
            },
        },
        "included": [
            {"type": "verification/selfie", "id": "ver_2", "attributes": {"status": "passed"}},
            {"type": "account", "id": "act_1", "attributes": {}},
            {"type": "verification/government-id", "id": "ver_9", "attributes": {}},
        ],
    }
    reply = SimpleNamespace(status=200, request_id="req_1", attempts=1, body_json=json.dumps(document), next_cursor=None, previous_cursor=None)
    response = persona.Response(reply)
    assert [r["id"] for r in response.related("verifications")] == ["ver_2"]  # ver_1 was not included
    assert [r["id"] for r in response.related("account")] == ["act_1"]
    assert response.related("template") == [] and response.related("missing") == []
    other = {"relationships": {"account": {"data": {"type": "account", "id": "act_1"}}}}
    assert [r["id"] for r in response.related("account", other)] == ["act_1"]
    assert (response.id, response.attributes["status"]) == ("inq_1", "completed")
    assert repr(response) == "Response(status=200, type='inquiry', id='inq_1')"
