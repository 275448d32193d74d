"""Fixtures: a real `persona sandbox` process on an ephemeral loopback port."""

import json
import os
import pathlib
import subprocess
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
API_KEY = "persona_sandbox_PYTEST-KEY-do-not-leak"
KEY_ID = "kid_pytest"
SECRET = "pytest-SECRET-do-not-leak"
ADMIN_TOKEN = "sbx_admin_pytest"


def persona_binary() -> str:
    return os.environ.get("PERSONA_BIN", str(ROOT / "target" / "debug" / "persona"))


class Sandbox:
    def __init__(self) -> None:
        env = dict(os.environ, PERSONA_API_KEY=API_KEY, PERSONA_API_KEY_ID=KEY_ID, PERSONA_API_KEY_SECRET=SECRET,
                   PERSONA_SANDBOX_ADMIN_TOKEN=ADMIN_TOKEN)
        self.process = subprocess.Popen(
            [persona_binary(), "sandbox", "--port", "0", "--rate-limit", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
        )
        line = self.process.stdout.readline()
        assert line.startswith("listening on "), line + self.process.stderr.read()
        self.origin = line.split()[-1]
        self.base_url = self.origin + "/api/v1"

    def admin(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.origin + "/_sandbox/" + path, data=data, method=method, headers={"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_TOKEN}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def inject(self, **rule) -> None:
        self.admin("POST", "faults", rule)

    def inquiry_count(self) -> int:
        return self.admin("GET", "stats")["inquiries"]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def sandbox():
    server = Sandbox()
    yield server
    server.stop()
