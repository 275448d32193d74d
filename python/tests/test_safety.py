"""Bad inputs raise PersonaError subclasses or TypeError; a Rust panic is an exception, never a
crash."""

import pytest

import persona

NOW = 1_700_000_000


@pytest.mark.parametrize("body", [None, 123, "text", ["list"]])
def test_bad_body_types(body):
    with pytest.raises(TypeError):
        persona.webhooks.verify("t=1,v1=00", body, "s", now=NOW)
    with pytest.raises(TypeError):
        persona.RequestSigner("kid", "s").sign("GET", "https://h/", body)


def test_bodies_accept_bytes_like():
    header = persona.webhooks.sign("s", b"abc", NOW)
    for body in (b"abc", bytearray(b"abc"), memoryview(b"abc")):
        persona.webhooks.verify(header, body, "s", now=NOW)
        assert persona.RequestSigner("kid", "s").sign("POST", "https://h/", body, timestamp=NOW, nonce="nonce-123")


def test_bad_strings_and_values():
    with pytest.raises(TypeError):
        persona.RequestSigner(None, "s")
    with pytest.raises(persona.InvalidInputError) as error:
        persona.RequestSigner("bad id", "s")
    assert error.value.code == "invalid_key_id"
    with pytest.raises(persona.InvalidInputError):
        persona.RequestSigner("kid", "")
    with pytest.raises(persona.InvalidInputError):
        persona.RequestSigner("kid", "s").sign("GET", "https://h/\0x")
    with pytest.raises(persona.InvalidInputError):
        persona.RequestSigner("kid", "s").sign("GET", "https://h/\udcff")
    with pytest.raises(persona.WebhookVerificationError) as error:
        persona.webhooks.verify(None, b"x", "s", now=NOW)
    assert error.value.code == "missing_header"
    with pytest.raises(persona.WebhookVerificationError):
        persona.webhooks.verify("t=1,v1=\udcff", b"x", "s", now=NOW)
    with pytest.raises(TypeError):
        persona.webhooks.verify("t=1", b"x", "s", now="soon")
    with pytest.raises(persona.InvalidInputError):
        persona.webhooks.WebhookVerifier([""])
    with pytest.raises(persona.ConfigurationError):
        persona.webhooks.WebhookVerifier([])


def test_huge_body_round_trip():
    body = b"\xff" * (8 * 1024 * 1024)
    header = persona.webhooks.sign("s", body, NOW)
    assert persona.webhooks.verify(header, body, "s", now=NOW).raw is body


def test_event_fields_of_a_non_event_body():
    header = persona.webhooks.sign("s", b"not json", NOW)
    event = persona.webhooks.verify(header, b"not json", "s", now=NOW)
    with pytest.raises(persona.InvalidPayloadError):
        event.name


def test_panic_in_rust_is_an_exception_and_the_process_survives():
    """Against a test-hooks build of libpersona (never shipped: the wheel's library has no panic
    trigger), loaded through the package's own C ABI layer."""
    import os
    import subprocess
    import sys

    library = os.environ.get("PERSONA_TEST_HOOKS_LIBRARY")
    if not library:
        pytest.skip("PERSONA_TEST_HOOKS_LIBRARY (a `cargo build -p persona-ffi --features test-hooks` library) is not set")
    script = """
import persona
from persona import _cabi
code = _cabi.lib.persona_debug_trigger_panic()
error = _cabi.error(code)
assert isinstance(error, persona.InternalError), error
assert "deliberate panic" in str(error), error
# The library still works afterwards.
assert persona.webhooks.sign("s", b"x", 1700000000).startswith("t=")
print("survived")
"""
    out = subprocess.run([sys.executable, "-c", script], env=dict(os.environ, PERSONA_LIBRARY=library), capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "survived", out.stderr


def test_import_does_not_load_the_client():
    """`import persona` stays light (the import-time figure lives in python/benches)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import persona"], capture_output=True, text=True, check=True).stderr
    assert "asyncio" not in out, "import persona must not import asyncio (the client loads lazily)"
    assert "persona._native" not in out, "the UniFFI module must load only with the client"


def test_generated_cffi_module_is_current():
    import pathlib
    import subprocess
    import sys

    tool = pathlib.Path(__file__).resolve().parents[1] / "tools" / "gen_cffi.py"
    subprocess.run([sys.executable, str(tool), "--check"], check=True, capture_output=True)


def test_ctypes_fallback_matches_the_cffi_path(monkeypatch):
    from persona import _cabi

    assert _cabi.hot is not None, "cffi is a dependency: the fast path must be active"
    header = persona.webhooks.sign("s", b"body", NOW)
    signer = persona.RequestSigner("kid", "s")
    fast = signer.sign("POST", "https://h/p?b=1&a=2", b"body", timestamp=NOW, nonce="nonce-123")
    monkeypatch.setattr(_cabi, "hot", None)
    verifier = persona.webhooks.WebhookVerifier(["s"])
    assert verifier.verify(header, b"body", now=NOW).raw == b"body"
    with pytest.raises(persona.WebhookVerificationError):
        verifier.verify(header, b"other", now=NOW)
    slow_signer = persona.RequestSigner("kid", "s")
    assert slow_signer.sign("POST", "https://h/p?b=1&a=2", b"body", timestamp=NOW, nonce="nonce-123") == fast


def test_verify_never_reuses_a_verifier_for_mutated_secrets():
    secrets = ["old-secret"]
    header = persona.webhooks.sign("old-secret", b"x", NOW)
    persona.webhooks.verify(header, b"x", secrets, now=NOW)
    secrets[0] = "new-secret"  # the old secret was rotated out
    with pytest.raises(persona.WebhookVerificationError):
        persona.webhooks.verify(header, b"x", secrets, now=NOW)
    # A str is immutable: the fast path is safe and still checks the signature.
    persona.webhooks.verify(header, b"x", "old-secret", now=NOW)
    with pytest.raises(persona.WebhookVerificationError):
        persona.webhooks.verify(header, b"y", "old-secret", now=NOW)
