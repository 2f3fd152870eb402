#!/bin/sh
# Source checks run by `make check`: banned unsafe functions, file length, each .c file
# including its own header first, a top-of-file comment on every source file.
set -u
cd "$(dirname "$0")/.."
status=0
banned='\<(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol|atof|tmpnam|mktemp)[[:space:]]*\('
if grep -nE "$banned" src/*.c src/*.h fuzz/*.c fuzz/*.h bench/*.c 2>/dev/null; then
    echo "lint: banned function used (see above): use snprintf, memcpy with sizes, strtol..."
    status=1
fi
for f in src/*.c src/*.h; do
    n=$(wc -l < "$f")
    if [ "$n" -gt 1600 ]; then
        echo "lint: $f has $n lines (limit about 1,500: split the module)"
        status=1
    fi
    if ! head -n 3 "$f" | grep -q '^/\*'; then
        echo "lint: $f does not start with a comment saying what the module is"
        status=1
    fi
done
for f in src/*.c; do
    h="$(basename "$f" .c).h"
    [ -f "src/$h" ] || continue
    first=$(grep -m1 '^#include' "$f")
    if [ "$first" != "#include \"$h\"" ]; then
        echo "lint: $f must include its own header \"$h\" first (found: $first)"
        status=1
    fi
done
[ $status -eq 0 ] && echo "lint: ok"
exit $status
