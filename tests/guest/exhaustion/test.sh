#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "exhaustion": the DART behind the NVMe port is cut to 4 MiB and
# 512 entries (cap-bytes, max-entries) while 12 threads do 256 KiB..1 MiB
# direct I/O, so DMA maps fail with NOSPC/TOOMANY.  Passes when: the guest
# neither panics nor hangs, QEMU survives, map failures actually happened,
# every I/O that succeeded verifies (I/O errors, if the driver reports any,
# are tolerated and counted), no DMA fault was logged, and I/O works again
# with no failures once the load drops.  (The stock nvme driver turns a
# failed DMA map into BLK_STS_RESOURCE and retries the request, so with NVMe
# the failures usually show up as retries, not as errors in userspace.)
set -euo pipefail
. "$PP_REPO/tests/guest/nvme/common.sh"

ppd_module
ppd_bin pp-dio "$PPD_SRC/pp-dio.c"
disk=$(ppd_disk exhaustion 192M)
ppd_initramfs "$PP_TEST_SRC/init" --kmod nvme --bin "$PP_TEST_OUT/pp-dio"
"$PP_TESTBED/run-guest" --name exhaustion --initrd "$PP_TEST_OUT/initramfs.gz" \
	--smp 2 --mem 768 --timeout 240 -- \
	-device pcipass-dart-port,id=dp0,chassis=1,cap-bytes=4M,max-entries=512 \
	-drive file="$disk",if=none,id=d0,format=raw,cache=unsafe \
	-device nvme,drive=d0,serial=pcipass0,bus=dp0 \
	-device pcipass-dma,dart=dp0
ppd_check_faults exhaustion
ppd_results exhaustion
