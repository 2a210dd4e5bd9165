# SPDX-License-Identifier: GPL-2.0-or-later
# tests/guest/loopback/lg-guest.sh: guest-side helpers of the loopback GPU
# tests and of the demo (busybox sh), installed as /lib/pcipass/lg-guest.sh
# next to guest-lib.sh.  The modules are in /lib/modules/pcipass/, the tool
# is /bin/pp-gpu-test.

LG_DMA_KO=/lib/modules/pcipass/pcipass_dma.ko
LG_GPU_KO=/lib/modules/pcipass/pcipass_loopgpu.ko
LG_DEV=/dev/pcipass_loopgpu0

# lg_quiet_console: only warnings and worse on the console from now on
# (the runner must see WARNINGs and oopses as they happen), so the drivers'
# info messages cannot split the tool's output lines; lg_dmesg prints
# everything logged meanwhile.
lg_quiet_console() {
	echo "5 4 1 7" >/proc/sys/kernel/printk
	dmesg -c >/dev/null
}

lg_dmesg() {
	echo "----- kernel messages since the start of the test -----"
	dmesg -c
	echo "-----"
}

# lg_wait_dev [SECONDS]: wait for /dev/pcipass_loopgpu0
lg_wait_dev() {
	local i=0
	while [ ! -e $LG_DEV ]; do
		i=$((i + 1))
		[ $i -le $((${1:-10} * 10)) ] || return 1
		sleep 0.1
	done
}

# lg_load: pcipass_dma first (it must own the GPU's DMA before the driver
# binds), then the loopback GPU driver; wait for its misc device.
lg_load() {
	pp_step "insmod pcipass_dma" pp_insmod $LG_DMA_KO
	pp_step "insmod pcipass_loopgpu" pp_insmod $LG_GPU_KO "$@"
	lg_wait_dev 10 || {
		dmesg | tail -n 20
		pp_fail "no $LG_DEV after loading pcipass_loopgpu"
	}
	pp_log "$LG_DEV is up"
}

# lg_tool NAME ARGS...: run pp-gpu-test ARGS with its key=value lines
# prefixed "RESULT NAME_", on the console and in /tmp/NAME.out; a non-zero
# exit fails the test.
lg_tool() {
	local name=$1 rc
	shift
	pp_log "pp-gpu-test $*"
	pp-gpu-test --prefix "RESULT ${name}_" "$@" >/tmp/$name.out 2>&1
	rc=$?
	cat /tmp/$name.out
	[ $rc -eq 0 ] || {
		lg_dmesg
		pp_fail "pp-gpu-test $* failed (exit $rc)"
	}
}

# lg_val NAME KEY: a value lg_tool NAME printed
lg_val() {
	sed -n "s/^RESULT ${1}_$2=//p" /tmp/$1.out | head -n 1
}

# lg_dma_dir: debugfs directory of the (first) pcipass_dma instance
lg_dma_dir() {
	local d
	d=$(ls -d /sys/kernel/debug/pcipass_dma/*/ 2>/dev/null | head -n 1)
	echo "${d%/}"
}

# lg_dma_kv FILE KEY: KEY=value from a pcipass_dma debugfs file
lg_dma_kv() {
	sed -n "s/^$2=//p" "$(lg_dma_dir)/$1" | head -n 1
}

# lg_unload_check: unbind the GPU driver, drop pcipass_dma's idle mappings,
# check that the DART is empty (device's view), unload pcipass_dma.
lg_unload_check() {
	local d e b
	d=$(lg_dma_dir)
	pp_step "rmmod pcipass_loopgpu" rmmod pcipass_loopgpu
	echo 1 >"$d/reclaim"
	e=$(lg_dma_kv usage live_entries)
	b=$(lg_dma_kv usage live_bytes)
	echo "RESULT unload_dart_live_entries=$e"
	echo "RESULT unload_dart_live_bytes=$b"
	pp_expect_eq "DART entries after the driver unbound" "$e" 0
	pp_expect_eq "unknown unmaps" "$(lg_dma_kv stats unknown_unmaps)" 0
	pp_expect_eq "map failures" "$(lg_dma_kv stats map_failures)" 0
	pp_step "rmmod pcipass_dma" rmmod pcipass_dma
}
