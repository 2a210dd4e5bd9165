# SPDX-License-Identifier: GPL-2.0-or-later
# tests/guest/nvme/common.sh: host-side helpers shared by the pcipass_dma
# guest tests (nvme, e1000e, exhaustion, hostile, reload, dma-bench).
# Sourced by their test.sh, which run under testbed/run-guest-tests.
: "${PP_TESTBED:?run this through testbed/run-guest-tests}"
PPD_SRC=$PP_REPO/tests/guest/nvme
PPD_OUT_ROOT=${PCIPASS_TESTBED_OUT:-$PP_REPO/build/testbed}

# ppd_module: build pcipass_dma.ko (shared, incremental); sets PPD_KO
ppd_module() {
	PPD_KO=$("$PP_REPO/guest/build-module")
}

# ppd_bin NAME SRC...: a static arm64 program in $PP_TEST_OUT
ppd_bin() {
	local name=$1
	shift
	"$PP_TESTBED/cc-arm64" -std=gnu11 -O2 -Wall -Wextra -Werror -pthread \
		-o "$PP_TEST_OUT/$name" "$@"
}

# ppd_disk NAME SIZE: a sparse raw disk image in $PP_TEST_OUT; prints its path
ppd_disk() {
	local f=$PP_TEST_OUT/$1.img
	rm -f "$f"
	truncate -s "$2" "$f"
	echo "$f"
}

# ppd_initramfs INIT [mkinitramfs args...]: $PP_TEST_OUT/initramfs.gz with
# the module, pp-dma.sh and the given extras
ppd_initramfs() {
	local init=$1
	shift
	"$PP_TESTBED/mkinitramfs" --out "$PP_TEST_OUT/initramfs.gz" --init "$init" \
		--module "$PPD_KO" --file "$PPD_SRC/pp-dma.sh:/lib/pcipass/pp-dma.sh" "$@"
}

# ppd_log NAME: the console log run-guest writes
ppd_log() { echo "$PPD_OUT_ROOT/logs/$1.log"; }

# ppd_check_faults NAME: QEMU's DART model logs every DMA fault
# ("DMA fault: ..." warnings on its stderr, which is the log); none allowed
ppd_check_faults() {
	local log n
	log=$(ppd_log "$1")
	n=$(grep -c 'DMA fault' "$log" || true)
	if [ "$n" -ne 0 ]; then
		grep -m5 'DMA fault' "$log"
		echo "[$1] FAIL: $n DMA fault line(s) from the DART model"
		return 1
	fi
	echo "[$1] 0 DMA faults reported by the DART model"
}

# ppd_results NAME: the key=value lines the guest printed with a "RESULT "
# prefix, for the lead's records
ppd_results() {
	tr -d '\r' <"$(ppd_log "$1")" | sed -n 's/^RESULT //p'
}
