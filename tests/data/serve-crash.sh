#!/bin/sh
# serve-crash: kill -9 vigil serve several times under HTTP and TCP load; every acknowledged
# HTTP event is stored exactly once, nothing is stored twice, and each TCP connection's stored
# events are a prefix of what it sent (serve_crash.py).
set -eu
: "${VIGIL:?}"
exec python3 "$(dirname "$0")/serve_crash.py" "$VIGIL" 4
