#!/usr/bin/env bash
# Regenerates bindings/ffi/include/persona.h with cbindgen (the same code path as the drift test).
set -euo pipefail
cd "$(dirname "$0")/../.."
PERSONA_BLESS=1 cargo test --quiet -p persona-ffi --test c_header
echo "wrote bindings/ffi/include/persona.h"
