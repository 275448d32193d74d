#!/usr/bin/env bash
# Builds PersonaFFI.xcframework for the Swift package's Apple platforms (macOS only: it needs Xcode).
#
#   swift/build-xcframework.sh              release build → swift/PersonaFFI.xcframework (what
#                                           Package.swift uses when no released URL is set) and
#                                           swift/build/PersonaFFI.xcframework.zip + its checksum
#   PROFILE=debug swift/build-xcframework.sh
#
# Slices: ios-arm64 (aarch64-apple-ios), ios-arm64_x86_64-simulator (aarch64-apple-ios-sim +
# x86_64-apple-ios, combined with lipo), macos-arm64_x86_64 (aarch64-apple-darwin +
# x86_64-apple-darwin, combined with lipo). Each slice is a static PersonaFFI.framework laid out by
# scripts/stage-framework.sh: the static libpersona.a (the persona-ffi crate as shipped: the C ABI,
# the UniFFI surface and the client; no CLI, no sandbox, no test hooks) as its binary, the UniFFI
# header in Headers/, and xcframework/module.modulemap (`framework module PersonaFFI`) in Modules/.
# Framework slices rather than `-library … -headers …`: see stage-framework.sh for why.
# Before building, the committed Swift bindings are checked against the macOS library: an
# XCFramework whose library does not match PersonaBindings.swift fails at load time, so this refuses.
set -euo pipefail
SWIFT_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$SWIFT_DIR")
cd "$ROOT"

if [[ "$(uname -s)" != Darwin ]]; then
  echo "build-xcframework.sh builds Apple slices with Xcode (xcodebuild, lipo): run it on macOS." >&2
  echo "On Linux, server-side Swift links libpersona.so instead (see swift/README.md)." >&2
  exit 1
fi
for tool in cargo rustup xcodebuild lipo swift zip; do
  command -v "$tool" >/dev/null || { echo "build-xcframework.sh: $tool not found" >&2; exit 1; }
done

PROFILE=${PROFILE:-release}
# A plain string, not an array: macOS's bash 3.2 treats an empty array as unset under `set -u`.
PROFILE_FLAG=
if [[ "$PROFILE" == release ]]; then PROFILE_FLAG=--release; fi
TARGETS=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
BUILD=$SWIFT_DIR/build
OUTPUT=$SWIFT_DIR/PersonaFFI.xcframework
ZIP=$BUILD/PersonaFFI.xcframework.zip
# Apple's minimums, matching Package.swift's platforms.
export IPHONEOS_DEPLOYMENT_TARGET=${IPHONEOS_DEPLOYMENT_TARGET:-13.0}
export MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-10.15}

echo "==> rustup targets"
rustup target add "${TARGETS[@]}"

echo "==> cargo build -p persona-ffi (${PROFILE}) for ${TARGETS[*]}"
for target in "${TARGETS[@]}"; do
  # shellcheck disable=SC2086 # PROFILE_FLAG is empty or one word
  cargo build -p persona-ffi $PROFILE_FLAG --target "$target"
done
lib() { echo "target/$1/$PROFILE/libpersona.a"; }

echo "==> the committed bindings match this library"
host=aarch64-apple-darwin
if [[ "$(uname -m)" == x86_64 ]]; then host=x86_64-apple-darwin; fi
# shellcheck disable=SC2086
cargo build -p uniffi-bindgen $PROFILE_FLAG
rm -rf "$BUILD/generated"
PERSONA_LIB="target/$host/$PROFILE/libpersona.dylib" UNIFFI_BINDGEN="target/$PROFILE/uniffi-bindgen" \
  swift/generate.sh --out-dir "$BUILD/generated"
(cd "$BUILD/generated" && find . -type f) | while IFS= read -r file; do
  if ! cmp -s "$BUILD/generated/$file" "$SWIFT_DIR/$file"; then
    echo "swift/${file#./} does not match this library: run swift/generate.sh and commit." >&2
    exit 1
  fi
done

echo "==> lipo: one library per platform, each as a static PersonaFFI.framework"
rm -rf "$BUILD/lipo" "$BUILD/frameworks" "$OUTPUT" "$ZIP"
mkdir -p "$BUILD/lipo/ios" "$BUILD/lipo/ios-simulator" "$BUILD/lipo/macos"
cp "$(lib aarch64-apple-ios)" "$BUILD/lipo/ios/libpersona.a"
lipo -create "$(lib aarch64-apple-ios-sim)" "$(lib x86_64-apple-ios)" -output "$BUILD/lipo/ios-simulator/libpersona.a"
lipo -create "$(lib aarch64-apple-darwin)" "$(lib x86_64-apple-darwin)" -output "$BUILD/lipo/macos/libpersona.a"
for platform in ios ios-simulator macos; do
  lipo -info "$BUILD/lipo/$platform/libpersona.a"
  swift/scripts/stage-framework.sh "$BUILD/frameworks/$platform" "$platform" "$BUILD/lipo/$platform/libpersona.a"
done

echo "==> xcodebuild -create-xcframework"
xcodebuild -create-xcframework \
  -framework "$BUILD/frameworks/ios/PersonaFFI.framework" \
  -framework "$BUILD/frameworks/ios-simulator/PersonaFFI.framework" \
  -framework "$BUILD/frameworks/macos/PersonaFFI.framework" \
  -output "$OUTPUT"

echo "==> zip and checksum"
(cd "$SWIFT_DIR" && zip -qry "$ZIP" "$(basename "$OUTPUT")")
checksum=$(cd "$SWIFT_DIR" && swift package compute-checksum "$ZIP")
cat <<EOF

Built $OUTPUT (Package.swift uses it when releasedXCFramework is nil)
  and $ZIP
checksum: $checksum

To publish: upload the zip, then set in swift/Package.swift:
  let releasedXCFramework: (url: String, checksum: String)? = (
      url: "https://<your release host>/PersonaFFI.xcframework.zip",
      checksum: "$checksum"
  )
EOF
