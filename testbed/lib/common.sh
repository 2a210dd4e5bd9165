# SPDX-License-Identifier: GPL-2.0-or-later
# testbed/lib/common.sh: helpers shared by the testbed scripts (sourced).
#
# Nothing in here decides what goes into an artifact: that lives in the stage
# scripts (sysroot.sh, kernel.sh, qemu.sh), whose hashes are part of the cache
# keys.  This file holds logging, paths, locking and the chroot runner.

PP_TESTBED_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PP_REPO=$(cd "$PP_TESTBED_DIR/.." && pwd)
PP_OUT=${PCIPASS_TESTBED_OUT:-$PP_REPO/build/testbed}
PP_CACHE=${PCIPASS_CACHE:-${HOME:-/root}/.cache/pcipass}
# Version of the key format and of the cache layout; bump when either changes.
PP_KEY_FORMAT=1

pp_log()  { printf '[testbed] %s\n' "$*" >&2; }
pp_warn() { printf '[testbed] warning: %s\n' "$*" >&2; }
pp_die()  { printf '[testbed] error: %s\n' "$*" >&2; exit 1; }

pp_load_pins() {
	local pins=$PP_TESTBED_DIR/pins
	[ -r "$pins" ] || pp_die "missing $pins"
	# shellcheck source=../pins
	. "$pins"
}

pp_now() { date +%s.%N; }
# pp_elapsed START -> seconds since START with one decimal
pp_elapsed() { awk -v s="$1" -v e="$(pp_now)" 'BEGIN { printf "%.1f", e - s }'; }

# pp_sha256 FILE... -> "<hash>  <path relative to repo>" lines
pp_sha256() {
	local f
	for f in "$@"; do
		printf '%s  %s\n' "$(sha256sum <"$f" | cut -d' ' -f1)" "${f#"$PP_REPO"/}"
	done
}

# pp_key_of TEXT -> short key (first 16 hex digits of the sha256 of TEXT)
pp_key_of() { printf '%s' "$1" | sha256sum | cut -c1-16; }

# pp_mounts_under DIR -> prints mount points at or below DIR (host namespace)
pp_mounts_under() {
	local dir
	dir=$(realpath -m "$1")
	# field 5 of mountinfo is the mount point, with spaces etc. octal-escaped
	awk -v d="$dir" '{ m = $5; gsub(/\\040/, " ", m);
		if (m == d || index(m, d "/") == 1) print m }' /proc/self/mountinfo
}

# pp_rm_tree DIR: remove a cache directory, refusing if anything is mounted
# inside it (rm -rf through a bind mount of /dev or of the repo would destroy
# the host's files).  The chroot runner only mounts inside private mount
# namespaces, so this should never trigger; it is the last line of defence.
pp_rm_tree() {
	local dir=$1 m
	[ -e "$dir" ] || return 0
	m=$(pp_mounts_under "$dir")
	if [ -n "$m" ]; then
		pp_die "refusing to delete $dir: still mounted inside it:
$m
unmount them (umount -R PATH) and retry"
	fi
	rm -rf -- "$dir"
}

# pp_lock: serialise testbed/setup runs sharing one cache (fd 9 stays open).
pp_lock() {
	mkdir -p "$PP_CACHE"
	exec 9>"$PP_CACHE/.lock"
	if ! flock -n 9; then
		pp_log "another testbed setup holds $PP_CACHE/.lock; waiting..."
		flock 9
	fi
}

# pp_chroot ROOT [-b HOST_DIR[:CHROOT_DIR]]... [-w WORKDIR] -- CMD [ARG]...
#
# Runs CMD chrooted into ROOT with /dev, /proc and /sys available and the
# given host directories bind-mounted (CHROOT_DIR defaults to HOST_DIR, so
# paths mean the same inside and outside).  All mounts are made in a private
# mount namespace (unshare -m): they are invisible to the host and vanish when
# the command ends, even if it is killed; the helper also unmounts them itself
# on exit.  Needs root.
pp_chroot() {
	local root=$1
	shift
	[ -d "$root" ] || pp_die "chroot: no such sysroot $root"
	if [ "$(id -u)" -ne 0 ]; then
		pp_die "entering the sysroot needs root (chroot and bind mounts); run as root or via sudo"
	fi
	pp_unshare bash "$PP_TESTBED_DIR/lib/ns-chroot" "$root" "$@"
}

# pp_unshare CMD [ARG]...: run CMD in a private mount namespace and a new PID
# namespace.  Mounts made inside vanish with it; and if this process dies, by
# any signal including SIGKILL, --kill-child kills the namespace's init and
# with it every process inside (debootstrap, apt, ninja...): an interrupted
# setup leaves neither mounts nor orphans that keep writing into the cache.
pp_unshare() {
	unshare --mount --propagation private --pid --fork --kill-child -- "$@"
}

# pp_git_top DIR -> top of the git work tree containing DIR, else DIR itself
pp_git_top() {
	git -C "$1" rev-parse --show-toplevel 2>/dev/null || (cd "$1" && pwd)
}

# pp_env_load: read build/testbed/env written by testbed/setup and check that
# the cache entries it points to are complete.
pp_env_load() {
	local env=$PP_OUT/env d
	[ -r "$env" ] || pp_die "testbed not set up ($env missing); run: make testbed"
	# shellcheck source=/dev/null
	. "$env"
	for d in "$PP_SYSROOT_DIR" "$PP_KERNEL_DIR" "$PP_QEMU_DIR"; do
		[ -e "$d/.done" ] || pp_die "testbed cache entry $d is missing or incomplete; run: make testbed"
	done
}

# pp_check_pins ROOT [src:]PKG=VERSION...
#
# Inside the sysroot ROOT (apt lists must be current), check that every pinned
# package version is still downloadable.  "src:NAME=VERSION" checks a source
# package.  On a miss, name the pin and the newest version apt can see, then
# fail: never silently build something else.
pp_check_pins() {
	local root=$1
	shift
	pp_chroot "$root" -- /bin/sh -c '
		bad=0
		for pin in "$@"; do
			pkg=${pin%%=*} ver=${pin#*=}
			case $pkg in
			src:*)
				pkg=${pkg#src:}
				vers=$(apt-cache showsrc "$pkg" 2>/dev/null | sed -n "s/^Version: //p") ;;
			*)
				vers=$(apt-cache madison "$pkg" 2>/dev/null |
					awk -F"|" "{ gsub(/ /, \"\", \$2); print \$2 }") ;;
			esac
			if ! printf "%s\n" $vers | grep -qxF -- "$ver"; then
				newest=
				for v in $vers; do
					if [ -z "$newest" ] || dpkg --compare-versions "$v" gt "$newest"; then
						newest=$v
					fi
				done
				echo "[testbed] error: pinned version $pin is not available from the configured Debian suites." >&2
				echo "[testbed]        newest available $pkg: ${newest:-(package not found at all)}" >&2
				bad=1
			fi
		done
		if [ $bad -ne 0 ]; then
			echo "[testbed]        update testbed/pins (and re-run the guest tests)." >&2
			exit 1
		fi
	' sh "$@"
}
