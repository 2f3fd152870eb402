#!/bin/sh
# Installs the Debian packages Vigil needs to build, test, fuzz and benchmark.
# Idempotent: installs only what is missing; runs `apt-get update` once before installing.
# Usage: scripts/install-deps.sh [--check]   (--check: list what is missing, install nothing)
set -eu

PACKAGES="build-essential pkg-config clang libclang-rt-14-dev zlib1g-dev libzstd-dev libyaml-dev libssl-dev \
libcmocka-dev libhyperscan-dev libpcre2-dev libsqlite3-dev libmicrohttpd-dev sqlite3 jq python3 gzip zstd"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    echo "missing packages:$missing"
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-deps: need root (or sudo) to install:$missing" >&2
        exit 2
    fi
fi
echo "install-deps: installing:$missing" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
