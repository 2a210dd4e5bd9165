#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "multifunction": both functions of the simulated slot passed
# through (the loopback GPU sim0:01:00.0 and its audio function
# sim0:01:00.1, each a pcipass-pci sharing one backend instance and DART)
# into one guest slot, as functions 0 and 1.
#  - enumeration: IDs, classes, BAR sizes, same slot;
#  - the audio function's registers and MSI work (pcipass_loopaud);
#  - load order: the GPU driver loaded before pcipass_dma defers its probe
#    and binds when pcipass_dma arrives; after a reload both functions are
#    translated by pcipass_dma;
#  - self-tests verify every byte, no DART fault.
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
. "$PP_REPO/tests/guest/loopback/common.sh"

lg_build "$PP_TEST_OUT"
lg_initramfs "$PP_TEST_OUT/initramfs.gz" "$PP_TEST_SRC/init"
lg_run multifunction "$PP_TEST_OUT/initramfs.gz" 180 audio

n=$(lg_count_faults multifunction)
[ "$n" -eq 0 ] || { echo "[multifunction] FAIL: $n DART fault report(s)"; exit 1; }
echo "[multifunction] host side:"
lg_qmp_info "$PP_TEST_OUT" | sed 's/^/  /'
echo "[multifunction] results:"
lg_results multifunction | grep -E '^enum_|^aud[12]_audio_(irq_mode|scratch_ok|irqs_delivered|irq_rtt_p50_us)=|^st[12]_(bytes_verified|mismatches)='
