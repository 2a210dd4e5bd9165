#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A small HTTP server for tests/cli/test-image.sh.

Serves DIR on 127.0.0.1 (an ephemeral port, written to --port-file and
printed on stdout) with byte-range support ("Range: bytes=A-" / "A-B",
206 + Content-Range, 416 past the end), and logs one line per request to
--log: "GET /path range=<Range header or ->  -> STATUS".

  --cut-after N   the first non-.sha256 GET sends its full Content-Length
                  header but only N body bytes, then drops the connection
                  (once per server), to test resuming
  --no-range      ignore Range headers (always 200 with the whole file)
  --bad-sha256    answer any *.sha256 with a wrong digest
"""
import argparse
import http.server
import os
import socket
import sys
import threading

args = None
cut_lock = threading.Lock()
cut_pending = False


def log(line):
    if args.log:
        with open(args.log, "a") as f:
            f.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):  # quiet on stderr
        pass

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        global cut_pending
        rng = self.headers.get("Range")
        rel = self.path.split("?", 1)[0].lstrip("/")
        path = os.path.realpath(os.path.join(args.dir, rel))
        root = os.path.realpath(args.dir)
        status = None
        try:
            if not path.startswith(root + os.sep) or not os.path.isfile(path):
                status = 404
                self.reply(404, b"not found\n")
                return
            if rel.endswith(".sha256") and args.bad_sha256:
                status = 200
                self.reply(200, b"0" * 64 + b"  bundle\n")
                return
            size = os.path.getsize(path)
            start, end = 0, size - 1
            if rng and not args.no_range:
                spec = rng.strip()
                if not spec.startswith("bytes=") or "," in spec:
                    status = 400
                    self.reply(400)
                    return
                a, _, b = spec[6:].partition("-")
                start = int(a)
                end = int(b) if b else size - 1
                if start >= size:
                    status = 416
                    self.reply(416, b"", [("Content-Range", "bytes */%d" % size)])
                    return
                end = min(end, size - 1)
                status = 206
            else:
                status = 200
            length = end - start + 1
            self.send_response(status)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(length))
            if status == 206:
                self.send_header("Content-Range", "bytes %d-%d/%d" % (start, end, size))
            self.end_headers()
            if self.command == "HEAD":
                return
            cut = None
            with cut_lock:
                if cut_pending and not rel.endswith(".sha256"):
                    cut_pending = False
                    cut = args.cut_after
            with open(path, "rb") as f:
                f.seek(start)
                left = length if cut is None else min(cut, length)
                while left > 0:
                    chunk = f.read(min(65536, left))
                    if not chunk:
                        break
                    self.wfile.write(chunk)
                    left -= len(chunk)
            if cut is not None:
                status = "%s-cut-after-%d" % (status, cut)
                self.wfile.flush()
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        finally:
            log("%s /%s range=%s -> %s" % (self.command, rel, rng or "-", status))


def main():
    global args, cut_pending
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--log")
    ap.add_argument("--port-file")
    ap.add_argument("--cut-after", type=int)
    ap.add_argument("--no-range", action="store_true")
    ap.add_argument("--bad-sha256", action="store_true")
    args = ap.parse_args()
    cut_pending = args.cut_after is not None
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    print(port, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
