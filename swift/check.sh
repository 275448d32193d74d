#!/usr/bin/env bash
# The Swift package's checks that run on a Linux machine without a Swift toolchain.
# (`swift build` / `swift test` / the XCFramework need one: see swift/README.md.)
#
#   swift/check.sh          from anywhere; needs target/debug/{libpersona.so,uniffi-bindgen} (`cargo build`)
#
# Installs what it needs, idempotently: clang and binutils (Debian) when missing, and tree-sitter +
# tree-sitter-swift (PyPI wheels, pinned) into swift/.tools/ (gitignored). Exits non-zero on any failure.
#
#   a. drift: regenerating the UniFFI files from the built library gives the committed files
#   b. clang -fmodules imports the PersonaFFI module through both modulemaps: SwiftPM's Linux
#      system-library target, and the XCFramework's static framework slices (iOS and macOS layouts)
#   c. ABI: a C program takes the address of every function the header declares, links against
#      libpersona and runs: contract version and every API checksum equal the generated Swift's
#   d. every .swift file under swift/ (generated, idiomatic layer, tests, Package.swift) parses
#      under tree-sitter-swift with no ERROR or MISSING node
set -euo pipefail
SWIFT_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$SWIFT_DIR")
cd "$ROOT"
LIB_DIR=${PERSONA_LIB_DIR:-target/debug}
TOOLS=$SWIFT_DIR/.tools
TREE_SITTER="tree-sitter==0.25.2 tree-sitter-swift==0.7.4"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

step() { printf '\n--> swift: %s\n' "$*"; }

step "prerequisites"
for file in "$LIB_DIR/libpersona.so" "$LIB_DIR/uniffi-bindgen"; do
  [[ -e "$file" ]] || { echo "FAIL: $file not found (run \`cargo build\` first)" >&2; exit 1; }
done
missing=()
command -v clang >/dev/null || missing+=(clang)
command -v nm >/dev/null || missing+=(binutils)
if ((${#missing[@]})); then
  echo "apt-get install ${missing[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [[ "$(cat "$TOOLS/python.stamp" 2>/dev/null)" != "$TREE_SITTER" ]]; then
  echo "pip install --target swift/.tools/python $TREE_SITTER"
  rm -rf "$TOOLS/python"
  # shellcheck disable=SC2086 # the pinned requirement list is split on purpose
  python3 -m pip install --quiet --disable-pip-version-check --no-cache-dir --target "$TOOLS/python" $TREE_SITTER \
    2>&1 | { grep -v 'Running pip as' || true; }
  echo "$TREE_SITTER" >"$TOOLS/python.stamp"
fi
echo "clang: $(clang --version | head -n 1); $TREE_SITTER"

drift_check() {
  PERSONA_LIB="$LIB_DIR/libpersona.so" UNIFFI_BINDGEN="$LIB_DIR/uniffi-bindgen" \
    swift/generate.sh --out-dir "$WORK/generated"
  local compared=0 drift=0 file
  while IFS= read -r file; do
    compared=$((compared + 1))
    if ! diff -u "swift/$file" "$WORK/generated/$file" >"$WORK/drift.diff" 2>&1; then
      head -n 40 "$WORK/drift.diff"
      echo "swift/$file differs from what swift/generate.sh writes" >&2
      drift=1
    fi
  done < <(cd "$WORK/generated" && find . -type f | sed 's|^\./||' | sort)
  if ((drift)); then
    echo "Regenerate with swift/generate.sh and commit the result." >&2
    return 1
  fi
  echo "$compared generated files match the committed ones"
}

module_check() {
  printf '%s\n' '@import PersonaFFI;' \
    'int main(void) { RustBuffer buffer = {0}; persona_str text = {0}; (void)buffer; (void)text;' \
    '  return (int)ffi_persona_uniffi_contract_version() + (persona_version() != 0); }' \
    >"$WORK/import.m"
  local clang_modules=(clang -x objective-c -fmodules -fsyntax-only -Wall -Wextra -Werror) platform
  # SwiftPM on Linux: the system-library target's module.modulemap (with `link "persona"`), passed
  # as SwiftPM passes it.
  "${clang_modules[@]}" -fmodules-cache-path="$WORK/modules-linux" \
    -fmodule-map-file=swift/Sources/PersonaFFI/module.modulemap "$WORK/import.m"
  echo "imported PersonaFFI via swift/Sources/PersonaFFI/module.modulemap"
  # The XCFramework's framework slices, laid out by the script build-xcframework.sh uses (shallow
  # iOS bundle, versioned macOS bundle), found by name on the framework search path (-F).
  for platform in ios macos; do
    swift/scripts/stage-framework.sh "$WORK/frameworks-$platform" "$platform"
    "${clang_modules[@]}" -fmodules-cache-path="$WORK/modules-$platform" -F "$WORK/frameworks-$platform" "$WORK/import.m"
    python3 - "$WORK/frameworks-$platform/PersonaFFI.framework" <<'PY'
import plistlib, sys
from pathlib import Path
framework = Path(sys.argv[1])
plist = framework / ("Resources/Info.plist" if (framework / "Versions").exists() else "Info.plist")
info = plistlib.loads(plist.read_bytes())
expected = {"CFBundleExecutable": "PersonaFFI", "CFBundleName": "PersonaFFI", "CFBundlePackageType": "FMWK"}
wrong = {key: info.get(key) for key, value in expected.items() if info.get(key) != value}
if wrong or not info.get("CFBundleShortVersionString"):
    sys.exit(f"{plist}: unexpected {wrong or 'version'}")
PY
    echo "imported PersonaFFI from the XCFramework's $platform slice layout (PersonaFFI.framework, Info.plist valid)"
  done
}

abi_check() {
  python3 swift/scripts/ffi_check.py --header swift/Sources/PersonaFFI/PersonaFFI.h \
    --header swift/Sources/PersonaFFI/persona.h --swift swift/Sources/PersonaBindings/PersonaBindings.swift \
    --layer swift/Sources/Persona --lib-dir "$LIB_DIR" --work "$WORK/ffi"
}

syntax_check() {
  PYTHONPATH="$TOOLS/python" python3 swift/scripts/parse_swift.py swift
}

# Every check runs even when an earlier one failed, so one run shows everything that is wrong.
failed=()
run() {
  local title=$1 status
  shift
  step "$title"
  set +e
  (set -e; "$@")
  status=$?
  set -e
  if ((status)); then
    echo "FAILED: $title" >&2
    failed+=("${title%%.*}")
  fi
}
run "a. generated files are reproducible and not drifted (generate.sh into a temp dir, diff)" drift_check
run "b. the PersonaFFI module compiles with clang -fmodules (both modulemaps)" module_check
run "c. every function in the UniFFI header links against libpersona; checksums match the Swift" abi_check
run "d. every .swift file parses under tree-sitter-swift" syntax_check

echo
echo "Not checked here: swift build, swift test, the XCFramework (they need a Swift toolchain; swift/README.md)."
echo "swift: $((4 - ${#failed[@]})) passed, ${#failed[@]} failed"
if ((${#failed[@]})); then
  echo "swift/check.sh: FAILED checks: ${failed[*]}" >&2
  exit 1
fi
