#!/bin/sh
# serve-relp: RELP sessions into vigil serve: every syslog frame answered 200 OK once spooled
# and stored once; a malformed frame ends its connection, counted (serve_relp.py).
set -eu
: "${VIGIL:?}"
exec python3 "$(dirname "$0")/serve_relp.py" "$VIGIL"
