#!/usr/bin/env python3
"""The sandbox's conformance gate: schemathesis drives a running sandbox with Persona's document.

Every operation of `api/persona-openapi.json` is generated positive and negative data (examples,
coverage, fuzzing and stateful phases, a fixed seed), and each answer is checked with
not_a_server_error, status_code_conformance, content_type_conformance,
response_schema_conformance, negative_data_rejection and positive_data_acceptance. A failure
passes only when `sandbox/conformance-baseline.json` accepts it with the place where Persona's
document is wrong and the evidence; anything else fails the gate, and so does an operation the
run did not exercise.

    python3 tests/conformance/gate.py --persona target/debug/persona [--max-examples N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))

import seed  # noqa: E402
DOCUMENT = ROOT / "api" / "persona-openapi.json"
BASELINE = ROOT / "sandbox" / "conformance-baseline.json"
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,negative_data_rejection,positive_data_acceptance"
)


@dataclass(frozen=True)
class Failure:
    operation: str  # "GET /inquiries/{inquiry-id}"
    code: str  # "ST202"
    status: int | None
    response: str  # the answer's body as schemathesis printed it
    text: str  # the whole failure report


def operations() -> list[str]:
    document = json.loads(DOCUMENT.read_text())
    methods = {"get", "post", "put", "patch", "delete"}
    return [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in methods
    ]


def template_of(method: str, url_path: str, known: list[str]) -> str | None:
    """The operation a concrete request names (the stateful phase reports requests, not
    operations)."""
    for operation in known:
        op_method, template = operation.split(" ", 1)
        if op_method != method:
            continue
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, url_path):
            return operation
    return None


def failures(report: Path, known: list[str]) -> tuple[set[str], list[Failure]]:
    tested: set[str] = set()
    found: list[Failure] = []
    for case in ET.parse(report).getroot().iter("testcase"):
        name = case.get("name", "")
        if name in known:
            tested.add(name)
        for failure in case.iter("failure"):
            for text in re.split(r"\n?\d+\. Test Case ID: ", failure.text or ""):
                codes = re.findall(r"^- (ST\d+)", text, re.M)
                if not codes:
                    continue
                status = re.search(r"^\[(\d{3})\]", text, re.M)
                response = re.search(r"^\[\d{3}\][^\n]*:\n\n\s+`(.*)`", text, re.M)
                operation = name
                if name not in known:
                    request = re.search(r"curl -X (\w+) .*?'https?://[^/]+/api/v1([^?']*)", text)
                    if request:
                        operation = template_of(request.group(1), request.group(2), known) or name
                for code in codes:
                    found.append(
                        Failure(
                            operation,
                            code,
                            int(status.group(1)) if status else None,
                            response.group(1) if response else "",
                            text,
                        )
                    )
    return tested, found


def accepted_by(failure: Failure, entries: list[dict]) -> dict | None:
    for entry in entries:
        if entry["check"] != failure.code:
            continue
        if entry.get("status") is not None and entry["status"] != failure.status:
            continue
        if entry["operations"] != "*" and failure.operation not in entry["operations"]:
            continue
        if entry.get("response_contains", "") not in failure.response:
            continue
        return entry
    return None


def start_sandbox(persona: str, api_key: str) -> tuple[subprocess.Popen, str, str]:
    env = dict(os.environ, PERSONA_API_KEY=api_key)
    for name in ("PERSONA_API_KEY_ID", "PERSONA_API_KEY_SECRET", "PERSONA_WEBHOOK_SECRET", "PERSONA_SANDBOX_ADMIN_TOKEN"):
        env.pop(name, None)
    process = subprocess.Popen(
        [persona, "sandbox", "--port", "0", "--rate-limit", "0"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline().strip()
    match = re.match(r"listening on (http://127\.0\.0\.1:\d+)", first)
    admin = process.stdout.readline().strip().removeprefix("admin token: ")
    if not match:
        process.kill()
        sys.exit(f"the sandbox did not start: {first!r}")
    return process, match.group(1), admin


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persona", default=str(ROOT / "target" / "debug" / "persona"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("CONFORMANCE_EXAMPLES", "20")))
    # A fixed amount of generated data (deterministic with the seed), and a time limit on the run
    # as a whole (schemathesis's own --max-time would keep fuzzing until it is spent).
    parser.add_argument("--timeout", type=int, default=int(os.environ.get("CONFORMANCE_SECONDS", "600")))
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    known = operations()
    baseline = json.loads(BASELINE.read_text())["schemathesis"]
    api_key = "persona_sandbox_" + secrets.token_hex(12)
    sandbox, url, admin_token = start_sandbox(args.persona, api_key)
    try:
        with tempfile.TemporaryDirectory() as reports:
            # Real ids for the operations that take one (tests/conformance/seed.py).
            ids = seed.path_parameters(f"{url}/api/v1", api_key, admin_token)
            config = Path(reports) / "schemathesis.toml"
            config.write_text(seed.schemathesis_config(ids))
            env = dict(
                os.environ,
                SCHEMATHESIS_HOOKS="hooks",
                PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")])),
            )
            command = [
                sys.executable, "-m", "schemathesis.cli", "--no-color", "--config-file", str(config), "run", str(DOCUMENT),
                "--url", f"{url}/api/v1",
                "--header", f"Authorization: Bearer {api_key}",
                "--checks", CHECKS,
                "--seed", str(args.seed),
                "--max-examples", str(args.max_examples),
                "--workers", str(args.workers),
                "--report", "junit", "--report-dir", reports,
            ]
            run = subprocess.run(command, env=env, cwd=reports, capture_output=True, text=True, timeout=args.timeout)
            log = Path(os.environ.get("CONFORMANCE_LOG", Path(tempfile.gettempdir()) / "persona-conformance.log"))
            log.write_text(run.stdout + run.stderr)
            errors = re.search(r"Errors:\n(.*?)\n\n", run.stdout, re.S)
            summary = run.stdout[run.stdout.rfind("SUMMARY"):] if "SUMMARY" in run.stdout else run.stdout[-3000:]
            junit = sorted(Path(reports).glob("junit*.xml"))
            if not junit:
                print(run.stdout[-5000:], run.stderr[-5000:], sep="\n")
                print("conformance gate: schemathesis wrote no report")
                return 1
            tested, found = failures(junit[-1], known)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)

    print(summary.strip())
    print(f"(the full output: {log})")
    unexplained = [f for f in found if accepted_by(f, baseline) is None]
    used: dict[str, int] = {}
    for failure in found:
        entry = accepted_by(failure, baseline)
        if entry is not None:
            used[entry["id"]] = used.get(entry["id"], 0) + 1
    with_ids = sum(1 for operation in known if "{" in operation)
    print(f"\nconformance gate: {len(ids)}/{with_ids} operations that take ids were given existing ones")
    print(f"conformance gate: {len(tested)}/{len(known)} operations exercised, "
          f"{len(found)} failures reported, {len(found) - len(unexplained)} accepted by the baseline")
    for entry in baseline:
        print(f"  baseline {entry['id']}: {used.get(entry['id'], 0)} accepted")
    for failure in unexplained:
        print(f"\nUNEXPLAINED {failure.code} on {failure.operation} ({failure.status}):\n{failure.text[:3000]}")
    missing = sorted(set(known) - tested)
    if missing:
        print(f"operations not exercised: {missing}")
    if errors:
        print(f"schemathesis reported errors (the full output: {log}):\n{errors.group(1)}")
    if unexplained or missing or errors:
        print(f"conformance gate: FAILED ({len(unexplained)} unexplained failures, "
              f"{len(missing)} operations not exercised, errors: {bool(errors)})")
        return 1
    print("conformance gate: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
