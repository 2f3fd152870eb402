#!/usr/bin/env python3
"""One run of the `vigil serve` benchmark (called by bench/bench-serve.sh).

  serve-run.py VIGIL LOAD RUNDIR TRANSPORT SYNC SECONDS INPUT EXPECTED RULES SNAPSHOT [PERF_SECONDS]

Starts `vigil serve` on loopback with a fresh data directory in RUNDIR (the Sigma rule trees
RULES, colon-separated, and the indicator snapshot SNAPSHOT; spool.sync SYNC; every other
option at its default), runs the load generator LOAD (bench/vigil-load.c) over TRANSPORT (tcp:
LF framing, or http: NDJSON batches with a bearer token) at full speed for SECONDS on the
records of INPUT, polls /metrics every 50 ms until everything received is stored
(vigil_stored_seq), then stops the daemon with SIGTERM and checks zero loss:
  - sent == received (TCP: the bytes written were all read; HTTP: every batch accepted);
  - stored == received (the watermark reaches the last record; nothing dropped or refused);
  - the alerts in the store are the ones `vigil scan` finds in the same records: EXPECTED is
    scan's JSON output for one pass over INPUT; record k of the run is line k mod lines of the
    file, so the expected alerts of the run are a multiset over (kind, rule id or matched value).
With PERF_SECONDS, `perf record -g` samples the daemon for that long in the middle of the load.
Prints key=value lines (the shell formats the report) and exits 1 if any check failed.
Environment: CONNS (connections, default 4), BATCH (records per write or request, 1000), RATE
(records/s, 0: full speed), DETECTION (options added to the detection map, e.g. "batch: 4096"),
PERF_ARGS (perf record's sampling options, default -g).
"""
import collections
import hashlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

POLL_S = 0.05
DRAIN_TIMEOUT_S = 1800


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def metrics(api):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % api, timeout=30) as r:
        body = r.read().decode()
    vals = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            vals[k] = float(v)
    return vals


def total(m, name):
    return sum(v for k, v in m.items() if k == name or k.startswith(name + "{"))


def write_config(rundir, transport, sync, rules, snap, ports, token_hash):
    conf = os.path.join(rundir, "vigil.yml")
    if transport == "tcp":
        listener = '  - {name: load, type: tcp, listen: "127.0.0.1:%d", framing: lf}\n' % ports["in"]
    else:
        listener = ('  - name: load\n    type: http\n    listen: "127.0.0.1:%d"\n'
                    '    tokens: [{name: bench, token_sha256: %s}]\n' % (ports["in"], token_hash))
    with open(conf, "w") as f:
        f.write("data_dir: %s/data\nlog: {level: warn}\nspool: {sync: %s}\n" % (rundir, sync))
        extra = os.environ.get("DETECTION", "")   # e.g. "batch: 4096": options added to detection
        f.write("detection: {rules: [%s], intel: %s%s}\n" % (", ".join(rules), snap, ", " + extra if extra else ""))
        f.write('api: {listen: "127.0.0.1:%d"}\nlisteners:\n%s' % (ports["api"], listener))
    return conf


def start(vigil, conf, log, api):
    p = subprocess.Popen([vigil, "serve", "-c", conf], stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    for _ in range(1200):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % api, timeout=5) as r:
                if r.status == 200:
                    return p
        except OSError:
            pass
        if p.poll() is not None:
            break
        time.sleep(0.1)
    p.kill()
    sys.exit("serve-run: the daemon did not start; its log:\n" + open(log).read()[-3000:])


def cpu_seconds(pid, tid=None):
    with open("/proc/%d/stat" % pid if tid is None else "/proc/%d/task/%s/stat" % (pid, tid)) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def thread_cpu(pid):
    """(CPU seconds, name) of each thread of pid, busiest first."""
    out = []
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                name = f.read().strip()
            out.append((cpu_seconds(pid, tid), name))
        except OSError:
            pass
    return sorted(out, reverse=True)


def status_kb(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def histogram_quantile(m, q):
    """Quantile of vigil_store_latency_seconds, linear within its power-of-two buckets."""
    buckets = sorted((float(k.split('"')[1]), v) for k, v in m.items()
                     if k.startswith("vigil_store_latency_seconds_bucket") and "+Inf" not in k)
    count = m.get("vigil_store_latency_seconds_count", 0)
    if not count:
        return float("nan")
    rank, lo, below = q * count, 0.0, 0.0
    for le, cum in buckets:
        if cum >= rank:
            return lo + (le - lo) * (rank - below) / max(cum - below, 1)
        lo, below = le, cum
    return buckets[-1][0] if buckets else float("nan")  # beyond the last bound: reported as that bound


def alert_key(a):
    kind = a["alert"]["kind"]
    return (kind, a["rule"]["id"] if kind == "sigma" else a["matched"]["value"])


def expected_alerts(path, lines, sent):
    """The alert multiset of records 0..sent-1 of the cyclic stream over the input's lines."""
    per_line = collections.defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            per_line[a["alert"]["record"] - 1].append(alert_key(a))
    passes, rest = divmod(sent, lines)
    want = collections.Counter()
    for rec, keys in per_line.items():
        times = passes + (1 if rec < rest else 0)
        for k in keys:
            want[k] += times
    return want


def stored_alerts(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    got, lat = collections.Counter(), []
    for (text, created_ms) in con.execute("select json, created_ms from alerts"):
        a = json.loads(text)
        got[alert_key(a)] += 1
        rec = a["alert"].get("received_us")
        if rec:
            lat.append(created_ms * 1000 - rec)
    con.close()
    lat.sort()
    return got, lat


def run_load(argv, perf, pid, rundir):
    """Runs the load generator; with perf, samples the daemon in the middle of the load."""
    t0 = time.time()
    load = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if perf:
        time.sleep(max(0.0, (float(argv[argv.index("-d") + 1]) - perf) / 2))
        subprocess.run(["perf", "record"] + os.environ.get("PERF_ARGS", "-g").split() + ["-q", "-o", os.path.join(rundir, "perf.data"), "-p", str(pid),
                        "--", "sleep", str(perf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out, _ = load.communicate()
    fields = dict(kv.split("=", 1) for kv in out.split())
    return t0, load.returncode, fields


def drain(api, want_records, pid):
    """Polls /metrics until the watermark reaches want_records; the time it did, peak spool, last metrics."""
    deadline, spool_peak, m = time.time() + DRAIN_TIMEOUT_S, 0, {}
    while time.time() < deadline:
        m = metrics(api)
        spool_peak = max(spool_peak, m.get("vigil_spool_bytes", 0))
        if m.get("vigil_stored_seq", 0) >= want_records:
            return time.time(), spool_peak, m
        time.sleep(POLL_S)
    return None, spool_peak, m


def main():
    vigil, load, rundir, transport, sync, secs, inp, expected, rules, snap = sys.argv[1:11]
    perf = float(sys.argv[11]) if len(sys.argv) > 11 and float(sys.argv[11]) > 0 else 0
    rundir, snap = os.path.abspath(rundir), os.path.abspath(snap)
    rules = ":".join(os.path.abspath(r) for r in rules.split(":"))
    os.makedirs(os.path.join(rundir, "data"), exist_ok=True)
    ports = {"in": free_port(), "api": free_port()}
    token = hashlib.sha256(b"vigil bench " + str(time.time()).encode()).hexdigest()
    conf = write_config(rundir, transport, sync, rules.split(":"), snap, ports,
                        hashlib.sha256(token.encode()).hexdigest())
    p = start(vigil, conf, os.path.join(rundir, "serve.log"), ports["api"])
    cpu0 = cpu_seconds(p.pid)
    argv = [load, "--" + transport, "127.0.0.1:%d" % ports["in"], "-q", "-d", secs, "-c", os.environ.get("CONNS", "4"),
            "-b", os.environ.get("BATCH", "1000"), "-r", os.environ.get("RATE", "0"), inp]
    if transport == "http":
        argv[3:3] = ["--token", token]
    t0, rc, lf = run_load(argv, perf, p.pid, rundir)
    sent = int(lf.get("records", 0))
    t_stored, spool_peak, m = drain(ports["api"], sent, p.pid)
    cpu = cpu_seconds(p.pid) - cpu0
    hwm = status_kb(p.pid, "VmHWM")
    threads = thread_cpu(p.pid)
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=600)
    fails = []
    received = total(m, "vigil_received_total")
    if rc != 0:
        fails.append("the load generator failed (exit %d)" % rc)
    if received != sent:
        fails.append("received %d records, sent %d" % (received, sent))
    if total(m, "vigil_received_bytes_total") != int(lf.get("bytes", 0)) and transport == "tcp":
        fails.append("received %d bytes, sent %s" % (total(m, "vigil_received_bytes_total"), lf.get("bytes")))
    if t_stored is None or m.get("vigil_stored_seq", 0) != received:
        fails.append("stored through record %d of %d" % (m.get("vigil_stored_seq", 0), received))
    for name in ("vigil_dropped_total", "vigil_bad_input_total", "vigil_rejected_total"):
        if total(m, name):
            fails.append("%s = %d" % (name, total(m, name)))
    if total(m, "vigil_refused_total") != int(lf.get("busy", 0)):   # 503s (backlog full) are resent
        fails.append("vigil_refused_total = %d, but %s answers were 503" % (total(m, "vigil_refused_total"), lf.get("busy")))
    with open(inp, "rb") as f:
        lines = sum(1 for _ in f)
    want = expected_alerts(expected, lines, sent)
    got, lat = stored_alerts(os.path.join(rundir, "data", "vigil.db"))
    if got != want:
        diff = list(((want - got) + (got - want)).items())[:5]
        fails.append("stored alerts differ from vigil scan's: %d stored, %d expected, e.g. %s"
                     % (sum(got.values()), sum(want.values()), diff))
    e2e = t_stored - t0 if t_stored else float("nan")
    q = lambda v, f: v[min(len(v) - 1, int(f * len(v)))] / 1000 if v else float("nan")
    print("sent=%d sent_rate=%s load_seconds=%s busy=%s load_cpu=%.2f" % (
        sent, lf.get("rate"), lf.get("seconds"), lf.get("busy"),
        float(lf.get("cpu_user", 0)) + float(lf.get("cpu_sys", 0))))
    print("e2e_seconds=%.2f e2e_rate=%.0f received=%d stored_seq=%d alerts=%d expected_alerts=%d" % (
        e2e, sent / e2e, received, m.get("vigil_stored_seq", 0), sum(got.values()), sum(want.values())))
    print("lat_p50_ms=%.1f lat_p99_ms=%.1f lat_mean_ms=%.1f alert_p50_ms=%.1f alert_p99_ms=%.1f" % (
        histogram_quantile(m, 0.5) * 1000, histogram_quantile(m, 0.99) * 1000,
        m.get("vigil_store_latency_seconds_sum", 0) * 1000 / max(m.get("vigil_store_latency_seconds_count", 1), 1),
        q(lat, 0.5), q(lat, 0.99)))
    print("daemon_cpu=%.1f hwm_mb=%.0f spool_peak_mb=%.1f threads_cpu=%s" % (
        cpu, hwm / 1024, spool_peak / 1e6, ",".join("%s:%.1f" % (n, t) for t, n in threads[:6])))
    print("batches=%d commits=%d" % (m.get("vigil_batches_total", 0), m.get("vigil_store_commits_total", 0)))
    for f in fails:
        print("FAIL: " + f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
