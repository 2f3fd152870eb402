#!/bin/sh
# serve-badinput: garbage, oversized and truncated records, invalid UTF-8, slow, silent and
# vanishing clients against vigil serve; it keeps serving, stores every good record and
# reports and counts the bad ones (serve_badinput.py).
set -eu
: "${VIGIL:?}"
exec python3 "$(dirname "$0")/serve_badinput.py" "$VIGIL"
