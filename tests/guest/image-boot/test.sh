#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "image-boot": the guest image (image/build, cached) boots from
# an NVMe disk BEHIND the DART twin, so the root filesystem's DMA goes
# through pcipass_dma from the initramfs on.
#
#   direct kernel boot of the image's own vmlinuz + initrd.img,
#   root=/dev/nvme0n1p1, on a qcow2 overlay of the cached image
#   -> initramfs loads pcipass_dma (init-top + softdep nvme) before nvme
#   -> systemd reaches multi-user.target and sshd; the kernel command line
#      has pcipass_dma.quirk_uvm_force=1 pcipass_dma.quirk_tso_force=1
#      (modprobe in the initramfs reads them), and user networking forwards
#      127.0.0.1:PORT to the guest's sshd (virtio-net, not behind the DART)
#   -> over ssh (user pcipass, the image's id_ed25519, sudo), test.sh copies
#      a payload (the four nvidia.ko ABI twins of quirk-uvm, quirk-tso's
#      static tso-check, tests/guest/lib/quirk-checks.sh and image-quirks)
#      and runs `image-quirks uvm` and `image-quirks tso`: the quirk checks
#      that need no reload of pcipass_dma, against the DKMS-built module in
#      the full distribution (UVM: rewrites, anomalies and the trip, nvidia
#      reload, 470/devel refused, 520 layout; TSO: FEX's calls answered, 4
#      threads, counters equal the calls; no kernel WARNING); each prints a
#      "QUIRK-VERDICT: uvm|tso PASS" line
#   -> then `sudo /usr/lib/pcipass/selftest` (what pcipass-selftest.service
#      runs with pcipass.selftest=1) checks pcipass_dma is the DKMS module and
#      translates the NVMe, writes and verifies 64 MiB with O_DIRECT, prints
#      the verdict on the console and runs `systemctl poweroff`
#   -> clean shutdown: after nvme's shutdown, pcipass_dma's .shutdown RESETs
#      the device, which gives every DART mapping back ("shutdown: DART
#      mappings released"; pcipass-exitrd.service would unload the module
#      instead, but systemd-shutdown was not seen running it)
#   -> QEMU (-action shutdown=pause) keeps the devices; qmp-watch.py reads
#      `info pcipass` over QMP: 0 live DART entries required.
#
# IMAGE_BOOT_TIMEOUT (default 600 s) bounds the boot, IMAGE_SSH_TIMEOUT
# (default 300 s) the wait for sshd.  The unforced paths (no EnTSO: stock
# EINVAL; no NVIDIA device: UVM quirk not wanted), quirks=0 and unloading
# pcipass_dma are checked only by quirk-uvm and quirk-tso.  If the image is not
# cached yet, image/build builds it first (10-20 min; see docs/guest-image.md).
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
. "$PP_REPO/tests/guest/nvme/common.sh"

entry=$("$PP_REPO/image/build" --out "$PP_TEST_OUT/image")
echo "[image-boot] image: $entry"
qemu-img create -q -f qcow2 -F qcow2 -b "$entry/disk.qcow2" "$PP_TEST_OUT/disk.qcow2"

key=$PP_TEST_OUT/id_ed25519
install -m 0600 "$entry/id_ed25519" "$key"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
gssh() {
	timeout -k 5 "${GSSH_TIMEOUT:-600}" ssh -i "$key" -p "$port" -o BatchMode=yes -o ConnectTimeout=10 \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
		pcipass@127.0.0.1 "$@"
}

sock=$PP_TEST_OUT/qmp.sock
rm -f "$sock" "$PP_TEST_OUT/qmp.out"
python3 "$PP_TEST_SRC/qmp-watch.py" "$sock" "$PP_TEST_OUT/qmp.out" &
watch=$!
t_boot=$SECONDS
"$PP_TESTBED/run-guest" --name image-boot --kernel "$entry/vmlinuz" --initrd "$entry/initrd.img" \
	--append "root=/dev/nvme0n1p1 rw systemd.show_status=1 loglevel=6 pcipass_dma.quirk_uvm_force=1 pcipass_dma.quirk_tso_force=1" \
	--smp 2 --mem 1024 --timeout "${IMAGE_BOOT_TIMEOUT:-600}" -- \
	-device pcipass-dart-port,id=dp0,chassis=1 \
	-drive file="$PP_TEST_OUT/disk.qcow2",if=none,id=d0,format=qcow2,cache=unsafe \
	-device nvme,drive=d0,serial=pcipass-root,bus=dp0 \
	-device pcipass-dma,dart=dp0 \
	-netdev user,id=n0,hostfwd=tcp:127.0.0.1:"$port"-:22 -device virtio-net-pci,netdev=n0,romfile= \
	-qmp unix:"$sock",server=on,wait=off -action shutdown=pause &
guest=$!
# run-guest kills QEMU when it is killed; qmp-watch then ends by itself.
trap 'kill $guest 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

# The payload of the quirk checks, built while the guest boots and copied to
# it over ssh.
pl=$PP_TEST_OUT/payload
mkdir -p "$pl/bin"
for t in new:580.142:530 old:520.56.06:520 unk:470.256.02:530 bad:devel:530; do
	IFS=: read -r name version layout <<<"$t"
	"$PP_REPO/tests/guest/quirk-uvm/twin/build" "$PP_TEST_OUT/twin-$name" "$version" "$layout"
	install -D -m 0644 "$PP_TEST_OUT/twin-$name/nvidia.ko" "$pl/twin/$name/nvidia.ko"
done
ppd_bin tso-check "$PP_REPO/tests/guest/quirk-tso/tso-check.c"
install -m 0755 "$PP_TEST_OUT/tso-check" "$pl/bin/"
install -m 0755 "$PP_TEST_SRC/image-quirks" "$pl/"
install -m 0644 "$PP_REPO/tests/guest/lib/guest-lib.sh" "$PP_REPO/tests/guest/lib/quirk-checks.sh" \
	"$PP_REPO/tests/guest/nvme/pp-dma.sh" "$pl/"
echo "[image-boot] payload built $((SECONDS - t_boot)) s after QEMU started"

# Wait for sshd (and for the boot to finish: the selftest wants
# multi-user.target active), run the quirk checks, then the selftest, which
# powers the guest off.
up=0
while [ $((SECONDS - t_boot)) -lt "${IMAGE_SSH_TIMEOUT:-300}" ] && kill -0 $guest 2>/dev/null; do
	if GSSH_TIMEOUT=30 gssh true 2>/dev/null; then
		up=1
		break
	fi
	sleep 2
done
qrc=()
if [ $up = 1 ]; then
	echo "[image-boot] ssh up $((SECONDS - t_boot)) s after QEMU started;" \
		"system $(GSSH_TIMEOUT=300 gssh systemctl is-system-running --wait || true)"
	tar -C "$pl" -cf - . | gssh 'rm -rf /tmp/pcipass-quirks && mkdir /tmp/pcipass-quirks && tar -C /tmp/pcipass-quirks -xf -' ||
		{ echo "[image-boot] FAIL: cannot copy the payload to the guest"; exit 1; }
	for w in uvm tso; do
		t0=$SECONDS
		rc=0
		gssh sudo sh /tmp/pcipass-quirks/image-quirks $w >"$PP_TEST_OUT/quirks-$w.out" 2>&1 || rc=$?
		qrc+=("$w:$rc")
		echo "[image-boot] image-quirks $w: exit $rc in $((SECONDS - t0)) s"
	done
	gssh sudo /usr/lib/pcipass/selftest || true
else
	echo "[image-boot] FAIL: no ssh to the guest after $((SECONDS - t_boot)) s"
	kill $guest 2>/dev/null || true
fi
rc=0
wait $guest || rc=$?
trap - EXIT INT TERM
wait $watch || true
echo "[image-boot] guest ran $((SECONDS - t_boot)) s"
log=$(ppd_log image-boot)
[ $up = 1 ] || exit 1
for w in uvm tso; do
	echo "----- image-quirks $w (in the image, over ssh) -----"
	grep -E '^\[guest\] step .* ok|^tso-check: |^QUIRK-VERDICT' "$PP_TEST_OUT/quirks-$w.out" || true
done
echo "-----"
[ $rc -eq 0 ] || { echo "[image-boot] FAIL: run-guest exit $rc"; exit 1; }
ppd_check_faults image-boot
tr -d '\r' <"$log" | grep -E '\[selftest\]|pcipass-exitrd|unload: DART usage|shutdown: DART mappings|Reached target.*Multi-User|reboot: Power down' || true
cat "$PP_TEST_OUT/qmp.out" 2>/dev/null || { echo "[image-boot] FAIL: no QMP report (guest did not power off?)"; exit 1; }
n=$(sed -n 's/^dart-entries //p' "$PP_TEST_OUT/qmp.out")
[ "$n" = 0 ] || { echo "[image-boot] FAIL: $n DART entries left after poweroff"; exit 1; }
# (The count above is the proof that pcipass_dma gave every mapping back at
# shutdown: QEMU's own DART model says so after the guest powered off.)
for w in uvm tso; do
	grep -qx "QUIRK-VERDICT: $w PASS" "$PP_TEST_OUT/quirks-$w.out" || {
		tail -n 30 "$PP_TEST_OUT/quirks-$w.out"
		echo "[image-boot] FAIL: $w quirk checks in the image (${qrc[*]}): $(grep QUIRK-VERDICT "$PP_TEST_OUT/quirks-$w.out" || echo no verdict)"
		exit 1
	}
done
# pcipass_dma must have taken over the NVMe before nvme bound, in the initramfs.
# (No grep -q: with pipefail, tr's SIGPIPE when grep quits early fails the test.)
tr -d '\r' <"$log" | grep -aE '\[selftest\] managed: .* translated .*driver=nvme' >/dev/null ||
	{ echo "[image-boot] FAIL: NVMe not translated"; exit 1; }
echo "[image-boot] PASS: multi-user, UVM and TSO quirk checks, 64 MiB verified on the DART-backed root, clean poweroff, 0 DART entries"
