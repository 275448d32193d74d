"""Throughput of `persona.webhooks.verify` from several Python threads, against one thread, in
the same process: threads verifying small bodies must not slow each other down (the GIL is kept
for them), and large bodies must scale across cores (the GIL is released for them).

    python3 python/benches/bench_threads.py

Prints medians (Markdown) and exits 1 when a target of issue 14 is missed:
8 threads at 1 KiB >= 0.95x of one thread's throughput; 2 threads at 64 KiB >= 1.5x on a
machine with at least 2 cores.
"""

import os
import statistics
import sys
import threading
import time

import persona

SECRET = "wbhsec_benchmark_secret"
NOW = 1_700_000_000
TARGET_SMALL = 0.95
TARGET_LARGE = 1.5


def throughput(body: bytes, threads: int, calls: int) -> float:
    """Verifications per second with `threads` threads sharing `calls` calls."""
    header = persona.webhooks.sign(SECRET, body, NOW)
    verify = persona.webhooks.verify
    per_thread = calls // threads
    start_line = threading.Barrier(threads + 1)

    def work():
        start_line.wait()
        for _ in range(per_thread):
            verify(header, body, SECRET, now=NOW)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    start_line.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return per_thread * threads / (time.perf_counter() - started)


def ratio(body: bytes, threads: int, calls: int, runs: int = 7):
    """Median of `runs` paired measurements: (threads' throughput / one thread's, one thread's)."""
    ratios, singles = [], []
    for _ in range(runs):
        single = throughput(body, 1, calls)
        many = throughput(body, threads, calls)
        ratios.append(many / single)
        singles.append(single)
    return statistics.median(ratios), min(ratios), max(ratios), statistics.median(singles)


def main() -> int:
    cores = os.cpu_count() or 1
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "unknown CPU")
    print(f"{cpu}, Python {sys.version.split()[0]}, {cores} CPUs\n")
    print("| body | threads | throughput vs 1 thread (median, min-max of 7) | 1 thread, verifies/s | target |")
    print("|---|---|---|---|---|")
    failed = False
    cases = [(1024, 2, 40_000), (1024, 8, 40_000), (64 * 1024, 2, 4_000), (64 * 1024, 8, 4_000)]
    for size, threads, calls in cases:
        median, low, high, single = ratio(os.urandom(size), threads, calls)
        if size <= 1024 and threads == 8:
            target = f">= {TARGET_SMALL}x"
            failed |= median < TARGET_SMALL
        elif size >= 64 * 1024 and threads == 2 and cores >= 2:
            target = f">= {TARGET_LARGE}x"
            failed |= median < TARGET_LARGE
        else:
            target = ""
        print(f"| {size // 1024} KiB | {threads} | {median:.2f}x ({low:.2f}-{high:.2f}) | {single:,.0f} | {target} |")
    if failed:
        print("\nFAILED: a target above was missed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
