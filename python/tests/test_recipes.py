"""The README's recipes, run for real: each framework's own test client drives the recipe app,
and the proxy forwards to a real sandbox. The README must show each recipe file verbatim."""

import importlib
import json
import pathlib
import sys
import time
import types

import pytest

import persona
from conftest import API_KEY

RECIPES = pathlib.Path(__file__).resolve().parents[1] / "recipes"
README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
sys.path.insert(0, str(RECIPES))

EVENT = json.dumps({"data": {"type": "event", "id": "evt_r", "attributes": {"name": "inquiry.completed"}}}).encode()


def signed(secret="wbhsec_previous"):
    return persona.webhooks.sign(secret, EVENT, int(time.time()))


@pytest.mark.parametrize("name", ["flask_webhook.py", "fastapi_webhook.py", "django_webhook.py", "proxy.py"])
def test_readme_shows_each_recipe_verbatim(name):
    assert (RECIPES / name).read_text().strip() in README.read_text(), f"README is missing python/recipes/{name} as is"


def test_flask():
    app = importlib.import_module("flask_webhook").app
    client = app.test_client()
    assert client.post("/persona/webhooks", data=EVENT, headers={"Persona-Signature": signed()}).status_code == 204
    assert client.post("/persona/webhooks", data=EVENT + b" ", headers={"Persona-Signature": signed()}).status_code == 400
    assert client.post("/persona/webhooks", data=EVENT).status_code == 400


def test_fastapi():
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    client = TestClient(importlib.import_module("fastapi_webhook").app)
    assert client.post("/persona/webhooks", content=EVENT, headers={"Persona-Signature": signed("wbhsec_current")}).status_code == 204
    response = client.post("/persona/webhooks", content=EVENT, headers={"Persona-Signature": signed("wbhsec_other")})
    assert response.status_code == 400 and response.json()["detail"] == "no_matching_signature"


def test_django():
    import django
    from django.conf import settings

    if not settings.configured:
        urls = types.ModuleType("recipe_urls")
        settings.configure(DEBUG=True, SECRET_KEY="test-only", ROOT_URLCONF="recipe_urls", ALLOWED_HOSTS=["testserver"], MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"])
        django.setup()
        from django.urls import path

        urls.urlpatterns = [path("persona/webhooks", importlib.import_module("django_webhook").persona_webhook)]
        sys.modules["recipe_urls"] = urls
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    ok = client.post("/persona/webhooks", data=EVENT, content_type="application/json", HTTP_PERSONA_SIGNATURE=signed())
    assert ok.status_code == 204
    bad = client.post("/persona/webhooks", data=EVENT, content_type="application/json", HTTP_PERSONA_SIGNATURE="t=1,v1=00")
    assert bad.status_code == 400


def test_proxy_forwards_verified_requests_with_the_real_key(sandbox):
    proxy = importlib.import_module("proxy").PersonaProxy({"kid_tool": ["tool-secret"]}, api_key=API_KEY, base_url=sandbox.base_url)
    tool = persona.RequestSigner("kid_tool", "tool-secret")
    body = json.dumps({"data": {"attributes": {"inquiry-template-id": "itmpl_proxy"}}}).encode()
    headers = tool.sign("POST", "https://proxy.example.com/api/v1/inquiries", body)
    status, result = proxy.handle("POST", "/api/v1/inquiries", headers, body)
    assert status == 200 and result["data"]["id"].startswith("inq_") and result["meta"]["signed-by"] == "kid_tool"
    assert proxy.handle("POST", "/api/v1/inquiries", headers, body)[0] == 401, "a replayed request is refused"
    forged = persona.RequestSigner("kid_tool", "wrong").sign("GET", "https://proxy.example.com/api/v1/inquiries")
    assert proxy.handle("GET", "/api/v1/inquiries", forged, b"")[0] == 401
    listing = tool.sign("GET", "https://proxy.example.com/api/v1/inquiries?page[size]=2")
    status, result = proxy.handle("GET", "/api/v1/inquiries?page[size]=2", listing, b"")
    assert status == 200 and len(result["data"]) <= 2
