#!/bin/sh
# serve-backpressure: a small backlog limit under a flood over HTTP, TCP and UDP: HTTP answers
# 503 + Retry-After, TCP is slowed and loses nothing, UDP drops are counted (serve_backpressure.py).
set -eu
: "${VIGIL:?}"
exec python3 "$(dirname "$0")/serve_backpressure.py" "$VIGIL"
