#!/usr/bin/env python3
"""Prints medians and ratios from the last `cargo bench --bench signing` run (criterion's JSON).

Each ratio divides an operation's median by the baseline (one raw HMAC-SHA256 over the same
bytes) measured in the same run. Exits 1 when a target from issue 2 is missed.
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "target" / "criterion"


def median_ns(group: str, bench: str, label: str | None) -> float:
    parts = [group.replace("/", "_"), bench] + ([label] if label else [])
    path = ROOT.joinpath(*parts, "new", "estimates.json")
    return json.loads(path.read_text())["median"]["point_estimate"]


def main() -> int:
    rows, missed = [], []
    for label in ["64B", "1KiB", "64KiB"]:
        group = f"v1/{label}"
        base = median_ns(group, "baseline_hmac", label)
        rows.append((group, "baseline_hmac", base, 1.0))
        benches = ["sign", "verify"] + (["sign_random_nonce_now"] if label == "1KiB" else [])
        for bench in benches:
            t = median_ns(group, bench, label)
            rows.append((group, bench, t, t / base))
        sign_ratio = median_ns(group, "sign", label) / base
        if label == "1KiB" and sign_ratio > 1.3:
            missed.append(f"sign 1KiB is {sign_ratio:.2f}x the baseline (target <= 1.3x)")
        if label == "64KiB" and base / median_ns(group, "sign", label) < 0.95:
            missed.append(f"sign 64KiB throughput is {base / median_ns(group, 'sign', label):.3f}x the baseline (target >= 0.95x)")
    base = median_ns("webhook/1KiB", "baseline_hmac", None)
    rows.append(("webhook/1KiB", "baseline_hmac", base, 1.0))
    t = median_ns("webhook/1KiB", "verify", None)
    rows.append(("webhook/1KiB", "verify", t, t / base))
    print("| group | benchmark | median | ratio to baseline |")
    print("|---|---|---|---|")
    for group, bench, t, ratio in rows:
        print(f"| {group} | {bench} | {t / 1000:.3f} µs | {ratio:.2f}x |")
    for line in missed:
        print(f"TARGET MISSED: {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
