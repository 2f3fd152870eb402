#!/bin/sh
# Regenerates the seed corpus of fuzz-snapshot: small snapshots compiled by vigil from small
# feeds (every indicator type; host-only domains; names sharing a suffix, so the suffix
# dictionary is used; a key over 254 bytes; with and without IPv4 networks, whose segment
# index of at least 256 KiB makes a snapshot large).
#   fuzz/make-snapshot-corpus.sh [BUILD]     (default: build; needs BUILD/vigil)
set -eu
BUILD=${1:-build}
cd "$(dirname "$0")/.."
out=fuzz/corpus/fuzz-snapshot
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
cat > "$tmp/all.txt" <<'FEED'
192.0.2.1
198.51.100.7
2001:db8::1
2001:db8::/32
203.0.113.7:8443
[2001:db8::bad]:443
evil.example
c.d.e.f.g.example.com
a.dyn.example.net
b.dyn.example.net
c.dyn.example.net
http://dl.example/payload.bin
/gate.php
44d88612fea8a8f36de82e1278abb02f
da39a3ee5e6b4b0d3255bfef95601890afd80709
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
user@example.org
AS64500
FEED
printf 'evil.example\nportal.example\n' > "$tmp/exact.txt"
printf 'http://long.example/%0300d\n' 0 > "$tmp/long.txt"
printf '10.0.0.0/8\n10.1.0.0/16\n192.0.2.0/24\n' > "$tmp/nets.txt"
seed() {    # name feeds...
    name=$1; shift
    echo "feeds:" > "$tmp/feeds.yml"
    for f in "$@"; do
        case $f in
        exact) printf '  - {name: exact, format: plain, path: exact.txt, type: domain, match: exact, role: allow}\n' ;;
        *) printf '  - {name: %s, format: plain, path: %s.txt}\n' "$f" "$f" ;;
        esac >> "$tmp/feeds.yml"
    done
    "$BUILD/vigil" intel compile -q -c "$tmp/feeds.yml" -o "$out/$name.vgi" --now 1700000000
}
seed all-types all
seed domains-host-only all exact long
seed with-networks all nets
ls -l "$out"
