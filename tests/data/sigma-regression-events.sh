#!/bin/sh
# sigma-regression-events: `vigil decode` on every Sigma regression event file (Windows evtx
# converted to JSON): event counts, input objects kept unchanged, normalized ECS fields.
# The checks are in check_regression_events.py; needs $VIGIL and $SHARED (set by tests/run.sh).
set -u
: "${VIGIL:?VIGIL must name the vigil binary}" "${SHARED:?SHARED must name the shared directory}"
exec python3 "$(dirname "$0")/check_regression_events.py" "$VIGIL" "$SHARED/data/sigma/regression"
