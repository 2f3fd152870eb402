#!/usr/bin/env python3
"""serve-crash: kill -9 vigil serve under load, several times, and check that nothing
acknowledged is lost and nothing is stored twice.

Every event sent carries a unique number and the address of a one-entry indicator list, so
each event that is processed gives exactly one alert. Two senders run while the daemon is
killed (SIGKILL) at random moments and restarted: an HTTP sender posts NDJSON batches and
remembers the events of every batch answered 200; a TCP sender writes sshd lines on a
connection, reconnecting after each crash. At the end (after a clean stop):

  - every event of an acknowledged HTTP batch has exactly one alert;
  - no event has more than one alert (HTTP or TCP);
  - on each TCP connection, the events stored are exactly the first N the connection sent:
    nothing read from a connection is lost, only the tail still in the kernel's buffers
    when the daemon died is not there.

Usage: serve_crash.py VIGIL [KILLS]
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
import threading
import time
import urllib.error
import urllib.request

from serve_common import FAILS, fail, free_port, one_address_snapshot, sshd_line, start_daemon

VIGIL = sys.argv[1]
KILLS = int(sys.argv[2]) if len(sys.argv) > 2 else 4
IP = "203.0.113.77"
TOKEN = "c" * 64


class Load:
    def __init__(self, ports):
        self.ports = ports
        self.stop = False
        self.acked = set()          # HTTP event numbers answered 200
        self.sent_http = 0
        self.tcp_sent = []          # per connection: the numbers written, in order
        self.next_id = 0
        self.lock = threading.Lock()

    def ids(self, n):
        with self.lock:
            first = self.next_id
            self.next_id += n
        return range(first, first + n)

    def http_loop(self):
        url = "http://127.0.0.1:%d/ingest" % self.ports["http"]
        while not self.stop:
            batch = self.ids(100)
            body = "".join(json.dumps({"source": {"ip": IP}, "test": {"n": i}}) + "\n" for i in batch).encode()
            req = urllib.request.Request(url, data=body, method="POST")
            req.add_header("Authorization", "Bearer " + TOKEN)
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    if r.status == 200 and json.loads(r.read())["accepted"] == len(batch):
                        with self.lock:
                            self.acked.update(batch)
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.05)    # the daemon is down: these events are not acknowledged
            self.sent_http += 1

    def tcp_loop(self):
        while not self.stop:
            try:
                s = socket.create_connection(("127.0.0.1", self.ports["tcp"]), timeout=2)
            except OSError:
                time.sleep(0.05)
                continue
            sent = []
            self.tcp_sent.append(sent)
            try:
                while not self.stop:
                    batch = self.ids(20)
                    data = "".join(sshd_line("u%d" % i, IP) + "\n" for i in batch).encode()
                    s.sendall(data)
                    sent.extend(batch)
                    time.sleep(0.002)
            except OSError:
                pass
            s.close()


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-serve-crash-")
    snap = one_address_snapshot(VIGIL, tmp, IP)
    ports = {"tcp": free_port(socket.SOCK_STREAM), "http": free_port(socket.SOCK_STREAM),
             "api": free_port(socket.SOCK_STREAM)}
    conf = os.path.join(tmp, "vigil.yml")
    with open(conf, "w") as f:
        f.write(f"""data_dir: {tmp}/data
spool: {{sync: always, segment_mb: 1}}
detection: {{workers: 2, intel: {snap}}}
api: {{listen: "127.0.0.1:{ports['api']}"}}
listeners:
  - {{name: tcp, type: tcp, listen: "127.0.0.1:{ports['tcp']}"}}
  - name: http
    type: http
    listen: "127.0.0.1:{ports['http']}"
    tokens: [{{name: load, token_sha256: {hashlib.sha256(TOKEN.encode()).hexdigest()}}}]
""")
    log = open(os.path.join(tmp, "serve.log"), "a")

    def start():
        return start_daemon(VIGIL, conf, log, ports["api"])

    load = Load(ports)
    p = start()
    threads = [threading.Thread(target=load.http_loop), threading.Thread(target=load.tcp_loop)]
    for t in threads:
        t.start()
    rnd = random.Random(11)
    for k in range(KILLS):
        time.sleep(rnd.uniform(0.5, 2.0))
        p.send_signal(signal.SIGKILL)
        p.wait()
        time.sleep(rnd.uniform(0.0, 0.3))
        p = start()
    time.sleep(1.0)
    load.stop = True
    for t in threads:
        t.join()
    # a clean stop drains what was received
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=120) != 0:
        fail("the last clean stop exited with %d" % p.returncode)
    # a spool that lost its records (a power loss with sync: never): the store is ahead of it;
    # new records must still be processed, not taken for ones already done
    spool = os.path.join(tmp, "data/spool")
    for name in os.listdir(spool):
        if name.startswith("seg-"):
            os.unlink(os.path.join(spool, name))
    p = start()
    after = load.ids(10)
    body = "".join(json.dumps({"source": {"ip": IP}, "test": {"n": i}}) + "\n" for i in after).encode()
    req = urllib.request.Request("http://127.0.0.1:%d/ingest" % ports["http"], data=body, method="POST")
    req.add_header("Authorization", "Bearer " + TOKEN)
    with urllib.request.urlopen(req, timeout=10) as r:
        if r.status == 200:
            load.acked.update(after)
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=120) != 0:
        fail("the stop after the spool loss exited with %d" % p.returncode)
    log.close()
    if "numbering goes on from" not in open(os.path.join(tmp, "serve.log")).read():
        fail("the spool loss is not reported")
    con = sqlite3.connect(os.path.join(tmp, "data/vigil.db"))
    rows = [json.loads(r[0]) for r in con.execute("select json from alerts")]
    con.close()
    count = {}
    for a in rows:
        ev = a["event"]
        if a["alert"]["input"] == "http":
            n = ev["test"]["n"]
        else:
            n = int(ev["user"]["name"][1:])
        count[n] = count.get(n, 0) + 1
    twice = [n for n, c in count.items() if c > 1]
    lost = [n for n in load.acked if n not in count]
    if twice:
        fail("%d events stored more than once (e.g. %s)" % (len(twice), twice[:5]))
    if lost:
        fail("%d acknowledged HTTP events not stored (e.g. %s)" % (len(lost), sorted(lost)[:5]))
    tcp_stored = tcp_tail = 0
    for i, sent in enumerate(load.tcp_sent):
        stored = [n in count for n in sent]
        k = stored.count(True)
        if stored[:k] != [True] * k:
            fail("TCP connection %d: stored events are not a prefix of those sent (a gap)" % i)
        tcp_stored += k
        tcp_tail += len(sent) - k
    print("%d kills and a lost spool; HTTP: %d events acknowledged, all stored once; TCP: %d connections, %d events stored, "
          "%d unread at a crash (tails); %d alerts, none twice"
          % (KILLS, len(load.acked), len(load.tcp_sent), tcp_stored, tcp_tail, len(rows)))
    if not load.acked or not tcp_stored:
        fail("the load did not get through (acked %d, tcp %d)" % (len(load.acked), tcp_stored))
    if FAILS:
        print(open(os.path.join(tmp, "serve.log")).read()[-3000:])
        return 1
    subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
