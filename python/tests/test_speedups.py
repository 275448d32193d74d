"""`persona._speedups`, the native fast path of `persona.webhooks.verify` and
`WebhookVerifier.verify`: it must be what the wheel ships on CPython, and it must behave exactly as
the Python definitions in webhooks.py (`_verify_slow`, `_verify_method_slow`), outcome for
outcome: the same return, the same exception type, code and message."""

import sys
import threading

import pytest

import persona
from persona import webhooks

NOW = 1_700_000_000
SECRET = "wbhsec_speedups"
BODY = b'{"data":{"id":"evt_1","attributes":{"name":"inquiry.completed"}}}'
HEADER = webhooks.sign(SECRET, BODY, NOW)
LARGE = bytes(range(256)) * 64  # 16 KiB: verified with the GIL released
LARGE_HEADER = webhooks.sign(SECRET, LARGE, NOW)


class Text(str):
    pass


GENERATOR = object()  # stands for a fresh generator of [SECRET] in each call


def fresh(args):
    return [iter([SECRET]) if arg is GENERATOR else arg for arg in args]


def outcome(call):
    try:
        return ("returned", call())
    except persona.PersonaError as error:
        return (type(error).__name__, error.code, error.message)
    except Exception as error:  # noqa: BLE001  (TypeError and friends: compared by type and text)
        return (type(error).__name__, str(error).replace("_verify_slow", "verify"))


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="the extension is CPython's")
def test_the_wheel_ships_the_fast_path():
    assert webhooks._cabi.speedups is not None
    assert type(webhooks.verify).__name__ == "builtin_function_or_method"
    assert type(persona.WebhookVerifier.__dict__["verify"]).__name__ == "method_descriptor"
    assert webhooks.verify.__doc__.startswith("Checks a Persona webhook's signature")


CALLS = [
    ((HEADER, BODY, SECRET), {"now": NOW}),
    ((HEADER, BODY, SECRET, 300, NOW), {}),
    ((HEADER, BODY, SECRET), {"tolerance": 0, "now": NOW}),
    ((HEADER, BODY, SECRET), {"now": NOW + 301}),
    ((HEADER, BODY, SECRET), {}),  # the clock: years after NOW
    ((HEADER, BODY, SECRET), {"now": None}),
    ((LARGE_HEADER, LARGE, SECRET), {"now": NOW}),
    ((LARGE_HEADER, LARGE + b" ", SECRET), {"now": NOW}),
    ((HEADER, BODY, "wbhsec_\ud800"), {"now": NOW}),
    ((HEADER, BODY, [SECRET, "wbhsec_\udfff"]), {"now": NOW}),
    ((HEADER, BODY + b" ", SECRET), {"now": NOW}),
    ((HEADER, BODY, [SECRET]), {"now": NOW}),
    ((HEADER, BODY, ("old", SECRET)), {"now": NOW}),
    ((HEADER, BODY, ["old", Text(SECRET)]), {"now": NOW}),
    ((HEADER, BODY, GENERATOR), {"now": NOW}),
    ((HEADER, BODY, {SECRET}), {"now": NOW}),
    ((HEADER, BODY, []), {"now": NOW}),
    ((HEADER, BODY, [SECRET, 7]), {"now": NOW}),
    ((HEADER, BODY, ""), {"now": NOW}),
    ((HEADER, BODY, b"secret"), {"now": NOW}),
    ((HEADER, BODY, SECRET), {"tolerance": -1, "now": NOW}),
    ((HEADER, BODY, SECRET), {"tolerance": 2**64, "now": NOW}),
    ((HEADER, BODY, SECRET), {"tolerance": 300.0, "now": NOW}),
    ((HEADER, BODY, SECRET), {"tolerance": True, "now": NOW}),
    ((HEADER, BODY, SECRET), {"now": True}),
    ((HEADER, BODY, SECRET), {"now": float(NOW)}),
    ((HEADER, BODY, SECRET), {"now": 2**63}),
    ((HEADER, BODY, SECRET), {"now": -(2**63)}),
    ((HEADER, bytearray(BODY), SECRET), {"now": NOW}),
    ((HEADER, memoryview(BODY), SECRET), {"now": NOW}),
    ((HEADER, "text body", SECRET), {"now": NOW}),
    ((None, BODY, SECRET), {"now": NOW}),
    ((Text(HEADER), BODY, SECRET), {"now": NOW}),
    ((HEADER + "\ud800", BODY, SECRET), {"now": NOW}),
    ((HEADER.encode(), BODY, SECRET), {"now": NOW}),
    ((HEADER.replace("v1=", "v1=\x00"), BODY, SECRET), {"now": NOW}),
    ((), {"header": HEADER, "body": BODY, "secrets": SECRET, "now": NOW}),
    ((HEADER, BODY), {"secrets": SECRET, "now": NOW}),
    ((HEADER, BODY, SECRET, 300), {"tolerance": 300}),
    ((HEADER, BODY, SECRET, 300, NOW), {"now": NOW}),
    ((HEADER, BODY, SECRET, 300, NOW, 1), {}),
    ((HEADER, BODY, SECRET), {"bogus": 1}),
    ((HEADER, BODY), {}),
]


@pytest.mark.parametrize("args, kwargs", CALLS, ids=range(len(CALLS)))
def test_the_function_behaves_as_its_python_definition(args, kwargs):
    # Twice each: the first call may fill the native cache, the second finds it.
    for _ in range(2):
        native = outcome(lambda: webhooks.verify(*fresh(args), **kwargs))
        python = outcome(lambda: webhooks._verify_slow(*fresh(args), **kwargs))
        assert native == python


METHOD_CALLS = [
    ((HEADER, BODY), {"now": NOW}),
    ((HEADER, BODY), {"now": None}),
    ((LARGE_HEADER, LARGE), {"now": NOW}),
    ((LARGE_HEADER, LARGE[1:]), {"now": NOW}),
    ((HEADER, BODY, NOW), {}),
    ((HEADER, BODY), {}),
    ((HEADER, BODY + b" "), {"now": NOW}),
    ((HEADER, BODY), {"now": NOW - 301}),
    ((None, BODY), {"now": NOW}),
    ((HEADER + "\udfff", BODY), {"now": NOW}),
    ((HEADER, bytearray(BODY)), {"now": NOW}),
    ((HEADER, [1]), {"now": NOW}),
    ((HEADER, BODY), {"now": "1700000000"}),
    ((HEADER, BODY), {"now": 2**64}),
    ((HEADER, BODY), {"tolerance": 1}),
    ((HEADER,), {}),
    ((HEADER, BODY, NOW, 1), {}),
    ((), {"header": HEADER, "body": BODY}),
]


@pytest.mark.parametrize("args, kwargs", METHOD_CALLS, ids=range(len(METHOD_CALLS)))
def test_the_method_behaves_as_its_python_definition(args, kwargs):
    verifier = persona.WebhookVerifier(["other", SECRET])
    native = outcome(lambda: verifier.verify(*args, **kwargs))
    python = outcome(lambda: webhooks._verify_method_slow(verifier, *args, **kwargs))
    assert native == python


def test_a_method_on_an_object_of_another_type_is_refused():
    with pytest.raises(TypeError):
        persona.WebhookVerifier.verify(object(), HEADER, BODY)


def test_large_bodies_verify_with_the_gil_released_while_other_threads_swap_secrets():
    # Above the GIL threshold; two threads alternate between two secret sets, so each replaces
    # the cached verifier while the other may be verifying with it outside the GIL.
    body = bytes(range(256)) * 512  # 128 KiB
    signed = {secret: webhooks.sign(secret, body, NOW) for secret in ("alpha", "beta")}
    failures = []

    def work(mine, other):
        try:
            for round in range(200):
                secrets = [mine] if round % 2 else (mine,)
                webhooks.verify(signed[mine], body, secrets, now=NOW)
                with pytest.raises(persona.WebhookVerificationError):
                    webhooks.verify(signed[other], body, secrets, now=NOW)
        except BaseException as error:  # noqa: BLE001  (reported below, from the main thread)
            failures.append(error)

    threads = [threading.Thread(target=work, args=pair) for pair in (("alpha", "beta"), ("beta", "alpha"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_a_verifier_freed_after_use_leaves_the_fast_path_sound():
    for secret in ("one", "two", "three"):
        header = webhooks.sign(secret, BODY, NOW)
        verifier = persona.WebhookVerifier(secret)
        verifier.verify(header, BODY, now=NOW)
        del verifier
        webhooks._cache.clear()  # the module's verifiers go too; the native cache keeps its own
        webhooks.verify(header, BODY, secret, now=NOW)
        with pytest.raises(persona.WebhookVerificationError):
            webhooks.verify(HEADER, BODY, secret, now=NOW)


class Verifier(persona.WebhookVerifier):
    __slots__ = ()


@pytest.mark.parametrize("args, kwargs", METHOD_CALLS[:6], ids=range(6))
def test_a_subclass_inherits_the_method_and_its_behaviour(args, kwargs):
    verifier = Verifier(SECRET)
    native = outcome(lambda: verifier.verify(*args, **kwargs))
    assert native == outcome(lambda: webhooks._verify_method_slow(verifier, *args, **kwargs))


def test_a_freed_verifier_is_never_used_natively():
    # `__del__` called by hand (or run by a finalizer that resurrects the object): the handle is
    # gone, and the native path must see that rather than read freed memory.
    verifier = persona.WebhookVerifier(SECRET)
    verifier.__del__()
    native = outcome(lambda: verifier.verify(HEADER, BODY, now=NOW))
    assert native == outcome(lambda: webhooks._verify_method_slow(verifier, HEADER, BODY, now=NOW))
    assert native[0] != "returned"
    # The same for the verifier the module function has cached.
    webhooks.verify(HEADER, BODY, SECRET, now=NOW)
    webhooks._verifier(SECRET, 300).__del__()
    try:
        assert outcome(lambda: webhooks.verify(HEADER, BODY, SECRET, now=NOW))[0] != "returned"
    finally:
        webhooks._cache.clear()
    webhooks.verify(HEADER, BODY, (SECRET,), now=NOW)  # a new verifier, and the fast path again


def test_reference_counts_stay_level_on_every_path():
    verifier = persona.WebhookVerifier(SECRET)
    secrets_list, bad = [SECRET], HEADER.replace("v1=", "v1=0")
    watched = [HEADER, BODY, SECRET, secrets_list, verifier, LARGE, bad, webhooks._verify_slow, webhooks._raise]

    def paths():
        webhooks.verify(HEADER, BODY, SECRET, now=NOW)  # hit (after the first round)
        webhooks.verify(HEADER, BODY, secrets_list, now=NOW)
        webhooks.verify(HEADER, BODY, ("other", SECRET), now=NOW)  # miss
        webhooks.verify(LARGE_HEADER, LARGE, SECRET, now=NOW)  # the GIL released
        webhooks.verify(HEADER, bytearray(BODY), SECRET, now=NOW)  # handed over
        verifier.verify(HEADER, BODY, now=NOW)
        verifier.verify(HEADER, BODY, NOW)
        for call in (lambda: webhooks.verify(bad, BODY, SECRET, now=NOW), lambda: verifier.verify(bad, BODY, now=NOW)):
            with pytest.raises(persona.WebhookVerificationError):
                call()

    paths()
    before = [sys.getrefcount(obj) for obj in watched]
    for _ in range(500):
        paths()
    assert [sys.getrefcount(obj) for obj in watched] == before


SUB_INTERPRETER = '''
import _xxsubinterpreters as si
import persona
header = persona.webhooks.sign("s", b"x", 1)
persona.webhooks.verify(header, b"x", "s", now=1)
interpreter = si.create()
si.run_string(interpreter, """
import persona
header = persona.webhooks.sign("s", b"x", 1)
persona.webhooks.verify(header, b"x", "s", now=1)
try:
    persona.webhooks.verify(header, b"y", "s", now=1)
except persona.WebhookVerificationError:
    pass
else:
    raise SystemExit("accepted a forged body")
""")
si.destroy(interpreter)
try:
    persona.webhooks.verify(header, b"y", "s", now=1)
except persona.WebhookVerificationError as error:
    assert type(error) is persona.WebhookVerificationError
persona.webhooks.verify(header, b"x", ["s"], now=1)
print("main intact")
'''


def test_a_sub_interpreter_uses_the_python_path_and_leaves_the_main_one_intact():
    pytest.importorskip("_xxsubinterpreters")  # CPython 3.8-3.12's (private) sub-interpreter API
    import subprocess

    out = subprocess.run([sys.executable, "-c", SUB_INTERPRETER], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "main intact", out.stderr
