#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Host side of the e1000e test: one TCP peer for pp-net (see pp-net.c).

peer.py PORTFILE RESULTFILE BYTES_BACK SEED DEADLINE_S

Listens on 127.0.0.1 only (QEMU user networking forwards the guest's
10.0.2.2:PORT here), on a free port written to PORTFILE.  Accepts one
connection, receives the guest's data (CRC-32), sends BYTES_BACK random
bytes with their CRC-32, writes key=value results to RESULTFILE and exits.
Everything is bounded by DEADLINE_S: the peer never outlives the test.
"""
import random
import socket
import struct
import sys
import time
import zlib


def main():
    portfile, resultfile = sys.argv[1], sys.argv[2]
    back, seed, deadline = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    end = time.monotonic() + deadline
    res = {"result": "FAIL", "reason": "no connection"}

    def left():
        t = end - time.monotonic()
        if t <= 0:
            raise TimeoutError("deadline")
        return t

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    import os
    os.rename(portfile + ".tmp", portfile)
    try:
        srv.settimeout(left())
        conn, _ = srv.accept()
        conn.settimeout(30)

        def recv_exact(n):
            out = bytearray()
            while len(out) < n:
                left()
                chunk = conn.recv(min(n - len(out), 1 << 20))
                if not chunk:
                    raise EOFError("peer closed after %d of %d bytes" % (len(out), n))
                out += chunk
            return bytes(out)

        hdr = recv_exact(20)
        if hdr[:4] != b"PPN1":
            raise ValueError("bad magic %r" % hdr[:4])
        nbytes, gseed = struct.unpack("<QQ", hdr[4:])
        crc, got = 0, 0
        t0 = time.monotonic()
        while got < nbytes:
            left()
            chunk = conn.recv(min(nbytes - got, 1 << 20))
            if not chunk:
                raise EOFError("guest closed after %d of %d bytes" % (got, nbytes))
            crc = zlib.crc32(chunk, crc)
            got += len(chunk)
        t1 = time.monotonic()
        data = random.Random(seed).randbytes(back)
        conn.sendall(struct.pack("<IQI", crc, back, zlib.crc32(data)))
        view = memoryview(data)
        for off in range(0, back, 1 << 20):
            left()
            conn.sendall(view[off:off + (1 << 20)])
        conn.close()
        res = {"result": "PASS", "recv_bytes": got, "recv_crc32": "%08x" % crc,
               "guest_seed": gseed, "sent_bytes": back,
               "sent_crc32": "%08x" % zlib.crc32(data),
               "recv_seconds": "%.2f" % (t1 - t0)}
    except Exception as e:  # report, never hang
        res["reason"] = "%s: %s" % (type(e).__name__, e)
    finally:
        srv.close()
        with open(resultfile, "w") as f:
            for k, v in res.items():
                f.write("%s=%s\n" % (k, v))


if __name__ == "__main__":
    main()
