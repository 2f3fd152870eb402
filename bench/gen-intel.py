#!/usr/bin/env python3
"""Generates the threat-intelligence benchmark input for `make bench`, deterministically.

  gen-intel.py OUTDIR SHARED_FEEDS_YML [MILLIONS]

Writes about MILLIONS (default 10) million indicators as realistic feed TEXT files into OUTDIR,
in the formats Vigil reads:
  ipsum.txt            IPsum: "IP<TAB>count" (29% of the indicators)
  blocklist.netset     FireHOL netset: addresses and IPv4 networks, mostly /24-/32 (19%)
  ipv6.netset          IPv6 addresses and networks (5%)
  trails/*.txt         Maltrail trails: "# Reference:" groups, domains (29%), URL trails
                       "host/path" (5%), IP:port (4%), inline comments
  malwarebazaar.csv    MalwareBazaar-style CSV: sha256, md5, sha1 per sample (9%)
then OUTDIR/feeds.yml: the feeds of SHARED_FEEDS_YML (the real shared feeds) followed by these,
and query files OUTDIR/queries-TYPE.txt (200,000 values each: 10% drawn from the stored
indicators, 90% from a pool of 50,000 benign values drawn with repetition, as an event stream
has; the uniformly random misses are made by bench-intel itself).

Synthetic data is generated here and never committed.
"""
import os
import random
import sys

R = random.Random(20261121)
QUERIES = 200000
HIT_RATIO = 0.10

TLDS = ["com"] * 30 + ["net"] * 8 + ["org"] * 6 + ["ru"] * 6 + ["xyz"] * 4 + ["top"] * 4 + \
       ["info", "cn", "de", "br", "in", "io", "online", "site", "club", "vn", "tk", "cc", "pw", "biz"]
DYN = ["duckdns.org", "no-ip.biz", "ddns.net", "hopto.org", "000webhostapp.com", "azurewebsites.net",
       "herokuapp.com", "workers.dev", "ngrok.io", "blogspot.com"]
SYL = ["ka", "lo", "mi", "net", "sec", "cloud", "up", "date", "mail", "srv", "data", "go", "pay", "bank",
       "log", "in", "app", "web", "zen", "tor", "max", "pro", "bit", "hub", "cdn", "api", "rex", "vo"]
FAMILIES = ["emotet", "qakbot", "cobaltstrike", "asyncrat", "njrat", "remcos", "agenttesla", "lokibot",
            "formbook", "redline", "mirai", "gafgyt", "icedid", "bumblebee", "sliver", "raccoon"]
PATHS = ["wp-content/plugins", "wp-admin/js", "images", "panel", "gate", "files", "uploads", "admin/api",
         "static/js", "download"]
BENIGN = ["alpha", "nova", "terra", "lumen", "orbit", "vista", "meadow", "harbor", "summit", "river",
          "maple", "cedar", "atlas", "zephyr", "quartz", "ember", "falcon", "willow", "aurora", "pixel"]
FILES = ["gate.php", "index.php", "load.bin", "update.exe", "config.bin", "panel/login.php", "a.js",
         "invoice.zip", "payload.dll", "post.php"]


def word():
    return "".join(R.choice(SYL) for _ in range(R.randint(2, 4))) + (str(R.randint(1, 99)) if R.random() < 0.3 else "")


def domain():
    r = R.random()
    if r < 0.15:
        return "%s.%s" % (word(), R.choice(DYN))
    if r < 0.75:
        return "%s.%s" % (word(), R.choice(TLDS))
    return "%s.%s.%s" % (word(), word(), R.choice(TLDS))


def ipv4():
    while True:
        a = R.getrandbits(32)
        if 0x01000000 <= a < 0xE0000000:
            return "%d.%d.%d.%d" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255)


def ipv6():
    return "2%03x:%x:%x:%x::%x" % (R.getrandbits(12), R.getrandbits(16), R.getrandbits(16), R.getrandbits(16),
                                   R.getrandbits(16))


def hexs(n):
    return "%0*x" % (n, R.getrandbits(4 * n))


class Pool:
    """A reservoir of stored values of one type, for the queries that hit."""
    def __init__(self):
        self.v = []
        self.seen = 0

    def add(self, x):
        self.seen += 1
        if len(self.v) < 20000:
            self.v.append(x)
        elif R.random() < 0.001:
            self.v[R.randrange(20000)] = x


POOLS = {t: Pool() for t in ("ipv4", "ipv6", "domain", "url", "hash", "ipport")}


def write_ipsum(path, n):
    with open(path, "w") as f:
        f.write("# IPsum Threat Intelligence Feed (synthetic, for benchmarks)\n# IP\tnumber of (black)lists\n")
        for _ in range(n):
            ip = ipv4()
            POOLS["ipv4"].add(ip)
            f.write("%s\t%d\n" % (ip, R.choice((1, 1, 1, 2, 2, 3, 4, 5, 8))))


def write_netset(path, n_addr, n_net):
    with open(path, "w") as f:
        f.write("#\n# blocklist (synthetic FireHOL netset, for benchmarks)\n#\n")
        for i in range(n_addr + n_net):
            if i % 5 == 0 and n_net > 0:
                n_net -= 1
                prefix = R.choice((32,) * 20 + (31, 30, 29, 28, 27, 26, 25) * 3 + (24,) * 40 + (23, 22, 21, 20) * 2 +
                                  (19, 18, 17, 16)) if R.random() > 0.001 else 12
                a = R.getrandbits(32) & (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
                f.write("%d.%d.%d.%d/%d\n" % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255, prefix))
            else:
                ip = ipv4()
                POOLS["ipv4"].add(ip)
                f.write(ip + "\n")


def write_ipv6(path, n_addr, n_net):
    with open(path, "w") as f:
        f.write("# IPv6 blocklist (synthetic)\n")
        for _ in range(n_addr):
            ip = ipv6()
            POOLS["ipv6"].add(ip)
            f.write(ip + "\n")
        for _ in range(n_net):
            f.write("2%03x:%x::/%d\n" % (R.getrandbits(12), R.getrandbits(16) & 0xFF00, R.choice((32, 40, 48))))


def write_trails(outdir, n_dom, n_url, n_ipport):
    d = os.path.join(outdir, "trails")
    os.makedirs(d, exist_ok=True)
    per = (n_dom + n_url + n_ipport) // len(FAMILIES) + 1
    left = {"domain": n_dom, "url": n_url, "ipport": n_ipport}
    for fam in FAMILIES:
        with open(os.path.join(d, fam + ".txt"), "w") as f:
            f.write("# Copyright (c) synthetic trails for benchmarks\n# Aliases: %s\n\n" % fam)
            for i in range(per):
                if i % 2000 == 0:
                    f.write("\n# Reference: https://www.virustotal.com/gui/file/%s\n" % hexs(64))
                    f.write("# Reference: https://twitter.com/researcher/status/%d\n\n" % R.getrandbits(60))
                kinds = [k for k in left if left[k] > 0]
                if not kinds:
                    break
                k = R.choices(kinds, weights=[left[x] for x in kinds])[0]
                left[k] -= 1
                if k == "domain":
                    v = domain()
                    POOLS["domain"].add(v)
                    f.write(v + ("  # %s C2\n" % fam if R.random() < 0.05 else "\n"))
                elif k == "url":
                    v = "%s/%s/%s" % (domain(), R.choice(PATHS), R.choice(FILES))
                    POOLS["url"].add("http://" + v)
                    f.write(v + "\n")
                else:
                    v = "%s:%d" % (ipv4(), R.choice((443, 8080, 4444, 2222, 80, 8443, 1604, 7443)))
                    POOLS["ipport"].add(v)
                    f.write(v + "\n")


def write_csv(path, n):
    with open(path, "w") as f:
        f.write('"first_seen_utc","sha256_hash","md5_hash","sha1_hash","file_type","signature"\n')
        for _ in range(n):
            s256 = hexs(64)
            POOLS["hash"].add(s256)
            f.write('"2025-%02d-%02d %02d:%02d:%02d","%s","%s","%s","exe","%s"\n' % (
                R.randint(1, 12), R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59),
                s256, hexs(32), hexs(40), R.choice(FAMILIES)))


def benign(kind):
    if kind == "ipv4":
        return R.choice(("10.%d.%d.%d" % (R.randint(0, 255), R.randint(0, 255), R.randint(1, 254)),
                         "192.168.%d.%d" % (R.randint(0, 255), R.randint(1, 254)), ipv4()))
    if kind == "ipv6":
        return R.choice(("fe80::%x" % R.getrandbits(16), "fd%02x:%x::%x" % (R.getrandbits(8), R.getrandbits(16),
                                                                               R.getrandbits(16)), ipv6()))
    site = "%s%s%d" % (R.choice(BENIGN), R.choice(BENIGN), R.randint(1, 999))   # no stored name looks so
    if kind == "domain":
        return "%s.%s.%s" % (R.choice(("www", "cdn", "api", "mail", "login", "static")), site, R.choice(TLDS))
    if kind == "url":
        return "https://%s.%s/%s/%s" % (site, R.choice(TLDS), R.choice(BENIGN), R.choice(("index.html", "app.js")))
    if kind == "hash":
        return hexs(64)
    return "%s:%d" % (ipv4(), R.choice((443, 80, 53, 22)))


def write_queries(outdir):
    for kind, pool in POOLS.items():
        common = [benign(kind) for _ in range(50000)]
        with open(os.path.join(outdir, "queries-%s.txt" % kind), "w") as f:
            for _ in range(QUERIES):
                if R.random() < HIT_RATIO:
                    f.write(R.choice(pool.v) + "\n")
                else:   # a skewed draw: a few values often, most rarely
                    f.write(common[min(int(R.paretovariate(1.0)) - 1, 49999) if R.random() < 0.5
                                   else R.randrange(50000)] + "\n")


def main():
    out, shared_conf = sys.argv[1], sys.argv[2]
    m = float(sys.argv[3]) if len(sys.argv) > 3 else 10.0
    n = int(m * 1000000)
    os.makedirs(out, exist_ok=True)
    write_ipsum(os.path.join(out, "ipsum.txt"), int(n * 0.29))
    write_netset(os.path.join(out, "blocklist.netset"), int(n * 0.15), int(n * 0.04))
    write_ipv6(os.path.join(out, "ipv6.netset"), int(n * 0.04), int(n * 0.01))
    write_trails(out, int(n * 0.29), int(n * 0.05), int(n * 0.04))
    write_csv(os.path.join(out, "malwarebazaar.csv"), int(n * 0.03))
    write_queries(out)
    with open(shared_conf) as f:
        conf = f.read()
    a = os.path.abspath(out)
    conf += """  - name: bench-ipsum
    format: ipsum
    path: %(a)s/ipsum.txt
  - name: bench-netset
    format: netset
    path: %(a)s/blocklist.netset
  - name: bench-ipv6
    format: netset
    path: %(a)s/ipv6.netset
  - name: bench-trails
    format: maltrail
    path: %(a)s/trails/*.txt
""" % {"a": a}
    for col in ("sha256_hash", "md5_hash", "sha1_hash"):
        conf += """  - name: bench-bazaar-%s
    format: csv
    path: %s/malwarebazaar.csv
    csv:
      header: row
      columns: { hash: %s, family: signature, first_seen: first_seen_utc }
""" % (col.split("_")[0], a, col)
    with open(os.path.join(out, "feeds.yml"), "w") as f:
        f.write(conf)


if __name__ == "__main__":
    main()
