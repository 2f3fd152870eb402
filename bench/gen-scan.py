#!/usr/bin/env python3
"""Generates the input of the `vigil scan --intel` benchmark, deterministically.

  gen-scan.py INTELDIR SHARED_INTEL OUTDIR [MB]

INTELDIR is what gen-intel.py wrote (ipsum.txt, blocklist.netset, ipv6.netset, trails/*.txt,
malwarebazaar.csv); SHARED_INTEL is ../shared/data/intel. Writes into OUTDIR:
  literals.txt   every indicator of those feeds as the feed writes it (one per line): the
                 list `grep -F -f` is given, the same entries the snapshot holds (networks and
                 IP:port entries included, although grep can only find them as text)
  auth.log       about MB megabytes (default 200) of sshd syslog lines in time order (45 ms
                 apart from Nov 20 00:00, as a real log: the daemon's store indexes alerts by
                 event time): failed and accepted
                 logins, invalid users, disconnects; 2% of the source addresses are listed
                 indicators, the rest are benign hosts drawn with repetition (70% internal
                 RFC 1918 addresses, 30% random public ones, some of which fall in listed networks).
Synthetic data is generated here and never committed.
"""
import datetime
import os
import random
import sys

R = random.Random(20261122)
USERS = ["root", "admin", "ubuntu", "oracle", "test", "postgres", "git", "nguyen.van.an", "tran.thi.binh",
         "le.minh", "pham.quoc", "deploy", "backup", "www-data", "user"]
HOSTS = ["gw-hn", "srv-web01", "srv-db02", "bastion", "mail-hcm"]
START = datetime.datetime(2026, 11, 20)
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def literal_lines(path, first_field=False):
    """The entries of a line-based feed: text before '#', stripped (first field for IPsum)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            v = line.split("#", 1)[0].strip()
            if first_field:
                v = v.split()[0] if v else ""
            if v:
                yield v


def main():
    intel, shared, out = sys.argv[1], sys.argv[2], sys.argv[3]
    mb = float(sys.argv[4]) if len(sys.argv) > 4 else 200.0
    os.makedirs(out, exist_ok=True)
    listed_ips = []
    n = 0
    with open(os.path.join(out, "literals.txt"), "w") as lit:
        def emit(v):
            nonlocal n
            lit.write(v + "\n")
            n += 1
        for v in literal_lines(os.path.join(intel, "ipsum.txt"), True):
            emit(v)
            if len(listed_ips) < 200000:
                listed_ips.append(v)
        for name in ("blocklist.netset", "ipv6.netset"):
            for v in literal_lines(os.path.join(intel, name)):
                emit(v)
        for d in (os.path.join(intel, "trails"), os.path.join(shared, "maltrail", "trails")):
            for root, _, files in os.walk(d):
                for fn in sorted(files):
                    if fn.endswith(".txt"):
                        for v in literal_lines(os.path.join(root, fn)):
                            emit(v)
        for v in literal_lines(os.path.join(shared, "ipsum", "ipsum.txt"), True):
            emit(v)
        with open(os.path.join(intel, "malwarebazaar.csv")) as f:
            next(f)
            for line in f:
                cols = line.strip().split('","')
                for c in cols[1:4]:
                    emit(c)
    # benign sources: mostly internal hosts (RFC 1918: on the known-good lists, so their hits are
    # suppressed), the rest public addresses drawn at random (some inside listed networks)
    def internal():
        return R.choice(("10.%d.%d.%d" % (R.randint(0, 255), R.randint(0, 255), R.randint(1, 254)),
                         "192.168.%d.%d" % (R.randint(0, 255), R.randint(1, 254)),
                         "172.%d.%d.%d" % (R.randint(16, 31), R.randint(0, 255), R.randint(1, 254))))
    benign = [internal() if R.random() < 0.7 else
              "%d.%d.%d.%d" % (R.randint(1, 223), R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))
              for _ in range(100000)]
    size, lines, planted = 0, 0, 0
    limit = int(mb * 1e6)
    with open(os.path.join(out, "auth.log"), "w") as f:
        while size < limit:
            if R.random() < 0.02:
                ip = R.choice(listed_ips)
                planted += 1
            else:
                ip = benign[min(int(R.paretovariate(1.2)) - 1, 99999)] if R.random() < 0.5 else R.choice(benign)
            # drawn as before (the rest of the file stays the same line for line), then replaced
            # by a time that moves forward as in a real log: 45 ms per line from Nov 20 00:00
            R.choice(MONTHS), R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59)
            t = START + datetime.timedelta(milliseconds=45 * lines)
            ts = "%s %2d %s" % (MONTHS[t.month - 1], t.day, t.strftime("%H:%M:%S"))
            head = "%s %s sshd[%d]: " % (ts, R.choice(HOSTS), R.randint(300, 65000))
            port = R.randint(1024, 65535)
            k = R.random()
            if k < 0.55:
                msg = "Failed password for %s from %s port %d ssh2" % (R.choice(USERS), ip, port)
            elif k < 0.75:
                msg = "Invalid user %s from %s port %d" % (R.choice(USERS), ip, port)
            elif k < 0.85:
                msg = "Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%032x" % (
                    R.choice(USERS), ip, port, R.getrandbits(128))
            else:
                msg = "Received disconnect from %s port %d:11: Bye Bye [preauth]" % (ip, port)
            line = head + msg + "\n"
            f.write(line)
            size += len(line)
            lines += 1
    print("gen-scan: %d literals; %s/auth.log: %d lines, %.0f MB, %d with a listed address"
          % (n, out, lines, size / 1e6, planted))


if __name__ == "__main__":
    main()
