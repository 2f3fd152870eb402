#!/usr/bin/env python3
"""serve-relp: RELP (rsyslog's reliable protocol) into vigil serve.

A client opens a session, sends 2,000 syslog frames in pipelined windows, and reads an answer
for each: "200 OK" for every frame, only once the daemon has it in the spool; it closes the
session ("rsp 0"). A second client sends a malformed frame: the daemon answers
"serverclose", closes, and counts it. A third client speaks RELP over TLS, with a client
certificate whose name is unit-a's, to a listener that requires one: 500 frames, each answered
once spooled. Checks: every acknowledged line is stored once (those over TLS with unit-a), the
answers carry the frames' numbers, the bad frame is counted and the daemon goes on; a client
without a certificate is refused in the handshake.

Usage: serve_relp.py VIGIL
"""
import json
import os
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time

from serve_common import (FAILS, fail, free_port, make_certs, one_address_snapshot, sshd_line, start_daemon,
                          wait_stored)

VIGIL = sys.argv[1]
IP = "203.0.113.61"


def read_frames(s, buf, want):
    """Reads RELP frames until want of them came; returns (frames, rest)."""
    frames = []
    while len(frames) < want:
        while True:
            parts = buf.split(b" ", 3)
            if len(parts) >= 3 and parts[2].split(b"\n")[0].isdigit():
                txnr, cmd = int(parts[0]), parts[1].decode()
                rest = b" ".join(parts[2:])
                ln, _, after = rest.partition(b" ") if b" " in rest.split(b"\n")[0] else (rest.split(b"\n")[0], b"", b"")
                n = int(ln)
                if n == 0:
                    nl = rest.index(b"\n")
                    frames.append((txnr, cmd, b""))
                    buf = rest[nl + 1:]
                    continue
                if len(after) >= n + 1:
                    frames.append((txnr, cmd, after[:n]))
                    buf = after[n + 1:]
                    continue
            break
        if len(frames) >= want:
            break
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return frames, buf


def session(s, first, windows, per_window):
    """A RELP session on socket s: open, windows of per_window syslog frames of users
    "r<first + i>", close. Returns the numbers acknowledged with 200 OK."""
    offer = b"relp_version=0\nrelp_software=test\ncommands=syslog"
    s.sendall(b"1 open %d %s\n" % (len(offer), offer))
    frames, buf = read_frames(s, b"", 1)
    if not frames or frames[0][0] != 1 or not frames[0][2].startswith(b"200 OK"):
        fail("open: %s" % frames)
    acked, txnr = set(), 2
    for window in range(windows):
        data = b""
        sent = {}
        for i in range(per_window):
            k = first + window * per_window + i
            msg = ("<13>" + sshd_line("r%d" % k, IP)).encode()
            data += b"%d syslog %d %s\n" % (txnr, len(msg), msg)
            sent[txnr] = k
            txnr += 1
        s.sendall(data)
        frames, buf = read_frames(s, buf, per_window)
        for t, cmd, body in frames:
            if cmd != "rsp" or body != b"200 OK" or t not in sent:
                fail("answer %s %s %s" % (t, cmd, body))
                break
            acked.add(sent[t])
    s.sendall(b"%d close 0\n" % txnr)
    frames, buf = read_frames(s, buf, 1)
    if not frames or frames[0][:2] != (txnr, "rsp"):
        fail("close: %s" % frames)
    return acked


def tls_context(d, cert):
    ctx = ssl.create_default_context(cafile=d + "/ca.pem")
    ctx.check_hostname = False
    if cert:
        ctx.load_cert_chain(d + "/client.pem", d + "/client.key")
    return ctx


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-serve-relp-")
    snap = one_address_snapshot(VIGIL, tmp, IP)
    make_certs(tmp)
    relp, relps, api = free_port(), free_port(), free_port()
    conf = os.path.join(tmp, "vigil.yml")
    with open(conf, "w") as f:
        f.write(f"""data_dir: {tmp}/data
spool: {{sync: always}}
detection: {{workers: 2, intel: {snap}}}
api: {{listen: "127.0.0.1:{api}"}}
units:
  - {{name: hq}}
  - {{name: unit-a, certificates: [unit-a-host]}}
listeners:
  - {{name: relp, type: relp, listen: "127.0.0.1:{relp}"}}
  - {{name: relps, type: relp, listen: "127.0.0.1:{relps}", cert: server.pem, key: server.key, client_ca: ca.pem}}
""")
    log = os.path.join(tmp, "serve.log")
    p = start_daemon(VIGIL, conf, open(log, "w"), api)
    s = socket.create_connection(("127.0.0.1", relp))
    acked = session(s, 0, 20, 100)
    s.close()
    with socket.create_connection(("127.0.0.1", relps)) as raw:
        with tls_context(tmp, True).wrap_socket(raw) as s:
            acked_tls = session(s, 100000, 5, 100)
    refused = 0
    try:
        with socket.create_connection(("127.0.0.1", relps)) as raw:
            with tls_context(tmp, False).wrap_socket(raw) as s:
                s.sendall(b"1 open 0\n")
                if not s.recv(100):
                    refused = 1
    except (ssl.SSLError, OSError):
        refused = 1
    if not refused:
        fail("a RELP client without a certificate was answered by the listener that requires one")
    time.sleep(0.2)
    bad = socket.create_connection(("127.0.0.1", relp))
    bad.sendall(b"1 open 0\n7 sys!og 3 abc\n")
    frames, _ = read_frames(bad, b"", 2)
    if not any(cmd == "serverclose" for _, cmd, _ in frames):
        fail("a malformed frame was not answered with serverclose: %s" % frames)
    bad.close()
    m = wait_stored(api, len(acked) + len(acked_tls), 60)
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=60) != 0:
        fail("vigil serve exited with %d" % p.returncode)
    con = sqlite3.connect(os.path.join(tmp, "data/vigil.db"))
    alerts = [json.loads(j) for (j,) in con.execute("select json from alerts")]
    con.close()
    got = sorted(int(a["event"]["user"]["name"][1:]) for a in alerts)
    if got != sorted(acked | acked_tls) or len(acked) != 2000 or len(acked_tls) != 500:
        fail("%d + %d acknowledged, %d stored" % (len(acked), len(acked_tls), len(got)))
    units = {a["event"]["user"]["name"]: a["alert"].get("unit") for a in alerts}
    tls_units = {units["r%d" % k] for k in acked_tls}
    if tls_units != {"unit-a"}:
        fail("RELP over TLS: the client certificate's unit was not taken: %s" % tls_units)
    if m.get('vigil_bad_input_total{listener="relp",type="relp"}', 0) != 1:
        fail("the malformed frame is not counted")
    print("RELP: 2,000 syslog frames in 20 windows of 100, each answered 200 OK once spooled and stored once; "
          "close answered; a malformed frame answered serverclose and counted; over TLS with a client "
          "certificate: 500 frames answered and stored once, with the certificate's unit; a client "
          "without a certificate refused")
    if FAILS:
        print(open(log).read()[-3000:])
        return 1
    subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
