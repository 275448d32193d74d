#!/usr/bin/env bash
# The shipped libraries (issue 14 item 6): the full C release and the core build (webhooks and
# signing, no client stack) are stripped of local symbols and keep UniFFI's metadata; the core
# build exports no client function and works from C (persona.h with PERSONA_NO_CLIENT) and from
# Python (the core wheel, in its own venv) and Kotlin (the jar's classes over the core library):
# webhooks and signing work, persona.Client raises ImportError. Prints the sizes BENCHMARKS.md reports.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
fail() { echo "core build check FAILED: $*" >&2; exit 1; }

bindings/ffi/release-c.sh > /dev/null
bindings/ffi/release-c.sh --core > /dev/null
full=target/c-release/libpersona.so
core=target/c-release-core/libpersona.so
python3 bindings/ffi/check-exports.py "$full"
python3 bindings/ffi/check-exports.py --core "$core"
# The wheel and the jar strip their own copies (bindings/uniffi-bindgen, kotlin/pom.xml): checked
# when tests/run-all.sh has built them.
shipped=("$full" "$core")
wheel_full=$(python3 -c 'import pathlib, persona; print(next(pathlib.Path(persona.__file__).parent.glob("_native/libpersona.*")))' 2>/dev/null || true)
[ -n "$wheel_full" ] && shipped+=("$wheel_full")
[ -f kotlin/target/classes/linux-x86-64/libpersona.so ] && shipped+=(kotlin/target/classes/linux-x86-64/libpersona.so)
for library in "${shipped[@]}"; do
  locals=$(nm "$library" | awk '$2 ~ /^[a-z]$/' | wc -l)
  [ "$locals" -lt 50 ] || fail "$library keeps $locals local symbols (not stripped)"
  grep -q UNIFFI_META_ <<< "$(nm "$library")" || fail "$library lost its UniFFI metadata"
done
if grep -q persona_client_ <<< "$(nm -D --defined-only "$core")"; then fail "the core build exports client functions"; fi
if grep -qiE "reqwest|hyper::|rustls" <<< "$(strings "$core")"; then fail "the core build carries the client stack"; fi

# C: sign and verify a webhook against the core library, with the client declarations hidden.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/core.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "persona.h"
int main(void) {
  const char *secret = "wbhsec_core", *body = "{\"data\":{}}";
  char header[PERSONA_WEBHOOK_HEADER_MAX];
  if (persona_webhook_sign((const uint8_t *)secret, strlen(secret), (const uint8_t *)body, strlen(body), 1700000000,
                           header, sizeof header) != PERSONA_OK) return 1;
  persona_str secrets[] = {{(const uint8_t *)secret, strlen(secret)}};
  persona_webhook_verifier *v = NULL;
  if (persona_webhook_verifier_new(secrets, 1, 300, &v) != PERSONA_OK) return 2;
  int64_t now = 1700000000;
  persona_result r = persona_webhook_verifier_verify(v, (const uint8_t *)header, strlen(header),
                                                     (const uint8_t *)body, strlen(body), &now);
  persona_webhook_verifier_free(v);
  printf("core C: webhook verify -> %s\n", persona_result_name(r));
  return r == PERSONA_OK ? 0 : 3;
}
C
cc -std=c11 -Wall -Werror -DPERSONA_NO_CLIENT -I target/c-release-core "$work/core.c" -L target/c-release-core -lpersona -o "$work/core"
LD_LIBRARY_PATH=target/c-release-core "$work/core"

# Python: the core wheel (`maturin build --no-default-features`) in a venv of its own.
(cd python && CARGO_TARGET_DIR="$root/target/core" python3 -m maturin build --quiet --release --no-default-features \
  -o "$work/wheels" > "$work/maturin.log" 2>&1) || { cat "$work/maturin.log" >&2; fail "the core wheel did not build"; }
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet cffi "$work"/wheels/libpersona-*.whl
"$work/venv/bin/python" - <<'PY'
import persona
header = persona.webhooks.sign("wbhsec_core", b"{}", 1700000000)
persona.webhooks.verify(header, b"{}", "wbhsec_core", now=1700000000)
headers = persona.RequestSigner("kid_core", "secret").sign("GET", "https://api.withpersona.com/api/v1/inquiries")
assert headers["Persona-Signature"].startswith("v1,"), headers
try:
    persona.Client
except ImportError as error:
    assert "core build" in str(error), error
else:
    raise SystemExit("persona.Client should not exist in the core build")
from persona import _cabi
assert _cabi.speedups is not None, "the core wheel keeps the native webhook fast path"
print("core Python: webhook verify and v1 sign work; persona.Client raises ImportError")
PY
# Kotlin: the jar's classes over the core library (JNA loads the file named by the override).
kotlin_out=$(mvn -B -q -f kotlin/pom.xml test-compile exec:java -Dpersona.cargo.skip=true -Dexec.classpathScope=test \
  -Dexec.mainClass=com.withpersona.libpersona.CoreCheckKt \
  -Duniffi.component.persona.libraryOverride="$root/$core" 2>&1) || { echo "$kotlin_out" >&2; fail "Kotlin over the core build"; }
grep "core Kotlin" <<< "$kotlin_out" || { echo "$kotlin_out" >&2; fail "Kotlin over the core build printed no result"; }

wheel_lib=$(find "$work/venv" -name libpersona.so | head -1)
python3 bindings/ffi/check-exports.py --core --wheel "$wheel_lib"
printf 'sizes (bytes): C release %s, core C release %s, core wheel library %s\n' \
  "$(stat -c %s "$full")" "$(stat -c %s "$core")" "$(stat -c %s "$wheel_lib")"
echo "core build check passed"
