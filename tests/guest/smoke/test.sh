#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "smoke": a module built with testbed/kbuild and a static program
# built with testbed/cc-arm64 meet in the guest.  Run through
# testbed/run-guest-tests, which sets PP_TESTBED, PP_TEST_SRC, PP_TEST_OUT.
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
src=$PP_TEST_SRC out=$PP_TEST_OUT

cp -r "$src/module" "$out/module"
"$PP_TESTBED/kbuild" "$out/module"
"$PP_TESTBED/cc-arm64" -std=c11 -O2 -Wall -Wextra -Werror \
	-o "$out/smoke-check" "$src/smoke-check.c"
"$PP_TESTBED/mkinitramfs" --out "$out/initramfs.gz" --init "$src/init" \
	--module "$out/module/pcipass_smoke.ko" --bin "$out/smoke-check"
"$PP_TESTBED/run-guest" --name smoke --initrd "$out/initramfs.gz" --timeout 60
