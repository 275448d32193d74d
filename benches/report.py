#!/usr/bin/env python3
"""Prints medians and ratios from the last `cargo bench --bench signing` run (criterion's JSON).

Each operation is divided by two baselines measured in the same run: one raw HMAC-SHA256 over the
same bytes keyed per call (``baseline_hmac``) and one from a pre-keyed state
(``baseline_hmac_prekeyed``). Names the CPU. Exits 1 when a target is missed:
- issue 2: sign 1 KiB <= 1.3x the keyed-per-call HMAC; sign 64 KiB throughput >= 0.95x of it;
- issue 14: the realistic sign (a random nonce and the clock) <= 1.1x the fixed-nonce sign at
  every size.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"


def median_ns(group: str, bench: str, label: str | None) -> float:
    parts = [group.replace("/", "_"), bench] + ([label] if label else [])
    path = ROOT.joinpath(*parts, "new", "estimates.json")
    return json.loads(path.read_text())["median"]["point_estimate"]


def cpu() -> str:
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def main() -> int:
    rows, missed = [], []
    for label in ["64B", "1KiB", "64KiB"]:
        group = f"v1/{label}"
        keyed_per_call = median_ns(group, "baseline_hmac", label)
        prekeyed = median_ns(group, "baseline_hmac_prekeyed", label)
        for bench in ["baseline_hmac", "baseline_hmac_prekeyed", "sign", "sign_random_nonce_now", "verify"]:
            t = median_ns(group, bench, label)
            rows.append((group, bench, t, t / keyed_per_call, t / prekeyed))
        sign = median_ns(group, "sign", label)
        realistic = median_ns(group, "sign_random_nonce_now", label)
        if realistic / sign > 1.1:
            missed.append(f"{label}: the realistic sign is {realistic / sign:.2f}x the fixed-nonce sign (target <= 1.1x)")
        if label == "1KiB" and sign / keyed_per_call > 1.3:
            missed.append(f"sign 1KiB is {sign / keyed_per_call:.2f}x the baseline (target <= 1.3x)")
        if label == "64KiB" and keyed_per_call / sign < 0.95:
            missed.append(f"sign 64KiB throughput is {keyed_per_call / sign:.3f}x the baseline (target >= 0.95x)")
        print(f"{label}: realistic sign / fixed-nonce sign = {realistic / sign:.3f}x", file=sys.stderr)
    base = median_ns("webhook/1KiB", "baseline_hmac", None)
    rows.append(("webhook/1KiB", "baseline_hmac", base, 1.0, float("nan")))
    t = median_ns("webhook/1KiB", "verify", None)
    rows.append(("webhook/1KiB", "verify", t, t / base, float("nan")))
    print(f"{cpu()}\n")
    print("| group | benchmark | median | vs HMAC keyed per call | vs pre-keyed HMAC |")
    print("|---|---|---|---|---|")
    for group, bench, t, ratio, ratio_prekeyed in rows:
        prekeyed_text = "" if ratio_prekeyed != ratio_prekeyed else f"{ratio_prekeyed:.2f}x"
        print(f"| {group} | {bench} | {t / 1000:.3f} µs | {ratio:.2f}x | {prekeyed_text} |")
    for line in missed:
        print(f"TARGET MISSED: {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
