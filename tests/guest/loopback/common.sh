# SPDX-License-Identifier: GPL-2.0-or-later
# tests/guest/loopback/common.sh: host-side helpers shared by the loopback
# GPU guest tests (loopback, loopback-fault, loopback-latch, multifunction)
# and by tools/demo.  Bash; sourced.  Needs PP_REPO (the tests get it from
# testbed/run-guest-tests; tools/demo sets it).
#
# The guest: pcipass_dma.ko (guest/build-module), pcipass_loopgpu.ko
# (guest/pcipass_loopgpu/build-module), the static pp-gpu-test
# (tools/pp-gpu-test/build), guest helpers lg-guest.sh (next to this file)
# and pp-dma.sh (tests/guest/nvme).
#
# The machine: the sim backend's slot passed through with pcipass-pci
# (docs/qemu-devices.md): the loopback GPU sim0:01:00.0, optionally its
# audio function sim0:01:00.1 in the same guest slot, and a pcipass-dma
# companion that maps guest RAM into the slot's DART.  (LG_BACKEND=dext:
# the same devices reached through the dext client and the fake IOKit.)
: "${PP_REPO:?PP_REPO must point at the repository}"
LG_SRC=$PP_REPO/tests/guest/loopback
LG_LOGDIR=${PCIPASS_TESTBED_OUT:-$PP_REPO/build/testbed}/logs

# Options of the simulated host (docs/host-interface.md, "The sim backend"),
# empty for the defaults (adversarial placement, 256 MiB VRAM, 8 vectors,
# 1.5 GiB / 64k-entry DART).  Both functions get the same backend-args, so
# they share one backend instance and one DART.
LG_SIM_ARGS=${LG_SIM_ARGS:-}

# The host backend behind the slot: "sim" (default: the simulated Mac,
# GPU sim0:01:00.0), or "dext": the Mac's IOKit client (hosts/dext) which,
# in the testbed's Linux QEMU, talks in-process to a fake IOKit whose dext
# core drives the same simulated devices (tests only; docs/mac.md).  With
# dext the GPU is pcie-tb0:01:00.0, LG_SIM_ARGS become the fake's fake-sim=
# option, and there is no audio function (the dext refuses it).
LG_BACKEND=${LG_BACKEND:-sim}

# lg_build OUTDIR: builds the two modules and the tool (incremental); sets
# LG_DMA_KO, LG_GPU_KO, LG_TOOL
lg_build() {
	local out=$1
	mkdir -p "$out"
	LG_DMA_KO=$("$PP_REPO/guest/build-module")
	LG_GPU_KO=$("$PP_REPO/guest/pcipass_loopgpu/build-module")
	LG_TOOL=$("$PP_REPO/tools/pp-gpu-test/build")
}

# lg_initramfs OUT INIT [mkinitramfs args...]
lg_initramfs() {
	local out=$1 init=$2
	shift 2
	"$PP_REPO/testbed/mkinitramfs" --out "$out" --init "$init" \
		--module "$LG_DMA_KO" --module "$LG_GPU_KO" --bin "$LG_TOOL" \
		--file "$LG_SRC/lg-guest.sh:/lib/pcipass/lg-guest.sh" \
		--file "$PP_REPO/tests/guest/nvme/pp-dma.sh:/lib/pcipass/pp-dma.sh" "$@"
}

# lg_devices [audio]: the QEMU arguments of the passed-through slot, as in
# docs/qemu-devices.md ("Command lines at a glance"): the GPU at function 0
# of a root port's slot (multifunction), the audio function at function 1
# when asked for, the companion pcipass-dma on the root bus.
lg_devices() {
	local ba= args=$LG_SIM_ARGS slot=sim0:01:00
	case $LG_BACKEND in
	sim) ;;
	dext)
		slot=pcie-tb0:01:00
		[ -z "$LG_SIM_ARGS" ] || args="fake-sim=$LG_SIM_ARGS" ;;
	*) echo "lg_devices: unknown LG_BACKEND $LG_BACKEND" >&2; return 1 ;;
	esac
	# commas inside an option value are doubled for QEMU's parser
	[ -z "$args" ] || ba=",backend-args=${args//,/,,}"
	printf '%s\n' -device pcie-root-port,id=rp1,chassis=1 \
		-device "pcipass-pci,id=gpu0,backend=$LG_BACKEND,host=$slot.0$ba,bus=rp1,addr=0.0,multifunction=on"
	if [ "${1:-}" = audio ]; then
		printf '%s\n' -device "pcipass-pci,id=gpu0a,backend=$LG_BACKEND,host=$slot.1$ba,bus=rp1,addr=0.1"
	fi
	printf '%s\n' -device pcipass-dma,id=pdma0,target=gpu0
}

# ---- QMP over a pipe chardev (no socat or python needed) --------------------
#
# lg_qmp_args DIR: the QEMU arguments; QEMU pauses at the guest's power-off
# (-action shutdown=pause) so lg_qmp_collect can still read the devices'
# state, then it quits QEMU.
lg_qmp_args() {
	printf '%s\n' -chardev "pipe,id=lgqmp,path=$1/qmp" -mon chardev=lgqmp,mode=control \
		-action shutdown=pause
}

# lg_qmp_prepare DIR: make the two FIFOs QEMU opens (DIR/qmp.in, qmp.out)
lg_qmp_prepare() {
	rm -f "$1/qmp.in" "$1/qmp.out" "$1/qmp.txt"
	mkfifo "$1/qmp.in" "$1/qmp.out"
}

# lg_qmp_collect DIR TIMEOUT [NAME]: run in the background next to run-guest.
# Waits for the guest's power-off, then writes "info pcipass" and the QOM
# state of gpu0/pdma0 to DIR/qmp.txt, and quits QEMU.  Gives up (and quits
# QEMU) after TIMEOUT seconds.  Meanwhile, when the console log of run NAME
# shows the line "LG-HOST-ACTION: unplug", it pulls the simulated cable
# (qom-set gpu0 x-sim-unplug true), once.
lg_qmp_collect() {
	local dir=$1 timeout=$2 log= acted=0 line end p
	[ -z "${3:-}" ] || log=$(lg_log "$3")
	# both read-write: opening a FIFO this way never blocks, even when QEMU
	# does not start; lg_run stops this function when QEMU has exited
	exec 3<>"$dir/qmp.in" 4<>"$dir/qmp.out"
	end=$((SECONDS + timeout))
	printf '%s\n' '{"execute":"qmp_capabilities"}' >&3
	while [ $SECONDS -lt $end ]; do
		if [ -n "$log" ] && [ $acted = 0 ] && [ -f "$log" ] &&
			tr -d '\r' <"$log" | grep -q '^LG-HOST-ACTION: unplug$'; then
			printf '%s\n' '{"execute":"qom-set","arguments":{"path":"/machine/peripheral/gpu0","property":"x-sim-unplug","value":true}}' >&3
			acted=1
		fi
		IFS= read -r -t 1 line <&4 || { [ $? -gt 128 ] && continue; break; }
		case $line in *'"event": "SHUTDOWN"'* | *'"event":"SHUTDOWN"'*) break ;; esac
	done
	{
		printf '%s\n' '{"execute":"human-monitor-command","arguments":{"command-line":"info pcipass"}}'
		for p in gpu0:dma-live-entries gpu0:dma-live-bytes gpu0:dma-faults gpu0:irqs-delivered \
			gpu0:irqs-latched gpu0:irqs-dropped gpu0:trapped-reads gpu0:trapped-writes \
			gpu0:bars-mapped gpu0:bars-trapped pdma0:peak-mappings pdma0:peak-bytes \
			pdma0:maps pdma0:unmaps pdma0:map-failures pdma0:live-mappings gpu0:gone; do
			printf '{"execute":"qom-get","arguments":{"path":"/machine/peripheral/%s","property":"%s"},"id":"%s"}\n' \
				"${p%%:*}" "${p#*:}" "$p"
		done
		printf '%s\n' '{"execute":"quit"}'
	} >&3 2>/dev/null
	while IFS= read -r -t 3 line <&4; do
		line=${line%$'\r'}
		printf '%s\n' "$line"
		case $line in *'"event": "SHUTDOWN"'*'"host-qmp-quit"'*) break ;; esac
	done >"$dir/qmp.txt"
	exec 3>&- 4<&-
}

# lg_qmp_info DIR: the text of "info pcipass" from DIR/qmp.txt
lg_qmp_info() {
	sed -n 's/^{"return": "\(.*\)"}$/\1/p' "$1/qmp.txt" | head -n 1 |
		sed 's/\\r\\n/\n/g; s/\\n/\n/g; s/\\"/"/g'
}

# lg_qmp_get DIR DEV:PROP: a qom-get value from DIR/qmp.txt
lg_qmp_get() {
	sed -n "s/^{\"return\": \([a-z0-9]*\), \"id\": \"$2\"}.*/\1/p" "$1/qmp.txt" | head -n 1
}

# lg_run NAME INITRD TIMEOUT [audio] [-- more QEMU args]: boot the guest with
# the slot passed through; QMP state in $PP_TEST_OUT/qmp.txt.  Returns
# run-guest's status.  The kernel gets iomem=relaxed: with
# CONFIG_IO_STRICT_DEVMEM (Debian) a BAR a driver owns cannot be mmapped
# through sysfs otherwise, and pp-gpu-test's bench measures BAR access from
# userspace that way.  Kernel WARNINGs fail the run.
lg_run() {
	local name=$1 initrd=$2 timeout=$3 audio= rc qpid
	shift 3
	if [ "${1:-}" = audio ]; then audio=audio; shift; fi
	[ "${1:-}" = -- ] && shift
	local -a dev qmp
	local q
	q=$(. "${PCIPASS_TESTBED_OUT:-$PP_REPO/build/testbed}/env" && echo "$PP_QEMU")
	"$q" -device help 2>/dev/null | grep -q '"pcipass-pci"' || {
		echo "[$name] FAIL: the testbed's QEMU has no pcipass-pci device: run make testbed"
		return 5
	}
	mapfile -t dev < <(lg_devices $audio)
	mapfile -t qmp < <(lg_qmp_args "$PP_TEST_OUT")
	lg_qmp_prepare "$PP_TEST_OUT"
	rm -f "$(lg_log "$name")"	# the collector watches it
	lg_qmp_collect "$PP_TEST_OUT" "$timeout" "$name" &
	qpid=$!
	set +e
	"$PP_REPO/testbed/run-guest" --name "$name" --initrd "$initrd" --timeout "$timeout" \
		--smp 2 --mem 1024 --append "iomem=relaxed" --warn-fatal -- "${dev[@]}" "${qmp[@]}" "$@"
	rc=$?
	set -e
	# QEMU has exited; the collector writes out what it read, or is stuck
	# waiting for a QEMU that never started
	local i
	for i in $(seq 50); do
		kill -0 "$qpid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	return $rc
}

# lg_log NAME: the console log of run NAME
lg_log() { echo "$LG_LOGDIR/$1.log"; }

# lg_results NAME: the RESULT key=value lines the guest printed
lg_results() {
	tr -d '\r' <"$(lg_log "$1")" | sed -n 's/^RESULT //p'
}

# lg_result NAME KEY: one value
lg_result() {
	lg_results "$1" | sed -n "s/^$2=//p" | head -n 1
}

# lg_count_faults NAME: DART fault reports pcipass-pci logged (warnings)
lg_count_faults() {
	grep -c "DMA address the host's DART refused" "$(lg_log "$1")" || true
}
