#!/usr/bin/env python3
"""serve-backpressure: a backlog limit of 200 records, one detection worker taking batches of
one record, and a flood over HTTP, TCP and UDP at once.

Checks: HTTP answers 503 with Retry-After while the backlog is full (a listener with
backlog_wait_ms: 0), and every batch answered 200 is stored (the client resends refused batches
after the pause, so in the end all are); a second HTTP listener, with backlog_wait_ms: 300,
answers no 503 before a request has waited 300 ms, and has all its batches stored too;
the TCP sender is slowed down (the daemon stops reading) but every line it wrote is stored;
UDP datagrams that found the backlog full are dropped and counted, and the counts add up
(received + dropped = sent); the backlog never goes much beyond its limit (what one read or
request brings past it); the daemon stops cleanly.

Usage: serve_backpressure.py VIGIL
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
import urllib.error
import urllib.request
import hashlib

from serve_common import FAILS, fail, free_port, metrics, one_address_snapshot, sshd_line, start_daemon, wait_stored

VIGIL = sys.argv[1]
IP = "203.0.113.9"
TOKEN = "e" * 64
LIMIT = 200


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-serve-bp-")
    snap = one_address_snapshot(VIGIL, tmp, IP)
    ports = {"tcp": free_port(), "udp": free_port(socket.SOCK_DGRAM), "http": free_port(), "wait": free_port(),
             "api": free_port()}
    conf = os.path.join(tmp, "vigil.yml")
    with open(conf, "w") as f:
        f.write(f"""data_dir: {tmp}/data
spool: {{sync: never, max_backlog: {LIMIT}}}
detection: {{workers: 1, batch: 1, intel: {snap}}}
api: {{listen: "127.0.0.1:{ports['api']}"}}
listeners:
  - {{name: tcp, type: tcp, listen: "127.0.0.1:{ports['tcp']}"}}
  - {{name: udp, type: udp, listen: "127.0.0.1:{ports['udp']}"}}
  - name: http
    type: http
    listen: "127.0.0.1:{ports['http']}"
    backlog_wait_ms: 0
    tokens: [{{name: t, token_sha256: {hashlib.sha256(TOKEN.encode()).hexdigest()}}}]
  - name: wait
    type: http
    listen: "127.0.0.1:{ports['wait']}"
    backlog_wait_ms: 300
    tokens: [{{name: w, token_sha256: {hashlib.sha256(TOKEN.encode()).hexdigest()}}}]
""")
    log = os.path.join(tmp, "serve.log")
    p = start_daemon(VIGIL, conf, open(log, "w"), ports["api"])
    state = {"http_ok": 0, "http_503": 0, "retry_after": True, "tcp": 0, "udp": 0, "max_depth": 0, "stop": False,
             "wait_ok": 0, "wait_503": 0, "wait_early": 0, "wait_slow": 0}

    def post_batches(port, prefix, key):
        url = "http://127.0.0.1:%d/ingest" % port
        for b in range(40):
            body = "".join(json.dumps({"source": {"ip": IP}, "user": {"name": "%s%d" % (prefix, b * 50 + i)}}) + "\n"
                           for i in range(50)).encode()
            while True:
                req = urllib.request.Request(url, data=body, method="POST")
                req.add_header("Authorization", "Bearer " + TOKEN)
                t0 = time.monotonic()
                try:
                    with urllib.request.urlopen(req, timeout=30):
                        state[key + "_ok"] += 1
                        if time.monotonic() - t0 >= 0.05:
                            state[key + "_slow"] = state.get(key + "_slow", 0) + 1
                        break
                except urllib.error.HTTPError as e:
                    if e.code != 503:
                        fail("HTTP (%s) answered %d" % (key, e.code))
                        return
                    state[key + "_503"] += 1
                    if key == "wait" and time.monotonic() - t0 < 0.29:
                        state["wait_early"] += 1
                    state["retry_after"] &= e.headers.get("Retry-After") == "1"
                    time.sleep(0.05)

    def http_sender():
        post_batches(ports["http"], "h", "http")

    def wait_sender():
        post_batches(ports["wait"], "w", "wait")

    def tcp_sender():
        with socket.create_connection(("127.0.0.1", ports["tcp"])) as s:
            for b in range(20):
                s.sendall("".join(sshd_line("t%d" % (b * 100 + i), IP) + "\n" for i in range(100)).encode())
                state["tcp"] += 100

    def udp_sender():
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for i in range(3000):
            u.sendto(sshd_line("u%d" % i, IP).encode(), ("127.0.0.1", ports["udp"]))
            state["udp"] += 1
            if i % 200 == 199:
                time.sleep(0.01)   # the kernel's own buffer must not be what drops them
        u.close()

    def watcher():
        while not state["stop"]:
            state["max_depth"] = max(state["max_depth"], metrics(ports["api"]).get("vigil_queue_depth", 0))
            time.sleep(0.02)

    senders = [threading.Thread(target=t) for t in (http_sender, wait_sender, tcp_sender, udp_sender)]
    w = threading.Thread(target=watcher)
    w.start()
    for t in senders:
        t.start()
    for t in senders:
        t.join()
    m = wait_stored(ports["api"], 0, 300)
    state["stop"] = True
    w.join()
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=120) != 0:
        fail("vigil serve exited with %d" % p.returncode)
    con = sqlite3.connect(os.path.join(tmp, "data/vigil.db"))
    names = [json.loads(j)["event"]["user"]["name"] for (j,) in con.execute("select json from alerts")]
    con.close()
    got = {"h": 0, "w": 0, "t": 0, "u": 0}
    for n in names:
        got[n[0]] += 1
    udp_recv = m.get('vigil_received_total{listener="udp",type="udp"}', 0)
    udp_drop = m.get('vigil_dropped_total{listener="udp",type="udp"}', 0)
    if state["http_503"] == 0 or not state["retry_after"]:
        fail("HTTP was never told to wait (503 with Retry-After: 1): %d 503s" % state["http_503"])
    if got["h"] != 2000 or state["http_ok"] != 40:
        fail("HTTP: %d batches accepted, %d events stored of 2000" % (state["http_ok"], got["h"]))
    if got["w"] != 2000 or state["wait_ok"] != 40:
        fail("HTTP with a wait: %d batches accepted, %d events stored of 2000" % (state["wait_ok"], got["w"]))
    if state["wait_early"]:
        fail("HTTP with a wait of 300 ms: %d answers 503 came sooner" % state["wait_early"])
    if got["t"] != state["tcp"]:
        fail("TCP: %d lines stored of %d written" % (got["t"], state["tcp"]))
    if udp_recv + udp_drop != state["udp"] or got["u"] != udp_recv or udp_drop == 0:
        fail("UDP: sent %d, received %d, dropped %d, stored %d" % (state["udp"], udp_recv, udp_drop, got["u"]))
    if len(names) != len(set(names)):
        fail("an event stored twice")
    # past the limit by at most what the requests and reads in flight bring (a batch of 50, a
    # TCP read of up to 256 KiB: ~2,600 lines, a UDP recvmmsg of 64)
    if state["max_depth"] > LIMIT + 3000:
        fail("the backlog reached %d with a limit of %d" % (state["max_depth"], LIMIT))
    print("backlog limit %d (deepest seen %d): HTTP %d answers 503 + Retry-After then all 2000 events stored; "
          "HTTP waiting up to 300 ms: %d answers 503 (none early), %d answered after 50 ms or more, all 2000 stored; "
          "TCP %d lines, all stored; UDP %d sent = %d received + %d dropped (counted)"
          % (LIMIT, state["max_depth"], state["http_503"], state["wait_503"], state["wait_slow"], state["tcp"],
             state["udp"], udp_recv, udp_drop))
    if FAILS:
        print(open(log).read()[-3000:])
        return 1
    subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
