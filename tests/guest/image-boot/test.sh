#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "image-boot": the guest image (image/build, cached) boots from
# an NVMe disk BEHIND the DART twin, so the root filesystem's DMA goes
# through pcipass_dma from the initramfs on.
#
#   direct kernel boot of the image's own vmlinuz + initrd.img,
#   root=/dev/nvme0n1p1, on a qcow2 overlay of the cached image
#   -> initramfs loads pcipass_dma (init-top + softdep nvme) before nvme
#   -> systemd reaches multi-user.target; pcipass-selftest.service (enabled
#      by pcipass.selftest=1 only) checks pcipass_dma is the DKMS module and
#      translates the NVMe, writes and verifies 64 MiB with O_DIRECT, prints
#      the verdict and runs `systemctl poweroff`
#   -> clean shutdown: after nvme's shutdown, pcipass_dma's .shutdown RESETs
#      the device, which gives every DART mapping back ("shutdown: DART
#      mappings released"; pcipass-exitrd.service would unload the module
#      instead, but systemd-shutdown was not seen running it)
#   -> QEMU (-action shutdown=pause) keeps the devices; qmp-watch.py reads
#      `info pcipass` over QMP: 0 live DART entries required.
#
# IMAGE_BOOT_TIMEOUT (default 600 s) bounds the boot.  If the image is not
# cached yet, image/build builds it first (10-20 min; see docs/guest-image.md).
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
. "$PP_REPO/tests/guest/nvme/common.sh"

entry=$("$PP_REPO/image/build" --out "$PP_TEST_OUT/image")
echo "[image-boot] image: $entry"
qemu-img create -q -f qcow2 -F qcow2 -b "$entry/disk.qcow2" "$PP_TEST_OUT/disk.qcow2"
sock=$PP_TEST_OUT/qmp.sock
rm -f "$sock" "$PP_TEST_OUT/qmp.out"
python3 "$PP_TEST_SRC/qmp-watch.py" "$sock" "$PP_TEST_OUT/qmp.out" &
watch=$!
rc=0
"$PP_TESTBED/run-guest" --name image-boot --kernel "$entry/vmlinuz" --initrd "$entry/initrd.img" \
	--append "root=/dev/nvme0n1p1 rw pcipass.selftest=1 systemd.show_status=1 loglevel=6" \
	--smp 2 --mem 1024 --timeout "${IMAGE_BOOT_TIMEOUT:-600}" -- \
	-device pcipass-dart-port,id=dp0,chassis=1 \
	-drive file="$PP_TEST_OUT/disk.qcow2",if=none,id=d0,format=qcow2,cache=unsafe \
	-device nvme,drive=d0,serial=pcipass-root,bus=dp0 \
	-device pcipass-dma,dart=dp0 \
	-qmp unix:"$sock",server=on,wait=off -action shutdown=pause || rc=$?
wait $watch || true
log=$(ppd_log image-boot)
[ $rc -eq 0 ] || { echo "[image-boot] FAIL: run-guest exit $rc"; exit 1; }
ppd_check_faults image-boot
tr -d '\r' <"$log" | grep -E '\[selftest\]|pcipass-exitrd|unload: DART usage|shutdown: DART mappings|Reached target.*Multi-User|reboot: Power down' || true
cat "$PP_TEST_OUT/qmp.out" 2>/dev/null || { echo "[image-boot] FAIL: no QMP report (guest did not power off?)"; exit 1; }
n=$(sed -n 's/^dart-entries //p' "$PP_TEST_OUT/qmp.out")
[ "$n" = 0 ] || { echo "[image-boot] FAIL: $n DART entries left after poweroff"; exit 1; }
# (The count above is the proof that pcipass_dma gave every mapping back at
# shutdown: QEMU's own DART model says so after the guest powered off.)
# pcipass_dma must have taken over the NVMe before nvme bound, in the initramfs.
tr -d '\r' <"$log" | grep -aqE '\[selftest\] managed: .* translated .*driver=nvme' ||
	{ echo "[image-boot] FAIL: NVMe not translated"; exit 1; }
echo "[image-boot] PASS: multi-user, 64 MiB verified on the DART-backed root, clean poweroff, 0 DART entries"
