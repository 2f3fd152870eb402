#!/bin/sh
# bench-sigma (called by bench/run.sh, or alone: bench/bench-sigma.sh BUILD): the Sigma engine
# with the whole SigmaHQ corpus (rules, rules-emerging-threats, rules-threat-hunting):
#   - rule-set load and prefilter build time (cold: the Hyperscan databases are compiled at
#     every start; no cache yet);
#   - events/s on Sysmon-style JSON: BENCH_SIGMA_MB (default 20) of bench/gen-data.py sysmon with
#     the SigmaHQ regression events mixed in, one thread, alerts counted not printed;
#     the load time (a scan of no event) is subtracted;
#   - the same events through `vigil decode -o none` (the detection cost as a ratio);
#   - the reference path (--reference, no prefilter) on the first 2,000 events, for the before.
set -eu
BUILD=${1:-build-bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SHARED=${VIGIL_SHARED:-$ROOT/../shared}
SIGMA="$SHARED/data/sigma"
MB=${BENCH_SIGMA_MB:-20}
DATA="$BUILD/bench-data"
mkdir -p "$DATA"
GEN="$DATA/sysmon-${MB}mb.json"
MIX="$DATA/sigma-mix-${MB}mb.json"
[ -s "$GEN" ] || python3 bench/gen-data.py sysmon "$GEN" "$MB" >/dev/null
if [ ! -s "$MIX" ]; then
    # every regression event record (pretty-printed JSON files, compacted one per line), spread
    # evenly through the generated stream
    python3 - "$SIGMA/regression" "$GEN" "$MIX" <<'PY'
import json, pathlib, sys
reg = []
for f in sorted(pathlib.Path(sys.argv[1]).rglob("*.json")):
    text = f.read_text(encoding="utf-8", errors="replace")
    docs, i, dec = [], 0, json.JSONDecoder()
    while True:   # one or more concatenated JSON texts
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        d, i = dec.raw_decode(text, i)
        docs.append(d)
    for d in docs:
        reg.extend(d if isinstance(d, list) else [d])
gen = open(sys.argv[2], encoding="utf-8").read().splitlines()
step = max(1, len(gen) // (len(reg) + 1))
with open(sys.argv[3], "w", encoding="utf-8") as out:
    k = 0
    for i, line in enumerate(gen, 1):
        out.write(line + "\n")
        if i % step == 0 and k < len(reg):
            out.write(json.dumps(reg[k], ensure_ascii=False) + "\n")
            k += 1
    for r in reg[k:]:
        out.write(json.dumps(r, ensure_ascii=False) + "\n")
PY
fi
head -n 2000 "$MIX" >"$DATA/sigma-mix-2k.json"
events=$(wc -l <"$MIX")
RULES="--rules $SIGMA/rules --rules $SIGMA/rules-emerging-threats --rules $SIGMA/rules-threat-hunting"
now() { date +%s%N; }
echo "== Sigma engine: $(ls "$SIGMA"/rules* -d | wc -l) rule trees, $MIX ($events events)"
cat "$MIX" >/dev/null
t0=$(now); "$BUILD/vigil" scan $RULES -o none --no-progress /dev/null 2>"$DATA/sigma-load.txt" || true; t1=$(now)
load=$(( (t1 - t0) / 1000 ))
sed -n 's/^vigil scan: rules: prefilter:/  prefilter:/p' "$DATA/sigma-load.txt"
t0=$(now); "$BUILD/vigil" scan $RULES -o none --no-progress --reference /dev/null 2>/dev/null || true; t1=$(now)
load_ref=$(( (t1 - t0) / 1000 ))
echo "  load + build: $(awk -v a="$load" -v b="$load_ref" 'BEGIN { printf "%.2f s: rules %.2f s, prefilter build (cold, no cache) %.2f s", a / 1e6, b / 1e6, (a - b) / 1e6 }')"
best=""
for i in 1 2 3; do
    t0=$(now); "$BUILD/vigil" scan $RULES -o none --no-progress "$MIX" 2>"$DATA/sigma-scan.txt" || true; t1=$(now)
    t=$(( (t1 - t0) / 1000 )); if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
done
bestd=""
for i in 1 2 3; do
    t0=$(now); "$BUILD/vigil" decode -o none -q "$MIX" || true; t1=$(now)
    t=$(( (t1 - t0) / 1000 )); if [ -z "$bestd" ] || [ "$t" -lt "$bestd" ]; then bestd=$t; fi
done
t0=$(now); "$BUILD/vigil" scan $RULES -o none --no-progress --reference "$DATA/sigma-mix-2k.json" 2>/dev/null || true; t1=$(now)
ref=$(( (t1 - t0) / 1000 - load_ref ))
grep 'rule evaluations\|places scanned' "$DATA/sigma-scan.txt" | sed 's/^vigil scan: rules: /  /'
awk -v s="$best" -v l="$load" -v d="$bestd" -v ev="$events" -v r="$ref" 'BEGIN {
    m = (s - l) / 1e6
    printf "  scan with rules (best of 3, load subtracted) %8.2f s %10.0f events/s\n", m, ev / m
    printf "  vigil decode -o none (best of 3)             %8.2f s %10.0f events/s\n", d / 1e6, ev / (d / 1e6)
    printf "  reference path, first 2000 events            %8.2f s %10.0f events/s\n", r / 1e6, 2000 / (r / 1e6)
    printf "  ratio: scan with rules takes %.1fx the time of decode; prefilter %.0fx faster than the reference\n",
           m / (d / 1e6), (ev / m) / (2000 / (r / 1e6)) }'
