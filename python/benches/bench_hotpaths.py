"""Speed of the public `persona` API beside pure-Python stdlib implementations of the same
operations, in the same process. Prints medians and ratios (Markdown).

    python3 python/benches/bench_hotpaths.py
"""

import base64
import hashlib
import hmac
import statistics
import subprocess
import sys
import time
import timeit
import urllib.parse

import persona

BODY = bytes(range(256)) * 4  # 1 KiB
SECRET = "wbhsec_benchmark_secret"
NOW = 1_700_000_000
URL = "https://api.withpersona.com/api/v1/inquiries?page%5Bsize%5D=10&filter%5Bstatus%5D=completed"


def stdlib_webhook_verify(header, body, secret, tolerance=300, now=None):
    """What a careful user writes with hmac/hashlib: every set judged by its own t."""
    for signature_set in header.split():
        t, signatures = None, []
        for item in signature_set.split(","):
            key, _, value = item.partition("=")
            if key == "t":
                t = value
            elif key == "v1":
                signatures.append(value)
        if t is None or not t.isdigit():
            continue
        expected = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, s) for s in signatures) and abs(now - int(t)) <= tolerance:
            return True
    raise ValueError("invalid signature")


def _canonical_component(raw):
    return urllib.parse.quote(urllib.parse.unquote_to_bytes(raw), safe="-._~")


def stdlib_request_sign(key_id, secret, method, url, body, timestamp, nonce):
    """The v1 scheme with urllib/hashlib/hmac/base64."""
    parts = urllib.parse.urlsplit(url)
    pairs = []
    for part in parts.query.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((_canonical_component(name), _canonical_component(value)))
    pairs.sort()
    canonical = "\n".join(
        ["v1", key_id, str(timestamp), nonce, method.upper(), parts.path or "/", "&".join(f"{n}={v}" for n, v in pairs), hashlib.sha256(body).hexdigest()]
    )
    signature = base64.b64encode(hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).digest()).decode()
    return {"Authorization": f"Bearer {key_id}", "Persona-Timestamp": str(timestamp), "Persona-Nonce": nonce, "Persona-Signature": f"v1,{signature}"}


def median_us(function, number=2000, repeat=15):
    return statistics.median(t / number * 1e6 for t in timeit.repeat(function, number=number, repeat=repeat))


def main():
    header = persona.webhooks.sign(SECRET, BODY, NOW)
    verifier = persona.webhooks.WebhookVerifier([SECRET])
    signer = persona.RequestSigner("kid_bench", "bench-secret")
    assert stdlib_request_sign("kid_bench", "bench-secret", "POST", URL, BODY, NOW, "0123456789abcdef0123456789abcdef") == signer.sign(
        "POST", URL, BODY, timestamp=NOW, nonce="0123456789abcdef0123456789abcdef"
    ), "the stdlib baseline must compute the same signature"

    rows = []
    base = median_us(lambda: stdlib_webhook_verify(header, BODY, SECRET, now=NOW))
    rows.append(("webhook verify 1 KiB", "stdlib hmac (baseline)", base, 1.0))
    for label, fn in [
        ("persona.webhooks.verify()", lambda: persona.webhooks.verify(header, BODY, SECRET, now=NOW)),
        ("persona WebhookVerifier.verify()", lambda: verifier.verify(header, BODY, now=NOW)),
    ]:
        t = median_us(fn)
        rows.append(("webhook verify 1 KiB", label, t, t / base))
    # As a handler calls it: no `now`, so the clock is read per call (the header is signed now and
    # stays within the 300 s tolerance for the whole run).
    header_now = persona.webhooks.sign(SECRET, BODY, int(time.time()))
    base = median_us(lambda: stdlib_webhook_verify(header_now, BODY, SECRET, now=int(time.time())))
    rows.append(("webhook verify 1 KiB, clock", "stdlib hmac + time.time() (baseline)", base, 1.0))
    for label, fn in [
        ("persona.webhooks.verify()", lambda: persona.webhooks.verify(header_now, BODY, SECRET)),
        ("persona WebhookVerifier.verify()", lambda: verifier.verify(header_now, BODY)),
    ]:
        t = median_us(fn)
        rows.append(("webhook verify 1 KiB, clock", label, t, t / base))
    base = median_us(lambda: stdlib_request_sign("kid_bench", "bench-secret", "POST", URL, BODY, NOW, "0123456789abcdef0123456789abcdef"))
    rows.append(("v1 request sign 1 KiB", "stdlib hmac/urllib (baseline)", base, 1.0))
    for label, fn in [
        ("persona RequestSigner.sign()", lambda: signer.sign("POST", URL, BODY, timestamp=NOW, nonce="0123456789abcdef0123456789abcdef")),
        ("persona RequestSigner.sign() (random nonce, now)", lambda: signer.sign("POST", URL, BODY)),
    ]:
        t = median_us(fn)
        rows.append(("v1 request sign 1 KiB", label, t, t / base))

    def import_ms(module):
        """Cumulative `-X importtime` of `module` in a fresh interpreter (median of 15)."""
        samples = []
        for _ in range(15):
            out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, check=True).stderr
            line = next(l for l in out.splitlines() if l.rsplit("|", 1)[-1].strip() == module)
            samples.append(int(line.split("|")[1]) / 1000)
        return statistics.median(samples)

    print(f"Python {sys.version.split()[0]}; medians of 15 runs.\n")
    print("| operation | implementation | median | ratio to baseline |")
    print("|---|---|---|---|")
    for op, label, t, ratio in rows:
        print(f"| {op} | {label} | {t:.2f} µs | {ratio:.2f}x |")
    print(f"\nimport persona: {import_ms('persona'):.1f} ms cumulative (`-X importtime`, median of 15; target <= 15 ms)")
    print(f"generated UniFFI module alone (what the client loads on first use): {import_ms('persona._native.persona'):.1f} ms")


if __name__ == "__main__":
    main()
