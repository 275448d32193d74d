#!/usr/bin/env bash
# Regenerates every committed generated file from the current sources, in one command:
#   bindings/ffi/include/persona.h             (cbindgen, from bindings/ffi/src/c)
#   python/persona/_cffi_abi.py                (cffi declarations, from persona.h)
#   kotlin/.../internal/LibPersona.kt          (JNA direct-mapping declarations, from persona.h)
#   swift/Sources/{PersonaFFI,PersonaBindings}, swift/xcframework/module.modulemap  (UniFFI)
#   src/client/{operations,api}.rs, python/persona/_api.py, tests/vectors/requests.json,
#   tests/support/typed_dispatch.rs, the event names and the Kotlin/Swift API surfaces
#                                              (api/generate.py, from Persona's OpenAPI document)
# The Python and Kotlin UniFFI bindings are not committed: maturin and Maven generate them from
# the library at build time. Each of these has a drift check in tests/run-all.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 api/generate.py
bindings/ffi/generate-header.sh
python3 python/tools/gen_cffi.py
python3 kotlin/tools/gen_jna.py
cargo build --quiet -p persona-ffi -p uniffi-bindgen   # the library and the generator swift/generate.sh reads
swift/generate.sh
