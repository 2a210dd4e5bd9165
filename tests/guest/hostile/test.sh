#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "hostile": pcipass_dma with allow_raw=1; pp-hostile sends
# malformed commands through debugfs "raw" (bad doorbell GPAs, bad headers,
# counts 0 and over the limit, unknown ops, reserved bits, addresses outside
# guest RAM, addr+len overflow, never-issued and stale handles, double
# unmaps, mixed and full batches).  Each must get the status
# docs/protocol.md documents, DART usage must be unchanged afterwards, QEMU
# must stay up, and NVMe I/O behind the same DART must work after.
set -euo pipefail
. "$PP_REPO/tests/guest/nvme/common.sh"

ppd_module
ppd_bin pp-dio "$PPD_SRC/pp-dio.c"
ppd_bin pp-hostile -I"$PP_REPO/core/include" "$PP_TEST_SRC/pp-hostile.c" \
	"$PP_REPO/core/src/status.c"
disk=$(ppd_disk hostile 64M)
ppd_initramfs "$PP_TEST_SRC/init" --kmod nvme \
	--bin "$PP_TEST_OUT/pp-dio" --bin "$PP_TEST_OUT/pp-hostile"
"$PP_TESTBED/run-guest" --name hostile --initrd "$PP_TEST_OUT/initramfs.gz" \
	--smp 2 --mem 512 --timeout 180 -- \
	-device pcipass-dart-port,id=dp0,chassis=1 \
	-drive file="$disk",if=none,id=d0,format=raw,cache=unsafe \
	-device nvme,drive=d0,serial=pcipass0,bus=dp0 \
	-device pcipass-dma,dart=dp0
ppd_check_faults hostile
ppd_results hostile
