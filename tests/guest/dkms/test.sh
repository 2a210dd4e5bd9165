#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "dkms": the Debian package pcipass-dma-dkms builds the module
# for the guest kernel through DKMS.
#
# 1. guest/packaging/build-deb makes pcipass-dma-dkms_VER_all.deb.
# 2. A throw-away overlay of the testbed sysroot (trixie amd64; the sysroot
#    itself is not touched) gets dkms from Debian, the arm64 headers of
#    6.12.117+deb13-arm64 (bind-mounted from the testbed's kernel entry at
#    /usr/src/linux-headers-{KVER,ABI-common}) as /lib/modules/KVER/build, and the .deb via
#    `dpkg -i` with ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- in the
#    environment: the package's postinst (dkms common.postinst: add, build,
#    install for each /lib/modules/*/build, as in a chroot) cross-compiles.
#    dkms passes its environment on to make, so no dkms.conf change is needed
#    for cross builds.
# 3. The installed .ko is checked (aarch64, vermagic of the guest kernel),
#    then `dpkg --purge` must remove it, the dkms tree and /usr/src.
# 4. A guest boots with that .ko: it binds, translates an NVMe behind the
#    DART, carries verified I/O and unloads with 0 DART entries.
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
. "$PP_TESTBED/lib/common.sh"
pp_env_load
. "$PP_REPO/tests/guest/nvme/common.sh"

deb=$("$PP_REPO/guest/packaging/build-deb" --out "$PP_TEST_OUT/deb")
echo "[dkms] package: $(basename "$deb")"
ver=$(dpkg-deb -f "$deb" Version)
ov=$PP_TEST_OUT/overlay
mkdir -p "$ov/upper" "$ov/work" "$ov/merged" "$PP_TEST_OUT/result"
mkdir -p "$PP_TEST_OUT/result"
cat >"$PP_TEST_OUT/result/inside.sh" <<'EOS'
set -eu
kver=$1 ver=$2 deb=$3
echo "[dkms/chroot] apt-get install dkms"
apt-get update -qq
apt-get install -y -qq --no-install-recommends dkms >/dev/null
dkms --version
mkdir -p /lib/modules/$kver
ln -sfn /usr/src/linux-headers-$kver /lib/modules/$kver/build
echo "[dkms/chroot] dpkg -i $(basename $deb) (ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)"
env ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- dpkg -i "$deb" ||
	{ tail -n 30 /var/lib/dkms/pcipass-dma/$ver/build/make.log; exit 1; }
dkms status
ko=/lib/modules/$kver/updates/dkms/pcipass_dma.ko
[ -f $ko ] || { ls -R /lib/modules/$kver/updates 2>&1; cat /var/lib/dkms/pcipass-dma/$ver/build/make.log 2>/dev/null | tail -20; exit 1; }
cp $ko /pp-out/pcipass_dma.ko
dkms status -m pcipass-dma -v $ver -k $kver >/pp-out/status
cp /etc/modprobe.d/pcipass-dma.conf /pp-out/
tag=dkms; . /pp-out/purge-check.sh
EOS
cp "$PP_REPO/tests/guest/dkms/purge-check.sh" "$PP_TEST_OUT/result/"
cp "$deb" "$PP_TEST_OUT/result/"
# The overlay lives in a private mount namespace (gone when this ends);
# pp_chroot adds /dev, /proc, /sys and the binds in a nested one.
unshare --mount --propagation private bash -c '
	set -e
	. "$PP_TESTBED/lib/common.sh"; pp_env_load
	mount -t overlay overlay -o "lowerdir=$PP_SYSROOT,upperdir=$0/upper,workdir=$0/work" "$0/merged"
	h=$PP_KHEADERS_ROOT; c=$(basename "$PP_KHEADERS"); c=${c%-*}-common
	pp_chroot "$0/merged" -b "$h/$(basename "$PP_KHEADERS"):$PP_KHEADERS" -b "$h/$c:/usr/src/$c" -b "$1:/pp-out" -- \
		sh /pp-out/inside.sh "$PP_KVER" "$2" "/pp-out/$(basename "$3")"
' "$ov" "$PP_TEST_OUT/result" "$ver" "$deb" < /dev/null
rm -rf "$ov"
ko=$PP_TEST_OUT/result/pcipass_dma.ko
file "$ko" | grep -q 'ARM aarch64' || { file "$ko"; echo "[dkms] FAIL: not an arm64 module"; exit 1; }
vm=$(strings "$ko" | sed -n "s/^vermagic=//p" | head -n 1)
case $vm in "$PP_KVER "*) ;; *) echo "[dkms] FAIL: vermagic '$vm'"; exit 1 ;; esac
echo "[dkms] built by DKMS: $(cat "$PP_TEST_OUT/result/status"); vermagic $vm"
grep -q '^softdep nvidia pre: pcipass_dma' "$PP_TEST_OUT/result/pcipass-dma.conf"

PPD_KO=$ko
disk=$(ppd_disk dkms 64M)
ppd_initramfs "$PP_TEST_SRC/init" --kmod nvme
"$PP_TESTBED/run-guest" --name dkms --initrd "$PP_TEST_OUT/initramfs.gz" \
	--smp 2 --mem 512 --timeout 120 -- \
	-device pcipass-dart-port,id=dp0,chassis=1 \
	-drive file="$disk",if=none,id=d0,format=raw,cache=unsafe \
	-device nvme,drive=d0,serial=pcipass0,bus=dp0 \
	-device pcipass-dma,dart=dp0
ppd_check_faults dkms
