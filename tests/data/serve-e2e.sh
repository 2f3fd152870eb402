#!/bin/sh
# serve-e2e: vigil serve on loopback with the whole Sigma corpus and the IPsum list, real logs
# sent over TCP (LF and octet counting), UDP and HTTP; the stored alerts must be exactly vigil
# scan's on the same records, and a restart must process nothing again (serve_e2e.py).
set -eu
: "${VIGIL:?}" "${SHARED:?}"
exec python3 "$(dirname "$0")/serve_e2e.py" "$VIGIL" "$SHARED"
