#!/usr/bin/env python3
"""Differential test of the indicator store's address matching against Python's ipaddress.

    intel-differential.py gen DIR [QUERIES]   writes DIR/feed.txt (networks and addresses, a plain
                                              feed), DIR/feeds.yml and DIR/queries.txt
    intel-differential.py check DIR OUTPUT    compares `vigil intel lookup -o brief --batch`
                                              OUTPUT (for DIR/queries.txt) with ipaddress

The feed holds a few thousand overlapping IPv4 and IPv6 networks (random ones, nested chains
from /1 to /32 or /128, siblings, the same network written with host bits set), a dense
cluster of 100,000 IPv4 networks (/24-/32 inside 100.64.0.0/10: the segment index gets more
than 16 bits) and exact addresses. The queries (default 1,000,000, deterministic seed) are random addresses, addresses
inside networks, the first and last address of every network and their neighbours, the exact
addresses, special addresses (0.0.0.0, ::, ::1, IPv4-mapped and -compatible IPv6, the top of
each space) in several spellings, and strings that are not addresses. Expected for each query:
the exact address if listed, and every listed network containing it; an invalid string must be
invalid for both. Any disagreement is printed and fails the test.
"""
import ipaddress
import os
import random
import sys

SEED = 20260501
# short prefixes, in corners of the address spaces so that most queries still match nothing
SHORT_NETWORKS = ["224.0.0.0/3", "240.0.0.0/4", "255.255.255.255/32", "0.0.0.0/8",
                  "ff00::/8", "::/96", "::/127", "::ffff:0:0/96", "4000::/2"]
V6_PREFIXES = [1, 2, 3, 4, 7, 8, 12, 15, 16, 17, 19, 23, 24, 29, 31, 32, 33, 40, 47, 48, 49, 56, 60, 63, 64,
               65, 72, 80, 89, 96, 97, 104, 111, 112, 113, 119, 120, 126, 127, 128]
V4_RANDOM_NETS, V6_RANDOM_NETS, CHAINS, V4_EXACT, V6_EXACT = 2500, 1500, 150, 4000, 1500
# a dense cluster of IPv4 networks (in 100.64.0.0/10): over 131,072 segments in all, so the
# compiler gives the segment index more than 16 bits (snapshot format 7)
DENSE_V4_NETS, DENSE_BASE, DENSE_BITS = 100000, 0x64400000, 22

INVALID = [
    "01.2.3.4", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-1", "1..2.3", "1.2.3.4/", "0x1.2.3.4",
    "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", ":::", "1:2:3:4:5:6:7:8::", "::1.2.3.04", "::ffff:1.2.3",
    "fe80::1%eth0", "g::1", "[::1]", "1.2.3.4:", "::ffff:256.1.1.1", "1:2:3:4:5:6:7:1.2.3.4",
]


def v4(rng):
    return ipaddress.IPv4Address(rng.getrandbits(32))


def v6(rng):
    # mostly inside a few /16s so that networks and queries meet, sometimes anywhere
    if rng.random() < 0.7:
        top = rng.choice([0x2001, 0x2a02, 0xfe80, 0x0000, 0xffff])
        return ipaddress.IPv6Address((top << 112) | rng.getrandbits(112))
    return ipaddress.IPv6Address(rng.getrandbits(128))


def with_host_bits(net, rng):
    """The network's text with random host bits set (parsed back with strict=False)."""
    host = net.num_addresses - 1
    addr = net.network_address + (rng.getrandbits(net.max_prefixlen) & host)
    return "%s/%d" % (addr, net.prefixlen)


def make_networks(rng):
    nets, texts = [], []

    def add(net, text=None):
        nets.append(net)
        texts.append(text or str(net))

    for text in SHORT_NETWORKS:
        add(ipaddress.ip_network(text))
    for _ in range(V4_RANDOM_NETS):
        add(ipaddress.ip_network((int(v4(rng)), rng.choice(range(12, 33))), strict=False))
    for _ in range(V6_RANDOM_NETS):
        add(ipaddress.ip_network((int(v6(rng)), rng.choice(V6_PREFIXES[4:])), strict=False))
    for _ in range(DENSE_V4_NETS):
        add(ipaddress.ip_network((DENSE_BASE | rng.getrandbits(DENSE_BITS), rng.randint(24, 32)), strict=False))
    for _ in range(CHAINS):
        base, lengths = (v4(rng), range(6, 33)) if rng.random() < 0.5 else (v6(rng), V6_PREFIXES[3:])
        for p in sorted(rng.sample(lengths, rng.randint(3, 12))):
            add(ipaddress.ip_network((int(base), p), strict=False))
    for net in rng.sample(nets, 300):     # the same networks again, written with host bits set
        add(net, with_host_bits(net, rng))
    for net in rng.sample(nets, 200):     # siblings: the other half of the parent
        if net.prefixlen > 1:
            parent = net.supernet()
            for half in parent.subnets():
                add(half)
    return nets, texts


def special_addresses():
    out = ["0.0.0.0", "255.255.255.255", "127.0.0.1", "::", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
           "::ffff:1.2.3.4", "::ffff:0.0.0.0", "::1.2.3.4", "64:ff9b::1.2.3.4", "2001:db8::",
           "0:0:0:0:0:0:0:1", "FFFF::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8"]
    return out


def spellings(addr, rng):
    if addr.version == 4:
        return [str(addr)]
    forms = [str(addr), addr.exploded, str(addr).upper()]
    return [rng.choice(forms)]


def generate(out_dir, nqueries):
    rng = random.Random(SEED)
    nets, texts = make_networks(rng)
    exact = [v4(rng) for _ in range(V4_EXACT)] + [v6(rng) for _ in range(V6_EXACT)]
    exact += [rng.choice(nets).network_address for _ in range(500)]
    with open(os.path.join(out_dir, "feed.txt"), "w") as f:
        f.write("# generated by intel-differential.py, seed %d\n" % SEED)
        for t in texts:
            f.write(t + "\n")
        for a in exact:
            f.write(str(a) + "\n")
    with open(os.path.join(out_dir, "feeds.yml"), "w") as f:
        f.write("feeds:\n  - name: differential\n    format: plain\n    path: feed.txt\n")
    queries = special_addresses() + INVALID
    for net in nets:
        first, last = int(net.network_address), int(net.broadcast_address)
        top = (1 << net.max_prefixlen) - 1
        cls = ipaddress.IPv4Address if net.version == 4 else ipaddress.IPv6Address
        for v in (first - 1, first, last, last + 1):
            if 0 <= v <= top:
                queries += spellings(cls(v), rng)
    for a in exact:
        queries += spellings(a, rng)
    while len(queries) < nqueries:
        r = rng.random()
        if r < 0.45:
            a = v4(rng)
        elif r < 0.7:
            a = v6(rng)
        else:
            net = rng.choice(nets)
            a = net.network_address + rng.getrandbits(net.max_prefixlen - net.prefixlen)
        queries += spellings(a, rng)
    with open(os.path.join(out_dir, "queries.txt"), "w") as f:
        f.write("\n".join(queries[:max(nqueries, len(special_addresses()) + len(INVALID))]) + "\n")


def expected_index(out_dir):
    """Networks by (version, prefix length) -> {network int}, and the exact addresses."""
    nets, exact = {4: {}, 6: {}}, set()
    with open(os.path.join(out_dir, "feed.txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "/" in line:
                n = ipaddress.ip_network(line, strict=False)
                nets[n.version].setdefault(n.prefixlen, set()).add(int(n.network_address))
            else:
                exact.add(ipaddress.ip_address(line))
    return {v: sorted(d.items()) for v, d in nets.items()}, exact


def expect(value, nets, exact):
    """(version, int, prefix) of every indicator value must match (prefix None: the address)."""
    try:
        a = ipaddress.ip_address(value)
    except ValueError:
        return None
    if a.version == 6 and a.scope_id:
        return None
    x, bits = int(a), a.max_prefixlen
    want = {(a.version, x, None)} if a in exact else set()
    for p, starts in nets[a.version]:
        start = (x >> (bits - p)) << (bits - p) if p else 0
        if start in starts:
            want.add((a.version, start, p))
    return want


_parsed = {}


def parse_hit(text):
    hit = _parsed.get(text)
    if hit is None:
        if "/" in text:
            n = ipaddress.ip_network(text)
            hit = (n.version, int(n.network_address), n.prefixlen)
        else:
            a = ipaddress.ip_address(text)
            hit = (a.version, int(a), None)
        _parsed[text] = hit
    return hit


def show(hits):
    out = []
    for v, x, p in sorted(hits, key=lambda h: (h[0], h[1], h[2] or 0)):
        a = ipaddress.IPv4Address(x) if v == 4 else ipaddress.IPv6Address(x)
        out.append(str(a) if p is None else "%s/%d" % (a, p))
    return out


def brute_force_sample(rows, nets_list, exact):
    """For a sample, containment with ipaddress's own `in` over every network."""
    rng = random.Random(SEED + 1)
    bad = 0
    by_version = {4: [n for n in nets_list if n.version == 4], 6: [n for n in nets_list if n.version == 6]}
    for value, got in rng.sample(rows, min(150, len(rows))):
        a = ipaddress.ip_address(value)
        want = {(n.version, int(n.network_address), n.prefixlen) for n in by_version[a.version] if a in n}
        if a in exact:
            want.add((a.version, int(a), None))
        if want != got:
            bad += 1
            print("BRUTE-FORCE DISAGREEMENT %s: vigil %s, ipaddress %s" % (value, show(got), show(want)))
    return bad


def check(out_dir, output):
    nets, exact = expected_index(out_dir)
    nets_list = [(ipaddress.IPv4Network if v == 4 else ipaddress.IPv6Network)((s, p))
                 for v in (4, 6) for p, starts in nets[v] for s in starts]
    queries = [q for q in open(os.path.join(out_dir, "queries.txt")).read().split("\n") if q]
    lines = open(output).read().split("\n")[:-1]
    if len(lines) != len(queries):
        print("vigil answered %d lines for %d queries" % (len(lines), len(queries)))
        return 1
    bad, known, invalid, rows = 0, 0, 0, []
    for q, line in zip(queries, lines):
        value, _, hits = line.partition("\t")
        if value != q:
            print("line for %r answers %r" % (q, value))
            return 1
        want = expect(q, nets, exact)
        if hits.startswith("!"):
            invalid += 1
            if want is not None:
                bad += 1
                print("DISAGREEMENT %s: vigil says invalid (%s), ipaddress accepts it" % (q, hits[1:]))
            continue
        got = set() if hits == "-" else {parse_hit(t) for t in hits.split(" ")}
        rows.append((q, got))
        known += bool(got)
        if want is None or got != want:
            bad += 1
            if bad <= 20:
                print("DISAGREEMENT %s: vigil %s, ipaddress %s" % (q, show(got), show(want or set())))
    bad += brute_force_sample(rows, nets_list, exact)
    print("%d queries (%d matched something, %d invalid for both), %d networks, %d exact addresses, "
          "%d disagreements" % (len(queries), known, invalid, len(nets_list), len(exact), bad))
    return 1 if bad else 0


def main():
    if sys.argv[1] == "gen":
        generate(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1000000)
        return 0
    return check(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    sys.exit(main())
