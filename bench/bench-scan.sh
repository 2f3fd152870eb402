#!/bin/sh
# bench-scan: `vigil scan --intel` over a large log file against `grep -F -f` given the same
# indicators as a literal list, on the same file, in the same run (called by bench/run.sh).
#   bench/bench-scan.sh BUILD DATA IDATA
# IDATA holds the generated feeds and the compiled snapshot (store.vgi) of the intel bench.
# Input: bench/gen-scan.py writes literals.txt (every indicator as its feed writes it) and
# auth.log (BENCH_SCAN_MB, default 200 MB of sshd lines, 2% of them from listed addresses).
# Prints wall time (best of 3 for vigil; grep runs once, it is slow), MB/s, events/s, peak
# memory, the ratio grep / vigil, and vigil's matching cost per event (scan - decode).
set -eu
BUILD=$1 DATA=$2 IDATA=$3
MB=${BENCH_SCAN_MB:-200}
SHARED=${VIGIL_SHARED:-$(cd "$(dirname "$0")/.." && pwd)/../shared}
SDATA="$DATA/scan-${MB}mb"
if [ ! -s "$SDATA/auth.log" ]; then
    python3 bench/gen-scan.py "$IDATA" "$SHARED/data/intel" "$SDATA" "$MB"
fi
LOG="$SDATA/auth.log"
bytes=$(stat -L -c %s "$LOG")     # -L: the log may be a link to shared data
lines=$(wc -l < "$LOG")
literals=$(wc -l < "$SDATA/literals.txt")
echo "== vigil scan --intel against grep -F -f: $LOG ($bytes bytes, $lines lines), $literals literals"
cat "$LOG" "$IDATA/store.vgi" > /dev/null     # warm the page cache

# run KEY NAME command...: wall microseconds (best of $RUNS, kept in $SDATA/us-KEY) and peak KB
run() {
    key=$1 name=$2; shift 2
    best=""
    for i in $(seq "$RUNS"); do
        t0=$(date +%s%N)
        /usr/bin/time -f %M -o "$SDATA/mem" "$@" >/dev/null 2>"$SDATA/err" || [ $? -le 1 ]
        t1=$(date +%s%N)
        t=$(( (t1 - t0) / 1000 ))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    mem=$(tail -n 1 "$SDATA/mem")
    awk -v n="$name" -v b="$bytes" -v us="$best" -v ev="$lines" -v kb="$mem" 'BEGIN {
        s = us / 1e6; printf "  %-40s %8.2f s %8.1f MB/s %11.0f lines/s %8.0f MB peak\n", n, s, b / s / 1e6, ev / s, kb / 1024 }'
    echo "$best" > "$SDATA/us-$key"
}
RUNS=3
run decode "vigil decode -o none" "$BUILD/vigil" decode -o none -q --year 2026 "$LOG"
run scan "vigil scan --intel -o none" "$BUILD/vigil" scan -i "$IDATA/store.vgi" -o none -q --no-progress --year 2026 "$LOG"
run alerts "vigil scan --intel (alerts as JSON)" "$BUILD/vigil" scan -i "$IDATA/store.vgi" -q --no-progress --year 2026 "$LOG"
alerts=$("$BUILD/vigil" scan -i "$IDATA/store.vgi" -q --no-progress --year 2026 "$LOG" 2>/dev/null | wc -l)
RUNS=1
run setup "grep -F -f literals (setup only: empty file)" grep -F -f "$SDATA/literals.txt" /dev/null
run grep "grep -F -f literals" grep -F -f "$SDATA/literals.txt" "$LOG"
matches=$(grep -F -c -f "$SDATA/literals.txt" "$LOG" || true)
us() { cat "$SDATA/us-$1"; }
awk -v d="$(us decode)" -v n="$(us scan)" -v j="$(us alerts)" -v g="$(us grep)" -v gs="$(us setup)" -v ev="$lines" \
    -v a="$alerts" -v m="$matches" 'BEGIN {
    printf "  vigil: %d alerts (one per indicator hit, with provenance); grep: %d matching lines (substring matches)\n", a, m
    printf "  ratio: vigil scan (alerts as JSON) is %.1fx faster than grep -F -f\n", g / j
    if (g - gs > 0.05 * g)
        printf "  (%.1fx counting only the part of grep'"'"'s time after its pattern setup)\n", (g - gs) / j
    else
        printf "  (grep'"'"'s time is almost all the setup of its %s patterns: an empty file took %.0f s)\n", "literal", gs / 1e6
    printf "  matching cost per event: %.0f ns (scan -o none minus decode -o none, over %d events)\n", (n - d) * 1000 / ev, ev
}'
