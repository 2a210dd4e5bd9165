# SPDX-License-Identifier: GPL-2.0-or-later
# tests/guest/lib/quirk-checks.sh: guest-side checks of pcipass_dma's quirks
# (docs/guest-quirks.md), shared by the initramfs guests quirk-uvm and
# quirk-tso (busybox sh, /lib/pcipass/quirk-checks.sh) and the guest image
# (tests/guest/image-boot/image-quirks, dash, run over ssh).  POSIX sh plus
# `local`.  Needs guest-lib.sh and pp-dma.sh sourced first (pp_fail,
# pp_expect_eq, pp_step, pp_insmod, pp_log, pp_kv); the image overrides
# pp_verdict so that a failure ends the script instead of the machine.
#
# The check functions never load or unload pcipass_dma: each says what it
# expects to find loaded.  Counters are compared as growth since a mark, so
# the same checks hold after a fresh load (initramfs guests: growth = value)
# and in a module loaded at boot (the image).

Q=/sys/kernel/debug/pcipass_dma/quirks
T=/sys/kernel/debug/nvidia_twin
# the twin builds: $TW/NAME/nvidia.ko (NAME: new old unk bad, see quirk-uvm)
TW=${TW:-/lib/modules/twin}

# q KEY: a quirk counter; t KEY: what the twin's function last received
q() { pp_kv $Q "$1"; }
t() { pp_kv $T/last "$1"; }

# expect_q KEY WANT
expect_q() { pp_expect_eq "quirks $1" "$(q "$1")" "$2"; }

# mark KEY...: remember counters; expect_d KEY WANT: KEY grew by WANT since
mark() {
	local k v
	for k; do
		v=$(q "$k")
		[ -n "$v" ] || pp_fail "quirks: no $k in $Q"
		eval "qk_mark_$k=\$v"
	done
}
expect_d() {
	local b v
	eval "b=\${qk_mark_$1-}"
	[ -n "$b" ] || pp_fail "expect_d $1: not marked"
	v=$(q "$1")
	[ -n "$v" ] || pp_fail "quirks: no $1 in $Q"
	pp_expect_eq "quirks $1 (growth)" $((v - b)) "$2"
}

# ---- NVIDIA UVM page-size quirk, against the twin nvidia.ko ----------------

UVM_COUNTERS="uvm_calls uvm_rewrites_64k uvm_rewrites_2m uvm_rewrites uvm_untouched
uvm_anomalies uvm_anomaly_gpu_phys_offset uvm_anomaly_alignment
uvm_anomaly_page_size uvm_anomaly_bad_pointer uvm_trips uvm_refused"

# call WHAT ARGS WANT_PAGESIZE: call the twin's nvUvmInterfaceMemoryAllocSys
# with "ARGS" (pageSize [gpuPhysOffset [alignment]]) and check the pageSize
# the function received
call() {
	local n0
	n0=$(t calls)
	echo "$2" >$T/call || pp_fail "$1: write to $T/call failed"
	pp_expect_eq "$1: twin calls" "$(t calls)" $((n0 + 1))
	pp_expect_eq "$1: pageSize received" "$(t page_size)" "$3"
	pp_log "$1: asked $(t asked_page_size), received $(t page_size), status $(t status)"
}

# wait_armed WANT: the reconcile work runs asynchronously after a trip
wait_armed() {
	local i=0
	while [ "$(q uvm_armed)" != "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	expect_q uvm_armed "$1"
}

twin() { pp_insmod $TW/$1/nvidia.ko; }

show() { echo "--- $Q"; grep '^uvm_\|^quirks' $Q; }

# uvm_armed_checks: pcipass_dma loaded with the UVM quirk wanted (quirks=1,
# quirk_uvm_force=1), no nvidia loaded, default quirk_uvm_max_anomalies (5).
# The 580.142 twin: armed on LIVE; 64K and 2M rewritten to 0, 4K, 0 and 128K
# untouched; four malformed calls left alone and counted by reason, the
# fifth disarms; a reloaded nvidia is armed afresh; unloading nvidia while
# armed disarms.  Ends with no nvidia loaded.
uvm_armed_checks() {
	local n
	expect_q quirks 1
	expect_q uvm_wanted 1
	expect_q uvm_armed 0
	mark $UVM_COUNTERS
	pp_step "insmod nvidia (twin 580.142)" twin new
	expect_q uvm_armed 1
	expect_q uvm_nvidia_version 580.142
	expect_q uvm_layout "pageSize u64 @8 (>= 530)"
	dmesg | grep -q 'uvm quirk: armed on nvidia 580.142' || pp_fail "no 'armed' log line"

	call "64K rewritten" 65536 0
	call "2M rewritten" 2097152 0
	pp_expect_eq "2M: status once rewritten" "$(t status)" 0x0
	call "4K untouched" 4096 4096
	call "0 untouched" 0 0
	call "128K untouched" 131072 131072
	call "64K with alignment 64K rewritten" "65536 0 65536" 0
	expect_d uvm_calls 6
	expect_d uvm_rewrites_64k 2
	expect_d uvm_rewrites_2m 1
	expect_d uvm_rewrites 3
	expect_d uvm_untouched 3
	expect_d uvm_anomalies 0

	# Malformed calls: left alone, counted; the fifth disarms the hook.
	call "nonzero gpuPhysOffset left alone" "65536 4096" 65536
	expect_d uvm_anomaly_gpu_phys_offset 1
	call "alignment 3 left alone" "2097152 0 3" 2097152
	pp_expect_eq "2M left alone: RM's alignment error" "$(t status)" 0x22
	expect_d uvm_anomaly_alignment 1
	call "pageSize 12345 left alone" 12345 12345
	expect_d uvm_anomaly_page_size 1
	echo null >$T/call
	pp_expect_eq "NULL allocInfo reached the function" "$(t null_info)" 1
	expect_d uvm_anomaly_bad_pointer 1
	expect_d uvm_anomalies 4
	expect_q uvm_anomalies_this_load 4
	expect_q uvm_armed 1
	call "fifth anomaly" "65536 8192" 65536
	wait_armed 0
	expect_d uvm_anomalies 5
	expect_d uvm_trips 1
	expect_q uvm_state tripped
	dmesg | grep -q 'disarming nvUvmInterfaceMemoryAllocSys' || pp_fail "no disarm log line"
	n=$(q uvm_calls)
	call "64K after the trip: untouched" 65536 65536
	pp_expect_eq "no probe hits after the trip" "$(q uvm_calls)" "$n"
	show

	# Unload and reload nvidia: a new instance arms again.
	pp_step "rmmod tripped nvidia" rmmod nvidia
	expect_q uvm_state "waiting for nvidia"
	pp_step "insmod nvidia again" twin new
	expect_q uvm_armed 1
	expect_q uvm_anomalies_this_load 0
	call "64K after reload" 65536 0
	expect_d uvm_rewrites 4

	# Unload nvidia while armed.
	pp_step "rmmod nvidia while armed" rmmod nvidia
	expect_q uvm_armed 0
	dmesg | grep -q 'disarmed (nvidia unloading)' || pp_fail "no disarm on nvidia unload"
}

# uvm_version_checks: pcipass_dma loaded with the UVM quirk wanted, no
# nvidia loaded.  470.256.02 (unknown branch) and "devel" (not a version)
# are refused with calls untouched; 520.56.06 is armed with the u32 layout,
# 64K/2M rewritten, 4K untouched.  Ends with the 520 twin loaded and armed.
uvm_version_checks() {
	mark $UVM_COUNTERS
	pp_step "insmod nvidia 470.256.02 (unknown layout)" twin unk
	expect_q uvm_armed 0
	expect_q uvm_state "unknown layout"
	expect_q uvm_nvidia_version 470.256.02
	call "64K on an unknown layout: untouched" 65536 65536
	pp_step "rmmod nvidia 470" rmmod nvidia
	pp_step "insmod nvidia 'devel' (not a version)" twin bad
	expect_q uvm_armed 0
	expect_q uvm_state "unknown version"
	expect_d uvm_refused 2
	call "64K on an unparsable version: untouched" 65536 65536
	pp_step "rmmod nvidia devel" rmmod nvidia
	pp_step "insmod nvidia 520.56.06 (u32 layout)" twin old
	expect_q uvm_armed 1
	expect_q uvm_layout "pageSize u32 @8 (520)"
	call "520: 64K rewritten" 65536 0
	call "520: 2M rewritten" 2097152 0
	call "520: 4K untouched" 4096 4096
	expect_d uvm_rewrites 2
	expect_d uvm_untouched 1
	expect_d uvm_anomalies 0
	expect_d uvm_calls 3
	show
}

# ---- TSO prctl shim, with tso-check (FEX's calls) --------------------------

# tso_check MODE: run tso-check (stock|emulated), keep its output in
# ${TMPDIR:-/tmp}/tso.out
tso_check() {
	local rc
	tso-check "$1" >"${TMPDIR:-/tmp}/tso.out" 2>&1
	rc=$?
	cat "${TMPDIR:-/tmp}/tso.out"
	[ $rc -eq 0 ] || pp_fail "tso-check $1 failed (exit $rc)"
}
# answered KEY: a count tso-check printed (the calls the shim should answer)
answered() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "${TMPDIR:-/tmp}/tso.out"; }

# tso_forced_checks: pcipass_dma loaded with quirks=1 quirk_tso_force=1
# (EnTSO reads clear under TCG).  FEX's sequence gets the emulated answers,
# malformed and other prctls are untouched, 4 threads agree, and the
# debugfs counters grew by exactly the calls tso-check made, with no
# missed kretprobe instance.
tso_forced_checks() {
	expect_q quirks 1
	expect_q tso_active 1
	expect_q tso_state forced
	mark tso_get tso_set_tso tso_set_default
	pp_step "forced: emulated answers" tso_check emulated
	grep '^tso_' $Q
	expect_d tso_get "$(answered answered_get)"
	expect_d tso_set_tso "$(answered answered_set_tso)"
	expect_d tso_set_default "$(answered answered_set_default)"
	expect_q tso_kretprobe_missed 0
	dmesg | grep -q 'tso quirk: quirk_tso_force=1' || pp_fail "no force warning in the log"
}
