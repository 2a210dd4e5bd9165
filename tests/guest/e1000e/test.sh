#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Guest test "e1000e": an e1000e NIC behind a pcipass-dart-port, stock
# driver (it maps buffers in softirq context), pcipass_dma loaded first.
# The guest sends 64 MiB over TCP to a peer on the host (peer.py, bound to
# 127.0.0.1, reached as 10.0.2.2 through QEMU user networking) and receives
# 64 MiB back; CRC-32s are compared on both sides.  Passes with both CRCs
# matching, 0 unknown unmaps, 0 map failures and 0 DMA faults.
set -euo pipefail
. "$PP_REPO/tests/guest/nvme/common.sh"

BYTES=$((64 << 20))
ppd_module
ppd_bin pp-net "$PP_TEST_SRC/pp-net.c"
ppd_initramfs "$PP_TEST_SRC/init" --kmod e1000e --bin "$PP_TEST_OUT/pp-net"

# The peer: bounded (it exits after one exchange or its deadline).
python3 "$PP_TEST_SRC/peer.py" "$PP_TEST_OUT/port" "$PP_TEST_OUT/peer.result" \
	"$BYTES" 7 200 &
peer=$!
trap 'kill $peer 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$PP_TEST_OUT/port" ] && break; sleep 0.1; done
port=$(cat "$PP_TEST_OUT/port")
echo "[e1000e] host peer listening on 127.0.0.1:$port"

rc=0
"$PP_TESTBED/run-guest" --name e1000e --initrd "$PP_TEST_OUT/initramfs.gz" \
	--smp 2 --mem 512 --timeout 240 --append "pp_port=$port pp_bytes=$BYTES" -- \
	-device pcipass-dart-port,id=dp1,chassis=2 \
	-netdev user,id=n1 \
	-device e1000e,netdev=n1,bus=dp1,romfile= \
	-device pcipass-dma,dart=dp1 || rc=$?
# A failed guest run never connects: do not wait for the peer's deadline.
[ $rc -eq 0 ] || kill $peer 2>/dev/null || true
wait $peer || true
trap - EXIT
echo "[e1000e] peer: $(tr '\n' ' ' <"$PP_TEST_OUT/peer.result" 2>/dev/null)"
[ $rc -eq 0 ] || exit $rc

res=$(ppd_results e1000e)
echo "$res"
guest_tx=$(sed -n 's/^e1000e_sent_crc32=//p' <<<"$res")
peer_rx=$(sed -n 's/^recv_crc32=//p' "$PP_TEST_OUT/peer.result")
grep -qx 'result=PASS' "$PP_TEST_OUT/peer.result" || { echo "[e1000e] FAIL: peer did not finish"; exit 1; }
[ -n "$guest_tx" ] && [ "$guest_tx" = "$peer_rx" ] ||
	{ echo "[e1000e] FAIL: guest sent CRC $guest_tx, peer received CRC $peer_rx"; exit 1; }
echo "[e1000e] CRC-32 of the 64 MiB guest->host: $guest_tx on both sides"
ppd_check_faults e1000e
