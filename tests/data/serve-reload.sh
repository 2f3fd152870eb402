#!/bin/sh
# serve-reload: SIGHUP swaps the indicator snapshot while records flow (none lost, alerts
# switch once at the reload), and a failed reload keeps the old one (serve_reload.py).
set -eu
: "${VIGIL:?}"
exec python3 "$(dirname "$0")/serve_reload.py" "$VIGIL"
