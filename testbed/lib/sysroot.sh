# SPDX-License-Identifier: GPL-2.0-or-later
# testbed/lib/sysroot.sh: stage "sysroot" (sourced by testbed/setup).
#
# A Debian minbase chroot (amd64) that holds every build tool: the QEMU build
# dependencies, the arm64 cross compiler and the kernel's kbuild tools.  The
# host needs none of them.  arm64 is added as a foreign architecture so that
# the kernel stage can download arm64 packages with the sysroot's apt.
#
# The hash of this file is part of the key: edit it and the sysroot (and all
# that is built in it) is rebuilt.

# Packages installed on top of minbase.  QEMU build deps first, then the
# cross toolchain, then kbuild and what the testbed itself uses inside.
sysroot_packages() {
	echo ninja-build meson python3-venv python3-setuptools python3-tomli \
		pkg-config libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev \
		flex bison libslirp-dev gcc g++ make dpkg-dev patch xz-utils \
		"gcc-aarch64-linux-gnu=$PP_CROSS_GCC_VERSION" libc6-dev-arm64-cross \
		"linux-kbuild-$PP_KERNEL_ABI=$PP_KERNEL_PKG_VERSION" kmod
}

sysroot_key_text() {
	cat <<KEY
stage=sysroot format=$PP_KEY_FORMAT epoch=$PP_CACHE_EPOCH
mirror=$PP_DEBIAN_MIRROR security=$PP_DEBIAN_SECURITY_MIRROR
suite=$PP_SYSROOT_SUITE qemu_src_suite=$PP_QEMU_SRC_SUITE
packages=$(sysroot_packages)
$(pp_sha256 "$PP_TESTBED_DIR/lib/sysroot.sh")
KEY
}

# sysroot_write_apt_config ROOT: sources and apt/dpkg settings.
sysroot_write_apt_config() {
	local r=$1
	cat >"$r/etc/apt/sources.list" <<SRC
deb $PP_DEBIAN_MIRROR $PP_SYSROOT_SUITE main
deb $PP_DEBIAN_MIRROR $PP_SYSROOT_SUITE-updates main
deb $PP_DEBIAN_SECURITY_MIRROR $PP_SYSROOT_SUITE-security main
# QEMU sources only.  This Release file is an expired snapshot, hence
# check-valid-until=no on this one line (the rest keep apt's checks).
deb-src [check-valid-until=no] $PP_DEBIAN_MIRROR $PP_QEMU_SRC_SUITE main
SRC
	rm -f "$r/etc/apt/sources.list.d/"*.sources "$r/etc/apt/sources.list.d/"*.list
	cat >"$r/etc/apt/apt.conf.d/90pcipass" <<'APT'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Retries "3";
Acquire::Languages "none";
APT
	# No docs, man pages or translations: smaller and faster to install.
	cat >"$r/etc/dpkg/dpkg.cfg.d/90pcipass-nodoc" <<'DPKG'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
DPKG
	# Never start services inside the chroot.
	printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
	chmod 755 "$r/usr/sbin/policy-rc.d"
}

# sysroot_build DIR: build the sysroot in DIR/root.
sysroot_build() {
	local dir=$1 r=$1/root t0
	t0=$(pp_now)
	command -v debootstrap >/dev/null || PATH=$PATH:/usr/sbin:/sbin
	pp_log "debootstrap --variant=minbase $PP_SYSROOT_SUITE (about 20 s)..."
	# debootstrap mounts /proc etc. in the target itself; keep those mounts
	# (and debootstrap's processes) in private namespaces too.
	if ! pp_unshare debootstrap --variant=minbase "$PP_SYSROOT_SUITE" "$r" "$PP_DEBIAN_MIRROR" \
		>"$dir/debootstrap.log" 2>&1; then
		tail -n 20 "$dir/debootstrap.log" >&2
		pp_die "debootstrap failed (full log: $dir/debootstrap.log)"
	fi
	sysroot_write_apt_config "$r"
	cp -L /etc/resolv.conf "$r/etc/resolv.conf"
	pp_chroot "$r" -- dpkg --add-architecture arm64
	pp_log "apt-get update in the sysroot..."
	pp_chroot "$r" -- apt-get -q update >"$dir/apt.log" 2>&1 ||
		{ tail -n 20 "$dir/apt.log" >&2; pp_die "apt-get update failed in the sysroot"; }
	pp_check_pins "$r" \
		"gcc-aarch64-linux-gnu=$PP_CROSS_GCC_VERSION" \
		"linux-kbuild-$PP_KERNEL_ABI=$PP_KERNEL_PKG_VERSION"
	pp_log "installing build tools in the sysroot (QEMU build deps, arm64 cross gcc, kbuild; about 1-2 min)..."
	# shellcheck disable=SC2046
	pp_chroot "$r" -- apt-get -q -y install $(sysroot_packages) >>"$dir/apt.log" 2>&1 ||
		{ tail -n 30 "$dir/apt.log" >&2; pp_die "package installation failed in the sysroot (log: $dir/apt.log)"; }
	pp_chroot "$r" -- apt-get clean
	du -sxh "$r" | cut -f1 >"$dir/size"
	pp_log "sysroot ready: $(cat "$dir/size") in $(pp_elapsed "$t0") s"
}
