#!/bin/sh
# serve-damage: a spool segment damaged while the daemon is down: reported, counted, the
# intact records around it processed (serve_damage.py).
set -eu
: "${VIGIL:?}"
exec python3 "$(dirname "$0")/serve_damage.py" "$VIGIL"
