#!/bin/sh
# serve-files: vigil serve following files through rotations (one while it is down), a
# truncation and kill -9: every line stored exactly once (serve_files.py).
set -eu
: "${VIGIL:?}"
exec python3 "$(dirname "$0")/serve_files.py" "$VIGIL"
