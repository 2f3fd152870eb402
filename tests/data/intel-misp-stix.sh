#!/bin/sh
# End to end on the hand-written MISP feed (tests/data/intel-misp: a manifest and its events)
# and STIX bundle (tests/data/intel-stix): `vigil intel compile` of a configuration with both
# formats (the MISP feed named by its directory, then by its manifest), the per-feed summary
# (records, rejected, expired, not for detection, revoked), FILE:LINE rejections, and
# `vigil intel lookup` showing each source's provenance: feed, family, count, times,
# references, expiry (STIX valid_until) and the exact-host flag (MISP hostname).
set -eu
: "${VIGIL:?}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "$*"; exit 1; }
run() {
    want=$1; shift
    status=0
    "$@" >"$tmp/out" 2>"$tmp/err" || status=$?
    [ "$status" -eq "$want" ] || { cat "$tmp/err"; fail "$*: exit $status, expected $want"; }
}
has() { grep -qF -- "$1" "$2" || { cat "$2"; fail "missing in $2: $1"; }; }

M="$ROOT/tests/data/intel-misp"
S="$ROOT/tests/data/intel-stix"
NOW=1768500000      # 2026-01-15T18:00:00Z: the bundle's 2025 indicator has expired, its 2099 one not
for misp_path in "$M" "$M/manifest.json"; do
    cat >"$tmp/feeds.yml" <<YML
feeds:
  - name: misp-cert
    format: misp
    path: $misp_path
    weight: 80
  - name: stix-partner
    format: stix
    path: $S/*.json
    weight: 70
YML
    run 1 "$VIGIL" intel compile -c "$tmp/feeds.yml" -o "$tmp/s.vgi" --now $NOW
    has "vigil intel compile: feed misp-cert (misp): 1 files, 44 records, 28 accepted, 16 rejected, 0 expired, 1 networks had host bits cleared, 5 not for detection, 2 revoked;" "$tmp/err"
    has "vigil intel compile: feed stix-partner (stix): 1 files, 7 records, 9 accepted, 2 rejected, 1 expired, 1 revoked;" "$tmp/err"
    has "vigil intel compile: 34 indicators (" "$tmp/err"
done
[ "$(grep -c ': ' "$tmp/err")" -ge 18 ] || fail "rejections"
has "$M/5f0c6f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f.json:45: attribute type 'mutex' cannot be held by vigil (no such indicator type)" "$tmp/err"
has "$M/manifest.json:12: event 7b2e8f60-3c4d-4e5f-8a1b-2c3d4e5f6071 is listed but its file cannot be read" "$tmp/err"
has "$M/a0b1c2d3-e4f5-4a6b-8c7d-8e9fa0b1c2d3.json:1: event file is not listed in the manifest: not loaded" "$tmp/err"
has "$S/bundle.json:51: indicator--a1b2c3d4-0005-4000-8000-000000000005: pattern not supported: AND" "$tmp/err"
has "$S/bundle.json:56: indicator--a1b2c3d4-0006-4000-8000-000000000006: pattern not supported: pattern_type 'snort'" "$tmp/err"

run 0 "$VIGIL" intel lookup -s "$tmp/s.vgi" 192.0.2.10 198.51.100.20 c2.emotet.example
printf '%s\n' 'ipv4 192.0.2.10: known
  ipv4 192.0.2.10: 1 source
    feed misp-cert (misp, block, weight 80) family Emotet count 90 first seen 2026-01-02T10:00:00Z last seen 2026-01-09T12:30:00Z note: Emotet epoch 5: C2 servers and payloads / C2 tier 1
      reference misp:event/5f0c6f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f
      reference https://blog.example/emotet-epoch5
      reference https://sandbox.example/report/42
ipv4 198.51.100.20: known
  cidr4 198.51.100.0/25: 1 source
    feed stix-partner (stix, block, weight 70) family QakBot count 85 first seen 2026-01-05T00:00:00Z last seen 2026-01-06T09:30:00Z expires 2099-01-01T00:00:00Z note: QakBot C2 | malicious-activity
      reference indicator--a1b2c3d4-0001-4000-8000-000000000001
      reference https://cert.example/advisories/2026-001
      reference capec:CAPEC-98
  cidr4 198.51.100.0/24: 1 source
    feed misp-cert (misp, block, weight 80) family Emotet count 90 first seen 2026-01-10T00:00:00Z last seen 2026-01-10T10:13:21Z note: Emotet epoch 5: C2 servers and payloads
      reference misp:event/5f0c6f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f
      reference https://blog.example/emotet-epoch5
      reference https://sandbox.example/report/42
domain c2.emotet.example: known
  domain c2.emotet.example: 1 source
    feed misp-cert (misp, block, weight 80) family Emotet count 90 first seen 2026-01-10T00:00:00Z last seen 2026-01-10T10:13:25Z exact host only note: Emotet epoch 5: C2 servers and payloads
      reference misp:event/5f0c6f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f
      reference https://blog.example/emotet-epoch5
      reference https://sandbox.example/report/42' >"$tmp/want"
cmp -s "$tmp/want" "$tmp/out" || { diff "$tmp/want" "$tmp/out"; fail "text lookup"; }

# JSON: the STIX expiry and references; the MISP family from an attribute tag
run 0 "$VIGIL" intel lookup -s "$tmp/s.vgi" -o json qbot-c2.example 192.0.2.33
has '"feed":"stix-partner","format":"stix","role":"block","weight":70,"family":"QakBot"' "$tmp/out"
has '"expires":"2099-01-01T00:00:00Z"' "$tmp/out"
has '"family":"IcedID"' "$tmp/out"

# not loaded: expired (valid_until 2025), revoked, deleted, not for detection, a subdomain of a host-only name
run 1 "$VIGIL" intel lookup -s "$tmp/s.vgi" -o brief http://old-phish.example/login 192.0.2.60 192.0.2.98 192.0.2.99 x.c2.emotet.example
printf 'http://old-phish.example/login\t-\n192.0.2.60\t-\n192.0.2.98\t-\n192.0.2.99\t-\nx.c2.emotet.example\t-\n' >"$tmp/want"
cmp -s "$tmp/want" "$tmp/out" || { diff "$tmp/want" "$tmp/out"; fail "brief lookup"; }

# later, the 2099 indicator is still valid and the 2025 one still expired; at 2099 both are gone
run 1 "$VIGIL" intel compile -c "$tmp/feeds.yml" -o "$tmp/late.vgi" --now 4070908800
has "vigil intel compile: feed stix-partner (stix): 1 files, 7 records, 9 accepted, 2 rejected, 4 expired, 1 revoked;" "$tmp/err"

# configuration: the format names
printf 'feeds:\n  - {name: a, format: taxii, path: x}\n' >"$tmp/bad.yml"
run 2 "$VIGIL" intel compile -c "$tmp/bad.yml" -o "$tmp/bad.vgi"
has "$tmp/bad.yml:2: format must be plain, maltrail, ipsum, netset, spamhaus, asn-drop, csv, warninglist, misp or stix" "$tmp/err"
echo "misp and stix feeds: compile, rejections, lookup provenance and expiry ok"
