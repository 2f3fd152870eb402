#!/bin/sh
# Runs every test of Vigil against the build in directory $1 (default: build):
#   1. cmocka unit tests       ($BUILD/tests/test-*)
#   2. end-to-end cases        (tests/e2e/cases/*: the vigil binary on files, expected output;
#                               $VIGIL_TOOLS holds the test tools built from tests/tools)
#   3. checks on shared data   (tests/data/*.sh: real logs and events from ../shared/data)
#   4. fuzz regressions        (every file under fuzz/corpus/T and fuzz/regressions/T through
#                               the replay build of fuzz target T, under the sanitizers)
# Ends with one line "N passed, N failed"; exits non-zero if anything failed.
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
export VIGIL="$ROOT/$BUILD/vigil"
export VIGIL_TOOLS="$ROOT/$BUILD/tools"
export SHARED="${VIGIL_SHARED:-$ROOT/../shared}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
passed=0
failed=0
failures=""
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

note_fail() { failed=$((failed + 1)); failures="$failures\n  $1"; }

echo "== unit tests"
for t in "$BUILD"/tests/test-*; do
    [ -x "$t" ] || continue
    [ "${t%.d}" = "$t" ] || continue
    CMOCKA_MESSAGE_OUTPUT=stdout "$t" >"$tmp/out" 2>&1
    rc=$?
    cat "$tmp/out"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$tmp/out" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' "$tmp/out" | tail -n 1)
    passed=$((passed + ${p:-0}))
    if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
        note_fail "$(basename "$t") (exit $rc: crashed or sanitizer report)"
    elif [ -n "$f" ]; then
        failed=$((failed + f))
        failures="$failures\n  $(basename "$t"): $f failed"
    fi
done

echo "== end-to-end cases"
for c in tests/e2e/cases/*/; do
    [ -f "$c/cmd" ] || continue
    name=$(basename "$c")
    want_status=0
    [ -f "$c/status" ] && want_status=$(cat "$c/status")
    (cd "$c" && sh ./cmd) >"$tmp/stdout" 2>"$tmp/stderr"
    status=$?
    ok=1
    [ "$status" -eq "$want_status" ] || { ok=0; echo "  $name: exit status $status, expected $want_status"; }
    if [ -f "$c/expected" ] && ! cmp -s "$tmp/stdout" "$c/expected"; then
        ok=0; echo "  $name: stdout differs:"; diff "$c/expected" "$tmp/stdout" | head -20
    fi
    if [ -f "$c/expected-stderr" ] && ! cmp -s "$tmp/stderr" "$c/expected-stderr"; then
        ok=0; echo "  $name: stderr differs:"; diff "$c/expected-stderr" "$tmp/stderr" | head -20
    fi
    if grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$tmp/stderr"; then
        ok=0; echo "  $name: sanitizer report:"; head -30 "$tmp/stderr"
    fi
    if [ $ok -eq 1 ]; then passed=$((passed + 1)); echo "  ok   $name"; else note_fail "e2e $name"; fi
done

echo "== checks on shared data ($SHARED/data)"
if [ -d "$SHARED/data" ]; then
    for s in tests/data/*.sh; do
        [ -f "$s" ] || continue
        if sh "$s" >"$tmp/out" 2>&1; then
            passed=$((passed + 1)); echo "  ok   $(basename "$s")"; sed 's/^/       /' "$tmp/out" | tail -5
        else
            note_fail "data $(basename "$s")"; echo "  FAIL $(basename "$s")"; sed 's/^/       /' "$tmp/out" | tail -30
        fi
    done
else
    note_fail "shared data not found at $SHARED/data (set VIGIL_SHARED)"
fi

echo "== fuzz regressions (corpus and kept crashers, replayed under the sanitizers)"
for r in "$BUILD"/fuzz-replay/*; do
    [ -x "$r" ] || continue
    t=$(basename "$r")
    set --
    for d in fuzz/corpus/"$t" fuzz/regressions/"$t"; do [ -d "$d" ] && set -- "$@" "$d"; done
    if [ $# -eq 0 ]; then note_fail "fuzz $t: no corpus"; continue; fi
    if "$r" "$@" >"$tmp/out" 2>&1; then
        passed=$((passed + 1)); echo "  ok   $t: $(tail -n 1 "$tmp/out")"
    else
        note_fail "fuzz $t"; echo "  FAIL $t"; tail -30 "$tmp/out"
    fi
done

if [ $failed -ne 0 ]; then printf "failures:%b\n" "$failures"; fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
