#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "dma-bench": numbers for docs/BENCHMARKS.md, printed as
# key=value lines (RESULT ... in the log, and on the terminal):
#  - map+unmap cost through pcipass (a managed NVMe) vs dma-direct (the
#    unmanaged mapper device itself), host round trips per 1000 maps, sg
#    lists (debugfs "bench", allow_raw=1);
#  - NVMe throughput with the DART path (NVMe behind pcipass-dart-port) and
#    without (a second NVMe on a plain pcie-root-port), same workload;
#  - host round trips per 1000 maps and DART entries per live mapping
#    during the NVMe runs;
#  - all of it for policy=pcipass and again after a reload with
#    policy=strict.
# Passes when every run verifies; the numbers are reported, not judged.
set -euo pipefail
. "$PP_REPO/tests/guest/nvme/common.sh"

ppd_module
ppd_bin pp-dio "$PPD_SRC/pp-dio.c"
d0=$(ppd_disk dart 160M)
d1=$(ppd_disk plain 160M)
ppd_initramfs "$PP_TEST_SRC/init" --kmod nvme --bin "$PP_TEST_OUT/pp-dio"
"$PP_TESTBED/run-guest" --name dma-bench --initrd "$PP_TEST_OUT/initramfs.gz" \
	--smp 2 --mem 768 --timeout 300 -- \
	-device pcipass-dart-port,id=dp0,chassis=1 \
	-drive file="$d0",if=none,id=d0,format=raw,cache=unsafe \
	-device nvme,drive=d0,serial=pcipass0,bus=dp0 \
	-device pcipass-dma,dart=dp0 \
	-device pcie-root-port,id=rp1,chassis=2 \
	-drive file="$d1",if=none,id=d1,format=raw,cache=unsafe \
	-device nvme,drive=d1,serial=plain0,bus=rp1
ppd_check_faults dma-bench
echo "[dma-bench] results:"
ppd_results dma-bench
