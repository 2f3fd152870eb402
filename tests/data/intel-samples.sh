#!/bin/sh
# End to end on the hand-written sample feeds (samples/intel): `vigil intel compile`, `lookup`
# in its three output forms with their exit statuses, `stats`, the manual pages, and errors:
# a configuration mistake (FILE:LINE), a feed line that is rejected, a damaged snapshot.
set -eu
: "${VIGIL:?}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "$*"; exit 1; }

# run EXPECTED_STATUS command...: output in $tmp/out, errors in $tmp/err
run() {
    want=$1; shift
    status=0
    "$@" >"$tmp/out" 2>"$tmp/err" || status=$?
    [ "$status" -eq "$want" ] || { cat "$tmp/err"; fail "$*: exit $status, expected $want"; }
}
same() {
    printf '%s\n' "$1" >"$tmp/want"
    cmp -s "$tmp/want" "$tmp/out" || { diff "$tmp/want" "$tmp/out"; fail "unexpected output of $2"; }
}

run 0 "$VIGIL" intel compile -c "$ROOT/samples/intel/feeds.yml" -o "$tmp/s.vgi"
grep -q '^vigil intel compile: 18 indicators (ipv4 4, cidr4 1, cidr6 1, ipv4:port 4, ipv6:port 1, domain 5, url 1, md5 1) from 3 feeds' "$tmp/err" ||
    { cat "$tmp/err"; fail "compile summary"; }

run 0 "$VIGIL" intel lookup -s "$tmp/s.vgi" 192.0.2.11 x.update.botnet.example 203.0.113.99:4433
same 'ipv4 192.0.2.11: known
  ipv4 192.0.2.11: 1 source
    feed botnet-c2 (plain, block, weight 100) family SampleBot note: seen 2026-01-12 beaconing every 60 s
domain x.update.botnet.example: known
  domain update.botnet.example (parent domain): 1 source
    feed botnet-c2 (plain, block, weight 100) family SampleBot
ipv4:port 203.0.113.99:4433: known
  ipv4:port 203.0.113.99:4433: 1 source
    feed c2-blocklist (csv, block, weight 90) family Pikabot first seen 2026-01-07T21:42:53Z last seen 2026-01-21T00:00:00Z' "text lookup"

run 1 "$VIGIL" intel lookup -s "$tmp/s.vgi" -o json 198.51.100.23 www.secure-tax-refund.example
same '{"value":"198.51.100.23","valid":true,"canonical":"198.51.100.23","type":"ipv4","known":true,"hits":[{"indicator":"198.51.100.23","type":"ipv4","parent":false,"sources":[{"feed":"c2-blocklist","format":"csv","role":"block","weight":90,"family":"QakBot","first_seen":"2026-01-05T08:00:12Z","last_seen":"2026-01-10T00:00:00Z"}]},{"indicator":"198.51.100.0/24","type":"cidr4","parent":false,"sources":[{"feed":"botnet-c2","format":"plain","role":"block","weight":100,"family":"SampleBot"}]}]}
{"value":"www.secure-tax-refund.example","valid":true,"canonical":"www.secure-tax-refund.example","type":"domain","known":false,"hits":[]}' "json lookup"

printf '2001:db8:dead::5\nHTTP://DL.botnet.example:80/./payload.bin\n\n1.1.1.1\nbad value\n' >"$tmp/values"
run 2 "$VIGIL" intel lookup -s "$tmp/s.vgi" -o brief --batch <"$tmp/values"
same '2001:db8:dead::5	2001:db8:dead::/48
HTTP://DL.botnet.example:80/./payload.bin	http://dl.botnet.example/payload.bin
1.1.1.1	-
bad value	!not an indicator: it contains white space' "brief batch lookup"

run 0 "$VIGIL" intel stats -s "$tmp/s.vgi" -o json
grep -q '"indicators":18,"by_type":{"ipv4":4,"ipv6":0,"cidr4":1,"cidr6":1,"ipv4:port":4,"ipv6:port":1,"domain":5,"url":1,' "$tmp/out" ||
    { cat "$tmp/out"; fail "stats json"; }
grep -q '{"name":"phishing","format":"plain","role":"block","weight":60,"files":1,"records":4,"accepted":3,"rejected":0,"expired":0,"entries":{"domain":3},"unique":{"domain":3}}' "$tmp/out" ||
    { cat "$tmp/out"; fail "stats json feed"; }
run 0 "$VIGIL" intel stats -s "$tmp/s.vgi"
grep -q '^  botnet-c2: plain, block, weight 100, 1 files, 13 records, 10 accepted, 0 rejected, 0 expired$' "$tmp/out" ||
    { cat "$tmp/out"; fail "stats text"; }

for page in "intel --help" "help intel" "intel compile --help" "intel lookup --help" "intel stats --help"; do
    # shellcheck disable=SC2086
    run 0 "$VIGIL" $page
    grep -q '^NAME' "$tmp/out" || fail "vigil $page: no manual page"
done
run 2 "$VIGIL" intel
run 2 "$VIGIL" intel frobnicate
run 2 "$VIGIL" intel lookup 1.2.3.4
run 2 "$VIGIL" intel compile -c "$ROOT/samples/intel/feeds.yml"

# a configuration mistake names the file and line; nothing is written
printf 'feeds:\n  - name: a\n    format: plain\n    path: x.txt\n    wieght: 3\n' >"$tmp/bad.yml"
run 2 "$VIGIL" intel compile -c "$tmp/bad.yml" -o "$tmp/bad.vgi"
grep -q "^$tmp/bad.yml:5: unknown feed key 'wieght'" "$tmp/err" || { cat "$tmp/err"; fail "config error"; }
[ ! -e "$tmp/bad.vgi" ] || fail "a snapshot was written for a bad configuration"
printf 'feeds:\n  - {name: a, format: plain, path: missing-*.txt}\n' >"$tmp/missing.yml"
run 2 "$VIGIL" intel compile -c "$tmp/missing.yml" -o "$tmp/bad.vgi"
grep -q "$tmp/missing.yml:2: feed a: path $tmp/missing-\*.txt matches no file" "$tmp/err" || { cat "$tmp/err"; fail "missing"; }

# a rejected line: FILE:LINE: reason, exit 1, the rest loaded
printf '192.0.2.1\n999.1.1.1\n' >"$tmp/list.txt"
printf 'feeds:\n  - {name: a, format: plain, path: list.txt}\n' >"$tmp/one.yml"
run 1 "$VIGIL" intel compile -c "$tmp/one.yml" -o "$tmp/one.vgi"
grep -q "^$tmp/list.txt:2: '999.1.1.1': last label is all digits" "$tmp/err" || { cat "$tmp/err"; fail "rejection"; }
run 0 "$VIGIL" intel lookup -s "$tmp/one.vgi" 192.0.2.1

# a damaged snapshot is refused with the reason
cp "$tmp/s.vgi" "$tmp/damaged.vgi"
printf 'X' | dd of="$tmp/damaged.vgi" bs=1 seek=$(($(wc -c <"$tmp/damaged.vgi") - 100)) conv=notrunc 2>/dev/null
run 2 "$VIGIL" intel stats -s "$tmp/damaged.vgi"
grep -q "SHA-256 of the body differs" "$tmp/err" || { cat "$tmp/err"; fail "damaged snapshot"; }
head -c 1000 "$tmp/s.vgi" >"$tmp/short.vgi"
run 2 "$VIGIL" intel lookup -s "$tmp/short.vgi" 1.2.3.4
grep -q "file size differs from the header" "$tmp/err" || { cat "$tmp/err"; fail "truncated snapshot"; }
echo "sample feeds compile; lookup, stats, manual pages and errors behave"
