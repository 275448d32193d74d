#!/usr/bin/env bash
# Regenerates every committed generated file from the current sources, in one command:
#   bindings/c/persona.h                       (cbindgen)
#   python/persona/_cffi_hot.py                (cffi declarations, from persona.h)
#   swift/Sources/{PersonaFFI,PersonaBindings}, swift/xcframework/module.modulemap  (UniFFI)
# The Python and Kotlin UniFFI bindings are not committed: maturin and Maven generate them from
# the library at build time. Each of these has a drift check in tests/run-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bindings/c/generate-header.sh
python3 python/tools/gen_cffi.py
cargo build --quiet   # the library and uniffi-bindgen the Swift generator reads
swift/generate.sh
