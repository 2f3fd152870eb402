#!/bin/sh
# Every feed in $SHARED/data/intel (Maltrail, IPsum, Spamhaus DROP/EDROP/DROPv6/ASN-DROP,
# Feodo, MISP warninglists) compiles into one snapshot, and vigil's counts agree with an
# independent count done in Python (tests/data/intel-count.py): per feed, the accepted entries
# per type, the distinct indicators per type, and the exact set of rejected lines (FILE:LINE).
# Then a few lookups check that provenance (counts, references, families, roles) comes back.
set -eu
: "${VIGIL:?}" "${SHARED:?}"
INTEL="$SHARED/data/intel"
HERE=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 "$HERE/intel-count.py" "$INTEL" "$tmp/feeds.yml"
status=0
"$VIGIL" intel compile -c "$tmp/feeds.yml" -o "$tmp/store.vgi" 2>"$tmp/compile.err" || status=$?
if [ "$status" -ne 1 ]; then
    echo "vigil intel compile exited $status (expected 1: true rejections exist)"; tail -20 "$tmp/compile.err"; exit 1
fi
"$VIGIL" intel stats -s "$tmp/store.vgi" -o json >"$tmp/vigil.json"
python3 "$HERE/intel-count.py" "$INTEL" --count "$tmp/python.json"

python3 - "$tmp/vigil.json" "$tmp/python.json" "$tmp/compile.err" <<'EOF'
import collections, json, sys
vigil, python = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
rejected = set()
for line in open(sys.argv[3], encoding="utf-8", errors="replace"):
    if not line.startswith("vigil intel compile:"):
        path, n, _ = line.split(":", 2)
        rejected.add((path, int(n)))
bad = 0
print("%-22s %6s %9s %9s  %s" % ("feed", "files", "accepted", "rejected", "distinct indicators per type"))
for f in vigil["feeds"]:
    p = python[f["name"]]
    for key in ("entries", "unique"):
        if f[key] != p[key]:
            print("MISMATCH %s %s: vigil %s, python %s" % (f["name"], key, f[key], p[key])); bad = 1
    if f["files"] != p["files"] or f["rejected"] != len(p["rejected"]):
        print("MISMATCH %s files/rejected: vigil %d/%d, python %d/%d" % (
            f["name"], f["files"], f["rejected"], p["files"], len(p["rejected"]))); bad = 1
    mine = {(r[0], r[1]) for r in p["rejected"]}
    for r in sorted(mine - rejected)[:5]:
        print("MISMATCH python rejects %s:%d, vigil does not" % r); bad = 1
    print("%-22s %6d %9d %9d  %s" % (f["name"], f["files"], f["accepted"], f["rejected"],
                                   " ".join("%s=%d" % kv for kv in sorted(f["unique"].items()))))
allmine = {(r[0], r[1]) for p in python.values() for r in p["rejected"]}
for r in sorted(rejected - allmine)[:5]:
    print("MISMATCH vigil rejects %s:%d, python does not" % r); bad = 1
why = collections.Counter(r[2] for p in python.values() for r in p["rejected"])
print("rejected lines by reason (python's names): " + ", ".join("%s %d" % kv for kv in why.most_common()))
print("distinct indicators: %d (%s)" % (vigil["indicators"],
      ", ".join("%s %d" % kv for kv in vigil["by_type"].items() if kv[1])))
sys.exit(bad)
EOF

# provenance comes back through lookups
check() {
    if ! grep -q -- "$2" "$tmp/out"; then echo "lookup $1: expected $2 in:"; cat "$tmp/out"; exit 1; fi
}
"$VIGIL" intel lookup -s "$tmp/store.vgi" -o json 77.90.185.20 >"$tmp/out"
check ipsum '"feed":"ipsum","format":"ipsum","role":"block","weight":100,"count":10'
"$VIGIL" intel lookup -s "$tmp/store.vgi" -o json 192.9.135.73:1194 >"$tmp/out"
check feodo '"family":"Pikabot","first_seen":"2023-05-23T17:51:44Z","last_seen":"2024-04-01T00:00:00Z"'
"$VIGIL" intel lookup -s "$tmp/store.vgi" -o json dvr.petcp.com >"$tmp/out"
check maltrail '"family":"emotet","aliases":"Emotet, Heodo, Geodo","references":\["https://twitter.com/_lockhum/status/1221245124707078144"\]'
"$VIGIL" intel lookup -s "$tmp/store.vgi" -o json 10.1.2.3 >"$tmp/out"
check warninglist '"indicator":"10.0.0.0/8","type":"cidr4","parent":false,"sources":\[{"feed":"misp-warninglists","format":"warninglist","role":"allow"'
"$VIGIL" intel lookup -s "$tmp/store.vgi" -o json 1.10.16.1 >"$tmp/out"
check spamhaus '"indicator":"1.10.16.0/20","type":"cidr4","parent":false,"sources":\[{"feed":"spamhaus-drop","format":"spamhaus"'
status=0
"$VIGIL" intel lookup -s "$tmp/store.vgi" 0123456789abcdef0123456789abcdef no-such-host.vigil-test.example >"$tmp/out" || status=$?
[ "$status" -eq 1 ] || { echo "lookup of unknown values exited $status, expected 1"; exit 1; }
echo "every feed of $INTEL loaded; counts agree with the independent count"
