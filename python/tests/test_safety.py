"""Bad input gets the library's typed error, never a silent change of meaning; a Rust panic is an
exception, never a crash; secrets and personal data never print."""

import json
import os
import subprocess
import sys

import pytest

import persona

NOW = 1_700_000_000
I64_MAX = 2**63 - 1


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
    with pytest.raises(persona.InvalidInputError) as error:
        persona.RequestSigner("kid", "s").sign("GET", "https://h/\udcff")
    assert error.value.code == "invalid_argument" and "`url`" in error.value.message
    signer = persona.RequestSigner("kid", "s")
    for name, call in [
        ("method", lambda: signer.sign(b"GET", "https://h/")),
        ("url", lambda: signer.sign("GET", None)),
        ("nonce", lambda: signer.sign("GET", "https://h/", nonce=b"n" * 32)),
        ("timestamp", lambda: signer.sign("GET", "https://h/", timestamp=float(NOW))),
    ]:
        with pytest.raises(TypeError, match=name):
            call()
    with pytest.raises(persona.InvalidInputError) as error:
        signer.sign("GET", "https://h/", nonce="\udcff" * 32)
    assert error.value.code == "invalid_argument" and "`nonce`" in error.value.message
    with pytest.raises(persona.WebhookVerificationError) as error:
        persona.webhooks.verify(None, b"x", "s", now=NOW)
    assert error.value.code == "missing_header"
    with pytest.raises(persona.WebhookVerificationError):
        persona.webhooks.verify("t=1,v1=\udcff", b"x", "s", now=NOW)
    with pytest.raises(TypeError):
        persona.webhooks.verify("t=1", b"x", "s", now="soon")
    with pytest.raises(persona.InvalidInputError):
        persona.WebhookVerifier([""])
    with pytest.raises(persona.ConfigurationError) as error:
        persona.WebhookVerifier([])
    assert error.value.code == "configuration" and "at least one secret" in error.value.message


def invalid_argument(call, name):
    """Asserts ``call`` raises the library's ``invalid_argument`` naming the Python parameter."""
    with pytest.raises(persona.InvalidInputError) as error:
        call()
    assert error.value.code == "invalid_argument", error.value
    assert f"invalid argument `{name}`" in error.value.message, error.value.message
    return error.value


def test_integers_out_of_range_are_errors_never_a_wrap():
    # Each of these was silently wrapped by the old ctypes path (2**64 became 0: no replay cache).
    invalid_argument(lambda: persona.RequestVerifier({"kid": "s"}, replay_cache=2**64), "replay_cache")
    invalid_argument(lambda: persona.RequestVerifier({"kid": "s"}, replay_cache=-1), "replay_cache")
    invalid_argument(lambda: persona.RequestVerifier({"kid": "s"}, tolerance=2**64 + 20), "tolerance")
    invalid_argument(lambda: persona.RequestVerifier({"kid": "s"}, tolerance=-1), "tolerance")
    invalid_argument(lambda: persona.WebhookVerifier("s", tolerance=-1), "tolerance")
    invalid_argument(lambda: persona.WebhookVerifier("s", tolerance=2**63), "tolerance")
    header = persona.webhooks.sign("s", b"x", NOW)
    verifier = persona.WebhookVerifier("s")
    for now in (2**64 + NOW, -(2**63) - 1, 2**63):
        invalid_argument(lambda: verifier.verify(header, b"x", now=now), "now")
        invalid_argument(lambda: verifier.verify_event(header, b"x", now=now), "now")
        # The module-level function's inlined path too (same secrets object twice).
        invalid_argument(lambda: persona.webhooks.verify(header, b"x", "s", now=now), "now")
        invalid_argument(lambda: persona.webhooks.verify(header, b"x", "s", now=now), "now")
    request_verifier = persona.RequestVerifier({"kid": "s"})
    invalid_argument(lambda: request_verifier.verify("GET", "/", {}, b"", now=2**64 + NOW), "now")
    invalid_argument(lambda: persona.RequestSigner("kid", "s").sign("GET", "/", timestamp=2**64), "timestamp")
    invalid_argument(lambda: persona.webhooks.sign("s", b"", 2**64), "timestamp")
    # In range, the library's own rules apply: a negative timestamp is invalid_timestamp.
    with pytest.raises(persona.InvalidInputError) as error:
        persona.RequestSigner("kid", "s").sign("GET", "/", timestamp=-1)
    assert error.value.code == "invalid_timestamp"
    # The largest values are accepted, not refused.
    persona.WebhookVerifier("s", tolerance=I64_MAX)
    persona.RequestVerifier({"kid": "s"}, tolerance=I64_MAX, replay_cache=1)


def test_nul_bytes_reach_the_library_and_are_refused_there():
    header = persona.webhooks.sign("s", b"body", NOW)
    persona.webhooks.verify(header, b"body", "s", now=NOW)
    with pytest.raises(persona.WebhookVerificationError) as error:
        persona.webhooks.verify(header + "\0junk", b"body", "s", now=NOW)
    assert error.value.code == "no_matching_signature"
    for make in (
        lambda: persona.WebhookVerifier("X\0tail"),
        lambda: persona.webhooks.sign("X\0tail", b"body", NOW),
        lambda: persona.RequestSigner("kid", "X\0tail"),
        lambda: persona.RequestVerifier({"kid": "X\0tail"}),
    ):
        with pytest.raises(persona.InvalidInputError) as error:
            make()
        assert error.value.code == "invalid_secret"
        assert error.value.message == "invalid secret: must not contain NUL characters"
    with pytest.raises(persona.InvalidInputError) as error:
        persona.RequestSigner("kid\0x", "s")
    assert error.value.code == "invalid_key_id"


def test_huge_body_round_trip():
    body = b"\xff" * (8 * 1024 * 1024)
    header = persona.webhooks.sign("s", body, NOW)
    assert persona.webhooks.verify(header, body, "s", now=NOW) is None


def test_verify_is_the_signature_and_verify_event_reads_the_event():
    body = json.dumps(
        {"data": {"type": "event", "id": "evt_1", "attributes": {"name": "inquiry.completed", "payload": {"data": {"id": "inq_1"}}}}}
    ).encode()
    header = persona.webhooks.sign("s", body, NOW)
    assert persona.webhooks.verify(header, body, "s", now=NOW) is None
    event = persona.webhooks.verify_event(header, body, "s", now=NOW)
    assert (event.id, event.name, event.created_at) == ("evt_1", "inquiry.completed", None)
    # `payload` is data.attributes.payload in every language, never the whole body.
    assert event.payload == {"data": {"id": "inq_1"}}
    assert json.loads(event.payload_json) == event.payload
    assert persona.WebhookVerifier("s").verify_event(header, body, now=NOW) == event
    # A body that verifies but is not an event: the signature is fine, the event is not.
    header = persona.webhooks.sign("s", b"not json", NOW)
    persona.webhooks.verify(header, b"not json", "s", now=NOW)
    with pytest.raises(persona.InvalidPayloadError):
        persona.webhooks.verify_event(header, b"not json", "s", now=NOW)


def test_events_are_read_by_the_library_not_by_python():
    # Python once read this with its own rules and gave name == 42; the library refuses it.
    body = b'{"data":{"type":"event","id":"evt_1","attributes":{"name":42,"created-at":7}}}'
    header = persona.webhooks.sign("s", body, NOW)
    with pytest.raises(persona.InvalidPayloadError) as error:
        persona.webhooks.verify_event(header, body, "s", now=NOW)
    assert error.value.code == "invalid_payload"


def test_webhook_verifier_is_exported_at_the_top_level():
    assert persona.WebhookVerifier is persona.webhooks.WebhookVerifier
    assert persona.Event is persona.webhooks.Event
    assert {"WebhookVerifier", "Event", "RequestSigner", "RequestVerifier"} <= set(persona.__all__)


def test_panic_in_rust_is_an_exception_and_the_process_survives():
    """Against a test-hooks build of libpersona (never shipped: the wheel's library has no panic
    trigger), through the package's own C ABI layer."""
    library = os.environ.get("PERSONA_TEST_HOOKS_LIBRARY")
    if not library:
        pytest.skip("PERSONA_TEST_HOOKS_LIBRARY (a `cargo build -p persona-ffi --features test-hooks` library) is not set")
    script = """
import cffi, persona
from persona import _cabi
hooks = cffi.FFI()
hooks.cdef("int persona_debug_trigger_panic(void);")
code = hooks.dlopen(_cabi._library_path()).persona_debug_trigger_panic()
error = _cabi.error(code)
assert isinstance(error, persona.InternalError) and error.code == "internal", error
assert "deliberate panic" in str(error), error
# The library still works afterwards.
assert persona.webhooks.sign("s", b"x", 1700000000).startswith("t=")
print("survived")
"""
    out = subprocess.run([sys.executable, "-c", script], env=dict(os.environ, PERSONA_LIBRARY=library), capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "survived", out.stderr


def test_shipped_library_has_no_test_hooks():
    from persona import _cabi

    with pytest.raises(AttributeError):
        _cabi.lib.persona_debug_trigger_panic  # not declared: the header's test-only block is left out
    probe = subprocess.run(["nm", "-D", "--defined-only", _cabi._library_path()], capture_output=True, text=True)
    if probe.returncode == 0:
        assert "persona_debug_trigger_panic" not in probe.stdout


def test_import_does_not_load_the_client():
    """`import persona` stays light (the import-time figure lives in python/benches)."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import persona"], capture_output=True, text=True, check=True).stderr
    assert "asyncio" not in out, "import persona must not import asyncio (the client loads lazily)"
    assert "persona._native" not in out, "the UniFFI module must load only with the client"
    assert "ctypes" not in out, "the C ABI goes through cffi only"


# Modules a client's first use must not load (issue 14 item 2): the generated UniFFI module is
# trimmed by bindings/uniffi-bindgen so that it needs none of them.
HEAVY_AT_FIRST_USE = ["asyncio", "dataclasses", "inspect", "typing", "platform", "datetime", "traceback"]


def test_first_client_use_stays_light():
    """`persona.Client` and a client made: none of the heavy modules is loaded (a fresh -S
    interpreter, so no site hook imports them first)."""
    code = (
        "import sys, persona\n"
        "client = persona.Client(api_key='persona_sandbox_x', base_url='http://127.0.0.1:9')\n"
        "client.close()\n"
        f"print(','.join(m for m in {HEAVY_AT_FIRST_USE!r} if m in sys.modules))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run([sys.executable, "-S", "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "", f"loaded at the client's first use: {out.stdout.strip()}"


def test_generated_module_reads_no_dropped_module_at_run_time():
    """The trimmed UniFFI module names the dropped modules only in annotations (strings under
    `from __future__ import annotations`), and `asyncio` only after importing it locally."""
    import ast
    import importlib.util

    path = importlib.util.find_spec("persona._native.persona").origin
    tree = ast.parse(open(path, encoding="utf-8").read())
    dropped = {"asyncio", "dataclasses", "typing", "enum", "datetime", "traceback", "platform"}
    annotations = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            arguments += [a for a in (node.args.vararg, node.args.kwarg) if a]
            annotations.update(id(sub) for a in arguments if a.annotation for sub in ast.walk(a.annotation))
            if node.returns:
                annotations.update(id(sub) for sub in ast.walk(node.returns))
        elif isinstance(node, ast.AnnAssign):
            annotations.update(id(sub) for sub in ast.walk(node.annotation))
    imported_locally = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    imported_locally.update((id(name), alias.name) for alias in inner.names for name in ast.walk(node) if isinstance(name, ast.Name))
    top_imports = {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    top_imports |= {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert not (top_imports & dropped), f"imported at load: {top_imports & dropped}"
    runtime = [
        (node.lineno, node.id)
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and node.id in dropped and id(node) not in annotations
        and (id(node), node.id) not in imported_locally
    ]
    assert runtime == [], f"read at run time without an import: {runtime[:10]}"


def test_generated_cffi_module_is_current():
    import pathlib

    tool = pathlib.Path(__file__).resolve().parents[1] / "tools" / "gen_cffi.py"
    out = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_secrets_may_be_any_iterable_of_str():
    header = persona.webhooks.sign("s2", b"x", NOW)
    persona.webhooks.verify(header, b"x", (secret for secret in ["s1", "s2"]), now=NOW)
    persona.webhooks.verify(header, b"x", ["s1", "s2"], now=NOW)
    assert persona.webhooks.verify_event(
        persona.webhooks.sign("s2", b'{"data":{"id":"e","attributes":{"name":"n"}}}', NOW),
        b'{"data":{"id":"e","attributes":{"name":"n"}}}',
        iter(["s2"]),
        now=NOW,
    ).id == "e"
    with pytest.raises(TypeError):
        persona.webhooks.verify(header, b"x", ["s2"], tolerance=300.0, now=NOW)


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


def test_the_inlined_path_reads_the_clock_and_checks_now():
    import time

    secret = "wbhsec_clock_test"  # one object, passed twice: the second call is inlined
    for _ in range(2):
        persona.webhooks.verify(persona.webhooks.sign(secret, b"x", int(time.time())), b"x", secret)
        with pytest.raises(persona.WebhookVerificationError) as error:
            persona.webhooks.verify(persona.webhooks.sign(secret, b"x", NOW), b"x", secret)
        assert error.value.code == "timestamp_out_of_tolerance"
        with pytest.raises(TypeError):
            persona.webhooks.verify(persona.webhooks.sign(secret, b"x", NOW), b"x", secret, now=float(NOW))


SECRETS = ("persona_sandbox_PRINT-do-not-leak", "v1-PRINT-SECRET-do-not-leak", "wbhsec_PRINT_do_not_leak")


def test_nothing_prints_a_secret_or_a_payload():
    api_key, secret, webhook_secret = SECRETS
    body = json.dumps({"data": {"type": "event", "id": "evt_p", "attributes": {"name": "n", "payload": {"ssn": "123-45-6789"}}}}).encode()
    event = persona.webhooks.verify_event(persona.webhooks.sign(webhook_secret, body, NOW), body, webhook_secret, now=NOW)
    client = persona.Client(api_key=api_key, base_url="http://127.0.0.1:9/api/v1")
    objects = [
        persona.RequestSigner("kid", secret),
        persona.RequestVerifier({"kid": [secret]}),
        persona.WebhookVerifier([webhook_secret]),
        event,
        client,
        client._ffi,
    ]
    try:
        persona.RequestSigner("kid", secret).sign("GET", "https://h/", nonce="bad")
    except persona.PersonaError as error:
        objects.append(error)
    for obj in objects:
        for text in (repr(obj), str(obj)):
            assert not any(s in text for s in SECRETS), text
            assert "123-45-6789" not in text, text
    assert repr(event) == "Event(id='evt_p', name='n')"


def test_generated_records_print_type_and_id_only():
    """The UniFFI records print through the library's redacting Debug/Display."""
    from persona._native import persona as ffi

    reply = ffi.Reply(
        status=200, request_id="req_1", attempts=1, body_json='{"data":{"id":"inq_1","attributes":{"ssn":"123-45-6789"}}}',
        bytes=None, content_type=None, next_cursor=None, previous_cursor=None,
    )
    response = ffi.ApiResponse(status=200, request_id="req_1", body_json='{"ssn":"123-45-6789"}', attempts=1)
    for record in (reply, response, persona.Response(reply)):
        for text in (repr(record), str(record)):
            assert "123-45-6789" not in text, text
    assert "req_1" in str(reply) and "inq_1" in repr(persona.Response(reply))
    credentials = ffi.Credentials.api_key(SECRETS[0])
    assert SECRETS[0] not in repr(credentials) and SECRETS[0] not in str(credentials)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_forked_workers_draw_different_nonces():
    """A preforking server's workers must not share the nonce stream they inherited: the library
    reseeds its generator in a forked child (a pthread_atfork handler)."""
    signer = persona.RequestSigner("kid_fork", "secret")
    signer.sign("GET", "https://api.withpersona.com/api/v1/inquiries")  # seeds this thread's generator
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: sign once, report the nonce, leave without running pytest's exit code
        try:
            nonce = signer.sign("GET", "https://api.withpersona.com/api/v1/inquiries")["Persona-Nonce"]
            os.write(write_end, nonce.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    parent_nonce = signer.sign("GET", "https://api.withpersona.com/api/v1/inquiries")["Persona-Nonce"]
    child_nonce = os.read(read_end, 64).decode()
    os.close(read_end)
    os.waitpid(pid, 0)
    assert len(child_nonce) == 32
    assert child_nonce != parent_nonce
