#!/bin/sh
# sigma-regression: every SigmaHQ regression case in $SHARED/data/sigma/regression (an info.yml
# naming a rule and the event file beside it) through `vigil scan --rules` with the whole
# corpus loaded: each case's rule must fire on its event (tests/data/check_sigma_regression.py
# counts the alerts per event file and rule, and lists the other rules that fired).
set -eu
: "${VIGIL:?}" "${SHARED:?}"
SIGMA="$SHARED/data/sigma"
HERE=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$SIGMA"
find regression -name '*.json' | sort >"$tmp/events"
[ -s "$tmp/events" ] || { echo "no regression events under $SIGMA/regression"; exit 1; }
status=0
# shellcheck disable=SC2046
"$VIGIL" scan --rules rules --rules rules-emerging-threats --rules rules-threat-hunting --no-progress \
    $(cat "$tmp/events") >"$tmp/alerts" 2>"$tmp/err" || status=$?
if [ "$status" -ne 0 ]; then echo "vigil scan exited $status"; tail -20 "$tmp/err"; exit 1; fi
python3 "$HERE/check_sigma_regression.py" "$SIGMA" "$tmp/alerts"
