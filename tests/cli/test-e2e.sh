#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tests/cli/test-e2e.sh: the launcher end to end under TCG, as a user runs
# it on Linux (docs/cli.md):
#   image build -> run --detach (the simulated eGPU passed through, a payload
#   disk, an extra forward) -> status -> ssh: the loopback GPU self-test
#   inside the guest -> status (interrupts, DMA peaks) -> stop (powerdown)
# then the escalation (a guest that never answers the powerdown: QEMU
# started paused), a stale pidfile after a crash, and every bad input of
# issue 9 with its message and nothing left behind.
#
# Needs the testbed (QEMU, guest kernel build tools) and the guest image
# cache entry (image/build; tests/run builds both before this stage).
# Usage: tests/cli/test-e2e.sh [path/to/pcipass]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export PP_REPO=$repo
pcipass=${1:-$repo/build/pcipass}
[ -x "$pcipass" ] || { echo "not ok - $pcipass is not built"; echo "0 passed, 1 failed"; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/pcipass-e2e.XXXXXX")
export PCIPASS_HOME=$T/home
vms=$PCIPASS_HOME/vms
pass=0 fail=0 pids=()
cleanup() {
	for v in e2e paused crash; do
		[ -d "$vms/$v" ] && "$pcipass" -q stop "$v" --timeout 5 --kill-timeout 5 >/dev/null 2>&1
	done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok - $*"; pass=$((pass + 1)); }
nok() { echo "not ok - $*"; fail=$((fail + 1)); [ -s "$T/err" ] && sed 's/^/#   /' "$T/err" | tail -8; }
pp() { "$pcipass" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
expect() { # expect RC DESCRIPTION [REGEX in stderr]
	if [ "$rc" != "$1" ]; then
		nok "$2 (exit $rc, want $1)"
	elif [ -n "${3:-}" ] && ! grep -Eq -- "$3" "$T/err"; then
		nok "$2 (message does not match /$3/)"
	else
		ok "$2"
	fi
}
no_vm_dir() { # no_vm_dir NAME DESCRIPTION
	if [ -e "$vms/$1" ]; then nok "$2: $vms/$1 left behind"; else ok "$2: nothing left behind"; fi
}
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); print($1)"; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

# ---- the pieces: image, guest payload ---------------------------------------
pp image build
expect 0 "image build (image/build's cached entry imported)"
[ "$rc" = 0 ] || finish
. "$repo/tests/guest/loopback/common.sh"
lg_build "$T/lg" >"$T/build.log" 2>&1 || { cat "$T/build.log"; nok "guest payload build"; finish; }
mkdir -p "$T/payload"
cp "$LG_GPU_KO" "$LG_TOOL" "$T/payload/"
mke2fs -q -t ext4 -d "$T/payload" "$T/payload.img" 32M || { nok "payload disk"; finish; }
# a free extra port for --forward
fport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# ---- dry run ------------------------------------------------------------------
pp run e2e --dry-run --disk "$T/payload.img:ro" --forward "$fport:8080"
if [ "$rc" = 0 ] && grep -q 'pcipass-pci,id=pp0f0,backend=sim,host=sim0:01:00.0' "$T/out" &&
	grep -q "hostfwd=tcp:127.0.0.1:$fport-:8080" "$T/out" && [ ! -e "$vms/e2e" ]; then
	ok "run --dry-run prints the command (sim GPU, loopback forward), creates nothing"
else
	nok "run --dry-run"
fi

# ---- run, status, ssh, status, stop -------------------------------------------
t0=$SECONDS
pp run e2e --detach --disk "$T/payload.img:ro" --forward "$fport:8080"
expect 0 "run --detach"
[ "$rc" = 0 ] || { cat "$T/out" "$T/err"; finish; }
sshport=$(python3 -c "import json; print(json.load(open('$vms/e2e/vm.json'))['ssh_port'])")
# the forwards listen on loopback only (the first public version's did not)
listen=$(ss -Htln | awk '{print $4}' | grep -E ":($sshport|$fport)\$" | sort | tr '\n' ' ')
if [ "$listen" = "$(printf '127.0.0.1:%s\n' "$sshport" "$fport" | sort | tr '\n' ' ')" ]; then
	ok "forwards listen on 127.0.0.1 only ($listen)"
else
	nok "forwards listen on: '$listen'"
fi
pp run e2e --detach
expect 4 "a second run of a running VM is refused" "already running"
pp status e2e --json
if [ "$rc" = 0 ] && [ "$(json 'd["state"]')" = running ] &&
	[ "$(json 'd["slots"][0]["functions"][0]["host"]')" = sim0:01:00.0 ] &&
	[ "$(json 'd["slots"][0]["functions"][1]["host"]')" = sim0:01:00.1 ]; then
	ok "status --json: running, both functions of the simulated eGPU"
else
	nok "status --json"; cat "$T/out"
fi
up=0
for _ in $(seq 1 100); do
	if "$pcipass" ssh e2e -- -o ConnectTimeout=5 -o BatchMode=yes true >/dev/null 2>&1; then
		up=1; break
	fi
	sleep 3
done
[ $up = 1 ] && ok "ssh reaches the guest ($((SECONDS - t0)) s after run)" || { nok "ssh never came up"; tail -20 "$vms/e2e/serial.log"; finish; }
pp ssh e2e -- -o BatchMode=yes 'sudo mount -o ro /dev/vdb /mnt && sudo insmod /mnt/pcipass_loopgpu.ko && sudo /mnt/pp-gpu-test selftest --size 1M --count 4 --seed 9'
if [ "$rc" = 0 ] && grep -q '^mismatches=0$' "$T/out" && grep -q '^bytes_verified=8388608$' "$T/out"; then
	ok "loopback self-test inside the guest over ssh: 8 MiB verified, 0 mismatches"
else
	nok "loopback self-test over ssh (exit $rc)"; tail -20 "$T/out"
fi
pp status e2e --json
irqs=$(json 'd["slots"][0]["functions"][0].get("irqs-delivered", 0)')
peak=$(json 'd["slots"][0]["dma"].get("peak-mappings", 0)')
mf=$(json 'd["slots"][0]["dma"].get("map-failures", -1)')
faults=$(json 'd["slots"][0]["functions"][0].get("dma-faults", -1)')
if [ "${irqs:-0}" -gt 0 ] && [ "${peak:-0}" -gt 0 ] && [ "$mf" = 0 ] && [ "$faults" = 0 ]; then
	ok "status after the self-test: $irqs interrupts delivered, DMA peak $peak mappings, 0 map failures, 0 faults"
else
	nok "status after the self-test: irqs=$irqs peak=$peak map-failures=$mf faults=$faults"
fi
pp status e2e
grep -q 'DART: ' "$T/out" && ok "status (text) shows the DART use" || nok "status text"
pp stop e2e
if [ "$rc" = 0 ] && grep -q "powered off" "$T/err" && [ ! -e "$vms/e2e/qemu.pid" ] &&
	[ ! -e "$vms/e2e/qmp.sock" ] && [ -f "$vms/e2e/disk.qcow2" ]; then
	ok "stop: clean powerdown; pidfile and socket gone, the overlay kept"
else
	nok "stop"
fi
grep -aq "shutdown: DART mappings released" "$vms/e2e/serial.log" &&
	ok "the guest gave every DART mapping back at shutdown" || nok "no DART release line in the console log"
pp status e2e
expect 1 "status of a stopped VM" "not running"

# ---- a guest that ignores the powerdown (QEMU started paused) -----------------
pp run paused --detach --device none -- -S
expect 0 "run --device none, paused guest"
pp stop paused --timeout 3 --kill-timeout 5
expect 0 "stop escalates to SIGTERM when the guest ignores the powerdown" "SIGTERM"

# ---- the foreground: QEMU on the terminal, run waits for it ----------------
"$pcipass" run fg --device none -- -S </dev/null >"$T/fg.out" 2>"$T/fg.err" &
fgpid=$!
pids+=($fgpid)
for _ in $(seq 1 100); do [ -S "$vms/fg/qmp.sock" ] && [ -f "$vms/fg/vm.json" ] && break; sleep 0.2; done
pp status fg --json
st=$(json 'd["state"]' 2>/dev/null)
if [ "$rc" = 0 ] && { [ "$st" = prelaunch ] || [ "$st" = paused ]; }; then
	ok "foreground run: the VM answers status ($st) while run waits"
else
	nok "foreground status: $(cat "$T/out")"
fi
pp stop fg --timeout 2
wait "$fgpid"
fgrc=$?
if [ "$rc" = 0 ] && [ "$fgrc" = 0 ] && [ ! -e "$vms/fg/qemu.pid" ] && [ ! -e "$vms/fg/qmp.sock" ]; then
	ok "foreground run returns 0 when QEMU is stopped, and cleans up"
else
	nok "foreground run: stop $rc, run $fgrc"; cat "$T/fg.err"
fi
rm -rf "$vms/fg"

# ---- a crash: stale pidfile and socket -----------------------------------------
pp run crash --detach --device none -- -S
pid=$(cat "$vms/crash/qemu.pid" 2>/dev/null)
kill -9 "$pid" 2>/dev/null
sleep 1
pp status crash
expect 1 "status after QEMU was killed: not running" "stale pidfile"
[ ! -e "$vms/crash/qemu.pid" ] && [ ! -e "$vms/crash/qmp.sock" ] && ok "the stale pidfile and socket were removed" || nok "stale files remain"
pp run crash --detach --device none -- -S
expect 0 "the crashed VM runs again"
pp stop crash --timeout 2
expect 0 "and stops"

# ---- bad input: a clear error, nothing left behind --------------------------
pp run bad1 --device sim9:00:00 --detach
expect 3 "unknown device id" "valid ids: sim0:01:00 \(sim0:01:00.0, sim0:01:00.1\)"
no_vm_dir bad1 "unknown device id"
PCIPASS_BACKEND_ARGS=unowned=2 pp run bad2 --device sim0:01:00.1 --detach
expect 5 "a device the extension does not own" "not owned by the pcipass extension"
no_vm_dir bad2 "unowned device"
python3 -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(600)' >"$T/busy" &
pids+=($!)
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$T/busy" ] && break; sleep 0.2; done
busy=$(cat "$T/busy")
pp run bad3 --ssh-port "$busy" --detach
expect 4 "ssh port in use" "port $busy .*in use.*--ssh-port"
no_vm_dir bad3 "ssh port in use"
pp run bad3 --forward "$busy:80" --detach
expect 4 "forward port in use" "port $busy .*in use.*--forward"
no_vm_dir bad3 "forward port in use"
pp run bad4 --memory 64T --detach
expect 2 "memory larger than the host" "more than this host has"
no_vm_dir bad4 "memory too large"
pp run bad5 --image nosuch --detach
expect 3 "image missing" "no image 'nosuch'"
no_vm_dir bad5 "missing image"
# a damaged image: a copy of the default with its disk cut short
cp -a "$PCIPASS_HOME/images/default" "$PCIPASS_HOME/images/cut"
truncate -s 1M "$PCIPASS_HOME/images/cut/disk.qcow2"
pp run bad6 --image cut --detach
expect 5 "image truncated" "disk.qcow2"
no_vm_dir bad6 "truncated image"
pp run bad7 --detach --device none -- -device no-such-device
expect 1 "QEMU exits early: the reason and its log" "exited with status 1.*(\n|.)*no-such-device|no-such-device"
no_vm_dir bad7 "QEMU exited early"
pp run bad8 --qemu /nonexistent/qemu --detach
expect 5 "QEMU missing" "no QEMU found"
no_vm_dir bad8 "QEMU missing"
pp run bad9 --cpus 0
expect 2 "--cpus 0 refused" "--cpus"
pp run 'bad/../x'
expect 2 "a VM name with a slash refused" "names are"
pp stop nosuch
expect 3 "stop of an unknown VM" "no VM named 'nosuch'"
pp ssh nosuch
expect 3 "ssh to an unknown VM" "no VM named 'nosuch'"
ls -A "$vms" >"$T/vms"
[ "$(tr '\n' ' ' <"$T/vms")" = "crash e2e paused " ] && ok "state holds exactly the VMs that ran" || nok "state dir: $(cat "$T/vms")"
perm=$(stat -c %a "$PCIPASS_HOME" "$vms/e2e" | sort -u | tr '\n' ' ')
[ "$perm" = "700 " ] && ok "state directories are 0700" || nok "state permissions: $perm"
finish
