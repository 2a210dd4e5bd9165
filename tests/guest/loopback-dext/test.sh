#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "loopback-dext": the loopback test (tests/guest/loopback: same
# guest init, same self-tests, sweep, parallel runs and bench) with the GPU
# passed through by pcipass-pci backend=dext instead of backend=sim.
#
# In the testbed's Linux QEMU, backend=dext is the Mac's IOKit client
# (hosts/dext/dext.c, unchanged) talking in-process to a fake IOKit
# (tests/fakeiokit) that runs the real dext core (mac/dext/core) with the
# sim's loopback GPU and DART behind it -- a test double, not a Mac
# (docs/mac.md, "What ran where").  So every config access, BAR mapping,
# interrupt wait and DMA batch of the run goes through the dext's user-client
# selectors.  The device is pcie-tb0:01:00.0 (fake Thunderbolt root 0).
#
# Asserts, as loopback: the guest's verdict is PASS; every self-test
# verified bytes with 0 mismatches; completion interrupts reached the guest;
# 0 DART faults (pcipass-pci's reports and the host DART's count); the DART
# is empty once the driver unbound (pcipass_dma's view in the guest, and the
# host DART's usage read through the dext after power-off).  Plus: QEMU
# reports the function on backend dext.
#
# A second boot (loopback-dext-unplug) runs loopback-fault's unplug case
# (tests/guest/loopback-fault/init-unplug) on backend=dext: with the driver
# bound, the host pulls the cable (QMP qom-set gpu0 x-sim-unplug true, which
# for backend=dext makes the fake IOKit unplug fake Thunderbolt root 0: the
# dext core's Stop, kIOMessageServiceIsTerminated to the client, which
# raises PP_HOST_EV_GONE, as a cable pull on a Mac).  Asserts: the guest is
# told the device is gone (it reads as all ones, the self-test fails with
# "No such device", the driver says device_gone=1) and the modules unload,
# verdict PASS; QEMU reports gpu0 gone (the "is gone" line for
# pcie-tb0:01:00.0, qom gone=true, [GONE] in info pcipass) and keeps running
# until the guest powers off; the outstanding DMA was unmapped: the host DART
# behind the fake held mappings before the pull and is empty after the dext's
# Stop, and the guest's pcipass_dma view is empty too.
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
. "$PP_REPO/tests/guest/loopback/common.sh"

T=loopback-dext
fail() { echo "[$T] FAIL: $*"; exit 1; }
positive() { [ -n "$1" ] && [ "$1" -gt 0 ] 2>/dev/null; }

lg_build "$PP_TEST_OUT"
lg_initramfs "$PP_TEST_OUT/initramfs.gz" "$PP_REPO/tests/guest/loopback/init"
LG_BACKEND=dext lg_run $T "$PP_TEST_OUT/initramfs.gz" 300

info=$(lg_qmp_info "$PP_TEST_OUT")
echo "[$T] host side (QMP info pcipass after the guest powered off):"
printf '%s\n' "$info" | sed 's/^/  /'
printf '%s\n' "$info" | grep -q '^pcipass-pci gpu0: host pcie-tb0:01:00.0 (backend dext) ' ||
	fail "QEMU does not report gpu0 on backend dext, host pcie-tb0:01:00.0"

# self-tests: bytes verified, no mismatch (st1..st4, the sweep, par1/par2)
for k in st1 st2 st3 st4 sweep par1 par2; do
	b=$(lg_result $T ${k}_bytes_verified)
	m=$(lg_result $T ${k}_mismatches)
	positive "$b" || fail "$k: no bytes verified (${b:-missing})"
	[ "$m" = 0 ] || fail "$k: ${m:-missing} mismatches"
done

# completion interrupts: counted by the driver, and delivered by pcipass-pci
c=$(lg_result $T st1_irqs_completion)
positive "$c" || fail "st1: no completion interrupts (${c:-missing})"
i=$(lg_qmp_get "$PP_TEST_OUT" gpu0:irqs-delivered)
positive "$i" || fail "QEMU delivered no interrupts (${i:-missing})"

# DART faults
n=$(lg_count_faults $T)
[ "$n" -eq 0 ] || fail "$n DART fault report(s) from pcipass-pci"
f=$(lg_qmp_get "$PP_TEST_OUT" gpu0:dma-faults)
[ "${f:-x}" = 0 ] || fail "the host DART counted ${f:-unknown} faults"

# the DART empty after the driver unbound: the guest's view, the host's view
e=$(lg_result $T unload_dart_live_entries)
[ "$e" = 0 ] || fail "DART entries after unbind (guest view): ${e:-missing}"
e=$(lg_qmp_get "$PP_TEST_OUT" gpu0:dma-live-entries)
b=$(lg_qmp_get "$PP_TEST_OUT" gpu0:dma-live-bytes)
[ "$e:$b" = 0:0 ] ||
	fail "host DART not empty after power-off: ${e:-?} entries, ${b:-?} bytes"

echo "[$T] results:"
lg_results $T | grep -E '^(st[1234]_(bytes_verified|mismatches)|st1_(irqs_completion|s2v_mbps|v2s_mbps|s2s_mbps|fence_rtt_p50_us|trigger_rtt_p50_us)|bench_(s2s_best_mbps|irq_trigger_rtt_p50_us|bar1_write_mbps|bar0_write_ns_per_access)|sweep_.*|par[12]_(bytes_verified|mismatches)|unload_.*)='
echo "[$T] QEMU: ${i} interrupts delivered, ${f} DART faults, host DART ${e} entries / ${b} bytes after power-off"

# ---- second boot: the cable pulled with the driver bound --------------------
U=$T-unplug
lg_initramfs "$PP_TEST_OUT/initramfs-unplug.gz" "$PP_REPO/tests/guest/loopback-fault/init-unplug"
LG_BACKEND=dext lg_run $U "$PP_TEST_OUT/initramfs-unplug.gz" 120 ||
	fail "unplug run: the guest did not pass or the VM did not power off cleanly"
log=$(lg_log $U)

# QEMU pulled the fake cable and saw the host device go
a=$(tr -d '\r' <"$log" | grep -m1 'x-sim-unplug: pulled the cable of fake Thunderbolt root 0 (backend dext)' || true)
[ -n "$a" ] || fail "unplug: QEMU did not report pulling fake Thunderbolt root 0"
printf '  %s\n' "$a"
g=$(tr -d '\r' <"$log" | grep -m1 'gpu0: host device pcie-tb0:01:00.0 .* is gone' || true)
[ -n "$g" ] || fail "unplug: QEMU did not report gpu0 (pcie-tb0:01:00.0) gone"
printf '  %s\n' "$g"
v=$(lg_qmp_get "$PP_TEST_OUT" gpu0:gone)
[ "$v" = true ] || fail "unplug: QMP gpu0 gone=${v:-missing}, expected true"

# QEMU kept running: it answered QMP after the guest powered off
info=$(lg_qmp_info "$PP_TEST_OUT")
printf '%s\n' "$info" | sed 's/^/  /'
printf '%s\n' "$info" | grep -q '^pcipass-pci gpu0: host pcie-tb0:01:00.0 (backend dext) .*\[GONE\]' ||
	fail "unplug: info pcipass does not show gpu0 on backend dext [GONE]"

# the guest was told
[ "$(lg_result $U gone_status)" = "No such device" ] ||
	fail "unplug: self-test status on the unplugged GPU: $(lg_result $U gone_status)"
[ "$(lg_result $U info_device_gone)" = 1 ] ||
	fail "unplug: the guest driver does not report device_gone=1"

# outstanding DMA unmapped: the host DART (the sim's, behind the fake) held
# the driver's mappings before the pull and none after the dext's Stop
re='host DART ([0-9]+) entries / ([0-9]+) bytes before, ([0-9]+) entries / ([0-9]+) bytes after'
[[ $a =~ $re ]] || fail "unplug: no host DART figures in: $a"
before=${BASH_REMATCH[1]}
positive "$before" ||
	fail "unplug: the host DART held no mappings before the pull (nothing to check)"
[ "${BASH_REMATCH[3]}:${BASH_REMATCH[4]}" = 0:0 ] ||
	fail "unplug: host DART not empty after the dext's Stop: ${BASH_REMATCH[3]} entries, ${BASH_REMATCH[4]} bytes"
e=$(lg_result $U info_dart_live_entries)
[ "$e" = 0 ] || fail "unplug: DART entries after the unplug (guest view): ${e:-missing}"

echo "[$T] unplug: gone_status=$(lg_result $U gone_status), info_device_gone=$(lg_result $U info_device_gone); host DART $before entries before the pull, 0 after"
