#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Guest test "testbed-selftest": checks the testbed's own machinery, mostly by
# feeding it broken inputs that it must reject.  Run through
# testbed/run-guest-tests.
#
#   host-only (about 1 s):
#     patch series  a good patch applies, a broken one fails the build with a
#                   message naming it, a missing one is reported, and the
#                   series' key text follows patch content
#     mkinitramfs   resolves module dependencies (nvme), rejects unknown
#                   modules and non-arm64 / dynamic programs
#   guests (about 30 s; one kernel, a tiny initramfs per case):
#     pass          guest loads e1000e (and nvme's deps), sees the NIC -> 0
#     fail          guest prints FAIL                            -> exit 1
#     panic         echo c > /proc/sysrq-trigger                 -> exit 3
#     hang          guest sleeps; --timeout 12                   -> exit 2
#     no-verdict    guest powers off without a verdict            -> exit 4
#     init-exits    init script ends after pp_setup               -> exit 1
#     qemu-error    QEMU rejects its arguments                    -> exit 5
# The test passes when the runner gives each case the expected result.
set -euo pipefail
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
. "$PP_TESTBED/lib/common.sh"
. "$PP_TESTBED/lib/patch-series.sh"
pp_env_load
out=$PP_TEST_OUT
bad=0
ok() { echo "[selftest] ok: $*"; }
nok() { echo "[selftest] FAILED: $*"; bad=$((bad + 1)); }

# ---- patch series on a dummy tree ------------------------------------------------
ps=$out/patches
mkdir -p "$ps/tree" "$ps/a" "$ps/b" "$ps/series-dir"
printf 'one\ntwo\nthree\n' >"$ps/a/f.txt"
printf 'one\nTWO\nthree\n' >"$ps/b/f.txt"
(cd "$ps" && diff -u a/f.txt b/f.txt >series-dir/01-good.patch) || true
# context that is not in the tree: cannot apply
sed 's/^ one$/ uno/; s/^ three$/ tres/' "$ps/series-dir/01-good.patch" |
	sed 's/TWO/DOS/; s/^-two$/-zwei/' >"$ps/series-dir/02-broken.patch"
cp "$ps/a/f.txt" "$ps/tree/f.txt"
printf '# test series\n01-good.patch\n\n02-broken.patch -p1\n' >"$ps/series-dir/series"
if msg=$( (pp_series_apply "$ps/series-dir" "$ps/tree") 2>&1); then
	nok "patch series with a broken patch applied without error"
elif ! grep -q 'patch 02-broken.patch .*does not apply' <<<"$msg"; then
	nok "broken patch error does not name the patch: $msg"
elif ! grep -qx TWO "$ps/tree/f.txt"; then
	nok "the good patch before the broken one was not applied"
else
	ok "broken patch fails the build: $(grep -o 'patch 02-broken.patch .*' <<<"$msg" | head -n1)"
fi
printf '01-good.patch\n03-missing.patch\n' >"$ps/series-dir/series"
if msg=$( (pp_series_key_text "$ps/series-dir") 2>&1); then
	nok "a series listing a missing patch was accepted"
elif grep -q "lists '03-missing.patch', which does not exist" <<<"$msg"; then
	ok "missing patch reported"
else
	nok "missing patch error unclear: $msg"
fi
printf '01-good.patch\n' >"$ps/series-dir/series"
k1=$(pp_series_key_text "$ps/series-dir")
echo "# comment added" >>"$ps/series-dir/01-good.patch"
k2=$(pp_series_key_text "$ps/series-dir")
if [ "$k1" != "$k2" ]; then ok "series key follows patch content"; else nok "series key ignores patch content"; fi

# ---- mkinitramfs checks ------------------------------------------------------------
mk=$PP_TESTBED/mkinitramfs
printf '#!/bin/sh\n. /lib/pcipass/guest-lib.sh\npp_setup\npp_verdict PASS\n' >"$out/init-pass"
"$mk" --out "$out/nvme.gz" --init "$out/init-pass" --kmod nvme
order=$(cd "$out" && gzip -dc nvme.gz | cpio --quiet -i --to-stdout etc/pcipass/kmods | xargs -n1 basename | sed 's/\.ko.*//' | tr '\n' ' ')
pos() { local i=0 w; for w in $order; do [ "$w" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo -1; }
if [ "$(pos nvme-core)" -ge 0 ] && [ "$(pos nvme)" -gt "$(pos nvme-core)" ] &&
	[ "$(pos nvme-auth)" -ge 0 ] && [ "$(pos nvme-auth)" -lt "$(pos nvme-core)" ]; then
	ok "--kmod nvme resolves dependencies in load order: $order"
else
	nok "--kmod nvme load order wrong: $order"
fi
if msg=$("$mk" --out "$out/x.gz" --init "$out/init-pass" --kmod no-such-module 2>&1); then
	nok "unknown --kmod accepted"
else
	ok "unknown --kmod rejected: $msg"
fi
if msg=$("$mk" --out "$out/x.gz" --init "$out/init-pass" --bin /bin/true 2>&1) ||
	! grep -q 'not an AArch64 program' <<<"$msg"; then
	nok "host binary accepted as --bin: $msg"
else
	ok "non-arm64 --bin rejected: $msg"
fi
printf 'int main(void) { return 0; }\n' >"$out/dyn.c"
# A dynamic arm64 program: the cross gcc without cc-arm64's -static.
if pp_chroot "$PP_SYSROOT" -b "$out" -w "$out" -- aarch64-linux-gnu-gcc -o dyn dyn.c; then
	if msg=$("$mk" --out "$out/x.gz" --init "$out/init-pass" --bin "$out/dyn" 2>&1) ||
		! grep -q 'dynamically linked' <<<"$msg"; then
		nok "dynamic arm64 --bin accepted: $msg"
	else
		ok "dynamic --bin rejected: $msg"
	fi
else
	nok "could not build a dynamic arm64 program for the check"
fi

# ---- the runner against good and bad guests -------------------------------------------
# case NAME WANT-RC WANT-TEXT INIT-BODY [run-guest args...]
case_guest() {
	local name=$1 want=$2 text=$3 body=$4 rc msg
	shift 4
	printf '#!/bin/sh\n. /lib/pcipass/guest-lib.sh\n%s\n' "$body" >"$out/init-$name"
	"$mk" --out "$out/$name.gz" --init "$out/init-$name" --kmod e1000e
	set +e
	msg=$("$PP_TESTBED/run-guest" --name "selftest-$name" --initrd "$out/$name.gz" "$@" 2>&1)
	rc=$?
	set -e
	local result
	result=$(grep '^\[run-guest\]' <<<"$msg" | tail -n1)
	if [ $rc -eq "$want" ] && grep -qF -- "$text" <<<"$result"; then
		ok "$name: exit $rc, $result"
	else
		nok "$name: expected exit $want with '$text', got exit $rc"
		printf '%s\n' "$msg" | sed 's/^/    /'
	fi
}

case_guest pass 0 "PASS" '
pp_setup
pp_step "load e1000e" pp_load_kmods
pp_step "NIC present" test -d /sys/class/net/eth0
pp_verdict PASS' --timeout 60 -- -netdev user,id=n0 -device e1000e,netdev=n0,romfile=
case_guest fail 1 "FAIL (guest: deliberate failure)" '
pp_setup
pp_verdict FAIL deliberate failure' --timeout 60
case_guest panic 3 "FAIL (kernel: Kernel panic" '
pp_setup
echo c >/proc/sysrq-trigger
sleep 60' --timeout 60
case_guest hang 2 "FAIL (timeout" '
pp_setup
pp_log "hanging on purpose"
while :; do sleep 60; done' --timeout 12
case_guest no-verdict 4 "no PCIPASS-VERDICT line" '
mount -t proc proc /proc 2>/dev/null
poweroff -f' --timeout 60
case_guest init-exits 1 "init script ended without a verdict" '
pp_setup
false' --timeout 60
case_guest qemu-error 5 "QEMU exited with status" '
pp_verdict PASS' --timeout 60 -- -device no-such-device

echo "[selftest] $bad problem(s)"
[ $bad -eq 0 ]
