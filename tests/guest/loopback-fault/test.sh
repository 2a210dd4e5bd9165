#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "loopback-fault": the loopback GPU's engine is sent to bus
# addresses the DART does not map (an address below every aperture, and the
# bus address of a buffer the driver mapped, unmapped and pcipass_dma
# reclaimed: a use after unmap), to a malformed descriptor and past the end
# of VRAM.  Each time the driver must get the engine's error code, the fault
# address and the error vector, see no completion, and recover with an
# engine reset; the next self-test must verify every byte.  QEMU and the
# guest stay up.  On the host: pcipass-pci reported the DART faults and the
# host DART counted exactly the DMA ones (read, write, stale: 3 per round,
# two rounds with read+stale in the second: 5).
# A second boot caps the DART at 8 MiB: a self-test that does not fit gets
# its DMA mapping refused (-ENOSPC, counted by pcipass_dma), the driver
# cleans up, and one that fits passes right after; the DART is empty at
# unload.
# A third boot pulls the simulated cable (QMP qom-set gpu0 x-sim-unplug)
# while the driver is bound: the driver notices (the device reads as all
# ones), engine operations fail with -ENODEV instead of hanging, both
# modules unload, nothing oopses, QEMU stays up and reports the device gone.
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
. "$PP_REPO/tests/guest/loopback/common.sh"

lg_build "$PP_TEST_OUT"
lg_initramfs "$PP_TEST_OUT/initramfs.gz" "$PP_TEST_SRC/init"
lg_run loopback-fault "$PP_TEST_OUT/initramfs.gz" 180

n=$(lg_count_faults loopback-fault)
f=$(lg_qmp_get "$PP_TEST_OUT" gpu0:dma-faults)
echo "[loopback-fault] pcipass-pci fault reports in the log: $n; host DART faults (QMP): ${f:-?}"
[ "$n" -ge 1 ] || { echo "[loopback-fault] FAIL: pcipass-pci reported no DART fault"; exit 1; }
[ "${f:-}" = 5 ] || { echo "[loopback-fault] FAIL: host DART faults ${f:-unknown}, expected 5"; exit 1; }
grep -m3 "DART refused" "$(lg_log loopback-fault)" | sed 's/^/  /'
echo "[loopback-fault] results:"
lg_results loopback-fault | grep -E '^fault2?_(fault_[a-z]+_(error|fault_addr|addr|irq_us|ok)|engine_errors_handled)=|^(after|after2)_(bytes_verified|mismatches)='

lg_initramfs "$PP_TEST_OUT/initramfs-cap.gz" "$PP_TEST_SRC/init-cap"
LG_SIM_ARGS=cap=8M lg_run loopback-fault-cap "$PP_TEST_OUT/initramfs-cap.gz" 120
echo "[loopback-fault] DART capped at 8 MiB:"
lg_results loopback-fault-cap | grep -E '^cap_(status|map_failures)=|^fits_(bytes_verified|mismatches)='

lg_initramfs "$PP_TEST_OUT/initramfs-unplug.gz" "$PP_TEST_SRC/init-unplug"
lg_run loopback-fault-unplug "$PP_TEST_OUT/initramfs-unplug.gz" 120
g=$(lg_qmp_get "$PP_TEST_OUT" gpu0:gone)
echo "[loopback-fault] unplug: QEMU says gpu0 gone=${g:-?}"
[ "$g" = true ] || { echo "[loopback-fault] FAIL: QEMU does not report gpu0 gone"; exit 1; }
grep -m1 "is gone" "$(lg_log loopback-fault-unplug)" | sed 's/^/  /'
lg_results loopback-fault-unplug | grep -E '^gone_status=|^info_device_gone='
