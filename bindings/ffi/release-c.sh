#!/usr/bin/env bash
# The C release: libpersona.so (stripped), libpersona.a and persona.h in one directory.
#   bindings/ffi/release-c.sh           -> target/c-release/       (webhooks, signing and the client)
#   bindings/ffi/release-c.sh --core    -> target/c-release-core/  (webhooks and signing only: no
#                                          tokio, reqwest, hyper or TLS; persona.h's client block is
#                                          then hidden by defining PERSONA_NO_CLIENT)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/c-release
target_dir=target
features=()
if [ "${1:-}" = "--core" ]; then
  # Its own target directory: the same file name built with other features would replace the
  # full library the other bindings use.
  out=target/c-release-core
  target_dir=target/core
  features=(--no-default-features)
fi
cargo build --quiet --release -p persona-ffi "${features[@]}" --target-dir "$target_dir"
rm -rf "$out" && mkdir -p "$out"
cp "$target_dir/release/libpersona.so" "$target_dir/release/libpersona.a" bindings/ffi/include/persona.h "$out/"
bindings/ffi/strip-library.sh "$out/libpersona.so"
ls -l "$out"
