#!/usr/bin/env python3
"""serve-files: vigil serve following log files through rotation, truncation and crashes.

Two files are followed (no network listener). A writer appends numbered sshd lines (each with
a listed address, so each processed line gives one alert) to a.log, rotated by rename three
times (once with lines still written to the old file after the rename before the new file
appears, once while the daemon is down), and to b.log, truncated in place (copytruncate) once
the daemon has read it. The daemon is killed (SIGKILL) twice, once while lines are being
written, restarted each time, and stopped cleanly at the end. Checks: every line written is
stored exactly once, and the rotations and the truncation are reported.

Usage: serve_files.py VIGIL
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

from serve_common import FAILS, fail, free_port, metrics, one_address_snapshot, sshd_line, start_daemon

VIGIL = sys.argv[1]
IP = "203.0.113.55"
class Writer:
    def __init__(self, tmp):
        self.tmp = tmp
        self.n = 0
        self.written = []

    def put(self, name, count):
        with open(os.path.join(self.tmp, name), "a") as f:
            for _ in range(count):
                f.write(sshd_line("f%d" % self.n, IP) + "\n")
                self.written.append(self.n)
                self.n += 1


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-serve-files-")
    one_address_snapshot(VIGIL, tmp, IP)
    api = free_port()
    conf = tmp + "/vigil.yml"
    with open(conf, "w") as f:
        f.write(f"""data_dir: {tmp}/data
spool: {{sync: never}}
detection: {{workers: 2, intel: {tmp}/one.vgi}}
api: {{listen: "127.0.0.1:{api}"}}
listeners: []
files:
  - {{path: a.log, format: syslog}}
  - {{path: b.log}}
""")
    log = open(tmp + "/serve.log", "w")
    w = Writer(tmp)
    w.put("a.log", 500)     # before the daemon starts

    def start():
        return start_daemon(VIGIL, conf, log, api)

    def caught_up(timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = metrics(api)
            if m.get("vigil_decoded_total", 0) >= 0 and \
               sum(v for k, v in m.items() if k.startswith("vigil_received_total{")) > 0 and \
               m.get("vigil_queue_depth", 1) == 0:
                time.sleep(0.5)   # a poll period: the reader has seen the last lines
                if metrics(api).get("vigil_queue_depth", 1) == 0:
                    return
            time.sleep(0.1)

    p = start()
    w.put("b.log", 300)
    for i in range(30):
        w.put("a.log", 50)
        w.put("b.log", 20)
        time.sleep(0.01)
    # rotation by rename: lines still go to the old file, then the new one appears
    os.rename(tmp + "/a.log", tmp + "/a.log.1")
    w.put("a.log.1", 100)
    time.sleep(0.3)
    w.put("a.log", 200)
    for i in range(10):
        w.put("a.log", 30)
        time.sleep(0.005)
    p.send_signal(signal.SIGKILL)         # a crash while lines keep coming
    p.wait()
    w.put("a.log", 300)
    w.put("b.log", 300)
    p = start()
    caught_up()
    # copytruncate of b.log once the daemon has read it all
    with open(tmp + "/b.log", "r+") as f:
        f.truncate(0)
    w.put("b.log", 150)
    for i in range(20):
        w.put("a.log", 40)
        time.sleep(0.01)
    caught_up()             # nothing unread is left in a.log: its rotation while down loses nothing
    p.send_signal(signal.SIGKILL)
    p.wait()
    os.rename(tmp + "/a.log", tmp + "/a.log.2")   # rotated while the daemon is down
    w.put("a.log", 120)
    p = start()
    w.put("a.log", 80)
    caught_up()
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=60) != 0:
        fail("vigil serve exited with %d" % p.returncode)
    log.close()
    con = sqlite3.connect(tmp + "/data/vigil.db")
    count = {}
    for (j,) in con.execute("select json from alerts"):
        n = int(json.loads(j)["event"]["user"]["name"][1:])
        count[n] = count.get(n, 0) + 1
    con.close()
    twice = [n for n, c in count.items() if c > 1]
    missing = [n for n in w.written if n not in count]
    text = open(tmp + "/serve.log").read()
    if twice:
        fail("%d lines stored twice (e.g. %s)" % (len(twice), twice[:5]))
    if missing:
        fail("%d lines missing (e.g. %s); the log says: %s" % (len(missing), missing[:10],
             [l for l in text.splitlines() if "file" in l][-6:]))
    if "rotated" not in text or "truncated" not in text:
        fail("the rotation and the truncation are not reported")
    print("%d lines written across 3 rotations (one while the daemon was down), a truncation and 2 kills "
          "(one while lines were written): each stored exactly once" % len(w.written))
    if FAILS:
        print(text[-3000:])
        return 1
    subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
