#!/usr/bin/env python3
"""serve-reload: SIGHUP replaces the indicator snapshot while records flow, and a reload that
fails keeps the old one.

The daemon starts with a snapshot listing address A. A TCP sender writes sshd lines
alternating addresses A and B, numbered, without pause. The configuration is switched to a
snapshot listing B, then SIGHUP; later to a snapshot that does not exist, then SIGHUP again
(the reload fails: B stays). After a clean stop: every record sent was received and
processed (none dropped during the reloads), alerts name only A before the first reload and
only B after it, both reloads are counted (one ok, one failed).

Usage: serve_reload.py VIGIL
"""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from serve_common import FAILS, fail, free_port, one_address_snapshot, sshd_line, start_daemon, wait_stored

VIGIL = sys.argv[1]
A, B = "192.0.2.10", "192.0.2.20"

def write_conf(conf, tmp, snap, ports):
    with open(conf + ".new", "w") as f:
        f.write(f"""data_dir: {tmp}/data
spool: {{sync: never}}
detection: {{workers: 2, intel: {snap}}}
api: {{listen: "127.0.0.1:{ports['api']}"}}
listeners: [{{name: tcp, type: tcp, listen: "127.0.0.1:{ports['tcp']}"}}]
""")
    os.replace(conf + ".new", conf)


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-serve-reload-")
    snap_a, snap_b = one_address_snapshot(VIGIL, tmp, A, "a"), one_address_snapshot(VIGIL, tmp, B, "b")
    ports = {"tcp": free_port(), "api": free_port()}
    conf = os.path.join(tmp, "vigil.yml")
    write_conf(conf, tmp, snap_a, ports)
    log = os.path.join(tmp, "serve.log")
    p = start_daemon(VIGIL, conf, open(log, "w"), ports["api"])
    state = {"n": 0, "stop": False, "marks": []}

    def sender():
        s = socket.create_connection(("127.0.0.1", ports["tcp"]))
        while not state["stop"]:
            lines = []
            for _ in range(50):
                n = state["n"]
                lines.append(sshd_line("u%d" % n, A if n % 2 == 0 else B))
                state["n"] += 1
            s.sendall(("\n".join(lines) + "\n").encode())
            time.sleep(0.002)
        s.close()

    t = threading.Thread(target=sender)
    t.start()
    time.sleep(1.0)
    write_conf(conf, tmp, snap_b, ports)
    p.send_signal(signal.SIGHUP)
    time.sleep(1.5)
    write_conf(conf, tmp, os.path.join(tmp, "missing.vgi"), ports)
    p.send_signal(signal.SIGHUP)
    time.sleep(1.0)
    state["stop"] = True
    t.join()
    sent = state["n"]
    m = wait_stored(ports["api"], sent, 60)
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=60) != 0:
        fail("vigil serve exited with %d" % p.returncode)
    if m.get('vigil_received_total{listener="tcp",type="tcp"}', 0) != sent or m.get("vigil_decoded_total") != sent:
        fail("sent %d records, received %s, decoded %s" % (sent, m.get('vigil_received_total{listener="tcp",type="tcp"}'),
                                                         m.get("vigil_decoded_total")))
    if m.get('vigil_reloads_total{result="ok"}') != 1 or m.get('vigil_reloads_total{result="failed"}') != 1:
        fail("reloads counted: %s" % {k: v for k, v in m.items() if "reload" in k})
    con = sqlite3.connect(os.path.join(tmp, "data/vigil.db"))
    seen = []
    for (j,) in con.execute("select json from alerts order by event_seq"):
        a = json.loads(j)
        seen.append((a["alert"]["record"], a["event"]["source"]["ip"]))
    con.close()
    # alerts name A, then B: one switch, at the reload, never back
    ips = [ip for _, ip in seen]
    switches = sum(1 for i in range(1, len(ips)) if ips[i] != ips[i - 1])
    if not ips or ips[0] != A or ips[-1] != B or switches != 1:
        fail("alerts do not switch once from %s to %s: %d switches, first %s, last %s"
             % (A, B, switches, ips[:1], ips[-1:]))
    with open(log) as f:
        text = f.read()
    for needle in ("reload: detection generation 2 in use", "reload failed, the previous rules and snapshot stay",
                   "detection generation 1 retired"):
        if needle not in text:
            fail("the log does not say: %s" % needle)
    print("%d records sent across two reloads (one failed): all received and decoded; %d alerts, %d for %s then %d "
          "for %s" % (sent, len(ips), ips.count(A), A, ips.count(B), B))
    if FAILS:
        print(text[-3000:])
        return 1
    subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
