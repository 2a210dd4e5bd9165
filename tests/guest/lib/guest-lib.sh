# SPDX-License-Identifier: GPL-2.0-or-later
# tests/guest/lib/guest-lib.sh: helpers for guest init scripts (busybox sh).
#
# testbed/mkinitramfs puts this file at /lib/pcipass/guest-lib.sh.  A test's
# init script typically reads:
#
#   #!/bin/sh
#   . /lib/pcipass/guest-lib.sh
#   pp_setup
#   pp_step "load module" pp_insmod /lib/modules/pcipass/foo.ko bar=1
#   pp_step "check"       /bin/foo-check
#   pp_verdict PASS
#
# The host side (testbed/run-guest) reads exactly one line of the form
#   PCIPASS-VERDICT: PASS [text]      or      PCIPASS-VERDICT: FAIL reason
# from the serial console.  pp_verdict prints it and powers the VM off.  After
# pp_setup, an init script that ends without a verdict reports FAIL itself.

PP_VERDICT_TAG="PCIPASS-VERDICT:"

# pp_log MSG...: a guest-side progress line on the console
pp_log() { echo "[guest] $*"; }

# pp_uptime_cs: uptime in centiseconds (busybox date has no sub-second format)
pp_uptime_cs() {
	local up
	read -r up _ </proc/uptime
	# "12.05" -> 1205; the "1xx - 100" dodges octal parsing of "05"
	echo $((${up%.*} * 100 + 1${up#*.} - 100))
}

# pp_fmt_cs CS: centiseconds as seconds with two decimals
pp_fmt_cs() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }

pp_mount() { # pp_mount TYPE DIR
	mkdir -p "$2"
	# (Debian's static busybox has no mountpoint applet)
	grep -q "^[^ ]* $2 " /proc/mounts 2>/dev/null ||
		mount -t "$1" "$1" "$2" || pp_verdict FAIL "cannot mount $1 on $2"
}

# pp_setup: mount proc, sys, dev and debugfs, and arm the no-verdict guard.
pp_setup() {
	pp_mount proc /proc
	pp_mount sysfs /sys
	pp_mount devtmpfs /dev
	pp_mount debugfs /sys/kernel/debug
	pp_mount tmpfs /tmp
	trap 'pp_verdict FAIL "init script ended without a verdict (status $?)"' EXIT
	pp_log "userspace up at $(pp_fmt_cs "$(pp_uptime_cs)") s, kernel $(uname -r)"
}

# pp_verdict PASS|FAIL [reason...]: print the verdict line and power off.
# Never returns.
pp_verdict() {
	local v=$1
	shift
	case $v in
	PASS | FAIL) ;;
	*) set -- "pp_verdict called with bad verdict '$v'"; v=FAIL ;;
	esac
	trap - EXIT
	sync
	# Keep kernel messages from splitting the verdict line.
	echo 1 >/proc/sys/kernel/printk 2>/dev/null
	echo "$PP_VERDICT_TAG $v${*:+ $*}"
	poweroff -f
	# poweroff -f cannot fail on a working kernel; if it did, force it.
	echo o >/proc/sysrq-trigger 2>/dev/null
	while :; do sleep 60; done
}

# pp_fail REASON...: shorthand for pp_verdict FAIL
pp_fail() { pp_verdict FAIL "$@"; }

# pp_insmod FILE [PARAM=VALUE...]: load a module or fail the test, showing
# what the kernel said.
pp_insmod() {
	local f=$1
	shift
	[ -f "$f" ] || pp_fail "insmod: $f not in the initramfs"
	if ! insmod "$f" "$@"; then
		dmesg | tail -n 10
		pp_fail "insmod $(basename "$f") failed"
	fi
	pp_log "loaded $(basename "$f")${*:+ $*}"
}

# pp_load_kmods: load the guest kernel modules the initramfs was built with
# (mkinitramfs --kmod), dependencies first.
pp_load_kmods() {
	local m
	while read -r m; do
		[ -n "$m" ] && pp_insmod "$m"
	done </etc/pcipass/kmods
}

# pp_step NAME CMD [ARG...]: run CMD, log its duration; a non-zero exit
# fails the test with the step's name.
pp_step() {
	local name=$1 t0 rc
	shift
	pp_log "step '$name'..."
	t0=$(pp_uptime_cs)
	"$@"
	rc=$?
	[ $rc -eq 0 ] || pp_fail "step '$name' failed (exit $rc)"
	pp_log "step '$name' ok ($(pp_fmt_cs $(($(pp_uptime_cs) - t0))) s)"
}

# pp_expect_eq WHAT GOT WANT: compare two strings, fail with both shown
pp_expect_eq() {
	[ "$2" = "$3" ] || pp_fail "$1: got '$2', expected '$3'"
}
