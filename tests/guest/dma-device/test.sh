#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "dma-device": the QEMU side of pcipass without the guest module.
#
#   -device pcipass-dart-port,id=dp0,chassis=1    root port, DMA through DART
#   -device nvme,...,bus=dp0                      behind the DART
#   -device pcipass-dma,dart=dp0                  the mapper device
#
# In the guest, pp-regs reads and exercises the pcipass-dma registers through
# sysfs resource0 and runs real commands from a locked page found through
# /proc/self/pagemap (MAP, QUERY, UNMAP, refusals, RESET).  Then the stock
# nvme driver is loaded WITHOUT pcipass_dma: the DART holds no mapping for
# it, so every DMA of the controller faults and the driver must fail to
# bring up a namespace, while the guest and QEMU keep running.  On the host
# the log must show the DART model's rate-limited fault reports.
# Run through testbed/run-guest-tests.
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
src=$PP_TEST_SRC out=$PP_TEST_OUT

# Host side first: the read-only QOM state through QMP, "info pcipass"
# through human-monitor-command, and configurations QEMU must refuse.
. "${PCIPASS_TESTBED_OUT:-$PP_REPO/build/testbed}/env"
qmp_out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' \
	'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/dp0","property":"dart-entries"}}' \
	'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/dp0","property":"cap-bytes"}}' \
	'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/pdma0","property":"live-mappings"}}' \
	'{"execute":"human-monitor-command","arguments":{"command-line":"info pcipass"}}' \
	'{"execute":"quit"}' |
	timeout 30 "$PP_QEMU" -M virt -nic none -display none -S -qmp stdio \
		-device pcipass-dart-port,id=dp0,chassis=1,cap-bytes=256M,placement=random,seed=5 \
		-device pcipass-dma,dart=dp0,id=pdma0)
printf '%s\n' "$qmp_out" | grep -q '"return": 268435456' ||
	{ printf '%s\n' "$qmp_out"; echo "[dma-device] FAIL: qom-get cap-bytes"; exit 1; }
printf '%s\n' "$qmp_out" | grep -q 'pcipass-dart-port dp0 (placement random)' ||
	{ printf '%s\n' "$qmp_out"; echo "[dma-device] FAIL: info pcipass"; exit 1; }
[ "$(printf '%s\n' "$qmp_out" | grep -c '"return": 0}')" -eq 2 ] ||
	{ printf '%s\n' "$qmp_out"; echo "[dma-device] FAIL: qom-get counters"; exit 1; }
refuse() { # refuse WHY QEMU-ARGS...: QEMU must exit with an error
	local why=$1
	shift
	if timeout 30 "$PP_QEMU" -M virt -nic none -display none -S "$@" \
		</dev/null >"$out/refuse.log" 2>&1; then
		echo "[dma-device] FAIL: QEMU accepted $why"
		exit 1
	fi
	echo "[dma-device] refused $why: $(head -1 "$out/refuse.log")"
}
refuse "a bad placement" -device pcipass-dart-port,id=dp0,chassis=1,placement=best
refuse "pcipass-dma without dart" -device pcipass-dma
refuse "pcipass-dma behind its own port" \
	-device pcipass-dart-port,id=dp0,chassis=1 -device pcipass-dma,dart=dp0,bus=dp0
refuse "max-batch over 4096" \
	-device pcipass-dart-port,id=dp0,chassis=1 -device pcipass-dma,dart=dp0,max-batch=4097
echo "[dma-device] QMP/HMP state and configuration checks passed"

"$PP_TESTBED/cc-arm64" -std=gnu11 -O2 -Wall -Wextra -Werror \
	-I"$PP_REPO/core/include" -I"$PP_REPO/tests/guest/lib" \
	-o "$out/pp-regs" "$src/pp-regs.c" "$PP_REPO/tests/guest/lib/pp-guest.c"
truncate -s 64M "$out/disk.img"
"$PP_TESTBED/mkinitramfs" --out "$out/initramfs.gz" --init "$src/init" \
	--kmod nvme --bin "$out/pp-regs"
"$PP_TESTBED/run-guest" --name dma-device --initrd "$out/initramfs.gz" \
	--timeout 120 -- \
	-device pcipass-dart-port,id=dp0,chassis=1 \
	-drive file="$out/disk.img",if=none,id=d0,format=raw,cache=unsafe \
	-device nvme,drive=d0,serial=pcipass0,bus=dp0 \
	-device pcipass-dma,dart=dp0,id=pdma0

# The run passed (guest verdict PASS, QEMU exited 0 after poweroff).  QEMU
# must have reported the nvme's DMA faults, rate-limited.
log=${PCIPASS_TESTBED_OUT:-$PP_REPO/build/testbed}/logs/dma-device.log
n=$(grep -c 'dp0: DMA fault' "$log" || true)
if [ "$n" -eq 0 ]; then
	echo "[dma-device] FAIL: no DMA fault reported by the DART model"
	exit 1
fi
if [ "$n" -gt 200 ]; then
	echo "[dma-device] FAIL: $n fault lines: the log is not rate-limited"
	exit 1
fi
grep -m3 'dp0: DMA fault' "$log"
echo "[dma-device] $n DMA fault report(s) in QEMU's log (rate-limited); QEMU exited normally"
