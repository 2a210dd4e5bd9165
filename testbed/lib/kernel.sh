# SPDX-License-Identifier: GPL-2.0-or-later
# testbed/lib/kernel.sh: stage "kernel" (sourced by testbed/setup).
#
# Downloads Debian's arm64 guest kernel with the sysroot's apt and unpacks it
# (dpkg -x, nothing is installed) into DIR/root:
#   root/boot/vmlinuz-$KVER                    the kernel image
#   root/usr/lib/modules/$KVER/                modules (.ko.xz) + modules.dep
#   root/usr/src/linux-headers-$KVER{,-common} headers for out-of-tree modules
#   root/usr/bin/busybox                       static arm64 busybox
# The package ships no modules.dep (depmod runs at install time), so depmod
# runs here, in the sysroot, against the unpacked tree.

kernel_kver() { echo "$PP_KERNEL_ABI-$PP_KERNEL_FLAVOUR"; }

kernel_debs() {
	local kver
	kver=$(kernel_kver)
	echo "linux-image-$kver-unsigned:arm64=$PP_KERNEL_PKG_VERSION" \
		"linux-headers-$kver:arm64=$PP_KERNEL_PKG_VERSION" \
		"linux-headers-$PP_KERNEL_ABI-common=$PP_KERNEL_PKG_VERSION" \
		"busybox-static:arm64=$PP_BUSYBOX_STATIC_VERSION"
}

kernel_key_text() {
	cat <<KEY
stage=kernel format=$PP_KEY_FORMAT epoch=$PP_CACHE_EPOCH
sysroot=$PP_SYSROOT_KEY
debs=$(kernel_debs)
$(pp_sha256 "$PP_TESTBED_DIR/lib/kernel.sh")
KEY
}

# kernel_build DIR SYSROOT
kernel_build() {
	local dir=$1 s=$2 kver t0 f
	t0=$(pp_now)
	kver=$(kernel_kver)
	cp -L /etc/resolv.conf "$s/etc/resolv.conf"
	pp_log "apt-get update in the sysroot..."
	pp_chroot "$s" -- apt-get -q update >"$dir/apt.log" 2>&1 ||
		{ tail -n 20 "$dir/apt.log" >&2; pp_die "apt-get update failed in the sysroot"; }
	# shellcheck disable=SC2046
	pp_check_pins "$s" $(kernel_debs)
	pp_log "downloading guest kernel $kver ($PP_KERNEL_PKG_VERSION), headers and busybox..."
	mkdir -p "$dir/debs" "$dir/root"
	# shellcheck disable=SC2046
	pp_chroot "$s" -b "$dir:/pp/out" -w /pp/out/debs -- \
		apt-get -q download $(kernel_debs) >>"$dir/apt.log" 2>&1 ||
		{ tail -n 20 "$dir/apt.log" >&2; pp_die "downloading the guest kernel packages failed (log: $dir/apt.log)"; }
	for f in "$dir"/debs/*.deb; do
		dpkg-deb -x "$f" "$dir/root"
		dpkg-deb -f "$f" Package Version Architecture | tr '\n' ' ' >>"$dir/packages"
		echo >>"$dir/packages"
	done
	rm -rf "$dir/debs"

	local r=$dir/root
	[ -f "$r/boot/vmlinuz-$kver" ] || pp_die "kernel package has no boot/vmlinuz-$kver"
	[ -d "$r/usr/lib/modules/$kver/kernel" ] || pp_die "kernel package has no usr/lib/modules/$kver/kernel"
	[ -f "$r/usr/src/linux-headers-$kver/Makefile" ] || pp_die "headers package has no usr/src/linux-headers-$kver/Makefile"
	[ -x "$r/usr/bin/busybox" ] || pp_die "busybox-static package has no usr/bin/busybox"

	pp_log "depmod for $kver..."
	# depmod -b BASE looks in BASE/lib/modules; the package uses /usr/lib.
	ln -sfn usr/lib "$r/lib"
	pp_chroot "$s" -b "$dir:/pp/out" -- depmod -b /pp/out/root "$kver"
	rm -f "$r/lib"
	[ -s "$r/usr/lib/modules/$kver/modules.dep" ] || pp_die "depmod produced no modules.dep"
	du -sh "$dir" | cut -f1 >"$dir/size"
	pp_log "guest kernel ready: $(cat "$dir/size") in $(pp_elapsed "$t0") s"
}
