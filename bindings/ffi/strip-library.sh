#!/usr/bin/env bash
# Strips a built libpersona for shipping (issue 14 item 6): `strip -x` (--discard-all) drops the local
# symbols (~20% of the file) and keeps the global ones — the exported C ABI, PyInit__speedups and
# UniFFI's UNIFFI_META_* metadata, which uniffi-bindgen reads from the symbol table (a fully
# stripped library has none). There is no debug info to drop: release builds carry none.
#   bindings/ffi/strip-library.sh FILE...
# Used by kotlin/pom.xml (the jar's copy) and bindings/ffi/release-c.sh (the C release); the
# wheel's copy is stripped by bindings/uniffi-bindgen, which maturin runs on it.
set -euo pipefail
for library in "$@"; do
  strip -x "$library"
  if ! grep -q UNIFFI_META_ <<< "$(nm "$library")"; then
    echo "strip-library: $library lost its UniFFI metadata" >&2
    exit 1
  fi
done
