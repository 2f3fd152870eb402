#!/bin/sh
# bench-serve (called by bench/run.sh with BENCH_ONLY=serve, or alone: bench/bench-serve.sh
# BUILD): `vigil serve` end to end on loopback with the whole SigmaHQ corpus and the intel
# bench's 10 million generated indicators + the shared feeds, driven by bench/vigil-load.c.
#   inputs  TCP: bench/gen-scan.py's sshd log (BENCH_SCAN_MB, default 200 MB, 2% of the lines
#           from listed addresses; shared with bench-scan); HTTP: bench/gen-data.py's Sysmon
#           JSON with the SigmaHQ regression events mixed in (BENCH_SIGMA_MB, default 60 MB;
#           shared with bench-sigma); ECS (over HTTP): the first BENCH_SERVE_ECS_LINES (default
#           600,000) lines of the sshd log as `vigil decode` writes them, one ECS JSON object per
#           line, as a log shipper that parses sends them. The records are sent in order, again
#           from the first once the file is done.
#   runs    BENCH_SERVE_RUNS (default "tcp:always http:always http:interval ecs:always
#           tcp:always:R"): INPUT:SYNC[:RATE] (INPUT tcp, http or ecs); each run starts a fresh daemon (spool.sync SYNC, every other
#           option at its default), sends for BENCH_SERVE_SECONDS (default 60) at full speed
#           or at RATE records/s (R = BENCH_SERVE_RATE, default 50000: latency below
#           saturation), waits until everything received is stored, stops the daemon and
#           checks zero loss (bench/serve-run.py says how). Default: 5 x 60 s of load.
#   baseline `vigil scan --rules ... --intel ... -o none` on one pass over each input, in this
#           run, one process, its start (rules and snapshot, a scan of no record) subtracted.
# Prints per run: events/s end to end, the ratio to the baseline, latency from receipt to
# stored (p50, p99: the daemon's histogram of power-of-two ms buckets, interpolated; its last
# bound is 16.4 s) and from receipt to detection of the alerts (exact, from the store), the
# daemon's peak RSS, CPU (per thread) and peak spool bytes, and the CPU the load generator used. BENCH_SERVE_PERF=S samples the daemon with perf for S seconds in
# the middle of each run (reports in $BUILD/bench-data/serve/RUN/perf.txt).
# BENCH_SERVE_DETECTION adds options to the daemon's detection map (e.g. "batch: 4096");
# CONNS and BATCH set the load generator's connections (4) and records per write or request (1000).
# Each run's data directory (spool and store) is removed after its checks unless BENCH_SERVE_KEEP=1.
set -eu
BUILD=${1:-build-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SHARED=${VIGIL_SHARED:-$ROOT/../shared}
SIGMA="$SHARED/data/sigma"
SECS=${BENCH_SERVE_SECONDS:-60}
RATE=${BENCH_SERVE_RATE:-50000}
RUNS=${BENCH_SERVE_RUNS:-"tcp:always http:always http:interval ecs:always tcp:always:$RATE"}
INTEL_M=${BENCH_INTEL_M:-10}
DATA="$BUILD/bench-data"
IDATA="$DATA/intel-${INTEL_M}m"
SDATA="$DATA/serve"
RULES="$SIGMA/rules:$SIGMA/rules-emerging-threats:$SIGMA/rules-threat-hunting"
SCAN_RULES="--rules $SIGMA/rules --rules $SIGMA/rules-emerging-threats --rules $SIGMA/rules-threat-hunting"
export VIGIL_CACHE_DIR="$DATA/sigma-cache"     # compiled rule databases, shared with bench-sigma
mkdir -p "$SDATA"

# the inputs, generated as the other parts do (reused when they are there)
if [ ! -s "$IDATA/feeds.yml" ]; then
    python3 tests/data/intel-count.py "$SHARED/data/intel" "$DATA/shared-feeds.yml"
    python3 bench/gen-intel.py "$IDATA" "$DATA/shared-feeds.yml" "$INTEL_M"
fi
[ -s "$IDATA/store.vgi" ] || "$BUILD/vigil" intel compile -q -c "$IDATA/feeds.yml" -o "$IDATA/store.vgi" 2>/dev/null ||
    [ $? -eq 1 ]
SCAN_MB=${BENCH_SCAN_MB:-200}
TCP_IN="$DATA/scan-${SCAN_MB}mb/auth.log"
[ -s "$TCP_IN" ] || python3 bench/gen-scan.py "$IDATA" "$SHARED/data/intel" "$DATA/scan-${SCAN_MB}mb" "$SCAN_MB"
ECS_LINES=${BENCH_SERVE_ECS_LINES:-600000}
ECS_IN="$DATA/scan-${SCAN_MB}mb/ecs-$ECS_LINES.json"
[ -s "$ECS_IN" ] && [ "$ECS_IN" -nt "$TCP_IN" ] ||
    head -n "$ECS_LINES" "$TCP_IN" | "$BUILD/vigil" decode -q - > "$ECS_IN"
SIGMA_MB=${BENCH_SIGMA_MB:-60}
HTTP_IN="$DATA/sigma-mix-sysmon-${SIGMA_MB}mb.json"
if [ ! -s "$HTTP_IN" ]; then
    [ -s "$DATA/sysmon-${SIGMA_MB}mb.json" ] || python3 bench/gen-data.py sysmon "$DATA/sysmon-${SIGMA_MB}mb.json" "$SIGMA_MB"
    python3 bench/mix-regression.py "$SIGMA/regression" "$DATA/sysmon-${SIGMA_MB}mb.json" "$HTTP_IN"
fi

# time_scan OUT ARGS...: wall, user and system seconds and peak KB of a vigil scan (into OUT)
time_scan() {
    out=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$out" "$BUILD/vigil" scan $SCAN_RULES -i "$IDATA/store.vgi" --no-progress "$@" \
        >/dev/null 2>&1 || [ $? -eq 1 ]
}

# the baseline and the expected alerts of one pass over each input
"$BUILD/vigil" scan $SCAN_RULES -o none --no-progress /dev/null >/dev/null 2>&1 || true    # fill the rule cache
cat "$IDATA/store.vgi" > /dev/null
time_scan "$SDATA/scan-start.txt" -o none /dev/null
# input_of T: the file input T sends; transport_of T: how
input_of() { case $1 in tcp) echo "$TCP_IN" ;; http) echo "$HTTP_IN" ;; *) echo "$ECS_IN" ;; esac; }
transport_of() { case $1 in tcp) echo tcp ;; *) echo http ;; esac; }
for t in tcp http ecs; do
    in=$(input_of $t)
    cat "$in" > /dev/null
    [ -s "$SDATA/expected-$t.json" ] && [ "$SDATA/expected-$t.json" -nt "$in" ] ||
        "$BUILD/vigil" scan $SCAN_RULES -i "$IDATA/store.vgi" --no-progress -q "$in" > "$SDATA/expected-$t.json" 2>/dev/null ||
        [ $? -eq 1 ]
    passes=1
    [ $t != http ] || passes=${BENCH_SERVE_HTTP_PASSES:-10}     # the small HTTP input: several passes, one process
    time_scan "$SDATA/scan-$t.txt" -o none $(for i in $(seq $passes); do echo "$in"; done)
    echo "$(( $(wc -l < "$in") * passes ))" > "$SDATA/scan-$t.events"
done

# baseline T: events/s of vigil scan -o none on input T, its start (wall) subtracted
baseline() {
    awk -v n="$(cat "$SDATA/scan-$1.events")" 'NR == FNR { s0 = $1; next } { print n / ($1 - s0) }' \
        "$SDATA/scan-start.txt" "$SDATA/scan-$1.txt"
}

echo "machine: $(nproc) cores, $(sed -n 's/^model name\t*: //p' /proc/cpuinfo | head -n 1); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "== vigil serve end to end: $(echo "$RULES" | tr ':' '\n' | wc -l) Sigma rule trees, snapshot $IDATA/store.vgi ($(du -m "$IDATA/store.vgi" | cut -f1) MB)"
echo "   TCP input $TCP_IN ($(wc -l < "$TCP_IN") lines, $(wc -l < "$SDATA/expected-tcp.json") alerts in one pass)"
echo "   HTTP input $HTTP_IN ($(wc -l < "$HTTP_IN") lines, $(wc -l < "$SDATA/expected-http.json") alerts in one pass)"
echo "   ECS input (over HTTP) $ECS_IN ($(wc -l < "$ECS_IN") lines, $(wc -l < "$SDATA/expected-ecs.json") alerts in one pass)"
[ -z "${BENCH_SERVE_DETECTION:-}" ] || echo "   daemon: detection: {${BENCH_SERVE_DETECTION}} (not the default)"
echo "   load: bench/vigil-load, ${CONNS:-4} connections, ${BATCH:-1000} records per write or request; ${SECS} s per run"
echo "   load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
for t in tcp http ecs; do
    awk -v t=$t -v n="$(cat "$SDATA/scan-$t.events")" 'NR == FNR { s0 = $1; c0 = $2 + $3; next } {
        w = $1 - s0; printf "  baseline %-4s vigil scan -o none, %d events: %6.2f s (start %.2f s subtracted) %9.0f events/s, %.2f us CPU/event, %d MB peak\n",
            t, n, w, s0, n / w, ($2 + $3 - c0) * 1e6 / n, $4 / 1024 }' "$SDATA/scan-start.txt" "$SDATA/scan-$t.txt"
done

status=0
for spec in $RUNS; do
    t=${spec%%:*} rest=${spec#*:}
    sync=${rest%%:*} rate=0
    [ "$rest" = "$sync" ] || rate=${rest#*:}
    in=$(input_of $t)
    name="$t-$sync-$rate"
    rm -rf "${SDATA:?}/$name"
    load0=$(cut -d' ' -f1 /proc/loadavg)
    RATE=$rate DETECTION=${BENCH_SERVE_DETECTION:-} python3 bench/serve-run.py "$BUILD/vigil" "$BUILD/bench/vigil-load" "$SDATA/$name" "$(transport_of $t)" "$sync" "$SECS" \
        "$in" "$SDATA/expected-$t.json" "$RULES" "$IDATA/store.vgi" "${BENCH_SERVE_PERF:-0}" > "$SDATA/$name.txt" || status=1
    [ -n "${BENCH_SERVE_KEEP:-}" ] || rm -rf "${SDATA:?}/$name/data"    # the spool and the store (GBs)
    [ -s "$SDATA/$name/perf.data" ] && perf report -i "$SDATA/$name/perf.data" --no-children --sort pid,dso,sym --stdio \
        -g none > "$SDATA/$name/perf.txt" 2>/dev/null
    if [ "$rate" = 0 ]; then what="full speed"; else what="at $rate/s"; fi
    echo "-- $t, spool.sync $sync, $what (load average $load0 -> $(cut -d' ' -f1 /proc/loadavg))"
    awk -v base="$(baseline $t)" '
        function ms(x) { return x + 0 >= 16384 ? "> 16384" : sprintf("%.0f", x) }
        /^FAIL/ { fails = fails "  " $0 "\n"; next }
        { for (i = 1; i <= NF; i++) { k = index($i, "="); v[substr($i, 1, k - 1)] = substr($i, k + 1) } }
        END {
            printf "  sent %d records in %.1f s (%.0f/s; %d HTTP 503 answers); stored all %d in %.1f s: %.0f events/s end to end, %.2fx the baseline\n",
                v["sent"], v["load_seconds"], v["sent_rate"], v["busy"], v["stored_seq"], v["e2e_seconds"], v["e2e_rate"], v["e2e_rate"] / base
            printf "  zero loss: received %d = sent %d, stored through %d; alerts %d, vigil scan expects %d\n",
                v["received"], v["sent"], v["stored_seq"], v["alerts"], v["expected_alerts"]
            printf "  latency receipt -> stored (histogram): p50 %s ms, p99 %s ms, mean %.0f ms; receipt -> detected (alerts, exact): p50 %.0f ms, p99 %.0f ms\n",
                ms(v["lat_p50_ms"]), ms(v["lat_p99_ms"]), v["lat_mean_ms"], v["alert_p50_ms"], v["alert_p99_ms"]
            printf "  daemon: %.1f CPU s (%.2f us/event; busiest threads, CPU s: %s), peak RSS %d MB, spool peak %.0f MB; load generator: %.1f CPU s\n",
                v["daemon_cpu"], v["daemon_cpu"] * 1e6 / v["sent"], v["threads_cpu"], v["hwm_mb"], v["spool_peak_mb"], v["load_cpu"]
            printf "  store writer: %d batches in %d commits (%.1f per commit)\n", v["batches"], v["commits"], v["batches"] / (v["commits"] ? v["commits"] : 1)
            printf "%s", fails
        }' "$SDATA/$name.txt"
done
exit $status
