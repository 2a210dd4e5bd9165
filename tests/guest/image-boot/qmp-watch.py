#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# qmp-watch.py SOCKET OUT: wait for QEMU's QMP socket, then for the guest's
# SHUTDOWN event (QEMU runs with -action shutdown=pause, so the devices are
# still there), write `info pcipass` and the port's dart-entries to OUT, and
# quit QEMU.  The DART is judged from the QEMU side, after the guest is off.
import json, os, socket, sys, time

path, out = sys.argv[1], sys.argv[2]
deadline = time.time() + 60
while True:
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(path); break
    except OSError:
        if time.time() > deadline:
            sys.exit("qmp-watch: no QMP socket")
        time.sleep(0.2)
f = s.makefile("rw")
def send(cmd, **args):
    f.write(json.dumps({"execute": cmd, "arguments": args} if args else {"execute": cmd}) + "\n"); f.flush()
    while True:
        m = json.loads(f.readline())
        if "return" in m or "error" in m:
            return m
        if m.get("event") == "SHUTDOWN":
            events.append(m)
events = []
json.loads(f.readline())  # greeting
send("qmp_capabilities")
while not any(e.get("event") == "SHUTDOWN" for e in events):
    line = f.readline()
    if not line:
        sys.exit("qmp-watch: QEMU went away before the guest shut down")
    m = json.loads(line)
    if m.get("event") == "SHUTDOWN":
        events.append(m)
info = send("human-monitor-command", **{"command-line": "info pcipass"}).get("return", "")
ent = send("qom-get", path="/machine/peripheral/dp0", property="dart-entries").get("return")
with open(out, "w") as o:
    o.write("shutdown-event %s\n" % json.dumps(events[-1].get("data", {})))
    o.write(info)
    o.write("dart-entries %s\n" % ent)
send("quit")
