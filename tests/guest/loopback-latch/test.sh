#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "loopback-latch": an MSI-X vector the guest masked is latched,
# not dropped (the reference implementation dropped it).  The driver masks
# the GPU's completion vector two ways (disable_irq() with
# IRQ_DISABLE_UNLAZY, which writes the MSI-X entry's mask bit; and the
# mask bit written directly), makes the device send it two ways
# (IRQ_TRIGGER, a real fence descriptor whose completion write lands while
# masked), checks that no interrupt arrives while masked and exactly one
# on unmask, and that the vector works afterwards.  Then IRQ_TRIGGER on
# every vector.  On the host: QEMU's counters (QMP) are shown.
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
. "$PP_REPO/tests/guest/loopback/common.sh"

lg_build "$PP_TEST_OUT"
lg_initramfs "$PP_TEST_OUT/initramfs.gz" "$PP_TEST_SRC/init"
lg_run loopback-latch "$PP_TEST_OUT/initramfs.gz" 180

for p in irqs-delivered irqs-latched irqs-dropped; do
	echo "[loopback-latch] host gpu0 $p: $(lg_qmp_get "$PP_TEST_OUT" "gpu0:$p")"
done
d=$(lg_qmp_get "$PP_TEST_OUT" gpu0:irqs-dropped)
[ "${d:-0}" -eq 0 ] || { echo "[loopback-latch] FAIL: pcipass-pci dropped $d interrupts"; exit 1; }
echo "[loopback-latch] results:"
lg_results loopback-latch | grep -E '^latch_latch_.*_(irqs_while_masked|irqs_after_unmask|unmask_to_irq_us|pba_masked|ok)=|^irq_irq_(lost|vectors|trigger_rtt_p50_us)='
