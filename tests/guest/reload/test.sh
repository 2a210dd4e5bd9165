#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "reload": pcipass_dma is unloaded and reloaded between NVMe
# workloads (nvme unbound first; rmmod pcipass_dma must fail while nvme is
# bound).  After each unload the DART holds 0 entries: checked from the
# device side, both by the unloading module (QUERY_USAGE after it unmapped
# everything, before its RESET) and by the reloaded module's "usage" file.
# Data written before a reload verifies after it, and new I/O works.
set -euo pipefail
. "$PP_REPO/tests/guest/nvme/common.sh"

ppd_module
ppd_bin pp-dio "$PPD_SRC/pp-dio.c"
disk=$(ppd_disk reload 128M)
ppd_initramfs "$PP_TEST_SRC/init" --kmod nvme --bin "$PP_TEST_OUT/pp-dio"
"$PP_TESTBED/run-guest" --name reload --initrd "$PP_TEST_OUT/initramfs.gz" \
	--smp 2 --mem 512 --timeout 240 -- \
	-device pcipass-dart-port,id=dp0,chassis=1 \
	-drive file="$disk",if=none,id=d0,format=raw,cache=unsafe \
	-device nvme,drive=d0,serial=pcipass0,bus=dp0 \
	-device pcipass-dma,dart=dp0
ppd_check_faults reload
