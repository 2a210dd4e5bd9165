# SPDX-License-Identifier: GPL-2.0-or-later
# testbed/lib/qemu.sh: stage "qemu" (sourced by testbed/setup).
#
# QEMU from Debian's source package, built in the sysroot:
#   1. apt-get source (cached per version in $PP_CACHE/downloads/) and
#      dpkg-source -x, which applies Debian's own patches;
#   2. qemu/patches/series applied in order (changes to upstream files);
#   3. qemu/overlay/ (our new files), core/, hosts/ and the dext core with
#      the fake IOKit (mac/, tests/fakeiokit/) synced in (qemu_sync);
#   4. configure + ninja qemu-system-aarch64.
# The key covers 1, 2 and 4 (pins, patches, configure flags, this script).
# Step 3 is deliberately NOT in the key: qemu_sync runs on every
# `make testbed`, copies only files whose content changed (rsync -c) and
# rebuilds incrementally, so editing our device code costs seconds.
#
# Layout of DIR: src/ (patched tree), build/ (ninja), pristine.list (files of
# the tree before our overlay), overlay.list (overlay files last synced).
# Inside the chroot DIR is always mounted at /pp/qemu, so the absolute paths
# meson records stay valid when DIR is renamed from its .tmp name.

QEMU_CONFIGURE_FLAGS=(
	--target-list=aarch64-softmmu
	--disable-install-blobs --disable-docs --disable-tools
	--disable-guest-agent --disable-download
	# no GUI or remote display backends: tests run -nographic
	--disable-sdl --disable-gtk --disable-vte --disable-opengl
	--disable-virglrenderer --disable-vnc --disable-spice
	--disable-curses --disable-brlapi --disable-dbus-display
	# user networking must exist (e1000e / virtio-net tests use -netdev user)
	--enable-slirp --enable-fdt=system
)

qemu_key_text() {
	local series
	series=$(pp_series_key_text "$PP_REPO/qemu/patches") || return 1
	cat <<KEY
stage=qemu format=$PP_KEY_FORMAT epoch=$PP_CACHE_EPOCH
sysroot=$PP_SYSROOT_KEY
source=qemu=$PP_QEMU_SRC_VERSION suite=$PP_QEMU_SRC_SUITE
configure=${QEMU_CONFIGURE_FLAGS[*]}
$(pp_sha256 "$PP_TESTBED_DIR/lib/qemu.sh" "$PP_TESTBED_DIR/lib/patch-series.sh")
$series
KEY
}

# qemu_upstream_version -> e.g. 10.2.2+ds-1 (no epoch), as in file names
qemu_upstream_version() { echo "${PP_QEMU_SRC_VERSION#*:}"; }

# qemu_fetch_source SYSROOT -> prints the download dir holding the .dsc
qemu_fetch_source() {
	local s=$1 v dl tmp
	v=$(qemu_upstream_version)
	dl=$PP_CACHE/downloads/qemu_$v
	if [ -f "$dl/.done" ]; then
		echo "$dl"
		return 0
	fi
	tmp=$dl.tmp
	pp_rm_tree "$tmp"
	mkdir -p "$tmp"
	cp -L /etc/resolv.conf "$s/etc/resolv.conf"
	pp_log "apt-get update in the sysroot..."
	pp_chroot "$s" -- apt-get -q update >"$tmp/apt.log" 2>&1 ||
		{ tail -n 20 "$tmp/apt.log" >&2; pp_die "apt-get update failed in the sysroot"; }
	pp_check_pins "$s" "src:qemu=$PP_QEMU_SRC_VERSION"
	pp_log "downloading QEMU source $PP_QEMU_SRC_VERSION..."
	pp_chroot "$s" -b "$tmp:/pp/dl" -w /pp/dl -- \
		apt-get -q source --download-only "qemu=$PP_QEMU_SRC_VERSION" >>"$tmp/apt.log" 2>&1 ||
		{ tail -n 20 "$tmp/apt.log" >&2; pp_die "apt-get source qemu=$PP_QEMU_SRC_VERSION failed (log: $tmp/apt.log)"; }
	[ -f "$tmp/qemu_$v.dsc" ] || pp_die "apt-get source did not produce qemu_$v.dsc"
	touch "$tmp/.done"
	pp_rm_tree "$dl"
	mv "$tmp" "$dl"
	echo "$dl"
}

# qemu_build DIR SYSROOT: full build into DIR (a fresh directory).
qemu_build() {
	local dir=$1 s=$2 dl v t0 t1
	t0=$(pp_now)
	v=$(qemu_upstream_version)
	dl=$(qemu_fetch_source "$s")
	pp_log "unpacking QEMU $v (dpkg-source -x applies Debian's patches)..."
	pp_chroot "$s" -b "$dl:/pp/dl" -b "$dir:/pp/qemu" -- \
		dpkg-source -x "/pp/dl/qemu_$v.dsc" /pp/qemu/src >"$dir/unpack.log" 2>&1 ||
		{ tail -n 20 "$dir/unpack.log" >&2; pp_die "dpkg-source -x failed (log: $dir/unpack.log)"; }
	pp_series_apply "$PP_REPO/qemu/patches" "$dir/src"
	(cd "$dir/src" && find . \( -type f -o -type l \) -printf '%P\n' | LC_ALL=C sort) >"$dir/pristine.list"
	qemu_sync_sources "$dir"
	pp_log "configuring QEMU..."
	mkdir -p "$dir/build"
	pp_chroot "$s" -b "$dir:/pp/qemu" -w /pp/qemu/build -- \
		../src/configure "${QEMU_CONFIGURE_FLAGS[@]}" >"$dir/configure.log" 2>&1 ||
		{ tail -n 30 "$dir/configure.log" >&2; pp_die "QEMU configure failed (log: $dir/configure.log)"; }
	t1=$(pp_now)
	pp_log "building QEMU $v qemu-system-aarch64 (about 10 min on 2 cores; log: $dir/build.log)..."
	qemu_ninja "$dir" "$s" >"$dir/build.log" 2>&1 ||
		{ tail -n 40 "$dir/build.log" >&2; pp_die "QEMU build failed (log: $dir/build.log)"; }
	pp_log "QEMU built in $(pp_elapsed "$t1") s (stage total $(pp_elapsed "$t0") s)"
	du -sh "$dir" | cut -f1 >"$dir/size"
}

qemu_ninja() {
	local dir=$1 s=$2
	pp_chroot "$s" -b "$dir:/pp/qemu" -w /pp/qemu/build -- \
		sh -c 'exec ninja -j"$(nproc)" qemu-system-aarch64'
}

# qemu_sync_sources DIR: copy qemu/overlay/, core/, hosts/ and the fake-IOKit
# dext sources into DIR/src.
#   qemu/overlay/PATH  -> src/PATH           (new files only; upstream files
#                                             change through qemu/patches)
#   core/src/*.[ch]    -> src/hw/pcipass/core/src/
#   core/include/      -> src/hw/pcipass/core/include/
#   hosts/**/*.[ch]    -> src/hw/pcipass/hosts/   (host backends: pcipass-pci)
#   mac/dext/core/*.[ch] -> src/hw/pcipass/mac/dext/core/  (the dext core,
#   mac/include/       -> src/hw/pcipass/mac/include/     the dext's ABI and
#   tests/fakeiokit/   -> src/hw/pcipass/tests/fakeiokit/ the fake IOKit: the
#                         test-only "dext" backend of Linux builds, see
#                         qemu/overlay/hw/pcipass/meson.build)
# The last three keep the repository's layout under hw/pcipass/ so that the
# fake's relative includes (../../mac/..., ../../hosts/...) resolve as here.
# rsync -c copies a file only when its content differs and never carries the
# repo's mtimes over, so ninja rebuilds exactly what changed.
qemu_sync_sources() {
	local dir=$1 src=$1/src ov=$PP_REPO/qemu/overlay f new old
	new=$(mktemp)
	if [ -d "$ov" ]; then
		(cd "$ov" && find . \( -type f -o -type l \) -printf '%P\n' | LC_ALL=C sort) >"$new"
	fi
	while IFS= read -r f; do
		case $f in
		hw/pcipass/core | hw/pcipass/core/* | hw/pcipass/hosts | hw/pcipass/hosts/* | \
			hw/pcipass/mac | hw/pcipass/mac/* | hw/pcipass/tests | hw/pcipass/tests/*)
			rm -f "$new"
			pp_die "qemu/overlay/$f: hw/pcipass/core/, hosts/, mac/ and tests/ are reserved for the synced core/, hosts/, mac/ and tests/fakeiokit/ sources" ;;
		esac
		if grep -qxF -- "$f" "$dir/pristine.list"; then
			rm -f "$new"
			pp_die "qemu/overlay/$f would overwrite an upstream QEMU file; change upstream files with a patch in qemu/patches/ instead"
		fi
	done <"$new"
	# Files dropped from the overlay since the last sync leave the tree too.
	if [ -f "$dir/overlay.list" ]; then
		while IFS= read -r old; do
			if ! grep -qxF -- "$old" "$new" && ! grep -qxF -- "$old" "$dir/pristine.list"; then
				rm -f -- "$src/$old"
			fi
		done <"$dir/overlay.list"
	fi
	if [ -s "$new" ]; then
		rsync -rlc --files-from="$new" "$ov/" "$src/"
	fi
	mv "$new" "$dir/overlay.list"
	mkdir -p "$src/hw/pcipass/core/src" "$src/hw/pcipass/core/include"
	rsync -rlc --delete --include='*.c' --include='*.h' --exclude='*' \
		"$PP_REPO/core/src/" "$src/hw/pcipass/core/src/"
	rsync -rlc --delete "$PP_REPO/core/include/" "$src/hw/pcipass/core/include/"
	mkdir -p "$src/hw/pcipass/hosts"
	rsync -rlc --delete --include='*/' --include='*.c' --include='*.h' \
		--exclude='*' "$PP_REPO/hosts/" "$src/hw/pcipass/hosts/"
	mkdir -p "$src/hw/pcipass/mac/dext/core" "$src/hw/pcipass/mac/include" \
		"$src/hw/pcipass/tests/fakeiokit"
	rsync -rlc --delete --include='*.c' --include='*.h' --exclude='*' \
		"$PP_REPO/mac/dext/core/" "$src/hw/pcipass/mac/dext/core/"
	rsync -rlc --delete "$PP_REPO/mac/include/" "$src/hw/pcipass/mac/include/"
	rsync -rlc --delete --include='*/' --include='*.c' --include='*.h' \
		--exclude='*' "$PP_REPO/tests/fakeiokit/" "$src/hw/pcipass/tests/fakeiokit/"
}

# qemu_sync DIR SYSROOT: sync our sources into a complete build, rebuild.
qemu_sync() {
	local dir=$1 s=$2 t0 out
	t0=$(pp_now)
	qemu_sync_sources "$dir"
	if ! out=$(qemu_ninja "$dir" "$s" 2>&1); then
		printf '%s\n' "$out" | tail -n 40 >&2
		pp_die "incremental QEMU build failed (our overlay or core sources?)"
	fi
	# qemu-version.h is regenerated on every run (same content, nothing
	# depends on it changing): count real compile and link steps only.
	local n
	n=$(printf '%s\n' "$out" | grep -cE '^\[[0-9]+/[0-9]+\] (Compiling|Linking)' || true)
	if [ "$n" -eq 0 ]; then
		pp_log "QEMU up to date ($(pp_elapsed "$t0") s)"
	else
		pp_log "QEMU rebuilt incrementally: $n compile/link step(s) in $(pp_elapsed "$t0") s"
	fi
}
