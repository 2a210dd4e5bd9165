#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "module-amd64": pcipass_dma (and the test driver
# pcipass_loopgpu) build for Debian's amd64 kernel of the pinned version,
# natively, with no warnings, and the Debian package pcipass-dma-dkms
# builds, installs and purges the module for that kernel through DKMS.
# Nothing is loaded: the testbed has no x86-64 guest (docs/guest-module.md,
# "amd64: builds, not run here").
#
# 1. A throw-away overlay of the testbed sysroot (trixie amd64; the sysroot
#    itself is not touched, no kernel entry is bind-mounted) gets dkms and
#    linux-headers-$PP_KERNEL_ABI-amd64 (+ -common, linux-kbuild) at
#    $PP_KERNEL_PKG_VERSION from Debian.
# 2. Plain kbuild (M=, W=1 KCFLAGS=-Werror) of the standalone source trees
#    of pcipass_dma (make dist: sources + core copy) and pcipass_loopgpu:
#    any warning, from the compiler or modpost, fails.
# 3. `dpkg -i pcipass-dma-dkms_VER_all.deb`: the postinst (dkms
#    common.postinst) builds and installs for /lib/modules/KVER-amd64/build.
#    The installed module (.ko.xz: that kernel compresses its modules) must
#    be an x86-64 ELF with that kernel's vermagic, and `dpkg --purge` must
#    remove it, the dkms tree, /usr/src and the conffiles.
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
. "$PP_TESTBED/lib/common.sh"
pp_env_load
pp_load_pins
kver=$PP_KERNEL_ABI-amd64
pkgver=$PP_KERNEL_PKG_VERSION

res=$PP_TEST_OUT/result
mkdir -p "$res/src"
deb=$("$PP_REPO/guest/packaging/build-deb" --out "$PP_TEST_OUT/deb")
ver=$(dpkg-deb -f "$deb" Version)
echo "[module-amd64] package: $(basename "$deb"); kernel $kver ($pkgver)"
cp "$deb" "$res/"
make -s -C "$PP_REPO/guest/pcipass_dma" -f "$PP_REPO/guest/pcipass_dma/Makefile" \
	dist DIST="$res/src/pcipass_dma"
make -s -C "$PP_REPO/guest/pcipass_loopgpu" -f "$PP_REPO/guest/pcipass_loopgpu/Makefile" \
	dist DIST="$res/src/pcipass_loopgpu"

cat >"$res/inside.sh" <<'EOS'
set -eu
kver=$1 abi=$2 pkgver=$3 ver=$4 deb=$5
echo "[module-amd64/chroot] apt-get install dkms linux-headers-$kver=$pkgver"
apt-get update -qq
apt-get install -y -qq --no-install-recommends dkms \
	"linux-headers-$kver=$pkgver" "linux-headers-$abi-common=$pkgver" \
	"linux-kbuild-$abi=$pkgver" >/pp-out/apt.log 2>&1 ||
	{ tail -n 30 /pp-out/apt.log; exit 1; }
[ -e /lib/modules/$kver/build/Makefile ] ||
	{ echo "no /lib/modules/$kver/build"; exit 1; }
dkms --version
# dev->dma_ops, which the module sets, exists only with this option
grep -q '^CONFIG_ARCH_HAS_DMA_OPS=y' /lib/modules/$kver/build/.config ||
	{ echo "$kver lacks CONFIG_ARCH_HAS_DMA_OPS"; exit 1; }

# Plain kbuild, warnings fatal (W=1 extra warnings; modpost's too).
for m in pcipass_dma pcipass_loopgpu; do
	echo "[module-amd64/chroot] make M=$m W=1 KCFLAGS=-Werror"
	make -C /lib/modules/$kver/build M=/pp-out/src/$m -j"$(nproc)" \
		modules W=1 KCFLAGS=-Werror >/pp-out/$m.build.log 2>&1 ||
		{ cat /pp-out/$m.build.log; exit 1; }
	if grep -i 'warning' /pp-out/$m.build.log; then
		echo "$m: warnings building for $kver"
		exit 1
	fi
	cp /pp-out/src/$m/$m.ko /pp-out/$m.kbuild.ko
done

# The package, natively: its postinst builds for every /lib/modules/*/build
# that exists here, i.e. only the amd64 headers just installed.
echo "[module-amd64/chroot] dpkg -i $(basename $deb)"
dpkg -i "$deb" ||
	{ tail -n 30 /var/lib/dkms/pcipass-dma/$ver/build/make.log 2>/dev/null; exit 1; }
dkms status
# Debian's amd64 kernel compresses its modules (CONFIG_MODULE_COMPRESS_XZ):
# dkms installs pcipass_dma.ko.xz for it, signed with its own MOK key.
ko=/lib/modules/$kver/updates/dkms/pcipass_dma.ko
if [ -f $ko.xz ]; then
	ko=$ko.xz
	xz -dc $ko >/pp-out/pcipass_dma.dkms.ko
elif [ -f $ko ]; then
	cp $ko /pp-out/pcipass_dma.dkms.ko
else
	ls -R /lib/modules/$kver/updates 2>&1
	tail -n 20 /var/lib/dkms/pcipass-dma/$ver/build/make.log 2>/dev/null
	exit 1
fi
echo "[module-amd64/chroot] installed: $ko"
dkms status -m pcipass-dma -v $ver -k $kver >/pp-out/status
tag=module-amd64; . /pp-out/purge-check.sh
EOS
cp "$PP_REPO/tests/guest/dkms/purge-check.sh" "$res/"

ov=$PP_TEST_OUT/overlay
mkdir -p "$ov/upper" "$ov/work" "$ov/merged"
# The overlay lives in a private mount namespace (gone when this ends);
# pp_chroot adds /dev, /proc, /sys and the bind in a nested one.
unshare --mount --propagation private bash -c '
	set -e
	. "$PP_TESTBED/lib/common.sh"; pp_env_load
	mount -t overlay overlay -o "lowerdir=$PP_SYSROOT,upperdir=$0/upper,workdir=$0/work" "$0/merged"
	pp_chroot "$0/merged" -b "$1:/pp-out" -- sh /pp-out/inside.sh "$2" "$3" "$4" "$5" "/pp-out/$(basename "$6")"
' "$ov" "$res" "$kver" "$PP_KERNEL_ABI" "$pkgver" "$ver" "$deb" </dev/null
rm -rf "$ov"

# pp_check_ko KO: an x86-64 kernel module for exactly $kver
pp_check_ko() {
	local vm
	file "$1" | grep -q 'ELF 64-bit LSB relocatable, x86-64' ||
		{ file "$1"; echo "[module-amd64] FAIL: $(basename "$1") is not an x86-64 module"; exit 1; }
	vm=$(strings "$1" | sed -n 's/^vermagic=//p' | head -n 1)
	case $vm in "$kver "*) ;; *) echo "[module-amd64] FAIL: $(basename "$1"): vermagic '$vm'"; exit 1 ;; esac
	echo "[module-amd64] $(basename "$1"): x86-64, vermagic $vm"
}
pp_check_ko "$res/pcipass_dma.kbuild.ko"
pp_check_ko "$res/pcipass_loopgpu.kbuild.ko"
pp_check_ko "$res/pcipass_dma.dkms.ko"
echo "[module-amd64] built by DKMS: $(cat "$res/status"); purged cleanly"
