#!/usr/bin/env python3
"""serve-e2e: vigil serve end to end on loopback, against vigil scan as the reference.

Starts the daemon with the whole SigmaHQ corpus and an indicator snapshot of the IPsum list,
sends real logs over each transport (the loghub OpenSSH log plus sshd lines from IPsum
addresses over TCP with LF framing, the loghub Linux log over TCP with octet counting, the
same Linux log as UDP datagrams, the Sigma regression events as NDJSON over HTTP with a
token), stops it with SIGTERM, and compares the alerts in its store with what vigil scan finds
in the same records: the same alerts, each exactly once (key: kind, rule or indicator, the
event without its time, which depends on the year a syslog line is given). Then restarts the
daemon on the same data: nothing is processed twice. Also checks HTTP refusals (no token,
wrong path) and the counters of /metrics.

Usage: serve_e2e.py VIGIL SHARED   (needs python3 and the sqlite3 module)
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

from serve_common import free_port

VIGIL, SHARED = sys.argv[1], sys.argv[2]
SIGMA = os.path.join(SHARED, "data/sigma")
RULES = [os.path.join(SIGMA, d) for d in ("rules", "rules-emerging-threats", "rules-threat-hunting")]
FAILS = []


def fail(msg):
    FAILS.append(msg)
    print("FAIL:", msg)


def make_inputs(tmp):
    """The three inputs: TCP lines, Linux lines, NDJSON events."""
    logs = os.path.join(SHARED, "data/logs/loghub")
    with open(os.path.join(logs, "OpenSSH_OpenSSH_2k.log"), encoding="utf-8", errors="replace") as f:
        ssh = [l.rstrip("\r\n") for l in f if l.strip()]
    ips = []
    with open(os.path.join(SHARED, "data/intel/ipsum/ipsum.txt")) as f:
        for l in f:
            if l[0].isdigit():
                ips.append(l.split()[0])
    rnd = random.Random(7)
    for i, ip in enumerate(rnd.sample(ips, 300)):
        ssh.append("Nov 20 10:%02d:%02d gw01 sshd[%d]: Failed password for root from %s port %d ssh2"
                   % (i // 60 % 60, i % 60, 4000 + i, ip, 40000 + i))
    with open(os.path.join(logs, "Linux_Linux_2k.log"), encoding="utf-8", errors="replace") as f:
        linux = [l.rstrip("\r\n") for l in f if l.strip()]
    for i, ip in enumerate(rnd.sample(ips, 100)):
        linux.append("Nov 20 11:%02d:%02d combo sshd(pam_unix)[%d]: authentication failure; logname= uid=0 "
                     "euid=0 tty=NODEVssh ruser= rhost=%s  user=root" % (i // 60, i % 60, 9000 + i, ip))
    events = []
    for root, _, files in os.walk(os.path.join(SIGMA, "regression")):
        for name in sorted(files):
            if name.endswith(".json"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    text = f.read()
                dec = json.JSONDecoder()
                pos = 0
                while pos < len(text):
                    while pos < len(text) and text[pos].isspace():
                        pos += 1
                    if pos >= len(text):
                        break
                    obj, pos = dec.raw_decode(text, pos)
                    for o in (obj if isinstance(obj, list) else [obj]):
                        events.append(json.dumps(o, separators=(",", ":"), ensure_ascii=False))
    files = {}
    for key, lines in (("ssh", ssh), ("linux", linux), ("events", events)):
        path = os.path.join(tmp, key + ".log")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        files[key] = (path, lines)
    return files


def alert_key(a):
    ev = dict(a["event"])
    for k in ("@timestamp", "event.created"):
        ev.pop(k, None)
    if isinstance(ev.get("event"), dict):
        ev["event"] = {k: v for k, v in ev["event"].items() if k != "created"}
    what = a["rule"]["id"] if a["alert"]["kind"] == "sigma" else json.dumps(a.get("matched"), sort_keys=True)
    return (a["alert"]["kind"], what, json.dumps(ev, sort_keys=True))


def scan_expected(files, snap, env):
    """The reference: vigil scan over the same records; each input's alert keys."""
    want = {}
    for key, (path, _) in files.items():
        args = [VIGIL, "scan", "--no-progress", "--intel", snap]
        for r in RULES:
            args += ["--rules", r]
        out = subprocess.run(args + [path], capture_output=True, text=True, env=env)
        if out.returncode not in (0, 1):
            fail("vigil scan %s: exit %d: %s" % (key, out.returncode, out.stderr[-500:]))
        want[key] = sorted(alert_key(json.loads(l)) for l in out.stdout.splitlines())
    return want


def write_config(tmp, ports, token_hash, snap):
    conf = os.path.join(tmp, "vigil.yml")
    rules = ", ".join(RULES)
    with open(conf, "w") as f:
        f.write(f"""data_dir: {tmp}/data
log: {{level: info}}
spool: {{sync: always, segment_mb: 1}}
store: {{archive: true, archive_days: 30}}
detection: {{workers: 2, batch: 64, rules: [{rules}], intel: {snap}}}
api: {{listen: "127.0.0.1:{ports['api']}"}}
units:
  - {{name: hq}}
  - {{name: lab, networks: [127.0.0.0/8]}}
listeners:
  - {{name: tcp-lf, type: tcp, listen: "127.0.0.1:{ports['tcp']}", unit: hq, framing: lf}}
  - {{name: tcp-octet, type: tcp, listen: "127.0.0.1:{ports['tcp2']}", unit: hq, framing: octet}}
  - {{name: udp, type: udp, listen: "127.0.0.1:{ports['udp']}", unit: hq}}
  - name: http
    type: http
    listen: "127.0.0.1:{ports['http']}"
    unit: hq
    tokens: [{{name: e2e, unit: hq, token_sha256: {token_hash}}}]
""")
    return conf


def http(url, data=None, token=None):
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def metrics(ports):
    status, body = http("http://127.0.0.1:%d/metrics" % ports["api"])
    vals = {}
    for l in body.splitlines():
        if l and not l.startswith("#"):
            k, v = l.rsplit(" ", 1)
            vals[k] = float(v)
    return vals


def start(conf, log, ports):
    p = subprocess.Popen([VIGIL, "serve", "-c", conf], stderr=open(log, "a"), stdout=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if http("http://127.0.0.1:%d/healthz" % ports["api"])[0] == 200:
                return p
        except OSError:
            pass
        if p.poll() is not None:
            break
        time.sleep(0.2)
    fail("the daemon did not start (exit %s); log:\n%s" % (p.poll(), open(log).read()[-2000:]))
    p.kill()
    sys.exit(1)


def send_all(files, ports, token):
    ssh_lines = files["ssh"][1]
    with socket.create_connection(("127.0.0.1", ports["tcp"])) as s:
        s.sendall(("\n".join(ssh_lines) + "\n").encode())
    linux = files["linux"][1]
    with socket.create_connection(("127.0.0.1", ports["tcp2"])) as s:
        s.sendall(b"".join(b"%d %s" % (len(l.encode()), l.encode()) for l in linux))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i, l in enumerate(linux):
        u.sendto(l.encode(), ("127.0.0.1", ports["udp"]))
        if i % 100 == 99:
            time.sleep(0.01)
    u.close()
    events = files["events"][1]
    accepted = 0
    for i in range(0, len(events), 50):
        status, body = http("http://127.0.0.1:%d/ingest" % ports["http"], ("\n".join(events[i:i + 50]) + "\n").encode(),
                            token)
        if status != 200:
            fail("HTTP ingest answered %d: %s" % (status, body))
        else:
            accepted += json.loads(body)["accepted"]
    if accepted != len(events):
        fail("HTTP ingest accepted %d of %d events" % (accepted, len(events)))
    return len(ssh_lines) + 2 * len(linux) + len(events)


def check_refusals(ports, token):
    url = "http://127.0.0.1:%d" % ports["http"]
    for what, (status, _) in (("no token", http(url + "/ingest", b"{}\n")),
                              ("wrong token", http(url + "/ingest", b"{}\n", "x" * 64)),
                              ("wrong path", http(url + "/other", b"{}\n", token)),
                              ("GET", http(url + "/ingest", None, token))):
        want = {"no token": 401, "wrong token": 401, "wrong path": 404, "GET": 405}[what]
        if status != want:
            fail("HTTP %s: answered %d, expected %d" % (what, status, want))


def check_archive(tmp, files, sent):
    """The archive holds every record once, as received (decompressed with the zstd command)."""
    adir = os.path.join(tmp, "data/archive")
    names = sorted(os.listdir(adir))
    out = subprocess.run(["sh", "-c", "zstd -dc " + " ".join(os.path.join(adir, n) for n in names)],
                         capture_output=True, text=True)
    lines = [json.loads(l) for l in out.stdout.splitlines()]
    seqs = sorted(l["seq"] for l in lines)
    by_source = {}
    for l in lines:
        by_source.setdefault(l["source"], []).append(l["record"])
    want = {"tcp-lf": files["ssh"][1], "tcp-octet": files["linux"][1], "udp": files["linux"][1],
            "http": files["events"][1]}
    if out.returncode != 0 or seqs != list(range(1, sent + 1)):
        fail("archive: %d records (exit %d), expected %d numbered 1..%d" % (len(seqs), out.returncode, sent, sent))
    for src, recs in want.items():
        if sorted(by_source.get(src, [])) != sorted(recs):
            fail("archive: the records of %s differ from what was sent" % src)
    print("archive: %d records in %s, each once, as sent" % (len(seqs), ", ".join(names)))


def stored_alerts(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = con.execute("select json from alerts").fetchall()
    con.close()
    return [json.loads(r[0]) for r in rows]


def main():
    tmp = tempfile.mkdtemp(prefix="vigil-serve-e2e-")
    env = dict(os.environ)
    files = make_inputs(tmp)
    feeds = os.path.join(tmp, "feeds.yml")
    with open(feeds, "w") as f:
        f.write("feeds:\n  - {name: ipsum, format: ipsum, path: %s/data/intel/ipsum/ipsum.txt}\n" % SHARED)
    snap = os.path.join(tmp, "intel.vgi")
    out = subprocess.run([VIGIL, "intel", "compile", "-q", "-c", feeds, "-o", snap], capture_output=True, text=True)
    if out.returncode != 0:
        fail("intel compile: " + out.stderr)
        return 1
    want = scan_expected(files, snap, env)
    token = "%064x" % random.Random(1).getrandbits(256)
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    ports = {"tcp": free_port(socket.SOCK_STREAM), "tcp2": free_port(socket.SOCK_STREAM),
             "udp": free_port(socket.SOCK_DGRAM), "http": free_port(socket.SOCK_STREAM),
             "api": free_port(socket.SOCK_STREAM)}
    conf = write_config(tmp, ports, token_hash, snap)
    log = os.path.join(tmp, "serve.log")
    p = start(conf, log, ports)
    sent = send_all(files, ports, token)
    check_refusals(ports, token)
    deadline = time.time() + 300
    m = {}
    while time.time() < deadline:
        m = metrics(ports)
        received = sum(v for k, v in m.items() if k.startswith("vigil_received_total{"))
        if received >= sent and m.get("vigil_stored_seq", 0) >= received:
            break
        time.sleep(0.5)
    received = sum(v for k, v in m.items() if k.startswith("vigil_received_total{"))
    print("sent %d records; received %d; stored through %d; %d alerts; udp dropped %d" %
          (sent, received, m.get("vigil_stored_seq", 0), m.get("vigil_alerts_total", 0),
           m.get('vigil_dropped_total{listener="udp",type="udp"}', 0)))
    if received != sent:
        fail("the daemon received %d of %d records" % (received, sent))
    st = subprocess.run([VIGIL, "status", "-c", conf], capture_output=True, text=True)
    if st.returncode != 0 or 'vigil_received_total{listener="tcp-lf",type="tcp"}' not in st.stdout:
        fail("vigil status: exit %d: %s" % (st.returncode, (st.stdout + st.stderr)[-300:]))
    p.send_signal(signal.SIGTERM)
    if p.wait(timeout=120) != 0:
        fail("vigil serve exited with %d" % p.returncode)
    st = subprocess.run([VIGIL, "status", "-c", conf], capture_output=True, text=True)
    if st.returncode != 2 or "no answer from the daemon" not in st.stderr:
        fail("vigil status with no daemon: exit %d: %s" % (st.returncode, st.stderr[-300:]))
    al = subprocess.run([VIGIL, "alerts", "--store", os.path.join(tmp, "data/vigil.db"), "--kind", "intel",
                         "--limit", "100000", "-o", "json"], capture_output=True, text=True)
    n_intel = len(al.stdout.splitlines())
    units = {}
    for u in ("hq", "lab"):
        out = subprocess.run([VIGIL, "alerts", "--store", os.path.join(tmp, "data/vigil.db"), "--unit", u,
                              "--limit", "100000", "-o", "json"], capture_output=True, text=True)
        units[u] = len(out.stdout.splitlines())
    got = stored_alerts(os.path.join(tmp, "data/vigil.db"))
    if n_intel != sum(1 for a in got if a["alert"]["kind"] == "intel"):
        fail("vigil alerts --kind intel printed %d alerts" % n_intel)
    # syslog lines name their host in host.hostname: --host finds their alerts
    hosts = {}
    for a in got:
        h = a["event"].get("host", {}).get("hostname")
        if h:
            hosts[h] = hosts.get(h, 0) + 1
    if not hosts:
        fail("no stored alert names a host")
    for h, n in sorted(hosts.items(), key=lambda x: -x[1])[:2]:
        out = subprocess.run([VIGIL, "alerts", "--store", os.path.join(tmp, "data/vigil.db"), "--host", h,
                              "--limit", "100000", "-o", "json"], capture_output=True, text=True)
        if len(out.stdout.splitlines()) != n:
            fail("vigil alerts --host %s printed %d alerts, %d name it" % (h, len(out.stdout.splitlines()), n))
    for u, n in units.items():
        if n != sum(1 for a in got if a["alert"].get("unit") == u):
            fail("vigil alerts --unit %s printed %d alerts" % (u, n))
    by_input = {"tcp-lf": "ssh", "tcp-octet": "linux", "udp": "linux", "http": "events"}
    have = {"tcp-lf": [], "tcp-octet": [], "udp": [], "http": []}
    for a in got:
        have[a["alert"]["input"]].append(alert_key(a))
        # the token decides the unit of HTTP records; the source network that of the others
        want_unit = "hq" if a["alert"]["input"] == "http" else "lab"
        if a["alert"].get("unit") != want_unit:
            fail("alert of %s with unit %s, not %s" % (a["alert"]["input"], a["alert"].get("unit"), want_unit))
    for inp, keys in have.items():
        w = want[by_input[inp]]
        if sorted(keys) != w:
            missing = len([k for k in w if k not in keys])
            extra = len([k for k in keys if k not in w])
            fail("%s: %d alerts stored, vigil scan finds %d (%d missing, %d extra)" %
                 (inp, len(keys), len(w), missing, extra))
        else:
            print("%s: %d alerts, the same as vigil scan's" % (inp, len(keys)))
    check_archive(tmp, files, sent)
    # a restart processes nothing again (and deletes archive files past archive_days)
    old = os.path.join(tmp, "data/archive/2000-01-01.jsonl.zst")
    open(old, "wb").close()
    p = start(conf, log, ports)
    time.sleep(1)
    m2 = metrics(ports)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=120)
    again = stored_alerts(os.path.join(tmp, "data/vigil.db"))
    if os.path.exists(old):
        fail("an archive file of 2000-01-01 was kept with archive_days 30")
    if len(again) != len(got) or m2.get("vigil_decoded_total", 0) != 0:
        fail("restart: %d alerts (was %d), %d events decoded again" % (len(again), len(got),
                                                                       m2.get("vigil_decoded_total", 0)))
    else:
        print("restart: nothing processed again (%d alerts)" % len(again))
    if FAILS:
        print(open(log).read()[-3000:])
        return 1
    subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
