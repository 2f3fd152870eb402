#!/usr/bin/env python3
"""Independent count of the threat intelligence feeds in $SHARED/data/intel.

Reads every feed file with Python's own parsers (ipaddress, json, csv, re) and the rules of
docs/intel.md, written again here without looking at the C code, and prints, per feed, the
accepted entries per type, the distinct indicators per type and the rejected lines.

    intel-count.py INTEL_DIR CONFIG_OUT       writes the vigil feed configuration for INTEL_DIR
    intel-count.py INTEL_DIR --count JSON     writes the independent counts as JSON

intel-feeds.sh compares these with `vigil intel stats -o json` and the rejections vigil
reports on standard error.
"""
import csv
import glob
import ipaddress
import json
import os
import re
import sys

FEEDS = [
    # name, format, glob patterns (relative to the intel directory), extra config lines
    ("maltrail-malware", "maltrail", ["maltrail/trails/static/malware/*.txt"], []),
    ("maltrail-malicious", "maltrail", ["maltrail/trails/static/malicious/*.txt"], []),
    ("maltrail-suspicious", "maltrail", ["maltrail/trails/static/suspicious/*.txt"], []),
    ("maltrail-mass-scanner", "maltrail", ["maltrail/trails/static/mass_scanner*.txt"], []),
    ("ipsum", "ipsum", ["ipsum/ipsum.txt"], []),
    ("ipsum-levels", "plain", ["ipsum/levels/*.txt"], ["    type: ip"]),
    ("spamhaus-drop", "spamhaus", ["spamhaus/drop.txt", "spamhaus/edrop.txt", "spamhaus/drop_ipv6.txt"], []),
    ("spamhaus-asn-drop", "asn-drop", ["spamhaus/asn_drop.json"], []),
    ("feodo", "csv", ["abusech/ipblocklist.csv"], [
        "    csv:",
        "      header: row",
        "      columns: { ip: dst_ip, port: dst_port, family: malware, first_seen: first_seen_utc, "
        "last_seen: last_online }"]),
    ("misp-warninglists", "warninglist", ["warninglists/lists/*/list.json"], ["    role: allow"]),
]

REGEX_CHARS = set("\\[]{}()|^$")
UNRESERVED = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
SUBDELIMS = set("!$&'()*+,;=")
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21}


class Reject(Exception):
    pass


def domain(s):
    if s.endswith("."):
        s = s[:-1]
    if not s or len(s.encode()) > 253:
        raise Reject("domain length")
    labels = s.split(".")
    for label in labels:
        if not label or len(label.encode()) > 63:
            raise Reject("domain label")
        for ch in label:
            if not (ch.isascii() and (ch.isalnum() or ch in "-_")) and ch.isascii():
                raise Reject("domain character")
    if labels[-1].isdigit():
        raise Reject("numeric last label")
    return ("domain", s.lower() if s.isascii() else "".join(c.lower() if c.isascii() else c for c in s))


def email(s):
    local, _, dom = s.rpartition("@")
    if not 1 <= len(local.encode()) <= 64 or len(s.encode()) > 254:
        raise Reject("email length")
    for ch in local:
        if ch.isascii() and not (ch.isalnum() or ch in "!#$%&'*+-/=?^_`{|}~."):
            raise Reject("email character")
    return ("email", "".join(c.lower() if c.isascii() else c for c in local) + "@" + domain(dom)[1])


def ip(s):
    a = ipaddress.ip_address(s)
    if a.version == 4 and s != str(a):
        raise ValueError(s)
    return ("ipv4" if a.version == 4 else "ipv6", a)


def network(s):
    if "/" in s:
        addr, plen = s.split("/", 1)
        if not plen.isdigit() or len(plen) > 3:
            raise Reject("prefix")
        ip(addr)
    else:
        ip(s)
    n = ipaddress.ip_network(s, strict=False)
    return ("cidr4" if n.version == 4 else "cidr6", n)


def port(p):
    if not p.isdigit() or len(p) > 5 or not 1 <= int(p) <= 65535:
        raise Reject("port")
    return int(p)


def ipport(s):
    if s.startswith("["):
        host, sep, p = s[1:].partition("]:")
        if not sep:
            raise Reject("ipport shape")
        a = ipaddress.IPv6Address(host)
        return ("ipv6:port", (a, port(p)))
    if s.count(":") != 1:
        raise Reject("ipport shape")
    host, p = s.split(":")
    a = ip(host)[1]
    if a.version != 4:
        raise Reject("ipport shape")
    return ("ipv4:port", (a, port(p)))


def pct(s, allowed, lower):
    out, i = [], 0
    b = s.encode()
    while i < len(b):
        c = b[i]
        if c == 0x25 and i + 2 < len(b) and all(chr(x) in "0123456789abcdefABCDEF" for x in b[i + 1:i + 3]):
            v = int(b[i + 1:i + 3], 16)
            ch = chr(v)
            if ch in UNRESERVED:
                out.append(ch.lower() if lower else ch)
            else:
                out.append("%%%02X" % v)
            i += 3
            continue
        ch = chr(c)
        if c < 0x80 and (ch in allowed):
            out.append(ch.lower() if lower else ch)
        else:
            out.append("%%%02X" % c)
        i += 1
    return "".join(out)


def remove_dots(path):
    out = []
    segs = path.split("/")[1:]
    for k, seg in enumerate(segs):
        last = k == len(segs) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if out:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    return "/" + "/".join(out)


def url(s):
    s = s.split("#", 1)[0]
    if not s:
        raise Reject("empty url")
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", s)
    scheme = m.group(1).lower() if m else ""
    if m:
        rest, head = s[m.end():], scheme + "://"
    elif s.startswith("//"):
        raise Reject("url //")
    else:
        rest, head = s, ""
    if m or not s.startswith("/"):
        end = min([i for i in (rest.find("/"), rest.find("?")) if i >= 0] or [len(rest)])
        auth, rest = rest[:end], rest[end:]
        user, at, hostport = auth.rpartition("@")
        if at:
            head += pct(user, UNRESERVED | SUBDELIMS | {":"}, False) + "@"
        if hostport.startswith("["):
            host, _, p = hostport[1:].partition("]")
            head += "[" + str(ipaddress.IPv6Address(host)) + "]"
            if p and not p.startswith(":"):
                raise Reject("ipv6 host")
            p = p[1:]
        else:
            host, _, p = hostport.partition(":")
            host = pct(host, UNRESERVED | SUBDELIMS, True).rstrip(".")
            if not host:
                raise Reject("no host")
            head += host
        if p:
            if not p.isdigit() or int(p) > 65535:
                raise Reject("url port")
            if not (scheme and int(p) == DEFAULT_PORTS.get(scheme)):
                head += ":" + str(int(p))
    path, q, query = rest.partition("?")
    path = remove_dots(pct(path or "/", UNRESERVED | SUBDELIMS | set(":@/"), False))
    if not head and path.startswith("//"):
        raise Reject("url //")
    return ("url", head + path + (("?" + pct(query, UNRESERVED | SUBDELIMS | set(":@/?"), False)) if q else ""))


HEX = re.compile(r"[0-9a-fA-F]+$")


def hashval(s):
    if not HEX.match(s) or len(s) not in (32, 40, 64):
        raise Reject("hash length")
    return ({32: "md5", 40: "sha1", 64: "sha256"}[len(s)], s.lower())


def guess(s):
    """A plain-list entry, by shape (docs/intel.md, 'type guessing')."""
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", s) or s.startswith("/"):
        return url(s)
    try:
        return ip(s)
    except ValueError:
        pass
    if " " in s or "\t" in s:
        raise Reject("white space")
    if "/" in s:
        a, _, p = s.partition("/")
        try:
            ip(a)
            if p.isdigit():
                return network(s)
        except ValueError:
            pass
        return url(s)
    if s.startswith("[") or (":" in s and is_ipv4(s.split(":")[0])):
        return ipport(s)
    if len(s) in (32, 40, 64) and HEX.match(s):
        return hashval(s)
    if re.match(r"[Aa][Ss][0-9]+$", s):
        return ("asn", int(s[2:]))
    if "@" in s:
        return email(s)
    if ":" in s:
        raise Reject("host:port")
    if "." not in s:
        raise Reject("single word")
    return domain(s)


def is_ipv4(s):
    try:
        return ipaddress.ip_address(s).version == 4 and str(ipaddress.ip_address(s)) == s
    except ValueError:
        return False


def maltrail_entry(e):
    if " " in e or "\t" in e:
        if not (e.startswith("/") or "://" in e):
            raise Reject("text after entry")
    if set(e) & REGEX_CHARS and "/" not in e:
        try:
            return guess(e)
        except (Reject, ValueError):
            raise Reject("regex")
    if e.startswith("."):
        return domain(e[1:])
    if not any(c in e for c in "./:@") and len(e) not in (32, 40, 64):
        return domain(e)
    return guess(e)


def split_comment(line):
    for i, ch in enumerate(line):
        if ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].strip(" \t")
    return line.strip(" \t")


class Feed:
    def __init__(self, name):
        self.name = name
        self.entries = {}
        self.unique = {}
        self.rejected = []      # (file, line, why)

    def accept(self, kind_key):
        kind, key = kind_key
        self.entries[kind] = self.entries.get(kind, 0) + 1
        self.unique.setdefault(kind, set()).add(key)

    def reject(self, path, line, why):
        self.rejected.append((path, line, why))

    def take(self, fn, path, line, *args):
        try:
            self.accept(fn(*args))
        except (Reject, ValueError) as e:
            self.reject(path, line, e.args[0] if isinstance(e, Reject) else "invalid")


def read_lines(path):
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", errors="surrogateescape")
    return [l[:-1] if l.endswith("\r") else l for l in text.split("\n")][: None if not text.endswith("\n") else -1]


def load_line_feed(feed, fmt, path):
    for n, raw in enumerate(read_lines(path), 1):
        if fmt == "spamhaus":
            e, _, ref = raw.partition(";")
            e = e.strip(" \t")
            if not e or e.startswith("#"):
                continue
            feed.take(network, path, n, e)
            continue
        e = split_comment(raw)
        if not e:
            continue
        if fmt == "maltrail":
            feed.take(maltrail_entry, path, n, e)
        elif fmt == "ipsum":
            a, tab, c = e.partition("\t")
            if not tab or not c.isdigit():
                feed.reject(path, n, "ipsum shape")
            else:
                feed.take(ip, path, n, a)
        else:
            feed.take(ip, path, n, e)


def load_asn_drop(feed, path):
    for n, raw in enumerate(read_lines(path), 1):
        if not raw.strip():
            continue
        obj = json.loads(raw)
        if obj.get("type") == "metadata":
            continue
        feed.accept(("asn", int(obj["asn"])))


def load_feodo(feed, path):
    lines = [(n, l) for n, l in enumerate(read_lines(path), 1) if l.strip() and not l.startswith("#")]
    rows = list(csv.reader([l for _, l in lines]))
    header = rows[0]
    ipc, portc = header.index("dst_ip"), header.index("dst_port")
    for (n, _), row in zip(lines[1:], rows[1:]):
        feed.take(ip, path, n, row[ipc])
        feed.take(ipport, path, n, row[ipc] + ":" + row[portc])


WL_HASH = {"md5", "sha1", "sha256", "filename|md5", "filename|sha1", "filename|sha256", "x509-fingerprint-md5",
           "x509-fingerprint-sha1", "x509-fingerprint-sha256"}
WL_DOMAIN = {"domain", "hostname", "domain|ip", "hostname|port"}
WL_IP = {"ip-src", "ip-dst", "ip-src|port", "ip-dst|port"}


def value_lines(path, values):
    """Line of each list value: the values appear in order, one per line in these files."""
    text = open(path, encoding="utf-8").read()
    start = text.index('"list"')
    out, pos, line, counted = [], start, 1 + text.count("\n", 0, start), start
    for v in values:
        enc = json.dumps(v, ensure_ascii=False)
        pos = text.index(enc, pos)
        line += text.count("\n", counted, pos)
        counted = pos
        out.append(line)
        pos += len(enc)
    return out


def load_warninglist(feed, path):
    doc = json.load(open(path, encoding="utf-8"))
    kind, attrs = doc.get("type"), set(doc.get("matching_attributes", []))
    values = doc["list"]
    for v, n in zip(values, value_lines(path, values)):
        if kind == "cidr":
            feed.take(network, path, n, v)
        elif kind == "string" and attrs & WL_HASH:
            feed.take(hashval, path, n, v)
        elif kind == "hostname" or (kind == "string" and attrs & WL_DOMAIN):
            # a name list; an address in it is taken as an address
            d = v[1:] if v.startswith(".") and len(v) > 1 else v
            try:
                ipaddress.ip_address(d)
                feed.take(ip, path, n, d)
            except ValueError:
                feed.take(domain, path, n, d)
        elif kind == "string" and attrs & WL_IP:
            feed.take(ip, path, n, v)
        else:
            feed.reject(path, n, "warninglist type %s" % kind)


def count(intel):
    result = {}
    for name, fmt, patterns, _ in FEEDS:
        feed = Feed(name)
        files = []
        for p in patterns:
            files += sorted(glob.glob(os.path.join(intel, p)))
        for path in files:
            if fmt in ("maltrail", "ipsum", "plain", "spamhaus"):
                load_line_feed(feed, fmt, path)
            elif fmt == "asn-drop":
                load_asn_drop(feed, path)
            elif fmt == "csv":
                load_feodo(feed, path)
            else:
                load_warninglist(feed, path)
        result[name] = {
            "files": len(files),
            "entries": feed.entries,
            "unique": {k: len(v) for k, v in feed.unique.items()},
            "rejected": [[p, n, why] for p, n, why in feed.rejected],
        }
    return result


def write_config(intel, out):
    lines = ["# written by tests/data/intel-count.py: every feed of " + intel, "feeds:"]
    for name, fmt, patterns, extra in FEEDS:
        lines.append("  - name: " + name)
        lines.append("    format: " + fmt)
        lines.append("    path: [" + ", ".join(json.dumps(os.path.join(intel, p)) for p in patterns) + "]")
        lines += extra
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    intel = sys.argv[1]
    if sys.argv[2] == "--count":
        with open(sys.argv[3], "w") as f:
            json.dump(count(intel), f)
    else:
        write_config(intel, sys.argv[2])


if __name__ == "__main__":
    main()
