#!/usr/bin/env bash
# The main job, for now: build `persona` and walk through signing and verifying a request and a
# Persona webhook, against files generated here. Prints a transcript; exits 0 when every step
# behaved as expected (including the rejections).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
PERSONA="$(pwd)/target/release/persona"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Demo credentials, generated per run; they exist only in this shell's environment.
PERSONA_API_KEY_ID="kid_demo_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
PERSONA_API_KEY_SECRET="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
PERSONA_WEBHOOK_SECRET="wbhsec_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
export PERSONA_API_KEY_ID PERSONA_API_KEY_SECRET PERSONA_WEBHOOK_SECRET

say() { printf '\n\033[1m%s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
expect_exit() { # expect_exit CODE command...
  local want=$1; shift
  printf '$ %s\n' "$*"
  set +e; "$@"; local got=$?; set -e
  if [[ $got != "$want" ]]; then echo "FAILED: expected exit $want, got $got" >&2; exit 1; fi
  echo "(exit $got, as expected)"
}

cat >"$WORK/inquiry.json" <<'JSON'
{"data":{"attributes":{"inquiry-template-id":"itmpl_demo","reference-id":"user-42"}}}
JSON
URL='https://api.withpersona.com/api/v1/inquiries?include=account'

say "1. A tool signs a request with its key id + secret (secrets only from the environment)"
run "$PERSONA" sign --method POST --url "$URL" --body-file "$WORK/inquiry.json" | tee "$WORK/headers.txt"

say "2. The receiving proxy verifies it (prints the authenticated key id)"
run "$PERSONA" verify-request --method POST --url "/api/v1/inquiries?include=account" \
  --body-file "$WORK/inquiry.json" --headers-file "$WORK/headers.txt"

say "3. A tampered body is rejected (exit 1, one-line reason)"
sed 's/user-42/user-43/' "$WORK/inquiry.json" >"$WORK/tampered.json"
expect_exit 1 "$PERSONA" verify-request --method POST --url "$URL" \
  --body-file "$WORK/tampered.json" --headers-file "$WORK/headers.txt"

say "4. A stale request is rejected even with a valid signature"
expect_exit 1 "$PERSONA" verify-request --method POST --url "$URL" --body-file "$WORK/inquiry.json" \
  --headers-file "$WORK/headers.txt" --now "$(( $(date +%s) + 301 ))"

cat >"$WORK/event.json" <<'JSON'
{"data":{"type":"event","id":"evt_demo","attributes":{"name":"inquiry.completed","created-at":"2026-11-26T12:00:00.000Z","payload":{"data":{"type":"inquiry","id":"inq_demo","attributes":{"status":"completed"}}}}}}
JSON

say "5. Persona signs a webhook (t=…,v1=…); we produce one the same way"
HEADER=$(run "$PERSONA" webhook sign --body-file "$WORK/event.json")
echo "$HEADER"
HEADER=${HEADER##*$'\n'}

say "6. Your webhook handler verifies the raw body against the header"
run "$PERSONA" webhook verify --header "$HEADER" --body-file "$WORK/event.json"

say "7. During a secret rotation both secrets are accepted"
PERSONA_WEBHOOK_SECRET="wbhsec_new_one,$PERSONA_WEBHOOK_SECRET" \
  run "$PERSONA" webhook verify --header "$HEADER" --body-file "$WORK/event.json"

say "8. Re-serialized JSON (whitespace changed) does not verify: always verify the raw bytes"
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), indent=1))' "$WORK/event.json" >"$WORK/reserialized.json"
expect_exit 1 "$PERSONA" webhook verify --header "$HEADER" --body-file "$WORK/reserialized.json"

say "Walkthrough complete: every step behaved as expected."
