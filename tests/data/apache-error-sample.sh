#!/bin/sh
# apache-error-sample: the loghub Apache error log sample (2,000 real lines, Apache 2.x
# "[time] [level] [client ip] message") must be detected as apache-error and decode with no
# rejection; the log.level counts must equal an independent count of the raw "[level]"
# tokens with grep, and so must the lines with a [client ...] (source.ip).
# Uses $VIGIL (the binary) and $SHARED (the shared directory), as tests/run.sh sets them.
set -eu
f="$SHARED/data/logs/loghub/Apache_Apache_2k.log"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0
"$VIGIL" decode --timezone UTC "$f" >"$tmp/out" 2>"$tmp/err" || status=$?
summary=$(tail -n 1 "$tmp/err")
echo "$summary"
if [ "$status" -ne 0 ] || [ "$(wc -l <"$tmp/err")" -ne 1 ]; then
    echo "FAIL: exit status $status or rejections:"; head -20 "$tmp/err"; exit 1
fi
case $summary in
*"2000 events from 2000 records, 0 rejected"*) ;;
*) echo "FAIL: expected 2000 events from 2000 records, 0 rejected"; exit 1 ;;
esac

fail=0
other=$(jq -r 'select(.event.dataset != "apache.error" or (.["@timestamp"] | not)) | .event.original' "$tmp/out" | wc -l)
[ "$other" -eq 0 ] || { echo "FAIL: $other events without dataset apache.error or @timestamp"; fail=1; }

# log.level per level: the decoder against grep on the raw file
levels=$(sed -n 's/^\[[^]]*\] \[\([a-z]*\)\].*/\1/p' "$f" | sort -u)
[ -n "$levels" ] || { echo "FAIL: grep found no levels"; exit 1; }
jq -r '.log.level' "$tmp/out" | sort | uniq -c >"$tmp/got"
for level in $levels; do
    want=$(grep -c "^\[[^]]*\] \[$level\]" "$f")
    got=$(awk -v l="$level" '$2 == l { print $1 }' "$tmp/got")
    echo "log.level $level: $got decoded, $want by grep"
    [ "${got:-0}" -eq "$want" ] || fail=1
done
total=$(awk '{ s += $1 } END { print s }' "$tmp/got")
[ "$total" -eq 2000 ] || { echo "FAIL: $total events with a log.level"; fail=1; }

want=$(grep -c '^\[[^]]*\] \[[a-z]*\] \[client [0-9.]*\] ' "$f")
got=$(jq -r 'select(.source.ip) | .source.ip' "$tmp/out" | wc -l)
echo "source.ip: $got decoded, $want by grep"
[ "$got" -eq "$want" ] || fail=1

first=$(head -n 1 "$tmp/out" | jq -r '.["@timestamp"]')
raw=$(head -n 1 "$f" | cut -c2-25)
echo "first @timestamp: $first (raw: $raw, UTC)"
[ "$first" = "2005-12-04T04:47:44Z" ] || fail=1
exit $fail
