"""Both shared vector files (tests/vectors/), through the public Python API."""

import base64
import json
import pathlib

import pytest

import persona

VECTORS = pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors"


def load(name):
    cases = json.loads((VECTORS / name).read_text())["cases"]
    assert len(cases) >= 30
    return cases


def body_of(spec):
    if "utf8" in spec:
        return spec["utf8"].encode()
    if "base64" in spec:
        return base64.b64decode(spec["base64"])
    return (spec["repeat"] * spec["times"]).encode()


@pytest.mark.parametrize("case", load("request_signing.json"), ids=lambda c: c["name"])
def test_request_signing(case):
    if case["op"] == "sign":
        i, expected = case["input"], case["expected"]
        if "error" in expected:
            with pytest.raises(persona.InvalidInputError) as error:
                persona.RequestSigner(i["key_id"], i["secret"]).sign(
                    i["method"], i["url"], body_of(i["body"]), timestamp=i["timestamp"], nonce=i["nonce"]
                )
            assert (error.value.code, error.value.message) == (expected["error"], expected["message"])
            return
        headers = persona.RequestSigner(i["key_id"], i["secret"]).sign(
            i["method"], i["url"], body_of(i["body"]), timestamp=i["timestamp"], nonce=i["nonce"]
        )
        assert list(headers.items()) == [tuple(h) for h in expected["headers"]]
        return
    config = case["verifier"]
    keys = {k["key_id"]: k["secrets"] for k in config["keys"]}
    verifier = persona.RequestVerifier(keys, tolerance=config["tolerance"], replay_cache=10_000 if config["replay_cache"] else 0)
    for step in case["steps"]:
        request, expected = step["request"], step["expected"]
        headers = [tuple(h) for h in request["headers"]]
        if expected["valid"]:
            assert verifier.verify(request["method"], request["url"], headers, body_of(request["body"]), now=step["now"]) == expected["key_id"]
        else:
            with pytest.raises(persona.RequestVerificationError) as error:
                verifier.verify(request["method"], request["url"], headers, body_of(request["body"]), now=step["now"])
            # Code and message: the same, word for word, in every language.
            assert (error.value.code, error.value.message) == (expected["error"], expected["message"])
            if expected["error"] == "missing_header":
                assert expected["header"] in error.value.message


@pytest.mark.parametrize("case", load("webhooks.json"), ids=lambda c: c["name"])
def test_webhooks(case):
    body = body_of(case["body"])
    if case["op"] == "sign":
        assert persona.webhooks.sign(case["secret"], body, case["timestamp"]) == case["expected"]["header"]
        return
    expected = case["expected"]
    header = case["header"] if case["header"] is None or isinstance(case["header"], str) else body_of(case["header"]).decode()
    args = (header, body, case["secrets"])
    options = {"tolerance": case["tolerance"], "now": case["now"]}
    verifier = persona.WebhookVerifier(case["secrets"], tolerance=case["tolerance"])
    if expected["valid"]:
        assert persona.webhooks.verify(*args, **options) is None
        assert verifier.verify(header, body, now=case["now"]) is None
        event = case.get("event")
        if event is None:
            return
        if "error" in event:
            with pytest.raises(persona.InvalidPayloadError) as error:
                persona.webhooks.verify_event(*args, **options)
            assert (error.value.code, error.value.message) == (event["error"], event["message"])
            return
        for got in (persona.webhooks.verify_event(*args, **options), verifier.verify_event(header, body, now=case["now"])):
            assert (got.id, got.name, got.created_at) == (event["id"], event["name"], event.get("created_at"))
            assert got.payload == event["payload"]
    else:
        for call in (lambda: persona.webhooks.verify(*args, **options), lambda: verifier.verify(header, body, now=case["now"])):
            with pytest.raises(persona.WebhookVerificationError) as error:
                call()
            assert (error.value.code, error.value.message) == (expected["error"], expected["message"])
