#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "loopback": the sim backend's loopback GPU passed through with
# pcipass-pci, its DMA mapped by pcipass-dma into the slot's DART, driven by
# guest/pcipass_loopgpu and tools/pp-gpu-test:
#  - identity, BARs, MSI-X vectors; DMA translated by pcipass_dma;
#  - self-tests: seeded buffers copied SYS->VRAM->SYS and SYS->SYS by the
#    copy engine, every byte verified (streaming and coherent buffers, odd
#    sizes, 4 MiB buffers), completion interrupts, round trips;
#  - a sweep of 45 sizes (1 B..3 MiB) x sub-page offsets (bus addresses not
#    page aligned, buffers straddling 16 KiB DART pages); two processes
#    running self-tests at once;
#  - a short benchmark (engine vs memcpy, interrupt round trip, BAR1
#    direct-mapped vs BAR0 trapped access);
#  - no DART fault anywhere; the DART empty after the driver unbinds.
# The numbers are printed (RESULT lines), not judged.
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
. "$PP_REPO/tests/guest/loopback/common.sh"

lg_build "$PP_TEST_OUT"
lg_initramfs "$PP_TEST_OUT/initramfs.gz" "$PP_TEST_SRC/init"
lg_run loopback "$PP_TEST_OUT/initramfs.gz" 180

n=$(lg_count_faults loopback)
[ "$n" -eq 0 ] || { echo "[loopback] FAIL: $n DART fault report(s) from pcipass-pci"; exit 1; }
f=$(lg_qmp_get "$PP_TEST_OUT" gpu0:dma-faults)
[ "${f:-0}" -eq 0 ] || { echo "[loopback] FAIL: the host DART counted $f faults"; exit 1; }
echo "[loopback] host side (QMP info pcipass after the guest powered off):"
lg_qmp_info "$PP_TEST_OUT" | sed 's/^/  /'
echo "[loopback] results:"
lg_results loopback | grep -E '^(st1_(bytes_verified|mismatches|s2v_mbps|v2s_mbps|s2s_mbps|kernel_memcpy_mbps|fence_rtt_p50_us|trigger_rtt_p50_us|dart_live_entries_max|dart_live_bytes_max)|bench_(rounds|s2v_best_mbps|v2s_best_mbps|s2s_best_mbps|kernel_memcpy_best_mbps|user_memcpy_mbps|s2s_vs_user_memcpy|irq_trigger_rtt_p50_us|bar1_write_mbps|bar1_write_ns_per_access|bar0_write_ns_per_access|bar0_writes_per_s|bar1_vs_bar0_write_speedup|kbar1_write_ns_per_access|kbar0_write_ns_per_access|kbar1_vs_kbar0_write_speedup)|st[234]_(bytes_verified|mismatches)|sweep_.*|par[12]_(bytes_verified|mismatches)|unload_.*)='
