#!/bin/sh
# openssh-failures: decodes the real OpenSSH log of $SHARED (loghub) and checks the counting
# rule of decode-sshd.c against an independent count made from the raw file with awk/sed:
#   - every record decodes (0 rejected, exit status 0);
#   - ssh_login failure events per source.ip equal the raw count, where a line
#     "Failed METHOD for ... from IP port N" counts 1 and "message repeated N times: [ Failed
#     ...]" counts N;
#   - the (user, ip, port) of every failure event equals the raw line's, as multisets;
#   - spot checks: a user name with a leading space, a repeated attempt.
# Prints the totals and the top 5 source IPs. Needs $VIGIL, $SHARED (set by tests/run.sh), jq.
# (The file has CRLF line ends: the reader drops the CR, the raw count strips it first.)
set -u
LOG="$SHARED/data/logs/loghub/OpenSSH_OpenSSH_2k.log"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

[ -r "$LOG" ] || { echo "missing $LOG"; exit 1; }
command -v jq >/dev/null 2>&1 || { echo "jq is needed (scripts/install-deps.sh)"; exit 1; }

"$VIGIL" decode --year 2025 --timezone UTC "$LOG" >"$tmp/events.json" 2>"$tmp/stderr"
status=$?
[ "$status" -eq 0 ] || bad "vigil decode exited with $status"
grep -q ' 0 rejected' "$tmp/stderr" || bad "records were rejected: $(tail -n 1 "$tmp/stderr")"
records=$(grep -c '' "$LOG")
echo "$(tail -n 1 "$tmp/stderr") (file has $records lines)"

# ---- decoded: ssh_login failures --------------------------------------------------------------
jq -r 'select(.event.action == "ssh_login" and .event.outcome == "failure")
       | [(.user.name // ""), (.source.ip // ""), (.source.port // "" | tostring)] | join("|")' \
    "$tmp/events.json" | sort >"$tmp/decoded.triples"
cut -d'|' -f2 "$tmp/decoded.triples" | sort | uniq -c | awk '{ print $2, $1 }' | sort >"$tmp/decoded.per-ip"

# ---- independent: from the raw text ----------------------------------------------------------
# count per IP with awk: 1 for a Failed line, N for "message repeated N times: [ Failed ...]"
tr -d '\r' <"$LOG" | awk '
    / sshd\[[0-9]+\]: (message repeated [0-9]+ times: \[ ?)?Failed [^ ]+ for .* from [^ ]+ port [0-9]+/ {
        n = 1
        if (match($0, /message repeated [0-9]+ times/)) { split(substr($0, RSTART, RLENGTH), w, " "); n = w[3] }
        i = match($0, / from [^ ]+ port [0-9]+( ssh[12].*)?\]?$/)
        if (!i) next
        split(substr($0, RSTART + 6), a, " ")
        count[a[1]] += n
    }
    END { for (ip in count) print ip, count[ip] }' | sort >"$tmp/raw.per-ip"
# (user, ip, port) per attempt with sed: the user is everything between "for [invalid user ]"
# and the last " from "
tr -d '\r' <"$LOG" | sed -nE 's/^.* sshd\[[0-9]+\]: (message repeated ([0-9]+) times: \[ ?)?Failed [^ ]+ for (invalid user )?(.*) from ([^ ]+) port ([0-9]+)( ssh[12].*)?\]?$/\2|\4|\5|\6/p' |
    awk -F'|' '{ n = $1 == "" ? 1 : $1; for (i = 0; i < n; i++) print $2 "|" $3 "|" $4 }' |
    sort >"$tmp/raw.triples"

decoded_total=$(awk '{ s += $2 } END { print s + 0 }' "$tmp/decoded.per-ip")
raw_total=$(awk '{ s += $2 } END { print s + 0 }' "$tmp/raw.per-ip")
echo "ssh_login failures: decoded $decoded_total, raw count $raw_total," \
     "source IPs: decoded $(grep -c '' "$tmp/decoded.per-ip"), raw $(grep -c '' "$tmp/raw.per-ip")"
[ "$raw_total" -gt 0 ] || bad "the raw count found no failures (wrong file?)"
if ! cmp -s "$tmp/decoded.per-ip" "$tmp/raw.per-ip"; then
    bad "per-IP counts differ (< decoded, > raw):"
    diff "$tmp/decoded.per-ip" "$tmp/raw.per-ip" | head -20
fi
if ! cmp -s "$tmp/decoded.triples" "$tmp/raw.triples"; then
    bad "(user, ip, port) of the attempts differ (< decoded, > raw):"
    diff "$tmp/decoded.triples" "$tmp/raw.triples" | head -20
fi

# ---- spot checks -------------------------------------------------------------------------------
# the user " 0101" (a leading space) fails once, with the port of its raw line
raw_0101=$(grep -c 'Failed password for invalid user  0101 from' "$LOG")
dec_0101=$(grep -c '^ 0101|' "$tmp/decoded.triples")
[ "$raw_0101" -ge 1 ] && [ "$dec_0101" -eq "$raw_0101" ] || bad "user ' 0101': decoded $dec_0101, raw $raw_0101"
# each "message repeated N times" line becomes N identical events with its user, ip and port
grep 'message repeated [0-9]* times: \[ Failed' "$LOG" | tr -d '\r' | while IFS= read -r line; do
    n=$(echo "$line" | sed -E 's/.*message repeated ([0-9]+) times.*/\1/')
    got=$(jq -r --arg o "$line" 'select(.event.original == $o and .event.action == "ssh_login")
                               | "\(.user.name)|\(.source.ip)|\(.source.port)"' "$tmp/events.json" | sort | uniq -c |
          awk '{ print $1, $2 }')
    want="$n $(echo "$line" | sed -E 's/.*Failed [^ ]+ for (invalid user )?(.*) from ([^ ]+) port ([0-9]+).*/\2|\3|\4/')"
    [ "$got" = "$want" ] || { echo "FAIL: repeated line gives '$got', expected '$want'"; echo x >>"$tmp/repeat-failed"; }
done
[ -f "$tmp/repeat-failed" ] && fail=1
# no PAM or Invalid-user line is an ssh_login event
others=$(jq -r 'select(.event.action == "ssh_login") | .message' "$tmp/events.json" | grep -vc '^\(Failed\|Accepted\) ')
[ "$others" -eq 0 ] || bad "$others ssh_login events come from lines other than Failed/Accepted"

echo "top 5 source IPs by ssh_login failures (decoded / raw):"
sort -k2,2nr -k1,1 "$tmp/decoded.per-ip" | head -5 | while read -r ip n; do
    echo "  $ip $n / $(awk -v ip="$ip" '$1 == ip { print $2 }' "$tmp/raw.per-ip")"
done
[ $fail -eq 0 ] && echo "openssh-failures: all checks agree"
exit $fail
