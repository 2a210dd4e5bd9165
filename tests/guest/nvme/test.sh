#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "nvme": an NVMe controller behind a pcipass-dart-port (its DMA
# goes through the DART model), pcipass_dma loaded before the stock nvme
# driver.  pp-dio writes 256 MiB of seeded data with O_DIRECT (4 KiB..1 MiB
# blocks, 4 threads, misaligned buffers), reads it back and verifies it.
# Passes with 0 mismatches, 0 I/O errors, 0 unknown unmaps, and 0 DMA faults
# in QEMU's log.  A second boot repeats a shorter run against a device that
# offers no features (features=0).  Run through testbed/run-guest-tests.
set -euo pipefail
. "$PP_REPO/tests/guest/nvme/common.sh"

ppd_module
ppd_bin pp-dio "$PPD_SRC/pp-dio.c"
disk=$(ppd_disk nvme 320M)
ppd_initramfs "$PP_TEST_SRC/init" --kmod nvme --bin "$PP_TEST_OUT/pp-dio"
cp "$PP_TEST_OUT/initramfs.gz" "$PP_TEST_OUT/initramfs-main.gz"
"$PP_TESTBED/run-guest" --name nvme --initrd "$PP_TEST_OUT/initramfs-main.gz" \
	--smp 2 --mem 1024 --timeout 240 -- \
	-device pcipass-dart-port,id=dp0,chassis=1 \
	-drive file="$disk",if=none,id=d0,format=raw,cache=unsafe \
	-device nvme,drive=d0,serial=pcipass0,bus=dp0 \
	-device pcipass-dma,dart=dp0
ppd_check_faults nvme
ppd_results nvme
# The trace the module recorded must be a valid replay trace.
tr -d '\r' <"$(ppd_log nvme)" | sed -n 's/^TRACE //p' >"$PP_TEST_OUT/trace.txt"
"$PP_REPO/bench/replay" --parse-only "$PP_TEST_OUT/trace.txt"
"$PP_REPO/bench/replay" --policy pcipass --placement first-fit "$PP_TEST_OUT/trace.txt" |
	grep -E '^(ops|maps|failures|verify_errors|host_calls)='

# Second boot: a device that offers no features (one entry per command,
# no QUERY).
ppd_initramfs "$PP_TEST_SRC/init-nofeat" --kmod nvme --bin "$PP_TEST_OUT/pp-dio"
"$PP_TESTBED/run-guest" --name nvme-nofeat --initrd "$PP_TEST_OUT/initramfs.gz" \
	--smp 2 --mem 512 --timeout 120 -- \
	-device pcipass-dart-port,id=dp0,chassis=1 \
	-drive file="$disk",if=none,id=d0,format=raw,cache=unsafe \
	-device nvme,drive=d0,serial=pcipass0,bus=dp0 \
	-device pcipass-dma,dart=dp0,features=0
ppd_check_faults nvme-nofeat
