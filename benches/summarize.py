#!/usr/bin/env python3
"""Folds the runs benches/all.sh left under target/bench-runs/<run>/ into one Markdown table per
benchmark: each row once, with the chosen columns of every run side by side and their median and
spread (min-max). Prints to stdout (the source of BENCHMARKS.md's issue-14 tables).

    python3 benches/summarize.py
"""
import pathlib
import re
import statistics
import sys

RUNS = pathlib.Path(__file__).resolve().parent.parent / "target" / "bench-runs"

# bench file -> (number of leading label columns, the value columns to fold, by header name)
BENCHES = {
    "signing": (2, ["median", "vs HMAC keyed per call", "vs pre-keyed HMAC"]),
    "replay": (2, ["insert while expiring", "bytes/entry (ours: its tables; others: resident)", "p99.99", "worst single call (filling)", "calls/s (median of 5)", "vs 1 thread"]),
    "client": (3, ["requests/s", "p99", "throughput vs bare reqwest", "p99 vs bare reqwest"]),
    "python-hotpaths": (2, ["median", "ratio to baseline", "extra wall time", "`-X importtime`"]),
    "python-threads": (2, ["throughput vs 1 thread (median, min-max of 7)"]),
    "kotlin": (2, ["median", "ratio to baseline"]),
}


def tables(text: str):
    """Every Markdown table in `text`: (header cells, [row cells])."""
    found, header, rows = [], None, []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if header is None:
                header = cells
            elif not set("".join(cells)) <= set("-: "):
                rows.append(cells)
        elif header is not None:
            found.append((header, rows))
            header, rows = None, []
    return found


def number(cell: str):
    match = re.search(r"-?\d+(?:\.\d+)?", cell.replace(",", ""))
    return float(match.group()) if match else None


def main() -> int:
    runs = sorted(path for path in RUNS.iterdir() if path.is_dir()) if RUNS.exists() else []
    if not runs:
        print(f"no runs under {RUNS}: run benches/all.sh first", file=sys.stderr)
        return 1
    for bench, (labels, wanted) in BENCHES.items():
        merged = {}  # (table header, label) -> {column: [cell per run]}
        order = []
        for run in runs:
            path = run / f"{bench}.txt"
            if not path.exists():
                continue
            for header, rows in tables(path.read_text()):
                columns = [name for name in wanted if name in header]
                for row in rows:
                    key = (tuple(header), tuple(row[:labels]))
                    if key not in merged:
                        merged[key] = {name: [] for name in columns}
                        order.append(key)
                    for name in columns:
                        merged[key][name].append(row[header.index(name)])
        print(f"\n### {bench} ({len(runs)} runs: median, then min-max)\n")
        last_header = None
        for key in order:
            header, label = key
            columns = list(merged[key])
            if header != last_header:
                print("| " + " | ".join(list(header[:labels]) + columns) + " |")
                print("|" + "---|" * (labels + len(columns)))
                last_header = header
            cells = []
            for name in columns:
                values = merged[key][name]
                numbers = [number(value) for value in values]
                if values and all(n is not None for n in numbers) and len(values) > 1:
                    unit = re.sub(r"[-\d.,≤ ]", "", values[0]).strip()
                    median = statistics.median(numbers)
                    cells.append(f"{median:g}{unit} ({min(numbers):g}-{max(numbers):g})")
                else:
                    cells.append(" / ".join(values))
            print("| " + " | ".join(list(label) + cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
