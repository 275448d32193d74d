#!/usr/bin/env bash
# Lays out one static PersonaFFI.framework slice of the XCFramework:
#
#   scripts/stage-framework.sh DIR PLATFORM [LIBRARY]      PLATFORM: ios | ios-simulator | macos
#
# writes DIR/PersonaFFI.framework with Headers/{PersonaFFI.h,persona.h}, Modules/module.modulemap (the committed
# xcframework/module.modulemap, a `framework module`), Info.plist, and LIBRARY (a static
# libpersona.a) as the framework's binary when given. iOS slices are shallow bundles; the macOS
# slice is the versioned bundle macOS requires (Versions/A + Current symlinks, Resources/Info.plist).
# Used by build-xcframework.sh, and by check.sh (without LIBRARY) to import the module from exactly
# this layout with clang -F.
#
# Why framework slices rather than a library + Headers/: Xcode copies the Headers/ of every
# static-library XCFramework into one shared include/ directory, where two packages' top-level
# module.modulemap files collide ("Multiple commands produce .../include/module.modulemap"), and
# recent Apple clang and Xcode 26's explicit module scanner no longer look for a module map in a
# Headers/ subdirectory. A framework carries its own Modules/module.modulemap and is found by name.
set -euo pipefail
SWIFT_DIR=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:?usage: stage-framework.sh DIR ios|ios-simulator|macos [LIBRARY]}
PLATFORM=${2:?usage: stage-framework.sh DIR ios|ios-simulator|macos [LIBRARY]}
LIBRARY=${3:-}
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$SWIFT_DIR/../Cargo.toml" | head -n 1)
# The minimums match Package.swift's platforms.
case "$PLATFORM" in
  ios) SUPPORTED=iPhoneOS; MINIMUM_KEY=MinimumOSVersion; MINIMUM=13.0 ;;
  ios-simulator) SUPPORTED=iPhoneSimulator; MINIMUM_KEY=MinimumOSVersion; MINIMUM=13.0 ;;
  macos) SUPPORTED=MacOSX; MINIMUM_KEY=LSMinimumSystemVersion; MINIMUM=10.15 ;;
  *) echo "stage-framework.sh: unknown platform $PLATFORM" >&2; exit 2 ;;
esac

FRAMEWORK=$DIR/PersonaFFI.framework
rm -rf "$FRAMEWORK"
if [[ "$PLATFORM" == macos ]]; then
  CONTENTS=$FRAMEWORK/Versions/A
  PLIST=$CONTENTS/Resources/Info.plist
else
  CONTENTS=$FRAMEWORK
  PLIST=$CONTENTS/Info.plist
fi
mkdir -p "$CONTENTS/Headers" "$CONTENTS/Modules" "$(dirname "$PLIST")"
cp "$SWIFT_DIR/Sources/PersonaFFI/PersonaFFI.h" "$CONTENTS/Headers/PersonaFFI.h"
cp "$SWIFT_DIR/Sources/PersonaFFI/persona.h" "$CONTENTS/Headers/persona.h"
cp "$SWIFT_DIR/xcframework/module.modulemap" "$CONTENTS/Modules/module.modulemap"
if [[ -n "$LIBRARY" ]]; then
  cp "$LIBRARY" "$CONTENTS/PersonaFFI"
fi
cat >"$PLIST" <<PLIST
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CFBundleDevelopmentRegion</key>
	<string>en</string>
	<key>CFBundleExecutable</key>
	<string>PersonaFFI</string>
	<key>CFBundleIdentifier</key>
	<string>com.withpersona.libpersona.PersonaFFI</string>
	<key>CFBundleInfoDictionaryVersion</key>
	<string>6.0</string>
	<key>CFBundleName</key>
	<string>PersonaFFI</string>
	<key>CFBundlePackageType</key>
	<string>FMWK</string>
	<key>CFBundleShortVersionString</key>
	<string>${VERSION}</string>
	<key>CFBundleVersion</key>
	<string>${VERSION}</string>
	<key>CFBundleSupportedPlatforms</key>
	<array>
		<string>${SUPPORTED}</string>
	</array>
	<key>${MINIMUM_KEY}</key>
	<string>${MINIMUM}</string>
</dict>
</plist>
PLIST
if [[ "$PLATFORM" == macos ]]; then
  ln -s A "$FRAMEWORK/Versions/Current"
  for entry in Headers Modules Resources; do
    ln -s "Versions/Current/$entry" "$FRAMEWORK/$entry"
  done
  if [[ -n "$LIBRARY" ]]; then
    ln -s Versions/Current/PersonaFFI "$FRAMEWORK/PersonaFFI"
  fi
fi
