#!/bin/sh
# Differential test of address and network matching against Python's ipaddress module:
# tests/data/intel-differential.py generates (fixed seed) a feed of overlapping IPv4/IPv6
# networks and addresses and ~1,000,000 queries (random, boundaries, special, invalid); vigil
# compiles the feed and answers every query through `vigil intel lookup --batch -o brief`;
# the script compares each answer with ipaddress containment. Zero disagreements pass.
# INTEL_DIFF_QUERIES changes the number of queries.
set -eu
: "${VIGIL:?}"
HERE=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$HERE/intel-differential.py" gen "$tmp" "${INTEL_DIFF_QUERIES:-1000000}"
"$VIGIL" intel compile -q -c "$tmp/feeds.yml" -o "$tmp/store.vgi" 2>"$tmp/compile.err" || {
    echo "compile failed:"; cat "$tmp/compile.err"; exit 1; }
status=0
"$VIGIL" intel lookup -s "$tmp/store.vgi" -t ip -o brief --batch <"$tmp/queries.txt" >"$tmp/answers.txt" 2>"$tmp/lookup.err" || status=$?
# 2: some queries are invalid (on purpose); anything on stderr is a real problem
if [ "$status" -ne 2 ] || [ -s "$tmp/lookup.err" ]; then
    echo "lookup exited $status:"; head "$tmp/lookup.err"; exit 1
fi
python3 "$HERE/intel-differential.py" check "$tmp" "$tmp/answers.txt"
