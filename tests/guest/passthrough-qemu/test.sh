#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "passthrough-qemu": QEMU's pcipass-pci passthrough of the sim
# backend's slot, without any guest kernel module.
#
#   -device pcie-root-port,id=rp1,chassis=1
#   -device pcipass-pci,id=gpu0,host=sim0:01:00.0,bus=rp1,addr=0.0,multifunction=on
#   -device pcipass-pci,id=gpu0a,host=sim0:01:00.1,bus=rp1,addr=0.1
#   -device pcipass-dma,id=pdma0,target=gpu0
#
# Host side first: "info pcipass" and qom-get over QMP, and configurations
# QEMU must refuse.  Then an arm64 guest runs pt-check (static, sysfs only):
# enumeration and BARs, trapped and mapped BAR accesses, the MANAGED table,
# DMA by the GPU's copy engine through pcipass-dma's mappings in the host's
# DART, MSI-X/MSI delivery (vectors pointed at guest RAM) including a masked
# vector delivered on unmask.  Then the host pulls the simulated cable
# (qom-set x-sim-unplug) and the guest checks that the device reads all ones
# and that pcipass-dma reports HOST_GONE; QEMU must keep running and report
# the unplug.  Run through testbed/run-guest-tests.
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
src=$PP_TEST_SRC out=$PP_TEST_OUT
name=${PP_TEST_NAME:-passthrough-qemu}
tb_out=${PCIPASS_TESTBED_OUT:-$PP_REPO/build/testbed}
. "$tb_out/env"

fail() { echo "[$name] FAIL: $*"; exit 1; }

devs=(-device pcie-root-port,id=rp1,chassis=1
	-device pcipass-pci,id=gpu0,host=sim0:01:00.0,bus=rp1,addr=0.0,multifunction=on
	-device pcipass-pci,id=gpu0a,host=sim0:01:00.1,bus=rp1,addr=0.1
	-device pcipass-dma,id=pdma0,target=gpu0)

# ---- host side: state and refusals --------------------------------------------
qmp_out=$(printf '%s\n' '{"execute":"qmp_capabilities"}' \
	'{"execute":"human-monitor-command","arguments":{"command-line":"info pcipass"}}' \
	'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/gpu0","property":"bars"}}' \
	'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/gpu0","property":"dma-cap-bytes"}}' \
	'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/pdma0","property":"nr-managed"}}' \
	'{"execute":"quit"}' |
	timeout 30 "$PP_QEMU" -M virt -nic none -display none -S -qmp stdio "${devs[@]}" 2>&1)
want() { # want WHAT PATTERN: the QMP transcript must match
	printf '%s\n' "$qmp_out" | grep -q -- "$2" ||
		{ printf '%s\n' "$qmp_out"; fail "$1"; }
}
want "info pcipass lists gpu0" 'pcipass-pci gpu0: host sim0:01:00.0 (backend sim) 7070:1000 class 030200'
want "info pcipass lists gpu0a" 'pcipass-pci gpu0a: host sim0:01:00.1 (backend sim) 7070:1001 class 040300'
want "info pcipass BARs" 'BARs: BAR0 64 KiB trapped, BAR1 256 MiB 64-bit pref mapped'
want "info pcipass lists pcipass-dma" 'pcipass-dma pdma0 -> gpu0 (2 managed functions)'
want "qom-get bars" '"return": "BAR0 64 KiB trapped, BAR1 256 MiB 64-bit pref mapped"'
want "qom-get dma-cap-bytes" '"return": 1610612736'
want "qom-get nr-managed" '"return": 2}'
echo "[$name] QMP/HMP: both functions and the companion listed"

refuse() { # refuse WHY PATTERN QEMU-ARGS...: QEMU must exit with an error
	local why=$1 pat=$2
	shift 2
	if timeout 30 "$PP_QEMU" -M virt -nic none -display none -S "$@" \
		</dev/null >"$out/refuse.log" 2>&1; then
		fail "QEMU accepted $why"
	fi
	grep -q -- "$pat" "$out/refuse.log" ||
		{ cat "$out/refuse.log"; fail "$why: message does not say '$pat'"; }
	echo "[$name] refused $why: $(head -1 "$out/refuse.log")"
}
rp=(-device pcie-root-port,id=rp1,chassis=1)
refuse "no host=" "must name the host function" "${rp[@]}" -device pcipass-pci,bus=rp1
refuse "an unknown host function" "no host function 'sim0:02:00.0'" \
	"${rp[@]}" -device pcipass-pci,host=sim0:02:00.0,bus=rp1
refuse "an unknown backend" "no host backend 'nosuch'" \
	"${rp[@]}" -device pcipass-pci,backend=nosuch,host=sim0:01:00.0,bus=rp1
# on Linux "dext" is the IOKit client over the fake IOKit (tests only): its
# functions are the fake's, and an unknown one is named with the list
refuse "an unknown dext function" "no host function 'x:01:00.0' (backend dext has: pcie-tb0:01:00.0)" \
	"${rp[@]}" -device pcipass-pci,backend=dext,host=x:01:00.0,bus=rp1
refuse "bad backend-args" "refused backend-args" \
	"${rp[@]}" -device pcipass-pci,host=sim0:01:00.0,backend-args=vram=3M,bus=rp1
refuse "a second claim of one function" "cannot claim host function" \
	"${rp[@]}" -device pcipass-pci,host=sim0:01:00.0,bus=rp1 \
	-device pcie-root-port,id=rp2,chassis=2 \
	-device pcipass-pci,host=sim0:01:00.0,bus=rp2
refuse "pcipass-dma without a target" "property 'target' must name" \
	-device pcipass-dma
refuse "pcipass-dma with dart and target" "either 'dart' or 'target'" \
	"${rp[@]}" -device pcipass-pci,id=gpu0,host=sim0:01:00.0,bus=rp1 \
	-device pcipass-dart-port,id=dp0,chassis=2 -device pcipass-dma,dart=dp0,target=gpu0

# ---- the guest ------------------------------------------------------------------
"$PP_TESTBED/cc-arm64" -std=gnu11 -O2 -Wall -Wextra -Werror \
	-I"$PP_REPO/core/include" -I"$PP_REPO/hosts/sim" -I"$PP_REPO/tests/guest/lib" \
	-o "$out/pt-check" "$src/pt-check.c" "$PP_REPO/tests/guest/lib/pp-guest.c"
"$PP_TESTBED/mkinitramfs" --out "$out/initramfs.gz" --init "$src/init" \
	--bin "$out/pt-check"

# QMP over TCP (bash's /dev/tcp; no client tools needed) on a free port.
port=
for _ in $(seq 1 50); do
	p=$((20000 + RANDOM % 30000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || fail "no free TCP port for QMP"

qmp() { # qmp JSON...: one QMP session, one command at a time; prints replies
	local cmd line
	exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
	read -r -t 10 line <&3 || { exec 3<&-; return 1; }   # greeting
	for cmd in '{"execute":"qmp_capabilities"}' "$@"; do
		printf '%s\n' "$cmd" >&3
		# events may come first; the command's answer ends the wait
		while read -r -t 20 line <&3; do
			line=${line%$'\r'}
			printf '%s\n' "$line"
			case $line in *'"return"'* | *'"error"'*) break ;; esac
		done
	done
	exec 3<&-
}

log=$tb_out/logs/$name.log
rm -f "$log"
"$PP_TESTBED/run-guest" --name "$name" --initrd "$out/initramfs.gz" \
	--timeout 240 -- "${devs[@]}" \
	-qmp "tcp:127.0.0.1:$port,server=on,wait=off" -action shutdown=pause &
rg=$!

wait_log() { # wait_log PATTERN SECONDS: until the console shows PATTERN
	local i=0
	while [ $i -lt $(($2 * 10)) ]; do
		grep -q -- "$1" "$log" 2>/dev/null && return 0
		# a verdict (e.g. an early FAIL) ends every wait
		grep -q 'PCIPASS-VERDICT' "$log" 2>/dev/null && return 1
		kill -0 $rg 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
hmp='{"execute":"human-monitor-command","arguments":{"command-line":"info pcipass"}}'
if wait_log 'PCIPASS-PT: unplug now' 200; then
	before=$(qmp "$hmp" \
		'{"execute":"qom-set","arguments":{"path":"/machine/peripheral/gpu0","property":"x-sim-unplug","value":true}}')
	printf '%s\n' "$before" >"$out/qmp-before.txt"
fi
after=
if wait_log 'PCIPASS-VERDICT' 200; then
	sleep 1     # poweroff: QEMU pauses (-action shutdown=pause)
	after=$(qmp "$hmp" \
		'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/gpu0","property":"irqs-delivered"}}' \
		'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/gpu0","property":"irqs-latched"}}' \
		'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/gpu0a","property":"irqs-delivered"}}' \
		'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/gpu0","property":"gone"}}' \
		'{"execute":"qom-get","arguments":{"path":"/machine/peripheral/gpu0","property":"flrs"}}' \
		'{"execute":"quit"}' || true)
	printf '%s\n' "$after" >"$out/qmp-after.txt"
fi
set +e
wait $rg
rc=$?
set -e
[ $rc -eq 0 ] || fail "the guest run failed (run-guest exit $rc)"

# ---- host side after the run -----------------------------------------------------
[ -n "${before:-}" ] || fail "no QMP session before the unplug"
printf '%s\n' "$before" | grep -q 'pcipass-pci gpu0: host sim0:01:00.0' ||
	{ printf '%s\n' "$before"; fail "info pcipass (running) lacks gpu0"; }
printf '%s\n' "$before" | grep -q 'pcipass-pci gpu0a: host sim0:01:00.1' ||
	{ printf '%s\n' "$before"; fail "info pcipass (running) lacks gpu0a"; }
printf '%s\n' "$before" | sed -n 's/.*"return": "\(.*\)"}.*/\1/p' | head -1 |
	sed 's/\\r\\n/\n/g' | sed '/^$/d; s/^/  /'
[ -n "$after" ] || fail "no QMP session after the run"
printf '%s\n' "$after" | grep -q 'pcipass-pci gpu0: .*\[GONE\]' ||
	{ printf '%s\n' "$after"; fail "info pcipass does not show gpu0 gone"; }
# qom-get replies in order: gpu0 delivered, gpu0 latched, gpu0a delivered,
# gone, flrs
mapfile -t vals < <(printf '%s\n' "$after" | sed -n 's/^{"return": \([0-9a-z]*\)}$/\1/p')
[ "${#vals[@]}" -ge 5 ] || { printf '%s\n' "$after"; fail "qom-get replies missing"; }
[ "${vals[0]}" -ge 4 ] || fail "gpu0 irqs-delivered ${vals[0]}, expected >= 4"
[ "${vals[1]}" -ge 1 ] || fail "gpu0 irqs-latched ${vals[1]}, expected >= 1"
[ "${vals[2]}" -ge 1 ] || fail "gpu0a irqs-delivered ${vals[2]}, expected >= 1"
[ "${vals[3]}" = true ] || fail "gpu0 gone is ${vals[3]}"
[ "${vals[4]}" -ge 1 ] || fail "gpu0 flrs ${vals[4]}: the guest's FLR did not reach the host as a reset"
echo "[$name] interrupts: gpu0 ${vals[0]} delivered, ${vals[1]} latched; gpu0a ${vals[2]} delivered"
grep -q "gpu0: sim0:01:00.0 hit a DMA address the host's DART refused" "$log" ||
	fail "QEMU did not report the DART fault"
grep -q "gpu0: host device sim0:01:00.0 (.*) is gone" "$log" ||
	fail "QEMU did not report the unplug"
grep -q "gpu0a: host device sim0:01:00.1 (.*) is gone" "$log" ||
	fail "QEMU did not report the audio function's unplug"
grep -m3 -E "DART refused|is gone" "$log" | sed 's/^/  /'
echo "[$name] DART fault and unplug reported; QEMU kept running and exited normally"
