#!/bin/sh
# The layer exports the four loader entry points and nothing else.
set -eu
lib=$1
got=$(nm -D --defined-only "$lib" | awk '$2 == "T" || $2 == "D" || $2 == "B" || $2 == "W" { print $3 }' | sort | tr '\n' ' ')
want="clDeinitLayer clGetLayerInfo clInitLayer clInitLayerWithProperties "
[ "$got" = "$want" ] || { echo "FAIL: exports are '$got', want '$want'"; exit 1; }
echo "PASS layer_exports"
