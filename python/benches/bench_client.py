"""Client throughput against a `persona sandbox` process over loopback: persona.Client beside
httpx and requests making the same v1-signed GETs in the same run (they sign with
persona.RequestSigner; persona.Client signs inside the library). Sequential and 8 threads.

    python3 python/benches/bench_client.py   (needs target/debug/persona or PERSONA_BIN)
"""

import concurrent.futures
import os
import pathlib
import statistics
import subprocess
import sys
import time

import persona

ROOT = pathlib.Path(__file__).resolve().parents[2]
KEY_ID, SECRET = "kid_bench", "bench-secret"
N = 1500


def start_sandbox():
    env = dict(os.environ, PERSONA_API_KEY_ID=KEY_ID, PERSONA_API_KEY_SECRET=SECRET)
    env.pop("PERSONA_API_KEY", None)
    binary = os.environ.get("PERSONA_BIN", str(ROOT / "target" / "release" / "persona"))
    if not os.path.exists(binary):
        binary = str(ROOT / "target" / "debug" / "persona")
    process = subprocess.Popen([binary, "sandbox", "--port", "0", "--rate-limit", "0"], stdout=subprocess.PIPE, env=env, text=True)
    return process, process.stdout.readline().split()[-1] + "/api/v1"


def run(call, threads):
    latencies = []

    def one(_):
        started = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    if threads == 1:
        for i in range(N):
            one(i)
    else:
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            list(pool.map(one, range(N)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return N / elapsed, statistics.median(latencies) * 1e6, latencies[int(N * 0.99)] * 1e6


def main():
    process, base = start_sandbox()
    try:
        signer = persona.RequestSigner(KEY_ID, SECRET)
        client = persona.Client(key_id=KEY_ID, secret=SECRET, base_url=base)
        inquiry = client.inquiries.create(body={"data": {"attributes": {"inquiry-template-id": "itmpl_bench"}}})
        url = f"{base}/inquiries/{inquiry.id}"
        contenders = {"persona.Client (signs in Rust)": lambda: client.inquiries.retrieve(inquiry.id)}
        try:
            import requests

            session = requests.Session()
            contenders["requests + persona.RequestSigner"] = lambda: session.get(url, headers=signer.sign("GET", url)).json()
        except ImportError:
            pass
        try:
            import httpx

            hclient = httpx.Client()
            contenders["httpx + persona.RequestSigner"] = lambda: hclient.get(url, headers=signer.sign("GET", url)).json()
        except ImportError:
            pass
        print(f"Python {sys.version.split()[0]}; {N} signed GET /inquiries/{{id}} per row against the sandbox (loopback).\n")
        print("| client | threads | requests/s | p50 | p99 | throughput vs requests |")
        print("|---|---|---|---|---|---|")
        for threads in (1, 8):
            results = {name: run(call, threads) for name, call in contenders.items()}
            baseline = results.get("requests + persona.RequestSigner", next(iter(results.values())))[0]
            for name, (rps, p50, p99) in results.items():
                print(f"| {name} | {threads} | {rps:.0f} | {p50:.0f} µs | {p99:.0f} µs | {rps / baseline:.2f}x |")
    finally:
        process.terminate()
        process.wait()


if __name__ == "__main__":
    main()
