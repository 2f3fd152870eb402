#!/bin/sh
# sigma-fast-differential: the Sigma engine's prefilter must give exactly the reference path's
# alerts. Every SigmaHQ regression event ($SHARED/data/sigma/regression) plus 1,500 generated
# Sysmon events (bench/gen-data.py sysmon-noisy, fixed seed), and variants of the regression events
# and 150 generated ones that probe case folding, dashes, numbers and arrays (sigma-mutate.py),
# go through `vigil scan` with the whole corpus twice, with and without --reference; the alert
# streams (rule, event, matched fields, in order) must be byte-identical, and the prefilter
# must have been used.
set -eu
: "${VIGIL:?}" "${SHARED:?}"
SIGMA="$SHARED/data/sigma"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$ROOT/bench/gen-data.py" sysmon-noisy "$tmp/gen.json" 3 >/dev/null
head -n 1500 "$tmp/gen.json" >"$tmp/sysmon.json"
cd "$SIGMA"
find regression -name '*.json' | sort >"$tmp/events"
[ -s "$tmp/events" ] || { echo "no regression events under $SIGMA/regression"; exit 1; }
head -n 150 "$tmp/sysmon.json" >"$tmp/few.json"
# shellcheck disable=SC2046
python3 "$ROOT/tests/data/sigma-mutate.py" $(cat "$tmp/events") "$tmp/few.json" >"$tmp/mutated.json"
echo "$tmp/mutated.json" >>"$tmp/events"
run() {
    # shellcheck disable=SC2046
    "$VIGIL" scan "$@" --rules rules --rules rules-emerging-threats --rules rules-threat-hunting --no-progress \
        --now 2026-01-01T00:00:00Z "$tmp/sysmon.json" $(cat "$tmp/events")
}
run --reference >"$tmp/ref" 2>"$tmp/ref.err" || { echo "reference scan failed"; tail "$tmp/ref.err"; exit 1; }
run >"$tmp/fast" 2>"$tmp/fast.err" || { echo "fast scan failed"; tail "$tmp/fast.err"; exit 1; }
grep 'rules: prefilter:' "$tmp/fast.err" || { echo "the prefilter was not built"; exit 1; }
if ! cmp -s "$tmp/ref" "$tmp/fast"; then
    echo "prefilter and reference differ:"
    diff "$tmp/ref" "$tmp/fast" | cut -c1-400 | head -20
    exit 1
fi
alerts=$(wc -l <"$tmp/ref")
[ "$alerts" -gt 100 ] || { echo "too few alerts ($alerts): the test proves nothing"; exit 1; }
grep 'rule evaluations' "$tmp/ref.err" "$tmp/fast.err" | sed 's/.*rules: //'
echo "identical: $alerts alerts"
