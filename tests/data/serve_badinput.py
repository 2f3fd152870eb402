#!/usr/bin/env python3
"""serve-badinput: hostile and broken input against vigil serve on loopback.

Sends, over TCP (LF and octet-counted framing), UDP and HTTP: random binary garbage, lines and
frames over the record limit, invalid UTF-8, malformed octet counts, a frame cut short by a
disconnect, a connection closed mid-line, a slow client writing one byte at a time, clients
that connect and leave without a byte, an oversized datagram, HTTP bodies with oversized
lines and without a token. Between and after them, good marker lines are sent. Checks: the
daemon stays up and answers; every marker line is stored (each carries a listed address, so
it gives one alert); the bad input is counted in /metrics and reported in the log; the last
line of a connection closed mid-line is kept; and the daemon stops cleanly.

Usage: serve_badinput.py VIGIL
"""
import hashlib
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from serve_common import FAILS, fail, free_port, one_address_snapshot, sshd_line, start_daemon, wait_stored

VIGIL = sys.argv[1]
IP = "198.51.100.23"
TOKEN = "b" * 64
MARKERS = []


def marker(tag):
    MARKERS.append(tag)
    return sshd_line(tag, IP).encode()


def tcp(port, data, close_early=False):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(data)
    if close_early:
        s.shutdown(socket.SHUT_RDWR)
    s.close()


def http(url, body, token=TOKEN):
    req = urllib.request.Request(url, data=body, method="POST")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-serve-bad-")
    snap = one_address_snapshot(VIGIL, tmp, IP)
    ports = {k: free_port(socket.SOCK_DGRAM if k == "udp" else socket.SOCK_STREAM)
             for k in ("lf", "octet", "udp", "http", "api")}
    conf = os.path.join(tmp, "vigil.yml")
    with open(conf, "w") as f:
        f.write(f"""data_dir: {tmp}/data
spool: {{sync: never}}
detection: {{workers: 2, intel: {snap}}}
api: {{listen: "127.0.0.1:{ports['api']}"}}
listeners:
  - {{name: lf, type: tcp, listen: "127.0.0.1:{ports['lf']}", framing: lf, max_record: 1024, idle_timeout: 2}}
  - {{name: octet, type: tcp, listen: "127.0.0.1:{ports['octet']}", framing: octet, max_record: 1024}}
  - {{name: udp, type: udp, listen: "127.0.0.1:{ports['udp']}", max_record: 1024}}
  - name: http
    type: http
    listen: "127.0.0.1:{ports['http']}"
    max_record: 1024
    tokens: [{{name: t, token_sha256: {hashlib.sha256(TOKEN.encode()).hexdigest()}}}]
""")
    logpath = os.path.join(tmp, "serve.log")
    p = start_daemon(VIGIL, conf, open(logpath, "w"), ports["api"])
    rnd = random.Random(5)
    garbage = bytes(rnd.getrandbits(8) for _ in range(20000))
    # TCP, LF framing
    tcp(ports["lf"], garbage + b"\n" + marker("m1") + b"\n")
    tcp(ports["lf"], b"A" * 5000 + b"\n" + marker("m2") + b"\n")                  # oversized line
    tcp(ports["lf"], b"\xff\xfe invalid \xc3\x28 utf-8\n" + marker("m3") + b"\n")  # invalid UTF-8
    tcp(ports["lf"], marker("m4") + b"\n" + marker("m5"), close_early=True)        # closed mid-line: m5 kept
    for _ in range(20):
        socket.create_connection(("127.0.0.1", ports["lf"])).close()               # connect, leave
    slow = socket.create_connection(("127.0.0.1", ports["lf"]))
    for b in marker("m6") + b"\n":
        slow.send(bytes([b]))
        time.sleep(0.005)
    silent = socket.create_connection(("127.0.0.1", ports["lf"]))                  # idle: closed by the daemon
    # TCP, octet counting
    m7 = marker("m7")
    tcp(ports["octet"], b"abc 12 junk\n" + b"%d " % len(m7) + m7)                  # malformed count, then a frame
    tcp(ports["octet"], b"5000 " + b"B" * 5000 + b"%d " % len(m7) + marker("m8"))  # oversized frame skipped
    tcp(ports["octet"], b"500 <13>cut short", close_early=True)                     # truncated frame
    # UDP
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"C" * 3000, ("127.0.0.1", ports["udp"]))                              # oversized datagram
    u.sendto(garbage[:500], ("127.0.0.1", ports["udp"]))
    u.sendto(marker("m9"), ("127.0.0.1", ports["udp"]))
    u.close()
    # HTTP
    url = "http://127.0.0.1:%d/ingest" % ports["http"]
    st, body = http(url, b"D" * 2000 + b"\n" + json.dumps({"source": {"ip": IP}, "user": {"name": "m10"}}).encode() + b"\n")
    MARKERS.append("m10")
    if st != 200 or json.loads(body)["refused"] != 1:
        fail("HTTP with an oversized line: %d %s" % (st, body))
    st, _ = http(url, b"{}\n", token=None)
    if st != 401:
        fail("HTTP without a token: %d" % st)
    st, _ = http(url, garbage)
    if st != 200:
        fail("HTTP garbage body: %d (records are decoded later, refusals counted)" % st)
    time.sleep(3)   # the idle connection times out
    slow.close()
    silent.close()
    # still serving
    tcp(ports["lf"], marker("m11") + b"\n")
    m = wait_stored(ports["api"], 1, 60)
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=60) != 0:
        fail("vigil serve exited with %d" % p.returncode)
    log = open(logpath).read()
    con = sqlite3.connect(os.path.join(tmp, "data/vigil.db"))
    names = set()
    for (j,) in con.execute("select json from alerts"):
        ev = json.loads(j)["event"]
        names.add(ev.get("user", {}).get("name"))
    con.close()
    missing = [t for t in MARKERS if t not in names]
    if missing:
        fail("marker lines not stored: %s" % missing)
    bad = {k: v for k, v in m.items() if k.startswith("vigil_bad_input_total")}
    for lst in ("lf", "octet", "udp", "http"):
        key = 'vigil_bad_input_total{listener="%s",type="%s"}' % (lst, "udp" if lst == "udp" else
                                                                      "http" if lst == "http" else "tcp")
        if bad.get(key, 0) < 1:
            fail("no bad input counted on %s: %s" % (lst, bad))
    for needle in ("line longer than 1024 bytes", "malformed octet count", "over the limit",
                   "stream ended inside an octet-counted record", "idle for 2 s"):
        if needle not in log:
            fail("the log does not report: %s" % needle)
    print("%d marker records stored through garbage, oversized lines and frames, invalid UTF-8, malformed and "
          "truncated frames, slow, silent and vanishing clients; bad input counted: %s"
          % (len(MARKERS) - len(missing), ", ".join("%s %d" % (k.split('"')[1], v) for k, v in sorted(bad.items()))))
    if FAILS:
        print(log[-3000:])
        return 1
    subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
