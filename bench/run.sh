#!/bin/sh
# make bench: decode throughput and indicator-store speed of Vigil against baselines measured
# in the same run.
#   1. in memory (bench-decode): line split, JSON scan only, JSON scan + normalize, syslog decode
#   2. whole program on the same files (page cache warm): vigil decode -o none, jq -c ., wc -l
#   3. the indicator store (bench-intel): BENCH_INTEL_M (default 10) million generated
#      indicators as feed text (bench/gen-intel.py) plus the real shared feeds: compile time,
#      open time, snapshot bytes against source text bytes, lookups per type (single and
#      batched) against a hash-the-key loop and, for IPv4, a binary search.
# Prints MB/s and events/s and the ratios. Sizes: BENCH_JSON_MB (default 200), BENCH_SYSLOG_MB
# (default 100). Data is generated into $BUILD/bench-data (not committed). BENCH_ONLY=intel,
# BENCH_ONLY=decode, BENCH_ONLY=scan or BENCH_ONLY=sigma runs one part.
#   4. vigil scan --intel against grep -F -f on a large generated sshd log (bench/bench-scan.sh).
#   5. the Sigma engine with the SigmaHQ corpus (bench/bench-sigma.sh).
#   6. the daemon's store (bench-store): alerts/s of vg_store_commit in batches of 1,000 against
#      plain INSERTs into an unindexed table in the same run (BENCH_ONLY=store runs only this).
#   7. the daemon end to end (bench/bench-serve.sh, BENCH_ONLY=serve alone): vigil serve with the
#      whole SigmaHQ corpus and the 10 M indicators of part 3, fed over TCP and HTTP by
#      bench/vigil-load for BENCH_SERVE_SECONDS (default 60) per run, 5 runs (TCP and HTTP at
#      full speed with spool.sync always, HTTP with interval, ECS JSON over HTTP, TCP at a
#      fixed rate for latency):
#      events/s end to end against vigil scan on the same records, zero loss checked, latency
#      p50/p99, peak RSS, spool bytes, the load generator's CPU.
set -eu
BUILD=${1:-build-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ "${BENCH_ONLY:-}" = sigma ]; then exec bench/bench-sigma.sh "$BUILD"; fi
if [ "${BENCH_ONLY:-}" = serve ]; then exec bench/bench-serve.sh "$BUILD"; fi
bench_store() {
    echo "== the daemon's store (bench-store; the file lives in $BUILD/bench-data)"
    mkdir -p "$BUILD/bench-data"
    "$BUILD/bench/bench-store" "$BUILD/bench-data" 200 1000
    rm -f "$BUILD"/bench-data/bench-store.db* "$BUILD"/bench-data/bench-baseline.db*
}
if [ "${BENCH_ONLY:-}" = store ]; then bench_store; exit 0; fi
JSON_MB=${BENCH_JSON_MB:-200}
SYSLOG_MB=${BENCH_SYSLOG_MB:-100}
DATA="$BUILD/bench-data"
mkdir -p "$DATA"
JSON="$DATA/sysmon-${JSON_MB}mb.json"
SYSLOG="$DATA/syslog-${SYSLOG_MB}mb.log"
if [ "${BENCH_ONLY:-}" != intel ] && [ "${BENCH_ONLY:-}" != scan ]; then
    [ -s "$JSON" ] || python3 bench/gen-data.py sysmon "$JSON" "$JSON_MB"
    [ -s "$SYSLOG" ] || python3 bench/gen-data.py syslog "$SYSLOG" "$SYSLOG_MB"
fi

echo "machine: $(nproc) cores, $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -n 1)"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- src bench 2>/dev/null)" ] || commit="$commit (with uncommitted changes)"
echo "commit:  $commit"
echo "build:   the same flags as \`make\` (-O2 -g), so the figures are those of the shipped binary"
echo

# seconds (fractional) that a command takes, best of 3, output discarded
best_of_3() {
    best=""
    for i in 1 2 3; do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        t=$(( (t1 - t0) / 1000 ))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    echo "$best"    # microseconds
}

report() {  # name file_bytes microseconds events
    awk -v n="$1" -v b="$2" -v us="$3" -v ev="$4" 'BEGIN {
        s = us / 1e6; printf "  %-28s %8.2f s %9.1f MB/s %12.0f events/s\n", n, s, b / s / 1e6, ev / s }'
}

set -- json syslog
case "${BENCH_ONLY:-}" in intel|scan) set -- ;; esac
for kind in "$@"; do
    if [ $kind = json ]; then f=$JSON; else f=$SYSLOG; fi
    bytes=$(stat -L -c %s "$f")
    lines=$(wc -l < "$f")
    echo "== $kind: $f ($bytes bytes, $lines records)"
    echo "-- in memory (bench-decode, best of 5)"
    "$BUILD/bench/bench-decode" $kind "$f" 5 | tee "$DATA/$kind-mem.txt" | awk '{
        printf "  %-28s %9.1f MB/s %12.0f events/s  (%d events, %d rejected)\n", $2, $3, $4, $5, $6 }'
    echo "-- whole programs on the same file (best of 3)"
    cat "$f" > /dev/null    # warm the page cache
    us_vigil=$(best_of_3 "$BUILD/vigil" decode -o none -q "$f")
    us_print=$(best_of_3 "$BUILD/vigil" decode -q "$f")
    us_wc=$(best_of_3 wc -l "$f")
    report "vigil decode -o none" "$bytes" "$us_vigil" "$lines"
    report "vigil decode (printing)" "$bytes" "$us_print" "$lines"
    report "wc -l" "$bytes" "$us_wc" "$lines"
    if [ $kind = json ]; then
        us_jq=$(best_of_3 jq -c . "$f")
        report "jq -c ." "$bytes" "$us_jq" "$lines"
        awk -v v="$us_vigil" -v j="$us_jq" -v w="$us_wc" 'BEGIN {
            printf "  ratio: vigil decode -o none is %.1fx faster than jq -c .; takes %.1fx the time of wc -l\n", j / v, v / w }'
        awk -v p="$us_print" -v j="$us_jq" 'BEGIN { printf "  ratio: vigil decode printing normalized JSON is %.1fx faster than jq -c .\n", j / p }'
        awk '$2 == "json-scan" { s = $3 } $2 == "json-decode" { d = $3 } $2 == "split-lines" { l = $3 }
             END { printf "  ratio: in memory, scan %.0f MB/s = %.2f GB/s; normalize adds %.0f%% to the scan\n", s, s / 1000, (s / d - 1) * 100 }' "$DATA/$kind-mem.txt"
    else
        awk -v v="$us_vigil" -v w="$us_wc" 'BEGIN { printf "  ratio: vigil decode takes %.1fx the time of wc -l\n", v / w }'
    fi
    echo
done

[ "${BENCH_ONLY:-}" = decode ] && exit 0   # (scan needs the intel data below)
INTEL_M=${BENCH_INTEL_M:-10}
SHARED=${VIGIL_SHARED:-$ROOT/../shared}
IDATA="$DATA/intel-${INTEL_M}m"
if [ ! -s "$IDATA/feeds.yml" ]; then
    echo "generating $INTEL_M million indicators as feed text into $IDATA ..."
    python3 tests/data/intel-count.py "$SHARED/data/intel" "$DATA/shared-feeds.yml"
    python3 bench/gen-intel.py "$IDATA" "$DATA/shared-feeds.yml" "$INTEL_M"
fi
echo "== indicator store: $INTEL_M million generated indicators + the shared feeds ($SHARED/data/intel)"
t0=$(date +%s%N)
"$BUILD/vigil" intel compile -q -c "$IDATA/feeds.yml" -o "$IDATA/store.vgi" 2>/dev/null || [ $? -eq 1 ]
t1=$(date +%s%N)
gen_bytes=$(cat "$IDATA"/ipsum.txt "$IDATA"/*.netset "$IDATA"/trails/*.txt "$IDATA"/malwarebazaar.csv | wc -c)
shared_bytes=$(du -sb "$SHARED/data/intel" | cut -f1)
"$BUILD/bench/bench-intel" "$IDATA/store.vgi" "$IDATA" > "$DATA/intel.txt"
awk -v c="$(( (t1 - t0) / 1000000 ))" -v g="$gen_bytes" -v sh="$shared_bytes" '
    $1 == "open" {
        printf "  compile                 %8.1f s (%d indicators)\n", c / 1000, $6
        printf "  open (load)             %8.1f us; with VG_SNAP_VERIFY (SHA-256 + every offset) %.2f s\n", $2 * 1e6, $4
        printf "  snapshot                %8.1f MB for %.1f MB of feed text (%.1f generated + %.1f shared): ratio %.2f, %.1f bytes per indicator\n",
               $8 / 1e6, (g + sh) / 1e6, g / 1e6, sh / 1e6, $8 / (g + sh), $8 / $6
        next }
    $1 == "pages" {
        if ($3 >= 0)
            printf "  page cache: %.1f of %.1f MB resident mapped with 2 MiB pages (lookups that miss the caches walk fewer page tables; compare snapshots in the same state)\n", $3 * 1024 / 1e6, $2 * 1024 / 1e6
        printf "  lookups: ns per lookup (best of 3 passes); x = ratio to the hash-the-key baseline of the same run\n"
        printf "  mix = 10%% stored values, 90%% benign values drawn with repetition; uniform = random values (misses)\n"
        printf "  %-15s %-8s %7s %7s %9s %9s %8s %8s %8s %10s\n", "type", "set", "queries", "hits", "single", "batched", "hash", "x single", "x batch", "bsearch"
        next }
    { printf "  %-15s %-8s %7d %7d %9.1f %9.1f %8.1f %8.2f %8.2f", $1, $2, $3, $4, $5, $6, $7, $5 / $7, $6 / $7
      if (NF > 7) printf " %10.1f", $8
      printf "\n" }' "$DATA/intel.txt"

# 4. vigil scan --intel over a large log against grep -F -f with the same indicators
[ "${BENCH_ONLY:-}" = intel ] && exit 0
echo
sh bench/bench-scan.sh "$BUILD" "$DATA" "$IDATA"
[ "${BENCH_ONLY:-}" = scan ] && exit 0
echo
bench/bench-sigma.sh "$BUILD"
echo
bench_store
echo
bench/bench-serve.sh "$BUILD"
