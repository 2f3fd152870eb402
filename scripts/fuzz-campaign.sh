#!/bin/sh
# Runs libFuzzer targets for a fixed time each and records what they did.
#   scripts/fuzz-campaign.sh SECONDS [TARGET...]     (default: every fuzz/fuzz-*.c)
# Builds with `make fuzz`, runs each target on a working copy of its corpus (new inputs are
# merged back into fuzz/corpus/TARGET only when FUZZ_MERGE=1), copies any crasher into
# fuzz/regressions/TARGET/ and appends one line per run to fuzz/CAMPAIGNS.log:
#   DATE COMMIT TARGET SECONDS EXECS COVERAGE RESULT
set -u
secs=${1:?usage: fuzz-campaign.sh SECONDS [TARGET...]}
shift
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- $(ls fuzz/fuzz-*.c | sed 's|fuzz/||; s|\.c$||')
srcs=""
for t in "$@"; do srcs="$srcs fuzz/$t.c"; done
make --no-print-directory fuzz FUZZ_SRC="$srcs" >/dev/null || exit 2
status=0
for t in "$@"; do
    work="build/fuzz-work/$t"
    mkdir -p "$work/corpus" "$work/artifacts" "fuzz/regressions/$t"
    [ -d "fuzz/corpus/$t" ] && cp fuzz/corpus/"$t"/* "$work/corpus/" 2>/dev/null   # the seeds as committed (a format change replaces them)
    echo "fuzz: $t for ${secs}s" >&2
    build/fuzz/"$t" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -n 1 | cut -d' ' -f2)
    result=ok
    if [ $rc -ne 0 ]; then
        result="FOUND (exit $rc)"
        status=1
        for a in "$work"/artifacts/*; do [ -f "$a" ] && cp "$a" "fuzz/regressions/$t/"; done
        grep -m 5 'ERROR\|SUMMARY\|runtime error' "$work/log" >&2
    fi
    commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
    [ -z "$(git status --porcelain -- src 'fuzz/*.c' 'fuzz/*.h' 2>/dev/null)" ] || commit="$commit+changes"
    line="$(date -u +%Y-%m-%dT%H:%MZ) $commit $t ${secs}s execs=${execs:-?} cov=${cov:-?} $result"
    echo "$line" | tee -a fuzz/CAMPAIGNS.log >&2
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
        mkdir -p "fuzz/corpus/$t"
        build/fuzz/"$t" -merge=1 "fuzz/corpus/$t" "$work/corpus" >/dev/null 2>&1
    fi
done
exit $status
