#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "quirk-tso": pcipass_dma's TSO prctl shim for FEX-Emu
# (docs/guest-quirks.md).  tso-check makes FEX's exact calls.  Without the
# module, and with it under TCG (ACTLR_EL1.EnTSO reads clear), the stock
# EINVAL must come back; with quirk_tso_force=1 the emulated answers (GET
# -> 0, SET TSO/DEFAULT -> 0, malformed calls still EINVAL, other prctls
# untouched, 4 threads agree) and the debugfs counters must match the calls
# made; quirks=0 and rmmod restore the stock behaviour.  No PCI devices
# are needed.  Kernel warnings fail the run.  The forced checks are in
# tests/guest/lib/quirk-checks.sh, shared with the image-boot test.
set -euo pipefail
. "$PP_REPO/tests/guest/nvme/common.sh"

ppd_module
ppd_bin tso-check "$PP_TEST_SRC/tso-check.c"
ppd_initramfs "$PP_TEST_SRC/init" --bin "$PP_TEST_OUT/tso-check" \
	--file "$PP_REPO/tests/guest/lib/quirk-checks.sh:/lib/pcipass/quirk-checks.sh"
"$PP_TESTBED/run-guest" --name quirk-tso --initrd "$PP_TEST_OUT/initramfs.gz" \
	--smp 2 --mem 512 --timeout 120 --warn-fatal
