#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds Pcipass.app -- the host app plus the pcipass dext it carries --
# WITHOUT an Xcode project: iig, clang and codesign through xcrun.  It still
# needs a full Xcode install (the DriverKit SDK and iig are not in the
# Command Line Tools).  NEVER RUN on a Mac so far: see docs/mac-dext.md,
# "What has never run"; DRY_RUN=1 prints every command and works anywhere.
#
#   mac/dext/build.sh                 build and sign Pcipass.app
#   mac/dext/build.sh sign-client BIN sign a client (QEMU) with
#                                     client.entitlements (+ CLIENT_PROFILE)
#   mac/dext/build.sh clean
#
# Environment:
#   PCIPASS_ID_PREFIX  org.pcipass: app id <prefix>.app, dext id
#                      <prefix>.app.driver (must be your team's ids when
#                      signing with a profile)
#   SIGN_IDENTITY      "-" (default: ad hoc; SIP off + developer mode only),
#                      "Apple Development: ..." or "Developer ID Application: ..."
#   DEXT_PROFILE, APP_PROFILE, CLIENT_PROFILE
#                      provisioning profiles granting the entitlements
#                      (needed with a real identity), embedded as
#                      embedded.provisionprofile
#   ENTITLEMENTS       release | nosip (default: nosip when ad hoc, else
#                      release) -- nosip lets ANY process open the dext
#   DRIVERKIT_MIN      24.0 (macOS 15, the project's minimum)
#   MACOS_MIN          15.0
#   OUT                mac/dext/build
#   DRY_RUN=1          print the commands, run nothing
#
# Fallback with Xcode: see docs/mac-dext.md ("Building with Xcode") for the
# project layout and the xcodebuild command line.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
OUT=${OUT:-$here/build}
PREFIX=${PCIPASS_ID_PREFIX:-org.pcipass}
APP_ID="$PREFIX.app"
DEXT_ID="$PREFIX.app.driver"
SIGN_IDENTITY=${SIGN_IDENTITY:--}
if [[ -z "${ENTITLEMENTS:-}" ]]; then
	[[ "$SIGN_IDENTITY" == "-" ]] && ENTITLEMENTS=nosip || ENTITLEMENTS=release
fi
DRIVERKIT_MIN=${DRIVERKIT_MIN:-24.0}
MACOS_MIN=${MACOS_MIN:-15.0}
VERSION=${PCIPASS_VERSION:-0.1}
BUILD_NUMBER=${PCIPASS_BUILD:-1}
DRY_RUN=${DRY_RUN:-0}

APP="$OUT/Pcipass.app"
DEXT="$APP/Contents/Library/SystemExtensions/$DEXT_ID.dext"
GEN="$OUT/gen"
OBJ="$OUT/obj"

# The dext's sources: the portable core (also tested off the Mac) and the
# DriverKit shell.  Listed explicitly: mac/dext/test/ is never built in.
CORE_C=(
	"$root/mac/dext/core/dext_core.c"
	"$root/mac/dext/core/dext_dma.c"
	"$root/core/src/handles.c"
	"$root/core/src/avl.c"
	"$root/core/src/irqlatch.c"
	"$root/core/src/cfgfilter.c"
	"$root/core/src/status.c"
)
SHELL_IIG=("$here/driver/PcipassDriver.iig" "$here/driver/PcipassUserClient.iig")
SHELL_CPP=(
	"$here/driver/PcipassDriver.cpp"
	"$here/driver/PcipassUserClient.cpp"
	"$here/driver/PcipassPlatform.cpp"
)

say() { printf '%s\n' "$*" >&2; }
run() {
	printf '+'; printf ' %q' "$@"; printf '\n'
	[[ "$DRY_RUN" == 1 ]] || "$@"
}
die() { say "build.sh: $*"; exit 1; }

# $(NAME) substitution shared with Xcode's Info.plist syntax.
subst() {
	local in=$1 out=$2 exe=$3 id=$4 name=$5
	# shellcheck disable=SC2016 # a literal $(...)
	printf '+ sed (substitute $(...)) %q > %q\n' "$in" "$out"
	[[ "$DRY_RUN" == 1 ]] && return
	sed -e "s|\$(EXECUTABLE_NAME)|$exe|g" \
	    -e "s|\$(PRODUCT_BUNDLE_IDENTIFIER)|$id|g" \
	    -e "s|\$(PRODUCT_NAME)|$name|g" \
	    -e "s|\$(MARKETING_VERSION)|$VERSION|g" \
	    -e "s|\$(CURRENT_PROJECT_VERSION)|$BUILD_NUMBER|g" \
	    -e "s|\$(DEXT_BUNDLE_IDENTIFIER)|$DEXT_ID|g" \
	    "$in" > "$out"
}

toolchain() {
	if [[ "$DRY_RUN" == 1 ]]; then
		SDK=${SDK:-/Applications/Xcode.app/Contents/Developer/Platforms/MacOSX.platform/Developer/SDKs/DriverKit.sdk}
		return
	fi
	[[ "$(uname -s)" == Darwin ]] || die "macOS only (DRY_RUN=1 prints the commands)"
	[[ "$(uname -m)" == arm64 ]] || say "build.sh: warning: not Apple Silicon; the dext is arm64 only"
	command -v xcrun >/dev/null || die "xcrun not found: install Xcode"
	SDK=$(xcrun --sdk driverkit --show-sdk-path 2>/dev/null) ||
		die "no DriverKit SDK: install the full Xcode (not only the Command Line Tools) and run xcode-select -s /Applications/Xcode.app"
	xcrun -f iig >/dev/null 2>&1 || die "iig not found (it ships with Xcode)"
}

sign() {
	local target=$1 ents=$2
	local ts=(--timestamp)
	[[ "$SIGN_IDENTITY" == "-" ]] && ts=(--timestamp=none)
	run codesign --force --sign "$SIGN_IDENTITY" --entitlements "$ents" \
		--options runtime "${ts[@]}" "$target"
}

build() {
	toolchain
	local target="arm64-apple-driverkit$DRIVERKIT_MIN"
	local dkinc="$SDK/System/DriverKit/usr/include"
	local dkfw="$SDK/System/DriverKit/System/Library/Frameworks"
	local common=(-target "$target" -isysroot "$SDK" -I"$dkinc" -F"$dkfw"
		      -O2 -g -Wall -Wextra -Werror
		      -I"$root/core/include" -I"$root/mac/include"
		      -I"$root/mac/dext/core" -I"$here/driver" -I"$GEN")
	local objs=() f o

	run mkdir -p "$GEN" "$OBJ" "$APP/Contents/MacOS" "$DEXT"

	# 1. iig: the .iig interfaces -> generated headers and dispatch code.
	for f in "${SHELL_IIG[@]}"; do
		o=$(basename "$f" .iig)
		run xcrun iig --def "$f" --header "$GEN/$o.h" \
			--impl "$GEN/$o.iig.cpp" -- -isysroot "$SDK" -x c++ \
			-std=gnu++17 -D__IIG=1 -I"$dkinc" -F"$dkfw" -I"$dkfw"
	done

	# 2. The portable core, C11 (the same sources the tests build).
	for f in "${CORE_C[@]}"; do
		o="$OBJ/core-$(basename "$f" .c).o"
		run xcrun --sdk driverkit clang "${common[@]}" -std=c11 \
			-Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
			-c "$f" -o "$o"
		objs+=("$o")
	done

	# 3. The shell and the iig-generated code, C++ without exceptions/RTTI.
	for f in "${SHELL_CPP[@]}" "$GEN/PcipassDriver.iig.cpp" \
		 "$GEN/PcipassUserClient.iig.cpp"; do
		o="$OBJ/shell-$(basename "$f" .cpp).o"
		run xcrun --sdk driverkit clang++ "${common[@]}" -std=gnu++17 \
			-fno-exceptions -fno-rtti -fblocks -Wno-unused-parameter \
			-c "$f" -o "$o"
		objs+=("$o")
	done

	# 4. Link the dext executable; the bundle is shallow.
	run xcrun --sdk driverkit clang++ -target "$target" -isysroot "$SDK" \
		-F"$dkfw" -framework DriverKit -framework PCIDriverKit \
		-o "$DEXT/$DEXT_ID" "${objs[@]}"
	subst "$here/Info.plist" "$DEXT/Info.plist" "$DEXT_ID" "$DEXT_ID" \
		"PcipassDriver"
	run plutil -lint "$DEXT/Info.plist"

	# 5. The host app (activation: OSSystemExtensionRequest).
	run xcrun --sdk macosx clang -fobjc-arc -mmacosx-version-min="$MACOS_MIN" \
		-arch arm64 -Wall -Werror -framework Foundation \
		-framework SystemExtensions -o "$APP/Contents/MacOS/Pcipass" \
		"$here/app/main.m"
	subst "$here/app/Info.plist" "$APP/Contents/Info.plist" Pcipass \
		"$APP_ID" Pcipass
	run plutil -lint "$APP/Contents/Info.plist"

	# 6. Profiles, entitlements, signatures: the dext first, then the app.
	[[ -n "${DEXT_PROFILE:-}" ]] &&
		run cp "$DEXT_PROFILE" "$DEXT/embedded.provisionprofile"
	[[ -n "${APP_PROFILE:-}" ]] &&
		run cp "$APP_PROFILE" "$APP/Contents/embedded.provisionprofile"
	if [[ "$SIGN_IDENTITY" != "-" &&
	      ( -z "${DEXT_PROFILE:-}" || -z "${APP_PROFILE:-}" ) ]]; then
		say "build.sh: warning: signing with an identity but without DEXT_PROFILE/APP_PROFILE: the DriverKit entitlements will be refused at activation"
	fi
	local dents="$OUT/dext.entitlements"
	case "$ENTITLEMENTS" in
	release) subst "$here/PcipassDriver.entitlements" "$dents" x x x ;;
	nosip)   subst "$here/PcipassDriver-nosip.entitlements" "$dents" x x x ;;
	*)       die "ENTITLEMENTS must be release or nosip" ;;
	esac
	sign "$DEXT" "$dents"
	sign "$APP" "$here/app/app.entitlements"
	run codesign --verify --deep --strict --verbose=2 "$APP"

	say ""
	say "Built $APP (dext $DEXT_ID, entitlements: $ENTITLEMENTS)."
	say "Next (docs/mac-dext.md, 'Activation'):"
	say "  sudo cp -R '$APP' /Applications/"
	say "  /Applications/Pcipass.app/Contents/MacOS/Pcipass install"
	say "  approve in System Settings > General > Login Items & Extensions"
	say "  systemextensionsctl list"
	say "  $0 sign-client /path/to/qemu-system-aarch64"
}

sign_client() {
	local bin=$1 ents="$OUT/client.entitlements"
	[[ -f "$bin" || "$DRY_RUN" == 1 ]] || die "no such file: $bin"
	[[ "$DRY_RUN" == 1 ]] || [[ "$(uname -s)" == Darwin ]] || die "macOS only"
	run mkdir -p "$OUT"
	subst "$here/client.entitlements" "$ents" x x x
	if [[ "$SIGN_IDENTITY" == "-" && "$ENTITLEMENTS" == release ]]; then
		say "build.sh: warning: an ad-hoc client cannot hold userclient-access; use the nosip dext"
	fi
	if [[ -n "${CLIENT_PROFILE:-}" ]]; then
		say "build.sh: a bare executable cannot embed a profile; wrap the client in an app bundle with Contents/embedded.provisionprofile (docs/mac-dext.md)"
	fi
	sign "$bin" "$ents"
}

case "${1:-build}" in
build) build ;;
sign-client) [[ $# -eq 2 ]] || die "usage: $0 sign-client BIN"; sign_client "$2" ;;
clean) run rm -rf "$OUT" ;;
-h|--help|help) sed -n '3,33p' "$0" ;;
*) die "unknown command: $1 (build, sign-client BIN, clean)" ;;
esac
