#!/bin/sh
# serve-privileges: started as root with user: nobody, vigil serve binds a port below 1024 and
# then runs as nobody with a data directory of its own (serve_privileges.py).
set -eu
: "${VIGIL:?}"
exec python3 "$(dirname "$0")/serve_privileges.py" "$VIGIL"
