#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "quirk-uvm": pcipass_dma's NVIDIA UVM page-size quirk
# (docs/guest-quirks.md) against an ABI twin of nvidia.ko (twin/nvidia.c:
# a module named "nvidia" exporting nvUvmInterfaceMemoryAllocSys with the
# real prototype and UvmGpuAllocInfo layout).  Four builds of the twin:
#   new    version 580.142,    layout >= 530 (pageSize u64 at +8)
#   old    version 520.56.06,  layout 520 (pageSize u32 at +8)
#   unk    version 470.256.02, a branch whose layout the quirk does not know
#   bad    version "devel",    not a driver version
# The guest (pcipass-dma + DART port + an NVMe function, as the other
# tests; nvme itself is not loaded) checks rewrites, untouched sizes,
# anomalies, the disarm after repeated anomalies, both load orders,
# unloads while armed, version refusal, and the debugfs counters.  Kernel
# warnings fail the run (--warn-fatal).  The checks that need no reload of
# pcipass_dma are in tests/guest/lib/quirk-checks.sh, shared with the
# image-boot test, which runs them inside the booted guest image.
set -euo pipefail
. "$PP_REPO/tests/guest/nvme/common.sh"

ppd_module
twins=()
build_twin() { # NAME VERSION LAYOUT
	"$PP_TEST_SRC/twin/build" "$PP_TEST_OUT/twin-$1" "$2" "$3"
	twins+=(--file "$PP_TEST_OUT/twin-$1/nvidia.ko:/lib/modules/twin/$1/nvidia.ko")
}
build_twin new 580.142 530
build_twin old 520.56.06 520
build_twin unk 470.256.02 530
build_twin bad devel 530
disk=$(ppd_disk quirk-uvm 8M)
ppd_initramfs "$PP_TEST_SRC/init" "${twins[@]}" \
	--file "$PP_REPO/tests/guest/lib/quirk-checks.sh:/lib/pcipass/quirk-checks.sh"
"$PP_TESTBED/run-guest" --name quirk-uvm --initrd "$PP_TEST_OUT/initramfs.gz" \
	--smp 2 --mem 512 --timeout 180 --warn-fatal -- \
	-device pcipass-dart-port,id=dp0,chassis=1 \
	-drive file="$disk",if=none,id=d0,format=raw,cache=unsafe \
	-device nvme,drive=d0,serial=pcipass0,bus=dp0 \
	-device pcipass-dma,dart=dp0
ppd_check_faults quirk-uvm
