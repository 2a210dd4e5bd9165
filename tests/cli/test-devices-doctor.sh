#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `pcipass devices` and `pcipass doctor` on this (Linux) host: the simulated
# Mac host's slot, its BARs and DART, the JSON forms, and doctor's verdict
# per layer (missing or unpatched QEMU, no image, a busy SSH port, all ok).
#
#   tests/cli/test-devices-doctor.sh     (after make build/pcipass)
#
# PCIPASS_BIN overrides the binary (default build/pcipass).  Needs python3.
# The all-ok check needs the testbed's QEMU (make testbed); without it that
# check is skipped.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
pp=${PCIPASS_BIN:-$top/build/pcipass}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pp-devdoc.XXXXXX")
holder=

cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

export PCIPASS_HOME=$tmp/home
unset PCIPASS_QEMU PCIPASS_BACKEND PCIPASS_BACKEND_ARGS PCIPASS_TESTBED_OUT

passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
nok() { echo "not ok - $*"; failed=$((failed + 1)); }
# expect DESC COND...: ok when the command succeeds
expect() { local d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }
has() { grep -qF -- "$2" <<<"$1"; }
# the line of a doctor layer
layer() { grep -E "^(ok|warn|FAIL) +$2:" <<<"$1"; }

if [ ! -x "$pp" ]; then
	echo "not ok - $pp is not built (make build/pcipass)"
	echo "0 passed, 1 failed"
	exit 1
fi

# ---- devices ----------------------------------------------------------------
out=$("$pp" devices 2>"$tmp/err"); rc=$?
expect "devices exits 0" test $rc -eq 0
expect "devices lists slot sim0:01:00" has "$out" "slot sim0:01:00"
# one function's block: from its line to the next function's
func() { awk -v id="$1" '$1 == id { on = 1; print; next }
	on && /^    [^ ]/ { on = 0 } on && /^[^ ]/ { on = 0 } on' <<<"$out"; }
gpu=$(func sim0:01:00.0)
aud=$(func sim0:01:00.1)
expect "devices lists the GPU function sim0:01:00.0 (7070:1000)" has "$gpu" "7070:1000"
expect "devices lists the audio function sim0:01:00.1 (7070:1001)" has "$aud" "7070:1001"
expect "unknown vendor 7070 shows raw ids, no 'Unknown' noise" \
	bash -c '! grep -qi unknown <<<"$1"' _ "$gpu$aud"
expect "GPU class named (3D controller)" has "$gpu" "3D controller [030200]"
expect "audio class named (Audio device)" has "$aud" "Audio device [040300]"
expect "GPU BAR0: 64 KiB, 32-bit, trap-only" \
	grep -qE 'BAR0 +64 KiB +32-bit, trap-only' <<<"$gpu"
expect "GPU BAR1: 256 MiB VRAM, 64-bit, prefetchable, mappable" \
	grep -qE 'BAR1 +256 MiB +64-bit, prefetchable, mappable' <<<"$gpu"
expect "audio BAR0: 16 KiB, 32-bit, trap-only" \
	grep -qE 'BAR0 +16 KiB +32-bit, trap-only' <<<"$aud"
expect "GPU has MSI-X vectors" grep -qE 'vectors +[1-9]' <<<"$gpu"
expect "functions owned and free" \
	test "$(grep -c 'state     owned, free' <<<"$out")" -eq 2
expect "location shown" has "$gpu" "sim0 root port"
expect "DART capacity: 1536 MiB, 65536 entries, unused" \
	grep -qE 'DART +0 B of 1536 MiB mapped, 0 of 65536 entries, 0 faults' <<<"$out"

# ---- devices --json ---------------------------------------------------------
"$pp" devices --json >"$tmp/dev.json" 2>"$tmp/err"; rc=$?
expect "devices --json exits 0" test $rc -eq 0
expect "devices --json parses" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/dev.json"
text_ids=$(grep -oE '^(slot |    )sim0:[0-9a-f:.]+' <<<"$out" | awk '{print $NF}' | sort | tr '\n' ' ')
json_ids=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ids = [s["id"] for s in d["slots"]] + [f["id"] for s in d["slots"] for f in s["functions"]]
print(" ".join(sorted(ids)) + " ")' "$tmp/dev.json" 2>&1)
expect "devices --json has the same ids as the text ($json_ids)" test "$text_ids" = "$json_ids"
expect "devices --json content (DART, ids, names, BARs, flags)" python3 - "$tmp/dev.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
(s,) = d["slots"]
assert s["id"] == "sim0:01:00", s["id"]
assert s["dart"] == {"cap_bytes": 1536 << 20, "max_entries": 65536, "live_bytes": 0,
                     "live_entries": 0, "faults": 0}, s["dart"]
g, a = s["functions"]
assert (g["id"], g["vendor"], g["device"], g["class"]) == ("sim0:01:00.0", "7070", "1000", "030200"), g
assert (a["id"], a["vendor"], a["device"], a["class"]) == ("sim0:01:00.1", "7070", "1001", "040300"), a
assert g["vendor_name"] is None and g["device_name"] is None, g
assert g["class_name"] == "3D controller" and a["class_name"] == "Audio device"
for f in (g, a):
    assert f["owned"] is True and f["in_use"] is False, f
    assert "sim0" in f["location"]
assert g["vectors"] > 0 and a["vectors"] >= 1
assert g["bars"] == [
    {"index": 0, "size": 64 << 10, "type": "mem32", "prefetchable": False, "mappable": False},
    {"index": 1, "size": 256 << 20, "type": "mem64", "prefetchable": True, "mappable": True},
], g["bars"]
assert a["bars"] == [
    {"index": 0, "size": 16 << 10, "type": "mem32", "prefetchable": False, "mappable": False},
], a["bars"]
EOF

# ---- no backend -------------------------------------------------------------
PCIPASS_BACKEND=nosuch "$pp" devices >"$tmp/out" 2>"$tmp/err"; rc=$?
expect "devices with PCIPASS_BACKEND=nosuch exits 5 (got $rc)" test $rc -eq 5
expect "... and says the backend is unavailable" \
	grep -q 'host backend "nosuch" unavailable' "$tmp/err"
expect "devices with a bad argument exits 2" \
	bash -c '"$1" devices --bogus >/dev/null 2>&1; test $? -eq 2' _ "$pp"

# ---- doctor: the failing layers ----------------------------------------------
out=$(PCIPASS_QEMU=/nonexistent "$pp" doctor 2>&1); rc=$?
expect "doctor with PCIPASS_QEMU=/nonexistent exits 5 (got $rc)" test $rc -eq 5
q=$(layer "$out" qemu)
expect "... the qemu line FAILs and says what to do: $q" \
	grep -qE '^FAIL +qemu: PCIPASS_QEMU=/nonexistent: not found.* -- build it with make testbed' <<<"$q"
expect "... the lower layers were still checked" \
	bash -c 'grep -qE "^ok +host: Linux, the simulated Mac host" <<<"$1" &&
		 grep -qE "^ok +backend: " <<<"$1" && grep -qE "^ok +extension: n/a" <<<"$1"' _ "$out"
expect "... and the later ones too (image, ports)" \
	bash -c 'grep -qE "^(ok|FAIL) +image:" <<<"$1" && grep -qE "^(ok|warn) +ports:" <<<"$1"' _ "$out"

out=$(PCIPASS_QEMU=/bin/true "$pp" doctor 2>&1); rc=$?
expect "doctor with PCIPASS_QEMU=/bin/true exits 5" test $rc -eq 5
expect "... FAIL: not the patched QEMU" \
	grep -qE '^FAIL +qemu: /bin/true .*not the patched QEMU.* -- build it with make testbed' <<<"$out"
out=$(PCIPASS_QEMU=/nonexistent "$pp" doctor --qemu /bin/true 2>&1)
expect "doctor --qemu overrides PCIPASS_QEMU" \
	grep -qE '^FAIL +qemu: /bin/true .*not the patched QEMU' <<<"$out"

expect "doctor with no image FAILs on the image line with pcipass image build" \
	grep -qE "^FAIL +image: no image 'default'.* -- pcipass image build" <<<"$out"

out=$(PCIPASS_BACKEND=nosuch PCIPASS_QEMU=/bin/true "$pp" doctor 2>&1)
expect "doctor with no backend FAILs on the backend line" \
	grep -qE '^FAIL +backend: host backend "nosuch" unavailable.* -- ' <<<"$out"

"$pp" doctor --json >"$tmp/doc.json" 2>"$tmp/err"
expect "doctor --json: the layers in order, each {layer,status,finding,fix}" \
	python3 - "$tmp/doc.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert [c["layer"] for c in d] == ["host", "accelerator", "ipa", "extension", "backend",
                                   "qemu", "qemu-img", "image", "ports"], d
for c in d:
    assert set(c) == {"layer", "status", "finding", "fix"}, c
    assert c["status"] in ("ok", "warn", "fail"), c
    assert c["finding"], c
    assert (c["fix"] is None) == (c["status"] == "ok"), c
img = [c for c in d if c["layer"] == "image"][0]
assert img["status"] == "fail" and "pcipass image build" in img["fix"], img
EOF

# ---- doctor: all good, with the testbed's QEMU and an image -------------------
# A fake image, as cli/image.c's pp_image_open checks it: the files, and
# their sizes recorded in image.json.
img=$PCIPASS_HOME/images/default
mkdir -p "$img"
head -c 1048576 /dev/zero >"$img/disk.qcow2"
head -c 4096 /dev/urandom >"$img/vmlinuz"
head -c 2048 /dev/urandom >"$img/initrd.img"
python3 - "$img" <<'EOF'
import hashlib, json, os, sys
d = sys.argv[1]
files = {}
for f in ("disk.qcow2", "vmlinuz", "initrd.img"):
    b = open(os.path.join(d, f), "rb").read()
    files[f] = {"size": len(b), "sha256": hashlib.sha256(b).hexdigest()}
json.dump({"format": 1, "name": "default", "user": "pcipass", "root": "LABEL=pcipass-root",
           "source": "test", "created": "2026-01-01T00:00:00Z", "files": files},
          open(os.path.join(d, "image.json"), "w"))
EOF

tbq=$(sed -n "s/^PP_QEMU='\(.*\)'\$/\1/p" "$top/build/testbed/env" 2>/dev/null)
if [ -z "$tbq" ] || [ ! -x "$tbq" ]; then
	echo "ok - # skip doctor all-ok: no testbed QEMU (make testbed)"
else
	out=$(PCIPASS_QEMU=$tbq "$pp" doctor 2>&1); rc=$?
	expect "doctor with the testbed QEMU and an image exits 0 (got $rc)" test $rc -eq 0
	expect "... no FAIL line" bash -c '! grep -q "^FAIL" <<<"$1"' _ "$out"
	expect "... qemu ok with the pcipass devices" \
		grep -qE "^ok +qemu: $tbq \(QEMU emulator version .*pcipass-pci and pcipass-dma" <<<"$out"
	expect "... image ok" grep -qE "^ok +image: default: $img " <<<"$out"
	[ $rc -eq 0 ] || echo "$out" | sed 's/^/# /'

	# the first SSH port: hold it ourselves (if it is free), doctor warns
	if python3 -c 'import socket; s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 2222))' 2>/dev/null; then
		expect "... 127.0.0.1:2222 free: ports ok" grep -qE '^ok +ports: 127.0.0.1:2222 is free' <<<"$out"
		python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 2222)); s.listen(1); print("bound", flush=True); time.sleep(120)' \
			>"$tmp/holder" 2>&1 &
		holder=$!
		for _ in $(seq 50); do grep -q bound "$tmp/holder" && break; sleep 0.1; done
	else
		echo "# 127.0.0.1:2222 is busy already: testing the busy case only"
	fi
	out=$(PCIPASS_QEMU=$tbq "$pp" doctor 2>&1); rc=$?
	expect "with 127.0.0.1:2222 busy doctor still exits 0 (got $rc)" test $rc -eq 0
	expect "... and warns on the ports line, saying run picks the next" \
		grep -qE '^warn +ports: 127.0.0.1:2222 is in use -- .*run picks the next free port' <<<"$out"
	if [ -n "$holder" ]; then
		kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; holder=
	fi

	# unset: doctor finds the testbed's QEMU by itself, as run does
	out=$("$pp" doctor 2>&1)
	expect "doctor finds the testbed QEMU without PCIPASS_QEMU" \
		grep -qE "^ok +qemu: $tbq " <<<"$out"
fi

# a damaged image: truncated disk
head -c 1000 /dev/zero >"$img/disk.qcow2"
out=$(PCIPASS_QEMU=/bin/true "$pp" doctor 2>&1)
expect "doctor FAILs on a truncated image disk, saying re-import" \
	grep -qE "^FAIL +image: .*damaged.* -- .*--force" <<<"$out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
