#!/usr/bin/env bash
# Runs every test in every language, installing what it needs on a fresh machine.
#
#   tests/run-all.sh            everything (what CI runs)
#   PERSONA_FUZZ_SECONDS=0 ...  skip the fuzz smoke runs
#   PERSONA_VALGRIND=0 ...      skip the C tests under valgrind (run by default)
#
# Steps: toolchain/packages → cargo fmt --check → clippy -D warnings and tests for every feature
# set an artifact is built with (the workspace defaults; the core without its client; the FFI
# library with its test hooks) → rustdoc -D warnings → vector drift check → C tests under
# ASan/UBSan against the shared and the static library (and valgrind) → the Python package (pip
# install ./python, pytest) → the Kotlin package (mvn verify) → what the shipped libraries export
# → the Swift package's checks (swift/check.sh: everything short of a Swift compiler) → fuzz smoke
# runs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FUZZ_SECONDS=${PERSONA_FUZZ_SECONDS:-30}
# Two cores: keep builds from oversubscribing them.
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

step "Installing prerequisites"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
missing=()
for pkg in libcjson-dev gcc maven; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [[ "${PERSONA_VALGRIND:-1}" == 1 ]] && ! command -v valgrind >/dev/null; then missing+=(valgrind); fi
command -v javac >/dev/null || missing+=(openjdk-17-jdk-headless)
if ((${#missing[@]})); then
  echo "apt-get install ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "cargo fmt --check"
cargo fmt --all --check

# Every feature set an artifact is built with, linted and tested on its own:
#   the workspace defaults   persona (with the client), persona-ffi as shipped (wheel, jar,
#                            XCFramework, C release), persona-sandbox, persona-cli
#   persona, no features     the webhook/signing-only core a Rust user gets with the client off
#   persona-ffi + test-hooks the library the C, Python and Kotlin suites also load (panic trigger)
#   persona-ffi + python     the wheel's library (also the CPython module persona._speedups),
#                            linted here and tested by pytest through the installed wheel
step "cargo clippy -D warnings: workspace defaults, the core without its client, the FFI library with test hooks"
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy -p persona --no-default-features --all-targets --quiet -- -D warnings
cargo clippy -p persona-ffi --features test-hooks --all-targets --quiet -- -D warnings
cargo clippy -p persona-ffi --features python --all-targets --quiet -- -D warnings   # the wheel's build
cargo clippy -p persona-ffi --no-default-features --features python --all-targets --quiet -- -D warnings   # the core build

step "cargo test: workspace defaults (unit, shared vectors, properties, CLI, client/sandbox, C header drift), then the core without its client"
cargo test --workspace --all-targets --quiet
cargo test -p persona --no-default-features --all-targets --quiet

step "cargo doc -D warnings (every crate with Rust API docs; the core with and without its client)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
RUSTDOCFLAGS="-D warnings" cargo doc -p persona --no-default-features --no-deps --quiet

step "Shared vectors are reproducible from the independent generator; Kotlin's JNA declarations match persona.h"
python3 tests/vectors/generate.py --check
python3 api/generate.py --check   # the operation table, typed surfaces and request vectors from Persona's OpenAPI document
python3 kotlin/tools/gen_jna.py --check   # Python's cffi declarations: checked by pytest (needs cffi)

step "C tests under AddressSanitizer + UBSan (shared and static library)"
cargo build --quiet   # `persona` (the C client test's sandbox) and uniffi-bindgen (swift/check.sh)
# The debug library with its test hooks (a deliberate panic): the C, Python and Kotlin suites use
# it to prove a panic never crosses the boundary. Release builds, which ship, never have them.
cargo build --quiet -p persona-ffi --features test-hooks
tests/c/run.sh debug
if [[ "${PERSONA_VALGRIND:-1}" == 1 ]]; then
  tests/c/run.sh debug --valgrind
fi

step "Python: pip install ./python (maturin builds the wheel from this crate), pytest python/tests"
# Runtime dependency (cffi) and pytest first; then our package, rebuilt every run (--force-reinstall
# --no-deps rebuilds only it).
python3 -m pip install --quiet --disable-pip-version-check 'cffi>=1.15' 'pytest>=7' 'jsonschema>=4.18' 2>&1 | grep -v 'Running pip as' || true
# The README's recipes are tested with each framework's own test client.
python3 -m pip install --quiet --disable-pip-version-check flask fastapi httpx django 2>&1 | grep -v 'Running pip as' || true
python3 -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps ./python 2>&1 | grep -v 'Running pip as' || true
python3 -c 'import persona, persona._native' # fails loudly if the install did not happen
# From the repository root pytest puts python/tests (not python/) on sys.path, so `import persona`
# is the installed wheel, not the source tree. The sandbox process comes from `cargo build`.
PERSONA_BIN="$ROOT/target/debug/persona" PERSONA_TEST_HOOKS_LIBRARY="$ROOT/target/debug/libpersona.so" \
  python3 -m pytest -q -p no:cacheprovider --rootdir "$ROOT/python" -o pythonpath= python/tests

step "Sandbox conformance gate: schemathesis drives every operation of Persona's document (fixed seed; sandbox/conformance-baseline.json)"
# Pinned: the gate's seed reproduces the same data only with the same generator.
python3 -m pip install --quiet --disable-pip-version-check 'schemathesis==4.32.5' 2>&1 | grep -v 'Running pip as' || true
python3 tests/conformance/gate.py --persona "$ROOT/target/debug/persona"

step "Kotlin: mvn -f kotlin/pom.xml verify (builds libpersona, generates the UniFFI Kotlin, JUnit against a real sandbox)"
# Needs a JDK 17+ (on the machine) and Maven (installed above); Maven fetches its plugins.
PERSONA_TEST_HOOKS_LIBRARY="$ROOT/target/debug/libpersona.so" mvn -B -q -f kotlin/pom.xml verify

step "The shipped libraries export the C ABI and UniFFI's symbols, and nothing else (no test hook)"
python3 bindings/ffi/check-exports.py --wheel \
  "$(python3 -c 'import pathlib, persona; print(next(pathlib.Path(persona.__file__).parent.glob("_native/libpersona.*")))')" \
  target/release/libpersona.so

step "Shipped libraries stripped (UniFFI metadata kept); the core build (no client stack) from C and Python"
tests/core/run.sh

step "Swift package: drift, clang module import, ABI link check, Swift syntax (no Swift toolchain here)"
swift/check.sh

if [[ "$FUZZ_SECONDS" != 0 ]]; then
  step "Fuzz smoke runs (${FUZZ_SECONDS}s per target)"
  if ! command -v cargo-fuzz >/dev/null; then
    cargo install cargo-fuzz --locked --quiet
  fi
  # cargo-fuzz needs nightly for -Zsanitizer; the image ships one. Without it, let stable accept
  # the unstable flags (the sanitizer runtimes ship with the stable standard library too).
  if rustup toolchain list | grep -q '^nightly'; then
    FUZZ=(cargo +nightly fuzz)
  else
    export RUSTC_BOOTSTRAP=1
    FUZZ=(cargo fuzz)
  fi
  for target in webhook_header signature_header canonical_query; do
    mkdir -p "$ROOT/fuzz/corpus/$target"
    # Keep the log: on a crash the panic message and the reproducer path are what matter.
    log="$ROOT/fuzz/$target.log"
    if ! (cd fuzz && "${FUZZ[@]}" run "$target" -- -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 >"$log" 2>&1); then
      grep -v -E '^ *([0-9]+: | +at )' "$log" | tail -n 40
      echo "fuzz target $target FAILED (full log: $log)"
      exit 1
    fi
    tail -n 1 "$log"
  done
fi

step "All tests passed"
