#!/bin/sh
# bench-sigma (called by bench/run.sh, or alone: bench/bench-sigma.sh BUILD): the Sigma engine
# with the whole SigmaHQ corpus (rules, rules-emerging-threats, rules-threat-hunting):
#   - rule-set load and prefilter build time, cold (no database cache: every Hyperscan database
#     compiled) and cached (a second start with the same rules);
#   - events/s per core on Sysmon-style JSON, one thread, alerts counted not printed: the CPU
#     time (user + system) of the process, the start's (a scan of no event) subtracted, best of
#     3, for two streams of BENCH_SIGMA_MB (default 60) each, read BENCH_SIGMA_PASSES times
#     (default 4) in one run, both with the SigmaHQ regression events spread through them:
#       benign  bench/gen-data.py sysmon: coherent office workstation activity (the issue's
#               "large generated benign stream"; no rule fires on it);
#       noisy   bench/gen-data.py sysmon-noisy: images, parents and command lines mixed at random,
#               so that about nine events in ten make a rule fire (a stress case);
#   - the same events through `vigil decode -o none` (detection cost as a ratio to parsing);
#   - the reference path (--reference, no prefilter) on the first 2,000 noisy events, its rate
#     compared with the prefilter's on the whole noisy stream.
set -eu
BUILD=${1:-build-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SHARED=${VIGIL_SHARED:-$ROOT/../shared}
SIGMA="$SHARED/data/sigma"
MB=${BENCH_SIGMA_MB:-60}
DATA="$BUILD/bench-data"
mkdir -p "$DATA"
RULES="--rules $SIGMA/rules --rules $SIGMA/rules-emerging-threats --rules $SIGMA/rules-threat-hunting"
PASSES=${BENCH_SIGMA_PASSES:-4}
now() { date +%s%N; }

# the CPU time (user + system) of one run of a command, in microseconds: what the command cost
# one core, which a shared machine disturbs less than the time on the clock
cpu() {
    python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(int((r.ru_utime + r.ru_stime) * 1e6))' "$@"
}

# best of 3 runs of a command: its CPU time in microseconds
best3() {
    b=""
    for i in 1 2 3; do
        t=$(cpu "$@"); if [ -z "$b" ] || [ "$t" -lt "$b" ]; then b=$t; fi
    done
    echo "$b"
}

echo "== Sigma engine: $(ls "$SIGMA"/rules* -d | wc -l) rule trees"
cache="$DATA/sigma-cache"
rm -rf "$cache"
t0=$(now); VIGIL_CACHE_DIR= "$BUILD/vigil" scan $RULES -o none --no-progress /dev/null 2>"$DATA/sigma-load.txt" || true; t1=$(now)
cold=$(( (t1 - t0) / 1000 ))
VIGIL_CACHE_DIR="$cache" "$BUILD/vigil" scan $RULES -o none --no-progress /dev/null 2>/dev/null || true
export VIGIL_CACHE_DIR="$cache"
load=$(best3 "$BUILD/vigil" scan $RULES -o none --no-progress /dev/null)
load_ref=$(best3 "$BUILD/vigil" scan $RULES -o none --no-progress --reference /dev/null)
sed -n 's/^vigil scan: rules: prefilter:/  prefilter:/p' "$DATA/sigma-load.txt"
awk -v c="$cold" -v l="$load" -v r="$load_ref" 'BEGIN {
    printf "  start (rules loaded, prefilter built): cold %.2f s (clock), cached %.2f s CPU (of which rule files %.2f s)\n",
           c / 1e6, l / 1e6, r / 1e6 }'

for stream in sysmon sysmon-noisy; do
    GEN="$DATA/$stream-${MB}mb.json"
    MIX="$DATA/sigma-mix-$stream-${MB}mb.json"
    [ -s "$GEN" ] || python3 bench/gen-data.py "$stream" "$GEN" "$MB" >/dev/null
    [ -s "$MIX" ] || python3 bench/mix-regression.py "$SIGMA/regression" "$GEN" "$MIX"
    events=$(( $(wc -l <"$MIX") * PASSES ))
    cat "$MIX" >/dev/null
    inputs=$(for i in $(seq "$PASSES"); do printf '%s ' "$MIX"; done)
    echo "== $stream + regression events: $MIX, read $PASSES times ($events events)"
    "$BUILD/vigil" scan $RULES -o none --no-progress "$MIX" 2>"$DATA/sigma-scan.txt" || true
    grep 'rule evaluations\|places scanned' "$DATA/sigma-scan.txt" | sed 's/^vigil scan: rules: /  /'
    scan=$(best3 "$BUILD/vigil" scan $RULES -o none --no-progress $inputs)
    dec=$(best3 "$BUILD/vigil" decode -o none -q $inputs)
    dec0=$(best3 "$BUILD/vigil" decode -o none -q /dev/null)
    awk -v s="$scan" -v l="$load" -v d="$dec" -v d0="$dec0" -v ev="$events" 'BEGIN {
        m = (s - l) / 1e6; p = (d - d0) / 1e6
        printf "  scan with rules (CPU, best of 3, start subtracted) %7.2f s %10.0f events/s %6.2f us/event\n", m, ev / m, m * 1e6 / ev
        printf "  vigil decode -o none (CPU, best of 3, start subtr.) %7.2f s %10.0f events/s %6.2f us/event\n", p, ev / p, p * 1e6 / ev
        printf "  ratio: detection adds %.1fx the parse time (scan takes %.1fx decode)\n", (m - p) / p, m / p }'
    if [ "$stream" = sysmon-noisy ]; then
        head -n 2000 "$MIX" >"$DATA/sigma-mix-2k.json"
        ref=$(( $(cpu "$BUILD/vigil" scan $RULES -o none --no-progress --reference "$DATA/sigma-mix-2k.json") - load_ref ))
        awk -v r="$ref" -v s="$scan" -v l="$load" -v ev="$events" 'BEGIN {
            pr = ev / ((s - l) / 1e6); rr = 2000 / (r / 1e6)
            printf "  reference path (--reference), first 2000 events: %.2f s, %.0f events/s; the prefilter'"'"'s rate above is %.0fx that\n",
                   r / 1e6, rr, pr / rr }'
    fi
done
