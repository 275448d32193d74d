#!/usr/bin/env bash
# Every benchmark of issue 14, N times (default 3), each run's output kept under
# target/bench-runs/<run>/ for BENCHMARKS.md. Each bench exits non-zero on a missed target; this
# script runs them all anyway and lists which missed. Needs the Python wheel installed
# (pip install ./python) and Maven for the Kotlin one. About 12 minutes a run on 2 vCPUs.
#   benches/all.sh [runs]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
missed=()
for run in $(seq 1 "$runs"); do
  out=target/bench-runs/$run
  mkdir -p "$out"
  bench() {
    local name=$1
    shift
    echo "== run $run: $name"
    if ! "$@" > "$out/$name.txt" 2>&1; then missed+=("run $run: $name"); fi
    grep -E "MISSED|FAILED" "$out/$name.txt" || true
  }
  bench signing sh -c 'cargo bench --quiet --bench signing > /dev/null 2>&1 && python3 benches/report.py'
  bench replay cargo bench --quiet --bench replay
  bench client cargo bench --quiet -p persona-sandbox --bench client
  bench python-hotpaths python3 python/benches/bench_hotpaths.py
  bench python-threads python3 python/benches/bench_threads.py
  bench kotlin mvn -B -q -f kotlin/pom.xml test-compile exec:java -Dexec.classpathScope=test \
    -Dexec.mainClass=com.withpersona.libpersona.BenchmarkKt
done
if [ ${#missed[@]} -gt 0 ]; then
  printf 'missed a target: %s\n' "${missed[@]}"
  exit 1
fi
echo "every target met in $runs runs"
