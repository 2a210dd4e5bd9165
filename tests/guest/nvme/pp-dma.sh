# SPDX-License-Identifier: GPL-2.0-or-later
# tests/guest/nvme/pp-dma.sh: guest-side helpers of the pcipass_dma tests
# (busybox sh), installed as /lib/pcipass/pp-dma.sh next to guest-lib.sh.

PP_DBG=/sys/kernel/debug/pcipass_dma
PP_KO=/lib/modules/pcipass/pcipass_dma.ko

# pp_dma_dir [N]: the debugfs directory of the Nth pcipass-dma device (1st)
pp_dma_dir() {
	local d
	d=$(ls -d "$PP_DBG"/*/ 2>/dev/null | sed -n "${1:-1}p")
	[ -n "$d" ] || pp_fail "no pcipass_dma device in $PP_DBG"
	echo "${d%/}"
}

# pp_kv FILE KEY: the value of KEY=... in FILE
pp_kv() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# pp_stat KEY [DIR]: a counter from stats
pp_stat() { pp_kv "${2:-$(pp_dma_dir)}/stats" "$1"; }

# pp_usage KEY [DIR]: DART usage from the device (QUERY_USAGE)
pp_usage() { pp_kv "${2:-$(pp_dma_dir)}/usage" "$1"; }

# pp_show DIR: the interesting debugfs files on the console
pp_show() {
	local d=${1:-$(pp_dma_dir)} f
	for f in managed usage stats; do
		echo "--- $d/$f"
		cat "$d/$f"
	done
}

# pp_kmod NAME: insmod one guest kernel module of /etc/pcipass/kmods
pp_kmod() {
	local p
	p=$(grep -E "/$1\.ko(\.[a-z]+)?\$" /etc/pcipass/kmods | head -n 1)
	[ -n "$p" ] || pp_fail "module $1 not in the initramfs"
	pp_insmod "$p"
}

# pp_load_nvme: nvme and its dependencies, each once, in the order of
# /etc/pcipass/kmods (dependencies first)
pp_load_nvme() {
	local p n
	while read -r p; do
		n=$(basename "$p" | sed 's/\.ko.*//' | tr - _)
		grep -q "^$n " /proc/modules || pp_insmod "$p"
	done </etc/pcipass/kmods
}

# pp_nvme_dev SERIAL [SECONDS]: wait for the namespace of the controller with
# that serial; prints /dev/nvmeXn1
pp_nvme_dev() {
	local i=0 c s
	while [ $i -lt $((${2:-30} * 10)) ]; do
		for c in /sys/class/nvme/nvme*; do
			[ -e "$c/serial" ] || continue
			read -r s <"$c/serial"
			if [ "$s" = "$1" ] && [ -b "/dev/${c##*/}n1" ]; then
				echo "/dev/${c##*/}n1"
				return 0
			fi
		done
		sleep 0.1
		i=$((i + 1))
	done
	pp_fail "no NVMe namespace with serial $1 after ${2:-30} s"
}

# pp_expect_managed STATE: every managed device is in STATE (translated, ...)
pp_expect_managed() {
	local d
	d=$(pp_dma_dir)
	cat "$d/managed"
	grep -q . "$d/managed" || pp_fail "no managed devices listed"
	if grep -v " $1" "$d/managed" | grep -q .; then
		pp_fail "managed devices not all '$1': $(tr '\n' ';' <"$d/managed")"
	fi
}

# pp_run_dio ARGS...: pp-dio with output on the console; fails the test on a
# non-zero exit.  The key=value output is also left in /tmp/dio.out.
pp_run_dio() {
	pp-dio "$@" >/tmp/dio.out 2>&1
	local rc=$?
	cat /tmp/dio.out
	[ $rc -eq 0 ] || pp_fail "pp-dio $* failed (exit $rc)"
}
