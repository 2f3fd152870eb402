#!/usr/bin/env python3
"""serve-damage: a spool segment damaged while the daemon is down.

The daemon receives 3,000 numbered lines with one slow worker and is killed (SIGKILL) while
most are still unprocessed; bytes in the middle of the spool segment are then overwritten.
After a restart: the damage is reported (segment, offset, reason) and counted, the intact
records before and after it are processed, and nothing else is lost: the lines stored plus
the records counted as damaged account for every line sent, none twice.

Usage: serve_damage.py VIGIL
"""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

from serve_common import FAILS, fail, free_port, metrics, one_address_snapshot, sshd_line, start_daemon, wait_stored

VIGIL = sys.argv[1]
IP = "203.0.113.41"
N = 3000


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-serve-damage-")
    snap = one_address_snapshot(VIGIL, tmp, IP)
    tcp, api = free_port(), free_port()
    conf = os.path.join(tmp, "vigil.yml")
    with open(conf, "w") as f:
        f.write(f"""data_dir: {tmp}/data
spool: {{sync: never}}
detection: {{workers: 1, batch: 1, intel: {snap}}}
api: {{listen: "127.0.0.1:{api}"}}
listeners: [{{name: tcp, type: tcp, listen: "127.0.0.1:{tcp}"}}]
""")
    log = open(os.path.join(tmp, "serve.log"), "w")
    p = start_daemon(VIGIL, conf, log, api)
    with socket.create_connection(("127.0.0.1", tcp)) as s:
        s.sendall("".join(sshd_line("d%d" % i, IP) + "\n" for i in range(N)).encode())
    for _ in range(200):      # every line in the spool, most not processed yet
        m = metrics(api)
        if m.get('vigil_received_total{listener="tcp",type="tcp"}', 0) >= N:
            break
        time.sleep(0.05)
    stored_before = m.get("vigil_stored_seq", 0)
    p.send_signal(signal.SIGKILL)
    p.wait()
    spool = os.path.join(tmp, "data/spool")
    seg = sorted(n for n in os.listdir(spool) if n.startswith("seg-"))[-1]
    path = os.path.join(spool, seg)
    size = os.path.getsize(path)
    with open(path, "r+b") as f:     # 40 bytes of garbage three quarters into the segment
        f.seek(size * 3 // 4)
        f.write(b"\xde\xad\xbe\xef" * 10)
    p = start_daemon(VIGIL, conf, log, api)
    m = wait_stored(api, 0, 300)
    damaged = m.get("vigil_spool_damaged_records_total", 0)
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=120) != 0:
        fail("vigil serve exited with %d" % p.returncode)
    log.close()
    text = open(os.path.join(tmp, "serve.log")).read()
    con = sqlite3.connect(os.path.join(tmp, "data/vigil.db"))
    names = [json.loads(j)["event"]["user"]["name"] for (j,) in con.execute("select json from alerts")]
    con.close()
    got = sorted(int(n[1:]) for n in names)
    if len(got) != len(set(got)):
        fail("a line stored twice")
    if stored_before >= N * 3 // 4:
        fail("the kill came too late: %d of %d already processed, the damage hit processed records" %
             (stored_before, N))
    if damaged < 1 or "spool:" not in text or seg not in text:
        fail("the damage is not reported and counted (%d damaged)" % damaged)
    if len(got) + damaged != N:
        fail("%d stored + %d damaged != %d sent" % (len(got), damaged, N))
    missing = sorted(set(range(N)) - set(got))
    if missing and (missing[-1] - missing[0] + 1 != len(missing)):
        fail("the records lost are not one run around the damage: %s" % missing[:10])
    if got and got[-1] != N - 1:
        fail("the records after the damage were not processed (last stored %d)" % got[-1])
    print("%d lines spooled, killed with %d processed, 40 bytes overwritten in %s: damage reported and %d records "
          "counted as damaged (lines %s), the other %d stored, none twice"
          % (N, stored_before, seg, damaged, "%d-%d" % (missing[0], missing[-1]) if missing else "none", len(got)))
    if FAILS:
        print(text[-3000:])
        return 1
    subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
