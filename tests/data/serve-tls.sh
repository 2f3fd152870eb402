#!/bin/sh
# serve-tls: syslog over TLS into vigil serve, with and without client certificates; clients
# without a certificate or without TLS are refused in the handshake, reported and counted
# (serve_tls.py; certificates made with the openssl command).
set -eu
: "${VIGIL:?}"
exec python3 "$(dirname "$0")/serve_tls.py" "$VIGIL"
