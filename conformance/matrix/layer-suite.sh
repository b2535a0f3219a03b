#!/bin/bash
# The whole layer suite inside a userland, with one loader; its ctest
# output is shown, each line marked with the userland and loader.
#   layer-suite.sh USERLAND ocl-icd|khronos SRC BUILD
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ul=${1:?usage: layer-suite.sh USERLAND LOADER SRC BUILD}
loader=$2
src=$3
build=$4
root=$("$here/userland.sh" "$ul")
mesa=$(chroot "$root" dpkg-query -W -f='${Version}' mesa-opencl-icd)
echo "matrix: $ul, loader $loader, Mesa $mesa"
LOADER=$loader "$here/in-userland.sh" "$root" "$src:$build" \
	ctest --test-dir "$build" -L layer --output-on-failure 2>&1 | sed "s/^/[$ul $loader] /"
exit "${PIPESTATUS[0]}"
