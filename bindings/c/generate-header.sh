#!/usr/bin/env bash
# Regenerates bindings/c/persona.h with cbindgen (the same code path as the drift test).
set -euo pipefail
cd "$(dirname "$0")/../.."
PERSONA_BLESS=1 cargo test --quiet --test c_header
echo "wrote bindings/c/persona.h"
